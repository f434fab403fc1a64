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
//! # Latency estimate
//! kira does not pass on what cpal knows of the device's timing, so the sound measures it: the
//! frames between two `on_start_processing` calls are one device callback. The device asks for a
//! block when it has room for one, while the block before is still playing, so the end of a new
//! block is heard about two callbacks after the request: the device's buffer (taken to be one
//! callback, the double buffering of ALSA periods, CoreAudio and WASAPI) plus the block itself.
//! The estimate is twice the largest callback of roughly the last [`CALLBACK_WINDOW`] callbacks,
//! handed to every voice ([`VoiceRenderer::set_output_latency`]); a reader that configured
//! [`LatencySettings::output_latency`](super::LatencySettings::output_latency) keeps its own.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
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

/// The device's timing as the sound measured it, shared with the output's owner (atomics).
#[derive(Debug, Default)]
pub(crate) struct DeviceTiming {
    rate: AtomicU32,
    callback_frames: AtomicUsize,
}

impl DeviceTiming {
    /// The rate kira renders at, once a callback has run.
    pub(crate) fn device_rate(&self) -> Option<u32> {
        Some(self.rate.load(Ordering::Relaxed)).filter(|&rate| rate > 0)
    }

    /// The largest recent callback, in frames, once one has completed.
    pub(crate) fn callback_frames(&self) -> Option<usize> {
        Some(self.callback_frames.load(Ordering::Relaxed)).filter(|&frames| frames > 0)
    }

    /// The output latency estimate (module docs), once a callback has completed.
    pub(crate) fn output_latency(&self) -> Option<Duration> {
        latency_estimate(self.device_rate()?, self.callback_frames()?)
    }
}

/// Two callbacks of `callback_frames` at `rate`: the device's buffer plus the block itself.
fn latency_estimate(rate: u32, callback_frames: usize) -> Option<Duration> {
    if rate == 0 || callback_frames == 0 {
        return None;
    }
    // In u64, no u128 division on the audio thread; a callback is far below 2^32 frames.
    let frames = u64::try_from(callback_frames)
        .unwrap_or(u64::MAX)
        .min(1 << 32);
    Some(Duration::from_nanos(
        2 * frames * 1_000_000_000 / u64::from(rate),
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
    /// The largest callback of the window, and how many callbacks ago it was measured.
    largest_callback: usize,
    callbacks_since_largest: u32,
    /// The latency estimate handed to the source, and the rate and callback it was made from:
    /// recomputed only when they change.
    estimate: Option<Duration>,
    estimated_from: (u32, usize),
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
            largest_callback: 0,
            callbacks_since_largest: 0,
            estimate: None,
            estimated_from: (0, 0),
            timing,
        }
    }

    fn on_start_processing(&mut self) {
        // The one clock read of the callback: every piece is anchored to it.
        self.callback_at = Instant::now();
        let frames = std::mem::take(&mut self.callback_frames);
        if frames == 0 {
            return;
        }
        if frames >= self.largest_callback || self.callbacks_since_largest >= CALLBACK_WINDOW {
            self.largest_callback = frames;
            self.callbacks_since_largest = 0;
            self.timing.callback_frames.store(frames, Ordering::Relaxed);
        } else {
            self.callbacks_since_largest += 1;
        }
    }

    fn process(&mut self, out: &mut [Frame], dt: f64) {
        let rate = rate_from_dt(dt);
        if self.estimated_from != (rate, self.largest_callback) {
            self.estimated_from = (rate, self.largest_callback);
            self.estimate = latency_estimate(rate, self.largest_callback);
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
            latency_estimate(48_000, 480),
            Some(Duration::from_millis(20))
        );
        assert_eq!(latency_estimate(48_000, 0), None);
        assert_eq!(latency_estimate(0, 480), None);
    }

    #[test]
    fn the_largest_recent_callback_sets_the_estimate() {
        let (_producer, renderer, _control) =
            super::super::voice(48_000, Duration::from_millis(10)).expect("voice");
        let timing = Arc::new(DeviceTiming::default());
        let mut adapter = KiraAdapter::new(renderer, Arc::clone(&timing));
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
}
