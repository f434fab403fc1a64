//! Inflectional and derivational suffixes, and the clitics written with an apostrophe.
//!
//! A word the dictionary lacks is split into a stem and a suffix so that the stem can be
//! looked up (`swords` → `sword`, `answered` → `answer`) or, for the suffixes that never change
//! a stem's sound, given to the rules on its own (`hoping` → `hope`, where the rules would
//! otherwise see no silent `e`). Spelling changes are undone: a doubled consonant (`stopped`),
//! a dropped `e` (`making`), `y` turned `i` (`cities`, `happily`), `-le` turned `-ly`
//! (`simply`). The suffix's phones are then appended with its voicing rule.

use super::super::phone::{Phone, PhoneToken, parse_arpabet};
use super::rule_match::is_vowel;

/// A suffix this module can strip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Suffix {
    /// `-s`, `-es`, `-'s`: `S`, `Z` or `IH Z` after a sibilant.
    Plural,
    /// `-ed`: `T`, `D` or `IH D` after `t`/`d`.
    Past,
    /// `-ing`.
    Ing,
    /// `-er` (only stripped from dictionary stems: `water` is not `wat` + `-er`).
    Er,
    /// `-est` (dictionary stems only).
    Est,
    /// `-ly`.
    Ly,
    /// `-ness`.
    Ness,
    /// `-ment`.
    Ment,
    /// `-ful`.
    Ful,
    /// `-less`.
    Less,
    /// `-ship`.
    Ship,
    /// `-hood`.
    Hood,
}

/// One way to read a word as stem + suffix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Analysis {
    /// The stem with its spelling restored (`hope` for `hoping`).
    pub(super) stem: String,
    pub(super) suffix: Suffix,
    /// Whether the stem may go to the letter-to-sound rules when the dictionary lacks it.
    pub(super) rule_safe: bool,
    /// Whether the stem's final `F` is voiced before the suffix (`knife` → `knives`).
    pub(super) f_to_v: bool,
}

/// The readings of `word` (lowercase letters), most likely first. Empty when it ends in no
/// suffix this module knows.
pub(super) fn analyses(word: &str) -> Vec<Analysis> {
    let mut out = Vec::new();
    let b = word.as_bytes();
    let mut add = |stems: Vec<String>, suffix: Suffix, rule_safe: bool| {
        for (n, stem) in stems.into_iter().enumerate() {
            // offer is not of + -er: comparatives and agent nouns need a content-word stem.
            let comparative = matches!(suffix, Suffix::Er | Suffix::Est);
            let too_short = stem.len() < if comparative { 3 } else { 2 };
            if comparative && super::function_words::forms(&stem).is_some() {
                continue;
            }
            if !too_short && has_vowel(&stem) {
                let f_to_v = suffix == Suffix::Plural
                    && word.ends_with("ves")
                    && stem.ends_with(['f', 'e'])
                    && !stem.ends_with("ve");
                // Only the most likely restoration goes to the rules.
                out.push(Analysis {
                    stem,
                    suffix,
                    rule_safe: rule_safe && n == 0,
                    f_to_v,
                });
            }
        }
    };
    if let Some(base) = word.strip_suffix("ing") {
        add(restore(base, Suffix::Ing), Suffix::Ing, true);
    } else if let Some(base) = word.strip_suffix("ed") {
        add(
            restore(base, Suffix::Past),
            Suffix::Past,
            !word.ends_with("eed"),
        );
    } else if let Some(base) = word.strip_suffix("est") {
        add(restore(base, Suffix::Est), Suffix::Est, false);
    } else if let Some(base) = word.strip_suffix("er") {
        add(restore(base, Suffix::Er), Suffix::Er, false);
    } else if let Some(base) = word.strip_suffix("ness") {
        add(y_for_i(base), Suffix::Ness, base.len() >= 3);
    } else if let Some(base) = word.strip_suffix("less") {
        add(y_for_i(base), Suffix::Less, base.len() >= 3);
    } else if let Some(base) = word.strip_suffix("ment") {
        let rule_safe = base.len() >= 4 && !base.ends_with(['a', 'i', 'o', 'u']);
        add(vec![base.to_owned()], Suffix::Ment, rule_safe);
    } else if let Some(base) = word.strip_suffix("ful") {
        add(y_for_i(base), Suffix::Ful, base.len() >= 3);
    } else if let Some(base) = word.strip_suffix("ship") {
        add(vec![base.to_owned()], Suffix::Ship, base.len() >= 3);
    } else if let Some(base) = word.strip_suffix("hood") {
        add(y_for_i(base), Suffix::Hood, base.len() >= 3);
    } else if let Some(base) = word.strip_suffix("ly") {
        let (stems, rule_safe) = ly_stems(base);
        add(stems, Suffix::Ly, rule_safe);
    } else if b.last() == Some(&b's') {
        let (stems, rule_safe) = plural_stems(word);
        add(stems, Suffix::Plural, rule_safe);
    }
    out
}

/// Candidate stems for `-ing`, `-ed`, `-er`, `-est` given what is left of the word.
fn restore(base: &str, suffix: Suffix) -> Vec<String> {
    let b = base.as_bytes();
    let n = b.len();
    if n < 2 {
        return vec![base.to_owned()];
    }
    let last = b[n - 1];
    let with_e = format!("{base}e");
    // cried, happier, tidiest; died, lied: a short stem ends in -ie.
    if last == b'i' && suffix != Suffix::Ing {
        let y = format!("{}y", &base[..n - 1]);
        return if n <= 2 {
            vec![with_e, y]
        } else {
            vec![y, with_e]
        };
    }
    // dying, lying: the -ie of the stem became y.
    if suffix == Suffix::Ing && n == 2 && last == b'y' {
        return vec![format!("{}ie", &base[..1]), base.to_owned()];
    }
    // seeing keeps the stem's e; in agreed, freer the suffix's e merged with it.
    if last == b'e' {
        return if suffix == Suffix::Ing {
            vec![base.to_owned()]
        } else {
            vec![with_e]
        };
    }
    // stopped, running; but falling, kissed keep their double letter.
    if n >= 3 && last == b[n - 2] && !is_vowel(b, n - 1) {
        let single = base[..n - 1].to_owned();
        return if matches!(last, b'l' | b's' | b'f' | b'z') {
            vec![base.to_owned(), single]
        } else {
            vec![single, base.to_owned()]
        };
    }
    if dropped_e(b) {
        vec![with_e, base.to_owned()]
    } else {
        vec![base.to_owned(), with_e]
    }
}

/// Whether the stem `base` most likely lost a silent `e` before the suffix.
fn dropped_e(b: &[u8]) -> bool {
    let n = b.len();
    let last = b[n - 1];
    let prev = b[n - 2];
    // No English word ends in -v, -u or -c + e-less -ed (loved, argued, danced).
    if matches!(last, b'v' | b'u' | b'c') {
        return true;
    }
    // judged, charged; tickled, struggled.
    if (last == b'g' && matches!(prev, b'd' | b'r'))
        || (last == b'l' && b"bcdfgkptz".contains(&prev))
    {
        return true;
    }
    // A single vowel letter before a single final consonant: hop-e-d vs visit-ed.
    let single_vowel = is_vowel(b, n - 2) && (n < 3 || !is_vowel(b, n - 3));
    if !single_vowel || matches!(last, b'w' | b'x' | b'y') || is_vowel(b, n - 1) {
        return false;
    }
    if vowel_groups(b) == 1 {
        return true;
    }
    // Longer stems: the endings of -ate, -ize, -ure, -ide... verbs.
    const LONG_ENDINGS: [&[u8]; 16] = [
        b"at", b"iz", b"is", b"ur", b"ag", b"ut", b"ud", b"um", b"os", b"od", b"ot", b"ok", b"id",
        b"in", b"ir", b"ar",
    ];
    LONG_ENDINGS.iter().any(|e| b.ends_with(e))
        || b.ends_with(b"or") && !b.ends_with(b"lor")
        || prefixed_monosyllable(b)
}

/// Whether `b` is a prefix plus a one-syllable root (`invit-`, `complet-`, `amus-`), a verb
/// that ends in a silent `e` more often than not.
fn prefixed_monosyllable(b: &[u8]) -> bool {
    const PREFIXES: [&[u8]; 14] = [
        b"a", b"be", b"com", b"con", b"de", b"dis", b"en", b"ex", b"im", b"in", b"pre", b"pro",
        b"re", b"un",
    ];
    PREFIXES
        .iter()
        .any(|p| b.starts_with(p) && b.len() > p.len() + 1 && vowel_groups(&b[p.len()..]) == 1)
}

/// Stems for `-ness`, `-less`, `-ful`: `happiness` → `happy`.
fn y_for_i(base: &str) -> Vec<String> {
    match base.strip_suffix('i') {
        Some(rest) => vec![format!("{rest}y"), base.to_owned()],
        None => vec![base.to_owned()],
    }
}

/// Stems for `-ly` and whether the rules may take them.
fn ly_stems(base: &str) -> (Vec<String>, bool) {
    let b = base.as_bytes();
    let n = b.len();
    if n < 3 {
        return (vec![base.to_owned()], false);
    }
    if let Some(rest) = base.strip_suffix('i') {
        return (vec![format!("{rest}y"), base.to_owned()], true);
    }
    // simply, possibly, humbly: -le became -ly.
    if (b[n - 1] == b'b') || (b[n - 1] == b'p' && b[n - 2] == b'm') {
        return (vec![format!("{base}le"), base.to_owned()], true);
    }
    // really, carefully strip; silly, belly, rally do not.
    if b[n - 1] == b'l' {
        let suffixal = base.ends_with("al") || base.ends_with("ul");
        return (vec![base.to_owned()], suffixal && n >= 4);
    }
    (vec![base.to_owned()], !base.ends_with('f'))
}

/// Stems for a final `-s` and whether the rules may take them.
fn plural_stems(word: &str) -> (Vec<String>, bool) {
    let n = word.len();
    let no = (Vec::new(), false);
    if n < 3
        || ["ss", "us", "is", "ous", "'s"]
            .iter()
            .any(|e| word.ends_with(e))
    {
        return no;
    }
    if let Some(base) = word.strip_suffix("ies") {
        let stem = if base.len() == 1 {
            format!("{base}ie")
        } else {
            format!("{base}y")
        };
        return (vec![stem, format!("{base}ie")], true);
    }
    if let Some(base) = word.strip_suffix("es") {
        let sibilant = ["ss", "x", "zz", "ch", "sh"]
            .iter()
            .any(|e| base.ends_with(e));
        if sibilant {
            return (vec![base.to_owned(), word[..n - 1].to_owned()], true);
        }
        // heroes, potatoes vs toes, shoes.
        if base.ends_with('o') && vowel_groups(base.as_bytes()) >= 2 {
            return (vec![base.to_owned(), word[..n - 1].to_owned()], true);
        }
    }
    // knives, wolves: the stem may end in -f or -fe (looked up only).
    if let Some(base) = word.strip_suffix("ves") {
        return (
            vec![
                word[..n - 1].to_owned(),
                format!("{base}f"),
                format!("{base}fe"),
            ],
            true,
        );
    }
    let base = &word[..n - 1];
    let b = base.as_bytes();
    // gas, yes, bias: a one-syllable stem ending in a vowel letter is not a plural.
    let open_monosyllable =
        is_vowel(b, b.len() - 1) && vowel_groups(b) == 1 && b[b.len() - 1] != b'y';
    let short_open_stem = open_monosyllable && !base.ends_with("ee") && !base.ends_with('e');
    (vec![base.to_owned()], !short_open_stem)
}

/// Appends the phones of `suffix` to the stem's pronunciation. `stem` is the stem's spelling
/// (an `-le` stem loses its schwa before a vowel suffix or `-ly`: `simply`, `tickling`).
pub(super) fn attach(
    mut phones: Vec<PhoneToken>,
    stem: &str,
    suffix: Suffix,
    f_to_v: bool,
) -> Vec<PhoneToken> {
    if f_to_v && let Some(last) = phones.last_mut().filter(|t| t.phone == Phone::F) {
        last.phone = Phone::V;
    }
    let syllabic_le = stem.len() > 2
        && stem.ends_with("le")
        && !is_vowel(stem.as_bytes(), stem.len() - 3)
        && matches!(suffix, Suffix::Ly | Suffix::Ing | Suffix::Er | Suffix::Est);
    if syllabic_le && ends_with(&phones, &[Phone::Ax, Phone::L]) {
        phones.remove(phones.len() - 2);
    }
    let last = phones.last().map(|t| t.phone);
    let added: &str = match suffix {
        Suffix::Plural => match last {
            Some(Phone::S | Phone::Z | Phone::Sh | Phone::Zh | Phone::Ch | Phone::Jh) => "IH0 Z",
            Some(p) if !p.is_voiced() => "S",
            _ => "Z",
        },
        Suffix::Past => match last {
            Some(Phone::T | Phone::D) => "IH0 D",
            Some(p) if !p.is_voiced() => "T",
            _ => "D",
        },
        Suffix::Ing => "IH0 NG",
        Suffix::Er => "ER0",
        Suffix::Est => "AX S T",
        Suffix::Ly => "L IY0",
        Suffix::Ness => "N AX S",
        Suffix::Ment => "M AX N T",
        Suffix::Ful => "F AX L",
        Suffix::Less => "L AX S",
        Suffix::Ship => "SH IH2 P",
        Suffix::Hood => "HH UH2 D",
    };
    // happily, easily: the y of the stem is a schwa before -ly.
    if suffix == Suffix::Ly
        && stem.ends_with('y')
        && let Some(last) = phones.last_mut().filter(|t| t.phone == Phone::Iy)
    {
        last.phone = Phone::Ax;
    }
    append_merging(&mut phones, added);
    phones
}

/// What a clitic after an apostrophe adds to its host word.
pub(super) fn clitic(host: &[PhoneToken], clitic: &str) -> Option<&'static str> {
    let after_vowel = host.last().is_some_and(|t| t.phone.is_vowel());
    Some(match clitic {
        "s" => match host.last().map(|t| t.phone) {
            Some(Phone::S | Phone::Z | Phone::Sh | Phone::Zh | Phone::Ch | Phone::Jh) => "IH0 Z",
            Some(p) if !p.is_voiced() => "S",
            _ => "Z",
        },
        "ll" if after_vowel => "L",
        "ll" => "AX L",
        "re" => "ER0",
        "ve" if after_vowel => "V",
        "ve" => "AX V",
        "d" if after_vowel => "D",
        "d" => "AX D",
        "m" => "M",
        "t" => "AX N T", // the n of n't stays with the host spelling
        _ => return None,
    })
}

/// Appends ARPAbet `added`, dropping its first consonant when the stem already ends in it
/// (`meanness`, `soulless`, `cruelly` have one `N`, `L`).
pub(super) fn append_merging(phones: &mut Vec<PhoneToken>, added: &str) {
    let Some(mut tokens) = parse_arpabet(added) else {
        return;
    };
    if let (Some(last), Some(first)) = (phones.last(), tokens.first())
        && !first.phone.is_vowel()
        && last.phone == first.phone
    {
        tokens.remove(0);
    }
    phones.extend(tokens);
}

fn ends_with(phones: &[PhoneToken], tail: &[Phone]) -> bool {
    phones.len() >= tail.len()
        && phones[phones.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(t, p)| t.phone == *p)
}

fn has_vowel(word: &str) -> bool {
    let b = word.as_bytes();
    (0..b.len()).any(|i| is_vowel(b, i))
}

/// How many runs of vowel letters `b` has (a rough syllable count).
fn vowel_groups(b: &[u8]) -> usize {
    (0..b.len())
        .filter(|&i| is_vowel(b, i) && (i == 0 || !is_vowel(b, i - 1)))
        .count()
}
