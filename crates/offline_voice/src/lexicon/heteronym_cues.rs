//! The context cues that pick a heteronym's reading (the table in `heteronyms` says which
//! reading each cue leads to): each `choose_*` looks at the word before and the word after.

use super::WordContext;
use super::heteronyms::Reading;

pub(super) fn other_if(condition: bool) -> Reading {
    if condition {
        Reading::Other
    } else {
        Reading::Default
    }
}

fn after(context: WordContext<'_>, words: &[&str]) -> bool {
    context.previous.is_some_and(|p| words.contains(&p))
}

fn before(context: WordContext<'_>, words: &[&str]) -> bool {
    context.next.is_some_and(|n| words.contains(&n))
}

/// Words after which a verb follows: `to`, modals, negated auxiliaries, subject pronouns.
const VERB_AFTER: &[&str] = &[
    "to",
    "will",
    "would",
    "can",
    "could",
    "should",
    "shall",
    "must",
    "might",
    "may",
    "please",
    "don't",
    "didn't",
    "doesn't",
    "won't",
    "can't",
    "cannot",
    "couldn't",
    "wouldn't",
    "shouldn't",
    "let's",
    "i",
    "you",
    "we",
    "they",
    "i'll",
    "you'll",
    "we'll",
    "they'll",
    "never",
    "always",
    "often",
    "also",
    "not",
];

/// Third-person subjects, which call for the verb in an `-s` form (`he records`).
const THIRD_PERSON: &[&str] = &["he", "she", "it", "who", "which", "that", "this", "one"];

/// Words after which a noun or adjective follows: articles, possessives, quantifiers.
const NOUN_AFTER: &[&str] = &[
    "a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our",
    "their", "no", "any", "some", "every", "each", "of", "in", "for", "on", "at", "with", "new",
    "old", "great", "good", "whose", "what", "another", "first", "last", "world",
];

/// Objects and determiners that follow a transitive verb (`present the award`).
const OBJECT_NEXT: &[&str] = &[
    "the", "a", "an", "it", "them", "him", "her", "me", "us", "you", "this", "that", "these",
    "those", "my", "your", "his", "their", "our", "to", "myself", "yourself", "himself", "herself",
];

pub(super) fn choose_verb(context: WordContext<'_>, plural: bool) -> Reading {
    if after(context, NOUN_AFTER) {
        return Reading::Default;
    }
    let subject = plural && after(context, THIRD_PERSON);
    let verb_before = !plural && after(context, VERB_AFTER);
    other_if(subject || verb_before || before(context, OBJECT_NEXT))
}

pub(super) fn choose_read(context: WordContext<'_>, _plural: bool) -> Reading {
    const PAST_AFTER: &[&str] = &[
        "have", "has", "had", "having", "was", "were", "been", "being", "is", "are", "be", "i've",
        "you've", "we've", "they've", "i'd", "you'd", "he'd", "she'd", "we'd", "they'd", "he",
        "she", "it", "well", "widely", "already", "once", "finally", "never", "just", "who",
    ];
    other_if(after(context, PAST_AFTER))
}

pub(super) fn choose_lead(context: WordContext<'_>, _plural: bool) -> Reading {
    const METAL_AFTER: &[&str] = &[
        "of", "with", "molten", "pencil", "red", "white", "liquid", "solid", "heavy", "melted",
    ];
    const METAL_BEFORE: &[&str] = &[
        "pipe",
        "pipes",
        "paint",
        "poisoning",
        "pencil",
        "pencils",
        "bullet",
        "bullets",
        "shot",
        "weight",
        "weights",
        "ore",
        "mine",
        "mines",
        "crystal",
        "balloon",
        "sheet",
        "sheets",
        "roof",
        "soldier",
        "soldiers",
        "lined",
        "acid",
        "box",
    ];
    other_if(after(context, METAL_AFTER) || before(context, METAL_BEFORE))
}

pub(super) fn choose_live(context: WordContext<'_>, _plural: bool) -> Reading {
    const ADJECTIVE_AFTER: &[&str] = &[
        "a", "the", "go", "goes", "going", "went", "gone", "is", "are", "was", "were", "be",
        "been", "being", "it's", "we're", "you're", "they're", "i'm", "he's", "she's", "real",
    ];
    const ADJECTIVE_BEFORE: &[&str] = &[
        "music",
        "show",
        "shows",
        "band",
        "bands",
        "bait",
        "wire",
        "wires",
        "broadcast",
        "concert",
        "concerts",
        "stream",
        "ammo",
        "ammunition",
        "round",
        "rounds",
        "animal",
        "animals",
        "audience",
        "action",
        "performance",
        "coverage",
        "feed",
        "grenade",
        "grenades",
        "recording",
        "album",
        "event",
        "events",
        "tv",
        "television",
        "radio",
        "fire",
        "specimen",
        "specimens",
        "bomb",
        "bombs",
        "mine",
        "mines",
        "shell",
        "shells",
        "coals",
        "steam",
        "version",
        "demo",
        "game",
        "games",
        "match",
        "chat",
        "cargo",
        "oak",
        "target",
        "targets",
    ];
    other_if(after(context, ADJECTIVE_AFTER) || before(context, ADJECTIVE_BEFORE))
}

/// Words before `lives` that make it the plural of *life*.
pub(super) const NOUN_LIVES: &[&str] = &[
    "their",
    "our",
    "my",
    "your",
    "his",
    "her",
    "its",
    "the",
    "nine",
    "many",
    "whose",
    "two",
    "three",
    "four",
    "five",
    "ten",
    "those",
    "these",
    "innocent",
    "save",
    "saved",
    "saves",
    "saving",
    "lost",
    "risk",
    "risked",
    "ruin",
    "ruined",
    "change",
    "changed",
    "touched",
    "claimed",
    "extra",
    "more",
    "fewer",
    "no",
    "human",
    "past",
    "private",
    "personal",
    "double",
    "several",
    "countless",
    "all",
    "young",
];

/// Subject pronouns, after which a verb follows.
const SUBJECTS: &[&str] = &["i", "you", "we", "they", "he", "she", "it", "who"];

pub(super) fn choose_wind(context: WordContext<'_>, plural: bool) -> Reading {
    if after(context, NOUN_AFTER) || after(context, &["cold", "north", "south", "east", "west"]) {
        return Reading::Default;
    }
    const VERB_BEFORE: &[&str] = &["up", "down", "it", "them", "back", "around", "round", "its"];
    let subject = if plural {
        after(context, THIRD_PERSON) || after(context, &["road", "river", "path", "trail"])
    } else {
        after(context, VERB_AFTER)
    };
    other_if(subject || before(context, VERB_BEFORE))
}

pub(super) fn choose_tear(context: WordContext<'_>, plural: bool) -> Reading {
    if after(context, NOUN_AFTER) {
        return Reading::Default;
    }
    const VERB_BEFORE: &[&str] = &[
        "it", "up", "down", "apart", "off", "open", "through", "into", "out", "them", "the", "a",
        "his", "her", "my", "your", "their", "this", "that", "our", "its", "him", "me", "us",
        "away", "at", "loose",
    ];
    let subject = if plural {
        after(context, THIRD_PERSON)
    } else {
        after(context, VERB_AFTER)
    };
    other_if(subject || before(context, VERB_BEFORE))
}

pub(super) fn choose_close(context: WordContext<'_>, plural: bool) -> Reading {
    const ADJECTIVE_AFTER: &[&str] = &[
        "so", "too", "very", "quite", "as", "get", "got", "gets", "getting", "come", "came",
        "comes", "coming", "stay", "stayed", "stays", "keep", "kept", "stand", "stood", "sit",
        "sat", "hold", "held", "draw", "drew", "move", "moved", "is", "are", "was", "were", "be",
        "been", "it's", "we're", "you're", "they're", "i'm", "he's", "she's", "pretty", "really",
        "fairly", "up", "not", "that's", "a",
    ];
    const ADJECTIVE_BEFORE: &[&str] = &[
        "to",
        "by",
        "call",
        "calls",
        "friend",
        "friends",
        "enough",
        "together",
        "range",
        "behind",
        "relative",
        "relatives",
        "contact",
        "combat",
        "quarters",
        "attention",
        "eye",
        "look",
        "shave",
        "encounter",
        "encounters",
        "race",
        "family",
        "ties",
        "ally",
        "allies",
        "companion",
        "companions",
        "watch",
        "vote",
        "one",
        "second",
        "now",
    ];
    const VERB_BEFORE: &[&str] = &[
        "the", "a", "an", "it", "that", "this", "your", "my", "his", "her", "their", "our", "them",
        "its", "down", "off", "those", "these", "all", "every", "each", "in", "out", "shop",
    ];
    if plural {
        return Reading::Other; // closes is a verb
    }
    if after(context, VERB_AFTER) || after(context, &["and", "he", "she", "who", "doors"]) {
        return Reading::Other;
    }
    if after(context, ADJECTIVE_AFTER) || before(context, ADJECTIVE_BEFORE) {
        return Reading::Default;
    }
    other_if(before(context, VERB_BEFORE))
}

pub(super) fn choose_use(context: WordContext<'_>, plural: bool) -> Reading {
    const NOUN_USE_AFTER: &[&str] = &[
        "a",
        "the",
        "no",
        "of",
        "any",
        "some",
        "much",
        "its",
        "my",
        "your",
        "his",
        "her",
        "our",
        "their",
        "in",
        "for",
        "this",
        "that",
        "what's",
        "good",
        "great",
        "little",
        "full",
        "common",
        "daily",
        "personal",
        "regular",
        "frequent",
        "own",
        "every",
        "such",
        "make",
        "into",
        "proper",
        "heavy",
        "wide",
        "careful",
        "many",
        "several",
        "other",
        "these",
        "those",
        "different",
        "various",
        "multiple",
        "two",
        "three",
    ];
    other_if(after(context, NOUN_USE_AFTER) || (!plural && before(context, &["of"])))
}

pub(super) fn choose_wound(context: WordContext<'_>, _plural: bool) -> Reading {
    const PAST_OF_WIND_BEFORE: &[&str] = &[
        "up", "down", "around", "round", "back", "through", "tight", "tightly", "its", "along",
    ];
    other_if(before(context, PAST_OF_WIND_BEFORE))
}

pub(super) fn choose_bow(context: WordContext<'_>, _plural: bool) -> Reading {
    const WEAPON_BEFORE: &[&str] = &["and", "string", "strings", "tie", "ties", "shot", "staff"];
    const VERB_BEFORE: &[&str] = &[
        "down",
        "before",
        "to",
        "low",
        "deeply",
        "your",
        "his",
        "her",
        "their",
        "our",
        "out",
        "respectfully",
        "politely",
        "humbly",
        "slightly",
        "of",
    ];
    if before(context, WEAPON_BEFORE) {
        return Reading::Default;
    }
    let verb = after(context, VERB_AFTER) || after(context, SUBJECTS);
    let bend = after(
        context,
        &["deep", "low", "slight", "polite", "humble", "final"],
    );
    other_if(verb || bend || before(context, VERB_BEFORE))
}

pub(super) fn choose_minute(context: WordContext<'_>, _plural: bool) -> Reading {
    const TINY_BEFORE: &[&str] = &[
        "details",
        "detail",
        "amount",
        "amounts",
        "quantity",
        "quantities",
        "particles",
        "particle",
        "traces",
        "trace",
        "differences",
        "difference",
        "fraction",
        "portion",
        "crack",
        "cracks",
        "hole",
        "holes",
        "adjustments",
        "adjustment",
        "examination",
        "inspection",
        "changes",
    ];
    other_if(after(context, &["so", "very", "too", "most"]) || before(context, TINY_BEFORE))
}

pub(super) fn choose_dove(context: WordContext<'_>, _plural: bool) -> Reading {
    const DIVE_BEFORE: &[&str] = &[
        "into",
        "in",
        "under",
        "down",
        "off",
        "for",
        "through",
        "deep",
        "after",
        "toward",
        "towards",
        "from",
        "out",
        "headfirst",
        "overboard",
    ];
    other_if(
        after(context, SUBJECTS)
            || after(context, &["then", "and"])
            || before(context, DIVE_BEFORE),
    )
}
