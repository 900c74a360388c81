//! The one place that decides who may do what. Every staff handler calls `require`.
//! Roles beyond admin/operator, teams and the audit log build on this seam.

use crate::db::staff::{Role, Staff};

/// Things a staff member can ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See the server overview.
    ViewDashboard,
    /// Create, change and disable staff accounts.
    ManageStaff,
    /// Create and configure chat widgets.
    ManageWidgets,
    /// Answer chats in the operator console: see the queue, take, reply, close, transfer.
    UseConsole,
    /// Manage the shared canned responses.
    ManageCanned,
    /// Edit the widget-router rules and upload the country database.
    ManageRouter,
}

#[derive(Debug, thiserror::Error)]
#[error("{role} may not {permission:?}")]
pub struct Denied {
    role: &'static str,
    permission: Permission,
}

pub fn require(actor: &Staff, permission: Permission) -> Result<(), Denied> {
    let allowed = match (actor.role, permission) {
        (Role::Admin, _) => true,
        (Role::Operator, Permission::ViewDashboard | Permission::UseConsole) => true,
        (
            Role::Operator,
            Permission::ManageStaff
            | Permission::ManageWidgets
            | Permission::ManageCanned
            | Permission::ManageRouter,
        ) => false,
    };
    if allowed && !actor.disabled {
        Ok(())
    } else {
        Err(Denied {
            role: actor.role.as_str(),
            permission,
        })
    }
}
