//! Lifecycle checks on the plugin's private state.

use std::time::Duration;

use bevy::asset::AssetPlugin;
use bevy::mesh::Mesh;

use super::*;

fn app() -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .add_plugins(LipsyncPlugin::new(LipsyncSettings {
            inworld: InworldSetting::Disabled,
            ..LipsyncSettings::manual()
        }));
    app
}

fn lines_in_flight(app: &App) -> usize {
    app.world().resource::<playback::Runtime>().lines.len()
}

#[test]
fn speakers_despawned_mid_line_leave_nothing_behind() {
    let mut app = app();
    for _ in 0..1_000 {
        let npc = app.world_mut().spawn(Speaker::new("offline:male")).id();
        app.world_mut()
            .commands()
            .entity(npc)
            .say("Gone before the end of this line.");
        app.update();
        assert_eq!(lines_in_flight(&app), 1, "the line is in flight");
        app.world_mut().entity_mut(npc).despawn();
        app.update();
    }
    // Whatever the runtime still sends for those lines arrives, and is dropped.
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(2));
        app.update();
    }
    assert_eq!(lines_in_flight(&app), 0);
}
