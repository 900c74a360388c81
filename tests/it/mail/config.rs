//! Bad `[mail]` values stop the start with exit 2, naming the key and where it came from;
//! the password is read from its file or the environment and never printed.

use crate::cli::base_command;

fn check(file_body: &str, env: &[(&str, &str)]) -> (i32, String) {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plauder.toml");
    std::fs::write(&file, file_body).unwrap();
    let mut cmd = base_command();
    cmd.arg("--config")
        .arg(&file)
        .args(["check", "--config-only"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code().unwrap(), out)
}

const GOOD: &str = "[mail]\nhost = \"smtp.example.de\"\nsender = \"chat@example.de\"\n";

#[test]
fn bad_mail_values_exit_2_naming_the_key() {
    let cases = [
        ("[mail]\nhost = \"smtp.example.de\"\n", "mail.sender"),
        (
            &format!("{GOOD}starttls = \"none\"\n") as &str,
            "mail.starttls",
        ),
        (&format!("{GOOD}starttls = \"maybe\"\n"), "mail.starttls"),
        (&format!("{GOOD}starttls = \"tls\"\n"), "mail.port"),
        (&format!("{GOOD}port = 70000\n"), "mail.port"),
        (
            "[mail]\nhost = \"smtp.example.de\"\nsender = \"kein Absender\"\n",
            "mail.sender",
        ),
        (
            &format!("{GOOD}ca_file = \"/nonexistent/ca.pem\"\n"),
            "mail.ca_file",
        ),
        (
            &format!("{GOOD}username = \"chat\"\n"),
            "mail.password_file",
        ),
        (
            &format!("{GOOD}password = \"im-klartext\"\n"),
            "mail.password",
        ),
    ];
    for (body, key) in cases {
        let (code, out) = check(body, &[]);
        assert_eq!(code, 2, "{body}: {out}");
        assert!(out.contains(&format!("`{key}`")), "{body}: {out}");
    }
    // A local relay may go without TLS.
    let local = "[mail]\nhost = \"127.0.0.1\"\nport = 25\nstarttls = \"none\"\nsender = \"chat@example.de\"\n";
    assert_eq!(check(local, &[]).0, 0);
}

#[test]
fn password_from_environment_or_file_never_printed() {
    let body = format!("{GOOD}username = \"chat\"\n");
    let (code, out) = check(&body, &[("PLAUDER_MAIL_PASSWORD", "Geheim-aus-env-1")]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Geheim-aus-env-1"));

    let tmp = tempfile::tempdir().unwrap();
    let pw = tmp.path().join("mail-password");
    std::fs::write(&pw, "Geheim-aus-datei-2\n").unwrap();
    let mut perms = std::fs::metadata(&pw).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o600);
    std::fs::set_permissions(&pw, perms.clone()).unwrap();
    let with_file = format!("{body}password_file = \"{}\"\n", pw.display());
    let (code, out) = check(&with_file, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("Geheim-aus-datei-2"));
    let (code, out) = check(&with_file, &[("PLAUDER_MAIL_PASSWORD", "x")]);
    assert_eq!(code, 2);
    assert!(out.contains("not both"), "{out}");
    // Readable by everyone: refused.
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&pw, perms).unwrap();
    let (code, out) = check(&with_file, &[]);
    assert_eq!(code, 2);
    assert!(out.contains("`mail.password_file`"), "{out}");
}
