//! `seed`: fills a database with contacts and conversations for the data-subject request
//! benchmarks (scripts/bench-dsr.sh): a few widgets in two teams, operators, N contacts,
//! M conversations over the last 360 days with K messages each, some closed, some tagged,
//! and `--known-contacts` known contacts with exactly `--known-conversations`
//! conversations each (the erasure measurement, once per known contact). Rows are encrypted and indexed as the server stores them (`seed_rows`);
//! one thread makes the rows while another inserts them, a chunk per transaction.
//! Prints shell assignments (`KEY=value`) on stdout and the rates on stderr.

use crate::seed_data::{self, Rng};
use crate::seed_rows::{self, Chunk, Contacts, Ids, Plan, Sequences};
use crate::seed_setup::{self, Fixtures};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use plauder::crypto::KeyRing;
use plauder::db::schema::app_settings;
use plauder::db::{Db, DbConn};
use std::sync::mpsc;
use std::time::Instant;

#[derive(clap::Args)]
pub struct SeedArgs {
    /// Data directory with the key ring (`plauder init` made it).
    #[arg(long)]
    pub data_dir: String,
    /// Default: the data directory's SQLite database.
    #[arg(long)]
    pub database_url: Option<String>,
    #[arg(long, default_value_t = 1_000)]
    pub contacts: u64,
    #[arg(long, default_value_t = 10_000)]
    pub conversations: u64,
    /// Messages per conversation.
    #[arg(long, default_value_t = 10)]
    pub messages: u64,
    #[arg(long, default_value_t = 4)]
    pub widgets: u64,
    /// Conversations of each known contact.
    #[arg(long, default_value_t = 100)]
    pub known_conversations: u64,
    /// Known contacts (contacts 0..N: known.person@bench.example, known.person1@…).
    #[arg(long, default_value_t = 3)]
    pub known_contacts: u64,
    /// Conversations per transaction (each with its messages, consent and index entries).
    #[arg(long, default_value_t = 400)]
    pub batch: u64,
    /// How many conversations the printed EXPORT_FROM date should roughly select.
    #[arg(long, default_value_t = 100_000)]
    pub export_count: u64,
    /// Writes this many existing contact addresses (one a line) to `--emails-out`.
    #[arg(long)]
    pub emails_out: Option<String>,
    #[arg(long, default_value_t = 200)]
    pub emails: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Days the conversations are spread over, ending an hour ago. Below a year: the
    /// widgets' default retention (12 months) would otherwise expire the oldest ones as
    /// soon as the server starts.
    #[arg(long, default_value_t = 360)]
    pub days: i64,
}

/// Time of item `i` of `n` spread evenly (with jitter) over `[start, start + span)`.
fn spread(start: NaiveDateTime, span: Duration, i: u64, n: u64, r: &mut Rng) -> NaiveDateTime {
    let ms = span.num_milliseconds().max(1) as f64;
    let at = (i as f64 + (r.below(1000) as f64 / 1000.0)) / n.max(1) as f64 * ms;
    start + Duration::milliseconds(at as i64)
}

fn rate(rows: usize, since: Instant) -> String {
    let s = since.elapsed().as_secs_f64();
    format!(
        "{rows} rows in {s:.1} s = {:.0} rows/s",
        rows as f64 / s.max(1e-9)
    )
}

fn seed_contacts(
    db: &Db,
    ring: &KeyRing,
    args: &SeedArgs,
    start: NaiveDateTime,
    span: Duration,
) -> Result<Vec<i64>, String> {
    let began = Instant::now();
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let mut r = Rng::new(args.seed ^ 0xC0);
    let mut seq = Ids::new();
    let mut ids = Vec::with_capacity(usize::try_from(args.contacts).unwrap_or(0));
    let mut rows = 0;
    let per_tx = args.batch.max(1) * 4;
    let mut i = 0;
    while i < args.contacts {
        let mut batch = Contacts::default();
        for k in i..(i + per_tx).min(args.contacts) {
            let at = spread(start, span, k, args.contacts, &mut r);
            let id = seq.at(at, &mut r);
            batch
                .push(
                    ring,
                    id,
                    &seed_data::person(args.seed, k, args.known_contacts),
                    at,
                )
                .map_err(|e| e.to_string())?;
            ids.push(id);
        }
        i += per_tx;
        rows += batch.rows();
        plauder::db::write_transaction(&mut conn, |c| seed_rows::insert_contacts(c, &batch))
            .map_err(|e: plauder::db::DbError| e.to_string())?;
    }
    eprintln!("seed: contacts: {} ({})", args.contacts, rate(rows, began));
    Ok(ids)
}

/// Who the visitor of conversation `j` is: a contact's number, or nobody. The known
/// contacts take turns at every `stride`-th conversation, until each has exactly
/// `known_conversations`; the others get a random contact (75 %) or none.
fn who(args: &SeedArgs, j: u64, r: &mut Rng) -> Option<u64> {
    let known = args.known_conversations * args.known_contacts;
    let stride = (args.conversations / known.max(1)).max(1);
    if known > 0 && j % stride == 0 && j / stride < known {
        Some((j / stride) % args.known_contacts)
    } else if args.contacts > args.known_contacts && r.percent(75) {
        Some(args.known_contacts + r.below(args.contacts - args.known_contacts))
    } else {
        None
    }
}

/// What one conversation is: widget, status, operator, the visitor's name and address
/// (a contact's; without a contact, a name only for 40 % of them).
fn plan<'a>(
    args: &SeedArgs,
    fx: &'a Fixtures,
    contacts: &[i64],
    who: Option<u64>,
    person: Option<&'a seed_data::Person>,
    r: &mut Rng,
) -> Plan<'a> {
    let (widget, ops) = &fx.widgets[usize::try_from(r.below(fx.widgets.len() as u64)).unwrap_or(0)];
    let status = match r.below(100) {
        0..=2 => "offline",
        3..=4 => "waiting",
        5..=9 => "active",
        _ => "closed",
    };
    let operator = matches!(status, "active" | "closed")
        .then(|| ops[usize::try_from(r.below(ops.len() as u64)).unwrap_or(0)]);
    Plan {
        widget: *widget,
        status,
        operator,
        contact: who.and_then(|c| contacts.get(usize::try_from(c).ok()?).copied()),
        name: person.map(|p| p.name.as_str()),
        email: if who.is_some() {
            person.map(|p| p.email.as_str())
        } else {
            None
        },
        messages: args.messages,
        created_at: NaiveDateTime::MIN,
        tag: None,
    }
}

struct Made {
    chunk: Chunk,
    emails: Vec<String>,
}

/// Makes the conversations' rows (the caller's thread inserts them as they come).
fn make(
    args: &SeedArgs,
    ring: &KeyRing,
    fx: &Fixtures,
    contacts: &[i64],
    start: NaiveDateTime,
    span: Duration,
    out: mpsc::SyncSender<Result<Made, String>>,
) {
    let mut r = Rng::new(args.seed ^ 0xC1);
    let mut ids = Sequences {
        conversations: Ids::new(),
        messages: Ids::new(),
        consents: Ids::new(),
    };
    let sample_every = (args.conversations / args.emails.max(1)).max(1);
    let mut want_sample = false;
    let mut j = 0;
    while j < args.conversations {
        let mut made = Made {
            chunk: Chunk::default(),
            emails: Vec::new(),
        };
        for k in j..(j + args.batch.max(1)).min(args.conversations) {
            let at = spread(start, span, k, args.conversations, &mut r);
            let visitor = who(args, k, &mut r);
            let person = match visitor {
                Some(c) => Some(seed_data::person(args.seed, c, args.known_contacts)),
                None if r.percent(40) => Some(seed_data::person(args.seed ^ 0xA5, k, 0)),
                None => None,
            };
            // A sample address: the first contact's after every `sample_every`-th.
            want_sample |= k % sample_every == 0;
            if let (Some(c), Some(person), true) = (visitor, &person, want_sample) {
                if c >= args.known_contacts {
                    made.emails.push(person.email.clone());
                    want_sample = false;
                }
            }
            let mut p = plan(args, fx, contacts, visitor, person.as_ref(), &mut r);
            p.created_at = at;
            p.tag = r.percent(10).then(|| seed_data::tag(&mut r));
            if let Err(e) = made.chunk.push(ring, &mut ids, &mut r, &p) {
                let _ = out.send(Err(e.to_string()));
                return;
            }
        }
        j += args.batch.max(1);
        if out.send(Ok(made)).is_err() {
            return;
        }
    }
}

pub fn run(args: &SeedArgs) -> Result<(), String> {
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/plauder.db", args.data_dir));
    let ring = KeyRing::load(&std::path::Path::new(&args.data_dir).join("keyring.toml"))
        .map_err(|e| e.to_string())?;
    let db = Db::open(&url).map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    let now = chrono::Utc::now().naive_utc();
    // Ending an hour ago: every seeded id is older than any the server makes later.
    let end = now - Duration::hours(1);
    let span = Duration::days(args.days.clamp(1, 3650));
    let start = end - span;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    // Seeding only: no fsync per commit. The files are the same as the server writes.
    match &mut *conn {
        DbConn::Sqlite(c) => c.batch_execute(
            "PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000; PRAGMA temp_store = MEMORY;",
        ),
        DbConn::Pg(c) => c.batch_execute("SET synchronous_commit = off"),
    }
    .map_err(|e| e.to_string())?;
    let password = plauder::auth::password::generate().map_err(|e| e.to_string())?;
    let fx = plauder::db::write_transaction(&mut conn, |c| {
        seed_setup::fixtures(c, &ring, args.widgets, &password, now)
    })
    .map_err(|e| e.to_string())?;
    drop(conn);
    let began = Instant::now();
    let contacts = seed_contacts(&db, &ring, args, start, span)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let notice =
        plauder::widget::notice::Notice::default_for(plauder::widget::lang::VisitorLang::De);
    let notice = seed_rows::Notice {
        hash: &notice.hash,
        version: &notice.version,
    };
    let conversations_began = Instant::now();
    let mut rows = 0usize;
    let mut emails = Vec::new();
    let mut export_from: Option<NaiveDate> = None;
    let export_index = args.conversations.saturating_sub(args.export_count);
    let mut done = 0u64;
    let mut last_report = Instant::now();
    std::thread::scope(|s| -> Result<(), String> {
        let (tx, rx) = mpsc::sync_channel(2);
        let (ring, fx, contacts) = (&ring, &fx, &contacts);
        s.spawn(move || make(args, ring, fx, contacts, start, span, tx));
        for made in rx {
            let made = made?;
            for (k, c) in made.chunk.conversations.iter().enumerate() {
                if done + k as u64 == export_index {
                    // The day after: every conversation from then on is in the export.
                    export_from = c.created_at.date().succ_opt();
                }
            }
            done += made.chunk.conversations.len() as u64;
            rows += made.chunk.rows();
            emails.extend(made.emails);
            plauder::db::write_transaction(&mut conn, |c| {
                seed_rows::insert_chunk(c, &made.chunk, &notice)
            })
            .map_err(|e: plauder::db::DbError| e.to_string())?;
            if last_report.elapsed().as_secs() >= 30 {
                eprintln!(
                    "seed: {done}/{} conversations, {}",
                    args.conversations,
                    rate(rows, conversations_began)
                );
                last_report = Instant::now();
            }
        }
        Ok(())
    })?;
    eprintln!(
        "seed: conversations: {} x {} messages ({})",
        args.conversations,
        args.messages,
        rate(rows, conversations_began)
    );
    // Everything written is indexed: a pending backfill marker would redo it all at start.
    diesel::delete(app_settings::table.find("person_index.backfill"))
        .execute(&mut *conn)
        .map_err(|e| e.to_string())?;
    eprintln!("seed: total {:.1} s", began.elapsed().as_secs_f64());
    seed_setup::verify(&mut conn, &ring, args, contacts.first().copied())?;
    if let Some(path) = &args.emails_out {
        std::fs::write(path, emails.join("\n") + "\n").map_err(|e| format!("{path}: {e}"))?;
    }
    let widget_ids: Vec<String> = fx.widgets.iter().map(|(w, _)| w.to_string()).collect();
    println!("ADMIN_USER=bench-dsr");
    println!("ADMIN_PASSWORD={}", fx.admin_password);
    println!("WIDGET_IDS={}", widget_ids.join(","));
    let known = usize::try_from(args.known_contacts).unwrap_or(0);
    let known: Vec<String> = contacts.iter().take(known).map(i64::to_string).collect();
    println!("KNOWN_CONTACTS={}", known.join(","));
    println!("FIRST_DAY={}", start.date());
    println!("LAST_DAY={}", end.date());
    println!("EXPORT_FROM={}", export_from.unwrap_or(start.date()));
    Ok(())
}
