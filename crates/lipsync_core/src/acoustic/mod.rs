//! Visemes from the sound alone: for speech that arrives with no timing (a recorded line, the
//! AI/ML API gateway's files, laughter), or with a transcript but no timestamps.
//!
//! Every 10 ms hop of audio gives a feature frame: 13 mel-cepstral coefficients of a 25 ms
//! window (mean-normalised as the speech goes, so a voice's timbre matters less) and its
//! absolute loudness. A small network ([`AcousticModel`]: one hidden layer over six frames, two
//! behind and three ahead) gives each hop a probability for each of the 15 visemes. Then:
//!
//! - [`VisemeEstimator`] runs live on a played stream: one hop at a time, 30 ms of lookahead,
//!   allocation-free per hop;
//! - [`estimate_track`] decodes a whole file with a Viterbi pass that keeps shapes from
//!   flickering;
//! - [`align_transcript`] places a transcript's shapes and words on the audio (forced alignment
//!   over the same probabilities).
//!
//! The shipped model was trained on the offline voice, whose phone timing is exactly known
//! (`examples/train_visemes.rs` retrains it; `examples/bake_report.rs` scores it on held-out
//! sentences, voice and rate).

/// Seconds between feature frames.
pub const HOP_SECONDS: f64 = 0.01;
/// Seconds of audio each frame analyses (ending at its hop).
pub const WINDOW_SECONDS: f64 = 0.025;
/// Cepstral coefficients per frame.
pub const CEPSTRA: usize = 13;
/// Features per frame: the cepstra and the absolute loudness.
pub const FRAME_FEATURES: usize = CEPSTRA + 1;
/// Frames before the estimated one the model sees.
pub const CONTEXT_BEHIND: usize = 2;
/// Frames after it (the lookahead: 30 ms).
pub const CONTEXT_AHEAD: usize = 3;
/// Frames the model sees.
pub const CONTEXT: usize = CONTEXT_BEHIND + 1 + CONTEXT_AHEAD;
/// Inputs of the model.
pub const MODEL_INPUTS: usize = CONTEXT * FRAME_FEATURES;

// One concept per file: the front end (audio to feature frames), the model (frames to per-hop
// probabilities), whole-file decoding, forced alignment of a transcript, and live estimation.
mod align;
mod decode;
mod features;
mod live;
mod model;

pub use align::align_transcript;
pub use decode::{estimate_track, hop_span, hop_time};
pub use features::{FeatureFrontEnd, features, stack};
pub use live::VisemeEstimator;
pub use model::{AcousticModel, log_probs};

#[cfg(test)]
mod tests;
