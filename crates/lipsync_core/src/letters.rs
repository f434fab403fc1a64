//! The last-resort text-to-viseme fallback: spelling read letter by letter.
//!
//! When a provider sends only CHARACTER timestamps, or only word times, or plain text, the mouth
//! still has to move. [`read_aloud`](crate::read_aloud) reads words through a
//! [`Pronouncer`](crate::Pronouncer) where one is given, and through [`spell`] where none is or
//! where it cannot read a word.
//!
//! [`spell`] reads spelling crudely, letter by letter: a few digraphs (`th sh ch ph
//! ng ck qu wh gh oo ee ea ou ow`), a silent final `e`, silent `h`, doubled consonants read once,
//! and every other letter by itself (`a` is AA, `o` is OH, ...). It is deliberately small and is
//! not letter-to-sound: a phone source always wins over it (see [`super::track`]).
//!
//! Each shape carries a relative weight (vowels hold longer than consonants) so a word's span can
//! be divided among its shapes, and the byte range of the letters it was read from so shapes can
//! be placed on CHARACTER timestamps.

use std::ops::Range;

use super::viseme::Viseme;

/// Relative duration of a consonant shape.
pub const CONSONANT_WEIGHT: u32 = 1;
/// Relative duration of a vowel shape.
pub const VOWEL_WEIGHT: u32 = 2;

/// One mouth shape read from text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpelledViseme {
    /// The shape, or `None` for a letter the fallback cannot read (a digit, a non-Latin letter):
    /// the caller shows [`Viseme::NEUTRAL`] and reports it.
    pub viseme: Option<Viseme>,
    /// Relative duration ([`CONSONANT_WEIGHT`] or [`VOWEL_WEIGHT`], summed when merged).
    pub weight: u32,
    /// Byte range of the letters in the text. Ranges are in order and cover the text; silent
    /// letters and punctuation belong to the next shape (the last one at the end), and shapes
    /// read from the same letters (`x` is KK then SS) share a range.
    pub letters: Range<usize>,
}

/// Shapes with their weights, in order.
type Shapes = &'static [(Viseme, u32)];

/// What a run of letters reads as.
enum Reading {
    Shapes(Shapes),
    /// The second of a doubled consonant ("ll"): part of the shape before it.
    Repeat,
    Unknown,
}

use Viseme::*;

const C: u32 = CONSONANT_WEIGHT;
const V: u32 = VOWEL_WEIGHT;

/// Two-letter spellings read before single letters.
const DIGRAPHS: &[([char; 2], Shapes)] = &[
    (['t', 'h'], &[(Th, C)]),
    (['s', 'h'], &[(Ch, C)]),
    (['c', 'h'], &[(Ch, C)]),
    (['p', 'h'], &[(Ff, C)]),
    (['n', 'g'], &[(Kk, C)]),
    (['c', 'k'], &[(Kk, C)]),
    (['q', 'u'], &[(Kk, C), (Ou, C)]),
    (['w', 'h'], &[(Ou, C)]),
    (['g', 'h'], &[]),
    (['o', 'o'], &[(Ou, V)]),
    (['e', 'e'], &[(Ih, V)]),
    (['e', 'a'], &[(Ih, V)]),
    (['o', 'u'], &[(Ou, V)]),
    (['o', 'w'], &[(Oh, C), (Ou, C)]),
];

fn is_vowel_letter(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'é' | 'è' | 'ê' | 'ë')
}

/// Lowercases a letter and folds common Latin accents (`á` reads as `a`; accented `e`s are kept,
/// since they are never silent); `None` for anything that is not a letter or digit.
fn fold(c: char) -> Option<char> {
    if !c.is_alphanumeric() {
        return None;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        'ñ' => 'n',
        'ç' => 's',
        other => other,
    })
}

/// A letter, where it sits in the text, and which word of the text it belongs to.
struct Letter {
    c: char,
    bytes: Range<usize>,
    word: usize,
}

fn letters_of(text: &str) -> Vec<Letter> {
    let mut letters = Vec::new();
    let mut word = 0;
    let mut in_word = false;
    for (at, raw) in text.char_indices() {
        match fold(raw) {
            Some(c) => {
                letters.push(Letter {
                    c,
                    bytes: at..at + raw.len_utf8(),
                    word,
                });
                in_word = true;
            }
            None if in_word => {
                word += 1;
                in_word = false;
            }
            None => {}
        }
    }
    letters
}

/// Reads the letter at `i` alone, knowing its neighbours in the same word.
fn read_letter(letters: &[Letter], i: usize) -> Reading {
    let here = &letters[i];
    let same_word = |j: usize| letters.get(j).filter(|l| l.word == here.word).map(|l| l.c);
    let prev = i.checked_sub(1).and_then(same_word);
    let next = same_word(i + 1);
    if prev == Some(here.c) && !is_vowel_letter(here.c) {
        return Reading::Repeat;
    }
    let shapes: Shapes = match here.c {
        'a' => &[(Aa, V)],
        'b' | 'm' | 'p' => &[(Pp, C)],
        'c' if matches!(next, Some('e' | 'i' | 'y')) => &[(Ss, C)],
        'c' | 'g' | 'k' | 'q' => &[(Kk, C)],
        'd' | 't' => &[(Dd, C)],
        'e' if next.is_none() && is_silent_final_e(letters, i) => &[],
        'e' | 'é' | 'è' | 'ê' | 'ë' => &[(E, V)],
        'f' | 'v' => &[(Ff, C)],
        'h' => &[], // Breath: the next shape is already forming.
        'i' => &[(Ih, V)],
        'j' => &[(Ch, C)],
        'l' | 'n' => &[(Nn, C)],
        'o' => &[(Oh, V)],
        'r' => &[(Rr, C)],
        's' | 'z' => &[(Ss, C)],
        'u' => &[(Ou, V)],
        'w' => &[(Ou, C)],
        'x' => &[(Kk, C), (Ss, C)],
        'y' if prev.is_none() => &[(Ih, C)],
        'y' => &[(Ih, V)],
        _ => return Reading::Unknown,
    };
    Reading::Shapes(shapes)
}

/// A word-final `e` after a consonant is silent when the word has an earlier vowel ("make",
/// "house"), and spoken otherwise ("the", "be").
fn is_silent_final_e(letters: &[Letter], i: usize) -> bool {
    let word = letters[i].word;
    let before = letters[..i].iter().rev().take_while(|l| l.word == word);
    let mut before = before.map(|l| l.c);
    match before.next() {
        Some(prev) if !is_vowel_letter(prev) => before.any(is_vowel_letter),
        _ => false,
    }
}

/// Reads `text` as a sequence of mouth shapes, in order.
///
/// Adjacent equal shapes are merged; punctuation and spaces produce nothing. Use
/// [`SpelledViseme::weight`] to divide a span among the shapes.
///
/// ```
/// use lipsync_core::{Viseme, spell};
///
/// let shapes: Vec<_> = spell("Shape").iter().map(|s| s.viseme).collect();
/// assert_eq!(shapes, [Some(Viseme::Ch), Some(Viseme::Aa), Some(Viseme::Pp)]);
/// ```
pub fn spell(text: &str) -> Vec<SpelledViseme> {
    let letters = letters_of(text);
    let mut spelled: Vec<SpelledViseme> = Vec::new();
    let mut i = 0;
    while i < letters.len() {
        let digraph = letters.get(i + 1).and_then(|next| {
            (next.word == letters[i].word)
                .then(|| {
                    DIGRAPHS
                        .iter()
                        .find(|(pair, _)| *pair == [letters[i].c, next.c])
                })
                .flatten()
        });
        let (reading, used) = match digraph {
            Some((_, shapes)) => (Reading::Shapes(shapes), 2),
            None => (read_letter(&letters, i), 1),
        };
        let bytes = letters[i].bytes.start..letters[i + used - 1].bytes.end;
        match reading {
            Reading::Shapes(shapes) => {
                for &(viseme, weight) in shapes {
                    push_merged(&mut spelled, Some(viseme), weight, bytes.clone());
                }
            }
            Reading::Repeat => {
                if let Some(last) = spelled.last_mut() {
                    last.letters.end = bytes.end;
                }
            }
            Reading::Unknown => push_merged(&mut spelled, None, CONSONANT_WEIGHT, bytes),
        }
        i += used;
    }
    cover_text(&mut spelled, text.len());
    spelled
}

/// Silent letters and punctuation go to the next shape (trailing ones to the last), keeping
/// shapes read from the same letters on the same range.
pub(crate) fn cover_text(shapes: &mut [SpelledViseme], text_len: usize) {
    let mut covered = 0;
    let mut i = 0;
    while i < shapes.len() {
        let original = shapes[i].letters.clone();
        let group = shapes[i..]
            .iter()
            .take_while(|s| s.letters == original)
            .count();
        let start = original.start.min(covered);
        for shape in &mut shapes[i..i + group] {
            shape.letters.start = start;
        }
        covered = covered.max(original.end);
        i += group;
    }
    let Some(last) = shapes.last().map(|s| s.letters.clone()) else {
        return;
    };
    for shape in shapes.iter_mut().rev().take_while(|s| s.letters == last) {
        shape.letters.end = text_len;
    }
}

pub(crate) fn push_merged(
    spelled: &mut Vec<SpelledViseme>,
    viseme: Option<Viseme>,
    weight: u32,
    letters: Range<usize>,
) {
    if let Some(last) = spelled.last_mut()
        && viseme.is_some()
        && last.viseme == viseme
        && last.letters.end <= letters.start
    {
        last.weight += weight;
        last.letters.end = letters.end;
        return;
    }
    spelled.push(SpelledViseme {
        viseme,
        weight,
        letters,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shapes(text: &str) -> Vec<Option<Viseme>> {
        spell(text).iter().map(|s| s.viseme).collect()
    }

    fn known(text: &str) -> Vec<Viseme> {
        spell(text).iter().filter_map(|s| s.viseme).collect()
    }

    #[test]
    fn hand_checked_words() {
        assert_eq!(known("hello"), [E, Nn, Oh]);
        assert_eq!(known("world"), [Ou, Oh, Rr, Nn, Dd]);
        assert_eq!(known("the"), [Th, E]);
        assert_eq!(known("make"), [Pp, Aa, Kk]);
        assert_eq!(known("think"), [Th, Ih, Nn, Kk]);
        assert_eq!(known("sing"), [Ss, Ih, Kk]);
        assert_eq!(known("phone"), [Ff, Oh, Nn]);
        assert_eq!(known("check"), [Ch, E, Kk]);
        assert_eq!(known("moon"), [Pp, Ou, Nn]);
        assert_eq!(known("seat"), [Ss, Ih, Dd]);
        assert_eq!(known("queen"), [Kk, Ou, Ih, Nn]);
        assert_eq!(known("night"), [Nn, Ih, Dd]);
        assert_eq!(known("city"), [Ss, Ih, Dd, Ih]);
        assert_eq!(known("box"), [Pp, Oh, Kk, Ss]);
        assert_eq!(known("show"), [Ch, Oh, Ou]);
        assert_eq!(known("Café"), [Kk, Aa, Ff, E]);
    }

    #[test]
    fn doubled_letters_and_equal_neighbours_merge() {
        let ball = spell("ball");
        assert_eq!(ball.len(), 3);
        assert_eq!(ball[2].viseme, Some(Nn));
        assert_eq!(ball[2].weight, CONSONANT_WEIGHT);
        // "mb": PP then PP again is one shape held for both letters.
        let lamb = spell("lamb");
        assert_eq!(
            lamb.last().map(|s| (s.viseme, s.weight)),
            Some((Some(Pp), 2))
        );
    }

    #[test]
    fn ranges_cover_the_text_and_silent_letters_join_the_next_shape() {
        let hello = spell("Hello,");
        let ranges: Vec<_> = hello.iter().map(|s| s.letters.clone()).collect();
        // "He" | "ll" | "o,"
        assert_eq!(ranges, [0..2, 2..4, 4..6]);
        let x = spell("ax");
        assert_eq!(x[1].letters, x[2].letters);
    }

    #[test]
    fn vowels_weigh_more_than_consonants() {
        let cat = spell("cat");
        let weights: Vec<_> = cat.iter().map(|s| s.weight).collect();
        assert_eq!(weights, [CONSONANT_WEIGHT, VOWEL_WEIGHT, CONSONANT_WEIGHT]);
    }

    #[test]
    fn unreadable_letters_are_none_and_punctuation_is_nothing() {
        assert_eq!(shapes("a7"), [Some(Aa), None]);
        assert_eq!(shapes("Жa"), [None, Some(Aa)]);
        assert!(spell("...!").is_empty());
        assert!(spell("").is_empty());
    }

    #[test]
    fn words_do_not_share_digraphs() {
        // "t h" across a space is not TH; "h" is silent.
        assert_eq!(known("at home"), [Aa, Dd, Oh, Pp]);
    }
}
