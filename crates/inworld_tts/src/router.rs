//! Inworld's LLM router: OpenAI-compatible chat completions, streamed as server-sent events.
//!
//! `POST {base}/v1/chat/completions` with the same key as the TTS, `stream: true`, and
//! `reasoning_effort: "none"` by default (the first token comes sooner). The reply streams as
//! `data: {json}` events whose `choices[0].delta.content` are the text pieces, ending with
//! `data: [DONE]`. [`ChatStream::next`] hands the pieces on as they arrive; dropping the stream
//! cancels the request.
//!
//! ```no_run
//! # async fn demo() -> inworld_tts::Result<()> {
//! use inworld_tts::InworldClient;
//! use inworld_tts::router::{ChatMessage, ChatRequest};
//!
//! let client = InworldClient::from_env()?;
//! let request = ChatRequest::new(
//!     "openai/gpt-4.1-mini",
//!     vec![ChatMessage::system("You are a blacksmith."), ChatMessage::user("Hello!")],
//! );
//! let mut reply = client.chat(&request).await?;
//! while let Some(piece) = reply.next().await {
//!     print!("{}", piece?);
//! }
//! # Ok(()) }
//! ```

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::InworldClient;
use crate::error::{InworldError, Result};

/// The router's chat path.
pub const CHAT_PATH: &str = "/v1/chat/completions";
/// The longest single event accepted (a runaway line is a broken server, not a reply).
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// What was said.
    pub content: String,
}

impl ChatMessage {
    /// A system prompt.
    pub fn system(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "system".into(),
            content: content.into(),
        }
    }

    /// What the player said.
    pub fn user(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "user".into(),
            content: content.into(),
        }
    }

    /// What the character said (only the words that were heard, after a barge-in).
    pub fn assistant(content: impl Into<String>) -> Self {
        ChatMessage {
            role: "assistant".into(),
            content: content.into(),
        }
    }
}

/// A chat request.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    /// `provider/model` (`openai/gpt-4.1-mini`) or `auto`.
    pub model: String,
    /// Models tried in order if the first fails (sent as `models`).
    pub fallbacks: Vec<String>,
    /// The conversation so far.
    pub messages: Vec<ChatMessage>,
    /// `reasoning_effort`: `Some("none")` by default, for the fastest first token; `None`
    /// leaves it to the model.
    pub reasoning_effort: Option<String>,
    /// The longest reply, in tokens.
    pub max_tokens: Option<u32>,
}

impl ChatRequest {
    /// A request for `model` with `messages`, reasoning off.
    pub fn new(model: impl Into<String>, messages: Vec<ChatMessage>) -> Self {
        ChatRequest {
            model: model.into(),
            fallbacks: Vec::new(),
            messages,
            reasoning_effort: Some("none".into()),
            max_tokens: None,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut body = json!({
            "model": self.model,
            "messages": self.messages,
            "stream": true,
        });
        if !self.fallbacks.is_empty() {
            let models: Vec<&str> = std::iter::once(self.model.as_str())
                .chain(self.fallbacks.iter().map(String::as_str))
                .collect();
            body["models"] = json!(models);
        }
        if let Some(effort) = &self.reasoning_effort {
            body["reasoning_effort"] = json!(effort);
        }
        if let Some(max) = self.max_tokens {
            body["max_tokens"] = json!(max);
        }
        body
    }
}

impl InworldClient {
    /// Starts a streamed chat completion. Errors before the first event (a refused key, an
    /// unknown model) come from here; later ones from [`ChatStream::next`].
    pub async fn chat(&self, request: &ChatRequest) -> Result<ChatStream> {
        if request.messages.is_empty() {
            return Err(InworldError::InvalidRequest(
                "a chat request needs at least one message".into(),
            ));
        }
        let response = self
            .send(Method::POST, CHAT_PATH, Some(&request.body()), &[])
            .await?;
        Ok(ChatStream {
            response: Some(response),
            events: SseParser::default(),
            pending: std::collections::VecDeque::new(),
            done: false,
        })
    }
}

/// A streamed reply. Dropping it cancels the request.
#[derive(Debug)]
pub struct ChatStream {
    response: Option<reqwest::Response>,
    events: SseParser,
    pending: std::collections::VecDeque<Result<String>>,
    done: bool,
}

impl ChatStream {
    /// The next piece of the reply's text; `None` once the router said `[DONE]`. A reply cut
    /// off before `[DONE]`, or an error event, is an error; after an error the stream is over.
    pub async fn next(&mut self) -> Option<Result<String>> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if item.is_err() {
                    self.finish();
                }
                return Some(item);
            }
            if self.done {
                return None;
            }
            let response = self.response.as_mut()?;
            match response.chunk().await {
                Ok(Some(bytes)) => {
                    let (pending, done) = (&mut self.pending, &mut self.done);
                    let parsed = self.events.push(&bytes, |data| match reply_event(data) {
                        Reply::Text(text) if !text.is_empty() => pending.push_back(Ok(text)),
                        Reply::Text(_) => {}
                        Reply::Done => *done = true,
                        Reply::Error(e) => pending.push_back(Err(e)),
                    });
                    if let Err(e) = parsed {
                        self.pending.push_back(Err(e));
                    }
                }
                Ok(None) => {
                    self.finish();
                    return Some(Err(InworldError::Protocol(
                        "the LLM router's reply ended before [DONE]: it was cut off".into(),
                    )));
                }
                Err(e) => {
                    self.finish();
                    return Some(Err(InworldError::Network(format!(
                        "the LLM router's reply broke off: {}",
                        e.without_url()
                    ))));
                }
            }
        }
    }

    /// Reads the whole reply.
    pub async fn collect(mut self) -> Result<String> {
        let mut text = String::new();
        while let Some(piece) = self.next().await {
            text.push_str(&piece?);
        }
        Ok(text)
    }

    fn finish(&mut self) {
        self.done = true;
        self.response = None;
        self.pending.retain(|item| item.is_ok());
    }
}

/// How long the first piece must be before it is released at a clause (`,` `;` `:`), as
/// Inworld's own pipeline does: the first audio starts sooner without a choppy start.
pub const FIRST_CLAUSE_CHARS: usize = 28;

/// Cuts a reply streaming in as text pieces into sentences for the TTS, as soon as each is
/// complete: at `.` `!` `?` followed by a blank (not after `Mr.`, `Dr.`, ...), and the first
/// piece early at a clause once it is [`FIRST_CLAUSE_CHARS`] long.
///
/// ```
/// use inworld_tts::router::SentenceSplitter;
///
/// let mut split = SentenceSplitter::default();
/// let mut out = Vec::new();
/// for token in ["Welcome to the village of Ashford", ", stranger. Mind", " the mat!", " Bye"] {
///     out.extend(split.push(token));
/// }
/// out.extend(split.finish());
/// assert_eq!(
///     out,
///     ["Welcome to the village of Ashford,", "stranger.", "Mind the mat!", "Bye"]
/// );
/// ```
#[derive(Clone, Debug, Default)]
pub struct SentenceSplitter {
    buffer: String,
    released: usize,
}

/// Words after which a full stop does not end a sentence.
const ABBREVIATIONS: [&str; 8] = ["mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "e.g.", "i.e."];

impl SentenceSplitter {
    /// Takes the next piece of text; returns the pieces it completes, trimmed.
    pub fn push(&mut self, text: &str) -> Vec<String> {
        self.buffer.push_str(text);
        let mut out = Vec::new();
        while let Some(at) = self.cut() {
            let piece = self.buffer[..at].trim().to_owned();
            self.buffer.drain(..at);
            if !piece.is_empty() {
                self.released += 1;
                out.push(piece);
            }
        }
        out
    }

    /// The rest, at the end of the reply.
    pub fn finish(&mut self) -> Option<String> {
        let rest = std::mem::take(&mut self.buffer).trim().to_owned();
        (!rest.is_empty()).then(|| {
            self.released += 1;
            rest
        })
    }

    /// Where the next complete piece ends (after its boundary and the blank after it).
    fn cut(&self) -> Option<usize> {
        let mut chars = self.buffer.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let Some(&(next_at, next)) = chars.peek() else {
                break;
            };
            if !next.is_whitespace() {
                continue;
            }
            let sentence_end = matches!(c, '.' | '!' | '?' | '\u{2026}');
            if sentence_end && !self.abbreviation_before(at + c.len_utf8()) {
                return Some(next_at);
            }
            let clause = matches!(c, ',' | ';' | ':');
            let long = self.buffer[..at].trim().chars().count() >= FIRST_CLAUSE_CHARS;
            if clause && self.released == 0 && long {
                return Some(next_at);
            }
        }
        None
    }

    fn abbreviation_before(&self, end: usize) -> bool {
        let word = self.buffer[..end]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        ABBREVIATIONS.contains(&word.as_str())
    }
}

/// What one event's data means.
enum Reply {
    Text(String),
    Done,
    Error(InworldError),
}

fn reply_event(data: &str) -> Reply {
    let data = data.trim();
    if data == "[DONE]" {
        return Reply::Done;
    }
    let event: Value = match serde_json::from_str(data) {
        Ok(event) => event,
        Err(e) => {
            return Reply::Error(InworldError::Protocol(format!(
                "the LLM router sent an event that is not JSON: {e}"
            )));
        }
    };
    if let Some(error) = event.get("error") {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| error.to_string(), str::to_owned);
        return Reply::Error(InworldError::Server(crate::error::ApiFailure {
            status: None,
            code: error.get("code").and_then(Value::as_i64).map(|c| c as i32),
            message: format!("the LLM failed mid-reply: {message}"),
        }));
    }
    let content = event
        .pointer("/choices/0/delta/content")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Reply::Text(content.to_owned())
}

/// Server-sent events, parsed as bytes arrive: lines may be split anywhere (inside a UTF-8
/// character too), `data:` lines of one event are joined, a blank line ends an event; comments
/// (`:`) and other fields are skipped.
#[derive(Debug, Default)]
pub struct SseParser {
    line: Vec<u8>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// Takes bytes; calls `event` with each complete event's data.
    pub fn push(&mut self, bytes: &[u8], mut event: impl FnMut(&str)) -> Result<()> {
        for &b in bytes {
            if b != b'\n' {
                self.line.push(b);
                if self.line.len() > MAX_EVENT_BYTES {
                    return Err(InworldError::Protocol(format!(
                        "the LLM router sent a line over {MAX_EVENT_BYTES} bytes"
                    )));
                }
                continue;
            }
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
            let line = std::mem::take(&mut self.line);
            let line = String::from_utf8(line).map_err(|_| {
                InworldError::Protocol("the LLM router sent a line that is not UTF-8".into())
            })?;
            if line.is_empty() {
                if self.has_data {
                    event(&self.data);
                }
                self.data.clear();
                self.has_data = false;
            } else if let Some(value) = line.strip_prefix("data:") {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value.strip_prefix(' ').unwrap_or(value));
                self.has_data = true;
                if self.data.len() > MAX_EVENT_BYTES {
                    return Err(InworldError::Protocol(format!(
                        "the LLM router sent an event over {MAX_EVENT_BYTES} bytes"
                    )));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&[u8]]) -> Vec<String> {
        let mut parser = SseParser::default();
        let mut out = Vec::new();
        for chunk in chunks {
            parser.push(chunk, |e| out.push(e.to_owned())).unwrap();
        }
        out
    }

    #[test]
    fn events_survive_any_split_including_inside_a_character() {
        let stream =
            "data: {\"a\": \"caf\u{e9} \u{1f600}\"}\r\n\r\n: keepalive\n\ndata: [DONE]\n\n";
        let bytes = stream.as_bytes();
        let whole = events(&[bytes]);
        assert_eq!(whole, ["{\"a\": \"caf\u{e9} \u{1f600}\"}", "[DONE]"]);
        for at in 1..bytes.len() {
            assert_eq!(
                events(&[&bytes[..at], &bytes[at..]]),
                whole,
                "split at {at}"
            );
        }
        let byte_by_byte: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(events(&byte_by_byte), whole);
        assert_eq!(events(&[b"data: a\ndata: b\n\n"]), ["a\nb"]);
    }

    #[test]
    fn pieces_done_and_errors_are_told_apart() {
        let piece = r#"{"choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}"#;
        assert!(matches!(reply_event(piece), Reply::Text(t) if t == "Hello"));
        let role = r#"{"choices":[{"delta":{"role":"assistant"}}]}"#;
        assert!(matches!(reply_event(role), Reply::Text(t) if t.is_empty()));
        assert!(matches!(reply_event(" [DONE] "), Reply::Done));
        let error = r#"{"error":{"message":"model overloaded","code":503}}"#;
        match reply_event(error) {
            Reply::Error(e) => assert!(e.to_string().contains("model overloaded"), "{e}"),
            _ => panic!("an error event"),
        }
        assert!(matches!(reply_event("{oops"), Reply::Error(_)));
    }

    #[test]
    fn sentences_are_released_as_they_complete() {
        let mut split = SentenceSplitter::default();
        // Short first clause: held until the sentence ends.
        assert!(split.push("Yes, ").is_empty());
        assert_eq!(
            split.push("Mr. Smith lives here. And"),
            ["Yes, Mr. Smith lives here."]
        );
        assert!(
            split.push(" then?").is_empty(),
            "a mark at the very end may go on"
        );
        assert_eq!(split.push(" Nothing"), ["And then?"]);
        assert_eq!(split.finish().as_deref(), Some("Nothing"));
        assert_eq!(split.finish(), None);
    }

    #[test]
    fn the_body_asks_for_a_stream_fallbacks_and_no_reasoning() {
        let mut request = ChatRequest::new("openai/gpt-4.1-mini", vec![ChatMessage::user("Hi")]);
        request.fallbacks = vec!["anthropic/claude-3-5-haiku".into()];
        let body = request.body();
        assert_eq!(body["stream"], true);
        assert_eq!(body["reasoning_effort"], "none");
        assert_eq!(
            body["models"],
            json!(["openai/gpt-4.1-mini", "anthropic/claude-3-5-haiku"])
        );
        assert_eq!(
            body["messages"][0],
            json!({"role": "user", "content": "Hi"})
        );
    }
}
