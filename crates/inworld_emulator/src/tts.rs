//! Reading and validating a synthesis request the way the server does, from raw JSON.
//!
//! Proto3 zero values (`sampleRateHertz: 0`, `speakingRate: 0`) mean "use the default".

use serde_json::{Map, Value};

use super::error::ApiError;
use super::fields::{field, number, object, string};

/// Model IDs the service knows.
pub(crate) const MODELS: [&str; 6] = [
    "inworld-tts-2",
    "inworld-tts-2-flash",
    "inworld-tts-1.5-max",
    "inworld-tts-1.5-mini",
    "inworld-tts-1",
    "inworld-tts-1-max",
];

/// Longest `text`, in characters.
pub(crate) const MAX_TEXT_CHARS: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// Every streamed chunk a complete WAV file.
    Linear16,
    /// Raw s16le.
    Pcm,
    /// One WAV header, on the first chunk.
    Wav,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timestamps {
    None,
    Word,
    Character,
}

/// A validated synthesis request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Synthesis {
    pub text: String,
    pub voice_id: String,
    pub model_id: String,
    pub encoding: Encoding,
    pub sample_rate: u32,
    pub speaking_rate: f32,
    pub timestamps: Timestamps,
    /// Timestamps in trailing lines after all audio (`ASYNC`).
    pub deferred_timestamps: bool,
    /// `lipsyncConfig` was present.
    pub lipsync: bool,
}

impl Synthesis {
    pub fn from_body(body: &[u8]) -> Result<Self, ApiError> {
        Self::from_json(&object(body)?)
    }

    /// The settings of a WebSocket `create`: a synthesis whose text comes later.
    pub fn from_create(create: &Map<String, Value>) -> Result<Self, ApiError> {
        let mut with_text = create.clone();
        with_text.insert("text".into(), Value::String(" ".into()));
        Self::from_json(&with_text)
    }

    fn from_json(request: &Map<String, Value>) -> Result<Self, ApiError> {
        let text = string(request, "text")?.ok_or_else(|| ApiError::invalid("text is required"))?;
        let chars = text.chars().count();
        if chars == 0 {
            return Err(ApiError::invalid("text must not be empty"));
        }
        if chars > MAX_TEXT_CHARS {
            return Err(ApiError::invalid(format!(
                "text is {chars} characters long; the limit is 2,000 characters ({MAX_TEXT_CHARS})"
            )));
        }
        let model_id =
            string(request, "modelId")?.ok_or_else(|| ApiError::invalid("modelId is required"))?;
        if !MODELS.contains(&model_id.as_str()) {
            return Err(ApiError::invalid(format!(
                "unknown modelId `{model_id}`; expected one of {}",
                MODELS.join(", ")
            )));
        }
        let voice_id = string(request, "voiceId")?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::invalid("voiceId is required"))?;

        let empty = Map::new();
        let audio = match field(request, "audioConfig") {
            None => &empty,
            Some(Value::Object(audio)) => audio,
            Some(_) => return Err(ApiError::invalid("audioConfig must be an object")),
        };
        let encoding = match string(audio, "audioEncoding")?.as_deref() {
            None | Some("AUDIO_ENCODING_UNSPECIFIED" | "LINEAR16") => Encoding::Linear16,
            Some("PCM") => Encoding::Pcm,
            Some("WAV") => Encoding::Wav,
            Some(other @ ("MP3" | "OGG_OPUS" | "FLAC" | "ALAW" | "MULAW")) => {
                return Err(ApiError::invalid(format!(
                    "audioEncoding {other} is not supported by the emulator; use LINEAR16, PCM or WAV"
                )));
            }
            Some(other) => return Err(unknown_enum("audioEncoding", other)),
        };
        let sample_rate = match number(audio, "sampleRateHertz")? {
            None | Some(0.0) => 48_000,
            Some(rate) if rate.fract() == 0.0 && (8_000.0..=48_000.0).contains(&rate) => {
                rate as u32
            }
            Some(rate) => {
                return Err(ApiError::invalid(format!(
                    "sampleRateHertz must be a whole number from 8000 to 48000, got {rate}"
                )));
            }
        };
        let speaking_rate = match number(audio, "speakingRate")? {
            None | Some(0.0) => 1.0,
            Some(rate) if (0.5..=1.5).contains(&rate) => rate as f32,
            Some(rate) => {
                return Err(ApiError::invalid(format!(
                    "speakingRate must be from 0.5 to 1.5, got {rate}"
                )));
            }
        };
        if let Some(t) = number(request, "temperature")?
            && !(0.0..=2.0).contains(&t)
        {
            return Err(ApiError::invalid(format!(
                "temperature must be from 0 to 2, got {t}"
            )));
        }
        let timestamps = match string(request, "timestampType")?.as_deref() {
            None | Some("TIMESTAMP_TYPE_UNSPECIFIED") => Timestamps::None,
            Some("WORD") => Timestamps::Word,
            Some("CHARACTER") => Timestamps::Character,
            Some(other) => return Err(unknown_enum("timestampType", other)),
        };
        let deferred_timestamps = match string(request, "timestampTransportStrategy")?.as_deref() {
            None | Some("TIMESTAMP_TRANSPORT_STRATEGY_UNSPECIFIED" | "SYNC") => false,
            Some("ASYNC") => true,
            Some(other) => return Err(unknown_enum("timestampTransportStrategy", other)),
        };
        match string(request, "applyTextNormalization")?.as_deref() {
            None | Some("APPLY_TEXT_NORMALIZATION_UNSPECIFIED" | "ON" | "OFF") => {}
            Some(other) => return Err(unknown_enum("applyTextNormalization", other)),
        }
        let lipsync = match field(request, "lipsyncConfig") {
            None => false,
            Some(Value::Object(config)) => {
                match string(config, "visemeSet")?.as_deref() {
                    None | Some("OPENXR" | "VISEME_SET_UNSPECIFIED") => {}
                    Some(other) => return Err(unknown_enum("lipsyncConfig.visemeSet", other)),
                }
                true
            }
            Some(_) => return Err(ApiError::invalid("lipsyncConfig must be an object")),
        };
        Ok(Self {
            text,
            voice_id,
            model_id,
            encoding,
            sample_rate,
            speaking_rate,
            timestamps,
            deferred_timestamps,
            lipsync,
        })
    }
}

fn unknown_enum(name: &str, value: &str) -> ApiError {
    ApiError::invalid(format!("invalid value for {name}: `{value}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Synthesis, ApiError> {
        Synthesis::from_body(json.as_bytes())
    }

    #[test]
    fn defaults_and_snake_case() {
        let s = parse(
            r#"{"text":"hi","voice_id":"Dennis","model_id":"inworld-tts-1.5-mini",
                "audio_config":{"audio_encoding":"PCM","sample_rate_hertz":16000},
                "timestamp_type":"WORD","timestamp_transport_strategy":"ASYNC"}"#,
        )
        .unwrap();
        assert_eq!(s.encoding, Encoding::Pcm);
        assert_eq!(s.sample_rate, 16_000);
        assert_eq!(s.timestamps, Timestamps::Word);
        assert!(s.deferred_timestamps);
        let d = parse(r#"{"text":"hi","voiceId":"Dennis","modelId":"inworld-tts-2"}"#).unwrap();
        assert_eq!(
            (d.encoding, d.sample_rate, d.speaking_rate),
            (Encoding::Linear16, 48_000, 1.0)
        );
        assert!(!d.lipsync);
    }

    #[test]
    fn refusals_are_invalid_argument() {
        let cases = [
            r#"{"voiceId":"Dennis","modelId":"inworld-tts-2"}"#,
            r#"{"text":"","voiceId":"Dennis","modelId":"inworld-tts-2"}"#,
            r#"{"text":"hi","voiceId":"Dennis","modelId":"tts-9"}"#,
            r#"{"text":"hi","voiceId":"Dennis"}"#,
            r#"{"text":"hi","voiceId":"Dennis","modelId":"inworld-tts-2","audioConfig":{"audioEncoding":"MP3"}}"#,
            r#"{"text":"hi","voiceId":"Dennis","modelId":"inworld-tts-2","audioConfig":{"sampleRateHertz":96000}}"#,
            r#"{"text":"hi","voiceId":"Dennis","modelId":"inworld-tts-2","audioConfig":{"speakingRate":2}}"#,
            r#"{"text":"hi","voiceId":"Dennis","modelId":"inworld-tts-2","temperature":3}"#,
            r#"{"text":"hi","voiceId":"Dennis","modelId":"inworld-tts-2","timestampType":"word"}"#,
            r#"[1]"#,
        ];
        for case in cases {
            let err = parse(case).unwrap_err();
            assert_eq!((err.http, err.code), (400, 3), "{case}");
        }
    }
}
