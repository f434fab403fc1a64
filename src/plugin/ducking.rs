//! Ducking: the game's bevy_kira_audio channels (music, ambience) get quieter while anyone is
//! heard speaking, and come back once everyone is quiet (feature `kira-audio`).
//!
//! ```no_run
//! use bevy::prelude::*;
//! use bevy_kira_audio::prelude::*;
//! use bevy_lipsync::plugin::{DuckingPlugin, DuckChannelExt};
//! use bevy_lipsync::prelude::*;
//!
//! #[derive(Resource)]
//! struct Music;
//!
//! App::new()
//!     .add_plugins((DefaultPlugins, AudioPlugin, LipsyncPlugin::default()))
//!     .add_audio_channel::<Music>()
//!     // The main `Audio` channel is ducked by the plugin; other channels are named here.
//!     .add_plugins(DuckingPlugin::default())
//!     .duck_kira_channel::<Music>()
//!     .run();
//! ```

use std::time::Duration;

use bevy::prelude::*;
use bevy_kira_audio::prelude::{AudioChannel, AudioControl, AudioTween, Decibels, MainTrack};

use super::LipsyncSystems;
use super::speaker::SpeechQueue;

/// How deep and how fast channels duck.
#[derive(Resource, Clone, Copy, Debug, PartialEq, Reflect)]
#[reflect(Resource, Default, Debug, PartialEq)]
pub struct DuckingSettings {
    /// The volume of ducked channels, in dB (negative: quieter).
    pub depth: f32,
    /// How fast a channel goes down when speech starts.
    pub attack: Duration,
    /// How fast it comes back once everyone is quiet.
    pub release: Duration,
    /// How long everyone must be quiet before channels come back (no pumping between the
    /// lines of a conversation).
    pub hold: Duration,
}

impl Default for DuckingSettings {
    fn default() -> Self {
        DuckingSettings {
            depth: -12.0,
            attack: Duration::from_millis(150),
            release: Duration::from_millis(600),
            hold: Duration::from_millis(400),
        }
    }
}

/// Whether channels are ducked now; changes when speech starts and once the hold has passed
/// after it stopped.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Reflect)]
#[reflect(Resource, Default, Debug, PartialEq)]
pub struct Ducked {
    /// Someone is heard, or was within the hold time.
    pub active: bool,
    /// Seconds of quiet so far (0 while anyone is heard).
    pub quiet: f32,
    /// Volume changes sent to channels so far (one per channel per change of `active`).
    pub fades_sent: u32,
}

/// Ducks bevy_kira_audio's main `Audio` channel while anyone speaks; add other channels with
/// [`DuckChannelExt::duck_kira_channel`]. Needs [`LipsyncPlugin`](super::LipsyncPlugin).
#[derive(Default)]
pub struct DuckingPlugin {
    /// Depth and timing.
    pub settings: DuckingSettings,
}

impl Plugin for DuckingPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.settings)
            .init_resource::<Ducked>()
            .register_type::<DuckingSettings>()
            .register_type::<Ducked>()
            .add_systems(
                PostUpdate,
                track_speech
                    .after(LipsyncSystems::Evaluate)
                    .before(LipsyncSystems::Write),
            )
            .duck_kira_channel::<MainTrack>();
    }
}

/// Adds ducking for a bevy_kira_audio channel.
///
/// Channel volumes in bevy_kira_audio are absolute, so a ducked channel goes to its normal
/// volume plus [`DuckingSettings::depth`] and comes back to its normal volume: 0 dB unless
/// given with [`DuckChannelExt::duck_kira_channel_from`].
pub trait DuckChannelExt {
    /// Ducks `AudioChannel<T>` (added with `add_audio_channel::<T>()`) while anyone speaks; its
    /// normal volume is 0 dB.
    fn duck_kira_channel<T: Send + Sync + 'static>(&mut self) -> &mut Self {
        self.duck_kira_channel_from::<T>(0.0)
    }

    /// Ducks `AudioChannel<T>` while anyone speaks, around a normal volume of `normal_db`.
    fn duck_kira_channel_from<T: Send + Sync + 'static>(&mut self, normal_db: f32) -> &mut Self;
}

impl DuckChannelExt for App {
    fn duck_kira_channel_from<T: Send + Sync + 'static>(&mut self, normal_db: f32) -> &mut Self {
        let mut last = false;
        self.add_systems(
            PostUpdate,
            (move |ducked: ResMut<Ducked>,
                   settings: Res<DuckingSettings>,
                   channel: Res<AudioChannel<T>>| {
                // Only transitions fade: the channel keeps the game's volume until speech.
                if std::mem::replace(&mut last, ducked.active) != ducked.active {
                    duck_channel(ducked, &settings, &*channel, normal_db);
                }
            })
            .after(track_speech)
            .run_if(resource_exists::<AudioChannel<T>>.and_then(resource_changed::<Ducked>)),
        )
    }
}

/// Follows whether anyone is heard.
fn track_speech(
    time: Res<Time<Real>>,
    settings: Res<DuckingSettings>,
    mut ducked: ResMut<Ducked>,
    queues: Query<&SpeechQueue>,
) {
    let heard = queues
        .iter()
        .any(|q| q.progress().is_some_and(|p| p.first_audio.is_some()));
    let quiet = if heard {
        0.0
    } else {
        ducked.quiet + time.delta_secs()
    };
    let active = heard || (ducked.active && quiet < settings.hold.as_secs_f32());
    // Only a change of `active` is a change others react to.
    if active != ducked.active {
        ducked.active = active;
        ducked.quiet = quiet;
    } else {
        ducked.bypass_change_detection().quiet = quiet;
    }
}

fn duck_channel(
    mut ducked: ResMut<Ducked>,
    settings: &DuckingSettings,
    channel: &impl AudioControl,
    normal_db: f32,
) {
    ducked.bypass_change_detection().fades_sent += 1;
    let (volume, fade) = if ducked.active {
        (normal_db + settings.depth, settings.attack)
    } else {
        (normal_db, settings.release)
    };
    channel
        .set_volume(Decibels(volume))
        .fade_in(AudioTween::linear(fade));
}
