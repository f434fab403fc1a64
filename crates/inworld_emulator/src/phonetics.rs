//! A crude English letter-to-phone table for the tone voice, and the viseme labels it emits.
//!
//! Not linguistics: it only has to produce plausible IPA (multibyte symbols, stress digits) and
//! Inworld's viseme categories, deterministically, so clients meet the same shapes as in the
//! real service.

/// Inworld's 12 viseme categories, as written in `phoneticDetails[].phones[].visemeSymbol`.
/// Silence is `sil`.
pub const VISEME_CATEGORIES: [&str; 12] = [
    "aei",
    "bmp",
    "cdgknstxyz",
    "chjsh",
    "ee",
    "fv",
    "l",
    "o",
    "qw",
    "r",
    "th",
    "u",
];

/// The 15 OpenXR / Oculus viseme labels the emulator writes in `lipsyncAlignment` (our guess at
/// the unpublished schema).
pub const OPENXR_VISEMES: [&str; 15] = [
    "SIL", "PP", "FF", "TH", "DD", "KK", "CH", "SS", "NN", "RR", "AA", "E", "IH", "OH", "OU",
];

/// One phone of a word, before timing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PhoneSpec {
    /// IPA, with a stress digit on the word's first vowel (`oʊ1`).
    pub symbol: String,
    /// One of [`VISEME_CATEGORIES`].
    pub viseme: &'static str,
    /// Vowels are held longer than consonants.
    pub vowel: bool,
}

/// (spelling, IPA, viseme category, vowel), longest spellings first so digraphs win.
const SPELLINGS: &[(&str, &str, &str, bool)] = &[
    ("tch", "tʃ", "chjsh", false),
    ("ch", "tʃ", "chjsh", false),
    ("sh", "ʃ", "chjsh", false),
    ("th", "θ", "th", false),
    ("ph", "f", "fv", false),
    ("ng", "ŋ", "cdgknstxyz", false),
    ("ck", "k", "cdgknstxyz", false),
    ("wh", "w", "qw", false),
    ("ee", "i", "ee", true),
    ("ea", "i", "ee", true),
    ("oo", "u", "u", true),
    ("ou", "aʊ", "aei", true),
    ("ow", "oʊ", "o", true),
    ("ai", "eɪ", "aei", true),
    ("ay", "eɪ", "aei", true),
    ("a", "æ", "aei", true),
    ("b", "b", "bmp", false),
    ("c", "k", "cdgknstxyz", false),
    ("d", "d", "cdgknstxyz", false),
    ("e", "ɛ", "aei", true),
    ("f", "f", "fv", false),
    ("g", "g", "cdgknstxyz", false),
    ("h", "h", "aei", false),
    ("i", "ɪ", "aei", true),
    ("j", "dʒ", "chjsh", false),
    ("k", "k", "cdgknstxyz", false),
    ("l", "l", "l", false),
    ("m", "m", "bmp", false),
    ("n", "n", "cdgknstxyz", false),
    ("o", "oʊ", "o", true),
    ("p", "p", "bmp", false),
    ("q", "k", "cdgknstxyz", false),
    ("r", "ɹ", "r", false),
    ("s", "s", "cdgknstxyz", false),
    ("t", "t", "cdgknstxyz", false),
    ("u", "ʊ", "u", true),
    ("v", "v", "fv", false),
    ("w", "w", "qw", false),
    // Not one IPA phone: clients meet unknown symbols and must fall back on the category.
    ("x", "ks", "cdgknstxyz", false),
    ("y", "j", "cdgknstxyz", false),
    ("z", "z", "cdgknstxyz", false),
];

/// Phones for one whitespace-separated token. Punctuation makes no phone; letters outside
/// ASCII and digits each become a schwa, so every language yields something to animate.
pub(crate) fn word_phones(word: &str) -> Vec<PhoneSpec> {
    let lower: String = word.to_lowercase();
    let mut phones = Vec::new();
    let mut stressed = false;
    let mut rest = lower.as_str();
    while let Some(c) = rest.chars().next() {
        if let Some(&(spelling, ipa, viseme, vowel)) = SPELLINGS
            .iter()
            .find(|(spelling, ..)| rest.starts_with(spelling))
        {
            phones.push(spec(ipa, viseme, vowel, &mut stressed));
            rest = &rest[spelling.len()..];
            continue;
        }
        if c.is_alphanumeric() {
            phones.push(spec("ə", "aei", true, &mut stressed));
        }
        rest = &rest[c.len_utf8()..];
    }
    phones
}

fn spec(ipa: &str, viseme: &'static str, vowel: bool, stressed: &mut bool) -> PhoneSpec {
    let mut symbol = ipa.to_owned();
    // Like the real service, only some vowels carry a stress digit: clients must strip it.
    if vowel && !*stressed {
        symbol.push('1');
        *stressed = true;
    }
    PhoneSpec {
        symbol,
        viseme,
        vowel,
    }
}

/// The OpenXR label for a phone (stress digits ignored), falling back on its category.
pub(crate) fn openxr_viseme(symbol: &str, category: &str) -> &'static str {
    let bare = symbol.trim_end_matches(|c: char| c.is_ascii_digit());
    match bare {
        "b" | "m" | "p" => "PP",
        "f" | "v" => "FF",
        "θ" | "ð" => "TH",
        "t" | "d" => "DD",
        "k" | "g" | "ŋ" | "ks" => "KK",
        "tʃ" | "dʒ" | "ʃ" | "ʒ" => "CH",
        "s" | "z" => "SS",
        "n" | "l" => "NN",
        "ɹ" | "r" | "ɝ" => "RR",
        "æ" | "ɑ" | "a" | "ʌ" | "ə" | "h" | "aʊ" => "AA",
        "ɛ" | "eɪ" => "E",
        "ɪ" | "i" | "j" => "IH",
        "oʊ" | "ɔ" | "o" => "OH",
        "u" | "ʊ" | "w" => "OU",
        _ => match category {
            "bmp" => "PP",
            "fv" => "FF",
            "th" => "TH",
            "chjsh" => "CH",
            "l" => "NN",
            "r" => "RR",
            "ee" => "IH",
            "o" => "OH",
            "u" | "qw" => "OU",
            "cdgknstxyz" => "DD",
            "aei" => "AA",
            _ => "SIL",
        },
    }
}

/// The tone frequency (Hz) of a viseme category: distinct per category so a test can tell
/// phones apart in the audio if it wants to.
pub(crate) fn tone_hz(category: &str) -> f64 {
    let index = VISEME_CATEGORIES
        .iter()
        .position(|c| *c == category)
        .unwrap_or(VISEME_CATEGORIES.len());
    150.0 + 37.0 * index as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digraphs_stress_and_multibyte_symbols() {
        let phones = word_phones("Hello,");
        let symbols: Vec<&str> = phones.iter().map(|p| p.symbol.as_str()).collect();
        assert_eq!(symbols, ["h", "ɛ1", "l", "l", "oʊ"]);
        let thing: Vec<String> = word_phones("thing").into_iter().map(|p| p.symbol).collect();
        assert_eq!(thing, ["θ", "ɪ1", "ŋ"]);
        assert!(word_phones("...").is_empty());
        assert_eq!(word_phones("日本")[0].symbol, "ə1");
    }

    #[test]
    fn every_phone_has_a_known_category_and_label() {
        for (_, ipa, category, _) in SPELLINGS {
            assert!(VISEME_CATEGORIES.contains(category));
            assert!(OPENXR_VISEMES.contains(&openxr_viseme(ipa, category)));
        }
    }
}
