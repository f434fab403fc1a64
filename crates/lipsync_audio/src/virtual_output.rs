//! Outputs without a sound card: they pull blocks from a [`Mixer`] the way a device would.
//!
//! - [`ManualOutput`] renders one block per [`ManualOutput::step`] at an instant the caller
//!   gives: fully deterministic, for tests and offline rendering.
//! - [`RealtimeOutput`] runs a thread that renders a block every block period of wall time and
//!   discards it: the fallback when no audio device exists, so clocks and lipsync keep running.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::AudioError;
use super::mixer::{Mixer, VoiceQueue, mixer};
use super::voice::VoiceRenderer;

/// The shape of a virtual device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct OutputConfig {
    /// Frames per second.
    pub device_rate: u32,
    /// Frames per block (callback).
    pub block_frames: usize,
    /// Most voices mixed at once.
    pub max_voices: usize,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            device_rate: 48_000,
            block_frames: 512,
            max_voices: 64,
        }
    }
}

impl OutputConfig {
    /// The wall time one block lasts.
    pub fn block_period(&self) -> Duration {
        Duration::from_nanos(self.block_frames as u64 * 1_000_000_000 / u64::from(self.device_rate))
    }

    fn validate(&self) -> Result<(), AudioError> {
        if self.device_rate == 0 {
            return Err(AudioError::ZeroSampleRate);
        }
        if self.block_frames == 0 {
            return Err(AudioError::EmptyBlock);
        }
        Ok(())
    }
}

/// A virtual device stepped by hand, one block per [`ManualOutput::step`].
///
/// ```
/// use std::time::Instant;
/// use lipsync_audio::mixing::ManualOutput;
/// use lipsync_audio::{DEFAULT_BUFFER, OutputConfig, voice};
/// let mut output = ManualOutput::new(OutputConfig::default())?;
/// let (mut producer, renderer, control) = voice(48_000, DEFAULT_BUFFER)?;
/// output.add_voice(renderer).ok();
/// producer.try_write(&[0.25; 512])?;
/// let start = Instant::now();
/// assert_eq!(output.step(start)[0], 0.25);
/// assert_eq!(control.clock().frames_written(), 512.0);
/// # Ok::<(), lipsync_audio::AudioError>(())
/// ```
#[derive(Debug)]
pub struct ManualOutput {
    config: OutputConfig,
    mixer: Mixer,
    queue: VoiceQueue,
    left: Vec<f32>,
    right: Vec<f32>,
    /// The average of the channels.
    block: Vec<f32>,
}

impl ManualOutput {
    /// A manual output with `config`.
    pub fn new(config: OutputConfig) -> Result<Self, AudioError> {
        config.validate()?;
        let (mixer, queue) = mixer(config.max_voices, config.block_frames);
        Ok(ManualOutput {
            config,
            mixer,
            queue,
            left: vec![0.0; config.block_frames],
            right: vec![0.0; config.block_frames],
            block: vec![0.0; config.block_frames],
        })
    }

    /// The output's configuration.
    pub fn config(&self) -> OutputConfig {
        self.config
    }

    /// Starts mixing `voice` from the next step; gives it back (boxed) when
    /// `max_voices` are queued.
    pub fn add_voice(&mut self, voice: VoiceRenderer) -> Result<(), Box<VoiceRenderer>> {
        self.queue.add(voice)
    }

    /// Renders one block as if the device called back at `now`, and returns it mono: the average
    /// of its two channels (exactly each voice's samples, for voices on both channels alike).
    /// Allocation-free: finished voices are dropped by [`ManualOutput::drop_retired`] or the next
    /// [`ManualOutput::add_voice`].
    pub fn step(&mut self, now: Instant) -> &[f32] {
        self.mixer.render(
            &mut self.left,
            &mut self.right,
            self.config.device_rate,
            now,
        );
        for ((mono, left), right) in self.block.iter_mut().zip(&self.left).zip(&self.right) {
            *mono = (left + right) * 0.5;
        }
        &self.block
    }

    /// The last block's left and right channels.
    pub fn channels(&self) -> (&[f32], &[f32]) {
        (&self.left, &self.right)
    }

    /// Voices being mixed.
    pub fn voice_count(&self) -> usize {
        self.mixer.voice_count()
    }

    /// Drops the voices that finished; returns how many.
    pub fn drop_retired(&mut self) -> usize {
        self.queue.drop_retired()
    }
}

/// A virtual device on its own thread, paced by wall time. Stops when dropped.
#[derive(Debug)]
pub struct RealtimeOutput {
    config: OutputConfig,
    queue: VoiceQueue,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl RealtimeOutput {
    /// Starts the output thread.
    pub fn spawn(config: OutputConfig) -> Result<Self, AudioError> {
        config.validate()?;
        let (mut mixer, queue) = mixer(config.max_voices, config.block_frames);
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("bevy_lipsync virtual audio".into())
            .spawn(move || {
                let mut left = vec![0.0; config.block_frames];
                let mut right = vec![0.0; config.block_frames];
                let period = config.block_period();
                let mut deadline = Instant::now();
                while !thread_stop.load(Ordering::Acquire) {
                    mixer.render(&mut left, &mut right, config.device_rate, Instant::now());
                    deadline += period;
                    let now = Instant::now();
                    if now > deadline + period {
                        // Fell behind (a stalled machine): a device would glitch; start afresh.
                        deadline = now;
                    }
                    std::thread::sleep(deadline.saturating_duration_since(now));
                }
            })
            .map_err(|error| AudioError::OutputThread(error.to_string()))?;
        Ok(RealtimeOutput {
            config,
            queue,
            stop,
            thread: Some(thread),
        })
    }

    /// The output's configuration.
    pub fn config(&self) -> OutputConfig {
        self.config
    }

    /// Starts mixing `voice` at the next block; gives it back (boxed) when
    /// `max_voices` are queued.
    /// Also drops the voices that finished.
    pub fn add_voice(&mut self, voice: VoiceRenderer) -> Result<(), Box<VoiceRenderer>> {
        self.queue.add(voice)
    }

    /// Drops the voices that finished; returns how many.
    pub fn drop_retired(&mut self) -> usize {
        self.queue.drop_retired()
    }
}

impl Drop for RealtimeOutput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            // A panic on the output thread has already been reported; nothing more to do here.
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DEFAULT_BUFFER, voice};

    /// Smoke test of the paced thread: a short utterance finishes. No timing is asserted.
    #[test]
    fn realtime_output_plays_a_voice_to_the_end() {
        let config = OutputConfig {
            block_frames: 256,
            ..OutputConfig::default()
        };
        let mut output = RealtimeOutput::spawn(config).expect("thread starts");
        let (mut producer, renderer, control) = voice(48_000, DEFAULT_BUFFER).expect("voice");
        assert_eq!(producer.try_write(&[0.1; 2_400]), Ok(2_400));
        producer.close();
        output.add_voice(renderer).expect("room for a voice");
        let give_up = Instant::now() + Duration::from_secs(10);
        while !control.is_finished() && Instant::now() < give_up {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(control.is_finished());
        assert_eq!(control.clock().frames_written(), 2_400.0);
    }
}
