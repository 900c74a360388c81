//! Admin pages for roles: the list, a new custom role, and each role's permission matrix
//! (area × level, and scope for conversations and contacts) with an explanation per area.
//! Built-in roles cannot be renamed or deleted; the Admin role's matrix is fixed. Nobody
//! grants or changes a role beyond their own matrix (`access::require` with
//! `Object::Grant`). Every change tells open console sockets to re-read their access.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Grant, Level, Matrix, Object, Permission, Scope};
use crate::chat::Event;
use crate::db::roles::{self, Builtin, Role, RoleId};
use crate::db::{DbError, staff};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::Connection as _;
use std::collections::HashMap;

const READ: Permission = Permission::Read(Area::Staff);
const EDIT: Permission = Permission::Edit(Area::Staff);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/roles", Rule::Staff(READ), list);
    r.post("/admin/roles", Rule::Staff(EDIT), create);
    r.get("/admin/roles/{id}", Rule::Staff(READ), show);
    r.post("/admin/roles/{id}", Rule::Staff(EDIT), save);
    r.post("/admin/roles/{id}/delete", Rule::Staff(EDIT), delete);
}

/// A role's name as staff see it: built-in roles translated.
pub fn label(t: &Tr, role: &Role) -> String {
    match role.builtin {
        Some(b) => t.get(b.label_key()).to_string(),
        None => role.name.clone(),
    }
}

/// A name for a role or team: trimmed, 1–60 characters, no control characters.
pub fn valid_name(name: &str) -> Option<String> {
    let name = name.trim();
    let ok = (1..=60).contains(&name.chars().count()) && !name.chars().any(char::is_control);
    ok.then(|| name.to_string())
}

/// Tells every open console socket to re-read its access.
pub fn access_changed(state: &AppState, staff: Option<staff::StaffId>) {
    state.hub.bus.publish(Event::AccessChanged { staff });
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

pub struct RoleRow {
    pub id: i64,
    pub name: String,
    pub builtin: bool,
    pub holders: i64,
}

#[derive(Template)]
#[template(path = "console/roles.html")]
struct ListPage {
    page: Chrome,
    roles: Vec<RoleRow>,
    name: String,
    error: Option<String>,
}

async fn render_list(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    name: String,
    error: Option<String>,
) -> Result<HttpResponse, AppError> {
    let loaded = state
        .blocking(|conn, _| {
            let list = roles::list(conn)?;
            let mut rows = Vec::new();
            for r in list {
                rows.push((roles::holders(conn, r.id)?, r));
            }
            Ok(rows)
        })
        .await?;
    let page = Chrome::new(req, Some(session))?;
    let roles = loaded
        .into_iter()
        .map(|(holders, r)| RoleRow {
            id: r.id.0,
            name: label(&page.t, &r),
            builtin: r.builtin.is_some(),
            holders,
        })
        .collect();
    let view = ListPage {
        page,
        roles,
        name,
        error,
    };
    view.page.render(&view, status)
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    render_list(&req, &state, &session, StatusCode::OK, String::new(), None).await
}

type Fields = web::Form<HashMap<String, String>>;

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or("")
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let t = Tr::new(super::page::lang_of(&req));
    let typed = field(&form, "name").to_string();
    let Some(name) = valid_name(&typed) else {
        let message = t.get("roles.error.name").to_string();
        return render_list(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            typed,
            Some(message),
        )
        .await;
    };
    let wanted = name.clone();
    let created = state
        .blocking(move |conn, st| {
            if roles::name_taken(conn, &wanted, None)? {
                return Ok(None);
            }
            // A new role starts with nothing: the admin grants what it needs.
            roles::create(conn, &wanted, &Matrix::empty(), st.clock.naive()).map(Some)
        })
        .await;
    match created {
        Ok(Some(id)) => Ok(see_other(format!("/admin/roles/{}", id.0))),
        Ok(None) | Err(DbError::Query(_)) => {
            let message = t.get("roles.error.name_taken").to_string();
            render_list(
                &req,
                &state,
                &session,
                StatusCode::BAD_REQUEST,
                typed,
                Some(message),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// One row of the matrix table.
pub struct AreaRow {
    pub key: &'static str,
    pub name: String,
    pub explanation: String,
    pub level: &'static str,
    pub scope: &'static str,
    pub scoped: bool,
}

#[derive(Template)]
#[template(path = "console/role_edit.html")]
struct EditPage {
    page: Chrome,
    id: i64,
    name: String,
    builtin: bool,
    fixed: bool,
    holders: i64,
    rows: Vec<AreaRow>,
    /// Field name and message.
    error: Option<(String, String)>,
    saved: bool,
}

impl EditPage {
    fn error_for(&self, name: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }
}

fn rows_of(t: &Tr, matrix: &Matrix) -> Vec<AreaRow> {
    Area::ALL
        .into_iter()
        .map(|a| AreaRow {
            key: a.key(),
            name: t.fill(&format!("roles.area.{}", a.key()), &[]),
            explanation: t.fill(&format!("roles.explain.{}", a.key()), &[]),
            level: matrix.get(a).level.key(),
            scope: matrix.get(a).scope.key(),
            scoped: a.scoped(),
        })
        .collect()
}

async fn load(state: &AppState, id: RoleId) -> Result<(Role, i64), AppError> {
    state
        .blocking(move |conn, _| {
            let Some(role) = roles::by_id(conn, id)? else {
                return Ok(None);
            };
            Ok(Some((role, roles::holders(conn, id)?)))
        })
        .await?
        .ok_or(AppError::NotFound)
}

struct Shown {
    name: String,
    matrix: Matrix,
    error: Option<(String, String)>,
    saved: bool,
}

fn render_edit(
    req: &HttpRequest,
    session: &Authenticated,
    role: &Role,
    holders: i64,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = Chrome::new(req, Some(session))?;
    let view = EditPage {
        id: role.id.0,
        name: shown.name,
        builtin: role.builtin.is_some(),
        fixed: role.builtin == Some(Builtin::Admin),
        holders,
        rows: rows_of(&page.t, &shown.matrix),
        error: shown.error,
        saved: shown.saved,
        page,
    };
    view.page.render(&view, status)
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
    let (role, holders) = load(&state, RoleId(path.into_inner())).await?;
    let t = Tr::new(super::page::lang_of(&req));
    let shown = Shown {
        name: label(&t, &role),
        matrix: role.matrix,
        error: None,
        saved: query.saved.is_some(),
    };
    render_edit(&req, &session, &role, holders, shown, StatusCode::OK)
}

/// The matrix a form describes, or the first field that holds no valid value.
fn matrix_of(form: &HashMap<String, String>) -> Result<Matrix, String> {
    let mut matrix = Matrix::empty();
    for area in Area::ALL {
        let level_field = format!("level_{}", area.key());
        let level = Level::parse(field(form, &level_field)).ok_or(level_field)?;
        let scope = if area.scoped() {
            let scope_field = format!("scope_{}", area.key());
            Scope::parse(field(form, &scope_field)).ok_or(scope_field)?
        } else {
            Scope::All
        };
        matrix.set(area, Grant { level, scope });
    }
    Ok(matrix)
}

/// The translated names of areas, for a refusal.
fn area_names(t: &Tr, areas: &[Area]) -> String {
    areas
        .iter()
        .map(|a| t.fill(&format!("roles.area.{}", a.key()), &[]))
        .collect::<Vec<_>>()
        .join(", ")
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
    let (role, holders) = load(&state, RoleId(path.into_inner())).await?;
    let t = Tr::new(super::page::lang_of(&req));
    let refuse = |status, name: String, matrix, field: &str, message: String| {
        let shown = Shown {
            name,
            matrix,
            error: Some((field.to_string(), message)),
            saved: false,
        };
        render_edit(&req, &session, &role, holders, shown, status)
    };
    if role.builtin == Some(Builtin::Admin) {
        let message = t.get("roles.error.admin_fixed").to_string();
        return refuse(
            StatusCode::BAD_REQUEST,
            label(&t, &role),
            role.matrix,
            "matrix",
            message,
        );
    }
    let typed = if role.builtin.is_some() {
        label(&t, &role)
    } else {
        field(&form, "name").to_string()
    };
    let matrix = match matrix_of(&form) {
        Ok(m) => m,
        Err(bad) => {
            let message = t.fill("roles.error.field", &[("field", &bad)]);
            return refuse(StatusCode::BAD_REQUEST, typed, role.matrix, &bad, message);
        }
    };
    // Nobody changes a role they do not fully hold, nor grants more than they hold.
    for m in [role.matrix, matrix] {
        let grant = Object::Grant {
            role: Some(role.id),
            matrix: m,
        };
        if access::require(&session.actor, EDIT, grant).is_err() {
            let areas = session.actor.matrix.exceeded_by(&m);
            let message = t.fill(
                "roles.error.escalation",
                &[("areas", &area_names(&t, &areas))],
            );
            return refuse(StatusCode::FORBIDDEN, typed, matrix, "matrix", message);
        }
    }
    let name = if role.builtin.is_some() {
        None
    } else {
        match valid_name(&typed) {
            Some(n) => Some(n),
            None => {
                let message = t.get("roles.error.name").to_string();
                return refuse(StatusCode::BAD_REQUEST, typed, matrix, "name", message);
            }
        }
    };
    let id = role.id;
    let saved = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            if let Some(name) = &name {
                if roles::name_taken(conn, name, Some(id))? {
                    return Ok(false);
                }
            }
            // Name and matrix change together or not at all.
            conn.transaction(|conn| {
                if let Some(name) = &name {
                    roles::rename(conn, id, name, now)?;
                }
                roles::set_matrix(conn, id, &matrix, now)
            })?;
            Ok(true)
        })
        .await;
    match saved {
        Ok(true) => {
            access_changed(&state, None);
            Ok(see_other(format!("/admin/roles/{}?saved=1", id.0)))
        }
        Ok(false) | Err(DbError::Query(_)) => {
            let message = t.get("roles.error.name_taken").to_string();
            refuse(StatusCode::BAD_REQUEST, typed, matrix, "name", message)
        }
        Err(e) => Err(e.into()),
    }
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let (role, holders) = load(&state, RoleId(path.into_inner())).await?;
    let t = Tr::new(super::page::lang_of(&req));
    let grant = Object::Grant {
        role: Some(role.id),
        matrix: role.matrix,
    };
    access::require(&session.actor, EDIT, grant)?;
    let id = role.id;
    let deleted = state.blocking(move |conn, _| roles::delete(conn, id)).await;
    let key = match deleted {
        Ok(true) => {
            access_changed(&state, None);
            return Ok(see_other("/admin/roles".into()));
        }
        Ok(false) => return Err(AppError::NotFound),
        Err(DbError::Conflict(_)) if role.builtin.is_some() => "roles.error.builtin",
        Err(DbError::Conflict(_)) => "roles.error.in_use",
        Err(e) => return Err(e.into()),
    };
    let shown = Shown {
        name: label(&t, &role),
        matrix: role.matrix,
        error: Some(("delete".into(), t.get(key).to_string())),
        saved: false,
    };
    render_edit(
        &req,
        &session,
        &role,
        holders,
        shown,
        StatusCode::BAD_REQUEST,
    )
}
