//! Finding a person's conversations (issue 8): a text query looked up in the blind indexes
//! (`person_index`), combined with filters, restricted to the actor's scope in SQL, paginated
//! by keyset (created_at, id), never by OFFSET. Message text is encrypted and not searchable.
//!
//! Input never reaches SQL as text: a query becomes HMAC values bound as parameters, and the
//! filters are ids, dates and fixed words, so `'`, `%` and `_` mean nothing here. A query
//! that cannot be normalised (too long, nothing left) finds nothing.

use super::conversations::{self, Conversation, ConversationId};
use super::person_index::{self, Kind};
use super::schema::{conversation_tags, conversations as conv, widgets};
use super::staff::StaffId;
use super::teams;
use super::widgets::WidgetId;
use super::{DbConn, DbResult};
use crate::access::{Actor, Area, Scope};
use crate::crypto::KeyRing;
use chrono::NaiveDateTime;
use diesel::prelude::*;

mod conditions;
mod contacts;
mod filter;

use conditions::{
    Condition, after_condition, conversation_match, false_condition, reach_condition,
    text_condition,
};
pub use contacts::contacts_page;
pub use filter::{Cursor, Field, Filter, Order};

/// What an actor's scope reaches, as SQL can check it: everything, or the widgets of the
/// actor's teams and the conversations assigned to the actor (scope own: only unassigned
/// ones of those widgets besides the own). Mirrors `access::require`, which still decides
/// each row shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    All,
    Limited {
        widgets: Vec<WidgetId>,
        staff: StaffId,
        own: bool,
    },
}

/// The reach of an actor's grant in `area` (conversations or contacts).
pub fn reach(conn: &mut DbConn, actor: &Actor, area: Area) -> DbResult<Reach> {
    let grant = actor.grant(area);
    if !area.scoped() || grant.scope == Scope::All {
        return Ok(Reach::All);
    }
    let widgets = teams::of_widgets(conn)?
        .into_iter()
        .filter(|(_, team)| actor.in_team(*team))
        .map(|(widget, _)| widget.0)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(WidgetId)
        .collect();
    Ok(Reach::Limited {
        widgets,
        staff: actor.staff,
        own: grant.scope == Scope::Own,
    })
}

/// Index values that must all match (the words of a name, or one value).
pub type Needle = Vec<(Kind, Vec<u8>)>;

/// The text as index lookups: any alternative may match; within one, every value must.
/// `None`: no text query. An empty list: nothing can match.
pub fn needles(ring: &KeyRing, field: Field, text: &str) -> Option<Vec<Needle>> {
    if text.trim().is_empty() {
        return None;
    }
    Some(
        field
            .kinds(text)
            .into_iter()
            .map(|kind| {
                person_index::blinds(ring, kind, text)
                    .into_iter()
                    .map(|b| (kind, b))
                    .collect::<Vec<_>>()
            })
            .filter(|all| !all.is_empty())
            .collect(),
    )
}

/// The matching conversations' (id, created_at), in order, at most `limit`.
fn matching(
    conn: &mut DbConn,
    ring: &KeyRing,
    filter: &Filter,
    reach: &Reach,
    after: Option<Cursor>,
    limit: i64,
) -> DbResult<Vec<(i64, NaiveDateTime)>> {
    let mut query = conv::table
        .select((conv::id, conv::created_at))
        .into_boxed();
    let needles = needles(ring, filter.field, &filter.text);
    // With a text the blind index leads; the filters then stay off their indexes (see
    // `reach_condition`). Without one, a widget's or operator's index gives the order.
    let steer = needles.is_some();
    if let Some(alternatives) = needles {
        let condition = text_condition(alternatives, conversation_match)
            .unwrap_or_else(false_condition::<conv::table>);
        query = query.filter(condition);
    }
    if let Some(condition) = reach_condition(reach) {
        query = query.filter(condition);
    }
    if let Some(from) = filter.from {
        query = query.filter(conv::created_at.ge(from.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(to) = filter.to.and_then(|d| d.succ_opt()) {
        query = query.filter(conv::created_at.lt(to.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(widget) = filter.widget {
        query = if steer {
            query.filter((conv::widget_id + 0i64).eq(widget.0))
        } else {
            query.filter(conv::widget_id.eq(widget.0))
        };
    }
    if let Some(team) = filter.team {
        let of_team = widgets::table
            .filter(widgets::team_id.eq(team.0))
            .select(widgets::id);
        query = query.filter((conv::widget_id + 0i64).eq_any(of_team));
    }
    if let Some(operator) = filter.operator {
        query = if steer {
            query.filter((conv::operator_id + Some(0i64)).eq(operator.0))
        } else {
            query.filter(conv::operator_id.eq(operator.0))
        };
    }
    if let Some(status) = filter.status {
        query = query.filter(conv::status.eq(status.as_str()));
    }
    if let Some(tag) = &filter.tag {
        let tagged = conversation_tags::table
            .filter(conversation_tags::tag.eq(tag.clone()))
            .select(conversation_tags::conversation_id);
        query = query.filter(conv::id.eq_any(tagged));
    }
    if let Some(after) = after {
        query = query.filter(after_condition(filter.order, after));
    }
    query = match filter.order {
        Order::NewestFirst => query.order((conv::created_at.desc(), conv::id.desc())),
        Order::OldestFirst => query.order((conv::created_at.asc(), conv::id.asc())),
    };
    Ok(query.limit(limit).load(conn)?)
}

/// A batch of matching ids and where the next batch starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub ids: Vec<ConversationId>,
    pub next: Option<Cursor>,
}

/// Matching conversation ids after `after`, at most `limit` (1..=1000): for streaming every
/// match in batches (exports, bulk deletion). Decides nothing per row: callers that show
/// or hand over a conversation still call `access::require` for it.
pub fn ids(
    conn: &mut DbConn,
    ring: &KeyRing,
    filter: &Filter,
    reach: &Reach,
    after: Option<Cursor>,
    limit: i64,
) -> DbResult<Batch> {
    let limit = limit.clamp(1, 1000);
    let mut rows = matching(conn, ring, filter, reach, after, limit + 1)?;
    let more = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next = more
        .then(|| {
            rows.last().map(|(id, at)| Cursor {
                created_at: *at,
                id: *id,
            })
        })
        .flatten();
    Ok(Batch {
        ids: rows.into_iter().map(|(id, _)| ConversationId(id)).collect(),
        next,
    })
}

/// One page of matching conversations with their widget's name, in order.
#[derive(Debug, Clone)]
pub struct Page {
    pub rows: Vec<(Conversation, String)>,
    pub next: Option<Cursor>,
}

pub fn page(
    conn: &mut DbConn,
    ring: &KeyRing,
    filter: &Filter,
    reach: &Reach,
    after: Option<Cursor>,
    limit: i64,
) -> DbResult<Page> {
    let batch = ids(conn, ring, filter, reach, after, limit)?;
    let mut loaded = conversations::with_widget_by_ids(conn, &batch.ids)?;
    let position = |id: ConversationId| batch.ids.iter().position(|i| *i == id);
    loaded.sort_by_key(|(c, _)| position(c.id));
    Ok(Page {
        rows: loaded,
        next: batch.next,
    })
}
