//! Provider-neutral speech: what a character says, whoever renders it, and nothing of any game
//! engine.
//!
//! A [`SpeechRequest`] names what to say (a [`LineSource`]: text, a recording, text fed over
//! time, or a reply an LLM writes) and a [`VoiceDescriptor`]. [`SpeechService::open`] is the one
//! place that picks a provider: it builds a [`SpeechSource`] (one per provider, in
//! [`source`]) and returns it as a [`SpeechStream`] of [`SpeechChunk`]s: PCM plus timing, every
//! offset in frames of the utterance's own audio, the same shape whoever speaks.
//!
//! On top of that:
//! - [`runtime`]: the speech thread a game engine talks to through two channels: commands in
//!   (speak, cancel), voices, timing and lifecycle out. Each line's PCM goes straight into a
//!   lock-free [`lipsync_audio`] voice.
//! - [`VoiceResolver`]: which voice a line really speaks with, after defaults and the offline
//!   fallback when a provider has no key.
//! - [`bake`]: a timeline for audio that came without one, from its sound and a transcript.
//! - [`TextFeed`]: the game's end of a line whose text arrives over time.
//!
//! ```no_run
//! # async fn demo() -> Result<(), lipsync_speech::SpeechError> {
//! use inworld_tts::InworldClient;
//! use lipsync_speech::{SpeechRequest, SpeechService};
//!
//! let service = SpeechService::with_inworld(InworldClient::from_env()?);
//! let mut stream = service.open(&SpeechRequest::new("Hello!", "Dennis".parse()?))?;
//! while let Some(chunk) = stream.next().await {
//!     let chunk = chunk?;
//!     println!("{} samples from frame {}", chunk.pcm.len(), chunk.start.0);
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bake;
mod chunk;
pub mod descriptor;
mod error;
mod feed;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod request;
mod resolve;
pub mod runtime;
mod service;
mod settings;
pub mod source;

pub use chunk::SpeechChunk;
pub use descriptor::{DEFAULT_OFFLINE_VOICE, DescriptorError, Provider, VoiceDescriptor};
pub use error::SpeechError;
pub use feed::TextFeed;
pub use request::{DEFAULT_SPEECH_RATE, LineSource, Recording, SpeechRequest};
pub use resolve::{VoiceDefaults, VoiceResolver};
pub use service::{SpeechService, SpeechStream};
pub use settings::InworldSetting;
pub use source::SpeechSource;

// The layers below, by the names the modules use.
use inworld_tts as inworld;
use lipsync_audio as audio;
use lipsync_core as lipsync;
use lipsync_core::alignment;
use offline_voice as offline;
