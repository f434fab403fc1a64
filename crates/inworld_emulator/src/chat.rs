//! The LLM router's chat completions (`POST /v1/chat/completions`), scripted: a reply queued by
//! the test, or one made from the player's line, streamed token by token as server-sent events
//! at a configurable pace, with an error event as the fault.

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};

use super::connection::{Response, Step};
use super::error::ApiError;
use super::http::Request;
use super::state::Shared;

/// The chat route's script and pace.
#[derive(Debug)]
pub(crate) struct ChatState {
    /// Replies to give, in order; when empty, one is made from the player's line.
    pub replies: VecDeque<String>,
    /// From the request to the first token.
    pub first_token: Duration,
    /// Between tokens.
    pub token_interval: Duration,
    /// Send an error event instead of the token after this many, then end (no `[DONE]`).
    pub error_after: Option<usize>,
}

impl Default for ChatState {
    fn default() -> Self {
        ChatState {
            replies: VecDeque::new(),
            first_token: Duration::from_millis(50),
            token_interval: Duration::from_millis(10),
            error_after: None,
        }
    }
}

/// `POST /v1/chat/completions`.
pub(crate) fn complete(shared: &Shared, request: &Request) -> Result<Response, ApiError> {
    shared.authorize(request)?;
    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|e| ApiError::invalid(format!("the body is not JSON: {e}")))?;
    let model = body["model"].as_str().unwrap_or_default();
    if model.is_empty() {
        return Err(ApiError::invalid(
            "model is required (provider/model, or auto)",
        ));
    }
    if model != "auto" && !model.contains('/') {
        return Err(ApiError::not_found(format!(
            "model {model:?} not found: write provider/model, e.g. openai/gpt-4.1-mini"
        )));
    }
    let messages = body["messages"]
        .as_array()
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            ApiError::invalid("messages must be a non-empty array of {role, content}")
        })?;
    let heard = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .trim()
        .to_owned();
    let (reply, first, interval, error_after) = {
        let mut state = shared.lock();
        let chat = &mut state.chat;
        let reply = chat.replies.pop_front().unwrap_or_else(|| {
            format!(
                "Well met, traveller! You said: {heard} The road north is closed, so rest \
                 here tonight. We leave at dawn."
            )
        });
        (
            reply,
            chat.first_token,
            chat.token_interval,
            chat.error_after,
        )
    };
    if body["stream"] != true {
        return Ok(Response::json(
            200,
            &json!({"object": "chat.completion", "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop"}]}),
        ));
    }
    let mut steps = Vec::new();
    let event = |data: &Value| format!("data: {data}\n\n").into_bytes();
    let mut at = first;
    for (i, token) in tokens(&reply).enumerate() {
        if error_after == Some(i) {
            let error = json!({"error": {"message": "the model stopped: upstream overloaded", "code": 503}});
            steps.push(Step::Data {
                bytes: event(&error),
                at,
            });
            return Ok(sse(steps));
        }
        let chunk = json!({"object": "chat.completion.chunk", "model": model,
            "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": null}]});
        steps.push(Step::Data {
            bytes: event(&chunk),
            at,
        });
        at += interval;
    }
    let end = json!({"object": "chat.completion.chunk", "model": model,
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    steps.push(Step::Data {
        bytes: event(&end),
        at,
    });
    steps.push(Step::Data {
        bytes: b"data: [DONE]\n\n".to_vec(),
        at,
    });
    Ok(sse(steps))
}

/// The reply's tokens: each word with the blank before it, as LLMs stream them.
fn tokens(reply: &str) -> impl Iterator<Item = &str> {
    let mut rest = reply;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let skip = rest.len() - rest.trim_start().len();
        let end = rest[skip..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |e| e + skip);
        let (token, tail) = rest.split_at(end);
        rest = tail;
        Some(token)
    })
}

fn sse(steps: Vec<Step>) -> Response {
    Response {
        status: 200,
        headers: vec![("Content-Type", "text/event-stream".into())],
        chunked: true,
        head_at: Duration::ZERO,
        steps,
        shape: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_their_blanks_and_join_back() {
        let reply = "Well met,  traveller! Rest.";
        let t: Vec<&str> = tokens(reply).collect();
        assert_eq!(t, ["Well", " met,", "  traveller!", " Rest."]);
        assert_eq!(t.concat(), reply);
    }
}
