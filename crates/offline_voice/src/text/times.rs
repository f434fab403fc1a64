//! Clock times (*ten forty five*, *seven thirty p m*) and ISO dates (*March fifteenth, twenty
//! twenty four*).

use super::SpokenWord;
use super::numbers::{self, cardinal, ordinal, year};
use super::quantities::{Chunk, Reading};
use super::tokens::{Kind, Mark};
use super::words::say;

/// `am`, `PM`, `a.m.` at `at`: the letter, the atom after it, and whether it ended with a period.
pub(super) fn meridiem(chunk: &Chunk<'_, '_>, at: usize) -> Option<(char, usize, bool)> {
    let first = chunk.letters_at(at)?.to_ascii_lowercase();
    let letter = match first.as_str() {
        "am" => return Some(('a', at + 1, false)),
        "pm" => return Some(('p', at + 1, false)),
        "a" => 'a',
        "p" => 'p',
        _ => return None,
    };
    let dotted = chunk.is(at + 1, Kind::Mark(Mark::Period))
        && chunk.letters_at(at + 2)?.eq_ignore_ascii_case("m");
    if !dotted {
        return None;
    }
    let period = chunk.is(at + 3, Kind::Mark(Mark::Period));
    Some((letter, at + 3 + usize::from(period), period))
}

/// `10:45`, `3:00`, `7:30pm`, `23:15`, `10:45:30`: a clock time at `at`.
pub(super) fn time(chunk: &Chunk<'_, '_>, at: usize, out: &mut Vec<SpokenWord>) -> Option<Reading> {
    let hour_digits = chunk.digits_at(at).filter(|d| d.len() <= 2)?;
    let colon = Kind::Mark(Mark::Colon);
    let two_digits = |i: usize| {
        chunk
            .digits_at(i)
            .filter(|d| d.len() == 2)
            .and_then(numbers::value)
            .filter(|v| *v <= 59)
    };
    let hour = numbers::value(hour_digits).filter(|h| *h <= 24)?;
    if !chunk.is(at + 1, colon) {
        return None;
    }
    let minutes = two_digits(at + 2)?;
    let mut end = at + 3;
    let seconds = chunk.is(end, colon).then(|| two_digits(end + 1)).flatten();
    if seconds.is_some() {
        end += 2;
    }
    let meridiem = meridiem(chunk, end).filter(|_| hour <= 12);
    cardinal(hour, out);
    match minutes {
        0 if meridiem.is_some() => {}
        0 if hour <= 12 => say(out, "o'clock"),
        0 => say(out, "hundred"),
        1..=9 => {
            say(out, "oh");
            cardinal(minutes, out);
        }
        _ => cardinal(minutes, out),
    }
    if let Some(seconds) = seconds {
        say(out, "and");
        cardinal(seconds, out);
        say(out, if seconds == 1 { "second" } else { "seconds" });
    }
    let mut reading = Reading::default();
    if let Some((letter, after, period)) = meridiem {
        out.extend([SpokenWord::Letter(letter), SpokenWord::Letter('m')]);
        end = after;
        reading.abbreviation_period = period;
    }
    reading.end = end;
    Some(reading)
}

/// `2024-03-15`: March fifteenth, twenty twenty four. False (nothing said) if not a real date.
pub(super) fn iso_date(chunk: &Chunk<'_, '_>, at: usize, out: &mut Vec<SpokenWord>) -> bool {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let part = |i: usize| numbers::value(chunk.raw(i)).unwrap_or(0);
    let (y, m, d) = (part(at), part(at + 2), part(at + 4));
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return false;
    }
    // In 1..=12, so the index is in range.
    say(out, MONTHS[(m - 1) as usize]);
    ordinal(d, out);
    year(y, out);
    true
}
