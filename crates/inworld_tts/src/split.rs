//! Splitting text longer than one request allows.

/// Splits `text` into pieces of at most `max_chars` characters, cutting at the last sentence
/// end that fits, else the last clause break, else the last space, else anywhere. Cuts never
/// fall inside a markup tag (`[happy]`, `<break time="300ms"/>`). Pieces are trimmed; blank
/// pieces are dropped.
///
/// ```
/// # use inworld_tts::split_text;
/// // A clause break beats a later space: "Two," ends a piece rather than "Two, three".
/// let pieces = split_text("One. Two, three four.", 12);
/// assert_eq!(pieces, ["One.", "Two,", "three four."]);
/// ```
pub fn split_text(text: &str, max_chars: usize) -> Vec<&str> {
    let max_chars = max_chars.max(1);
    let mut pieces = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let cut = match rest.char_indices().nth(max_chars) {
            None => rest.len(),
            Some((window_end, _)) => best_cut(rest, window_end),
        };
        let piece = rest[..cut].trim();
        if !piece.is_empty() {
            pieces.push(piece);
        }
        rest = rest[cut..].trim_start();
    }
    pieces
}

/// The best byte index to cut `text` at, no later than `window_end` (a char boundary).
fn best_cut(text: &str, window_end: usize) -> usize {
    let mut sentence = None;
    let mut clause = None;
    let mut space = None;
    let mut depth = 0i32;
    let mut chars = text[..window_end].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '[' | '<' => depth += 1,
            ']' | '>' => depth = (depth - 1).max(0),
            _ => {}
        }
        if depth > 0 {
            continue;
        }
        let after = i + c.len_utf8();
        let next = text[after..].chars().next();
        let next_is_space = next.is_none_or(char::is_whitespace);
        match c {
            '。' | '！' | '？' => sentence = Some(after),
            '.' | '!' | '?' | '…' => {
                // Closing quotes and brackets stay with their sentence.
                let closers = text[after..]
                    .chars()
                    .take_while(|ch| matches!(ch, '"' | '\'' | '”' | '’' | ')' | '»'))
                    .map(char::len_utf8)
                    .sum::<usize>();
                let end = after + closers;
                if end <= window_end && text[end..].chars().next().is_none_or(char::is_whitespace) {
                    sentence = Some(end);
                }
            }
            ',' | ';' | ':' | '—' | '–' | '、' | '，' if next_is_space || c > '\u{2000}' => {
                clause = Some(after)
            }
            c if c.is_whitespace() => space = Some(i),
            _ => {}
        }
        if chars.peek().is_none() && next_is_space && depth == 0 {
            // The window ends exactly at a word boundary.
            space = Some(window_end);
        }
    }
    sentence
        .or(clause)
        .or(space)
        .filter(|&cut| cut > 0)
        .unwrap_or(window_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefers_sentences_then_clauses_then_words() {
        let text = "First sentence here. Second one, with a clause; and more words follow";
        // From the longest word up: below that, a hard cut inside a word is unavoidable.
        for max in 8..text.len() {
            let pieces = split_text(text, max);
            assert!(
                pieces.iter().all(|p| p.chars().count() <= max),
                "{max}: {pieces:?}"
            );
            let rejoined: Vec<&str> = pieces.iter().flat_map(|p| p.split_whitespace()).collect();
            let original: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(rejoined, original, "max {max} lost or broke words");
        }
        assert_eq!(split_text(text, 30)[0], "First sentence here.");
        assert_eq!(split_text(text, 45)[1], "Second one, with a clause;");
        assert_eq!(
            split_text("\"Stop!\" he said. Then left.", 20)[0],
            "\"Stop!\" he said."
        );
    }

    #[test]
    fn never_cuts_inside_markup() {
        let text = "Well [whispering] then <break time=\"300ms\"/> done";
        // From the longest tag up: below that, a hard cut inside a tag is unavoidable.
        for max in 21..text.len() {
            for piece in split_text(text, max) {
                let opens = piece.matches(['[', '<']).count();
                let closes = piece.matches([']', '>']).count();
                assert_eq!(opens, closes, "max {max}: {piece:?} splits a tag");
            }
        }
    }

    #[test]
    fn long_text_respects_the_request_limit_in_characters() {
        let sentence = "Ça va très bien, merci beaucoup. ";
        let text = sentence.repeat(150);
        let pieces = split_text(&text, 2_000);
        assert!(pieces.len() >= 3);
        assert!(
            pieces
                .iter()
                .all(|p| p.chars().count() <= 2_000 && p.ends_with('.'))
        );
        assert_eq!(split_text("  ", 10), Vec::<&str>::new());
        assert_eq!(split_text("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(
            split_text("日本語です。次の文です。", 7),
            ["日本語です。", "次の文です。"]
        );
    }
}
