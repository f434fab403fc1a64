//! From text to what the prosody times: normalised tokens, pronounced.

use super::lexicon::{WordContext, letter_name, pronounce};
use super::phone::PhoneToken;
use super::prosody::Unit;
use super::text::{Segment, SpokenWord, normalize};

/// A token of the text that is heard: its place in the source, for the timeline's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HeardToken {
    /// Byte range of the token as written.
    pub(crate) bytes: std::ops::Range<usize>,
}

/// The text, analysed: the units to time and the tokens they speak.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Analysis {
    pub(crate) units: Vec<Unit>,
    pub(crate) tokens: Vec<HeardToken>,
}

/// Words that take no pitch accent: articles, pronouns, auxiliaries, short prepositions and
/// conjunctions. Sorted, for binary search.
const UNACCENTED: &[&str] = &[
    "a", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "could", "did",
    "do", "does", "for", "from", "had", "has", "have", "he", "her", "him", "his", "i", "if", "in",
    "is", "it", "its", "me", "my", "of", "on", "or", "our", "shall", "she", "should", "so", "than",
    "that", "the", "their", "them", "then", "they", "to", "us", "was", "we", "were", "will",
    "with", "would", "you", "your",
];

fn accented(word: &str) -> bool {
    UNACCENTED.binary_search(&word).is_err()
}

/// Analyses `text`: normalises it, pronounces every word in context, and flattens it into
/// units. Tokens that yield no phones are dropped (they would be words with no span).
pub(crate) fn analyse(text: &str) -> Analysis {
    let segments = normalize(text);
    // The spoken words in order, for each word's neighbours.
    let spoken: Vec<&str> = segments
        .iter()
        .filter_map(|s| match s {
            Segment::Token(t) => Some(t.words.iter()),
            _ => None,
        })
        .flatten()
        .map(|w| match w {
            SpokenWord::Word(w) => w.as_str(),
            SpokenWord::Letter(_) => "",
        })
        .collect();
    let mut analysis = Analysis::default();
    let mut position: usize = 0;
    for segment in &segments {
        match segment {
            Segment::Token(token) => {
                let index = analysis.tokens.len();
                let mut any = false;
                for word in &token.words {
                    let context = WordContext {
                        previous: position.checked_sub(1).and_then(|i| spoken.get(i).copied()),
                        next: spoken.get(position + 1).copied(),
                    };
                    position += 1;
                    let (phones, accent): (Vec<PhoneToken>, bool) = match word {
                        SpokenWord::Word(w) => (pronounce(w, context), accented(w)),
                        SpokenWord::Letter(c) => (letter_name(*c), true),
                    };
                    if phones.is_empty() {
                        continue;
                    }
                    any = true;
                    analysis.units.push(Unit::Word {
                        word: index,
                        phones,
                        accent,
                    });
                }
                if any {
                    analysis.tokens.push(HeardToken {
                        bytes: token.bytes.clone(),
                    });
                }
            }
            Segment::Boundary(boundary) => analysis.units.push(Unit::Pause {
                millis: boundary.millis,
                boundary: Some(boundary.kind),
                fixed: false,
            }),
            Segment::Break { millis } => analysis.units.push(Unit::Pause {
                millis: *millis,
                boundary: None,
                fixed: true,
            }),
            Segment::NonVerbal(kind) => analysis.units.push(Unit::NonVerbal(*kind)),
            Segment::Style(style) => analysis.units.push(Unit::Style(*style)),
        }
    }
    analysis
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unaccented_list_is_sorted() {
        assert!(UNACCENTED.windows(2).all(|w| w[0] < w[1]));
        assert!(!accented("the") && accented("sword"));
    }
}
