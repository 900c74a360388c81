//! The binary: a bad cron string stops `serve` at start with exit 2 naming the key;
//! `retention run --dry-run` counts and deletes nothing; `retention run --job` deletes and
//! records; `retention status` shows each job.

use super::{Chat, chat, exists, now, rows, widget};
use crate::both_backends;
use crate::cli::{base_command, plauder};
use crate::support::TestServer;
use chrono::TimeDelta;

#[test]
fn an_invalid_cron_string_is_refused_at_start_naming_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plauder.toml");
    for (body, key) in [
        ("[jobs]\nexpiry = \"15 3 * * *\"\n", "jobs.expiry"),
        (
            "[jobs]\nsessions = \"0 */10 * * * * * *\"\n",
            "jobs.sessions",
        ),
        ("[jobs]\nbackup = \"nightly\"\n", "jobs.backup"),
    ] {
        std::fs::write(&file, body).unwrap();
        let o = base_command()
            .arg("--config")
            .arg(&file)
            .arg("--data-dir")
            .arg(tmp.path().join("data"))
            .args(["--listen", "127.0.0.1:0", "serve"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{body}: {err}");
        assert!(err.contains(&format!("`{key}`")), "{body}: {err}");
        assert!(err.contains("cron"), "explained: {err}");
        assert!(
            !tmp.path().join("data").exists(),
            "refused before setting anything up"
        );
    }
    // An empty string switches the job off: accepted.
    std::fs::write(&file, "[jobs]\nbackup = \"\"\n").unwrap();
    let o = base_command()
        .arg("--config")
        .arg(&file)
        .args(["check", "--config-only"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

both_backends!(retention_run_from_the_command_line, |db| {
    let server = TestServer::start(db);
    let shop = widget(&server, "Shop", "1", "delete_now");
    // The binary reads the system clock: "old" is old by the wall clock too.
    let old = chat(
        &server,
        shop,
        now(&server) - TimeDelta::days(45),
        &Chat::default(),
    );
    let young = chat(&server, shop, now(&server), &Chat::default());

    let o = plauder(
        &server,
        &["retention", "run", "--job", "expiry", "--dry-run"],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("expiry (dry run, nothing deleted) would remove:"),
        "{out}"
    );
    assert!(
        out.contains("  conversations: 1\n") && out.contains("  messages: 2\n"),
        "{out}"
    );
    assert!(exists(&server, old), "dry run");
    assert_eq!(rows(&server, "job_runs"), 0);

    let o = plauder(&server, &["retention", "run", "--job", "expiry"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("  conversations: 1\n"), "{out}");
    assert!(!exists(&server, old) && exists(&server, young));
    assert_eq!(rows(&server, "job_runs"), 1);

    let o = plauder(&server, &["retention", "status"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("expiry") && out.contains("ok at"), "{out}");
    assert!(out.contains("backup"), "{out}");

    let o = plauder(&server, &["retention", "run", "--job", "alles"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expiry, technical"));
});
