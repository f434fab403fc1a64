//! How a mouth moves between shapes: every timing and strength parameter of the curves.
//!
//! The defaults are not tuned by eye; each one sits inside the range that shipped lipsync
//! systems use, and the perception limits in [`DisplayTiming`](crate::DisplayTiming#how-exact-it-has-to-be):
//!
//! | parameter | default | anchor |
//! |---|---|---|
//! | [`intensity`](ArticulationSettings::intensity) | 0.9 | Inworld's web sample uses 0.5, which reads as mumbling on a wide-open AA; 1.0 leaves no headroom when a rig recipe stacks shapes. 0.9 keeps full shapes readable. |
//! | [`lead`](ArticulationSettings::lead) | 60 ms | Amazon Sumerian leads visemes by 67 ms, Rhubarb anticipates vowels by up to 200 ms: lips move before sound. A mouth early by up to 125 ms is not detectable (ITU-R BT.1359), a late one is beyond 45 ms, so erring early is safe. |
//! | [`attack`](ArticulationSettings::attack) | 50 ms | Rhubarb tweens 40-80 ms. With the 60 ms lead a shape is fully formed 10 ms before its sound. |
//! | [`release`](ArticulationSettings::release) | 80 ms | The long end of Rhubarb's tweens, longer than the attack: "pop open, close slowly". |
//! | [`min_hold`](ArticulationSettings::min_hold) | 100 ms | Rhubarb's minimum shape is 70 ms; a user study of TTS visemes preferred 120 ms. TTS runs at about 13 visemes per second (77 ms each), so 120 ms would smear most consonants into the next shape, while 70 ms lets two-frame flashes through at 30 fps. |
//! | [`hold_gap`](ArticulationSettings::hold_gap) | 120 ms | Rhubarb: pauses under 120 ms hold the previous shape instead of snapping shut. |
//! | [`rest_return`](ArticulationSettings::rest_return) | 150 ms | Sumerian's 150 ms blend: the mouth settles to rest smoothly after the last shape and in pauses. |
//! | [`envelope_floor`](ArticulationSettings::envelope_floor) / [`envelope_full`](ArticulationSettings::envelope_full) | 0.01 / 0.25 RMS | The jaw-only fallback: -40 dBFS is room noise (jaw closed), -12 dBFS is loud speech (jaw at `intensity`). |
//!
//! Others for reference: uLipSync smooths with a 50 ms damped spring and plays baked data 100 ms
//! late (real-time analysis cannot anticipate); Inworld's web sample ramps 150 ms linearly before
//! and after each phone at weight 0.5, combining overlaps by their maximum; Inworld's Unreal
//! runtime samples the spans by the audio's playback time each tick, while its old Unity sample
//! advanced by game time and drifted. A user study of TTS-driven visemes counted about 13 changes
//! per second.
//!
//! Settings are in wall time; a [`VisemeTimeline`](super::VisemeTimeline) converts them to frames
//! of its utterance once, so evaluation never divides by the sample rate.

use std::time::Duration;

/// Strength and timing of the mouth curves, shared by every viseme.
///
/// ```
/// use std::time::Duration;
/// use lipsync_core::ArticulationSettings;
///
/// // A more mumbled, slower-moving character.
/// let lazy = ArticulationSettings {
///     intensity: 0.6,
///     release: Duration::from_millis(120),
///     ..Default::default()
/// };
/// assert!(lazy.release > lazy.attack);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct ArticulationSettings {
    /// Weight of a fully formed shape, `0..=1`; the weights of blended shapes sum to at most this.
    pub intensity: f32,
    /// How long before its sound a shape starts to form (anticipation).
    pub lead: Duration,
    /// How long a shape takes to form.
    pub attack: Duration,
    /// How long a shape takes to give way to the next one.
    pub release: Duration,
    /// The least time a shape is held at full strength, even when its sound is shorter.
    pub min_hold: Duration,
    /// Pauses shorter than this hold the previous shape instead of closing the mouth.
    pub hold_gap: Duration,
    /// How long the mouth takes to settle to rest after the last shape before a pause.
    pub rest_return: Duration,
    /// Audio RMS at or below which the fallback jaw is closed.
    pub envelope_floor: f32,
    /// Audio RMS at or above which the fallback jaw is open by `intensity`.
    pub envelope_full: f32,
}

impl Default for ArticulationSettings {
    fn default() -> Self {
        ArticulationSettings {
            intensity: 0.9,
            lead: Duration::from_millis(60),
            attack: Duration::from_millis(50),
            release: Duration::from_millis(80),
            min_hold: Duration::from_millis(100),
            hold_gap: Duration::from_millis(120),
            rest_return: Duration::from_millis(150),
            envelope_floor: 0.01,
            envelope_full: 0.25,
        }
    }
}

/// [`ArticulationSettings`] in frames of one utterance, computed once per timeline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ArticulationFrames {
    pub intensity: f32,
    pub lead: f64,
    pub attack: f64,
    pub release: f64,
    pub min_hold: f64,
    pub hold_gap: f64,
    pub rest_return: f64,
    pub envelope_floor: f32,
    pub envelope_full: f32,
}

impl ArticulationFrames {
    /// `settings` at `sample_rate`; durations of zero become one frame so ramps never divide by
    /// zero, and the intensity is clamped to `0..=1`.
    pub fn new(settings: &ArticulationSettings, sample_rate: u32) -> Self {
        let rate = f64::from(sample_rate.max(1));
        let frames = |d: Duration| d.as_secs_f64() * rate;
        let ramp = |d: Duration| frames(d).max(1.0);
        let intensity = if settings.intensity.is_finite() {
            settings.intensity.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let floor = settings.envelope_floor.max(0.0);
        ArticulationFrames {
            intensity,
            lead: frames(settings.lead),
            attack: ramp(settings.attack),
            release: ramp(settings.release),
            min_hold: frames(settings.min_hold),
            hold_gap: frames(settings.hold_gap),
            rest_return: ramp(settings.rest_return),
            envelope_floor: floor,
            // A full level at or below the floor would divide by zero or invert the mapping.
            envelope_full: settings.envelope_full.max(floor + f32::EPSILON),
        }
    }
}
