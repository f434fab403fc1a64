//! `timestampInfo` for a span of words: `wordAlignment` with `phoneticDetails`,
//! `characterAlignment`, and our guess at `lipsyncAlignment`.
//!
//! Times are `frames / rate` seconds as `f64`, counted from the start of the request's audio
//! (or of the chunk, with `chunk_relative_times`), so a client can round back to the exact
//! frame. With `float_noise` they pass through `f32` first, and durations are differences of
//! `f32` times, like `0.049999997` in Inworld's reference.

use std::ops::Range;

use serde_json::{Map, Value, json};

use super::phonetics::openxr_viseme;
use super::source::{Rendered, RenderedWord};
use super::tts::{Synthesis, Timestamps};

/// Turns frames into the numbers written on the wire.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    pub rate: u32,
    /// Frame that is time zero.
    pub base: usize,
    pub float_noise: bool,
}

impl Clock {
    fn exact(&self, frame: usize) -> f64 {
        frame.saturating_sub(self.base) as f64 / f64::from(self.rate.max(1))
    }

    /// Seconds at `frame`.
    pub fn at(&self, frame: usize) -> f64 {
        if self.float_noise {
            shortest(self.exact(frame) as f32)
        } else {
            self.exact(frame)
        }
    }

    /// Seconds from `start` to `end`.
    pub fn span(&self, start: usize, end: usize) -> f64 {
        if self.float_noise {
            shortest(self.exact(end) as f32 - self.exact(start) as f32)
        } else {
            end.saturating_sub(start) as f64 / f64::from(self.rate.max(1))
        }
    }
}

/// An `f32` as the `f64` whose shortest decimal form is the `f32`'s (`0.049999997`, not
/// `0.04999999701976776`), the way a server serialising `f32` fields writes it.
fn shortest(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::from(x))
}

/// The `timestampInfo` for `words` (indices into `rendered.words`) of a chunk covering
/// `frames`, or `None` when there is nothing to report.
pub(crate) fn timestamp_info(
    synth: &Synthesis,
    rendered: &Rendered,
    words: Range<usize>,
    frames: Range<usize>,
    clock: Clock,
) -> Option<Value> {
    let mut info = Map::new();
    let span = rendered.words.get(words.clone()).unwrap_or_default();
    if !span.is_empty() {
        match synth.timestamps {
            Timestamps::Word => {
                info.insert("wordAlignment".into(), word_alignment(span, clock));
            }
            Timestamps::Character => {
                let next_start = rendered.words.get(words.end).map(|w| w.start_frame);
                info.insert(
                    "characterAlignment".into(),
                    character_alignment(span, next_start, clock),
                );
            }
            Timestamps::None => {}
        }
    }
    if synth.lipsync {
        info.insert(
            "lipsyncAlignment".into(),
            lipsync_alignment(span, frames, clock),
        );
    }
    (!info.is_empty()).then_some(Value::Object(info))
}

fn word_alignment(words: &[RenderedWord], clock: Clock) -> Value {
    let details: Vec<Value> = words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let phones: Vec<Value> = word
                .phones
                .iter()
                .map(|p| {
                    json!({
                        "phoneSymbol": p.symbol,
                        "startTimeSeconds": clock.at(p.start_frame),
                        "durationSeconds": clock.span(p.start_frame, p.end_frame),
                        "visemeSymbol": p.viseme,
                    })
                })
                .collect();
            // `wordIndex` indexes this chunk's own `words` array.
            json!({"wordIndex": index, "phones": phones, "isPartial": false})
        })
        .collect();
    json!({
        "words": words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
        "wordStartTimeSeconds": words.iter().map(|w| clock.at(w.start_frame)).collect::<Vec<_>>(),
        "wordEndTimeSeconds": words.iter().map(|w| clock.at(w.end_frame)).collect::<Vec<_>>(),
        "phoneticDetails": details,
    })
}

/// Each character of a word gets an equal share of the word's span; a space follows every
/// word but the request's last, spanning the pause up to the next word.
fn character_alignment(words: &[RenderedWord], next_start: Option<usize>, clock: Clock) -> Value {
    let mut characters = Vec::new();
    let mut starts = Vec::new();
    let mut ends = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let count = word.text.chars().count().max(1);
        let length = word.end_frame.saturating_sub(word.start_frame);
        for (k, c) in word.text.chars().enumerate() {
            characters.push(c.to_string());
            starts.push(clock.at(word.start_frame + length * k / count));
            ends.push(clock.at(word.start_frame + length * (k + 1) / count));
        }
        let following = words.get(index + 1).map(|w| w.start_frame).or(next_start);
        if let Some(next) = following {
            characters.push(" ".to_owned());
            starts.push(clock.at(word.end_frame));
            ends.push(clock.at(next.max(word.end_frame)));
        }
    }
    json!({
        "characters": characters,
        "characterStartTimeSeconds": starts,
        "characterEndTimeSeconds": ends,
    })
}

/// OpenXR visemes over the chunk's frames: one per phone, `SIL` for the silences between.
/// The real schema is unpublished; this shape is our guess.
fn lipsync_alignment(words: &[RenderedWord], frames: Range<usize>, clock: Clock) -> Value {
    let mut visemes = Vec::new();
    let mut push = |label: &str, start: usize, end: usize| {
        if end > start {
            visemes.push(json!({
                "visemeSymbol": label,
                "startTimeSeconds": clock.at(start),
                "durationSeconds": clock.span(start, end),
            }));
        }
    };
    let mut cursor = frames.start;
    for phone in words.iter().flat_map(|w| &w.phones) {
        push("SIL", cursor, phone.start_frame);
        push(
            openxr_viseme(&phone.symbol, &phone.viseme),
            phone.start_frame,
            phone.end_frame,
        );
        cursor = cursor.max(phone.end_frame);
    }
    push("SIL", cursor, frames.end);
    json!({ "visemes": visemes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_noise_looks_like_the_reference() {
        let clock = Clock {
            rate: 100,
            base: 0,
            float_noise: true,
        };
        assert_eq!(clock.span(17, 22).to_string(), "0.049999997");
        let exact = Clock {
            float_noise: false,
            ..clock
        };
        assert_eq!(exact.span(17, 22), 0.05);
        assert_eq!(exact.at(51), 0.51);
    }
}
