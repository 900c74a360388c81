//! What an admin does to another staff account here: see and reset its second factor
//! (which ends all its sessions, so it signs in and enrols anew), set how it appears to
//! visitors, and choose which roles must use a second factor. The target account is an
//! `access::require` object: nobody acts on an account holding more than they do.
//! Never shows another account's secret or recovery codes. Every change here is audited
//! in its own transaction (actor = the admin, object = the account or role).

use super::account::{AppearancePage, AppearanceView, appearance_view};
use super::account_appearance::{self as appearance, Submitted};
use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Actor, Area, Object, Permission};
use crate::audit::{self, Action, hooks};
use crate::db::roles::{self, RoleId};
use crate::db::staff::{self, Staff, StaffId};
use crate::db::{operator_profiles, second_factor};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    let read = Rule::Staff(Permission::Read(Area::Staff));
    let edit = Rule::Staff(Permission::Edit(Area::Staff));
    r.get("/admin/staff/{id}/account", edit, account_page);
    r.post("/admin/staff/{id}/appearance", edit, save_appearance);
    r.post("/admin/staff/{id}/second-factor/reset", edit, reset);
    r.get("/admin/second-factor", read, roles_page);
    r.post("/admin/second-factor", edit, save_roles);
}

/// Stores a submitted appearance form for the signed-in `staff` themselves.
pub async fn store_appearance(
    state: &AppState,
    staff: StaffId,
    form: Submitted,
) -> Result<Result<(), Box<AppearanceView>>, AppError> {
    store_appearance_by(state, staff, staff, form).await
}

/// Stores a submitted appearance form for `staff`, made by `actor`, with its audit entry in
/// the same transaction; the form again with its errors when something was wrong (nothing
/// is stored then).
pub async fn store_appearance_by(
    state: &AppState,
    actor: StaffId,
    staff: StaffId,
    form: Submitted,
) -> Result<Result<(), Box<AppearanceView>>, AppError> {
    Ok(state
        .blocking(move |conn, st| {
            let current = operator_profiles::get(conn, &st.ring, staff)?;
            match appearance::validate(&form.input, form.picture.as_deref(), &current) {
                Ok((profile, upload)) => {
                    let now = st.clock.naive();
                    let entry = hooks::admin(
                        now,
                        actor,
                        Action::AppearanceChanged,
                        audit::Object::staff(staff),
                    );
                    audit::before(conn, &st.ring, &entry, |c| {
                        operator_profiles::save(
                            c,
                            &st.ring,
                            staff,
                            &profile,
                            upload.as_deref(),
                            now,
                        )
                    })?;
                    Ok(Ok(()))
                }
                Err(errors) => {
                    let mut view = appearance_view(&current, String::new());
                    view.input = form.input;
                    view.errors = errors;
                    Ok(Err(Box::new(view)))
                }
            }
        })
        .await?)
}

/// The target account as an object of `require`, with its role's matrix.
pub(super) async fn target(state: &AppState, id: i64) -> Result<(Staff, Object), AppError> {
    let found = state
        .blocking(move |conn, _| {
            let Some(account) = staff::by_id(conn, StaffId(id))? else {
                return Ok(None);
            };
            let matrix = Actor::load(conn, &account)?.matrix;
            Ok(Some((account, matrix)))
        })
        .await?;
    let (account, matrix) = found.ok_or(AppError::NotFound)?;
    let object = Object::Account {
        id: account.id,
        matrix,
    };
    Ok((account, object))
}

#[derive(Template)]
#[template(path = "console/account_admin.html")]
struct AdminPage {
    page: Chrome,
    id: String,
    username: String,
    second_factor: bool,
    appearance: AppearanceView,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn account_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    let (account, object) = target(&state, path.into_inner()).await?;
    access::require(&session.actor, Permission::Edit(Area::Staff), object)?;
    let id = account.id;
    let (active, profile) = state
        .blocking(move |conn, st| {
            Ok((
                second_factor::is_active(conn, id)?,
                operator_profiles::get(conn, &st.ring, id)?,
            ))
        })
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let notice = match query.done.as_deref() {
        Some("reset") => Some(page.t.get("account.admin.reset_done").to_string()),
        Some("appearance") => Some(page.t.get("account.appearance.saved").to_string()),
        _ => None,
    };
    let view = AdminPage {
        page,
        id: id.0.to_string(),
        username: account.username,
        second_factor: active,
        appearance: appearance_view(&profile, format!("/admin/staff/{}/appearance", id.0)),
        notice,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn save_appearance(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let (account, object) = target(&state, path.into_inner()).await?;
    access::require(&session.actor, Permission::Edit(Area::Staff), object)?;
    let form = appearance::read_form(&req, payload).await?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let back = format!("/admin/staff/{}/account", account.id.0);
    match store_appearance_by(&state, session.actor.staff, account.id, form).await? {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{back}?done=appearance")))
            .finish()),
        Err(view) => {
            let page = Chrome::new(&req, Some(&session))?;
            let view = AppearancePage {
                title: page
                    .t
                    .fill("account.admin.title", &[("user", &account.username)]),
                appearance: AppearanceView {
                    action: format!("/admin/staff/{}/appearance", account.id.0),
                    ..*view
                },
                back,
                page,
            };
            view.page.render(&view, StatusCode::BAD_REQUEST)
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    let (account, object) = target(&state, path.into_inner()).await?;
    access::require(&session.actor, Permission::Edit(Area::Staff), object)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let (id, me) = (account.id, session.actor.staff);
    // The entry first: no reset (and no ended sessions) without it.
    state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry = hooks::admin(now, me, Action::SecondFactorReset, audit::Object::staff(id));
            audit::before(conn, &st.ring, &entry, |c| {
                second_factor::reset(c, id, true)
            })
        })
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/staff/{}/account?done=reset", id.0),
        ))
        .finish())
}

/// One role's row in the table.
pub struct RoleRow {
    pub key: String,
    pub name: String,
    pub required: bool,
}

#[derive(Template)]
#[template(path = "console/account_roles.html")]
struct RolesPage {
    page: Chrome,
    roles: Vec<RoleRow>,
    may_edit: bool,
    notice: Option<String>,
}

async fn roles_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Read(Area::Staff), Object::None)?;
    let (list, flags) = state
        .blocking(|conn, _| Ok((roles::list(conn)?, second_factor::role_flags(conn)?)))
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let roles = list
        .into_iter()
        .map(|r| {
            let key = r.id.0.to_string();
            RoleRow {
                required: flags.iter().any(|(k, on)| *k == key && *on),
                name: r
                    .builtin
                    .map_or(r.name, |b| page.t.get(b.label_key()).to_string()),
                key,
            }
        })
        .collect();
    let view = RolesPage {
        notice: query
            .done
            .as_ref()
            .map(|_| page.t.get("account.roles.saved").to_string()),
        may_edit: access::require(&session.actor, Permission::Edit(Area::Staff), Object::None)
            .is_ok(),
        roles,
        page,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn save_roles(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Edit(Area::Staff), Object::None)?;
    let fields = form.into_inner();
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    csrf::verify(&req, Some(&session), token)?;
    let mut required = Vec::new();
    for (k, v) in &fields {
        if k == "required" {
            let id: i64 = v
                .parse()
                .map_err(|_| AppError::BadRequest(format!("required: `{v}` is not a role")))?;
            required.push(RoleId(id));
        }
    }
    let me = session.actor.staff;
    let saved = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let list = roles::list(conn)?;
            if let Some(unknown) = required.iter().find(|r| !list.iter().any(|l| l.id == **r)) {
                return Ok(Err(unknown.0));
            }
            let flags: Vec<(String, bool)> = list
                .iter()
                .map(|r| (r.id.0.to_string(), required.contains(&r.id)))
                .collect();
            // One entry per role whose requirement changed, with the flags, in one
            // transaction: no flag changes without its entry.
            crate::db::write_transaction(conn, |conn| {
                let before = second_factor::role_flags(conn)?;
                let was = |key: &str| before.iter().any(|(k, on)| k == key && *on);
                second_factor::set_role_flags(conn, &flags, now)?;
                for role in &list {
                    if was(&role.id.0.to_string()) != required.contains(&role.id) {
                        let object = audit::Object::role(role.id);
                        audit::record(
                            conn,
                            &st.ring,
                            &hooks::admin(now, me, Action::RoleChanged, object),
                        )?;
                    }
                }
                Ok::<_, crate::db::DbError>(())
            })?;
            Ok(Ok(()))
        })
        .await?;
    match saved {
        Ok(()) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/admin/second-factor?done=1"))
            .finish()),
        Err(id) => Err(AppError::BadRequest(format!(
            "required: no role with id {id}"
        ))),
    }
}
