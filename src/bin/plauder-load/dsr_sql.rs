//! `search-sql`: the database part of the search figures, without HTTP, TLS, session,
//! audit entry or page: the page's own query (`db::search::ids`, first page of 50) for
//! each address, and as the baseline a plain indexed lookup of a non-encrypted column
//! (the same contacts' conversations by `contact_id`, same order and limit). Also the
//! one other query of the page that grows with the data: the tag filter's choices.

use crate::percentile;
use diesel::prelude::*;
use plauder::crypto::KeyRing;
use plauder::db::schema::{contacts, conversations as conv};
use plauder::db::search::{self, Filter, Reach};
use plauder::db::{Db, DbConn};
use std::time::Instant;

#[derive(clap::Args)]
pub struct SqlArgs {
    #[arg(long)]
    pub data_dir: String,
    /// Default: the data directory's SQLite database.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Addresses, one a line (`seed --emails-out`).
    #[arg(long)]
    pub emails: String,
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
}

/// The search page's page size.
const PAGE: i64 = 50;

fn report(label: &str, round: usize, mut ms: Vec<f64>, found: usize) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label}[round {round}]: {} queries, p50 {:.3} ms p95 {:.3} ms max {:.3} ms; {found} rows found",
        ms.len(),
        percentile(&ms, 50.0),
        percentile(&ms, 95.0),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

pub fn run(args: &SqlArgs) -> Result<(), String> {
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/plauder.db", args.data_dir));
    let ring = KeyRing::load(&std::path::Path::new(&args.data_dir).join("keyring.toml"))
        .map_err(|e| e.to_string())?;
    let db = Db::open(&url).map_err(|e| e.to_string())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let emails: Vec<String> = std::fs::read_to_string(&args.emails)
        .map_err(|e| format!("{}: {e}", args.emails))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let ids = contact_ids(&mut conn, &ring, &emails)?;
    for round in 1..=args.rounds {
        let (mut ms, mut found) = (Vec::new(), 0);
        for email in &emails {
            let filter = Filter {
                text: email.clone(),
                ..Default::default()
            };
            let t = Instant::now();
            let batch = search::ids(&mut conn, &ring, &filter, &Reach::All, None, PAGE)
                .map_err(|e| e.to_string())?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            found += batch.ids.len();
        }
        report("search-sql", round, ms, found);
        let (mut ms, mut found) = (Vec::new(), 0);
        for id in &ids {
            let t = Instant::now();
            let rows: Vec<(i64, chrono::NaiveDateTime)> = conv::table
                .filter(conv::contact_id.eq(id))
                .order((conv::created_at.desc(), conv::id.desc()))
                .limit(PAGE + 1)
                .select((conv::id, conv::created_at))
                .load(&mut *conn)
                .map_err(|e| e.to_string())?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            found += rows.len();
        }
        report("baseline-contact-id", round, ms, found);
        // Every search and list page also fills its tag filter with the tags in use.
        let (mut ms, mut found) = (Vec::new(), 0);
        for _ in 0..20 {
            let t = Instant::now();
            found = plauder::db::tags::in_use(&mut conn, 500)
                .map_err(|e| e.to_string())?
                .len();
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        report("page-tags-in-use", round, ms, found);
    }
    Ok(())
}

/// The contacts of these addresses (by their blind value), looked up before timing.
fn contact_ids(conn: &mut DbConn, ring: &KeyRing, emails: &[String]) -> Result<Vec<i64>, String> {
    let mut ids = Vec::new();
    for email in emails {
        let blind = plauder::db::contacts::blind(ring, email);
        if let Some(id) = contacts::table
            .filter(contacts::email_blind.eq(blind))
            .select(contacts::id)
            .first::<i64>(conn)
            .optional()
            .map_err(|e| e.to_string())?
        {
            ids.push(id);
        }
    }
    Ok(ids)
}
