//! The output the plugin owns: the sound card through kira when there is one, a virtual output
//! paced by wall time when there is not, or a virtual output stepped by hand in tests. One type
//! over the three, so everything downstream (clocks, lipsync) behaves the same on each.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use std::sync::Arc;

use kira::backend::cpal::cpal;
use kira::backend::cpal::cpal::traits::{DeviceTrait, HostTrait};
use kira::{AudioManager, AudioManagerSettings};

use super::AudioError;
use super::device_backend::{DeviceBackend, DeviceBackendSettings, StreamHealth};
use super::kira_output::KiraOutput;
use super::kira_sound::DEVICE_CHUNK;
use super::virtual_output::{ManualOutput, OutputConfig, RealtimeOutput};
use super::voice::VoiceRenderer;

/// Which output [`AudioOutput::open`] makes: the one setting for where voices are heard.
/// [`OutputKind`] says what an output turned out to be ([`OutputMode::Auto`] may become a
/// virtual one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
#[non_exhaustive]
pub enum OutputMode {
    /// The default audio device; without one, a virtual output with
    /// [`OutputConfig::default`], and one warning in the log saying why.
    #[default]
    Auto,
    /// The default audio device, or an error ([`AudioError::NoDevice`]).
    Device,
    /// A virtual output paced by wall time, even when a device exists (servers, CI, muted runs).
    Virtual(OutputConfig),
    /// A virtual output that renders only when [`AudioOutput::step`] is called: deterministic
    /// tests and offline capture.
    Manual(OutputConfig),
}

/// What an [`AudioOutput`] plays through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputKind {
    /// The sound card, through kira and cpal.
    Device,
    /// A virtual output on its own thread, paced by wall time ([`RealtimeOutput`]).
    Realtime,
    /// A virtual output stepped by [`AudioOutput::step`] ([`ManualOutput`]).
    Manual,
}

/// How long an output takes from rendering a block to the end of it being heard, and how that
/// is known. [`AudioOutput::latency_report`] gives it; `bevy_lipsync` shows it to the game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputLatency {
    /// From a callback to the end of its block being heard.
    pub latency: Duration,
    /// Where the figure comes from.
    pub source: LatencySource,
}

/// Where an output latency comes from, from the most to the least exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
#[non_exhaustive]
pub enum LatencySource {
    /// Set by the game ([`LatencySettings::output_latency`](crate::LatencySettings)).
    Configured,
    /// The device says, every callback, when it plays the block (cpal's playback timestamp):
    /// exact, and followed as it changes.
    DeviceReported,
    /// The host reports no delay: estimated as two callbacks (the device's buffer plus the
    /// block). Right for plain double-buffered devices, short of it behind a sound server or
    /// Bluetooth; calibrate with the user offset.
    CallbackEstimate,
    /// Nothing measured yet (before the first callback), or a virtual output: one block, the
    /// least any output adds.
    BlockPeriod,
}

impl std::fmt::Display for LatencySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LatencySource::Configured => "configured",
            LatencySource::DeviceReported => "reported by the device",
            LatencySource::CallbackEstimate => "estimated: the host reports none",
            LatencySource::BlockPeriod => "one block",
        })
    }
}

/// The device output with the health of its stream, and the errors already logged.
struct Device {
    output: KiraOutput<DeviceBackend>,
    health: Arc<StreamHealth>,
    errors_logged: u64,
    /// When errors were last logged: a burst (some sound servers fail a few hundred polls while
    /// a stream starts) is one line, not one per frame.
    logged_at: Option<Instant>,
}

/// The least time between two logs of stream errors.
const ERROR_LOG_INTERVAL: Duration = Duration::from_secs(5);

enum Driver {
    /// Boxed: kira's manager is several times larger than the virtual outputs.
    Device(Box<Device>),
    Realtime(RealtimeOutput),
    /// In a mutex only to be `Sync` (its mixer holds the audio thread's ring ends, which are
    /// not): every access goes through `get_mut`, so it is never locked.
    /// Its configuration is kept beside it, to be read through `&self`.
    Manual(Box<Mutex<ManualOutput>>, OutputConfig),
}

/// The manual output, without locking: `&mut` proves no one else holds it. Poisoning only
/// records a panic while the data was borrowed, which `get_mut` cannot cause.
fn manual(output: &mut Mutex<ManualOutput>) -> &mut ManualOutput {
    output.get_mut().unwrap_or_else(PoisonError::into_inner)
}

/// Where voices are heard, whatever the machine has. Voices played on the device get the
/// device's latency estimate for their clocks ([`AudioOutput::output_latency`]).
///
/// ```
/// use std::time::Instant;
/// use lipsync_audio::{AudioOutput, DEFAULT_BUFFER, OutputConfig, voice};
///
/// let mut output = AudioOutput::manual(OutputConfig::default())?;
/// let (mut producer, renderer, control) = voice(48_000, DEFAULT_BUFFER)?;
/// output.play(renderer)?;
/// producer.try_write(&[0.25; 512])?;
/// let block = output.step(Instant::now()).expect("a manual output steps");
/// assert_eq!(block[0], 0.25);
/// assert_eq!(control.clock().frames_written(), 512.0);
/// # Ok::<(), lipsync_audio::AudioError>(())
/// ```
pub struct AudioOutput {
    driver: Driver,
}

impl AudioOutput {
    /// Opens the output `mode` asks for.
    pub fn open(mode: OutputMode) -> Result<Self, AudioError> {
        let driver = match mode {
            OutputMode::Device => Driver::Device(Box::new(open_device()?)),
            OutputMode::Virtual(config) => Driver::Realtime(RealtimeOutput::spawn(config)?),
            OutputMode::Manual(config) => return Self::manual(config),
            OutputMode::Auto => match open_device() {
                Ok(device) => Driver::Device(Box::new(device)),
                Err(error) => {
                    let config = OutputConfig::default();
                    log::warn!(
                        "audio is virtual: {error}; voices play silently on a {} Hz clock thread \
                         so clocks and lipsync keep running",
                        config.device_rate
                    );
                    Driver::Realtime(RealtimeOutput::spawn(config)?)
                }
            },
        };
        Ok(AudioOutput { driver })
    }

    /// A virtual output that renders one block per [`AudioOutput::step`], for tests.
    pub fn manual(config: OutputConfig) -> Result<Self, AudioError> {
        Ok(AudioOutput {
            driver: Driver::Manual(Box::new(Mutex::new(ManualOutput::new(config)?)), config),
        })
    }

    /// Starts playing `voice` at the next block (dropping the finished voices first). Fails when
    /// the output mixes its maximum of voices; the voice is then dropped and its producer's next
    /// write fails with [`AudioError::Disconnected`].
    pub fn play(&mut self, voice: VoiceRenderer) -> Result<(), AudioError> {
        let full = |max| AudioError::TooManyVoices { max };
        match &mut self.driver {
            Driver::Device(device) => device.output.play(voice),
            Driver::Realtime(output) => {
                let max = output.config().max_voices;
                output.add_voice(voice).map_err(|_| full(max))
            }
            Driver::Manual(output, _) => {
                let output = manual(output);
                let max = output.config().max_voices;
                output.add_voice(voice).map_err(|_| full(max))
            }
        }
    }

    /// The rate the output plays at, in frames per second.
    pub fn device_rate(&self) -> u32 {
        match &self.driver {
            Driver::Device(device) => device.output.device_rate(),
            Driver::Realtime(output) => output.config().device_rate,
            Driver::Manual(_, config) => config.device_rate,
        }
    }

    /// Whether nothing is heard: the output is virtual.
    pub fn is_virtual(&self) -> bool {
        self.kind() != OutputKind::Device
    }

    /// What the output plays through.
    pub fn kind(&self) -> OutputKind {
        match &self.driver {
            Driver::Device(_) => OutputKind::Device,
            Driver::Realtime(_) => OutputKind::Realtime,
            Driver::Manual(..) => OutputKind::Manual,
        }
    }

    /// Renders one block as if the device called back at `now` and returns it (mono); `None`
    /// unless the output is [`OutputKind::Manual`].
    pub fn step(&mut self, now: Instant) -> Option<&[f32]> {
        match &mut self.driver {
            Driver::Manual(output, _) => Some(manual(output).step(now)),
            _ => None,
        }
    }

    /// The left and right channels of the block the last [`AudioOutput::step`] rendered;
    /// `None` unless the output is [`OutputKind::Manual`].
    pub fn channels(&mut self) -> Option<(&[f32], &[f32])> {
        match &mut self.driver {
            Driver::Manual(output, _) => Some(manual(output).channels()),
            _ => None,
        }
    }

    /// Housekeeping for the owner's thread, once a frame or so: drops the voices that finished
    /// (the audio thread never frees memory) and logs device errors. Returns the voices dropped.
    pub fn maintain(&mut self) -> usize {
        match &mut self.driver {
            Driver::Device(device) => {
                let (errors, last, restarts) = device.health.errors();
                let quiet = device
                    .logged_at
                    .is_none_or(|at| at.elapsed() >= ERROR_LOG_INTERVAL);
                if errors > device.errors_logged && quiet {
                    device.errors_logged = errors;
                    device.logged_at = Some(Instant::now());
                    log::warn!(
                        "audio device: {last} ({errors} stream errors, {restarts} restarts so \
                         far; a lost default device is reopened)"
                    );
                }
                device.output.drop_retired()
            }
            Driver::Realtime(output) => output.drop_retired(),
            Driver::Manual(output, _) => manual(output).drop_retired(),
        }
    }

    /// The estimated delay from the device asking for a block to the end of that block being
    /// heard ([`LatencySettings::output_latency`](super::LatencySettings::output_latency)).
    /// On the device: its buffer plus one block, measured as two of its callbacks (kira does not
    /// pass on cpal's buffer size or timestamps), one kira block before the first callback. On a
    /// virtual output: one block, since it holds no buffer, as the voices' clocks assume.
    pub fn output_latency(&self) -> Duration {
        match &self.driver {
            Driver::Device(device) => device.output.output_latency(),
            Driver::Realtime(output) => output.config().block_period(),
            Driver::Manual(_, config) => config.block_period(),
        }
    }

    /// The output's latency for display and diagnostics: from a callback to the end of its block
    /// being heard, and whether the device reported it or it is estimated.
    pub fn latency_report(&self) -> OutputLatency {
        match &self.driver {
            Driver::Device(device) => device.output.latency_report(),
            Driver::Realtime(_) | Driver::Manual(..) => OutputLatency {
                latency: self.output_latency(),
                source: LatencySource::BlockPeriod,
            },
        }
    }
}

impl std::fmt::Debug for AudioOutput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("AudioOutput");
        match &self.driver {
            Driver::Device(device) => debug.field("device", &device.output),
            Driver::Realtime(output) => debug.field("realtime", output),
            Driver::Manual(output, _) => debug.field("manual", output),
        };
        debug.finish()
    }
}

/// The default output device through kira's cpal backend, at the device's default config.
fn open_device() -> Result<Device, AudioError> {
    let no_device = |reason: String| AudioError::NoDevice(reason);
    // Asked here rather than left to kira, which does not say which rate it chose.
    let device = cpal::default_host()
        .default_output_device()
        .ok_or_else(|| no_device("the system has no default output device".into()))?;
    let config = device
        .default_output_config()
        .map_err(|error| no_device(error.to_string()))?
        .config();
    let timing = Arc::default();
    let mut manager = AudioManager::<DeviceBackend>::new(AudioManagerSettings {
        backend_settings: DeviceBackendSettings {
            // The default device, reopened if it goes away.
            device: None,
            config: Some(config),
            timing: Arc::clone(&timing),
        },
        internal_buffer_size: DEVICE_CHUNK,
        ..AudioManagerSettings::default()
    })
    .map_err(|error| no_device(error.to_string()))?;
    let health = manager.backend_mut().health();
    let output = KiraOutput::with_timing(
        manager,
        timing,
        config.sample_rate,
        OutputConfig::default().max_voices,
    )?;
    Ok(Device {
        output,
        health,
        errors_logged: 0,
        logged_at: None,
    })
}
