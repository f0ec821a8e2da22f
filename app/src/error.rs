//! The one place that maps errors to what the user sees and to HTTP statuses.
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// An error as it crosses from the server to the browser: safe to show, no internals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("Please log in.")]
    Unauthenticated,
    /// Logged in, but the role does not allow this.
    #[error("Your role ({role}) cannot {action}.")]
    Forbidden {
        /// The caller's role.
        role: String,
        /// What was attempted, e.g. "create campaigns".
        action: String,
    },
    /// A workflow rule forbids this (e.g. approving one's own request).
    #[error("{0}")]
    NotAllowed(String),
    /// The object does not exist.
    #[error("{0} was not found.")]
    NotFound(String),
    /// A field of the request is invalid.
    #[error("{field}: {message}")]
    Invalid {
        /// The field, as named in the form.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// The request conflicts with existing data.
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts.
    #[error("{0}")]
    RateLimited(String),
    /// Something failed on the server; details are in the server log.
    #[error("Something went wrong on the server ({0}). The details are in the server log.")]
    Internal(String),
    /// The request or response could not be carried (network, encoding).
    #[error("Request failed: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden { .. } | AppError::NotAllowed(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict(_) => 409,
            AppError::RateLimited(_) => 429,
            AppError::Internal(_) => 500,
            AppError::Transport(_) => 400,
        }
    }

    /// Shorthand for an invalid field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<redress_store::StoreError> for AppError {
    fn from(err: redress_store::StoreError) -> Self {
        use redress_store::StoreError as E;
        let app = match err {
            E::NotFound { what } => AppError::NotFound(what),
            E::Conflict(msg) => AppError::Conflict(msg),
            E::Invalid { field, message } => AppError::Invalid {
                field: field.into(),
                message,
            },
            E::InvalidCredentials => AppError::Invalid {
                field: "password".into(),
                message: "wrong e-mail or password".into(),
            },
            E::NotAllowed(msg) => AppError::NotAllowed(msg),
            E::Import { message, .. } => AppError::Invalid {
                field: "file".into(),
                message,
            },
            other => {
                let id = crate::ssr::log_internal(&other);
                AppError::Internal(id)
            }
        };
        crate::ssr::set_status(app.status());
        app
    }
}

/// REST handlers answer errors with the same status and message as server fns:
/// `{"error": "…"}` with [`AppError::status`].
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (
            status,
            axum::Json(ErrorBody {
                error: self.to_string(),
            }),
        )
            .into_response();
        if status == axum::http::StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The JSON body of an error answer.
#[cfg(feature = "ssr")]
#[derive(Serialize)]
struct ErrorBody {
    error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_client_or_server_status() {
        let all = [
            AppError::Unauthenticated,
            AppError::Forbidden {
                role: "manager".into(),
                action: "x".into(),
            },
            AppError::NotAllowed("x".into()),
            AppError::NotFound("x".into()),
            AppError::invalid("f", "m"),
            AppError::Conflict("x".into()),
            AppError::RateLimited("x".into()),
            AppError::Internal("x".into()),
            AppError::Transport("x".into()),
        ];
        for e in all {
            assert!((400..600).contains(&e.status()), "{e:?}");
        }
        assert_eq!(AppError::Unauthenticated.status(), 401);
        assert_eq!(
            AppError::Forbidden {
                role: "m".into(),
                action: "a".into()
            }
            .status(),
            403
        );
    }
}
