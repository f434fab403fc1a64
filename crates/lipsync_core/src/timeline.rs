//! One utterance's mouth over time, evaluated at any audible position.
//!
//! A [`VisemeTimeline`] is rebuilt from the utterance's [`Alignment`] whenever timing data
//! arrives ([`VisemeTimeline::update`]): the alignment already ignores spans sent twice and
//! replaces provisional words, and rebuilding is a linear pass over sorted keys, so metadata that
//! arrives late (Inworld's ASYNC timestamps) or in pieces gives the same curves as metadata sent
//! with the audio.
//!
//! Where no shape covers the position (metadata not arrived yet, or none at all) the jaw follows
//! the audio's loudness: the runtime passes a per-block RMS track with the PCM
//! ([`VisemeTimeline::push_envelope`]).
//!
//! [`VisemeTimeline::evaluate`] is a pure function of the position: the same position gives the
//! same weights whatever the frame rate and whatever was evaluated before. It allocates nothing
//! and finds the shapes near the position by binary search.
//!
//! ```
//! use lipsync_core::alignment::{Alignment, FrameOffset, FrameSpan, VisemeMark};
//! use lipsync_core::{ArticulationSettings, Viseme, VisemeTimeline, VisemeWeights};
//!
//! let mut timeline = VisemeTimeline::new(48_000, ArticulationSettings::default());
//! timeline.update(&Alignment {
//!     visemes: vec![VisemeMark {
//!         label: "AA".into(),
//!         span: FrameSpan::new(FrameOffset(4_800), FrameOffset(14_400)),
//!     }],
//!     ..Default::default()
//! });
//! let mut mouth = VisemeWeights::default();
//! timeline.evaluate(9_600.0, &mut mouth); // 200 ms: mid-vowel
//! assert_eq!(mouth.dominant(), Viseme::Aa);
//! timeline.evaluate(48_000.0, &mut mouth); // 1 s: long after
//! assert!(mouth.is_rest());
//! ```

use std::sync::Arc;

use crate::alignment::{Alignment, FrameOffset};

use super::articulation::{ArticulationFrames, ArticulationSettings};
use super::curve::{Segment, VisemeWeights, blend, build_segments};
use super::pronounce::{Pronouncer, Spelling};
use super::track::VisemeTrack;

/// The curves of one utterance, keyed by frames of its audio.
#[derive(Clone, Debug)]
pub struct VisemeTimeline {
    sample_rate: u32,
    settings: ArticulationSettings,
    frames: ArticulationFrames,
    track: VisemeTrack,
    /// Reads words and characters aloud when the alignment has no phones.
    pronouncer: Arc<dyn Pronouncer>,
    segments: Vec<Segment>,
    /// `reach[i]`: the furthest any of `segments[..=i]` moves the mouth.
    reach: Vec<f64>,
    envelope: EnvelopeTrack,
}

/// Audio loudness per block, from the start of the utterance.
#[derive(Clone, Debug, Default, PartialEq)]
struct EnvelopeTrack {
    /// Frames per stored block; fixed by the first push.
    block_frames: u32,
    rms: Vec<f32>,
}

impl VisemeTimeline {
    /// An empty timeline for an utterance at `sample_rate`. Words and characters without phones
    /// are spelled; lend a lexicon with [`with_pronouncer`](Self::with_pronouncer).
    pub fn new(sample_rate: u32, settings: ArticulationSettings) -> Self {
        VisemeTimeline {
            sample_rate,
            frames: ArticulationFrames::new(&settings, sample_rate),
            settings,
            track: VisemeTrack::default(),
            pronouncer: Arc::new(Spelling),
            segments: Vec::new(),
            reach: Vec::new(),
            envelope: EnvelopeTrack::default(),
        }
    }

    /// Reads words and characters aloud through `pronouncer` when the alignment has no phones
    /// (CHARACTER or word timestamps only).
    pub fn with_pronouncer(mut self, pronouncer: Arc<dyn Pronouncer>) -> Self {
        self.pronouncer = pronouncer;
        self
    }

    /// What reads words and characters aloud.
    pub fn pronouncer(&self) -> &Arc<dyn Pronouncer> {
        &self.pronouncer
    }

    /// The utterance's sample rate, the unit of every position.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The settings the curves were built with.
    pub fn settings(&self) -> &ArticulationSettings {
        &self.settings
    }

    /// Rebuilds the curves from everything `alignment` holds so far.
    ///
    /// Call it after each [`Alignment::apply`]; the result depends only on the alignment, not on
    /// the order or number of calls.
    pub fn update(&mut self, alignment: &Alignment) {
        self.track.update(alignment, &*self.pronouncer);
        build_segments(self.track.keys(), &self.frames, &mut self.segments);
        self.reach.clear();
        let mut furthest = f64::NEG_INFINITY;
        for s in &self.segments {
            furthest = furthest.max(s.reach());
            self.reach.push(furthest);
        }
    }

    /// Records the audio's RMS for blocks of `block_frames` starting at `start`, for the jaw-only
    /// fallback. Sending a block again overwrites it.
    ///
    /// The first call fixes the stored block size; later calls with another size are spread
    /// onto it (each stored block takes the pushed block its centre falls in).
    pub fn push_envelope(&mut self, start: FrameOffset, rms: &[f32], block_frames: u32) {
        if block_frames == 0 || rms.is_empty() {
            return;
        }
        let env = &mut self.envelope;
        if env.block_frames == 0 {
            env.block_frames = block_frames;
        }
        let stored = u64::from(env.block_frames);
        let pushed = u64::from(block_frames);
        let end = start.0 + pushed * rms.len() as u64;
        // Stored blocks whose centre lies in [start, end).
        let mut block = start.0.saturating_sub(stored / 2).div_ceil(stored);
        while block * stored + stored / 2 < end {
            let centre = block * stored + stored / 2;
            let source = ((centre - start.0) / pushed) as usize;
            let value = rms.get(source).copied().unwrap_or(0.0);
            let index = block as usize;
            if env.rms.len() <= index {
                env.rms.resize(index + 1, 0.0);
            }
            env.rms[index] = if value.is_finite() {
                value.max(0.0)
            } else {
                0.0
            };
            block += 1;
        }
    }

    /// The mouth at `position` (frames of the utterance, fractional), written into `out`.
    ///
    /// Pure: depends only on `position` and what the timeline holds. Allocation-free and
    /// `O(log n)` in the number of segments (plus the few that overlap the position).
    pub fn evaluate(&self, position: f64, out: &mut VisemeWeights) {
        let position = if position.is_finite() { position } else { 0.0 };
        let covered = blend(&self.segments, &self.reach, position, &self.frames, out);
        let uncovered = (1.0 - covered).clamp(0.0, 1.0);
        if uncovered > 0.0 {
            // Lips lead sound: the fallback looks ahead by the same lead as the shapes.
            let open = self.envelope_jaw(position + self.frames.lead);
            out.jaw_open = (out.jaw_open + uncovered * open).clamp(0.0, 1.0);
        }
    }

    /// The viseme keys the curves were built from.
    pub fn track(&self) -> &VisemeTrack {
        &self.track
    }

    /// The shapes after hold rules, sorted by start.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The first position from which the mouth stays at rest (ignoring the audio envelope).
    pub fn rest_from(&self) -> f64 {
        self.reach.last().copied().unwrap_or(0.0).max(0.0)
    }

    /// The fallback jaw opening at `position` from the RMS track, linearly interpolated between
    /// block centres.
    fn envelope_jaw(&self, position: f64) -> f32 {
        let env = &self.envelope;
        if env.rms.is_empty() {
            return 0.0;
        }
        let at = position / f64::from(env.block_frames) - 0.5;
        let at = at.max(0.0);
        // Saturating float-to-int cast: positions past the track read as its end.
        let i = at.floor() as usize;
        let t = (at - at.floor()) as f32;
        let a = env.rms.get(i).copied().unwrap_or(0.0);
        let b = env.rms.get(i + 1).copied().unwrap_or(0.0);
        let rms = a + (b - a) * t;
        let f = &self.frames;
        let open = (rms - f.envelope_floor) / (f.envelope_full - f.envelope_floor);
        open.clamp(0.0, 1.0) * f.intensity
    }
}

#[cfg(test)]
mod tests;
