use super::*;
use crate::phone::{Phone, PhoneClass};

/// Sentences for the timing-truth checks: statements, questions, numbers, pauses, tags.
const SENTENCES: &[&str] = &[
    "Hello, world! Nice to meet you.",
    "The quick brown fox jumps over the lazy dog.",
    "Welcome to the village, stranger.",
    "Did you see that?",
    "I have a sword, a shield, and three potions.",
    "Dr. Smith paid $3.50 at 10:45.",
    "Meet me at the old mill when the moon is high.",
    "We leave at dawn; bring your map.",
    "Are you ready to go?",
    "My name is Anna, and this is my brother Tom.",
    "The dragon sleeps beneath the mountain.",
    "Gold, silver, and bronze lie in the chest.",
    "Please wait here. <break time=\"400ms\"/> I will return.",
    "Why would anyone live so far from town?",
    "Thank you very much for your help.",
    "It costs twenty coins, not a penny less.",
    "On the 1st of May, 2024, the king was crowned.",
    "Look out behind you!",
    "She sells sea shells by the sea shore.",
    "Open the gate and let them in.",
    "Can you hear the bells ringing in the valley?",
    "The night is dark and full of wonder.",
    "Nobody knows where the old road leads.",
    "Run, hide, and do not look back.",
    "This potion will heal your wounds.",
    "How many apples did you buy at the market?",
    "Follow the river north until you reach the bridge.",
    "Our ship sails at noon, so do not be late.",
    "The wizard lives in a tower made of glass.",
    "Well done, my friend. You have earned a rest.",
    "Seven bridges cross the river in the old city.",
    "Mind the gap between the train and the platform.",
];

fn speech(text: &str, voice: OfflineVoice, rate: u32) -> (Vec<i16>, AlignmentUpdate, Vec<u64>) {
    let speech = OfflineSpeech::new(text, voice, 1.0, rate).expect("speakable");
    let changes = speech.target_changes().collect();
    let (pcm, timeline) = speech.render_all();
    (pcm, timeline, changes)
}

fn rms(pcm: &[i16]) -> f64 {
    if pcm.is_empty() {
        return 0.0;
    }
    let sum: f64 = pcm.iter().map(|&s| (f64::from(s) / 32_768.0).powi(2)).sum();
    (sum / pcm.len() as f64).sqrt()
}

/// The phone of a timeline symbol, stress digit stripped.
fn phone_of(symbol: &str) -> Phone {
    let base = symbol.trim_end_matches(['0', '1', '2']);
    let base = if base == "ɚ" { "ɝ" } else { base };
    Phone::ALL
        .into_iter()
        .find(|p| p.ipa() == base)
        .unwrap_or_else(|| panic!("unknown symbol {symbol}"))
}

#[test]
fn the_same_text_gives_the_same_bits() {
    for voice in OfflineVoice::ALL {
        let a = speech(SENTENCES[5], voice, 24_000);
        let b = speech(SENTENCES[5], voice, 24_000);
        assert_eq!(a.0, b.0);
        assert_eq!(a.1, b.1);
    }
    let slower = OfflineSpeech::new(SENTENCES[5], OfflineVoice::Male, 0.8, 24_000).expect("ok");
    assert!(slower.frames() > speech(SENTENCES[5], OfflineVoice::Male, 24_000).0.len() as u64);
}

#[test]
fn voiced_phones_carry_energy_and_pauses_are_silent() {
    let rate = 16_000;
    let mut voiced_checked = 0;
    let mut pauses_checked = 0;
    for (i, text) in SENTENCES.iter().enumerate() {
        let voice = OfflineVoice::ALL[i % 2];
        let (pcm, timeline, _) = speech(text, voice, rate);
        assert!(
            timeline
                .words
                .last()
                .is_some_and(|w| w.span.end.0 < pcm.len() as u64)
        );
        for phone in &timeline.phones {
            let p = phone_of(&phone.symbol);
            let sonorant = p.is_vowel()
                || matches!(
                    p.class(),
                    PhoneClass::Nasal | PhoneClass::Liquid | PhoneClass::Glide
                );
            if !sonorant {
                continue;
            }
            let (a, b) = (phone.span.start.0 as usize, phone.span.end.0 as usize);
            let quarter = (b - a) / 4;
            let level = rms(&pcm[a + quarter..b - quarter]);
            assert!(
                level > 0.02,
                "{text:?}: {} at {a}..{b} is quiet ({level:.4})",
                phone.symbol
            );
            voiced_checked += 1;
        }
        // Leading silence, and every gap between words (pauses and breaks): silent once the
        // last sound has died away (20 ms).
        let mut gaps = vec![(0, timeline.words[0].span.start.0 as usize)];
        for pair in timeline.words.windows(2) {
            gaps.push((pair[0].span.end.0 as usize, pair[1].span.start.0 as usize));
        }
        let settle = rate as usize / 50;
        for (a, b) in gaps {
            if b < a + 2 * settle {
                continue;
            }
            let level = rms(&pcm[a + settle..b - settle / 2]);
            assert!(
                level < 0.002,
                "{text:?}: the pause at {a}..{b} sounds ({level:.4})"
            );
            pauses_checked += 1;
        }
    }
    assert!(voiced_checked > 300, "{voiced_checked}");
    assert!(pauses_checked > 40, "{pauses_checked}");
}

#[test]
fn phone_boundaries_are_where_the_synthesiser_changes_targets() {
    for rate in [16_000, 24_000, 44_100] {
        for text in &SENTENCES[..8] {
            let (pcm, timeline, changes) = speech(text, OfflineVoice::Male, rate);
            assert!(!timeline.phones.is_empty());
            for phone in &timeline.phones {
                assert!(
                    changes.binary_search(&phone.span.start.0).is_ok(),
                    "{text:?} at {rate} Hz: {} starts at {} with no target change",
                    phone.symbol,
                    phone.span.start.0
                );
            }
            // Phones of a word are back to back, and words lie inside the audio.
            for pair in timeline.phones.windows(2) {
                if pair[0].word == pair[1].word {
                    assert_eq!(pair[0].span.end, pair[1].span.start);
                }
            }
            for word in &timeline.words {
                assert!(word.span.end.0 <= pcm.len() as u64 && !word.span.is_empty());
            }
        }
    }
}

#[test]
fn chunks_add_up_to_the_whole_utterance() {
    let text = SENTENCES[12];
    let mut stream = OfflineSpeech::new(text, OfflineVoice::Female, 1.1, 48_000).expect("ok");
    let whole = stream.clone().render_all();
    let mut pcm = Vec::new();
    let mut merged = lipsync_core::alignment::Alignment::default();
    let mut chunks = 0;
    while let Some(chunk) = stream.next_chunk() {
        assert_eq!(chunk.start.0, pcm.len() as u64);
        assert!(chunk.pcm.len() as f64 <= CHUNK_SECONDS * 48_000.0 + 1.0);
        for word in &chunk.alignment.words {
            assert!(word.span.start.0 < chunk.start.0 + chunk.pcm.len() as u64);
        }
        pcm.extend_from_slice(&chunk.pcm);
        merged.apply(chunk.alignment);
        chunks += 1;
    }
    assert!(chunks > 10);
    assert_eq!(pcm, whole.0);
    assert_eq!(merged.words, whole.1.words);
    assert_eq!(merged.phones, whole.1.phones);
}

#[test]
fn bad_requests_say_what_to_change() {
    for text in ["", "   ", "[happy]", "<break time=\"1s\"/>", "...!?"] {
        let error = OfflineSpeech::new(text, OfflineVoice::Male, 1.0, 24_000).expect_err(text);
        assert_eq!(error, OfflineError::NothingToSay, "{text:?}");
    }
    assert_eq!(
        OfflineSpeech::new("Hi", OfflineVoice::Male, 2.0, 24_000).expect_err("rate"),
        OfflineError::SpeakingRate(2.0)
    );
    assert_eq!(
        OfflineSpeech::new("Hi", OfflineVoice::Male, 1.0, 96_000).expect_err("rate"),
        OfflineError::SampleRate(96_000)
    );
    // A lone non-verbal is sound without words.
    let laugh = OfflineSpeech::new("[laugh]", OfflineVoice::Male, 1.0, 16_000).expect("a laugh");
    let (pcm, timeline) = laugh.render_all();
    assert!(timeline.words.is_empty() && timeline.phones.is_empty());
    assert!(rms(&pcm) > 0.01);
}

/// The words of `text` as the timeline reports them, each with its phone symbols.
fn words_and_phones(text: &str) -> Vec<(String, String)> {
    let speech = OfflineSpeech::new(text, OfflineVoice::Male, 1.0, 16_000).expect("speakable");
    let timeline = speech.timeline();
    timeline
        .words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let phones: Vec<&str> = timeline
                .phones
                .iter()
                .filter(|p| p.word == i)
                .map(|p| p.symbol.as_str())
                .collect();
            (word.text.to_string(), phones.join(" "))
        })
        .collect()
}

#[test]
fn the_front_end_reads_numbers_abbreviations_heteronyms_and_tags() {
    // Hand-checked General American readings; words keep their punctuation, as Inworld's do.
    let table: &[(&str, &[(&str, &str)])] = &[
        (
            "Dr. Smith paid $3.50 at 10:45.",
            &[
                ("Dr.", "d ɑ1 k t ɚ"),
                ("Smith", "s m ɪ1 θ"),
                ("paid", "p eɪ1 d"),
                ("$3.50", "θ ɹ i1 d ɑ1 l ɚ z ə n d f ɪ1 f t i s ɛ1 n t s"),
                ("at", "ə t"),
                ("10:45.", "t ɛ1 n f ɔ1 ɹ t i f aɪ1 v"),
            ],
        ),
        (
            "The 1st and 21st of May.",
            &[
                ("The", "ð ə"),
                ("1st", "f ɝ1 s t"),
                ("and", "ə n d"),
                ("21st", "t w ɛ1 n t i f ɝ1 s t"),
                ("of", "ə v"),
                ("May.", "m eɪ1"),
            ],
        ),
        (
            "I have read it.",
            &[
                ("I", "aɪ"),
                ("have", "h ə v"),
                ("read", "ɹ ɛ1 d"),
                ("it.", "ɪ1 t"),
            ],
        ),
        (
            "I will read",
            &[("I", "aɪ"), ("will", "w ɪ l"), ("read", "ɹ i1 d")],
        ),
        (
            "Lead the way, it is made of lead.",
            &[
                ("Lead", "l i1 d"),
                ("the", "ð ə"),
                ("way,", "w eɪ1"),
                ("it", "ɪ t"),
                ("is", "ɪ z"),
                ("made", "m eɪ1 d"),
                ("of", "ə v"),
                ("lead.", "l ɛ1 d"),
            ],
        ),
        (
            "They live here. A live show.",
            &[
                ("They", "ð eɪ"),
                ("live", "l ɪ1 v"),
                ("here.", "h ɪ1 ɹ"),
                ("A", "ə"),
                ("live", "l aɪ1 v"),
                ("show.", "ʃ oʊ1"),
            ],
        ),
        // Tags are not words: the style tag and the break are silent, the laugh has no phones.
        (
            "[happy] Hello <break time=\"300ms\"/> there! [laugh]",
            &[("Hello", "h ə l oʊ1"), ("there!", "ð ɛ1 ɹ")],
        ),
        (
            "Mr. Jones lives on Elm St.",
            &[
                ("Mr.", "m ɪ1 s t ɚ"),
                ("Jones", "dʒ oʊ1 n z"),
                ("lives", "l ɪ1 v z"),
                ("on", "ɑ n"),
                ("Elm", "ɛ1 l m"),
                ("St.", "s t ɹ i1 t"),
            ],
        ),
    ];
    for (text, expected) in table {
        let got = words_and_phones(text);
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(w, p)| ((*w).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(got, expected, "{text:?}");
    }
}

#[test]
fn a_break_is_silence_of_its_length_and_a_laugh_is_sound_without_phones() {
    let rate = 16_000;
    let plain = OfflineSpeech::new("Hello there!", OfflineVoice::Male, 1.0, rate).expect("ok");
    let broken = OfflineSpeech::new(
        "Hello <break time=\"500ms\"/> there!",
        OfflineVoice::Male,
        1.0,
        rate,
    )
    .expect("ok");
    let gap = |s: &OfflineSpeech| {
        let w = &s.timeline().words;
        w[1].span.start.0 - w[0].span.end.0
    };
    assert_eq!(gap(&plain), 0, "no pause between the words without a break");
    assert_eq!(gap(&broken), u64::from(rate) / 2);
    let laughing =
        OfflineSpeech::new("Hello [laugh] there!", OfflineVoice::Male, 1.0, rate).expect("ok");
    let (a, b) = {
        let w = &laughing.timeline().words;
        (w[0].span.end.0 as usize, w[1].span.start.0 as usize)
    };
    assert!(
        b - a > rate as usize / 4,
        "the laugh takes time between the words"
    );
    assert!(
        laughing
            .timeline()
            .phones
            .iter()
            .all(|p| p.span.end.0 as usize <= a || p.span.start.0 as usize >= b)
    );
    let (pcm, _) = laughing.render_all();
    assert!(rms(&pcm[a..b]) > 0.01, "the laugh is heard");
}

#[test]
fn the_lexicon_reads_words_aloud_for_lipsync() {
    use lipsync_core::{Viseme, Viseme::*, read_aloud, spell};
    let aloud = |text: &str| -> Vec<Viseme> {
        read_aloud(text, &crate::Lexicon)
            .iter()
            .filter_map(|s| s.viseme)
            .collect()
    };
    // Silent letters and digraphs spelling misreads, and a heteronym read from its neighbours.
    assert_eq!(aloud("knight"), [Nn, Aa, Ih, Dd]);
    assert_eq!(aloud("phone"), [Ff, Oh, Ou, Nn]);
    assert_eq!(spell("knight")[0].viseme, Some(Kk), "spelling reads the k");
    assert_eq!(aloud("I read books"), aloud("I reed books"));
    assert_ne!(aloud("I have read it"), aloud("I have reed it"));
    // Words with other letters are spelled.
    assert_eq!(read_aloud("café", &crate::Lexicon)[..], spell("café")[..]);
}
