//! How a letter-to-sound rule is read and matched against a word.
//!
//! A rule is one string, `"LEFT[MATCH]RIGHT=PHONES"`: when the letters `MATCH` stand at the
//! current position, the letters before them fit `LEFT` and the letters after them fit `RIGHT`,
//! the rule emits `PHONES` (ARPAbet names, space-separated, possibly none: a silent letter) and
//! the scan moves past `MATCH`. Contexts are literal lowercase letters or these classes:
//!
//! | symbol | matches |
//! |---|---|
//! | ` ` (space) | the word boundary |
//! | `#` | one or more vowels |
//! | `*` | one or more consonants |
//! | `:` | zero or more consonants |
//! | `^` | exactly one consonant |
//! | `.` | one voiced consonant (`b d g j l m n r v w z`) |
//! | `+` | one front vowel (`e i y`) |
//! | `&` | one sibilant (`s c g z x j`, or `ch sh`) |
//! | `@` | a consonant after which long `u` is `UW`, not `Y UW` (`t s r d l z n j`, or `th ch sh`) |
//! | `%` | (right context only) a suffix ending the word: `e er es ed ing ely est ers` |
//!
//! The vowels are `a e i o u`, and `y` where it is not followed by a vowel and not first.
//! `LEFT` is matched right to left starting next to `MATCH`, `RIGHT` left to right; the
//! repeating classes are greedy, without backtracking, as in the classic rule sets.

use super::super::phone::Phone;

/// One parsed rule, borrowing its parts from the rule string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Rule<'a> {
    pub(super) left: &'a [u8],
    pub(super) target: &'a [u8],
    pub(super) right: &'a [u8],
    pub(super) phones: &'a str,
}

impl<'a> Rule<'a> {
    /// Splits `"LEFT[MATCH]RIGHT=PHONES"`; `None` if the brackets or `=` are missing.
    pub(super) fn parse(text: &'a str) -> Option<Rule<'a>> {
        let open = text.find('[')?;
        let close = open + text[open..].find(']')?;
        let equals = close + text[close..].find('=')?;
        Some(Rule {
            left: &text.as_bytes()[..open],
            target: &text.as_bytes()[open + 1..close],
            right: &text.as_bytes()[close + 1..equals],
            phones: &text[equals + 1..],
        })
    }

    /// Whether the rule applies to `word` at letter `at`.
    pub(super) fn matches(&self, word: &[u8], at: usize) -> bool {
        word[at..].starts_with(self.target)
            && matches_left(self.left, word, at)
            && matches_right(self.right, word, at + self.target.len())
    }
}

/// One phone of a rule-derived pronunciation and the letter whose rule produced it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    pub(super) phone: Phone,
    /// Index of the first letter of the rule's match.
    pub(super) letter: usize,
}

/// Runs the rules over `word` (lowercase `a`-`z` only) left to right. `rules_for` gives the
/// ordered rules of a letter; a letter no rule matches is skipped.
pub(super) fn transcribe(
    word: &[u8],
    rules_for: fn(u8) -> &'static [&'static str],
) -> Vec<Segment> {
    let mut out = Vec::with_capacity(word.len() + 2);
    let mut at = 0;
    while at < word.len() {
        let rule = rules_for(word[at])
            .iter()
            .filter_map(|text| Rule::parse(text))
            .find(|rule| !rule.target.is_empty() && rule.matches(word, at));
        match rule {
            Some(rule) => {
                for name in rule.phones.split_whitespace() {
                    if let Some(phone) = Phone::from_arpabet(name) {
                        out.push(Segment { phone, letter: at });
                    }
                }
                at += rule.target.len();
            }
            None => at += 1,
        }
    }
    out
}

/// Whether the letter at `i` acts as a vowel.
pub(super) fn is_vowel(word: &[u8], i: usize) -> bool {
    match word.get(i) {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => true,
        Some(b'y') => i > 0 && !matches!(word.get(i + 1), Some(b'a' | b'e' | b'i' | b'o' | b'u')),
        _ => false,
    }
}

fn is_consonant(word: &[u8], i: usize) -> bool {
    i < word.len() && !is_vowel(word, i)
}

fn is_voiced_consonant(c: u8) -> bool {
    matches!(
        c,
        b'b' | b'd' | b'g' | b'j' | b'l' | b'm' | b'n' | b'r' | b'v' | b'w' | b'z'
    )
}

/// Matches `pattern` against the letters before `end`, nearest first.
fn matches_left(pattern: &[u8], word: &[u8], end: usize) -> bool {
    let mut pos = end; // letters word[..pos] are still unread
    for &symbol in pattern.iter().rev() {
        let prev = pos.checked_sub(1);
        match symbol {
            b' ' => {
                if pos != 0 {
                    return false;
                }
            }
            b'#' | b'*' | b':' => {
                let wanted_vowel = symbol == b'#';
                let start = pos;
                while pos > 0 && is_vowel(word, pos - 1) == wanted_vowel {
                    pos -= 1;
                }
                if symbol != b':' && pos == start {
                    return false;
                }
            }
            b'^' => match prev {
                Some(p) if is_consonant(word, p) => pos = p,
                _ => return false,
            },
            b'.' => match prev {
                Some(p) if is_consonant(word, p) && is_voiced_consonant(word[p]) => pos = p,
                _ => return false,
            },
            b'+' => match prev {
                Some(p) if matches!(word[p], b'e' | b'i' | b'y') => pos = p,
                _ => return false,
            },
            b'&' | b'@' => {
                let digraph_firsts: &[u8] = if symbol == b'&' { b"cs" } else { b"tcs" };
                let singles: &[u8] = if symbol == b'&' {
                    b"scgzxj"
                } else {
                    b"tsrdlznj"
                };
                if pos >= 2 && word[pos - 1] == b'h' && digraph_firsts.contains(&word[pos - 2]) {
                    pos -= 2;
                } else {
                    match prev {
                        Some(p) if singles.contains(&word[p]) => pos = p,
                        _ => return false,
                    }
                }
            }
            letter => match prev {
                Some(p) if word[p] == letter => pos = p,
                _ => return false,
            },
        }
    }
    true
}

/// The suffixes the `%` class stands for.
const SUFFIXES: [&[u8]; 8] = [b"e", b"er", b"es", b"ed", b"ing", b"ely", b"est", b"ers"];

/// Matches `pattern` against the letters from `start` on.
fn matches_right(pattern: &[u8], word: &[u8], start: usize) -> bool {
    let mut pos = start;
    for &symbol in pattern {
        match symbol {
            b' ' => {
                if pos != word.len() {
                    return false;
                }
            }
            b'#' | b'*' | b':' => {
                let wanted_vowel = symbol == b'#';
                let begin = pos;
                while pos < word.len() && is_vowel(word, pos) == wanted_vowel {
                    pos += 1;
                }
                if symbol != b':' && pos == begin {
                    return false;
                }
            }
            b'^' => {
                if !is_consonant(word, pos) {
                    return false;
                }
                pos += 1;
            }
            b'.' => {
                if !(is_consonant(word, pos) && is_voiced_consonant(word[pos])) {
                    return false;
                }
                pos += 1;
            }
            b'+' => {
                if !matches!(word.get(pos), Some(b'e' | b'i' | b'y')) {
                    return false;
                }
                pos += 1;
            }
            b'&' | b'@' => {
                let digraph_firsts: &[u8] = if symbol == b'&' { b"cs" } else { b"tcs" };
                let singles: &[u8] = if symbol == b'&' {
                    b"scgzxj"
                } else {
                    b"tsrdlznj"
                };
                if word.get(pos + 1) == Some(&b'h') && digraph_firsts.contains(&word[pos]) {
                    pos += 2;
                } else if pos < word.len() && singles.contains(&word[pos]) {
                    pos += 1;
                } else {
                    return false;
                }
            }
            b'%' => {
                return SUFFIXES
                    .iter()
                    .any(|suffix| &word[pos.min(word.len())..] == *suffix);
            }
            letter => {
                if word.get(pos) != Some(&letter) {
                    return false;
                }
                pos += 1;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applies(rule: &str, word: &str, at: usize) -> bool {
        Rule::parse(rule).unwrap().matches(word.as_bytes(), at)
    }

    #[test]
    fn rules_split_into_their_parts() {
        let rule = Rule::parse("#:[e] =").unwrap();
        assert_eq!(rule.left, b"#:");
        assert_eq!(rule.target, b"e");
        assert_eq!(rule.right, b" ");
        assert_eq!(rule.phones, "");
        assert!(Rule::parse("no brackets=AA").is_none());
        assert!(Rule::parse("[a]missing equals").is_none());
    }

    #[test]
    fn boundaries_and_literals() {
        assert!(applies(" [k]n=", "knight", 0));
        assert!(!applies(" [k]n=", "sknight", 1));
        assert!(applies("[a] =AX", "sofa", 3));
        assert!(!applies("[a] =AX", "sofas", 3));
    }

    #[test]
    fn vowel_and_consonant_classes() {
        // `#:` : vowels, then any consonants, then the match.
        assert!(applies("#:[e] =", "make", 3));
        assert!(!applies("#:[e] =", "the", 2));
        assert!(applies("[a]^e =EY", "make", 1));
        assert!(!applies("[a]^e =EY", "maske", 1));
        assert!(applies("*[le] =AX L", "little", 4));
        assert!(applies("[a]^%=EY", "maker", 1));
        assert!(applies("[a]^%=EY", "making", 1));
        assert!(!applies("[a]^%=EY", "makings", 1));
    }

    #[test]
    fn special_classes() {
        assert!(applies("[c]+=S", "city", 0));
        assert!(!applies("[c]+=S", "cat", 0));
        assert!(applies("@[u]^e=UW", "rule", 1));
        assert!(!applies("@[u]^e=UW", "cute", 1));
        assert!(applies("&[e]s =IH", "wishes", 4));
        assert!(applies(".[e]d =", "named", 3));
        assert!(!applies(".[e]d =", "hoped", 3));
    }

    #[test]
    fn y_is_a_vowel_only_between_consonants_or_at_the_end() {
        assert!(!is_vowel(b"yes", 0));
        assert!(is_vowel(b"myth", 1));
        assert!(is_vowel(b"happy", 4));
        assert!(!is_vowel(b"beyond", 2));
    }
}
