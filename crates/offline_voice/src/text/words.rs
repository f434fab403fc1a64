//! Runs of letters to spoken words: accents folded to ASCII, acronyms spelled, symbols named.

use super::SpokenWord;

/// Whether `c` starts or continues a word: an ASCII letter or a Latin letter with an accent.
pub(crate) fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || fold(c).is_some()
}

/// Characters kept inside a word but dropped from its spelling: combining accents (a
/// decomposed `é`) and invisible format characters (soft hyphens, zero-width spaces and
/// joiners, variation selectors).
pub(crate) fn is_silent_in_word(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36f}'
            | '\u{1ab0}'..='\u{1aff}'
            | '\u{1dc0}'..='\u{1dff}'
            | '\u{20d0}'..='\u{20ff}'
            | '\u{fe20}'..='\u{fe2f}'
            | '\u{ad}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            | '\u{fe00}'..='\u{fe0f}'
    )
}

/// The ASCII spelling of a non-ASCII Latin letter (`é` -> `e`, `ß` -> `ss`), lowercase.
pub(crate) fn fold(c: char) -> Option<&'static str> {
    let folded = match c {
        'À'..='Å' | 'à'..='å' | 'Ā'..='ą' => "a",
        'Æ' | 'æ' => "ae",
        'Ç' | 'ç' | 'Ć'..='č' => "c",
        'Ð' | 'ð' | 'Ď'..='đ' => "d",
        'È'..='Ë' | 'è'..='ë' | 'Ē'..='ě' => "e",
        'Ĝ'..='ģ' => "g",
        'Ĥ'..='ħ' => "h",
        'Ì'..='Ï' | 'ì'..='ï' | 'Ĩ'..='ı' => "i",
        'Ĳ' | 'ĳ' => "ij",
        'Ĵ' | 'ĵ' => "j",
        'Ķ'..='ĸ' => "k",
        'Ĺ'..='ł' => "l",
        'Ñ' | 'ñ' | 'Ń'..='ŋ' => "n",
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō'..='ő' => "o",
        'Œ' | 'œ' => "oe",
        'Ŕ'..='ř' => "r",
        'Ś'..='š' | 'Ș' | 'ș' | 'ſ' => "s",
        'ß' | 'ẞ' => "ss",
        'Ţ'..='ŧ' | 'Ț' | 'ț' => "t",
        'Þ' | 'þ' => "th",
        'Ù'..='Ü' | 'ù'..='ü' | 'Ũ'..='ų' => "u",
        'Ŵ' | 'ŵ' => "w",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ'..='Ÿ' => "y",
        'Ź'..='ž' => "z",
        _ => return None,
    };
    Some(folded)
}

/// Pushes a word spelled with `&'static` text.
pub(crate) fn say(out: &mut Vec<SpokenWord>, word: &str) {
    out.push(SpokenWord::Word(word.to_owned()));
}

/// Pushes each word of `words`.
pub(crate) fn say_all(out: &mut Vec<SpokenWord>, words: &[&str]) {
    for word in words {
        say(out, word);
    }
}

/// A run of letters as written, folded: its lowercase ASCII spelling and its case.
pub(crate) struct Folded {
    pub spelling: String,
    /// Letters in the spelling (not apostrophes).
    pub letters: usize,
    pub all_upper: bool,
    pub first_upper: bool,
}

/// Folds `raw` (a letters atom) to lowercase ASCII with `'` for every apostrophe.
pub(crate) fn folded(raw: &str) -> Folded {
    let mut spelling = String::with_capacity(raw.len());
    let (mut letters, mut upper) = (0, 0);
    let mut first_upper = None;
    for c in raw.chars() {
        if is_silent_in_word(c) {
            continue;
        }
        if !c.is_alphabetic() {
            spelling.push('\'');
            continue;
        }
        let is_upper = c.is_uppercase();
        first_upper.get_or_insert(is_upper);
        upper += usize::from(is_upper);
        match fold(c) {
            Some(ascii) => {
                spelling.push_str(ascii);
                letters += ascii.len();
            }
            None => {
                spelling.push(c.to_ascii_lowercase());
                letters += 1;
            }
        }
    }
    let all_upper = letters > 0 && upper == raw.chars().filter(|c| c.is_alphabetic()).count();
    Folded {
        spelling,
        letters,
        all_upper,
        first_upper: first_upper.unwrap_or(false),
    }
}

/// How a run of letters sits in its text, for the spelled-or-said choice.
#[derive(Clone, Copy, Default)]
pub(crate) struct Setting {
    /// The word starts a sentence (a capital `A` there is the article).
    pub sentence_start: bool,
    /// Most of the text is in capitals: short capitalised words are words, not acronyms.
    pub shouting: bool,
}

/// Acronyms people spell even though they have vowels.
const SPELLED: &[&str] = &[
    "ai", "atm", "bbc", "ceo", "cia", "cpu", "diy", "dna", "ea", "emt", "er", "eta", "eu", "faq",
    "fbi", "gpu", "hq", "id", "iou", "ip", "iq", "irs", "la", "nba", "nfl", "npc", "nyc", "os",
    "pc", "rpg", "tv", "uae", "ufo", "ui", "uk", "un", "url", "usa", "usb", "ux", "vip",
];

/// Short capitalised words read as words: what shouting is made of, and a few acronyms people
/// say as words.
const SAID: &[&str] = &[
    "ago", "ah", "all", "am", "an", "and", "any", "are", "as", "ask", "at", "away", "bad", "be",
    "big", "but", "by", "can", "cat", "dad", "day", "did", "die", "do", "dog", "eat", "eh", "end",
    "far", "few", "for", "fun", "get", "go", "god", "got", "gun", "guy", "ha", "had", "has", "he",
    "her", "hey", "hi", "him", "his", "hot", "how", "if", "in", "is", "it", "its", "lan", "let",
    "lie", "lot", "mad", "man", "may", "me", "men", "mom", "my", "new", "no", "nor", "not", "now",
    "of", "off", "oh", "oi", "old", "on", "one", "or", "our", "out", "ow", "own", "put", "ram",
    "rom", "run", "sad", "say", "see", "set", "she", "sim", "so", "son", "sun", "the", "to", "too",
    "top", "try", "two", "uh", "um", "up", "use", "war", "was", "way", "we", "who", "why", "win",
    "won", "yay", "yes", "yet", "yo", "you",
];

/// Words without a vowel that are still words (interjections), not letters to spell.
const VOWELLESS_WORDS: &[&str] = &[
    "brr", "grr", "hm", "hmm", "mm", "mmm", "nth", "pfft", "psst", "pst", "sh", "shh", "tsk", "zzz",
];

/// Whether `text` is written in capitals for emphasis ("GET DOWN NOW!"), not merely full of
/// acronyms: at least two capitalised words that are plainly words, and most words capitalised.
pub(crate) fn is_shouting(text: &str) -> bool {
    let (mut words, mut capitals, mut plain) = (0usize, 0usize, 0usize);
    for word in text.split_ascii_whitespace() {
        let letters = word.trim_matches(|c: char| !c.is_ascii_alphabetic());
        if letters.len() < 2 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        words += 1;
        if !letters.bytes().all(|b| b.is_ascii_uppercase()) {
            continue;
        }
        capitals += 1;
        let mut key = [0u8; 8];
        let Some(key) = key.get_mut(..letters.len()) else {
            // Long capitalised words are words.
            plain += 1;
            continue;
        };
        key.copy_from_slice(letters.as_bytes());
        key.make_ascii_lowercase();
        // ASCII letters only, so UTF-8.
        let key = std::str::from_utf8(key).unwrap_or_default();
        let is_word =
            SAID.contains(&key) || (key.len() >= 4 && has_vowel(key) && !SPELLED.contains(&key));
        plain += usize::from(is_word);
    }
    plain >= 2 && capitals * 2 >= words
}

/// Reads one letters atom (`raw`, as written) into `out`.
pub(crate) fn read(raw: &str, setting: Setting, out: &mut Vec<SpokenWord>) {
    let word = folded(raw);
    let spelling = word.spelling.trim_matches('\'');
    if spelling.is_empty() {
        return;
    }
    if word.letters == 1 && spelling.len() == 1 {
        let letter = char::from(spelling.as_bytes()[0]);
        match letter {
            'i' => say(out, "i"),
            // Mid-sentence, a capital A is the letter ("plan A"); otherwise the article.
            'a' if !word.all_upper || setting.sentence_start || setting.shouting => say(out, "a"),
            _ => out.push(SpokenWord::Letter(letter)),
        }
        return;
    }
    if spelling == "ok" {
        return say(out, "okay");
    }
    if word.all_upper {
        if let Some(base) = spelling
            .strip_suffix("'s")
            .filter(|base| spells(base, setting))
        {
            return spell_plural(base, out);
        }
        if spells(spelling, setting) {
            return spell(spelling, out);
        }
    } else if let Some(base) = spelling.strip_suffix('s').filter(|base| {
        // `NPCs`, `TVs`: capitals and a lowercase plural s.
        raw.is_ascii()
            && raw.len() == spelling.len()
            && raw[..base.len()].bytes().all(|b| b.is_ascii_uppercase())
            && base.len() >= 2
            && spells(base, setting)
    }) {
        return spell_plural(base, out);
    } else if !has_vowel(spelling)
        && (2..=5).contains(&spelling.len())
        && !VOWELLESS_WORDS.contains(&spelling)
        && !spelling.contains('\'')
    {
        // Lowercase chat shorthand: `hp`, `xp`, `npc`.
        return spell(spelling, out);
    }
    out.push(SpokenWord::Word(spelling.to_owned()));
}

fn has_vowel(spelling: &str) -> bool {
    spelling
        .bytes()
        .any(|b| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y'))
}

/// Whether an all-capitals word (folded) is spelled letter by letter.
fn spells(spelling: &str, setting: Setting) -> bool {
    if spelling.contains('\'') {
        return false;
    }
    if SPELLED.contains(&spelling) {
        return true;
    }
    if !has_vowel(spelling) {
        return true;
    }
    spelling.len() <= 3 && !setting.shouting && !SAID.contains(&spelling)
}

/// The value of a Roman numeral from II to XXXIX (`VII` is 7), written in capitals.
pub(crate) fn roman(raw: &str) -> Option<u64> {
    if raw.len() < 2 || !raw.bytes().all(|b| matches!(b, b'I' | b'V' | b'X')) {
        return None;
    }
    // The canonical spellings only, so "XVX" or "IIII" stay letters.
    const UNITS: [&str; 10] = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"];
    let tens = raw.bytes().take_while(|&b| b == b'X').count().min(3);
    let unit = UNITS.iter().position(|u| *u == &raw[tens..])?;
    Some((tens * 10 + unit) as u64).filter(|v| *v >= 2)
}

/// Pushes each letter of an ASCII spelling.
pub(crate) fn spell(spelling: &str, out: &mut Vec<SpokenWord>) {
    out.extend(
        spelling
            .bytes()
            .filter(u8::is_ascii_lowercase)
            .map(|b| SpokenWord::Letter(char::from(b))),
    );
}

/// Spells a plural acronym: the last letter's name in the plural (`NPCs` is N, P, *sees*).
fn spell_plural(base: &str, out: &mut Vec<SpokenWord>) {
    let Some((last, rest)) = base.as_bytes().split_last() else {
        return;
    };
    spell(&base[..rest.len()], out);
    say_all(out, letter_plural(char::from(*last)));
}

/// How the plural of a letter's name is spelled, as a word the lexicon knows how to say.
pub(crate) fn letter_plural(letter: char) -> &'static [&'static str] {
    const PLURALS: [&[&str]; 26] = [
        &["ays"],
        &["bees"],
        &["sees"],
        &["dees"],
        &["ees"],
        &["efs"],
        &["gees"],
        &["aitches"],
        &["eyes"],
        &["jays"],
        &["kays"],
        &["els"],
        &["ems"],
        &["ens"],
        &["ohs"],
        &["pees"],
        &["cues"],
        &["ars"],
        &["esses"],
        &["tees"],
        &["yous"],
        &["vees"],
        &["double", "yous"],
        &["exes"],
        &["wyes"],
        &["zees"],
    ];
    match letter {
        'a'..='z' => PLURALS[usize::from(letter as u8 - b'a')],
        _ => &[],
    }
}

/// The word said for a symbol standing on its own, if it is said at all.
pub(crate) fn symbol(c: char) -> Option<&'static str> {
    let word = match c {
        '&' => "and",
        '+' => "plus",
        '=' => "equals",
        '%' => "percent",
        '@' => "at",
        '×' => "times",
        '−' => "minus",
        '°' => "degrees",
        _ => return None,
    };
    Some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(raw: &str, setting: Setting) -> String {
        let mut out = Vec::new();
        read(raw, setting, &mut out);
        let parts: Vec<String> = out
            .iter()
            .map(|w| match w {
                SpokenWord::Word(w) => w.clone(),
                SpokenWord::Letter(l) => l.to_ascii_uppercase().to_string(),
            })
            .collect();
        parts.join(" ")
    }

    #[test]
    fn shouting() {
        assert!(is_shouting("GET DOWN NOW!"));
        assert!(is_shouting("I LOVE THE NPC"));
        assert!(!is_shouting("HTML CIA ABC NPCs TVs IDs"));
        assert!(!is_shouting("The FBI and the CIA are here."));
        assert!(!is_shouting("NO"));
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(roman("II"), Some(2));
        assert_eq!(roman("VII"), Some(7));
        assert_eq!(roman("XIV"), Some(14));
        assert_eq!(roman("XXXIX"), Some(39));
        assert_eq!(roman("I"), None);
        assert_eq!(roman("IIII"), None);
        assert_eq!(roman("XVX"), None);
        assert_eq!(roman("XXXX"), None);
        assert_eq!(roman("MIX"), None);
    }

    #[test]
    fn words_and_acronyms() {
        let plain = Setting::default();
        let cases = [
            ("Hello", "hello"),
            ("don't", "don't"),
            ("Don’t", "don't"),
            ("café", "cafe"),
            ("naïve", "naive"),
            ("Straße", "strasse"),
            ("cafe\u{301}", "cafe"),
            ("hel\u{200b}lo", "hello"),
            ("co\u{ad}operate", "cooperate"),
            ("NPC", "N P C"),
            ("FBI", "F B I"),
            ("OK", "okay"),
            ("Ok", "okay"),
            ("NASA", "nasa"),
            ("NATO", "nato"),
            ("RAM", "ram"),
            ("HTML", "H T M L"),
            ("TV", "T V"),
            ("NPCs", "N P sees"),
            ("TVs", "T vees"),
            ("NPC'S", "N P sees"),
            ("I", "i"),
            ("A", "A"),
            ("a", "a"),
            ("x", "X"),
            ("iPhone", "iphone"),
            ("McDonald", "mcdonald"),
            ("hp", "H P"),
            ("hmm", "hmm"),
            ("NO", "no"),
            ("ABC", "A B C"),
            ("WWW", "W W W"),
            ("GO", "go"),
            ("DON'T", "don't"),
            ("STOP", "stop"),
        ];
        for (raw, expected) in cases {
            assert_eq!(said(raw, plain), expected, "{raw}");
        }
        let shouting = Setting {
            shouting: true,
            ..plain
        };
        assert_eq!(said("NO", shouting), "no");
        assert_eq!(said("CAT", shouting), "cat");
        assert_eq!(said("NPC", shouting), "N P C");
        assert_eq!(said("A", shouting), "a");
        let start = Setting {
            sentence_start: true,
            ..plain
        };
        assert_eq!(said("A", start), "a");
    }
}
