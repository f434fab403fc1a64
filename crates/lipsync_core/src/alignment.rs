//! Timelines keyed by audio frames.
//!
//! Every word, phone, character and viseme of an utterance is stored as a [`FrameSpan`]: offsets
//! in the utterance's own audio, counted in frames at its sample rate. Times that a provider sends
//! in seconds (request-relative, chunk-relative, per request of a long text) are converted exactly
//! once, when they are decoded; from then on nothing in the crate reasons in wall time.
//!
//! An [`Alignment`] accumulates [`AlignmentUpdate`]s as they arrive. Applying an update is
//! idempotent (a span sent twice changes nothing), and provisional words (`isPartial` in Inworld's
//! protocol) are replaced by later data covering the same span.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A position in an utterance's audio, in frames at the utterance's sample rate.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct FrameOffset(pub u64);

impl FrameOffset {
    /// The start of the utterance.
    pub const ZERO: FrameOffset = FrameOffset(0);

    /// Converts seconds to the nearest frame. Negative and non-finite times clamp to zero,
    /// so float noise such as `0.049999997` lands on the frame that was meant.
    pub fn from_seconds(seconds: f64, sample_rate: u32) -> Self {
        let frames = (seconds * f64::from(sample_rate)).round();
        if frames.is_finite() && frames > 0.0 {
            // Saturating float-to-int cast: absurdly large times clamp instead of wrapping.
            FrameOffset(frames as u64)
        } else {
            FrameOffset::ZERO
        }
    }

    /// This offset in seconds at `sample_rate`.
    pub fn as_seconds(self, sample_rate: u32) -> f64 {
        self.0 as f64 / f64::from(sample_rate.max(1))
    }

    /// This offset moved later by `frames`.
    pub fn shifted(self, frames: u64) -> Self {
        FrameOffset(self.0.saturating_add(frames))
    }
}

/// A half-open range of frames `[start, end)`; `end` is never before `start`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FrameSpan {
    /// First frame of the span.
    pub start: FrameOffset,
    /// First frame after the span.
    pub end: FrameOffset,
}

impl FrameSpan {
    /// A span from `start` to `end`; an `end` before `start` is raised to `start`.
    pub fn new(start: FrameOffset, end: FrameOffset) -> Self {
        FrameSpan {
            start,
            end: end.max(start),
        }
    }

    /// A span from start and end times in seconds.
    pub fn from_seconds(start: f64, end: f64, sample_rate: u32) -> Self {
        Self::new(
            FrameOffset::from_seconds(start, sample_rate),
            FrameOffset::from_seconds(end, sample_rate),
        )
    }

    /// Number of frames in the span.
    pub fn len(&self) -> u64 {
        self.end.0 - self.start.0
    }

    /// Whether the span has no frames (zero-length tokens such as punctuation).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the two spans share at least one frame, or are the same empty span.
    pub fn overlaps(&self, other: &FrameSpan) -> bool {
        if self.is_empty() || other.is_empty() {
            return self == other;
        }
        self.start < other.end && other.start < self.end
    }

    /// This span moved later by `frames`.
    pub fn shifted(self, frames: u64) -> Self {
        FrameSpan {
            start: self.start.shifted(frames),
            end: self.end.shifted(frames),
        }
    }
}

/// A word as spoken, with its span in the audio.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordMark {
    /// The word as the provider wrote it (punctuation may be attached: `"Hello,"`). Shared, so
    /// handing it on (a subtitle event, a copy of the timeline) never copies the text.
    pub text: Arc<str>,
    /// Where the word is heard.
    pub span: FrameSpan,
    /// Provisional: later data covering the same span replaces it.
    pub partial: bool,
}

/// A phone (speech sound) with the viseme category the provider gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneMark {
    /// The phone symbol as sent (IPA, possibly with stress digits such as `oʊ1`).
    pub symbol: String,
    /// The provider's viseme category as sent (Inworld: `aei`, `bmp`, ... or `sil`).
    pub viseme: String,
    /// Where the phone is heard.
    pub span: FrameSpan,
    /// Index of the word this phone belongs to: into [`Alignment::words`] once applied, into
    /// [`AlignmentUpdate::words`] inside an update.
    pub word: usize,
}

/// One character of the text with its span (CHARACTER timestamps).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharacterMark {
    /// The character (a string: providers send grapheme-like tokens).
    pub text: String,
    /// Where the character is heard.
    pub span: FrameSpan,
}

/// A viseme label from an audio-derived viseme track (Inworld's `lipsyncAlignment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisemeMark {
    /// The label as sent; unknown labels are kept for the lipsync layer to map or ignore.
    pub label: String,
    /// Where the viseme is shown.
    pub span: FrameSpan,
}

/// New timing data from one message of a stream, already in utterance frames.
///
/// Phones index into this update's own `words`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlignmentUpdate {
    /// Words in the order sent.
    pub words: Vec<WordMark>,
    /// Phones; `word` indexes [`AlignmentUpdate::words`].
    pub phones: Vec<PhoneMark>,
    /// Characters, in the order sent.
    pub characters: Vec<CharacterMark>,
    /// Audio-derived visemes, in the order sent.
    pub visemes: Vec<VisemeMark>,
}

impl AlignmentUpdate {
    /// Whether the update carries nothing.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.phones.is_empty()
            && self.characters.is_empty()
            && self.visemes.is_empty()
    }

    /// Moves every span later by `frames` (used to place a request's data within an utterance).
    pub fn shift(&mut self, frames: u64) {
        for w in &mut self.words {
            w.span = w.span.shifted(frames);
        }
        for p in &mut self.phones {
            p.span = p.span.shifted(frames);
        }
        for c in &mut self.characters {
            c.span = c.span.shifted(frames);
        }
        for v in &mut self.visemes {
            v.span = v.span.shifted(frames);
        }
    }
}

impl From<Alignment> for AlignmentUpdate {
    /// A whole timeline as one update (a recording's, known in advance).
    fn from(alignment: Alignment) -> Self {
        AlignmentUpdate {
            words: alignment.words,
            phones: alignment.phones,
            characters: alignment.characters,
            visemes: alignment.visemes,
        }
    }
}

/// The accumulated timeline of one utterance.
///
/// Words keep their arrival order, so a word's index is stable and can name it in events
/// (subtitles); phones, characters and visemes are kept sorted by start frame.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    /// Words, in the order spoken.
    pub words: Vec<WordMark>,
    /// Phones sorted by start; `word` indexes [`Alignment::words`].
    pub phones: Vec<PhoneMark>,
    /// Characters sorted by start.
    pub characters: Vec<CharacterMark>,
    /// Audio-derived visemes sorted by start.
    pub visemes: Vec<VisemeMark>,
}

impl Alignment {
    /// Merges an update.
    ///
    /// - A word identical to one already held (same text and span) is ignored with its phones.
    /// - A word that overlaps held *partial* words replaces them: it takes the first one's index
    ///   and their phones are dropped.
    /// - Anything else is appended.
    ///
    /// Characters and visemes that are already held (same text and span) are ignored.
    ///
    /// Characters that come without words (CHARACTER timestamps) are regrouped into words at
    /// the blanks between them; the last word stays partial until a blank follows it (a
    /// stream's final word is complete once the stream ends).
    pub fn apply(&mut self, update: AlignmentUpdate) {
        let AlignmentUpdate {
            words,
            phones,
            characters,
            visemes,
        } = update;
        // Where each of the update's words ended up (None: a duplicate, its phones are dropped).
        let mut placed: Vec<Option<usize>> = Vec::with_capacity(words.len());
        for word in words {
            placed.push(self.place_word(word));
        }
        for mut phone in phones {
            if let Some(Some(index)) = placed.get(phone.word) {
                phone.word = *index;
                insert_sorted_unique(&mut self.phones, phone, |p| p.span);
            }
        }
        let regroup = placed.is_empty() && !characters.is_empty();
        for c in characters {
            insert_sorted_unique(&mut self.characters, c, |c| c.span);
        }
        if regroup {
            self.words_from_characters();
        }
        for v in visemes {
            insert_sorted_unique(&mut self.visemes, v, |v| v.span);
        }
    }

    fn place_word(&mut self, word: WordMark) -> Option<usize> {
        if self
            .words
            .iter()
            .rev()
            .take_while(|held| held.span.end >= word.span.start)
            .any(|held| held.text == word.text && held.span == word.span && !held.partial)
        {
            return None;
        }
        let replaced: Vec<usize> = self
            .words
            .iter()
            .enumerate()
            .rev()
            .take_while(|(_, held)| held.span.end >= word.span.start)
            .filter(|(_, held)| held.partial && held.span.overlaps(&word.span))
            .map(|(i, _)| i)
            .collect();
        let Some(&first) = replaced.last() else {
            self.words.push(word);
            return Some(self.words.len() - 1);
        };
        // `replaced` is in descending order; keep `first` (the lowest) and remove the others.
        self.phones.retain(|p| !replaced.contains(&p.word));
        for &gone in replaced.iter().filter(|&&i| i != first) {
            self.words.remove(gone);
            for p in &mut self.phones {
                if p.word > gone {
                    p.word -= 1;
                }
            }
        }
        self.words[first] = word;
        Some(first)
    }

    /// Regroups the characters after the last complete word into words, replacing a partial
    /// last word (the start of a word the previous characters cut short).
    fn words_from_characters(&mut self) {
        if self.words.last().is_some_and(|w| w.partial) {
            self.words.pop();
        }
        let from = match self.words.last() {
            Some(done) => self
                .characters
                .partition_point(|c| c.span.start < done.span.end),
            None => 0,
        };
        let word = |chars: &[CharacterMark], partial: bool| WordMark {
            text: chars
                .iter()
                .map(|c| c.text.as_str())
                .collect::<String>()
                .into(),
            span: FrameSpan::new(chars[0].span.start, chars[chars.len() - 1].span.end),
            partial,
        };
        let mut start = None;
        for i in from..self.characters.len() {
            let blank = self.characters[i].text.trim().is_empty();
            match (blank, start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    let complete = word(&self.characters[s..i], false);
                    self.words.push(complete);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            let partial = word(&self.characters[s..], true);
            self.words.push(partial);
        }
    }

    /// The frame where the last item of any kind ends (zero when empty).
    pub fn end(&self) -> FrameOffset {
        let words = self.words.iter().map(|w| w.span.end);
        let phones = self.phones.iter().map(|p| p.span.end);
        let chars = self.characters.iter().map(|c| c.span.end);
        let visemes = self.visemes.iter().map(|v| v.span.end);
        words
            .chain(phones)
            .chain(chars)
            .chain(visemes)
            .max()
            .unwrap_or_default()
    }
}

/// Inserts `item` keeping `items` sorted by span start, unless an equal item is already held.
fn insert_sorted_unique<T: PartialEq>(items: &mut Vec<T>, item: T, span: impl Fn(&T) -> FrameSpan) {
    let key = span(&item).start;
    let at = items.partition_point(|held| span(held).start <= key);
    let same_start = items[..at]
        .iter()
        .rev()
        .take_while(|held| span(held).start == key);
    if same_start.into_iter().any(|held| *held == item) {
        return;
    }
    items.insert(at, item);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(a: u64, b: u64) -> FrameSpan {
        FrameSpan::new(FrameOffset(a), FrameOffset(b))
    }

    fn word(text: &str, a: u64, b: u64, partial: bool) -> WordMark {
        WordMark {
            text: text.into(),
            span: span(a, b),
            partial,
        }
    }

    fn phone(symbol: &str, a: u64, b: u64, word: usize) -> PhoneMark {
        PhoneMark {
            symbol: symbol.into(),
            viseme: "aei".into(),
            span: span(a, b),
            word,
        }
    }

    /// CHARACTER timestamps for `text`, 10 frames a character from `at`, as one update.
    fn characters(text: &str, at: u64) -> AlignmentUpdate {
        let characters = text
            .chars()
            .enumerate()
            .map(|(i, c)| CharacterMark {
                text: c.to_string(),
                span: span(at + 10 * i as u64, at + 10 * i as u64 + 10),
            })
            .collect();
        AlignmentUpdate {
            characters,
            ..Default::default()
        }
    }

    #[test]
    fn characters_without_words_are_regrouped_into_words_across_updates() {
        let mut a = Alignment::default();
        // The first message cuts "world" short.
        a.apply(characters("Hello, wor", 0));
        let texts = |a: &Alignment| {
            a.words
                .iter()
                .map(|w| (w.text.to_string(), w.partial))
                .collect::<Vec<_>>()
        };
        assert_eq!(texts(&a), [("Hello,".into(), false), ("wor".into(), true)]);
        a.apply(characters("ld  again", 100));
        assert_eq!(
            texts(&a),
            [
                ("Hello,".into(), false),
                ("world".into(), false),
                ("again".into(), true)
            ]
        );
        assert_eq!(a.words[1].span, span(70, 120));
        assert_eq!(a.words[2].span, span(140, 190));
        // A repeated message changes nothing.
        a.apply(characters("ld  again", 100));
        assert_eq!(a.words.len(), 3);
        // Words sent with the characters are taken as they are.
        let mut b = Alignment::default();
        let mut update = characters("Hi there", 0);
        update.words.push(word("Hi", 0, 20, false));
        b.apply(update);
        assert_eq!(b.words, [word("Hi", 0, 20, false)]);
    }

    #[test]
    fn seconds_round_to_the_meant_frame() {
        // The documented fixture's float noise must not cost a frame.
        assert_eq!(
            FrameOffset::from_seconds(0.049999997, 48_000),
            FrameOffset(2_400)
        );
        assert_eq!(
            FrameOffset::from_seconds(0.17999998, 24_000),
            FrameOffset(4_320)
        );
        assert_eq!(FrameOffset::from_seconds(-0.01, 48_000), FrameOffset::ZERO);
        assert_eq!(
            FrameOffset::from_seconds(f64::NAN, 48_000),
            FrameOffset::ZERO
        );
        assert_eq!(span(10, 5), span(10, 10));
    }

    #[test]
    fn phones_index_the_absolute_word() {
        let mut alignment = Alignment::default();
        alignment.apply(AlignmentUpdate {
            words: vec![word("Hello,", 0, 100, false)],
            phones: vec![phone("h", 0, 50, 0)],
            ..Default::default()
        });
        alignment.apply(AlignmentUpdate {
            words: vec![word("world!", 100, 200, false)],
            phones: vec![phone("w", 100, 150, 0)],
            ..Default::default()
        });
        assert_eq!(alignment.phones[1].word, 1);
        assert_eq!(alignment.end(), FrameOffset(200));
    }

    #[test]
    fn applying_the_same_update_twice_changes_nothing() {
        let update = AlignmentUpdate {
            words: vec![word("a", 0, 10, false), word("b", 10, 20, false)],
            phones: vec![phone("ə", 0, 10, 0), phone("b", 10, 20, 1)],
            characters: vec![CharacterMark {
                text: "a".into(),
                span: span(0, 10),
            }],
            visemes: vec![VisemeMark {
                label: "AA".into(),
                span: span(0, 10),
            }],
        };
        let mut once = Alignment::default();
        once.apply(update.clone());
        let mut twice = once.clone();
        twice.apply(update);
        assert_eq!(once, twice);
    }

    #[test]
    fn a_final_word_replaces_the_partial_words_it_covers() {
        let mut alignment = Alignment::default();
        alignment.apply(AlignmentUpdate {
            words: vec![
                word("one", 0, 10, false),
                word("tw", 10, 18, true),
                word("o", 18, 22, true),
            ],
            phones: vec![
                phone("w", 0, 10, 0),
                phone("t", 10, 18, 1),
                phone("u", 18, 22, 2),
            ],
            ..Default::default()
        });
        alignment.apply(AlignmentUpdate {
            words: vec![word("two", 10, 24, false), word("three", 24, 40, false)],
            phones: vec![
                phone("t", 10, 16, 0),
                phone("u", 16, 24, 0),
                phone("θ", 24, 30, 1),
            ],
            ..Default::default()
        });
        let texts: Vec<_> = alignment.words.iter().map(|w| &*w.text).collect();
        assert_eq!(texts, ["one", "two", "three"]);
        let phones: Vec<_> = alignment
            .phones
            .iter()
            .map(|p| (p.symbol.as_str(), p.word))
            .collect();
        assert_eq!(phones, [("w", 0), ("t", 1), ("u", 1), ("θ", 2)]);
    }

    #[test]
    fn late_items_are_kept_sorted() {
        let mut alignment = Alignment::default();
        for start in [20, 0, 10] {
            alignment.apply(AlignmentUpdate {
                visemes: vec![VisemeMark {
                    label: "PP".into(),
                    span: span(start, start + 10),
                }],
                ..Default::default()
            });
        }
        let starts: Vec<_> = alignment.visemes.iter().map(|v| v.span.start.0).collect();
        assert_eq!(starts, [0, 10, 20]);
    }
}
