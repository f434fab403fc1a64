//! `LipsyncPlugin` in a `MinimalPlugins` app: manual time, the manual audio output stepped by
//! hand, and the loopback emulator as Inworld. The emulator's tone voice says exactly which phone
//! sounds when (`render_tones`), so the mouth is checked against that truth.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::app::AnimationSystems;
use bevy::asset::RenderAssetUsages;
use bevy::ecs::schedule::ScheduleLabel;
use bevy::ecs::schedule::{LogLevel, ScheduleBuildSettings};
use bevy::mesh::morph::MorphWeights;
use bevy::mesh::{Mesh, Mesh3d, PrimitiveTopology};
use bevy::prelude::*;
use bevy_lipsync::emulator::render_tones;
use bevy_lipsync::inworld::InworldError;
use bevy_lipsync::lipsync::{PhoneVisemes, phone_visemes};
use bevy_lipsync::plugin::{FramePacing, LineTiming};
use bevy_lipsync::prelude::*;
use bevy_lipsync::speech::SpeechError;

mod plugin_support;
use plugin_support::*;
#[allow(dead_code)] // the signal helpers are for the audio tests
#[path = "../crates/lipsync_audio/tests/support/mod.rs"]
mod support;

#[test]
fn the_mouth_follows_the_heard_phones_and_events_arrive_in_order() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face) = h.spawn_speaker("Dennis");
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);

    let truth = render_tones(LINE, RATE, 1.0);
    // Phones held on one shape long enough to be read mid-way.
    let held: Vec<_> = truth
        .words
        .iter()
        .flat_map(|w| &w.phones)
        .filter_map(|p| match phone_visemes(&p.symbol) {
            Some(PhoneVisemes::Single(v)) if p.end_frame - p.start_frame >= RATE as usize / 12 => {
                Some((
                    p.start_frame as f64,
                    p.end_frame as f64,
                    v,
                    p.symbol.clone(),
                ))
            }
            _ => None,
        })
        .collect();
    assert!(held.len() >= 6, "the line has held vowels to check");

    let mut checked = 0;
    let mut wrong = Vec::new();
    let mut opened = 0.0f32;
    let start = h.now;
    while h.queue(speaker).is_speaking() {
        assert!(
            h.now - start < Duration::from_secs(10),
            "the line did not finish"
        );
        h.frame(Duration::from_millis(10));
        let Some(progress) = h.queue(speaker).progress() else {
            break;
        };
        let lookahead = h
            .app
            .world()
            .resource::<FramePacing>()
            .period()
            .as_secs_f64()
            / 2.0;
        let shown = (progress.heard_seconds + lookahead) * f64::from(RATE);
        let morphs = h.morphs(face);
        opened = opened.max(morphs.iter().copied().fold(0.0, f32::max));
        for (a, b, viseme, symbol) in &held {
            let margin = (b - a) * 0.3;
            if shown >= a + margin && shown <= b - margin {
                checked += 1;
                if argmax(&morphs) != viseme.index() {
                    wrong.push((symbol.clone(), *viseme, shown, morphs.clone()));
                }
            }
        }
    }
    assert!(checked >= 6, "frames landed mid-phone: {checked}");
    assert!(
        wrong.is_empty(),
        "mouth showed another shape mid-phone: {wrong:?}"
    );
    assert!(opened > 0.5, "the mouth opened visibly");
    for _ in 0..60 {
        h.frame(Duration::from_millis(10));
    }
    assert!(
        h.mouth(speaker).weights.is_rest(),
        "silence returns to rest"
    );
    assert!(h.morphs(face).iter().all(|w| *w == 0.0));

    let seen = h.seen();
    let expected_words: Vec<_> = truth.words.iter().map(|w| w.text.clone()).collect();
    let words: Vec<_> = seen
        .iter()
        .filter_map(|s| match s {
            Seen::Word(_, w) => Some(w.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(words, expected_words);
    assert_eq!(seen.first(), Some(&Seen::Started(speaker, LINE.into())));
    let finished = seen
        .iter()
        .position(|s| matches!(s, Seen::Finished(..)))
        .expect("a finish");
    assert_eq!(seen[finished], Seen::Finished(speaker, LINE.into(), false));
    assert!(
        seen[..finished]
            .iter()
            .filter(|s| matches!(s, Seen::Viseme(_)))
            .count()
            >= 6,
        "viseme changes come while the line plays"
    );
    assert!(
        !seen[finished..].iter().any(|s| matches!(s, Seen::Word(..))),
        "no word after the finish"
    );
}

#[test]
fn an_interrupting_line_stops_the_voice_relaxes_the_mouth_and_plays() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    for line in [LINE, "Never heard."] {
        h.app.world_mut().commands().entity(speaker).say(line);
    }
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    // Play into the line until the mouth is open wide while the voice sounds (the mouth opens
    // ahead of the sound, so the first open frames can still be silent).
    let start = h.now;
    while h
        .mouth(speaker)
        .weights
        .weights
        .iter()
        .copied()
        .fold(0.0, f32::max)
        < 0.5
        || !h.last_block.iter().any(|s| s.abs() > 0.01)
    {
        assert!(
            h.now - start < Duration::from_secs(3),
            "the mouth never opened mid-voice"
        );
        h.frame(Duration::from_millis(10));
    }

    h.app
        .world_mut()
        .commands()
        .entity(speaker)
        .say_now("Stop.");
    let mut before = h
        .mouth(speaker)
        .weights
        .weights
        .iter()
        .copied()
        .fold(0.0, f32::max);
    for _ in 0..4 {
        h.frame(Duration::from_millis(10));
        if h.seen()
            .iter()
            .any(|s| matches!(s, Seen::Started(_, t) if t == "Stop."))
        {
            break;
        }
        let now = h
            .mouth(speaker)
            .weights
            .weights
            .iter()
            .copied()
            .fold(0.0, f32::max);
        assert!(
            now < before,
            "the mouth relaxes after the interrupt ({now} >= {before})"
        );
        before = now;
    }
    // The fade lasts at most 10 ms, one block: the next block is silent until the new voice plays.
    let seen = h.seen();
    assert!(seen.contains(&Seen::Finished(speaker, LINE.into(), true)));

    h.wait_delivered(speaker);
    h.play_out(speaker, Duration::from_secs(5));
    let finishes: Vec<_> = h
        .seen()
        .into_iter()
        .filter(|s| matches!(s, Seen::Finished(..) | Seen::Started(..)))
        .collect();
    assert_eq!(
        finishes,
        [
            Seen::Started(speaker, LINE.into()),
            Seen::Finished(speaker, LINE.into(), true),
            Seen::Started(speaker, "Stop.".into()),
            Seen::Finished(speaker, "Stop.".into(), false),
        ]
    );
}

#[test]
fn queued_lines_play_one_after_the_other() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    for line in ["First line.", "Second line."] {
        h.app.world_mut().commands().entity(speaker).say(line);
    }
    h.frame(Duration::ZERO);
    for _ in 0..2 {
        h.wait_delivered(speaker);
        while h.queue(speaker).progress().is_some_and(|p| p.delivered) {
            h.frame(Duration::from_millis(10));
        }
    }
    h.play_out(speaker, Duration::from_secs(5));
    let lifecycle: Vec<_> = h
        .seen()
        .into_iter()
        .filter(|s| matches!(s, Seen::Finished(..) | Seen::Started(..)))
        .collect();
    assert_eq!(
        lifecycle,
        [
            Seen::Started(speaker, "First line.".into()),
            Seen::Finished(speaker, "First line.".into(), false),
            Seen::Started(speaker, "Second line.".into()),
            Seen::Finished(speaker, "Second line.".into(), false),
        ]
    );
}

#[test]
fn two_speakers_talk_at_once_each_with_its_own_voice() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (a, face_a) = h.spawn_speaker("Dennis");
    let (b, face_b) = h.spawn_speaker("Ashley");
    h.app.world_mut().commands().entity(a).say(LINE);
    h.app
        .world_mut()
        .commands()
        .entity(b)
        .say("Mama made a maze of mango jam.");
    h.frame(Duration::ZERO);
    h.wait_delivered(a);
    h.wait_delivered(b);
    let mut both_open = 0;
    let start = h.now;
    while h.queue(a).is_speaking() || h.queue(b).is_speaking() {
        assert!(h.now - start < Duration::from_secs(10));
        h.frame(Duration::from_millis(10));
        let open = |face| h.morphs(face).iter().copied().fold(0.0, f32::max) > 0.3;
        if open(face_a) && open(face_b) {
            both_open += 1;
        }
    }
    assert!(
        both_open > 10,
        "both mouths moved together for {both_open} frames"
    );
    let seen = h.seen();
    for (speaker, text) in [(a, LINE), (b, "Mama made a maze of mango jam.")] {
        assert!(seen.contains(&Seen::Started(speaker, text.into())));
        assert!(seen.contains(&Seen::Finished(speaker, text.into(), false)));
    }
    let requests = emulator.requests();
    let voices: Vec<_> = requests
        .iter()
        .filter_map(|r| {
            r.body
                .as_ref()
                .and_then(|j| j["voiceId"].as_str().map(str::to_owned))
        })
        .collect();
    assert!(voices.contains(&"Dennis".to_owned()) && voices.contains(&"Ashley".to_owned()));
}

#[test]
fn despawning_a_speaker_mid_line_silences_its_voice() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let speaker = h.mid_line("Dennis", 40);
    assert!(
        h.last_block.iter().any(|s| s.abs() > 0.01),
        "the voice is heard"
    );
    let before = h.seen().len();
    h.app.world_mut().despawn(speaker);
    // One block fades out (10 ms), the next is silence.
    h.frame(Duration::from_millis(10));
    h.frame(Duration::from_millis(10));
    assert!(h.last_block.iter().all(|s| *s == 0.0), "the voice stopped");
    for _ in 0..50 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        h.seen().len(),
        before,
        "nothing is reported for a despawned speaker"
    );

    // The plugin goes on: another speaker talks.
    let (other, _) = h.spawn_speaker("Dennis");
    h.app
        .world_mut()
        .commands()
        .entity(other)
        .say("Still here.");
    h.frame(Duration::ZERO);
    h.wait_delivered(other);
    h.play_out(other, Duration::from_secs(5));
    assert!(
        h.seen()
            .contains(&Seen::Finished(other, "Still here.".into(), false))
    );
}

#[test]
fn a_rejected_key_fails_each_line_with_the_mouth_at_rest() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, "d3Jvbmc6a2V5");
    let (speaker, face) = h.spawn_speaker("Dennis");
    for line in ["Hello there.", "Anyone?"] {
        h.app.world_mut().commands().entity(speaker).say(line);
    }
    h.frame(Duration::ZERO);
    h.wait_for("both lines to fail", |h| {
        h.seen()
            .iter()
            .filter(|s| matches!(s, Seen::Failed(..)))
            .count()
            == 2
    });
    let seen = h.seen();
    let Seen::Failed(who, text, error) = &seen[0] else {
        panic!("a failure first: {seen:?}");
    };
    assert_eq!((*who, text.as_str()), (speaker, "Hello there."));
    assert!(
        error.contains("401"),
        "the error names the rejection: {error}"
    );
    assert!(!seen.iter().any(|s| matches!(s, Seen::Started(..))));
    assert!(h.mouth(speaker).weights.is_rest());
    assert!(h.morphs(face).iter().all(|w| *w == 0.0));
    assert!(!h.queue(speaker).is_speaking());
}

#[test]
fn the_error_of_a_failed_line_is_the_inworld_error() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, "d3Jvbmc6a2V5");
    let (speaker, _) = h.spawn_speaker("Dennis");
    let caught: Arc<Mutex<Option<Arc<SpeechError>>>> = Arc::default();
    let sink = caught.clone();
    h.app.add_observer(move |e: On<SpeechFailed>| {
        *sink.lock().expect("sink") = Some(e.error.clone());
    });
    h.app.world_mut().commands().entity(speaker).say("Hello.");
    h.frame(Duration::ZERO);
    h.wait_for("the failure", |_| caught.lock().expect("sink").is_some());
    let error = caught.lock().expect("sink").clone().expect("an error");
    assert!(
        matches!(
            &*error,
            SpeechError::Inworld(InworldError::Unauthenticated(_))
        ),
        "{error:?}"
    );
}

#[test]
fn the_mouth_adds_to_animation_without_accumulating() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face) = h.spawn_speaker("Dennis");
    let aa = Viseme::Aa.index();
    // An "animation" that sets the AA target to 0.25 every frame before the plugin writes.
    h.app.add_systems(
        PostUpdate,
        (move |mut q: Query<&mut MorphWeights>| {
            if let Ok(mut w) = q.get_mut(face) {
                w.weights_mut()[aa] = 0.25;
            }
        })
        .before(AnimationSystems),
    );
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        h.morphs(face)[aa],
        0.25,
        "at rest the animation shows as it is"
    );
    // The mouth opens on AA: the target shows the animation plus the mouth, capped at 1.
    h.app
        .world_mut()
        .get_mut::<Mouth>(speaker)
        .expect("mouth")
        .weights
        .weights[aa] = 0.5;
    h.frame(Duration::from_millis(10));
    let shown = h.morphs(face)[aa];
    assert!(
        shown > 0.25 && shown < 0.75,
        "animation plus a relaxing mouth: {shown}"
    );
    for _ in 0..100 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        h.morphs(face)[aa],
        0.25,
        "back to the animation alone, nothing accumulated"
    );

    // Without animation the target returns to exactly zero.
    let (other, other_face) = h.spawn_speaker("Dennis");
    h.frame(Duration::from_millis(10));
    h.app
        .world_mut()
        .get_mut::<Mouth>(other)
        .expect("mouth")
        .weights
        .weights[aa] = 1.0;
    for _ in 0..100 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(h.morphs(other_face)[aa], 0.0);
}

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

#[test]
fn a_scene_spawned_later_binds_and_a_rig_without_targets_is_reported() {
    use bevy::mesh::morph::MeshMorphWeights;
    use bevy_lipsync::plugin::RigReport;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    // A rig whose names the default (OpenXR / Ready Player Me) preset does not drive.
    let odd = {
        let world = h.app.world_mut();
        let mut mesh = Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        );
        mesh.set_morph_target_names(vec!["eyeBlinkLeft".into(), "browInnerUp".into()]);
        let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
        let weights = MorphWeights::new(vec![0.0; 2], Some(handle.clone())).expect("2 targets");
        let speaker = world.spawn(Speaker::new("Dennis")).id();
        world.spawn((Mesh3d(handle), weights, ChildOf(speaker)));
        speaker
    };
    // A speaker whose face arrives later, glTF style: `MorphWeights` on a node, the mesh on a
    // child primitive that references it.
    let late = h.app.world_mut().spawn(Speaker::new("Ashley")).id();
    h.app
        .world_mut()
        .commands()
        .entity(odd)
        .say("Can you see my lips?");
    h.app.world_mut().commands().entity(late).say(LINE);
    h.frame(Duration::ZERO);
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    let (node, primitive) = {
        let world = h.app.world_mut();
        let handle = face::viseme_mesh(world);
        let scene = world.spawn(ChildOf(late)).id();
        let node = world
            .spawn((
                MorphWeights::new(vec![0.0; Viseme::COUNT], None).expect("15"),
                ChildOf(scene),
            ))
            .id();
        let primitive = world
            .spawn((
                Mesh3d(handle),
                MeshMorphWeights::Reference(node),
                ChildOf(node),
            ))
            .id();
        (node, primitive)
    };
    let _ = primitive;
    h.wait_delivered(late);
    let mut moved = 0.0f32;
    let start = h.now;
    while h.queue(late).is_speaking() {
        assert!(
            h.now - start < Duration::from_secs(10),
            "the line did not finish"
        );
        h.frame(Duration::from_millis(10));
        moved = moved.max(h.morphs(node).iter().copied().fold(0.0, f32::max));
    }
    assert!(moved > 0.5, "the late face's mouth moved: {moved}");
    let late_report = h.app.world().get::<RigReport>(late).expect("a report");
    assert_eq!(
        (late_report.meshes, late_report.targets),
        (1, Viseme::COUNT)
    );
    assert!(!late_report.warned());

    let report = h.app.world().get::<RigReport>(odd).expect("a report");
    assert_eq!((report.meshes, report.targets), (1, 0));
    assert!(
        report.warned(),
        "a talking speaker with no usable target is warned about"
    );
    assert_eq!(report.unmatched(), ["eyeBlinkLeft", "browInnerUp"]);
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
    let mut h = Harness::new(&emulator, KEY);
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

/// The largest morph weight of `face`.
fn widest(h: &Harness, face: Entity) -> f32 {
    h.morphs(face).into_iter().fold(0.0, f32::max)
}

#[test]
fn changing_a_speaker_mid_word_leaves_the_face_at_rest_after_the_line() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (tuned, tuned_face) = h.spawn_speaker("Dennis");
    let (rerigged, rerigged_face) = h.spawn_speaker("Dennis");
    for speaker in [tuned, rerigged] {
        h.app.world_mut().commands().entity(speaker).say(LINE);
    }
    h.frame(Duration::ZERO);
    h.wait_delivered(tuned);
    h.wait_delivered(rerigged);
    let start = h.now;
    while widest(&h, tuned_face) < 0.3 || widest(&h, rerigged_face) < 0.3 {
        assert!(
            h.now - start < Duration::from_secs(5),
            "the mouths never opened"
        );
        h.frame(Duration::from_millis(10));
    }
    // Mid-word: one speaker is ducked, sped up and given another voice (none of which touches
    // its rig); the other's rig goes to a preset its face lacks and back (two rebinds).
    {
        let world = h.app.world_mut();
        let mut speaker = world.get_mut::<Speaker>(tuned).expect("a speaker");
        speaker.gain = 0.5;
        speaker.speaking_rate = 1.2;
        speaker.voice = Some("Ashley".into());
        world.get_mut::<Speaker>(rerigged).expect("a speaker").rig = RigPreset::Arkit52;
    }
    h.frame(Duration::from_millis(10));
    assert!(
        widest(&h, tuned_face) > 0.0,
        "the ducked speaker still talks"
    );
    h.app
        .world_mut()
        .get_mut::<Speaker>(rerigged)
        .expect("a speaker")
        .rig = RigPreset::OpenXr;
    h.frame(Duration::from_millis(10));
    h.play_out(tuned, Duration::from_secs(5));
    h.play_out(rerigged, Duration::from_secs(5));
    for _ in 0..50 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        widest(&h, tuned_face),
        0.0,
        "the ducked face is back at rest"
    );
    assert_eq!(
        widest(&h, rerigged_face),
        0.0,
        "the re-rigged face is back at rest"
    );
}

#[test]
fn removing_the_speaker_component_ends_its_line_and_rests_the_mouth() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face) = h.spawn_speaker("Dennis");
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let start = h.now;
    while widest(&h, face) < 0.3 {
        assert!(
            h.now - start < Duration::from_secs(5),
            "the mouth never opened"
        );
        h.frame(Duration::from_millis(10));
    }
    h.app.world_mut().entity_mut(speaker).remove::<Speaker>();
    h.frame(Duration::from_millis(10));
    assert!(
        h.seen()
            .contains(&Seen::Finished(speaker, LINE.into(), true)),
        "the line ends as interrupted: {:?}",
        h.seen()
    );
    assert!(!h.queue(speaker).is_speaking());
    assert!(h.mouth(speaker).weights.is_rest());
    assert_eq!(widest(&h, face), 0.0, "the face is at rest at once");
    // The voice fades out within its 10 ms and stays silent.
    h.frame(Duration::from_millis(20));
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
        assert!(h.last_block.iter().all(|&x| x == 0.0), "the voice went on");
    }
}

#[test]
fn every_event_of_a_line_carries_its_id_and_identical_lines_are_told_apart() {
    type Ids = Arc<Mutex<Vec<(&'static str, LineId)>>>;
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let ids: Ids = Arc::default();
    let log = |ids: &Ids, kind: &'static str, line: LineId| {
        ids.lock().expect("ids").push((kind, line));
    };
    let sink = ids.clone();
    h.app
        .add_observer(move |e: On<SpeechStarted>| log(&sink, "started", e.line));
    let sink = ids.clone();
    h.app
        .add_observer(move |e: On<WordSpoken>| log(&sink, "word", e.line));
    let sink = ids.clone();
    h.app.add_observer(move |e: On<VisemeChanged>| {
        if let Some(line) = e.line {
            log(&sink, "viseme", line);
        }
    });
    let sink = ids.clone();
    h.app
        .add_observer(move |e: On<SpeechFinished>| log(&sink, "finished", e.line));
    let (speaker, _face) = h.spawn_speaker("Dennis");
    let first = h.app.world_mut().commands().entity(speaker).say("Bob sat.");
    let second = h.app.world_mut().commands().entity(speaker).say("Bob sat.");
    let own = h
        .app
        .world_mut()
        .commands()
        .entity(speaker)
        .say(Line::new("Bob sat.").with_id(LineId(42)));
    assert_ne!(first, second);
    assert_eq!(own, LineId(42));
    h.frame(Duration::ZERO);
    assert_eq!(
        h.queue(speaker).waiting_lines().collect::<Vec<_>>(),
        [second, own]
    );
    h.play_out(speaker, Duration::from_secs(10));
    let ids = ids.lock().expect("ids").clone();
    // Each line's events all carry its id, in order: started, words and shapes, finished.
    let mut order = Vec::new();
    for (kind, line) in &ids {
        if order.last() != Some(line) {
            order.push(*line);
        }
        assert!(
            [first, second, own].contains(line),
            "{kind} of an unknown line"
        );
    }
    assert_eq!(order, [first, second, own], "{ids:?}");
    for line in [first, second, own] {
        let kinds: Vec<_> = ids
            .iter()
            .filter(|(_, l)| *l == line)
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(kinds.first(), Some(&"started"), "{line}: {kinds:?}");
        assert_eq!(kinds.last(), Some(&"finished"), "{line}: {kinds:?}");
        assert!(
            kinds.contains(&"word") && kinds.contains(&"viseme"),
            "{line}: {kinds:?}"
        );
    }
}

/// A speaker's line heard from its first sample, with `change` applied to the app 200 ms in.
fn heard_changed_mid_line(change: impl FnOnce(&mut App, Entity)) -> (Vec<f32>, usize) {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, onset) = h.sounding_line("Dennis", 20);
    let changed_at = h.heard.len() - onset;
    change(&mut h.app, speaker);
    for _ in 0..30 {
        h.frame(Duration::from_millis(10));
    }
    (h.heard[onset..].to_vec(), changed_at)
}

#[test]
fn the_master_volume_and_a_speakers_gain_follow_mid_line_without_a_click() {
    let (plain, _) = heard_changed_mid_line(|_, _| {});
    let (turned_down, at) = heard_changed_mid_line(|app, speaker| {
        app.world_mut()
            .resource_mut::<LipsyncSettings>()
            .voice_volume = 0.5;
        app.world_mut()
            .get_mut::<Speaker>(speaker)
            .expect("a speaker")
            .gain = 0.8;
    });
    let len = plain.len().min(turned_down.len());
    // Untouched before the change; 0.5 x 0.8 from the next block plus the ramp on, exactly.
    assert_eq!(plain[..at], turned_down[..at]);
    let settled = at + BLOCK + (48_000.0 * bevy_lipsync::audio::GAIN_RAMP.as_secs_f64()) as usize;
    for i in settled..len {
        assert_eq!(turned_down[i], plain[i] * 0.4, "sample {i}");
    }
    // In between the gain only falls, and never below where it goes.
    let mut last = 1.0f32;
    for i in at..settled {
        if plain[i].abs() > 1e-3 {
            let gain = turned_down[i] / plain[i];
            assert!(
                gain <= last + 1e-4 && gain >= 0.4 - 1e-4,
                "sample {i}: gain {gain}"
            );
            last = gain;
        }
    }
}

/// What a line sounded like with `hold` applied 200 ms into it and lifted 300 ms later.
struct PausedRun {
    /// Every block from the line's first sample.
    heard: Vec<f32>,
    /// Where in `heard` the pause was asked for, and lifted.
    paused_at: usize,
    resumed_at: usize,
    /// The mouth had relaxed, and the heard seconds were unchanged, at the end of the pause.
    rested: bool,
    held_seconds: bool,
}

fn paused_run(
    settings: impl FnOnce(&mut LipsyncSettings),
    hold: impl Fn(&mut App, Entity, bool),
) -> PausedRun {
    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, settings);
    let (speaker, onset) = h.sounding_line("Dennis", 20);
    let paused_at = h.heard.len() - onset;
    hold(&mut h.app, speaker, true);
    for _ in 0..25 {
        h.frame(Duration::from_millis(10));
    }
    let heard_seconds = |h: &Harness| h.queue(speaker).progress().map(|p| p.heard_seconds);
    let before = heard_seconds(&h);
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    let held_seconds = before.is_some() && heard_seconds(&h) == before;
    // Eased toward rest (60 ms time constant) for the 300 ms of the pause.
    let mouth = h.mouth(speaker).weights;
    let rested = mouth
        .weights
        .iter()
        .chain([&mouth.jaw_open])
        .all(|&w| w < 0.02);
    let resumed_at = h.heard.len() - onset;
    hold(&mut h.app, speaker, false);
    h.play_out(speaker, Duration::from_secs(10));
    assert!(
        h.seen()
            .contains(&Seen::Finished(speaker, LINE.into(), false)),
        "the paused line still ends on its own"
    );
    PausedRun {
        heard: h.heard[onset..].to_vec(),
        paused_at,
        resumed_at,
        rested,
        held_seconds,
    }
}

/// Checks `run` against the line played straight. The pause reaches the voice in the frame
/// after it is asked for, so the block that frame renders plays on; the next one fades out over
/// `PAUSE_FADE`, then silence until the resume reaches the voice the same way, and from there
/// the line goes on bit-exact from the frame after the last one heard.
fn check_pause(run: &PausedRun, straight: &[f32]) {
    let fade = (48_000.0 * bevy_lipsync::audio::PAUSE_FADE.as_secs_f64()) as usize;
    let fading = run.paused_at + BLOCK;
    let stopped = fading + fade;
    assert_eq!(
        run.heard[..fading],
        straight[..fading],
        "unchanged before the pause"
    );
    for (i, (faded, was)) in run.heard[fading..stopped]
        .iter()
        .zip(&straight[fading..stopped])
        .enumerate()
    {
        assert!(
            faded.abs() <= was.abs(),
            "sample {i} of the fade louder than before"
        );
    }
    let resumed = run.resumed_at + BLOCK;
    assert!(
        run.heard[stopped..resumed].iter().all(|&x| x == 0.0),
        "silent while paused"
    );
    let rest = &straight[stopped..];
    let tail = &run.heard[resumed..];
    let n = tail.len().min(rest.len());
    assert!(n > 4_800, "too little heard after the resume");
    assert_eq!(
        tail[..n],
        rest[..n],
        "resumed from the frame after the last one heard"
    );
    assert!(run.rested, "the mouth relaxed during the pause");
    assert!(run.held_seconds, "the clock held during the pause");
}

#[test]
fn a_paused_speaker_falls_silent_holds_and_resumes_from_the_next_frame() {
    let straight = paused_run(|_| {}, |_, _, _| {}).heard;
    let run = paused_run(
        |_| {},
        |app, speaker, hold| {
            let mut commands = app.world_mut().commands();
            let mut npc = commands.entity(speaker);
            if hold {
                npc.pause_speaking();
            } else {
                npc.resume_speaking();
            }
        },
    );
    check_pause(&run, &straight);
}

#[test]
fn pausing_the_game_pauses_speakers_that_follow_it() {
    let straight = paused_run(|_| {}, |_, _, _| {}).heard;
    let follow = |s: &mut LipsyncSettings| s.pause_with_virtual_time = true;
    let toggle = |app: &mut App, _: Entity, hold: bool| {
        let mut time = app.world_mut().resource_mut::<Time<Virtual>>();
        if hold {
            time.pause();
        } else {
            time.unpause();
        }
    };
    check_pause(&paused_run(follow, toggle), &straight);
    // Without the setting the game's pause leaves voices alone.
    let ignored = paused_run(|_| {}, toggle).heard;
    let n = ignored.len().min(straight.len());
    assert_eq!(ignored[..n], straight[..n]);
}

/// What a listener at the origin (looking down -Z) hears of a line, from its first sample for 60
/// frames, with the speaker at `place(frame)` (`None`: a speaker that is not spatial), and the
/// speaker's mouth at each of those frames.
struct Placed {
    left: Vec<f32>,
    right: Vec<f32>,
    mouths: Vec<bevy_lipsync::lipsync::VisemeWeights>,
}

fn heard_from(place: impl Fn(usize) -> Option<Vec3>) -> Placed {
    use bevy_lipsync::plugin::{SpatialVoice, SpeechOutput, VoiceListener};

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    h.app
        .world_mut()
        .spawn((VoiceListener, GlobalTransform::IDENTITY));
    let (speaker, _face) = h.spawn_speaker("Dennis");
    if let Some(at) = place(0) {
        h.app.world_mut().entity_mut(speaker).insert((
            SpatialVoice::default(),
            GlobalTransform::from_translation(at),
        ));
    }
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut placed = Placed {
        left: Vec::new(),
        right: Vec::new(),
        mouths: Vec::new(),
    };
    let mut frame = 0;
    while placed.mouths.len() < 60 {
        if let Some(at) = place(frame) {
            *h.app
                .world_mut()
                .get_mut::<GlobalTransform>(speaker)
                .expect("placed") = GlobalTransform::from_translation(at);
        }
        h.frame(Duration::from_millis(10));
        if placed.mouths.is_empty() && h.last_block.iter().all(|&x| x == 0.0) {
            continue;
        }
        let mut output = h.app.world_mut().resource_mut::<SpeechOutput>();
        let (left, right) = output.channels().expect("a manual output");
        placed.left.extend_from_slice(left);
        placed.right.extend_from_slice(right);
        placed.mouths.push(h.mouth(speaker).weights);
        frame += 1;
    }
    placed
}

fn energy(samples: &[f32]) -> f32 {
    samples.iter().map(|x| x * x).sum()
}

#[test]
fn a_voice_on_the_right_is_heard_on_the_right_and_fainter_farther_away() {
    let right = heard_from(|_| Some(Vec3::new(2.0, 0.0, 0.0)));
    assert!(energy(&right.right) > 0.0);
    assert!(
        energy(&right.left) < energy(&right.right) * 1e-6,
        "hard right"
    );
    let front_left = heard_from(|_| Some(Vec3::new(-2.0, 0.0, -2.0)));
    assert!(energy(&front_left.left) > 2.0 * energy(&front_left.right));
    assert!(energy(&front_left.right) > 0.0);
    let mut last = f32::INFINITY;
    for distance in [1.0, 2.0, 4.0, 8.0] {
        let ahead = heard_from(|_| Some(Vec3::new(0.0, 0.0, -distance)));
        let heard = energy(&ahead.left) + energy(&ahead.right);
        assert!(heard < last, "{distance} m: {heard} not below {last}");
        assert_eq!(ahead.left, ahead.right, "straight ahead is centred");
        last = heard;
    }
}

#[test]
fn a_voice_moving_while_it_talks_glides_and_the_mouth_keeps_its_timing() {
    let still = heard_from(|_| None);
    assert_eq!(
        still.left, still.right,
        "a voice that is not spatial is mono"
    );
    let source = &still.left;
    // From 3 m to the left to 3 m to the right in 0.6 s, a metre ahead.
    let moving = heard_from(|frame| Some(Vec3::new(-3.0 + 0.1 * frame as f32, 0.0, -1.0)));
    let ramp = 48_000.0 * bevy_lipsync::audio::GAIN_RAMP.as_secs_f64() as f32;
    for channel in [&moving.left, &moving.right] {
        assert!(energy(channel) > 0.0);
        // A gain at most 1 that moves by at most 1/ramp per sample: no step larger than the
        // source's own plus that.
        for (i, pair) in channel.windows(2).enumerate() {
            let bound = (source[i + 1] - source[i]).abs() + source[i + 1].abs() / ramp + 1e-6;
            assert!((pair[1] - pair[0]).abs() <= bound, "sample {i}: a click");
        }
    }
    assert!(
        energy(&moving.left[..4_800]) > energy(&moving.right[..4_800]),
        "starts on the left"
    );
    let end = moving.left.len() - 4_800;
    assert!(
        energy(&moving.right[end..]) > energy(&moving.left[end..]),
        "ends on the right"
    );
    assert_eq!(
        moving.mouths, still.mouths,
        "placing the voice moves no mouth"
    );
}

#[test]
fn calibrating_latency_or_offset_mid_line_moves_the_mouth_by_as_much_in_the_next_frame() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let speaker = h.mid_line("Dennis", 30);
    let shown = |h: &Harness| h.queue(speaker).progress().expect("a line").shown_seconds;
    let step = |h: &mut Harness, change: &dyn Fn(&mut LipsyncSettings)| {
        let before = shown(h);
        change(&mut h.app.world_mut().resource_mut::<LipsyncSettings>());
        h.frame(Duration::from_millis(10));
        shown(h) - before
    };
    let moved = step(&mut h, &|_| {});
    assert!(
        (moved - 0.010).abs() < 1e-6,
        "a steady frame shows 10 ms more: {moved}"
    );
    // 30 ms more output latency: what is heard now was played 30 ms later than thought.
    let moved = step(&mut h, &|s| {
        s.latency.output_latency = Some(Duration::from_millis(30))
    });
    assert!((moved - (0.010 - 0.030)).abs() < 1e-6, "latency: {moved}");
    // A 20 ms user offset: the mouth runs 20 ms ahead.
    let moved = step(&mut h, &|s| {
        s.latency.user_offset = Duration::from_millis(20)
    });
    assert!((moved - (0.010 + 0.020)).abs() < 1e-6, "offset: {moved}");
    let moved = step(&mut h, &|_| {});
    assert!((moved - 0.010).abs() < 1e-6, "and steady again: {moved}");
}

#[test]
fn a_line_starts_when_its_first_sample_is_heard_not_when_it_is_rendered() {
    let emulator = emulator();
    // 100 ms between a block being rendered and its end being heard.
    let mut h = Harness::with_settings(&emulator, KEY, |s| {
        s.latency.output_latency = Some(Duration::from_millis(100));
    });
    let (speaker, _face) = h.spawn_speaker("Dennis");
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let (mut sounding, mut started) = (None, None);
    for frame in 0..40 {
        h.frame(Duration::from_millis(10));
        if sounding.is_none() && h.last_block.iter().any(|&x| x != 0.0) {
            sounding = Some(frame);
        }
        if started.is_none() && h.seen().iter().any(|s| matches!(s, Seen::Started(..))) {
            started = Some(frame);
        }
    }
    let (sounding, started) = (sounding.expect("sound"), started.expect("started"));
    // The tone voice opens with 100 ms of silence: its first sound is rendered 100 ms after its
    // start, which is when the start leaves the speaker. Announced at render, the line would
    // start ten frames before its first sound is rendered.
    assert!(
        (sounding - 1..=sounding + 1).contains(&started),
        "first sound rendered at frame {sounding}, the line announced at {started}"
    );
    let first_audio = h.queue(speaker).progress().and_then(|p| p.first_audio);
    assert!(first_audio.is_some());
}

/// Records every `SpeechStalled` of the app: `(stalled, heard_seconds)`.
fn record_stalls(h: &mut Harness) -> Arc<Mutex<Vec<(bool, f64)>>> {
    let stalls: Arc<Mutex<Vec<(bool, f64)>>> = Arc::default();
    let sink = stalls.clone();
    h.app.add_observer(move |e: On<SpeechStalled>| {
        sink.lock()
            .expect("stalls")
            .push((e.stalled, e.heard_seconds));
    });
    stalls
}

#[test]
fn a_line_whose_output_stops_is_reported_relaxes_and_plays_on_when_the_output_returns() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let stalls = record_stalls(&mut h);
    let speaker = h.mid_line("Dennis", 60);
    let heard = |h: &Harness| h.queue(speaker).progress().expect("a line").heard_seconds;
    let before = heard(&h);
    assert!(before > 0.4, "mid-line: {before} s heard");

    h.output_stopped = true;
    let mut reported = None;
    for frame in 1..=100 {
        h.frame(Duration::from_millis(10));
        if !stalls.lock().expect("stalls").is_empty() {
            reported = Some(frame);
            break;
        }
    }
    let reported = reported.expect("the stall is reported");
    assert!(
        reported * 10 <= 500,
        "reported {} ms after the output stopped",
        reported * 10
    );
    let (stalled, at) = stalls.lock().expect("stalls")[0];
    assert!(stalled);
    assert!(
        (at - before).abs() < 0.02,
        "stopped at {at} s, was at {before} s"
    );
    for _ in 0..60 {
        h.frame(Duration::from_millis(10));
    }
    assert!(
        h.mouth(speaker).weights.is_rest(),
        "the mouth relaxes while nothing is heard"
    );
    assert!(
        h.queue(speaker).is_speaking(),
        "the line waits for its output"
    );
    assert!((heard(&h) - at).abs() < 0.02, "the clock holds");

    h.output_stopped = false;
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        stalls.lock().expect("stalls").last().map(|s| s.0),
        Some(false),
        "playing again is reported"
    );
    assert!(heard(&h) > at, "the line plays on from where it stopped");
    h.play_out(speaker, Duration::from_secs(20));
    let seen = h.seen();
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Finished(e, _, false) if *e == speaker)),
        "the line finishes normally: {seen:?}"
    );
    assert!(h.errors.lock().expect("errors").is_empty());
}

#[test]
fn a_line_whose_output_stays_stopped_fails_after_the_timeout_and_never_plays_late() {
    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, |s| {
        s.stall_timeout = Duration::from_millis(400);
    });
    let stalls = record_stalls(&mut h);
    let speaker = h.mid_line("Dennis", 40);
    h.output_stopped = true;
    let mut frames = 0;
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        frames += 1;
        assert!(frames < 200, "the stalled line never fails");
    }
    // Stalled after 200 ms, failed 400 ms after the audio stopped.
    assert!((40..=60).contains(&frames), "failed after {frames} frames");
    assert_eq!(stalls.lock().expect("stalls").as_slice()[..1].len(), 1);
    let errors = h.errors.lock().expect("errors").clone();
    assert!(
        matches!(errors.as_slice(), [e] if matches!(**e, SpeechError::OutputStalled { .. })),
        "{errors:?}"
    );
    assert!(errors[0].to_string().contains("stall_timeout"));
    // The device comes back: the dropped line is not heard late.
    h.output_stopped = false;
    for _ in 0..3 {
        h.frame(Duration::from_millis(10));
    }
    let late = h.heard.len();
    for _ in 0..20 {
        h.frame(Duration::from_millis(10));
    }
    assert!(
        h.heard[late..].iter().all(|&x| x == 0.0),
        "the stalled line's audio played when the output came back"
    );
}

#[test]
fn the_render_latency_follows_how_the_app_renders_and_its_vsync() {
    use bevy::app::SubApp;
    use bevy::render::RenderApp;
    use bevy::render::pipelined_rendering::RenderExtractApp;
    use bevy::window::{PresentMode, PrimaryWindow};
    use bevy_lipsync::plugin::RenderLatency;

    let build = |render: bool, pipelined: bool| {
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, AssetPlugin::default()))
            .init_asset::<Mesh>();
        if render {
            app.insert_sub_app(RenderApp, SubApp::new());
        }
        if pipelined {
            app.insert_sub_app(RenderExtractApp, SubApp::new());
        }
        app.add_plugins(LipsyncPlugin::new(LipsyncSettings {
            inworld: InworldSetting::Disabled,
            output: OutputSetting::Manual,
            ..Default::default()
        }));
        app.finish();
        app.cleanup();
        app
    };
    let latency = |app: &App| *app.world().resource::<RenderLatency>();
    assert_eq!(latency(&build(false, false)).frames, 0.0, "headless");
    assert_eq!(
        latency(&build(true, false)).frames,
        1.0,
        "drawn after the update"
    );
    let mut app = build(true, true);
    assert_eq!(latency(&app).frames, 2.0, "pipelined");
    // A window: vsync (Bevy's default) keeps it, switching vsync off is followed.
    let window = app
        .world_mut()
        .spawn((Window::default(), PrimaryWindow))
        .id();
    app.update();
    assert_eq!(latency(&app).vsync, Some(true));
    assert_eq!(latency(&app).frames, 2.0);
    app.world_mut()
        .get_mut::<Window>(window)
        .expect("window")
        .present_mode = PresentMode::Immediate;
    app.update();
    assert_eq!(
        (latency(&app).vsync, latency(&app).frames),
        (Some(false), 1.5)
    );
}

#[test]
fn the_mouth_looks_ahead_by_the_derived_render_latency_unless_the_game_sets_one() {
    use bevy_lipsync::plugin::RenderLatency;

    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, |s| s.render_latency_frames = None);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let ahead = |h: &mut Harness| {
        h.frame(Duration::from_millis(10));
        let progress = h.queue(speaker).progress().expect("a line");
        progress.shown_seconds - progress.heard_seconds
    };
    for _ in 0..40 {
        ahead(&mut h);
    }
    // Headless: half of the 10 ms frame.
    assert!((ahead(&mut h) - 0.005).abs() < 1e-6);
    // As a pipelined renderer would derive it: two frames more.
    h.app
        .world_mut()
        .insert_resource(RenderLatency::of(true, true, Some(true)));
    assert!((ahead(&mut h) - 0.025).abs() < 1e-6);
    // The game's own figure wins.
    h.app
        .world_mut()
        .resource_mut::<LipsyncSettings>()
        .render_latency_frames = Some(1.0);
    assert!((ahead(&mut h) - 0.015).abs() < 1e-6);
}

#[test]
fn a_sprite_mouth_shows_the_drawing_of_its_speakers_mouth_every_frame() {
    use bevy::image::TextureAtlas;
    use bevy_lipsync::lipsync::MouthShape;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    // A sheet laid out in another order: the drawings at 10, 11, ... 18.
    let cells = std::array::from_fn(|i| 10 + i);
    let sprite = h
        .app
        .world_mut()
        .spawn((
            Sprite {
                texture_atlas: Some(TextureAtlas::default()),
                ..Default::default()
            },
            SpriteMouth::with_cells(cells),
            ChildOf(speaker),
        ))
        .id();
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut shown = std::collections::BTreeSet::new();
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        let mouth = h.mouth(speaker);
        let world = h.app.world();
        let index = world
            .get::<Sprite>(sprite)
            .and_then(|s| s.texture_atlas.as_ref())
            .map(|a| a.index);
        let expected = MouthShape::from_weights(&mouth.weights);
        assert_eq!(index, Some(10 + expected.index()), "{:?}", mouth.viseme);
        assert_eq!(
            world.get::<SpriteMouth>(sprite).map(|m| m.shape),
            Some(expected)
        );
        shown.insert(expected);
    }
    assert!(
        shown.len() >= 4 && shown.contains(&MouthShape::A),
        "the line shows its drawings, lips closing on its p b m: {shown:?}"
    );
    for _ in 0..60 {
        h.frame(Duration::from_millis(10));
    }
    let rest = h
        .app
        .world()
        .get::<Sprite>(sprite)
        .and_then(|s| s.texture_atlas.clone());
    assert_eq!(rest.map(|a| a.index), Some(10 + MouthShape::X.index()));
}

/// A speaker whose face has the 15 visemes and ARKit's blinks and smiles.
fn spawn_expressive(h: &mut Harness, voice: &str) -> (Entity, Entity, Vec<String>) {
    let mut names: Vec<String> = Viseme::ALL
        .iter()
        .map(|v| v.rpm_name().to_owned())
        .collect();
    names.extend(
        [
            "eyeBlinkLeft",
            "eyeBlinkRight",
            "mouthSmileLeft",
            "mouthSmileRight",
        ]
        .map(String::from),
    );
    let world = h.app.world_mut();
    let mut mesh = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    );
    mesh.set_morph_target_names(names.clone());
    let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
    let speaker = world.spawn(Speaker::new(voice)).id();
    let weights = MorphWeights::new(vec![0.0; names.len()], Some(handle.clone())).expect("19");
    let face = world
        .spawn((Mesh3d(handle), weights, ChildOf(speaker)))
        .id();
    (speaker, face, names)
}

#[test]
fn speakers_blink_both_eyes_at_a_natural_pace_on_their_rig() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face, names) = spawn_expressive(&mut h, "Dennis");
    let at = |name: &str| names.iter().position(|n| n == name).expect("a target");
    let (left, right) = (at("eyeBlinkLeft"), at("eyeBlinkRight"));
    // An animation holds the lids half shut: blinks add to it, never past 1.
    let squint = |h: &mut Harness| {
        let mut weights = h
            .app
            .world_mut()
            .get_mut::<MorphWeights>(face)
            .expect("a face");
        let w = weights.weights_mut();
        (w[left], w[right]) = (0.4, 0.4);
    };
    squint(&mut h);
    let (mut blinks, mut closed, mut talked) = (0, false, 0);
    for _ in 0..6_000 {
        // Talking all the while, so the mouth and the blinks share the face.
        if !h.queue(speaker).is_speaking() && h.queue(speaker).waiting() == 0 {
            h.app.world_mut().commands().entity(speaker).say(LINE);
            talked += 1;
        }
        h.frame(Duration::from_millis(10));
        let w = h.morphs(face);
        assert_eq!(w[left], w[right], "both eyes");
        assert!(w.iter().all(|&x| (0.0..=1.0).contains(&x)), "{w:?}");
        assert!(w[left] >= 0.4 - 1e-6, "the animation's lids stay the base");
        if w[left] > 0.9 && !closed {
            blinks += 1;
        }
        closed = w[left] > 0.9;
    }
    assert!(talked >= 3, "lines were spoken throughout: {talked}");
    // A minute: 15 to 20 blinks, give or take the one in progress at either end.
    assert!((14..=21).contains(&blinks), "{blinks} blinks in a minute");
}

#[test]
fn a_happy_speaker_smiles_yet_still_closes_its_lips_for_p_b_m() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face, names) = spawn_expressive(&mut h, "Dennis");
    let at = |name: &str| names.iter().position(|n| n == name).expect("a target");
    let (smile, pp) = (at("mouthSmileLeft"), at("viseme_PP"));
    let closure_of = |h: &mut Harness, emotion: Emotion| {
        h.app
            .world_mut()
            .get_mut::<Expression>(speaker)
            .expect("every speaker has one")
            .emotion = emotion;
        h.app.world_mut().commands().entity(speaker).say(LINE);
        h.frame(Duration::ZERO);
        h.wait_delivered(speaker);
        let (mut closure, mut smile_open, mut smile_closed) = (0.0f32, 0.0f32, 0.0f32);
        while h.queue(speaker).is_speaking() {
            h.frame(Duration::from_millis(10));
            let w = h.morphs(face);
            closure = closure.max(w[pp]);
            if w[pp] > 0.6 {
                smile_closed = smile_closed.max(w[smile]);
            } else if h.mouth(speaker).weights.get(Viseme::Pp) < 0.05 {
                smile_open = smile_open.max(w[smile]);
            }
        }
        (closure, smile_open, smile_closed)
    };
    let (neutral_closure, neutral_smile, _) = closure_of(&mut h, Emotion::Neutral);
    assert_eq!(neutral_smile, 0.0);
    let (closure, smile_open, smile_closed) = closure_of(&mut h, Emotion::Happy);
    assert!(smile_open > 0.4, "the face smiles: {smile_open}");
    assert!(
        (closure - neutral_closure).abs() < 1e-6 && closure > 0.8,
        "p b m still close the lips: {closure} (neutral {neutral_closure})"
    );
    assert!(
        smile_closed < 0.5 * smile_open,
        "the smile gives way while they close: {smile_closed} vs {smile_open}"
    );
}

#[test]
fn markups_are_not_spoken_or_subtitled_and_change_the_face_at_the_word_they_precede() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let seen: Arc<Mutex<Vec<(String, Emotion)>>> = Arc::default();
    let sink = seen.clone();
    h.app
        .add_observer(move |e: On<WordSpoken>, faces: Query<&Expression>| {
            let emotion = faces.get(e.entity).expect("a speaker").emotion;
            sink.lock()
                .expect("seen")
                .push((e.word.to_string(), emotion));
        });
    let changes: Arc<Mutex<Vec<(usize, Emotion, Emotion)>>> = Arc::default();
    let (sink, words_so_far) = (changes.clone(), seen.clone());
    h.app.add_observer(move |e: On<EmotionChanged>| {
        // Sent before the word it marks is announced.
        assert_eq!(words_so_far.lock().expect("seen").len(), e.word_index);
        sink.lock()
            .expect("changes")
            .push((e.word_index, e.from, e.to));
    });
    let (speaker, _face) = h.spawn_speaker("Dennis");
    h.app
        .world_mut()
        .commands()
        .entity(speaker)
        .say("[happy] Bob sat on a big [sad] red mat.");
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    h.play_out(speaker, Duration::from_secs(20));
    let seen = seen.lock().expect("seen").clone();
    let words: Vec<&str> = seen.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(words.len(), 7, "the markups are not words: {words:?}");
    assert!(words.iter().all(|w| !w.contains('[')), "{words:?}");
    let at = |word: &str| {
        seen.iter()
            .find(|(w, _)| w.trim_matches(|c: char| !c.is_alphanumeric()) == word)
            .map(|(_, e)| *e)
    };
    assert_eq!(at("Bob"), Some(Emotion::Happy), "{seen:?}");
    assert_eq!(at("big"), Some(Emotion::Happy));
    assert_eq!(at("red"), Some(Emotion::Sad), "{seen:?}");
    assert_eq!(at("mat"), Some(Emotion::Sad));
    assert_eq!(
        *changes.lock().expect("changes"),
        [
            (0, Emotion::Neutral, Emotion::Happy),
            (5, Emotion::Happy, Emotion::Sad)
        ],
        "one event per change, at the marked word"
    );
}

#[test]
fn a_vrm_character_loads_spawns_and_talks_through_its_files_expression_table() {
    use bevy::gltf::GltfPlugin;
    use bevy::image::ImagePlugin;
    use bevy::world_serialization::WorldSerializationPlugin;
    use bevy_lipsync::plugin::RigReport;

    let emulator = emulator();
    let mut h = Harness::with_app(
        &emulator,
        KEY,
        |_| {},
        |app| {
            app.add_plugins((
                TransformPlugin,
                ImagePlugin::default(),
                WorldSerializationPlugin,
                GltfPlugin::default(),
            ))
            .init_asset::<bevy::mesh::skinning::SkinnedMeshInverseBindposes>();
        },
    );
    // Bevy's glTF loader registers itself as the app finishes building.
    h.app.finish();
    h.app.cleanup();
    let godette = h
        .app
        .world()
        .resource::<AssetServer>()
        .load("vrm/Godette_vrm_v4.vrm");
    let speaker = h
        .app
        .world_mut()
        .spawn((Speaker::new("Ashley"), VrmCharacter(godette)))
        .id();
    // Loading runs on other threads: wait for the face to bind, in wall-clock time.
    let started = Instant::now();
    let face = loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "Godette never bound"
        );
        std::thread::sleep(Duration::from_millis(5));
        h.frame(Duration::from_millis(5));
        let world = h.app.world_mut();
        let report = world.get::<RigReport>(speaker).map_or(0, |r| r.targets);
        let mut faces = world.query::<(Entity, &MorphWeights)>();
        let face = faces
            .iter(world)
            .find(|(_, w)| w.weights().len() == 15)
            .map(|(e, _)| e);
        if let (true, Some(face)) = (report > 0, face) {
            break face;
        }
    };
    // Her five vowels, by index: `ah ih uu ee oh` are targets 5 to 9.
    let report = h.app.world().get::<RigReport>(speaker).expect("a report");
    let head = h.app.world().get::<HeadMotion>(speaker).expect("a head");
    assert!(head.faces_back, "VRM 0.x characters face -z");
    assert_eq!((report.meshes, report.targets), (1, 5));
    h.app
        .world_mut()
        .commands()
        .entity(speaker)
        .say("Bob sat on a big red mat and ate a fig.");
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut peak = [0.0f32; 15];
    let start = h.now;
    while h.queue(speaker).is_speaking() {
        assert!(
            h.now - start < Duration::from_secs(10),
            "the line did not finish"
        );
        h.frame(Duration::from_millis(10));
        for (p, w) in peak.iter_mut().zip(h.morphs(face)) {
            *p = p.max(w);
        }
    }
    assert!(peak[5] > 0.5, "her `ah` opened for the a's: {peak:?}");
    assert!(peak[6] > 0.2, "her `ih` for the i's: {peak:?}");
    assert!(
        peak[0..3].iter().all(|&w| w == 0.0),
        "the hair, earring and blush toggles are not expressions: {peak:?}"
    );
    assert!(
        h.seen()
            .iter()
            .any(|s| matches!(s, Seen::Word(e, w) if *e == speaker && &**w == "fig.")),
        "her words were heard"
    );
}

/// The angle between two rotations, in radians.
fn angle_between(a: Quat, b: Quat) -> f32 {
    a.angle_between(b)
}

#[test]
fn heads_sway_on_top_of_the_games_rotation_speak_listen_and_hold_still_on_request() {
    use bevy_lipsync::lipsync::HeadState;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let tilt = Quat::from_rotation_z(0.4);
    let (talker, head, listener) = {
        let world = h.app.world_mut();
        let talker = world
            .spawn((Speaker::new("Dennis"), Transform::default()))
            .id();
        let neck = world.spawn((Transform::default(), ChildOf(talker))).id();
        let head = world
            .spawn((
                Name::new("mixamorig:Head"),
                Transform::from_rotation(tilt),
                ChildOf(neck),
            ))
            .id();
        let listener = world
            .spawn((Speaker::new("Ashley"), Transform::default()))
            .id();
        (talker, head, listener)
    };
    let rotation = |h: &Harness, e: Entity| h.app.world().get::<Transform>(e).unwrap().rotation;
    let mut drift = 0.0f32;
    for _ in 0..300 {
        h.frame(Duration::from_millis(16));
        let off = angle_between(rotation(&h, head), tilt);
        assert!(off < 0.08, "a few degrees around the game's tilt: {off}");
        drift = drift.max(off);
    }
    assert!(drift > 0.004, "the idle head drifts: {drift}");
    assert_eq!(
        rotation(&h, talker),
        Quat::IDENTITY,
        "with a head bone, the speaker itself stays put"
    );
    assert!(
        angle_between(rotation(&h, listener), Quat::IDENTITY) > 0.0,
        "a speaker without a head bone sways itself"
    );
    // The game turns the head: the sway continues around the new rotation.
    let turned = Quat::from_rotation_y(-0.7);
    h.app
        .world_mut()
        .get_mut::<Transform>(head)
        .unwrap()
        .rotation = turned;
    h.app.world_mut().commands().entity(talker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(talker);
    let mut states = Vec::new();
    while h.queue(talker).is_speaking() {
        h.frame(Duration::from_millis(16));
        let off = angle_between(rotation(&h, head), turned);
        assert!(off < 0.12, "around the game's new rotation: {off}");
        let state = |e| h.app.world().get::<HeadMotion>(e).unwrap().current;
        states.push((state(talker), state(listener)));
    }
    assert!(states.contains(&(HeadState::Speaking, HeadState::Listening)));
    // Listening tilts the head to its side; a head facing -z (VRM 0.x) tilts the same way
    // on screen, so about its own axes the other way.
    let tilt_after = |h: &mut Harness, faces_back: bool| {
        {
            let mut motion = h.app.world_mut().get_mut::<HeadMotion>(talker).unwrap();
            motion.state = Some(HeadState::Listening);
            motion.faces_back = faces_back;
        }
        for _ in 0..150 {
            h.frame(Duration::from_millis(16));
        }
        let delta = turned.inverse() * rotation(h, head);
        delta.to_euler(EulerRot::YXZ).2
    };
    let (front, back) = (tilt_after(&mut h, false), tilt_after(&mut h, true));
    assert!(front > 0.03 && back < -0.03, "{front} {back}");
    // Stillness: exactly the game's rotation.
    h.app
        .world_mut()
        .get_mut::<HeadMotion>(talker)
        .unwrap()
        .amount = 0.0;
    h.frame(Duration::from_millis(16));
    assert_eq!(rotation(&h, head), turned);
}

#[test]
fn a_jaw_bone_opens_with_the_mouth_only_when_no_morph_target_does() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let rest = Quat::from_rotation_x(0.1);
    let spawn_jawed = |world: &mut World, names: Option<Vec<String>>| {
        let speaker = world
            .spawn((Speaker::new("Dennis"), Transform::default()))
            .id();
        let jaw = world
            .spawn((
                Name::new("Jaw"),
                Transform::from_rotation(rest),
                GlobalTransform::default(),
                ChildOf(speaker),
            ))
            .id();
        if let Some(names) = names {
            let mut mesh = Mesh::new(
                PrimitiveTopology::TriangleList,
                RenderAssetUsages::default(),
            );
            let count = names.len();
            mesh.set_morph_target_names(names);
            let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
            let weights = MorphWeights::new(vec![0.0; count], Some(handle.clone())).unwrap();
            world.spawn((Mesh3d(handle), weights, ChildOf(speaker)));
        }
        (speaker, jaw)
    };
    let (boned, jaw) = spawn_jawed(h.app.world_mut(), None);
    let (morphed, morph_jaw) = spawn_jawed(
        h.app.world_mut(),
        Some(vec!["jawOpen".into(), "mouthFunnel".into()]),
    );
    h.app.world_mut().get_mut::<Speaker>(morphed).unwrap().rig = RigPreset::Arkit52;
    for speaker in [boned, morphed] {
        h.app.world_mut().commands().entity(speaker).say(LINE);
    }
    h.frame(Duration::ZERO);
    h.wait_delivered(boned);
    h.wait_delivered(morphed);
    let rotation = |h: &Harness, e: Entity| h.app.world().get::<Transform>(e).unwrap().rotation;
    let mut widest = 0.0f32;
    while h.queue(boned).is_speaking() || h.queue(morphed).is_speaking() {
        h.frame(Duration::from_millis(10));
        let open = angle_between(rotation(&h, jaw), rest);
        let expected = 0.3 * h.mouth(boned).weights.jaw_open;
        assert!((open - expected).abs() < 1e-3, "{open} vs {expected}");
        // Drawn this frame: the bone's global transform already holds the opening.
        let global = h.app.world().get::<GlobalTransform>(jaw).unwrap();
        assert!(global.rotation().dot(rotation(&h, jaw)).abs() > 1.0 - 1e-6);
        widest = widest.max(open);
        assert_eq!(rotation(&h, morph_jaw), rest, "jawOpen carries that jaw");
    }
    assert!(widest > 0.1, "the jaw opened on the vowels: {widest}");
    for _ in 0..30 {
        h.frame(Duration::from_millis(10));
    }
    assert!(
        angle_between(rotation(&h, jaw), rest) < 1e-3,
        "and closed after"
    );
}

#[test]
fn meshes_whose_targets_have_no_names_are_reported_and_bind_by_index() {
    use bevy_lipsync::plugin::RigReport;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let spawn_nameless = |world: &mut World, rig: RigPreset| {
        let mesh = Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        );
        let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
        let weights = MorphWeights::new(vec![0.0; 2], Some(handle.clone())).expect("2 targets");
        let speaker = world.spawn(Speaker::new("Dennis").with_rig(rig)).id();
        let face = world
            .spawn((Mesh3d(handle), weights, ChildOf(speaker)))
            .id();
        (speaker, face)
    };
    let (blind, _) = spawn_nameless(h.app.world_mut(), RigPreset::OpenXr);
    let by_index =
        RigTable::from_json(r##"{"targets": {"#1": {"AA": 1.0, "jaw": 0.5}}}"##).expect("a table");
    let (indexed, face) = spawn_nameless(h.app.world_mut(), RigPreset::Custom(by_index));
    h.frame(Duration::from_millis(10));
    let report = h.app.world().get::<RigReport>(blind).expect("a report");
    assert_eq!(
        (report.meshes, report.targets),
        (1, 0),
        "examined, not left loading"
    );
    assert_eq!(report.unmatched(), ["", ""], "two targets without names");
    h.app.world_mut().commands().entity(indexed).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(indexed);
    let mut peak = [0.0f32; 2];
    while h.queue(indexed).is_speaking() {
        h.frame(Duration::from_millis(10));
        for (p, w) in peak.iter_mut().zip(h.morphs(face)) {
            *p = p.max(w);
        }
    }
    assert_eq!(peak[0], 0.0);
    assert!(peak[1] > 0.5, "target #1 opened: {peak:?}");
}

#[test]
fn words_are_announced_with_character_timestamps_too() {
    use bevy_lipsync::inworld::TimestampType;

    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, |s| {
        s.timestamps = TimestampType::Character;
    });
    let (speaker, face) = h.spawn_speaker("Dennis");
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut widest = 0.0f32;
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        widest = widest.max(h.morphs(face).iter().copied().fold(0.0, f32::max));
    }
    let words: Vec<String> = h.words_of(speaker);
    assert_eq!(words, LINE.split(' ').collect::<Vec<_>>());
    assert!(widest > 0.5, "the mouth read the letters: {widest}");
}

/// Loads `path` as a voice line, waiting (in wall-clock time) until it has loaded or failed.
fn load_voice_line(h: &mut Harness, path: &str) -> Handle<VoiceLine> {
    let handle: Handle<VoiceLine> = h
        .app
        .world()
        .resource::<AssetServer>()
        .load(path.to_owned());
    let started = Instant::now();
    loop {
        let server = h.app.world().resource::<AssetServer>();
        let settled = server.is_loaded(&handle)
            || matches!(
                server.get_load_state(&handle),
                Some(bevy::asset::LoadState::Failed(_))
            );
        if settled {
            return handle;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{path} never loaded"
        );
        std::thread::sleep(Duration::from_millis(2));
        h.frame(Duration::ZERO);
    }
}

#[test]
fn a_recorded_line_with_its_timeline_plays_with_words_subtitles_and_lips() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face) = h.spawn_speaker("Dennis");
    let line = load_voice_line(&mut h, "lines/greeting.wav");
    let expected: Vec<String> = {
        let lines = h.app.world().resource::<Assets<VoiceLine>>();
        let line = lines.get(&line).expect("loaded");
        assert_eq!(line.timing(), LineTiming::Timeline);
        assert!((line.seconds() - 3.68).abs() < 0.01, "{}", line.seconds());
        line.text().split(' ').map(str::to_owned).collect()
    };
    assert_eq!(expected.len(), 10);
    h.app.world_mut().commands().entity(speaker).say(line);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let pp = Viseme::Pp.index();
    let (mut widest, mut closure) = (0.0f32, 0.0f32);
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        let w = h.morphs(face);
        widest = widest.max(w.iter().copied().fold(0.0, f32::max));
        closure = closure.max(w[pp]);
    }
    let seen = h.seen();
    assert_eq!(
        h.words_of(speaker),
        expected,
        "every word of the timeline, in order"
    );
    assert!(
        seen.iter().any(
            |s| matches!(s, Seen::Started(e, t) if *e == speaker && t.starts_with("Welcome to"))
        ),
        "the subtitle is the timeline's words: {seen:?}"
    );
    assert!(widest > 0.5, "the lips moved: {widest}");
    assert!(closure > 0.5, "and closed for the m's and b: {closure}");
}

#[test]
fn a_recorded_mp3_without_timing_moves_the_mouth_with_its_sound() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    let line = load_voice_line(&mut h, "lines/untimed.mp3");
    {
        let lines = h.app.world().resource::<Assets<VoiceLine>>();
        let line = lines.get(&line).expect("loaded");
        assert_eq!(line.timing(), LineTiming::Sound);
        // The encoder pads a little.
        assert!((line.seconds() - 3.68).abs() < 0.1, "{}", line.seconds());
    }
    let id = h.app.world_mut().commands().entity(speaker).say(line);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut jaw = 0.0f32;
    let mut open_frames = 0;
    let mut shapes = std::collections::BTreeSet::new();
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        let mouth = h.mouth(speaker);
        jaw = jaw.max(mouth.weights.jaw_open);
        open_frames += usize::from(mouth.weights.jaw_open > 0.1);
        if mouth.weights.get(mouth.viseme) > 0.5 {
            shapes.insert(mouth.viseme.index());
        }
    }
    assert!(jaw > 0.3, "the mouth opens with the sound: {jaw}");
    assert!(open_frames > 100, "through the line: {open_frames} frames");
    // Shapes read from the sound, not only a jaw: the lips close for the m's and b.
    assert!(shapes.len() >= 5, "{shapes:?}");
    assert!(shapes.contains(&Viseme::Pp.index()), "{shapes:?}");
    let finished = h
        .seen()
        .iter()
        .any(|s| matches!(s, Seen::Finished(e, _, false) if *e == speaker));
    assert!(finished, "line {id:?} played to its end");
}

#[test]
fn a_recorded_mp3_with_a_transcript_fires_its_words_as_they_are_heard() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    let line = load_voice_line(&mut h, "lines/transcribed.mp3");
    let timing = h
        .app
        .world()
        .resource::<Assets<VoiceLine>>()
        .get(&line)
        .map(|l| l.timing());
    assert_eq!(timing, Some(LineTiming::Transcript));
    h.app.world_mut().commands().entity(speaker).say(line);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let started = h.now;
    let mut heard_at = Vec::new();
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        let words = h
            .seen()
            .iter()
            .filter(|s| matches!(s, Seen::Word(e, _) if *e == speaker))
            .count();
        if words > heard_at.len() {
            heard_at.push((h.now - started).as_secs_f64());
        }
    }
    let words: Vec<String> = h.words_of(speaker);
    assert_eq!(
        words,
        "Welcome to the village, stranger. Mind the big red mat."
            .split(' ')
            .collect::<Vec<_>>()
    );
    // Spread over the 3.7 s of speech, not bunched at the start or the end.
    assert!(heard_at[0] < 0.6 && heard_at[9] > 2.8, "{heard_at:?}");
}

#[test]
fn a_corrupt_recording_fails_its_line_with_a_clear_error_and_the_queue_goes_on() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    let line = load_voice_line(&mut h, "lines/corrupt.ogg");
    h.app.world_mut().commands().entity(speaker).say(line);
    h.app.world_mut().commands().entity(speaker).say("Bob sat.");
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    h.play_out(speaker, Duration::from_secs(10));
    let errors = h.errors.lock().expect("errors").clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let message = errors[0].to_string();
    assert!(
        message.starts_with("the recorded line lines/corrupt.ogg could not be played: not a")
            && message.ends_with("recorded lines can be WAV, OGG Vorbis, MP3 or FLAC"),
        "{message}"
    );
    let seen = h.seen();
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Started(e, t) if *e == speaker && t == "Bob sat.")),
        "the next line plays: {seen:?}"
    );
}

#[test]
fn gateway_voices_play_their_downloaded_audio_and_a_refused_key_fails_the_line_clearly() {
    use bevy_lipsync::inworld::gateway::GatewayConfig;

    let emulator = emulator();
    let gateway = |key: &str| {
        GatewayConfig::new(key)
            .and_then(|c| c.with_base_url(&emulator.base_url()))
            .expect("a loopback gateway")
    };
    let mut h = Harness::with_settings(&emulator, KEY, |s| s.gateway = Some(gateway(KEY)));
    let (speaker, _face) = h.spawn_speaker("aimlapi:Ashley");
    h.app
        .world_mut()
        .commands()
        .entity(speaker)
        .say("Bob sat on a big red mat.");
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut jaw = 0.0f32;
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        jaw = jaw.max(h.mouth(speaker).weights.jaw_open);
    }
    assert!(jaw > 0.3, "the mouth follows the downloaded audio: {jaw}");
    let words: Vec<String> = h.words_of(speaker);
    assert_eq!(words.len(), 7, "its text placed on its sound: {words:?}");
    assert!(h.errors.lock().expect("errors").is_empty());
    let asked = emulator.requests();
    assert!(asked.iter().any(|r| r.path == "/v1/tts"));
    assert!(asked.iter().any(|r| r.path.starts_with("/v1/files/")));

    let mut h = Harness::with_settings(&emulator, KEY, |s| {
        s.gateway = Some(gateway("sk-wrong"));
    });
    let (speaker, _face) = h.spawn_speaker("aimlapi:Ashley");
    h.app.world_mut().commands().entity(speaker).say("Hello.");
    h.frame(Duration::ZERO);
    h.wait_for("the line to fail", |h| {
        !h.errors.lock().expect("errors").is_empty()
    });
    let message = h.errors.lock().expect("errors")[0].to_string();
    assert!(
        message.contains("refused the key") && message.contains("AIMLAPI_API_KEY"),
        "{message}"
    );
    assert!(!message.contains("sk-wrong"));
}

#[test]
fn speech_streamed_without_timestamps_gets_its_shapes_from_its_sound() {
    use bevy_lipsync::emulator::{Emulator, EmulatorConfig, OfflineSource};
    use bevy_lipsync::inworld::TimestampType;

    // The emulator speaking with the offline voice: real speech sounds, and no timing asked.
    let emulator = Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        source: Arc::new(OfflineSource::default()),
        ..Default::default()
    })
    .expect("emulator starts");
    let mut h = Harness::with_settings(&emulator, KEY, |s| {
        s.timestamps = TimestampType::Unspecified;
    });
    let (speaker, face) = h.spawn_speaker("Dennis");
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let pp = Viseme::Pp.index();
    let (mut closure, mut shapes) = (0.0f32, std::collections::BTreeSet::new());
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        closure = closure.max(h.morphs(face)[pp]);
        let mouth = h.mouth(speaker);
        if mouth.weights.get(mouth.viseme) > 0.5 {
            shapes.insert(mouth.viseme.index());
        }
    }
    // A loudness-only mouth never closes the lips; shapes read from the sound do.
    assert!(
        closure > 0.5,
        "the lips closed for the b's and m: {closure}"
    );
    assert!(shapes.len() >= 5, "{shapes:?}");
    let asked = emulator.requests();
    let body = asked
        .last()
        .and_then(|r| r.body.clone())
        .expect("a request");
    assert_ne!(
        body["timestampType"], "WORD",
        "no timing was asked for: {body}"
    );
}

#[test]
fn text_streamed_in_pieces_is_spoken_sentence_by_sentence_as_one_line() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face) = h.spawn_speaker("Dennis");
    let feed = h.app.world_mut().commands().entity(speaker).say_stream();
    h.frame(Duration::ZERO);
    // Tokens as an LLM sends them. The blank after "mat." completes the first sentence, which
    // is heard while the rest is still being written.
    for token in ["Bob sat", " on a big", " red mat.", " And then"] {
        feed.push(token);
        h.frame(Duration::from_millis(10));
    }
    let waited = Instant::now();
    while h.words_of(speaker).is_empty() {
        assert!(
            waited.elapsed() < Duration::from_secs(10),
            "the first sentence was not heard before the text was finished"
        );
        std::thread::sleep(Duration::from_millis(2));
        h.frame(Duration::from_millis(10));
    }
    assert!(!feed.is_finished());
    for token in [" he ate", " a fig."] {
        feed.push(token);
        h.frame(Duration::from_millis(10));
    }
    feed.finish();
    let mut widest = 0.0f32;
    let start = h.now;
    while h.queue(speaker).is_speaking() {
        assert!(
            h.now - start < Duration::from_secs(20),
            "the line did not end"
        );
        std::thread::sleep(Duration::from_millis(1));
        h.frame(Duration::from_millis(10));
        widest = widest.max(h.morphs(face).iter().copied().fold(0.0, f32::max));
    }
    assert_eq!(
        h.words_of(speaker),
        "Bob sat on a big red mat. And then he ate a fig."
            .split(' ')
            .collect::<Vec<_>>(),
        "every word, in order, one line"
    );
    assert!(widest > 0.5);
    let finished = h
        .seen()
        .iter()
        .filter(|s| matches!(s, Seen::Finished(e, _, false) if *e == speaker))
        .count();
    assert_eq!(finished, 1, "one line");
    assert!(h.errors.lock().expect("errors").is_empty());
}

/// Every [`ReplyHeard`] of the app, in order.
fn replies_heard(h: &mut Harness) -> Arc<Mutex<Vec<ReplyHeard>>> {
    let replies: Arc<Mutex<Vec<ReplyHeard>>> = Arc::default();
    let sink = replies.clone();
    h.app.add_observer(move |e: On<ReplyHeard>| {
        sink.lock().expect("replies").push(e.event().clone());
    });
    replies
}

/// The `messages` of every chat request the emulator received, as (role, content).
fn chat_requests(emulator: &bevy_lipsync::emulator::EmulatorHandle) -> Vec<Vec<(String, String)>> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/v1/chat/completions")
        .map(|r| {
            r.body.as_ref().expect("json")["messages"]
                .as_array()
                .expect("messages")
                .iter()
                .map(|m| {
                    (
                        m["role"].as_str().unwrap_or_default().to_owned(),
                        m["content"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .collect()
}

/// `speaker` replies to `player`.
fn reply(h: &mut Harness, speaker: Entity, player: &str) -> LineId {
    h.app
        .world_mut()
        .commands()
        .entity(speaker)
        .reply_to(player)
}

/// The one error a reply fails with at once (no persona, no key).
fn reply_error(h: &mut Harness, speaker: Entity) -> String {
    reply(h, speaker, "Hello?");
    for _ in 0..3 {
        h.frame(Duration::from_millis(10));
    }
    let errors = h.errors.lock().expect("errors").clone();
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors[0].to_string()
}

fn spawn_persona(h: &mut Harness, voice: &str) -> Entity {
    let (speaker, _face) = h.spawn_speaker(voice);
    h.app
        .world_mut()
        .entity_mut(speaker)
        .insert(Persona::new("You are Mira, the innkeeper."));
    speaker
}

/// Plays 10 ms frames (with a little wall time for the runtime) until `speaker` is quiet.
fn converse_out(h: &mut Harness, speaker: Entity) {
    let start = h.now;
    loop {
        std::thread::sleep(Duration::from_millis(1));
        h.frame(Duration::from_millis(10));
        let queue = h.queue(speaker);
        if !queue.is_speaking() && queue.waiting() == 0 {
            break;
        }
        assert!(
            h.now - start < Duration::from_secs(30),
            "the reply did not end"
        );
    }
}

#[test]
fn a_two_turn_conversation_remembers_what_was_heard() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let replies = replies_heard(&mut h);
    let speaker = spawn_persona(&mut h, "Ashley");
    emulator.push_chat_reply("Welcome to the Prancing Pony. Rooms are two coins.");
    emulator.push_chat_reply("Up the stairs, second door.");

    let first = reply(&mut h, speaker, "Hello there.");
    converse_out(&mut h, speaker);
    let words = h.words_of(speaker);
    assert_eq!(
        words,
        "Welcome to the Prancing Pony. Rooms are two coins."
            .split(' ')
            .collect::<Vec<_>>()
    );
    reply(&mut h, speaker, "Where is my room?");
    converse_out(&mut h, speaker);

    let replies = replies.lock().expect("replies").clone();
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert_eq!(replies[0].line, first);
    assert_eq!(replies[0].player, "Hello there.");
    assert_eq!(
        replies[0].heard,
        "Welcome to the Prancing Pony. Rooms are two coins."
    );
    assert!(!replies[0].interrupted);
    assert_eq!(replies[1].heard, "Up the stairs, second door.");
    // The line's text is written as it is spoken: the events and subtitles show the reply.
    let finished: Vec<String> = h
        .seen()
        .iter()
        .filter_map(|s| match s {
            Seen::Finished(e, text, false) if *e == speaker => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        finished,
        [
            "Welcome to the Prancing Pony. Rooms are two coins.",
            "Up the stairs, second door."
        ]
    );
    // The second request carried the first exchange as heard.
    let requests = chat_requests(&emulator);
    assert_eq!(requests.len(), 2);
    let roles: Vec<&str> = requests[1].iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    assert_eq!(requests[1][2].1, replies[0].heard);
    assert_eq!(requests[1][3].1, "Where is my room?");
    // Both turns went over one WebSocket, a context each.
    assert_eq!(emulator.socket_counts(), (2, 1));
    assert!(h.errors.lock().expect("errors").is_empty());
}

#[test]
fn barging_in_silences_the_reply_and_remembers_only_the_heard_words() {
    let emulator = emulator();
    // Audio that still arrives for the closed context is loud, so any of it played shows.
    emulator.set_socket_late_audio(true);
    emulator.set_pacing(bevy_lipsync::emulator::Pacing {
        first_chunk_delay: Duration::from_millis(10),
        real_time_factor: 3.0,
        chunk_duration: Duration::from_millis(100),
    });
    let mut h = Harness::with_settings(&emulator, KEY, |s| {
        s.buffer = Duration::from_millis(500);
    });
    let replies = replies_heard(&mut h);
    let speaker = spawn_persona(&mut h, "Ashley");
    let long = "Once upon a time there was a miller with three sons. The eldest took the mill, \
                the second the donkey, and the youngest only the cat. He sat down and wept.";
    emulator.push_chat_reply(long);
    emulator.push_chat_reply("Yes?");
    reply(&mut h, speaker, "Tell me a story.");
    // Into the reply: a few words heard.
    let start = h.now;
    while h.words_of(speaker).len() < 6 {
        std::thread::sleep(Duration::from_millis(1));
        h.frame(Duration::from_millis(10));
        assert!(
            h.now - start < Duration::from_secs(20),
            "the reply never started"
        );
    }
    let heard_before: Vec<String> = h.words_of(speaker);
    // The player cuts in; the next reply's first token is 300 ms away.
    emulator.set_chat_pace(Duration::from_millis(300), Duration::from_millis(10));
    reply(&mut h, speaker, "Wait!");
    h.frame(Duration::from_millis(10));
    let cut = h.heard.len();
    let started_before = h
        .seen()
        .iter()
        .filter(|s| matches!(s, Seen::Started(e, _) if *e == speaker))
        .count();
    let mut quiet_until = cut;
    loop {
        std::thread::sleep(Duration::from_millis(1));
        let before = h.heard.len();
        h.frame(Duration::from_millis(10));
        let started = h
            .seen()
            .iter()
            .filter(|s| matches!(s, Seen::Started(e, _) if *e == speaker))
            .count();
        if started > started_before {
            break;
        }
        quiet_until = before;
        assert!(
            h.now - start < Duration::from_secs(30),
            "the new reply never started"
        );
    }
    // One block of fade, then silence until the new reply: no sample of the old context.
    let after_fade = cut + BLOCK;
    assert!(quiet_until > after_fade + 10 * BLOCK, "a window to check");
    let loudest = h.heard[after_fade..quiet_until]
        .iter()
        .fold(0.0f32, |m, x| m.max(x.abs()));
    assert_eq!(loudest, 0.0, "old audio played after the fade");
    converse_out(&mut h, speaker);

    let replies = replies.lock().expect("replies").clone();
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(replies[0].interrupted);
    assert_eq!(
        replies[0].heard,
        heard_before.join(" "),
        "exactly the words heard"
    );
    assert!(long.starts_with(&replies[0].heard) && replies[0].heard.len() < long.len());
    assert_eq!(replies[1].heard, "Yes?");
    let requests = chat_requests(&emulator);
    assert_eq!(
        requests[1][2],
        ("assistant".into(), replies[0].heard.clone())
    );
}

#[test]
fn two_npcs_replying_at_once_on_one_connection_keep_their_words_apart() {
    let emulator = emulator();
    emulator.set_pacing(bevy_lipsync::emulator::Pacing {
        first_chunk_delay: Duration::from_millis(10),
        real_time_factor: 4.0,
        chunk_duration: Duration::from_millis(100),
    });
    let mut h = Harness::new(&emulator, KEY);
    let mira = spawn_persona(&mut h, "Ashley");
    let tom = spawn_persona(&mut h, "Dennis");
    reply(&mut h, mira, "Hello Mira.");
    reply(&mut h, tom, "Bread please.");
    let start = h.now;
    while h.queue(mira).is_speaking() || h.queue(tom).is_speaking() || h.now == start {
        std::thread::sleep(Duration::from_millis(1));
        h.frame(Duration::from_millis(10));
        assert!(
            h.now - start < Duration::from_secs(40),
            "the replies did not end"
        );
    }
    // The emulator's made-up reply repeats the player's line: each NPC has only its own.
    let expect = |line: &str| -> Vec<String> {
        format!(
            "Well met, traveller! You said: {line} The road north is closed, so rest here \
             tonight. We leave at dawn."
        )
        .split(' ')
        .map(str::to_owned)
        .collect()
    };
    assert_eq!(h.words_of(mira), expect("Hello Mira."));
    assert_eq!(h.words_of(tom), expect("Bread please."));
    assert_eq!(emulator.socket_counts(), (2, 1));
    assert!(h.errors.lock().expect("errors").is_empty());
}

#[test]
fn reply_to_without_a_key_says_what_is_missing() {
    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, |s| s.inworld = InworldSetting::Disabled);
    let speaker = spawn_persona(&mut h, "Ashley");
    let error = reply_error(&mut h, speaker);
    assert!(
        error.contains("INWORLD_API_KEY") && error.contains("say_stream"),
        "{error}"
    );
    assert_eq!(emulator.count_requests("/v1/chat/completions"), 0);
}

#[test]
fn reply_to_without_a_persona_says_what_to_add() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Ashley");
    let error = reply_error(&mut h, speaker);
    assert!(error.contains("Persona::new"), "{error}");
}
