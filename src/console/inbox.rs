//! The operator console page, canned responses for it, and the history of closed chats.

use super::page::Chrome;
use super::reason_form::{self, ReasonForm, Step, What};
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::db::conversations::{self, ConversationId, Status};
use crate::db::messages::Sender;
use crate::db::{canned, messages, teams, widgets};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/console",
        Rule::Staff(Permission::Edit(Area::Conversations)),
        console,
    );
    r.get(
        "/console/canned.json",
        Rule::Staff(Permission::Read(Area::Canned)),
        canned_json,
    );
    r.get(
        "/console/history",
        Rule::Staff(Permission::Read(Area::Conversations)),
        history,
    );
    r.get(
        "/console/conversations/{id}",
        Rule::Staff(Permission::Read(Area::Conversations)),
        transcript,
    );
    // The same transcript with the reason its role demands (`inbox_reason`).
    r.post(
        "/console/conversations/{id}",
        Rule::Staff(Permission::Read(Area::Conversations)),
        transcript,
    );
}

#[derive(Template)]
#[template(path = "console/console.html")]
struct ConsolePage {
    page: Chrome,
}

async fn console(req: HttpRequest, session: Authenticated) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Conversations),
        Object::None,
    )?;
    let view = ConsolePage {
        page: Chrome::new(&req, Some(&session))?,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn canned_json(
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, Permission::Read(Area::Canned), Object::None)?;
    let list = state.blocking(|conn, _| canned::list(conn)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
}

pub struct HistoryRow {
    pub id: String,
    pub widget: String,
    pub closed: String,
    pub messages: i64,
}

#[derive(Template)]
#[template(path = "console/history.html")]
struct HistoryPage {
    page: Chrome,
    rows: Vec<HistoryRow>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct HistoryQuery {
    before: Option<i64>,
}

const PAGE: i64 = 50;

async fn history(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Conversations),
        Object::None,
    )?;
    let before = query.before;
    let actor = session.actor.clone();
    let read = Permission::Read(Area::Conversations);
    let page = state
        .blocking(move |conn, _| {
            let widget_teams = teams::of_widgets(conn)?;
            let only = access::narrowing(&actor, read, &widget_teams);
            let page = conversations::closed_page(conn, before, PAGE + 1, only.as_deref())?;
            // The narrowing above only keeps the page full; each row is decided here.
            Ok(page
                .into_iter()
                .map(|(c, widget)| {
                    let object = access::conversation_in(&c, &widget_teams);
                    let visible = access::require(&actor, read, object).is_ok();
                    (c, widget, visible)
                })
                .collect::<Vec<_>>())
        })
        .await?;
    let next = (page.len() > usize::try_from(PAGE).unwrap_or(50))
        .then(|| page.get(page.len() - 2).map(|(c, _, _)| c.id.0.to_string()))
        .flatten();
    let rows = page
        .into_iter()
        .take(usize::try_from(PAGE).unwrap_or(50))
        .filter(|(_, _, visible)| *visible)
        .map(|(c, widget, _)| HistoryRow {
            id: c.id.0.to_string(),
            widget,
            closed: c.updated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            messages: c.last_seq,
        })
        .collect();
    let view = HistoryPage {
        page: Chrome::new(&req, Some(&session))?,
        rows,
        next,
    };
    view.page.render(&view, StatusCode::OK)
}

pub struct TranscriptLine {
    pub from: &'static str,
    pub label: &'static str,
    pub text: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "console/transcript.html")]
struct TranscriptPage {
    /// For the link to its audit history.
    id: i64,
    page: Chrome,
    widget: String,
    status: &'static str,
    name: Option<String>,
    email: Option<String>,
    lines: Vec<TranscriptLine>,
    privacy: super::conversation_privacy::PrivacyFacts,
    /// The contact's earlier conversations (identity recognition), else empty.
    earlier: Vec<super::identity::Earlier>,
    /// The "send transcript to the customer" form (`transcript_mail`).
    mail: super::transcript_mail::Offer,
    /// Its tags, and whether the actor may change them (`search::tags`).
    tags: Vec<String>,
    may_tag: bool,
}

/// The plain GET, and the POST of the reason form (its address, or `<path>/open` before a
/// change; a body that is no form counts as the plain GET: it reads nothing more): the
/// form where a reason is needed and none qualifying came, else the page.
async fn transcript(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    sent: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Conversations),
        Object::None,
    )?;
    let id = ConversationId(path.into_inner());
    let needed = super::inbox_reason::needed(&state, &session, id);
    match reason_form::step(
        &req,
        &session,
        What::Transcript,
        sent.map(web::Form::into_inner),
        needed,
    )
    .await?
    {
        Step::Ask(form) => Ok(form),
        Step::Open(reason) => show_transcript(req, state, session, id, reason).await,
    }
}

/// The audited read: its entry (with the reason, if one was typed) before anything is read.
async fn show_transcript(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: ConversationId,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let t = crate::i18n::Tr::new(super::page::lang_of(&req));
    let actor = session.actor.clone();
    let loaded = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let typed = reason.is_some();
            crate::audit::hooks::transcript(conn, &st.ring, now, actor.staff, id, reason, |conn| {
                let Some(c) = conversations::by_id(conn, id)? else {
                    return Ok(Err(AppError::NotFound));
                };
                // Decided before anything personal is decrypted; outside the scope is a 404.
                let object = access::conversation(conn, &c)?;
                if let Err(denied) = access::require(
                    &actor,
                    Permission::Read(Area::Conversations),
                    object.clone(),
                ) {
                    return Ok(Err(AppError::from(denied)));
                }
                // Asked before the form was shown; asked again here, where it binds.
                if !typed && access::reason_needed(conn, &actor, &object)? {
                    return Ok(Err(reason_form::missing()));
                }
                let w = widgets::by_id(conn, c.widget)?;
                let earlier = super::identity::earlier(
                    conn,
                    &c,
                    super::identity::recognises(w.as_ref()),
                    &actor,
                )?;
                let widget = w.map(|w| w.settings.name).unwrap_or_default();
                let (name, email) = super::identity::contact(conn, &st.ring, &c, &actor)?;
                let lines = messages::after(conn, &st.ring, id, 0, true, 10_000)?;
                let privacy =
                    super::conversation_privacy::load(conn, &st.ring, id, st.clock.naive(), t)?;
                let mail = super::transcript_mail::Offer::of(conn, st, &c, &actor)?;
                Ok(Ok((
                    c.status,
                    widget,
                    name,
                    email,
                    lines,
                    (privacy, earlier, mail),
                )))
            })
        })
        .await??;
    let (status, widget, name, email, lines, (privacy, earlier, mail)) = loaded;
    let tagger = session.actor.clone();
    let (tags, may_tag) = state
        .blocking(move |conn, _| super::search::transcript_tags(conn, &tagger, id))
        .await?;
    let page = Chrome::new(&req, Some(&session))?;
    let lines = lines
        .into_iter()
        .map(|m| TranscriptLine {
            from: m.sender.as_str(),
            label: page.t.get(match m.sender {
                Sender::Visitor => "console.visitor",
                Sender::Operator => "transcript.operator",
                Sender::Note => "console.note",
            }),
            text: m.text,
            at: m.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        })
        .collect();
    let status = page.t.get(match status {
        Status::Waiting => "console.status.waiting",
        Status::Active => "console.status.active",
        Status::Offline => "console.status.offline",
        Status::Closed => "console.status.closed",
    });
    let view = TranscriptPage {
        id: id.0,
        page,
        widget,
        status,
        name,
        email,
        lines,
        privacy,
        earlier,
        mail,
        tags,
        may_tag,
    };
    view.page.render(&view, StatusCode::OK)
}
