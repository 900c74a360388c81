//! Admin page for teams: list with members and widgets, create, rename, delete. The default
//! team cannot be deleted, nor a team that widgets still route to. Who belongs to a team
//! is set on each account's page (`console::staff`); which team a widget routes to, in the
//! widget's form.

use super::csrf;
use super::page::Chrome;
use super::roles::{access_changed, name_clash, valid_name};
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::audit::{self, Action, hooks};
use crate::db::teams::{self, DEFAULT_TEAM, TeamId};
use crate::db::{DbConn, DbError, staff};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const READ: Permission = Permission::Read(Area::Staff);
const EDIT: Permission = Permission::Edit(Area::Staff);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/teams", Rule::Staff(READ), list);
    r.post("/admin/teams", Rule::Staff(EDIT), create);
    r.post("/admin/teams/{id}", Rule::Staff(EDIT), rename);
    r.post("/admin/teams/{id}/delete", Rule::Staff(EDIT), delete);
}

pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub default: bool,
    pub members: Vec<String>,
    pub widgets: i64,
}

#[derive(Template)]
#[template(path = "console/teams.html")]
struct ListPage {
    page: Chrome,
    teams: Vec<TeamRow>,
    /// What was typed into the form that failed, and where.
    typed: String,
    /// The form the error belongs to ("new" or a team id) and the message.
    error: Option<(String, String)>,
    done: Option<&'static str>,
}

impl ListPage {
    fn error_for(&self, form: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == form)
            .map(|(_, m)| m.as_str())
    }
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    typed: String,
    error: Option<(String, String)>,
    done: Option<&'static str>,
) -> Result<HttpResponse, AppError> {
    let loaded = state
        .blocking(|conn, _| {
            let members = teams::memberships(conn)?;
            let people = staff::list(conn)?;
            let mut rows = Vec::new();
            for team in teams::list(conn)? {
                let names = people
                    .iter()
                    .filter(|s| members.get(&s.id).is_some_and(|t| t.contains(&team.id)))
                    .map(|s| s.username.clone())
                    .collect();
                rows.push(TeamRow {
                    id: team.id.0,
                    default: team.id == DEFAULT_TEAM,
                    widgets: teams::widget_count(conn, team.id)?,
                    name: team.name,
                    members: names,
                });
            }
            Ok(rows)
        })
        .await?;
    let view = ListPage {
        page: Chrome::new(req, Some(session))?,
        teams: loaded,
        typed,
        error,
        done,
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct ListQuery {
    done: Option<String>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let done = match query.done.as_deref() {
        Some("saved") => Some("teams.saved"),
        Some("deleted") => Some("teams.deleted"),
        _ => None,
    };
    render(
        &req,
        &state,
        &session,
        StatusCode::OK,
        String::new(),
        None,
        done,
    )
    .await
}

#[derive(Deserialize)]
struct NameForm {
    csrf: Option<String>,
    #[serde(default)]
    name: String,
}

fn back(done: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/admin/teams?done={done}")))
        .finish()
}

/// Creates (`id` None) or renames a team; a bad or taken name is shown at its form.
async fn save_name(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: NameForm,
    id: Option<TeamId>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let t = Tr::new(super::page::lang_of(&req));
    let at = id.map_or_else(|| "new".to_string(), |i| i.0.to_string());
    let refuse = |key: &str| (at.clone(), t.get(key).to_string());
    let me = session.actor.staff;
    let error = match valid_name(&form.name) {
        None => refuse("teams.error.name"),
        Some(name) => {
            let saved = state
                .blocking(move |conn, st| {
                    if let Some(id) = id {
                        if teams::by_id(conn, id)?.is_none() {
                            return Ok(None);
                        }
                    }
                    if teams::name_taken(conn, &name, id)? {
                        return Ok(Some(false));
                    }
                    let now = st.clock.naive();
                    let ring = &st.ring;
                    // Each with its entry (ids only, never the name), in one transaction.
                    match id {
                        Some(id) => {
                            let entry =
                                hooks::admin(now, me, Action::TeamChanged, audit::Object::team(id));
                            let work = |c: &mut DbConn| teams::rename(c, id, &name, now);
                            hooks::change(conn, ring, &entry, work, |changed| *changed)?
                        }
                        None => {
                            let work = |c: &mut DbConn| teams::create(c, &name, now);
                            let entry = |id: &TeamId| {
                                hooks::admin(now, me, Action::TeamCreated, audit::Object::team(*id))
                            };
                            audit::after(conn, ring, work, entry).map(|_| true)?
                        }
                    };
                    Ok(Some(true))
                })
                .await;
            match saved {
                Ok(Some(true)) => return Ok(back("saved")),
                Ok(None) => return Err(AppError::NotFound),
                Err(e) if !name_clash(&e) => return Err(e.into()),
                Ok(Some(false)) | Err(_) => refuse("teams.error.name_taken"),
            }
        }
    };
    let status = StatusCode::BAD_REQUEST;
    render(&req, &state, &session, status, form.name, Some(error), None).await
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    save_name(req, state, session, form.into_inner(), None).await
}

async fn rename(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let id = TeamId(path.into_inner());
    save_name(req, state, session, form.into_inner(), Some(id)).await
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = TeamId(path.into_inner());
    let t = Tr::new(super::page::lang_of(&req));
    let me = session.actor.staff;
    let deleted = state
        .blocking(move |conn, st| {
            if teams::by_id(conn, id)?.is_none() {
                return Ok(None);
            }
            let now = st.clock.naive();
            let entry = hooks::admin(now, me, Action::TeamDeleted, audit::Object::team(id));
            let work = |c: &mut DbConn| teams::delete(c, id);
            hooks::change(conn, &st.ring, &entry, work, |deleted| *deleted).map(Some)
        })
        .await;
    let key = match deleted {
        Ok(Some(_)) => {
            // Members of the team may see less now.
            access_changed(&state, None);
            return Ok(back("deleted"));
        }
        Ok(None) => return Err(AppError::NotFound),
        Err(DbError::Conflict(_)) if id == DEFAULT_TEAM => "teams.error.default",
        Err(DbError::Conflict(_)) => "teams.error.in_use",
        Err(e) => return Err(e.into()),
    };
    let error = Some((id.0.to_string(), t.get(key).to_string()));
    let status = StatusCode::BAD_REQUEST;
    render(&req, &state, &session, status, String::new(), error, None).await
}
