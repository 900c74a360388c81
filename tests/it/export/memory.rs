//! Peak memory of a large export: seeds N conversations (default 100,000, three messages
//! each; `PLAUDER_EXPORT_N` to change), exports them all as CSV and as Excel and prints the
//! growth of the process's peak RSS (the server runs in this process; the download is
//! counted, not kept). A measurement, not a timed assertion beyond the 50 MB:
//!
//! cargo test --release --test it export::memory -- --ignored --nocapture

use crate::access::world;
use crate::support::Db;
use plauder::access::Actor;
use plauder::clock::Clock as _;
use plauder::db::conversations::ConversationId;
use plauder::db::conversations::{self, NewConversation};
use plauder::db::messages::{self, NewMessage, Sender};
use plauder::export::{self, Format, Layout, Request, Source};
use plauder::i18n::Lang;
use std::time::Instant;

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

fn measure(db: Db) {
    let n: usize = std::env::var("PLAUDER_EXPORT_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let w = world(db);
    let s = &w.server;
    let widget = plauder::db::widgets::by_public_id(&mut s.conn(), &w.widget_a)
        .unwrap()
        .unwrap()
        .id;
    let now = s.clock.now().naive_utc();
    let started = Instant::now();
    let mut conn = s.conn();
    for chunk in 0..n.div_ceil(1_000) {
        plauder::db::write_transaction(&mut conn, |conn| {
            for i in 0..1_000.min(n - chunk * 1_000) {
                let token = plauder::crypto::random_bytes::<32>().unwrap();
                let name = format!("Besucherin Nr. {chunk}-{i} Größe");
                let new = NewConversation {
                    widget,
                    token_hash: &token,
                    offline: false,
                    name: Some(&name),
                    email: None,
                };
                let id = conversations::create(conn, &s.state.ring, &new, now)?;
                for text in [
                    "Guten Tag, ich habe eine Frage zu meiner Bestellung.",
                    "Gern, wie lautet die Bestellnummer?",
                    "Sie lautet 4711-0815, vielen Dank für die schnelle Antwort!",
                ] {
                    let m = NewMessage {
                        conversation: id,
                        sender: Sender::Visitor,
                        staff: None,
                        client_id: None,
                        text,
                    };
                    messages::append(conn, &s.state.ring, &m, now)?;
                }
            }
            Ok::<_, plauder::db::DbError>(())
        })
        .unwrap();
    }
    drop(conn);
    println!(
        "{db:?}: seeded {n} conversations in {:?}",
        started.elapsed()
    );
    // One export of all of them, through the same start (authorise + audit) and producer
    // as the download route.
    let ids: Vec<ConversationId> = {
        use diesel::prelude::*;
        use plauder::db::schema::conversations as c;
        c::table
            .select(c::id)
            .order(c::id.asc())
            .load::<i64>(&mut *s.conn())
            .unwrap()
            .into_iter()
            .map(ConversationId)
            .collect()
    };
    let admin = Actor::reload(&mut s.conn(), w.id("admin"))
        .unwrap()
        .unwrap();
    for format in [Format::Csv, Format::Xlsx] {
        let request = Request {
            format,
            layout: Layout::Transcript,
            // Nothing ticked on the search page: every conversation (the filter path,
            // audited batch by batch while it streams).
            source: Source::Filter(plauder::db::search::Filter::default()),
            dsr: None,
            lang: Lang::De,
        };
        std::fs::write("/proc/self/clear_refs", "5").unwrap();
        let base = status_kb("VmRSS:");
        let seq = super::audit_head(s);
        let timer = Instant::now();
        let started = export::start(&mut s.conn(), &s.state.ring, now, &admin, request)
            .unwrap()
            .unwrap();
        let audited = timer.elapsed();
        let (writer, mut stream) = export::stream::channel();
        let counter = std::thread::spawn(move || {
            let mut bytes = 0usize;
            while let Some(chunk) = stream.blocking_next() {
                bytes += chunk.unwrap().len();
            }
            bytes
        });
        export::run(&s.state, started, writer);
        let bytes = counter.join().unwrap();
        assert_eq!(
            super::audit_head(s) - seq,
            i64::try_from(ids.len()).unwrap() + 1,
            "one entry for the export and one per conversation"
        );
        let peak = status_kb("VmHWM:");
        let growth_mb = peak.saturating_sub(base) as f64 / 1024.0;
        println!(
            "{db:?} {format:?}: {} conversations, {:.1} MB in {:?} (start {audited:?}); \
             RSS before {} MB, peak {} MB, growth {growth_mb:.1} MB",
            ids.len(),
            bytes as f64 / 1e6,
            timer.elapsed(),
            base / 1024,
            peak / 1024,
        );
        // The CSV holds every row in plain text; the zip compresses them well.
        let least = if format == Format::Csv { 100 } else { 10 };
        assert!(
            bytes > ids.len() * least,
            "the export holds every conversation"
        );
        assert!(growth_mb < 50.0, "export RSS growth {growth_mb:.1} MB");
    }
}

#[test]
#[ignore = "a measurement: seeds 100,000 conversations"]
fn peak_rss_of_a_large_export_sqlite() {
    measure(Db::Sqlite);
}

#[test]
#[ignore = "a measurement: seeds 100,000 conversations"]
fn peak_rss_of_a_large_export_postgres() {
    measure(Db::Postgres);
}
