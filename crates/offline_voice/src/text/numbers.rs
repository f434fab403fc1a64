//! Number words: cardinals, ordinals, years, digit strings, plurals of number words.
//!
//! American style: no "and" inside a number (*one hundred twenty three*), the short scale
//! (*billion* is 10^9), and every word separate (*twenty one*, not *twenty-one*).

use super::SpokenWord;
use super::words::say;

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 10] = [
    "", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

const SCALES: [(u64, &str); 4] = [
    (1_000_000_000_000, "trillion"),
    (1_000_000_000, "billion"),
    (1_000_000, "million"),
    (1_000, "thousand"),
];

/// The largest number read as a cardinal; longer digit strings are read digit by digit.
pub(crate) const MAX_CARDINAL: u64 = 999_999_999_999_999;

/// The most digits a cardinal has.
pub(crate) const MAX_DIGITS: usize = 15;

/// `n` in words: *one hundred twenty three*. Beyond [`MAX_CARDINAL`], digit by digit.
pub(crate) fn cardinal(n: u64, out: &mut Vec<SpokenWord>) {
    if n > MAX_CARDINAL {
        return digits(&n.to_string(), out);
    }
    if n == 0 {
        return say(out, "zero");
    }
    let mut rest = n;
    for (scale, name) in SCALES {
        if rest >= scale {
            below_thousand(rest / scale, out);
            say(out, name);
            rest %= scale;
        }
    }
    if rest > 0 {
        below_thousand(rest, out);
    }
}

/// `n` in `1..1000`.
fn below_thousand(n: u64, out: &mut Vec<SpokenWord>) {
    // Callers pass n < 1000, so every index below is in range.
    let n = (n % 1000) as usize;
    if n >= 100 {
        say(out, ONES[n / 100]);
        say(out, "hundred");
    }
    match n % 100 {
        0 => {}
        r @ 1..20 => say(out, ONES[r]),
        r => {
            say(out, TENS[r / 10]);
            if r % 10 > 0 {
                say(out, ONES[r % 10]);
            }
        }
    }
}

/// Each digit of `digits` by name: *five five five*. Other characters are skipped.
pub(crate) fn digits(digits: &str, out: &mut Vec<SpokenWord>) {
    for b in digits.bytes().filter(u8::is_ascii_digit) {
        say(out, ONES[usize::from(b - b'0')]);
    }
}

/// `n` as an ordinal: *twenty first*, *one hundredth*.
pub(crate) fn ordinal(n: u64, out: &mut Vec<SpokenWord>) {
    cardinal(n, out);
    ordinalize_last(out);
}

/// Turns the last number word of `out` into its ordinal (*one* -> *first*).
pub(crate) fn ordinalize_last(out: &mut [SpokenWord]) {
    if let Some(SpokenWord::Word(word)) = out.last_mut() {
        *word = match word.as_str() {
            "one" => "first".to_owned(),
            "two" => "second".to_owned(),
            "three" => "third".to_owned(),
            "five" => "fifth".to_owned(),
            "eight" => "eighth".to_owned(),
            "nine" => "ninth".to_owned(),
            "twelve" => "twelfth".to_owned(),
            w if w.ends_with('y') => format!("{}ieth", &w[..w.len() - 1]),
            w => format!("{w}th"),
        };
    }
}

/// Turns the last number word of `out` into its plural (*eighty* -> *eighties*, *six* ->
/// *sixes*), for decades and "in fives".
pub(crate) fn pluralize_last(out: &mut [SpokenWord]) {
    if let Some(SpokenWord::Word(word)) = out.last_mut() {
        if let Some(stem) = word.strip_suffix('y') {
            *word = format!("{stem}ies");
        } else if word.ends_with('x') {
            word.push_str("es");
        } else {
            word.push('s');
        }
    }
}

/// Whether a bare four-digit number is read as a year.
pub(crate) fn is_year(n: u64) -> bool {
    // 2000..=2009 are years too, said as cardinals (*two thousand five*).
    (1100..=2099).contains(&n)
}

/// `n` the way years are said: *nineteen ninety nine*, *nineteen hundred*, *nineteen oh five*,
/// *two thousand five*, *twenty twenty four*. Outside 1000..=9999, as a cardinal.
pub(crate) fn year(n: u64, out: &mut Vec<SpokenWord>) {
    if !(1000..=9999).contains(&n) || (2000..=2009).contains(&n) || n.is_multiple_of(1000) {
        return cardinal(n, out);
    }
    let (high, low) = (n / 100, n % 100);
    cardinal(high, out);
    match low {
        0 => say(out, "hundred"),
        1..=9 => {
            say(out, "oh");
            cardinal(low, out);
        }
        _ => cardinal(low, out),
    }
}

/// Parses ASCII digits into a number if it fits a cardinal.
pub(crate) fn value(digits: &str) -> Option<u64> {
    if digits.is_empty() || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(read: impl Fn(&mut Vec<SpokenWord>)) -> String {
        let mut out = Vec::new();
        read(&mut out);
        let words: Vec<&str> = out.iter().map(SpokenWord::as_str).collect();
        words.join(" ")
    }

    #[test]
    fn cardinals() {
        let cases: [(u64, &str); 12] = [
            (0, "zero"),
            (7, "seven"),
            (13, "thirteen"),
            (20, "twenty"),
            (21, "twenty one"),
            (100, "one hundred"),
            (123, "one hundred twenty three"),
            (1005, "one thousand five"),
            (
                1_234_567,
                "one million two hundred thirty four thousand five hundred sixty seven",
            ),
            (2_000_000_000, "two billion"),
            (
                MAX_CARDINAL,
                "nine hundred ninety nine trillion nine hundred ninety nine billion nine hundred \
                 ninety nine million nine hundred ninety nine thousand nine hundred ninety nine",
            ),
            (
                MAX_CARDINAL + 1,
                "one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero",
            ),
        ];
        for (n, expected) in cases {
            assert_eq!(said(|out| cardinal(n, out)), expected, "{n}");
        }
    }

    #[test]
    fn ordinals() {
        let cases: [(u64, &str); 9] = [
            (1, "first"),
            (2, "second"),
            (3, "third"),
            (4, "fourth"),
            (11, "eleventh"),
            (12, "twelfth"),
            (20, "twentieth"),
            (21, "twenty first"),
            (100, "one hundredth"),
        ];
        for (n, expected) in cases {
            assert_eq!(said(|out| ordinal(n, out)), expected, "{n}");
        }
        assert_eq!(said(|out| ordinal(1000, out)), "one thousandth");
    }

    #[test]
    fn years() {
        let cases: [(u64, &str); 8] = [
            (1999, "nineteen ninety nine"),
            (1900, "nineteen hundred"),
            (1905, "nineteen oh five"),
            (2000, "two thousand"),
            (2005, "two thousand five"),
            (2010, "twenty ten"),
            (2024, "twenty twenty four"),
            (1100, "eleven hundred"),
        ];
        for (n, expected) in cases {
            assert_eq!(said(|out| year(n, out)), expected, "{n}");
        }
        assert!(is_year(1100) && is_year(2099) && !is_year(1099) && !is_year(2100));
    }

    #[test]
    fn plurals_and_digits() {
        let decade = said(|out| {
            year(1980, out);
            pluralize_last(out);
        });
        assert_eq!(decade, "nineteen eighties");
        let sixes = said(|out| {
            cardinal(6, out);
            pluralize_last(out);
        });
        assert_eq!(sixes, "sixes");
        assert_eq!(
            said(|out| digits("5550123", out)),
            "five five five zero one two three"
        );
        assert_eq!(value("007"), Some(7));
        assert_eq!(value("1234567890123456"), None);
        assert_eq!(value(""), None);
    }
}
