//! The actor of a request: a staff account with its role's matrix and its teams, loaded
//! fresh for every request and re-loaded by open sockets when access changes, so a change of
//! role or team applies at once. Never cached across requests.

use super::matrix::{Area, Grant, Matrix};
use crate::db::roles::{self, Builtin, RoleId};
use crate::db::staff::{self, Staff, StaffId};
use crate::db::teams::{self, TeamId};
use crate::db::{DbConn, DbResult};

#[derive(Debug, Clone)]
pub struct Actor {
    pub staff: StaffId,
    pub username: String,
    pub role: RoleId,
    pub builtin: Option<Builtin>,
    /// The custom role's name (built-in roles are shown translated).
    pub role_name: String,
    pub matrix: Matrix,
    pub teams: Vec<TeamId>,
    pub disabled: bool,
}

impl Actor {
    /// The actor for a staff account as stored now. A role that cannot be found grants
    /// nothing (never more).
    pub fn load(conn: &mut DbConn, account: &Staff) -> DbResult<Self> {
        let role = roles::by_id(conn, account.role)?;
        let teams = teams::of_staff(conn, account.id)?;
        Ok(Self {
            staff: account.id,
            username: account.username.clone(),
            role: account.role,
            builtin: role.as_ref().and_then(|r| r.builtin),
            role_name: role.as_ref().map(|r| r.name.clone()).unwrap_or_default(),
            matrix: role.map(|r| r.matrix).unwrap_or_else(Matrix::empty),
            teams,
            disabled: account.disabled,
        })
    }

    /// Re-reads an actor by id; `None` when the account is gone.
    pub fn reload(conn: &mut DbConn, id: StaffId) -> DbResult<Option<Self>> {
        staff::by_id(conn, id)?
            .map(|s| Self::load(conn, &s))
            .transpose()
    }

    pub fn grant(&self, area: Area) -> Grant {
        self.matrix.get(area)
    }

    pub fn in_team(&self, team: TeamId) -> bool {
        self.teams.contains(&team)
    }

    pub fn is_admin(&self) -> bool {
        self.builtin == Some(Builtin::Admin)
    }
}
