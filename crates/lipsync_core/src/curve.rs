//! Coarticulation curves: from viseme keys to a weight per shape at any position.
//!
//! Keys become [`Segment`]s in three passes (Rhubarb's rules, with the thresholds of
//! [`ArticulationSettings`](super::ArticulationSettings)):
//!
//! 1. `SIL` keys are dropped: rest is the absence of a shape, not a shape.
//! 2. A pause shorter than `hold_gap` holds the previous shape (its end moves to the next start);
//!    touching segments of the same shape merge.
//! 3. A segment shorter than `min_hold` still holds for `min_hold`, overlapping the next one.
//!
//! Each segment then has an *envelope*, a function of position only:
//!
//! ```text
//!  1 ┤        ┌──────────────┐
//!    │       ╱                ╲          attack: smoothstep over `attack`
//!    │      ╱                  ╲         hold: until max(end, start + min_hold) - lead
//!  0 ┼─────╱────────────────────╲──────  release: `release`, or `rest_return` before a pause
//!       start-lead     end-lead
//! ```
//!
//! Overlapping envelopes blend by normalised dominance: each shape's weight is its envelope
//! share, and the shares are scaled down only when they add up to more than one, so a lone
//! shape follows its envelope and blended shapes never over-drive a rig. Everything is scaled by
//! `intensity`.

use super::articulation::ArticulationFrames;
use super::track::VisemeKey;
use super::viseme::Viseme;

/// How far the jaw opens for each viseme at full weight, indexed by [`Viseme::index`]
/// (from the "jaw" column of the [shape table](crate::Viseme#what-each-viseme-looks-like): closed 0, nearly closed 0.05-0.1,
/// slightly open 0.2-0.25, open a little 0.3, half open 0.5, wide open 1).
pub const JAW_OPENING: [f32; Viseme::COUNT] = [
    0.0,  // SIL: closed
    0.0,  // PP: closed
    0.05, // FF: nearly closed
    0.2,  // TH: slightly open
    0.2,  // DD: slightly open
    0.3,  // KK: open a little
    0.05, // CH: nearly closed
    0.05, // SS: nearly closed
    0.2,  // NN: slightly open
    0.2,  // RR: slightly open
    1.0,  // AA: wide open
    0.5,  // E: half open
    0.25, // IH: slightly open
    0.5,  // OH: half open
    0.1,  // OU: nearly closed
];

/// Weights below this leave the mouth reading as at rest (see [`VisemeWeights::dominant`]).
pub const REST_THRESHOLD: f32 = 0.25;

/// The mouth at one position: a weight per canonical viseme plus the jaw opening, each in `0..=1`.
///
/// `weights[Viseme::Sil.index()]` stays 0: rest is all weights at zero with the jaw closed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct VisemeWeights {
    /// Weight of each viseme, indexed by [`Viseme::index`].
    pub weights: [f32; Viseme::COUNT],
    /// Jaw opening: the weighted jaw of the shapes shown, or the audio envelope where no shape
    /// covers the position.
    pub jaw_open: f32,
}

impl VisemeWeights {
    /// All weights zero, jaw closed.
    pub const REST: VisemeWeights = VisemeWeights {
        weights: [0.0; Viseme::COUNT],
        jaw_open: 0.0,
    };

    /// The weight of `viseme`.
    pub fn get(&self, viseme: Viseme) -> f32 {
        self.weights[viseme.index()]
    }

    /// Whether every weight is zero and the jaw is closed.
    pub fn is_rest(&self) -> bool {
        *self == Self::REST
    }

    /// The shape a viewer reads: the heaviest viseme, or [`Viseme::Sil`] when none reaches
    /// [`REST_THRESHOLD`]. Ties go to the lower index, so the answer is deterministic.
    pub fn dominant(&self) -> Viseme {
        let mut best = (Viseme::Sil, REST_THRESHOLD);
        for (v, &w) in Viseme::ALL.iter().zip(&self.weights) {
            if w >= best.1 && (best.0 == Viseme::Sil || w > best.1) {
                best = (*v, w);
            }
        }
        best.0
    }
}

/// One shape on the timeline after hold rules, with its envelope precomputed in frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// The shape (never [`Viseme::Sil`]).
    pub viseme: Viseme,
    /// First frame of its sound (after merging).
    pub start: u64,
    /// First frame after its sound (after pauses are held).
    pub end: u64,
    /// Where the envelope starts to rise: `start - lead`.
    pub(crate) rise: f64,
    /// Where it starts to fall: `max(end, start + min_hold) - lead`.
    pub(crate) fall: f64,
    /// Frames of the fall: `release`, or `rest_return` before a pause.
    pub(crate) fall_len: f64,
}

impl Segment {
    /// The first position past the envelope (where it is back to zero).
    pub fn reach(&self) -> f64 {
        self.fall + self.fall_len
    }

    /// The envelope at `position`, in `0..=1`.
    pub(crate) fn envelope(&self, position: f64, attack: f64) -> f32 {
        let up = smoothstep((position - self.rise) / attack);
        let down = 1.0 - smoothstep((position - self.fall) / self.fall_len);
        up.min(down) as f32
    }
}

/// `3x² - 2x³` on `0..=1`, 0 below and 1 above: continuous slope at both ends.
fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// Fills `out` with the segments of `keys` (sorted by start) under `frames`' hold rules.
pub(crate) fn build_segments(
    keys: &[VisemeKey],
    frames: &ArticulationFrames,
    out: &mut Vec<Segment>,
) {
    out.clear();
    let mut spans: Vec<(Viseme, u64, u64)> = Vec::with_capacity(keys.len());
    for key in keys.iter().filter(|k| k.viseme != Viseme::Sil) {
        let (start, end) = (key.span.start.0, key.span.end.0);
        if let Some(last) = spans.last_mut() {
            let gap = start.saturating_sub(last.2);
            if (gap as f64) < frames.hold_gap {
                if last.0 == key.viseme {
                    last.2 = last.2.max(end);
                    continue;
                }
                // A short pause holds the previous shape up to the next sound.
                last.2 = last.2.max(start);
            }
        }
        spans.push((key.viseme, start, end));
    }
    for (i, &(viseme, start, end)) in spans.iter().enumerate() {
        let touches_next = spans.get(i + 1).is_some_and(|next| next.1 <= end);
        let held_end = (end as f64).max(start as f64 + frames.min_hold);
        out.push(Segment {
            viseme,
            start,
            end,
            rise: start as f64 - frames.lead,
            fall: held_end - frames.lead,
            fall_len: if touches_next {
                frames.release
            } else {
                frames.rest_return
            },
        });
    }
}

/// Writes the blended mouth at `position` into `out` (jaw from the shapes only) and returns the
/// summed envelope of the segments covering it (how much of the mouth the shapes explain).
///
/// `reach[i]` must be the largest [`Segment::reach`] of `segments[..=i]`, so the backward scan
/// from the last segment rising at `position` stops as soon as no earlier one can cover it.
pub(crate) fn blend(
    segments: &[Segment],
    reach: &[f64],
    position: f64,
    frames: &ArticulationFrames,
    out: &mut VisemeWeights,
) -> f32 {
    *out = VisemeWeights::REST;
    // Segments rising at or before `position`: O(log n).
    let rising = segments.partition_point(|s| s.rise <= position);
    let mut total = 0.0f32;
    for i in (0..rising).rev() {
        if reach[i] <= position {
            break;
        }
        let s = &segments[i];
        let e = s.envelope(position, frames.attack);
        out.weights[s.viseme.index()] += e;
        total += e;
    }
    let scale = frames.intensity / total.max(1.0);
    let mut jaw = 0.0;
    for (w, opening) in out.weights.iter_mut().zip(JAW_OPENING) {
        *w = (*w * scale).clamp(0.0, 1.0);
        jaw += *w * opening;
    }
    out.jaw_open = jaw.clamp(0.0, 1.0);
    total
}
