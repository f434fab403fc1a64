//! Voices described in words: a [`DesignVoiceRequest`] yields [`PreviewVoice`]s, and
//! [`PublishVoice`] keeps one as a voice of the workspace.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize};

use super::lang::LangCode;
use super::model::{null_as_default, optional_lang};
#[cfg(doc)]
use crate::InworldClient;
use crate::error::{InworldError, Result};

/// Characters allowed in a design prompt.
const DESIGN_PROMPT_CHARS: std::ops::RangeInclusive<usize> = 30..=250;
/// Previews one design request may ask for.
const DESIGN_SAMPLES: std::ops::RangeInclusive<u32> = 1..=3;

/// Options of a voice design ([`DesignVoiceRequest::voice_design_config`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceDesignConfig {
    /// How many previews to generate, 1 to 3.
    pub number_of_samples: u32,
}

impl Default for VoiceDesignConfig {
    fn default() -> Self {
        VoiceDesignConfig {
            number_of_samples: 1,
        }
    }
}

/// A voice described in words (`POST /voices/v1/voices:design`). The answer holds previews;
/// [`InworldClient::publish_voice`] keeps one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DesignVoiceRequest {
    /// How the voice sounds, in English, 30 to 250 characters.
    pub design_prompt: String,
    /// What the previews say (about 1 to 15 seconds of speech), in `lang_code`.
    pub preview_text: String,
    /// The voice's language.
    pub lang_code: LangCode,
    /// How many previews to generate.
    pub voice_design_config: VoiceDesignConfig,
}

impl DesignVoiceRequest {
    /// A request for one preview.
    pub fn new(
        design_prompt: impl Into<String>,
        preview_text: impl Into<String>,
        lang_code: LangCode,
    ) -> Self {
        DesignVoiceRequest {
            design_prompt: design_prompt.into(),
            preview_text: preview_text.into(),
            lang_code,
            voice_design_config: VoiceDesignConfig::default(),
        }
    }

    /// Sets how many previews to generate (1 to 3).
    pub fn with_samples(mut self, number_of_samples: u32) -> Self {
        self.voice_design_config.number_of_samples = number_of_samples;
        self
    }

    /// Checks what the server would reject, with a message saying what to change.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(InworldError::InvalidRequest(msg));
        let chars = self.design_prompt.trim().chars().count();
        if !DESIGN_PROMPT_CHARS.contains(&chars) {
            return bad(format!(
                "the design prompt has {chars} characters; describe the voice in English in \
                 {} to {} characters",
                DESIGN_PROMPT_CHARS.start(),
                DESIGN_PROMPT_CHARS.end()
            ));
        }
        if self.preview_text.trim().is_empty() {
            return bad("the preview text is empty; give a line of about 1 to 15 seconds".into());
        }
        let samples = self.voice_design_config.number_of_samples;
        if !DESIGN_SAMPLES.contains(&samples) {
            return bad(format!(
                "{samples} previews asked for; ask for {} to {}",
                DESIGN_SAMPLES.start(),
                DESIGN_SAMPLES.end()
            ));
        }
        self.lang_code.validate()
    }
}

/// The previews of a voice design.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesignedVoices {
    /// The language of the previews.
    #[serde(default, deserialize_with = "optional_lang")]
    pub lang_code: Option<LangCode>,
    /// One entry per preview; publish the one you like.
    #[serde(default, deserialize_with = "null_as_default")]
    pub preview_voices: Vec<PreviewVoice>,
}

/// One preview of a voice design: not usable for synthesis until published.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewVoice {
    /// The id to pass to [`InworldClient::publish_voice`].
    pub voice_id: String,
    /// What the preview says.
    #[serde(default, deserialize_with = "null_as_default")]
    pub preview_text: String,
    /// The preview audio, decoded from base64 (its format is whatever the server chose).
    #[serde(default, deserialize_with = "from_base64")]
    pub preview_audio: Vec<u8>,
}

impl fmt::Debug for PreviewVoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The audio is summarised: printing megabytes of bytes helps nobody.
        f.debug_struct("PreviewVoice")
            .field("voice_id", &self.voice_id)
            .field("preview_text", &self.preview_text)
            .field(
                "preview_audio",
                &format_args!("<{} bytes>", self.preview_audio.len()),
            )
            .finish()
    }
}

/// How a designed preview is published (`POST /voices/v1/voices/{id}:publish`); every field
/// is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublishVoice {
    /// The display name of the published voice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Its description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl PublishVoice {
    /// Publishes under this display name.
    pub fn named(display_name: impl Into<String>) -> Self {
        PublishVoice {
            display_name: Some(display_name.into()),
            ..Self::default()
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the tags.
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Checks what the server would reject, with a message saying what to change.
    pub fn validate(&self) -> Result<()> {
        if self
            .display_name
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            return Err(InworldError::InvalidRequest(
                "the display name is empty; give a name or leave it unset".into(),
            ));
        }
        Ok(())
    }
}

fn from_base64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<u8>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
    STANDARD
        .decode(text.trim())
        .map_err(|e| serde::de::Error::custom(format!("previewAudio is not base64 ({e})")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::voices::tests::invalid;

    #[test]
    fn design_requests_are_checked_locally() {
        let ok = DesignVoiceRequest::new("x".repeat(30), "Hello there.", LangCode::EnUs);
        assert!(ok.validate().is_ok());
        assert!(ok.clone().with_samples(3).validate().is_ok());
        assert!(
            DesignVoiceRequest {
                design_prompt: "é".repeat(250),
                ..ok.clone()
            }
            .validate()
            .is_ok()
        );
        let cases = [
            (
                DesignVoiceRequest {
                    design_prompt: "too short".into(),
                    ..ok.clone()
                },
                "9 characters",
            ),
            (
                DesignVoiceRequest {
                    design_prompt: "x".repeat(251),
                    ..ok.clone()
                },
                "30 to 250",
            ),
            (
                DesignVoiceRequest {
                    preview_text: "  ".into(),
                    ..ok.clone()
                },
                "preview text",
            ),
            (ok.clone().with_samples(0), "1 to 3"),
            (ok.clone().with_samples(4), "1 to 3"),
            (
                DesignVoiceRequest {
                    lang_code: LangCode::Other("en".into()),
                    ..ok.clone()
                },
                "EN_US",
            ),
        ];
        for (request, needle) in cases {
            let msg = invalid(request.validate());
            assert!(msg.contains(needle), "{msg}");
        }
    }

    #[test]
    fn design_answers_decode_their_audio() {
        let designed: DesignedVoices = serde_json::from_value(json!({
            "langCode": "EN_US",
            "previewVoices": [
                {"voiceId": "p1", "previewText": "Ahoy", "previewAudio": "UklGRg==", "extra": 1},
                {"voiceId": "p2"}
            ],
            "unknown": true
        }))
        .unwrap();
        assert_eq!(designed.lang_code, Some(LangCode::EnUs));
        assert_eq!(designed.preview_voices[0].preview_audio, b"RIFF");
        assert!(designed.preview_voices[1].preview_audio.is_empty());
        assert!(format!("{:?}", designed.preview_voices[0]).contains("<4 bytes>"));
        let bad = serde_json::from_value::<DesignedVoices>(json!({
            "previewVoices": [{"voiceId": "p1", "previewAudio": "not base64!"}]
        }));
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("previewAudio is not base64")
        );
    }
}
