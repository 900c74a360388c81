//! Contacts found the same way as conversations: by their own index entries or their
//! conversations', in the contacts area's reach, a keyset page at a time.

use super::{Condition, Cursor, Filter, Order, Reach, false_condition, needles, text_condition};
use crate::crypto::KeyRing;
use crate::db::contacts::ContactId;
use crate::db::person_index::Kind;
use crate::db::schema::{contacts, conversations as conv, person_index as pi};
use crate::db::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Contacts matching one index value: their own entry, or one of their conversations'.
fn contact_match(kind: Kind, blind: Vec<u8>) -> Condition<contacts::table> {
    let own = pi::table
        .filter(pi::kind.eq(kind.as_str()))
        .filter(pi::blind.eq(blind.clone()))
        .filter(pi::contact_id.is_not_null())
        .select(pi::contact_id.assume_not_null());
    let of_conversation = conv::table
        .filter(
            conv::id.eq_any(
                pi::table
                    .filter(pi::kind.eq(kind.as_str()))
                    .filter(pi::blind.eq(blind))
                    .filter(pi::conversation_id.is_not_null())
                    .select(pi::conversation_id.assume_not_null()),
            ),
        )
        .filter(conv::contact_id.is_not_null())
        .select(conv::contact_id.assume_not_null());
    Box::new(
        contacts::id
            .eq_any(own)
            .or(contacts::id.eq_any(of_conversation))
            .nullable(),
    )
}

/// One page of contacts matching a text query (every contact in reach without one),
/// newest or oldest first: ids and where the next page starts. Of the filter only the text,
/// its field and the order apply (the rest describe conversations).
pub fn contacts_page(
    conn: &mut DbConn,
    ring: &KeyRing,
    filter: &Filter,
    reach: &Reach,
    after: Option<Cursor>,
    limit: i64,
) -> DbResult<(Vec<ContactId>, Option<Cursor>)> {
    let limit = limit.clamp(1, 1000);
    let mut query = contacts::table
        .select((contacts::id, contacts::created_at))
        .into_boxed();
    let order = filter.order;
    if let Some(alternatives) = needles(ring, filter.field, &filter.text) {
        let condition = text_condition(alternatives, contact_match)
            .unwrap_or_else(false_condition::<contacts::table>);
        query = query.filter(condition);
    }
    // Written out rather than `reach_condition`: a boxed condition cannot sit in a
    // subquery of another table.
    if let Reach::Limited {
        widgets,
        staff,
        own,
    } = reach
    {
        let ids: Vec<i64> = widgets.iter().map(|w| w.0).collect();
        let of = conv::table
            .filter(conv::contact_id.is_not_null())
            .select(conv::contact_id.assume_not_null());
        query = if *own {
            query.filter(
                contacts::id.eq_any(
                    of.filter(
                        conv::operator_id.eq(staff.0).or(conv::operator_id
                            .is_null()
                            .and(conv::widget_id.eq_any(ids))
                            .nullable()),
                    ),
                ),
            )
        } else {
            query.filter(
                contacts::id.eq_any(
                    of.filter(
                        conv::widget_id
                            .eq_any(ids)
                            .nullable()
                            .or(conv::operator_id.eq(staff.0)),
                    ),
                ),
            )
        };
    }
    if let Some(Cursor { created_at, id }) = after {
        query = match order {
            Order::NewestFirst => query.filter(
                contacts::created_at
                    .lt(created_at)
                    .or(contacts::created_at.eq(created_at).and(contacts::id.lt(id))),
            ),
            Order::OldestFirst => query.filter(
                contacts::created_at
                    .gt(created_at)
                    .or(contacts::created_at.eq(created_at).and(contacts::id.gt(id))),
            ),
        };
    }
    query = match order {
        Order::NewestFirst => query.order((contacts::created_at.desc(), contacts::id.desc())),
        Order::OldestFirst => query.order((contacts::created_at.asc(), contacts::id.asc())),
    };
    let mut rows: Vec<(i64, NaiveDateTime)> = query.limit(limit + 1).load(conn)?;
    let max = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > max;
    rows.truncate(max);
    let next = more
        .then(|| {
            rows.last().map(|(id, at)| Cursor {
                created_at: *at,
                id: *id,
            })
        })
        .flatten();
    Ok((
        rows.into_iter().map(|(id, _)| ContactId(id)).collect(),
        next,
    ))
}
