//! Reading one chunk: its atoms left to right as quantities, abbreviations, words, symbols and
//! punctuation, into the reader's open token.

use super::abbreviations::{self, Around, Next, Period, Placing, unit_of};
use super::reading::{After, Before, Reader, is_content};
use super::tokens::{Atom, Kind, Mark};
use super::words;
use super::{BoundaryKind, SpokenWord};
use super::{money, numbers, quantities};

/// What reading a chunk has seen so far.
#[derive(Default)]
struct Seen {
    /// Something has been said in this chunk.
    spoken: bool,
    /// The last thing said is a number (exactly one, or not), with nothing after it yet.
    number: Option<bool>,
    /// The chunk's first word is capitalised.
    capital: bool,
    /// The chunk is a title or an initial (`Dr.`, `J.`): a capitalised word after it is a name.
    title: bool,
}

impl Reader<'_> {
    /// Reads the chunk `atoms` (followed by the chunk `after`) into the open token.
    pub(super) fn chunk(&mut self, atoms: &[Atom], after: After<'_>) {
        let before = std::mem::take(&mut self.before);
        let mut carry = self.carry.take();
        let started_sentence = self.sentence_start;
        let mut seen = Seen::default();
        let mut at = 0;
        while at < atoms.len() {
            let next = if self.starts_quantity(atoms, at) {
                self.quantity(atoms, at, after, &mut seen)
            } else {
                None
            };
            at = match next {
                Some(next) => next,
                None if atoms[at].kind == Kind::Letters => {
                    self.letters(atoms, at, after, before, &mut seen)
                }
                None => self.other(atoms, at, &mut seen),
            };
            if let Some(word) = carry.take_if(|_| seen.spoken) {
                self.say_all(&[word]);
            }
        }
        self.before = Before {
            number: seen.number.filter(|_| !self.pausing()),
            name: seen.capital && (!started_sentence || seen.title) && !self.pausing(),
            capital: seen.capital && !self.pausing(),
        };
    }

    /// Whether a number (or money) starts at `at`.
    fn starts_quantity(&self, atoms: &[Atom], at: usize) -> bool {
        let kind = |k: usize| atoms.get(k).map(|a| a.kind);
        let digits = |k: usize| kind(k) == Some(Kind::Digits);
        let number =
            |k: usize| digits(k) || (kind(k) == Some(Kind::Mark(Mark::Period)) && digits(k + 1));
        let money = |k: usize| {
            matches!(kind(k), Some(Kind::Symbol(c)) if money::is_currency_prefix(c))
                && number(k + 1)
        };
        let after_content = at.checked_sub(1).is_some_and(|p| is_content(atoms, p));
        match atoms[at].kind {
            Kind::Digits => true,
            Kind::Symbol('#') | Kind::Mark(Mark::Apostrophe) => digits(at + 1),
            Kind::Symbol('−') | Kind::Mark(Mark::Hyphen) => {
                !after_content && (number(at + 1) || money(at + 1))
            }
            Kind::Symbol(c) if money::is_currency_prefix(c) => number(at + 1),
            Kind::Mark(Mark::Period) => digits(at + 1) && !after_content,
            _ => false,
        }
    }

    fn quantity(
        &mut self,
        atoms: &[Atom],
        at: usize,
        after: After<'_>,
        seen: &mut Seen,
    ) -> Option<usize> {
        let chunk = quantities::Chunk {
            text: self.text,
            atoms,
            next_word: after.word,
        };
        let start = atoms[at].start;
        let reading = quantities::read(&chunk, at, self.open(start))?;
        let end = reading.end.clamp(at + 1, atoms.len());
        self.reach(start, atoms[end - 1].end);
        seen.spoken = true;
        seen.number = Some(reading.one);
        if reading.carry.is_some() {
            self.carry = reading.carry;
        }
        if reading.abbreviation_period {
            self.abbreviation_end(Period::Ending, atoms, end, after);
        }
        Some(end)
    }

    /// A run of letters: a dotted abbreviation, a unit, an abbreviation, an initial or a word.
    fn letters(
        &mut self,
        atoms: &[Atom],
        at: usize,
        after: After<'_>,
        before: Before,
        seen: &mut Seen,
    ) -> usize {
        let atom = atoms[at];
        let raw = &self.text[atom.start..atom.end];
        let first = !seen.spoken;
        if first {
            seen.capital = raw.chars().next().is_some_and(char::is_uppercase);
        }
        seen.spoken = true;
        seen.number = None;
        if let Some(end) = self.dotted(atoms, at, after) {
            return end;
        }
        let period = atoms
            .get(at + 1)
            .is_some_and(|a| a.is(Kind::Mark(Mark::Period)));
        let next = next_in(self.text, atoms, at + 1 + usize::from(period), after);
        let after_number = before.number.filter(|_| first);
        if let Some(one) = after_number {
            if let Some(unit) = unit_of(raw, Placing::AfterNumber) {
                self.open(atom.start);
                self.say_all(unit.words(one));
                return self.through_period(atoms, at, period, Period::Ending, after);
            }
            if raw.eq_ignore_ascii_case("am") || raw.eq_ignore_ascii_case("pm") {
                words::spell(&raw.to_ascii_lowercase(), self.open(atom.start));
                return self.through_period(atoms, at, period, Period::Ending, after);
            }
        }
        let folded = words::folded(raw);
        let around = Around {
            after_name: before.name && first,
            after_capital: before.capital && first,
            next,
            capital: folded.first_upper,
            period,
        };
        if let Some((expansion, kind)) = abbreviations::expand(&folded.spelling, around) {
            self.open(atom.start);
            self.say_all(expansion);
            seen.title |= kind == Period::Title;
            return self.through_period(atoms, at, period, kind, after);
        }
        if let Some(unit) = unit_of(raw, Placing::Alone) {
            self.open(atom.start);
            self.say_all(unit.words(false));
            return self.through_period(atoms, at, period, Period::Ending, after);
        }
        if let Some(value) = words::roman(raw).filter(|_| first && before.capital) {
            // "World War II", "Final Fantasy VII".
            numbers::cardinal(value, self.open(atom.start));
            self.reach(atom.start, atom.end);
            return at + 1;
        }
        let initial = folded
            .spelling
            .chars()
            .next()
            .filter(|_| folded.spelling.len() == 1);
        if let Some(letter) =
            initial.filter(|_| period && folded.all_upper && next == Next::Upper && raw != "I")
        {
            // An initial: "J. K. Rowling", "John F. Kennedy".
            self.open(atom.start);
            self.push(SpokenWord::Letter(letter));
            seen.title = true;
            return self.through_period(atoms, at, period, Period::Title, after);
        }
        self.open(atom.start);
        let setting = self.setting();
        words::read(raw, setting, self.open(atom.start));
        self.reach(atom.start, atom.end);
        at + 1
    }

    /// Dotted letters at `at`: `e.g.`, `a.m.`, `U.S.A.` (at least two letters).
    fn dotted(&mut self, atoms: &[Atom], at: usize, after: After<'_>) -> Option<usize> {
        let letter = |k: usize| {
            atoms
                .get(k)
                .filter(|a| a.is(Kind::Letters) && a.end - a.start == 1)
                .map(|a| self.text.as_bytes()[a.start].to_ascii_lowercase())
        };
        let period = |k: usize| atoms.get(k).is_some_and(|a| a.is(Kind::Mark(Mark::Period)));
        letter(at)?;
        let mut key = [0u8; 16];
        let mut len = 0;
        let mut end = at;
        while let Some(l) = letter(end) {
            if len + 2 > key.len() {
                break;
            }
            key[len] = l;
            len += 1;
            end += 1;
            if !period(end) {
                break;
            }
            key[len] = b'.';
            len += 1;
            end += 1;
        }
        let final_period = period(end - 1);
        let key = &key[..len - usize::from(final_period)];
        if key.len() < 3 {
            return None;
        }
        // Only ASCII letters and dots went into the key.
        let key = std::str::from_utf8(key).ok()?;
        let start = atoms[at].start;
        let kind = match abbreviations::dotted(key) {
            Some((expansion, kind)) => {
                self.open(start);
                self.say_all(expansion);
                kind
            }
            None => {
                words::spell(key, self.open(start));
                if matches!(key, "a.m" | "p.m") {
                    Period::Ending
                } else {
                    Period::Inside
                }
            }
        };
        self.reach(start, atoms[end - 1].end);
        if final_period {
            self.abbreviation_end(kind, atoms, end, after);
        }
        Some(end)
    }

    /// Ends an abbreviation at `at` (and its period, if `period`): the token reaches through
    /// it, and the period ends the sentence if the abbreviation's kind and what follows say so.
    fn through_period(
        &mut self,
        atoms: &[Atom],
        at: usize,
        period: bool,
        kind: Period,
        after: After<'_>,
    ) -> usize {
        let last = at + usize::from(period);
        self.reach(atoms[at].start, atoms[last].end);
        if period {
            self.abbreviation_end(kind, atoms, last + 1, after);
        }
        last + 1
    }

    /// Whether the period of an abbreviation (the atom before `from`) also ends the sentence.
    fn abbreviation_end(&mut self, kind: Period, atoms: &[Atom], from: usize, after: After<'_>) {
        // Punctuation right after decides the pause instead: "etc.," is a comma.
        let punctuation_next = atoms
            .get(from..)
            .unwrap_or_default()
            .iter()
            .find(|a| {
                !matches!(
                    a.kind,
                    Kind::Mark(Mark::Quiet | Mark::Apostrophe) | Kind::Skip
                )
            })
            .is_some_and(|a| matches!(a.kind, Kind::Mark(_)));
        if punctuation_next {
            return;
        }
        let next = next_in(self.text, atoms, from, after);
        let ends = match kind {
            Period::Ending => matches!(next, Next::End | Next::Upper),
            Period::Title | Period::Inside => next == Next::End,
        };
        if ends {
            let period = atoms[from - 1];
            self.mark(period.start..period.end, BoundaryKind::Statement);
        }
    }

    /// Symbols, punctuation and unsayable characters.
    fn other(&mut self, atoms: &[Atom], at: usize, seen: &mut Seen) -> usize {
        let atom = atoms[at];
        let said = match atom.kind {
            Kind::Symbol(c) => words::symbol(c),
            Kind::Mark(mark) => self.punctuation(atoms, at, mark, seen),
            Kind::Digits => {
                // Quantities read every digit run; this is only a fallback.
                numbers::digits(&self.text[atom.start..atom.end], self.open(atom.start));
                None
            }
            Kind::Letters | Kind::Skip => None,
        };
        if let Some(word) = said {
            self.open(atom.start);
            self.say_all(&[word]);
            seen.spoken = true;
            seen.number = None;
        }
        self.reach(atom.start, atom.end);
        at + 1
    }

    /// A mark: a pause, or a word between numbers or names (`5-10` to, `3.14.15` point,
    /// `example.com` dot), or silent. Returns the word to say, if any.
    fn punctuation(
        &mut self,
        atoms: &[Atom],
        at: usize,
        mark: Mark,
        seen: &mut Seen,
    ) -> Option<&'static str> {
        let kind = |k: usize| atoms.get(k).map(|a| a.kind);
        let between_numbers =
            seen.number.is_some() && at + 1 < atoms.len() && self.starts_quantity(atoms, at + 1);
        let joins =
            at.checked_sub(1).is_some_and(|p| is_content(atoms, p)) && is_content(atoms, at + 1);
        let bytes = atoms[at].start..atoms[at].end;
        let pause = match mark {
            Mark::Period
                if kind(at.wrapping_sub(1)) == Some(Kind::Digits)
                    && kind(at + 1) == Some(Kind::Digits) =>
            {
                return Some("point");
            }
            Mark::Period
                if kind(at.wrapping_sub(1)) == Some(Kind::Letters)
                    && atoms.get(at + 1).is_some_and(|a| {
                        a.is(Kind::Letters)
                            && self.text[a.start..].starts_with(|c: char| c.is_lowercase())
                    }) =>
            {
                return Some("dot");
            }
            Mark::Hyphen | Mark::EnDash | Mark::Colon if between_numbers => return Some("to"),
            Mark::EnDash if joins => return Some("to"),
            Mark::Hyphen if joins => return None,
            Mark::Colon if kind(at + 1) == Some(Kind::Symbol('/')) => return None,
            Mark::Apostrophe | Mark::Quiet => return None,
            Mark::Period => BoundaryKind::Statement,
            Mark::Comma | Mark::Dash | Mark::Paren | Mark::Hyphen | Mark::EnDash => {
                BoundaryKind::Comma
            }
            Mark::Semicolon | Mark::Colon => BoundaryKind::Clause,
            Mark::Question => BoundaryKind::Question,
            Mark::Exclamation => BoundaryKind::Exclamation,
            Mark::Ellipsis => BoundaryKind::Ellipsis,
        };
        self.mark(bytes, pause);
        seen.number = None;
        None
    }
}

/// How what follows `from` starts: the next letters or digits in this chunk (past silent
/// marks), or the next chunk's start.
fn next_in(text: &str, atoms: &[Atom], from: usize, after: After<'_>) -> Next {
    for atom in atoms.get(from..).unwrap_or_default() {
        return match atom.kind {
            Kind::Mark(Mark::Quiet | Mark::Apostrophe) | Kind::Skip => continue,
            Kind::Letters if text[atom.start..].starts_with(char::is_uppercase) => Next::Upper,
            Kind::Letters => Next::Lower,
            Kind::Digits | Kind::Symbol('#') => Next::Digit,
            _ => Next::Other,
        };
    }
    after.next
}
