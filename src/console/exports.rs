//! Export downloads: conversations as CSV or Excel (streamed), one person's data as a JSON
//! package. Thin: parse the query, `export::start` (authorise + audit, before any byte),
//! then hand the stream to the response. See `crate::export` for what the files hold.

use super::reason_form::{self, ReasonForm, Step, What};
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::db::approvals::ApprovalId;
use crate::db::approvals::gate::Gate;
use crate::db::contacts::ContactId;
use crate::db::conversations::ConversationId;
use crate::error::AppError;
use crate::export::{self, Begun, Format, Layout, MAX_SELECTED, Request, Source};
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

pub fn mount(r: &mut Routes<'_>) {
    // Mounted before the transcript route `/console/conversations/{id}`, which would
    // otherwise take "export" for an id.
    r.get(
        "/console/conversations/export",
        Rule::Staff(Permission::Read(Area::Exports)),
        conversations,
    );
    r.get(
        "/console/contacts/{id}/export.json",
        Rule::Staff(Permission::Read(Area::Exports)),
        person,
    );
    // The same package with the reason its role demands (`reason_form`).
    r.post(
        "/console/contacts/{id}/export.json",
        Rule::Staff(Permission::Read(Area::Exports)),
        person,
    );
}

fn bad(message: &str) -> AppError {
    AppError::BadRequest(message.into())
}

/// The query of a conversations export: `format`, `rows` (conversations or messages),
/// `request` (a data-subject request), and either repeated `id` (ticked conversations) or
/// the search page's filter parameters (`console::search::params`).
pub(crate) fn parse(query: &str) -> Result<(Format, Layout, Source, Option<i64>), AppError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
        .map_err(|_| bad("the query string cannot be read"))?
        .into_inner();
    let mut format = None;
    let mut layout = Layout::Transcript;
    let mut dsr = None;
    let mut ids: Vec<ConversationId> = Vec::new();
    for (key, value) in &pairs {
        match key.as_str() {
            "format" => {
                format = Some(Format::parse(value).ok_or_else(|| bad("format is csv or xlsx"))?);
            }
            "rows" => {
                layout =
                    Layout::parse(value).ok_or_else(|| bad("rows is conversations or messages"))?;
            }
            "request" => {
                dsr = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| bad("request is the number of a data-subject request"))?,
                );
            }
            "id" => {
                let id = value
                    .parse::<i64>()
                    .map_err(|_| bad("id is the number of a conversation"))?;
                if !ids.contains(&ConversationId(id)) {
                    ids.push(ConversationId(id));
                }
                if ids.len() > MAX_SELECTED {
                    return Err(bad(
                        "at most 1000 conversations can be selected; export a filter instead",
                    ));
                }
            }
            _ => {}
        }
    }
    let format = format.ok_or_else(|| bad("format is csv or xlsx"))?;
    if !ids.is_empty() {
        return Ok((format, layout, Source::Selected(ids), dsr));
    }
    // Nothing ticked: everything the search page's filter finds (its own parameters).
    let parsed = super::search::params::parse(&pairs).map_err(|e| bad(e.0))?;
    if parsed.too_long {
        // The page finds nothing for it; an export must not take it for "everything".
        return Err(bad("the search text is too long"));
    }
    Ok((format, layout, Source::Filter(parsed.filter), dsr))
}

async fn conversations(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Exports),
        Object::None,
    )?;
    download(&req, &state, &session, req.query_string(), None).await
}

/// Parses an export's query (as asked, or as stored with its approval) and streams it.
/// Without `approved`, an export that needs a second person's approval is stored as a
/// request with exactly this query, and the answer is the page that says so (202).
pub(crate) async fn download(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    query: &str,
    approved: Option<ApprovalId>,
) -> Result<HttpResponse, AppError> {
    let (format, layout, source, dsr) = parse(query)?;
    let request = Request {
        format,
        layout,
        source,
        dsr,
        lang: super::page::lang_of(req),
    };
    let actor = session.actor.clone();
    let params = query.to_string();
    let begun = state
        .blocking(move |conn, st| {
            let gate = match approved {
                Some(id) => Gate::Approved(id),
                None => Gate::Ask { params: &params },
            };
            export::begin(conn, &st.ring, st.clock.naive(), &actor, request, gate)
        })
        .await??;
    let started = match begun {
        Begun::Ready(started) => started,
        Begun::Waiting(id) => return super::approvals::waiting(req, session, id).await,
    };
    let name = format!(
        "plauder-conversations-{}.{}",
        state.clock.naive().format("%Y%m%d-%H%M%S"),
        format.extension()
    );
    let (writer, stream) = export::stream::channel();
    let producer = state.clone();
    // Detached: the producer ends when the export is written or the browser goes away.
    drop(actix_web::rt::task::spawn_blocking(move || {
        export::run(&producer, started, writer);
    }));
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(stream))
}

#[derive(serde::Deserialize)]
struct PersonQuery {
    request: Option<i64>,
}

/// Whether the package asks for a reason first (`export::json::reason_needed`).
async fn person_needs_reason(
    state: &AppState,
    session: &Authenticated,
    contact: ContactId,
) -> Result<bool, AppError> {
    let actor = session.actor.clone();
    Ok(state
        .blocking(move |conn, _| export::json::reason_needed(conn, &actor, contact))
        .await?)
}

/// The plain GET, and the POST of the reason form (its address, or `<path>/open` before a
/// change; a body that is no form counts as the plain GET: it reads nothing more): the
/// form where a reason is needed and none qualifying came, else the page.
async fn person(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<PersonQuery>,
    sent: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Exports),
        Object::None,
    )?;
    let contact = ContactId(path.into_inner());
    let ask = person_needs_reason(&state, &session, contact);
    match reason_form::step(
        &req,
        &session,
        What::Export,
        sent.map(web::Form::into_inner),
        ask,
    )
    .await?
    {
        Step::Ask(form) => Ok(form),
        Step::Open(reason) => {
            package_gated(&req, &state, &session, contact, query.request, reason, None).await
        }
    }
}

/// What a person's package request keeps: the contact, the data-subject request and the
/// reason typed, as a query string (sealed with the request).
#[derive(serde::Deserialize)]
struct PersonParams {
    contact: i64,
    request: Option<i64>,
    reason: Option<String>,
}

/// Runs a person's package stored with its approval (`console::approvals`), once.
pub(crate) async fn person_approved(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    params: &str,
    approval: ApprovalId,
) -> Result<HttpResponse, AppError> {
    let p = web::Query::<PersonParams>::from_query(params)
        .map_err(|_| bad("the stored request cannot be read"))?
        .into_inner();
    let contact = ContactId(p.contact);
    package_gated(
        req,
        state,
        session,
        contact,
        p.request,
        p.reason,
        Some(approval),
    )
    .await
}

async fn package_gated(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    contact: ContactId,
    dsr: Option<i64>,
    reason: Option<String>,
    approved: Option<ApprovalId>,
) -> Result<HttpResponse, AppError> {
    let actor = session.actor.clone();
    let mut params = format!("contact={}", contact.0);
    if let Some(r) = dsr {
        params.push_str(&format!("&request={r}"));
    }
    if let Some(r) = &reason {
        params.push_str(&format!("&reason={}", super::search::params::encode(r)));
    }
    let begun = state
        .blocking(move |conn, st| {
            let gate = match approved {
                Some(id) => Gate::Approved(id),
                None => Gate::Ask { params: &params },
            };
            let now = st.clock.naive();
            let asked = export::json::Asked { dsr, reason, gate };
            export::json::package(conn, &st.ring, now, &actor, contact, asked)
        })
        .await??;
    let package = match begun {
        export::Begun::Ready(package) => package,
        export::Begun::Waiting(id) => return super::approvals::waiting(req, session, id).await,
    };
    let body = serde_json::to_vec_pretty(&package)
        .map_err(|e| AppError::Internal(format!("export: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"plauder-person-{}.json\"", contact.0),
        ))
        .body(body))
}
