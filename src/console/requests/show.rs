//! `/console/requests/{id}`: one request with its linked actions, the buttons that answer
//! it for a linked contact (export, rectify, erase — other areas' pages, which link their
//! action back here), and the form that changes status, handler, contact, extension and
//! notes. Showing it writes `request_viewed` first; a change writes `request_changed` in
//! its own transaction.

use super::form::{EditForm, FieldError};
use super::{Choice, EDIT, READ, choices, date, handlers, require, staff_name, time};
use crate::access::Level;
use crate::audit::{self, Action, Entry, hooks};
use crate::console::csrf;
use crate::console::page::Chrome;
use crate::console::session::Authenticated;
use crate::db::dsr::{self, RequestId};
use crate::db::staff::StaffId;
use crate::db::{DbConn, DbError, DbResult};
use crate::dsr::due::{Urgency, urgency};
use crate::dsr::{Channel, Status};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/requests/{id:\\d+}", Rule::Staff(READ), show);
    r.post("/console/requests/{id:\\d+}", Rule::Staff(EDIT), save);
}

/// A linked action, ready to show.
pub struct ActionLine {
    pub action: String,
    pub object: String,
    pub object_id: i64,
    /// Where the object's page is, while it can still exist.
    pub link: Option<String>,
    pub at: String,
}

/// What the page shows of a request.
pub struct Detail {
    pub id: i64,
    pub kind: &'static str,
    pub channel: &'static str,
    pub received: String,
    pub due: String,
    pub urgency: Option<&'static str>,
    pub overdue: bool,
    /// "extended by N months", empty without an extension.
    pub extension: String,
    pub status: &'static str,
    pub handler: String,
    pub subject: Option<String>,
    pub contact: Option<i64>,
    pub answered: Option<String>,
    pub self_service: bool,
    pub actions: Vec<ActionLine>,
    /// The stored state as the edit form's values.
    pub form: EditForm,
}

#[derive(Template)]
#[template(path = "console/request_show.html")]
struct ShowPage {
    page: Chrome,
    r: Detail,
    form: EditForm,
    statuses: Vec<Choice>,
    handlers: Vec<Choice>,
    error: Option<FieldError>,
    done: bool,
    may_edit: bool,
}

impl ShowPage {
    fn bad(&self, name: &str) -> bool {
        self.error.is_some_and(|(f, _)| f == name)
    }
}

/// The label of a stored word, or the word itself when it has none (a newer action word).
fn label(t: &Tr, prefix: &str, word: &str) -> String {
    let key = format!("{prefix}.{word}");
    let text = t.get(&key);
    if text == key {
        word.to_string()
    } else {
        text.to_string()
    }
}

fn load(conn: &mut DbConn, st: &AppState, t: &Tr, id: RequestId) -> DbResult<Option<Detail>> {
    let Some(r) = dsr::by_id(conn, id)? else {
        return Ok(None);
    };
    let opened = r.open(&st.ring)?;
    let today = st.clock.naive().date();
    let actions = dsr::actions(conn, id)?
        .into_iter()
        .map(|a| {
            let gone = matches!(a.action.as_str(), "erased" | "deleted");
            let link = match a.object_kind.as_str() {
                "contact" if !gone => Some(format!("/console/contacts/{}", a.object_id)),
                "conversation" if !gone => Some(format!("/console/conversations/{}", a.object_id)),
                _ => None,
            };
            ActionLine {
                action: label(t, "requests.action", &a.action),
                object: label(t, "requests.object", &a.object_kind),
                object_id: a.object_id,
                link,
                at: time(a.at),
            }
        })
        .collect();
    let form = EditForm {
        csrf: None,
        status: r.status.as_str().into(),
        refusal_reason: opened.refusal_reason.unwrap_or_default(),
        handler: r.handler.map(|h| h.0.to_string()).unwrap_or_default(),
        contact: r.contact.map(|c| c.0.to_string()).unwrap_or_default(),
        extension: r.extension_months.to_string(),
        extension_reason: opened.extension_reason.unwrap_or_default(),
        notes: opened.notes.unwrap_or_default(),
    };
    Ok(Some(Detail {
        id: r.id.0,
        kind: r.kind.label_key(),
        channel: r.channel.label_key(),
        received: date(r.received_at.date()),
        due: date(r.due_on),
        urgency: match r.status.pending().then(|| urgency(r.due_on, today)) {
            Some(Urgency::Overdue) => Some("requests.urgency.overdue"),
            Some(Urgency::Soon) => Some("requests.urgency.soon"),
            _ => None,
        },
        overdue: r.overdue(today),
        extension: match r.extension_months {
            0 => String::new(),
            n => t.fill("requests.extended", &[("months", &n.to_string())]),
        },
        status: r.status.label_key(),
        handler: staff_name(conn, r.handler)?,
        subject: opened.subject,
        contact: r.contact.map(|c| c.0),
        answered: r.answered_at.map(time),
        self_service: r.channel == Channel::ChatSelfService,
        actions,
        form,
    }))
}

async fn render(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    id: RequestId,
    typed: Option<EditForm>,
    error: Option<FieldError>,
    done: bool,
) -> Result<HttpResponse, AppError> {
    let page = Chrome::new(req, Some(session))?;
    let t = page.t;
    let me = session.actor.staff;
    let (detail, people) = state
        .blocking(move |conn, st| {
            let entry = Entry::new(
                st.clock.naive(),
                me,
                Action::RequestViewed,
                audit::Object::request(id.0),
            );
            let detail = audit::read(conn, &st.ring, entry, |c| load(c, st, &t, id))?;
            Ok((detail, handlers(conn)?))
        })
        .await?;
    let detail = detail.ok_or(AppError::NotFound)?;
    let form = typed.unwrap_or_else(|| detail.form.clone());
    let mut handlers: Vec<Choice> = people
        .into_iter()
        .map(|(id, name)| Choice {
            selected: form.handler == id.0.to_string(),
            value: id.0.to_string(),
            label: name,
        })
        .collect();
    // A handler who left the list stays choosable on their own requests.
    if !form.handler.is_empty() && !handlers.iter().any(|h| h.value == form.handler) {
        handlers.push(Choice {
            value: form.handler.clone(),
            label: detail.handler.clone(),
            selected: true,
        });
    }
    let view = ShowPage {
        statuses: choices(
            &t,
            Status::ALL.iter().copied(),
            Status::as_str,
            Status::label_key,
            Status::parse(&form.status),
        ),
        handlers,
        form,
        r: detail,
        error,
        done,
        may_edit: super::reaches(&session.actor, Level::Edit),
        page,
    };
    let status = if view.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    require(&session.actor, READ)?;
    let done = query.done.is_some();
    render(
        &req,
        &state,
        &session,
        RequestId(path.into_inner()),
        None,
        None,
        done,
    )
    .await
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AppError> {
    require(&session.actor, EDIT)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = RequestId(path.into_inner());
    let typed = form.into_inner();
    let submitted = typed.clone();
    let me = session.actor.staff;
    let saved = state
        .blocking(move |conn, st| {
            let Some(current) = dsr::by_id(conn, id)? else {
                return Ok(None);
            };
            let ids: Vec<StaffId> = handlers(conn)?.into_iter().map(|(h, _)| h).collect();
            let change = match submitted.parse(&ids, current.handler) {
                Ok(c) => c,
                Err(e) => return Ok(Some(Err(e))),
            };
            if let Some(contact) = change.contact {
                if change.contact != current.contact && !dsr::contact_exists(conn, contact)? {
                    return Ok(Some(Err(("contact", "requests.error.contact"))));
                }
            }
            let now = st.clock.naive();
            let entry = hooks::admin(
                now,
                me,
                Action::RequestChanged,
                audit::Object::request(id.0),
            );
            let work = |c: &mut DbConn| dsr::update(c, &st.ring, id, &change, now);
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)?;
            Ok(Some(Ok(())))
        })
        .await;
    match saved {
        Ok(Some(Ok(()))) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/console/requests/{}?done=saved", id.0),
            ))
            .finish()),
        Ok(Some(Err(error))) => {
            render(&req, &state, &session, id, Some(typed), Some(error), false).await
        }
        Ok(None) => Err(AppError::NotFound),
        Err(DbError::Conflict(_)) => {
            let error = ("refusal_reason", "requests.error.refusal_reason");
            render(&req, &state, &session, id, Some(typed), Some(error), false).await
        }
        Err(e) => Err(e.into()),
    }
}
