//! Talking characters for Bevy.
//!
//! A game says "NPC, say this line"; the speech is streamed from Inworld's TTS service (or the
//! built-in offline voice) on a background runtime, its PCM is played through a lock-free ring
//! buffer, and the character's mouth follows the phoneme and viseme timestamps, scheduled against
//! the clock of the audio that is actually heard.
//!
//! `bevy_lipsync` only translates to and from the ECS: components, events, systems and rig
//! binding. The engine-agnostic parts are crates of their own, re-exported here so a game adds
//! one dependency:
//!
//! | module | crate | owns |
//! |---|---|---|
//! | [`plugin`] | this one | [`LipsyncPlugins`](plugin::LipsyncPlugins): speakers, lines, events, rig binding, expressions, head motion, VRM, spatial voices, personas, ducking |
//! | [`speech`] | `lipsync_speech` | the provider-neutral stream of PCM and timing (one source per provider), the speech runtime thread, voice descriptors and resolution, baking timelines |
//! | [`lipsync`] | `lipsync_core` | visemes, the tables that map phones, categories and letters onto them, curves, timelines (`lipsync::alignment`), display-time scheduling, rig tables, audio-driven visemes |
//! | [`audio`] | `lipsync_audio` | the lock-free PCM pipe, resampling, the audible clock, device and virtual outputs |
//! | [`inworld`] | `inworld_tts` | the Inworld client: requests, the streaming decoder, errors, retries, Voices API, tokens |
//! | [`offline`] | `offline_voice` (its voice and lexicon) | the built-in English voice, and the lexicon lent to lipsync |
//! | [`gateway`] | `aimlapi_gateway` | Inworld's voices through the AI/ML API gateway (finished files, no timing) |
//! | `emulator` (feature `emulator`) | `inworld_emulator` | a loopback server speaking the Inworld protocol, with fault injection |
//!
//! Dependencies point one way: the plugin over speech, speech over the client, the voice and
//! the audio, all of them over `lipsync_core`, which depends on none of them.
//!
//! Start with the [`prelude`] and the [`plugin`] docs.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub use lipsync_speech::fuzzing;
pub mod plugin;
pub mod prelude;

pub use aimlapi_gateway as gateway;
#[cfg(feature = "emulator")]
pub use inworld_emulator as emulator;
pub use inworld_tts as inworld;
pub use lipsync_audio as audio;
pub use lipsync_core as lipsync;
pub use lipsync_speech as speech;
// The shared timeline types, by the short path the plugin's modules use.
use lipsync_core::alignment;
/// The built-in English voice, as a game uses it: pick a voice, speak a line, lend the
/// lexicon. The whole voice, with its text front end, is the `offline_voice` crate.
pub mod offline {
    pub use offline_voice::{
        CHUNK_SECONDS, Lexicon, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, OfflineChunk, OfflineError,
        OfflineSpeech, OfflineVoice, UnknownOfflineVoice, VoiceVariant,
    };
}

/// The README's code, compiled with the doctests so the snippets a new user copies keep
/// building as Bevy renames things.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
