//! Errors of the Inworld client: one enum, each variant a sentence a user can act on.

use std::fmt;
use std::time::Duration;

/// What Inworld (or the network in between) said when a request failed.
///
/// `status` is the HTTP status for errors before the stream started and `None` for an error line
/// sent mid-stream; `code` is the gRPC-style code from the error body, when there was one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiFailure {
    /// HTTP status, when the error came as a non-200 response.
    pub status: Option<u16>,
    /// gRPC code from the body (3 INVALID_ARGUMENT, 5 NOT_FOUND, 8 RESOURCE_EXHAUSTED, ...).
    pub code: Option<i32>,
    /// The server's message, verbatim.
    pub message: String,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.status, self.code) {
            (Some(status), Some(code)) => write!(f, "HTTP {status}, code {code}")?,
            (Some(status), None) => write!(f, "HTTP {status}")?,
            (None, Some(code)) => write!(f, "mid-stream, code {code}")?,
            (None, None) => write!(f, "no status")?,
        }
        if self.message.is_empty() {
            Ok(())
        } else {
            write!(f, ": {}", self.message)
        }
    }
}

/// gRPC status codes Inworld uses in error bodies.
pub mod grpc {
    /// The request was cancelled.
    pub const CANCELLED: i32 = 1;
    /// The request is malformed or out of range.
    pub const INVALID_ARGUMENT: i32 = 3;
    /// The deadline passed on the server.
    pub const DEADLINE_EXCEEDED: i32 = 4;
    /// An unknown voice, model or resource.
    pub const NOT_FOUND: i32 = 5;
    /// The credentials are valid but not allowed to do this.
    pub const PERMISSION_DENIED: i32 = 7;
    /// Rate limit or quota.
    pub const RESOURCE_EXHAUSTED: i32 = 8;
    /// Out of range (treated like an invalid argument).
    pub const OUT_OF_RANGE: i32 = 11;
    /// Server-side failure.
    pub const INTERNAL: i32 = 13;
    /// The service is temporarily unavailable.
    pub const UNAVAILABLE: i32 = 14;
    /// Missing or wrong credentials.
    pub const UNAUTHENTICATED: i32 = 16;
}

/// Everything that can go wrong talking to Inworld.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InworldError {
    /// The request was refused before sending: the server would reject it.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client is misconfigured (missing key, unusable base URL).
    #[error("Inworld client configuration: {0}")]
    Config(String),
    /// The credentials were refused.
    #[error(
        "Inworld rejected the credentials ({0}). Check INWORLD_API_KEY: it must be the Base64 \
         key from the Inworld portal, sent as it is, or a valid Bearer token"
    )]
    Unauthenticated(ApiFailure),
    /// The credentials are valid but lack permission.
    #[error("Inworld refused the request: this key is not allowed to do it ({0})")]
    PermissionDenied(ApiFailure),
    /// An unknown voice, model or resource.
    #[error("Inworld has no such voice, model or resource ({0}); list voices with the Voices API")]
    NotFound(ApiFailure),
    /// The server rejected the request's content.
    #[error("Inworld rejected the request as invalid ({0})")]
    InvalidArgument(ApiFailure),
    /// Rate limit or quota; `retry_after` is the server's hint when it gave one.
    #[error("Inworld is rate limiting this key ({failure}){}", retry_hint(.retry_after))]
    RateLimited {
        /// What the server said.
        failure: ApiFailure,
        /// The server's `Retry-After`, when present.
        retry_after: Option<Duration>,
    },
    /// A server-side failure (5xx, or codes INTERNAL/UNAVAILABLE/...).
    #[error("Inworld failed on its side ({0}); this is usually temporary")]
    Server(ApiFailure),
    /// The connection could not be made or broke.
    #[error("network error talking to Inworld: {0}")]
    Network(String),
    /// No data arrived in time.
    #[error("Inworld did not answer in time: {0}")]
    Timeout(String),
    /// The game's [`TokenProvider`](super::TokenProvider) gave no token.
    #[error(
        "no Bearer token for Inworld: the token provider (usually the game's own backend) \
         failed: {0}"
    )]
    TokenProvider(String),
    /// The response could not be decoded (malformed line, bad base64, bad WAV header, ...).
    #[error("Inworld sent a response this client cannot decode: {0}")]
    Protocol(String),
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("; retry after {:.1} s", d.as_secs_f64()),
        None => String::new(),
    }
}

impl InworldError {
    /// Classifies an error reported by the server, by gRPC code first and HTTP status second.
    pub fn from_api(failure: ApiFailure, retry_after: Option<Duration>) -> Self {
        use grpc::*;
        match (failure.code, failure.status) {
            (Some(UNAUTHENTICATED), _) | (None, Some(401)) => Self::Unauthenticated(failure),
            (Some(PERMISSION_DENIED), _) | (None, Some(403)) => Self::PermissionDenied(failure),
            (Some(NOT_FOUND), _) | (None, Some(404)) => Self::NotFound(failure),
            (Some(INVALID_ARGUMENT | OUT_OF_RANGE), _) | (None, Some(400 | 413 | 422)) => {
                Self::InvalidArgument(failure)
            }
            (Some(RESOURCE_EXHAUSTED), _) | (None, Some(429)) => Self::RateLimited {
                failure,
                retry_after,
            },
            (_, Some(429)) => Self::RateLimited {
                failure,
                retry_after,
            },
            (_, Some(401)) => Self::Unauthenticated(failure),
            (_, Some(403)) => Self::PermissionDenied(failure),
            (_, Some(404)) => Self::NotFound(failure),
            (_, Some(400..=499)) => Self::InvalidArgument(failure),
            _ => Self::Server(failure),
        }
    }

    /// Whether trying the same request again may succeed (rate limits, server errors, network).
    ///
    /// The client only retries when no audio of the request has been delivered yet.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } | Self::Network(_) | Self::TokenProvider(_) => true,
            Self::Server(f) => !matches!(f.code, Some(grpc::CANCELLED)),
            _ => false,
        }
    }

    /// The HTTP status, when the error came from a non-200 response.
    pub fn http_status(&self) -> Option<u16> {
        self.api_failure().and_then(|f| f.status)
    }

    /// The gRPC code from the error body, when there was one.
    pub fn grpc_code(&self) -> Option<i32> {
        self.api_failure().and_then(|f| f.code)
    }

    /// What the server said, for errors the server reported.
    pub fn api_failure(&self) -> Option<&ApiFailure> {
        match self {
            Self::Unauthenticated(f)
            | Self::PermissionDenied(f)
            | Self::NotFound(f)
            | Self::InvalidArgument(f)
            | Self::Server(f)
            | Self::RateLimited { failure: f, .. } => Some(f),
            _ => None,
        }
    }

    /// The server's retry hint (rate limits only).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Result alias for the Inworld client.
pub type Result<T, E = InworldError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(status: Option<u16>, code: Option<i32>) -> ApiFailure {
        ApiFailure {
            status,
            code,
            message: "m".into(),
        }
    }

    #[test]
    fn classification_prefers_the_grpc_code() {
        let e = InworldError::from_api(failure(Some(400), Some(grpc::NOT_FOUND)), None);
        assert!(matches!(e, InworldError::NotFound(_)));
        let e = InworldError::from_api(failure(None, Some(grpc::UNAUTHENTICATED)), None);
        assert!(matches!(e, InworldError::Unauthenticated(_)));
        let e = InworldError::from_api(failure(Some(503), None), None);
        assert!(matches!(e, InworldError::Server(_)) && e.is_retryable());
        let e = InworldError::from_api(failure(Some(429), None), Some(Duration::from_secs(2)));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(2)));
        assert!(e.is_retryable());
        assert!(e.to_string().contains("retry after 2.0 s"));
        let e = InworldError::from_api(failure(Some(401), Some(16)), None);
        assert!(!e.is_retryable());
        assert!(e.to_string().contains("HTTP 401, code 16: m"));
    }
}
