//! Feature `kira-audio`: bevy_kira_audio channels duck while a speaker is heard, and come back
//! after the hold once everyone is quiet. The offline voice speaks on the manual output.

use std::time::{Duration, Instant};

use bevy::asset::AssetPlugin;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy_kira_audio::prelude::{AudioChannel, MainTrack};
use bevy_lipsync::plugin::{Ducked, DuckingPlugin, DuckingSettings, SpeechOutput};
use bevy_lipsync::prelude::*;

#[derive(Resource)]
struct Music;

#[test]
fn channels_duck_while_a_speaker_is_heard() {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .add_plugins(LipsyncPlugin::new(LipsyncSettings {
            inworld: InworldSetting::Disabled,
            buffer: Duration::from_secs(20),
            ..LipsyncSettings::manual()
        }))
        .add_plugins(DuckingPlugin {
            settings: DuckingSettings {
                hold: Duration::from_millis(300),
                ..Default::default()
            },
        })
        // Channels as bevy_kira_audio's `add_audio_channel` creates them (no device here).
        .insert_resource(AudioChannel::<MainTrack>::default())
        .insert_resource(AudioChannel::<Music>::default());
    bevy_lipsync::plugin::DuckChannelExt::duck_kira_channel::<Music>(&mut app);
    let speaker = app.world_mut().spawn(Speaker::new("offline:female")).id();
    app.world_mut()
        .commands()
        .entity(speaker)
        .say("Keep the music down, please.");

    let mut now = Instant::now();
    let mut next_block = now;
    let mut history = Vec::new();
    let start = now;
    while now - start < Duration::from_secs(8) {
        now += Duration::from_millis(10);
        while next_block <= now {
            app.world_mut()
                .resource_mut::<SpeechOutput>()
                .step(next_block);
            next_block += Duration::from_millis(10);
        }
        app.insert_resource(TimeUpdateStrategy::ManualInstant(now));
        app.update();
        let heard = app
            .world()
            .get::<SpeechQueue>(speaker)
            .and_then(|q| q.progress())
            .is_some_and(|p| p.first_audio.is_some());
        history.push((heard, *app.world().resource::<Ducked>()));
        // Lines start on the runtime thread: give it a moment while nothing plays.
        if history.len() < 5 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let first_heard = history
        .iter()
        .position(|(h, _)| *h)
        .expect("the line was heard");
    let last_heard = history
        .iter()
        .rposition(|(h, _)| *h)
        .expect("the line was heard");
    assert!(
        !history[..first_heard].iter().any(|(_, d)| d.active),
        "no ducking before speech"
    );
    assert!(
        history[first_heard..=last_heard]
            .iter()
            .all(|(_, d)| d.active),
        "ducked while heard"
    );
    let released = history[last_heard..]
        .iter()
        .position(|(_, d)| !d.active)
        .expect("the channels come back");
    // 10 ms frames: the hold is 300 ms.
    assert!(
        (28..=32).contains(&released),
        "released after the hold: {released} frames"
    );
    // One fade down and one back up, for each of the two channels.
    assert_eq!(history.last().map(|(_, d)| d.fades_sent), Some(4));
}
