//! The audio output the plugin owns, as a resource.

use std::time::Instant;

use bevy::prelude::Resource;

use crate::audio::{
    AudioError, AudioOutput, LatencySettings, LatencySource, OutputKind, OutputLatency,
};

use super::settings::LipsyncSettings;

/// Where every speaker's voice plays: the audio device, or a virtual output.
///
/// With [`OutputMode::Manual`](crate::audio::OutputMode::Manual) nothing plays until the game (a test, an offline capture)
/// calls [`SpeechOutput::step`], which renders one block at the instant given.
#[derive(Resource, Debug)]
pub struct SpeechOutput {
    output: AudioOutput,
}

impl SpeechOutput {
    /// Opens the output the settings ask for.
    pub fn open(settings: &LipsyncSettings) -> Result<Self, AudioError> {
        let output = AudioOutput::open(settings.output)?;
        Ok(SpeechOutput { output })
    }

    /// Renders one block at `now` (manual output only; `None` otherwise) and returns it, mono.
    pub fn step(&mut self, now: Instant) -> Option<&[f32]> {
        self.output.step(now)
    }

    /// The left and right channels of the block the last [`SpeechOutput::step`] rendered
    /// (manual output only; `None` otherwise).
    pub fn channels(&mut self) -> Option<(&[f32], &[f32])> {
        self.output.channels()
    }

    /// What kind of output this is.
    pub fn kind(&self) -> OutputKind {
        self.output.kind()
    }

    /// The output's sample rate.
    pub fn device_rate(&self) -> u32 {
        self.output.device_rate()
    }

    /// The latency the voices' clocks apply with `configured`
    /// ([`LipsyncSettings::latency`]): its output latency, else the output's estimate, and its
    /// user offset. Every playing voice is read with it from the next frame on, so a game can
    /// calibrate while lines play.
    pub fn latency(&self, configured: &LatencySettings) -> LatencySettings {
        LatencySettings {
            output_latency: Some(
                configured
                    .output_latency
                    .unwrap_or_else(|| self.output.output_latency()),
            ),
            user_offset: configured.user_offset,
        }
    }

    /// The output latency in effect and where it comes from, for a diagnostic or a calibration
    /// screen: the game's own ([`LatencySource::Configured`]), reported by the device every
    /// callback, or estimated where the host reports nothing. The latency counts from a
    /// callback to the end of its block being heard.
    pub fn latency_report(&self, configured: &LatencySettings) -> OutputLatency {
        match configured.output_latency {
            Some(latency) => OutputLatency {
                latency,
                source: LatencySource::Configured,
            },
            None => self.output.latency_report(),
        }
    }

    pub(crate) fn output_mut(&mut self) -> &mut AudioOutput {
        &mut self.output
    }
}
