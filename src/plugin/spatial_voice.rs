//! How a voice carries in the world: distance attenuation and equal-power panning, as a value
//! a speaker or the settings hold ([`spatial`](super::spatial) places the voices with it).

use std::f32::consts::FRAC_PI_4;

use bevy::prelude::*;

/// How a speaker's voice carries: present on a speaker (or as [`LipsyncSettings::spatial`](super::LipsyncSettings::spatial)),
/// its voice is placed in the world.
///
/// Distance attenuation is inverse distance, clamped (OpenAL's default model): at distance `d`,
/// clamped to `reference_distance..=max_distance`, the gain is
/// `reference_distance / (reference_distance + rolloff * (d - reference_distance))`. So a voice
/// is at full strength within the reference distance, half as loud (-6 dB) at twice it with the
/// default rolloff of 1, and no quieter beyond `max_distance`.
///
/// ```
/// use bevy::math::Vec3;
/// use bevy_lipsync::plugin::SpatialVoice;
///
/// let voice = SpatialVoice::default();
/// let [left, right] = voice.channel_gains(Vec3::new(2.0, 0.0, 0.0)); // 2 m to the right
/// assert!(right > 0.49 && left < 1e-6);
/// assert_eq!(voice.attenuation(4.0), 0.25);
/// ```
#[derive(Component, Clone, Copy, Debug, PartialEq, Reflect)]
#[reflect(Component, Default, Debug, PartialEq)]
pub struct SpatialVoice {
    /// Within this distance (world units, metres say) the voice is at full strength.
    pub reference_distance: f32,
    /// How fast the voice fades beyond the reference distance (1: inverse distance; 0: never).
    pub rolloff: f32,
    /// Beyond this distance the voice fades no further.
    pub max_distance: f32,
}

impl Default for SpatialVoice {
    fn default() -> Self {
        SpatialVoice {
            reference_distance: 1.0,
            rolloff: 1.0,
            max_distance: 50.0,
        }
    }
}

impl SpatialVoice {
    /// The gain at `distance` from the listener (see the type's docs).
    pub fn attenuation(&self, distance: f32) -> f32 {
        let reference = self.reference_distance.max(f32::EPSILON);
        let clamped = distance.clamp(reference, self.max_distance.max(reference));
        reference / (reference + self.rolloff.max(0.0) * (clamped - reference))
    }

    /// `[left, right]` gains of a voice at `offset` in the listener's frame (+X right, -Z
    /// forward): equal power across the channels (-3 dB each straight ahead), times
    /// [`attenuation`](Self::attenuation).
    pub fn channel_gains(&self, offset: Vec3) -> [f32; 2] {
        let distance = offset.length();
        let pan = if distance > f32::EPSILON {
            (offset.x / distance).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        let angle = (pan + 1.0) * FRAC_PI_4;
        let gain = self.attenuation(distance);
        [angle.cos() * gain, angle.sin() * gain]
    }
}
