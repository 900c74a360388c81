//! Security headers on every response. Handlers that need another policy (the widget
//! iframe) set their own header, which `DefaultHeaders` leaves alone. Framing is governed
//! by CSP `frame-ancestors` alone: X-Frame-Options cannot express "these sites only".

use actix_web::middleware::DefaultHeaders;

pub const ADMIN_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
object-src 'none'; base-uri 'none'";

pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Strict-Transport-Security", "max-age=31536000"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Content-Security-Policy", ADMIN_CSP))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
