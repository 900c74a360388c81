//! Stored widgets, with their privacy settings (table `widget_privacy`, one row each).

use super::schema::{widget_privacy, widgets};
use super::{DbConn, DbError, DbResult};
use crate::widget::lang::VisitorLang;
use crate::widget::privacy::{PrivacySettings, Retention, WithdrawalPolicy};
use crate::widget::settings::{Position, WidgetSettings};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WidgetId(pub i64);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = widgets)]
struct WidgetRow {
    id: i64,
    public_id: String,
    name: String,
    allowed_origins: String,
    greeting: String,
    accent_color: String,
    position: String,
    default_lang: String,
    typing_preview: bool,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = widget_privacy)]
struct PrivacyRow {
    privacy_policy_url: String,
    decline_contact: String,
    privacy_mode: bool,
    identity_recognition: bool,
    resumable_id: bool,
    withdrawal_policy: String,
    retention_months: i32,
}

#[derive(Debug, Clone)]
pub struct Widget {
    pub id: WidgetId,
    pub public_id: String,
    pub settings: WidgetSettings,
}

impl TryFrom<(WidgetRow, Option<PrivacyRow>)> for Widget {
    type Error = DbError;
    fn try_from((r, p): (WidgetRow, Option<PrivacyRow>)) -> DbResult<Self> {
        let corrupt = |what: &str| DbError::Corrupt(format!("widget {}: {what}", r.id));
        // A widget without its privacy row (never written that way) gets the private defaults.
        let privacy = match p {
            None => PrivacySettings::default(),
            Some(p) => PrivacySettings {
                withdrawal: WithdrawalPolicy::parse(&p.withdrawal_policy)
                    .ok_or_else(|| corrupt("withdrawal policy"))?,
                retention: Retention::from_stored(p.retention_months)
                    .ok_or_else(|| corrupt("retention period"))?,
                policy_url: p.privacy_policy_url,
                decline_contact: p.decline_contact,
                privacy_mode: p.privacy_mode,
                identity_recognition: p.identity_recognition,
                resumable_id: p.resumable_id,
            },
        };
        Ok(Self {
            id: WidgetId(r.id),
            settings: WidgetSettings {
                position: Position::parse(&r.position).ok_or_else(|| corrupt("position"))?,
                default_lang: VisitorLang::from_code(&r.default_lang)
                    .ok_or_else(|| corrupt("language"))?,
                name: r.name,
                allowed_origins: r.allowed_origins.lines().map(str::to_string).collect(),
                greeting: r.greeting,
                accent_color: r.accent_color,
                typing_preview: r.typing_preview,
                privacy,
            }
            // A row edited by hand cannot switch on what privacy mode forces off.
            .enforced(),
            public_id: r.public_id,
        })
    }
}

/// 128 random bits, URL-safe: not sequential, not guessable.
fn new_public_id() -> DbResult<String> {
    use base64::Engine as _;
    let bytes = crate::crypto::random_bytes::<16>()?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn write_privacy(conn: &mut DbConn, id: i64, p: &PrivacySettings) -> DbResult<()> {
    let values = (
        widget_privacy::privacy_policy_url.eq(&p.policy_url),
        widget_privacy::decline_contact.eq(&p.decline_contact),
        widget_privacy::privacy_mode.eq(p.privacy_mode),
        widget_privacy::identity_recognition.eq(p.identity_recognition),
        widget_privacy::resumable_id.eq(p.resumable_id),
        widget_privacy::withdrawal_policy.eq(p.withdrawal.as_str()),
        widget_privacy::retention_months.eq(p.retention.stored()),
    );
    // No upsert on the shared connection: update, and insert when there was no row.
    let changed = diesel::update(widget_privacy::table.find(id))
        .set(values)
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(widget_privacy::table)
            .values((widget_privacy::widget_id.eq(id), values))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert(conn: &mut DbConn, s: &WidgetSettings, now: NaiveDateTime) -> DbResult<Widget> {
    let s = &s.clone().enforced();
    conn.transaction(|conn| insert_in(conn, s, now))
}

fn insert_in(conn: &mut DbConn, s: &WidgetSettings, now: NaiveDateTime) -> DbResult<Widget> {
    let id = super::new_id(now.and_utc())?;
    let public_id = new_public_id()?;
    diesel::insert_into(widgets::table)
        .values((
            widgets::id.eq(id),
            widgets::public_id.eq(&public_id),
            widgets::name.eq(&s.name),
            widgets::allowed_origins.eq(s.allowed_origins.join("\n")),
            widgets::greeting.eq(&s.greeting),
            widgets::accent_color.eq(&s.accent_color),
            widgets::position.eq(s.position.as_str()),
            widgets::default_lang.eq(s.default_lang.code()),
            widgets::typing_preview.eq(s.typing_preview),
            widgets::created_at.eq(now),
            widgets::updated_at.eq(now),
        ))
        .execute(conn)?;
    write_privacy(conn, id, &s.privacy)?;
    Ok(Widget {
        id: WidgetId(id),
        public_id,
        settings: s.clone(),
    })
}

pub fn update(
    conn: &mut DbConn,
    id: WidgetId,
    s: &WidgetSettings,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let s = &s.clone().enforced();
    conn.transaction(|conn| update_in(conn, id, s, now))
}

fn update_in(
    conn: &mut DbConn,
    id: WidgetId,
    s: &WidgetSettings,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(widgets::table.find(id.0))
        .set((
            widgets::name.eq(&s.name),
            widgets::allowed_origins.eq(s.allowed_origins.join("\n")),
            widgets::greeting.eq(&s.greeting),
            widgets::accent_color.eq(&s.accent_color),
            widgets::position.eq(s.position.as_str()),
            widgets::default_lang.eq(s.default_lang.code()),
            widgets::typing_preview.eq(s.typing_preview),
            widgets::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 1 {
        write_privacy(conn, id.0, &s.privacy)?;
    }
    Ok(changed == 1)
}

type Loaded = (WidgetRow, Option<PrivacyRow>);

pub fn list(conn: &mut DbConn) -> DbResult<Vec<Widget>> {
    widgets::table
        .left_join(widget_privacy::table)
        .order(widgets::name.asc())
        .select((WidgetRow::as_select(), Option::<PrivacyRow>::as_select()))
        .load::<Loaded>(conn)?
        .into_iter()
        .map(Widget::try_from)
        .collect()
}

pub fn by_id(conn: &mut DbConn, id: WidgetId) -> DbResult<Option<Widget>> {
    widgets::table
        .left_join(widget_privacy::table)
        .filter(widgets::id.eq(id.0))
        .select((WidgetRow::as_select(), Option::<PrivacyRow>::as_select()))
        .first::<Loaded>(conn)
        .optional()?
        .map(Widget::try_from)
        .transpose()
}

pub fn by_public_id(conn: &mut DbConn, public_id: &str) -> DbResult<Option<Widget>> {
    widgets::table
        .left_join(widget_privacy::table)
        .filter(widgets::public_id.eq(public_id))
        .select((WidgetRow::as_select(), Option::<PrivacyRow>::as_select()))
        .first::<Loaded>(conn)
        .optional()?
        .map(Widget::try_from)
        .transpose()
}
