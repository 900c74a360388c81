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

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(f) = forwarded {
            r = r.insert_header(("X-Forwarded-For", f));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let spoofed = req("192.0.2.7:5000", Some("203.0.113.9"));
        assert_eq!(
            client_addr(&spoofed, &[proxy]),
            Some("192.0.2.7".parse().unwrap())
        );
        let proxied = req("10.0.0.2:5000", Some("198.51.100.1, 203.0.113.9, 10.0.0.2"));
        assert_eq!(
            client_addr(&proxied, &[proxy]),
            Some("203.0.113.9".parse().unwrap())
        );
        let mapped = req("[::ffff:192.0.2.8]:5000", None);
        assert_eq!(
            client_addr(&mapped, &[]),
            Some("192.0.2.8".parse().unwrap())
        );
    }
}
