//! The loader every customer page downloads, `/widget.js`, stays small: at most 10 KiB
//! gzipped, measured on what the running server sends. Prints the figures.

use crate::support::{Db, TestServer};
use std::io::Write;
use std::process::{Command, Stdio};

const BUDGET: usize = 10 * 1024;

/// Gzipped size with the system `gzip` (no compression crate in the tree).
fn gzipped(level: &str, bytes: &[u8]) -> usize {
    let mut child = Command::new("gzip")
        .args([level, "-c", "-n"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the gzip command");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(bytes).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout.len()
}

#[test]
fn widget_js_is_at_most_10_kib_gzipped() {
    let server = TestServer::start(Db::Sqlite);
    let mut c = server.client();
    let r = c.get("/widget.js");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/javascript")),
        "{:?}",
        r.headers
    );
    assert!(r.body.contains("data-widget"), "the loader itself");
    let raw = r.body.len();
    // Level 1 is what servers like nginx use by default: the largest likely transfer.
    let (fast, best) = (
        gzipped("-1", r.body.as_bytes()),
        gzipped("-9", r.body.as_bytes()),
    );
    assert!(best > 0 && best < raw, "gzip ran: {best} of {raw} bytes");
    println!(
        "widget.js: {raw} bytes, gzipped {fast} bytes (level 1), {best} bytes (level 9); budget {BUDGET}"
    );

    // For the record: what opening the chat adds (iframe page, script, style).
    let w = crate::visitor::widget(&server, false);
    let mut chat = 0;
    for path in [
        format!("/w/{w}"),
        "/static/widget-chat.js".into(),
        "/static/widget-chat.css".into(),
    ] {
        let r = c.get(&path);
        assert_eq!(r.status, 200, "{path}");
        chat += gzipped("-1", r.body.as_bytes());
    }
    println!("chat iframe on open: {chat} bytes gzipped (level 1)");
    assert!(
        fast <= BUDGET,
        "widget.js is {fast} bytes gzipped, over the {BUDGET}-byte budget"
    );
}
