//! `/console/requests/new` and `POST /console/requests`: recording a request staff
//! received (by e-mail, letter, phone, in person or otherwise). The due date follows from
//! the date of receipt. The entry `request_created` is written with the row.

use super::form::{FieldError, NewForm};
use super::{Choice, EDIT, choices, handlers, require};
use crate::audit::{self, Action, Entry};
use crate::console::csrf;
use crate::console::page::Chrome;
use crate::console::session::Authenticated;
use crate::db::DbError;
use crate::db::dsr::{self, RequestId};
use crate::db::staff::StaffId;
use crate::dsr::{Channel, Kind, staff_channels};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/requests/new", Rule::Staff(EDIT), form);
    r.post("/console/requests", Rule::Staff(EDIT), create);
}

#[derive(Template)]
#[template(path = "console/request_new.html")]
struct NewPage {
    page: Chrome,
    form: NewForm,
    kinds: Vec<Choice>,
    channels: Vec<Choice>,
    handlers: Vec<Choice>,
    error: Option<FieldError>,
    today: String,
}

impl NewPage {
    /// Whether the refused field is `name` (for aria-invalid and the message's place).
    fn bad(&self, name: &str) -> bool {
        self.error.is_some_and(|(f, _)| f == name)
    }
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    form: NewForm,
    error: Option<FieldError>,
) -> Result<HttpResponse, AppError> {
    let people = state.blocking(|conn, _| handlers(conn)).await?;
    let page = Chrome::new(req, Some(session))?;
    let t = page.t;
    let handlers = people
        .into_iter()
        .map(|(id, name)| Choice {
            selected: form.handler == id.0.to_string(),
            value: id.0.to_string(),
            label: name,
        })
        .collect();
    let view = NewPage {
        kinds: choices(
            &t,
            Kind::ALL.iter().copied(),
            Kind::as_str,
            Kind::label_key,
            Kind::parse(&form.kind),
        ),
        channels: choices(
            &t,
            staff_channels(),
            Channel::as_str,
            Channel::label_key,
            Channel::parse(&form.channel),
        ),
        handlers,
        error,
        today: super::date(state.clock.naive().date()),
        form,
        page,
    };
    let status = if view.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    view.page.render(&view, status)
}

async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    require(&session.actor, EDIT)?;
    let form = NewForm {
        received: super::date(state.clock.naive().date()),
        // The one recording it handles it, unless they choose someone else.
        handler: session.actor.staff.0.to_string(),
        ..Default::default()
    };
    render(&req, &state, &session, form, None).await
}

async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    form: web::Form<NewForm>,
) -> Result<HttpResponse, AppError> {
    require(&session.actor, EDIT)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let typed = form.into_inner();
    let me = session.actor.staff;
    let submitted = typed.clone();
    let saved = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let ids: Vec<StaffId> = handlers(conn)?.into_iter().map(|(id, _)| id).collect();
            let parsed = match submitted.parse(now.date(), &ids) {
                Ok(p) => p,
                Err(e) => return Ok(Err(e)),
            };
            if let Some(contact) = parsed.contact {
                if !dsr::contact_exists(conn, contact)? {
                    return Ok(Err(("contact", "requests.error.contact")));
                }
            }
            let work = |c: &mut crate::db::DbConn| dsr::create(c, &st.ring, &parsed.as_new(), now);
            let entry = |id: &RequestId| {
                Entry::new(
                    now,
                    me,
                    Action::RequestCreated,
                    audit::Object::request(id.0),
                )
            };
            audit::after(conn, &st.ring, work, entry).map(Ok)
        })
        .await;
    match saved {
        Ok(Ok(id)) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/console/requests/{}?done=created", id.0),
            ))
            .finish()),
        Ok(Err(error)) => render(&req, &state, &session, typed, Some(error)).await,
        Err(DbError::Conflict(_)) => {
            render(
                &req,
                &state,
                &session,
                typed,
                Some(("received", "requests.error.received")),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
