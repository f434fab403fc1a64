//! From timing data to mouth shapes, engine-agnostic: no engine, no I/O, no threads.
//!
//! `lipsync_core` owns the timing vocabulary ([`alignment`]: marks keyed by frames of an
//! utterance's own audio), the canonical 15 OpenXR [`Viseme`]s with the tables that map phones,
//! Inworld's categories and letters onto them, the articulation curves, the per-utterance
//! [`VisemeTimeline`], the display-time schedule and the rig tables that turn weights into morph
//! target values. It does not own audio, networking, a speech synthesiser or a lexicon: a caller
//! hands it alignments and audible positions, and lends a [`Pronouncer`] for speech without
//! phones. `bevy_lipsync` is the Bevy plugin over it; any engine can drive it the same way.
//!
//! | item | what it is |
//! |---|---|
//! | [`alignment`] | timelines keyed by audio frames ([`FrameOffset`](alignment::FrameOffset), [`Alignment`](alignment::Alignment)), shared by every layer |
//! | [`Viseme`], [`VisemeCategory`] | the canonical 15 OpenXR visemes (with OpenXR and Ready Player Me names), with what each looks like; Inworld's 12 categories + silence |
//! | [`phone_visemes`], [`normalize_phone`] | IPA normalisation (stress, length, tie bars, diacritics) and the phone → viseme table, diphthongs split in two |
//! | [`read_aloud`], [`Pronouncer`], [`spell`] | text → visemes for speech without phones: a lent pronunciation, or spelling |
//! | [`VisemeTrack`], [`build_keys`] | choosing the source per utterance and building the keys from an [`Alignment`](alignment::Alignment) |
//! | [`ArticulationSettings`] | intensity, anticipation, attack/release, holds, with the sources behind each default |
//! | [`VisemeWeights`], [`JAW_OPENING`] | keys → held segments → envelopes, blended by normalised dominance |
//! | [`VisemeTimeline`] | one utterance's curves, rebuilt as data arrives, evaluated at any audible position, with a jaw-only fallback from the audio envelope |
//! | [`DisplayTiming`] | which audio position a display frame should show, and the perception limits behind it |
//! | [`RigPreset`], [`RigBinding`], [`RigTable`] | mapping the weights onto morph targets: OpenXR / Ready Player Me, ARKit-52, VRM, or a user table |
//! | [`Emotion`], [`ExpressionWeights`], [`Blinker`], [`ExpressionBinding`] | the face around the mouth: blinks, emotions, the ARKit and VRM targets they drive; smiles give way while the lips close |
//! | [`MouthShape`] | the nine drawn mouths of 2D animation (A-H and X), from the visemes |
//!
//! Source priority, per utterance, highest first: `lipsyncAlignment` labels, phone symbols,
//! viseme categories, characters, words, and with none of them audio energy only. Symbols no
//! table knows are shown as [`Viseme::NEUTRAL`] and logged once each.
//!
//! ```
//! use lipsync_core::alignment::{Alignment, FrameOffset, FrameSpan, PhoneMark};
//! use lipsync_core::{Spelling, Viseme, build_keys};
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
//! let shapes: Vec<_> = build_keys(&alignment, &Spelling).keys().iter().map(|k| k.viseme).collect();
//! assert_eq!(shapes, [Viseme::Pp, Viseme::Aa, Viseme::Ih]);
//! ```
//!
//! Each display frame the runtime asks the utterance's [`VisemeTimeline`] for the mouth at the
//! position that will be heard when the frame is shown, and a [`RigBinding`] writes it onto the
//! character's morph targets. Both steps are allocation-free.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod acoustic;
pub mod alignment;
mod articulation;
mod curve;
mod expression;
pub mod head;
mod letters;
mod mouth_shape;
mod phoneme;
mod pronounce;
mod rig;
mod schedule;
mod timeline;
pub mod timeline_file;
mod track;
mod viseme;
pub mod vrm;

pub use articulation::ArticulationSettings;
pub use curve::{JAW_OPENING, REST_THRESHOLD, Segment, VisemeWeights};
pub use expression::{
    BLINK_INTERVAL, BLINK_LENGTH, Blinker, Emotion, ExpressionBinding, ExpressionWeights, Markups,
};
pub use head::{HEAD_EASE, HeadPose, HeadState, HeadSway};
pub use letters::{CONSONANT_WEIGHT, SpelledViseme, VOWEL_WEIGHT, spell};
pub use mouth_shape::MouthShape;
pub use phoneme::{DIPHTHONG_SPLIT, PhoneVisemes, category_viseme, normalize_phone, phone_visemes};
pub use pronounce::{Pronouncer, Spelling, SpokenPhone, WordContext, read_aloud};
pub use rig::{RigBinding, RigError, RigInput, RigPreset, RigTable};
pub use schedule::DisplayTiming;
pub use timeline::VisemeTimeline;
pub use timeline_file::{TimedPhone, TimedText, TimedViseme, TimelineFile, TimelineFileError};
pub use track::{UnknownSymbols, VisemeKey, VisemeSource, VisemeTrack, build_keys};
pub use viseme::{UnknownViseme, Viseme, VisemeCategory};
pub use vrm::{VRM_MOUTH, VrmBind, VrmError, VrmExpression, VrmExpressions, VrmMesh, VrmVersion};
