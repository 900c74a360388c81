//! Admin page for canned responses: list, add, delete.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Permission};
use crate::db::canned::{self, Canned};
use crate::error::AppError;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(add).service(delete);
}

#[derive(Template)]
#[template(path = "console/canned.html")]
struct CannedPage {
    page: Chrome,
    items: Vec<Canned>,
    shortcut: String,
    body: String,
    error: Option<(&'static str, &'static str)>,
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    status: StatusCode,
    form: (String, String),
    error: Option<(&'static str, &'static str)>,
) -> Result<HttpResponse, AppError> {
    let items = state.blocking(|conn, _| canned::list(conn)).await?;
    let view = CannedPage {
        page: Chrome::new(req, Some(session))?,
        items,
        shortcut: form.0,
        body: form.1,
        error,
    };
    let html = view.render()?;
    Ok(view.page.respond(HttpResponse::build(status), html))
}

#[get("/admin/canned")]
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageCanned)?;
    render(
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
struct AddForm {
    csrf: Option<String>,
    shortcut: String,
    body: String,
}

#[post("/admin/canned")]
async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<AddForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageCanned)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let form = form.into_inner();
    let (shortcut, body) = match canned::validate(&form.shortcut, &form.body) {
        Ok(valid) => valid,
        Err(e) => {
            return render(
                &req,
                &state,
                &session,
                StatusCode::BAD_REQUEST,
                (form.shortcut, form.body),
                Some(e),
            )
            .await;
        }
    };
    let key = shortcut.clone();
    if state
        .blocking(move |conn, _| canned::by_shortcut(conn, &key))
        .await?
        .is_some()
    {
        let error = Some(("shortcut", "canned.error.taken"));
        return render(
            &req,
            &state,
            &session,
            StatusCode::BAD_REQUEST,
            (form.shortcut, form.body),
            error,
        )
        .await;
    }
    state
        .blocking(move |conn, st| canned::insert(conn, &shortcut, &body, st.clock.naive()))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/canned"))
        .finish())
}

#[derive(Deserialize)]
struct DeleteForm {
    csrf: Option<String>,
}

#[post("/admin/canned/{id}/delete")]
async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageCanned)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = path.into_inner();
    if !state
        .blocking(move |conn, _| canned::delete(conn, id))
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/canned"))
        .finish())
}
