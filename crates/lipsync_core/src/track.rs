//! From an utterance's [`Alignment`] to a sorted list of viseme keys.
//!
//! An utterance can carry several kinds of timing at once; they are not mixed. The best source
//! present wins for the whole utterance ([`VisemeSource`], highest first):
//!
//! 1. audio-derived visemes (Inworld's `lipsyncAlignment`),
//! 2. phone symbols (IPA, through [`phone_visemes`]),
//! 3. Inworld's per-phone viseme categories (through [`category_viseme`]),
//! 4. CHARACTER timestamps read aloud ([`read_aloud`], through the lent [`Pronouncer`]),
//! 5. word timestamps, each word's span divided among the shapes it is read as.
//!
//! A source counts as present when at least one of its symbols is recognised, so a provider that
//! starts sending labels this crate cannot read degrades to the next source instead of a frozen
//! mouth. With none of them the track is empty and only audio energy can move the mouth (a later
//! layer). Within the chosen source an unrecognised symbol shows [`Viseme::NEUTRAL`] (a phone
//! with an unknown symbol but a known category shows its category's shape instead), and every
//! distinct unknown symbol is logged once per track ([`UnknownSymbols`]).

use std::collections::BTreeSet;
use std::ops::Range;

use crate::alignment::{Alignment, CharacterMark, FrameOffset, FrameSpan, PhoneMark, VisemeMark};

use super::letters::SpelledViseme;
use super::phoneme::{PhoneVisemes, category_viseme, phone_visemes};
use super::pronounce::{Pronouncer, read_aloud};
use super::viseme::{Viseme, VisemeCategory};

/// Where a key's viseme came from, in priority order (highest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum VisemeSource {
    /// Audio-derived visemes (Inworld's `lipsyncAlignment`).
    Lipsync,
    /// Phone symbols.
    Phones,
    /// Per-phone viseme categories.
    Categories,
    /// CHARACTER timestamps through the letter fallback.
    Characters,
    /// Word timestamps through the letter fallback.
    Words,
}

impl VisemeSource {
    /// Every source, highest priority first.
    pub const PRIORITY: [VisemeSource; 5] = [
        VisemeSource::Lipsync,
        VisemeSource::Phones,
        VisemeSource::Categories,
        VisemeSource::Characters,
        VisemeSource::Words,
    ];

    /// A short name for logs: `"lipsync label"`, `"phone"`, `"viseme category"`, ...
    pub fn symbol_kind(self) -> &'static str {
        match self {
            VisemeSource::Lipsync => "lipsync label",
            VisemeSource::Phones => "phone",
            VisemeSource::Categories => "viseme category",
            VisemeSource::Characters => "character",
            VisemeSource::Words => "letter",
        }
    }
}

/// One viseme shown over a span of the utterance's audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisemeKey {
    /// The shape.
    pub viseme: Viseme,
    /// Where it is heard; never empty in a [`VisemeTrack`].
    pub span: FrameSpan,
    /// What it was read from.
    pub source: VisemeSource,
}

/// The distinct symbols no table recognised, each logged once when first met.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnknownSymbols {
    seen: BTreeSet<String>,
}

impl UnknownSymbols {
    /// Records `symbol`; the first time, logs a warning saying it is shown as `shown`.
    /// Returns whether it was new.
    pub fn report(&mut self, source: VisemeSource, symbol: &str, shown: Viseme) -> bool {
        if self.seen.contains(symbol) {
            return false;
        }
        log::warn!(
            "lipsync: unknown {} {symbol:?}, shown as {shown}",
            source.symbol_kind()
        );
        self.seen.insert(symbol.to_owned());
        true
    }

    /// Whether `symbol` has been reported.
    pub fn contains(&self, symbol: &str) -> bool {
        self.seen.contains(symbol)
    }

    /// Number of distinct symbols reported.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether nothing has been reported.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The reported symbols, in sorted order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(String::as_str)
    }
}

/// The viseme keys of one utterance, and the unknown symbols met while reading it.
///
/// Rebuild it with [`VisemeTrack::update`] as the alignment grows: symbols already reported
/// are not logged again, words and character runs already read aloud are not read again, and
/// the buffers of the last update are reused, so an utterance streamed in many pieces costs
/// little more than one read whole.
#[derive(Clone, Debug, Default)]
pub struct VisemeTrack {
    keys: Vec<VisemeKey>,
    source: Option<VisemeSource>,
    unknown: UnknownSymbols,
    scratch: Scratch,
}

impl PartialEq for VisemeTrack {
    /// Tracks are equal when they hold the same keys from the same source and met the same
    /// unknown symbols, whatever their buffers hold.
    fn eq(&self, other: &Self) -> bool {
        (&self.keys, self.source, &self.unknown) == (&other.keys, other.source, &other.unknown)
    }
}

impl Eq for VisemeTrack {}

/// What one update leaves for the next.
#[derive(Clone, Debug, Default)]
struct Scratch {
    /// The keys of the source being read.
    keys: Vec<VisemeKey>,
    /// Each phone's reading, for the `h` that takes its neighbour's shape.
    readings: Vec<(PhoneVisemes, VisemeSource)>,
    texts: ReadTexts,
}

/// Text read aloud, kept between updates.
#[derive(Clone, Debug, Default)]
struct ReadTexts {
    /// What each word (or run of letters) read as, by position, with the text it was read from.
    read: Vec<(String, Vec<SpelledViseme>)>,
    /// The run of characters being read, and where each character sits in it.
    run_text: String,
    run_bytes: Vec<Range<usize>>,
}

impl ReadTexts {
    /// `text` read aloud as the `index`th word or run: from the last update when it read the
    /// same text there, else afresh.
    fn read(&mut self, index: usize, text: &str, pronouncer: &dyn Pronouncer) -> &[SpelledViseme] {
        if self.read.len() <= index {
            self.read.resize_with(index + 1, Default::default);
        }
        let (read_from, shapes) = &mut self.read[index];
        if read_from != text {
            read_from.clear();
            read_from.push_str(text);
            *shapes = read_aloud(text, pronouncer);
        }
        shapes
    }
}

impl VisemeTrack {
    /// Replaces the keys with those read from `alignment`, choosing the best source present.
    /// Words and characters (the sources without phones) are read aloud through `pronouncer`.
    pub fn update(&mut self, alignment: &Alignment, pronouncer: &dyn Pronouncer) {
        self.keys.clear();
        self.source = None;
        let Scratch {
            keys,
            readings,
            texts,
        } = &mut self.scratch;
        for source in VisemeSource::PRIORITY {
            keys.clear();
            let mut reader = Reader {
                keys: &mut *keys,
                recognised: 0,
                unknown: &mut self.unknown,
            };
            match source {
                VisemeSource::Lipsync => reader.lipsync(&alignment.visemes),
                VisemeSource::Phones => reader.phones(&alignment.phones, readings),
                VisemeSource::Categories => reader.categories(&alignment.phones),
                VisemeSource::Characters => {
                    reader.characters(&alignment.characters, texts, pronouncer)
                }
                VisemeSource::Words => {
                    let words = alignment.words.iter().filter(|w| !w.text.starts_with('['));
                    for (i, word) in words.enumerate() {
                        let shapes = texts.read(i, &word.text, pronouncer);
                        reader.spelled(&word.text, shapes, word.span, source);
                    }
                }
            }
            if reader.recognised > 0 {
                keys.retain(|k| !k.span.is_empty());
                // Stable and nearly sorted already: a linear pass for a streamed utterance.
                keys.sort_by_key(|k| k.span.start);
                std::mem::swap(&mut self.keys, keys);
                self.source = Some(source);
                return;
            }
        }
    }

    /// The keys, sorted by start frame, none empty.
    pub fn keys(&self) -> &[VisemeKey] {
        &self.keys
    }

    /// The source the keys were read from; `None` when the alignment had nothing usable and the
    /// mouth can only follow the audio's energy.
    pub fn source(&self) -> Option<VisemeSource> {
        self.source
    }

    /// The unknown symbols met so far.
    pub fn unknown_symbols(&self) -> &UnknownSymbols {
        &self.unknown
    }
}

/// Reads an utterance's keys from the best source present in `alignment`, reading words and
/// characters aloud through `pronouncer`.
///
/// ```
/// use lipsync_core::alignment::{Alignment, FrameOffset, FrameSpan, VisemeMark};
/// use lipsync_core::{Spelling, Viseme, VisemeSource, build_keys};
///
/// let alignment = Alignment {
///     visemes: vec![VisemeMark {
///         label: "PP".into(),
///         span: FrameSpan::new(FrameOffset(0), FrameOffset(480)),
///     }],
///     ..Default::default()
/// };
/// let track = build_keys(&alignment, &Spelling);
/// assert_eq!(track.source(), Some(VisemeSource::Lipsync));
/// assert_eq!(track.keys()[0].viseme, Viseme::Pp);
/// ```
pub fn build_keys(alignment: &Alignment, pronouncer: &dyn Pronouncer) -> VisemeTrack {
    let mut track = VisemeTrack::default();
    track.update(alignment, pronouncer);
    track
}

/// Collects one source's keys and counts its recognised symbols.
struct Reader<'a> {
    keys: &'a mut Vec<VisemeKey>,
    recognised: usize,
    unknown: &'a mut UnknownSymbols,
}

impl Reader<'_> {
    fn push(&mut self, viseme: Viseme, span: FrameSpan, source: VisemeSource) {
        self.keys.push(VisemeKey {
            viseme,
            span,
            source,
        });
    }

    /// Reports an unknown symbol (empty ones are missing data, not symbols) and returns `shown`.
    fn unknown(&mut self, source: VisemeSource, symbol: &str, shown: Viseme) -> Viseme {
        if !symbol.trim().is_empty() {
            self.unknown.report(source, symbol, shown);
        }
        shown
    }

    fn lipsync(&mut self, marks: &[VisemeMark]) {
        let source = VisemeSource::Lipsync;
        for mark in marks {
            let viseme = match Viseme::from_lipsync_label(&mark.label) {
                Some(v) => {
                    self.recognised += 1;
                    v
                }
                None => self.unknown(source, &mark.label, Viseme::NEUTRAL),
            };
            self.push(viseme, mark.span, source);
        }
    }

    fn phones(&mut self, phones: &[PhoneMark], readings: &mut Vec<(PhoneVisemes, VisemeSource)>) {
        readings.clear();
        readings.extend(
            phones
                .iter()
                .map(|phone| match phone_visemes(&phone.symbol) {
                    Some(visemes) => {
                        self.recognised += 1;
                        (visemes, VisemeSource::Phones)
                    }
                    None => {
                        let category = VisemeCategory::parse(&phone.viseme);
                        let (shown, source) = match category {
                            Some(c) => (category_viseme(c, None), VisemeSource::Categories),
                            None => (Viseme::NEUTRAL, VisemeSource::Phones),
                        };
                        self.unknown(VisemeSource::Phones, &phone.symbol, shown);
                        (PhoneVisemes::Single(shown), source)
                    }
                }),
        );
        for (i, (phone, &(visemes, source))) in phones.iter().zip(readings.iter()).enumerate() {
            match visemes {
                PhoneVisemes::Single(v) => self.push(v, phone.span, source),
                PhoneVisemes::Diphthong {
                    first,
                    second,
                    split,
                } => {
                    let (head, tail) = split_span(phone.span, split);
                    self.push(first, head, source);
                    self.push(second, tail, source);
                }
                PhoneVisemes::Aspirate => self.push(breath_shape(readings, i), phone.span, source),
            }
        }
    }

    fn categories(&mut self, phones: &[PhoneMark]) {
        let source = VisemeSource::Categories;
        for phone in phones {
            let viseme = match VisemeCategory::parse(&phone.viseme) {
                Some(category) => {
                    self.recognised += 1;
                    category_viseme(category, Some(&phone.symbol))
                }
                None => self.unknown(source, &phone.viseme, Viseme::NEUTRAL),
            };
            self.push(viseme, phone.span, source);
        }
    }

    /// Spells each run of letter characters as a word and places its shapes on the spans of the
    /// characters they were read from.
    fn characters(
        &mut self,
        characters: &[CharacterMark],
        texts: &mut ReadTexts,
        pronouncer: &dyn Pronouncer,
    ) {
        let is_letter = |c: &CharacterMark| c.text.chars().any(char::is_alphanumeric);
        let runs = characters
            .split(|c| !is_letter(c))
            .filter(|r| !r.is_empty());
        for (index, run) in runs.enumerate() {
            let (mut text, mut bytes) = (
                std::mem::take(&mut texts.run_text),
                std::mem::take(&mut texts.run_bytes),
            );
            text.clear();
            bytes.clear();
            for c in run {
                let start = text.len();
                text.push_str(&c.text);
                bytes.push(start..text.len());
            }
            let spelled = texts.read(index, &text, pronouncer);
            // Shapes read from the same letters (`x` is KK then SS) share those letters' span.
            for group in spelled.chunk_by(|a, b| a.letters == b.letters) {
                let letters = &group[0].letters;
                let mut covering = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.start < letters.end && letters.start < r.end)
                    .map(|(i, _)| i);
                let Some(first) = covering.next() else {
                    continue;
                };
                let last = covering.next_back().unwrap_or(first);
                let span = FrameSpan::new(run[first].span.start, run[last].span.end);
                self.spelled(&text, group, span, VisemeSource::Characters);
            }
            (texts.run_text, texts.run_bytes) = (text, bytes);
        }
    }

    /// Divides `span` among `shapes` by weight.
    fn spelled(
        &mut self,
        text: &str,
        shapes: &[SpelledViseme],
        span: FrameSpan,
        source: VisemeSource,
    ) {
        let pieces = divide(span, shapes.iter().map(|s| s.weight));
        for (shape, piece) in shapes.iter().zip(pieces) {
            let viseme = match shape.viseme {
                Some(v) => {
                    self.recognised += 1;
                    v
                }
                None => {
                    let symbol = text.get(shape.letters.clone()).unwrap_or(text);
                    self.unknown(source, symbol, Viseme::NEUTRAL)
                }
            };
            self.push(viseme, piece, source);
        }
    }
}

/// The shape of an `h`: the next phone's vowel, else the previous phone's, else neutral.
fn breath_shape(readings: &[(PhoneVisemes, VisemeSource)], i: usize) -> Viseme {
    let vowel = |v: &Viseme| v.is_vowel();
    let next = readings.get(i + 1).and_then(|r| r.0.first()).filter(vowel);
    let prev = i.checked_sub(1).and_then(|j| readings.get(j));
    let prev = prev.and_then(|r| r.0.last()).filter(vowel);
    next.or(prev).unwrap_or(Viseme::NEUTRAL)
}

/// Splits `span` at `fraction` of its length (rounded to a frame).
fn split_span(span: FrameSpan, fraction: f32) -> (FrameSpan, FrameSpan) {
    let len = span.len();
    let head = (len as f64 * f64::from(fraction.clamp(0.0, 1.0))).round() as u64;
    let at = span.start.shifted(head.min(len));
    (FrameSpan::new(span.start, at), FrameSpan::new(at, span.end))
}

/// Divides `span` into consecutive pieces proportional to `weights`.
fn divide(
    span: FrameSpan,
    weights: impl Iterator<Item = u32> + Clone,
) -> impl Iterator<Item = FrameSpan> {
    let total: u128 = weights.clone().map(u128::from).sum::<u128>().max(1);
    let len = u128::from(span.len());
    let mut acc: u128 = 0;
    let mut start = span.start;
    weights.map(move |w| {
        acc += u128::from(w);
        // acc <= total, so the quotient is at most len and fits in u64.
        let end = FrameOffset(span.start.0 + u64::try_from(len * acc / total).unwrap_or(0));
        let piece = FrameSpan::new(start, end.min(span.end));
        start = piece.end;
        piece
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alignment::WordMark;
    use crate::pronounce::test_lexicon::Table;
    use Viseme::*;

    fn span(a: u64, b: u64) -> FrameSpan {
        FrameSpan::new(FrameOffset(a), FrameOffset(b))
    }

    /// Phones of 100 frames each, back to back.
    fn phones(symbols: &[&str], categories: &[&str]) -> Vec<PhoneMark> {
        let spans = (0u64..).map(|i| span(i * 100, i * 100 + 100));
        let pairs = symbols.iter().zip(categories).zip(spans);
        pairs
            .map(|((s, c), span)| PhoneMark {
                symbol: s.to_string(),
                viseme: c.to_string(),
                span,
                word: 0,
            })
            .collect()
    }

    fn keys(track: &VisemeTrack) -> Vec<(Viseme, u64, u64)> {
        let keys = track.keys().iter();
        keys.map(|k| (k.viseme, k.span.start.0, k.span.end.0))
            .collect()
    }

    fn shapes(track: &VisemeTrack) -> Vec<Viseme> {
        track.keys().iter().map(|k| k.viseme).collect()
    }

    const FIXTURE_PHONES: [&str; 8] = ["h", "ə", "l", "oʊ1", "w", "ɝ1", "l", "d"];
    const FIXTURE_CATEGORIES: [&str; 8] = ["aei", "aei", "l", "o", "qw", "r", "l", "cdgknstxyz"];

    #[test]
    fn the_documented_fixture_by_phone() {
        let alignment = Alignment {
            phones: phones(&FIXTURE_PHONES, &FIXTURE_CATEGORIES),
            ..Default::default()
        };
        let track = build_keys(&alignment, &Table);
        assert_eq!(track.source(), Some(VisemeSource::Phones));
        assert_eq!(
            keys(&track),
            [
                (Aa, 0, 100), // h takes the next vowel, ə
                (Aa, 100, 200),
                (Nn, 200, 300),
                (Oh, 300, 360), // oʊ split at 0.6
                (Ou, 360, 400),
                (Ou, 400, 500),
                (Rr, 500, 600),
                (Nn, 600, 700),
                (Dd, 700, 800),
            ]
        );
        assert!(track.unknown_symbols().is_empty());
    }

    #[test]
    fn the_documented_fixture_by_category() {
        let alignment = Alignment {
            phones: phones(&[""; 8], &FIXTURE_CATEGORIES),
            ..Default::default()
        };
        let track = build_keys(&alignment, &Table);
        assert_eq!(track.source(), Some(VisemeSource::Categories));
        assert_eq!(shapes(&track), [Aa, Aa, Dd, Oh, Ou, Rr, Dd, Dd]);
        assert!(track.unknown_symbols().is_empty());
    }

    #[test]
    fn the_best_source_present_wins() {
        let words = vec![WordMark {
            text: "hi".into(),
            span: span(0, 200),
            partial: false,
        }];
        let characters = vec![
            CharacterMark {
                text: "h".into(),
                span: span(0, 100),
            },
            CharacterMark {
                text: "i".into(),
                span: span(100, 200),
            },
        ];
        let mut alignment = Alignment {
            words,
            characters,
            phones: phones(&["h", "aɪ1"], &["aei", "aei"]),
            visemes: vec![VisemeMark {
                label: "13".into(),
                span: span(0, 200),
            }],
        };
        assert_eq!(keys(&build_keys(&alignment, &Table)), [(Oh, 0, 200)]);
        alignment.visemes.clear();
        let track = build_keys(&alignment, &Table);
        assert_eq!(track.source(), Some(VisemeSource::Phones));
        assert_eq!(keys(&track), [(Aa, 0, 100), (Aa, 100, 160), (Ih, 160, 200)]);
        alignment.phones.clear();
        let track = build_keys(&alignment, &Table);
        assert_eq!(track.source(), Some(VisemeSource::Characters));
        // "hi" is read aloud as h aɪ: the breath joins the glide, which holds both letters.
        assert_eq!(keys(&track), [(Aa, 0, 133), (Ih, 133, 200)]);
        alignment.characters.clear();
        let track = build_keys(&alignment, &Table);
        assert_eq!(track.source(), Some(VisemeSource::Words));
        assert_eq!(keys(&track), [(Aa, 0, 133), (Ih, 133, 200)]);
        alignment.words.clear();
        let track = build_keys(&alignment, &Table);
        assert_eq!((track.source(), track.keys()), (None, &[][..]));
    }

    #[test]
    fn unreadable_lipsync_labels_fall_through_and_are_reported() {
        let alignment = Alignment {
            visemes: vec![VisemeMark {
                label: "mouth_open".into(),
                span: span(0, 100),
            }],
            phones: phones(&["p"], &["bmp"]),
            ..Default::default()
        };
        let track = build_keys(&alignment, &Table);
        assert_eq!(track.source(), Some(VisemeSource::Phones));
        assert!(track.unknown_symbols().contains("mouth_open"));
    }

    #[test]
    fn an_unknown_symbol_is_reported_once_and_shown_neutral() {
        let alignment = Alignment {
            phones: phones(&["ʘ", "a", "ʘ", "ǃ"], &["??", "aei", "??", "bmp"]),
            ..Default::default()
        };
        let mut track = build_keys(&alignment, &Table);
        // An unknown phone with a known category shows the category's shape.
        assert_eq!(shapes(&track), [Viseme::NEUTRAL, Aa, Viseme::NEUTRAL, Pp]);
        assert_eq!(track.keys()[3].source, VisemeSource::Categories);
        track.update(&alignment, &Table);
        let unknown: Vec<_> = track.unknown_symbols().iter().collect();
        assert_eq!(unknown, ["ǃ", "ʘ"]);
    }

    #[test]
    fn h_takes_the_next_vowel_else_the_previous_else_neutral() {
        let read = |symbols: &[&str]| {
            let alignment = Alignment {
                phones: phones(symbols, &["aei"; 4]),
                ..Default::default()
            };
            shapes(&build_keys(&alignment, &Table))
        };
        assert_eq!(read(&["h", "ɪ"]), [Ih, Ih]);
        assert_eq!(read(&["h", "aʊ"]), [Aa, Aa, Ou]);
        assert_eq!(read(&["oʊ", "h", "t"]), [Oh, Ou, Ou, Dd]);
        assert_eq!(read(&["t", "h", "t"]), [Dd, Viseme::NEUTRAL, Dd]);
    }

    #[test]
    fn characters_place_shapes_on_their_letters() {
        let marks = [("o", 0, 10), ("x", 10, 30), (" ", 30, 30), ("!", 30, 40)];
        let alignment = Alignment {
            characters: marks
                .iter()
                .map(|&(t, a, b)| CharacterMark {
                    text: t.into(),
                    span: span(a, b),
                })
                .collect(),
            ..Default::default()
        };
        let track = build_keys(&alignment, &Table);
        // "ox" is ɑ k s: the vowel on "o", both consonants of "x" sharing its span.
        assert_eq!(keys(&track), [(Aa, 0, 10), (Kk, 10, 20), (Ss, 20, 30)]);
    }

    #[test]
    fn words_divide_their_span_by_weight() {
        let word = |text: &str, a, b| WordMark {
            text: text.into(),
            span: span(a, b),
            partial: false,
        };
        let alignment = Alignment {
            words: vec![
                word("[silence]", 0, 50),
                word("cat", 50, 90),
                word(",", 90, 90),
            ],
            ..Default::default()
        };
        let track = build_keys(&alignment, &Table);
        assert_eq!(keys(&track), [(Kk, 50, 60), (Aa, 60, 80), (Dd, 80, 90)]);
    }

    #[test]
    fn keys_are_sorted_and_never_empty() {
        let alignment = Alignment {
            visemes: vec![
                VisemeMark {
                    label: "viseme_aa".into(),
                    span: span(100, 200),
                },
                VisemeMark {
                    label: "PP".into(),
                    span: span(0, 100),
                },
                VisemeMark {
                    label: "E".into(),
                    span: span(200, 200),
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            keys(&build_keys(&alignment, &Table)),
            [(Pp, 0, 100), (Aa, 100, 200)]
        );
    }

    #[test]
    fn spans_split_and_divide_on_frames() {
        assert_eq!(
            split_span(span(1000, 1500), 0.6),
            (span(1000, 1300), span(1300, 1500))
        );
        assert_eq!(split_span(span(0, 1), 0.6), (span(0, 1), span(1, 1)));
        let divided = |s, w: &[u32]| divide(s, w.iter().copied()).collect::<Vec<_>>();
        assert_eq!(
            divided(span(0, 10), &[1, 1, 1]),
            [span(0, 3), span(3, 6), span(6, 10)]
        );
        assert_eq!(divided(span(5, 5), &[1, 2]), [span(5, 5), span(5, 5)]);
    }
}
