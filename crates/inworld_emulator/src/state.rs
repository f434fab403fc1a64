//! What the server tasks share: settings a test may change while it runs, the fault queue,
//! the voice catalog, minted tokens, and the log of requests.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::catalog::Catalog;
use super::error::ApiError;
use super::fault::{Fault, FaultQueue};
use super::http::Request;
use super::source::SpeechSource;
use super::{EmulatorConfig, Pacing};

/// How a request authenticated itself. The credential itself is never kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// No `Authorization` header.
    Missing,
    /// `Authorization: Basic ...`.
    Basic,
    /// `Authorization: Bearer ...`.
    Bearer,
    /// Some other scheme.
    Other,
}

/// A request as the emulator received it, for tests that count retries or inspect bodies.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Percent-decoded path, e.g. `/tts/v1/voice:stream`.
    pub path: String,
    /// Decoded query parameters.
    pub query: Vec<(String, String)>,
    /// How the request authenticated.
    pub auth: AuthScheme,
    /// The body, if it was JSON.
    pub body: Option<Value>,
    /// The fault applied to it, if any.
    pub fault: Option<Fault>,
    /// The status answered (`None` after a reset, or while the request is being handled).
    pub status: Option<u16>,
}

/// Settings read once per request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub pacing: Pacing,
    pub float_noise: bool,
    pub chunk_relative_times: bool,
}

/// How long a minted Bearer token stays valid.
pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// The AI/ML API gateway route's files and faults.
#[derive(Debug, Default)]
pub(crate) struct GatewayState {
    /// Rendered files by id.
    pub files: Vec<(String, Vec<u8>)>,
    /// Answer URLs that serve nothing (an expired or lost file).
    pub dead_urls: bool,
    /// Answer `{"audio": "<url>"}` instead of `{"audio": {"url": ...}}`.
    pub bare_url: bool,
}

pub(crate) struct State {
    pub settings: Settings,
    pub gateway: GatewayState,
    pub chat: super::chat::ChatState,
    pub socket: super::socket::SocketState,
    pub faults: FaultQueue,
    pub requests: Vec<(u64, RecordedRequest)>,
    pub catalog: Catalog,
    pub tokens: Vec<(String, Instant)>,
    next_seq: u64,
}

/// Everything the server tasks share.
pub(crate) struct Shared {
    /// The Basic credential required, if any.
    key: Option<String>,
    pub source: Arc<dyn SpeechSource>,
    state: Mutex<State>,
}

impl Shared {
    pub fn new(config: EmulatorConfig) -> Self {
        let key = config
            .key
            .or_else(|| std::env::var("INWORLD_API_KEY").ok())
            .filter(|k| !k.is_empty());
        Self {
            key,
            source: config.source,
            state: Mutex::new(State {
                settings: Settings {
                    pacing: config.pacing,
                    float_noise: config.float_noise,
                    chunk_relative_times: config.chunk_relative_times,
                },
                faults: FaultQueue::default(),
                gateway: GatewayState::default(),
                chat: Default::default(),
                socket: Default::default(),
                requests: Vec::new(),
                catalog: Catalog::new(config.voices),
                tokens: Vec::new(),
                next_seq: 0,
            }),
        }
    }

    /// The shared state. A panic elsewhere cannot leave it half-written in a way that matters
    /// to an emulator, so a poisoned lock is simply taken over.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Log a request; returns its sequence number for later updates.
    pub fn record(&self, request: &Request) -> u64 {
        let auth = match request.header("authorization").map(scheme_of) {
            None => AuthScheme::Missing,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => AuthScheme::Basic,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("bearer") => AuthScheme::Bearer,
            Some(_) => AuthScheme::Other,
        };
        let entry = RecordedRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            auth,
            body: serde_json::from_slice(&request.body).ok(),
            fault: None,
            status: None,
        };
        let mut state = self.lock();
        let seq = state.next_seq;
        state.next_seq += 1;
        state.requests.push((seq, entry));
        seq
    }

    /// Update the logged request `seq`, if it is still in the log.
    pub fn update_record(&self, seq: u64, update: impl FnOnce(&mut RecordedRequest)) {
        let mut state = self.lock();
        if let Some((_, entry)) = state.requests.iter_mut().rev().find(|(s, _)| *s == seq) {
            update(entry);
        }
    }

    /// Check `Authorization`: the Basic key verbatim, or a Bearer token minted here.
    pub fn authorize(&self, request: &Request) -> Result<(), ApiError> {
        let (scheme, credential) = request
            .header("authorization")
            .map(scheme_of)
            .ok_or_else(ApiError::unauthenticated)?;
        if scheme.eq_ignore_ascii_case("basic") {
            let accepted = match &self.key {
                Some(key) => credential == key,
                None => !credential.is_empty(),
            };
            return if accepted {
                Ok(())
            } else {
                Err(ApiError::unauthenticated())
            };
        }
        if scheme.eq_ignore_ascii_case("bearer") {
            let now = Instant::now();
            let mut state = self.lock();
            state.tokens.retain(|(_, expires)| *expires > now);
            if state.tokens.iter().any(|(token, _)| token == credential) {
                return Ok(());
            }
        }
        Err(ApiError::unauthenticated())
    }

    /// The gateway's own authentication: `Authorization: Bearer <key>`, the key being the
    /// emulator's (any non-empty one when none is set).
    pub fn authorize_gateway(&self, request: &Request) -> Result<(), ApiError> {
        let accepted = match request.header("authorization").map(scheme_of) {
            Some((scheme, credential)) if scheme.eq_ignore_ascii_case("bearer") => {
                match &self.key {
                    Some(key) => credential == key,
                    None => !credential.is_empty(),
                }
            }
            _ => false,
        };
        if accepted {
            Ok(())
        } else {
            Err(ApiError::unauthenticated())
        }
    }

    /// Whether this request came with the Basic key (tokens cannot mint tokens).
    pub fn is_basic(request: &Request) -> bool {
        request
            .header("authorization")
            .map(scheme_of)
            .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
    }
}

/// `("Basic", "credential")` from a header value.
fn scheme_of(value: &str) -> (&str, &str) {
    let value = value.trim();
    match value.split_once(' ') {
        Some((scheme, credential)) => (scheme, credential.trim()),
        None => (value, ""),
    }
}
