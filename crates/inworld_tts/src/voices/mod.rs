//! The Voices API (`/voices/v1/voices`): find, inspect, edit, delete, design, publish and clone.
//!
//! Every Inworld workspace sees the shared `SYSTEM` voices plus its own `IVC` voices, made by
//! cloning a few seconds of recorded speech ([`InworldClient::clone_voice`]) or by describing a
//! voice in words ([`InworldClient::design_voice`], then [`InworldClient::publish_voice`] on the
//! preview you liked). A synthesis request names a voice by its [`Voice::voice_id`];
//! [`InworldClient::find_voice`] resolves the name a designer typed.
//!
//! Requests are checked locally first, so a bad prompt or an empty sample fails with a sentence
//! saying what to change instead of a round trip. Answers are read leniently: unknown fields are
//! ignored and unknown enum values are kept (see [`VoiceSource::Other`], [`LangCode::Other`]).
//!
//! ```no_run
//! # async fn cast(client: &inworld_tts::InworldClient) -> inworld_tts::Result<()> {
//! use inworld_tts::{DesignVoiceRequest, LangCode, PublishVoice};
//!
//! let design = DesignVoiceRequest::new(
//!     "A gravelly old sea captain, slow and warm, with a hint of a laugh in every line.",
//!     "Ahoy there, lad. The sea was kind to us today, and the wind was kinder still.",
//!     LangCode::EnUs,
//! )
//! .with_samples(3);
//! let designed = client.design_voice(&design).await?;
//! // Listen to `designed.preview_voices[i].preview_audio`, then keep one:
//! let captain = client
//!     .publish_voice(&designed.preview_voices[0].voice_id, &PublishVoice::named("Captain"))
//!     .await?;
//! let again = client.find_voice("captain").await?;
//! assert_eq!(again.voice_id, captain.voice_id);
//! # Ok(())
//! # }
//! ```

mod clone;
mod design;
mod lang;
mod model;

use std::collections::HashSet;

use reqwest::Method;
use serde_json::Value;

pub use clone::{AudioProcessingConfig, CloneVoiceRequest, VoiceSample};
pub use design::{
    DesignVoiceRequest, DesignedVoices, PreviewVoice, PublishVoice, VoiceDesignConfig,
};
pub use lang::{LangCode, VoiceSource};
pub use model::{ListVoices, Voice, VoicePage, VoiceUpdate};

use super::client::InworldClient;
use super::error::{ApiFailure, InworldError, Result};

/// The collection path; single voices live under it.
const VOICES_PATH: &str = "/voices/v1/voices";
/// Page size [`InworldClient::list_all_voices`] asks for.
const ALL_VOICES_PAGE_SIZE: u32 = 100;
/// Pages [`InworldClient::list_all_voices`] follows before assuming the server is looping.
const MAX_PAGES: usize = 1_000;
/// Voice ids shown when [`InworldClient::find_voice`] finds nothing.
const IDS_IN_NOT_FOUND: usize = 8;

impl InworldClient {
    /// One page of voices (`GET /voices/v1/voices`).
    pub async fn list_voices(&self, request: &ListVoices) -> Result<VoicePage> {
        request.validate()?;
        self.json(Method::GET, VOICES_PATH, None::<&()>, &request.query())
            .await
    }

    /// Every voice matching `filter` (all voices when `None`), following the pages.
    ///
    /// Fails with [`InworldError::Protocol`] if the server hands out a page token twice (it
    /// would loop forever otherwise).
    pub async fn list_all_voices(&self, filter: Option<&str>) -> Result<Vec<Voice>> {
        let mut request = ListVoices::new().with_page_size(ALL_VOICES_PAGE_SIZE);
        request.filter = filter.map(str::to_owned);
        let mut voices = Vec::new();
        let mut seen_tokens = HashSet::new();
        for _ in 0..MAX_PAGES {
            let page = self.list_voices(&request).await?;
            voices.extend(page.voices);
            let Some(token) = page.next_page_token else {
                return Ok(voices);
            };
            if !seen_tokens.insert(token.clone()) {
                return Err(InworldError::Protocol(format!(
                    "the voice list handed out page token `{token}` twice; stopped instead of \
                     looping forever"
                )));
            }
            request.page_token = Some(token);
        }
        Err(InworldError::Protocol(format!(
            "the voice list did not end after {MAX_PAGES} pages; stopped instead of looping \
             forever"
        )))
    }

    /// One voice by id (`GET /voices/v1/voices/{id}`).
    pub async fn get_voice(&self, voice_id: &str) -> Result<Voice> {
        let path = voice_path(voice_id, "")?;
        let answer = self.json(Method::GET, &path, None::<&()>, &[]).await?;
        voice_from_answer(answer, &path)
    }

    /// Changes a voice's display name, description or tags (`PATCH /voices/v1/voices/{id}`);
    /// returns the voice as it is now.
    pub async fn update_voice(&self, voice_id: &str, update: &VoiceUpdate) -> Result<Voice> {
        update.validate()?;
        let path = voice_path(voice_id, "")?;
        let answer = self.json(Method::PATCH, &path, Some(update), &[]).await?;
        voice_from_answer(answer, &path)
    }

    /// Deletes a workspace voice (`DELETE /voices/v1/voices/{id}`).
    pub async fn delete_voice(&self, voice_id: &str) -> Result<()> {
        let path = voice_path(voice_id, "")?;
        // `send`, not `json`: the answer may be empty or `{}`, and nothing in it is needed.
        self.with_retries(|| async {
            self.send(Method::DELETE, &path, None::<&()>, &[]).await?;
            Ok(())
        })
        .await
    }

    /// Generates previews of a voice described in words (`POST /voices/v1/voices:design`).
    pub async fn design_voice(&self, request: &DesignVoiceRequest) -> Result<DesignedVoices> {
        request.validate()?;
        let path = format!("{VOICES_PATH}:design");
        self.json(Method::POST, &path, Some(request), &[]).await
    }

    /// Turns a design preview into a voice of the workspace
    /// (`POST /voices/v1/voices/{id}:publish`).
    pub async fn publish_voice(
        &self,
        preview_voice_id: &str,
        publish: &PublishVoice,
    ) -> Result<Voice> {
        publish.validate()?;
        let path = voice_path(preview_voice_id, ":publish")?;
        let answer = self.json(Method::POST, &path, Some(publish), &[]).await?;
        voice_from_answer(answer, &path)
    }

    /// Clones a voice from recordings (`POST /voices/v1/voices:clone`).
    pub async fn clone_voice(&self, request: &CloneVoiceRequest) -> Result<Voice> {
        request.validate()?;
        let path = format!("{VOICES_PATH}:clone");
        let answer = self.json(Method::POST, &path, Some(request), &[]).await?;
        voice_from_answer(answer, &path)
    }

    /// The voice whose id or display name is `name`, ignoring case. An exact id wins over a
    /// display name; a display name shared by several voices is refused as ambiguous.
    ///
    /// Fails with [`InworldError::NotFound`], naming some available voices, when none matches.
    pub async fn find_voice(&self, name: &str) -> Result<Voice> {
        let name = name.trim();
        if name.is_empty() {
            return Err(InworldError::InvalidRequest(
                "no voice name given; name a voice such as \"Ashley\"".into(),
            ));
        }
        let voices = self.list_all_voices(None).await?;
        resolve_voice(voices, name)
    }
}

/// Picks `name` out of `voices` (see [`InworldClient::find_voice`]).
fn resolve_voice(voices: Vec<Voice>, name: &str) -> Result<Voice> {
    if let Some(by_id) = voices
        .iter()
        .find(|v| v.voice_id.eq_ignore_ascii_case(name))
    {
        return Ok(by_id.clone());
    }
    let mut by_name: Vec<&Voice> = voices.iter().filter(|v| v.is_named(name)).collect();
    match by_name.len() {
        1 => Ok(by_name.remove(0).clone()),
        0 => {
            let mut ids: Vec<&str> = voices.iter().map(|v| v.voice_id.as_str()).collect();
            let more = ids.len().saturating_sub(IDS_IN_NOT_FOUND);
            ids.truncate(IDS_IN_NOT_FOUND);
            let available = match (ids.is_empty(), more) {
                (true, _) => "this key sees no voices at all".to_owned(),
                (false, 0) => format!("available: {}", ids.join(", ")),
                (false, more) => format!("available: {} and {more} more", ids.join(", ")),
            };
            Err(InworldError::NotFound(ApiFailure {
                status: None,
                code: None,
                message: format!("no voice has the id or display name `{name}`; {available}"),
            }))
        }
        _ => {
            let ids: Vec<&str> = by_name.iter().map(|v| v.voice_id.as_str()).collect();
            Err(InworldError::InvalidRequest(format!(
                "several voices are named `{name}` ({}); name one by its voice id",
                ids.join(", ")
            )))
        }
    }
}

/// The path of one voice, plus an action suffix such as `:publish`.
///
/// The id is percent-encoded as one path segment (spaces, `:` and non-ASCII are allowed); `/`,
/// `?` and `#` are refused because no voice id contains them and they usually mean a URL or a
/// path was passed by mistake.
fn voice_path(voice_id: &str, action: &str) -> Result<String> {
    let id = voice_id.trim();
    if id.is_empty() {
        return Err(InworldError::InvalidRequest(
            "the voice id is empty; pass an id such as \"Ashley\" (list_voices shows them)".into(),
        ));
    }
    if let Some(c) = id
        .chars()
        .find(|c| matches!(c, '/' | '?' | '#') || c.is_control())
    {
        return Err(InworldError::InvalidRequest(format!(
            "the voice id `{}` contains {c:?}, which no voice id has; pass the bare voice id \
             (e.g. \"Ashley\"), not a URL or resource path",
            id.escape_debug()
        )));
    }
    let mut path = format!("{VOICES_PATH}/");
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            path.push(char::from(byte));
        } else {
            path.push_str(&format!("%{byte:02X}"));
        }
    }
    path.push_str(action);
    Ok(path)
}

/// A voice answer, bare (`{"voiceId": ...}`) or wrapped (`{"voice": {...}, ...}`, as the clone
/// endpoint answers).
fn voice_from_answer(mut answer: Value, path: &str) -> Result<Voice> {
    if answer.get("voiceId").is_none()
        && let Some(inner) = answer.get_mut("voice").filter(|v| v.is_object())
    {
        answer = inner.take();
    }
    serde_json::from_value(answer)
        .map_err(|e| InworldError::Protocol(format!("the answer to {path} is not a voice: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A plain English system voice.
    pub(super) fn voice(id: &str, name: &str) -> Voice {
        Voice {
            voice_id: id.into(),
            display_name: name.into(),
            lang_code: Some(LangCode::EnUs),
            description: String::new(),
            tags: Vec::new(),
            source: VoiceSource::System,
            gender: None,
            age_group: None,
        }
    }

    /// The message of an [`InworldError::InvalidRequest`]; panics on anything else.
    pub(super) fn invalid(result: Result<()>) -> String {
        match result {
            Err(InworldError::InvalidRequest(msg)) => msg,
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }

    #[test]
    fn voice_ids_become_safe_path_segments() {
        assert_eq!(
            voice_path("Ashley", "").unwrap(),
            "/voices/v1/voices/Ashley"
        );
        assert_eq!(
            voice_path(" ws__my_voice-1.2~ ", ":publish").unwrap(),
            "/voices/v1/voices/ws__my_voice-1.2~:publish"
        );
        assert_eq!(
            voice_path("a b:c%", "").unwrap(),
            "/voices/v1/voices/a%20b%3Ac%25"
        );
        assert_eq!(voice_path("Zoé", "").unwrap(), "/voices/v1/voices/Zo%C3%A9");
        assert!(invalid(voice_path("", "").map(drop)).contains("empty"));
        for bad in ["a/b", "a?x=1", "a#frag", "https://x/y", "a\nb"] {
            let msg = invalid(voice_path(bad, "").map(drop));
            assert!(msg.contains("bare voice id"), "{msg}");
        }
    }

    #[test]
    fn single_voice_answers_may_be_wrapped() {
        let bare = json!({"voiceId": "v1", "displayName": "One", "source": "IVC"});
        let wrapped = json!({
            "voice": {"voiceId": "v1", "displayName": "One", "source": "IVC", "name": "w/v1"},
            "audioSamplesValidated": [{"errors": [], "warnings": []}]
        });
        let a = voice_from_answer(bare, "/p").unwrap();
        let b = voice_from_answer(wrapped, "/p").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.source, VoiceSource::Ivc);
        let err = voice_from_answer(json!({}), "/voices/v1/voices:clone").unwrap_err();
        assert!(
            matches!(&err, InworldError::Protocol(m) if m.contains("voices:clone")),
            "{err}"
        );
    }

    #[test]
    fn names_resolve_by_id_then_display_name() {
        let voices = vec![
            voice("Ashley", "Ashley"),
            voice("ws__captain", "Captain"),
            voice("ws__twin1", "Twin"),
            voice("ws__twin2", "twin"),
            voice("Dennis", "Dennis"),
        ];
        assert_eq!(
            resolve_voice(voices.clone(), "ASHLEY").unwrap().voice_id,
            "Ashley"
        );
        assert_eq!(
            resolve_voice(voices.clone(), "captain").unwrap().voice_id,
            "ws__captain"
        );
        assert_eq!(
            resolve_voice(voices.clone(), "WS__Twin2").unwrap().voice_id,
            "ws__twin2"
        );
        let ambiguous = resolve_voice(voices.clone(), "twin")
            .unwrap_err()
            .to_string();
        assert!(ambiguous.contains("ws__twin1, ws__twin2"), "{ambiguous}");
        match resolve_voice(voices, "Nobody") {
            Err(InworldError::NotFound(failure)) => {
                assert!(failure.message.contains("`Nobody`"), "{failure}");
                assert!(failure.message.contains("Ashley, ws__captain"), "{failure}");
            }
            other => panic!("expected NotFound, got {other:?}"),
        }
        let many: Vec<Voice> = (0..20).map(|i| voice(&format!("v{i}"), "")).collect();
        let msg = resolve_voice(many, "x").unwrap_err().to_string();
        assert!(msg.contains("and 12 more"), "{msg}");
        let none = resolve_voice(Vec::new(), "x").unwrap_err().to_string();
        assert!(none.contains("no voices at all"), "{none}");
    }
}
