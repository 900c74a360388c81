//! `plauder migrate`: what packages run before (re)starting the service.

use super::{base_command, text};
use crate::support::Db;
use crate::support::pg::PgDatabase;
use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// One text column of a query, read with a plain connection rather than through plauder.
fn names(db: Db, url: &str, sql: &str) -> Vec<String> {
    let rows: Vec<Name> = match db {
        Db::Sqlite => diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap()),
        Db::Postgres => diesel::sql_query(sql).load(&mut PgConnection::establish(url).unwrap()),
    }
    .unwrap();
    rows.into_iter().map(|r| r.name).collect()
}

fn tables(db: Db, url: &str) -> Vec<String> {
    let sql = match db {
        Db::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        Db::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public'"
        }
    };
    names(db, url, sql)
}

/// How many migrations the binary embeds for the backend: one folder each.
fn migrations_on_disk(db: Db) -> usize {
    let backend = match db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    std::fs::read_dir(dir.join(backend))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("up.sql").exists())
        .count()
}

crate::both_backends!(migrate_applies_once, |db: Db| {
    let tmp = tempfile::tempdir().unwrap();
    // A fresh install: the data dir does not exist yet.
    let dir = tmp.path().join("data");
    let pg = (db == Db::Postgres).then(PgDatabase::create);
    let url = match &pg {
        Some(pg) => pg.url.clone(),
        None => format!("sqlite://{}", dir.join("plauder.db").display()),
    };
    let migrate = || {
        let mut cmd = base_command();
        cmd.arg("--data-dir").arg(&dir).arg("migrate");
        if let Some(pg) = &pg {
            cmd.env("PLAUDER_DATABASE_URL", &pg.url);
        }
        let o = cmd.output().unwrap();
        assert!(o.status.success(), "{:?}", text(&o));
        text(&o).0
    };

    let expected = migrations_on_disk(db);
    assert!(expected >= 2);
    let first = migrate();
    assert_eq!(
        first.trim(),
        format!("{expected} migration(s) applied"),
        "{first}"
    );
    let found = tables(db, &url);
    for table in [
        "__diesel_schema_migrations",
        "staff",
        "sessions",
        "widgets",
        "conversations",
        "messages",
    ] {
        assert!(found.iter().any(|t| t == table), "{table} in {found:?}");
    }
    assert_eq!(migrate().trim(), "0 migration(s) applied");
    // Migrating is all it does: no key ring, certificate or first admin appear.
    assert!(!dir.join("keyring.toml").exists() && !dir.join("tls").exists());
    assert!(names(db, &url, "SELECT username AS name FROM staff").is_empty());
});
