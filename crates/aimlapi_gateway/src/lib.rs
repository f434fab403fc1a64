//! The AI/ML API gateway, which serves Inworld's voices behind one OpenAI-style key: a
//! synthesis request returns the URL of a finished audio file (MP3), with no timing.
//!
//! `POST {base}/v1/tts` with `Authorization: Bearer <key>` and
//! `{"model": "inworld/tts-1-max", "text": ..., "voice": ...}` answers
//! `{"audio": {"url": "<file>"}}` (a bare string for `audio` is read too); the file is then
//! downloaded. The key comes from [`GATEWAY_KEY_ENV`] and is never logged nor shown by `Debug`.
//!
//! A second vendor beside `inworld_tts`: it shares no code with the Inworld client. Its tests
//! run against the gateway routes of the `inworld_emulator` crate.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

/// The environment variable holding the gateway's key.
pub const GATEWAY_KEY_ENV: &str = "AIMLAPI_API_KEY";
/// The environment variable overriding the gateway's base URL.
pub const GATEWAY_BASE_URL_ENV: &str = "AIMLAPI_BASE_URL";
/// The gateway's public endpoint.
pub const GATEWAY_BASE_URL: &str = "https://api.aimlapi.com";
/// The model asked for when a voice names none.
pub const GATEWAY_DEFAULT_MODEL: &str = "inworld/tts-1-max";
/// The largest audio file downloaded (a 2,000-character line is about 3 MB of MP3).
pub const GATEWAY_MAX_AUDIO_BYTES: usize = 32 * 1024 * 1024;

/// What can go wrong with the gateway. Each message says what to change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// No key was given.
    #[error("no AI/ML API key: set {GATEWAY_KEY_ENV}")]
    NoKey,
    /// The base URL is not an http(s) URL.
    #[error("the AI/ML API base URL {0:?} is not an http:// or https:// URL")]
    BadBaseUrl(String),
    /// The gateway refused the key.
    #[error("the AI/ML API gateway refused the key (HTTP {status}): check {GATEWAY_KEY_ENV}")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
    },
    /// The gateway refused or failed the request.
    #[error("the AI/ML API gateway answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// What it said (truncated).
        message: String,
    },
    /// The answer is not `{"audio": {"url": ...}}`.
    #[error("the AI/ML API gateway sent an answer without an audio URL: {0}")]
    NoAudioUrl(String),
    /// The audio URL did not serve the file.
    #[error(
        "the AI/ML API gateway's audio file {url} could not be downloaded (HTTP {status}); it \
         may have expired: request the line again"
    )]
    AudioUnavailable {
        /// The file's URL.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The audio file is larger than [`GATEWAY_MAX_AUDIO_BYTES`].
    #[error("the AI/ML API gateway's audio file is over {GATEWAY_MAX_AUDIO_BYTES} bytes")]
    TooLarge,
    /// The network failed.
    #[error("network error talking to the AI/ML API gateway: {0}")]
    Network(String),
}

/// How to reach the gateway.
#[derive(Clone)]
pub struct GatewayConfig {
    key: String,
    base_url: String,
    /// Longest wait for a connection.
    pub connect_timeout: Duration,
    /// Longest wait for the synthesis answer or the file (the gateway answers once the whole
    /// line is synthesised).
    pub timeout: Duration,
}

impl fmt::Debug for GatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayConfig")
            .field("key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl GatewayConfig {
    /// A configuration with `key` for the public endpoint.
    pub fn new(key: impl Into<String>) -> Result<GatewayConfig, GatewayError> {
        let key = key.into().trim().to_owned();
        if key.is_empty() {
            return Err(GatewayError::NoKey);
        }
        Ok(GatewayConfig {
            key,
            base_url: GATEWAY_BASE_URL.into(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(60),
        })
    }

    /// From [`GATEWAY_KEY_ENV`] and [`GATEWAY_BASE_URL_ENV`].
    pub fn from_env() -> Result<GatewayConfig, GatewayError> {
        let key = std::env::var(GATEWAY_KEY_ENV).map_err(|_| GatewayError::NoKey)?;
        let config = GatewayConfig::new(key)?;
        match std::env::var(GATEWAY_BASE_URL_ENV) {
            Ok(base) => config.with_base_url(&base),
            Err(_) => Ok(config),
        }
    }

    /// Another endpoint (a regional one, or an emulator on loopback).
    pub fn with_base_url(mut self, base: &str) -> Result<GatewayConfig, GatewayError> {
        let base = base.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(GatewayError::BadBaseUrl(base.to_owned()));
        }
        self.base_url = base.to_owned();
        Ok(self)
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

/// A client of the gateway. Cheap to clone.
#[derive(Clone, Debug)]
pub struct GatewayClient {
    http: reqwest::Client,
    config: GatewayConfig,
}

impl GatewayClient {
    /// A client for `config`.
    pub fn new(config: GatewayConfig) -> Result<GatewayClient, GatewayError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .user_agent(concat!("bevy_lipsync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GatewayError::Network(format!("cannot build the HTTP client: {e}")))?;
        Ok(GatewayClient { http, config })
    }

    /// Synthesises `text` in `voice` (`model` defaults to [`GATEWAY_DEFAULT_MODEL`]; a model
    /// written without a provider gets `inworld/`) and downloads the audio file.
    pub async fn synthesize(
        &self,
        text: &str,
        voice: &str,
        model: Option<&str>,
    ) -> Result<Vec<u8>, GatewayError> {
        let model = match model {
            None => GATEWAY_DEFAULT_MODEL.to_owned(),
            Some(m) if m.contains('/') => m.to_owned(),
            Some(m) => format!("inworld/{}", m.trim_start_matches("inworld-")),
        };
        let url = format!("{}/v1/tts", self.config.base_url);
        let response = self
            .http
            .post(&url)
            .bearer_auth(&self.config.key)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(json!({"model": model, "text": text, "voice": voice}).to_string())
            .send()
            .await
            .map_err(network)?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(network)?;
        match status {
            200..=299 => {}
            401 | 403 => return Err(GatewayError::Unauthorized { status }),
            _ => {
                let message = String::from_utf8_lossy(&body).chars().take(300).collect();
                return Err(GatewayError::Status { status, message });
            }
        }
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|e| GatewayError::NoAudioUrl(format!("not JSON ({e})")))?;
        let audio_url = audio_url(&answer).ok_or_else(|| {
            let shown: String = answer.to_string().chars().take(200).collect();
            GatewayError::NoAudioUrl(shown)
        })?;
        self.download(&audio_url).await
    }

    /// Downloads an audio file the gateway named.
    async fn download(&self, url: &str) -> Result<Vec<u8>, GatewayError> {
        let mut response = self.http.get(url).send().await.map_err(network)?;
        let status = response.status().as_u16();
        if !(200..=299).contains(&status) {
            return Err(GatewayError::AudioUnavailable {
                url: url.to_owned(),
                status,
            });
        }
        let mut audio = Vec::new();
        while let Some(piece) = response.chunk().await.map_err(network)? {
            if audio.len() + piece.len() > GATEWAY_MAX_AUDIO_BYTES {
                return Err(GatewayError::TooLarge);
            }
            audio.extend_from_slice(&piece);
        }
        Ok(audio)
    }
}

/// `audio.url`, or `audio` itself when it is a string.
fn audio_url(answer: &Value) -> Option<String> {
    let audio = answer.get("audio")?;
    let url = audio.as_str().or_else(|| audio.get("url")?.as_str())?;
    (!url.trim().is_empty()).then(|| url.trim().to_owned())
}

/// A network error, never with the key (reqwest does not print headers).
fn network(e: reqwest::Error) -> GatewayError {
    GatewayError::Network(e.without_url().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audio_url_is_read_from_either_shape() {
        let nested = json!({"audio": {"url": "https://cdn/x.mp3"}});
        assert_eq!(audio_url(&nested).as_deref(), Some("https://cdn/x.mp3"));
        let bare = json!({"audio": "https://cdn/y.mp3"});
        assert_eq!(audio_url(&bare).as_deref(), Some("https://cdn/y.mp3"));
        assert_eq!(audio_url(&json!({"audio": {"id": 3}})), None);
        assert_eq!(audio_url(&json!({"audio": ""})), None);
    }

    #[test]
    fn the_key_is_never_shown() {
        let config = GatewayConfig::new("sk-secret-gateway-key").unwrap();
        let client = GatewayClient::new(config.clone()).unwrap();
        for shown in [format!("{config:?}"), format!("{client:?}")] {
            assert!(!shown.contains("sk-secret"), "{shown}");
        }
        assert_eq!(GatewayConfig::new("  ").unwrap_err(), GatewayError::NoKey);
        assert!(matches!(
            config.with_base_url("ftp://x"),
            Err(GatewayError::BadBaseUrl(_))
        ));
    }
}
