//! The lexical layer: the text cut into pieces (chunks between whitespace and tags, tags,
//! paragraph breaks), and each chunk into atoms (runs of letters or digits, single marks).

use std::ops::Range;

use super::Segment;
use super::tags;
use super::words;

/// A piece of the text, in order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Piece {
    /// Text between whitespace and tags, as a byte range.
    Chunk(Range<usize>),
    /// A tag that means something: a break, a sound or a style.
    Markup(Segment),
    /// A blank line between two pieces.
    Paragraph,
}

/// Cuts `text` into pieces. Tags that mean nothing are dropped, but still end a chunk.
pub(crate) fn pieces(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut chunk: Option<usize> = None;
    let mut newlines = 0u32;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        let width = c.len_utf8();
        if c.is_whitespace() {
            if let Some(start) = chunk.take() {
                pieces.push(Piece::Chunk(start..at));
            }
            newlines += match c {
                '\n' | '\u{85}' | '\u{2028}' => 1,
                '\r' if !text[at + 1..].starts_with('\n') => 1,
                '\u{2029}' => 2,
                _ => 0,
            };
            at += width;
            continue;
        }
        if newlines >= 2 && !pieces.is_empty() {
            pieces.push(Piece::Paragraph);
        }
        newlines = 0;
        let tag = match c {
            '[' => tags::square(text, at),
            '<' => tags::angle(text, at),
            _ => None,
        };
        match tag {
            Some(tag) => {
                if let Some(start) = chunk.take() {
                    pieces.push(Piece::Chunk(start..at));
                }
                pieces.extend(tag.segment.map(Piece::Markup));
                at = tag.end;
            }
            None => {
                chunk.get_or_insert(at);
                at += width;
            }
        }
    }
    if let Some(start) = chunk {
        pieces.push(Piece::Chunk(start..text.len()));
    }
    pieces
}

/// A mark: punctuation the reader treats alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mark {
    /// `.` `。`
    Period,
    /// `,` `、` `，`
    Comma,
    /// `;`
    Semicolon,
    /// `:`
    Colon,
    /// `?`
    Question,
    /// `!`
    Exclamation,
    /// `...` `…` (two dots or more)
    Ellipsis,
    /// `—` `--`
    Dash,
    /// `–`: a range between numbers, else a dash.
    EnDash,
    /// `-`: joins words, a minus, a range, else a dash.
    Hyphen,
    /// `(` `)`
    Paren,
    /// `'` `’` not inside a word: a quote, or `'90s`.
    Apostrophe,
    /// Quotes and brackets: attached to a token but silent.
    Quiet,
}

/// What an atom is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters (ASCII or foldable Latin), with apostrophes and combining accents inside.
    Letters,
    /// ASCII digits.
    Digits,
    /// Punctuation.
    Mark(Mark),
    /// A symbol that may be said (`$`, `%`, `&`, ...) or is silent (`*`, `/`).
    Symbol(char),
    /// Characters that cannot be said (other scripts, emoji): silent.
    Skip,
}

/// A run of the chunk with its byte range in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Atom {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Atom {
    /// Whether this atom is `kind`.
    pub fn is(&self, kind: Kind) -> bool {
        self.kind == kind
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘')
}

fn mark_of(c: char) -> Option<Kind> {
    let mark = match c {
        '。' | '．' => Mark::Period,
        ',' | '、' | '，' => Mark::Comma,
        ';' | '；' => Mark::Semicolon,
        ':' | '：' => Mark::Colon,
        '?' | '？' | '‽' => Mark::Question,
        '!' | '！' => Mark::Exclamation,
        '…' => Mark::Ellipsis,
        '—' | '―' => Mark::Dash,
        '–' => Mark::EnDash,
        '‐' | '‑' => Mark::Hyphen,
        '(' | ')' | '（' | '）' => Mark::Paren,
        c if is_apostrophe(c) => Mark::Apostrophe,
        '"' | '“' | '”' | '„' | '«' | '»' | '‹' | '›' | '[' | ']' | '{' | '}' | '¿' | '¡'
        | '「' | '」' | '『' | '』' | '`' | '´' => Mark::Quiet,
        _ => return None,
    };
    Some(Kind::Mark(mark))
}

fn symbol_of(c: char) -> Option<Kind> {
    matches!(
        c,
        '$' | '£'
            | '€'
            | '¢'
            | '¥'
            | '₹'
            | '%'
            | '&'
            | '+'
            | '='
            | '@'
            | '#'
            | '°'
            | '×'
            | '/'
            | '\\'
            | '*'
            | '_'
            | '~'
            | '^'
            | '|'
            | '<'
            | '>'
            | '−'
    )
    .then_some(Kind::Symbol(c))
}

/// Cuts the chunk `range` of `text` into atoms, appended to `atoms`. The atoms cover the chunk
/// back to back.
pub(crate) fn atoms(text: &str, range: Range<usize>, atoms: &mut Vec<Atom>) {
    let chunk = &text[range.clone()];
    let base = range.start;
    let mut at = 0;
    while let Some(c) = chunk[at..].chars().next() {
        let start = at;
        at += c.len_utf8();
        let kind = if c.is_ascii_digit() {
            at += run(chunk, at, |c| c.is_ascii_digit());
            Kind::Digits
        } else if words::is_letter(c) {
            at += letters_tail(chunk, at);
            Kind::Letters
        } else if c == '.' {
            let dots = run(chunk, at, |c| c == '.');
            at += dots;
            Kind::Mark(if dots == 0 {
                Mark::Period
            } else {
                Mark::Ellipsis
            })
        } else if c == '-' {
            let more = run(chunk, at, |c| c == '-');
            at += more;
            Kind::Mark(if more == 0 { Mark::Hyphen } else { Mark::Dash })
        } else if let Some(kind) = mark_of(c).or_else(|| symbol_of(c)) {
            kind
        } else {
            at += run(chunk, at, |c| {
                !(c.is_ascii_alphanumeric()
                    || words::is_letter(c)
                    || mark_of(c).is_some()
                    || symbol_of(c).is_some()
                    || c == '.'
                    || c == '-')
            });
            Kind::Skip
        };
        atoms.push(Atom {
            kind,
            start: base + start,
            end: base + at,
        });
    }
}

/// The byte length of the run of chars matching `keep` from `at`.
fn run(chunk: &str, at: usize, keep: impl Fn(char) -> bool) -> usize {
    chunk[at..].find(|c| !keep(c)).unwrap_or(chunk.len() - at)
}

/// The byte length of the rest of a letters run from `at`: letters, combining accents and
/// invisible characters, and apostrophes with a letter on both sides (`don't`).
fn letters_tail(chunk: &str, at: usize) -> usize {
    let mut len = 0;
    let mut chars = chunk[at..].chars().peekable();
    while let Some(c) = chars.next() {
        let inside = words::is_letter(c)
            || words::is_silent_in_word(c)
            || (is_apostrophe(c) && chars.peek().is_some_and(|&next| words::is_letter(next)));
        if !inside {
            break;
        }
        len += c.len_utf8();
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(chunk: &str) -> Vec<(Kind, &str)> {
        let mut out = Vec::new();
        atoms(chunk, 0..chunk.len(), &mut out);
        out.iter()
            .map(|a| (a.kind, &chunk[a.start..a.end]))
            .collect()
    }

    #[test]
    fn atoms_cover_chunks() {
        use Kind::*;
        assert_eq!(
            kinds("$3.50,"),
            [
                (Symbol('$'), "$"),
                (Digits, "3"),
                (Mark(super::Mark::Period), "."),
                (Digits, "50"),
                (Mark(super::Mark::Comma), ",")
            ]
        );
        assert_eq!(kinds("don’t"), [(Letters, "don’t")]);
        assert_eq!(
            kinds("'café'..."),
            [
                (Mark(super::Mark::Apostrophe), "'"),
                (Letters, "café"),
                (Mark(super::Mark::Apostrophe), "'"),
                (Mark(super::Mark::Ellipsis), "...")
            ]
        );
        assert_eq!(
            kinds("well--known"),
            [
                (Letters, "well"),
                (Mark(super::Mark::Dash), "--"),
                (Letters, "known")
            ]
        );
        assert_eq!(kinds("日本x"), [(Skip, "日本"), (Letters, "x")]);
    }

    #[test]
    fn pieces_split_on_space_tags_and_paragraphs() {
        let text = "Hi[laugh]there  [speak softly]\n\n<break time=\"1s\"/>end [x";
        assert_eq!(
            pieces(text),
            [
                Piece::Chunk(0..2),
                Piece::Markup(Segment::NonVerbal(super::super::NonVerbal::Laugh)),
                Piece::Chunk(9..14),
                Piece::Paragraph,
                Piece::Markup(Segment::Break { millis: 1000 }),
                Piece::Chunk(50..53),
                Piece::Chunk(54..56),
            ]
        );
        assert_eq!(
            pieces("\n\n  a\r\n\r\nb"),
            [Piece::Chunk(4..5), Piece::Paragraph, Piece::Chunk(9..10)]
        );
        assert!(pieces("").is_empty());
        assert!(pieces(" \t\n").is_empty());
    }
}
