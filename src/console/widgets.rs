//! Admin pages for chat widgets: list, create, edit, embed snippet.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::audit;
use crate::db::teams::{self, DEFAULT_TEAM, Team, TeamId};
use crate::db::widgets::{self, Widget};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use crate::widget::lang::VisitorLang;
use crate::widget::privacy::WithdrawalPolicy;
use crate::widget::settings::{FieldError, WidgetForm, WidgetSettings};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/admin/widgets",
        Rule::Staff(Permission::Read(Area::Widgets)),
        list,
    );
    r.get(
        "/admin/widgets/new",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        new_form,
    );
    r.post(
        "/admin/widgets",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        create,
    );
    r.get(
        "/admin/widgets/{public_id}",
        Rule::Staff(Permission::Read(Area::Widgets)),
        edit_form,
    );
    r.post(
        "/admin/widgets/{public_id}",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        update,
    );
}

#[derive(Template)]
#[template(path = "console/widgets.html")]
struct ListPage {
    page: Chrome,
    widgets: Vec<Widget>,
}

#[derive(Template)]
#[template(path = "console/widget_form.html")]
struct FormPage {
    page: Chrome,
    form: WidgetForm,
    errors: Vec<FieldError>,
    public_id: Option<String>,
    snippet: Option<String>,
    saved: bool,
    /// The teams a widget can route its conversations to, and the chosen one.
    teams: Vec<Team>,
    team: i64,
}

impl FormPage {
    /// The translated error of a field, for the template.
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.page.t.get(e.message))
    }

    /// The 24 visitor languages, each named in itself, for the default-language picker.
    fn visitor_langs(&self) -> Vec<(&'static str, &'static str)> {
        VisitorLang::choices()
    }
}

fn snippet(state: &AppState, public_id: &str) -> String {
    format!(
        "<script src=\"{}/widget.js\" data-widget=\"{public_id}\" async></script>",
        state.config.public_url()
    )
}

fn form_of(w: &Widget) -> WidgetForm {
    let s = &w.settings;
    WidgetForm {
        name: s.name.clone(),
        allowed_origins: s.allowed_origins.join("\n"),
        greeting: s.greeting.clone(),
        accent_color: s.accent_color.clone(),
        position: s.position.as_str().into(),
        default_lang: s.default_lang.code().into(),
        typing_preview: s.typing_preview.then(|| "on".into()),
        privacy_policy_url: s.privacy.policy_url.clone(),
        decline_contact: s.privacy.decline_contact.clone(),
        privacy_mode: s.privacy.privacy_mode.then(|| "on".into()),
        identity_recognition: s.privacy.identity_recognition.then(|| "on".into()),
        resumable_id: s.privacy.resumable_id.then(|| "on".into()),
        withdrawal_policy: s.privacy.withdrawal.as_str().into(),
        retention: s.privacy.retention.form_value(),
    }
}

fn render(view: FormPage, status: StatusCode) -> Result<HttpResponse, AppError> {
    view.page.render(&view, status)
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Widgets),
        Object::None,
    )?;
    let widgets = state.blocking(|conn, _| widgets::list(conn)).await?;
    let view = ListPage {
        page: Chrome::new(&req, Some(&session))?,
        widgets,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    let page = Chrome::new(&req, Some(&session))?;
    let (teams, _) = chosen_team(&state, None, DEFAULT_TEAM).await?;
    let form = WidgetForm {
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: VisitorLang::FALLBACK.code().into(),
        // Privacy by default: a new widget starts in privacy mode.
        privacy_mode: Some("on".into()),
        withdrawal_policy: WithdrawalPolicy::default().as_str().into(),
        ..Default::default()
    };
    render(
        FormPage {
            page,
            form,
            errors: vec![],
            public_id: None,
            snippet: None,
            saved: false,
            teams,
            team: DEFAULT_TEAM.0,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct Submitted {
    csrf: Option<String>,
    /// The team the widget routes its conversations to.
    team: Option<String>,
    #[serde(flatten)]
    form: WidgetForm,
}

/// Every team, and the submitted team if it is one of them (`fallback` when the form
/// names none: the default team for a new widget, the current one for an edit).
async fn chosen_team(
    state: &AppState,
    submitted: Option<&str>,
    fallback: TeamId,
) -> Result<(Vec<Team>, Option<TeamId>), AppError> {
    let all = state.blocking(|conn, _| teams::list(conn)).await?;
    let team = match submitted.map(str::trim).filter(|t| !t.is_empty()) {
        None => Some(fallback),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .map(TeamId)
            .filter(|t| all.iter().any(|known| known.id == *t)),
    };
    Ok((all, team))
}

/// The settings and team of a submitted form, or every field that is wrong.
fn checked(
    form: &WidgetForm,
    team: Option<TeamId>,
) -> Result<(WidgetSettings, TeamId), Vec<FieldError>> {
    match (form.validate(), team) {
        (Ok(settings), Some(team)) => Ok((settings, team)),
        (result, team) => {
            let mut errors = result.err().unwrap_or_default();
            if team.is_none() {
                errors.push(FieldError {
                    field: "team",
                    message: "widgets.error.team",
                });
            }
            Err(errors)
        }
    }
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    body: web::Form<Submitted>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let Submitted { form, team, .. } = body.into_inner();
    let (all_teams, team) = chosen_team(&state, team.as_deref(), DEFAULT_TEAM).await?;
    let (settings, team) = match checked(&form, team) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = Chrome::new(&req, Some(&session))?;
            return render(
                FormPage {
                    page,
                    form,
                    errors,
                    public_id: None,
                    snippet: None,
                    saved: false,
                    teams: all_teams,
                    team: team.map_or(DEFAULT_TEAM.0, |t| t.0),
                },
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let me = session.actor.staff;
    let widget = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry =
                |w: &Widget| audit::hooks::widget(now, me, audit::Action::WidgetCreated, w.id);
            // The widget, its team and the audit entry in one transaction.
            audit::after(
                conn,
                &st.ring,
                |conn| {
                    let widget = widgets::insert(conn, &settings, now)?;
                    teams::route_widget(conn, widget.id, team)?;
                    Ok(widget)
                },
                entry,
            )
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/widgets/{}?saved=1", widget.public_id),
        ))
        .finish())
}

/// The widget an admin page names by its public id; an impossible id is simply not found.
pub(super) async fn load(state: &AppState, public_id: String) -> Result<Widget, AppError> {
    if public_id.len() > 64 {
        return Err(AppError::NotFound);
    }
    state
        .blocking(move |conn, _| widgets::by_public_id(conn, &public_id))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
struct EditQuery {
    saved: Option<String>,
}

async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Widgets),
        Object::None,
    )?;
    let widget = load(&state, path.into_inner()).await?;
    let (all_teams, _) = chosen_team(&state, None, DEFAULT_TEAM).await?;
    let id = widget.id;
    let team = state
        .blocking(move |conn, _| teams::of_widget(conn, id))
        .await?
        .unwrap_or(DEFAULT_TEAM);
    let page = Chrome::new(&req, Some(&session))?;
    let view = FormPage {
        page,
        form: form_of(&widget),
        errors: vec![],
        snippet: Some(snippet(&state, &widget.public_id)),
        public_id: Some(widget.public_id),
        saved: query.saved.is_some(),
        teams: all_teams,
        team: team.0,
    };
    render(view, StatusCode::OK)
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    body: web::Form<Submitted>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let widget = load(&state, path.into_inner()).await?;
    let Submitted { form, team, .. } = body.into_inner();
    let wid = widget.id;
    let current = state
        .blocking(move |conn, _| teams::of_widget(conn, wid))
        .await?
        .unwrap_or(DEFAULT_TEAM);
    let (all_teams, team) = chosen_team(&state, team.as_deref(), current).await?;
    let (settings, team) = match checked(&form, team) {
        Ok(valid) => valid,
        Err(errors) => {
            let page = Chrome::new(&req, Some(&session))?;
            let view = FormPage {
                page,
                form,
                errors,
                snippet: Some(snippet(&state, &widget.public_id)),
                public_id: Some(widget.public_id),
                saved: false,
                teams: all_teams,
                team: team.map_or(DEFAULT_TEAM.0, |t| t.0),
            };
            return render(view, StatusCode::BAD_REQUEST);
        }
    };
    let id = widget.id;
    let me = session.actor.staff;
    let moved = state
        .blocking(move |conn, st| {
            let entry =
                audit::hooks::widget(st.clock.naive(), me, audit::Action::WidgetChanged, id);
            // Settings, team and the audit entry in one transaction.
            audit::before(conn, &st.ring, &entry, |conn| {
                let before = teams::of_widget(conn, id)?;
                widgets::update(conn, id, &settings, st.clock.naive())?;
                teams::route_widget(conn, id, team)?;
                Ok(before != Some(team))
            })
        })
        .await?;
    if moved {
        // Its conversations now belong to another team: open consoles re-decide.
        state
            .hub
            .bus
            .publish(crate::chat::Event::AccessChanged { staff: None });
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/widgets/{}?saved=1", widget.public_id),
        ))
        .finish())
}
