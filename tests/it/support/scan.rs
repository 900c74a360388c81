//! Looking at the database from outside the app: row counts of every table, and every byte
//! the database keeps (files, WAL, rows as text), for tests of absence. Such a test first
//! plants a marker the honest way and shows that its probe finds it.

use super::{Db, TestServer};
use diesel::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn tables(server: &TestServer) -> Vec<String> {
    let query = match server.state.db.backend() {
        plauder::db::Backend::Sqlite => {
            "SELECT name AS value FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%'"
        }
        plauder::db::Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS value FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '__diesel%'"
        }
    };
    diesel::sql_query(query)
        .load::<Text>(&mut *server.conn())
        .unwrap()
        .into_iter()
        .map(|t| t.value)
        .collect()
}

/// The number of rows in every table of the app (migration bookkeeping left out).
pub fn row_counts(server: &TestServer) -> BTreeMap<String, i64> {
    tables(server)
        .into_iter()
        .map(|t| {
            let n = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{t}\""))
                .get_result::<Count>(&mut *server.conn())
                .unwrap()
                .n;
            (t, n)
        })
        .collect()
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

/// Every byte the database keeps for this test: the SQLite file and its WAL; for
/// PostgreSQL (after a CHECKPOINT) this database's files, the WAL, and every table's rows
/// as text through SQL.
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
            for t in tables(server) {
                let rows: Vec<Text> =
                    diesel::sql_query(format!("SELECT CAST(x AS TEXT) AS value FROM \"{t}\" x"))
                        .load(&mut conn)
                        .unwrap();
                all.extend(rows.into_iter().map(|r| r.value.into_bytes()));
            }
            all
        }
    }
}

/// Whether `needle` occurs in any of the byte strings.
pub fn anywhere(bytes: &[Vec<u8>], needle: &str) -> bool {
    bytes
        .iter()
        .any(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
}
