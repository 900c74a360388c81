//! `keys export` / `keys import`: the ring round-trips under a passphrase; a wrong
//! passphrase, a short one and replacing a different ring without --force are refused.

use super::{out, run};

#[test]
fn key_ring_export_import_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    assert!(run(&dir, None, &["init"]).status.success());
    let phrase = tmp.path().join("phrase");
    std::fs::write(&phrase, "Kaffeetasse und Mondlicht 42\n").unwrap();
    let export = tmp.path().join("ring.export");
    let e = run(
        &dir,
        None,
        &[
            "keys",
            "export",
            "--to",
            export.to_str().unwrap(),
            "--passphrase-file",
            phrase.to_str().unwrap(),
        ],
    );
    assert!(e.status.success(), "{}", out(&e));
    assert!(out(&e).contains("apart from the backups"), "{}", out(&e));
    let ring_text = std::fs::read_to_string(dir.join("keyring.toml")).unwrap();
    let sealed = std::fs::read(&export).unwrap();
    let master = ring_text
        .lines()
        .find_map(|l| l.strip_prefix("master = "))
        .unwrap()
        .trim_matches('"')
        .to_string();
    assert!(
        !sealed.windows(master.len()).any(|w| w == master.as_bytes()),
        "the export is encrypted"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&export).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // Into an empty data dir: the same ring.
    let other = tmp.path().join("other");
    let i = run(
        &other,
        None,
        &[
            "keys",
            "import",
            "--from",
            export.to_str().unwrap(),
            "--passphrase-file",
            phrase.to_str().unwrap(),
        ],
    );
    assert!(i.status.success(), "{}", out(&i));
    assert_eq!(
        std::fs::read_to_string(other.join("keyring.toml")).unwrap(),
        ring_text
    );
    let show = |d: &std::path::Path| out(&run(d, None, &["keys", "show"]));
    assert_eq!(show(&dir), show(&other));

    // Wrong passphrase: refused, nothing written.
    let wrong = tmp.path().join("wrong");
    std::fs::write(&wrong, "Kaffeetasse und Mondlicht 43\n").unwrap();
    let third = tmp.path().join("third");
    let w = run(
        &third,
        None,
        &[
            "keys",
            "import",
            "--from",
            export.to_str().unwrap(),
            "--passphrase-file",
            wrong.to_str().unwrap(),
        ],
    );
    assert_eq!(w.status.code(), Some(1), "{}", out(&w));
    assert!(out(&w).contains("wrong passphrase"), "{}", out(&w));
    assert!(!third.join("keyring.toml").exists());

    // A different ring in place: refused without --force, replaced (old kept) with it.
    let fresh = tmp.path().join("fresh");
    assert!(run(&fresh, None, &["init"]).status.success());
    let args = |force: bool| {
        let mut v = vec![
            "keys",
            "import",
            "--from",
            export.to_str().unwrap(),
            "--passphrase-file",
            phrase.to_str().unwrap(),
        ];
        if force {
            v.push("--force");
        }
        v
    };
    let refused = run(&fresh, None, &args(false));
    assert_eq!(refused.status.code(), Some(1), "{}", out(&refused));
    assert!(
        out(&refused).contains("different key ring"),
        "{}",
        out(&refused)
    );
    assert_ne!(
        std::fs::read_to_string(fresh.join("keyring.toml")).unwrap(),
        ring_text
    );
    let forced = run(&fresh, None, &args(true));
    assert!(forced.status.success(), "{}", out(&forced));
    assert_eq!(
        std::fs::read_to_string(fresh.join("keyring.toml")).unwrap(),
        ring_text
    );

    // Too short: a usage error.
    let short = tmp.path().join("short");
    std::fs::write(&short, "kurz\n").unwrap();
    let s = run(
        &dir,
        None,
        &[
            "keys",
            "export",
            "--to",
            tmp.path().join("x").to_str().unwrap(),
            "--passphrase-file",
            short.to_str().unwrap(),
        ],
    );
    assert_eq!(s.status.code(), Some(2), "{}", out(&s));
}
