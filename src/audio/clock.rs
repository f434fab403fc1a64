//! The audible clock: which frame of an utterance is being heard at a given instant.
//!
//! The audio thread knows exactly how far it has read into an utterance, but only at the instant
//! of each callback, and what it writes is heard later (the device's buffers). The clock turns
//! that into a continuous estimate the main thread can sample at any instant:
//!
//! ```text
//! audible(t) = written + (t - callback instant) * rate - output latency + user offset
//! ```
//!
//! clamped to `[0, written]`, where `written` is the utterance frames (source rate, fractional
//! when resampling) rendered up to the end of the last callback that made progress.
//!
//! - **Underrun.** A callback that reads nothing does not move the anchor, so the estimate runs
//!   on until it reaches `written` (the buffered tail is still being heard) and then holds.
//! - **Never backwards.** Each publication also carries the previous anchor; the position is the
//!   later of what both predict. After an underrun, or when a callback lands early, the mouth
//!   holds instead of jumping back.
//! - **Latency.** [`LatencySettings::output_latency`] is the delay from a callback to the moment
//!   the end of the block it rendered is heard. When unset it is estimated as one block period:
//!   the least any backend can add, since the last frame of a block cannot be heard before the
//!   block's own length has played. Backends that report their latency should set it.
//!
//! # Consistency without locks
//! The writer (audio thread) and readers (any thread) share one [`AudibleClock`] made of atomics
//! only. The fields of a publication are guarded by a *seqlock*: the writer bumps a sequence
//! number to odd, stores the fields, then bumps it to even; a reader retries while the number is
//! odd or changed during its reads. The writer never waits; a reader retries at most while a
//! store of a few words is in flight, so it never sees the position of one callback with the
//! instant of another.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering, fence};
use std::time::{Duration, Instant};

use crate::alignment::FrameOffset;

/// How the audible position is shifted from what the audio thread has rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencySettings {
    /// Delay from a callback to the moment the end of the block it rendered is heard (device
    /// buffers, resampler and mixer included). `None` estimates one block period, the minimum.
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
}

impl AudiblePosition {
    /// The frame being heard, the key of the utterance's alignment timelines.
    pub fn frame(&self) -> FrameOffset {
        // Saturating float-to-int cast; `frames` is never negative.
        FrameOffset(self.frames.floor() as u64)
    }
}

/// The fields the writer publishes under the seqlock.
#[derive(Clone, Copy, Debug)]
struct Snapshot {
    written: f64,
    instant_ns: u64,
    prev_written: f64,
    prev_instant_ns: u64,
    block_ns: u64,
    state: ClockState,
}

struct Shared {
    epoch: Instant,
    source_rate: u32,
    seq: AtomicU64,
    written: AtomicU64,
    instant_ns: AtomicU64,
    prev_written: AtomicU64,
    prev_instant_ns: AtomicU64,
    block_ns: AtomicU64,
    state: AtomicU8,
    underruns: AtomicU64,
}

/// The main-thread view of a voice's clock: cheap to clone, readable from any thread.
#[derive(Clone)]
pub struct AudibleClock {
    shared: Arc<Shared>,
    latency: LatencySettings,
}

/// The audio-thread side of a clock: publishes what was rendered, never waits.
pub(crate) struct ClockWriter {
    shared: Arc<Shared>,
    /// Anchor of the last callback that made progress: (written frames, instant in ns).
    last: (f64, u64),
    /// The anchor before it.
    prev: (f64, u64),
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
    }
}

fn state_from(code: u8) -> ClockState {
    match code {
        1 => ClockState::Playing,
        2 => ClockState::Underrun,
        3 => ClockState::Finished,
        _ => ClockState::NotStarted,
    }
}

impl ClockWriter {
    /// A new clock for an utterance at `source_rate`; its epoch is the instant of creation.
    pub(crate) fn new(source_rate: u32) -> Self {
        let shared = Arc::new(Shared {
            epoch: Instant::now(),
            source_rate,
            seq: AtomicU64::new(0),
            written: AtomicU64::new(0f64.to_bits()),
            instant_ns: AtomicU64::new(0),
            prev_written: AtomicU64::new(0f64.to_bits()),
            prev_instant_ns: AtomicU64::new(0),
            block_ns: AtomicU64::new(0),
            state: AtomicU8::new(state_code(ClockState::NotStarted)),
            underruns: AtomicU64::new(0),
        });
        ClockWriter {
            shared,
            last: (0.0, 0),
            prev: (0.0, 0),
        }
    }

    /// A reader of this clock, with default latency settings.
    pub(crate) fn reader(&self) -> AudibleClock {
        AudibleClock {
            shared: Arc::clone(&self.shared),
            latency: LatencySettings::default(),
        }
    }

    /// Publishes the state after a callback at `now` that rendered `block` of device time and
    /// brought the utterance to `written` source frames. Atomics only: safe on the audio thread.
    pub(crate) fn publish(
        &mut self,
        written: f64,
        now: Instant,
        block: Duration,
        state: ClockState,
    ) {
        let now_ns = nanos_since(self.shared.epoch, now);
        // Only progress moves the anchor: a dry callback must not restart the interpolation.
        if written > self.last.0 {
            self.prev = self.last;
            self.last = (written, now_ns);
        }
        let block_ns = u64::try_from(block.as_nanos()).unwrap_or(u64::MAX);
        let s = &self.shared;
        // Only this writer stores `seq`, so a relaxed load sees its own last value.
        let seq = s.seq.load(Ordering::Relaxed);
        s.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        s.written.store(self.last.0.to_bits(), Ordering::Relaxed);
        s.instant_ns.store(self.last.1, Ordering::Relaxed);
        s.prev_written
            .store(self.prev.0.to_bits(), Ordering::Relaxed);
        s.prev_instant_ns.store(self.prev.1, Ordering::Relaxed);
        s.block_ns.store(block_ns, Ordering::Relaxed);
        s.state.store(state_code(state), Ordering::Relaxed);
        s.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// Counts one underrun episode.
    pub(crate) fn count_underrun(&self) {
        self.shared.underruns.fetch_add(1, Ordering::Relaxed);
    }
}

impl AudibleClock {
    /// This clock read with `latency` instead of the default (estimated output latency, no
    /// offset). Settings belong to the handle: other clones keep theirs.
    pub fn with_latency(mut self, latency: LatencySettings) -> Self {
        self.latency = latency;
        self
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

    /// The estimated output latency: the configured one, or one block period of the last callback.
    pub fn output_latency(&self) -> Duration {
        let block = Duration::from_nanos(self.snapshot().block_ns);
        self.latency.output_latency.unwrap_or(block)
    }

    /// Which frame of the utterance is heard at `at` (see the module docs for the model).
    ///
    /// ```
    /// # use std::time::Instant;
    /// # use bevy_lipsync::audio::{DEFAULT_BUFFER, voice};
    /// # let (_producer, _renderer, control) = voice(24_000, DEFAULT_BUFFER)?;
    /// let heard = control.clock().audible_position(Instant::now());
    /// assert_eq!(heard.frames, 0.0); // nothing rendered yet
    /// # Ok::<(), bevy_lipsync::audio::AudioError>(())
    /// ```
    pub fn audible_position(&self, at: Instant) -> AudiblePosition {
        let snap = self.snapshot();
        if snap.written <= 0.0 {
            // Nothing rendered: not started, or interrupted before the first frame.
            let state = match snap.state {
                ClockState::Finished => ClockState::Finished,
                _ => ClockState::NotStarted,
            };
            return AudiblePosition { frames: 0.0, state };
        }
        let rate = f64::from(self.shared.source_rate);
        let latency = self
            .latency
            .output_latency
            .unwrap_or(Duration::from_nanos(snap.block_ns));
        // Integer nanoseconds until the last step keep whole-frame results exact.
        let shift_ns = self.latency.user_offset.as_nanos() as i128 - latency.as_nanos() as i128;
        let at_ns = i128::from(nanos_since(self.shared.epoch, at));
        let predict = |written: f64, instant_ns: u64| {
            let ahead_ns = at_ns - i128::from(instant_ns) + shift_ns;
            (written + ahead_ns as f64 * rate / 1e9).min(written)
        };
        let current = predict(snap.written, snap.instant_ns);
        let previous = predict(snap.prev_written, snap.prev_instant_ns);
        let frames = current.max(previous).clamp(0.0, snap.written);
        // What is heard: a dry or finished renderer still has its tail in the device.
        let state = match snap.state {
            ClockState::Underrun | ClockState::Finished if frames < snap.written => {
                ClockState::Playing
            }
            state => state,
        };
        AudiblePosition { frames, state }
    }

    fn snapshot(&self) -> Snapshot {
        let s = &self.shared;
        loop {
            let before = s.seq.load(Ordering::Acquire);
            if before & 1 == 0 {
                let snap = Snapshot {
                    written: f64::from_bits(s.written.load(Ordering::Relaxed)),
                    instant_ns: s.instant_ns.load(Ordering::Relaxed),
                    prev_written: f64::from_bits(s.prev_written.load(Ordering::Relaxed)),
                    prev_instant_ns: s.prev_instant_ns.load(Ordering::Relaxed),
                    block_ns: s.block_ns.load(Ordering::Relaxed),
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

impl std::fmt::Debug for ClockWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClockWriter")
            .field("last", &self.last)
            .field("prev", &self.prev)
            .finish()
    }
}
