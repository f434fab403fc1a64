//! The device output's kira backend: a cpal stream whose every callback says when its block will
//! be played.
//!
//! kira's own cpal backend drops cpal's `OutputCallbackInfo`, which carries, per callback, the
//! instant the first frame of the block will leave the device (`playback`) next to the instant
//! of the callback. Without it the output latency can only be guessed from callback sizes. This
//! backend is kira's renderer on a cpal stream of its own: before kira renders a block, the
//! callback publishes the device's delay (`playback - callback`) to the output's
//! [`DeviceTiming`], where the sounds anchor the block at its playback instant (see
//! `kira_sound`). Hosts that report no delay (zero on every callback) leave the output on its
//! estimate, and say so ([`LatencySource`](crate::LatencySource)).
//!
//! The stream lives on a thread of its own (cpal streams are not `Send` everywhere), which also
//! rebuilds it on the default device when the device goes away or the stream is invalidated,
//! handing the renderer from the dropped stream to the new one. Stream errors are counted in
//! atomics on the audio thread (no allocation there) and read by [`AudioOutput::maintain`]
//! (crate::AudioOutput::maintain).
//!
//! With the `realtime` feature of cpal (on here, through kira's `cpal-realtime`), the audio
//! thread asks for real-time priority on streams straight to the hardware; when the system
//! refuses, the stream reports `RealtimeDenied` once (logged by `maintain`) and plays on
//! normally. cpal leaves streams through a sound server's ALSA plugin (PulseAudio, PipeWire) at
//! normal priority, on purpose: the server's own thread is the real-time one, and a real-time
//! client spinning on its plugin would starve it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::Duration;

use kira::backend::cpal::cpal;
use kira::backend::{Backend, Renderer};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{Device, ErrorKind, OutputCallbackInfo, Stream, StreamConfig};

use crate::kira_sound::DeviceTiming;

/// How often the stream's thread checks for errors and for being dropped.
const CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// What [`DeviceBackend`] opens.
#[derive(Default)]
pub(crate) struct DeviceBackendSettings {
    /// The device; `None` for the system's default, followed when it goes away.
    pub(crate) device: Option<Device>,
    /// The stream's configuration (`None`: the device's default).
    pub(crate) config: Option<StreamConfig>,
    /// Where each callback publishes the device's delay.
    pub(crate) timing: Arc<DeviceTiming>,
}

/// A kira backend over one cpal output stream that reports the device's delay per callback.
pub(crate) struct DeviceBackend {
    pending: Option<(Device, StreamConfig)>,
    follow_default: bool,
    timing: Arc<DeviceTiming>,
    health: Arc<StreamHealth>,
}

/// What the audio thread and the stream's thread tell the main thread, in atomics.
#[derive(Debug, Default)]
pub(crate) struct StreamHealth {
    stop: AtomicBool,
    /// Stream errors reported, and the kind of the last one (an [`error_code`]).
    errors: AtomicU64,
    last_error: AtomicU8,
    /// Times the stream was rebuilt after the device went away.
    restarts: AtomicU64,
}

impl StreamHealth {
    /// Errors reported so far, the last one's description, and the restarts so far.
    pub(crate) fn errors(&self) -> (u64, &'static str, u64) {
        (
            self.errors.load(Ordering::Acquire),
            error_description(self.last_error.load(Ordering::Relaxed)),
            self.restarts.load(Ordering::Relaxed),
        )
    }
}

/// The error kinds the stream's thread acts on or the game is told about.
fn error_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::DeviceNotAvailable => 1,
        ErrorKind::StreamInvalidated => 2,
        ErrorKind::Xrun => 3,
        ErrorKind::RealtimeDenied => 4,
        ErrorKind::DeviceChanged => 5,
        _ => 0,
    }
}

fn error_description(code: u8) -> &'static str {
    match code {
        1 => "the device is no longer available",
        2 => "the stream was invalidated",
        3 => "the device under- or overran (xrun)",
        4 => "the audio thread was refused real-time priority; it plays at normal priority",
        5 => "the system rerouted the stream to another device",
        _ => "the device reported an error",
    }
}

impl DeviceBackend {
    /// The shared health of the stream, for the output's owner.
    pub(crate) fn health(&self) -> Arc<StreamHealth> {
        Arc::clone(&self.health)
    }
}

impl Backend for DeviceBackend {
    type Settings = DeviceBackendSettings;
    type Error = cpal::Error;

    fn setup(
        settings: DeviceBackendSettings,
        _internal_buffer_size: usize,
    ) -> Result<(Self, u32), cpal::Error> {
        let follow_default = settings.device.is_none();
        let device = match settings.device {
            Some(device) => device,
            None => default_device()?,
        };
        let config = match settings.config {
            Some(config) => config,
            None => device.default_output_config()?.config(),
        };
        let rate = config.sample_rate;
        Ok((
            DeviceBackend {
                pending: Some((device, config)),
                follow_default,
                timing: settings.timing,
                health: Arc::default(),
            },
            rate,
        ))
    }

    fn start(&mut self, renderer: Renderer) -> Result<(), cpal::Error> {
        let Some((device, config)) = self.pending.take() else {
            return Err(cpal::Error::with_message(
                ErrorKind::InvalidInput,
                "the device backend was started twice",
            ));
        };
        let (started, outcome) = sync_channel(1);
        let stream = StreamThread {
            follow_default: self.follow_default,
            timing: Arc::clone(&self.timing),
            health: Arc::clone(&self.health),
            rate: config.sample_rate,
        };
        std::thread::Builder::new()
            .name("lipsync-audio-device".into())
            .spawn(move || stream.run(renderer, device, config, started))
            .map_err(|e| cpal::Error::with_message(ErrorKind::ResourceExhausted, e.to_string()))?;
        outcome.recv().unwrap_or_else(|_| {
            Err(cpal::Error::with_message(
                ErrorKind::Other,
                "the audio device thread ended while opening the stream",
            ))
        })
    }
}

impl Drop for DeviceBackend {
    fn drop(&mut self) {
        self.health.stop.store(true, Ordering::Release);
    }
}

/// The thread that owns the stream.
struct StreamThread {
    follow_default: bool,
    timing: Arc<DeviceTiming>,
    health: Arc<StreamHealth>,
    rate: u32,
}

/// The renderer inside a stream's callback, sent back to the stream's thread when the stream
/// (and with it the callback) is dropped there.
struct ReturnOnDrop {
    renderer: Option<Renderer>,
    back: SyncSender<Renderer>,
}

impl Drop for ReturnOnDrop {
    fn drop(&mut self) {
        if let Some(renderer) = self.renderer.take() {
            // The channel has room for it: one renderer, one slot.
            let _ = self.back.try_send(renderer);
        }
    }
}

impl StreamThread {
    fn run(
        mut self,
        renderer: Renderer,
        device: Device,
        config: StreamConfig,
        started: SyncSender<Result<(), cpal::Error>>,
    ) {
        let (back, returned) = sync_channel(1);
        let mut stream = match self.open(renderer, &device, config, &back) {
            Ok(stream) => {
                let _ = started.send(Ok(()));
                stream
            }
            Err(error) => {
                let _ = started.send(Err(error));
                return;
            }
        };
        let mut errors_seen = 0;
        while !self.health.stop.load(Ordering::Acquire) {
            std::thread::sleep(CHECK_INTERVAL);
            let errors = self.health.errors.load(Ordering::Acquire);
            if errors == errors_seen {
                continue;
            }
            errors_seen = errors;
            let lost = matches!(self.health.last_error.load(Ordering::Relaxed), 1 | 2);
            if !lost {
                continue;
            }
            if !self.follow_default {
                // A device chosen by the game is not replaced: the stream stays stopped.
                return;
            }
            match self.reopen(stream, &returned, &back) {
                Some(next) => stream = next,
                None => return,
            }
        }
    }

    /// Drops the lost stream, takes its renderer back and plays it on the default device.
    fn reopen(
        &mut self,
        stream: Stream,
        returned: &Receiver<Renderer>,
        back: &SyncSender<Renderer>,
    ) -> Option<Stream> {
        drop(stream);
        let mut renderer = returned.recv_timeout(Duration::from_secs(1)).ok()?;
        loop {
            if self.health.stop.load(Ordering::Acquire) {
                return None;
            }
            let opened = default_device().and_then(|device| {
                let config = device.default_output_config()?.config();
                Ok((device, config))
            });
            if let Ok((device, config)) = opened {
                if config.sample_rate != self.rate {
                    renderer.on_change_sample_rate(config.sample_rate);
                    self.rate = config.sample_rate;
                }
                match self.open(renderer, &device, config, back) {
                    Ok(stream) => {
                        self.health.restarts.fetch_add(1, Ordering::Relaxed);
                        return Some(stream);
                    }
                    Err(_) => renderer = returned.recv_timeout(Duration::from_secs(1)).ok()?,
                }
            }
            std::thread::sleep(CHECK_INTERVAL * 5);
        }
    }

    fn open(
        &self,
        renderer: Renderer,
        device: &Device,
        config: StreamConfig,
        back: &SyncSender<Renderer>,
    ) -> Result<Stream, cpal::Error> {
        let mut inside = ReturnOnDrop {
            renderer: Some(renderer),
            back: back.clone(),
        };
        let channels = config.channels;
        let timing = Arc::clone(&self.timing);
        let health = Arc::clone(&self.health);
        let stream = device.build_output_stream(
            config,
            move |data: &mut [f32], info: &OutputCallbackInfo| {
                let Some(renderer) = inside.renderer.as_mut() else {
                    return;
                };
                let stamp = info.timestamp();
                timing.report_delay(stamp.playback.saturating_duration_since(stamp.callback));
                renderer.on_start_processing();
                renderer.process(data, channels);
            },
            move |error: cpal::Error| {
                health
                    .last_error
                    .store(error_code(error.kind()), Ordering::Relaxed);
                health.errors.fetch_add(1, Ordering::Release);
            },
            None,
        )?;
        stream.play()?;
        Ok(stream)
    }
}

fn default_device() -> Result<Device, cpal::Error> {
    cpal::default_host().default_output_device().ok_or_else(|| {
        cpal::Error::with_message(
            ErrorKind::DeviceNotAvailable,
            "the system has no default output device",
        )
    })
}
