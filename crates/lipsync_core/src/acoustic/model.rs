//! The network that gives each hop a log-probability per viseme, and the model shipped in the
//! crate.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::MODEL_INPUTS;
use super::features::{features, stack};
use crate::viseme::Viseme;

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
const SHIPPED: &str = include_str!("../acoustic_model.json");

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
