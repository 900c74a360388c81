//! `/console/contacts`: contacts, newest or oldest first, searched by the same fields and
//! the same blind indexes as conversations (a contact matches by its own values or by one
//! of its conversations'), a page at a time (keyset). Each row links to the contact's page.

use super::params::{self, Invalid};
use super::{Choice, PAGE, audited, field_choices, order_choices, query_pairs};
use crate::access::{self, Actor, Area, Object, Permission};
use crate::console::page::Chrome;
use crate::console::session::Authenticated;
use crate::db::contacts::{self, ContactId};
use crate::db::schema::conversations as conv;
use crate::db::search::{self, Cursor, Field, Filter, Order};
use crate::db::staff::StaffId;
use crate::db::teams::{self, TeamId};
use crate::db::{DbConn, DbResult};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use diesel::prelude::*;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/console/contacts",
        Rule::Staff(Permission::Read(Area::Contacts)),
        page,
    );
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub customer_id: String,
    pub since: String,
    pub conversations: usize,
}

#[derive(Template)]
#[template(path = "console/contacts_list.html")]
struct ContactsPage {
    page: Chrome,
    q: String,
    fields: Vec<Choice>,
    orders: Vec<Choice>,
    notice: Option<&'static str>,
    rows: Vec<Row>,
    filter: String,
    next: Option<String>,
    first_page: bool,
}

/// Teams and operators of a contact's conversations.
type Reached = Vec<(TeamId, Option<StaffId>)>;

/// The teams and operators a contact's conversations reach (its `access` object), and how
/// many conversations it has.
fn reach_of(
    conn: &mut DbConn,
    id: ContactId,
    widget_teams: &std::collections::HashMap<crate::db::widgets::WidgetId, TeamId>,
) -> DbResult<(Reached, usize)> {
    let of: Vec<(i64, Option<i64>)> = conv::table
        .filter(conv::contact_id.eq(id.0))
        .select((conv::widget_id, conv::operator_id))
        .load(conn)?;
    let count = of.len();
    let reach = of
        .into_iter()
        .map(|(w, o)| {
            let team = widget_teams
                .get(&crate::db::widgets::WidgetId(w))
                .copied()
                .unwrap_or(teams::DEFAULT_TEAM);
            (team, o.map(StaffId))
        })
        .collect();
    Ok((reach, count))
}

struct Query {
    text: String,
    field: Field,
    order: Order,
    after: Option<Cursor>,
    too_long: bool,
}

fn parse(pairs: &[(String, String)]) -> Result<Query, Invalid> {
    // The conversations' parser reads the same keys; the other filters do not apply here.
    let p = params::parse(pairs)?;
    Ok(Query {
        text: p.filter.text,
        field: p.filter.field,
        order: p.filter.order,
        after: p.after,
        too_long: p.too_long,
    })
}

fn rows(
    conn: &mut DbConn,
    st: &AppState,
    actor: &Actor,
    q: &Query,
) -> DbResult<(Vec<Row>, Option<String>)> {
    let reach = search::reach(conn, actor, Area::Contacts)?;
    let filter = Filter {
        text: q.text.clone(),
        field: q.field,
        order: q.order,
        ..Filter::default()
    };
    let (ids, next) = search::contacts_page(conn, &st.ring, &filter, &reach, q.after, PAGE)?;
    let widget_teams = teams::of_widgets(conn)?;
    let mut rows = Vec::new();
    for id in ids {
        let (reach, count) = reach_of(conn, id, &widget_teams)?;
        let object = Object::Contact { id, reach };
        if access::require(actor, Permission::Read(Area::Contacts), object).is_err() {
            continue;
        }
        let Some(f) = contacts::fields(conn, &st.ring, id)? else {
            continue;
        };
        let since = crate::db::schema::contacts::table
            .find(id.0)
            .select(crate::db::schema::contacts::created_at)
            .first::<chrono::NaiveDateTime>(conn)?;
        rows.push(Row {
            id: id.0.to_string(),
            name: f.name.unwrap_or_default(),
            email: f.email,
            phone: f.phone.unwrap_or_default(),
            customer_id: f.customer_id.unwrap_or_default(),
            since: since.format("%Y-%m-%d").to_string(),
            conversations: count,
        });
    }
    Ok((rows, next.map(|n| n.to_param())))
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Contacts),
        Object::None,
    )?;
    let q = parse(&query_pairs(&req)?).map_err(|e| AppError::BadRequest(e.0.into()))?;
    let notice = q.too_long.then_some("search.too_long");
    let chrome = Chrome::new(&req, Some(&session))?;
    let t = chrome.t;
    let actor = session.actor.clone();
    let (field, order, text, after) = (q.field, q.order, q.text.clone(), q.after);
    let (found, next) = state
        .blocking(move |conn, st| {
            audited(conn, &st.ring, st.clock.naive(), &actor, |conn| {
                if notice.is_some() {
                    return Ok((Vec::new(), None));
                }
                rows(conn, st, &actor, &q)
            })
        })
        .await?;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if !text.is_empty() {
        pairs.push(("q", text.clone()));
    }
    if field != Field::Auto {
        pairs.push(("field", field.as_str().into()));
    }
    if order != Order::NewestFirst {
        pairs.push(("order", order.as_str().into()));
    }
    let filter = params::query_string(&pairs);
    let next = next.map(|n| {
        let mut with = pairs.clone();
        with.push(("after", n));
        params::query_string(&with)
    });
    let view = ContactsPage {
        q: text,
        fields: field_choices(t, field),
        orders: order_choices(t, order),
        notice,
        rows: found,
        filter,
        next,
        first_page: after.is_none(),
        page: chrome,
    };
    view.page.render(&view, StatusCode::OK)
}
