//! Abbreviations and units: what `Dr.`, `etc.`, `e.g.` and `km` stand for, and whether the
//! period after one also ends the sentence.

/// What the period after an abbreviation does to the sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Period {
    /// A title before a name (`Dr.`, `Mr.`): the sentence goes on unless the text ends.
    Title,
    /// `etc.`, `Ave.`, `Jr.`: the sentence ends if the next word is capitalised or the text ends.
    Ending,
    /// `e.g.`, `vs.`, `No.`: the sentence goes on unless the text ends.
    Inside,
}

/// How the word after an abbreviation starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Nothing follows before the end, a blank line or a tag.
    End,
    /// A capital letter.
    Upper,
    /// A lowercase letter.
    Lower,
    /// A digit (or `#`).
    Digit,
    /// Something else (a symbol).
    Other,
}

/// What surrounds an abbreviation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Around {
    /// The word before is capitalised and not merely because it starts a sentence ("Elm").
    pub after_name: bool,
    /// The word before is capitalised, perhaps only because it starts a sentence.
    pub after_capital: bool,
    /// How the word after starts.
    pub next: Next,
    /// The abbreviation is written with a capital.
    pub capital: bool,
    /// The abbreviation is followed by its period.
    pub period: bool,
}

/// One entry: the abbreviation (lowercase, without its period), what it stands for, how its
/// period behaves, and whether it is recognised without the period.
struct Entry {
    key: &'static str,
    words: &'static [&'static str],
    period: Period,
    bare: bool,
}

const fn entry(
    key: &'static str,
    words: &'static [&'static str],
    period: Period,
    bare: bool,
) -> Entry {
    Entry {
        key,
        words,
        period,
        bare,
    }
}

const ENTRIES: &[Entry] = &[
    entry("mr", &["mister"], Period::Title, true),
    entry("mrs", &["missus"], Period::Title, true),
    entry("ms", &["miz"], Period::Title, true),
    entry("prof", &["professor"], Period::Title, false),
    entry("capt", &["captain"], Period::Title, false),
    entry("lt", &["lieutenant"], Period::Title, false),
    entry("sgt", &["sergeant"], Period::Title, true),
    entry("gen", &["general"], Period::Title, false),
    entry("col", &["colonel"], Period::Title, false),
    entry("gov", &["governor"], Period::Title, false),
    entry("sen", &["senator"], Period::Title, false),
    entry("rep", &["representative"], Period::Title, false),
    entry("mt", &["mount"], Period::Title, false),
    entry("jr", &["junior"], Period::Ending, false),
    entry("sr", &["senior"], Period::Ending, false),
    entry("ave", &["avenue"], Period::Ending, false),
    entry("rd", &["road"], Period::Ending, false),
    entry("blvd", &["boulevard"], Period::Ending, true),
    entry("etc", &["et", "cetera"], Period::Ending, true),
    entry("inc", &["incorporated"], Period::Ending, false),
    entry("ltd", &["limited"], Period::Ending, true),
    entry("dept", &["department"], Period::Ending, false),
    entry("vs", &["versus"], Period::Inside, true),
    entry("apt", &["apartment"], Period::Inside, false),
    entry("bldg", &["building"], Period::Inside, true),
    entry("vol", &["volume"], Period::Inside, false),
    entry("pp", &["pages"], Period::Inside, false),
    entry("fig", &["figure"], Period::Inside, false),
    entry("approx", &["approximately"], Period::Inside, false),
];

/// What the abbreviation `key` (folded lowercase, no period) stands for here, if it is one.
pub(crate) fn expand(key: &str, around: Around) -> Option<(&'static [&'static str], Period)> {
    let has_name_after = around.next == Next::Upper;
    match key {
        // A title before a name, a street after one: "Dr. Smith", "Elm Dr.". Before a
        // capital, a name before it ("Elm St. Then") makes it a street ending a sentence;
        // a capitalised word that only starts the sentence ("Visit St. Louis") does not.
        "dr" | "st" => {
            let (title, street): (&[&str], &[&str]) = match key {
                "dr" => (&["doctor"], &["drive"]),
                _ => (&["saint"], &["street"]),
            };
            let street_name = if has_name_after {
                around.after_name
            } else {
                around.after_capital
            };
            if street_name {
                Some((street, Period::Ending))
            } else if has_name_after || (around.period && key == "dr") {
                Some((title, Period::Title))
            } else if around.period {
                Some((street, Period::Ending))
            } else {
                None
            }
        }
        "no" if around.period && around.next == Next::Digit => Some((&["number"], Period::Inside)),
        _ => {
            let entry = ENTRIES.iter().find(|entry| entry.key == key)?;
            let bare_ok = entry.bare && (entry.period != Period::Title || around.capital);
            (around.period || bare_ok).then_some((entry.words, entry.period))
        }
    }
}

/// What a dotted abbreviation stands for, from its letters joined by dots without the final
/// one (`e.g`, `p.m`, `u.s.a`): words, or `None` to spell the letters.
pub(crate) fn dotted(key: &str) -> Option<(&'static [&'static str], Period)> {
    match key {
        "e.g" => Some((&["for", "example"], Period::Inside)),
        "i.e" => Some((&["that", "is"], Period::Inside)),
        "a.k.a" => Some((&["also", "known", "as"], Period::Inside)),
        _ => None,
    }
}

/// A unit of measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unit {
    pub singular: &'static [&'static str],
    pub plural: &'static [&'static str],
}

impl Unit {
    /// The words for the unit after a number that is (or is not) exactly one.
    pub fn words(self, one: bool) -> &'static [&'static str] {
        if one { self.singular } else { self.plural }
    }
}

const fn unit(singular: &'static [&'static str], plural: &'static [&'static str]) -> Unit {
    Unit { singular, plural }
}

/// Where a possible unit is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placing {
    /// On its own, not after a number: only the unambiguous units count (`km`, `lbs`).
    Alone,
    /// As the word after a number (`5 km`, `10 min`).
    AfterNumber,
    /// Attached to the number (`5km`, `2x`, `4K`): single letters count too.
    Attached,
}

/// The unit `raw` (as written: case matters for `m` and `M`) stands for, placed so.
pub(crate) fn unit_of(raw: &str, placing: Placing) -> Option<Unit> {
    const HOUR: Unit = unit(&["hour"], &["hours"]);
    let common = match raw {
        "km" | "KM" | "Km" => unit(&["kilometer"], &["kilometers"]),
        "kg" | "KG" | "Kg" => unit(&["kilogram"], &["kilograms"]),
        "lb" | "lbs" | "LB" | "LBS" => unit(&["pound"], &["pounds"]),
        "oz" | "OZ" => unit(&["ounce"], &["ounces"]),
        "ft" | "FT" => unit(&["foot"], &["feet"]),
        "mph" | "MPH" => unit(&["mile", "per", "hour"], &["miles", "per", "hour"]),
        "hr" | "hrs" | "HR" | "HRS" => HOUR,
        _ if placing == Placing::Alone => return None,
        "cm" => unit(&["centimeter"], &["centimeters"]),
        "mm" => unit(&["millimeter"], &["millimeters"]),
        "mi" => unit(&["mile"], &["miles"]),
        "mg" => unit(&["milligram"], &["milligrams"]),
        "ml" | "mL" => unit(&["milliliter"], &["milliliters"]),
        "kph" => unit(
            &["kilometer", "per", "hour"],
            &["kilometers", "per", "hour"],
        ),
        "min" | "mins" => unit(&["minute"], &["minutes"]),
        "sec" | "secs" => unit(&["second"], &["seconds"]),
        "ms" => unit(&["millisecond"], &["milliseconds"]),
        "fps" | "FPS" => unit(&["frame", "per", "second"], &["frames", "per", "second"]),
        "Hz" | "hz" => unit(&["hertz"], &["hertz"]),
        "kHz" | "khz" => unit(&["kilohertz"], &["kilohertz"]),
        "MHz" | "mhz" => unit(&["megahertz"], &["megahertz"]),
        "GHz" | "ghz" => unit(&["gigahertz"], &["gigahertz"]),
        "KB" | "kb" => unit(&["kilobyte"], &["kilobytes"]),
        "MB" | "mb" => unit(&["megabyte"], &["megabytes"]),
        "GB" | "gb" => unit(&["gigabyte"], &["gigabytes"]),
        "TB" | "tb" => unit(&["terabyte"], &["terabytes"]),
        _ if placing == Placing::AfterNumber => return None,
        "m" => unit(&["meter"], &["meters"]),
        "g" => unit(&["gram"], &["grams"]),
        "l" | "L" => unit(&["liter"], &["liters"]),
        "h" => HOUR,
        "k" | "K" => unit(&["thousand"], &["thousand"]),
        "M" => unit(&["million"], &["million"]),
        "x" => unit(&["times"], &["times"]),
        "C" => unit(&["degree", "celsius"], &["degrees", "celsius"]),
        "F" => unit(&["degree", "fahrenheit"], &["degrees", "fahrenheit"]),
        _ => return None,
    };
    Some(common)
}

/// The scale a currency amount may carry, attached (`$5m`, `$2bn`) or as the next word
/// (`$2.5 million`).
pub(crate) fn scale_of(raw: &str) -> Option<&'static str> {
    let scale = match raw {
        "k" | "K" | "thousand" => "thousand",
        "m" | "M" | "mn" | "million" => "million",
        "b" | "B" | "bn" | "billion" => "billion",
        "t" | "T" | "tn" | "trillion" => "trillion",
        _ => return None,
    };
    Some(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn around(after_name: bool, next: Next) -> Around {
        Around {
            after_name,
            after_capital: after_name,
            next,
            capital: true,
            period: true,
        }
    }

    #[test]
    fn doctor_or_drive() {
        let words = |key, around| expand(key, around).map(|(words, _)| words[0]);
        assert_eq!(words("dr", around(false, Next::Upper)), Some("doctor"));
        assert_eq!(words("dr", around(true, Next::End)), Some("drive"));
        assert_eq!(words("dr", around(true, Next::Lower)), Some("drive"));
        assert_eq!(words("dr", around(false, Next::Lower)), Some("doctor"));
        assert_eq!(words("st", around(false, Next::Upper)), Some("saint"));
        assert_eq!(words("st", around(true, Next::Upper)), Some("street"));
        assert_eq!(words("st", around(false, Next::Lower)), Some("street"));
        let sentence_start = Around {
            after_capital: true,
            ..around(false, Next::Upper)
        };
        assert_eq!(words("st", sentence_start), Some("saint"));
        let at_end = Around {
            next: Next::End,
            ..sentence_start
        };
        assert_eq!(words("dr", at_end), Some("drive"));
        let bare = Around {
            period: false,
            ..around(false, Next::Lower)
        };
        assert_eq!(words("st", bare), None);
        assert_eq!(
            words(
                "mr",
                Around {
                    next: Next::Upper,
                    ..bare
                }
            ),
            Some("mister")
        );
        assert_eq!(
            words(
                "mr",
                Around {
                    capital: false,
                    ..bare
                }
            ),
            None
        );
        assert_eq!(words("etc", bare), Some("et"));
        assert_eq!(words("prof", bare), None);
    }

    #[test]
    fn number_sign() {
        assert_eq!(
            expand("no", around(false, Next::Digit)),
            Some((&["number"][..], Period::Inside))
        );
        assert_eq!(expand("no", around(false, Next::Upper)), None);
    }

    #[test]
    fn units() {
        let words = |raw, placing, one| unit_of(raw, placing).map(|u| u.words(one)[0]);
        assert_eq!(words("km", Placing::Alone, false), Some("kilometers"));
        assert_eq!(words("min", Placing::Alone, true), None);
        assert_eq!(words("min", Placing::AfterNumber, true), Some("minute"));
        assert_eq!(words("ft", Placing::Attached, false), Some("feet"));
        assert_eq!(words("m", Placing::AfterNumber, false), None);
        assert_eq!(words("m", Placing::Attached, false), Some("meters"));
        assert_eq!(words("M", Placing::Attached, false), Some("million"));
        assert_eq!(scale_of("bn"), Some("billion"));
    }
}
