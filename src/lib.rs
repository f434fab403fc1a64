//! Talking characters for Bevy.
//!
//! A game says "NPC, say this line"; the speech is streamed from Inworld's TTS service on a
//! background runtime, its PCM is played through a lock-free ring buffer, and the character's
//! mouth follows the phoneme and viseme timestamps, scheduled against the clock of the audio
//! that is actually heard.
//!
//! # Layers
//! Dependencies point down only:
//!
//! | module | owns |
//! |---|---|
//! | [`speech`] | the provider-neutral stream and voice descriptors |
//! | [`inworld`] | the Inworld HTTP client: requests, the streaming NDJSON/WAV decoder, errors, retries, Voices API |
//! | `emulator` (feature `emulator`) | a loopback server speaking the Inworld protocol, with fault injection |
//! | [`alignment`] | timelines keyed by audio frames, shared by every layer |
//! | [`audio`] | the lock-free PCM pipe, resampling, the audible clock, virtual outputs |
//! | [`lipsync`] | viseme sets, phone/category/letter → viseme tables, and the keys of an utterance (pure: no Bevy) |
//! | [`offline`] | the built-in English voice: text normalisation, pronunciation, prosody, formant synthesis, exact timeline |
//! | [`plugin`] | [`LipsyncPlugin`](plugin::LipsyncPlugin): speakers, lines, events, the runtime thread, rig binding |
//!
//! Start with the [`prelude`] and the [`plugin`] docs.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod alignment;
pub mod audio;
#[cfg(feature = "emulator")]
pub mod emulator;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod inworld;
pub mod lipsync;
pub mod offline;
pub mod plugin;
pub mod prelude;
pub mod speech;
