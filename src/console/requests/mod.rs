//! The register of data-subject requests (issue 8): list with filters (`list`), recording
//! a new request (`new`), a request's page with its linked actions and the form that
//! changes status, handler, extension and notes (`show`).
//!
//! Permission: the contacts area — read to view, edit to record and change — and only
//! with scope "all": the register spans every team, so a team-limited contacts grant
//! (operators, supervisors) does not reach it (403). Every page that shows a subject
//! reference writes `request_viewed` first (no entry, no page); every change writes its
//! entry in the change's own transaction. The database side is `db::dsr`, due dates and
//! the word lists `crate::dsr`.

mod form;
mod list;
mod new;
mod show;

use crate::access::{self, Actor, Area, Level, Object, Permission, Scope};
use crate::db::staff::{self, StaffId};
use crate::db::{DbConn, DbResult, roles};
use crate::error::AppError;
use crate::http::routes::Routes;
use crate::i18n::Tr;
use chrono::{NaiveDate, NaiveDateTime};

const READ: Permission = Permission::Read(Area::Contacts);
const EDIT: Permission = Permission::Edit(Area::Contacts);

/// Most requests a list shows (the retention job keeps the register short).
const LIST_LIMIT: i64 = 500;

pub fn mount(r: &mut Routes<'_>) {
    list::mount(r);
    new::mount(r);
    show::mount(r);
}

/// Whether `actor` reaches the register with `level`: the contacts area at that level,
/// with scope "all".
pub fn reaches(actor: &Actor, level: Level) -> bool {
    let grant = actor.grant(Area::Contacts);
    grant.level >= level && grant.scope == Scope::All
}

/// `access::require` for the register: the permission, then the scope the register needs.
fn require(actor: &Actor, permission: Permission) -> Result<(), AppError> {
    access::require(actor, permission, Object::None)?;
    let level = permission.needs().map_or(Level::None, |(_, l)| l);
    if !reaches(actor, level) {
        return Err(AppError::Forbidden(
            "the register of data-subject requests needs the contacts area with scope \"all\""
                .into(),
        ));
    }
    Ok(())
}

/// Staff who may handle requests (their role reaches the register for editing), by name.
fn handlers(conn: &mut DbConn) -> DbResult<Vec<(StaffId, String)>> {
    let roles = roles::list(conn)?;
    let mut out: Vec<(StaffId, String)> = staff::list(conn)?
        .into_iter()
        .filter(|s| !s.disabled)
        .filter(|s| {
            roles.iter().any(|r| {
                let g = r.matrix.get(Area::Contacts);
                r.id == s.role && g.level >= Level::Edit && g.scope == Scope::All
            })
        })
        .map(|s| (s.id, s.username))
        .collect();
    out.sort_by_key(|a| a.1.to_lowercase());
    Ok(out)
}

/// A staff member's name for display (also a disabled or removed handler).
fn staff_name(conn: &mut DbConn, id: Option<StaffId>) -> DbResult<String> {
    Ok(match id {
        None => String::new(),
        Some(id) => staff::by_id(conn, id)?.map_or_else(|| format!("#{}", id.0), |s| s.username),
    })
}

/// An option of a select box.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<T: Copy + PartialEq>(
    t: &Tr,
    items: impl IntoIterator<Item = T>,
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: Option<T>,
) -> Vec<Choice> {
    items
        .into_iter()
        .map(|i| Choice {
            value: value(i).to_string(),
            label: t.get(label(i)).to_string(),
            selected: current == Some(i),
        })
        .collect()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// A pending request on the dashboard: type and due date only, no personal data (the
/// dashboard is not audited).
pub struct PanelLine {
    pub id: i64,
    pub kind: &'static str,
    pub due: String,
    pub overdue: bool,
}

/// The dashboard's panel of overdue and soon-due requests.
pub struct Panel {
    pub overdue: i64,
    pub soon: i64,
    pub lines: Vec<PanelLine>,
}

/// Most requests the dashboard names one by one.
const PANEL_LINES: i64 = 10;

/// The panel for `actor`'s dashboard: only for those who handle requests (the contacts
/// area for editing, scope "all"); `None` for everyone else.
pub fn panel(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DbResult<Option<Panel>> {
    if !reaches(actor, Level::Edit) {
        return Ok(None);
    }
    let (overdue, soon) = crate::db::dsr::pending_counts(conn, today)?;
    let urgent = crate::db::dsr::Filter {
        overdue: true,
        ..Default::default()
    };
    let near = crate::db::dsr::Filter {
        soon: true,
        ..Default::default()
    };
    let mut lines = Vec::new();
    for filter in [urgent, near] {
        for r in crate::db::dsr::list(conn, &filter, today, PANEL_LINES)? {
            lines.push(PanelLine {
                id: r.id.0,
                kind: r.kind.label_key(),
                due: date(r.due_on),
                overdue: r.overdue(today),
            });
        }
    }
    lines.truncate(usize::try_from(PANEL_LINES).unwrap_or(10));
    Ok(Some(Panel {
        overdue,
        soon,
        lines,
    }))
}
