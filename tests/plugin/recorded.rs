//! Recorded lines (`VoiceLine`): timelines, untimed and transcribed MP3s, corrupt files.

use super::*;
use bevy_lipsync::plugin::LineTiming;

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
