//! Whether a transcript asks for a reason first (`access::reason_needed` on the
//! conversation); the form and its flow are `reason_form`'s, shared with the contact page
//! and a person's package. The typed reason goes into the read's audit entry
//! (`audit::hooks::transcript`). Never asks for a conversation the actor may not see (that
//! answers 404 as before).

use super::session::Authenticated;
use crate::access::{self, Area, Permission};
use crate::db::conversations::{self, ConversationId};
use crate::error::AppError;
use crate::state::AppState;

/// Whether the actor may read the conversation but must give a reason first. `false` for
/// a missing conversation or one outside the scope: the audited read answers those.
pub async fn needed(
    state: &AppState,
    session: &Authenticated,
    id: ConversationId,
) -> Result<bool, AppError> {
    let actor = session.actor.clone();
    Ok(state
        .blocking(move |conn, _| {
            let Some(c) = conversations::by_id(conn, id)? else {
                return Ok(false);
            };
            let object = access::conversation(conn, &c)?;
            if access::require(
                &actor,
                Permission::Read(Area::Conversations),
                object.clone(),
            )
            .is_err()
            {
                return Ok(false);
            }
            access::reason_needed(conn, &actor, &object)
        })
        .await?)
}
