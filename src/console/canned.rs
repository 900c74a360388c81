//! Admin pages for canned responses: list, add, edit, delete. Admins only; operators use
//! the snippets in the console (`/console/canned.json`) but never change them here.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::db::canned::{self, Canned, CannedId};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/admin/canned",
        Rule::Staff(Permission::Edit(Area::Canned)),
        list,
    );
    r.post(
        "/admin/canned",
        Rule::Staff(Permission::Edit(Area::Canned)),
        add,
    );
    r.get(
        "/admin/canned/{id}/edit",
        Rule::Staff(Permission::Edit(Area::Canned)),
        edit_form,
    );
    r.post(
        "/admin/canned/{id}/edit",
        Rule::Staff(Permission::Edit(Area::Canned)),
        update,
    );
    r.post(
        "/admin/canned/{id}/delete",
        Rule::Staff(Permission::Edit(Area::Canned)),
        delete,
    );
}

/// A refused form: the field it concerns and the i18n key of the message.
type FieldError = Option<(&'static str, &'static str)>;

#[derive(Template)]
#[template(path = "console/canned.html")]
struct CannedPage {
    page: Chrome,
    items: Vec<Canned>,
    shortcut: String,
    body: String,
    error: FieldError,
    action: String,
    submit: &'static str,
    editing: bool,
}

#[derive(Template)]
#[template(path = "console/canned_edit.html")]
struct EditPage {
    page: Chrome,
    shortcut: String,
    body: String,
    error: FieldError,
    action: String,
    submit: &'static str,
    editing: bool,
}

async fn render_list(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    form: (String, String),
    error: FieldError,
) -> Result<HttpResponse, AppError> {
    let items = state.blocking(|conn, _| canned::list(conn)).await?;
    let view = CannedPage {
        page: Chrome::new(req, Some(session))?,
        items,
        shortcut: form.0,
        body: form.1,
        error,
        action: "/admin/canned".into(),
        submit: "canned.add",
        editing: false,
    };
    view.page.render(&view, status)
}

fn render_edit(
    req: &HttpRequest,
    session: &Authenticated,
    id: CannedId,
    status: StatusCode,
    form: (String, String),
    error: FieldError,
) -> Result<HttpResponse, AppError> {
    let view = EditPage {
        page: Chrome::new(req, Some(session))?,
        shortcut: form.0,
        body: form.1,
        error,
        action: format!("/admin/canned/{}/edit", id.0),
        submit: "canned.save",
        editing: true,
    };
    view.page.render(&view, status)
}

fn back_to_list() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/canned"))
        .finish()
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Edit(Area::Canned), Object::None)?;
    render_list(
        &req,
        &state,
        &session,
        StatusCode::OK,
        Default::default(),
        None,
    )
    .await
}

#[derive(Deserialize)]
struct SnippetForm {
    csrf: Option<String>,
    shortcut: String,
    body: String,
}

/// Checks a submitted snippet, including that no other snippet (`except` is the one being
/// edited) has its shortcut. Ok holds the normalised shortcut and text.
async fn check(
    state: &AppState,
    form: &SnippetForm,
    except: Option<CannedId>,
) -> Result<Result<(String, String), (&'static str, &'static str)>, AppError> {
    let (shortcut, body) = match canned::validate(&form.shortcut, &form.body) {
        Ok(valid) => valid,
        Err(e) => return Ok(Err(e)),
    };
    let key = shortcut.clone();
    let holder = state
        .blocking(move |conn, _| canned::by_shortcut(conn, &key))
        .await?;
    if holder.is_some_and(|c| Some(c.id()) != except) {
        return Ok(Err(("shortcut", "canned.error.taken")));
    }
    Ok(Ok((shortcut, body)))
}

async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<SnippetForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Edit(Area::Canned), Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let form = form.into_inner();
    let refused = |e| (StatusCode::BAD_REQUEST, Some(e));
    let outcome = match check(&state, &form, None).await? {
        Ok((shortcut, body)) => {
            let saved = state
                .blocking(move |conn, st| canned::insert(conn, &shortcut, &body, st.clock.naive()))
                .await;
            match saved {
                Ok(_) => return Ok(back_to_list()),
                Err(e) if canned::is_taken(&e) => refused(("shortcut", "canned.error.taken")),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => refused(e),
    };
    render_list(
        &req,
        &state,
        &session,
        outcome.0,
        (form.shortcut, form.body),
        outcome.1,
    )
    .await
}

async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Edit(Area::Canned), Object::None)?;
    let id = CannedId(path.into_inner());
    let item = state
        .blocking(move |conn, _| canned::by_id(conn, id))
        .await?
        .ok_or(AppError::NotFound)?;
    render_edit(
        &req,
        &session,
        id,
        StatusCode::OK,
        (format!("/{}", item.shortcut), item.body),
        None,
    )
}

async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<SnippetForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Edit(Area::Canned), Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = CannedId(path.into_inner());
    let form = form.into_inner();
    let error = match check(&state, &form, Some(id)).await? {
        Ok((shortcut, body)) => {
            let saved = state
                .blocking(move |conn, st| {
                    canned::update(conn, id, &shortcut, &body, st.clock.naive())
                })
                .await;
            match saved {
                Ok(true) => return Ok(back_to_list()),
                Ok(false) => return Err(AppError::NotFound),
                Err(e) if canned::is_taken(&e) => ("shortcut", "canned.error.taken"),
                Err(e) => return Err(e.into()),
            }
        }
        Err(e) => e,
    };
    render_edit(
        &req,
        &session,
        id,
        StatusCode::BAD_REQUEST,
        (form.shortcut, form.body),
        Some(error),
    )
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf: Option<String>,
}

async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Edit(Area::Canned), Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = CannedId(path.into_inner());
    if !state
        .blocking(move |conn, _| canned::delete(conn, id))
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(back_to_list())
}
