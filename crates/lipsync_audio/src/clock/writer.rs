//! The audio-thread side of the clock: measures each callback's timing, keeps the least delayed
//! of a sliding window, tracks the segments of gapless audio, and publishes under the seqlock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering, fence};
use std::time::{Duration, Instant};

use super::{
    AudibleClock, ClockState, LatencySettings, SEGMENTS, Segment, Shared, nanos_since, state_code,
};

/// How long a callback's timing counts: the least delayed callback of this window sets the line.
pub(crate) const WINDOW: Duration = Duration::from_millis(250);

/// Most callbacks the window remembers at once; only those less delayed than every later one
/// are kept, a handful in practice.
const WINDOW_SLOTS: usize = 16;

/// The least offset over a sliding window of callbacks: a monotonic queue (offsets strictly
/// increase from front to back, so the front is the least). Fixed size, never allocates.
#[derive(Clone, Copy, Debug)]
struct LeastOffset {
    /// `(instant_ns, offset_ns)`, oldest first.
    slots: [(u64, f64); WINDOW_SLOTS],
    len: usize,
}

impl LeastOffset {
    const fn new() -> Self {
        LeastOffset {
            slots: [(0, 0.0); WINDOW_SLOTS],
            len: 0,
        }
    }

    /// Adds the offset measured by a callback at `instant_ns`; returns the least of the window.
    fn push(&mut self, instant_ns: u64, offset_ns: f64) -> f64 {
        // An older callback more delayed than this one can never be the least again.
        while self.len > 0 && self.slots[self.len - 1].1 >= offset_ns {
            self.len -= 1;
        }
        if self.len == WINDOW_SLOTS {
            self.drop_front(1);
        }
        self.slots[self.len] = (instant_ns, offset_ns);
        self.len += 1;
        let window_ns = WINDOW.as_nanos() as u64;
        let expired = self.slots[..self.len]
            .iter()
            .take_while(|(at, _)| instant_ns.saturating_sub(*at) > window_ns)
            .count();
        // The newest is never expired, so the queue is not empty.
        self.drop_front(expired);
        self.slots[0].1
    }

    fn drop_front(&mut self, count: usize) {
        self.slots.copy_within(count..self.len, 0);
        self.len -= count;
    }
}

/// The audio-thread side of a clock: publishes what was rendered, never waits.
pub(crate) struct ClockWriter {
    shared: Arc<Shared>,
    /// Device time rendered so far, ns.
    device_ns: f64,
    /// Frames rendered so far.
    written: f64,
    offsets: LeastOffset,
    /// Newest first; the newest ends at `written`.
    segments: [Segment; SEGMENTS],
    /// The last block ended with audio, so the next block's audio follows it without a gap.
    gapless: bool,
    /// The output's latency estimate, 0 for none; published with the next block.
    estimated_latency_ns: u64,
}

impl ClockWriter {
    /// A new clock for an utterance at `source_rate`; its epoch is the instant of creation.
    pub(crate) fn new(source_rate: u32) -> Self {
        let shared = Arc::new(Shared {
            epoch: Instant::now(),
            source_rate,
            seq: AtomicU64::new(0),
            written: AtomicU64::new(0f64.to_bits()),
            offset_ns: AtomicU64::new(0f64.to_bits()),
            segments: Default::default(),
            block_ns: AtomicU64::new(0),
            estimated_latency_ns: AtomicU64::new(0),
            state: AtomicU8::new(state_code(ClockState::NotStarted)),
            underruns: AtomicU64::new(0),
        });
        ClockWriter {
            shared,
            device_ns: 0.0,
            written: 0.0,
            offsets: LeastOffset::new(),
            segments: [Segment::default(); SEGMENTS],
            gapless: false,
            estimated_latency_ns: 0,
        }
    }

    /// Sets the output's latency estimate (`None`: no estimate, readers fall back to one block),
    /// published with the next block. A plain store: safe on the audio thread.
    pub(crate) fn set_output_latency(&mut self, estimate: Option<Duration>) {
        // Saturating: a latency is far shorter than 584 years; a zero estimate means none.
        self.estimated_latency_ns =
            estimate.map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
    }

    /// A reader of this clock, with default latency settings.
    pub(crate) fn reader(&self) -> AudibleClock {
        AudibleClock {
            shared: Arc::clone(&self.shared),
            latency: LatencySettings::default(),
        }
    }

    /// Publishes the state after a callback at `now` that rendered a block of `block_frames` at
    /// `device_rate` and brought the utterance to `written` source frames; `block_full` says the
    /// block was audio to its last frame (no trailing silence). Atomics only: safe on the audio
    /// thread.
    pub(crate) fn publish(
        &mut self,
        now: Instant,
        block_frames: usize,
        device_rate: u32,
        written: f64,
        block_full: bool,
        state: ClockState,
    ) {
        let block_ns = block_frames as f64 * 1e9 / f64::from(device_rate.max(1));
        if written > self.written && !self.gapless {
            // Audio after silence (or the first audio): it starts with this block.
            self.segments.copy_within(..SEGMENTS - 1, 1);
            self.segments[0] = Segment {
                device_ns: self.device_ns,
                start: self.written,
                end: self.written,
            };
        }
        self.written = self.written.max(written);
        self.segments[0].end = self.written;
        self.gapless = block_full;
        self.device_ns += block_ns;
        let now_ns = nanos_since(self.shared.epoch, now);
        let offset_ns = self.offsets.push(now_ns, now_ns as f64 - self.device_ns);

        let s = &self.shared;
        // Only this writer stores `seq`, so a relaxed load sees its own last value.
        let seq = s.seq.load(Ordering::Relaxed);
        s.seq.store(seq.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        s.written.store(self.written.to_bits(), Ordering::Relaxed);
        s.offset_ns.store(offset_ns.to_bits(), Ordering::Relaxed);
        for (shared, segment) in s.segments.iter().zip(&self.segments) {
            shared.store(*segment);
        }
        // Saturating float-to-int cast; a block is far shorter than 584 years.
        s.block_ns.store(block_ns as u64, Ordering::Relaxed);
        s.estimated_latency_ns
            .store(self.estimated_latency_ns, Ordering::Relaxed);
        s.state.store(state_code(state), Ordering::Relaxed);
        s.seq.store(seq.wrapping_add(2), Ordering::Release);
    }

    /// Counts one underrun episode.
    pub(crate) fn count_underrun(&self) {
        self.shared.underruns.fetch_add(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for ClockWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClockWriter")
            .field("device_ns", &self.device_ns)
            .field("written", &self.written)
            .field("offsets", &&self.offsets.slots[..self.offsets.len])
            .field("segments", &self.segments)
            .field("gapless", &self.gapless)
            .field("estimated_latency_ns", &self.estimated_latency_ns)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;
    /// 480 frames: 10 ms, whole nanoseconds.
    const BLOCK: usize = 480;

    /// A 48 kHz voice's clock, read with 20 ms of latency, and the instant `ms` after its start.
    fn clock() -> (ClockWriter, AudibleClock, impl Fn(f64) -> Instant) {
        let writer = ClockWriter::new(RATE);
        let reader = writer.reader().with_latency(LatencySettings {
            output_latency: Some(Duration::from_millis(20)),
            user_offset: Duration::ZERO,
        });
        let start = Instant::now();
        (writer, reader, move |ms: f64| {
            start + Duration::from_secs_f64(ms / 1e3)
        })
    }

    #[test]
    fn least_offset_is_the_least_of_the_window() {
        let mut offsets = LeastOffset::new();
        let ms = 1_000_000;
        assert_eq!(offsets.push(0, 5.0), 5.0);
        assert_eq!(offsets.push(10 * ms, 7.0), 5.0);
        assert_eq!(offsets.push(20 * ms, 6.0), 5.0);
        // 5.0 leaves the window; 6.0 is the least of what remains.
        assert_eq!(offsets.push(255 * ms, 9.0), 6.0);
        assert_eq!(offsets.push(256 * ms, 1.0), 1.0);
        assert_eq!(
            offsets.len, 1,
            "a less delayed callback supersedes the rest"
        );
    }

    #[test]
    fn late_callbacks_do_not_move_the_estimate() {
        let (mut writer, reader, at) = clock();
        // Block k is asked for at k * 10 ms; some callbacks wake up late.
        for (k, late_ms) in [0.0, 0.0, 4.0, 1.5, 0.0, 6.0, 2.0, 3.0].iter().enumerate() {
            let written = ((k + 1) * BLOCK) as f64;
            writer.publish(
                at(k as f64 * 10.0 + late_ms),
                BLOCK,
                RATE,
                written,
                true,
                ClockState::Playing,
            );
        }
        // Heard at t: 48 frames per ms, 20 ms after the request of the block that holds it.
        for ms in [71.0, 75.5, 79.0] {
            let expected = (ms - 20.0 + 10.0) * 48.0;
            let heard = reader.audible_position(at(ms)).frames;
            assert!(
                (heard - expected).abs() < 1e-6,
                "{ms} ms: {heard} != {expected}"
            );
        }
    }

    #[test]
    fn audio_after_an_underrun_is_on_the_device_line() {
        let (mut writer, reader, at) = clock();
        for k in 0..5 {
            let written = ((k + 1) * BLOCK) as f64;
            writer.publish(
                at(k as f64 * 10.0),
                BLOCK,
                RATE,
                written,
                true,
                ClockState::Playing,
            );
        }
        // Two dry blocks, then a block half full, then audio again, 3 ms late.
        writer.publish(at(50.0), BLOCK, RATE, 2_400.0, false, ClockState::Underrun);
        writer.publish(at(60.0), BLOCK, RATE, 2_400.0, false, ClockState::Underrun);
        writer.publish(at(70.0), BLOCK, RATE, 2_640.0, false, ClockState::Underrun);
        writer.publish(at(83.0), BLOCK, RATE, 3_120.0, true, ClockState::Playing);
        let heard = |ms: f64| reader.audible_position(at(ms)).frames;
        // Block k is device time 10k..10k+10 ms, heard from 10 ms later (its request + 20 ms is
        // when its end is heard). Block 4 holds frames 1920..2400, then silence.
        assert_eq!(heard(55.0), 2_160.0);
        assert_eq!(heard(65.0), 2_400.0);
        // Block 7: 240 frames then silence; block 8 (late) is still placed on the device line.
        assert_eq!(heard(82.5), 2_520.0);
        assert_eq!(heard(87.5), 2_640.0, "the gap after half a block holds");
        assert_eq!(heard(95.0), 2_880.0);
    }

    #[test]
    fn a_device_that_skips_is_followed_within_the_window() {
        let (mut writer, reader, at) = clock();
        let mut written = 0.0;
        let mut publish = |writer: &mut ClockWriter, ms: f64| {
            written += BLOCK as f64;
            writer.publish(at(ms), BLOCK, RATE, written, true, ClockState::Playing);
        };
        (0..20).for_each(|k| publish(&mut writer, k as f64 * 10.0));
        // An xrun: from here on the device asks 30 ms later than before.
        let blocks = (WINDOW.as_millis() / 10) as usize + 2;
        (20..20 + blocks).for_each(|k| publish(&mut writer, k as f64 * 10.0 + 30.0));
        let last_request = (19 + blocks) as f64 * 10.0 + 30.0;
        let expected = written - 20.0 * 48.0; // the end of the last block, 20 ms after its request
        let heard = reader.audible_position(at(last_request)).frames;
        assert_eq!(heard, expected);
    }

    #[test]
    fn the_outputs_estimate_applies_unless_the_reader_configured_a_latency() {
        let (mut writer, configured, at) = clock();
        let unset = writer.reader();
        writer.publish(at(0.0), BLOCK, RATE, 480.0, true, ClockState::Playing);
        assert_eq!(
            unset.output_latency(),
            Duration::from_millis(10),
            "one block"
        );
        writer.set_output_latency(Some(Duration::from_millis(30)));
        writer.publish(at(10.0), BLOCK, RATE, 960.0, true, ClockState::Playing);
        assert_eq!(unset.output_latency(), Duration::from_millis(30));
        assert_eq!(configured.output_latency(), Duration::from_millis(20));
        // The end of block 1 (960) is heard 30 ms after its request at 10 ms.
        assert_eq!(unset.audible_position(at(40.0)).frames, 960.0);
        writer.set_output_latency(None);
        writer.publish(at(20.0), BLOCK, RATE, 1_440.0, true, ClockState::Playing);
        assert_eq!(unset.output_latency(), Duration::from_millis(10));
    }

    #[test]
    fn pieces_of_a_callback_measure_the_callback() {
        let (mut whole, whole_reader, at) = clock();
        let (mut pieces, pieces_reader, _) = clock();
        for k in 0..6 {
            let now = at(k as f64 * 10.0 + if k % 2 == 0 { 0.0 } else { 2.0 });
            let end = ((k + 1) * BLOCK) as f64;
            whole.publish(now, BLOCK, RATE, end, true, ClockState::Playing);
            for piece in 0..4 {
                let written = (k * BLOCK + (piece + 1) * BLOCK / 4) as f64;
                pieces.publish(now, BLOCK / 4, RATE, written, true, ClockState::Playing);
            }
        }
        for ms in [52.0, 57.0] {
            let (a, b) = (
                whole_reader.audible_position(at(ms)),
                pieces_reader.audible_position(at(ms)),
            );
            assert!((a.frames - b.frames).abs() < 1e-6, "{ms} ms: {a:?} {b:?}");
        }
    }
}
