//! Provider-neutral speech: what a character says, whoever renders it.
//!
//! This layer sits between the Bevy `plugin` layer and the providers (the Inworld client, the
//! offline voice). A [`SpeechRequest`] names the line and a [`VoiceDescriptor`];
//! [`SpeechService::open`] picks the provider and returns a [`SpeechStream`] of [`SpeechChunk`]s: PCM plus timing, every offset in
//! frames of the utterance's own audio, the same shape whether Inworld or the offline voice
//! speaks. It knows nothing of Bevy or of audio playback.
//!
//! ```no_run
//! # async fn demo() -> Result<(), bevy_lipsync::speech::SpeechError> {
//! use bevy_lipsync::inworld::InworldClient;
//! use bevy_lipsync::speech::{SpeechRequest, SpeechService};
//!
//! let service = SpeechService::with_inworld(InworldClient::from_env()?);
//! let mut stream = service.open(&SpeechRequest::new("Hello!", "Dennis".parse()?))?;
//! while let Some(chunk) = stream.next().await {
//!     let chunk = chunk?;
//!     println!("{} samples from frame {}", chunk.pcm.len(), chunk.start.0);
//! }
//! # Ok(()) }
//! ```

mod chunk;
pub mod descriptor;
mod error;
mod feed;
mod service;

pub use chunk::SpeechChunk;
pub use descriptor::{DEFAULT_OFFLINE_VOICE, DescriptorError, Provider, VoiceDescriptor};
pub use error::SpeechError;
pub use feed::TextFeed;
pub use service::{DEFAULT_SPEECH_RATE, Recording, SpeechRequest, SpeechService, SpeechStream};
