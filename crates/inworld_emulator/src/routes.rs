//! Which handler answers a request, authentication, fault dispatch, and synthesis.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::connection::{Outcome, Response};
use super::error::{ApiError, grpc};
use super::fault::Fault;
use super::http::Request;
use super::source::Rendered;
use super::state::{Shared, TOKEN_LIFETIME};
use super::stream;
use super::tts::Synthesis;
use super::voices;

/// The endpoints, from a percent-decoded path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route<'a> {
    Synthesize { streaming: bool },
    Voices,
    Voice(&'a str),
    Design,
    Clone,
    Publish(&'a str),
    Tokens,
    GatewayTts,
    GatewayFile(&'a str),
    Chat,
    Unknown,
}

impl<'a> Route<'a> {
    fn of(path: &'a str) -> Self {
        match path {
            "/tts/v1/voice" => return Self::Synthesize { streaming: false },
            "/tts/v1/voice:stream" => return Self::Synthesize { streaming: true },
            "/auth/v1/tokens" => return Self::Tokens,
            "/v1/tts" => return Self::GatewayTts,
            "/v1/chat/completions" => return Self::Chat,
            _ => {}
        }
        if let Some(id) = path.strip_prefix("/v1/files/") {
            return match id {
                "" => Self::Unknown,
                id if id.contains('/') => Self::Unknown,
                id => Self::GatewayFile(id),
            };
        }
        let Some(mut rest) = path.strip_prefix("/voices/v1/") else {
            return Self::Unknown;
        };
        // `/voices/v1/workspaces/{ws}/voices...` is the long spelling of `/voices/v1/voices...`.
        if let Some(after) = rest.strip_prefix("workspaces/") {
            match after.split_once('/') {
                Some((_, tail)) => rest = tail,
                None => return Self::Unknown,
            }
        }
        match rest {
            "voices" => Self::Voices,
            "voices:design" => Self::Design,
            "voices:clone" => Self::Clone,
            other => match other.strip_prefix("voices/") {
                Some(id) if !id.is_empty() && !id.contains('/') => {
                    match id.strip_suffix(":publish") {
                        Some("") => Self::Unknown,
                        Some(id) => Self::Publish(id),
                        None => Self::Voice(id),
                    }
                }
                _ => Self::Unknown,
            },
        }
    }

    fn methods(self) -> &'static [&'static str] {
        match self {
            Self::Voices | Self::GatewayFile(_) => &["GET"],
            Self::Voice(_) => &["GET", "PATCH", "DELETE"],
            Self::Unknown => &[],
            _ => &["POST"],
        }
    }
}

/// Answer a request.
pub(crate) async fn handle(shared: &Arc<Shared>, request: &Request, seq: u64) -> Outcome {
    let route = Route::of(&request.path);
    if route == Route::Unknown {
        return error(ApiError::not_found(format!(
            "no endpoint at {}",
            request.path
        )));
    }
    if !route.methods().contains(&request.method.as_str()) {
        return error(ApiError::new(
            405,
            grpc::UNIMPLEMENTED,
            format!("{} is not supported on {}", request.method, request.path),
        ));
    }
    if let Route::Synthesize { streaming } = route {
        let fault = shared.lock().faults.take();
        if let Some(fault) = &fault {
            let recorded = fault.clone();
            shared.update_record(seq, |r| r.fault = Some(recorded));
        }
        return match fault {
            Some(Fault::ResetBeforeHeaders) => Outcome::Reset,
            Some(Fault::Status {
                http,
                grpc_code,
                message,
                retry_after,
            }) => error(ApiError {
                http,
                code: grpc_code,
                message,
                retry_after,
            }),
            fault => match synthesize(shared, request, streaming, fault.as_ref()).await {
                Ok(response) => Outcome::Respond(response),
                Err(e) => error(e),
            },
        };
    }
    match route {
        Route::GatewayTts => {
            return match super::gateway::synthesize(shared, request).await {
                Ok(body) => Outcome::Respond(Response::json(200, &body)),
                Err(e) => error(e),
            };
        }
        Route::Chat => {
            return match super::chat::complete(shared, request) {
                Ok(response) => Outcome::Respond(response),
                Err(e) => error(e),
            };
        }
        Route::GatewayFile(id) => {
            return match super::gateway::file(shared, id) {
                Ok(bytes) => Outcome::Respond(Response::bytes(200, "audio/wav", bytes)),
                Err(e) => error(e),
            };
        }
        _ => {}
    }
    if let Err(e) = shared.authorize(request) {
        return error(e);
    }
    let result = match (request.method.as_str(), route) {
        ("GET", Route::Voices) => voices::list(shared, request),
        ("GET", Route::Voice(id)) => voices::get(shared, id),
        ("PATCH", Route::Voice(id)) => voices::patch(shared, id, &request.body),
        ("DELETE", Route::Voice(id)) => voices::delete(shared, id),
        (_, Route::Design) => voices::design(shared, &request.body).await,
        (_, Route::Publish(id)) => voices::publish(shared, id, &request.body),
        (_, Route::Clone) => voices::clone_voice(shared, &request.body),
        (_, Route::Tokens) => mint_token(shared, request),
        _ => Err(ApiError::internal("unrouted request")),
    };
    match result {
        Ok(body) => Outcome::Respond(Response::json(200, &body)),
        Err(e) => error(e),
    }
}

fn error(error: ApiError) -> Outcome {
    Outcome::Respond(Response::error(&error))
}

async fn synthesize(
    shared: &Arc<Shared>,
    request: &Request,
    streaming: bool,
    fault: Option<&Fault>,
) -> Result<Response, ApiError> {
    shared.authorize(request)?;
    let synth = Synthesis::from_body(&request.body)?;
    let (settings, gender) = {
        let state = shared.lock();
        let Some(voice) = state.catalog.find(&synth.voice_id) else {
            return Err(ApiError::not_found(format!(
                "Unknown voice: {}",
                synth.voice_id
            )));
        };
        (state.settings, voice.gender.clone())
    };
    let rendered = render(
        shared,
        synth.text.clone(),
        synth.sample_rate,
        synth.speaking_rate,
        gender,
    )
    .await?;
    Ok(if streaming {
        stream::streamed(&synth, &rendered, &settings, fault)
    } else {
        stream::unary(&synth, &rendered, &settings, fault)
    })
}

/// Render off the async threads; a panicking source becomes a 500, not a dead server.
pub(crate) async fn render(
    shared: &Arc<Shared>,
    text: String,
    sample_rate: u32,
    speaking_rate: f32,
    gender: String,
) -> Result<Rendered, ApiError> {
    let source = Arc::clone(&shared.source);
    tokio::task::spawn_blocking(move || {
        source.render_as(&text, sample_rate, speaking_rate, &gender)
    })
    .await
    .map_err(|_| ApiError::internal("the speech source failed"))
}

/// `POST /auth/v1/tokens` (Basic only): a Bearer token valid for an hour. The real response
/// shape is not public; this one is `{"token", "type": "Bearer", "expiresIn": "3600s"}`.
fn mint_token(shared: &Shared, request: &Request) -> Result<Value, ApiError> {
    static MINTED: AtomicU64 = AtomicU64::new(1);
    if !Shared::is_basic(request) {
        return Err(ApiError::permission(
            "tokens are minted with the Basic key only",
        ));
    }
    let serial = MINTED.fetch_add(1, Ordering::Relaxed);
    let salt = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let token = format!("emulator-token-{serial}-{salt:08x}");
    let now = Instant::now();
    shared
        .lock()
        .tokens
        .push((token.clone(), now + TOKEN_LIFETIME));
    Ok(json!({
        "token": token,
        "type": "Bearer",
        "expiresIn": format!("{}s", TOKEN_LIFETIME.as_secs()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_with_colons_and_long_forms() {
        assert_eq!(
            Route::of("/tts/v1/voice:stream"),
            Route::Synthesize { streaming: true }
        );
        assert_eq!(Route::of("/voices/v1/voices:design"), Route::Design);
        assert_eq!(
            Route::of("/voices/v1/voices/abc:publish"),
            Route::Publish("abc")
        );
        assert_eq!(
            Route::of("/voices/v1/voices/Dennis"),
            Route::Voice("Dennis")
        );
        assert_eq!(
            Route::of("/voices/v1/workspaces/w/voices/Dennis"),
            Route::Voice("Dennis")
        );
        assert_eq!(
            Route::of("/voices/v1/workspaces/w/voices:clone"),
            Route::Clone
        );
        assert_eq!(Route::of("/voices/v1/voices/a/b"), Route::Unknown);
        assert_eq!(Route::of("/voices/v1/voices/:publish"), Route::Unknown);
    }
}
