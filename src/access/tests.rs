use super::*;
use crate::db::roles::Builtin;

fn actor(matrix: Matrix, teams: &[i64]) -> Actor {
    Actor {
        staff: StaffId(10),
        username: "olga".into(),
        role: RoleId(99),
        builtin: None,
        role_name: "Test".into(),
        matrix,
        teams: teams.iter().copied().map(TeamId).collect(),
        disabled: false,
    }
}

fn grants(pairs: &[(Area, Level, Scope)]) -> Matrix {
    let mut m = Matrix::empty();
    for (area, level, scope) in pairs {
        m.set(
            *area,
            Grant {
                level: *level,
                scope: *scope,
            },
        );
    }
    m
}

fn conv(team: i64, operator: Option<i64>) -> Object {
    Object::Conversation {
        id: ConversationId(1),
        team: TeamId(team),
        operator: operator.map(StaffId),
    }
}

#[test]
fn level_decides_before_scope() {
    let a = actor(
        grants(&[(Area::Conversations, Level::Read, Scope::All)]),
        &[],
    );
    let read = Permission::Read(Area::Conversations);
    assert!(require(&a, read, conv(1, None)).is_ok());
    let edit = require(&a, Permission::Edit(Area::Conversations), Object::None).unwrap_err();
    assert_eq!(edit.decision.outcome, Outcome::Forbidden);
    assert!(require(&a, Permission::Read(Area::Audit), Object::None).is_err());
    assert!(require(&a, Permission::SignedIn, Object::None).is_ok());
}

#[test]
fn scopes_hide_what_is_outside() {
    let read = Permission::Read(Area::Conversations);
    let team = actor(
        grants(&[(Area::Conversations, Level::Edit, Scope::Team)]),
        &[1],
    );
    assert!(require(&team, read, conv(1, Some(77))).is_ok());
    assert!(
        require(&team, read, conv(2, Some(10))).is_ok(),
        "held by me"
    );
    let other = require(&team, read, conv(2, None)).unwrap_err();
    assert!(other.hidden());
    assert_eq!(other.decision.object.kind, "conversation");

    let own = actor(
        grants(&[(Area::Conversations, Level::Edit, Scope::Own)]),
        &[1],
    );
    assert!(
        require(&own, read, conv(1, None)).is_ok(),
        "waiting in my team"
    );
    assert!(require(&own, read, conv(1, Some(77))).unwrap_err().hidden());
    assert!(require(&own, read, conv(2, Some(10))).is_ok());
    assert!(require(&own, read, conv(2, None)).unwrap_err().hidden());
}

#[test]
fn contacts_are_in_scope_through_any_conversation() {
    let a = actor(grants(&[(Area::Contacts, Level::Read, Scope::Team)]), &[3]);
    let contact = |reach: Vec<(TeamId, Option<StaffId>)>| Object::Contact {
        id: ContactId(5),
        reach,
    };
    let read = Permission::Read(Area::Contacts);
    assert!(
        require(
            &a,
            read,
            contact(vec![(TeamId(1), None), (TeamId(3), None)])
        )
        .is_ok()
    );
    assert!(
        require(&a, read, contact(vec![(TeamId(1), None)]))
            .unwrap_err()
            .hidden()
    );
}

#[test]
fn nobody_grants_what_they_do_not_hold() {
    let staff_admin = actor(
        grants(&[
            (Area::Staff, Level::Edit, Scope::All),
            (Area::Conversations, Level::Read, Scope::Team),
        ]),
        &[],
    );
    let edit_staff = Permission::Edit(Area::Staff);
    let modest = grants(&[(Area::Conversations, Level::Read, Scope::Own)]);
    assert!(
        require(
            &staff_admin,
            edit_staff,
            Object::Grant {
                role: None,
                matrix: modest
            }
        )
        .is_ok()
    );
    let wider = grants(&[(Area::Conversations, Level::Read, Scope::All)]);
    let refused = require(
        &staff_admin,
        edit_staff,
        Object::Grant {
            role: None,
            matrix: wider,
        },
    )
    .unwrap_err();
    assert_eq!(refused.decision.outcome, Outcome::Forbidden);
    assert!(refused.to_string().contains("conversations"));
    assert!(
        require(
            &staff_admin,
            edit_staff,
            Object::Account {
                id: StaffId(1),
                matrix: Matrix::full()
            }
        )
        .is_err(),
        "cannot act on an admin"
    );
}

#[test]
fn a_disabled_account_may_do_nothing() {
    let mut a = actor(Matrix::full(), &[]);
    a.builtin = Some(Builtin::Admin);
    a.disabled = true;
    assert!(require(&a, Permission::SignedIn, Object::None).is_err());
}
