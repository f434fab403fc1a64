//! Talking characters for Bevy.
//!
//! A game says "NPC, say this line"; the speech is streamed from Inworld's TTS service (or the
//! built-in offline voice) on a background runtime, its PCM is played through a lock-free ring
//! buffer, and the character's mouth follows the phoneme and viseme timestamps, scheduled against
//! the clock of the audio that is actually heard.
//!
//! `bevy_lipsync` is the Bevy glue: components, events, systems, the runtime thread and rig
//! binding. The engine-agnostic parts are crates of their own, re-exported here so a game adds
//! one dependency:
//!
//! | module | crate | owns |
//! |---|---|---|
//! | [`plugin`] | this one | [`LipsyncPlugin`](plugin::LipsyncPlugin): speakers, lines, events, the runtime thread, rig binding, ducking |
//! | [`speech`] | this one | the provider-neutral stream of PCM and timing, and voice descriptors |
//! | [`lipsync`] | `lipsync_core` | visemes, the tables that map phones, categories and letters onto them, curves, timelines, display-time scheduling, rig tables |
//! | [`alignment`] | `lipsync_core` | timelines keyed by audio frames, shared by every layer |
//! | [`audio`] | `lipsync_audio` | the lock-free PCM pipe, resampling, the audible clock, device and virtual outputs |
//! | [`inworld`] | `inworld_tts` | the Inworld client: requests, the streaming decoder, errors, retries, Voices API, tokens |
//! | [`offline`] | `offline_voice` (its voice and lexicon) | the built-in English voice, and the lexicon lent to lipsync |
//! | `emulator` (feature `emulator`) | `inworld_tts` | a loopback server speaking the Inworld protocol, with fault injection |
//!
//! Dependencies point one way: the plugin over speech, speech over the client and the voice, all
//! of them over `lipsync_core`, which depends on none of them.
//!
//! Start with the [`prelude`] and the [`plugin`] docs.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod bake;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod plugin;
pub mod prelude;
pub mod speech;

pub use inworld_tts as inworld;
#[cfg(feature = "emulator")]
pub use inworld_tts::emulator;
pub use lipsync_audio as audio;
pub use lipsync_core as lipsync;
pub use lipsync_core::alignment;
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
