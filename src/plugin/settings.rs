//! What a game can tune when it adds the plugin.

use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::{Reflect, ReflectDefault, ReflectResource, Resource};

use crate::audio::{DEFAULT_BUFFER, LatencySettings, OutputConfig, OutputMode};
use crate::inworld::TimestampType;
use crate::lipsync::{ArticulationSettings, Pronouncer};
use crate::speech::{DEFAULT_SPEECH_RATE, InworldSetting};

/// The plugin's settings, also available as a resource.
///
/// ```
/// use std::time::Duration;
/// use bevy_lipsync::audio::{OutputConfig, OutputMode};
/// use bevy_lipsync::plugin::LipsyncSettings;
///
/// let settings = LipsyncSettings {
///     default_voice: "offline:female".into(),
///     output: OutputMode::Virtual(OutputConfig::default()),
///     ..Default::default()
/// };
/// assert_eq!(settings.render_latency_frames, None); // derived from how the app renders
/// ```
///
/// Everything but [`inworld`](Self::inworld) and [`pronouncer`](Self::pronouncer) can be seen and
/// edited through reflection (an inspector, a scene); the plugin reads it when it is built.
#[derive(Clone, Debug, Resource, Reflect)]
#[reflect(Resource, Default, Debug)]
pub struct LipsyncSettings {
    /// How to reach Inworld.
    #[reflect(ignore)]
    pub inworld: InworldSetting,
    /// How to reach the AI/ML API gateway for `aimlapi:` voices; `None` (the default) reads
    /// `AIMLAPI_API_KEY` and `AIMLAPI_BASE_URL`, and without a key those voices speak offline
    /// (see `offline_fallback`).
    #[reflect(ignore)]
    pub gateway: Option<crate::gateway::GatewayConfig>,
    /// The voice of a [`Speaker`](super::Speaker) that names none, when Inworld is available.
    pub default_voice: String,
    /// The voice used when Inworld is not available (no key): for speakers that name none, and in
    /// place of Inworld voices when [`Self::offline_fallback`] is on.
    pub default_offline_voice: String,
    /// Speak Inworld voices with the offline voice when no key is configured (warned once),
    /// instead of failing each line with [`SpeechError::NoInworldKey`](crate::speech::SpeechError).
    pub offline_fallback: bool,
    /// Where voices are heard: the device (`Auto`, the default, falls back to a virtual output
    /// that keeps the clock running, logged once), a virtual output paced by wall time, or a
    /// manual one stepped by [`SpeechOutput::step`](super::SpeechOutput::step); the virtual
    /// ones with their rate, block size and most voices heard at once.
    pub output: OutputMode,
    /// Output latency (`None`: estimated from the output) and a user offset. Live: a change
    /// (an A/V calibration slider) applies to every playing voice from the next frame.
    pub latency: LatencySettings,
    /// How many frames pass between computing the mouth and seeing it; `None`, the default,
    /// derives it from how the app renders (pipelined or not, vsync or not: see
    /// [`RenderLatency`](super::RenderLatency)). The mouth is evaluated that far ahead, plus half
    /// a frame. Set it when you know better: a display that adds its own processing, a frame
    /// generator.
    pub render_latency_frames: Option<f32>,
    /// Shapes of the mouth: intensity, anticipation, holds.
    pub articulation: ArticulationSettings,
    /// How words are read aloud for speech that comes with CHARACTER or word timestamps but no
    /// phones: the offline voice's [`Lexicon`](crate::offline::Lexicon) by default.
    #[reflect(ignore, default = "default_pronouncer")]
    pub pronouncer: Arc<dyn Pronouncer>,
    /// Sample rate speech is requested at.
    pub sample_rate: u32,
    /// Which timestamps Inworld is asked for: `Word` (the default: words with phones on 1.5
    /// and 2 models) or `Character` (read aloud letter by letter through the pronouncer, and
    /// regrouped into words for [`WordSpoken`](super::WordSpoken)).
    #[reflect(ignore)]
    pub timestamps: TimestampType,
    /// How much audio each voice buffers ahead of playback.
    pub buffer: Duration,
    /// Pause every speaker while `Time<Virtual>` is paused (a paused game pauses its NPCs), and
    /// resume them with it. Off by default. Speed changes of `Time<Virtual>` do not change
    /// voices: speech plays at its own pace and the mouth follows the audio, not game time.
    pub pause_with_virtual_time: bool,
    /// Places every speaker's voice in the world with these settings (a speaker's own
    /// [`SpatialVoice`](super::SpatialVoice) wins); `None`, the default, leaves voices mono
    /// unless a speaker has one. Needs a [`VoiceListener`](super::VoiceListener).
    pub spatial: Option<super::spatial_voice::SpatialVoice>,
    /// Master volume of every voice, linear (1 is as delivered), times each
    /// [`Speaker::gain`](super::Speaker::gain). Change it at any time (an options menu): playing
    /// voices follow from the next frame, ramping over
    /// [`GAIN_RAMP`](crate::audio::GAIN_RAMP) without a click.
    pub voice_volume: f32,
    /// How fast a mouth relaxes to rest once its line stops (interrupted, failed, between lines):
    /// the time constant of an exponential ease.
    pub relax_time: Duration,
    /// How long a line may stay stalled (its audio stopped being played although it has not run
    /// dry: device suspended or lost, see [`SpeechStalled`](super::SpeechStalled)) before it
    /// fails with [`SpeechError::OutputStalled`](crate::speech::SpeechError::OutputStalled).
    /// Until then it plays on from where it stopped if the output comes back.
    pub stall_timeout: Duration,
}

impl Default for LipsyncSettings {
    fn default() -> Self {
        LipsyncSettings {
            inworld: InworldSetting::FromEnv,
            gateway: None,
            default_voice: "inworld/inworld-tts-1.5-max:Dennis".into(),
            default_offline_voice: "offline".into(),
            offline_fallback: true,
            output: OutputMode::Auto,
            latency: LatencySettings::default(),
            render_latency_frames: None,
            articulation: ArticulationSettings::default(),
            pronouncer: default_pronouncer(),
            sample_rate: DEFAULT_SPEECH_RATE,
            timestamps: TimestampType::Word,
            buffer: DEFAULT_BUFFER,
            relax_time: Duration::from_millis(60),
            stall_timeout: Duration::from_secs(5),
            voice_volume: 1.0,
            spatial: None,
            pause_with_virtual_time: false,
        }
    }
}

/// The offline voice's lexicon.
fn default_pronouncer() -> Arc<dyn Pronouncer> {
    Arc::new(crate::offline::Lexicon)
}

impl LipsyncSettings {
    /// The voices of speakers that name none, and the offline fallback, for the resolver.
    pub(crate) fn voice_defaults(&self) -> crate::speech::VoiceDefaults<'_> {
        crate::speech::VoiceDefaults {
            voice: &self.default_voice,
            offline_voice: &self.default_offline_voice,
            offline_fallback: self.offline_fallback,
        }
    }

    /// Settings for tests: no Inworld unless configured, a manual output, otherwise defaults.
    pub fn manual() -> Self {
        LipsyncSettings {
            output: OutputMode::Manual(OutputConfig::default()),
            ..Default::default()
        }
    }
}
