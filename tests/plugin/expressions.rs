//! Expressions: blinks, emotions and markups.

use super::*;

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
