//! What depends on the TTS service: rejected keys and their errors, timestamp types, gateway voices.

use super::*;
use bevy_lipsync::inworld::InworldError;

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

#[test]
fn gateway_voices_play_their_downloaded_audio_and_a_refused_key_fails_the_line_clearly() {
    use bevy_lipsync::gateway::GatewayConfig;

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
