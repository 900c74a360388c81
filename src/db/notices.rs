//! The admin's own privacy notice texts per widget and visitor language. A language without
//! a row shows the shipped default text. Not personal data.

use super::schema::widget_notices;
use super::widgets::WidgetId;
use super::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The override for one language, if the admin wrote one.
pub fn get(conn: &mut DbConn, widget: WidgetId, lang: &str) -> DbResult<Option<String>> {
    Ok(widget_notices::table
        .find((widget.0, lang))
        .select(widget_notices::text)
        .first(conn)
        .optional()?)
}

/// Every override of a widget as (language code, text).
pub fn all(conn: &mut DbConn, widget: WidgetId) -> DbResult<Vec<(String, String)>> {
    Ok(widget_notices::table
        .filter(widget_notices::widget_id.eq(widget.0))
        .order(widget_notices::lang.asc())
        .select((widget_notices::lang, widget_notices::text))
        .load(conn)?)
}

/// Replaces all overrides of a widget in one transaction; empty texts are not stored (the
/// default applies again).
pub fn replace(
    conn: &mut DbConn,
    widget: WidgetId,
    texts: &[(&str, &str)],
    now: NaiveDateTime,
) -> DbResult<()> {
    conn.transaction(|conn| {
        diesel::delete(widget_notices::table.filter(widget_notices::widget_id.eq(widget.0)))
            .execute(conn)?;
        // One insert per row: batch inserts of a Vec do not work on the shared connection.
        for (lang, text) in texts.iter().filter(|(_, t)| !t.trim().is_empty()) {
            diesel::insert_into(widget_notices::table)
                .values((
                    widget_notices::widget_id.eq(widget.0),
                    widget_notices::lang.eq(*lang),
                    widget_notices::text.eq(*text),
                    widget_notices::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}
