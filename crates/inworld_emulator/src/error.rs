//! The gRPC-style errors the emulator answers with, in both of Inworld's spellings: a top-level
//! `{"code", "message", "details"}` body on non-200 responses, and `{"error": {...}}` as a line
//! in the middle of a stream.

use std::time::Duration;

use serde_json::json;

/// gRPC status codes used by the emulator.
pub(crate) mod grpc {
    pub const UNKNOWN: i32 = 2;
    pub const INVALID_ARGUMENT: i32 = 3;
    pub const DEADLINE_EXCEEDED: i32 = 4;
    pub const NOT_FOUND: i32 = 5;
    pub const ALREADY_EXISTS: i32 = 6;
    pub const PERMISSION_DENIED: i32 = 7;
    pub const RESOURCE_EXHAUSTED: i32 = 8;
    pub const CANCELLED: i32 = 1;
    pub const UNIMPLEMENTED: i32 = 12;
    pub const INTERNAL: i32 = 13;
    pub const UNAVAILABLE: i32 = 14;
    pub const UNAUTHENTICATED: i32 = 16;
}

/// A refusal: HTTP status, gRPC code and a message a developer can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub http: u16,
    pub code: i32,
    pub message: String,
    pub retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(http: u16, code: i32, message: impl Into<String>) -> Self {
        Self {
            http,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, grpc::INVALID_ARGUMENT, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, grpc::NOT_FOUND, message)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            401,
            grpc::UNAUTHENTICATED,
            "invalid authorization credentials",
        )
    }

    pub fn permission(message: impl Into<String>) -> Self {
        Self::new(403, grpc::PERMISSION_DENIED, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, grpc::INTERNAL, message)
    }

    /// The non-200 body: `{"code", "message", "details": []}`.
    pub fn body(&self) -> Vec<u8> {
        json!({"code": self.code, "message": self.message, "details": []})
            .to_string()
            .into_bytes()
    }
}

/// A mid-stream error line, `\n`-terminated.
pub(crate) fn error_line(code: i32, message: &str) -> Vec<u8> {
    let mut line = json!({"error": {"code": code, "message": message, "details": []}})
        .to_string()
        .into_bytes();
    line.push(b'\n');
    line
}

/// The gRPC code a server would pair with an HTTP status.
pub(crate) fn grpc_code_for(http: u16) -> i32 {
    match http {
        400 => grpc::INVALID_ARGUMENT,
        401 => grpc::UNAUTHENTICATED,
        403 => grpc::PERMISSION_DENIED,
        404 => grpc::NOT_FOUND,
        409 => grpc::ALREADY_EXISTS,
        429 => grpc::RESOURCE_EXHAUSTED,
        499 => grpc::CANCELLED,
        501 => grpc::UNIMPLEMENTED,
        503 => grpc::UNAVAILABLE,
        504 => grpc::DEADLINE_EXCEEDED,
        500..=599 => grpc::INTERNAL,
        _ => grpc::UNKNOWN,
    }
}
