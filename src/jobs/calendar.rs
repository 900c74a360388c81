//! The deletion calendar: per widget, how many conversations the expiry will remove at its
//! next run, within 7 days and within 30 days (by the widget's retention period and each
//! conversation's last activity; counts only, cumulative).

use crate::db::schema::conversations as conv;
use crate::db::{DbConn, DbResult};
use crate::widget::privacy::Retention;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetCalendar {
    pub widget: String,
    pub retention: Retention,
    /// Past the period already: the next run removes them.
    pub due: i64,
    pub week: i64,
    pub month: i64,
}

fn expiring(conn: &mut DbConn, widget: i64, cutoff: Option<NaiveDateTime>) -> DbResult<i64> {
    let Some(cutoff) = cutoff else { return Ok(0) };
    Ok(conv::table
        .filter(conv::widget_id.eq(widget))
        .filter(conv::updated_at.le(cutoff))
        .count()
        .get_result(conn)?)
}

pub fn calendar(conn: &mut DbConn, now: NaiveDateTime) -> DbResult<Vec<WidgetCalendar>> {
    let mut out = Vec::new();
    for w in crate::db::widgets::list(conn)? {
        let retention = w.settings.privacy.retention;
        let at = |days: i64| retention.cutoff(now + TimeDelta::days(days));
        out.push(WidgetCalendar {
            due: expiring(conn, w.id.0, at(0))?,
            week: expiring(conn, w.id.0, at(7))?,
            month: expiring(conn, w.id.0, at(30))?,
            widget: w.settings.name,
            retention,
        });
    }
    Ok(out)
}
