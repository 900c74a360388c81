//! What each widget masks (`widget_masking`). No row means the defaults: card numbers and
//! IBANs masked, no admin patterns. Holds settings only, never chat text.

use super::schema::widget_masking;
use super::widgets::WidgetId;
use super::{DbConn, DbError, DbResult};
use crate::privacy::{MaskRules, MaskingSettings};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = widget_masking)]
struct MaskingRow {
    mask_cards: bool,
    mask_ibans: bool,
    patterns: String,
}

/// The widget's settings, or the defaults when none were saved.
pub fn get(conn: &mut DbConn, widget: WidgetId) -> DbResult<MaskingSettings> {
    let row = widget_masking::table
        .find(widget.0)
        .select(MaskingRow::as_select())
        .first(conn)
        .optional()?;
    Ok(
        row.map_or_else(MaskingSettings::default, |r| MaskingSettings {
            cards: r.mask_cards,
            ibans: r.mask_ibans,
            patterns: r
                .patterns
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
        }),
    )
}

/// Stores the settings (validated by the caller), replacing what was there.
pub fn save(
    conn: &mut DbConn,
    widget: WidgetId,
    settings: &MaskingSettings,
    now: NaiveDateTime,
) -> DbResult<()> {
    let patterns = settings.patterns.join("\n");
    // Update, else insert: the shared connection has no portable upsert. One transaction,
    // so a reader sees the old settings or the new ones.
    conn.transaction::<_, DbError, _>(|conn| {
        let changed = diesel::update(widget_masking::table.find(widget.0))
            .set((
                widget_masking::mask_cards.eq(settings.cards),
                widget_masking::mask_ibans.eq(settings.ibans),
                widget_masking::patterns.eq(&patterns),
                widget_masking::updated_at.eq(now),
            ))
            .execute(conn)?;
        if changed == 0 {
            diesel::insert_into(widget_masking::table)
                .values((
                    widget_masking::widget_id.eq(widget.0),
                    widget_masking::mask_cards.eq(settings.cards),
                    widget_masking::mask_ibans.eq(settings.ibans),
                    widget_masking::patterns.eq(&patterns),
                    widget_masking::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// The widget's compiled rules. A stored pattern that no longer compiles is an error, so
/// that nothing is stored unmasked by accident.
pub fn rules(conn: &mut DbConn, widget: WidgetId) -> DbResult<MaskRules> {
    get(conn, widget)?
        .rules()
        .map_err(|e| DbError::Corrupt(format!("masking patterns of widget {}: {e}", widget.0)))
}
