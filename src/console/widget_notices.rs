//! Admin page for a widget's privacy notice texts, one per visitor language
//! (`/admin/widgets/{id}/notices`). An empty field means the shipped default text. Shows
//! each language's current version, so the admin sees what consent records will name.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::db::notices;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use crate::widget::lang::VisitorLang;
use crate::widget::notice::Notice;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use std::collections::HashMap;

/// Longest notice text, in characters.
pub const MAX_NOTICE_CHARS: usize = 4000;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/admin/widgets/{public_id}/notices",
        Rule::Staff(Permission::Read(Area::Widgets)),
        show,
    );
    r.post(
        "/admin/widgets/{public_id}/notices",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        save,
    );
}

/// One language's row on the page.
pub struct NoticeRow {
    pub code: &'static str,
    pub name: &'static str,
    /// The admin's text as entered (empty: the default applies).
    pub text: String,
    pub default_text: String,
    /// What visitors see now, or would see after saving without errors.
    pub version: String,
    pub custom: bool,
    pub too_long: bool,
}

#[derive(Template)]
#[template(path = "console/widget_notices.html")]
struct NoticesPage {
    page: Chrome,
    public_id: String,
    widget_name: String,
    rows: Vec<NoticeRow>,
    saved: bool,
    has_errors: bool,
}

/// Browsers send CRLF line ends from a textarea; the stored and hashed text is what the
/// widget shows: LF line ends, no surrounding blank space.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string()
}

fn rows(texts: &HashMap<&'static str, String>) -> Vec<NoticeRow> {
    VisitorLang::ALL
        .into_iter()
        .map(|lang| {
            let text = texts.get(lang.code()).cloned().unwrap_or_default();
            let default = Notice::default_for(lang);
            let shown = if text.is_empty() {
                default.clone()
            } else {
                Notice::new(lang, text.clone(), true)
            };
            NoticeRow {
                code: lang.code(),
                name: lang.name(),
                too_long: text.chars().count() > MAX_NOTICE_CHARS,
                text,
                default_text: default.text,
                version: shown.version,
                custom: shown.custom,
            }
        })
        .collect()
}

#[derive(Deserialize)]
struct ShowQuery {
    saved: Option<String>,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Widgets),
        Object::None,
    )?;
    let widget = super::widgets::load(&state, path.into_inner()).await?;
    let id = widget.id;
    let stored = state
        .blocking(move |conn, _| notices::all(conn, id))
        .await?;
    let texts = stored
        .into_iter()
        .filter_map(|(code, text)| VisitorLang::from_code(&code).map(|l| (l.code(), text)))
        .collect();
    let view = NoticesPage {
        page: Chrome::new(&req, Some(&session))?,
        public_id: widget.public_id,
        widget_name: widget.settings.name,
        rows: rows(&texts),
        saved: query.saved.is_some(),
        has_errors: false,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    let form = form.into_inner();
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let widget = super::widgets::load(&state, path.into_inner()).await?;
    let texts: HashMap<&'static str, String> = VisitorLang::ALL
        .into_iter()
        .map(|l| {
            let text = form.get(&format!("notice_{}", l.code()));
            (l.code(), text.map(|t| normalise(t)).unwrap_or_default())
        })
        .collect();
    let rows = rows(&texts);
    if rows.iter().any(|r| r.too_long) {
        let view = NoticesPage {
            page: Chrome::new(&req, Some(&session))?,
            public_id: widget.public_id,
            widget_name: widget.settings.name,
            rows,
            saved: false,
            has_errors: true,
        };
        return view.page.render(&view, StatusCode::BAD_REQUEST);
    }
    let id = widget.id;
    let me = session.actor.staff;
    state
        .blocking(move |conn, st| {
            let pairs: Vec<(&str, &str)> = texts.iter().map(|(l, t)| (*l, t.as_str())).collect();
            let now = st.clock.naive();
            let entry =
                crate::audit::hooks::widget(now, me, crate::audit::Action::PrivacyChanged, id);
            crate::audit::before(conn, &st.ring, &entry, |c| {
                notices::replace(c, id, &pairs, now)
            })
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/widgets/{}/notices?saved=1", widget.public_id),
        ))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widget::notice;

    #[test]
    fn line_ends_are_normalised_before_hashing() {
        assert_eq!(normalise("  Eins\r\nZwei\rDrei \n"), "Eins\nZwei\nDrei");
        let a = notice::hash_hex(&normalise("a\r\nb"));
        assert_eq!(a, notice::hash_hex("a\nb"));
    }
}
