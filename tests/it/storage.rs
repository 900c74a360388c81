//! Personal data at rest: written through the real code path, then looked for in the raw
//! database files. Each probe first proves it can find a planted non-personal marker.

use crate::support::{Db, TestServer, add_staff};
use diesel::prelude::*;
use plauder::db::staff::Role;
use std::path::{Path, PathBuf};

const USERNAME_MARKER: &str = "plantedmarker7731";
const EMAIL: &str = "geheim.kundin-4417@example.de";

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

fn any_file_contains(files: &[PathBuf], needle: &str) -> bool {
    files
        .iter()
        .any(|f| std::fs::read(f).is_ok_and(|bytes| contains(&bytes, needle)))
}

fn write_staff(server: &TestServer) {
    let id = add_staff(server, USERNAME_MARKER, Role::Operator, Some(EMAIL));
    let stored = plauder::db::staff::by_id(&mut server.conn(), id)
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.email(&server.state.ring).unwrap().as_deref(),
        Some(EMAIL),
        "reads back decrypted"
    );
}

#[test]
fn sqlite_files_hold_no_plaintext_email() {
    let server = TestServer::start(Db::Sqlite);
    write_staff(&server);
    let files: Vec<PathBuf> = files_under(&server.data_dir())
        .into_iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("plauder.db"))
        })
        .collect();
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "WAL mode: {files:?}"
    );
    assert!(
        any_file_contains(&files, USERNAME_MARKER),
        "probe finds the planted marker"
    );
    assert!(
        !any_file_contains(&files, EMAIL),
        "e-mail in plaintext on disk"
    );
    assert!(!any_file_contains(&files, "geheim.kundin"));
    // Also after the WAL is folded into the main file.
    diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut *server.conn())
        .unwrap();
    assert!(any_file_contains(&files, USERNAME_MARKER));
    assert!(!any_file_contains(&files, EMAIL));
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

#[test]
fn postgres_table_files_and_wal_hold_no_plaintext_email() {
    let server = TestServer::start(Db::Postgres);
    write_staff(&server);
    let pg = server.pg.as_ref().unwrap();
    let mut conn = PgConnection::establish(&pg.url).unwrap();
    diesel::sql_query("CHECKPOINT").execute(&mut conn).unwrap();
    let setting = |q: &str, c: &mut PgConnection| {
        diesel::sql_query(q).get_result::<Setting>(c).unwrap().value
    };
    let data_dir = PathBuf::from(setting(
        "SELECT current_setting('data_directory') AS value",
        &mut conn,
    ));
    let relation = setting("SELECT pg_relation_filepath('staff') AS value", &mut conn);
    let table_files: Vec<PathBuf> = files_under(data_dir.join(&relation).parent().unwrap())
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(&relation))
        .collect();
    assert!(
        !table_files.is_empty(),
        "found the table's files under {relation}"
    );
    assert!(
        any_file_contains(&table_files, USERNAME_MARKER),
        "probe finds the planted marker"
    );
    assert!(
        !any_file_contains(&table_files, EMAIL),
        "e-mail in plaintext in the table"
    );
    let wal = files_under(&data_dir.join("pg_wal"));
    assert!(
        any_file_contains(&wal, USERNAME_MARKER),
        "probe finds the marker in the WAL"
    );
    assert!(
        !any_file_contains(&wal, EMAIL),
        "e-mail in plaintext in the WAL"
    );
}

#[test]
fn blind_index_finds_the_account_by_email() {
    let server = TestServer::start(Db::Sqlite);
    write_staff(&server);
    use plauder::db::schema::staff;
    let index = server.state.ring.blind_index(
        "email",
        &plauder::crypto::normalise_email("  GEHEIM.Kundin-4417@Example.de"),
    );
    let found: String = staff::table
        .filter(staff::email_index.eq(index))
        .select(staff::username)
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(found, USERNAME_MARKER);
}
