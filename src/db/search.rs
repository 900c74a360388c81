//! Finding a person's conversations (issue 8): a text query looked up in the blind indexes
//! (`person_index`), combined with filters, restricted to the actor's scope in SQL, paginated
//! by keyset (created_at, id), never by OFFSET. Message text is encrypted and not searchable.
//!
//! Input never reaches SQL as text: a query becomes HMAC values bound as parameters, and the
//! filters are ids, dates and fixed words, so `'`, `%` and `_` mean nothing here. A query
//! that cannot be normalised (too long, nothing left) finds nothing.

use super::conversations::{self, Conversation, ConversationId, Status};
use super::person_index::{self, Kind};
use super::schema::{conversation_tags, conversations as conv, widgets};
use super::staff::StaffId;
use super::teams::{self, TeamId};
use super::widgets::WidgetId;
use super::{DbConn, DbResult};
use crate::access::{Actor, Area, Scope};
use crate::crypto::KeyRing;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};

mod contacts;

pub use contacts::contacts_page;

type Backend = <DbConn as diesel::Connection>::Backend;
type Condition<T> = Box<dyn BoxableExpression<T, Backend, SqlType = Nullable<Bool>>>;

/// Which field a text query is matched against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Field {
    /// Guessed from the text: an `@` → e-mail; mostly digits → phone or customer id;
    /// anything else → name or customer id.
    #[default]
    Auto,
    Only(Kind),
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Only(kind) => kind.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "auto" => Some(Self::Auto),
            other => Kind::parse(other).map(Self::Only),
        }
    }

    /// The kinds a text is looked up as.
    pub fn kinds(self, text: &str) -> Vec<Kind> {
        match self {
            Self::Only(kind) => vec![kind],
            Self::Auto if text.contains('@') => vec![Kind::Email],
            Self::Auto => {
                let digits = text.chars().filter(char::is_ascii_digit).count();
                let letters = text.chars().filter(|c| c.is_alphabetic()).count();
                if digits >= 3 && letters == 0 {
                    vec![Kind::Phone, Kind::Customer]
                } else {
                    vec![Kind::Name, Kind::Customer]
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    #[default]
    NewestFirst,
    OldestFirst,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewestFirst => "desc",
            Self::OldestFirst => "asc",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "" | "desc" => Some(Self::NewestFirst),
            "asc" => Some(Self::OldestFirst),
            _ => None,
        }
    }
}

/// What to find. Every part is optional; an empty filter lists everything in reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    pub field: Field,
    /// First and last day (UTC) of the conversation's start, both included.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub widget: Option<WidgetId>,
    pub team: Option<TeamId>,
    pub operator: Option<StaffId>,
    pub status: Option<Status>,
    /// A normalised tag (`db::tags::normalise`).
    pub tag: Option<String>,
    pub order: Order,
}

/// A position in a result list: the last row shown. In URLs as `<nanoseconds>_<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: NaiveDateTime,
    pub id: i64,
}

impl Cursor {
    pub fn to_param(self) -> String {
        let nanos = self.created_at.and_utc().timestamp_nanos_opt().unwrap_or(0);
        format!("{nanos}_{}", self.id)
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (nanos, id) = s.split_once('_')?;
        let nanos: i64 = nanos.parse().ok()?;
        Some(Self {
            created_at: DateTime::from_timestamp_nanos(nanos).naive_utc(),
            id: id.parse().ok()?,
        })
    }
}

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

/// For a query that cannot match (a text that normalises to nothing).
fn false_condition<T: 'static>() -> Condition<T> {
    Box::new(diesel::dsl::sql::<Nullable<Bool>>("1 = 0"))
}

/// Conversations matching one index value: their own entry, or their contact's. One
/// `IN (… UNION ALL …)` rather than `id IN (…) OR contact_id IN (…)`: PostgreSQL plans the
/// OR of two subqueries as a filter over every conversation (230 ms at 1,000,000), the
/// union as two index lookups (0.4 ms); SQLite is fast either way.
fn conversation_match(kind: Kind, blind: Vec<u8>) -> Condition<conv::table> {
    use diesel::sql_types::{Binary, Text};
    Box::new(
        diesel::dsl::sql::<Nullable<Bool>>(
            "conversations.id IN (SELECT p.conversation_id FROM person_index p WHERE p.kind = ",
        )
        .bind::<Text, _>(kind.as_str())
        .sql(" AND p.blind = ")
        .bind::<Binary, _>(blind.clone())
        .sql(
            " AND p.conversation_id IS NOT NULL UNION ALL SELECT c.id FROM person_index q \
             JOIN conversations c ON c.contact_id = q.contact_id WHERE q.kind = ",
        )
        .bind::<Text, _>(kind.as_str())
        .sql(" AND q.blind = ")
        .bind::<Binary, _>(blind)
        .sql(")"),
    )
}

/// OR of alternatives, each an AND of its values.
fn text_condition<T: 'static>(
    alternatives: Vec<Needle>,
    one: impl Fn(Kind, Vec<u8>) -> Condition<T>,
) -> Option<Condition<T>> {
    alternatives
        .into_iter()
        .filter_map(|values| {
            values
                .into_iter()
                .map(|(kind, blind)| one(kind, blind))
                .reduce(|a, b| Box::new(a.and(b)))
        })
        .reduce(|a, b| Box::new(a.or(b)))
}

/// The scope as a condition. Written `column + 0` on purpose: an expression is never
/// looked up through an index, so the planner takes the blind index (a text query) or the
/// (created_at, id) order with its early stop (a list) instead of collecting every
/// conversation of the actor's teams. SQLite plans without statistics and would otherwise
/// prefer the widget index, with a sort of everything it finds.
fn reach_condition(reach: &Reach) -> Option<Condition<conv::table>> {
    let Reach::Limited {
        widgets,
        staff,
        own,
    } = reach
    else {
        return None;
    };
    let ids: Vec<i64> = widgets.iter().map(|w| w.0).collect();
    Some(if *own {
        Box::new(
            (conv::operator_id + Some(0i64))
                .eq(staff.0)
                .or(conv::operator_id
                    .is_null()
                    .and((conv::widget_id + 0i64).eq_any(ids))
                    .nullable()),
        )
    } else {
        Box::new(
            (conv::widget_id + 0i64)
                .eq_any(ids)
                .nullable()
                .or((conv::operator_id + Some(0i64)).eq(staff.0)),
        )
    })
}

fn after_condition(order: Order, after: Cursor) -> Condition<conv::table> {
    let Cursor { created_at, id } = after;
    match order {
        Order::NewestFirst => Box::new(
            conv::created_at
                .lt(created_at)
                .or(conv::created_at.eq(created_at).and(conv::id.lt(id)))
                .nullable(),
        ),
        Order::OldestFirst => Box::new(
            conv::created_at
                .gt(created_at)
                .or(conv::created_at.eq(created_at).and(conv::id.gt(id)))
                .nullable(),
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_detects_the_kind() {
        assert_eq!(Field::Auto.kinds("Anna@x.de"), [Kind::Email]);
        assert_eq!(
            Field::Auto.kinds("+49 30 1234"),
            [Kind::Phone, Kind::Customer]
        );
        assert_eq!(
            Field::Auto.kinds("Anna Schmidt"),
            [Kind::Name, Kind::Customer]
        );
        assert_eq!(Field::Auto.kinds("K-42"), [Kind::Name, Kind::Customer]);
        assert_eq!(Field::Only(Kind::Phone).kinds("x@y"), [Kind::Phone]);
    }

    #[test]
    fn cursor_round_trips() {
        let at = DateTime::from_timestamp_nanos(1_790_000_000_123_456_789).naive_utc();
        let c = Cursor {
            created_at: at,
            id: 42,
        };
        assert_eq!(Cursor::parse(&c.to_param()), Some(c));
        for bad in ["", "_", "x_1", "1_x", "1", "' OR 1=1 --"] {
            assert_eq!(Cursor::parse(bad), None, "{bad}");
        }
    }
}
