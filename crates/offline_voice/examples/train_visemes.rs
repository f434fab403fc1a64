//! `train_visemes`: trains the audio-driven viseme model shipped in `lipsync_core`
//! (`crates/lipsync_core/src/acoustic_model.json`) on the offline voice.
//!
//! ```text
//! cargo run --release -p offline_voice --example train_visemes [-- --out PATH --epochs N --hidden H]
//! ```
//!
//! Run from the workspace root. The data: the first 40 sentences of `examples/support/corpus.rs`, said by the offline male
//! voice and eleven variants of it (pitch x0.8 to x1.7, vocal tract x0.96 to x1.12), at
//! speaking rates 0.85, 1.0 and 1.25, rendered at 16 and 24 kHz. Each 10 ms hop is labelled with
//! the viseme the engine reads from the exact phones at the end of its window. Held out for
//! `bake_report`: the last 10 sentences, the female voice, and rate 1.1. The network (six
//! frames of 14 features, one tanh hidden layer, a softmax over 15 visemes) is trained with
//! momentum SGD; deterministic (a fixed seed), so a retrain reproduces the file.

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/voice_data.rs"]
mod voice_data;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use lipsync_core::Viseme;
use lipsync_core::acoustic::{AcousticModel, MODEL_INPUTS, stack};
use offline_voice::{OfflineVoice, VoiceVariant};

/// Trains the audio-driven viseme model on the offline voice.
#[derive(Debug, Parser)]
#[command(name = "train_visemes")]
struct Args {
    /// Where to write the model.
    #[arg(long, default_value = "crates/lipsync_core/src/acoustic_model.json")]
    out: String,
    /// Passes over the data.
    #[arg(long, default_value_t = 14)]
    epochs: usize,
    /// Hidden units.
    #[arg(long, default_value_t = 48)]
    hidden: usize,
}

/// The voices trained on: the male preset, its pitch and tract varied.
const VARIANTS: [(f32, f32); 12] = [
    (1.0, 1.0),
    (0.8, 0.97),
    (0.9, 1.0),
    (1.15, 1.02),
    (1.3, 1.04),
    (1.45, 1.06),
    (1.6, 1.08),
    (1.7, 1.12),
    (1.2, 0.96),
    (1.5, 1.1),
    (1.05, 1.05),
    (1.35, 1.0),
];
/// The speaking rates trained on (1.1 is held out).
const RATES: [f32; 3] = [0.85, 1.0, 1.25];

/// A tiny deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let (inputs, labels) = corpus();
    eprintln!(
        "{} hops ({:.0} s of speech) in {:.1} s",
        labels.len(),
        labels.len() as f64 / 100.0,
        started.elapsed().as_secs_f64()
    );
    let model = train(&inputs, &labels, &args);
    let json = serde_json::to_string(&rounded(model)).expect("a model serialises");
    if let Err(e) = std::fs::write(&args.out, json + "\n") {
        eprintln!("cannot write {}: {e}", args.out);
        return ExitCode::FAILURE;
    }
    eprintln!(
        "wrote {} in {:.1} s",
        args.out,
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// Every training hop's stacked input and label.
fn corpus() -> (Vec<[f32; MODEL_INPUTS]>, Vec<usize>) {
    let mut inputs = Vec::new();
    let mut labels = Vec::new();
    for (i, text) in corpus::SENTENCES[..corpus::TRAINING].iter().enumerate() {
        for j in 0..4 {
            let (pitch, tract) = VARIANTS[(i * 5 + j * 3) % VARIANTS.len()];
            let variant = VoiceVariant { pitch, tract };
            for (k, rate) in RATES.into_iter().enumerate() {
                let sample_rate = if (i + j + k) % 2 == 0 { 16_000 } else { 24_000 };
                let u = voice_data::render(text, OfflineVoice::Male, variant, rate, sample_rate);
                let (frames, truth) = u.labelled();
                let mut input = [0.0; MODEL_INPUTS];
                for (t, label) in truth.iter().enumerate() {
                    stack(&frames, t, &mut input);
                    inputs.push(input);
                    labels.push(label.index());
                }
            }
        }
        eprint!("\rrendered {} of {} sentences", i + 1, corpus::TRAINING);
    }
    eprintln!();
    (inputs, labels)
}

fn train(inputs: &[[f32; MODEL_INPUTS]], labels: &[usize], args: &Args) -> AcousticModel {
    let n = inputs.len() as f32;
    let k = Viseme::COUNT;
    let h = args.hidden;
    let mut mean = vec![0.0f32; MODEL_INPUTS];
    let mut scale = vec![0.0f32; MODEL_INPUTS];
    for x in inputs {
        for (m, v) in mean.iter_mut().zip(x) {
            *m += v / n;
        }
    }
    for x in inputs {
        for ((s, m), v) in scale.iter_mut().zip(&mean).zip(x) {
            *s += (v - m).powi(2) / n;
        }
    }
    for s in &mut scale {
        *s = s.sqrt().max(1e-3);
    }
    let standard: Vec<[f32; MODEL_INPUTS]> = inputs
        .iter()
        .map(|x| {
            let mut z = [0.0; MODEL_INPUTS];
            for i in 0..MODEL_INPUTS {
                z[i] = (x[i] - mean[i]) / scale[i];
            }
            z
        })
        .collect();
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    let init = |rng: &mut Rng, fan: usize, count: usize| -> Vec<f32> {
        let bound = (3.0 / fan as f32).sqrt();
        (0..count)
            .map(|_| (rng.uniform() * 2.0 - 1.0) * bound)
            .collect()
    };
    let mut w1 = init(&mut rng, MODEL_INPUTS, h * MODEL_INPUTS);
    let mut b1 = vec![0.0f32; h];
    let mut w2 = init(&mut rng, h, k * h);
    let mut b2 = vec![0.0f32; k];
    let (mut vw1, mut vb1, mut vw2, mut vb2) = (
        vec![0.0f32; w1.len()],
        vec![0.0f32; h],
        vec![0.0f32; w2.len()],
        vec![0.0f32; k],
    );
    let mut order: Vec<usize> = (0..standard.len()).collect();
    let batch = 32;
    let mut hidden = vec![0.0f32; h];
    let mut out = vec![0.0f32; k];
    let mut dh = vec![0.0f32; h];
    let (mut gw1, mut gb1, mut gw2, mut gb2) = (
        vec![0.0f32; w1.len()],
        vec![0.0f32; h],
        vec![0.0f32; w2.len()],
        vec![0.0f32; k],
    );
    for epoch in 0..args.epochs {
        let lr = 0.05 * 0.8f32.powi(epoch as i32);
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let (mut loss, mut right) = (0.0f64, 0usize);
        for chunk in order.chunks(batch) {
            gw1.fill(0.0);
            gb1.fill(0.0);
            gw2.fill(0.0);
            gb2.fill(0.0);
            for &i in chunk {
                let x = &standard[i];
                for u in 0..h {
                    let row = &w1[u * MODEL_INPUTS..(u + 1) * MODEL_INPUTS];
                    let sum: f32 = b1[u] + row.iter().zip(x).map(|(w, v)| w * v).sum::<f32>();
                    hidden[u] = sum.tanh();
                }
                let mut max = f32::MIN;
                for v in 0..k {
                    let row = &w2[v * h..(v + 1) * h];
                    out[v] = b2[v] + row.iter().zip(&hidden).map(|(w, a)| w * a).sum::<f32>();
                    max = max.max(out[v]);
                }
                let total: f32 = out.iter().map(|o| (o - max).exp()).sum();
                for o in out.iter_mut() {
                    *o = (*o - max).exp() / total;
                }
                let label = labels[i];
                loss -= f64::from(out[label].max(1e-9).ln());
                let best = (0..k)
                    .max_by(|&a, &b| out[a].total_cmp(&out[b]))
                    .unwrap_or(0);
                right += usize::from(best == label);
                // Softmax cross-entropy gradient.
                out[label] -= 1.0;
                dh.fill(0.0);
                for v in 0..k {
                    let g = out[v];
                    gb2[v] += g;
                    for u in 0..h {
                        gw2[v * h + u] += g * hidden[u];
                        dh[u] += g * w2[v * h + u];
                    }
                }
                for u in 0..h {
                    let g = dh[u] * (1.0 - hidden[u] * hidden[u]);
                    gb1[u] += g;
                    let row = &mut gw1[u * MODEL_INPUTS..(u + 1) * MODEL_INPUTS];
                    for (r, v) in row.iter_mut().zip(x) {
                        *r += g * v;
                    }
                }
            }
            let step = lr / chunk.len() as f32;
            for (w, (v, g)) in w1.iter_mut().zip(vw1.iter_mut().zip(&gw1)) {
                *v = 0.9 * *v - step * g;
                *w += *v;
            }
            for (w, (v, g)) in b1.iter_mut().zip(vb1.iter_mut().zip(&gb1)) {
                *v = 0.9 * *v - step * g;
                *w += *v;
            }
            for (w, (v, g)) in w2.iter_mut().zip(vw2.iter_mut().zip(&gw2)) {
                *v = 0.9 * *v - step * g;
                *w += *v;
            }
            for (w, (v, g)) in b2.iter_mut().zip(vb2.iter_mut().zip(&gb2)) {
                *v = 0.9 * *v - step * g;
                *w += *v;
            }
        }
        eprintln!(
            "epoch {epoch}: loss {:.3}, hop accuracy {:.3}",
            loss / n as f64,
            right as f64 / n as f64
        );
    }
    AcousticModel {
        mean,
        scale,
        hidden: h,
        w1,
        b1,
        w2,
        b2,
        trained_on: format!(
            "offline voice: male preset and 11 variants, rates 0.85/1.0/1.25, 16 and 24 kHz, \
             sentences 1-{} of examples/support/corpus.rs; {} hops; {} epochs",
            corpus::TRAINING,
            labels.len(),
            args.epochs
        ),
    }
}

/// Weights to 5 significant digits: a smaller file, the same model.
fn rounded(mut model: AcousticModel) -> AcousticModel {
    let round = |v: &mut Vec<f32>| {
        for x in v.iter_mut() {
            *x = format!("{:.5e}", *x).parse().unwrap_or(*x);
        }
    };
    round(&mut model.mean);
    round(&mut model.scale);
    round(&mut model.w1);
    round(&mut model.b1);
    round(&mut model.w2);
    round(&mut model.b2);
    model
}
