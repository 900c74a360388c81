//! Roles and their permission matrices (tables `roles`, `role_permissions`). Built-in roles
//! have fixed ids and are seeded by the migration; they are never deleted or renamed here.
//! Decides nothing about who may change a role: `access::require` does that first.

use super::schema::{role_permissions, roles, staff};
use super::{DbConn, DbError, DbResult};
use crate::access::matrix::{Area, Grant, Level, Matrix, Scope};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleId(pub i64);

/// The built-in roles, with the ids the migration gave them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    Admin,
    Supervisor,
    Operator,
    /// Data-protection officer: data-subject requests and the audit log; does not chat.
    Dpo,
    /// Reads the audit log only.
    Auditor,
}

impl Builtin {
    pub const ALL: [Builtin; 5] = [
        Builtin::Admin,
        Builtin::Supervisor,
        Builtin::Operator,
        Builtin::Dpo,
        Builtin::Auditor,
    ];

    pub fn id(self) -> RoleId {
        RoleId(match self {
            Self::Admin => 1,
            Self::Supervisor => 2,
            Self::Operator => 3,
            Self::Dpo => 4,
            Self::Auditor => 5,
        })
    }

    /// The key stored in `roles.builtin`, used on the command line and for UI strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "supervisor",
            Self::Operator => "operator",
            Self::Dpo => "dpo",
            Self::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == text)
    }

    pub fn from_id(id: RoleId) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.id() == id)
    }

    /// The i18n key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Self::Admin => "role.admin",
            Self::Supervisor => "role.supervisor",
            Self::Operator => "role.operator",
            Self::Dpo => "role.dpo",
            Self::Auditor => "role.auditor",
        }
    }
}

impl From<Builtin> for RoleId {
    fn from(b: Builtin) -> Self {
        b.id()
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: RoleId,
    /// As stored; built-in roles are shown by their translated name instead.
    pub name: String,
    pub builtin: Option<Builtin>,
    pub matrix: Matrix,
}

#[derive(Queryable)]
struct RoleRow {
    id: i64,
    name: String,
    builtin: Option<String>,
}

#[derive(Queryable)]
struct PermissionRow {
    role_id: i64,
    area: String,
    level: String,
    scope: String,
}

fn grant_of(row: &PermissionRow) -> DbResult<(Area, Grant)> {
    let corrupt = || DbError::Corrupt(format!("permission of role {}: {}", row.role_id, row.area));
    let area = Area::parse(&row.area).ok_or_else(corrupt)?;
    let level = Level::parse(&row.level).ok_or_else(corrupt)?;
    let scope = Scope::parse(&row.scope).ok_or_else(corrupt)?;
    Ok((area, Grant { level, scope }))
}

fn assemble(row: RoleRow, perms: &[PermissionRow]) -> DbResult<Role> {
    let builtin = match row.builtin.as_deref() {
        None => None,
        Some(key) => Some(
            Builtin::parse(key)
                .ok_or_else(|| DbError::Corrupt(format!("built-in role key {key}")))?,
        ),
    };
    let mut matrix = Matrix::empty();
    for p in perms.iter().filter(|p| p.role_id == row.id) {
        let (area, grant) = grant_of(p)?;
        matrix.set(area, grant);
    }
    // Admin holds everything whatever the rows say, so that an installation always has a
    // way back in and "the last admin" means something.
    if builtin == Some(Builtin::Admin) {
        matrix = Matrix::full();
    }
    Ok(Role {
        id: RoleId(row.id),
        name: row.name,
        builtin,
        matrix,
    })
}

pub fn by_id(conn: &mut DbConn, id: RoleId) -> DbResult<Option<Role>> {
    let Some(row) = roles::table
        .find(id.0)
        .select((roles::id, roles::name, roles::builtin))
        .first::<RoleRow>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let perms = role_permissions::table
        .filter(role_permissions::role_id.eq(id.0))
        .select((
            role_permissions::role_id,
            role_permissions::area,
            role_permissions::level,
            role_permissions::scope,
        ))
        .load::<PermissionRow>(conn)?;
    assemble(row, &perms).map(Some)
}

/// Built-in roles first (in their fixed order), then custom roles by name.
pub fn list(conn: &mut DbConn) -> DbResult<Vec<Role>> {
    let rows = roles::table
        .order(roles::id.asc())
        .select((roles::id, roles::name, roles::builtin))
        .load::<RoleRow>(conn)?;
    let perms = role_permissions::table
        .select((
            role_permissions::role_id,
            role_permissions::area,
            role_permissions::level,
            role_permissions::scope,
        ))
        .load::<PermissionRow>(conn)?;
    let mut list = rows
        .into_iter()
        .map(|r| assemble(r, &perms))
        .collect::<DbResult<Vec<_>>>()?;
    list.sort_by(|a, b| {
        (a.builtin.is_none(), a.name.to_lowercase(), a.id).cmp(&(
            b.builtin.is_none(),
            b.name.to_lowercase(),
            b.id,
        ))
    });
    Ok(list)
}

/// Whether another role already has this name (compared case-insensitively).
pub fn name_taken(conn: &mut DbConn, name: &str, except: Option<RoleId>) -> DbResult<bool> {
    let wanted = name.to_lowercase();
    Ok(roles::table
        .select((roles::id, roles::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .any(|(id, n)| Some(RoleId(id)) != except && n.to_lowercase() == wanted))
}

fn write_matrix(conn: &mut DbConn, id: RoleId, matrix: &Matrix) -> DbResult<()> {
    diesel::delete(role_permissions::table.filter(role_permissions::role_id.eq(id.0)))
        .execute(conn)?;
    // One row per area that grants something; no batch insert on the shared connection.
    for area in Area::ALL {
        let grant = matrix.get(area);
        if grant.level == Level::None {
            continue;
        }
        diesel::insert_into(role_permissions::table)
            .values((
                role_permissions::role_id.eq(id.0),
                role_permissions::area.eq(area.key()),
                role_permissions::level.eq(grant.level.key()),
                role_permissions::scope.eq(grant.scope.key()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    name: &str,
    matrix: &Matrix,
    now: NaiveDateTime,
) -> DbResult<RoleId> {
    let id = RoleId(super::new_id(now.and_utc())?);
    conn.transaction(|conn| {
        diesel::insert_into(roles::table)
            .values((
                roles::id.eq(id.0),
                roles::name.eq(name),
                roles::builtin.eq(None::<String>),
                roles::created_at.eq(now),
                roles::updated_at.eq(now),
            ))
            .execute(conn)?;
        write_matrix(conn, id, matrix)
    })?;
    Ok(id)
}

/// Renames a custom role; `false` if it does not exist or is built in.
pub fn rename(conn: &mut DbConn, id: RoleId, name: &str, now: NaiveDateTime) -> DbResult<bool> {
    let changed = diesel::update(roles::table.find(id.0).filter(roles::builtin.is_null()))
        .set((roles::name.eq(name), roles::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Replaces a role's matrix in one transaction. The Admin role's matrix is fixed.
pub fn set_matrix(
    conn: &mut DbConn,
    id: RoleId,
    matrix: &Matrix,
    now: NaiveDateTime,
) -> DbResult<bool> {
    if id == Builtin::Admin.id() {
        return Err(DbError::Conflict("the Admin role always holds everything"));
    }
    conn.transaction(|conn| {
        let changed = diesel::update(roles::table.find(id.0))
            .set(roles::updated_at.eq(now))
            .execute(conn)?;
        if changed == 0 {
            return Ok(false);
        }
        write_matrix(conn, id, matrix)?;
        Ok(true)
    })
}

/// How many accounts hold the role.
pub fn holders(conn: &mut DbConn, id: RoleId) -> DbResult<i64> {
    Ok(staff::table
        .filter(staff::role_id.eq(id.0))
        .count()
        .get_result(conn)?)
}

/// Deletes a custom role that no account holds.
pub fn delete(conn: &mut DbConn, id: RoleId) -> DbResult<bool> {
    if Builtin::from_id(id).is_some() {
        return Err(DbError::Conflict("built-in roles cannot be deleted"));
    }
    conn.transaction(|conn| {
        if holders(conn, id)? > 0 {
            return Err(DbError::Conflict("the role is still assigned"));
        }
        // The role's flags go with it: explicitly, since SQLite cascades only with its
        // foreign_keys pragma, and the second-factor flag is keyed by text, without a key.
        use super::schema::{role_four_eyes, role_reason_required, role_second_factor};
        diesel::delete(role_reason_required::table.find(id.0)).execute(conn)?;
        diesel::delete(role_four_eyes::table.find(id.0)).execute(conn)?;
        diesel::delete(role_second_factor::table.find(id.0.to_string())).execute(conn)?;
        let deleted = diesel::delete(roles::table.find(id.0).filter(roles::builtin.is_null()))
            .execute(conn)?;
        Ok(deleted == 1)
    })
}

/// Whether members of the role must give a reason to open personal data outside their own
/// scope (`access::reason_needed` decides when that applies). No row: not required.
pub fn reason_required(conn: &mut DbConn, id: RoleId) -> DbResult<bool> {
    use super::schema::role_reason_required as flags;
    let required: Option<bool> = flags::table
        .find(id.0)
        .select(flags::required)
        .first(conn)
        .optional()?;
    Ok(required.unwrap_or(false))
}

/// Sets the role's reason flag; `false` if there is no such role. Delete and insert: no
/// upsert on the shared connection.
pub fn set_reason_required(
    conn: &mut DbConn,
    id: RoleId,
    required: bool,
    now: NaiveDateTime,
) -> DbResult<bool> {
    use super::schema::role_reason_required as flags;
    conn.transaction(|conn| {
        if by_id(conn, id)?.is_none() {
            return Ok(false);
        }
        diesel::delete(flags::table.find(id.0)).execute(conn)?;
        diesel::insert_into(flags::table)
            .values((
                flags::role_id.eq(id.0),
                flags::required.eq(required),
                flags::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(true)
    })
}
