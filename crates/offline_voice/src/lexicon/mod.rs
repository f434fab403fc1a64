//! English words to phones: the offline voice's pronunciation lexicon.
//!
//! [`pronounce`] turns one word into [`PhoneToken`]s with lexical stress, in General American
//! English. It tries, in order:
//!
//! 1. **Context**: heteronyms (`read`, `lead`, `live`, `close`, `record`...) are resolved from
//!    the neighbouring words in [`WordContext`], and function words (`the`, `of`, `to`, `can`...)
//!    take their weak, reduced form inside a phrase and their strong form at its end
//!    ("what are you looking **at**"); `the` is `DH IY` before a vowel.
//! 2. **The exception dictionary**: a few hundred common words whose spelling misleads
//!    (`colonel`, `women`, `island`), number, unit and title words, contractions, and game
//!    vocabulary. Entries are ARPAbet strings, parsed when looked up.
//! 3. **Morphology**: a known stem plus a suffix (`swords`, `answered`, `villagers`), the
//!    suffix's voicing chosen from the stem's last phone (`cats` `S`, `dogs` `Z`, `horses`
//!    `IH Z`; `hoped` `T`, `named` `D`, `wanted` `IH D`). Regular suffixes are also stripped
//!    before the rules, undoing spelling changes (`hoping` → `hope`, `cities` → `city`).
//! 4. **Letter-to-sound rules** in the style of the 1976 Naval Research Laboratory rules:
//!    ordered `left [letters] right → phones` rules per letter (see `rules.rs`), followed by a
//!    stress pass that puts one primary stress on a syllable chosen from prefixes and suffixes
//!    and reduces the unstressed vowels (`-tion` `SH AX N`, `a-` `AX`).
//!
//! The pieces: `exceptions` (the dictionary), `function_words` (weak and strong forms),
//! `heteronyms` and `heteronym_cues` (the readings and the neighbour heuristics),
//! `morphology` (suffixes and clitics), `rules` and `rule_match` (the letter-to-sound rules
//! and their notation), `stress` (stress placement and vowel reduction).
//!
//! Words without a vowel letter that the dictionary lacks (`xq`, `tv`) are spelled out with
//! [`letter_name`]. Nothing here allocates globally or panics; the same word in the same
//! context always gives the same phones.
//!
//! ```
//! use offline_voice::lexicon::{WordContext, pronounce};
//! use offline_voice::phone::parse_arpabet;
//!
//! let village = pronounce("villagers", WordContext::default());
//! assert_eq!(village, parse_arpabet("V IH1 L IH0 JH ER0 Z").unwrap());
//!
//! let past = WordContext { previous: Some("had"), next: None };
//! assert_eq!(pronounce("read", past), parse_arpabet("R EH1 D").unwrap());
//! ```

mod exceptions;
mod function_words;
mod heteronym_cues;
mod heteronyms;
mod morphology;
mod rule_match;
mod rules;
mod stress;
#[cfg(test)]
mod test_words;
#[cfg(test)]
mod tests;

use super::phone::{PhoneToken, Stress, parse_arpabet};

/// Neighbouring words, to disambiguate heteronyms (read/lead/live...): pass the words before
/// and after in the same phrase, and `None` at a phrase boundary (start or end of a sentence, a
/// comma), which is also what selects the strong form of a function word at the end of a
/// phrase. Case does not matter.
pub use lipsync_core::WordContext;

/// The pronunciation of one word: `word` is lowercase ASCII letters, possibly with apostrophes
/// ("don't", "o'clock", "james's"). Never panics, never returns an empty Vec for a non-empty word
/// with at least one letter. Every result has exactly one primary-stressed vowel for content words
/// of more than one syllable (function words like "the", "a", "of", "to", "and" may be fully
/// reduced/unstressed).
///
/// Upper case is folded, a typographic apostrophe (`’`) counts as `'`, and other characters
/// separate parts that are pronounced in turn (`twenty-one`), the primary stress of every part
/// but the last lowered to secondary. Digits are read one by one.
///
/// ```
/// use offline_voice::lexicon::{WordContext, pronounce};
/// use offline_voice::phone::{Phone, Stress};
///
/// let phones = pronounce("making", WordContext::default());
/// let symbols: Vec<_> = phones.iter().map(|t| t.phone.symbol(t.stress)).collect();
/// assert_eq!(symbols, ["m", "eɪ1", "k", "ɪ", "ŋ"]);
/// assert_eq!(phones[1].stress, Stress::Primary);
/// assert_eq!(phones[3].phone, Phone::Ih);
/// ```
pub fn pronounce(word: &str, context: WordContext<'_>) -> Vec<PhoneToken> {
    let mut cleaned = String::with_capacity(word.len());
    for c in word.chars() {
        match c {
            'a'..='z' | '0'..='9' | '\'' => cleaned.push(c),
            'A'..='Z' => cleaned.push(c.to_ascii_lowercase()),
            '\u{2018}' | '\u{2019}' => cleaned.push('\''),
            _ => cleaned.push(' '),
        }
    }
    let mut parts = cleaned.split(' ').filter(|p| p.bytes().any(|b| b != b'\''));
    let Some(first) = parts.next() else {
        return Vec::new();
    };
    let mut phones = pronounce_part(first, context);
    for part in parts {
        // The last part of a compound carries the phrase stress (`twenty-ONE`).
        for token in &mut phones {
            if token.stress == Stress::Primary {
                token.stress = Stress::Secondary;
            }
        }
        phones.extend(pronounce_part(part, context));
    }
    phones
}

/// The name of a letter as said when spelling an acronym ("n" -> EH1 N, "w" -> D AH1 B AX L Y UW0 ...). `c` is an ASCII letter, either case; anything else returns an empty Vec.
///
/// ```
/// use offline_voice::lexicon::letter_name;
/// use offline_voice::phone::parse_arpabet;
///
/// assert_eq!(letter_name('N'), parse_arpabet("EH1 N").unwrap());
/// assert!(letter_name('7').is_empty());
/// ```
pub fn letter_name(c: char) -> Vec<PhoneToken> {
    let name = match c.to_ascii_lowercase() {
        'a' => "EY1",
        'b' => "B IY1",
        'c' => "S IY1",
        'd' => "D IY1",
        'e' => "IY1",
        'f' => "EH1 F",
        'g' => "JH IY1",
        'h' => "EY1 CH",
        'i' => "AY1",
        'j' => "JH EY1",
        'k' => "K EY1",
        'l' => "EH1 L",
        'm' => "EH1 M",
        'n' => "EH1 N",
        'o' => "OW1",
        'p' => "P IY1",
        'q' => "K Y UW1",
        'r' => "AA1 R",
        's' => "EH1 S",
        't' => "T IY1",
        'u' => "Y UW1",
        'v' => "V IY1",
        'w' => "D AH1 B AX L Y UW0",
        'x' => "EH1 K S",
        'y' => "W AY1",
        'z' => "Z IY1",
        _ => return Vec::new(),
    };
    parse_arpabet(name).unwrap_or_default()
}

/// Whether `word` is in the exception dictionary (for tests and diagnostics).
///
/// That covers the dictionary proper, the function words and the heteronyms: every word whose
/// pronunciation does not come from the rules.
pub fn is_known(word: &str) -> bool {
    exceptions::lookup(word).is_some()
        || function_words::forms(word).is_some()
        || heteronyms::is_heteronym(word)
}

/// One apostrophe-bearing or plain run of letters and digits.
fn pronounce_part(part: &str, context: WordContext<'_>) -> Vec<PhoneToken> {
    if part.bytes().all(|b| b.is_ascii_digit() || b == b'\'') {
        return spell_digits(part);
    }
    if part.bytes().any(|b| b.is_ascii_digit()) {
        // `4x4`, `b2b`: letters and digits in turn.
        let mut phones = Vec::new();
        let bytes = part.as_bytes();
        let mut start = 0;
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                phones.extend(pronounce_part(&part[start..i], WordContext::default()));
                start = i;
            }
        }
        return phones;
    }
    if let Some(found) = known_in_context(part, context) {
        return found;
    }
    let trimmed = part.trim_matches('\'');
    if trimmed != part {
        return pronounce_part(trimmed, context);
    }
    if let Some(at) = part.rfind('\'') {
        return pronounce_clitic(&part[..at], &part[at + 1..], context);
    }
    pronounce_word(part)
}

/// A word in a table, with its context applied.
fn known_in_context(word: &str, context: WordContext<'_>) -> Option<Vec<PhoneToken>> {
    heteronyms::pronounce(word, context)
        .or_else(|| function_words::pronounce(word, context))
        .or_else(|| exceptions::lookup(word))
}

/// A word in a table, out of context (for stems).
fn known(word: &str) -> Option<Vec<PhoneToken>> {
    heteronyms::pronounce(word, WordContext::default())
        .or_else(|| function_words::strong(word))
        .or_else(|| exceptions::lookup(word))
}

/// `host'clitic`: `dragon's`, `needn't`, `who'll`; any other apostrophe is ignored.
fn pronounce_clitic(host: &str, clitic: &str, context: WordContext<'_>) -> Vec<PhoneToken> {
    let (host, clitic) = match host.strip_suffix('n') {
        Some(stem) if clitic == "t" => (stem, "t"),
        _ => (host, clitic),
    };
    let mut phones = pronounce_part(host, context);
    match morphology::clitic(&phones, clitic) {
        Some(added) => morphology::append_merging(&mut phones, added),
        None => phones.extend(pronounce_part(clitic, WordContext::default())),
    }
    phones
}

/// A plain word of letters: dictionary, then stem + suffix, then the rules.
fn pronounce_word(word: &str) -> Vec<PhoneToken> {
    if let Some(found) = known(word) {
        return found;
    }
    if word.len() == 1 {
        return word.chars().flat_map(letter_name).collect();
    }
    let readings = morphology::analyses(word);
    let chosen = readings
        .iter()
        .find_map(|a| {
            heteronyms::inflected(&a.stem, a.suffix)
                .or_else(|| known(&a.stem))
                .map(|stem| (a, stem))
        })
        .or_else(|| {
            readings
                .iter()
                .find(|a| a.rule_safe)
                .map(|a| (a, pronounce_word(&a.stem)))
        });
    if let Some((reading, stem)) = chosen {
        return morphology::attach(stem, &reading.stem, reading.suffix, reading.f_to_v);
    }
    if let Some(phones) = prefixed_known_word(word) {
        return phones;
    }
    let segments = rule_match::transcribe(word.as_bytes(), rules::rules_for);
    let phones = stress::assign(word.as_bytes(), &segments);
    if phones.iter().any(|t| t.phone.is_vowel()) {
        phones
    } else {
        spell_letters(word)
    }
}

/// `unknown`, `rebuild`, `dislike`: an unstressed prefix before a word the dictionary has.
fn prefixed_known_word(word: &str) -> Option<Vec<PhoneToken>> {
    const PREFIXES: [(&str, &str); 6] = [
        ("un", "AX N"),
        ("non", "N AA2 N"),
        ("dis", "D IH0 S"),
        ("mis", "M IH0 S"),
        ("re", "R IY0"),
        ("pre", "P R IY0"),
    ];
    PREFIXES.iter().find_map(|(prefix, phones)| {
        let rest = word.strip_prefix(prefix)?;
        // The root must be a content word of some length (`unless` is not un + less).
        if rest.len() < 4 || function_words::forms(rest).is_some() {
            return None;
        }
        let root = known(rest)?;
        let mut out = parse_arpabet(phones)?;
        out.extend(root);
        Some(out)
    })
}

/// A word with no vowel to say, read letter by letter; the last letter takes the stress.
fn spell_letters(word: &str) -> Vec<PhoneToken> {
    let mut phones: Vec<PhoneToken> = Vec::new();
    for c in word.chars() {
        for token in &mut phones {
            if token.stress == Stress::Primary {
                token.stress = Stress::Secondary;
            }
        }
        phones.extend(letter_name(c));
    }
    phones
}

/// Digits read one by one (`007` → `zero zero seven`).
fn spell_digits(digits: &str) -> Vec<PhoneToken> {
    const NAMES: [&str; 10] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let mut phones: Vec<PhoneToken> = Vec::new();
    for d in digits.bytes().filter(u8::is_ascii_digit) {
        for token in &mut phones {
            if token.stress == Stress::Primary {
                token.stress = Stress::Secondary;
            }
        }
        phones.extend(exceptions::lookup(NAMES[usize::from(d - b'0')]).unwrap_or_default());
    }
    phones
}
