//! `/admin/statistics`: team statistics for roles holding "statistics: read" — conversations
//! per day and week, missed conversations, time to first reply (median, p90), duration
//! (median), per team, widget and operator — and the same figures of a period as CSV.
//!
//! Made from metadata only (`db::statistics`: ids, flags, times): never reads a message
//! body or a visitor's name, never touches the key ring. Statistics are not scoped by team:
//! the area has no scope in the matrix, so a holder sees every team's figures. How
//! operators appear (named, anonymised, omitted) is a setting (`naming`, changed on
//! `/admin/settings`). Every view and export writes an audit entry first, in its own
//! transaction, so that the period's reading does not hold the write lock.

mod csv;
mod figures;
pub mod naming;
mod period;
mod report;
mod view;

use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Area, Object as Target, Permission};
use crate::audit::{self, Action, Entry, Object};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use naming::OperatorNames;
use period::Period;

const READ: Permission = Permission::Read(Area::Statistics);

pub fn mount(r: &mut Routes<'_>) {
    r.get("/admin/statistics", Rule::Staff(READ), page);
    r.get("/admin/statistics/export.csv", Rule::Staff(READ), export);
}

#[derive(Template)]
#[template(path = "console/statistics.html")]
struct StatisticsPage {
    page: Chrome,
    from: String,
    to: String,
    days: usize,
    /// "from … to … (n days)" and "n days", in the page's language.
    period_text: String,
    days_text: String,
    tables: view::Tables,
    naming: OperatorNames,
}

impl StatisticsPage {
    fn anonymised(&self) -> bool {
        self.naming == OperatorNames::Anonymised
    }

    fn omitted(&self) -> bool {
        self.naming == OperatorNames::Omitted
    }
}

/// Audits the access, then reads the period (the caller has decided the access).
async fn audited_report(
    state: &AppState,
    session: &Authenticated,
    query: &period::Query,
    action: Action,
    t: crate::i18n::Tr,
) -> Result<report::Report, AppError> {
    let period: Period = query.parse(state.clock.now().date_naive())?;
    let me = session.actor.staff;
    let loaded = state
        .blocking(move |conn, st| {
            audit::append(
                conn,
                &st.ring,
                &Entry::new(st.clock.naive(), me, action, Object::none()),
            )?;
            report::load(conn, period)
        })
        .await?;
    Ok(report::build(loaded, period, t))
}

async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<period::Query>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Target::None)?;
    let page = Chrome::new(&req, Some(&session))?;
    let t = page.t;
    let report = audited_report(&state, &session, &query, Action::StatisticsViewed, t).await?;
    let (from, to) = (report.period.from.to_string(), report.period.to.to_string());
    let days = report.series.days.len().to_string();
    let view = StatisticsPage {
        period_text: t.fill(
            "statistics.period",
            &[("from", &from), ("to", &to), ("days", &days)],
        ),
        days_text: t.fill("statistics.days_shown", &[("days", &days)]),
        from,
        to,
        days: report.series.days.len(),
        tables: view::tables(t, &report),
        naming: report.naming,
        page,
    };
    view.page.render(&view, StatusCode::OK)
}

async fn export(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<period::Query>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Target::None)?;
    let t = crate::i18n::Tr::new(super::page::lang_of(&req));
    let report = audited_report(&state, &session, &query, Action::StatisticsExported, t).await?;
    let body = csv::write(&report).map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    let name = format!(
        "attachment; filename=\"plauder-statistics-{}-{}.csv\"",
        report.period.from, report.period.to
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, name))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
