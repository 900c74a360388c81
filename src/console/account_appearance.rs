//! How an operator appears to visitors, as a form: full name, what is shown (full name,
//! first name, alias), the avatar (none, a stock picture or an upload). Uploads are PNG or
//! JPEG only, decoded within limits and re-encoded as a fresh PNG, which leaves every byte
//! of metadata (EXIF with GPS, comments, ICC profiles) behind; SVG is refused (it can carry
//! script). Used by the own account page and by admins for others.
//! Never stores an upload as it came.

use super::router_geoip::parse_multipart;
use crate::db::operator_profiles::{
    self, Avatar, MAX_ALIAS_CHARS, MAX_NAME_CHARS, Profile, ShownAs,
};
use crate::error::AppError;
use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web;

/// Largest accepted upload; phone photos fit, anything bigger is refused before decoding.
pub const MAX_UPLOAD: usize = 8 * 1024 * 1024;
/// Side of the stored square picture.
pub const AVATAR_PX: u32 = 192;
const FRAMING: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    #[error("SVG pictures are refused: they can contain scripts; upload a PNG or JPEG")]
    Svg,
    #[error("only PNG and JPEG pictures are accepted")]
    NotPicture,
    #[error("the picture is larger than 8 MB or 8000 pixels")]
    TooLarge,
    #[error("the picture could not be read")]
    Undecodable,
}

impl PictureError {
    pub fn i18n_key(self) -> &'static str {
        match self {
            Self::Svg => "account.avatar.error.svg",
            Self::NotPicture => "account.avatar.error.type",
            Self::TooLarge => "account.avatar.error.size",
            Self::Undecodable => "account.avatar.error.broken",
        }
    }
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    head.starts_with('<') && (head.contains("<svg") || head.starts_with("<?xml"))
}

/// Decodes a PNG or JPEG (by its magic bytes, never by a name or a claimed type), turns it
/// upright, crops the centre square, scales it to `AVATAR_PX` and encodes a new PNG.
pub fn reencode(bytes: &[u8]) -> Result<Vec<u8>, PictureError> {
    use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
    if bytes.len() > MAX_UPLOAD {
        return Err(PictureError::TooLarge);
    }
    let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        ImageFormat::Png
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ImageFormat::Jpeg
    } else if looks_like_svg(bytes) {
        return Err(PictureError::Svg);
    } else {
        return Err(PictureError::NotPicture);
    };
    let mut reader = ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(8000);
    limits.max_image_height = Some(8000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| PictureError::Undecodable)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => PictureError::TooLarge,
        _ => PictureError::Undecodable,
    })?;
    picture.apply_orientation(orientation);
    let square = picture
        .resize_to_fill(AVATAR_PX, AVATAR_PX, image::imageops::FilterType::Lanczos3)
        .to_rgba8();
    let mut out = std::io::Cursor::new(Vec::new());
    square
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|_| PictureError::Undecodable)?;
    Ok(out.into_inner())
}

/// The form as typed, for showing it again with errors.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub full_name: String,
    pub shown_as: String,
    pub alias: String,
    /// `none`, `stock:NAME` or `upload`.
    pub avatar: String,
}

impl Input {
    pub fn of(profile: &Profile) -> Self {
        Self {
            full_name: profile.full_name.clone().unwrap_or_default(),
            shown_as: profile.shown_as.as_str().to_string(),
            alias: profile.alias.clone().unwrap_or_default(),
            avatar: match &profile.avatar {
                Avatar::None => "none".into(),
                Avatar::Stock(name) => format!("stock:{name}"),
                Avatar::Upload { .. } => "upload".into(),
            },
        }
    }
}

/// A field and the i18n key of what is wrong with it.
pub type FieldErrors = Vec<(&'static str, &'static str)>;

/// Reads the multipart form (CSRF token, fields and the optional picture).
pub struct Submitted {
    pub csrf: Option<String>,
    pub input: Input,
    pub picture: Option<Vec<u8>>,
}

pub async fn read_form(req: &HttpRequest, payload: web::Payload) -> Result<Submitted, AppError> {
    let body = match payload.to_bytes_limited(MAX_UPLOAD + FRAMING).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return Err(AppError::BadRequest("picture: larger than 8 MB".into()));
        }
        Err(e) => return Err(AppError::BadRequest(format!("upload interrupted: {e}"))),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let parts = parse_multipart(content_type, &body)
        .ok_or_else(|| AppError::BadRequest("expected a multipart/form-data form".into()))?;
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| String::from_utf8_lossy(p.data).into_owned())
    };
    Ok(Submitted {
        csrf: text("csrf"),
        input: Input {
            full_name: text("full_name").unwrap_or_default(),
            shown_as: text("shown_as").unwrap_or_default(),
            alias: text("alias").unwrap_or_default(),
            avatar: text("avatar").unwrap_or_default(),
        },
        picture: parts
            .iter()
            .find(|p| p.name == "picture" && !p.data.is_empty())
            .map(|p| p.data.to_vec()),
    })
}

fn clean(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Checks the form against the stored profile; the new profile and the re-encoded upload,
/// or every field error at once.
pub fn validate(
    input: &Input,
    picture: Option<&[u8]>,
    current: &Profile,
) -> Result<(Profile, Option<Vec<u8>>), FieldErrors> {
    let mut errors = FieldErrors::new();
    let full_name = clean(&input.full_name);
    let alias = clean(&input.alias);
    let bad_text = |t: &Option<String>, max: usize| {
        t.as_ref()
            .is_some_and(|t| t.chars().count() > max || t.chars().any(char::is_control))
    };
    if bad_text(&full_name, MAX_NAME_CHARS) {
        errors.push(("full_name", "account.appearance.error.name"));
    }
    if bad_text(&alias, MAX_ALIAS_CHARS) {
        errors.push(("alias", "account.appearance.error.alias"));
    }
    let shown_as = ShownAs::parse(&input.shown_as);
    match shown_as {
        None => errors.push(("shown_as", "account.appearance.error.shown_as")),
        Some(ShownAs::Alias) if alias.is_none() => {
            errors.push(("alias", "account.appearance.error.alias_missing"));
        }
        _ => {}
    }
    let upload = match picture.map(reencode) {
        Some(Ok(png)) => Some(png),
        Some(Err(e)) => {
            errors.push(("picture", e.i18n_key()));
            None
        }
        None => None,
    };
    let avatar = if upload.is_some() {
        Some(Avatar::Upload { key: String::new() })
    } else if input.avatar == "none" {
        Some(Avatar::None)
    } else if input.avatar == "upload" {
        match &current.avatar {
            Avatar::Upload { key } => Some(Avatar::Upload { key: key.clone() }),
            _ => None,
        }
    } else {
        input
            .avatar
            .strip_prefix("stock:")
            .and_then(operator_profiles::stock)
            .map(Avatar::Stock)
    };
    if avatar.is_none() && !errors.iter().any(|(f, _)| *f == "picture") {
        errors.push(("avatar", "account.avatar.error.choice"));
    }
    match (shown_as, avatar, errors.is_empty()) {
        (Some(shown_as), Some(avatar), true) => Ok((
            Profile {
                full_name,
                shown_as,
                alias,
                avatar,
            },
            upload,
        )),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn svg_and_other_files_are_refused_before_decoding() {
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(reencode(svg), Err(PictureError::Svg));
        assert_eq!(reencode(b"  <svg onload=alert(1)>"), Err(PictureError::Svg));
        assert_eq!(reencode(b"GIF89a...."), Err(PictureError::NotPicture));
        assert_eq!(
            reencode(b"\x89PNG\r\n\x1a\ngarbage"),
            Err(PictureError::Undecodable)
        );
    }

    #[test]
    fn an_alias_is_needed_to_show_one() {
        let input = Input {
            full_name: "Anna Schmidt".into(),
            shown_as: "alias".into(),
            alias: " ".into(),
            avatar: "stock:leaf".into(),
        };
        let errors = validate(&input, None, &Profile::default()).unwrap_err();
        assert_eq!(
            errors,
            vec![("alias", "account.appearance.error.alias_missing")]
        );
        let ok = Input {
            alias: "Kiwi".into(),
            ..input
        };
        let (profile, upload) = validate(&ok, None, &Profile::default()).unwrap();
        assert_eq!(profile.shown_name().as_deref(), Some("Kiwi"));
        assert_eq!(profile.avatar, Avatar::Stock("leaf"));
        assert!(upload.is_none());
    }
}
