//! Stored widget-router rules, in the order the admin gave them. Holds only what the admin
//! configured; what a visitor's browser sends to be routed never reaches this module.

use super::schema::route_rules;
use super::widgets::WidgetId;
use super::{DbConn, DbError, DbResult};
use crate::widget::route_rules::{Device, RuleSpec, UrlKind};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleId(pub i64);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = route_rules)]
struct RuleRow {
    id: i64,
    position: i64,
    url_kind: String,
    url_pattern: String,
    ua_contains: String,
    device: String,
    lang: String,
    country: String,
    target_widget_id: i64,
}

/// A rule as stored, with its place in the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub id: RuleId,
    pub position: i64,
    pub spec: RuleSpec,
}

fn split_codes(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

impl TryFrom<RuleRow> for StoredRule {
    type Error = DbError;
    fn try_from(r: RuleRow) -> DbResult<Self> {
        let corrupt = |what: &str| DbError::Corrupt(format!("route rule {}: {what}", r.id));
        let device = match r.device.as_str() {
            "" => None,
            d => Some(Device::parse(d).ok_or_else(|| corrupt("device"))?),
        };
        Ok(Self {
            id: RuleId(r.id),
            position: r.position,
            spec: RuleSpec {
                url_kind: UrlKind::parse(&r.url_kind).ok_or_else(|| corrupt("url kind"))?,
                url_pattern: r.url_pattern,
                ua_contains: r.ua_contains,
                device,
                langs: split_codes(&r.lang),
                countries: split_codes(&r.country),
                target: WidgetId(r.target_widget_id),
            },
        })
    }
}

pub fn list(conn: &mut DbConn) -> DbResult<Vec<StoredRule>> {
    route_rules::table
        .order((route_rules::position.asc(), route_rules::id.asc()))
        .select(RuleRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredRule::try_from)
        .collect()
}

pub fn by_id(conn: &mut DbConn, id: RuleId) -> DbResult<Option<StoredRule>> {
    route_rules::table
        .find(id.0)
        .select(RuleRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredRule::try_from)
        .transpose()
}

/// Appends a rule after the last one.
pub fn insert(conn: &mut DbConn, spec: &RuleSpec, now: NaiveDateTime) -> DbResult<RuleId> {
    let id = super::new_id(now.and_utc())?;
    conn.transaction(|conn| {
        let last: Option<i64> = route_rules::table
            .select(diesel::dsl::max(route_rules::position))
            .first(conn)?;
        diesel::insert_into(route_rules::table)
            .values((
                route_rules::id.eq(id),
                route_rules::position.eq(last.unwrap_or(0) + 1),
                route_rules::url_kind.eq(spec.url_kind.as_str()),
                route_rules::url_pattern.eq(&spec.url_pattern),
                route_rules::ua_contains.eq(&spec.ua_contains),
                route_rules::device.eq(spec.device.map(Device::as_str).unwrap_or("")),
                route_rules::lang.eq(spec.langs.join(",")),
                route_rules::country.eq(spec.countries.join(",")),
                route_rules::target_widget_id.eq(spec.target.0),
                route_rules::created_at.eq(now),
                route_rules::updated_at.eq(now),
            ))
            .execute(conn)?;
        Ok(RuleId(id))
    })
}

pub fn update(
    conn: &mut DbConn,
    id: RuleId,
    spec: &RuleSpec,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let changed = diesel::update(route_rules::table.find(id.0))
        .set((
            route_rules::url_kind.eq(spec.url_kind.as_str()),
            route_rules::url_pattern.eq(&spec.url_pattern),
            route_rules::ua_contains.eq(&spec.ua_contains),
            route_rules::device.eq(spec.device.map(Device::as_str).unwrap_or("")),
            route_rules::lang.eq(spec.langs.join(",")),
            route_rules::country.eq(spec.countries.join(",")),
            route_rules::target_widget_id.eq(spec.target.0),
            route_rules::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

pub fn delete(conn: &mut DbConn, id: RuleId) -> DbResult<bool> {
    Ok(diesel::delete(route_rules::table.find(id.0)).execute(conn)? == 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// Swaps a rule with its neighbour in one transaction. False when the rule is unknown or
/// already first (up) or last (down).
pub fn move_rule(
    conn: &mut DbConn,
    id: RuleId,
    direction: Direction,
    now: NaiveDateTime,
) -> DbResult<bool> {
    conn.transaction(|conn| {
        let rules = list(conn)?;
        let Some(at) = rules.iter().position(|r| r.id == id) else {
            return Ok(false);
        };
        let other = match direction {
            Direction::Up if at > 0 => at - 1,
            Direction::Down if at + 1 < rules.len() => at + 1,
            _ => return Ok(false),
        };
        let (a, b) = (&rules[at], &rules[other]);
        // Equal positions (never written by this module) would make a swap a no-op.
        let (pos_a, pos_b) = if a.position == b.position {
            match direction {
                Direction::Up => (a.position - 1, a.position),
                Direction::Down => (a.position + 1, a.position),
            }
        } else {
            (b.position, a.position)
        };
        for (rule, pos) in [(a, pos_a), (b, pos_b)] {
            diesel::update(route_rules::table.find(rule.id.0))
                .set((
                    route_rules::position.eq(pos),
                    route_rules::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(true)
    })
}
