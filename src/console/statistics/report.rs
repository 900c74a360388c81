//! One report: the period's facts read from the database, made into the lines the page and
//! the CSV show. Operator lines follow the naming setting: user names (named), "Operator N"
//! (anonymised: user names are then not even read) or none at all (omitted).

use super::figures::{self, Figures, Series};
use super::naming::{self, OperatorNames};
use super::period::Period;
use crate::db::statistics::{self as table, Facts, WidgetTeam};
use crate::db::teams::{self, Team};
use crate::db::{DbConn, DbResult, staff};
use crate::i18n::Tr;
use diesel::Connection;
use std::collections::HashMap;

/// A line of a breakdown (widget, team, operator).
#[derive(Debug, Clone)]
pub struct Line {
    /// The object's id as text; empty for anonymised operators.
    pub key: String,
    pub name: String,
    /// The widget's team; empty elsewhere.
    pub team: String,
    pub figures: Figures,
}

/// What the database gave for one period.
pub struct Loaded {
    pub naming: OperatorNames,
    facts: Vec<Facts>,
    widgets: Vec<WidgetTeam>,
    teams: Vec<Team>,
    /// User names, read only when operators are named.
    names: HashMap<i64, String>,
}

/// Reads the period in one transaction (one snapshot on SQLite): ids, flags and times only.
pub fn load(conn: &mut DbConn, period: Period) -> DbResult<Loaded> {
    let until = period
        .until()
        .ok_or(crate::db::DbError::Conflict("period out of range"))?;
    conn.transaction(|conn| {
        let naming = naming::load(conn)?;
        let names = if naming == OperatorNames::Named {
            staff::list(conn)?
                .into_iter()
                .map(|s| (s.id.0, s.username))
                .collect()
        } else {
            HashMap::new()
        };
        Ok(Loaded {
            naming,
            facts: table::facts(conn, period.start(), until)?,
            widgets: table::widgets(conn)?,
            teams: teams::list(conn)?,
            names,
        })
    })
}

pub struct Report {
    pub period: Period,
    pub naming: OperatorNames,
    pub series: Series,
    pub teams: Vec<Line>,
    pub widgets: Vec<Line>,
    /// Empty when operators are omitted.
    pub operators: Vec<Line>,
}

fn line(key: String, name: String, team: String, figures: Figures) -> Line {
    Line {
        key,
        name,
        team,
        figures,
    }
}

pub fn build(loaded: Loaded, period: Period, t: Tr) -> Report {
    let facts = &loaded.facts;
    let team_of: HashMap<i64, i64> = loaded.widgets.iter().map(|w| (w.id, w.team_id)).collect();
    let team_name: HashMap<i64, &str> = loaded
        .teams
        .iter()
        .map(|t| (t.id.0, t.name.as_str()))
        .collect();
    let by_widget = figures::by(facts, |f| Some(f.widget_id));
    let by_team = figures::by(facts, |f| team_of.get(&f.widget_id).copied());
    let tally = |m: &std::collections::BTreeMap<i64, figures::Tally>, id: i64| {
        m.get(&id).map(figures::Tally::figures).unwrap_or_default()
    };
    let widgets = loaded
        .widgets
        .iter()
        .map(|w| {
            let team = team_name.get(&w.team_id).copied().unwrap_or_default();
            line(
                w.id.to_string(),
                w.name.clone(),
                team.to_string(),
                tally(&by_widget, w.id),
            )
        })
        .collect();
    let teams = loaded
        .teams
        .iter()
        .map(|team| {
            let figures = tally(&by_team, team.id.0);
            line(
                team.id.0.to_string(),
                team.name.clone(),
                String::new(),
                figures,
            )
        })
        .collect();
    let operators = match loaded.naming {
        OperatorNames::Omitted => Vec::new(),
        naming => operators(facts, naming, &loaded.names, period, t),
    };
    Report {
        period,
        naming: loaded.naming,
        series: figures::series(facts, period.days()),
        teams,
        widgets,
        operators,
    }
}

fn operators(
    facts: &[Facts],
    naming: OperatorNames,
    names: &HashMap<i64, String>,
    period: Period,
    t: Tr,
) -> Vec<Line> {
    let tallies = figures::by_operator(facts);
    if naming == OperatorNames::Named {
        let mut lines: Vec<Line> = tallies
            .iter()
            .map(|(id, tally)| {
                let name = names.get(id).cloned().unwrap_or_else(|| format!("#{id}"));
                line(id.to_string(), name, String::new(), tally.figures())
            })
            .collect();
        lines.sort_by_key(|l| l.name.to_lowercase());
        return lines;
    }
    let ids: Vec<i64> = tallies.keys().copied().collect();
    let mut numbered = naming::numbers(&ids, &format!("{}..{}", period.from, period.to));
    numbered.sort_by_key(|(_, n)| *n);
    numbered
        .into_iter()
        .map(|(id, n)| {
            let name = t.fill("statistics.operator_n", &[("n", &n.to_string())]);
            let figures = tallies.get(&id).map(figures::Tally::figures);
            line(
                String::new(),
                name,
                String::new(),
                figures.unwrap_or_default(),
            )
        })
        .collect()
}
