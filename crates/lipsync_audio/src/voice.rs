//! One utterance on the audio thread: the [`VoiceRenderer`] drains a pipe, resamples to the
//! device rate, applies gain and the interrupt fade, and publishes the audible clock; the
//! [`VoiceControl`] is its handle on the main thread.

use std::f32::consts::PI;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::AudioError;
use super::clock::{AudibleClock, ClockState, ClockWriter};
use super::pipe::{PcmConsumer, PcmProducer, PipeFlags, voice_pipe};
use super::ramp::Ramp;
use super::resample::Resampler;

/// Ring size used when none is given: two seconds at the TTS rate absorbs network jitter.
pub const DEFAULT_BUFFER: Duration = Duration::from_secs(2);

/// Longest interrupt fade: short enough to feel instant, long enough not to click.
pub const INTERRUPT_FADE: Duration = Duration::from_millis(10);

/// How long a pause takes to fall silent: a fade short enough to stop within any device block,
/// long enough not to click.
pub const PAUSE_FADE: Duration = Duration::from_millis(5);

/// How long a gain change takes, whatever the block size: a linear ramp short enough to follow
/// a volume slider or a duck at once, long enough not to click.
pub const GAIN_RAMP: Duration = Duration::from_millis(5);

/// A new utterance at `source_rate` with a ring of `buffer` (rounded up to whole frames):
/// the producer for the TTS runtime, the renderer for the audio thread, the control for the
/// main thread.
///
/// ```
/// use lipsync_audio::{DEFAULT_BUFFER, voice};
/// let (producer, renderer, control) = voice(24_000, DEFAULT_BUFFER)?;
/// assert_eq!(producer.capacity_frames(), 48_000);
/// # drop(renderer); drop(control);
/// # Ok::<(), lipsync_audio::AudioError>(())
/// ```
pub fn voice(
    source_rate: u32,
    buffer: Duration,
) -> Result<(PcmProducer, VoiceRenderer, VoiceControl), AudioError> {
    if source_rate == 0 {
        return Err(AudioError::ZeroSampleRate);
    }
    let frames = (buffer.as_secs_f64() * f64::from(source_rate)).ceil();
    // Saturating float-to-int cast; absurd durations are limited by memory, not by wrapping.
    let (producer, consumer) = voice_pipe(frames as usize);
    let renderer = VoiceRenderer::new(consumer, source_rate)?;
    let control = renderer.control();
    Ok((producer, renderer, control))
}

/// Where the renderer is in the utterance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Waiting,
    Playing,
    Underrun,
    /// Paused: fading out, then holding without reading the ring.
    Paused,
    Finished,
}

/// The interrupt fade: a half cosine from 1 to 0 over `total` device frames.
#[derive(Clone, Copy, Debug)]
struct Fade {
    done: u32,
    total: u32,
}

impl Fade {
    /// A fade over `length` of device time (floored: it never exceeds its budget), already over
    /// when the voice is `silent`.
    fn over(length: Duration, device_rate: u32, silent: bool) -> Self {
        let total = ((f64::from(device_rate) * length.as_secs_f64()) as u32).max(1);
        Fade {
            done: if silent { total } else { 0 },
            total,
        }
    }

    fn gain(&self) -> f32 {
        0.5 * (1.0 + (PI * self.done as f32 / self.total as f32).cos())
    }
}

/// The audio-thread side of an utterance. [`VoiceRenderer::render`] never allocates, locks,
/// logs or makes a syscall.
#[derive(Debug)]
pub struct VoiceRenderer {
    pcm: PcmConsumer,
    resampler: Resampler,
    source_rate: u32,
    clock: ClockWriter,
    gain: Arc<AtomicU32>,
    /// The gain as applied, following the control's.
    applied_gain: Ramp,
    /// Left and right gains (pan and distance) as applied, following the control's.
    channels: Arc<AtomicU64>,
    applied_channels: [Ramp; 2],
    fade: Option<Fade>,
    /// A pause, from the moment it is seen until the voice resumes: its fade-out.
    hold: Option<Fade>,
    phase: Phase,
}

/// The main thread's handle on an utterance: interrupt it, set its gain, read its clock.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct VoiceControl {
    flags: Arc<PipeFlags>,
    gain: Arc<AtomicU32>,
    channels: Arc<AtomicU64>,
    clock: AudibleClock,
}

impl VoiceRenderer {
    /// A renderer draining `pcm`, whose samples are at `source_rate`.
    pub(crate) fn new(pcm: PcmConsumer, source_rate: u32) -> Result<Self, AudioError> {
        if source_rate == 0 {
            return Err(AudioError::ZeroSampleRate);
        }
        let clock = ClockWriter::new(source_rate);
        Ok(VoiceRenderer {
            pcm,
            // The device rate is learned at the first render.
            resampler: Resampler::new(source_rate, source_rate),
            source_rate,
            clock,
            gain: Arc::new(AtomicU32::new(1f32.to_bits())),
            applied_gain: Ramp::new(1.0),
            channels: Arc::new(AtomicU64::new(pack_channels([1.0, 1.0]))),
            applied_channels: [Ramp::new(1.0); 2],
            fade: None,
            hold: None,
            phase: Phase::Waiting,
        })
    }

    /// A handle for the main thread.
    pub fn control(&self) -> VoiceControl {
        VoiceControl {
            flags: Arc::clone(self.pcm.flags()),
            gain: Arc::clone(&self.gain),
            channels: Arc::clone(&self.channels),
            clock: self.clock.reader(),
        }
    }

    /// The utterance's sample rate.
    pub fn source_rate(&self) -> u32 {
        self.source_rate
    }

    /// Sets the output's estimate of its latency (see [`LatencySettings::output_latency`]), used
    /// by clock readers that configured none; `None` leaves them at one block period. Outputs
    /// call this on the audio thread: it stores a number, published with the next block.
    ///
    /// [`LatencySettings::output_latency`]: super::LatencySettings::output_latency
    pub fn set_output_latency(&mut self, estimate: Option<Duration>) {
        self.clock.set_output_latency(estimate);
    }

    /// Whether the utterance is over (drained or interrupted); later renders are silent.
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// Fills `out` (mono, `device_rate`) with the next block of the utterance, then publishes the
    /// clock as of `now`, the instant of this callback. Writes silence where there is no audio.
    pub fn render(&mut self, out: &mut [f32], device_rate: u32, now: Instant) {
        if self.phase == Phase::Finished || device_rate == 0 || out.is_empty() {
            out.fill(0.0);
            return;
        }
        self.resampler.set_output_rate(device_rate);
        if self.phase == Phase::Waiting {
            // Nothing heard yet: start at the gains set, with no ramp from the defaults.
            self.applied_gain
                .jump(f32::from_bits(self.gain.load(Ordering::Relaxed)));
            let [left, right] = unpack_channels(self.channels.load(Ordering::Relaxed));
            self.applied_channels[0].jump(left);
            self.applied_channels[1].jump(right);
        }
        let interrupted = self.pcm.flags().is_interrupted();
        if self.fade.is_none() && interrupted {
            // A voice paused into silence has nothing left to fade.
            let silent = self.phase == Phase::Paused;
            self.fade = Some(Fade::over(INTERRUPT_FADE, device_rate, silent));
        }
        if !interrupted && self.pcm.flags().is_paused() {
            if self.hold.is_none() {
                // Nothing heard yet: nothing to fade.
                let silent = self.phase == Phase::Waiting;
                self.hold = Some(Fade::over(PAUSE_FADE, device_rate, silent));
            }
            if let Some(hold) = self.hold
                && hold.done >= hold.total
            {
                // Held: the ring is left as it is, so resuming plays its very next frame.
                out.fill(0.0);
                let state = if self.phase == Phase::Waiting {
                    ClockState::NotStarted
                } else {
                    self.phase = Phase::Paused;
                    ClockState::Paused
                };
                self.clock.publish(
                    now,
                    out.len(),
                    device_rate,
                    self.resampler.position(),
                    false,
                    state,
                );
                return;
            }
        } else {
            self.hold = None;
            if self.phase == Phase::Paused {
                self.phase = Phase::Playing;
            }
        }
        // During a fade, read no further than the fade reaches: the rest is dropped unheard (an
        // interrupt) or waits in the ring (a pause), and the clock stops where the sound did.
        let audible = match self.fade.or(self.hold) {
            Some(fade) => out
                .len()
                .min((fade.total - fade.done.min(fade.total)) as usize),
            None => out.len(),
        };
        // Read before the ring: if closed now, whatever the ring holds next is all there is.
        let closed = self.pcm.is_closed();
        let mut produced = self.pull(&mut out[..audible]);
        let mut ended = false;
        if closed && self.pcm.available() == 0 {
            produced += self.resampler.flush(&mut out[produced..audible]);
            ended = self.resampler.is_drained();
        }
        self.apply_gain(&mut out[..produced], device_rate);
        if let Some(fade) = &mut self.fade {
            for sample in out[..produced].iter_mut() {
                *sample *= fade.gain();
                fade.done += 1;
            }
            // The fade runs on device time, audio or not, so an interrupt always ends promptly.
            let rest = u32::try_from(audible - produced).unwrap_or(u32::MAX);
            fade.done = fade.done.saturating_add(rest);
            if fade.done >= fade.total {
                ended = true;
                self.pcm.discard();
            }
        } else if let Some(hold) = &mut self.hold {
            for sample in out[..produced].iter_mut() {
                *sample *= hold.gain();
                hold.done += 1;
            }
            let rest = u32::try_from(audible - produced).unwrap_or(u32::MAX);
            hold.done = hold.done.saturating_add(rest);
        }
        out[produced..].fill(0.0);

        let dry = !ended && produced < out.len();
        self.phase = if ended {
            Phase::Finished
        } else if self.hold.is_some() {
            // Fading out for a pause: silence after the fade is not a dry ring.
            Phase::Paused
        } else if dry {
            if produced > 0 || self.phase == Phase::Playing {
                self.clock.count_underrun();
            }
            if self.phase == Phase::Waiting && produced == 0 {
                Phase::Waiting
            } else {
                Phase::Underrun
            }
        } else {
            Phase::Playing
        };
        let state = match self.phase {
            Phase::Waiting => ClockState::NotStarted,
            Phase::Playing => ClockState::Playing,
            Phase::Underrun => ClockState::Underrun,
            Phase::Paused => ClockState::Paused,
            Phase::Finished => ClockState::Finished,
        };
        self.clock.publish(
            now,
            out.len(),
            device_rate,
            self.resampler.position(),
            produced == out.len(),
            state,
        );
    }

    /// Resamples what the ring holds into `out`; returns the frames written.
    fn pull(&mut self, out: &mut [f32]) -> usize {
        let (first, second) = self.pcm.as_slices();
        let (mut taken, mut produced) = self.resampler.process(first, out);
        if taken == first.len() {
            let (more, made) = self.resampler.process(second, &mut out[produced..]);
            taken += more;
            produced += made;
        }
        self.pcm.consume(taken);
        produced
    }

    /// Applies the control's gain; a change ramps linearly over [`GAIN_RAMP`] of device time
    /// (across blocks if need be) so it does not click.
    fn apply_gain(&mut self, samples: &mut [f32], device_rate: u32) {
        let target = f32::from_bits(self.gain.load(Ordering::Relaxed));
        self.applied_gain.aim(target, device_rate);
        self.applied_gain.apply(samples);
    }

    /// Renders the next block like [`VoiceRenderer::render`], into `left`, then spreads it over
    /// both channels with the control's [`channel gains`](VoiceControl::set_channel_gains),
    /// ramped like the gain. `left` and `right` have the same length.
    pub fn render_stereo(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        device_rate: u32,
        now: Instant,
    ) {
        self.render(left, device_rate, now);
        let [to_left, to_right] = unpack_channels(self.channels.load(Ordering::Relaxed));
        let [left_gain, right_gain] = &mut self.applied_channels;
        left_gain.aim(to_left, device_rate);
        right_gain.aim(to_right, device_rate);
        right.copy_from_slice(left);
        left_gain.apply(left);
        right_gain.apply(right);
    }
}

/// Two channel gains in one atomic word.
fn pack_channels([left, right]: [f32; 2]) -> u64 {
    (u64::from(left.to_bits()) << 32) | u64::from(right.to_bits())
}

fn unpack_channels(word: u64) -> [f32; 2] {
    // Truncations keep exactly the halves packed.
    [
        f32::from_bits((word >> 32) as u32),
        f32::from_bits(word as u32),
    ]
}

impl VoiceControl {
    /// Stops the utterance: it fades out within [`INTERRUPT_FADE`] and finishes; the producer's
    /// next write fails with [`AudioError::Interrupted`].
    pub fn interrupt(&self) {
        self.flags.interrupt();
    }

    /// Whether [`VoiceControl::interrupt`] was called.
    pub fn is_interrupted(&self) -> bool {
        self.flags.is_interrupted()
    }

    /// Pauses the utterance: it fades out within [`PAUSE_FADE`] from the next block and holds
    /// its place, its clock holding too ([`ClockState::Paused`]). The producer may go on
    /// writing until the ring is full.
    pub fn pause(&self) {
        self.flags.set_paused(true);
    }

    /// Resumes a paused utterance at the very frame after the last one heard.
    pub fn resume(&self) {
        self.flags.set_paused(false);
    }

    /// Whether [`VoiceControl::pause`] holds the utterance.
    pub fn is_paused(&self) -> bool {
        self.flags.is_paused()
    }

    /// Sets the linear gain (1.0 = unchanged): from the next block on, reached within
    /// [`GAIN_RAMP`]; before the first sample is heard, at once.
    pub fn set_gain(&self, gain: f32) {
        self.gain.store(gain.to_bits(), Ordering::Relaxed);
    }

    /// The linear gain last set.
    pub fn gain(&self) -> f32 {
        f32::from_bits(self.gain.load(Ordering::Relaxed))
    }

    /// Sets how much of the voice goes to the left and to the right channel (linear; `[1, 1]`,
    /// the default, is the mono voice on both): panning and distance for a voice placed in the
    /// game's world. Reached within [`GAIN_RAMP`] from the next block, at once before the first
    /// sample is heard; a mono output hears the average of the two.
    pub fn set_channel_gains(&self, left: f32, right: f32) {
        self.channels
            .store(pack_channels([left, right]), Ordering::Relaxed);
    }

    /// The channel gains last set, `[left, right]`.
    pub fn channel_gains(&self) -> [f32; 2] {
        unpack_channels(self.channels.load(Ordering::Relaxed))
    }

    /// The utterance's audible clock.
    pub fn clock(&self) -> &AudibleClock {
        &self.clock
    }

    /// Whether the renderer is done (its tail may still be in the device: see the clock).
    pub fn is_finished(&self) -> bool {
        self.clock.is_finished()
    }

    /// How many times the buffer ran dry mid-utterance.
    pub fn underruns(&self) -> u64 {
        self.clock.underruns()
    }
}
