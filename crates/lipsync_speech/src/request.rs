//! What a line is and how to speak it.

use std::sync::Arc;

use crate::alignment::AlignmentUpdate;
use crate::inworld::TimestampType;
use crate::inworld::router::ChatRequest;

use super::descriptor::VoiceDescriptor;
use super::feed::TextFeed;

/// The sample rate lines are requested at unless a [`SpeechRequest`] says otherwise: Inworld's
/// default, and plenty for speech.
pub const DEFAULT_SPEECH_RATE: u32 = 24_000;

/// Where a line's words come from. Exactly one of these; the service picks the provider that
/// renders it.
#[derive(Clone, Debug, PartialEq)]
pub enum LineSource {
    /// Text to synthesise. Inworld-style tags (`[happy]`, `<break time="300ms"/>`) are
    /// allowed.
    Text(String),
    /// Speech already recorded: played as it is, with its timing, instead of being
    /// synthesised (the request's voice is not used).
    Recorded(Recording),
    /// Text that arrives over time: each sentence is spoken as soon as it is complete, back to
    /// back in one utterance.
    Streamed(TextFeed),
    /// A reply written by Inworld's LLM router and spoken as it is written.
    Reply(Box<ChatRequest>),
}

impl LineSource {
    /// The text, for a line given as text.
    pub fn text(&self) -> Option<&str> {
        match self {
            LineSource::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Whether the line's text is written while it is spoken (streamed or a reply).
    pub fn is_written_live(&self) -> bool {
        matches!(self, LineSource::Streamed(_) | LineSource::Reply(_))
    }
}

/// A line to speak and how.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeechRequest {
    /// What to say.
    pub source: LineSource,
    /// Who says it.
    pub voice: VoiceDescriptor,
    /// BCP-47 language hint (`"en"`), when the voice speaks several.
    pub language: Option<String>,
    /// Speaking rate, 0.5 to 1.5; 1 is the voice's natural pace.
    pub speaking_rate: f32,
    /// Sample rate of the audio to produce.
    pub sample_rate: u32,
    /// Which timestamps to ask Inworld for: `Word` (words, with phones on the models that have
    /// them; the default) or `Character` (regrouped into words as they arrive);
    /// `Unspecified` asks for none, and the shapes are then read from the sound as it
    /// streams in. The offline voice always gives phones.
    pub timestamps: TimestampType,
}

impl SpeechRequest {
    /// `text` in `voice` at the natural pace and [`DEFAULT_SPEECH_RATE`].
    pub fn new(text: impl Into<String>, voice: VoiceDescriptor) -> Self {
        SpeechRequest::from_source(LineSource::Text(text.into()), voice)
    }

    /// A line from `source` in `voice` at the natural pace and [`DEFAULT_SPEECH_RATE`].
    pub fn from_source(source: LineSource, voice: VoiceDescriptor) -> Self {
        SpeechRequest {
            source,
            voice,
            language: None,
            speaking_rate: 1.0,
            sample_rate: DEFAULT_SPEECH_RATE,
            timestamps: TimestampType::Word,
        }
    }

    /// The same voice and settings, saying `source`.
    pub fn saying(&self, source: LineSource) -> SpeechRequest {
        SpeechRequest {
            source,
            voice: self.voice.clone(),
            language: self.language.clone(),
            speaking_rate: self.speaking_rate,
            sample_rate: self.sample_rate,
            timestamps: self.timestamps,
        }
    }
}

/// A recorded line: mono 16-bit PCM at its own rate and its timing in frames of that rate.
/// Cheap to clone.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// Sample rate of `pcm` and the unit of the timing's frames.
    pub sample_rate: u32,
    /// The audio.
    pub pcm: Arc<[i16]>,
    /// Its timing (empty when the recording came without any).
    pub alignment: Arc<AlignmentUpdate>,
}
