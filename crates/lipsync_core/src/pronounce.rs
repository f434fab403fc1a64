//! Reading text aloud as mouth shapes, through a pronunciation the caller lends.
//!
//! Speech that arrives with CHARACTER or word timestamps but no phones is read aloud here: each
//! word goes to a [`Pronouncer`], which answers with the word's phones in IPA, and each phone is
//! placed on the letters it was most likely written with, so the shapes can sit on the times of
//! those letters. This crate ships no lexicon: the offline voice's lexicon and letter-to-sound
//! rules (`offline_voice::Lexicon`) are the pronouncer `bevy_lipsync` lends by default, and
//! [`Spelling`] (no pronunciation at all, every word through [`spell`]) is the fallback.

use std::fmt;
use std::ops::Range;

use crate::letters::{
    CONSONANT_WEIGHT, SpelledViseme, VOWEL_WEIGHT, cover_text, push_merged, spell,
};
use crate::phoneme::{PhoneVisemes, phone_visemes};

/// A word's neighbours in the text, for pronunciations that depend on them ("I will read" /
/// "I have read").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WordContext<'a> {
    /// The word before, if any, as written.
    pub previous: Option<&'a str>,
    /// The word after, if any, as written.
    pub next: Option<&'a str>,
}

/// One phone of a pronounced word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpokenPhone {
    /// The IPA symbol, as [`phone_visemes`] reads it (`"k"`, `"aɪ"`, `"ɚ"`; stress digits are
    /// allowed and ignored).
    pub ipa: &'static str,
    /// Whether it is a vowel (vowels are placed on vowel letters and hold longer).
    pub vowel: bool,
}

/// Says how English words are pronounced, for speech that comes without phones.
///
/// Implement it to plug in a lexicon of your own; `offline_voice::Lexicon` implements it with
/// 651 exceptions, about 330 letter-to-sound rules and heteronyms read from their neighbours.
///
/// ```
/// use lipsync_core::{Pronouncer, SpokenPhone, Viseme, WordContext, read_aloud};
///
/// /// Knows one word.
/// #[derive(Debug)]
/// struct Tiny;
///
/// impl Pronouncer for Tiny {
///     fn pronounce(&self, word: &str, _: WordContext<'_>, phones: &mut Vec<SpokenPhone>) {
///         if word.eq_ignore_ascii_case("knee") {
///             phones.push(SpokenPhone { ipa: "n", vowel: false });
///             phones.push(SpokenPhone { ipa: "i", vowel: true });
///         }
///     }
/// }
///
/// let shapes: Vec<_> = read_aloud("Knee", &Tiny).iter().map(|s| s.viseme).collect();
/// assert_eq!(shapes, [Some(Viseme::Nn), Some(Viseme::Ih)]);
/// ```
pub trait Pronouncer: Send + Sync + fmt::Debug {
    /// Appends the phones of `word` (ASCII letters, digits and apostrophes) to `phones`. A word
    /// it cannot read is left out (nothing appended) and is spelled instead.
    fn pronounce(&self, word: &str, context: WordContext<'_>, phones: &mut Vec<SpokenPhone>);
}

/// No pronunciation: every word is read through [`spell`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spelling;

impl Pronouncer for Spelling {
    fn pronounce(&self, _: &str, _: WordContext<'_>, _: &mut Vec<SpokenPhone>) {}
}

/// Reads `text` aloud as mouth shapes: English words through `pronouncer` (with a lexicon,
/// "knight" starts with NN and "phone" with FF), words it cannot read and words with other
/// letters through [`spell`]. The output has the same form as [`spell`]'s: each phone sits on the
/// letters it was written with (vowels paired with vowel letters, silent letters joining the
/// phone before them). See [`Pronouncer`] for an example.
pub fn read_aloud(text: &str, pronouncer: &dyn Pronouncer) -> Vec<SpelledViseme> {
    let is_word_char = |c: char| c.is_alphanumeric() || matches!(c, '\'' | '\u{2019}');
    let mut words: Vec<Range<usize>> = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                words.push(from..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push(from..text.len());
    }
    let mut read = Vec::new();
    let mut phones = Vec::new();
    for (i, range) in words.iter().enumerate() {
        let word = &text[range.clone()];
        let english = word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '\'' | '\u{2019}'));
        phones.clear();
        if english {
            let context = WordContext {
                previous: i.checked_sub(1).map(|j| &text[words[j].clone()]),
                next: words.get(i + 1).map(|r| &text[r.clone()]),
            };
            pronouncer.pronounce(word, context, &mut phones);
        }
        if phones.is_empty() {
            read.extend(spell(word).into_iter().map(|mut s| {
                s.letters = s.letters.start + range.start..s.letters.end + range.start;
                s
            }));
            continue;
        }
        read_word(&phones, word, range.start, &mut read);
    }
    cover_text(&mut read, text.len());
    read
}

/// The shapes of one word's phones, each on the letters it was most likely written with.
///
/// `word` is ASCII (one byte per letter) and starts at byte `at` of the text.
fn read_word(phones: &[SpokenPhone], word: &str, at: usize, out: &mut Vec<SpelledViseme>) {
    let letters: Vec<char> = word.chars().map(|c| c.to_ascii_lowercase()).collect();
    let anchors = align_letters(phones, &letters);
    for (i, token) in phones.iter().enumerate() {
        // A phone covers its letter and the silent ones up to the next phone's; the letters
        // before the first phone's belong to it too.
        let from = if anchors[i] == anchors[0] {
            0
        } else {
            anchors[i]
        };
        let to = anchors
            .get(i + 1..)
            .and_then(|rest| rest.iter().find(|&&a| a > anchors[i]))
            .copied()
            .unwrap_or(letters.len());
        let bytes = at + from..at + to.max(from + 1).min(letters.len());
        let weight = if token.vowel {
            VOWEL_WEIGHT
        } else {
            CONSONANT_WEIGHT
        };
        match phone_visemes(token.ipa) {
            Some(PhoneVisemes::Single(v)) => push_merged(out, Some(v), weight, bytes),
            Some(PhoneVisemes::Diphthong { first, second, .. }) => {
                push_merged(out, Some(first), weight, bytes.clone());
                push_merged(out, Some(second), CONSONANT_WEIGHT, bytes);
            }
            // Breath: the next shape is already forming.
            Some(PhoneVisemes::Aspirate) => {}
            None => push_merged(out, None, weight, bytes),
        }
    }
}

/// The letter each phone was written with: a monotonic alignment that pairs vowel phones with
/// vowel letters and consonants with consonants, letting letters be silent ("knight") and
/// phones share a letter ("x"), whichever costs least. One entry per phone.
fn align_letters(phones: &[SpokenPhone], letters: &[char]) -> Vec<usize> {
    const SILENT: f32 = 0.4;
    const SHARED: f32 = 0.6;
    let (n, l) = (phones.len(), letters.len());
    if n == 0 || l == 0 {
        return vec![0; n];
    }
    let mismatch = |p: &SpokenPhone, c: char| {
        let vowel_letter = matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
        match (p.vowel, vowel_letter) {
            (true, true) => 0.0,
            (false, false) if spells(p.ipa).contains(c) => 0.0,
            (false, false) => 0.5,
            _ if matches!(c, 'y' | 'w') => 0.3,
            _ => 1.0,
        }
    };
    // cost[i][j]: phones[..=i] placed, phone i on letter j; from[i][j]: phone i-1's letter.
    let mut cost = vec![vec![f32::INFINITY; l]; n];
    let mut from = vec![vec![0; l]; n];
    for j in 0..l {
        cost[0][j] = mismatch(&phones[0], letters[j]) + SILENT * j as f32;
    }
    for i in 1..n {
        for j in 0..l {
            let here = mismatch(&phones[i], letters[j]);
            for k in 0..=j {
                let step = if k == j {
                    SHARED
                } else {
                    SILENT * (j - k - 1) as f32
                };
                let total = cost[i - 1][k] + step + here;
                if total < cost[i][j] {
                    cost[i][j] = total;
                    from[i][j] = k;
                }
            }
        }
    }
    let mut best = 0;
    for j in 0..l {
        let end = |j: usize| cost[n - 1][j] + SILENT * (l - 1 - j) as f32;
        if end(j) < end(best) {
            best = j;
        }
    }
    let mut anchors = vec![0; n];
    for i in (0..n).rev() {
        anchors[i] = best;
        best = from[i][best];
    }
    anchors
}

/// The letters a consonant is usually written with (for [`align_letters`]), by its IPA symbol.
fn spells(ipa: &str) -> &'static str {
    let base = ipa.trim_end_matches(|c: char| c.is_ascii_digit());
    match base {
        "b" => "b",
        "tʃ" | "t͡ʃ" => "cht",
        "d" => "dt",
        "ð" | "θ" => "th",
        "f" => "fphv",
        "ɡ" | "g" => "gx",
        "h" => "hw",
        "dʒ" | "d͡ʒ" => "jgd",
        "k" => "kcqxg",
        "l" => "l",
        "m" => "m",
        "n" => "nk",
        "ŋ" => "ng",
        "p" => "p",
        "ɹ" | "r" => "r",
        "s" => "scxz",
        "ʃ" => "schtx",
        "t" => "td",
        "v" => "vf",
        "w" => "wuo",
        "j" => "yiu",
        "z" => "zsx",
        "ʒ" => "sgzj",
        _ => "",
    }
}

/// A pronouncer for this crate's tests: a few words with their General American phones.
#[cfg(test)]
pub(crate) mod test_lexicon {
    use super::{Pronouncer, SpokenPhone, WordContext};

    /// Knows "hi", "knight", "ox", "phone", and "read" by its neighbour.
    #[derive(Debug)]
    pub(crate) struct Table;

    impl Pronouncer for Table {
        fn pronounce(&self, word: &str, context: WordContext<'_>, out: &mut Vec<SpokenPhone>) {
            let past = context
                .previous
                .is_some_and(|w| w.eq_ignore_ascii_case("have"));
            let ipa: &[&'static str] = match word.to_ascii_lowercase().as_str() {
                "hi" => &["h", "aɪ1"],
                "knight" => &["n", "aɪ1", "t"],
                "ox" => &["ɑ1", "k", "s"],
                "phone" => &["f", "oʊ1", "n"],
                "read" if past => &["ɹ", "ɛ1", "d"],
                "read" => &["ɹ", "i1", "d"],
                _ => &[],
            };
            out.extend(ipa.iter().map(|&ipa| SpokenPhone {
                ipa,
                vowel: ipa.starts_with(['a', 'ɑ', 'o', 'ɛ', 'i']),
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_lexicon::Table;
    use super::*;
    use crate::Viseme::{self, *};

    fn aloud(text: &str, pronouncer: &dyn Pronouncer) -> Vec<Viseme> {
        read_aloud(text, pronouncer)
            .iter()
            .filter_map(|s| s.viseme)
            .collect()
    }

    #[test]
    fn reading_aloud_follows_the_pronunciation_and_its_context() {
        assert_eq!(aloud("knight", &Table), [Nn, Aa, Ih, Dd]);
        assert_eq!(aloud("phone", &Table), [Ff, Oh, Ou, Nn]);
        assert_eq!(spell("knight")[0].viseme, Some(Kk), "spelling reads the k");
        let last_word = |text: &str| {
            let shapes = aloud(text, &Table);
            shapes[shapes.len() - 3..].to_vec()
        };
        assert_eq!(last_word("I read"), [Rr, Ih, Dd]);
        assert_eq!(last_word("have read"), [Rr, E, Dd]);
    }

    #[test]
    fn each_phone_sits_on_the_letters_it_was_written_with() {
        let text = "Knight, ox";
        let read = read_aloud(text, &Table);
        let on = |range: &Range<usize>| &text[range.clone()];
        let placed: Vec<_> = read
            .iter()
            .map(|s| (s.viseme.unwrap(), on(&s.letters)))
            .collect();
        // The silent k joins n; "gh" joins the glide; "x" holds both k and s; punctuation
        // joins the shape after it.
        assert_eq!(
            placed,
            [
                (Nn, "Kn"),
                (Aa, "igh"),
                (Ih, "igh"),
                (Dd, "t"),
                (Aa, ", o"),
                (Kk, "x"),
                (Ss, "x"),
            ]
        );
        // The ranges cover the text in order, as `spell`'s do.
        assert_eq!(read[0].letters.start, 0);
        assert_eq!(read.last().unwrap().letters.end, text.len());
        for pair in read.windows(2) {
            let (a, b) = (&pair[0].letters, &pair[1].letters);
            assert!(a == b || a.end == b.start, "{a:?} then {b:?}");
        }
    }

    #[test]
    fn words_it_cannot_read_and_other_letters_are_spelled() {
        assert_eq!(read_aloud("Жa", &Table)[..], spell("Жa")[..]);
        assert_eq!(read_aloud("café", &Table)[..], spell("café")[..]);
        assert_eq!(read_aloud("hello", &Table)[..], spell("hello")[..]);
        assert_eq!(
            read_aloud("knight hello", &Spelling)[..],
            spell("knight hello")[..]
        );
        assert!(read_aloud("...!", &Table).is_empty());
    }
}
