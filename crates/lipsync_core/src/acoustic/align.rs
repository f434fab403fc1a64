//! Forced alignment: a transcript's words and shapes placed on a recording over the model's
//! per-hop probabilities.

use super::decode::hop_span;
use super::model::{AcousticModel, log_probs};
use crate::alignment::{Alignment, FrameSpan, VisemeMark, WordMark};
use crate::pronounce::{Pronouncer, read_aloud};
use crate::viseme::Viseme;

/// A transcript's words and shapes placed on a recording: the shapes `pronouncer` reads from
/// `text`, in order, with a pause allowed between words, aligned to the model's probabilities.
/// The result has the words (with their spans) and the shapes as audio-derived visemes
/// (OpenXR names), in frames at `sample_rate`.
pub fn align_transcript(
    pcm: &[i16],
    sample_rate: u32,
    text: &str,
    pronouncer: &dyn Pronouncer,
    model: &AcousticModel,
) -> Alignment {
    let probs = log_probs(pcm, sample_rate, model);
    // States: a pause, then each word's shapes followed by a pause; pauses may be skipped.
    let shapes = read_aloud(text, pronouncer);
    let words = word_ranges(text);
    let mut states: Vec<(usize, Option<usize>)> = vec![(Viseme::Sil.index(), None)];
    let mut word_of_shape = Vec::new();
    for shape in &shapes {
        let word = words
            .iter()
            .position(|w| w.start < shape.letters.end && shape.letters.start < w.end);
        let viseme = shape.viseme.unwrap_or(Viseme::NEUTRAL).index();
        let last_word = word_of_shape.last().copied().flatten();
        if word.is_some() && last_word.is_some() && word != last_word {
            states.push((Viseme::Sil.index(), None));
        }
        states.push((viseme, word));
        word_of_shape.push(word);
    }
    states.push((Viseme::Sil.index(), None));
    let pause = |s: usize| states[s].1.is_none();
    let n = states.len();
    let t_len = probs.len();
    if t_len == 0 || shapes.is_empty() {
        return Alignment::default();
    }
    let mut score = vec![f32::MIN; n];
    score[0] = probs[0][states[0].0];
    if n > 1 {
        score[1] = probs[0][states[1].0];
    }
    let mut back = vec![0u32; t_len * n];
    for t in 1..t_len {
        let mut next = vec![f32::MIN; n];
        for s in 0..n {
            let mut best = (score[s], s);
            if s >= 1 && score[s - 1] > best.0 {
                best = (score[s - 1], s - 1);
            }
            if s >= 2 && pause(s - 1) && score[s - 2] > best.0 {
                best = (score[s - 2], s - 2);
            }
            if best.0 > f32::MIN {
                next[s] = best.0 + probs[t][states[s].0];
                back[t * n + s] = best.1 as u32;
            }
        }
        score = next;
    }
    // End in the final pause or the last shape.
    let mut s = if n >= 2 && score[n - 2] > score[n - 1] {
        n - 2
    } else {
        n - 1
    };
    let mut path = vec![0usize; t_len];
    for t in (0..t_len).rev() {
        path[t] = s;
        s = back[t * n + s] as usize;
    }
    let mut alignment = Alignment::default();
    let mut word_spans: Vec<Option<FrameSpan>> = vec![None; words.len()];
    let mut t = 0;
    while t < t_len {
        let state = path[t];
        let start = t;
        while t < t_len && path[t] == state {
            t += 1;
        }
        let span = FrameSpan::new(
            hop_span(start, sample_rate).start,
            hop_span(t - 1, sample_rate).end,
        );
        let (viseme, word) = states[state];
        alignment.visemes.push(VisemeMark {
            label: Viseme::from_index(viseme)
                .unwrap_or(Viseme::Sil)
                .openxr_name()
                .to_owned(),
            span,
        });
        if let Some(w) = word {
            let held = word_spans[w].get_or_insert(span);
            held.end = span.end;
        }
    }
    for (range, span) in words.iter().zip(word_spans) {
        if let Some(span) = span {
            alignment.words.push(WordMark {
                text: text[range.clone()].into(),
                span,
                partial: false,
            });
        }
    }
    alignment
}

/// Byte ranges of the words of `text` (runs of non-blank characters).
fn word_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut words = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(at),
            (true, Some(from)) => {
                words.push(from..at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        words.push(from..text.len());
    }
    words
}
