//! First start and `init`: the admin password shown once and never logged, the key ring
//! and its file mode.

use super::{Serve, run, text};

#[test]
fn first_start_sets_up_and_prints_the_password_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let first = Serve::start(&dir);
    let output = first.stop();
    let password = output
        .lines()
        .find_map(|l| l.trim().strip_prefix("password: "))
        .expect("first start prints the admin password")
        .to_string();
    assert_eq!(
        output.matches(&password).count(),
        1,
        "printed once, never logged: {output}"
    );
    use std::os::unix::fs::PermissionsExt;
    let ring = dir.join("keyring.toml");
    assert_eq!(
        std::fs::metadata(&ring).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(dir.join("plauder.db").exists() && dir.join("tls/cert.pem").exists());
    let ring_before = std::fs::read(&ring).unwrap();
    let cert_before = std::fs::read(dir.join("tls/cert.pem")).unwrap();

    let second = Serve::start_with_env(&dir, &[("PLAUDER_LOG_FORMAT", "json")]);
    let mut c = crate::support::client::Client::new(
        format!("127.0.0.1:{}", second.port).parse().unwrap(),
        crate::support::client::tls_config(
            &rustls::pki_types::pem::PemObject::from_pem_slice(&cert_before).unwrap(),
            rustls::crypto::ring::default_provider(),
            rustls::ALL_VERSIONS,
        ),
    );
    let csrf = c.get("/login").csrf();
    let r = c.post(
        "/login",
        &[
            ("username", "admin"),
            ("password", &password),
            ("csrf", &csrf),
        ],
    );
    assert_eq!(r.status, 303, "the printed password signs in");
    // Personal data in a query string or a form must not reach the request log.
    c.cookies.clear();
    c.get("/login?email=leak-8812@example.de");
    let csrf = c.get("/login").csrf();
    c.post(
        "/login",
        &[
            ("username", "logleak-user"),
            ("password", "wrong-password-x"),
            ("csrf", &csrf),
        ],
    );
    let output = second.stop();
    assert!(
        !output.contains("password:"),
        "second start prints no password: {output}"
    );
    let requests: Vec<&str> = output
        .lines()
        .filter(|l| l.contains("\"request\""))
        .collect();
    assert!(requests.len() >= 4, "JSON request log lines: {output}");
    for line in &requests {
        assert!(
            line.starts_with('{') && line.contains("\"status\":"),
            "{line}"
        );
        assert!(!line.contains("127.0.0.1"), "no client address: {line}");
    }
    assert!(
        output.contains("\"path\":\"/login\""),
        "the probe sees request paths: {output}"
    );
    for secret in [
        "leak-8812",
        "logleak-user",
        "wrong-password-x",
        password.as_str(),
    ] {
        assert!(
            !output.contains(secret),
            "{secret} leaked into the log: {output}"
        );
    }
    assert_eq!(
        std::fs::read(&ring).unwrap(),
        ring_before,
        "key ring reused"
    );
    assert_eq!(
        std::fs::read(dir.join("tls/cert.pem")).unwrap(),
        cert_before,
        "certificate reused"
    );
}

#[test]
fn init_writes_the_password_to_a_root_only_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let file = tmp.path().join("admin-password");
    let o = run(
        &dir,
        &["init", "--admin-password-file", file.to_str().unwrap()],
        None,
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let secret = std::fs::read_to_string(&file).unwrap();
    let password = secret
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .unwrap();
    assert!(!out.contains(password) && !err.contains(password));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let again = run(&dir, &["init"], None);
    assert!(!text(&again).0.contains("password"));
}

#[test]
fn key_ring_readable_by_others_refuses_to_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    assert!(run(&dir, &["init"], None).status.success());
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        dir.join("keyring.toml"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let o = run(&dir, &["--listen", "127.0.0.1:0", "serve"], None);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("chmod 600"), "{:?}", text(&o));
}
