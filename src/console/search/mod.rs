//! Finding a person's conversations and contacts (issue 8): the conversations search page
//! (`conversations`), the contacts list (`contacts`), tags on a conversation (`tags`), and
//! the query string they share with the export and bulk-delete endpoints (`params`).
//!
//! Every result page is an audited read: one `search_viewed` entry (object none) is
//! written first, in the transaction that reads the page; no entry, no page. Searching by
//! a person's fields needs the contacts area besides the conversations area: a name or
//! address is contact data, and a hit would tell what the role may not read.

mod contacts;
mod conversations;
pub mod params;
mod tags;

pub use tags::for_transcript as transcript_tags;

use crate::access::{self, Actor, Area, Object, Permission};
use crate::audit::{self, Action, Entry};
use crate::crypto::KeyRing;
use crate::db::{DbConn, DbResult};
use crate::http::routes::Routes;
use chrono::NaiveDateTime;

/// Rows per page.
const PAGE: i64 = 50;

pub fn mount(r: &mut Routes<'_>) {
    conversations::mount(r);
    contacts::mount(r);
    tags::mount(r);
}

/// Whether the actor may search by a person's fields (the contacts area, read).
pub fn may_search_people(actor: &Actor) -> bool {
    access::require(actor, Permission::Read(Area::Contacts), Object::None).is_ok()
}

/// Runs `work` after writing the page view's `search_viewed` entry, in one transaction.
fn audited<T>(
    conn: &mut DbConn,
    ring: &KeyRing,
    now: NaiveDateTime,
    actor: &Actor,
    work: impl FnOnce(&mut DbConn) -> DbResult<T>,
) -> DbResult<T> {
    let entry = Entry::new(
        now,
        actor.staff,
        Action::SearchViewed,
        audit::Object::none(),
    );
    audit::before(conn, ring, &entry, work)
}

/// A choice of a filter's select box.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    fn new(value: impl ToString, label: impl Into<String>, current: Option<String>) -> Self {
        let value = value.to_string();
        let selected = current.as_deref() == Some(value.as_str());
        Self {
            value,
            label: label.into(),
            selected,
        }
    }
}

/// The choices of the "search in" box, with the kind of match each does.
fn field_choices(t: crate::i18n::Tr, current: crate::db::search::Field) -> Vec<Choice> {
    use crate::db::person_index::Kind;
    use crate::db::search::Field;
    let label = |k: Field| match k {
        Field::Auto => "search.field.auto",
        Field::Only(Kind::Email) => "search.field.email",
        Field::Only(Kind::Phone) => "search.field.phone",
        Field::Only(Kind::Customer) => "search.field.customer",
        Field::Only(Kind::Name) => "search.field.name",
    };
    [Field::Auto]
        .into_iter()
        .chain(Kind::ALL.into_iter().map(Field::Only))
        .map(|k| Choice::new(k.as_str(), t.get(label(k)), Some(current.as_str().into())))
        .collect()
}

fn order_choices(t: crate::i18n::Tr, current: crate::db::search::Order) -> Vec<Choice> {
    use crate::db::search::Order;
    [Order::NewestFirst, Order::OldestFirst]
        .into_iter()
        .map(|o| {
            let key = match o {
                Order::NewestFirst => "search.order.desc",
                Order::OldestFirst => "search.order.asc",
            };
            Choice::new(o.as_str(), t.get(key), Some(current.as_str().into()))
        })
        .collect()
}

/// The query string's pairs (repeated keys kept).
fn query_pairs(
    req: &actix_web::HttpRequest,
) -> Result<Vec<(String, String)>, crate::error::AppError> {
    actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .map_err(|_| crate::error::AppError::BadRequest("the query string cannot be read".into()))
}
