//! The plugin in the app: schedule ambiguities, the runtime thread on drop, allocations per frame, reflection.

use super::*;
use bevy::ecs::schedule::{LogLevel, ScheduleBuildSettings, ScheduleLabel};

#[test]
fn the_plugin_systems_have_no_ambiguities() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    for label in [PreUpdate.intern(), PostUpdate.intern()] {
        h.app.edit_schedule(label, |schedule| {
            schedule.set_build_settings(ScheduleBuildSettings {
                ambiguity_detection: LogLevel::Error,
                ..Default::default()
            });
        });
    }
    // With animation in the app: it writes the same morph weights the plugin binds and writes.
    h.app.add_plugins(bevy::animation::AnimationPlugin);
    h.spawn_speaker("Dennis");
    // Building the schedules with ambiguity detection at `Error` panics on any ambiguity.
    h.frame(Duration::from_millis(10));
}

#[test]
fn dropping_the_app_mid_line_ends_the_runtime_thread() {
    let emulator = emulator();
    let base_url = emulator.base_url();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    // The app lives on its own thread so a hang shows as a timeout here, not a stuck test run.
    std::thread::spawn(move || {
        let _keep = emulator;
        // A ring far shorter than the line: the runtime waits for room that never comes.
        let mut h = Harness::with_settings(&_keep, KEY, |s| s.buffer = Duration::from_millis(50));
        let (speaker, _face) = h.spawn_speaker("Dennis");
        h.app.world_mut().commands().entity(speaker).say(LINE);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !h.seen().iter().any(|s| matches!(s, Seen::Started(..))) {
            assert!(
                Instant::now() < deadline,
                "the line never started ({base_url})"
            );
            std::thread::sleep(Duration::from_millis(2));
            h.frame(Duration::from_millis(10));
        }
        // The line still holds a canceller (a sender on the runtime's command channel) when the
        // runtime is dropped: the drop must end the thread anyway, not wait for the channel.
        drop(h);
        let _ = done_tx.send(());
    });
    assert!(
        done_rx.recv_timeout(Duration::from_secs(40)).is_ok(),
        "dropping the app mid-line hung on the runtime thread"
    );
}

thread_local! {
    /// Allocator calls made inside the plugin's system sets this frame: in `PreUpdate` (taking
    /// in what the runtime sent) and in `PostUpdate` (dispatch, evaluation, binding, writing).
    static RECEIVE_ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static FRAME_ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn start_counting() {
    support::start_counting();
}

fn stop_counting_receive() {
    RECEIVE_ALLOCATIONS.with(|calls| calls.set(calls.get() + support::stop_counting()));
}

fn stop_counting_frame() {
    FRAME_ALLOCATIONS.with(|calls| calls.set(calls.get() + support::stop_counting()));
}

#[test]
fn the_plugin_allocates_nothing_per_frame_while_lines_play_and_stream() {
    use bevy::ecs::schedule::SingleThreadedExecutor;
    use bevy_lipsync::emulator::{Emulator, EmulatorConfig, Pacing, ToneVoice};

    // Audio delivered at one and a half times real time, in 100 ms chunks: the last round
    // plays while its lines still stream.
    let emulator = Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        source: Arc::new(ToneVoice),
        pacing: Pacing {
            real_time_factor: 1.5,
            chunk_duration: Duration::from_millis(100),
            ..Pacing::default()
        },
        ..Default::default()
    })
    .expect("emulator starts");
    // With the message bridge on, the heavier case: every event is written as a message too.
    let mut h = Harness::with_app(
        &emulator,
        KEY,
        |_| {},
        |app| {
            app.add_plugins(bevy_lipsync::plugin::EventMessagesPlugin);
        },
    );
    // On one thread, so the counting systems see everything between them.
    for schedule in [PreUpdate.intern(), PostUpdate.intern()] {
        h.app.edit_schedule(schedule, |s| {
            s.set_executor(SingleThreadedExecutor::new());
        });
    }
    h.app.add_systems(
        PreUpdate,
        (
            start_counting.before(LipsyncSystems::Receive),
            stop_counting_receive.after(LipsyncSystems::Receive),
        ),
    );
    h.app.add_systems(
        PostUpdate,
        (
            start_counting.before(LipsyncSystems::Dispatch),
            stop_counting_frame.after(LipsyncSystems::Write),
        ),
    );
    let (first, _) = h.spawn_speaker("Dennis");
    let (second, _) = h.spawn_speaker("Ashley");
    h.heard.reserve(48_000 * 120);
    h.log.0.lock().expect("log").reserve(10_000);
    // Grow both buffers of the per-frame messages past any frame's need, as a game that has run
    // a while has: a buffer growing is an allocation, if a rare one. (Bevy swaps the buffers
    // only in frames that run a fixed step, so a frame may write into either.)
    fn grow<M: Message>(world: &mut World, message: impl Fn() -> M) {
        let mut messages = world.resource_mut::<Messages<M>>();
        for _ in 0..2 {
            messages.write_batch((0..64).map(|_| message()));
            messages.update();
        }
        messages.update();
    }
    let world = h.app.world_mut();
    grow(world, || VisemeChanged {
        entity: first,
        line: None,
        viseme: Viseme::Sil,
        previous: Viseme::Sil,
    });
    grow(world, || WordSpoken {
        entity: first,
        line: LineId(0),
        index: 0,
        word: "".into(),
        start_seconds: 0.0,
        end_seconds: 0.0,
    });
    // A first line each warms up what is kept between lines (message buffers, scratch); the
    // second plays once delivered; the third and fourth play as they stream, the third warming
    // up what streaming grows (the fourth is checked).
    for round in 0..4 {
        let streaming = round >= 2;
        let checked = round == 1 || round == 3;
        for speaker in [first, second] {
            h.app.world_mut().commands().entity(speaker).say(LINE);
        }
        h.frame(Duration::ZERO);
        if !streaming {
            h.wait_delivered(first);
            h.wait_delivered(second);
        }
        let (mut frames, mut words, mut visemes, mut while_streaming) = (0, 0, 0, 0);
        let busy = |h: &Harness, s| h.queue(s).is_speaking() || h.queue(s).waiting() > 0;
        let delivered = |h: &Harness, s| h.queue(s).progress().is_some_and(|p| p.delivered);
        while busy(&h, first) || busy(&h, second) {
            let before = h.log.0.lock().expect("log").len();
            let streamed = !(delivered(&h, first) && delivered(&h, second));
            RECEIVE_ALLOCATIONS.with(|calls| calls.set(0));
            FRAME_ALLOCATIONS.with(|calls| calls.set(0));
            if streaming {
                // Frames at the pace of the delivery, so the audio arrives while it plays.
                std::thread::sleep(Duration::from_millis(16));
            }
            h.frame(Duration::from_millis(16));
            let receive = RECEIVE_ALLOCATIONS.with(std::cell::Cell::get);
            let frame = FRAME_ALLOCATIONS.with(std::cell::Cell::get);
            let log = h.log.0.lock().expect("log");
            let events = &log[before..];
            // A line starting or ending hands its text to the game: not a per-frame cost.
            let line_boundary = events
                .iter()
                .any(|e| matches!(e, Seen::Started(..) | Seen::Finished(..)));
            words += events
                .iter()
                .filter(|e| matches!(e, Seen::Word(..)))
                .count();
            visemes += events
                .iter()
                .filter(|e| matches!(e, Seen::Viseme(..)))
                .count();
            if checked && !line_boundary {
                // Evaluating, announcing and writing never allocate, streaming or not.
                assert_eq!(
                    frame, 0,
                    "round {round} frame {frames} allocated; events {events:?}"
                );
                // Taking in audio and timing as they arrive does; with everything delivered,
                // nothing does.
                if !streamed {
                    assert_eq!(receive, 0, "frame {frames} allocated on receiving");
                }
            }
            if checked && streaming && streamed && !line_boundary {
                while_streaming += 1;
            }
            frames += 1;
            assert!(frames < 1_000, "the lines never ended");
        }
        assert!(
            words >= 20 && visemes >= 20,
            "{words} words, {visemes} shapes"
        );
        if checked && streaming {
            assert!(
                while_streaming >= 10,
                "{while_streaming} frames checked while streaming"
            );
        }
    }
}

#[test]
fn speakers_mouths_and_settings_are_reflected_for_inspectors() {
    use bevy::reflect::GetPath;
    use std::any::TypeId;

    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, |s| s.articulation.intensity = 0.7);
    let (speaker, _) = h.spawn_speaker("Dennis");
    let registry = h.app.world().resource::<AppTypeRegistry>().clone();
    let registry = registry.read();
    let component = |id: TypeId| {
        registry
            .get_type_data::<ReflectComponent>(id)
            .expect("registered as a reflected component")
    };

    // An inspector turns the speaker down and gives it another rig, by field path.
    {
        let world = h.app.world_mut();
        let mut entity = world.entity_mut(speaker);
        let mut reflected = component(TypeId::of::<Speaker>())
            .reflect_mut(&mut entity)
            .expect("the entity has a Speaker");
        *reflected
            .reflect_path_mut("gain")
            .expect("a gain field")
            .try_downcast_mut::<f32>()
            .expect("an f32") = 0.5;
        reflected
            .reflect_path_mut("rig")
            .expect("a rig field")
            .apply(&RigPreset::Arkit52);
    }
    let edited = h.app.world().get::<Speaker>(speaker).expect("a speaker");
    assert_eq!((edited.gain, &edited.rig), (0.5, &RigPreset::Arkit52));

    // The mouth's weights read by path; the settings as the game set them.
    let entity = h.app.world().entity(speaker);
    let mouth = component(TypeId::of::<Mouth>())
        .reflect(entity)
        .expect("the speaker has a Mouth");
    let jaw = mouth
        .reflect_path("weights.jaw_open")
        .expect("a jaw")
        .try_downcast_ref::<f32>();
    assert_eq!(jaw, Some(&0.0));
    assert!(
        registry
            .get_type_data::<ReflectResource>(TypeId::of::<LipsyncSettings>())
            .is_some(),
        "the settings are registered as a reflected resource"
    );
    let settings: &dyn Reflect = h.app.world().resource::<LipsyncSettings>();
    let intensity = settings
        .reflect_path("articulation.intensity")
        .expect("the articulation")
        .try_downcast_ref::<f32>();
    assert_eq!(intensity, Some(&0.7));
    for registered in [
        TypeId::of::<MouthRig>(),
        TypeId::of::<bevy_lipsync::plugin::RigReport>(),
    ] {
        component(registered);
    }
}
