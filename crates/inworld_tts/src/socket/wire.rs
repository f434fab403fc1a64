//! The JSON messages of the WebSocket protocol: what a context sends, and what the server
//! answers.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ApiFailure;
use crate::wire::{ErrorBody, SynthesisResult};

/// A client message of a context, kept until the server has answered it (for reconnects).
#[derive(Clone, Debug)]
pub(super) enum Outgoing {
    Text { text: String, flush: bool },
    Flush,
    Close,
}

impl Outgoing {
    pub(super) fn to_json(&self, id: &str) -> Value {
        match self {
            Outgoing::Text { text, flush: false } => {
                json!({"contextId": id, "send_text": {"text": text}})
            }
            Outgoing::Text { text, flush: true } => {
                json!({"contextId": id, "send_text": {"text": text, "flush_context": {}}})
            }
            Outgoing::Flush => json!({"contextId": id, "flush_context": {}}),
            Outgoing::Close => json!({"contextId": id, "close_context": {}}),
        }
    }

    pub(super) fn flushes(&self) -> bool {
        matches!(
            self,
            Outgoing::Text { flush: true, .. } | Outgoing::Flush | Outgoing::Close
        )
    }
}

/// One server message: `{"result": {...}}` or `{"error": {...}}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServerMessage<'a> {
    #[serde(borrow, default)]
    pub(super) result: Option<ServerResult<'a>>,
    #[serde(default)]
    pub(super) error: Option<ServerError>,
    #[serde(default, alias = "context_id")]
    pub(super) context_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServerResult<'a> {
    #[serde(default, alias = "context_id")]
    pub(super) context_id: Option<String>,
    #[serde(default)]
    pub(super) status: Option<ErrorBody>,
    #[serde(borrow, default, alias = "audio_chunk")]
    pub(super) audio_chunk: Option<SynthesisResult<'a>>,
    #[serde(default, alias = "flush_completed")]
    pub(super) flush_completed: Option<Value>,
    #[serde(default, alias = "context_closed")]
    pub(super) context_closed: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServerError {
    #[serde(default, alias = "context_id")]
    pub(super) context_id: Option<String>,
    #[serde(flatten)]
    pub(super) body: Map<String, Value>,
}

impl ServerError {
    pub(super) fn into_failure(self) -> ApiFailure {
        let body: ErrorBody = serde_json::from_value(Value::Object(self.body)).unwrap_or_default();
        ApiFailure {
            status: None,
            code: body.code,
            message: body.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_messages_of_both_spellings_parse() {
        let m: ServerMessage<'_> = serde_json::from_str(
            r#"{"result":{"context_id":"a","flush_completed":{},"status":{"code":0}}}"#,
        )
        .unwrap();
        let r = m.result.unwrap();
        assert_eq!(r.context_id.as_deref(), Some("a"));
        assert!(r.flush_completed.is_some() && r.audio_chunk.is_none());
        let m: ServerMessage<'_> =
            serde_json::from_str(r#"{"error":{"code":"INVALID_ARGUMENT","message":"no"}}"#)
                .unwrap();
        let e = m.error.unwrap();
        assert!(e.context_id.is_none());
        let failure = e.into_failure();
        assert_eq!((failure.code, failure.message.as_str()), (Some(3), "no"));
    }
}
