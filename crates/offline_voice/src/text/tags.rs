//! Inworld's markup: `[tag]` and `<break time="..."/>`.
//!
//! A tag is found where it starts (`[` or `<`) and read to its end; the text reader never sees
//! its bytes, so tags are never spoken and never inside a token. Tags that mean nothing to the
//! voice (tts-2 free-form steering such as `[speak softly]`, other SSML-like elements) are
//! swallowed; a `[` that is not closed on its line is ordinary text.

use super::{NonVerbal, Segment, Style};

/// The longest tag looked for, in bytes: a stray `[` or `<` costs at most this much scanning.
const MAX_TAG: usize = 256;

/// The longest pause a break asks for, in milliseconds.
const MAX_BREAK_MILLIS: f64 = 10_000.0;

/// A tag in the text: where it ends (the byte after it) and what it means, if anything.
pub(crate) struct Tag {
    pub end: usize,
    pub segment: Option<Segment>,
}

/// The tag starting at the `[` at byte `at`, or `None` when the bracket is not closed before
/// a newline or another `[` (then it is text).
pub(crate) fn square(text: &str, at: usize) -> Option<Tag> {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(at + MAX_TAG);
    let close = (at + 1..limit).find(|&i| matches!(bytes[i], b']' | b'[' | b'\n'))?;
    if bytes[close] != b']' {
        return None;
    }
    Some(Tag {
        end: close + 1,
        segment: name(&text[at + 1..close]),
    })
}

/// What a bracketed tag's content means: `laugh` is a sound, `happy` a style, anything else
/// nothing.
fn name(content: &str) -> Option<Segment> {
    // Case, and spaces or hyphens for the underscore, vary between writers: fold them.
    let mut key = [0u8; 24];
    let mut len = 0;
    for byte in content.trim().bytes() {
        let folded = match byte {
            b'a'..=b'z' => byte,
            b'A'..=b'Z' => byte.to_ascii_lowercase(),
            b' ' | b'-' | b'_' => b'_',
            _ => return None,
        };
        if folded == b'_' && len > 0 && key[len - 1] == b'_' {
            continue;
        }
        *key.get_mut(len)? = folded;
        len += 1;
    }
    let segment = match &key[..len] {
        b"happy" => Segment::Style(Style::Happy),
        b"sad" => Segment::Style(Style::Sad),
        b"angry" => Segment::Style(Style::Angry),
        b"surprised" => Segment::Style(Style::Surprised),
        b"fearful" => Segment::Style(Style::Fearful),
        b"disgusted" => Segment::Style(Style::Disgusted),
        b"laughing" => Segment::Style(Style::Laughing),
        b"whispering" => Segment::Style(Style::Whispering),
        b"laugh" | b"laughs" => Segment::NonVerbal(NonVerbal::Laugh),
        b"sigh" | b"sighs" => Segment::NonVerbal(NonVerbal::Sigh),
        b"breathe" | b"breathes" | b"breath" => Segment::NonVerbal(NonVerbal::Breathe),
        b"cough" | b"coughs" => Segment::NonVerbal(NonVerbal::Cough),
        b"clear_throat" | b"clears_throat" => Segment::NonVerbal(NonVerbal::ClearThroat),
        b"yawn" | b"yawns" => Segment::NonVerbal(NonVerbal::Yawn),
        _ => return None,
    };
    Some(segment)
}

/// The markup starting at the `<` at byte `at`: a `<break .../>` (meaningful or malformed,
/// never spoken) or another element such as `<speak>` (swallowed), or `None` when the `<` is
/// text (`<3`, `a < b`).
pub(crate) fn angle(text: &str, at: usize) -> Option<Tag> {
    let bytes = text.as_bytes();
    let rest = &bytes[at + 1..];
    let is_break = rest.len() >= 5
        && rest[..5].eq_ignore_ascii_case(b"break")
        && rest
            .get(5)
            .is_none_or(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>');
    if is_break {
        return Some(break_tag(bytes, at + 6));
    }
    let element = match rest {
        [b'/' | b'!' | b'?', next, ..] => next.is_ascii_alphabetic() || *next == b'-',
        [first, ..] => first.is_ascii_alphabetic(),
        [] => false,
    };
    if !element {
        return None;
    }
    close_angle(bytes, at + 1).map(|end| Tag { end, segment: None })
}

/// The byte after the `>` that closes an element, if it comes before a newline or another `<`.
fn close_angle(bytes: &[u8], from: usize) -> Option<usize> {
    let limit = bytes.len().min(from + MAX_TAG);
    let close = (from..limit).find(|&i| matches!(bytes[i], b'>' | b'<' | b'\n'))?;
    (bytes[close] == b'>').then_some(close + 1)
}

/// Reads the attributes of a break element from `pos` (just after `<break`).
fn break_tag(bytes: &[u8], mut pos: usize) -> Tag {
    let mut millis = None;
    let mut malformed = false;
    let end = loop {
        pos = skip_space(bytes, pos);
        match bytes.get(pos) {
            // Unclosed at the end of the text: still markup, dropped with what it said.
            None => {
                malformed = true;
                break pos;
            }
            Some(b'>') => break pos + 1,
            Some(b'/') => {
                let after = skip_space(bytes, pos + 1);
                if bytes.get(after) == Some(&b'>') {
                    break after + 1;
                }
                malformed = true;
                break pos;
            }
            Some(b) if is_name_byte(*b) => {
                let (name, value, next) = match attribute(bytes, pos) {
                    Ok(attribute) => attribute,
                    Err(stop) => {
                        malformed = true;
                        break stop;
                    }
                };
                pos = next;
                if name.eq_ignore_ascii_case(b"time") {
                    millis = duration_millis(value);
                    malformed |= millis.is_none();
                } else if name.eq_ignore_ascii_case(b"strength") {
                    millis = millis.or_else(|| strength_millis(value));
                }
            }
            Some(_) => {
                malformed = true;
                break pos;
            }
        }
    };
    if malformed {
        // Swallow the rest of the element if it closes soon, so none of it is spoken.
        let end = close_angle(bytes, end).unwrap_or(end);
        return Tag { end, segment: None };
    }
    // A bare `<break/>` is SSML's medium break.
    let millis = millis.unwrap_or(500);
    Tag {
        end,
        segment: Some(Segment::Break { millis }),
    }
}

fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':')
}

/// An attribute: its name, its value and the byte after it.
type Attribute<'a> = (&'a [u8], &'a [u8], usize);

/// `name = "value"` (or `'value'`, or unquoted) at `pos`; or, if malformed, where reading
/// stopped: past what looks like a value after an unclosed quote (`time="300ms`), so none of it
/// is spoken, but never past a `<` or `[` that may start the next tag.
fn attribute(bytes: &[u8], pos: usize) -> Result<Attribute<'_>, usize> {
    let name_end = (pos..bytes.len())
        .find(|&i| !is_name_byte(bytes[i]))
        .unwrap_or(bytes.len());
    let eq = skip_space(bytes, name_end);
    if bytes.get(eq) != Some(&b'=') {
        return Err(pos);
    }
    let start = skip_space(bytes, eq + 1);
    let value_end = |from: usize| {
        (from..bytes.len())
            .find(|&i| !is_value_byte(bytes[i]))
            .unwrap_or(bytes.len())
    };
    match bytes.get(start) {
        Some(&quote @ (b'"' | b'\'')) => {
            let limit = bytes.len().min(start + MAX_TAG);
            let close = (start + 1..limit)
                .find(|&i| matches!(bytes[i], b'\n' | b'<' | b'[') || bytes[i] == quote);
            match close {
                Some(close) if bytes[close] == quote => {
                    Ok((&bytes[pos..name_end], &bytes[start + 1..close], close + 1))
                }
                _ => Err(value_end(start + 1)),
            }
        }
        Some(_) => {
            let end = value_end(start);
            if end > start {
                Ok((&bytes[pos..name_end], &bytes[start..end], end))
            } else {
                Err(start)
            }
        }
        None => Err(start),
    }
}

/// Bytes an attribute value is made of (`300ms`, `1.5s`, `x-strong`).
fn is_value_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'%' | b'+')
}

/// `300ms`, `1.5s`, `2 s` in milliseconds, clamped to `0..=10_000`; `None` if malformed.
fn duration_millis(value: &[u8]) -> Option<u32> {
    let value = value.trim_ascii();
    let unit_at = value
        .iter()
        .position(|b| !(b.is_ascii_digit() || *b == b'.' || *b == b'-'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(unit_at);
    let scale = match unit.trim_ascii() {
        u if u.eq_ignore_ascii_case(b"ms") => 1.0,
        u if u.eq_ignore_ascii_case(b"s") => 1000.0,
        _ => return None,
    };
    // Only ASCII digits, '.' and '-' are in `number`, so it is UTF-8.
    let number: f64 = std::str::from_utf8(number).ok()?.parse().ok()?;
    let millis = (number * scale).clamp(0.0, MAX_BREAK_MILLIS);
    // In 0..=10_000 after the clamp (a NaN cannot come out of parsing digits).
    Some(millis.round() as u32)
}

/// SSML's break strengths in milliseconds.
fn strength_millis(value: &[u8]) -> Option<u32> {
    let millis = match value.trim_ascii().to_ascii_lowercase().as_slice() {
        b"none" => 0,
        b"x-weak" => 100,
        b"weak" => 250,
        b"medium" => 500,
        b"strong" => 750,
        b"x-strong" => 1000,
        _ => return None,
    };
    Some(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str) -> Option<(usize, Option<Segment>)> {
        let tag = match text.as_bytes()[0] {
            b'[' => square(text, 0),
            _ => angle(text, 0),
        };
        tag.map(|tag| (tag.end, tag.segment))
    }

    #[test]
    fn bracket_names() {
        assert_eq!(
            tag("[laugh]"),
            Some((7, Some(Segment::NonVerbal(NonVerbal::Laugh))))
        );
        assert_eq!(
            tag("[Sighs] x"),
            Some((7, Some(Segment::NonVerbal(NonVerbal::Sigh))))
        );
        assert_eq!(
            tag("[clear throat]"),
            Some((14, Some(Segment::NonVerbal(NonVerbal::ClearThroat))))
        );
        assert_eq!(
            tag("[WHISPERING]"),
            Some((12, Some(Segment::Style(Style::Whispering))))
        );
        assert_eq!(tag("[speak softly]"), Some((14, None)));
        assert_eq!(tag("[ünïcode]"), Some(("[ünïcode]".len(), None)));
        assert_eq!(tag("[]"), Some((2, None)));
        assert_eq!(tag("[laugh"), None);
        assert_eq!(tag("[laugh\n]"), None);
        assert_eq!(tag("[a [laugh]"), None);
    }

    #[test]
    fn breaks() {
        let millis = |text: &str| match tag(text) {
            Some((end, Some(Segment::Break { millis }))) if end == text.len() => Some(millis),
            _ => None,
        };
        assert_eq!(millis(r#"<break time="300ms"/>"#), Some(300));
        assert_eq!(millis(r#"<break time="1.5s"/>"#), Some(1500));
        assert_eq!(millis("<break time='2s' />"), Some(2000));
        assert_eq!(millis("<BREAK TIME = \"40 MS\">"), Some(40));
        assert_eq!(millis("<break time=250ms/>"), Some(250));
        assert_eq!(millis(r#"<break time="99s"/>"#), Some(10_000));
        assert_eq!(millis(r#"<break time="-5s"/>"#), Some(0));
        assert_eq!(millis(r#"<break strength="strong"/>"#), Some(750));
        assert_eq!(millis("<break/>"), Some(500));
    }

    #[test]
    fn malformed_breaks_are_swallowed() {
        for text in [
            r#"<break time="abc"/>"#,
            r#"<break time="300"/>"#,
            r#"<break time="300ms"#,
            r#"<break time=""#,
            "<break time=",
            "<break time>",
            "<break ?>",
        ] {
            let (end, segment) = tag(text).expect("a break tag");
            assert_eq!((end, segment), (text.len(), None), "{text}");
        }
        // Unclosed and followed by words: the words stay text.
        let text = r#"<break time="1s" and then"#;
        assert_eq!(
            tag(text).map(|(end, _)| end),
            Some(r#"<break time="1s" "#.len())
        );
    }

    #[test]
    fn other_angles() {
        assert_eq!(tag("<speak>"), Some((7, None)));
        assert_eq!(tag("</prosody>"), Some((10, None)));
        assert_eq!(tag("<3"), None);
        assert_eq!(tag("< b"), None);
        assert_eq!(tag("<b"), None);
        assert_eq!(tag("<"), None);
        assert_eq!(tag("<breakfast>"), Some((11, None)));
    }
}
