//! Admin pages for staff accounts: the list, and per account its role, its teams and
//! whether it is disabled. Guard rails: nobody acts on an account that holds more than they
//! do, nor gives a role with more than they hold (`access::require`); the last active admin
//! is never disabled or given another role (`db::staff`, inside the transaction). A change
//! applies at once: requests load the actor anew, and open console sockets are told.

use super::csrf;
use super::page::Chrome;
use super::roles::{access_changed, label};
use super::session::Authenticated;
use crate::access::{self, Area, Matrix, Object, Permission};
use crate::audit::{self, Action, hooks};
use crate::db::roles::{self, Role, RoleId};
use crate::db::staff::{self, Staff, StaffId};
use crate::db::teams::{self, Team, TeamId};
use crate::db::{DbConn, DbError};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

const READ: Permission = Permission::Read(Area::Staff);
const EDIT: Permission = Permission::Edit(Area::Staff);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/staff", Rule::Staff(READ), list);
    r.get("/admin/staff/{id}", Rule::Staff(READ), show);
    r.post("/admin/staff/{id}", Rule::Staff(EDIT), save);
    r.post("/admin/staff/{id}/disable", Rule::Staff(EDIT), disable);
    r.post("/admin/staff/{id}/enable", Rule::Staff(EDIT), enable);
}

pub struct StaffRow {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub teams: Vec<String>,
    pub disabled: bool,
}

#[derive(Template)]
#[template(path = "console/staff.html")]
struct ListPage {
    page: Chrome,
    rows: Vec<StaffRow>,
}

/// Everything the pages show, read in one go.
struct Facts {
    people: Vec<Staff>,
    roles: Vec<Role>,
    teams: Vec<Team>,
    members: HashMap<StaffId, Vec<TeamId>>,
}

async fn facts(state: &AppState) -> Result<Facts, AppError> {
    Ok(state
        .blocking(|conn, _| {
            Ok(Facts {
                people: staff::list(conn)?,
                roles: roles::list(conn)?,
                teams: teams::list(conn)?,
                members: teams::memberships(conn)?,
            })
        })
        .await?)
}

fn role_name(t: &Tr, roles: &[Role], id: RoleId) -> String {
    roles
        .iter()
        .find(|r| r.id == id)
        .map(|r| label(t, r))
        .unwrap_or_default()
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let f = facts(&state).await?;
    let page = Chrome::new(&req, Some(&session))?;
    let rows = f
        .people
        .iter()
        .map(|s| StaffRow {
            id: s.id.0,
            username: s.username.clone(),
            role: role_name(&page.t, &f.roles, s.role),
            teams: f
                .teams
                .iter()
                .filter(|t| f.members.get(&s.id).is_some_and(|m| m.contains(&t.id)))
                .map(|t| t.name.clone())
                .collect(),
            disabled: s.disabled,
        })
        .collect();
    let view = ListPage { page, rows };
    view.page.render(&view, StatusCode::OK)
}

pub struct Choice {
    pub value: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "console/staff_edit.html")]
struct EditPage {
    page: Chrome,
    id: i64,
    username: String,
    disabled: bool,
    roles: Vec<Choice>,
    teams: Vec<Choice>,
    /// Field ("role", "teams", "status") and message.
    error: Option<(&'static str, String)>,
    saved: bool,
}

impl EditPage {
    fn error_for(&self, name: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| *f == name)
            .map(|(_, m)| m.as_str())
    }
}

/// What the form shows: the account as stored, or what was submitted.
struct Shown {
    role: RoleId,
    teams: Vec<TeamId>,
    error: Option<(&'static str, String)>,
    saved: bool,
}

fn render(
    req: &HttpRequest,
    session: &Authenticated,
    f: &Facts,
    account: &Staff,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = Chrome::new(req, Some(session))?;
    let view = EditPage {
        id: account.id.0,
        username: account.username.clone(),
        disabled: account.disabled,
        roles: f
            .roles
            .iter()
            .map(|r| Choice {
                value: r.id.0,
                label: label(&page.t, r),
                selected: r.id == shown.role,
            })
            .collect(),
        teams: f
            .teams
            .iter()
            .map(|t| Choice {
                value: t.id.0,
                label: t.name.clone(),
                selected: shown.teams.contains(&t.id),
            })
            .collect(),
        error: shown.error,
        saved: shown.saved,
        page,
    };
    view.page.render(&view, status)
}

fn account_of(f: &Facts, id: i64) -> Result<Staff, AppError> {
    f.people
        .iter()
        .find(|s| s.id.0 == id)
        .cloned()
        .ok_or(AppError::NotFound)
}

fn matrix_of(f: &Facts, role: RoleId) -> Matrix {
    f.roles
        .iter()
        .find(|r| r.id == role)
        .map_or_else(Matrix::empty, |r| r.matrix)
}

#[derive(serde::Deserialize)]
struct ShowQuery {
    saved: Option<String>,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let f = facts(&state).await?;
    let account = account_of(&f, path.into_inner())?;
    let shown = Shown {
        role: account.role,
        teams: f.members.get(&account.id).cloned().unwrap_or_default(),
        error: None,
        saved: query.saved.is_some(),
    };
    render(&req, &session, &f, &account, shown, StatusCode::OK)
}

/// The account, once the actor may act on it: nobody changes an account holding more.
fn actable(session: &Authenticated, f: &Facts, id: i64) -> Result<Staff, AppError> {
    let account = account_of(f, id)?;
    let object = Object::Account {
        id: account.id,
        matrix: matrix_of(f, account.role),
    };
    access::require(&session.actor, EDIT, object)?;
    Ok(account)
}

type Fields = web::Form<HashMap<String, String>>;

fn see_other(id: StaffId) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/admin/staff/{}?saved=1", id.0)))
        .finish()
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let f = facts(&state).await?;
    let account = actable(&session, &f, path.into_inner())?;
    let t = Tr::new(super::page::lang_of(&req));
    // Teams come as `team_<id>` check boxes; every one must exist.
    let mut chosen = Vec::new();
    let mut bad_team = false;
    for key in form.keys() {
        if let Some(id) = key.strip_prefix("team_") {
            match id
                .parse::<i64>()
                .ok()
                .filter(|i| f.teams.iter().any(|t| t.id.0 == *i))
            {
                Some(i) => chosen.push(TeamId(i)),
                None => bad_team = true,
            }
        }
    }
    chosen.sort();
    let role = form
        .get("role")
        .and_then(|r| r.parse::<i64>().ok())
        .map(RoleId)
        .filter(|r| f.roles.iter().any(|known| known.id == *r));
    let mut shown = Shown {
        role: role.unwrap_or(account.role),
        teams: chosen.clone(),
        error: None,
        saved: false,
    };
    let Some(role) = role else {
        shown.error = Some(("role", t.get("staff.error.role").to_string()));
        return render(&req, &session, &f, &account, shown, StatusCode::BAD_REQUEST);
    };
    if bad_team {
        shown.error = Some(("teams", t.get("staff.error.team").to_string()));
        return render(&req, &session, &f, &account, shown, StatusCode::BAD_REQUEST);
    }
    // Nobody gives a role with more than they hold.
    let grant = Object::Grant {
        role: Some(role),
        matrix: matrix_of(&f, role),
    };
    if access::require(&session.actor, EDIT, grant).is_err() {
        shown.error = Some(("role", t.get("staff.error.escalation").to_string()));
        return render(&req, &session, &f, &account, shown, StatusCode::FORBIDDEN);
    }
    let (id, me) = (account.id, session.actor.staff);
    let saved = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            // Role and teams (membership) change together, with one entry about the account.
            let entry = hooks::admin(now, me, Action::StaffChanged, audit::Object::staff(id));
            let work = |c: &mut DbConn| staff::set_access(c, id, role, &chosen, now);
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)
        })
        .await;
    match saved {
        Ok(true) => {
            access_changed(&state, Some(id));
            Ok(see_other(id))
        }
        Ok(false) => Err(AppError::NotFound),
        Err(DbError::Conflict(_)) => {
            shown.error = Some(("role", t.get("staff.error.last_admin").to_string()));
            render(&req, &session, &f, &account, shown, StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e.into()),
    }
}

async fn disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    set_disabled(req, state, session, path.into_inner(), form, true).await
}

async fn enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    set_disabled(req, state, session, path.into_inner(), form, false).await
}

/// Disabling ends the account's sessions (and so its sockets); enabling gives its role's
/// rights back, which counts as granting them.
async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: i64,
    form: Fields,
    disabled: bool,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let f = facts(&state).await?;
    let account = actable(&session, &f, id)?;
    let (id, me) = (account.id, session.actor.staff);
    let done = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let action = if disabled {
                Action::StaffDisabled
            } else {
                Action::StaffEnabled
            };
            let entry = hooks::admin(now, me, action, audit::Object::staff(id));
            let work = |c: &mut DbConn| {
                if disabled {
                    staff::disable(c, id, now).map(|_| true)
                } else {
                    staff::enable(c, id, now)
                }
            };
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)
        })
        .await;
    match done {
        Ok(_) => {
            access_changed(&state, Some(id));
            Ok(see_other(id))
        }
        Err(DbError::Conflict(_)) => {
            let t = Tr::new(super::page::lang_of(&req));
            let shown = Shown {
                role: account.role,
                teams: f.members.get(&account.id).cloned().unwrap_or_default(),
                error: Some(("status", t.get("staff.error.last_admin").to_string())),
                saved: false,
            };
            render(&req, &session, &f, &account, shown, StatusCode::BAD_REQUEST)
        }
        Err(e) => Err(e.into()),
    }
}
