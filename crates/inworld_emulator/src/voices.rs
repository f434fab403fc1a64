//! The voices API handlers: list, get, patch, delete, design, publish, clone.
//!
//! Custom voices live in the `emulator` workspace. Designed voices are drafts (not listed, not
//! usable for synthesis) until published; clones are listed at once. Publish returns the voice
//! itself and clone returns `{"voice", "audioSamplesValidated"}`, as far as public docs show.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use inworld_tts::wav::encode_wav;

use super::catalog::{LANG_CODES, Voice, VoiceSource};
use super::error::ApiError;
use super::fields::{field, object, string, strings};
use super::http::Request;
use super::routes::render;
use super::state::Shared;

/// Sample rate of design previews.
const PREVIEW_RATE: u32 = 24_000;

pub(crate) fn list(shared: &Shared, request: &Request) -> Result<Value, ApiError> {
    let param = |camel: &str, snake: &str| {
        request
            .query_param(camel)
            .or_else(|| request.query_param(snake))
    };
    shared.lock().catalog.list(
        param("filter", "filter"),
        param("orderBy", "order_by"),
        param("pageSize", "page_size"),
        param("pageToken", "page_token"),
    )
}

pub(crate) fn get(shared: &Shared, voice_id: &str) -> Result<Value, ApiError> {
    let state = shared.lock();
    let voice = state
        .catalog
        .find(voice_id)
        .ok_or_else(|| unknown(voice_id))?;
    Ok(voice.to_json())
}

/// Update `displayName`, `description`, `tags`; the body may be the voice or `{"voice": ..}`.
pub(crate) fn patch(shared: &Shared, voice_id: &str, body: &[u8]) -> Result<Value, ApiError> {
    let mut changes = object(body)?;
    if let Some(Value::Object(inner)) = changes.remove("voice") {
        changes = inner;
    }
    let mut state = shared.lock();
    let voice = state
        .catalog
        .find_mut(voice_id)
        .ok_or_else(|| unknown(voice_id))?;
    if voice.source == VoiceSource::System {
        return Err(ApiError::permission(format!(
            "system voice {} cannot be modified",
            voice.voice_id
        )));
    }
    apply_edits(voice, &changes)?;
    Ok(voice.to_json())
}

pub(crate) fn delete(shared: &Shared, voice_id: &str) -> Result<Value, ApiError> {
    let mut state = shared.lock();
    let voice = state
        .catalog
        .find(voice_id)
        .ok_or_else(|| unknown(voice_id))?;
    if voice.source == VoiceSource::System {
        return Err(ApiError::permission(format!(
            "system voice {} cannot be deleted",
            voice.voice_id
        )));
    }
    state
        .catalog
        .voices
        .retain(|v| !v.voice_id.eq_ignore_ascii_case(voice_id));
    Ok(json!({}))
}

/// `POST /voices/v1/voices:design`: draft voices with a spoken preview each.
pub(crate) async fn design(shared: &Arc<Shared>, body: &[u8]) -> Result<Value, ApiError> {
    let request = object(body)?;
    let prompt = string(&request, "designPrompt")?
        .ok_or_else(|| ApiError::invalid("designPrompt is required"))?;
    let prompt_chars = prompt.chars().count();
    if !(30..=250).contains(&prompt_chars) {
        return Err(ApiError::invalid(format!(
            "designPrompt must be 30 to 250 characters, got {prompt_chars}"
        )));
    }
    let preview_text = string(&request, "previewText")?
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("previewText is required"))?;
    let lang_code = lang_code(&request)?.unwrap_or_else(|| "EN_US".to_owned());
    let samples = match field(&request, "voiceDesignConfig") {
        None => 1,
        Some(Value::Object(config)) => match field(config, "numberOfSamples") {
            None => 1,
            Some(n) => n
                .as_u64()
                .filter(|n| (1..=3).contains(n))
                .ok_or_else(|| ApiError::invalid("numberOfSamples must be 1 to 3"))?,
        },
        Some(_) => return Err(ApiError::invalid("voiceDesignConfig must be an object")),
    };

    let rendered = render(
        shared,
        preview_text.clone(),
        PREVIEW_RATE,
        1.0,
        String::new(),
    )
    .await?;
    if rendered.frames() > 15 * PREVIEW_RATE as usize {
        return Err(ApiError::invalid(
            "previewText must fit in 15 seconds of audio",
        ));
    }
    let audio = STANDARD.encode(encode_wav(&rendered.samples, PREVIEW_RATE));
    let mut state = shared.lock();
    let mut previews = Vec::new();
    for _ in 0..samples {
        let voice_id = state.catalog.new_id("design");
        state.catalog.drafts.push(Voice {
            voice_id: voice_id.clone(),
            display_name: voice_id.clone(),
            lang_code: lang_code.clone(),
            description: prompt.clone(),
            tags: Vec::new(),
            source: VoiceSource::Ivc,
            gender: String::new(),
            age_group: String::new(),
        });
        previews.push(json!({
            "voiceId": voice_id,
            "previewText": preview_text,
            "previewAudio": audio,
        }));
    }
    Ok(json!({"langCode": lang_code, "previewVoices": previews}))
}

/// `POST /voices/v1/voices/{id}:publish`: a draft becomes a listed IVC voice.
pub(crate) fn publish(shared: &Shared, voice_id: &str, body: &[u8]) -> Result<Value, ApiError> {
    let changes = if body.is_empty() {
        Map::new()
    } else {
        object(body)?
    };
    let mut state = shared.lock();
    let at = state
        .catalog
        .drafts
        .iter()
        .position(|v| v.voice_id.eq_ignore_ascii_case(voice_id))
        .ok_or_else(|| ApiError::not_found(format!("No voice draft to publish: {voice_id}")))?;
    let mut voice = state.catalog.drafts.remove(at);
    apply_edits(&mut voice, &changes)?;
    let published = voice.to_json();
    state.catalog.voices.push(voice);
    Ok(published)
}

/// `POST /voices/v1/voices:clone`: a listed IVC voice from base64 audio samples.
pub(crate) fn clone_voice(shared: &Shared, body: &[u8]) -> Result<Value, ApiError> {
    let request = object(body)?;
    let display_name = string(&request, "displayName")?
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("displayName is required"))?;
    let lang_code =
        lang_code(&request)?.ok_or_else(|| ApiError::invalid("langCode is required"))?;
    let samples = match field(&request, "voiceSamples") {
        Some(Value::Array(samples)) if !samples.is_empty() => samples,
        _ => {
            return Err(ApiError::invalid(
                "voiceSamples must hold at least one sample",
            ));
        }
    };
    let mut validated = Vec::new();
    for (index, sample) in samples.iter().enumerate() {
        let sample = sample
            .as_object()
            .ok_or_else(|| ApiError::invalid(format!("voiceSamples[{index}] must be an object")))?;
        let audio = string(sample, "audioData")?.unwrap_or_default();
        match STANDARD.decode(audio.as_bytes()) {
            Ok(bytes) if !bytes.is_empty() => {}
            _ => {
                return Err(ApiError::invalid(format!(
                    "voiceSamples[{index}].audioData must be non-empty base64 audio"
                )));
            }
        }
        validated.push(json!({
            "langCode": lang_code,
            "warnings": [],
            "errors": [],
            "transcription": string(sample, "transcription")?.unwrap_or_default(),
        }));
    }
    let mut state = shared.lock();
    let mut voice = Voice {
        voice_id: state.catalog.new_id(&display_name),
        display_name,
        lang_code,
        description: String::new(),
        tags: Vec::new(),
        source: VoiceSource::Ivc,
        gender: String::new(),
        age_group: String::new(),
    };
    apply_edits(&mut voice, &request)?;
    let created = voice.to_json();
    state.catalog.voices.push(voice);
    Ok(json!({"voice": created, "audioSamplesValidated": validated}))
}

fn apply_edits(voice: &mut Voice, changes: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(name) = string(changes, "displayName")?.filter(|n| !n.trim().is_empty()) {
        voice.display_name = name;
    }
    if let Some(description) = string(changes, "description")? {
        voice.description = description;
    }
    if let Some(tags) = strings(changes, "tags")? {
        voice.tags = tags;
    }
    Ok(())
}

fn lang_code(request: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    match string(request, "langCode")? {
        None => Ok(None),
        Some(code) if LANG_CODES.contains(&code.as_str()) => Ok(Some(code)),
        Some(code) => Err(ApiError::invalid(format!("unsupported langCode `{code}`"))),
    }
}

fn unknown(voice_id: &str) -> ApiError {
    ApiError::not_found(format!("Unknown voice: {voice_id}"))
}
