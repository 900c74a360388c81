//! `/console/conversations`: search by a person's name, e-mail address, phone number or
//! customer id (blind indexes, exact matches), combined with filters, newest or oldest
//! first, a page at a time (keyset). The results are one GET form with the filter, so its
//! buttons hand either the ticked conversations (`id`) or the filter to the export and
//! bulk-delete endpoints.

use super::params::{self, Parsed};
use super::{Choice, PAGE, audited, field_choices, may_search_people, order_choices, query_pairs};
use crate::access::{self, Actor, Area, Object, Permission};
use crate::console::page::Chrome;
use crate::console::session::Authenticated;
use crate::db::conversations::Status;
use crate::db::search::{self, Reach};
use crate::db::teams::{self, TeamId};
use crate::db::{DbConn, DbResult, staff, tags, widgets};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::i18n::Tr;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/console/conversations",
        Rule::Staff(Permission::Read(Area::Conversations)),
        page,
    );
}

pub struct Row {
    pub id: String,
    pub started: String,
    pub widget: String,
    pub status: &'static str,
    pub operator: String,
    /// Name and address, when the role may read this conversation's contact data.
    pub person: String,
    pub messages: i64,
    pub tags: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/search.html")]
struct SearchPage {
    page: Chrome,
    q: String,
    fields: Vec<Choice>,
    from: String,
    to: String,
    widgets: Vec<Choice>,
    teams: Vec<Choice>,
    operators: Vec<Choice>,
    statuses: Vec<Choice>,
    tags: Vec<Choice>,
    orders: Vec<Choice>,
    /// May search by a person's fields (contacts area).
    people: bool,
    /// Why the text was not searched, if it was not.
    notice: Option<&'static str>,
    rows: Vec<Row>,
    /// Query strings of the first and the next page.
    filter: String,
    next: Option<String>,
    first_page: bool,
}

struct Choices {
    widgets: Vec<(i64, String)>,
    teams: Vec<(i64, String)>,
    operators: Vec<(i64, String)>,
    tags: Vec<String>,
}

fn choices(conn: &mut DbConn, reach: &Reach) -> DbResult<Choices> {
    let widgets = widgets::list(conn)?
        .into_iter()
        .filter(|w| match reach {
            Reach::All => true,
            Reach::Limited { widgets, .. } => widgets.contains(&w.id),
        })
        .map(|w| (w.id.0, w.settings.name))
        .collect();
    let teams = teams::list(conn)?
        .into_iter()
        .map(|t| (t.id.0, t.name))
        .collect();
    let operators = staff::list(conn)?
        .into_iter()
        .map(|s| (s.id.0, s.username))
        .collect();
    Ok(Choices {
        widgets,
        teams,
        operators,
        tags: tags::in_use(conn, 500)?,
    })
}

fn status_key(s: Status) -> &'static str {
    match s {
        Status::Waiting => "console.status.waiting",
        Status::Active => "console.status.active",
        Status::Offline => "console.status.offline",
        Status::Closed => "console.status.closed",
    }
}

/// The page's rows: each decided by `access::require` again (the SQL reach only keeps
/// pages full); contact data only where the contacts area reaches the conversation.
fn rows(
    conn: &mut DbConn,
    st: &AppState,
    actor: &Actor,
    parsed: &Parsed,
    reach: &Reach,
    t: Tr,
    operators: &HashMap<i64, String>,
) -> DbResult<(Vec<Row>, Option<String>)> {
    let found = search::page(conn, &st.ring, &parsed.filter, reach, parsed.after, PAGE)?;
    let widget_teams = teams::of_widgets(conn)?;
    let mut rows = Vec::new();
    for (c, widget) in found.rows {
        let object = access::conversation_in(&c, &widget_teams);
        if access::require(actor, Permission::Read(Area::Conversations), object.clone()).is_err() {
            continue;
        }
        let person = if access::require(actor, Permission::Read(Area::Contacts), object).is_ok() {
            let (name, email) = c.contact(&st.ring)?;
            match (name, email) {
                (Some(n), Some(e)) => format!("{n} <{e}>"),
                (Some(n), None) => n,
                (None, Some(e)) => e,
                (None, None) => String::new(),
            }
        } else {
            String::new()
        };
        rows.push(Row {
            id: c.id.0.to_string(),
            started: c.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            widget,
            status: t.get(status_key(c.status)),
            operator: c
                .operator
                .and_then(|o| operators.get(&o.0).cloned())
                .unwrap_or_default(),
            person,
            messages: c.last_seq,
            tags: tags::of_conversation(conn, c.id)?,
        });
    }
    Ok((rows, found.next.map(|n| n.to_param())))
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Conversations),
        Object::None,
    )?;
    let mut parsed =
        params::parse(&query_pairs(&req)?).map_err(|e| AppError::BadRequest(e.0.into()))?;
    let people = may_search_people(&session.actor);
    let typed = parsed.filter.text.clone();
    let notice = if parsed.too_long {
        Some("search.too_long")
    } else if !typed.is_empty() && !people {
        Some("search.needs_contacts")
    } else {
        None
    };
    let chrome = Chrome::new(&req, Some(&session))?;
    let t = chrome.t;
    let actor = session.actor.clone();
    let query = parsed.clone();
    let (found, next, c) = state
        .blocking(move |conn, st| {
            audited(conn, &st.ring, st.clock.naive(), &actor, |conn| {
                let reach = search::reach(conn, &actor, Area::Conversations)?;
                let c = choices(conn, &reach)?;
                if notice.is_some() {
                    return Ok((Vec::new(), None, c));
                }
                let names: HashMap<i64, String> = c.operators.iter().cloned().collect();
                let (found, next) = rows(conn, st, &actor, &query, &reach, t, &names)?;
                Ok((found, next, c))
            })
        })
        .await?;
    parsed.filter.text = typed;
    let f = &parsed.filter;
    let pairs = params::pairs(f);
    let filter = params::query_string(&pairs);
    let next = next.map(|n| {
        let mut with = pairs.clone();
        with.push(("after", n));
        params::query_string(&with)
    });
    let pick = |list: Vec<(i64, String)>, sel: Option<i64>| -> Vec<Choice> {
        list.into_iter()
            .map(|(id, label)| Choice::new(id, label, sel.map(|s| s.to_string())))
            .collect()
    };
    let view = SearchPage {
        q: parsed.filter.text.clone(),
        fields: field_choices(t, f.field),
        from: f.from.map(|d| d.to_string()).unwrap_or_default(),
        to: f.to.map(|d| d.to_string()).unwrap_or_default(),
        widgets: pick(c.widgets, f.widget.map(|w| w.0)),
        teams: pick(c.teams, f.team.map(|t: TeamId| t.0)),
        operators: pick(c.operators, f.operator.map(|s| s.0)),
        statuses: [
            Status::Waiting,
            Status::Active,
            Status::Offline,
            Status::Closed,
        ]
        .into_iter()
        .map(|s| {
            Choice::new(
                s.as_str(),
                t.get(status_key(s)),
                f.status.map(|x| x.as_str().into()),
            )
        })
        .collect(),
        tags: c
            .tags
            .into_iter()
            .map(|tag| Choice::new(&tag, tag.clone(), f.tag.clone()))
            .collect(),
        orders: order_choices(t, f.order),
        people,
        notice,
        rows: found,
        filter,
        next,
        first_page: parsed.after.is_none(),
        page: chrome,
    };
    view.page.render(&view, StatusCode::OK)
}
