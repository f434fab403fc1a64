//! Visemes from the sound alone: for speech that arrives with no timing (a recorded line, the
//! AI/ML API gateway's files, laughter), or with a transcript but no timestamps.
//!
//! Every 10 ms hop of audio gives a feature frame: 13 mel-cepstral coefficients of a 25 ms
//! window (mean-normalised as the speech goes, so a voice's timbre matters less) and its
//! absolute loudness. A small network ([`AcousticModel`]: one hidden layer over six frames, two
//! behind and three ahead) gives each hop a probability for each of the 15 visemes. Then:
//!
//! - [`VisemeEstimator`] runs live on a played stream: one hop at a time, 30 ms of lookahead,
//!   allocation-free per hop;
//! - [`estimate_track`] decodes a whole file with a Viterbi pass that keeps shapes from
//!   flickering;
//! - [`align_transcript`] places a transcript's shapes and words on the audio (forced alignment
//!   over the same probabilities).
//!
//! The shipped model was trained on the offline voice, whose phone timing is exactly known
//! (`examples/train_visemes.rs` retrains it; `examples/bake_report.rs` scores it on held-out
//! sentences, voice and rate).

use std::f32::consts::PI;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::alignment::{Alignment, FrameOffset, FrameSpan, VisemeMark, WordMark};
use crate::pronounce::{Pronouncer, read_aloud};
use crate::viseme::Viseme;

/// Seconds between feature frames.
pub const HOP_SECONDS: f64 = 0.01;
/// Seconds of audio each frame analyses (ending at its hop).
pub const WINDOW_SECONDS: f64 = 0.025;
/// Cepstral coefficients per frame.
pub const CEPSTRA: usize = 13;
/// Features per frame: the cepstra and the absolute loudness.
pub const FRAME_FEATURES: usize = CEPSTRA + 1;
/// Frames before the estimated one the model sees.
pub const CONTEXT_BEHIND: usize = 2;
/// Frames after it (the lookahead: 30 ms).
pub const CONTEXT_AHEAD: usize = 3;
/// Frames the model sees.
pub const CONTEXT: usize = CONTEXT_BEHIND + 1 + CONTEXT_AHEAD;
/// Inputs of the model.
pub const MODEL_INPUTS: usize = CONTEXT * FRAME_FEATURES;
/// Mel bands.
const MEL_BANDS: usize = 26;
/// Lowest and highest band edges, Hz.
const MEL_LOW: f32 = 80.0;
const MEL_HIGH: f32 = 7_600.0;
/// How long the running cepstral mean remembers, in frames (about a second).
const MEAN_FRAMES: f32 = 100.0;

/// Turns audio into feature frames, a hop at a time. Allocation-free after [`new`](Self::new).
#[derive(Clone, Debug)]
pub struct FeatureFrontEnd {
    hop: usize,
    window: Vec<f32>,
    fft: Fft,
    /// Triangular mel filters: first bin and weights.
    mel: Vec<(usize, Vec<f32>)>,
    /// DCT-II rows.
    dct: Vec<[f32; MEL_BANDS]>,
    /// The last window's worth of samples, oldest first (a ring).
    history: Vec<f32>,
    at: usize,
    /// Samples since the last frame.
    pending: usize,
    mean: [f32; CEPSTRA],
    frames: f32,
    re: Vec<f32>,
    im: Vec<f32>,
}

impl FeatureFrontEnd {
    /// A front end for audio at `sample_rate`.
    pub fn new(sample_rate: u32) -> FeatureFrontEnd {
        let rate = sample_rate.max(8_000) as f32;
        let hop = (f64::from(sample_rate) * HOP_SECONDS).round().max(1.0) as usize;
        let length = (f64::from(sample_rate) * WINDOW_SECONDS).round().max(2.0) as usize;
        let window = (0..length)
            .map(|i| 0.54 - 0.46 * (2.0 * PI * i as f32 / (length - 1) as f32).cos())
            .collect();
        let size = length.next_power_of_two();
        let bins = size / 2 + 1;
        let to_mel = |hz: f32| 1127.0 * (1.0 + hz / 700.0).ln();
        let from_mel = |mel: f32| 700.0 * ((mel / 1127.0).exp() - 1.0);
        let high = MEL_HIGH.min(rate / 2.0 - 1.0);
        let edges: Vec<f32> = (0..MEL_BANDS + 2)
            .map(|i| {
                let mel = to_mel(MEL_LOW)
                    + (to_mel(high) - to_mel(MEL_LOW)) * i as f32 / (MEL_BANDS + 1) as f32;
                from_mel(mel) * size as f32 / rate
            })
            .collect();
        let mel = (0..MEL_BANDS)
            .map(|band| {
                let (lo, mid, hi) = (edges[band], edges[band + 1], edges[band + 2]);
                let first = lo.floor().max(0.0) as usize;
                let last = (hi.ceil() as usize).min(bins - 1);
                let weights = (first..=last)
                    .map(|bin| {
                        let f = bin as f32;
                        if f <= mid {
                            ((f - lo) / (mid - lo).max(1e-6)).max(0.0)
                        } else {
                            ((hi - f) / (hi - mid).max(1e-6)).max(0.0)
                        }
                    })
                    .collect();
                (first, weights)
            })
            .collect();
        let dct = (0..CEPSTRA)
            .map(|k| {
                let mut row = [0.0; MEL_BANDS];
                for (n, slot) in row.iter_mut().enumerate() {
                    *slot = (PI * k as f32 * (n as f32 + 0.5) / MEL_BANDS as f32).cos();
                }
                row
            })
            .collect();
        FeatureFrontEnd {
            hop,
            window,
            fft: Fft::new(size),
            mel,
            dct,
            history: vec![0.0; length],
            at: 0,
            pending: 0,
            mean: [0.0; CEPSTRA],
            frames: 0.0,
            re: vec![0.0; size],
            im: vec![0.0; size],
        }
    }

    /// Samples per hop.
    pub fn hop(&self) -> usize {
        self.hop
    }

    /// Takes samples (`-1..=1`); calls `frame` with each feature frame completed.
    pub fn push(&mut self, samples: &[f32], mut frame: impl FnMut(&[f32; FRAME_FEATURES])) {
        for &s in samples {
            self.history[self.at] = s;
            self.at = (self.at + 1) % self.history.len();
            self.pending += 1;
            if self.pending == self.hop {
                self.pending = 0;
                let features = self.analyse();
                frame(&features);
            }
        }
    }

    fn analyse(&mut self) -> [f32; FRAME_FEATURES] {
        let n = self.history.len();
        self.re.fill(0.0);
        self.im.fill(0.0);
        for i in 0..n {
            self.re[i] = self.history[(self.at + i) % n] * self.window[i];
        }
        self.fft.run(&mut self.re, &mut self.im);
        let mut bands = [0.0f32; MEL_BANDS];
        let mut total = 0.0f32;
        for (band, (first, weights)) in bands.iter_mut().zip(&self.mel) {
            let mut energy = 0.0;
            for (j, w) in weights.iter().enumerate() {
                let bin = first + j;
                energy += w * (self.re[bin] * self.re[bin] + self.im[bin] * self.im[bin]);
            }
            // Mean power in the band whatever the rate and window (Parseval: the bins sum to
            // the FFT size times the windowed energy).
            let energy = energy / (self.re.len() * n) as f32;
            total += energy;
            *band = (energy + 1e-12).ln();
        }
        let mut out = [0.0; FRAME_FEATURES];
        self.frames += 1.0;
        let keep = 1.0 / self.frames.min(MEAN_FRAMES);
        for (k, row) in self.dct.iter().enumerate() {
            let c: f32 = row.iter().zip(&bands).map(|(d, b)| d * b).sum::<f32>() / MEL_BANDS as f32;
            self.mean[k] += keep * (c - self.mean[k]);
            out[k] = c - self.mean[k];
        }
        // Absolute loudness, scaled near unit range: silence is about -2, loud speech about 1.
        out[CEPSTRA] = (total + 1e-12).log10() / 4.0 + 1.0;
        out
    }
}

/// An iterative radix-2 FFT of a fixed size, its twiddles computed once.
#[derive(Clone, Debug)]
struct Fft {
    size: usize,
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Fft {
    fn new(size: usize) -> Fft {
        let half = size / 2;
        Fft {
            size,
            cos: (0..half)
                .map(|i| (2.0 * PI * i as f32 / size as f32).cos())
                .collect(),
            sin: (0..half)
                .map(|i| -(2.0 * PI * i as f32 / size as f32).sin())
                .collect(),
        }
    }

    fn run(&self, re: &mut [f32], im: &mut [f32]) {
        let n = self.size;
        let bits = n.trailing_zeros();
        for i in 0..n {
            let j = i.reverse_bits() >> (usize::BITS - bits);
            if j > i {
                re.swap(i, j);
                im.swap(i, j);
            }
        }
        let mut len = 2;
        while len <= n {
            let step = n / len;
            for start in (0..n).step_by(len) {
                for k in 0..len / 2 {
                    let (wr, wi) = (self.cos[k * step], self.sin[k * step]);
                    let (a, b) = (start + k, start + k + len / 2);
                    let tr = re[b] * wr - im[b] * wi;
                    let ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
            }
            len *= 2;
        }
    }
}

/// The network: standardised inputs, one tanh hidden layer, a softmax over the 15 visemes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AcousticModel {
    /// Input means.
    pub mean: Vec<f32>,
    /// Input standard deviations.
    pub scale: Vec<f32>,
    /// Hidden units.
    pub hidden: usize,
    /// Input-to-hidden weights, row per hidden unit.
    pub w1: Vec<f32>,
    /// Hidden biases.
    pub b1: Vec<f32>,
    /// Hidden-to-output weights, row per viseme.
    pub w2: Vec<f32>,
    /// Output biases.
    pub b2: Vec<f32>,
    /// How it was trained, for the record.
    #[serde(default)]
    pub trained_on: String,
}

/// The model shipped in the crate.
const SHIPPED: &str = include_str!("acoustic_model.json");

impl AcousticModel {
    /// The shipped model.
    pub fn shipped() -> &'static AcousticModel {
        static MODEL: OnceLock<AcousticModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            serde_json::from_str(SHIPPED).expect("the shipped acoustic model is valid JSON")
        })
    }

    /// Log-probabilities of the 15 visemes for one stacked input; `hidden` is scratch of
    /// [`AcousticModel::hidden`] values. Allocation-free.
    pub fn log_probs(&self, input: &[f32], hidden: &mut [f32], out: &mut [f32; Viseme::COUNT]) {
        let inputs = self.mean.len();
        for (h, slot) in hidden.iter_mut().enumerate().take(self.hidden) {
            let row = &self.w1[h * inputs..(h + 1) * inputs];
            let mut sum = self.b1[h];
            for i in 0..inputs {
                sum += row[i] * (input[i] - self.mean[i]) / self.scale[i];
            }
            *slot = sum.tanh();
        }
        let mut max = f32::MIN;
        for (v, slot) in out.iter_mut().enumerate() {
            let row = &self.w2[v * self.hidden..(v + 1) * self.hidden];
            *slot = self.b2[v] + row.iter().zip(&*hidden).map(|(w, h)| w * h).sum::<f32>();
            max = max.max(*slot);
        }
        let norm = out.iter().map(|x| (x - max).exp()).sum::<f32>().ln() + max;
        for slot in out.iter_mut() {
            *slot -= norm;
        }
    }
}

/// Feature frames of a whole recording (16-bit mono at `sample_rate`).
pub fn features(pcm: &[i16], sample_rate: u32) -> Vec<[f32; FRAME_FEATURES]> {
    let mut front = FeatureFrontEnd::new(sample_rate);
    let mut frames = Vec::with_capacity(pcm.len() / front.hop() + 1);
    let mut block = [0.0f32; 256];
    for chunk in pcm.chunks(block.len()) {
        for (b, &s) in block.iter_mut().zip(chunk) {
            *b = f32::from(s) / 32_768.0;
        }
        front.push(&block[..chunk.len()], |f| frames.push(*f));
    }
    frames
}

/// The model's input for frame `t`: frames `t-2 ..= t+3`, clamped at the ends.
pub fn stack(frames: &[[f32; FRAME_FEATURES]], t: usize, out: &mut [f32; MODEL_INPUTS]) {
    for c in 0..CONTEXT {
        let at = (t + c).saturating_sub(CONTEXT_BEHIND).min(frames.len() - 1);
        out[c * FRAME_FEATURES..(c + 1) * FRAME_FEATURES].copy_from_slice(&frames[at]);
    }
}

/// Per-hop viseme log-probabilities of a whole recording.
pub fn log_probs(
    pcm: &[i16],
    sample_rate: u32,
    model: &AcousticModel,
) -> Vec<[f32; Viseme::COUNT]> {
    let frames = features(pcm, sample_rate);
    let mut input = [0.0; MODEL_INPUTS];
    let mut hidden = vec![0.0; model.hidden];
    (0..frames.len())
        .map(|t| {
            stack(&frames, t, &mut input);
            let mut out = [0.0; Viseme::COUNT];
            model.log_probs(&input, &mut hidden, &mut out);
            out
        })
        .collect()
}

/// Log-probability cost of changing shape between hops in [`estimate_track`]: shapes last
/// several hops, so a one-hop blip is not worth showing.
const SWITCH_COST: f32 = 4.0;

/// The frames hop `t` stands for: a hop's length centred on the end of its window (the time
/// its label is taken at), so the model's lookahead is [`CONTEXT_AHEAD`] hops past it.
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

/// Visemes estimated live from a playing stream, one hop at a time, [`CONTEXT_AHEAD`] hops
/// late (30 ms of lookahead). Allocation-free per hop.
#[derive(Clone, Debug)]
pub struct VisemeEstimator {
    front: FeatureFrontEnd,
    model: &'static AcousticModel,
    /// The last [`CONTEXT`] frames, a ring.
    frames: [[f32; FRAME_FEATURES]; CONTEXT],
    seen: usize,
    input: [f32; MODEL_INPUTS],
    hidden: Vec<f32>,
    probs: [f32; Viseme::COUNT],
    /// Smoothed probabilities (exponential, about 30 ms).
    smooth: [f32; Viseme::COUNT],
    current: Viseme,
}

impl VisemeEstimator {
    /// An estimator for audio at `sample_rate` with the shipped model.
    pub fn new(sample_rate: u32) -> VisemeEstimator {
        let model = AcousticModel::shipped();
        VisemeEstimator {
            front: FeatureFrontEnd::new(sample_rate),
            model,
            frames: [[0.0; FRAME_FEATURES]; CONTEXT],
            seen: 0,
            input: [0.0; MODEL_INPUTS],
            hidden: vec![0.0; model.hidden],
            probs: [0.0; Viseme::COUNT],
            smooth: [0.0; Viseme::COUNT],
            current: Viseme::Sil,
        }
    }

    /// Samples per hop.
    pub fn hop(&self) -> usize {
        self.front.hop()
    }

    /// Takes samples (`-1..=1`); calls `estimate` with `(hop index, viseme, its probability)`
    /// for each hop estimated (the hop [`CONTEXT_AHEAD`] hops before the newest).
    pub fn push(&mut self, samples: &[f32], mut estimate: impl FnMut(usize, Viseme, f32)) {
        let Self {
            front,
            model,
            frames,
            seen,
            input,
            hidden,
            probs,
            smooth,
            current,
        } = self;
        front.push(samples, |frame| {
            frames[*seen % CONTEXT] = *frame;
            *seen += 1;
            if *seen <= CONTEXT_AHEAD {
                return;
            }
            // Oldest first: frames seen-6 ..= seen-1 (clamped at the start).
            for c in 0..CONTEXT {
                let back = CONTEXT - c;
                let at = seen.saturating_sub(back) % CONTEXT;
                let at = if *seen < back { 0 } else { at };
                input[c * FRAME_FEATURES..(c + 1) * FRAME_FEATURES].copy_from_slice(&frames[at]);
            }
            model.log_probs(&input[..], hidden, probs);
            for (s, p) in smooth.iter_mut().zip(probs.iter()) {
                *s = 0.5 * *s + 0.5 * p.exp();
            }
            let (best, p) =
                smooth.iter().enumerate().fold(
                    (0, f32::MIN),
                    |acc, (v, &p)| if p > acc.1 { (v, p) } else { acc },
                );
            // A little hysteresis: change only for a clearly better shape.
            let held = smooth[current.index()];
            if p > held + 0.1 {
                *current = Viseme::from_index(best).unwrap_or(Viseme::Sil);
            }
            estimate(*seen - 1 - CONTEXT_AHEAD, *current, smooth[current.index()]);
        });
    }
}

#[cfg(test)]
mod tests;
