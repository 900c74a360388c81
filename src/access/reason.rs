//! Whether an actor must give a reason before reading an object: their role requires one
//! (`db::roles::reason_required`, set on the role's page) and the object lies outside their
//! OWN scope — a conversation they did not handle themselves, a contact none of whose
//! conversations they handled (for a data-protection officer with scope "all": nearly
//! everything). The one decision every page that opens personal data asks (transcripts
//! now, contact pages later); the typed reason then goes into that read's audit entry.
//! Decides nothing about access itself: `require` has allowed the read before this is asked.

use super::{Actor, Object};
use crate::audit::MAX_REASON;
use crate::db::{DbConn, DbResult, roles};

/// Whether the object lies outside what the actor handled themselves.
pub fn outside_own(actor: &Actor, object: &Object) -> bool {
    match object {
        Object::Conversation { operator, .. } => *operator != Some(actor.staff),
        Object::Contact { reach, .. } => !reach.iter().any(|(_, op)| *op == Some(actor.staff)),
        Object::None | Object::Account { .. } | Object::Grant { .. } => false,
    }
}

/// Whether `actor` must type a reason before reading `object`.
pub fn reason_needed(conn: &mut DbConn, actor: &Actor, object: &Object) -> DbResult<bool> {
    if !outside_own(actor, object) {
        return Ok(false);
    }
    roles::reason_required(conn, actor.role)
}

/// A typed reason as the audit entry keeps it: whitespace (line breaks too) folded to
/// single spaces, 1 to `MAX_REASON` characters, no other control characters; `None` when
/// it does not qualify.
pub fn typed_reason(text: &str) -> Option<String> {
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let ok =
        (1..=MAX_REASON).contains(&folded.chars().count()) && !folded.chars().any(char::is_control);
    ok.then_some(folded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Matrix;
    use crate::db::conversations::ConversationId;
    use crate::db::roles::RoleId;
    use crate::db::staff::StaffId;
    use crate::db::teams::TeamId;

    fn actor() -> Actor {
        Actor {
            staff: StaffId(7),
            username: "dora".into(),
            role: RoleId(4),
            builtin: None,
            role_name: String::new(),
            matrix: Matrix::empty(),
            teams: vec![TeamId(1)],
            disabled: false,
        }
    }

    #[test]
    fn only_what_the_actor_did_not_handle_is_outside() {
        let a = actor();
        let conv = |operator| Object::Conversation {
            id: ConversationId(1),
            team: TeamId(1),
            operator,
        };
        assert!(!outside_own(&a, &conv(Some(StaffId(7)))));
        assert!(outside_own(&a, &conv(Some(StaffId(8)))));
        assert!(outside_own(&a, &conv(None)), "unassigned is not their own");
        let contact = |reach| Object::Contact {
            id: crate::db::contacts::ContactId(1),
            reach,
        };
        assert!(!outside_own(
            &a,
            &contact(vec![(TeamId(2), None), (TeamId(1), Some(StaffId(7)))])
        ));
        assert!(outside_own(&a, &contact(vec![(TeamId(1), None)])));
        assert!(!outside_own(&a, &Object::None));
    }

    #[test]
    fn reasons_are_folded_and_bounded() {
        assert_eq!(
            typed_reason("  Auskunft\r\nnach  Art. 15 "),
            Some("Auskunft nach Art. 15".into())
        );
        assert_eq!(typed_reason(" \n "), None);
        assert_eq!(
            typed_reason(&"x".repeat(MAX_REASON)).map(|r| r.len()),
            Some(500)
        );
        assert_eq!(typed_reason(&"x".repeat(MAX_REASON + 1)), None);
        assert_eq!(typed_reason("a\u{7}b"), None);
    }
}
