//! Configuration errors and layering, as `plauder check` shows them.

use super::{base_command, text};

fn config_error(file_body: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plauder.toml");
    std::fs::write(&file, file_body).unwrap();
    let mut cmd = base_command();
    cmd.env_remove("PLAUDER_LOG_LEVEL");
    cmd.arg("--config")
        .arg(&file)
        .args(["check", "--config-only"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    let (_, err) = text(&o);
    (o.status.code().unwrap(), err, file.display().to_string())
}

#[test]
fn bad_config_exits_2_naming_file_and_key() {
    let cases = [
        ("[tls]\nprofile = \"weak\"\n", "tls.profile"),
        ("colour = \"blue\"\n", "colour"),
        ("database_url = \"mysql://db/plauder\"\n", "database_url"),
        ("listen = [\"localhost\"]\n", "listen"),
        (
            "[session]\nidle_timeout_minutes = \"soon\"\n",
            "session.idle_timeout_minutes",
        ),
        ("[log]\nlevel = \"loud[\"\n", "log.level"),
    ];
    for (body, key) in cases {
        let (code, err, file) = config_error(body, &[]);
        assert_eq!(code, 2, "{body}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&file) && err.contains(&format!("`{key}`")),
            "{body}: {err}"
        );
    }
    let (code, err, file) = config_error("listen = [\n", &[]);
    assert_eq!(code, 2);
    assert!(err.contains(&file) && err.contains("line"), "{err}");
    let (code, err, _) = config_error("", &[("PLAUDER_TLS_PROFILE", "weak")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("environment") && err.contains("tls.profile"),
        "{err}"
    );
    let o = base_command()
        .args(["--config", "/nonexistent/plauder.toml", "check"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unreadable_tls_files_are_config_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let pem = tmp.path().join("real.pem");
    std::fs::write(&pem, "-----BEGIN CERTIFICATE-----\n").unwrap();
    let (pem, missing, dir) = (
        pem.display().to_string(),
        tmp.path().join("missing.pem").display().to_string(),
        tmp.path().display().to_string(),
    );
    let empty = tmp.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let empty = empty.display().to_string();
    // Running as root (CI) bypasses file modes, so "unreadable" is shown with a directory,
    // which opens but cannot be read, and with an empty file.
    let cases = [
        (&missing, &pem, "tls.cert", &missing, "No such file"),
        (&pem, &dir, "tls.key", &dir, "directory"),
        (&empty, &pem, "tls.cert", &empty, "empty"),
    ];
    for (cert, key, bad_key, path, problem) in cases {
        let body = format!("[tls]\ncert = \"{cert}\"\nkey = \"{key}\"\n");
        let (code, err, file) = config_error(&body, &[]);
        assert_eq!(code, 2, "{body}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        for part in [file.as_str(), &format!("`{bad_key}`"), path, problem] {
            assert!(err.contains(part), "{part} missing in: {err}");
        }
    }
    let (code, err, _) = config_error(
        "",
        &[("PLAUDER_TLS_CERT", &pem), ("PLAUDER_TLS_KEY", &missing)],
    );
    assert_eq!(code, 2, "{err}");
    for part in ["environment", "`tls.key`", &missing, "No such file"] {
        assert!(err.contains(part), "{part} missing in: {err}");
    }
    let (code, err, _) = config_error("", &[("PLAUDER_TLS_CERT", &pem), ("PLAUDER_TLS_KEY", &pem)]);
    assert_eq!(code, 0, "readable files pass the check: {err}");
}

#[test]
fn layers_apply_in_order_and_check_redacts_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plauder.toml");
    std::fs::write(
        &file,
        "listen = [\"127.0.0.1:9001\"]\ndata_dir = \"/from/file\"\n[tls]\nprofile = \"modern\"\n",
    )
    .unwrap();
    let o = base_command()
        .arg("--config")
        .arg(&file)
        .args(["--data-dir", "/from/cli", "check", "--config-only"])
        .env(
            "PLAUDER_DATABASE_URL",
            "postgres://app:topsecret@db.internal/plauder",
        )
        .env("PLAUDER_LISTEN", "127.0.0.1:9002,[::1]:9003")
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(!out.contains("topsecret"), "{out}");
    assert!(
        out.contains("database_url = \"postgres://app:***@db.internal/plauder\""),
        "{out}"
    );
    assert!(
        out.contains("listen = [\"127.0.0.1:9002\", \"[::1]:9003\"]"),
        "env beats file: {out}"
    );
    assert!(
        out.contains("data_dir = \"/from/cli\""),
        "cli beats file: {out}"
    );
    assert!(
        out.contains("profile = \"modern\""),
        "file beats default: {out}"
    );
}
