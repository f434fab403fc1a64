//! Lexical stress for rule-derived words, and the vowel reduction that follows from it.
//!
//! The letter-to-sound rules emit full vowels. This module picks the one syllable that carries
//! primary stress from cues in the spelling, then reduces the others the way General American
//! does: short vowels become schwa (`AX`), an `r`-coloured one becomes unstressed `ER`, `IY`
//! before a consonant becomes `IH`, diphthongs keep their quality with secondary stress.
//!
//! The cues, strongest first:
//! 1. a suffix that takes the stress itself (`-ee`, `-eer`, `-ese`, `-ette`, `-ique`, `-oon`...);
//! 2. a suffix that puts it on the syllable just before (`-tion`/`-ion`, `-ic`, `-ical`, `-ity`,
//!    `-ious`, `-ial`, `-ia`, `-ogy`, `-graphy`, `-ular`...);
//! 3. an unstressed prefix (`a- be- de- re- pre- con- com- dis- ex- in- un-`...) before a
//!    root that can carry stress;
//! 4. otherwise the first syllable (English's default for native words and compounds).

use super::super::phone::{Phone, PhoneToken, Stress};
use super::rule_match::{Segment, is_vowel};

/// Suffixes that take the primary stress on their own first vowel.
const STRESSED_SUFFIXES: &[&str] = &[
    "ade", "ado", "aire", "ana", "ano", "ato", "eer", "ee", "ella", "ese", "esque", "etti", "etto",
    "ette", "eum", "illa", "ina", "ino", "ique", "ito", "itis", "oo", "oon", "osis",
];

/// Suffixes that put the primary stress on the syllable before them.
const PRE_STRESSING_SUFFIXES: &[&str] = &[
    "ative", "eous", "graphy", "ia", "ial", "ian", "ible", "ic", "ical", "ics", "ient", "ier",
    "ion", "ior", "ious", "itive", "ity", "ety", "ify", "ium", "logy", "meter", "nomy", "sophy",
    "ual", "ular", "ulous", "uous",
];

/// Final spellings of a light syllable that a prefix does not steal the stress from (`under`,
/// `empty`, `rebel`).
const WEAK_ENDINGS: &[&str] = &[
    "a", "al", "ar", "el", "en", "er", "est", "et", "ey", "ic", "id", "il", "ish", "ism", "it",
    "le", "o", "on", "or", "ure", "um", "us", "y",
];

/// Prefixes that are unstressed whenever a root follows (`begin`, `decide`, `remember`).
const WEAK_PREFIXES: &[&str] = &["be", "de", "pre", "re"];

/// Prefixes that are unstressed only before a heavy root syllable (`contain` but `common`,
/// `increase` but `index`).
const HEAVY_ROOT_PREFIXES: &[&str] = &[
    "ab", "ad", "col", "com", "con", "cor", "dis", "em", "en", "es", "ex", "im", "in", "mis", "ob",
    "per", "pro", "sub", "suc", "sug", "sup", "sur", "sus", "un",
];

/// Stresses and reduces a rule-derived pronunciation of `word`. Consonant-only input comes
/// back unchanged (the caller spells such words out).
pub(super) fn assign(word: &[u8], segments: &[Segment]) -> Vec<PhoneToken> {
    let nuclei: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].phone.is_vowel())
        .collect();
    let Some(primary) = primary_nucleus(word, segments, &nuclei) else {
        return segments
            .iter()
            .map(|s| PhoneToken::plain(s.phone))
            .collect();
    };
    let last_nucleus = nuclei.last().copied();
    // Two syllables before the primary a full vowel keeps a secondary stress (`con-ver-SA-tion`,
    // `e-lec-TRI-ci-ty`), the rhythm of alternating stress.
    let secondary = nuclei
        .iter()
        .position(|&n| n == primary)
        .and_then(|p| p.checked_sub(2))
        .map(|p| nuclei[p])
        .filter(|&n| segments[n].phone != Phone::Ax);
    let next_nucleus = |i: usize| nuclei.iter().copied().find(|&n| n > i);
    let mut out = Vec::with_capacity(segments.len());
    let mut i = 0;
    while i < segments.len() {
        let phone = segments[i].phone;
        let prev = i.checked_sub(1).map(|p| segments[p].phone);
        let next = segments.get(i + 1).map(|s| s.phone);
        let after_next = segments.get(i + 2).map(|s| s.phone);
        let consonant_next = next.is_some_and(|p| !p.is_vowel());
        let open_next = consonant_next && after_next.is_some_and(Phone::is_vowel);
        if !phone.is_vowel() {
            out.push(PhoneToken::plain(phone));
        } else if i == primary || Some(i) == secondary {
            let phone = match phone {
                Phone::Ax => Phone::Ah,
                // REgular, DEputy: a stressed prefix vowel is short in longer words.
                Phone::Iy if stressed_prefix_is_short(word, segments, &nuclei, i) => Phone::Eh,
                _ => phone,
            };
            let stress = if i == primary {
                Stress::Primary
            } else {
                Stress::Secondary
            };
            out.push(PhoneToken::stressed(phone, stress));
        } else {
            let medial = Some(i) != nuclei.first().copied() && Some(i) != last_nucleus;
            let reduced = match phone {
                Phone::Ae | Phone::Ah | Phone::Eh | Phone::Aa | Phone::Ao => {
                    if next == Some(Phone::R) && !after_next.is_some_and(Phone::is_vowel) {
                        i += 1; // the `R` is part of the `ER`
                        PhoneToken::plain(Phone::Er)
                    } else if phone == Phone::Eh && (i == 0 || in_weak_prefix(word, segments, i)) {
                        // explain, electric, destroy: an initial or prefix e reduces to `IH`.
                        PhoneToken::plain(Phone::Ih)
                    } else {
                        PhoneToken::plain(Phone::Ax)
                    }
                }
                Phone::Iy if consonant_next && Some(i) != last_nucleus => {
                    PhoneToken::plain(Phone::Ih)
                }
                // animal, festival, ability: a medial unstressed i before one consonant.
                Phone::Ih
                    if medial
                        && open_next
                        && next.is_some_and(|p| {
                            use Phone::*;
                            matches!(p, L | M | N | T | V | D | B | F | P)
                        }) =>
                {
                    PhoneToken::plain(Phone::Ax)
                }
                // regular, popular: the `Y UW` of an unstressed -ul-, -um-.
                Phone::Uw
                    if prev == Some(Phone::Y)
                        && open_next
                        && matches!(next, Some(Phone::L | Phone::M)) =>
                {
                    PhoneToken::plain(Phone::Ax)
                }
                // potato, tomato: an open o just before the stress.
                Phone::Ow if i > 0 && open_next && next_nucleus(i) == Some(primary) => {
                    PhoneToken::plain(Phone::Ax)
                }
                Phone::Ey | Phone::Ay | Phone::Oy | Phone::Aw => {
                    PhoneToken::stressed(phone, Stress::Secondary)
                }
                _ => PhoneToken::plain(phone),
            };
            out.push(reduced);
        }
        i += 1;
    }
    out
}

/// Whether the vowel at `i` belongs to a `be- de- re- pre-` at the start of the word.
fn in_weak_prefix(word: &[u8], segments: &[Segment], i: usize) -> bool {
    WEAK_PREFIXES
        .iter()
        .any(|p| word.starts_with(p.as_bytes()) && segments[i].letter < p.len())
}

/// Whether the stressed vowel at `i` is the `IY` of a `be- de- re- pre-` spelling in a word of
/// three or more syllables that no `-ion`/`-ious`-type suffix explains (`regular`, not `region`).
fn stressed_prefix_is_short(word: &[u8], segments: &[Segment], nuclei: &[usize], i: usize) -> bool {
    const LONG_BEFORE: &[&str] = &["ia", "ial", "ian", "ient", "ion", "ious", "ium", "ior"];
    let prefixed = WEAK_PREFIXES.iter().any(|p| {
        word.starts_with(p.as_bytes()) && segments[i].letter < p.len() && !is_vowel(word, p.len())
    });
    prefixed
        && nuclei.first() == Some(&i)
        && nuclei.len() >= 3
        && !LONG_BEFORE.iter().any(|s| word.ends_with(s.as_bytes()))
}

/// The index (into `segments`) of the vowel that takes primary stress; `None` without vowels.
fn primary_nucleus(word: &[u8], segments: &[Segment], nuclei: &[usize]) -> Option<usize> {
    let first = *nuclei.first()?;
    let stressable: Vec<usize> = nuclei
        .iter()
        .copied()
        .filter(|&i| segments[i].phone != Phone::Ax)
        .collect();
    if nuclei.len() == 1 || stressable.is_empty() {
        return Some(stressable.first().copied().unwrap_or(first));
    }
    if let Some(found) = suffix_cue(word, segments, &stressable) {
        return Some(found);
    }
    if let Some(found) = prefix_cue(word, segments, nuclei, &stressable) {
        return Some(found);
    }
    Some(stressable[0])
}

/// The nucleus a stress-placing suffix points at, if the word ends in one.
fn suffix_cue(word: &[u8], segments: &[Segment], stressable: &[usize]) -> Option<usize> {
    let longest = |list: &[&str]| {
        list.iter()
            .filter(|s| word.len() > s.len() + 1 && word.ends_with(s.as_bytes()))
            .map(|s| s.len())
            .max()
    };
    let on_suffix = longest(STRESSED_SUFFIXES);
    let before_suffix = longest(PRE_STRESSING_SUFFIXES);
    match (on_suffix, before_suffix) {
        (Some(a), b) if b.is_none_or(|b| a >= b) => {
            let start = word.len() - a;
            stressable
                .iter()
                .copied()
                .find(|&i| segments[i].letter >= start)
        }
        (_, Some(b)) => {
            let start = word.len() - b;
            stressable
                .iter()
                .copied()
                .rev()
                .find(|&i| segments[i].letter < start)
        }
        _ => None,
    }
}

/// The first root nucleus after an unstressed prefix, if the word starts with one that the
/// root can take the stress from.
fn prefix_cue(
    word: &[u8],
    segments: &[Segment],
    nuclei: &[usize],
    stressable: &[usize],
) -> Option<usize> {
    let two_syllables = nuclei.len() == 2;
    // The ending must be the whole rhyme: `dollar` ends weak, `appear` does not.
    let weak_ending = WEAK_ENDINGS.iter().any(|e| {
        word.ends_with(e.as_bytes())
            && word.len() > e.len()
            && !is_vowel(word, word.len() - e.len() - 1)
    });
    let root_after = |len: usize| {
        // The prefix's own vowel must be the first nucleus, and the root must follow it.
        if segments[nuclei[0]].letter >= len || word.len() < len + 3 {
            return None;
        }
        stressable
            .iter()
            .copied()
            .find(|&i| segments[i].letter >= len)
    };
    for prefix in WEAK_PREFIXES {
        let len = prefix.len();
        if word.starts_with(prefix.as_bytes()) && !is_vowel(word, len) {
            let root = root_after(len)?;
            if two_syllables && weak_ending {
                return None;
            }
            return Some(root);
        }
    }
    let heavy_root =
        |root: usize| is_heavy(word, segments, root) && !(two_syllables && weak_ending);
    for prefix in HEAVY_ROOT_PREFIXES {
        let len = prefix.len();
        if !word.starts_with(prefix.as_bytes()) {
            continue;
        }
        let next_is_vowel = is_vowel(word, len);
        if next_is_vowel && *prefix != "ex" {
            continue;
        }
        if let Some(root) = root_after(len)
            && heavy_root(root)
        {
            return Some(root);
        }
    }
    if word.first() == Some(&b'a') && !is_vowel(word, 1) {
        let root = root_after(1)?;
        // attack, appear, allow: a doubled consonant marks the assimilated prefix ad-.
        let doubled = word.get(1) == word.get(2);
        if (doubled && two_syllables && !weak_ending)
            || (doubled || two_syllables) && heavy_root(root)
        {
            return Some(root);
        }
    }
    if word.starts_with(b"for") && matches!(word.get(3), Some(b'g' | b'b')) {
        return root_after(3);
    }
    None
}

/// Whether the syllable of nucleus `i` is heavy: a long vowel or diphthong, an `r`-coloured
/// vowel, or a vowel closed by two or more consonants.
fn is_heavy(word: &[u8], segments: &[Segment], i: usize) -> bool {
    use Phone::*;
    let phone = segments[i].phone;
    if matches!(phone, Ey | Ay | Ow | Aw | Oy | Iy | Uw | Er | Ao) {
        return true;
    }
    let following = segments[i + 1..]
        .iter()
        .take_while(|s| !s.phone.is_vowel())
        .count();
    // Spelling counts too: the doubled letter of `discuss`, `attack` closes the syllable.
    let mut letter = segments[i].letter;
    while letter < word.len() && is_vowel(word, letter) {
        letter += 1;
    }
    let consonant_letters = (letter..word.len())
        .take_while(|&l| !is_vowel(word, l))
        .count();
    segments.get(i + 1).is_some_and(|s| s.phone == R) || following >= 2 || consonant_letters >= 2
}
