//! Phone symbols to visemes.
//!
//! Providers send phones as IPA decorated with stress digits (`oʊ1`), stress and length marks
//! (`ˈæ`, `iː`), tie bars (`t͡ʃ`) and other diacritics. [`normalize_phone`] strips all of that so
//! one table ([`phone_visemes`]) serves every spelling; a handful of ARPAbet symbols (`ay`, `hh`,
//! `jh`) are accepted too, since they cost one match arm each.
//!
//! A phone maps to one viseme, to two for a diphthong (`aɪ` is AA then IH), or, for `h`, to
//! "whatever vowel is next to it": the mouth is already shaping the neighbouring vowel while the
//! breath passes, so the caller resolves it from context ([`PhoneVisemes::Aspirate`]).

use std::borrow::Cow;

use super::viseme::{Viseme, VisemeCategory};

/// Where a diphthong's span is split between its two shapes: the first shape holds most of it.
pub const DIPHTHONG_SPLIT: f32 = 0.6;

/// The visemes of one phone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PhoneVisemes {
    /// One shape for the whole phone.
    Single(Viseme),
    /// A glide between two shapes: `first` over the leading `split` fraction of the span,
    /// `second` over the rest.
    Diphthong {
        /// The shape the glide starts from.
        first: Viseme,
        /// The shape it ends on.
        second: Viseme,
        /// Fraction of the span, in `0.0..=1.0`, shown as `first`.
        split: f32,
    },
    /// `h` and its kin: no shape of its own, it takes the neighbouring vowel's.
    Aspirate,
}

impl PhoneVisemes {
    /// The shape the phone starts with (`None` for [`PhoneVisemes::Aspirate`]).
    pub fn first(self) -> Option<Viseme> {
        match self {
            PhoneVisemes::Single(v) | PhoneVisemes::Diphthong { first: v, .. } => Some(v),
            PhoneVisemes::Aspirate => None,
        }
    }

    /// The shape the phone ends with (`None` for [`PhoneVisemes::Aspirate`]).
    pub fn last(self) -> Option<Viseme> {
        match self {
            PhoneVisemes::Single(v) | PhoneVisemes::Diphthong { second: v, .. } => Some(v),
            PhoneVisemes::Aspirate => None,
        }
    }
}

/// Strips what does not change the mouth shape from a phone symbol, and lowercases ASCII.
///
/// Removed: digits (stress `0`-`2`, and tone numbers some alphabets use), the IPA stress marks
/// `ˈ ˌ`, length marks `ː ˑ`, every combining diacritic (tie bars `͡ ͜`, syllabic `̩`, nasal `̃`,
/// ...), the modifier letters `ʰ ʱ ʲ ʷ ˠ ˤ` (aspiration, secondary articulation) and whitespace.
/// Borrows when there is nothing to strip.
///
/// ```
/// use lipsync_core::normalize_phone;
///
/// assert_eq!(normalize_phone("oʊ1"), "oʊ");
/// assert_eq!(normalize_phone("t͡ʃ"), "tʃ");
/// assert_eq!(normalize_phone("ˈæ"), "æ");
/// ```
pub fn normalize_phone(phone: &str) -> Cow<'_, str> {
    let untouched = |c: char| !is_decoration(c) && !c.is_ascii_uppercase();
    if phone.chars().all(untouched) {
        return Cow::Borrowed(phone);
    }
    Cow::Owned(
        phone
            .chars()
            .filter(|&c| !is_decoration(c))
            .map(|c| c.to_ascii_lowercase())
            .collect(),
    )
}

fn is_decoration(c: char) -> bool {
    c.is_ascii_digit()
        || c.is_whitespace()
        || matches!(
            c,
            'ˈ' | 'ˌ' | 'ː' | 'ˑ' | 'ʰ' | 'ʱ' | 'ʲ' | 'ʷ' | 'ˠ' | 'ˤ' | '\u{0300}'..='\u{036F}'
        )
}

/// The visemes of a phone symbol (normalised first), or `None` if the table does not know it.
///
/// The table: `p b m` PP; `f v` FF; `θ ð` TH; `t d` DD; `k ɡ ŋ` KK; `tʃ dʒ ʃ ʒ` CH; `s z` SS;
/// `n l` NN; `ɹ r` RR; `ɑ a æ ʌ ə aɪ aʊ` AA; `ɛ e eɪ` E; `i ɪ` IH; `o oʊ ɔ ɔɪ` OH; `u ʊ w` OU;
/// `h` takes the shape of the vowel next to it. With extras where that is silent: the r-coloured vowels
/// `ɝ ɚ` are RR, the flap `ɾ` DD, the glottal stop `ʔ` SIL, `x ɣ q` KK, `j y` IH, `ɫ ɲ` NN,
/// `ts dz` SS, the alveolo-palatals and retroflexes `ɕ ʑ tɕ dʑ ʂ ʐ tʂ` CH, the near-open and
/// central vowels `ɐ ɒ` AA and `ɜ` E, `ɵ ø œ` OH, `ɥ` OU, and the silence markers `sil sp pau`.
///
/// ```
/// use lipsync_core::{PhoneVisemes, Viseme, phone_visemes};
///
/// assert_eq!(phone_visemes("ŋ"), Some(PhoneVisemes::Single(Viseme::Kk)));
/// assert_eq!(phone_visemes("aɪ1").and_then(PhoneVisemes::last), Some(Viseme::Ih));
/// assert_eq!(phone_visemes("ʘ"), None);
/// ```
pub fn phone_visemes(phone: &str) -> Option<PhoneVisemes> {
    use Viseme::*;
    let single = |v| Some(PhoneVisemes::Single(v));
    let glide = |first, second| {
        Some(PhoneVisemes::Diphthong {
            first,
            second,
            split: DIPHTHONG_SPLIT,
        })
    };
    // IPA first on each arm, then ARPAbet spellings (lowercased by normalisation).
    match normalize_phone(phone).as_ref() {
        "p" | "b" | "m" | "em" => single(Pp),
        "f" | "v" | "ɱ" => single(Ff),
        "θ" | "ð" | "th" | "dh" => single(Th),
        "t" | "d" | "ɾ" | "dx" => single(Dd),
        "k" | "g" | "ɡ" | "ŋ" | "x" | "ɣ" | "q" | "ng" => single(Kk),
        "tʃ" | "dʒ" | "ʃ" | "ʒ" | "ɕ" | "ʑ" | "tɕ" | "dʑ" | "ʂ" | "ʐ" | "tʂ" | "ch" | "jh"
        | "sh" | "zh" => single(Ch),
        "s" | "z" | "ts" | "dz" => single(Ss),
        "n" | "l" | "ɫ" | "ɲ" | "en" | "el" => single(Nn),
        "ɹ" | "r" | "ɻ" | "ʁ" | "ʀ" | "ɝ" | "ɚ" | "er" | "axr" => single(Rr),
        "ɑ" | "a" | "æ" | "ʌ" | "ə" | "ɐ" | "ɒ" | "aa" | "ae" | "ah" | "ax" => single(Aa),
        "ɛ" | "e" | "ɜ" | "eh" => single(E),
        "i" | "ɪ" | "j" | "y" | "ih" | "iy" | "ix" => single(Ih),
        "o" | "ɔ" | "ɵ" | "ø" | "œ" | "ao" => single(Oh),
        "u" | "ʊ" | "w" | "ʍ" | "ɥ" | "uh" | "uw" => single(Ou),
        "aɪ" | "ay" => glide(Aa, Ih),
        "aʊ" | "aw" => glide(Aa, Ou),
        "eɪ" | "ey" => glide(E, Ih),
        "oʊ" | "əʊ" | "ow" => glide(Oh, Ou),
        "ɔɪ" | "oy" => glide(Oh, Ih),
        "ɪə" => glide(Ih, Aa),
        "eə" | "ɛə" => glide(E, Aa),
        "ʊə" => glide(Ou, Aa),
        "h" | "ɦ" | "hh" => Some(PhoneVisemes::Aspirate),
        "ʔ" | "sil" | "sp" | "pau" => single(Sil),
        _ => None,
    }
}

/// The viseme for an Inworld category, refined by the phone when the phone's own (first) shape
/// is one the category stands for ([`VisemeCategory::allows`]); otherwise the category's
/// default.
///
/// ```
/// use lipsync_core::{VisemeCategory, Viseme, category_viseme};
///
/// assert_eq!(category_viseme(VisemeCategory::Cdgknstxyz, Some("k")), Viseme::Kk);
/// assert_eq!(category_viseme(VisemeCategory::Cdgknstxyz, None), Viseme::Dd);
/// assert_eq!(category_viseme(VisemeCategory::Aei, Some("ɛ1")), Viseme::E);
/// ```
pub fn category_viseme(category: VisemeCategory, phone: Option<&str>) -> Viseme {
    phone
        .and_then(phone_visemes)
        .and_then(PhoneVisemes::first)
        .filter(|&v| category.allows(v))
        .unwrap_or_else(|| category.default_viseme())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Viseme::*;

    fn first(phone: &str) -> Option<Viseme> {
        phone_visemes(phone).and_then(PhoneVisemes::first)
    }

    #[test]
    fn every_row_of_the_lipsync_md_table() {
        let table: [(&[&str], Viseme); 15] = [
            (&["p", "b", "m"], Pp),
            (&["f", "v"], Ff),
            (&["θ", "ð"], Th),
            (&["t", "d"], Dd),
            (&["k", "g", "ŋ"], Kk),
            (&["tʃ", "dʒ", "ʃ", "ʒ"], Ch),
            (&["s", "z"], Ss),
            (&["n", "l"], Nn),
            (&["ɹ", "r"], Rr),
            (&["ɑ", "a", "æ", "ʌ", "ə", "aɪ", "aʊ"], Aa),
            (&["ɛ", "e", "eɪ"], E),
            (&["i", "ɪ"], Ih),
            (&["o", "oʊ", "ɔ", "ɔɪ"], Oh),
            (&["u", "ʊ", "w"], Ou),
            (&["ʔ"], Sil),
        ];
        for (phones, viseme) in table {
            for phone in phones {
                assert_eq!(first(phone), Some(viseme), "{phone}");
            }
        }
        assert_eq!(phone_visemes("h"), Some(PhoneVisemes::Aspirate));
    }

    #[test]
    fn extras_where_the_table_is_silent() {
        for (phone, viseme) in [
            ("ɝ", Rr),
            ("ɚ", Rr),
            ("ɾ", Dd),
            ("j", Ih),
            ("x", Kk),
            ("\u{0261}", Kk),
            ("ay", Aa),
            ("ɫ", Nn),
            ("ts", Ss),
        ] {
            assert_eq!(first(phone), Some(viseme), "{phone}");
        }
        assert_eq!(phone_visemes("HH"), Some(PhoneVisemes::Aspirate));
        assert_eq!(phone_visemes("ɦ"), Some(PhoneVisemes::Aspirate));
    }

    #[test]
    fn diphthongs_split_into_two_shapes() {
        let glide = |first, second| PhoneVisemes::Diphthong {
            first,
            second,
            split: DIPHTHONG_SPLIT,
        };
        assert_eq!(phone_visemes("aɪ"), Some(glide(Aa, Ih)));
        assert_eq!(phone_visemes("aʊ"), Some(glide(Aa, Ou)));
        assert_eq!(phone_visemes("eɪ"), Some(glide(E, Ih)));
        assert_eq!(phone_visemes("oʊ1"), Some(glide(Oh, Ou)));
        assert_eq!(phone_visemes("ɔɪ"), Some(glide(Oh, Ih)));
        assert_eq!(phone_visemes("OW1"), Some(glide(Oh, Ou)));
    }

    #[test]
    fn stress_and_diacritics_are_stripped() {
        assert_eq!(normalize_phone("oʊ1"), "oʊ");
        assert_eq!(normalize_phone("ˈæ"), "æ");
        assert_eq!(normalize_phone("ˌɪ0"), "ɪ");
        assert_eq!(normalize_phone("t͡ʃ"), "tʃ");
        assert_eq!(normalize_phone("d͜ʒ"), "dʒ");
        assert_eq!(normalize_phone("iː"), "i");
        assert_eq!(normalize_phone("n̩"), "n");
        assert_eq!(normalize_phone("tʰ"), "t");
        assert_eq!(normalize_phone("AY2"), "ay");
        assert!(matches!(normalize_phone("ə"), Cow::Borrowed("ə")));
        assert_eq!(first("t͡ʃ"), Some(Ch));
        assert_eq!(first("iː"), Some(Ih));
        assert_eq!(first("ˈæ"), Some(Aa));
        assert_eq!(first("ɑ̃"), Some(Aa));
    }

    #[test]
    fn unknown_symbols_are_none() {
        assert_eq!(phone_visemes("ʘ"), None);
        assert_eq!(phone_visemes(""), None);
        assert_eq!(phone_visemes("ˈ1"), None);
        assert_eq!(phone_visemes("[laugh]"), None);
    }

    #[test]
    fn categories_are_refined_by_the_phone() {
        use VisemeCategory as C;
        assert_eq!(category_viseme(C::Cdgknstxyz, Some("k")), Kk);
        assert_eq!(category_viseme(C::Cdgknstxyz, Some("s")), Ss);
        assert_eq!(category_viseme(C::Cdgknstxyz, Some("n")), Nn);
        assert_eq!(category_viseme(C::Cdgknstxyz, Some("t")), Dd);
        assert_eq!(category_viseme(C::Cdgknstxyz, Some("ʘ")), Dd);
        assert_eq!(category_viseme(C::Cdgknstxyz, None), Dd);
        // A phone outside the category does not override it.
        assert_eq!(category_viseme(C::Cdgknstxyz, Some("p")), Dd);
        assert_eq!(category_viseme(C::Aei, Some("ɛ")), E);
        assert_eq!(category_viseme(C::Aei, Some("ɪ1")), Ih);
        assert_eq!(category_viseme(C::Aei, Some("eɪ")), E);
        assert_eq!(category_viseme(C::Aei, Some("h")), Aa);
        assert_eq!(category_viseme(C::L, Some("l")), Dd);
        assert_eq!(category_viseme(C::Bmp, Some("m")), Pp);
    }

    #[test]
    fn the_documented_fixture_by_hand() {
        // "Hello, world!" from Inworld's documented stream line: phones and their categories.
        let phones = ["h", "ə", "l", "oʊ1", "w", "ɝ1", "l", "d"];
        let categories = ["aei", "aei", "l", "o", "qw", "r", "l", "cdgknstxyz"];
        let by_phone: Vec<_> = phones.iter().map(|p| phone_visemes(p)).collect();
        assert_eq!(
            by_phone,
            [
                Some(PhoneVisemes::Aspirate),
                Some(PhoneVisemes::Single(Aa)),
                Some(PhoneVisemes::Single(Nn)),
                Some(PhoneVisemes::Diphthong {
                    first: Oh,
                    second: Ou,
                    split: DIPHTHONG_SPLIT
                }),
                Some(PhoneVisemes::Single(Ou)),
                Some(PhoneVisemes::Single(Rr)),
                Some(PhoneVisemes::Single(Nn)),
                Some(PhoneVisemes::Single(Dd)),
            ]
        );
        let by_category: Vec<_> = categories
            .iter()
            .zip(phones)
            .map(|(c, p)| VisemeCategory::parse(c).map(|c| category_viseme(c, Some(p))))
            .collect();
        assert_eq!(
            by_category,
            [Aa, Aa, Dd, Oh, Ou, Rr, Dd, Dd].map(Some).to_vec()
        );
    }
}
