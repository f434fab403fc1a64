//! Property tests: generated text of every kind reads into well-formed segments.

use super::super::*;

/// A small deterministic generator (xorshift64*), so the property test needs no crates.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Fragments that exercise every path, glued with random characters.
const FRAGMENTS: &[&str] = &[
    "Dr.",
    "St.",
    "Mr",
    "e.g.",
    "U.S.",
    "p.m.",
    "No.",
    "$",
    "£",
    "€",
    "¢",
    "%",
    "#",
    "@",
    "&",
    "+",
    "=",
    "-",
    "−",
    "–",
    "—",
    "--",
    "...",
    "…",
    ".",
    ",",
    ";",
    ":",
    "?",
    "!",
    "(",
    ")",
    "\"",
    "'",
    "’",
    "[",
    "]",
    "<",
    ">",
    "/",
    "0",
    "1",
    "12",
    "1,234",
    "3.14",
    "10:45",
    "7:30pm",
    "1st",
    "1980s",
    "'90s",
    "555-1234",
    "2024-03-15",
    "1/2",
    "5km",
    "NPC",
    "NPCs",
    "OK",
    "I",
    "A",
    "II",
    "café",
    "naïve",
    "e\u{301}",
    "ß",
    "hello",
    "World",
    "don't",
    "\n",
    "\n\n",
    " ",
    "\t",
    "\r\n",
    "日本",
    "\u{1F600}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{202E}",
    "<break",
    " time=",
    "\"300ms\"",
    "/>",
    "<speak>",
];

/// Tags with known meaning: the property test checks no token ever covers one.
const TAGS: &[&str] = &[
    "[laugh]",
    "[happy]",
    "[speak softly]",
    "<break time=\"300ms\"/>",
    "<break time='2s' />",
];

fn random_text(rng: &mut XorShift) -> (String, Vec<std::ops::Range<usize>>) {
    let mut text = String::new();
    let mut tags = Vec::new();
    for _ in 0..rng.below(40) {
        match rng.below(10) {
            0 => {
                let tag = TAGS[rng.below(TAGS.len())];
                tags.push(text.len()..text.len() + tag.len());
                text.push_str(tag);
            }
            1..=3 => {
                // Any scalar value, weighted towards the low planes.
                let limit = [0x80, 0x800, 0x1_0000, 0x11_0000][rng.below(4)];
                if let Some(c) = char::from_u32(rng.below(limit) as u32) {
                    text.push(c);
                }
            }
            _ => text.push_str(FRAGMENTS[rng.below(FRAGMENTS.len())]),
        }
    }
    (text, tags)
}

/// What every reading must be, whatever the text.
fn check_well_formed(text: &str, tags: &[std::ops::Range<usize>], segments: &[Segment]) {
    let mut last_end = 0;
    for segment in segments {
        match segment {
            Segment::Token(token) => {
                let bytes = &token.bytes;
                assert!(
                    bytes.start < bytes.end && bytes.end <= text.len(),
                    "{bytes:?} in {text:?}"
                );
                assert!(
                    text.is_char_boundary(bytes.start) && text.is_char_boundary(bytes.end),
                    "{text:?}"
                );
                assert!(bytes.start >= last_end, "overlap at {bytes:?} in {text:?}");
                last_end = bytes.end;
                for tag in tags {
                    assert!(
                        bytes.end <= tag.start || bytes.start >= tag.end,
                        "{bytes:?} covers tag {tag:?} in {text:?}"
                    );
                }
                assert!(!token.words.is_empty(), "{text:?}");
                for word in &token.words {
                    match word {
                        SpokenWord::Word(w) => assert!(
                            !w.is_empty()
                                && w.bytes().all(|b| b.is_ascii_lowercase() || b == b'\'')
                                && w.bytes().any(|b| b.is_ascii_lowercase()),
                            "{w:?} in {text:?}"
                        ),
                        SpokenWord::Letter(l) => {
                            assert!(l.is_ascii_lowercase(), "{l:?} in {text:?}")
                        }
                    }
                }
            }
            Segment::Break { millis } => assert!(*millis <= 10_000),
            Segment::Boundary(b) => assert!(b.millis >= b.kind.nominal_millis()),
            Segment::NonVerbal(_) | Segment::Style(_) => {}
        }
    }
    for pair in segments.windows(2) {
        assert!(
            !matches!(pair, [Segment::Boundary(_), Segment::Boundary(_)]),
            "adjacent boundaries in {text:?}"
        );
    }
    if let Some(last) = segments.last() {
        assert!(
            matches!(last, Segment::Boundary(_)),
            "{text:?} ends with {last:?}"
        );
    }
}

#[test]
fn any_text_reads_into_well_formed_segments() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        let (text, tags) = random_text(&mut rng);
        let segments = normalize(&text);
        check_well_formed(&text, &tags, &segments);
        assert_eq!(segments, normalize(&text), "not deterministic for {text:?}");
    }
}

#[test]
fn random_bytes_as_text() {
    let mut rng = XorShift(42);
    for _ in 0..5_000 {
        let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        check_well_formed(&text, &[], &normalize(&text));
    }
}

#[test]
fn long_text() {
    let mut rng = XorShift(7);
    let mut text = String::new();
    while text.len() < 10_000 {
        text.push_str(&random_text(&mut rng).0);
        text.push(' ');
    }
    let segments = normalize(&text);
    check_well_formed(&text, &[], &segments);
    let sentence = "Dr. Smith paid $3.50 at 10:45, then left. ".repeat(250);
    let segments = normalize(&sentence);
    check_well_formed(&sentence, &[], &segments);
    assert_eq!(
        segments
            .iter()
            .filter(|s| matches!(s, Segment::Token(_)))
            .count(),
        250 * 8
    );
}
