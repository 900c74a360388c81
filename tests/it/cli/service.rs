//! `plauder serve` as the systemd unit runs it: readiness notification, SIGHUP reload.

use super::Serve;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn sighup_reloads_the_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let serve = Serve::start(&dir);
    let old = std::fs::read(dir.join("tls/cert.pem")).unwrap();
    std::fs::remove_file(dir.join("tls/cert.pem")).unwrap();
    std::fs::remove_file(dir.join("tls/key.pem")).unwrap();
    plauder::tls::ensure_self_signed(&dir.join("tls/cert.pem"), &dir.join("tls/key.pem")).unwrap();
    assert_ne!(std::fs::read(dir.join("tls/cert.pem")).unwrap(), old);
    Command::new("kill")
        .arg("-HUP")
        .arg(serve.child.id().to_string())
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut reloaded = false;
    while Instant::now() < deadline && !reloaded {
        // The client trusts only the new certificate: it connects once the server uses it.
        reloaded = serve.get(&dir, "/healthz").is_some_and(|r| r.status == 200);
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(reloaded, "server serves the new certificate after SIGHUP");
    let log = serve.stop();
    assert!(log.contains("TLS certificate reloaded"), "{log}");
}

#[test]
fn serve_tells_systemd_when_it_is_ready() {
    let tmp = tempfile::tempdir().unwrap();
    let socket_path = tmp.path().join("notify.sock");
    let socket = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let serve = Serve::start_with_env(
        &tmp.path().join("data"),
        &[("NOTIFY_SOCKET", socket_path.to_str().unwrap())],
    );
    let mut buf = [0u8; 512];
    let n = socket.recv(&mut buf).unwrap();
    let message = String::from_utf8_lossy(&buf[..n]).into_owned();
    serve.stop();
    assert!(message.lines().any(|l| l == "READY=1"), "{message}");
}
