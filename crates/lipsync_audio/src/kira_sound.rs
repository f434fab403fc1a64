//! Voices on kira's audio thread: kira `Sound`s that render a [`VoiceRenderer`] (one voice) or a
//! [`Mixer`] (every voice of an output) into the frames kira asks for.
//!
//! kira calls a sound in two steps per device callback: `on_start_processing` once, then
//! `process` for each piece of the callback (at most kira's `internal_buffer_size` frames:
//! [`KIRA_CHUNK`] by default, [`DEVICE_CHUNK`] on the device output). The adapter here stamps the
//! callback's instant once, in `on_start_processing`, so every piece of one callback is anchored
//! to it (see the clock's docs), renders each piece into a buffer of [`DEVICE_CHUNK`] frames made
//! with the sound (longer pieces are rendered in slices of it), and hands kira the left and
//! right channels.
//!
//! # Latency: reported by the device, or estimated
//! The frames between two `on_start_processing` calls are one device callback. On the device
//! output, the backend (`device_backend`) publishes before each callback how long the device
//! will take to reach the callback's block: cpal's `playback - callback`, what the device still
//! has queued. The adapter then anchors the callback at that playback instant, so the clock's
//! offset is where the block's first frame really leaves the device, late wake-ups and stream
//! start-up bursts included, and the output latency handed to the voices is only the block
//! itself (its last frame is heard one block after its first).
//!
//! Where nothing reports a delay (kira's own backends, a host whose delay reads zero on every
//! callback of the last [`CALLBACK_WINDOW`]), the callback is anchored at its instant and the
//! latency is estimated: the device asks for a block when it has room for one, while the block
//! before still plays, so the end of a new block is heard about two callbacks after the request
//! (the device's buffer, taken to be one callback as with the double buffering of ALSA periods,
//! CoreAudio and WASAPI, plus the block itself). Either way the latency is counted in the
//! largest callback of roughly the last [`CALLBACK_WINDOW`], handed to every voice
//! ([`VoiceRenderer::set_output_latency`]); a reader that configured
//! [`LatencySettings::output_latency`](super::LatencySettings::output_latency) keeps its own.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kira::Frame;
use kira::info::Info;
use kira::sound::{Sound, SoundData};

use super::mixer::Mixer;
use super::voice::{VoiceControl, VoiceRenderer};

/// Frames kira hands a sound per `process` call by default (kira's
/// `AudioManagerSettings::internal_buffer_size`).
pub const KIRA_CHUNK: usize = 128;

/// kira's internal buffer on the device output, and the length of the sounds' buffers. Larger
/// than kira's default so that a usual device callback is one piece: every piece costs kira and
/// the voices a fixed overhead (clock publication, track bookkeeping), and the output uses no
/// kira clocks or modulators, which are what update once per piece.
pub const DEVICE_CHUNK: usize = 1_024;

/// Callbacks after which the largest callback measured gives way to the current one, so a
/// device restarted with a smaller buffer is followed within about a second.
pub const CALLBACK_WINDOW: u32 = 64;

/// The longest delay a device report is believed: Bluetooth headsets reach 300 ms.
pub const MAX_DEVICE_DELAY: Duration = Duration::from_secs(2);

/// The device's timing as the backend reported it and the sound measured it, shared with the
/// output's owner (atomics).
#[derive(Debug, Default)]
pub(crate) struct DeviceTiming {
    rate: AtomicU32,
    callback_frames: AtomicUsize,
    /// The delay the backend reported for the callback about to render, in nanoseconds.
    delay: AtomicU64,
    /// The largest delay reported over the window, in nanoseconds, and whether the device
    /// reports its delay at all (a nonzero one within the window).
    largest_delay: AtomicU64,
    reported: AtomicBool,
}

impl DeviceTiming {
    /// The backend's report for the callback about to render: the device plays the callback's
    /// first frame `delay` after the callback started. Called on the audio thread.
    /// A delay beyond [`MAX_DEVICE_DELAY`] is taken for a broken report and ignored.
    pub(crate) fn report_delay(&self, delay: Duration) {
        let nanos = if delay <= MAX_DEVICE_DELAY {
            delay.as_nanos() as u64
        } else {
            0
        };
        self.delay.store(nanos, Ordering::Relaxed);
    }

    /// Whether the device reports when it plays each block (else the latency is estimated).
    pub(crate) fn reported(&self) -> bool {
        self.reported.load(Ordering::Relaxed)
    }

    /// The largest delay the device reported over the window, while it reports one.
    pub(crate) fn device_delay(&self) -> Option<Duration> {
        self.reported()
            .then(|| Duration::from_nanos(self.largest_delay.load(Ordering::Relaxed)))
    }

    /// The rate kira renders at, once a callback has run.
    pub(crate) fn device_rate(&self) -> Option<u32> {
        Some(self.rate.load(Ordering::Relaxed)).filter(|&rate| rate > 0)
    }

    /// The largest recent callback, in frames, once one has completed.
    pub(crate) fn callback_frames(&self) -> Option<usize> {
        Some(self.callback_frames.load(Ordering::Relaxed)).filter(|&frames| frames > 0)
    }

    /// The output latency handed to the voices (module docs), once a callback has completed:
    /// one block where the device reports its delay, two where it is estimated.
    pub(crate) fn output_latency(&self) -> Option<Duration> {
        latency_estimate(
            self.device_rate()?,
            self.callback_frames()?,
            latency_blocks(self.reported()),
        )
    }
}

/// Blocks of output latency after a callback's anchor: the block itself where the anchor is the
/// device's playback instant, and the device's buffer too where it is the callback's instant.
fn latency_blocks(reported: bool) -> u64 {
    if reported { 1 } else { 2 }
}

/// `blocks` callbacks of `callback_frames` at `rate`.
fn latency_estimate(rate: u32, callback_frames: usize, blocks: u64) -> Option<Duration> {
    if rate == 0 || callback_frames == 0 {
        return None;
    }
    // In u64, no u128 division on the audio thread; a callback is far below 2^32 frames.
    let frames = u64::try_from(callback_frames)
        .unwrap_or(u64::MAX)
        .min(1 << 32);
    Some(Duration::from_nanos(
        blocks * frames * 1_000_000_000 / u64::from(rate),
    ))
}

/// kira's `dt` (seconds per frame) as a whole rate; kira computes it as `1.0 / rate`.
fn rate_from_dt(dt: f64) -> u32 {
    if dt > 0.0 {
        // Saturating float-to-int cast; real rates are far below `u32::MAX`.
        (1.0 / dt).round() as u32
    } else {
        0
    }
}

/// What fills stereo blocks on the audio thread.
trait StereoSource: Send {
    fn render(&mut self, left: &mut [f32], right: &mut [f32], device_rate: u32, now: Instant);
    fn set_output_latency(&mut self, estimate: Option<Duration>);
    fn is_finished(&self) -> bool;
}

impl StereoSource for VoiceRenderer {
    fn render(&mut self, left: &mut [f32], right: &mut [f32], device_rate: u32, now: Instant) {
        VoiceRenderer::render_stereo(self, left, right, device_rate, now);
    }

    fn set_output_latency(&mut self, estimate: Option<Duration>) {
        VoiceRenderer::set_output_latency(self, estimate);
    }

    fn is_finished(&self) -> bool {
        VoiceRenderer::is_finished(self)
    }
}

impl StereoSource for Mixer {
    fn render(&mut self, left: &mut [f32], right: &mut [f32], device_rate: u32, now: Instant) {
        Mixer::render(self, left, right, device_rate, now);
    }

    fn set_output_latency(&mut self, estimate: Option<Duration>) {
        Mixer::set_output_latency(self, estimate);
    }

    /// An output's mixer plays for as long as its owner keeps the kira manager.
    fn is_finished(&self) -> bool {
        false
    }
}

/// The largest value of roughly the last [`CALLBACK_WINDOW`] observations: a new largest takes
/// over at once, and after a window without one the current value does.
#[derive(Clone, Copy, Debug, Default)]
struct RecentMax {
    value: u64,
    /// Observations since `value` was taken.
    age: u32,
}

impl RecentMax {
    /// Folds in `value`; whether it became the maximum.
    fn observe(&mut self, value: u64) -> bool {
        if value >= self.value || self.age >= CALLBACK_WINDOW {
            self.value = value;
            self.age = 0;
            true
        } else {
            self.age += 1;
            false
        }
    }
}

/// kira's sound protocol over a [`StereoSource`]. Never allocates, locks or blocks.
#[derive(Debug)]
struct KiraAdapter<S> {
    source: S,
    /// Left and right samples of one slice of a piece.
    scratch: [Box<[f32]>; 2],
    /// The instant of the current callback.
    callback_at: Instant,
    /// Frames rendered since the current callback started.
    callback_frames: usize,
    /// The largest callback of the window, in frames.
    largest_callback: RecentMax,
    /// The largest device delay of the window (nanoseconds); callbacks since the last nonzero
    /// delay (`u32::MAX`: none yet).
    largest_delay: RecentMax,
    callbacks_since_reported: u32,
    /// The latency estimate handed to the source, and the rate, callback and kind of anchor it
    /// was made from: recomputed only when they change.
    estimate: Option<Duration>,
    estimated_from: (u32, usize, bool),
    timing: Arc<DeviceTiming>,
}

impl<S: StereoSource> KiraAdapter<S> {
    fn new(source: S, timing: Arc<DeviceTiming>) -> Self {
        KiraAdapter {
            source,
            scratch: [
                vec![0.0; DEVICE_CHUNK].into_boxed_slice(),
                vec![0.0; DEVICE_CHUNK].into_boxed_slice(),
            ],
            callback_at: Instant::now(),
            callback_frames: 0,
            largest_callback: RecentMax::default(),
            largest_delay: RecentMax::default(),
            callbacks_since_reported: u32::MAX,
            estimate: None,
            estimated_from: (0, 0, false),
            timing,
        }
    }

    fn on_start_processing(&mut self) {
        // The one clock read of the callback: every piece is anchored to it, at the instant the
        // device plays the block where it says when that is.
        let delay = self.timing.delay.load(Ordering::Relaxed);
        self.callback_at = Instant::now() + Duration::from_nanos(delay);
        self.track_delay(delay);
        let frames = std::mem::take(&mut self.callback_frames);
        if frames == 0 {
            return;
        }
        if self.largest_callback.observe(frames as u64) {
            self.timing.callback_frames.store(frames, Ordering::Relaxed);
        }
    }

    /// Keeps the largest delay of the window and whether the device reports one at all.
    fn track_delay(&mut self, delay: u64) {
        if delay > 0 {
            self.callbacks_since_reported = 0;
        } else {
            self.callbacks_since_reported = self.callbacks_since_reported.saturating_add(1);
        }
        if self.largest_delay.observe(delay) {
            self.timing.largest_delay.store(delay, Ordering::Relaxed);
        }
        self.timing
            .reported
            .store(self.reports_delay(), Ordering::Relaxed);
    }

    /// Whether the device reported a nonzero delay within the window.
    fn reports_delay(&self) -> bool {
        self.callbacks_since_reported <= CALLBACK_WINDOW
    }

    fn process(&mut self, out: &mut [Frame], dt: f64) {
        let rate = rate_from_dt(dt);
        let reported = self.reports_delay();
        let largest = self.largest_callback.value as usize;
        if self.estimated_from != (rate, largest, reported) {
            self.estimated_from = (rate, largest, reported);
            self.estimate = latency_estimate(rate, largest, latency_blocks(reported));
            self.timing.rate.store(rate, Ordering::Relaxed);
        }
        if self.estimate.is_some() {
            self.source.set_output_latency(self.estimate);
        }
        let [scratch_left, scratch_right] = &mut self.scratch;
        for piece in out.chunks_mut(DEVICE_CHUNK) {
            let left = &mut scratch_left[..piece.len()];
            let right = &mut scratch_right[..piece.len()];
            self.source.render(left, right, rate, self.callback_at);
            for ((frame, &left), &right) in piece.iter_mut().zip(left.iter()).zip(right.iter()) {
                *frame = Frame { left, right };
            }
        }
        self.callback_frames += out.len();
    }
}

/// One voice as a kira [`Sound`], for any kira `AudioManager` or track: play it with
/// `manager.play(VoiceSound::new(renderer))`, which returns the voice's [`VoiceControl`].
/// The sound finishes when the voice does (drained or interrupted), and kira then removes it.
///
/// ```
/// use kira::backend::mock::{MockBackend, MockBackendSettings};
/// use kira::{AudioManager, AudioManagerSettings};
/// use lipsync_audio::{DEFAULT_BUFFER, VoiceSound, voice};
///
/// let mut manager = AudioManager::<MockBackend>::new(AudioManagerSettings {
///     backend_settings: MockBackendSettings { sample_rate: 48_000 },
///     ..Default::default()
/// })
/// .expect("the mock backend cannot fail");
/// let (mut producer, renderer, _) = voice(48_000, DEFAULT_BUFFER)?;
/// let control = manager.play(VoiceSound::new(renderer))?;
/// producer.try_write(&[0.25; 128])?;
/// manager.backend_mut().on_start_processing();
/// manager.backend_mut().process(); // one 128-frame block
/// assert_eq!(control.clock().frames_written(), 128.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct VoiceSound {
    adapter: KiraAdapter<VoiceRenderer>,
}

impl VoiceSound {
    /// A sound playing `renderer`.
    pub fn new(renderer: VoiceRenderer) -> Self {
        VoiceSound {
            adapter: KiraAdapter::new(renderer, Arc::default()),
        }
    }

    /// A handle on the voice for the main thread.
    pub fn control(&self) -> VoiceControl {
        self.adapter.source.control()
    }
}

impl Sound for VoiceSound {
    fn on_start_processing(&mut self) {
        self.adapter.on_start_processing();
    }

    fn process(&mut self, out: &mut [Frame], dt: f64, _info: &Info) {
        self.adapter.process(out, dt);
    }

    fn finished(&self) -> bool {
        self.adapter.source.is_finished()
    }
}

impl SoundData for VoiceSound {
    type Error = Infallible;
    type Handle = VoiceControl;

    fn into_sound(self) -> Result<(Box<dyn Sound>, Self::Handle), Self::Error> {
        let control = self.control();
        Ok((Box::new(self), control))
    }
}

/// Every voice of a kira output, mixed into one kira sound that plays until the manager goes.
#[derive(Debug)]
pub(crate) struct MixerSound {
    adapter: KiraAdapter<Mixer>,
}

impl MixerSound {
    /// A sound playing `mixer`, publishing the device's timing to `timing`.
    pub(crate) fn new(mixer: Mixer, timing: Arc<DeviceTiming>) -> Self {
        MixerSound {
            adapter: KiraAdapter::new(mixer, timing),
        }
    }
}

impl Sound for MixerSound {
    fn on_start_processing(&mut self) {
        self.adapter.on_start_processing();
    }

    fn process(&mut self, out: &mut [Frame], dt: f64, _info: &Info) {
        self.adapter.process(out, dt);
    }

    fn finished(&self) -> bool {
        self.adapter.source.is_finished()
    }
}

impl SoundData for MixerSound {
    type Error = Infallible;
    type Handle = ();

    fn into_sound(self) -> Result<(Box<dyn Sound>, Self::Handle), Self::Error> {
        Ok((Box::new(self), ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kira::AudioManagerSettings;
    use kira::backend::mock::MockBackend;

    #[test]
    fn kira_chunk_is_kiras_default_internal_buffer() {
        let settings = AudioManagerSettings::<MockBackend>::default();
        assert_eq!(settings.internal_buffer_size, KIRA_CHUNK);
    }

    #[test]
    fn dt_converts_back_to_the_rate() {
        for rate in [8_000, 22_050, 44_100, 48_000, 96_000, 192_000] {
            assert_eq!(rate_from_dt(1.0 / f64::from(rate)), rate);
        }
        assert_eq!(rate_from_dt(0.0), 0);
    }

    #[test]
    fn latency_is_two_callbacks() {
        assert_eq!(
            latency_estimate(48_000, 480, 2),
            Some(Duration::from_millis(20))
        );
        assert_eq!(
            latency_estimate(48_000, 480, 1),
            Some(Duration::from_millis(10))
        );
        assert_eq!(latency_estimate(48_000, 0, 2), None);
        assert_eq!(latency_estimate(0, 480, 2), None);
    }

    /// An adapter over a 48 kHz voice with `buffer` of ring, and the timing it publishes to.
    fn adapter(
        buffer: Duration,
    ) -> (
        KiraAdapter<VoiceRenderer>,
        Arc<DeviceTiming>,
        crate::PcmProducer,
        VoiceControl,
    ) {
        let (producer, renderer, control) = super::super::voice(48_000, buffer).expect("voice");
        let timing = Arc::new(DeviceTiming::default());
        let adapter = KiraAdapter::new(renderer, Arc::clone(&timing));
        (adapter, timing, producer, control)
    }

    #[test]
    fn the_largest_recent_callback_sets_the_estimate() {
        let (mut adapter, timing, _producer, _control) = adapter(Duration::from_millis(10));
        let mut frames = vec![Frame::ZERO; 1_024];
        let mut callback = |adapter: &mut KiraAdapter<VoiceRenderer>, len: usize| {
            adapter.on_start_processing();
            for piece in frames[..len].chunks_mut(KIRA_CHUNK) {
                adapter.process(piece, 1.0 / 48_000.0);
            }
        };
        callback(&mut adapter, 480);
        assert_eq!(timing.output_latency(), None, "no whole callback yet");
        callback(&mut adapter, 240);
        assert_eq!(timing.callback_frames(), Some(480));
        callback(&mut adapter, 960);
        callback(&mut adapter, 480);
        assert_eq!(
            timing.callback_frames(),
            Some(960),
            "jitter does not lower it"
        );
        assert_eq!(timing.output_latency(), Some(Duration::from_millis(40)));
        for _ in 0..=CALLBACK_WINDOW {
            callback(&mut adapter, 480);
        }
        assert_eq!(
            timing.callback_frames(),
            Some(480),
            "a smaller buffer is followed"
        );
    }

    /// A device that starts playing 30 ms after its first callback, asked for its first blocks
    /// in a burst (prefill) as streams start: where it reports when each block plays, the first
    /// frame is placed where it is heard; from the callbacks alone it is placed 30 ms early.
    #[test]
    fn a_device_that_reports_its_delay_places_the_first_block_exactly() {
        const BLOCK: usize = 480; // 10 ms at 48 kHz
        let run = |report: bool| {
            let (mut adapter, timing, mut producer, control) = adapter(Duration::from_secs(1));
            producer.try_write(&[0.25; 24_000]).expect("room");
            let mut frames = vec![Frame::ZERO; BLOCK];
            let start = Instant::now();
            let first_played = start + Duration::from_millis(30);
            for block in 0..4u32 {
                if report {
                    let plays = first_played + Duration::from_millis(10) * block;
                    timing.report_delay(plays.saturating_duration_since(Instant::now()));
                }
                adapter.on_start_processing();
                for piece in frames.chunks_mut(KIRA_CHUNK) {
                    adapter.process(piece, 1.0 / 48_000.0);
                }
            }
            adapter.on_start_processing();
            // 25 ms after the first frame is heard: 1 200 frames in.
            let heard = control
                .clock()
                .audible_position(first_played + Duration::from_millis(25));
            (heard.frames - 1_200.0) / 48.0
        };
        let reported = run(true);
        assert!(
            reported.abs() < 1.0,
            "reported delays: {reported:+.2} ms off"
        );
        let estimated = run(false);
        assert!(
            estimated > 10.0,
            "the estimate alone runs ahead at start-up: {estimated:+.2} ms"
        );
    }

    #[test]
    fn a_device_reporting_its_delay_is_one_block_past_its_anchor_and_says_so() {
        let (mut adapter, timing, _producer, _control) = adapter(Duration::from_millis(10));
        let mut frames = vec![Frame::ZERO; 480];
        let mut callback = |adapter: &mut KiraAdapter<VoiceRenderer>, delay_ms: u64| {
            timing.report_delay(Duration::from_millis(delay_ms));
            adapter.on_start_processing();
            adapter.process(&mut frames, 1.0 / 48_000.0);
        };
        for delay in [40, 55, 50] {
            callback(&mut adapter, delay);
        }
        assert!(timing.reported());
        assert_eq!(timing.device_delay(), Some(Duration::from_millis(55)));
        assert_eq!(timing.output_latency(), Some(Duration::from_millis(10)));
        // A host that reports nothing (zero every callback of a window) is estimated again.
        for _ in 0..=CALLBACK_WINDOW + 1 {
            callback(&mut adapter, 0);
        }
        assert!(!timing.reported());
        assert_eq!(timing.device_delay(), None);
        assert_eq!(timing.output_latency(), Some(Duration::from_millis(20)));
        // A report past belief is ignored.
        timing.report_delay(Duration::from_secs(5));
        assert_eq!(timing.delay.load(Ordering::Relaxed), 0);
    }
}
