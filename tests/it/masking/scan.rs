//! Every byte the database keeps, for absence checks: the SQLite file and its WAL; for
//! PostgreSQL (after a CHECKPOINT) this database's files, the WAL, and every table's rows as
//! text through SQL.

use crate::support::{Db, TestServer};
use diesel::prelude::*;
use std::path::{Path, PathBuf};

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

pub fn database_bytes(server: &TestServer, db: Db) -> Vec<Vec<u8>> {
    match db {
        Db::Sqlite => files_under(&server.data_dir())
            .into_iter()
            .filter(|f| {
                f.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("plauder.db"))
            })
            .map(|f| std::fs::read(f).unwrap())
            .collect(),
        Db::Postgres => {
            let pg = server.pg.as_ref().unwrap();
            let mut conn = PgConnection::establish(&pg.url).unwrap();
            diesel::sql_query("CHECKPOINT").execute(&mut conn).unwrap();
            let one = |q: &str, c: &mut PgConnection| {
                diesel::sql_query(q).get_result::<Text>(c).unwrap().value
            };
            let data_dir = PathBuf::from(one(
                "SELECT current_setting('data_directory') AS value",
                &mut conn,
            ));
            let oid = one(
                "SELECT CAST(oid AS TEXT) AS value FROM pg_database WHERE datname = current_database()",
                &mut conn,
            );
            let mut files = files_under(&data_dir.join("base").join(oid));
            files.extend(files_under(&data_dir.join("pg_wal")));
            let mut all: Vec<Vec<u8>> = files
                .into_iter()
                .filter_map(|f| std::fs::read(f).ok())
                .collect();
            let tables: Vec<Text> = diesel::sql_query(
                "SELECT table_name AS value FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .load(&mut conn)
            .unwrap();
            for t in tables {
                let rows: Vec<Text> = diesel::sql_query(format!(
                    "SELECT CAST(x AS TEXT) AS value FROM \"{}\" x",
                    t.value
                ))
                .load(&mut conn)
                .unwrap();
                all.extend(rows.into_iter().map(|r| r.value.into_bytes()));
            }
            all
        }
    }
}

pub fn anywhere(bytes: &[Vec<u8>], needle: &str) -> bool {
    bytes.iter().any(|b| contains(b, needle))
}
