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

use bevy::prelude::*;

use super::settings::LipsyncSettings;
use super::spatial_voice::SpatialVoice;
use super::speaker::{Speaker, SpeechQueue};

/// Voices in the world: a [`SpatialVoice`] speaker heard by a [`VoiceListener`] is panned and
/// attenuated each frame, before its mouth is evaluated.
pub struct SpatialVoicePlugin;

impl Plugin for SpatialVoicePlugin {
    fn build(&self, app: &mut App) {
        app.register_type::<SpatialVoice>()
            .register_type::<VoiceListener>()
            .add_systems(
                PostUpdate,
                place_voices
                    .after(super::Step::Display)
                    .in_set(super::Step::Place),
            );
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
