//! systemd readiness without libsystemd: one datagram to `$NOTIFY_SOCKET` (see sd_notify(3)),
//! so the unit can be `Type=notify` and `systemctl start` (and units ordered after plauder)
//! wait until the HTTPS listeners are bound, not merely until the process exists.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// Sends `state` (e.g. "READY=1") when started by systemd; elsewhere does nothing.
pub fn notify(state: &str) {
    let Some(socket) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    // Not fatal: the service works, systemd would only time the start out.
    if let Err(e) = send(&socket, state) {
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

fn send(socket: &OsStr, state: &str) -> std::io::Result<()> {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixDatagram};
    // A leading '@' names a socket in the abstract namespace.
    let addr = match socket.as_bytes().strip_prefix(b"@") {
        Some(name) => SocketAddr::from_abstract_name(name)?,
        None => SocketAddr::from_pathname(socket)?,
    };
    UnixDatagram::unbound()?.send_to_addr(state.as_bytes(), &addr)?;
    Ok(())
}
