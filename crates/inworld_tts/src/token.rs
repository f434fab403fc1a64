//! Short-lived Bearer tokens from the game's own backend, so a shipped game embeds no key.
//!
//! The flow: the game's backend keeps the Inworld key and mints tokens with
//! `POST /auth/v1/tokens` (Basic key); the game asks its backend for a token through a
//! [`TokenProvider`] and sends `Authorization: Bearer <token>`. Wrap the provider in
//! [`CachedTokens`] so a token is fetched once and reused until shortly before it expires; when
//! Inworld refuses a token anyway (revoked, clock skew), the client calls
//! [`TokenProvider::invalidate`] and retries the request once with a fresh token.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::config::Secret;

/// The error a [`TokenProvider`] reports (its message ends up in [`InworldError::TokenProvider`]).
///
/// [`InworldError::TokenProvider`]: super::InworldError::TokenProvider
pub type TokenError = Box<dyn std::error::Error + Send + Sync>;

/// What [`TokenProvider::token`] returns.
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = Result<BearerToken, TokenError>> + Send + 'a>>;

/// A Bearer token and, when known, when it stops being valid. `Debug` never shows the token.
#[derive(Clone, Debug)]
pub struct BearerToken {
    secret: Secret,
    expires_at: Option<Instant>,
}

impl BearerToken {
    /// A token with no known expiry (cached until the server refuses it).
    pub fn new(token: impl Into<String>) -> Self {
        BearerToken {
            secret: Secret::new(token.into().trim().to_owned()),
            expires_at: None,
        }
    }

    /// The same token, valid for `lifetime` from now (the `expiresIn` of the mint answer).
    pub fn expiring_in(mut self, lifetime: Duration) -> Self {
        self.expires_at = Instant::now().checked_add(lifetime);
        self
    }

    /// When the token expires, if known.
    pub fn expires_at(&self) -> Option<Instant> {
        self.expires_at
    }

    /// The token itself, for the `Authorization` header.
    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }

    /// Whether the token is still good `margin` from now.
    fn fresh_for(&self, margin: Duration) -> bool {
        self.expires_at
            .is_none_or(|expires| Instant::now() + margin < expires)
    }
}

/// A source of Bearer tokens, usually a call to the game's own backend.
///
/// It runs on the plugin's background runtime (tokio), so it may use `reqwest` or any async
/// client. A closure returning a future is a provider:
///
/// ```
/// use inworld_tts::{BearerToken, CachedTokens, Credentials, TokenError};
/// use std::time::Duration;
///
/// let credentials = Credentials::provider(CachedTokens::new(|| async {
///     // Ask the game's backend; it mints with POST /auth/v1/tokens and the Basic key.
///     let token: String = "token-from-my-backend".into();
///     Ok::<_, TokenError>(BearerToken::new(token).expiring_in(Duration::from_secs(3600)))
/// }));
/// assert!(!format!("{credentials:?}").contains("token-from-my-backend"));
/// ```
pub trait TokenProvider: Send + Sync + 'static {
    /// A token to send now. Called before every request: cache inside, or wrap in
    /// [`CachedTokens`].
    fn token(&self) -> TokenFuture<'_>;

    /// Inworld refused the last token: forget any cached copy. The default does nothing.
    fn invalidate(&self) {}
}

impl<F, Fut> TokenProvider for F
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<BearerToken, TokenError>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self())
    }
}

/// Reuses a provider's token until `refresh_before` ahead of its expiry, fetching at most one at
/// a time: requests that need a token while one is being fetched wait for it.
pub struct CachedTokens<P> {
    inner: P,
    refresh_before: Duration,
    cached: tokio::sync::Mutex<Option<BearerToken>>,
    stale: AtomicBool,
}

impl<P: TokenProvider> CachedTokens<P> {
    /// Caches `inner`'s tokens, refreshing a minute before they expire.
    pub fn new(inner: P) -> Self {
        CachedTokens {
            inner,
            refresh_before: Duration::from_secs(60),
            cached: tokio::sync::Mutex::new(None),
            stale: AtomicBool::new(false),
        }
    }

    /// Refreshes this long before a token expires instead (default one minute).
    pub fn refresh_before(mut self, margin: Duration) -> Self {
        self.refresh_before = margin;
        self
    }
}

impl<P> fmt::Debug for CachedTokens<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedTokens")
            .field("refresh_before", &self.refresh_before)
            .finish_non_exhaustive()
    }
}

impl<P: TokenProvider> TokenProvider for CachedTokens<P> {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            let stale = self.stale.swap(false, Ordering::AcqRel);
            if let Some(token) = cached
                .as_ref()
                .filter(|t| !stale && t.fresh_for(self.refresh_before))
            {
                return Ok(token.clone());
            }
            *cached = None;
            let token = self.inner.token().await?;
            *cached = Some(token.clone());
            Ok(token)
        })
    }

    fn invalidate(&self) {
        self.stale.store(true, Ordering::Release);
        self.inner.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    fn counting(lifetime: Option<Duration>) -> (Arc<AtomicUsize>, impl TokenProvider) {
        let minted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&minted);
        let provider = move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move {
                let token = BearerToken::new(format!("t{n}"));
                Ok::<_, TokenError>(match lifetime {
                    Some(l) => token.expiring_in(l),
                    None => token,
                })
            }
        };
        (minted, provider)
    }

    fn block_on<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(future)
    }

    #[test]
    fn a_cached_token_is_reused_until_it_nears_expiry_or_is_refused() {
        let (minted, provider) = counting(Some(Duration::from_secs(3600)));
        let cache = CachedTokens::new(provider);
        block_on(async {
            let a = cache.token().await.unwrap();
            let b = cache.token().await.unwrap();
            assert_eq!(a.secret().expose(), "t1");
            assert_eq!(b.secret().expose(), "t1");
            assert_eq!(minted.load(Ordering::SeqCst), 1);
            cache.invalidate();
            let c = cache.token().await.unwrap();
            assert_eq!(c.secret().expose(), "t2");
            assert_eq!(minted.load(Ordering::SeqCst), 2);
        });

        // A token that expires within the refresh margin is fetched again every time.
        let (minted, provider) = counting(Some(Duration::from_secs(30)));
        let cache = CachedTokens::new(provider);
        block_on(async {
            cache.token().await.unwrap();
            cache.token().await.unwrap();
        });
        assert_eq!(minted.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn concurrent_requests_share_one_fetch() {
        let (minted, provider) = counting(None);
        let cache = Arc::new(CachedTokens::new(provider));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let tasks: Vec<_> = (0..16)
                .map(|_| {
                    let cache = Arc::clone(&cache);
                    tokio::spawn(async move { cache.token().await.map(|t| t.secret().clone()) })
                })
                .collect();
            for task in tasks {
                assert_eq!(task.await.unwrap().unwrap().expose(), "t1");
            }
        });
        assert_eq!(minted.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn tokens_stay_out_of_debug() {
        let token = BearerToken::new("very-secret-token").expiring_in(Duration::from_secs(5));
        assert!(!format!("{token:?}").contains("very-secret"));
    }
}
