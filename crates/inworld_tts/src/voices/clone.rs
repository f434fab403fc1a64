//! Voices cloned from recordings: a [`CloneVoiceRequest`] carries [`VoiceSample`]s.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Serialize, Serializer};

use super::lang::LangCode;
use crate::error::{InworldError, Result};

/// One recording to clone a voice from.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceSample {
    /// The audio file's bytes (WAV or MP3), sent as base64.
    #[serde(serialize_with = "as_base64")]
    pub audio_data: Vec<u8>,
    /// What is said in it, which helps the cloning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription: Option<String>,
}

impl VoiceSample {
    /// A sample from an audio file's bytes.
    pub fn new(audio_data: impl Into<Vec<u8>>) -> Self {
        VoiceSample {
            audio_data: audio_data.into(),
            transcription: None,
        }
    }

    /// Sets what is said in the sample.
    pub fn with_transcription(mut self, transcription: impl Into<String>) -> Self {
        self.transcription = Some(transcription.into());
        self
    }
}

impl fmt::Debug for VoiceSample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VoiceSample")
            .field(
                "audio_data",
                &format_args!("<{} bytes>", self.audio_data.len()),
            )
            .field("transcription", &self.transcription)
            .finish()
    }
}

/// Audio clean-up applied to clone samples.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioProcessingConfig {
    /// Remove background noise from the samples first.
    pub remove_background_noise: bool,
}

/// A voice cloned from recordings (`POST /voices/v1/voices:clone`): about 5 to 15 seconds of
/// clear speech in one language works best.
///
/// ```
/// # use inworld_tts::{CloneVoiceRequest, LangCode, VoiceSample};
/// # let wav_bytes = vec![1u8; 16];
/// let request = CloneVoiceRequest::new("Narrator", LangCode::EnUs)
///     .with_sample(VoiceSample::new(wav_bytes).with_transcription("Once upon a time..."))
///     .with_background_noise_removed();
/// assert!(request.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloneVoiceRequest {
    /// The display name of the new voice.
    pub display_name: String,
    /// The language of the samples.
    pub lang_code: LangCode,
    /// One or more recordings.
    pub voice_samples: Vec<VoiceSample>,
    /// A description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Audio clean-up; the server's default when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_processing_config: Option<AudioProcessingConfig>,
}

impl CloneVoiceRequest {
    /// A request without samples yet (add them with [`Self::with_sample`]).
    pub fn new(display_name: impl Into<String>, lang_code: LangCode) -> Self {
        CloneVoiceRequest {
            display_name: display_name.into(),
            lang_code,
            voice_samples: Vec::new(),
            description: None,
            tags: Vec::new(),
            audio_processing_config: None,
        }
    }

    /// Adds a recording.
    pub fn with_sample(mut self, sample: VoiceSample) -> Self {
        self.voice_samples.push(sample);
        self
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

    /// Asks the server to remove background noise from the samples.
    pub fn with_background_noise_removed(mut self) -> Self {
        self.audio_processing_config = Some(AudioProcessingConfig {
            remove_background_noise: true,
        });
        self
    }

    /// Checks what the server would reject, with a message saying what to change.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(InworldError::InvalidRequest(msg));
        if self.display_name.trim().is_empty() {
            return bad("the cloned voice has no display name; give it one".into());
        }
        if self.voice_samples.is_empty() {
            return bad(
                "no voice samples; add at least one recording (about 5 to 15 s of speech)".into(),
            );
        }
        for (i, sample) in self.voice_samples.iter().enumerate() {
            if sample.audio_data.is_empty() {
                return bad(format!(
                    "voice sample {} has no audio; give the bytes of a WAV or MP3 file",
                    i + 1
                ));
            }
            if sample
                .transcription
                .as_deref()
                .is_some_and(|t| t.trim().is_empty())
            {
                return bad(format!(
                    "voice sample {} has an empty transcription; give the words spoken or \
                     leave it unset",
                    i + 1
                ));
            }
        }
        self.lang_code.validate()
    }
}

fn as_base64<S: Serializer>(bytes: &[u8], serializer: S) -> std::result::Result<S::Ok, S::Error> {
    serializer.serialize_str(&STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::voices::tests::invalid;
    use crate::voices::{DesignVoiceRequest, PublishVoice, VoiceUpdate};

    #[test]
    fn requests_serialise_in_camel_case() {
        let update = VoiceUpdate {
            display_name: Some("Cap".into()),
            description: None,
            tags: Some(vec![]),
        };
        assert_eq!(
            serde_json::to_value(&update).unwrap(),
            json!({"displayName": "Cap", "tags": []})
        );

        let design =
            DesignVoiceRequest::new("p".repeat(30), "Ahoy!", LangCode::EnUs).with_samples(3);
        assert_eq!(
            serde_json::to_value(&design).unwrap(),
            json!({
                "designPrompt": "p".repeat(30),
                "previewText": "Ahoy!",
                "langCode": "EN_US",
                "voiceDesignConfig": {"numberOfSamples": 3}
            })
        );

        let publish = PublishVoice::named("Captain").with_tags(["sea"]);
        assert_eq!(
            serde_json::to_value(&publish).unwrap(),
            json!({"displayName": "Captain", "tags": ["sea"]})
        );
        assert_eq!(
            serde_json::to_value(PublishVoice::default()).unwrap(),
            json!({})
        );

        let clone = CloneVoiceRequest::new("Narrator", LangCode::DeDe)
            .with_sample(VoiceSample::new(b"RIFF".to_vec()).with_transcription("Hallo"))
            .with_sample(VoiceSample::new([0u8, 255]))
            .with_description("calm")
            .with_tags(["a", "b"])
            .with_background_noise_removed();
        assert_eq!(
            serde_json::to_value(&clone).unwrap(),
            json!({
                "displayName": "Narrator",
                "langCode": "DE_DE",
                "voiceSamples": [
                    {"audioData": "UklGRg==", "transcription": "Hallo"},
                    {"audioData": "AP8="}
                ],
                "description": "calm",
                "tags": ["a", "b"],
                "audioProcessingConfig": {"removeBackgroundNoise": true}
            })
        );
        let minimal =
            CloneVoiceRequest::new("N", LangCode::Auto).with_sample(VoiceSample::new([1u8]));
        assert_eq!(
            serde_json::to_value(&minimal).unwrap(),
            json!({"displayName": "N", "langCode": "AUTO", "voiceSamples": [{"audioData": "AQ=="}]})
        );
    }

    #[test]
    fn clone_and_edit_requests_are_checked_locally() {
        let sample = VoiceSample::new(vec![1u8; 8]);
        let ok = CloneVoiceRequest::new("Narrator", LangCode::EnUs).with_sample(sample.clone());
        assert!(ok.validate().is_ok());
        let cases = [
            (
                CloneVoiceRequest {
                    display_name: " ".into(),
                    ..ok.clone()
                },
                "display name",
            ),
            (CloneVoiceRequest::new("N", LangCode::EnUs), "at least one"),
            (
                ok.clone().with_sample(VoiceSample::new(Vec::new())),
                "sample 2 has no audio",
            ),
            (
                ok.clone().with_sample(sample.with_transcription("")),
                "sample 2 has an empty transcription",
            ),
        ];
        for (request, needle) in cases {
            let msg = invalid(request.validate());
            assert!(msg.contains(needle), "{msg}");
        }
        assert!(invalid(VoiceUpdate::default().validate()).contains("changes nothing"));
        let blank = VoiceUpdate {
            display_name: Some("".into()),
            ..Default::default()
        };
        assert!(invalid(blank.validate()).contains("display name is empty"));
        assert!(invalid(PublishVoice::named(" ").validate()).contains("display name is empty"));
        assert!(PublishVoice::default().validate().is_ok());
    }
}
