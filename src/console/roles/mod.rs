//! Admin pages for roles: the list, a new custom role, and each role's permission matrix
//! (area × level, and scope for conversations and contacts) with an explanation per area.
//! Built-in roles cannot be renamed or deleted; the Admin role's matrix is fixed. Nobody
//! grants or changes a role beyond their own matrix (`access::require` with
//! `Object::Grant`). Every change tells open console sockets to re-read their access.

mod four_eyes;
mod matrix;
mod reason;

use matrix::{delete, save, show};

use super::csrf;
use super::session::Authenticated;
use crate::access::{self, Area, Grant, Level, Matrix, Object, Permission, Scope};
use crate::audit::{self, Action, hooks};
use crate::chat::Event;
use crate::console::page::Chrome;
use crate::db::roles::{self, Builtin, Role, RoleId};
use crate::db::{DbConn, DbError, staff};
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
    r.get("/admin/roles", Rule::Staff(READ), list);
    r.post("/admin/roles", Rule::Staff(EDIT), create);
    r.get("/admin/roles/{id}", Rule::Staff(READ), show);
    r.post("/admin/roles/{id}", Rule::Staff(EDIT), save);
    r.post("/admin/roles/{id}/delete", Rule::Staff(EDIT), delete);
    r.post("/admin/roles/{id}/reason", Rule::Staff(EDIT), reason::save);
    r.post(
        "/admin/roles/{id}/four-eyes",
        Rule::Staff(EDIT),
        four_eyes::save,
    );
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

/// Whether a failed write hit a unique name (two admins naming alike at once); any other
/// failure, such as an audit entry that could not be written, is a real error.
pub fn name_clash(e: &DbError) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        DbError::Query(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
    )
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
    let t = Tr::new(crate::console::page::lang_of(&req));
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
    let (wanted, me) = (name.clone(), session.actor.staff);
    let created = state
        .blocking(move |conn, st| {
            if roles::name_taken(conn, &wanted, None)? {
                return Ok(None);
            }
            let now = st.clock.naive();
            // A new role starts with nothing: the admin grants what it needs.
            let work = |c: &mut DbConn| roles::create(c, &wanted, &Matrix::empty(), now);
            let entry =
                |id: &RoleId| hooks::admin(now, me, Action::RoleCreated, audit::Object::role(*id));
            audit::after(conn, &st.ring, work, entry).map(Some)
        })
        .await;
    match created {
        Ok(Some(id)) => Ok(see_other(format!("/admin/roles/{}", id.0))),
        Err(e) if !name_clash(&e) => Err(e.into()),
        Ok(None) | Err(_) => {
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
    }
}
