//! An admin sets another staff member's password: typed by the admin (the same policy as
//! `plauder user passwd` and the own change: at least 12 characters, not a common password,
//! not containing the user name; hashed with argon2id) or generated and shown once. Unlike
//! an own change, a reset ends EVERY session of the account (`db::staff::set_password`).
//! Guard rails as on the account's page: nobody resets an account holding more than they
//! do (`access::require` with the account's matrix), and nobody resets their own password
//! here (that is `/account`, which asks for the current one). Audited as `password_reset`
//! in the same transaction; never logs or stores the password anywhere but as its hash.

use super::account_admin::target;
use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Permission};
use crate::audit::{self, Action, hooks};
use crate::auth::password;
use crate::db::staff::{self, Staff};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

const EDIT: Permission = Permission::Edit(Area::Staff);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/staff/{id}/password", Rule::Staff(EDIT), form);
    r.post("/admin/staff/{id}/password", Rule::Staff(EDIT), reset);
}

#[derive(Template)]
#[template(path = "console/staff_password.html")]
struct PasswordPage {
    page: Chrome,
    id: i64,
    username: String,
    /// The admin's own account: no form, a link to the own page instead.
    own: bool,
    error: Option<String>,
    /// A generated password, shown on this one response only.
    generated: Option<String>,
    done: bool,
}

fn render(
    req: &HttpRequest,
    session: &Authenticated,
    account: &Staff,
    error: Option<String>,
    generated: Option<String>,
    done: bool,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let view = PasswordPage {
        page: Chrome::new(req, Some(session))?,
        id: account.id.0,
        username: account.username.clone(),
        own: account.id == session.actor.staff,
        error,
        generated,
        done,
    };
    view.page.render(&view, status)
}

/// The account, once the actor may act on it.
async fn actable(state: &AppState, session: &Authenticated, id: i64) -> Result<Staff, AppError> {
    let (account, object) = target(state, id).await?;
    access::require(&session.actor, EDIT, object)?;
    Ok(account)
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<DoneQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, access::Object::None)?;
    let account = actable(&state, &session, path.into_inner()).await?;
    let done = query.done.is_some();
    render(&req, &session, &account, None, None, done, StatusCode::OK)
}

#[derive(Deserialize)]
struct ResetForm {
    csrf: Option<String>,
    /// "typed" (the two fields below) or "generate".
    #[serde(default)]
    mode: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

async fn reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, access::Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let account = actable(&state, &session, path.into_inner()).await?;
    let t = crate::i18n::Tr::new(super::page::lang_of(&req));
    let refuse = |key: &str| {
        let error = Some(t.get(key).to_string());
        render(
            &req,
            &session,
            &account,
            error,
            None,
            false,
            StatusCode::BAD_REQUEST,
        )
    };
    if account.id == session.actor.staff {
        return refuse("staff.password.own");
    }
    let (chosen, generated) = match form.mode.as_str() {
        "generate" => {
            let pw = password::generate().map_err(|e| AppError::Internal(e.to_string()))?;
            (pw.clone(), Some(pw))
        }
        "typed" => {
            if form.new != form.repeat {
                return refuse("account.password.mismatch");
            }
            if let Err(policy) = password::check_policy(&form.new, &account.username) {
                return refuse(policy.i18n_key());
            }
            (form.new.clone(), None)
        }
        other => {
            return Err(AppError::BadRequest(format!(
                "mode: `{other}` is neither `typed` nor `generate`"
            )));
        }
    };
    // Hashing takes a moment of CPU: on the blocking pool, before any write lock is taken.
    let hash = web::block(move || password::hash(&chosen))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))?;
    let (id, me) = (account.id, session.actor.staff);
    let changed = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry = hooks::admin(now, me, Action::PasswordReset, audit::Object::staff(id));
            // The new hash and the end of every session of the account, with the entry.
            let work = |c: &mut crate::db::DbConn| staff::set_password(c, id, &hash, now);
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)
        })
        .await?;
    if !changed {
        return Err(AppError::NotFound);
    }
    match generated {
        // Shown once, on this response only (no-store), never stored in plain text.
        Some(pw) => render(
            &req,
            &session,
            &account,
            None,
            Some(pw),
            true,
            StatusCode::OK,
        ),
        None => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/admin/staff/{}/password?done=1", id.0),
            ))
            .finish()),
    }
}
