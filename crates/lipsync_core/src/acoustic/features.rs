//! The MFCC front end: audio to feature frames (13 mean-normalised mel cepstra and the absolute
//! loudness per 10 ms hop), and the model's stacked input around a frame.

use std::f32::consts::PI;

use super::{
    CEPSTRA, CONTEXT, CONTEXT_BEHIND, FRAME_FEATURES, HOP_SECONDS, MODEL_INPUTS, WINDOW_SECONDS,
};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fft_finds_a_sine_in_its_bin() {
        let fft = Fft::new(64);
        let mut re: Vec<f32> = (0..64)
            .map(|i| (2.0 * PI * 5.0 * i as f32 / 64.0).sin())
            .collect();
        let mut im = vec![0.0; 64];
        fft.run(&mut re, &mut im);
        let power: Vec<f32> = re.iter().zip(&im).map(|(r, i)| r * r + i * i).collect();
        let peak = (0..32)
            .max_by(|&a, &b| power[a].total_cmp(&power[b]))
            .unwrap();
        assert_eq!(peak, 5);
        assert!((power[5].sqrt() - 32.0).abs() < 0.01, "{}", power[5].sqrt());
    }

    #[test]
    fn frames_come_every_hop_and_loudness_tells_speech_from_silence() {
        let rate = 24_000;
        let mut pcm = vec![0i16; rate as usize / 2];
        pcm.extend((0..rate / 2).map(|i| ((i as f32 * 0.07).sin() * 12_000.0) as i16));
        let frames = features(&pcm, rate);
        assert_eq!(frames.len(), 100, "a frame per 10 ms");
        let (quiet, loud) = (frames[30][CEPSTRA], frames[80][CEPSTRA]);
        assert!(quiet < -1.0 && loud > 0.5, "{quiet} {loud}");
    }
}
