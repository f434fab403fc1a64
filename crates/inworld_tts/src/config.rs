//! Where and how the client talks to Inworld: credentials, base URL, timeouts, retries.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use super::error::{InworldError, Result};
use super::token::TokenProvider;

/// The environment variable holding the API key (the portal's Base64 "Basic" credential).
pub const API_KEY_ENV: &str = "INWORLD_API_KEY";
/// The environment variable overriding the base URL (regional endpoints, the emulator).
pub const BASE_URL_ENV: &str = "INWORLD_API_BASE_URL";
/// Inworld's public endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.inworld.ai";

/// A secret string: never printed, never in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for building the `Authorization` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// How requests authenticate.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// `Authorization: Basic <key>`, with the portal's Base64 key sent verbatim.
    Basic(Secret),
    /// `Authorization: Bearer <token>`, a short-lived token minted by a backend.
    Bearer(Secret),
    /// `Authorization: Bearer <token>` with a token asked of the game's backend before each
    /// request (see [`TokenProvider`]); a refused token is renewed once and the request retried.
    Provider(Arc<dyn TokenProvider>),
}

impl Credentials {
    /// A Basic credential from the portal's Base64 key (sent as is, never re-encoded).
    pub fn basic(key: impl Into<String>) -> Self {
        Credentials::Basic(Secret::new(key.into().trim().to_owned()))
    }

    /// A Bearer token.
    pub fn bearer(token: impl Into<String>) -> Self {
        Credentials::Bearer(Secret::new(token.into().trim().to_owned()))
    }

    /// Bearer tokens from `provider`, usually the game's backend wrapped in
    /// [`CachedTokens`](super::CachedTokens): the way a shipped game avoids embedding a key.
    pub fn provider(provider: impl TokenProvider) -> Self {
        Credentials::Provider(Arc::new(provider))
    }

    /// The provider behind these credentials, if they come from one.
    pub(crate) fn token_provider(&self) -> Option<&dyn TokenProvider> {
        match self {
            Credentials::Provider(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    pub(crate) async fn header_value(&self) -> Result<reqwest::header::HeaderValue> {
        match self {
            Credentials::Basic(s) => authorization("Basic", s),
            Credentials::Bearer(s) => authorization("Bearer", s),
            Credentials::Provider(p) => {
                let token = p
                    .token()
                    .await
                    .map_err(|e| InworldError::TokenProvider(e.to_string()))?;
                authorization("Bearer", token.secret())
            }
        }
    }
}

fn authorization(scheme: &str, secret: &Secret) -> Result<reqwest::header::HeaderValue> {
    let mut value =
        reqwest::header::HeaderValue::from_str(&format!("{scheme} {}", secret.expose())).map_err(
            |_| {
                InworldError::Config(format!(
                    "the {scheme} credential contains characters that cannot go in an HTTP \
                     header (a stray newline or quote?)"
                ))
            },
        )?;
    // Keeps the value out of hyper's/HTTP2's logs and header tables.
    value.set_sensitive(true);
    Ok(value)
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic(s) => f.debug_tuple("Basic").field(s).finish(),
            Credentials::Bearer(s) => f.debug_tuple("Bearer").field(s).finish(),
            Credentials::Provider(_) => f.write_str("Provider(..)"),
        }
    }
}

/// Equal when the same secret, or the same provider instance.
impl PartialEq for Credentials {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Credentials::Basic(a), Credentials::Basic(b))
            | (Credentials::Bearer(a), Credentials::Bearer(b)) => a == b,
            (Credentials::Provider(a), Credentials::Provider(b)) => {
                std::ptr::addr_eq(Arc::as_ptr(a), Arc::as_ptr(b))
            }
            _ => false,
        }
    }
}

impl Eq for Credentials {}

/// When and how often the client retries (rate limits, 5xx, connection failures), and only
/// while no audio of the request has been delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: u32,
    /// Delay before the first retry; doubles each time.
    pub initial_backoff: Duration,
    /// Upper bound of a single delay, `Retry-After` included.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1-based), honouring the server's hint.
    pub fn delay(&self, retry: u32, server_hint: Option<Duration>) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        server_hint.unwrap_or(exponential).min(self.max_backoff)
    }
}

/// Client settings. Build with [`InworldConfig::from_env`] or [`InworldConfig::new`].
///
/// `Debug` never shows the key:
/// ```
/// # use inworld_tts::{InworldConfig, Credentials};
/// let config = InworldConfig::new(Credentials::basic("c2VjcmV0"));
/// assert!(!format!("{config:?}").contains("c2VjcmV0"));
/// ```
#[derive(Clone, Debug)]
pub struct InworldConfig {
    /// How requests authenticate.
    pub credentials: Credentials,
    /// Base URL, `https://api.inworld.ai` unless overridden.
    pub base_url: Url,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Longest silence allowed between two reads of a response (a stalled stream fails).
    pub read_timeout: Duration,
    /// Time allowed for a whole non-streaming request.
    pub request_timeout: Duration,
    /// Retries of failed requests.
    pub retry: RetryPolicy,
    /// Most bytes read from one response, streamed or not, so a broken or hostile server cannot
    /// exhaust memory (a 2,000-character request is a few MB; the default is 256 MiB).
    pub max_response_bytes: usize,
}

impl InworldConfig {
    /// Settings for Inworld's public endpoint with these credentials.
    pub fn new(credentials: Credentials) -> Self {
        InworldConfig {
            credentials,
            // Infallible: a constant, valid URL.
            base_url: Url::parse(DEFAULT_BASE_URL).expect("valid default URL"),
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            max_response_bytes: 256 * 1024 * 1024,
        }
    }

    /// Reads `INWORLD_API_KEY` (required) and `INWORLD_API_BASE_URL` (optional).
    pub fn from_env() -> Result<Self> {
        let key = std::env::var(API_KEY_ENV)
            .ok()
            .filter(|k| !k.trim().is_empty());
        let key = key.ok_or_else(|| {
            InworldError::Config(format!(
                "{API_KEY_ENV} is not set: put the Base64 API key from the Inworld portal in it"
            ))
        })?;
        let config = Self::new(Credentials::basic(key));
        match std::env::var(BASE_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => config.with_base_url(url.trim()),
            _ => Ok(config),
        }
    }

    /// Points the client at another endpoint. Plain `http://` is accepted only for loopback
    /// hosts (the emulator); anything else must be `https://`.
    pub fn with_base_url(mut self, url: &str) -> Result<Self> {
        self.base_url = parse_base_url(url)?;
        Ok(self)
    }

    /// The URL of an API path such as `/tts/v1/voice:stream`.
    pub(crate) fn url(&self, path: &str) -> Result<Url> {
        self.base_url
            .join(path.trim_start_matches('/'))
            .map_err(|e| InworldError::Config(format!("cannot build the URL for {path}: {e}")))
    }
}

/// Parses and checks a base URL (see [`InworldConfig::with_base_url`]).
pub(crate) fn parse_base_url(url: &str) -> Result<Url> {
    let mut parsed = Url::parse(url).map_err(|e| {
        InworldError::Config(format!(
            "{BASE_URL_ENV} or the base URL `{url}` is not a URL ({e}); \
             expected something like https://api.inworld.ai"
        ))
    })?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(InworldError::Config(format!(
                "refusing plain http:// for `{url}`: the API key would travel unencrypted. \
                 Use https://, or http:// only for a loopback host such as 127.0.0.1"
            )));
        }
        other => {
            return Err(InworldError::Config(format!(
                "unsupported scheme `{other}` in `{url}`: use https://"
            )));
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(InworldError::Config(
            "the base URL must not carry credentials; use INWORLD_API_KEY".into(),
        ));
    }
    // Paths are joined relative to the base, so it must end with a slash.
    if !parsed.path().ends_with('/') {
        let path = format!("{}/", parsed.path());
        parsed.set_path(&path);
    }
    Ok(parsed)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_only_for_loopback() {
        for ok in [
            "https://api.inworld.ai",
            "https://api.eu.inworld.ai/",
            "http://127.0.0.1:8080",
            "http://127.3.4.5",
            "http://localhost:1234",
            "http://[::1]:99",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.inworld.ai",
            "http://192.168.1.10",
            "http://127.0.0.1.example.com",
            "ftp://127.0.0.1",
            "not a url",
            "https://user:pw@api.inworld.ai",
        ] {
            assert!(
                matches!(parse_base_url(bad), Err(InworldError::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn paths_join_under_the_base() {
        let config = InworldConfig::new(Credentials::basic("k"))
            .with_base_url("http://127.0.0.1:9/prefix")
            .unwrap();
        assert_eq!(
            config.url("/tts/v1/voice:stream").unwrap().as_str(),
            "http://127.0.0.1:9/prefix/tts/v1/voice:stream"
        );
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let config = InworldConfig::new(Credentials::bearer("tok-123"));
        let shown = format!("{config:?}");
        assert!(!shown.contains("tok-123"), "{shown}");
        assert!(shown.contains("redacted"));
    }

    #[test]
    fn backoff_doubles_and_honours_the_server() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, None), Duration::from_millis(250));
        assert_eq!(policy.delay(3, None), Duration::from_millis(1000));
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(1, Some(Duration::from_secs(600))),
            policy.max_backoff
        );
    }
}
