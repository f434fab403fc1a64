//! The plan of an utterance: what sounds when, to the sample, and the pitch line.
//!
//! The prosody builds it from the text; the synthesiser renders it; the timeline is read off
//! it. Because all three share these sample positions, the phone boundaries the timeline reports
//! are exactly where the synthesiser changes its targets.

use std::ops::Range;

use super::phone::{Phone, PhoneToken};
use super::text::NonVerbal;

/// One stretch of the utterance.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Segment {
    /// Samples of the utterance it covers.
    pub(crate) span: Range<u64>,
    /// What sounds there.
    pub(crate) kind: SegmentKind,
    /// How it is voiced.
    pub(crate) delivery: Delivery,
}

/// What a segment is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum SegmentKind {
    /// Nothing sounds.
    Silence,
    /// A phone of a word.
    Phone {
        /// The phone and its stress.
        token: PhoneToken,
        /// The phone after it within the same breath group, for coarticulation.
        next: Option<Phone>,
        /// Index of the word (timeline token) it belongs to.
        word: usize,
    },
    /// A laugh, a sigh...: sound without phones.
    NonVerbal(NonVerbal),
}

/// How a stretch is voiced, set by style tags.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Delivery {
    /// Loudness, 1 is normal.
    pub(crate) loudness: f32,
    /// Breath instead of voice (`[whispering]`).
    pub(crate) whisper: bool,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery {
            loudness: 1.0,
            whisper: false,
        }
    }
}

/// A point of the pitch line; pitch is interpolated linearly between points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PitchPoint {
    /// Sample of the utterance.
    pub(crate) frame: u64,
    /// Fundamental frequency, Hz.
    pub(crate) hz: f32,
}

/// A whole utterance, ready to render.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// Samples per second of every position in the plan.
    pub(crate) sample_rate: u32,
    /// Segments back to back from sample 0 to [`Plan::frames`].
    pub(crate) segments: Vec<Segment>,
    /// The pitch line, sorted by frame.
    pub(crate) pitch: Vec<PitchPoint>,
}

impl Plan {
    /// Length of the utterance in samples.
    pub(crate) fn frames(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.span.end)
    }
}
