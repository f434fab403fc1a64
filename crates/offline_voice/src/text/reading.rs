//! The reader: walks the pieces of a text, reads each chunk's atoms into tokens and boundaries,
//! and keeps the little context reading needs (sentence starts, the chunk before and after).

use std::ops::Range;

use super::abbreviations::Next;
use super::tokens::{self, Atom, Kind, Piece};
use super::words::{self, Setting};
use super::{Boundary, BoundaryKind, Segment, SpokenWord, Token};

/// The token being read: where it is, its words so far, and the pause after it.
#[derive(Default)]
struct OpenToken {
    bytes: Range<usize>,
    active: bool,
    words: Vec<SpokenWord>,
    boundary: Option<Boundary>,
}

/// What the chunk before left for the next one.
#[derive(Clone, Copy, Default)]
pub(super) struct Before {
    /// It ended with a number, exactly one or not (`5 km`, `1 km`).
    pub number: Option<bool>,
    /// It is a capitalised word that does not merely start a sentence (`Elm` in `Elm St.`).
    pub name: bool,
    /// It starts with a capital (`World War II`, `Chapter IV`).
    pub capital: bool,
}

/// The start of the next chunk.
#[derive(Clone, Copy)]
pub(super) struct After<'t> {
    /// How it starts.
    pub next: Next,
    /// Its first run of ASCII letters (`million` in `million,`).
    pub word: &'t str,
}

/// Reads one text into segments.
pub(crate) struct Reader<'t> {
    /// The text being read.
    pub(super) text: &'t str,
    /// The segments so far.
    out: Vec<Segment>,
    /// Boundaries before anything was said: kept only if nothing ever is (`...`).
    leading: Option<Boundary>,
    token: OpenToken,
    /// Nothing has been said since the last sentence ended (or the text began).
    pub(super) sentence_start: bool,
    /// The text is written in capitals for emphasis: short capitalised words are words.
    pub(super) shouting: bool,
    /// Words the next chunk's token says after its first word (`dollars` after `million`).
    pub(super) carry: Option<&'static str>,
    /// What the chunk just read left for the next.
    pub(super) before: Before,
    /// Scratch space for a chunk's atoms, reused from chunk to chunk.
    atoms: Vec<Atom>,
}

impl<'t> Reader<'t> {
    /// A reader for `text`.
    pub(crate) fn new(text: &'t str) -> Self {
        Self {
            text,
            out: Vec::new(),
            leading: None,
            token: OpenToken::default(),
            sentence_start: true,
            shouting: words::is_shouting(text),
            carry: None,
            before: Before::default(),
            atoms: Vec::new(),
        }
    }

    /// Reads the whole text: see [`normalize`](super::normalize).
    pub(crate) fn read(mut self) -> Vec<Segment> {
        let pieces = tokens::pieces(self.text);
        self.out.reserve(pieces.len() * 3 / 2 + 1);
        for (k, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Chunk(range) => {
                    let after = match pieces.get(k + 1) {
                        Some(Piece::Chunk(next)) => after(&self.text[next.clone()]),
                        _ => After {
                            next: Next::End,
                            word: "",
                        },
                    };
                    let mut atoms = std::mem::take(&mut self.atoms);
                    atoms.clear();
                    tokens::atoms(self.text, range.clone(), &mut atoms);
                    self.chunk(&atoms, after);
                    self.flush();
                    self.atoms = atoms;
                }
                Piece::Markup(segment) => {
                    self.out.push(segment.clone());
                    self.before = Before::default();
                    self.carry = None;
                }
                Piece::Paragraph => {
                    self.boundary(BoundaryKind::Paragraph);
                    self.before = Before::default();
                    self.carry = None;
                }
            }
        }
        match self.out.last() {
            None => self.out.extend(self.leading.map(Segment::Boundary)),
            Some(Segment::Boundary(_)) => {}
            Some(_) => self
                .out
                .push(Segment::Boundary(Boundary::new(BoundaryKind::Statement))),
        }
        self.out
    }

    /// Starts (or continues) the token at byte `start` before something is said; a token
    /// already closed by a boundary is finished first (`Hello,|world`).
    pub(super) fn open(&mut self, start: usize) -> &mut Vec<SpokenWord> {
        if self.token.boundary.is_some() && !self.token.words.is_empty() {
            self.flush();
        }
        if !self.token.active {
            self.token.active = true;
            self.token.bytes = start..start;
        }
        &mut self.token.words
    }

    /// The token reaches to byte `end` (attached punctuation, or what was said).
    pub(super) fn reach(&mut self, start: usize, end: usize) {
        if !self.token.active {
            self.token.active = true;
            self.token.bytes = start..start;
        }
        self.token.bytes.end = self.token.bytes.end.max(end);
    }

    /// Whether the open token ends with a pause (its chunk ended with punctuation).
    pub(super) fn pausing(&self) -> bool {
        self.token.boundary.is_some()
    }

    /// Punctuation at `bytes` asking for a pause of `kind`: after the open token if it said
    /// something, else before the token to come.
    pub(super) fn mark(&mut self, bytes: Range<usize>, kind: BoundaryKind) {
        if self.token.words.is_empty() {
            self.boundary(kind);
        } else {
            let boundary = Boundary::new(kind);
            self.token.boundary = Some(self.token.boundary.map_or(boundary, |b| b.merge(boundary)));
        }
        self.reach(bytes.start, bytes.end);
    }

    /// Emits the open token (if it said anything) and the pause after it.
    pub(super) fn flush(&mut self) {
        let token = std::mem::take(&mut self.token);
        if !token.words.is_empty() {
            self.out.push(Segment::Token(Token {
                bytes: token.bytes,
                words: token.words,
            }));
            self.sentence_start = false;
        }
        if let Some(boundary) = token.boundary {
            self.boundary(boundary.kind);
        }
    }

    /// Emits a boundary, merged with one right before it.
    fn boundary(&mut self, kind: BoundaryKind) {
        let boundary = Boundary::new(kind);
        if self.out.is_empty() {
            self.leading = Some(self.leading.map_or(boundary, |b| b.merge(boundary)));
        } else if let Some(Segment::Boundary(last)) = self.out.last_mut() {
            *last = last.merge(boundary);
        } else {
            self.out.push(Segment::Boundary(boundary));
        }
        self.sentence_start |= !matches!(kind, BoundaryKind::Comma | BoundaryKind::Clause);
    }

    /// How a word at sentence level sits, for the spelled-or-said choice.
    pub(super) fn setting(&self) -> Setting {
        Setting {
            sentence_start: self.sentence_start,
            shouting: self.shouting,
        }
    }

    /// Pushes `words` onto the open token.
    pub(super) fn say_all(&mut self, words: &[&str]) {
        words::say_all(&mut self.token.words, words);
    }

    /// Pushes a spoken word onto the open token.
    pub(super) fn push(&mut self, word: SpokenWord) {
        self.token.words.push(word);
    }
}

/// How the chunk `next` starts, seen from the chunk before it.
fn after(next: &str) -> After<'_> {
    let start = next
        .char_indices()
        .find(|(_, c)| {
            !matches!(
                c,
                '"' | '\'' | '“' | '‘' | '’' | '(' | '[' | '{' | '¿' | '¡' | '*' | '«'
            )
        })
        .map_or(next.len(), |(i, _)| i);
    let rest = &next[start..];
    let kind = match rest.chars().next() {
        None => Next::Other,
        Some(c) if c.is_ascii_digit() || c == '#' => Next::Digit,
        Some(c) if c.is_uppercase() => Next::Upper,
        Some(c) if c.is_lowercase() => Next::Lower,
        Some(_) => Next::Other,
    };
    let word_len = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    After {
        next: kind,
        word: &rest[..word_len],
    }
}

/// Whether the atom at `at` belongs to the open token's sayable content (for hyphens: a
/// letter or digit on each side joins them).
pub(super) fn is_content(atoms: &[Atom], at: usize) -> bool {
    atoms
        .get(at)
        .is_some_and(|a| matches!(a.kind, Kind::Letters | Kind::Digits))
}
