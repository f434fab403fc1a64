//! Money: amounts with a currency sign, said with their units (*three dollars and fifty
//! cents*).

use super::SpokenWord;
use super::numbers::{self, cardinal};
use super::quantities::{Chunk, Number, say_number};
use super::words::{say, say_all};

/// Whether `c` is a currency sign written before the amount (`$5`, not `5¢`).
pub(crate) fn is_currency_prefix(c: char) -> bool {
    Currency::of(c).is_some_and(|currency| currency != Currency::Cent)
}

/// A currency, from its sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Currency {
    Dollar,
    Pound,
    Euro,
    Yen,
    Rupee,
    Cent,
}

impl Currency {
    /// The currency of a sign (`$`, `£`, `€`, `¥`, `₹`, `¢`).
    pub(super) fn of(c: char) -> Option<Self> {
        let currency = match c {
            '$' => Self::Dollar,
            '£' => Self::Pound,
            '€' => Self::Euro,
            '¥' => Self::Yen,
            '₹' => Self::Rupee,
            '¢' => Self::Cent,
            _ => return None,
        };
        Some(currency)
    }

    /// Its unit, singular or plural.
    pub(super) fn major(self, one: bool) -> &'static str {
        match (self, one) {
            (Self::Dollar, true) => "dollar",
            (Self::Dollar, false) => "dollars",
            (Self::Pound, true) => "pound",
            (Self::Pound, false) => "pounds",
            (Self::Euro, true) => "euro",
            (Self::Euro, false) => "euros",
            (Self::Yen, _) => "yen",
            (Self::Rupee, true) => "rupee",
            (Self::Rupee, false) => "rupees",
            (Self::Cent, true) => "cent",
            (Self::Cent, false) => "cents",
        }
    }

    /// Its hundredth, singular or plural, if it has one that people say.
    pub(super) fn minor(self, one: bool) -> Option<&'static str> {
        match (self, one) {
            (Self::Dollar | Self::Euro, true) => Some("cent"),
            (Self::Dollar | Self::Euro, false) => Some("cents"),
            (Self::Pound, true) => Some("penny"),
            (Self::Pound, false) => Some("pence"),
            _ => None,
        }
    }
}

/// Money: `$3.50` three dollars and fifty cents, `$0.99` ninety nine cents, `$2.5m` two point
/// five million dollars, `5¢` five cents.
pub(super) fn money(
    chunk: &Chunk<'_, '_>,
    n: &Number<'_>,
    currency: Currency,
    scale: Option<&str>,
    out: &mut Vec<SpokenWord>,
) {
    let cents = n.frac.filter(|f| f.len() == 2).and_then(numbers::value);
    if let (None, Some(cents), Some(_)) = (scale, cents, currency.minor(false)) {
        let major = if n.int.0 == n.int.1 { Some(0) } else { n.value };
        if let Some(major) = major {
            if major > 0 || cents == 0 {
                cardinal(major, out);
                say(out, currency.major(major == 1));
            }
            if cents > 0 {
                if major > 0 {
                    say(out, "and");
                }
                cardinal(cents, out);
                say_all(out, currency.minor(cents == 1).as_slice());
            }
            return;
        }
    }
    say_number(chunk, n, false, out);
    if let Some(scale) = scale {
        say(out, scale);
    }
    say(out, currency.major(n.is_one() && scale.is_none()));
}
