//! Lifecycle checks on the plugin's private state.

use std::any::TypeId;
use std::time::Duration;

use bevy::app::PluginGroupBuilder;
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
    app.world().resource::<state::SpeechLines>().in_flight()
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

/// An app with the group, less what `parts` leaves out.
fn app_with(parts: impl FnOnce(PluginGroupBuilder) -> PluginGroupBuilder) -> App {
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .add_plugins(parts(
            LipsyncPlugins::new(LipsyncSettings {
                inworld: InworldSetting::Disabled,
                ..LipsyncSettings::manual()
            })
            .build(),
        ));
    app
}

/// The types of the systems in `PostUpdate` (their names need Bevy's `debug` feature).
fn post_update_systems(app: &mut App) -> Vec<TypeId> {
    app.update();
    let schedule = app.get_schedule(PostUpdate).expect("PostUpdate");
    schedule
        .systems()
        .expect("initialised by the update")
        .map(|(_, system)| system.system_type())
        .collect()
}

/// The type a function system has in a schedule.
fn system_type<M>(system: impl IntoSystem<(), (), M>) -> TypeId {
    IntoSystem::into_system(system).system_type()
}

#[test]
fn a_speaker_without_the_3d_parts_carries_none_of_their_components() {
    let mut full = app_with(|group| group);
    let mut flat = app_with(|group| {
        group
            .disable::<MorphRigPlugin>()
            .disable::<ExpressionPlugin>()
            .disable::<HeadMotionPlugin>()
            .disable::<VrmPlugin>()
    });
    for (app, parts) in [(&mut full, true), (&mut flat, false)] {
        let npc = app.world_mut().spawn(Speaker::new("offline:male")).id();
        app.update();
        let npc = app.world().entity(npc);
        assert!(npc.contains::<Mouth>() && npc.contains::<SpeechQueue>());
        assert_eq!(npc.contains::<HeadMotion>(), parts);
        assert_eq!(npc.contains::<Expression>(), parts);
        assert_eq!(npc.contains::<RigReport>(), parts);
        assert_eq!(npc.contains::<motion::HeadRig>(), parts);
    }
    // The speech core still speaks: the line is sent and in flight.
    let npc = flat.world_mut().spawn(Speaker::new("offline:male")).id();
    flat.world_mut()
        .commands()
        .entity(npc)
        .say("Flat, and still talking.");
    flat.update();
    assert_eq!(lines_in_flight(&flat), 1);
}

#[test]
fn disabling_a_part_removes_its_systems() {
    let all = post_update_systems(&mut app_with(|group| group));
    let without_heads = post_update_systems(&mut app_with(|g| g.disable::<HeadMotionPlugin>()));
    let heads = [
        system_type(motion::sway_heads),
        system_type(motion::seed_heads),
        system_type(motion::find_bones),
        system_type(motion::attach_bones),
        system_type(motion::write_bones),
        system_type(motion::face_vrm_heads),
    ];
    for system in heads {
        assert!(all.contains(&system), "head motion runs with every part");
        assert!(
            !without_heads.contains(&system),
            "and is gone without HeadMotionPlugin"
        );
    }
    // The other parts keep theirs.
    for system in [
        system_type(evaluate::evaluate_mouths),
        system_type(expression::update_expressions),
        system_type(rig::write_morphs),
    ] {
        assert!(without_heads.contains(&system));
    }
}

#[test]
fn events_are_messages_too_only_when_the_bridge_is_enabled() {
    for bridge in [false, true] {
        let mut app = app_with(|group| {
            if bridge {
                group.enable::<EventMessagesPlugin>()
            } else {
                group
            }
        });
        let observed: std::sync::Arc<std::sync::Mutex<usize>> = Default::default();
        let sink = observed.clone();
        app.add_observer(move |_: On<SpeechFailed>| *sink.lock().expect("count") += 1);
        // A voice that does not parse fails its line at once.
        let npc = app.world_mut().spawn(Speaker::new("inwrld:Dennis")).id();
        app.world_mut().commands().entity(npc).say("Who am I?");
        app.update();
        assert_eq!(
            *observed.lock().expect("count"),
            1,
            "observers always hear it"
        );
        let messages = app
            .world()
            .get_resource::<Messages<SpeechFailed>>()
            .map(|m| m.len());
        assert_eq!(
            messages,
            bridge.then_some(1),
            "a message only with the bridge"
        );
    }
}

#[test]
fn a_voice_that_does_not_parse_is_reported_when_the_speaker_is_inserted() {
    let mut app = app();
    let rejected: std::sync::Arc<std::sync::Mutex<Vec<(Entity, String)>>> = Default::default();
    let sink = rejected.clone();
    app.add_observer(move |e: On<VoiceRejected>| {
        let entry = (e.entity, e.error.to_string());
        sink.lock().expect("rejected").push(entry);
    });
    let typo = app.world_mut().spawn(Speaker::new("inwrld:Dennis")).id();
    let fine = app.world_mut().spawn(Speaker::new("offline:female")).id();
    app.update();
    {
        let rejected = rejected.lock().expect("rejected");
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        assert_eq!(rejected[0].0, typo);
        assert!(
            rejected[0].1.contains("inwrld"),
            "names what was written: {}",
            rejected[0].1
        );
    }
    // Nothing more while nothing changes; a voice changed to a bad one is reported too.
    app.update();
    assert_eq!(rejected.lock().expect("rejected").len(), 1);
    app.world_mut()
        .get_mut::<Speaker>(fine)
        .expect("speaker")
        .voice = Some("offline:".into());
    app.update();
    let rejected = rejected.lock().expect("rejected");
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert_eq!(rejected[1].0, fine);
}
