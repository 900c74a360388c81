//! The actions (export, erasure, rectification) that answered a request: ids and fixed
//! words only, never personal data.

use super::RequestId;
use crate::db::schema::{dsr_actions, dsr_requests};
use crate::db::{DbConn, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// One action that answered a request.
#[derive(Debug, Clone, Queryable)]
pub struct LinkedAction {
    pub action: String,
    pub object_kind: String,
    pub object_id: i64,
    pub at: NaiveDateTime,
}

/// The actions linked to a request, oldest first.
pub fn actions(conn: &mut DbConn, id: RequestId) -> DbResult<Vec<LinkedAction>> {
    Ok(dsr_actions::table
        .filter(dsr_actions::request_id.eq(id.0))
        .order((dsr_actions::created_at.asc(), dsr_actions::id.asc()))
        .select((
            dsr_actions::action,
            dsr_actions::object_kind,
            dsr_actions::object_id,
            dsr_actions::created_at,
        ))
        .load(conn)?)
}

/// Records that `action` (a fixed word such as "exported", "erased", "rectified") on the
/// object `object_kind`/`object_id` answered request `request_id`. Call inside the action's
/// own transaction. False when there is no such request (nothing is written).
pub fn link_action(
    conn: &mut DbConn,
    request_id: i64,
    action: &str,
    object_kind: &str,
    object_id: i64,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let exists = dsr_requests::table
        .find(request_id)
        .select(dsr_requests::id)
        .first::<i64>(conn)
        .optional()?
        .is_some();
    if !exists {
        return Ok(false);
    }
    let id = crate::db::new_id(now.and_utc())?;
    diesel::insert_into(dsr_actions::table)
        .values((
            dsr_actions::id.eq(id),
            dsr_actions::request_id.eq(request_id),
            dsr_actions::action.eq(action),
            dsr_actions::object_kind.eq(object_kind),
            dsr_actions::object_id.eq(object_id),
            dsr_actions::created_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(dsr_requests::table.find(request_id))
        .set(dsr_requests::updated_at.eq(now))
        .execute(conn)?;
    Ok(true)
}
