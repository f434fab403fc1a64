//! Heteronyms: words spelled alike and said differently, told apart by their neighbours.
//!
//! Each entry has a default reading and another one that particular neighbours call for. The
//! heuristics look only at the word before and the word after:
//!
//! | word | other reading when |
//! |---|---|
//! | `read` | past `R EH1 D` after `have had was were been is are be he she it well already`... |
//! | `lead` | metal `L EH1 D` after `of with molten pencil red white`, or before `pipe paint poisoning bullet weight`... |
//! | `live` | adjective `L AY1 V` after `a the is are was go`..., or before `music show band wire broadcast bait ammo`... |
//! | `lives` | noun `L AY1 V Z` after a possessive, article or number (`their lives`, `nine lives`) |
//! | `wind` | verb `W AY1 N D` after `to` / a modal / a subject pronoun, or before `up down it them back around` (never after an article) |
//! | `tear` | verb `T EH1 R` after `to` / a modal / a subject pronoun, or before `it up down apart off open through`... |
//! | `close` | verb `K L OW1 Z` after `to` / a modal / a subject pronoun, or before `the a it that your down off`...; adjective `K L OW1 S` after `so too very get stay is` or before `to by call friend enough` |
//! | `use` | noun `Y UW1 S` after `a the no of any its my in for make`..., or before `of`; `used` before `to` is `Y UW1 S T` |
//! | `wound` | past of *wind* `W AW1 N D` before `up down around round back through tight` |
//! | `bow` | verb `B AW1` after `to` / a modal / a subject pronoun or `deep low slight`, or before `down before to low your his deeply` |
//! | `minute` | adjective `M AY0 N UW1 T` after `so very too most`, or before `details amount quantity particles traces`... |
//! | `dove` | past of *dive* `D OW1 V` after a subject pronoun / `then`, or before `into in under down off for through` |
//! | `record present object permit project produce progress rebel refuse subject suspect conduct conflict contest contract convict desert export import increase decrease insult protest combat perfect excuse abuse separate estimate moderate graduate` | verb (second-syllable stress, or `-ate` as `EY2 T`, `-use` as `Z`) after `to` / a modal / a subject pronoun, or before an object (`the a it them you to`...), unless an article or possessive comes first |
//!
//! An `-s` form follows the same rules, a third-person subject (`he records`) also calling
//! for the verb. Before other suffixes a fixed reading is used: `-ing` `-ed` `-er` take the verb's
//! (`reading`, `recorded`, `winding`), `-ly` `-ness` `-ful` `-less` the adjective's or noun's
//! (`closely`, `useful`, `lively`).

use super::super::phone::{PhoneToken, parse_arpabet};
use super::WordContext;
use super::heteronym_cues::*;
use super::morphology::Suffix;

/// Which of a heteronym's readings a context calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reading {
    /// The entry's first reading.
    Default,
    /// The entry's other reading.
    Other,
}

/// One heteronym: its two readings and how to choose.
struct Heteronym {
    word: &'static str,
    default: &'static str,
    other: &'static str,
    /// The reading the context calls for; `plural` for the `-s` form.
    choose: fn(WordContext<'_>, bool) -> Reading,
    /// The reading before `-ing`, `-ed`, `-er` (the other suffixes take the opposite one).
    verbal: Reading,
}

/// Sorted by word.
const HETERONYMS: &[Heteronym] = &[
    shift("abuse", "AX B Y UW1 S", "AX B Y UW1 Z"),
    Heteronym {
        word: "bow",
        default: "B OW1",
        other: "B AW1",
        choose: choose_bow,
        verbal: Reading::Other,
    },
    Heteronym {
        word: "close",
        default: "K L OW1 S",
        other: "K L OW1 Z",
        choose: choose_close,
        verbal: Reading::Other,
    },
    shift("combat", "K AA1 M B AE2 T", "K AX M B AE1 T"),
    shift("conduct", "K AA1 N D AX K T", "K AX N D AH1 K T"),
    shift("conflict", "K AA1 N F L IH2 K T", "K AX N F L IH1 K T"),
    shift("contest", "K AA1 N T EH2 S T", "K AX N T EH1 S T"),
    shift("contract", "K AA1 N T R AE2 K T", "K AX N T R AE1 K T"),
    shift("convict", "K AA1 N V IH2 K T", "K AX N V IH1 K T"),
    shift("decrease", "D IY1 K R IY2 S", "D IH0 K R IY1 S"),
    shift("desert", "D EH1 Z ER0 T", "D IH0 Z ER1 T"),
    Heteronym {
        word: "dove",
        default: "D AH1 V",
        other: "D OW1 V",
        choose: choose_dove,
        verbal: Reading::Other,
    },
    shift("estimate", "EH1 S T AX M AX T", "EH1 S T AX M EY2 T"),
    shift("excuse", "IH0 K S K Y UW1 S", "IH0 K S K Y UW1 Z"),
    shift("export", "EH1 K S P AO2 R T", "IH0 K S P AO1 R T"),
    shift("graduate", "G R AE1 JH UW0 AX T", "G R AE1 JH UW0 EY2 T"),
    shift("import", "IH1 M P AO2 R T", "IH0 M P AO1 R T"),
    shift("increase", "IH1 N K R IY2 S", "IH0 N K R IY1 S"),
    shift("insult", "IH1 N S AH2 L T", "IH0 N S AH1 L T"),
    Heteronym {
        word: "lead",
        default: "L IY1 D",
        other: "L EH1 D",
        choose: choose_lead,
        verbal: Reading::Default,
    },
    Heteronym {
        word: "live",
        default: "L IH1 V",
        other: "L AY1 V",
        choose: choose_live,
        verbal: Reading::Default,
    },
    Heteronym {
        word: "minute",
        default: "M IH1 N AX T",
        other: "M AY0 N UW1 T",
        choose: choose_minute,
        verbal: Reading::Default,
    },
    shift("moderate", "M AA1 D ER0 AX T", "M AA1 D ER0 EY2 T"),
    shift("object", "AA1 B JH EH0 K T", "AX B JH EH1 K T"),
    shift("perfect", "P ER1 F IH0 K T", "P ER0 F EH1 K T"),
    shift("permit", "P ER1 M IH2 T", "P ER0 M IH1 T"),
    shift("present", "P R EH1 Z AX N T", "P R IH0 Z EH1 N T"),
    shift("produce", "P R OW1 D UW2 S", "P R AX D UW1 S"),
    shift("progress", "P R AA1 G R EH2 S", "P R AX G R EH1 S"),
    shift("project", "P R AA1 JH EH2 K T", "P R AX JH EH1 K T"),
    shift("protest", "P R OW1 T EH2 S T", "P R AX T EH1 S T"),
    Heteronym {
        word: "read",
        default: "R IY1 D",
        other: "R EH1 D",
        choose: choose_read,
        verbal: Reading::Default,
    },
    shift("rebel", "R EH1 B AX L", "R IH0 B EH1 L"),
    shift("record", "R EH1 K ER0 D", "R IH0 K AO1 R D"),
    shift("refuse", "R EH1 F Y UW2 S", "R IH0 F Y UW1 Z"),
    shift("separate", "S EH1 P ER0 AX T", "S EH1 P ER0 EY2 T"),
    shift("subject", "S AH1 B JH IH0 K T", "S AX B JH EH1 K T"),
    shift("suspect", "S AH1 S P EH2 K T", "S AX S P EH1 K T"),
    Heteronym {
        word: "tear",
        default: "T IH1 R",
        other: "T EH1 R",
        choose: choose_tear,
        verbal: Reading::Other,
    },
    Heteronym {
        word: "use",
        default: "Y UW1 Z",
        other: "Y UW1 S",
        choose: choose_use,
        verbal: Reading::Default,
    },
    Heteronym {
        word: "wind",
        default: "W IH1 N D",
        other: "W AY1 N D",
        choose: choose_wind,
        verbal: Reading::Other,
    },
    Heteronym {
        word: "wound",
        default: "W UW1 N D",
        other: "W AW1 N D",
        choose: choose_wound,
        verbal: Reading::Default,
    },
];

/// A noun/verb pair told apart by stress (`REcord` / `reCORD`).
const fn shift(word: &'static str, noun: &'static str, verb: &'static str) -> Heteronym {
    Heteronym {
        word,
        default: noun,
        other: verb,
        choose: choose_verb,
        verbal: Reading::Other,
    }
}

/// Whether `word` has readings that depend on context.
pub(super) fn is_heteronym(word: &str) -> bool {
    find(word).is_some() || matches!(word, "lives" | "used")
}

/// The phones of a heteronym (or its `-s` form) in `context`.
pub(super) fn pronounce(word: &str, context: WordContext<'_>) -> Option<Vec<PhoneToken>> {
    match word {
        "lives" => {
            let noun = context.previous.is_some_and(|p| NOUN_LIVES.contains(&p));
            return parse_arpabet(if noun { "L AY1 V Z" } else { "L IH1 V Z" });
        }
        "used" => {
            let habit = context.next == Some("to");
            return parse_arpabet(if habit { "Y UW1 S T" } else { "Y UW1 Z D" });
        }
        // `reads` is always the present tense.
        "reads" => return parse_arpabet("R IY1 D Z"),
        _ => {}
    }
    if let Some(entry) = find(word) {
        return parse_arpabet(reading(entry, (entry.choose)(context, false)));
    }
    let stem = word.strip_suffix('s')?;
    let entry = find(stem)?;
    let phones = parse_arpabet(reading(entry, (entry.choose)(context, true)))?;
    Some(super::morphology::attach(
        phones,
        stem,
        Suffix::Plural,
        false,
    ))
}

/// The reading of a heteronym stem before `suffix` (`reading`, `closely`), out of context.
pub(super) fn inflected(stem: &str, suffix: Suffix) -> Option<Vec<PhoneToken>> {
    let entry = find(stem)?;
    let verbal = matches!(
        suffix,
        Suffix::Ing | Suffix::Past | Suffix::Er | Suffix::Plural
    );
    let chosen = match (entry.word, suffix) {
        // closer, closest compare the adjective; winded is short of breath.
        ("close", Suffix::Er | Suffix::Est) | ("wind", Suffix::Past) => Reading::Default,
        _ if verbal => entry.verbal,
        _ if entry.verbal == Reading::Default => Reading::Other,
        _ => Reading::Default,
    };
    parse_arpabet(reading(entry, chosen))
}

fn find(word: &str) -> Option<&'static Heteronym> {
    let at = HETERONYMS.binary_search_by(|h| h.word.cmp(word)).ok()?;
    Some(&HETERONYMS[at])
}

fn reading(entry: &Heteronym, reading: Reading) -> &'static str {
    match reading {
        Reading::Default => entry.default,
        Reading::Other => entry.other,
    }
}
