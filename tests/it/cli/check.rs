//! `plauder check` as IT uses it: certificate against key and expiry, key ring permissions,
//! a writable data directory, a reachable and migrated database, with exit code 1 on failure.

use super::{base_command, text};
use crate::support::pg::PgDatabase;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

fn check(dir: &Path, env: &[(&str, &str)], config: Option<&Path>) -> (i32, String) {
    let mut cmd = base_command();
    if let Some(file) = config {
        cmd.arg("--config").arg(file);
    }
    cmd.arg("--data-dir")
        .arg(dir)
        .arg("check")
        .envs(env.iter().copied());
    let o: Output = cmd.output().unwrap();
    let (out, err) = text(&o);
    (o.status.code().unwrap(), format!("{out}{err}"))
}

fn init(dir: &Path, env: &[(&str, &str)]) {
    let o = base_command()
        .arg("--data-dir")
        .arg(dir)
        .arg("init")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(o.status.success(), "{:?}", text(&o));
}

fn line<'a>(out: &'a str, subject: &str) -> &'a str {
    out.lines()
        .find(|l| {
            l.starts_with("# ")
                && l.get(7..)
                    .is_some_and(|r| r.starts_with(&format!("{subject}:")))
        })
        .unwrap_or_else(|| panic!("no `{subject}` finding in: {out}"))
}

#[test]
fn check_before_and_after_init_on_sqlite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let (code, out) = check(&dir, &[], None);
    assert_eq!(
        code, 0,
        "nothing there yet is a warning, not a failure: {out}"
    );
    for subject in ["certificate", "key ring", "data directory", "database"] {
        assert!(line(&out, subject).starts_with("# WARN"), "{out}");
    }
    assert!(!dir.exists(), "check created the data directory");
    init(&dir, &[]);
    let (code, out) = check(&dir, &[], None);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("# plauder configuration"),
        "the configuration comes first: {out}"
    );
    let cert = line(&out, "certificate");
    assert!(
        cert.starts_with("# ok")
            && cert.contains("matches its key")
            && cert.contains("valid until"),
        "{cert}"
    );
    let ring = line(&out, "key ring");
    assert!(
        ring.starts_with("# ok") && ring.contains("mode 600"),
        "{ring}"
    );
    assert!(line(&out, "data directory").starts_with("# ok"), "{out}");
    let db = line(&out, "database");
    assert!(
        db.starts_with("# ok") && db.contains("SQLite") && db.contains("migrations applied"),
        "{db}"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".plauder-check")
        })
        .collect();
    assert!(leftovers.is_empty(), "the write probe is removed");
}

#[test]
fn check_reports_postgres_migrations_pending_applied_and_unknown() {
    let pg = PgDatabase::create();
    let env = [("PLAUDER_DATABASE_URL", pg.url.as_str())];
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (code, out) = check(&dir, &env, None);
    let db = line(&out, "database");
    assert_eq!(code, 0, "{out}");
    assert!(
        db.starts_with("# WARN") && db.contains("pending") && db.contains("PostgreSQL"),
        "{db}"
    );
    assert!(
        !db.contains("postgres@"),
        "no user or password in the finding: {db}"
    );
    init(&dir, &env);
    let (code, out) = check(&dir, &env, None);
    assert_eq!(code, 0, "{out}");
    assert!(line(&out, "database").starts_with("# ok"), "{out}");
    let mut conn = PgConnection::establish(&pg.url).unwrap();
    conn.batch_execute(
        "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')",
    )
    .unwrap();
    let (code, out) = check(&dir, &env, None);
    assert_eq!(code, 1, "{out}");
    let db = line(&out, "database");
    assert!(
        db.starts_with("# FAIL") && db.contains("newer plauder") && db.contains("29991231000000"),
        "{db}"
    );
    let unreachable = [(
        "PLAUDER_DATABASE_URL",
        "postgres://nobody:s3cret-pw@127.0.0.1:9/none",
    )];
    let (code, out) = check(&dir, &unreachable, None);
    assert_eq!(code, 1, "{out}");
    let db = line(&out, "database");
    assert!(
        db.starts_with("# FAIL") && !db.contains("s3cret-pw"),
        "{db}"
    );
}

/// A self-signed ECDSA certificate for localhost valid until `not_after`.
fn certificate(dir: &Path, name: &str, not_after: chrono::NaiveDate) -> (String, String) {
    use chrono::Datelike;
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(
        not_after.year(),
        not_after.month() as u8,
        not_after.day() as u8,
    );
    let cert = params.self_signed(&key).unwrap();
    let (cert_path, key_path) = (
        dir.join(format!("{name}.pem")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (
        cert_path.display().to_string(),
        key_path.display().to_string(),
    )
}

#[test]
fn check_judges_certificate_against_key_and_expiry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir, &[]);
    let today = chrono::Utc::now().date_naive();
    let cases = [
        (
            "soon",
            today + chrono::Days::new(10),
            0,
            "# WARN",
            "expires in",
        ),
        (
            "later",
            today + chrono::Days::new(90),
            0,
            "# ok",
            "valid until",
        ),
        (
            "expired",
            today - chrono::Days::new(1),
            1,
            "# FAIL",
            "expired on",
        ),
    ];
    for (name, not_after, expected, level, words) in cases {
        let (cert, key) = certificate(tmp.path(), name, not_after);
        let env = [
            ("PLAUDER_TLS_CERT", cert.as_str()),
            ("PLAUDER_TLS_KEY", key.as_str()),
        ];
        let (code, out) = check(&dir, &env, None);
        let found = line(&out, "certificate");
        assert_eq!(code, expected, "{name}: {out}");
        assert!(
            found.starts_with(level) && found.contains(words),
            "{name}: {found}"
        );
    }
    let (cert, _) = certificate(tmp.path(), "one", today + chrono::Days::new(90));
    let (_, other_key) = certificate(tmp.path(), "two", today + chrono::Days::new(90));
    let env = [
        ("PLAUDER_TLS_CERT", cert.as_str()),
        ("PLAUDER_TLS_KEY", other_key.as_str()),
    ];
    let (code, out) = check(&dir, &env, None);
    assert_eq!(code, 1, "{out}");
    let found = line(&out, "certificate");
    assert!(
        found.starts_with("# FAIL") && found.contains("does not belong"),
        "{found}"
    );
}

#[test]
fn check_fails_on_a_key_ring_others_can_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir, &[]);
    let ring = dir.join("keyring.toml");
    std::fs::set_permissions(&ring, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, out) = check(&dir, &[], None);
    assert_eq!(code, 1, "{out}");
    let found = line(&out, "key ring");
    assert!(
        found.starts_with("# FAIL") && found.contains("chmod 600"),
        "{found}"
    );
    std::fs::set_permissions(&ring, std::fs::Permissions::from_mode(0o600)).unwrap();
    if super::is_root() {
        // Owned by someone other than the data directory's owner: the service may not read it.
        std::os::unix::fs::chown(&ring, Some(65534), None).unwrap();
        let (code, out) = check(&dir, &[], None);
        assert_eq!(code, 0, "{out}");
        let found = line(&out, "key ring");
        assert!(
            found.starts_with("# WARN") && found.contains("chown root:"),
            "{found}"
        );
    }
}

/// Makes a directory unwritable even for root (immutable), or by its mode for anyone else.
struct ReadOnly<'a>(&'a Path);

impl<'a> ReadOnly<'a> {
    fn new(dir: &'a Path) -> Self {
        if super::is_root() {
            let done = std::process::Command::new("chattr")
                .arg("+i")
                .arg(dir)
                .status()
                .unwrap();
            assert!(
                done.success(),
                "chattr +i (needs ext4 or similar under /tmp)"
            );
        } else {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o550)).unwrap();
        }
        Self(dir)
    }
}

impl Drop for ReadOnly<'_> {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(self.0)
            .status();
        let _ = std::fs::set_permissions(self.0, std::fs::Permissions::from_mode(0o750));
    }
}

#[test]
fn check_fails_on_a_data_dir_it_cannot_write() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir, &[]);
    let (code, out) = check(&dir, &[], None);
    assert_eq!(code, 0, "{out}");
    let guard = ReadOnly::new(&dir);
    let (code, out) = check(&dir, &[], None);
    drop(guard);
    assert_eq!(code, 1, "{out}");
    let found = line(&out, "data directory");
    assert!(
        found.starts_with("# FAIL") && found.contains("not writable"),
        "{found}"
    );
}
