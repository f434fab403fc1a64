//! The synthesis request, with every documented field, checked locally before it is sent.

use serde::{Deserialize, Serialize};

use super::error::{InworldError, Result};

/// Most characters one synthesis request may carry (longer texts are split by the client).
pub const MAX_TEXT_CHARS: usize = 2_000;
/// The model used when none is named.
pub const DEFAULT_MODEL: &str = "inworld-tts-1.5-max";
/// The sample rate this crate asks for by default: the usual playback rate, so sample counts
/// are the clock.
pub const DEFAULT_SAMPLE_RATE: u32 = 48_000;

/// Audio encodings Inworld can return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum AudioEncoding {
    /// 16-bit PCM; every streamed chunk is a complete WAV file.
    #[serde(rename = "LINEAR16")]
    Linear16,
    /// Raw signed 16-bit little-endian PCM (chunks are sniffed for a WAV header anyway).
    Pcm,
    /// A WAV file whose header comes in the first chunk only.
    Wav,
    /// MP3 (compressed; passed through undecoded).
    Mp3,
    /// Ogg Opus (compressed; passed through undecoded).
    OggOpus,
    /// FLAC (compressed; passed through undecoded).
    Flac,
}

impl AudioEncoding {
    /// Whether this client decodes the encoding to samples (the others are passed through).
    pub fn is_pcm(self) -> bool {
        matches!(self, Self::Linear16 | Self::Pcm | Self::Wav)
    }
}

/// Which timestamps to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TimestampType {
    /// Words, with phones and viseme categories on 1.5 and 2 models.
    #[serde(rename = "WORD")]
    Word,
    /// Characters.
    #[serde(rename = "CHARACTER")]
    Character,
    /// None.
    #[serde(rename = "TIMESTAMP_TYPE_UNSPECIFIED")]
    Unspecified,
}

/// Whether timestamps come with their audio or trail behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TimestampTransport {
    /// In the same message as their audio (the default).
    Sync,
    /// Audio first, timestamps in trailing messages (first audio sooner).
    Async,
}

/// Text normalisation (numbers, dates, ... spelled out) on the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum TextNormalization {
    /// Normalise.
    On,
    /// Speak the text as written.
    Off,
}

/// Expressiveness of `inworld-tts-2` models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum DeliveryMode {
    /// Consistent, predictable delivery.
    Stable,
    /// Between the two.
    Balanced,
    /// More expressive variation.
    Creative,
}

/// Viseme sets the server can derive from audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum VisemeSet {
    /// The 15 OpenXR / Oculus visemes.
    #[serde(rename = "OPENXR")]
    OpenXr,
}

/// Asks for audio-derived visemes (`lipsyncAlignment`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LipsyncConfig {
    /// The viseme set; the server's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viseme_set: Option<VisemeSet>,
}

/// Output audio settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioConfig {
    /// Encoding of the returned audio.
    pub audio_encoding: AudioEncoding,
    /// Sample rate in Hz (8,000 to 48,000).
    pub sample_rate_hertz: u32,
    /// Bit rate for compressed encodings, in bits per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bit_rate: Option<u32>,
    /// Speaking rate, 0.5 to 1.5 (1.0 normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaking_rate: Option<f32>,
}

impl Default for AudioConfig {
    fn default() -> Self {
        AudioConfig {
            audio_encoding: AudioEncoding::Linear16,
            sample_rate_hertz: DEFAULT_SAMPLE_RATE,
            bit_rate: None,
            speaking_rate: None,
        }
    }
}

/// One synthesis request (`POST /tts/v1/voice` and `/tts/v1/voice:stream`).
///
/// ```
/// # use inworld_tts::{SynthesisRequest, TimestampType};
/// let request = SynthesisRequest::new("Hello there!", "Dennis")
///     .with_model("inworld-tts-1.5-mini")
///     .with_timestamps(TimestampType::Word);
/// assert!(request.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SynthesisRequest {
    /// The text to speak (at most 2,000 characters per request; see the client for longer).
    pub text: String,
    /// The voice.
    pub voice_id: String,
    /// The model (`inworld-tts-1.5-max`, `inworld-tts-2`, ...).
    pub model_id: String,
    /// Output audio settings.
    pub audio_config: AudioConfig,
    /// Sampling temperature, 0 to 2 (1.5 models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Which timestamps to return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_type: Option<TimestampType>,
    /// Whether timestamps come with their audio or after it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_transport_strategy: Option<TimestampTransport>,
    /// Server-side text normalisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply_text_normalization: Option<TextNormalization>,
    /// Expressiveness (`inworld-tts-2` models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<DeliveryMode>,
    /// Language as a BCP-47 tag such as `en-US` (`inworld-tts-2` models).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Audio-derived visemes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lipsync_config: Option<LipsyncConfig>,
}

impl SynthesisRequest {
    /// A request for `text` in `voice` with the default model, 48 kHz LINEAR16 and WORD
    /// timestamps (which carry phones and visemes).
    pub fn new(text: impl Into<String>, voice: impl Into<String>) -> Self {
        SynthesisRequest {
            text: text.into(),
            voice_id: voice.into(),
            model_id: DEFAULT_MODEL.to_owned(),
            audio_config: AudioConfig::default(),
            temperature: None,
            timestamp_type: Some(TimestampType::Word),
            timestamp_transport_strategy: None,
            apply_text_normalization: None,
            delivery_mode: None,
            language: None,
            lipsync_config: None,
        }
    }

    /// Sets the model.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model_id = model.into();
        self
    }

    /// Sets the encoding and sample rate.
    pub fn with_audio(mut self, encoding: AudioEncoding, sample_rate_hertz: u32) -> Self {
        self.audio_config.audio_encoding = encoding;
        self.audio_config.sample_rate_hertz = sample_rate_hertz;
        self
    }

    /// Sets the speaking rate (0.5 to 1.5).
    pub fn with_speaking_rate(mut self, rate: f32) -> Self {
        self.audio_config.speaking_rate = Some(rate);
        self
    }

    /// Sets which timestamps to ask for.
    pub fn with_timestamps(mut self, kind: TimestampType) -> Self {
        self.timestamp_type = Some(kind);
        self
    }

    /// Sets the timestamp transport.
    pub fn with_transport(mut self, transport: TimestampTransport) -> Self {
        self.timestamp_transport_strategy = Some(transport);
        self
    }

    /// Asks for audio-derived OpenXR visemes.
    pub fn with_lipsync(mut self) -> Self {
        self.lipsync_config = Some(LipsyncConfig {
            viseme_set: Some(VisemeSet::OpenXr),
        });
        self
    }

    /// Checks what the server would reject, with a message saying what to change.
    /// Text longer than [`MAX_TEXT_CHARS`] is accepted only by the client's utterance API,
    /// which splits it; a single request refuses it.
    pub fn validate(&self) -> Result<()> {
        self.validate_settings()?;
        let chars = self.text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(InworldError::InvalidRequest(format!(
                "the text has {chars} characters; one request takes at most {MAX_TEXT_CHARS}. \
                 Use InworldClient::stream_utterance, which splits long text at sentences"
            )));
        }
        Ok(())
    }

    /// Everything [`Self::validate`] checks except the text length.
    pub(crate) fn validate_settings(&self) -> Result<()> {
        let bad = |msg: String| Err(InworldError::InvalidRequest(msg));
        if self.text.trim().is_empty() {
            return bad("the text is empty; give the line to speak".into());
        }
        if self.voice_id.trim().is_empty() {
            return bad("no voice given; set a voice id such as \"Dennis\"".into());
        }
        if self.model_id.trim().is_empty() {
            return bad(format!("no model given; use e.g. \"{DEFAULT_MODEL}\""));
        }
        let audio = &self.audio_config;
        if !(8_000..=48_000).contains(&audio.sample_rate_hertz) {
            return bad(format!(
                "sample rate {} Hz is out of range: use 8000 to 48000 Hz",
                audio.sample_rate_hertz
            ));
        }
        if let Some(rate) = audio.speaking_rate
            && !(0.5..=1.5).contains(&rate)
        {
            return bad(format!(
                "speaking rate {rate} is out of range: use 0.5 to 1.5 (1.0 is normal)"
            ));
        }
        if audio.bit_rate == Some(0) {
            return bad("bit rate 0 is not a bit rate; leave it unset for the default".into());
        }
        if let Some(t) = self.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return bad(format!("temperature {t} is out of range: use 0 to 2"));
        }
        if let Some(language) = &self.language
            && !is_language_tag(language)
        {
            return bad(format!(
                "language `{language}` is not a BCP-47 tag; use e.g. \"en-US\" or \"ja\""
            ));
        }
        Ok(())
    }
}

fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_the_documented_names() {
        let mut request = SynthesisRequest::new("Hi", "Dennis")
            .with_audio(AudioEncoding::Linear16, 24_000)
            .with_speaking_rate(1.25)
            .with_transport(TimestampTransport::Async)
            .with_lipsync();
        request.temperature = Some(1.5);
        request.apply_text_normalization = Some(TextNormalization::Off);
        request.delivery_mode = Some(DeliveryMode::Balanced);
        request.language = Some("en-US".into());
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "text": "Hi",
                "voiceId": "Dennis",
                "modelId": DEFAULT_MODEL,
                "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": 24000, "speakingRate": 1.25},
                "temperature": 1.5,
                "timestampType": "WORD",
                "timestampTransportStrategy": "ASYNC",
                "applyTextNormalization": "OFF",
                "deliveryMode": "BALANCED",
                "language": "en-US",
                "lipsyncConfig": {"visemeSet": "OPENXR"}
            })
        );
        let encodings = [
            AudioEncoding::Pcm,
            AudioEncoding::OggOpus,
            AudioEncoding::Mp3,
        ];
        let names: Vec<_> = encodings
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        assert_eq!(names, ["\"PCM\"", "\"OGG_OPUS\"", "\"MP3\""]);
        let unspecified = serde_json::to_string(&TimestampType::Unspecified).unwrap();
        assert_eq!(unspecified, "\"TIMESTAMP_TYPE_UNSPECIFIED\"");
    }

    #[test]
    fn refuses_what_the_server_would() {
        let ok = SynthesisRequest::new("Hello", "Dennis");
        assert!(ok.validate().is_ok());
        let cases = [
            (SynthesisRequest::new("   ", "Dennis"), "empty"),
            (SynthesisRequest::new("x", ""), "voice"),
            (SynthesisRequest::new("x", "D").with_model(""), "model"),
            (
                SynthesisRequest::new("x", "D").with_audio(AudioEncoding::Pcm, 96_000),
                "8000",
            ),
            (
                SynthesisRequest::new("x", "D").with_speaking_rate(2.0),
                "0.5 to 1.5",
            ),
            (SynthesisRequest::new("é".repeat(2_001), "D"), "2000"),
        ];
        for (request, needle) in cases {
            let err = request.validate().unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
        // 2,000 multibyte characters are within the limit (characters, not bytes).
        assert!(
            SynthesisRequest::new("é".repeat(2_000), "D")
                .validate()
                .is_ok()
        );
        let mut bad_lang = SynthesisRequest::new("x", "D");
        bad_lang.language = Some("english please".into());
        assert!(bad_lang.validate().is_err());
        let mut bad_temp = SynthesisRequest::new("x", "D");
        bad_temp.temperature = Some(-1.0);
        assert!(bad_temp.validate().is_err());
    }
}
