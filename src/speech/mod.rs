//! Provider-neutral speech: what a character says, whoever renders it.
//!
//! This layer sits between the Bevy `plugin` layer and the providers (see
//! `ARCHITECTURE.md`). It will own the stream every backend produces (`SpeechChunk { pcm,
//! sample_rate, alignment }`) and the backends themselves: Inworld through [`crate::inworld`],
//! the built-in offline voice, later baked clips and gateways. It knows nothing of Bevy.
//!
//! So far only the first step exists: [`VoiceDescriptor`], which reads the one-string voice
//! names integrations use (`inworld/inworld-tts-1:ashley`, `Ashley`, `offline:female`) and says
//! which provider, model and voice they mean.

pub mod descriptor;

pub use descriptor::{DEFAULT_OFFLINE_VOICE, DescriptorError, Provider, VoiceDescriptor};
