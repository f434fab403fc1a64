//! The offline voice's text front end: from the text a game passes to what is said, in order.
//!
//! A line such as `Dr. Smith paid $3.50 at 10:45. [laugh] <break time="300ms"/> Ready?` is read
//! the way a person reads it aloud. [`normalize`] turns it into [`Segment`]s:
//!
//! - a [`Token`] for each word as written, with its byte range in the text (what word
//!   timestamps and subtitles point at, the way Inworld reports words: `Hello,` `$3.50`
//!   `10:45.`) and the plain words said for it (`$3.50` is *three dollars and fifty cents*);
//! - a [`Boundary`] where punctuation (or a blank line, or the end of the text) asks for a pause
//!   and a phrase-final melody;
//! - [`Segment::Break`] for an explicit `<break time="..."/>`;
//! - [`NonVerbal`] sounds (`[laugh]`, `[sigh]`) and [`Style`] tags (`[happy]`, `[whispering]`),
//!   Inworld's markup, which are never spoken.
//!
//! Nothing here pronounces anything: the words are lowercase ASCII spellings (`doctor`,
//! `o'clock`) or letters said by name (`NPC` is N, P, C), handed to the lexicon.
//!
//! # How the text is read
//! The text is split on whitespace and markup into chunks; each chunk is cut into runs of
//! letters, digits and single marks, and read left to right: numbers and their company
//! (currency, times, ordinals, percentages, units) first, then abbreviations, then words.
//! Punctuation inside a chunk that ends a phrase (`yes...no`, `Hello,world`) splits it into two
//! tokens. A period after an abbreviation ends the sentence only when the abbreviation is last
//! or the next word is capitalised and the abbreviation is not a title (`Dr. Smith` goes on).
//!
//! Reading is one pass with a little lookaround (the chunk before and after), allocation-light
//! and linear in the text; any input, however odd, gives an answer and never panics.
//!
//! Where things live: `tags` (markup), `tokens` (chunks and atoms), `reading` (the reader, its
//! tokens and pauses), `chunk` (one chunk's atoms), `quantities` with `money` and `times`
//! (numbers and their company), `numbers` (number words), `abbreviations` (abbreviations and
//! units), `words` (accents, acronyms, symbols).
//!
//! ```
//! use offline_voice::text::{normalize, BoundaryKind, Segment};
//!
//! let text = "Dr. Smith paid $3.50. [laugh]";
//! let segments = normalize(text);
//! let Segment::Token(doctor) = &segments[0] else { panic!("a token first") };
//! assert_eq!(doctor.text(text), "Dr.");
//! assert_eq!(doctor.spoken(), "doctor");
//! let said: Vec<String> = segments
//!     .iter()
//!     .filter_map(|segment| match segment {
//!         Segment::Token(token) => Some(token.spoken()),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(said, ["doctor", "smith", "paid", "three dollars and fifty cents"]);
//! assert!(matches!(segments.last(), Some(Segment::Boundary(b)) if b.kind == BoundaryKind::Statement));
//! ```

mod abbreviations;
mod chunk;
mod money;
mod numbers;
mod quantities;
mod reading;
mod tags;
mod times;
mod tokens;
mod words;

#[cfg(test)]
mod tests;

use std::ops::Range;

/// Reads `text` aloud: its tokens with the words said for each, the pauses, breaks,
/// non-verbal sounds and style tags, in order.
///
/// The result is empty when the text has nothing in it (empty, whitespace, only free-form
/// tags); otherwise it ends with a [`Boundary`] ([`BoundaryKind::Statement`] when the text ends
/// without punctuation). Adjacent boundaries are merged into one (`?!` is one question; a blank
/// line after `?` is a question with a paragraph's pause). Deterministic, and it never panics.
///
/// ```
/// use offline_voice::text::{normalize, Segment, SpokenWord};
///
/// let segments = normalize("NPCs in 1999");
/// let Segment::Token(npcs) = &segments[0] else { panic!("a token first") };
/// assert_eq!(npcs.words[0], SpokenWord::Letter('n'));
/// assert_eq!(npcs.spoken(), "n p sees");
/// let Segment::Token(year) = &segments[2] else { panic!("a token third") };
/// assert_eq!(year.spoken(), "nineteen ninety nine");
/// ```
pub fn normalize(text: &str) -> Vec<Segment> {
    reading::Reader::new(text).read()
}

/// One piece of the text, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A token as written, and what is said for it.
    Token(Token),
    /// A pause from punctuation (or the end of the text).
    Boundary(Boundary),
    /// An explicit `<break time="..."/>`.
    Break {
        /// How long the pause lasts, clamped to `0..=10_000`.
        millis: u32,
    },
    /// A non-verbal sound tag: `[laugh]`, `[sigh]`, ...
    NonVerbal(NonVerbal),
    /// An emotion or delivery tag: not spoken; the voice may colour what follows.
    Style(Style),
}

/// A token as written in the text, and the words said for it.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// Byte range in the input text of the token as written, with attached punctuation, the way
    /// Inworld reports words ("Hello," "$3.50" "10:45." "don't"). Ranges are in order, never
    /// overlap, never cover tags.
    pub bytes: Range<usize>,
    /// The words said for it, in order (at least one): "$3.50" -> three dollars and fifty cents.
    pub words: Vec<SpokenWord>,
}

impl Token {
    /// The token as written in `source` (the text it was read from); empty if `source` is
    /// another text that the range does not fit.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.bytes.clone()).unwrap_or("")
    }

    /// What is said for the token, words separated by single spaces (letters as themselves):
    /// `"three dollars and fifty cents"`, `"n p c"`. For logs and tests.
    pub fn spoken(&self) -> String {
        let mut said = String::new();
        for word in &self.words {
            if !said.is_empty() {
                said.push(' ');
            }
            said.push_str(word.as_str());
        }
        said
    }
}

/// One word said for a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpokenWord {
    /// A word to pronounce: lowercase ASCII letters and apostrophes only ("doctor", "o'clock",
    /// "don't").
    Word(String),
    /// A letter said by its name (acronyms: "NPC" -> N, P, C), lowercase ASCII.
    Letter(char),
}

impl SpokenWord {
    /// The word's spelling, or the letter as a one-letter string (`"n"` for `Letter('n')`).
    pub fn as_str(&self) -> &str {
        const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz";
        match self {
            Self::Word(word) => word,
            Self::Letter(letter) if letter.is_ascii_lowercase() => {
                let at = usize::from(*letter as u8 - b'a');
                &ALPHABET[at..=at]
            }
            Self::Letter(_) => "",
        }
    }
}

/// What kind of punctuation a pause comes from; the voice shapes the phrase's end by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundaryKind {
    /// `,` `(` `)` and dashes: a short breath, the phrase continues.
    Comma,
    /// `;` `:`: a longer pause inside the sentence.
    Clause,
    /// `.`: the sentence ends, falling.
    Statement,
    /// `?`: the sentence ends as a question.
    Question,
    /// `!`: the sentence ends, exclaimed.
    Exclamation,
    /// `...` `…`: trailing off.
    Ellipsis,
    /// A blank line.
    Paragraph,
}

impl BoundaryKind {
    /// The nominal pause at speaking rate 1.0, in milliseconds.
    pub const fn nominal_millis(self) -> u32 {
        match self {
            Self::Comma => 200,
            Self::Clause => 300,
            Self::Statement | Self::Question | Self::Exclamation => 450,
            Self::Ellipsis => 500,
            Self::Paragraph => 700,
        }
    }

    /// Which kind wins when two boundaries meet (`?!`, `.` then a blank line): the one that says
    /// most about the phrase's melody; a paragraph only outranks commas and clauses.
    const fn rank(self) -> u8 {
        match self {
            Self::Comma => 0,
            Self::Clause => 1,
            Self::Paragraph => 2,
            Self::Statement => 3,
            Self::Ellipsis => 4,
            Self::Exclamation => 5,
            Self::Question => 6,
        }
    }
}

/// A pause from punctuation, a blank line or the end of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Boundary {
    /// The punctuation it comes from.
    pub kind: BoundaryKind,
    /// The nominal pause at rate 1.0 in milliseconds: comma 200, clause 300,
    /// statement/question/exclamation 450, ellipsis 500, paragraph 700.
    pub millis: u32,
}

impl Boundary {
    /// A boundary of `kind` with its nominal pause.
    pub const fn new(kind: BoundaryKind) -> Self {
        Self {
            kind,
            millis: kind.nominal_millis(),
        }
    }

    /// Two boundaries with nothing between them: the higher-ranked kind, the longer pause.
    fn merge(self, other: Self) -> Self {
        Self {
            kind: if other.kind.rank() > self.kind.rank() {
                other.kind
            } else {
                self.kind
            },
            millis: self.millis.max(other.millis),
        }
    }
}

/// A non-verbal sound, from Inworld's tags `[breathe] [clear_throat] [cough] [laugh] [sigh]
/// [yawn]` (also `[laughs]`, `[sighs]`, `[coughs]`, any case). It makes sound without phones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NonVerbal {
    /// `[laugh]`.
    Laugh,
    /// `[sigh]`.
    Sigh,
    /// `[breathe]`.
    Breathe,
    /// `[cough]`.
    Cough,
    /// `[clear_throat]`.
    ClearThroat,
    /// `[yawn]`.
    Yawn,
}

/// An emotion or delivery tag, `[happy]` ... `[whispering]`: not spoken; it colours what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// `[happy]`.
    Happy,
    /// `[sad]`.
    Sad,
    /// `[angry]`.
    Angry,
    /// `[surprised]`.
    Surprised,
    /// `[fearful]`.
    Fearful,
    /// `[disgusted]`.
    Disgusted,
    /// `[laughing]`: speech while laughing.
    Laughing,
    /// `[whispering]`.
    Whispering,
}
