//! The operator as visitors see them: the name and avatar of `db::operator_profiles::
//! shown_to_visitors` (the one function that decides it; never the real name when an alias
//! is set), and the avatar pictures. Stock avatars are shipped SVGs; uploads are PNGs the
//! server re-encoded, served under a random key that changes with every upload.
//! Never imports staff code; never serves anything but those pictures.

use crate::crypto::KeyRing;
use crate::db::operator_profiles::{self, ShownOperator};
use crate::db::staff::StaffId;
use crate::db::{DbConn, DbResult};
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use std::collections::HashMap;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/widget/avatar/stock/{name}.svg",
        Rule::Public,
        stock_avatar,
    );
    r.get("/widget/avatar/{key}.png", Rule::Public, uploaded_avatar);
}

/// Looks operators up once per batch of frames (a resume may deliver many replies).
#[derive(Default)]
pub struct ShownCache(HashMap<StaffId, ShownOperator>);

impl ShownCache {
    pub fn get(
        &mut self,
        conn: &mut DbConn,
        ring: &KeyRing,
        staff: StaffId,
    ) -> DbResult<ShownOperator> {
        if let Some(shown) = self.0.get(&staff) {
            return Ok(shown.clone());
        }
        let shown = operator_profiles::shown_to_visitors(conn, ring, staff)?;
        self.0.insert(staff, shown.clone());
        Ok(shown)
    }
}

fn stock_svg(name: &str) -> Option<&'static str> {
    Some(match name {
        "sun" => include_str!("../../templates/widget/avatars/sun.svg"),
        "leaf" => include_str!("../../templates/widget/avatars/leaf.svg"),
        "wave" => include_str!("../../templates/widget/avatars/wave.svg"),
        "star" => include_str!("../../templates/widget/avatars/star.svg"),
        "cloud" => include_str!("../../templates/widget/avatars/cloud.svg"),
        "heart" => include_str!("../../templates/widget/avatars/heart.svg"),
        _ => return None,
    })
}

fn picture(
    content_type: &'static str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        // A picture is fetched by the chat iframe, on the widget's origin (plauder's own).
        .insert_header(("Cross-Origin-Resource-Policy", "same-origin"))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}

async fn stock_avatar(name: web::Path<String>) -> HttpResponse {
    match stock_svg(&name) {
        Some(svg) => picture("image/svg+xml", svg),
        None => HttpResponse::NotFound().finish(),
    }
}

async fn uploaded_avatar(
    state: web::Data<AppState>,
    key: web::Path<String>,
) -> Result<HttpResponse, crate::error::AppError> {
    let key = key.into_inner();
    if !operator_profiles::valid_avatar_key(&key) {
        return Err(crate::error::AppError::NotFound);
    }
    let png = state
        .blocking(move |conn, st| operator_profiles::avatar_png(conn, &st.ring, &key))
        .await?;
    png.map(|bytes| picture("image/png", bytes))
        .ok_or(crate::error::AppError::NotFound)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_stock_avatar_is_shipped() {
        for name in crate::db::operator_profiles::STOCK {
            let svg = super::stock_svg(name).unwrap_or_default();
            assert!(
                svg.starts_with("<svg") && !svg.contains("<script"),
                "{name}"
            );
        }
    }
}
