//! Tags on a conversation: added and removed on its transcript page by roles that may edit
//! conversations in its scope (outside it: 404, like a missing one), CSRF-checked, each
//! change with its `conversation_changed` entry in the same transaction.

use crate::access::{self, Area, Object, Permission};
use crate::audit::{self, Action, Entry};
use crate::console::csrf;
use crate::console::session::Authenticated;
use crate::db::conversations::{self, ConversationId};
use crate::db::tags::{self, Refused};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

const EDIT: Permission = Permission::Edit(Area::Conversations);

pub fn mount(r: &mut Routes<'_>) {
    r.post("/console/conversations/{id}/tags", Rule::Staff(EDIT), add);
    r.post(
        "/console/conversations/{id}/tags/remove",
        Rule::Staff(EDIT),
        remove,
    );
}

#[derive(Deserialize)]
struct TagForm {
    csrf: Option<String>,
    tag: Option<String>,
}

#[derive(Clone, Copy)]
enum Change {
    Add,
    Remove,
}

async fn add(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<TagForm>,
) -> Result<HttpResponse, AppError> {
    change(
        req,
        state,
        session,
        path.into_inner(),
        form.into_inner(),
        Change::Add,
    )
    .await
}

async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<TagForm>,
) -> Result<HttpResponse, AppError> {
    change(
        req,
        state,
        session,
        path.into_inner(),
        form.into_inner(),
        Change::Remove,
    )
    .await
}

async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: i64,
    form: TagForm,
    change: Change,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let t = Tr::new(crate::console::page::lang_of(&req));
    let raw = form.tag.unwrap_or_default();
    if tags::normalise(&raw).is_none() {
        return Err(AppError::BadRequest(t.get("search.tag.invalid").into()));
    }
    let id = ConversationId(id);
    let actor = session.actor.clone();
    let done = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            crate::db::write_transaction(conn, |conn| {
                let Some(c) = conversations::by_id(conn, id)? else {
                    return Ok(Err(AppError::NotFound));
                };
                let object = access::conversation(conn, &c)?;
                if let Err(denied) = access::require(&actor, EDIT, object) {
                    return Ok(Err(AppError::from(denied)));
                }
                let changed = match change {
                    Change::Add => match tags::add(conn, id, &raw)? {
                        Ok(()) => true,
                        Err(Refused::TooMany) => {
                            return Ok(Err(AppError::BadRequest(
                                t.get("search.tag.too_many").into(),
                            )));
                        }
                        Err(Refused::Invalid) => {
                            return Ok(Err(AppError::BadRequest(
                                t.get("search.tag.invalid").into(),
                            )));
                        }
                    },
                    Change::Remove => tags::remove(conn, id, &raw)?,
                };
                if changed {
                    let entry = Entry::new(
                        now,
                        actor.staff,
                        Action::ConversationChanged,
                        audit::Object::conversation(id),
                    );
                    audit::record(conn, &st.ring, &entry)?;
                }
                Ok(Ok(()))
            })
        })
        .await?;
    done?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/console/conversations/{}#tags", id.0),
        ))
        .finish())
}

/// A transcript page's tags, and whether the actor may change them (edit, in scope).
/// Tags are not personal data: read outside the transcript's audited read.
pub fn for_transcript(
    conn: &mut crate::db::DbConn,
    actor: &access::Actor,
    id: ConversationId,
) -> crate::db::DbResult<(Vec<String>, bool)> {
    let Some(c) = conversations::by_id(conn, id)? else {
        return Ok((Vec::new(), false));
    };
    let object = access::conversation(conn, &c)?;
    let may = access::require(actor, EDIT, object).is_ok();
    Ok((tags::of_conversation(conn, id)?, may))
}
