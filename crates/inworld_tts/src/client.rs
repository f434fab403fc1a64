//! The HTTP client: synthesis (whole or streamed) and the plumbing the Voices API shares.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::config::InworldConfig;
use super::decode::{StreamDecoder, StreamEvent};
use super::error::{ApiFailure, InworldError, Result};
use super::request::{MAX_TEXT_CHARS, SynthesisRequest};
use super::split::split_text;
use super::wire::{ErrorEnvelope, Usage};
use lipsync_core::alignment::{Alignment, FrameOffset};

/// Largest error body read (anything longer is cut; it is only a message).
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

/// A client for Inworld's TTS and Voices APIs. Cheap to clone (shares one connection pool).
#[derive(Clone, Debug)]
pub struct InworldClient {
    http: reqwest::Client,
    config: Arc<InworldConfig>,
}

impl InworldClient {
    /// A client with these settings.
    pub fn new(config: InworldConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .user_agent(concat!("bevy_lipsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| InworldError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(InworldClient {
            http,
            config: Arc::new(config),
        })
    }

    /// A client configured from `INWORLD_API_KEY` and `INWORLD_API_BASE_URL`.
    pub fn from_env() -> Result<Self> {
        Self::new(InworldConfig::from_env()?)
    }

    /// The settings in use.
    pub fn config(&self) -> &InworldConfig {
        &self.config
    }

    /// Synthesises a whole utterance with the non-streaming endpoint (`POST /tts/v1/voice`).
    /// Text over 2,000 characters is split into sequential requests, as with [`Self::stream`].
    pub async fn synthesize(&self, request: &SynthesisRequest) -> Result<Utterance> {
        request.validate_settings()?;
        let mut utterance = Utterance::new(request.audio_config.sample_rate_hertz);
        for piece in split_text(&request.text, MAX_TEXT_CHARS) {
            let piece_request = SynthesisRequest {
                text: piece.to_owned(),
                ..request.clone()
            };
            let mut decoder = StreamDecoder::new(
                request.audio_config.audio_encoding,
                request.audio_config.sample_rate_hertz,
            )
            .with_base(FrameOffset(utterance.samples.len() as u64));
            let body = self
                .with_retries(|| async {
                    let response = self
                        .send(Method::POST, "/tts/v1/voice", Some(&piece_request), &[])
                        .await?;
                    read_body(response, self.config.max_response_bytes).await
                })
                .await?;
            let mut events = Vec::new();
            decoder.decode_whole(&body, &mut events)?;
            events.into_iter().for_each(|e| utterance.apply(e));
        }
        Ok(utterance)
    }

    /// Streams an utterance (`POST /tts/v1/voice:stream`): events arrive as soon as Inworld
    /// sends them. Text of any length is accepted; over 2,000 characters it is split at sentence
    /// boundaries (then clauses, then words) into sequential requests, and each request's times
    /// are shifted by the audio actually received before it.
    ///
    /// Failed requests are retried (rate limits, 5xx, connection failures) only while no event
    /// of that request has been delivered, so audio is never duplicated.
    pub fn stream(&self, request: &SynthesisRequest) -> Result<UtteranceStream> {
        request.validate_settings()?;
        let pieces = split_text(&request.text, MAX_TEXT_CHARS)
            .into_iter()
            .map(str::to_owned)
            .collect();
        Ok(UtteranceStream {
            client: self.clone(),
            template: request.clone(),
            pieces,
            current: None,
            base: 0,
            failed_attempts: 0,
            finished: false,
        })
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retry policy is spent.
    pub(crate) async fn with_retries<T, F, Fut>(&self, mut attempt: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let policy = &self.config.retry;
        let mut failures = 0;
        loop {
            match attempt().await {
                Err(e) if e.is_retryable() && failures + 1 < policy.max_attempts => {
                    failures += 1;
                    let delay = policy.delay(failures, e.retry_after());
                    log::info!("Inworld request failed ({e}); retry {failures} in {delay:?}");
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    /// Sends one request; a non-2xx answer becomes the matching [`InworldError`].
    pub(crate) async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        query: &[(&str, String)],
    ) -> Result<reqwest::Response> {
        let url = self.config.url(path)?;
        let json = body
            .map(|body| {
                serde_json::to_vec(body).map_err(|e| {
                    InworldError::InvalidRequest(format!("cannot encode the request: {e}"))
                })
            })
            .transpose()?;
        // A provider's token the server refuses (revoked, expired early) is renewed once.
        let mut renewed = false;
        loop {
            let mut builder = self
                .http
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, self.config.credentials.header_value().await?);
            if !query.is_empty() {
                builder = builder.query(query);
            }
            if let Some(json) = &json {
                builder = builder
                    .header(CONTENT_TYPE, "application/json")
                    .body(json.clone());
            }
            let response = builder
                .send()
                .await
                .map_err(|e| transport_error(e, "sending the request"))?;
            if response.status().is_success() {
                return Ok(response);
            }
            if response.status() == StatusCode::UNAUTHORIZED
                && !renewed
                && let Some(provider) = self.config.credentials.token_provider()
            {
                log::info!("Inworld refused the Bearer token; asking the provider for a new one");
                provider.invalidate();
                renewed = true;
                continue;
            }
            return Err(error_from_response(response).await);
        }
    }

    /// Sends a request and decodes a JSON answer, with retries.
    pub(crate) async fn json<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
        query: &[(&str, String)],
    ) -> Result<T> {
        let bytes = self
            .with_retries(|| async {
                let response = self.send(method.clone(), path, body, query).await?;
                read_body(response, self.config.max_response_bytes).await
            })
            .await?;
        let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}".to_vec()
        } else {
            bytes
        };
        serde_json::from_slice(&bytes).map_err(|e| {
            InworldError::Protocol(format!(
                "the answer to {path} is not the expected JSON: {e}"
            ))
        })
    }
}

/// A streamed utterance. Call [`UtteranceStream::next`] until it returns `None`.
#[derive(Debug)]
pub struct UtteranceStream {
    client: InworldClient,
    template: SynthesisRequest,
    pieces: VecDeque<String>,
    current: Option<RequestStream>,
    /// Frames received from the requests before the current one.
    base: u64,
    failed_attempts: u32,
    finished: bool,
}

impl UtteranceStream {
    /// The next event, `None` at the end. After an error the stream is over.
    pub async fn next(&mut self) -> Option<Result<StreamEvent>> {
        while !self.finished {
            if self.current.is_none() {
                let piece = self.pieces.front()?.clone();
                match self.open(piece).await {
                    Ok(stream) => self.current = Some(stream),
                    Err(e) => match self.retry_or_fail(e).await {
                        Some(failure) => return Some(Err(failure)),
                        None => continue,
                    },
                }
            }
            let current = self.current.as_mut()?;
            match current.next().await {
                Some(Ok(event)) => {
                    current.delivered = true;
                    self.failed_attempts = 0;
                    return Some(Ok(event));
                }
                Some(Err(e)) => {
                    let delivered = current.delivered;
                    self.current = None;
                    if delivered {
                        self.finished = true;
                        return Some(Err(e));
                    }
                    if let Some(failure) = self.retry_or_fail(e).await {
                        return Some(Err(failure));
                    }
                }
                None => {
                    self.base += current.decoder.frames();
                    self.current = None;
                    self.pieces.pop_front();
                }
            }
        }
        None
    }

    /// Reads the whole stream into an [`Utterance`].
    pub async fn collect(mut self) -> Result<Utterance> {
        let mut utterance = Utterance::new(self.template.audio_config.sample_rate_hertz);
        while let Some(event) = self.next().await {
            utterance.apply(event?);
        }
        Ok(utterance)
    }

    /// How many requests the utterance takes (more than one for text over 2,000 characters).
    pub fn requests_left(&self) -> usize {
        self.pieces.len()
    }

    async fn open(&self, text: String) -> Result<RequestStream> {
        let request = SynthesisRequest {
            text,
            ..self.template.clone()
        };
        let response = self
            .client
            .send(Method::POST, "/tts/v1/voice:stream", Some(&request), &[])
            .await?;
        let audio = &request.audio_config;
        let decoder = StreamDecoder::new(audio.audio_encoding, audio.sample_rate_hertz)
            .with_base(FrameOffset(self.base));
        Ok(RequestStream {
            response,
            decoder,
            pending: VecDeque::new(),
            scratch: Vec::new(),
            done: false,
            failure: None,
            delivered: false,
            received: 0,
            limit: self.client.config.max_response_bytes,
        })
    }

    /// Waits before retrying; returns the error when it may not be retried.
    async fn retry_or_fail(&mut self, e: InworldError) -> Option<InworldError> {
        let policy = &self.client.config.retry;
        if !e.is_retryable() || self.failed_attempts + 1 >= policy.max_attempts {
            self.finished = true;
            return Some(e);
        }
        self.failed_attempts += 1;
        let delay = policy.delay(self.failed_attempts, e.retry_after());
        log::info!(
            "Inworld stream failed before any audio ({e}); retry {} in {delay:?}",
            self.failed_attempts
        );
        tokio::time::sleep(delay).await;
        None
    }
}

/// One request's response being decoded.
#[derive(Debug)]
struct RequestStream {
    response: reqwest::Response,
    decoder: StreamDecoder,
    pending: VecDeque<StreamEvent>,
    scratch: Vec<StreamEvent>,
    done: bool,
    failure: Option<InworldError>,
    /// Whether an event of this request reached the caller (no retry after that).
    delivered: bool,
    /// Bytes of the response read so far, and the most allowed.
    received: usize,
    limit: usize,
}

impl RequestStream {
    async fn next(&mut self) -> Option<Result<StreamEvent>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(Ok(event));
            }
            if self.done {
                // What was decoded before a failure is delivered first, then the failure.
                return self.failure.take().map(Err);
            }
            let step = match self.response.chunk().await {
                Ok(Some(bytes)) => {
                    // Bytes within the bound are decoded; past it the stream fails.
                    let room = self.limit.saturating_sub(self.received);
                    let within = &bytes[..bytes.len().min(room)];
                    self.received += within.len();
                    let fed = self.decoder.feed(within, &mut self.scratch);
                    if fed.is_ok() && within.len() < bytes.len() {
                        Err(too_large(self.limit))
                    } else {
                        fed
                    }
                }
                Ok(None) => {
                    self.done = true;
                    self.decoder.finish(&mut self.scratch)
                }
                Err(e) => Err(transport_error(e, "reading the stream")),
            };
            self.pending.extend(self.scratch.drain(..));
            if let Err(e) = step {
                self.done = true;
                self.failure = Some(e);
            }
        }
    }
}

/// A synthesised utterance: all its audio and its timeline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Utterance {
    /// Sample rate of `samples`.
    pub sample_rate: u32,
    /// Mono PCM (empty for compressed encodings; see `encoded`).
    pub samples: Vec<i16>,
    /// Compressed audio bytes, for MP3 / Ogg Opus / FLAC requests.
    pub encoded: Vec<u8>,
    /// Words, phones, characters and visemes, in frames of `samples`.
    pub alignment: Alignment,
    /// Usage reported by each request.
    pub usage: Vec<Usage>,
}

impl Utterance {
    fn new(sample_rate: u32) -> Self {
        Utterance {
            sample_rate,
            ..Default::default()
        }
    }

    /// Adds one event of a stream.
    pub fn apply(&mut self, event: StreamEvent) {
        match event {
            StreamEvent::Audio(chunk) => {
                self.sample_rate = chunk.sample_rate;
                self.samples.extend_from_slice(&chunk.samples);
            }
            StreamEvent::Encoded(bytes) => self.encoded.extend_from_slice(&bytes),
            StreamEvent::Alignment(update) => self.alignment.apply(update),
            StreamEvent::Usage(usage) => self.usage.push(usage),
        }
    }

    /// Length of the audio.
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(FrameOffset(self.samples.len() as u64).as_seconds(self.sample_rate))
    }
}

async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(e, "reading the response"))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn too_large(limit: usize) -> InworldError {
    InworldError::Protocol(format!(
        "the response is larger than {limit} bytes (InworldConfig::max_response_bytes); \
         refusing to read more"
    ))
}

async fn error_from_response(response: reqwest::Response) -> InworldError {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let body = read_body(response, MAX_ERROR_BODY_BYTES)
        .await
        .unwrap_or_default();
    let envelope: Option<ErrorEnvelope> = serde_json::from_slice(&body).ok();
    let parsed = envelope.and_then(ErrorEnvelope::into_body);
    let (code, message) = match parsed {
        Some(b) => (b.code, b.message),
        None => (None, fallback_message(status, &body)),
    };
    InworldError::from_api(
        ApiFailure {
            status: Some(status.as_u16()),
            code,
            message,
        },
        retry_after,
    )
}

fn fallback_message(status: StatusCode, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]);
    let text = text.trim();
    if text.is_empty() {
        status.canonical_reason().unwrap_or("no message").to_owned()
    } else {
        text.to_owned()
    }
}

/// `Retry-After` in seconds (integer or decimal). HTTP dates are ignored: backoff applies.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let seconds: f64 = value.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

fn transport_error(e: reqwest::Error, doing: &str) -> InworldError {
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        detail.push_str(": ");
        detail.push_str(&cause.to_string());
        source = cause.source();
    }
    if e.is_timeout() {
        InworldError::Timeout(format!("{doing}: {detail}"))
    } else if e.is_connect() {
        InworldError::Network(format!("could not connect ({detail})"))
    } else {
        InworldError::Network(format!("{doing}: {detail}"))
    }
}
