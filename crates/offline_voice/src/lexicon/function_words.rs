//! Function words and their two forms: weak (reduced, unstressed) inside a phrase, strong at
//! its end or when an auxiliary opens a question.
//!
//! "I can **go**" has `K AX N`; "yes, I **can**" has `K AE1 N`; "**can** you?" has `K AE1 N`.
//! Which one a word takes follows from [`WordContext`]:
//! - no next word (end of phrase): strong;
//! - an auxiliary or modal with no previous word (it opens the sentence): strong;
//! - otherwise weak, with `the` and `to` taking `DH IY` / `T UW` before a vowel sound.

use super::super::phone::{PhoneToken, parse_arpabet};
use super::WordContext;

/// The phones of a function word in `context`.
pub(super) fn pronounce(word: &str, context: WordContext<'_>) -> Option<Vec<PhoneToken>> {
    let (weak, strong) = forms(word)?;
    let chosen = match context.next {
        None => strong,
        Some(_) if context.previous.is_none() && AUXILIARIES.contains(&word) => strong,
        Some(next) if begins_with_vowel_sound(next) => match word {
            "the" => "DH IY0",
            "to" => "T UW0",
            _ => weak,
        },
        Some(_) => weak,
    };
    parse_arpabet(chosen)
}

/// The strong form of a function word (a stem in `being`, `hers`: said in full).
pub(super) fn strong(word: &str) -> Option<Vec<PhoneToken>> {
    parse_arpabet(forms(word)?.1)
}

/// The weak and strong forms of `word`, if it is a function word.
pub(super) fn forms(word: &str) -> Option<(&'static str, &'static str)> {
    let at = FORMS.binary_search_by(|(key, ..)| key.cmp(&word)).ok()?;
    Some((FORMS[at].1, FORMS[at].2))
}

/// Auxiliaries and modals: strong when they open a question ("**do** you...").
const AUXILIARIES: &[&str] = &[
    "am", "are", "can", "could", "did", "do", "does", "had", "has", "have", "is", "may", "might",
    "must", "shall", "should", "was", "were", "will", "would",
];

/// Whether a word is said with a vowel first, for `the`/`to` (`the hour`, `the apple`; not
/// `the union`, `the one`).
fn begins_with_vowel_sound(word: &str) -> bool {
    const CONSONANT_SOUNDING: &[&str] = &[
        "eu", "ewe", "once", "one", "ubiq", "uni", "ura", "ure", "uri", "uro", "usa", "use", "usu",
        "uter", "uti",
    ];
    const SILENT_H: &[&str] = &["heir", "honest", "honor", "honour", "hour"];
    let word = word.trim_start_matches('\'');
    if SILENT_H.iter().any(|p| word.starts_with(p)) {
        return true;
    }
    if CONSONANT_SOUNDING.iter().any(|p| word.starts_with(p)) {
        return false;
    }
    word.starts_with(['a', 'e', 'i', 'o', 'u'])
}

/// `(word, weak, strong)`, sorted by word.
const FORMS: &[(&str, &str, &str)] = &[
    ("a", "AX", "EY1"),
    ("am", "AX M", "AE1 M"),
    ("an", "AX N", "AE1 N"),
    ("and", "AX N D", "AE1 N D"),
    ("are", "ER0", "AA1 R"),
    ("as", "AX Z", "AE1 Z"),
    ("at", "AX T", "AE1 T"),
    ("be", "B IY0", "B IY1"),
    ("been", "B IH0 N", "B IH1 N"),
    ("but", "B AX T", "B AH1 T"),
    ("by", "B AY0", "B AY1"),
    ("can", "K AX N", "K AE1 N"),
    ("could", "K UH0 D", "K UH1 D"),
    ("did", "D IH0 D", "D IH1 D"),
    ("do", "D UW0", "D UW1"),
    ("does", "D AX Z", "D AH1 Z"),
    ("for", "F ER0", "F AO1 R"),
    ("from", "F R AX M", "F R AH1 M"),
    ("had", "HH AX D", "HH AE1 D"),
    ("has", "HH AX Z", "HH AE1 Z"),
    ("have", "HH AX V", "HH AE1 V"),
    ("he", "HH IY0", "HH IY1"),
    ("her", "HH ER0", "HH ER1"),
    ("him", "HH IH0 M", "HH IH1 M"),
    ("his", "HH IH0 Z", "HH IH1 Z"),
    ("i", "AY0", "AY1"),
    ("if", "IH0 F", "IH1 F"),
    ("in", "IH0 N", "IH1 N"),
    ("is", "IH0 Z", "IH1 Z"),
    ("it", "IH0 T", "IH1 T"),
    ("its", "IH0 T S", "IH1 T S"),
    ("may", "M EY0", "M EY1"),
    ("me", "M IY0", "M IY1"),
    ("might", "M AY0 T", "M AY1 T"),
    ("must", "M AX S T", "M AH1 S T"),
    ("my", "M AY0", "M AY1"),
    ("nor", "N AO0 R", "N AO1 R"),
    ("of", "AX V", "AH1 V"),
    ("on", "AA0 N", "AA1 N"),
    ("or", "AO0 R", "AO1 R"),
    ("our", "AA0 R", "AW1 ER0"),
    ("shall", "SH AX L", "SH AE1 L"),
    ("she", "SH IY0", "SH IY1"),
    ("should", "SH UH0 D", "SH UH1 D"),
    ("some", "S AX M", "S AH1 M"),
    ("than", "DH AX N", "DH AE1 N"),
    ("the", "DH AX", "DH AH1"),
    ("their", "DH EH0 R", "DH EH1 R"),
    ("them", "DH AX M", "DH EH1 M"),
    ("they", "DH EY0", "DH EY1"),
    ("to", "T AX", "T UW1"),
    ("us", "AX S", "AH1 S"),
    ("was", "W AX Z", "W AH1 Z"),
    ("we", "W IY0", "W IY1"),
    ("were", "W ER0", "W ER1"),
    ("will", "W IH0 L", "W IH1 L"),
    ("with", "W IH0 DH", "W IH1 DH"),
    ("would", "W UH0 D", "W UH1 D"),
    ("you", "Y UW0", "Y UW1"),
    ("your", "Y ER0", "Y AO1 R"),
];

#[cfg(test)]
mod tests {
    use super::super::tests::show;
    use super::*;

    fn arpa(word: &str, previous: Option<&str>, next: Option<&str>) -> String {
        show(&pronounce(word, WordContext { previous, next }).unwrap())
    }

    #[test]
    fn table_is_sorted_and_parses() {
        for pair in FORMS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].0, pair[1].0);
        }
        for (word, weak, strong) in FORMS {
            assert!(parse_arpabet(weak).is_some(), "{word} weak");
            assert!(parse_arpabet(strong).is_some(), "{word} strong");
        }
        for aux in AUXILIARIES {
            assert!(forms(aux).is_some(), "{aux}");
        }
    }

    #[test]
    fn weak_inside_a_phrase_strong_at_its_end() {
        assert_eq!(arpa("can", Some("i"), Some("go")), "K AX N");
        assert_eq!(arpa("can", Some("i"), None), "K AE1 N");
        assert_eq!(arpa("at", Some("looking"), None), "AE1 T");
        assert_eq!(arpa("of", Some("cup"), Some("tea")), "AX V");
    }

    #[test]
    fn auxiliaries_opening_a_question_are_strong() {
        assert_eq!(arpa("can", None, Some("you")), "K AE1 N");
        assert_eq!(arpa("the", None, Some("dragon")), "DH AX");
    }

    #[test]
    fn the_and_to_before_vowels() {
        assert_eq!(arpa("the", Some("in"), Some("apple")), "DH IY0");
        assert_eq!(arpa("the", Some("in"), Some("hour")), "DH IY0");
        assert_eq!(arpa("the", Some("in"), Some("union")), "DH AX");
        assert_eq!(arpa("the", Some("in"), Some("one")), "DH AX");
        assert_eq!(arpa("to", Some("went"), Some("eat")), "T UW0");
        assert_eq!(arpa("to", Some("went"), Some("sleep")), "T AX");
    }
}
