//! Stored widgets.

use super::schema::widgets;
use super::{DbConn, DbError, DbResult};
use crate::widget::lang::VisitorLang;
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

#[derive(Debug, Clone)]
pub struct Widget {
    pub id: WidgetId,
    pub public_id: String,
    pub settings: WidgetSettings,
}

impl TryFrom<WidgetRow> for Widget {
    type Error = DbError;
    fn try_from(r: WidgetRow) -> DbResult<Self> {
        let corrupt = |what: &str| DbError::Corrupt(format!("widget {}: {what}", r.id));
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
            },
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

pub fn insert(conn: &mut DbConn, s: &WidgetSettings, now: NaiveDateTime) -> DbResult<Widget> {
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
    Ok(changed == 1)
}

pub fn list(conn: &mut DbConn) -> DbResult<Vec<Widget>> {
    widgets::table
        .order(widgets::name.asc())
        .select(WidgetRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Widget::try_from)
        .collect()
}

pub fn by_id(conn: &mut DbConn, id: WidgetId) -> DbResult<Option<Widget>> {
    widgets::table
        .find(id.0)
        .select(WidgetRow::as_select())
        .first(conn)
        .optional()?
        .map(Widget::try_from)
        .transpose()
}

pub fn by_public_id(conn: &mut DbConn, public_id: &str) -> DbResult<Option<Widget>> {
    widgets::table
        .filter(widgets::public_id.eq(public_id))
        .select(WidgetRow::as_select())
        .first(conn)
        .optional()?
        .map(Widget::try_from)
        .transpose()
}
