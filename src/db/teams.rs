//! Teams, who belongs to them (`staff_teams`) and which team each widget routes its
//! conversations to (`widgets.team_id`). Team 1 is the default team: never deleted.
//! Decides nothing about access: `access::require` reads these facts.

use super::schema::{staff_teams, teams, widgets};
use super::staff::StaffId;
use super::widgets::WidgetId;
use super::{DbConn, DbError, DbResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TeamId(pub i64);

/// The team the migration made; new widgets route to it and new accounts join it.
pub const DEFAULT_TEAM: TeamId = TeamId(1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

pub fn list(conn: &mut DbConn) -> DbResult<Vec<Team>> {
    let mut list: Vec<Team> = teams::table
        .select((teams::id, teams::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, name)| Team {
            id: TeamId(id),
            name,
        })
        .collect();
    list.sort_by(|a, b| {
        (a.id != DEFAULT_TEAM, a.name.to_lowercase())
            .cmp(&(b.id != DEFAULT_TEAM, b.name.to_lowercase()))
    });
    Ok(list)
}

pub fn by_id(conn: &mut DbConn, id: TeamId) -> DbResult<Option<Team>> {
    Ok(teams::table
        .find(id.0)
        .select((teams::id, teams::name))
        .first::<(i64, String)>(conn)
        .optional()?
        .map(|(id, name)| Team {
            id: TeamId(id),
            name,
        }))
}

/// Whether another team already has this name (compared case-insensitively).
pub fn name_taken(conn: &mut DbConn, name: &str, except: Option<TeamId>) -> DbResult<bool> {
    let wanted = name.to_lowercase();
    Ok(list(conn)?
        .into_iter()
        .any(|t| Some(t.id) != except && t.name.to_lowercase() == wanted))
}

pub fn create(conn: &mut DbConn, name: &str, now: NaiveDateTime) -> DbResult<TeamId> {
    let id = super::new_id(now.and_utc())?;
    diesel::insert_into(teams::table)
        .values((
            teams::id.eq(id),
            teams::name.eq(name),
            teams::created_at.eq(now),
            teams::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(TeamId(id))
}

pub fn rename(conn: &mut DbConn, id: TeamId, name: &str, now: NaiveDateTime) -> DbResult<bool> {
    let changed = diesel::update(teams::table.find(id.0))
        .set((teams::name.eq(name), teams::updated_at.eq(now)))
        .execute(conn)?;
    Ok(changed == 1)
}

/// How many widgets route to the team.
pub fn widget_count(conn: &mut DbConn, id: TeamId) -> DbResult<i64> {
    Ok(widgets::table
        .filter(widgets::team_id.eq(id.0))
        .count()
        .get_result(conn)?)
}

/// Deletes a team no widget routes to; its memberships go with it.
pub fn delete(conn: &mut DbConn, id: TeamId) -> DbResult<bool> {
    if id == DEFAULT_TEAM {
        return Err(DbError::Conflict("the default team cannot be deleted"));
    }
    conn.transaction(|conn| {
        if widget_count(conn, id)? > 0 {
            return Err(DbError::Conflict("widgets still route to this team"));
        }
        diesel::delete(staff_teams::table.filter(staff_teams::team_id.eq(id.0))).execute(conn)?;
        Ok(diesel::delete(teams::table.find(id.0)).execute(conn)? == 1)
    })
}

/// The teams a staff member belongs to.
pub fn of_staff(conn: &mut DbConn, staff: StaffId) -> DbResult<Vec<TeamId>> {
    Ok(staff_teams::table
        .filter(staff_teams::staff_id.eq(staff.0))
        .select(staff_teams::team_id)
        .order(staff_teams::team_id.asc())
        .load::<i64>(conn)?
        .into_iter()
        .map(TeamId)
        .collect())
}

/// Every membership: staff member → teams.
pub fn memberships(conn: &mut DbConn) -> DbResult<HashMap<StaffId, Vec<TeamId>>> {
    let mut map: HashMap<StaffId, Vec<TeamId>> = HashMap::new();
    for (s, t) in staff_teams::table
        .select((staff_teams::staff_id, staff_teams::team_id))
        .load::<(i64, i64)>(conn)?
    {
        map.entry(StaffId(s)).or_default().push(TeamId(t));
    }
    Ok(map)
}

/// Replaces a staff member's teams. Call inside a transaction with the rest of the change.
pub fn set_of_staff(conn: &mut DbConn, staff: StaffId, teams: &[TeamId]) -> DbResult<()> {
    diesel::delete(staff_teams::table.filter(staff_teams::staff_id.eq(staff.0))).execute(conn)?;
    for team in teams {
        diesel::insert_into(staff_teams::table)
            .values((
                staff_teams::staff_id.eq(staff.0),
                staff_teams::team_id.eq(team.0),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The team a widget routes to; `None` if there is no such widget.
pub fn of_widget(conn: &mut DbConn, widget: WidgetId) -> DbResult<Option<TeamId>> {
    Ok(widgets::table
        .find(widget.0)
        .select(widgets::team_id)
        .first::<i64>(conn)
        .optional()?
        .map(TeamId))
}

/// Every widget's team.
pub fn of_widgets(conn: &mut DbConn) -> DbResult<HashMap<WidgetId, TeamId>> {
    Ok(widgets::table
        .select((widgets::id, widgets::team_id))
        .load::<(i64, i64)>(conn)?
        .into_iter()
        .map(|(w, t)| (WidgetId(w), TeamId(t)))
        .collect())
}

/// Routes a widget's conversations to a team; `false` if team or widget is unknown.
pub fn route_widget(conn: &mut DbConn, widget: WidgetId, team: TeamId) -> DbResult<bool> {
    if by_id(conn, team)?.is_none() {
        return Ok(false);
    }
    let changed = diesel::update(widgets::table.find(widget.0))
        .set(widgets::team_id.eq(team.0))
        .execute(conn)?;
    Ok(changed == 1)
}
