//! A whole recording's viseme track: a Viterbi pass over the model's per-hop probabilities that
//! keeps shapes from flickering, and the frames each hop stands for.

use super::HOP_SECONDS;
use super::model::{AcousticModel, log_probs};
use crate::alignment::{FrameOffset, FrameSpan};
use crate::viseme::Viseme;

/// Log-probability cost of changing shape between hops in [`estimate_track`]: shapes last
/// several hops, so a one-hop blip is not worth showing.
const SWITCH_COST: f32 = 4.0;

/// The frames hop `t` stands for: a hop's length centred on the end of its window (the time
/// its label is taken at), so the model's lookahead is
/// [`CONTEXT_AHEAD`](super::CONTEXT_AHEAD) hops past it.
pub fn hop_span(t: usize, sample_rate: u32) -> FrameSpan {
    let hop = (f64::from(sample_rate) * HOP_SECONDS).round() as u64;
    let start = t as u64 * hop + hop / 2;
    FrameSpan::new(FrameOffset(start), FrameOffset(start + hop))
}

/// The frame hop `t`'s label is taken at: the end of its window.
pub fn hop_time(t: usize, sample_rate: u32) -> FrameOffset {
    let hop = (f64::from(sample_rate) * HOP_SECONDS).round() as u64;
    FrameOffset((t as u64 + 1) * hop)
}

/// The viseme track of a recording from its sound alone: `(viseme, span)` keys back to back,
/// silence included, in frames at `sample_rate`.
pub fn estimate_track(
    pcm: &[i16],
    sample_rate: u32,
    model: &AcousticModel,
) -> Vec<(Viseme, FrameSpan)> {
    let probs = log_probs(pcm, sample_rate, model);
    let path = viterbi(&probs);
    runs(&path, sample_rate)
}

/// The most likely viseme of every hop, each change costing [`SWITCH_COST`].
fn viterbi(probs: &[[f32; Viseme::COUNT]]) -> Vec<usize> {
    if probs.is_empty() {
        return Vec::new();
    }
    let k = Viseme::COUNT;
    let mut score = probs[0];
    let mut back = vec![[0u8; Viseme::COUNT]; probs.len()];
    for (t, p) in probs.iter().enumerate().skip(1) {
        let (best, best_v) =
            score.iter().enumerate().fold(
                (f32::MIN, 0),
                |acc, (v, &s)| if s > acc.0 { (s, v) } else { acc },
            );
        let mut next = [0.0; Viseme::COUNT];
        for v in 0..k {
            let (from, s) = if score[v] >= best - SWITCH_COST {
                (v, score[v])
            } else {
                (best_v, best - SWITCH_COST)
            };
            next[v] = s + p[v];
            back[t][v] = from as u8;
        }
        score = next;
    }
    let mut v = (0..k)
        .max_by(|&a, &b| score[a].total_cmp(&score[b]))
        .unwrap_or(0);
    let mut path = vec![0; probs.len()];
    for t in (0..probs.len()).rev() {
        path[t] = v;
        v = back[t][v] as usize;
    }
    path
}

/// Runs of equal visemes as keys.
fn runs(path: &[usize], sample_rate: u32) -> Vec<(Viseme, FrameSpan)> {
    let mut keys: Vec<(Viseme, FrameSpan)> = Vec::new();
    for (t, &v) in path.iter().enumerate() {
        let viseme = Viseme::from_index(v).unwrap_or(Viseme::Sil);
        let span = hop_span(t, sample_rate);
        match keys.last_mut() {
            Some((last, s)) if *last == viseme => s.end = span.end,
            _ => keys.push((viseme, span)),
        }
    }
    keys
}
