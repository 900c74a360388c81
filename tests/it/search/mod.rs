//! Finding a person's conversations and contacts (issue 8): each field kind finds exactly
//! its conversations (find.rs), filters, keyset pages and scope (filters.rs), bad input
//! and what the index and the audit log hold (safety.rs), tags and the contacts list
//! (tags.rs, contacts.rs). Searches go through the real pages over HTTPS.

mod browser;
mod contacts;
mod filters;
mod find;
mod safety;
mod tags;

use crate::support::TestServer;
use crate::support::client::{Client, urlencode};
use plauder::clock::Clock as _;
use plauder::db::conversations::{self, ConversationId, NewConversation};
use plauder::db::widgets::WidgetId;
use std::collections::BTreeSet;

/// A conversation made the way the chat makes one (its index entries with it).
pub fn conversation(
    server: &TestServer,
    widget: WidgetId,
    name: Option<&str>,
    email: Option<&str>,
) -> ConversationId {
    let now = server.clock.now().naive_utc();
    let token = plauder::crypto::random_bytes::<32>().unwrap();
    let new = NewConversation {
        widget,
        token_hash: &token,
        offline: false,
        name,
        email,
    };
    let mut conn = server.conn();
    plauder::db::write_transaction(&mut conn, |conn| {
        conversations::create(conn, &server.state.ring, &new, now)
    })
    .unwrap()
}

/// A widget in the default team.
pub fn widget(server: &TestServer, name: &str) -> WidgetId {
    crate::access::widget_in(server, name, plauder::db::teams::DEFAULT_TEAM).0
}

/// The query string of a search.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The conversation ids a result page offers for selection.
pub fn ids_on(body: &str) -> BTreeSet<i64> {
    let marker = "name=\"id\" value=\"";
    body.match_indices(marker)
        .map(|(i, _)| {
            let rest = &body[i + marker.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

/// The ids the conversations page finds for these parameters (a 200 page).
pub fn found(client: &mut Client, pairs: &[(&str, &str)]) -> BTreeSet<i64> {
    let r = client.get(&format!("/console/conversations?{}", query(pairs)));
    assert_eq!(r.status, 200, "{pairs:?}: {}", r.body);
    ids_on(&r.body)
}

pub fn set(ids: &[ConversationId]) -> BTreeSet<i64> {
    ids.iter().map(|c| c.0).collect()
}

/// The "next page" link of a page, unescaped.
pub fn next_link(body: &str) -> Option<String> {
    let i = body.find("id=\"next-page\"")?;
    let start = body[..i].rfind("href=\"")? + 6;
    let end = start + body[start..].find('"')?;
    // askama writes `&` as `&#38;`.
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// How many `search_viewed` entries the audit log holds.
pub fn search_entries(server: &TestServer) -> usize {
    crate::audit::rows(server)
        .iter()
        .filter(|r| r.action == "search_viewed")
        .count()
}
