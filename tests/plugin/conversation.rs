//! Conversations: `reply_to` through a `Persona`.

use super::*;

/// Every [`ReplyHeard`] of the app, in order.
fn replies_heard(h: &mut Harness) -> Arc<Mutex<Vec<ReplyHeard>>> {
    let replies: Arc<Mutex<Vec<ReplyHeard>>> = Arc::default();
    let sink = replies.clone();
    h.app.add_observer(move |e: On<ReplyHeard>| {
        sink.lock().expect("replies").push(e.event().clone());
    });
    replies
}

/// For each [`ReplyHeard`], how many lines had ended (finished or failed) when it came: a
/// reply is reported after its own line's end.
fn line_ends_before_each_reply(h: &mut Harness) -> Arc<Mutex<Vec<usize>>> {
    let ends: Arc<Mutex<usize>> = Arc::default();
    let at_reply: Arc<Mutex<Vec<usize>>> = Arc::default();
    let (finished, failed) = (ends.clone(), ends.clone());
    h.app
        .add_observer(move |_: On<SpeechFinished>| *finished.lock().expect("ends") += 1)
        .add_observer(move |_: On<SpeechFailed>| *failed.lock().expect("ends") += 1);
    let sink = at_reply.clone();
    h.app.add_observer(move |_: On<ReplyHeard>| {
        let ends = *ends.lock().expect("ends");
        sink.lock().expect("replies").push(ends);
    });
    at_reply
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
    let ends_at_reply = line_ends_before_each_reply(&mut h);
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
    // Each reply is reported after its line's end, the one cut short included.
    assert_eq!(*ends_at_reply.lock().expect("ends"), [1, 2]);
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
