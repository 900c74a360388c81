//! A PostgreSQL restore is all or nothing: when `pg_restore` fails half-way (here a
//! stand-in first on PATH that creates a table and then fails, as the real one does on a
//! damaged dump or a full disk), the database is as it was before the restore. A schema a
//! killed restore left aside is never dropped silently: the next restore refuses.

use super::{Target, counts, create, out};
use crate::contacts::{fixture, person};
use crate::support::Db;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::os::unix::fs::PermissionsExt;

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn count(url: &str, sql: &str) -> i64 {
    let mut conn = PgConnection::establish(url).unwrap();
    diesel::sql_query(sql).get_result::<N>(&mut conn).unwrap().n
}

const HALF: &str =
    "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'half_restored'";
const ASIDE: &str =
    "SELECT count(*) AS n FROM pg_namespace WHERE nspname = 'plauder_before_restore'";

#[test]
fn a_failed_postgres_restore_leaves_the_database_as_it_was() {
    let f = fixture(Db::Postgres);
    let s = &f.server;
    person(
        s,
        &f.widget_a,
        "Rita Rückweg",
        "rita@example.de",
        &["Hallo"],
    );
    let file = create(s);
    let target = Target::new(Db::Postgres).with_ring_of(s);
    let r = target.run(&["backup", "restore", file.to_str().unwrap()]);
    assert!(r.status.success(), "{}", out(&r));
    let url = target.url().unwrap().to_string();
    let before = counts(&target.db());
    assert!(before["contacts"] > 0, "the probe has data to lose");

    // The stand-in reads archives with the real tool (the restore checks the archive
    // first) and fails only where it would write into the database.
    let real = plauder::backup::pgtools::find("pg_restore").unwrap();
    let bin = tempfile::tempdir().unwrap();
    let fake = bin.path().join("pg_restore");
    std::fs::write(
        &fake,
        format!(
            "#!/bin/sh\n\
             case \" $* \" in *' --dbname '*) ;; *) exec '{}' \"$@\" ;; esac\n\
             psql -v ON_ERROR_STOP=1 -q -c 'CREATE TABLE half_restored (x int)' >/dev/null 2>&1 || exit 3\n\
             echo 'pg_restore: error: could not extend file: No space left on device' >&2\n\
             exit 1\n",
            real.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let failed = crate::cli::base_command()
        .arg("--data-dir")
        .arg(target.data())
        .env("PLAUDER_DATABASE_URL", &url)
        .env("PATH", path)
        .args(["backup", "restore", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = out(&failed);
    assert!(!failed.status.success(), "{text}");
    assert!(text.contains("No space left on device"), "{text}");
    assert!(text.contains("as it was before the restore"), "{text}");
    assert_eq!(counts(&target.db()), before, "every row is back");
    assert_eq!(count(&url, HALF), 0, "nothing of the failed attempt stays");
    assert_eq!(count(&url, ASIDE), 0);

    // A restore killed half-way leaves the old schema aside: the next one refuses.
    PgConnection::establish(&url)
        .unwrap()
        .batch_execute("CREATE SCHEMA plauder_before_restore")
        .unwrap();
    let refused = target.run(&["backup", "restore", file.to_str().unwrap()]);
    let text = out(&refused);
    assert!(!refused.status.success(), "{text}");
    assert!(text.contains("an earlier restore did not finish"), "{text}");
    assert_eq!(count(&url, ASIDE), 1, "left for the admin to decide");
    assert_eq!(counts(&target.db()), before);
}
