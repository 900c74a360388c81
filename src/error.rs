//! The HTTP error type. Policy: a 4xx body says exactly what was wrong; a 500 body is
//! generic and the detail goes to the log only (it may name tables or paths).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("login required")]
    LoginRequired,
    /// The role requires a second factor the account has not set up yet.
    #[error("second factor required")]
    SecondFactorRequired,
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("not found")]
    NotFound,
    #[error("too many requests: {0}")]
    TooMany(String),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<crate::db::DbError> for AppError {
    fn from(e: crate::db::DbError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

impl From<crate::access::Denied> for AppError {
    /// An object outside the actor's scope answers exactly like one that does not exist.
    fn from(e: crate::access::Denied) -> Self {
        if e.hidden() {
            Self::NotFound
        } else {
            Self::Forbidden(e.to_string())
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::LoginRequired | Self::SecondFactorRequired => StatusCode::SEE_OTHER,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let text = |status: StatusCode, body: String| {
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(body)
        };
        match self {
            Self::LoginRequired => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/login"))
                .finish(),
            Self::SecondFactorRequired => HttpResponse::SeeOther()
                .insert_header((header::LOCATION, "/account/second-factor"))
                .finish(),
            Self::Forbidden(m) => text(StatusCode::FORBIDDEN, format!("Forbidden: {m}\n")),
            Self::BadRequest(m) => text(StatusCode::BAD_REQUEST, format!("Bad request: {m}\n")),
            Self::NotFound => text(StatusCode::NOT_FOUND, "Not found\n".into()),
            Self::TooMany(m) => text(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests: {m}\n"),
            ),
            Self::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal server error\n".into(),
                )
            }
        }
    }
}
