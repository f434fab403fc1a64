//! Voices in the game's world: panned and attenuated by where each speaker is from the listener.
//!
//! Put a [`VoiceListener`] on the camera or the player, and a [`SpatialVoice`] on a speaker (or
//! set [`LipsyncSettings::spatial`] for every speaker). Each frame, after transforms propagate,
//! every spatial voice gets a left and a right gain from its speaker's offset in the listener's
//! frame (right is +X, forward is -Z, as Bevy's cameras look): equal-power panning by the sine of
//! the angle off straight ahead, times the distance attenuation. The audio ramps to the new gains
//! over [`GAIN_RAMP`](crate::audio::GAIN_RAMP), so voices glide as things move; timing is not
//! touched, so the mouth stays exactly on the sound. Without a listener, or for speakers that are
//! not spatial (the default: 2D games, narrators), voices play mono on both channels.

use std::f32::consts::FRAC_PI_4;

use bevy::prelude::*;

use super::settings::LipsyncSettings;
use super::speaker::{Speaker, SpeechQueue};

/// How a speaker's voice carries: present on a speaker (or as [`LipsyncSettings::spatial`]),
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

/// The ears spatial voices are heard with: put it on one entity, the camera or the player.
#[derive(Component, Clone, Copy, Debug, Default, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct VoiceListener;

/// A speaker as placing its voice sees it: where it is, how its voice carries, its line.
type PlacedSpeaker<'a> = (
    Option<&'a GlobalTransform>,
    Option<&'a SpatialVoice>,
    &'a SpeechQueue,
);

/// Gives every speaking voice its channel gains for this frame.
pub(crate) fn place_voices(
    settings: Res<LipsyncSettings>,
    listeners: Query<&GlobalTransform, With<VoiceListener>>,
    speakers: Query<PlacedSpeaker, With<Speaker>>,
) {
    let ears = listeners.iter().next().map(|at| at.affine().inverse());
    for (at, spatial, queue) in &speakers {
        let Some(control) = queue.current.as_ref().and_then(|line| line.control()) else {
            continue;
        };
        let gains = match (spatial.or(settings.spatial.as_ref()), ears, at) {
            (Some(spatial), Some(ears), Some(at)) => {
                spatial.channel_gains(ears.transform_point3(at.translation()))
            }
            _ => [1.0, 1.0],
        };
        if control.channel_gains() != gains {
            control.set_channel_gains(gains[0], gains[1]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_follow_the_side_and_fall_with_distance() {
        let voice = SpatialVoice::default();
        let ahead = voice.channel_gains(Vec3::new(0.0, 0.0, -1.0));
        assert!((ahead[0] - ahead[1]).abs() < 1e-6);
        assert!(
            (ahead[0] * ahead[0] + ahead[1] * ahead[1] - 1.0).abs() < 1e-5,
            "equal power"
        );
        let [left, right] = voice.channel_gains(Vec3::new(-3.0, 0.0, -3.0));
        assert!(left > right);
        let mut last = f32::INFINITY;
        for d in [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 49.0] {
            let g = voice.attenuation(d);
            assert!(g <= last && g > 0.0, "{d}: {g}");
            last = g;
        }
        assert_eq!(voice.attenuation(0.5), 1.0);
        assert_eq!(voice.attenuation(2.0), 0.5);
        assert_eq!(voice.attenuation(100.0), voice.attenuation(50.0));
        assert_eq!(
            voice.channel_gains(Vec3::ZERO),
            ahead.map(|g| g / voice.attenuation(1.0))
        );
    }
}
