//! From timing data to mouth shapes, as pure functions: no Bevy, no threads, no I/O.
//!
//! Speech arrives with some mix of timing: audio-derived viseme labels, IPA phones, Inworld's
//! coarse viseme categories, per-character or per-word times. This layer turns whichever is best
//! into one thing the rest of the crate can animate: a sorted list of [`VisemeKey`]s, each a
//! canonical [`Viseme`] over a [`FrameSpan`](crate::alignment::FrameSpan) of the utterance's
//! audio.
//!
//! | module | owns |
//! |---|---|
//! | [`viseme`] | the canonical 15 OpenXR visemes (with OpenXR and Ready Player Me names) and Inworld's 12 categories + silence |
//! | [`phoneme`] | IPA normalisation (stress, length, tie bars, diacritics) and the phone → viseme table, diphthongs split in two |
//! | [`letters`] | a small English letter → viseme fallback for speech without phones |
//! | [`track`] | choosing the source per utterance and building the keys from an [`Alignment`](crate::alignment::Alignment) |
//! | [`articulation`] | [`ArticulationSettings`]: intensity, anticipation, attack/release, holds, with the anchors behind each default |
//! | [`curve`] | keys → held segments → envelopes, blended by normalised dominance into [`VisemeWeights`] |
//! | [`timeline`] | [`VisemeTimeline`]: one utterance's curves, rebuilt as data arrives, evaluated at any audible position, with a jaw-only fallback from the audio envelope |
//! | [`schedule`] | [`DisplayTiming`]: which audio position a display frame should show |
//! | [`rig`] | [`RigPreset`]s mapping the weights onto morph targets: OpenXR / Ready Player Me, ARKit-52, VRM, or a user [`RigTable`] |
//!
//! Source priority, per utterance, highest first: `lipsyncAlignment` labels, phone symbols,
//! viseme categories, characters, words, and with none of them audio energy only. Symbols no
//! table knows are shown as [`Viseme::NEUTRAL`] and logged once each.
//!
//! ```
//! use bevy_lipsync::alignment::{Alignment, FrameOffset, FrameSpan, PhoneMark};
//! use bevy_lipsync::lipsync::{Viseme, build_keys};
//!
//! let phone = |symbol: &str, viseme: &str, a, b| PhoneMark {
//!     symbol: symbol.into(),
//!     viseme: viseme.into(),
//!     span: FrameSpan::new(FrameOffset(a), FrameOffset(b)),
//!     word: 0,
//! };
//! let alignment = Alignment {
//!     phones: vec![phone("b", "bmp", 0, 1000), phone("aɪ1", "aei", 1000, 2000)],
//!     ..Default::default()
//! };
//! let shapes: Vec<_> = build_keys(&alignment).keys().iter().map(|k| k.viseme).collect();
//! assert_eq!(shapes, [Viseme::Pp, Viseme::Aa, Viseme::Ih]);
//! ```
//!
//! Each display frame the runtime asks the utterance's [`VisemeTimeline`] for the mouth at the
//! position that will be heard when the frame is shown, and a [`RigBinding`] writes it onto the
//! character's morph targets. Both steps are allocation-free.

pub mod articulation;
pub mod curve;
pub mod letters;
pub mod phoneme;
pub mod rig;
pub mod schedule;
pub mod timeline;
pub mod track;
pub mod viseme;

pub use articulation::ArticulationSettings;
pub use curve::{JAW_OPENING, REST_THRESHOLD, Segment, VisemeWeights};
pub use rig::{RigBinding, RigError, RigInput, RigPreset, RigTable};
pub use schedule::DisplayTiming;
pub use timeline::VisemeTimeline;

pub use letters::{SpelledViseme, read_aloud, spell};
pub use phoneme::{DIPHTHONG_SPLIT, PhoneVisemes, category_viseme, normalize_phone, phone_visemes};
pub use track::{UnknownSymbols, VisemeKey, VisemeSource, VisemeTrack, build_keys};
pub use viseme::{InworldCategory, UnknownViseme, Viseme};
