//! The AI/ML API gateway's TTS route, for tests of the gateway client: `POST /v1/tts` with a
//! Bearer key renders the line and answers the URL of a WAV file the emulator then serves at
//! `GET /v1/files/<id>` (the real gateway serves MP3; the client decodes either).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::error::ApiError;
use super::http::Request;
use super::routes::render;
use super::state::Shared;
use inworld_tts::wav::encode_wav;

/// The rate the gateway's files are rendered at.
const FILE_RATE: u32 = 24_000;

/// `POST /v1/tts`.
pub(crate) async fn synthesize(shared: &Arc<Shared>, request: &Request) -> Result<Value, ApiError> {
    shared.authorize_gateway(request)?;
    let body: Value = serde_json::from_slice(&request.body)
        .map_err(|e| ApiError::invalid(format!("the body is not JSON: {e}")))?;
    let field = |name: &str| body[name].as_str().map(str::trim).unwrap_or_default();
    let (model, text, voice) = (field("model"), field("text"), field("voice"));
    if !model.starts_with("inworld/") {
        return Err(ApiError::invalid(format!(
            "model {model:?} is not an Inworld TTS model (inworld/tts-1, inworld/tts-1-max)"
        )));
    }
    if text.is_empty() {
        return Err(ApiError::invalid("text is empty"));
    }
    let gender = {
        let state = shared.lock();
        match state.catalog.find(voice) {
            Some(found) => found.gender.clone(),
            None => return Err(ApiError::not_found(format!("Unknown voice: {voice}"))),
        }
    };
    let rendered = render(shared, text.to_owned(), FILE_RATE, 1.0, gender).await?;
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("tts-{}.wav", NEXT.fetch_add(1, Ordering::Relaxed));
    let host = request.header("host").unwrap_or("127.0.0.1");
    let url = format!("http://{host}/v1/files/{id}");
    let mut state = shared.lock();
    if !state.gateway.dead_urls {
        let wav = encode_wav(&rendered.samples, rendered.sample_rate);
        state.gateway.files.push((id, wav));
    }
    Ok(if state.gateway.bare_url {
        json!({"audio": url})
    } else {
        json!({"audio": {"url": url}})
    })
}

/// `GET /v1/files/<id>`: the file's bytes.
pub(crate) fn file(shared: &Shared, id: &str) -> Result<Vec<u8>, ApiError> {
    let state = shared.lock();
    state
        .gateway
        .files
        .iter()
        .find(|(name, _)| name == id)
        .map(|(_, bytes)| bytes.clone())
        .ok_or_else(|| ApiError::not_found(format!("no file {id}")))
}
