//! The audible clock: which frame of an utterance is being heard at a given instant.
//!
//! The audio thread knows exactly how far it has read into an utterance, but only at the instant
//! of each callback, and what it writes is heard later (the device's buffers). The clock turns
//! that into a continuous estimate the main thread can sample at any instant.
//!
//! # The model
//! The device plays its frames at a steady rate, so *device time* (the duration of every block a
//! voice has rendered, silence included) is heard on one line: device time `d` is heard at
//! `d + offset + output latency`. Each callback measures the offset: its instant minus the device
//! time at the end of its block. The device asks for a block when it has room, but the audio
//! thread wakes up a little later each time (scheduler latency, preemption): a callback can run
//! late, never early, and [`LatencySettings::output_latency`] counts from the device's request.
//! So every measured offset is the true one plus that callback's delay, and the least one seen is
//! the best: the writer keeps the least offset of the last [`WINDOW`](writer::WINDOW), long enough to catch a
//! callback that woke up promptly, short enough that clock drift (crystals disagree with the
//! system clock by ~100 ppm) stays far below a frame, and that a device that skipped (an xrun)
//! is followed within a quarter of a second. Callbacks rendered in pieces (kira's internal
//! buffer) stamp every piece with the callback's instant: earlier pieces look delayed, the last
//! one measures the callback.
//!
//! The utterance sits on device time in *segments*: audio is gapless from where it started, or
//! resumed after silence, to where it was last written. So
//!
//! ```text
//! heard device time(t) = t - output latency + user offset - offset
//! audible(t)           = segment start + (heard device time - segment's device time) * rate
//! ```
//!
//! clamped to `[0, written]`, where `written` is the utterance frames (source rate, fractional
//! when resampling) rendered so far.
//!
//! - **Underrun.** The estimate runs on until it reaches `written` (the buffered tail is still
//!   being heard) and holds there. Audio after the gap starts a new segment on the same device
//!   line, so it is tracked as precisely as before. The last few segments are kept, each clamped
//!   to its end, and the position is the latest of them: the mouth holds until the new audio is
//!   heard instead of jumping back.
//! - **Latency.** When the reader's `output_latency` is unset, the output's estimate is used: the
//!   kira device output measures its callbacks and sets one on every voice it plays
//!   ([`VoiceRenderer::set_output_latency`](crate::VoiceRenderer::set_output_latency)).
//!   Without one either, it is one block period: the least any backend can add, since the last
//!   frame of a block cannot be heard before the block's own length has played.
//! - **Monotonic**, except when the least delayed callback leaves the window: the estimate may
//!   then step back by the difference between two small wake-up delays (microseconds).
//!
//! `examples/clock_report.rs` measures the estimate against a simulated device with realistic
//! wake-up jitter, next to the naive position-at-the-last-callback.
//!
//! # Consistency without locks
//! The writer (audio thread) and readers (any thread) share one [`AudibleClock`] made of atomics
//! only. The fields of a publication are guarded by a *seqlock*: the writer bumps a sequence
//! number to odd, stores the fields, then bumps it to even; a reader retries while the number is
//! odd or changed during its reads. The writer never waits; a reader retries at most while a
//! store of a few words is in flight, so it never sees the position of one callback with the
//! offset of another.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering, fence};
use std::time::{Duration, Instant};

use lipsync_core::alignment::FrameOffset;

mod writer;

pub(crate) use writer::ClockWriter;

/// How the audible position is shifted from what the audio thread has rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct LatencySettings {
    /// Delay from the device asking for a block (the earliest its callback can run) to the moment
    /// the end of that block is heard: device buffers and converter, resampler and mixer
    /// included. `None` uses the output's estimate (the kira device output sets one), or else
    /// one block period, the minimum.
    pub output_latency: Option<Duration>,
    /// Moves the position later: the mouth runs ahead of the sound by this much, e.g. to make up
    /// for a display that shows frames late. Audio heard late belongs in `output_latency`.
    pub user_offset: Duration,
}

/// What the listener hears of an utterance at a given instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockState {
    /// No frame of the utterance has been rendered yet.
    NotStarted,
    /// Frames of the utterance are being heard.
    Playing,
    /// The buffer ran dry and everything rendered has been heard: the clock holds.
    Underrun,
    /// The utterance is paused and everything rendered has been heard: the clock holds until it
    /// resumes.
    Paused,
    /// The utterance ended (drained or interrupted) and its last frame has been heard.
    Finished,
}

/// The audible position of an utterance at an instant, in frames at the utterance's own rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AudiblePosition {
    /// Frames of the utterance heard so far, fractional (source frames, `>= 0`).
    pub frames: f64,
    /// Whether the utterance is being heard, holding, not started or over.
    pub state: ClockState,
    /// How long until the utterance's first frame is heard: its start is rendered but still in
    /// the device's buffer. Zero once it is heard, and while nothing is rendered.
    pub until_heard: Duration,
    /// How long everything rendered has been heard while the utterance still plays (neither
    /// dry, paused nor over): the audio thread stopped asking for blocks, as when the device is
    /// suspended or lost. Zero while the device keeps up; a late callback shows here for a
    /// fraction of a block.
    pub stalled_for: Duration,
}

impl AudiblePosition {
    /// [`frames`](Self::frames), but negative before the first frame is heard: minus the frames
    /// (at the utterance's `sample_rate`) still to play out of the device's buffer. The position
    /// to extrapolate from, as [`DisplayTiming`](lipsync_core::DisplayTiming) does.
    pub fn signed_frames(&self, sample_rate: u32) -> f64 {
        self.frames - self.until_heard.as_secs_f64() * f64::from(sample_rate)
    }

    /// The frame being heard, the key of the utterance's alignment timelines.
    pub fn frame(&self) -> FrameOffset {
        // Saturating float-to-int cast; `frames` is never negative.
        FrameOffset(self.frames.floor() as u64)
    }
}

/// Segments remembered: the one playing may be a few gaps back when the audio stutters, since
/// the device holds a few blocks.
const SEGMENTS: usize = 4;

/// Where a stretch of gapless audio sits on device time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Segment {
    /// Device time at its first frame, ns since the voice's first render.
    device_ns: f64,
    /// Utterance frames before it.
    start: f64,
    /// Utterance frames at its last frame.
    end: f64,
}

/// The fields the writer publishes under the seqlock.
#[derive(Clone, Copy, Debug)]
struct Snapshot {
    /// Frames rendered so far.
    written: f64,
    /// Instant minus device time, least of the window (ns).
    offset_ns: f64,
    /// Newest first.
    segments: [Segment; SEGMENTS],
    block_ns: u64,
    /// The output's latency estimate, 0 when it gave none.
    estimated_latency_ns: u64,
    state: ClockState,
}

/// A [`Segment`] in atomics.
#[derive(Default)]
struct AtomicSegment {
    device_ns: AtomicU64,
    start: AtomicU64,
    end: AtomicU64,
}

impl AtomicSegment {
    fn store(&self, segment: Segment) {
        self.device_ns
            .store(segment.device_ns.to_bits(), Ordering::Relaxed);
        self.start.store(segment.start.to_bits(), Ordering::Relaxed);
        self.end.store(segment.end.to_bits(), Ordering::Relaxed);
    }

    fn load(&self) -> Segment {
        Segment {
            device_ns: f64::from_bits(self.device_ns.load(Ordering::Relaxed)),
            start: f64::from_bits(self.start.load(Ordering::Relaxed)),
            end: f64::from_bits(self.end.load(Ordering::Relaxed)),
        }
    }
}

struct Shared {
    epoch: Instant,
    source_rate: u32,
    seq: AtomicU64,
    written: AtomicU64,
    offset_ns: AtomicU64,
    segments: [AtomicSegment; SEGMENTS],
    block_ns: AtomicU64,
    estimated_latency_ns: AtomicU64,
    state: AtomicU8,
    underruns: AtomicU64,
}

/// The main-thread view of a voice's clock: cheap to clone, readable from any thread.
#[derive(Clone)]
pub struct AudibleClock {
    shared: Arc<Shared>,
    latency: LatencySettings,
}

/// Nanoseconds from `epoch` to `at`, zero before it (u64 nanoseconds last 584 years).
fn nanos_since(epoch: Instant, at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(epoch).as_nanos()).unwrap_or(u64::MAX)
}

fn state_code(state: ClockState) -> u8 {
    match state {
        ClockState::NotStarted => 0,
        ClockState::Playing => 1,
        ClockState::Underrun => 2,
        ClockState::Finished => 3,
        ClockState::Paused => 4,
    }
}

fn state_from(code: u8) -> ClockState {
    match code {
        1 => ClockState::Playing,
        2 => ClockState::Underrun,
        3 => ClockState::Finished,
        4 => ClockState::Paused,
        _ => ClockState::NotStarted,
    }
}

impl AudibleClock {
    /// This clock read with `latency` instead of the default (estimated output latency, no
    /// offset). Settings belong to the handle: other clones keep theirs.
    pub fn with_latency(mut self, latency: LatencySettings) -> Self {
        self.latency = latency;
        self
    }

    /// Reads this clock with `latency` from now on: a calibration change applies to the next
    /// reading. A plain store.
    pub fn set_latency(&mut self, latency: LatencySettings) {
        self.latency = latency;
    }

    /// The latency settings this handle applies.
    pub fn latency(&self) -> LatencySettings {
        self.latency
    }

    /// The utterance's sample rate: the unit of every frame count of this clock.
    pub fn source_rate(&self) -> u32 {
        self.shared.source_rate
    }

    /// Frames of the utterance rendered so far (the most the audible position will report).
    pub fn frames_written(&self) -> f64 {
        self.snapshot().written
    }

    /// How many times the buffer ran dry while the utterance was playing.
    pub fn underruns(&self) -> u64 {
        self.shared.underruns.load(Ordering::Relaxed)
    }

    /// Whether the audio thread is done with the utterance (its tail may still be audible:
    /// [`AudiblePosition::state`] says when it has been heard).
    pub fn is_finished(&self) -> bool {
        self.snapshot().state == ClockState::Finished
    }

    /// The output latency this handle applies: the configured one, else the output's estimate,
    /// else one block period of the last callback.
    pub fn output_latency(&self) -> Duration {
        self.latency_of(&self.snapshot())
    }

    fn latency_of(&self, snap: &Snapshot) -> Duration {
        let estimate = match snap.estimated_latency_ns {
            0 => snap.block_ns,
            ns => ns,
        };
        self.latency
            .output_latency
            .unwrap_or(Duration::from_nanos(estimate))
    }

    /// Which frame of the utterance is heard at `at` (see the module docs for the model).
    ///
    /// ```
    /// # use std::time::Instant;
    /// # use lipsync_audio::{DEFAULT_BUFFER, voice};
    /// # let (_producer, _renderer, control) = voice(24_000, DEFAULT_BUFFER)?;
    /// let heard = control.clock().audible_position(Instant::now());
    /// assert_eq!(heard.frames, 0.0); // nothing rendered yet
    /// # Ok::<(), lipsync_audio::AudioError>(())
    /// ```
    pub fn audible_position(&self, at: Instant) -> AudiblePosition {
        let snap = self.snapshot();
        if snap.written <= 0.0 {
            // Nothing rendered: not started, or interrupted before the first frame.
            let state = match snap.state {
                ClockState::Finished => ClockState::Finished,
                _ => ClockState::NotStarted,
            };
            return AudiblePosition {
                frames: 0.0,
                state,
                until_heard: Duration::ZERO,
                stalled_for: Duration::ZERO,
            };
        }
        let rate = f64::from(self.shared.source_rate);
        let latency = self.latency_of(&snap);
        // Integer nanoseconds as long as possible keep whole-frame results exact.
        let shift_ns = self.latency.user_offset.as_nanos() as i128 - latency.as_nanos() as i128;
        let at_ns = i128::from(nanos_since(self.shared.epoch, at));
        let heard_ns = (at_ns + shift_ns) as f64 - snap.offset_ns;
        // A segment heard to its end holds there; the latest such is what is heard.
        let frames = snap
            .segments
            .iter()
            .map(|segment| {
                (segment.start + (heard_ns - segment.device_ns) * rate / 1e9).min(segment.end)
            })
            .fold(0.0, f64::max)
            .min(snap.written);
        // What is heard: a dry or finished renderer still has its tail in the device.
        let state = match snap.state {
            ClockState::Underrun | ClockState::Paused | ClockState::Finished
                if frames < snap.written =>
            {
                ClockState::Playing
            }
            state => state,
        };
        // Before the first frame is heard, when it will be: the first segment starts the
        // utterance (start 0) and has audio in it (unused slots are all zero).
        let until_heard = if frames > 0.0 {
            Duration::ZERO
        } else {
            snap.segments
                .iter()
                .find(|segment| segment.start == 0.0 && segment.end > 0.0)
                .map_or(Duration::ZERO, |first| {
                    Duration::from_nanos((first.device_ns - heard_ns).max(0.0) as u64)
                })
        };
        // Past the end of the newest audio while the renderer still plays: no callback came.
        let newest = snap.segments[0];
        let stalled_for = if snap.state == ClockState::Playing && frames >= snap.written {
            let end_ns = newest.device_ns + (newest.end - newest.start) * 1e9 / rate;
            Duration::from_nanos((heard_ns - end_ns).max(0.0) as u64)
        } else {
            Duration::ZERO
        };
        AudiblePosition {
            frames,
            state,
            until_heard,
            stalled_for,
        }
    }

    fn snapshot(&self) -> Snapshot {
        let s = &self.shared;
        loop {
            let before = s.seq.load(Ordering::Acquire);
            if before & 1 == 0 {
                let snap = Snapshot {
                    written: f64::from_bits(s.written.load(Ordering::Relaxed)),
                    offset_ns: f64::from_bits(s.offset_ns.load(Ordering::Relaxed)),
                    segments: std::array::from_fn(|i| s.segments[i].load()),
                    block_ns: s.block_ns.load(Ordering::Relaxed),
                    estimated_latency_ns: s.estimated_latency_ns.load(Ordering::Relaxed),
                    state: state_from(s.state.load(Ordering::Relaxed)),
                };
                fence(Ordering::Acquire);
                if s.seq.load(Ordering::Relaxed) == before {
                    return snap;
                }
            }
            std::hint::spin_loop();
        }
    }
}

impl std::fmt::Debug for AudibleClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudibleClock")
            .field("snapshot", &self.snapshot())
            .field("latency", &self.latency)
            .field("underruns", &self.underruns())
            .finish()
    }
}
