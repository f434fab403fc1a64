//! Text streamed in pieces with `say_stream`.

use super::*;

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
