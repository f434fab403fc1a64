//! Live estimation: visemes from a playing stream, one hop at a time.

use super::features::FeatureFrontEnd;
use super::model::AcousticModel;
use super::{CONTEXT, CONTEXT_AHEAD, FRAME_FEATURES, MODEL_INPUTS};
use crate::viseme::Viseme;

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
mod tests {
    use super::*;
    use crate::acoustic::log_probs;
    use crate::acoustic::tests::loudness_model;

    #[test]
    fn the_live_estimator_agrees_with_the_whole_file_and_is_30_ms_late() {
        let rate = 16_000;
        let mut pcm = vec![0i16; 4_800];
        pcm.extend((0..4_800).map(|i| ((i as f32 * 0.2).sin() * 10_000.0) as i16));
        pcm.extend(std::iter::repeat_n(0, 4_800));
        let model = loudness_model();
        let offline = log_probs(&pcm, rate, &model);
        let mut live = VisemeEstimator::new(rate);
        live.model = Box::leak(Box::new(model));
        let mut estimates = Vec::new();
        let samples: Vec<f32> = pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect();
        for chunk in samples.chunks(100) {
            live.push(chunk, |hop, viseme, _| estimates.push((hop, viseme)));
        }
        assert_eq!(estimates.len(), offline.len() - CONTEXT_AHEAD);
        let argmax = |p: &[f32; Viseme::COUNT]| {
            Viseme::from_index(
                (0..Viseme::COUNT)
                    .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                    .unwrap(),
            )
            .unwrap()
        };
        let agree = estimates
            .iter()
            .filter(|(hop, v)| argmax(&offline[*hop]) == *v)
            .count();
        assert!(
            agree >= estimates.len() - 4,
            "{agree} of {}",
            estimates.len()
        );
    }
}
