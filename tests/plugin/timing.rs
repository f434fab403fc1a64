//! When the mouth shows what: calibration, the first heard sample, output stalls and the render latency.

use super::*;

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
            output: OutputMode::Manual(OutputConfig::default()),
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
