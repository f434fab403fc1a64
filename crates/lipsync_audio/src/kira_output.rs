//! Voices on a kira `AudioManager`: the device output.
//!
//! Every voice goes through one [`Mixer`](super::Mixer) played as a single kira sound, the same
//! mixer the virtual outputs use, so a voice sounds and keeps time alike on all of them, voices
//! enter and leave the audio thread the same allocation-free way, and the sound measures the
//! device's callbacks from the moment the output exists (see `kira_sound` for the latency
//! estimate), before the first voice plays.

use std::sync::Arc;
use std::time::Duration;

use kira::backend::Backend;
use kira::{AudioManager, DefaultBackend};

use super::kira_sound::{DEVICE_CHUNK, DeviceTiming, KIRA_CHUNK, MixerSound};
use super::mixer::{VoiceQueue, mixer};
use super::voice::VoiceRenderer;
use super::{AudioError, LatencySource, OutputLatency};

/// Voices mixed into one sound on a kira [`AudioManager`]'s main track. With the default cpal
/// backend this is the device output; with kira's `MockBackend` it is stepped by hand in tests.
/// Any `internal_buffer_size` works; [`DEVICE_CHUNK`](super::DEVICE_CHUNK) is cheapest.
///
/// ```
/// use kira::backend::mock::{MockBackend, MockBackendSettings};
/// use kira::{AudioManager, AudioManagerSettings};
/// use lipsync_audio::{DEFAULT_BUFFER, KiraOutput, voice};
///
/// let manager = AudioManager::<MockBackend>::new(AudioManagerSettings {
///     backend_settings: MockBackendSettings { sample_rate: 48_000 },
///     ..Default::default()
/// })
/// .expect("the mock backend cannot fail");
/// let mut output = KiraOutput::new(manager, 48_000, 8)?;
/// let (mut producer, renderer, control) = voice(24_000, DEFAULT_BUFFER)?;
/// output.play(renderer)?;
/// producer.try_write(&[0.25; 2_400])?;
/// let backend = output.manager_mut().backend_mut();
/// backend.on_start_processing();
/// backend.process(); // one 128-frame block at 48 kHz: 64 frames at 24 kHz
/// assert_eq!(control.clock().frames_written(), 64.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct KiraOutput<B: Backend = DefaultBackend> {
    manager: AudioManager<B>,
    queue: VoiceQueue,
    timing: Arc<DeviceTiming>,
    nominal_rate: u32,
    max_voices: usize,
}

impl<B: Backend> KiraOutput<B> {
    /// Mixes up to `max_voices` voices (at least one) into one sound on `manager`'s main track.
    /// `nominal_rate` is the rate the backend was set up at (kira does not tell), reported by
    /// [`KiraOutput::device_rate`] until the first callback shows the real one.
    pub fn new(
        manager: AudioManager<B>,
        nominal_rate: u32,
        max_voices: usize,
    ) -> Result<Self, AudioError> {
        Self::with_timing(manager, Arc::default(), nominal_rate, max_voices)
    }

    /// As [`KiraOutput::new`], with the timing the backend reports to (the device backend).
    pub(crate) fn with_timing(
        mut manager: AudioManager<B>,
        timing: Arc<DeviceTiming>,
        nominal_rate: u32,
        max_voices: usize,
    ) -> Result<Self, AudioError> {
        if nominal_rate == 0 {
            return Err(AudioError::ZeroSampleRate);
        }
        let max_voices = max_voices.max(1);
        // The sound renders pieces of at most this many frames into the mixer.
        let (mixer, queue) = mixer(max_voices, DEVICE_CHUNK);
        manager
            .play(MixerSound::new(mixer, Arc::clone(&timing)))
            .map_err(|_| AudioError::KiraTrackFull)?;
        Ok(KiraOutput {
            manager,
            queue,
            timing,
            nominal_rate,
            max_voices,
        })
    }

    /// Starts mixing `voice` at the next callback (dropping the finished voices first). Fails
    /// when `max_voices` are playing; the voice is then dropped and its producer's next write
    /// fails with [`AudioError::Disconnected`].
    pub fn play(&mut self, voice: VoiceRenderer) -> Result<(), AudioError> {
        self.queue
            .add(voice)
            .map_err(|_| AudioError::TooManyVoices {
                max: self.max_voices,
            })
    }

    /// Drops the voices that finished (off the audio thread); returns how many.
    pub fn drop_retired(&mut self) -> usize {
        self.queue.drop_retired()
    }

    /// The rate the device runs at: as measured by the last callback, else the nominal rate.
    pub fn device_rate(&self) -> u32 {
        self.timing.device_rate().unwrap_or(self.nominal_rate)
    }

    /// The largest recent device callback, in frames; `None` before the first one completed.
    pub fn callback_frames(&self) -> Option<usize> {
        self.timing.callback_frames()
    }

    /// The output latency handed to every voice, counted from where each callback is anchored:
    /// one device callback (the block itself) where the device reports when it plays each block,
    /// else two (the device's buffer plus the block); before the first callback completed, one
    /// kira block, the least the device can add.
    pub fn output_latency(&self) -> Duration {
        self.timing
            .output_latency()
            .unwrap_or_else(|| self.first_block())
    }

    /// How long the device takes from a callback to the end of its block being heard, and how
    /// that is known: what to show a player calibrating A/V sync.
    pub fn latency_report(&self) -> OutputLatency {
        match (self.timing.device_delay(), self.timing.output_latency()) {
            (Some(delay), Some(block)) => OutputLatency {
                latency: delay + block,
                source: LatencySource::DeviceReported,
            },
            (None, Some(estimate)) => OutputLatency {
                latency: estimate,
                source: LatencySource::CallbackEstimate,
            },
            _ => OutputLatency {
                latency: self.first_block(),
                source: LatencySource::BlockPeriod,
            },
        }
    }

    fn first_block(&self) -> Duration {
        let nanos = KIRA_CHUNK as u64 * 1_000_000_000 / u64::from(self.device_rate());
        Duration::from_nanos(nanos)
    }

    /// The kira manager: for its backend (e.g. to step kira's `MockBackend`) or to play other
    /// sounds alongside the voices.
    pub fn manager_mut(&mut self) -> &mut AudioManager<B> {
        &mut self.manager
    }
}

impl<B: Backend> std::fmt::Debug for KiraOutput<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KiraOutput")
            .field("backend", &std::any::type_name::<B>())
            .field("queue", &self.queue)
            .field("timing", &self.timing)
            .field("nominal_rate", &self.nominal_rate)
            .field("max_voices", &self.max_voices)
            .finish()
    }
}
