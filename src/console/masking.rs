//! Admin page for a widget's data masking: which numbers are masked and the admin's own
//! patterns. A refused pattern saves nothing and is shown next to its field.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::db::masking;
use crate::db::widgets::Widget;
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::privacy::rules::{MAX_PATTERN_CHARS, MAX_PATTERNS, parse_patterns};
use crate::privacy::{MaskingSettings, PatternError};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/admin/widgets/{public_id}/masking",
        Rule::Staff(Permission::Read(Area::Widgets)),
        show,
    );
    r.post(
        "/admin/widgets/{public_id}/masking",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        save,
    );
}

/// The form as submitted (checkboxes are absent when unticked).
#[derive(Debug, Default, Deserialize)]
struct MaskingForm {
    csrf: Option<String>,
    mask_cards: Option<String>,
    mask_ibans: Option<String>,
    #[serde(default)]
    patterns: String,
}

#[derive(Template)]
#[template(path = "console/widget_masking.html")]
struct MaskingPage {
    page: Chrome,
    public_id: String,
    widget_name: String,
    cards: bool,
    ibans: bool,
    patterns: String,
    /// The message next to the patterns field.
    error: Option<String>,
    saved: bool,
    patterns_hint: String,
}

fn page_for(
    page: Chrome,
    widget: Widget,
    cards: bool,
    ibans: bool,
    patterns: String,
) -> MaskingPage {
    MaskingPage {
        public_id: widget.public_id,
        widget_name: widget.settings.name,
        cards,
        ibans,
        patterns,
        error: None,
        saved: false,
        patterns_hint: page.t.fill(
            "masking.hint.patterns",
            &[
                ("max_patterns", &MAX_PATTERNS.to_string()),
                ("max_chars", &MAX_PATTERN_CHARS.to_string()),
            ],
        ),
        page,
    }
}

fn message(page: &Chrome, error: &PatternError) -> String {
    let values = error.values();
    let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    page.t.fill(error.key(), &pairs)
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
    let current = state
        .blocking(move |conn, _| masking::get(conn, id))
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let mut view = page_for(
        page,
        widget,
        current.cards,
        current.ibans,
        current.patterns.join("\n"),
    );
    view.saved = query.saved.is_some();
    view.page.render(&view, StatusCode::OK)
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    body: web::Form<MaskingForm>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let widget = super::widgets::load(&state, path.into_inner()).await?;
    let form = body.into_inner();
    let (cards, ibans) = (form.mask_cards.is_some(), form.mask_ibans.is_some());
    let patterns = match parse_patterns(&form.patterns) {
        Ok(p) => p,
        Err(e) => {
            let page = Chrome::new(&req, Some(&session))?;
            let error = message(&page, &e);
            let mut view = page_for(page, widget, cards, ibans, form.patterns);
            view.error = Some(error);
            return view.page.render(&view, StatusCode::BAD_REQUEST);
        }
    };
    let settings = MaskingSettings {
        cards,
        ibans,
        patterns,
    };
    let id = widget.id;
    let me = session.actor.staff;
    state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry =
                crate::audit::hooks::widget(now, me, crate::audit::Action::PrivacyChanged, id);
            crate::audit::before(conn, &st.ring, &entry, |c| {
                masking::save(c, id, &settings, now)
            })
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/widgets/{}/masking?saved=1", widget.public_id),
        ))
        .finish())
}
