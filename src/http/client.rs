//! The client's address: the peer, or the X-Forwarded-For entry a trusted proxy added.

use actix_web::HttpRequest;
use std::net::IpAddr;

pub fn client_addr(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip().to_canonical();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req.headers().get("x-forwarded-for")?.to_str().ok()?;
    // Walk from the right: the last entry not added by one of our proxies is the client.
    forwarded
        .rsplit(',')
        .filter_map(|s| s.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .find(|ip| !trusted.contains(ip))
        .or(Some(peer))
}
