//! Whole-text tests: inputs with their tokens, words and pauses ([`readings`]); and property
//! tests that any input reads without panicking into well-formed segments ([`properties`]).

mod properties;
mod readings;

use super::*;

/// A compact rendering: `text=spoken` for tokens (letters in capitals), punctuation-like marks
/// for the rest.
pub(super) fn render(text: &str) -> String {
    let parts: Vec<String> = normalize(text)
        .iter()
        .map(|segment| match segment {
            Segment::Token(token) => {
                let words: Vec<String> = token
                    .words
                    .iter()
                    .map(|word| match word {
                        SpokenWord::Word(word) => word.clone(),
                        SpokenWord::Letter(letter) => letter.to_ascii_uppercase().to_string(),
                    })
                    .collect();
                format!("{}={}", token.text(text), words.join(" "))
            }
            Segment::Boundary(b) => match b.kind {
                BoundaryKind::Comma => ",".into(),
                BoundaryKind::Clause => ";".into(),
                BoundaryKind::Statement => ".".into(),
                BoundaryKind::Question => "?".into(),
                BoundaryKind::Exclamation => "!".into(),
                BoundaryKind::Ellipsis => "...".into(),
                BoundaryKind::Paragraph => "¶".into(),
            },
            Segment::Break { millis } => format!("<{millis}ms>"),
            Segment::NonVerbal(sound) => format!("[{sound:?}]"),
            Segment::Style(style) => format!("[{style:?}]"),
        })
        .collect();
    parts.join(" | ")
}

fn tokens(text: &str) -> Vec<Token> {
    normalize(text)
        .into_iter()
        .filter_map(|segment| match segment {
            Segment::Token(token) => Some(token),
            _ => None,
        })
        .collect()
}

#[test]
fn the_brief_example_word_by_word() {
    let text = "Dr. Smith paid $3.50 at 10:45";
    let word = |w: &str| SpokenWord::Word(w.to_owned());
    let expected = [
        ("Dr.", vec![word("doctor")]),
        ("Smith", vec![word("smith")]),
        ("paid", vec![word("paid")]),
        (
            "$3.50",
            ["three", "dollars", "and", "fifty", "cents"]
                .map(word)
                .to_vec(),
        ),
        ("at", vec![word("at")]),
        ("10:45", ["ten", "forty", "five"].map(word).to_vec()),
    ];
    let segments = normalize(text);
    assert_eq!(segments.len(), expected.len() + 1);
    for (segment, (written, words)) in segments.iter().zip(&expected) {
        let Segment::Token(token) = segment else {
            panic!("expected a token for {written}, got {segment:?}");
        };
        assert_eq!(token.text(text), *written);
        assert_eq!(&token.words, words);
    }
    assert_eq!(
        segments.last(),
        Some(&Segment::Boundary(Boundary {
            kind: BoundaryKind::Statement,
            millis: 450
        }))
    );
}

#[test]
fn letters_are_letters() {
    let [npc] = &tokens("NPC")[..] else {
        panic!("one token")
    };
    assert_eq!(
        npc.words,
        [
            SpokenWord::Letter('n'),
            SpokenWord::Letter('p'),
            SpokenWord::Letter('c')
        ]
    );
    assert_eq!(npc.spoken(), "n p c");
    assert_eq!(SpokenWord::Letter('c').as_str(), "c");
    assert_eq!(SpokenWord::Letter('Z').as_str(), "");
}

#[test]
fn token_ranges_skip_tags() {
    let text = "Hello [laugh] world<break time=\"1s\"/>again [speak softly]end";
    let ranges: Vec<_> = tokens(text).iter().map(|t| t.bytes.clone()).collect();
    assert_eq!(ranges, [0..5, 14..19, 37..42, 57..60]);
    assert_eq!(
        normalize(text),
        [
            Segment::Token(Token {
                bytes: 0..5,
                words: vec![SpokenWord::Word("hello".into())]
            }),
            Segment::NonVerbal(NonVerbal::Laugh),
            Segment::Token(Token {
                bytes: 14..19,
                words: vec![SpokenWord::Word("world".into())]
            }),
            Segment::Break { millis: 1000 },
            Segment::Token(Token {
                bytes: 37..42,
                words: vec![SpokenWord::Word("again".into())]
            }),
            Segment::Token(Token {
                bytes: 57..60,
                words: vec![SpokenWord::Word("end".into())]
            }),
            Segment::Boundary(Boundary::new(BoundaryKind::Statement)),
        ]
    );
}

#[test]
fn ranges_keep_attached_punctuation() {
    let text = "\"Hello,\" she said... (really) 10:45. don't";
    let written: Vec<&str> = tokens(text).iter().map(|t| t.text(text)).collect();
    assert_eq!(
        written,
        [
            "\"Hello,\"",
            "she",
            "said...",
            "(really)",
            "10:45.",
            "don't"
        ]
    );
}

#[test]
fn boundaries_merge_and_pause() {
    let kinds = |text: &str| -> Vec<(BoundaryKind, u32)> {
        normalize(text)
            .into_iter()
            .filter_map(|segment| match segment {
                Segment::Boundary(b) => Some((b.kind, b.millis)),
                _ => None,
            })
            .collect()
    };
    use BoundaryKind::*;
    assert_eq!(
        kinds("a, b; c: d. e? f! g... h"),
        [
            (Comma, 200),
            (Clause, 300),
            (Clause, 300),
            (Statement, 450),
            (Question, 450),
            (Exclamation, 450),
            (Ellipsis, 500),
            (Statement, 450)
        ]
    );
    // A blank line after a question keeps the question and takes the paragraph's pause.
    assert_eq!(
        kinds("Are you there?\n\nYes"),
        [(Question, 700), (Statement, 450)]
    );
    assert_eq!(
        kinds("Title\n\n\nText"),
        [(Paragraph, 700), (Statement, 450)]
    );
    assert_eq!(kinds("Wait?!"), [(Question, 450)]);
    assert_eq!(kinds("One. Two. Three"), [(Statement, 450); 3]);
    assert_eq!(kinds("No punctuation"), [(Statement, 450)]);
    // Only punctuation: the pause alone.
    assert_eq!(kinds("..."), [(Ellipsis, 500)]);
    assert_eq!(kinds(" - "), [(Comma, 200)]);
}

#[test]
fn nothing_to_say() {
    for text in [
        "",
        "   ",
        "\n\n\t",
        "[speak softly]",
        "<speak></speak>",
        "日本語",
        "\u{1F600}",
    ] {
        assert_eq!(normalize(text), [], "{text:?}");
    }
    assert_eq!(
        normalize("[sigh]"),
        [
            Segment::NonVerbal(NonVerbal::Sigh),
            Segment::Boundary(Boundary::new(BoundaryKind::Statement))
        ]
    );
    assert_eq!(
        normalize("<break time=\"250ms\"/>"),
        [
            Segment::Break { millis: 250 },
            Segment::Boundary(Boundary::new(BoundaryKind::Statement))
        ]
    );
}
