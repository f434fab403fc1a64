//! Events of a line: started, words, shapes and finished, in order, each carrying its line id; the mouth following the heard phones.

use super::*;
use bevy_lipsync::emulator::render_tones;
use bevy_lipsync::lipsync::{PhoneVisemes, phone_visemes};
use bevy_lipsync::plugin::FramePacing;

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
