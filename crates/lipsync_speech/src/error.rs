//! Why a line could not be spoken.

use crate::audio::AudioError;
use crate::inworld::InworldError;
use crate::offline::{OfflineError, UnknownOfflineVoice};

use crate::descriptor::DescriptorError;

/// What can go wrong speaking a line. Each message says what to change.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SpeechError {
    /// The voice descriptor could not be read.
    #[error(transparent)]
    Descriptor(#[from] DescriptorError),
    /// An Inworld voice was asked for but no key is configured.
    #[error(
        "`{voice}` is an Inworld voice but no Inworld API key is configured: set INWORLD_API_KEY \
         (or give the plugin an InworldConfig), or use an `offline:` voice"
    )]
    NoInworldKey {
        /// The descriptor as written.
        voice: String,
    },
    /// A reply was asked for but no Inworld key is configured for its LLM.
    #[error(
        "replies are written by Inworld's LLM router (model `{model}`), which needs an Inworld \
         API key: set INWORLD_API_KEY (or give the plugin an InworldConfig), or speak your own \
         text with say_stream"
    )]
    NoLlmKey {
        /// The persona's model.
        model: String,
    },
    /// The descriptor names an offline voice that does not exist.
    #[error(transparent)]
    UnknownOfflineVoice(#[from] UnknownOfflineVoice),
    /// The offline voice cannot say this line.
    #[error("the offline voice cannot say this line: {0}")]
    Offline(#[from] OfflineError),
    /// Inworld refused or failed the request.
    #[error(transparent)]
    Inworld(#[from] InworldError),
    /// The line's audio could not be played.
    #[error("the line's audio could not be played: {0}")]
    Audio(#[from] AudioError),
    /// The audio output stopped playing the line (device suspended or lost) for longer than
    /// the output's stall timeout (`LipsyncSettings::stall_timeout` in the Bevy plugin).
    #[error(
        "the audio output stopped playing this line for {:.1} s (device suspended or lost); the \
         line was dropped: check the output device, or raise LipsyncSettings::stall_timeout",
        .after.as_secs_f32()
    )]
    OutputStalled {
        /// How long the output had been stopped.
        after: std::time::Duration,
    },
    /// The AI/ML API gateway refused or failed the line.
    #[error(transparent)]
    Gateway(#[from] aimlapi_gateway::GatewayError),
    /// A recorded line could not be played: its file did not load.
    #[error("the recorded line {path} could not be played: {reason}")]
    Recording {
        /// The asset path of the line.
        path: String,
        /// Why it did not load.
        reason: String,
    },
    /// `reply_to` on a speaker without a `Persona` (the Bevy plugin's LLM persona).
    #[error(
        "reply_to needs a Persona on the speaker (its system prompt and LLM model): insert \
         Persona::new(\"You are ...\") with its Speaker"
    )]
    NoPersona,
    /// A bug in this crate; the message says where.
    #[error("internal error in bevy_lipsync: {0}")]
    Internal(String),
}
