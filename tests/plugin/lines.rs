//! Lines on speakers: queued, interrupted, two speakers at once, and the speaker despawned, removed or changed under a line.

use super::*;

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
