//! Upload and removal of the widget router's country database (`.mmdb`). The file is read
//! only after the permission check, checked completely (`widget::route_rules::geoip`),
//! and only then replaces the stored one; a refused upload changes nothing.

use super::csrf;
use super::router::list_page;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use crate::widget::route_rules::{GeoError, geoip};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.post(
        "/admin/router/geoip",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        upload,
    );
    r.post(
        "/admin/router/geoip/delete",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        remove,
    );
}

/// Room for the form's other fields and multipart framing around the file.
const FRAMING: usize = 64 * 1024;

/// One part of a `multipart/form-data` body.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    pub name: String,
    pub data: &'a [u8],
}

fn boundary_of(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        let v = v.trim().trim_matches('"');
        (k.trim().eq_ignore_ascii_case("boundary") && (1..=70).contains(&v.len()))
            .then(|| v.to_string())
    })
}

fn part_name(headers: &str) -> Option<String> {
    headers.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        if !k.trim().eq_ignore_ascii_case("content-disposition") {
            return None;
        }
        v.split(';').find_map(|p| {
            let (k, v) = p.trim().split_once('=')?;
            (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
        })
    })
}

/// Splits a multipart body into named parts; None if it is not well formed.
pub fn parse_multipart<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    let boundary = boundary_of(content_type)?;
    let opening = format!("--{boundary}");
    let rest = body.strip_prefix(opening.as_bytes())?;
    let delimiter = regex::bytes::Regex::new(&regex::escape(&format!("\r\n--{boundary}"))).ok()?;
    let mut parts = Vec::new();
    let mut rest = rest;
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        let after_crlf = rest.strip_prefix(b"\r\n")?;
        let end = delimiter.find(after_crlf)?;
        let part = &after_crlf[..end.start()];
        rest = &after_crlf[end.end()..];
        let split = part.windows(4).position(|w| w == b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&part[..split]).ok()?;
        parts.push(Part {
            name: part_name(headers)?,
            data: &part[split + 4..],
        });
    }
}

/// The i18n key of a refused upload and its technical detail (empty when the key says all).
fn refusal(e: &GeoError) -> (&'static str, String) {
    match e {
        GeoError::Empty => ("router.geo.error.empty", String::new()),
        GeoError::TooLarge => ("router.geo.error.too_large", String::new()),
        GeoError::Invalid(detail) => ("router.geo.error.invalid", detail.clone()),
        GeoError::NotCountry(kind) => ("router.geo.error.not_country", kind.clone()),
        GeoError::Io(io) => ("router.geo.error.io", io.to_string()),
    }
}

async fn refused(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    error: (&'static str, String),
) -> Result<HttpResponse, AppError> {
    let view = list_page(req, state, session, None, Some(error)).await?;
    let html = view.render()?;
    Ok(view
        .page
        .respond(HttpResponse::build(StatusCode::BAD_REQUEST), html))
}

async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    let body = match payload.to_bytes_limited(geoip::MAX_BYTES + FRAMING).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => return refused(&req, &state, &session, refusal(&GeoError::TooLarge)).await,
        Err(e) => return Err(AppError::BadRequest(format!("upload interrupted: {e}"))),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let parts = parse_multipart(content_type, &body).ok_or_else(|| {
        AppError::BadRequest("mmdb: expected a multipart/form-data upload".into())
    })?;
    let field = |name: &str| parts.iter().find(|p| p.name == name).map(|p| p.data);
    let token = field("csrf").and_then(|t| std::str::from_utf8(t).ok());
    csrf::verify(&req, Some(&session), token)?;
    let file = field("mmdb").unwrap_or_default().to_vec();
    drop(parts);
    let router = state.widget_router.clone();
    let installed = web::block(move || router.install_geo(file))
        .await
        .map_err(|e| AppError::Internal(format!("blocking pool: {e}")))?;
    match installed {
        Ok(info) => {
            tracing::info!(database_type = %info.database_type, built = %info.built, "country database installed");
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/admin/router?done=geo"))
                .finish())
        }
        Err(e) => refused(&req, &state, &session, refusal(&e)).await,
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

async fn remove(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    body: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let router = state.widget_router.clone();
    web::block(move || router.remove_geo())
        .await
        .map_err(|e| AppError::Internal(format!("blocking pool: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/router?done=geo-removed"))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_found() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n--XyZ\r\nContent-Disposition: form-data; name=\"mmdb\"; filename=\"a.mmdb\"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--X\xab\r\n--XyZ--\r\n";
        let parts = parse_multipart("multipart/form-data; boundary=XyZ", body)
            .unwrap_or_else(|| panic!("parses"));
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].data),
            ("csrf", &b"tok"[..])
        );
        assert_eq!(parts[1].name, "mmdb");
        assert_eq!(parts[1].data, b"\x00\x01\r\n--X\xab");
        assert!(parse_multipart("multipart/form-data; boundary=\"XyZ\"", body).is_some());
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let ct = "multipart/form-data; boundary=XyZ";
        assert!(parse_multipart("text/plain", b"--XyZ--").is_none());
        assert!(parse_multipart(ct, b"garbage").is_none());
        assert!(parse_multipart(ct, b"--XyZ\r\nno headers end").is_none());
        assert!(
            parse_multipart(
                ct,
                b"--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--"
            )
            .is_none(),
            "a part without a name"
        );
        assert_eq!(parse_multipart(ct, b"--XyZ--").map(|p| p.len()), Some(0));
    }
}
