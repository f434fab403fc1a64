//! Numbers with their company: signs, currency, decimals, times, ordinals, decades, percentages,
//! units, phone numbers and dates, read from the atoms of one chunk. Money is in [`money`],
//! clock times and dates in [`times`].

use super::abbreviations::{Placing, scale_of, unit_of};
use super::numbers::{self, cardinal, digits, is_year, ordinal, pluralize_last, year};
use super::tokens::{Atom, Kind, Mark};
use super::words::{say, say_all};
use super::{SpokenWord, money, times};

/// What reading a quantity took and left.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Reading {
    /// The atom after the quantity.
    pub end: usize,
    /// Words the next token says after its own (`$2.5 million`: *dollars* goes with *million*).
    pub carry: Option<&'static str>,
    /// The quantity is exactly one (a unit after it is singular).
    pub one: bool,
    /// It ended with an abbreviation's period (`7p.m.`), which may or may not end the sentence.
    pub abbreviation_period: bool,
}

/// The chunk being read: its text and atoms, and the first word of the next chunk.
pub(crate) struct Chunk<'t, 'a> {
    pub text: &'t str,
    pub atoms: &'a [Atom],
    pub next_word: &'t str,
}

impl Chunk<'_, '_> {
    pub(super) fn kind(&self, at: usize) -> Option<Kind> {
        self.atoms.get(at).map(|atom| atom.kind)
    }

    pub(super) fn raw(&self, at: usize) -> &str {
        self.atoms
            .get(at)
            .map_or("", |atom| &self.text[atom.start..atom.end])
    }

    pub(super) fn is(&self, at: usize, kind: Kind) -> bool {
        self.kind(at) == Some(kind)
    }

    pub(super) fn digits_at(&self, at: usize) -> Option<&str> {
        self.is(at, Kind::Digits).then(|| self.raw(at))
    }

    pub(super) fn letters_at(&self, at: usize) -> Option<&str> {
        self.is(at, Kind::Letters).then(|| self.raw(at))
    }
}

/// A number as written: an integer part (maybe grouped `1,234`), maybe a fraction.
#[derive(Clone, Copy, Debug)]
pub(super) struct Number<'t> {
    /// Atoms of the integer part (digit groups and their commas); empty for `.5`.
    pub(super) int: (usize, usize),
    /// Its value, if it fits a cardinal.
    pub(super) value: Option<u64>,
    /// How many digits the integer part has.
    pub(super) digit_count: usize,
    /// Written with thousands separators (`1,234`): never a year.
    pub(super) grouped: bool,
    /// Starts with a zero (`007`): read digit by digit.
    pub(super) leading_zero: bool,
    /// The digits after the point, if any.
    pub(super) frac: Option<&'t str>,
    /// The atom after the number.
    pub(super) end: usize,
}

impl Number<'_> {
    pub(super) fn is_integer(&self) -> bool {
        self.frac.is_none() && self.value.is_some()
    }

    pub(super) fn is_one(&self) -> bool {
        self.frac.is_none() && self.value == Some(1) && !self.leading_zero
    }
}

/// Reads the number at `at`: `12`, `1,234,567`, `3.14`, `.5`.
fn number<'t>(chunk: &Chunk<'t, '_>, at: usize) -> Option<Number<'t>> {
    let text = chunk.text;
    let frac_at = |i: usize| {
        (chunk.is(i, Kind::Mark(Mark::Period)) && chunk.is(i + 1, Kind::Digits))
            .then(|| &text[chunk.atoms[i + 1].start..chunk.atoms[i + 1].end])
    };
    let Some(first) = chunk.digits_at(at) else {
        let frac = frac_at(at)?;
        return Some(Number {
            int: (at, at),
            value: None,
            digit_count: 0,
            grouped: false,
            leading_zero: false,
            frac: Some(frac),
            end: at + 2,
        });
    };
    let mut end = at + 1;
    let mut digit_count = first.len();
    let mut value = numbers::value(first);
    // `1,234,567`: groups of three after a first group of up to three.
    if first.len() <= 3 {
        while chunk.is(end, Kind::Mark(Mark::Comma))
            && chunk.digits_at(end + 1).is_some_and(|g| g.len() == 3)
        {
            let group = chunk.raw(end + 1);
            digit_count += 3;
            value = value
                .zip(numbers::value(group))
                .map(|(v, g)| v * 1000 + g)
                .filter(|_| digit_count <= numbers::MAX_DIGITS);
            end += 2;
        }
    }
    let grouped = end > at + 1;
    let frac = frac_at(end);
    Some(Number {
        int: (at, end),
        value,
        digit_count,
        grouped,
        leading_zero: !grouped && first.len() > 1 && first.starts_with('0'),
        frac,
        end: if frac.is_some() { end + 2 } else { end },
    })
}

/// Says a number: a cardinal (or a year, when `year_ok` and it looks like one), digit by digit
/// when it is too long or starts with a zero, then `point` and the fraction's digits.
pub(super) fn say_number(
    chunk: &Chunk<'_, '_>,
    number: &Number<'_>,
    year_ok: bool,
    out: &mut Vec<SpokenWord>,
) {
    let (first, end) = number.int;
    match number.value {
        _ if first == end => {}
        Some(value) if !number.leading_zero => {
            let as_year =
                year_ok && number.digit_count == 4 && !number.grouped && number.frac.is_none();
            if as_year && is_year(value) {
                year(value, out);
            } else {
                cardinal(value, out);
            }
        }
        _ => {
            for at in first..end {
                if let Some(group) = chunk.digits_at(at) {
                    digits(group, out);
                }
            }
        }
    }
    if let Some(frac) = number.frac {
        say(out, "point");
        digits(frac, out);
    }
}

/// Reads the quantity starting at atom `at` into `out`, or `None` (and nothing written) if
/// there is no number there.
pub(crate) fn read(chunk: &Chunk<'_, '_>, at: usize, out: &mut Vec<SpokenWord>) -> Option<Reading> {
    // `#5`: number five.
    if chunk.is(at, Kind::Symbol('#')) {
        let n = number(chunk, at + 1)?;
        say(out, "number");
        say_number(chunk, &n, false, out);
        return Some(Reading {
            end: n.end,
            ..Reading::default()
        });
    }
    // `'90s`: the nineties.
    if chunk.is(at, Kind::Mark(Mark::Apostrophe)) {
        let tens = chunk.digits_at(at + 1).filter(|d| d.len() == 2)?;
        let value = numbers::value(tens).filter(|v| v % 10 == 0 && *v > 0)?;
        chunk
            .letters_at(at + 2)
            .filter(|s| s.eq_ignore_ascii_case("s"))?;
        cardinal(value, out);
        pluralize_last(out);
        return Some(Reading {
            end: at + 3,
            ..Reading::default()
        });
    }
    let mut j = at;
    let minus = matches!(
        chunk.kind(j),
        Some(Kind::Mark(Mark::Hyphen) | Kind::Symbol('−'))
    );
    if minus {
        j += 1;
    }
    let prefix = match chunk.kind(j) {
        Some(Kind::Symbol(c)) => money::Currency::of(c).filter(|c| *c != money::Currency::Cent),
        _ => None,
    };
    if prefix.is_some() {
        j += 1;
    }
    if !minus && prefix.is_none() {
        if let Some(end) = grouped_digits(chunk, j, out) {
            return Some(Reading {
                end,
                ..Reading::default()
            });
        }
        if let Some(reading) = times::time(chunk, j, out) {
            return Some(reading);
        }
    }
    let n = number(chunk, j)?;
    if minus {
        say(out, "minus");
    }
    j = n.end;
    let mut reading = Reading {
        end: j,
        one: n.is_one(),
        ..Reading::default()
    };
    if let Some(currency) = prefix {
        let scale = chunk.letters_at(j).and_then(scale_of);
        if scale.is_some() {
            reading.end += 1;
        } else if j == chunk.atoms.len() {
            reading.carry = scale_of(chunk.next_word)
                .filter(|_| chunk.next_word.len() > 2)
                .map(|_| currency.major(false));
        }
        if reading.carry.is_some() {
            say_number(chunk, &n, false, out);
        } else {
            money::money(chunk, &n, currency, scale, out);
        }
        return Some(reading);
    }
    match chunk.kind(j) {
        Some(Kind::Symbol('%')) => {
            say_number(chunk, &n, false, out);
            say(out, "percent");
            reading.end += 1;
        }
        Some(Kind::Symbol(c)) if money::Currency::of(c).is_some() => {
            // `5¢`, `20€`.
            let currency = money::Currency::of(c).unwrap_or(money::Currency::Cent);
            money::money(chunk, &n, currency, None, out);
            reading.end += 1;
        }
        Some(Kind::Symbol('°')) => {
            say_number(chunk, &n, false, out);
            reading.end += 1;
            let scale = chunk.letters_at(j + 1).and_then(|l| match l {
                "C" | "c" => Some("celsius"),
                "F" | "f" => Some("fahrenheit"),
                _ => None,
            });
            say(out, if n.is_one() { "degree" } else { "degrees" });
            if let Some(scale) = scale {
                say(out, scale);
                reading.end += 1;
            }
        }
        Some(Kind::Letters) => suffixed(chunk, &n, &mut reading, out),
        Some(Kind::Mark(Mark::Apostrophe))
            if chunk.letters_at(j + 1) == Some("s") && n.is_integer() =>
        {
            // `1980's`.
            decade(chunk, &n, out);
            reading.end += 2;
        }
        Some(Kind::Symbol('/')) => fraction(chunk, &n, &mut reading, out),
        _ => {
            let unit_follows =
                unit_of(chunk.next_word, Placing::AfterNumber).is_some() && j == chunk.atoms.len();
            say_number(chunk, &n, !minus && !unit_follows, out);
        }
    }
    Some(reading)
}

/// A number followed by letters: `1st`, `1980s`, `5pm`, `5km`; or just the number (`3D`).
fn suffixed(
    chunk: &Chunk<'_, '_>,
    n: &Number<'_>,
    reading: &mut Reading,
    out: &mut Vec<SpokenWord>,
) {
    let j = n.end;
    let suffix = chunk.raw(j);
    let lower = suffix.to_ascii_lowercase();
    match (lower.as_str(), n.value) {
        ("st" | "nd" | "rd" | "th", Some(value)) if n.frac.is_none() && !n.leading_zero => {
            ordinal(value, out);
            reading.end += 1;
            return;
        }
        ("s", Some(_)) if n.frac.is_none() => {
            decade(chunk, n, out);
            reading.end += 1;
            return;
        }
        _ => {}
    }
    if let (Some(hour), Some((letter, end, period))) = (n.value, times::meridiem(chunk, j))
        && n.frac.is_none()
        && hour <= 12
    {
        cardinal(hour, out);
        out.extend([SpokenWord::Letter(letter), SpokenWord::Letter('m')]);
        reading.end = end;
        reading.abbreviation_period = period;
        return;
    }
    if let Some(unit) = unit_of(suffix, Placing::Attached) {
        say_number(chunk, n, false, out);
        say_all(out, unit.words(n.is_one()));
        reading.end += 1;
        return;
    }
    say_number(chunk, n, false, out);
}

/// `1980s` (nineteen eighties), `80s`, `5s` (fives).
fn decade(chunk: &Chunk<'_, '_>, n: &Number<'_>, out: &mut Vec<SpokenWord>) {
    say_number(chunk, n, true, out);
    pluralize_last(out);
}

/// `1/2` one half, `3/4` three quarters; other slashes are left to the reader (`24/7`).
fn fraction(
    chunk: &Chunk<'_, '_>,
    n: &Number<'_>,
    reading: &mut Reading,
    out: &mut Vec<SpokenWord>,
) {
    let j = n.end;
    let over = chunk.digits_at(j + 1).and_then(numbers::value);
    let top = n.value.filter(|top| n.is_integer() && *top > 0);
    let (Some(top), Some(bottom)) = (top, over) else {
        return say_number(chunk, n, false, out);
    };
    let whole_slash = !chunk.is(j + 2, Kind::Symbol('/')) && !chunk.is(j + 2, Kind::Digits);
    if !(2..=10).contains(&bottom) || top > 20 || !whole_slash {
        return say_number(chunk, n, false, out);
    }
    cardinal(top, out);
    match (bottom, top == 1) {
        (2, true) => say(out, "half"),
        (2, false) => say(out, "halves"),
        (4, true) => say(out, "quarter"),
        (4, false) => say(out, "quarters"),
        (_, one) => {
            ordinal(bottom, out);
            if !one {
                pluralize_last(out);
            }
        }
    }
    reading.end = j + 2;
}

/// Digits in hyphenated groups: a phone number (`555-1234`, `1-800-555-0199`) digit by digit,
/// or an ISO date (`2024-03-15`). Two groups otherwise are a range, left to the reader.
fn grouped_digits(chunk: &Chunk<'_, '_>, at: usize, out: &mut Vec<SpokenWord>) -> Option<usize> {
    let mut lens = [0usize; 8];
    let mut groups = 0;
    let mut end = at;
    while let Some(group) = chunk.digits_at(end) {
        if groups == lens.len() {
            break;
        }
        lens[groups] = group.len();
        groups += 1;
        end += 1;
        if !(chunk.is(end, Kind::Mark(Mark::Hyphen)) && chunk.is(end + 1, Kind::Digits)) {
            break;
        }
        end += 1;
    }
    let is_phone = groups >= 3 || (groups == 2 && lens[..2] == [3, 4]);
    if !is_phone {
        return None;
    }
    if groups == 3 && lens[..3] == [4, 2, 2] && times::iso_date(chunk, at, out) {
        return Some(end);
    }
    for i in (at..end).step_by(2) {
        digits(chunk.raw(i), out);
    }
    Some(end)
}
