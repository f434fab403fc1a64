//! Streaming sample-rate conversion from the utterance's rate to the device's.
//!
//! The interpolator is a 4-point cubic Hermite (Catmull-Rom) spline. Why this one: it passes
//! through every input sample, keeps the first derivative continuous (no corners, so far less
//! high-frequency junk than linear), needs no tables, no history beyond 4 samples and only two
//! samples of look-ahead, and costs a dozen flops per output frame on the audio thread. TTS speech
//! has next to no energy near the Nyquist limit, so the missing anti-aliasing filter of a
//! polyphase sinc is not audible here (48 kHz to 44.1 kHz folds only 22-24 kHz).
//!
//! The read position is kept exactly, in integers: a whole number of source frames plus a
//! remainder counted in 1/`output_rate` steps, advanced by `input_rate` per output frame. No drift
//! accumulates however long an utterance is, and the clock reads the position directly.
//!
//! At equal rates the samples are copied unchanged (bit-exact), and nothing is held back.

/// A streaming resampler for one mono utterance. Never allocates.
#[derive(Clone, Debug)]
pub(crate) struct Resampler {
    input_rate: u32,
    output_rate: u32,
    /// Whole source frames played (the index of `window[1]` once primed).
    whole: u64,
    /// Fraction of the next source frame played, in 1/`output_rate` units.
    frac: u64,
    /// `x[whole - 1] .. x[whole + 2]`, once `pending` is zero.
    window: [f32; 4],
    /// Source samples to shift into the window before the next output frame.
    pending: u32,
    /// Real source samples taken so far (flush padding excluded).
    taken: u64,
    /// Set for good once the rates differ: passthrough can only resume at an integer position.
    interpolating: bool,
}

impl Resampler {
    /// A resampler from `input_rate` to `output_rate`, at the start of the stream. Rates of zero
    /// are treated as one, so a misconfigured device yields silence rather than a panic.
    pub fn new(input_rate: u32, output_rate: u32) -> Self {
        let mut resampler = Resampler {
            input_rate: input_rate.max(1),
            output_rate: output_rate.max(1),
            whole: 0,
            frac: 0,
            // Silence before the first sample; three shifts bring in x[0], x[1], x[2].
            window: [0.0; 4],
            pending: 3,
            taken: 0,
            interpolating: false,
        };
        resampler.interpolating = resampler.input_rate != resampler.output_rate;
        resampler
    }

    /// Follows a device rate change mid-stream, keeping the position (the fraction is rescaled).
    pub fn set_output_rate(&mut self, output_rate: u32) {
        let output_rate = output_rate.max(1);
        if output_rate == self.output_rate {
            return;
        }
        self.frac = self.frac * u64::from(output_rate) / u64::from(self.output_rate);
        self.output_rate = output_rate;
        if !self.interpolating {
            // Passthrough consumed exactly up to `whole`: the last sample seeds the window.
            self.window = [0.0, 0.0, 0.0, self.window[3]];
            self.pending = 3;
            self.interpolating = true;
        }
    }

    /// The play position in source frames: how much of the utterance the output so far covers.
    pub fn position(&self) -> f64 {
        self.whole as f64 + self.frac as f64 / f64::from(self.output_rate)
    }

    /// Whether every sample taken has been played (nothing left to flush).
    pub fn is_drained(&self) -> bool {
        self.position() >= self.taken as f64
    }

    /// Resamples from `input` into `output`. Returns `(taken, produced)`: how many input samples
    /// were used and how many output frames written; stops when either side runs out.
    pub fn process(&mut self, input: &[f32], output: &mut [f32]) -> (usize, usize) {
        if !self.interpolating {
            let n = input.len().min(output.len());
            output[..n].copy_from_slice(&input[..n]);
            if n > 0 {
                self.window[3] = input[n - 1];
            }
            self.whole += n as u64;
            self.taken += n as u64;
            return (n, n);
        }
        let mut input = input.iter();
        let mut taken = 0;
        let produced = self.run(output, || {
            let sample = input.next().copied();
            taken += usize::from(sample.is_some());
            sample
        });
        self.taken += taken as u64;
        (taken, produced)
    }

    /// Plays out the look-ahead after the last input sample, padding with silence. Returns the
    /// output frames written; [`Resampler::is_drained`] says when the tail is done.
    pub fn flush(&mut self, output: &mut [f32]) -> usize {
        let end = self.taken as f64;
        let mut produced = 0;
        while produced < output.len() && self.position() < end {
            let room = output.len().min(produced + 1);
            produced += self.run(&mut output[produced..room], || Some(0.0));
        }
        produced
    }

    /// The interpolation loop: shifts samples from `next` into the window as the position
    /// advances and writes one frame per output slot.
    fn run(&mut self, output: &mut [f32], mut next: impl FnMut() -> Option<f32>) -> usize {
        let step = u64::from(self.input_rate);
        let out_rate = u64::from(self.output_rate);
        let scale = 1.0 / out_rate as f64;
        for (produced, slot) in output.iter_mut().enumerate() {
            while self.pending > 0 {
                let Some(sample) = next() else {
                    return produced;
                };
                self.window = [self.window[1], self.window[2], self.window[3], sample];
                self.pending -= 1;
            }
            // `frac < output_rate <= u32::MAX`, so the i64 is exact, and converting it to a float
            // is one instruction where a u64 takes several.
            let t = (self.frac as i64 as f64 * scale) as f32;
            *slot = catmull_rom(&self.window, t);
            self.frac += step;
            // Subtraction, not division: a u64 division per frame was most of the cost, and the
            // loop runs at most input_rate / output_rate + 1 times (once when upsampling).
            while self.frac >= out_rate {
                self.frac -= out_rate;
                self.whole += 1;
                self.pending += 1;
            }
        }
        output.len()
    }
}

/// Catmull-Rom spline through `w[1]` (t = 0) and `w[2]` (t = 1).
fn catmull_rom(w: &[f32; 4], t: f32) -> f32 {
    let [y0, y1, y2, y3] = *w;
    let c1 = 0.5 * (y2 - y0);
    let c2 = y0 - 2.5 * y1 + 2.0 * y2 - 0.5 * y3;
    let c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2);
    ((c3 * t + c2) * t + c1) * t + y1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resample_all(input: &[f32], from: u32, to: u32, chunk: usize) -> Vec<f32> {
        let mut r = Resampler::new(from, to);
        let mut out = Vec::new();
        let mut block = vec![0.0; 97];
        for piece in input.chunks(chunk) {
            let mut rest = piece;
            while !rest.is_empty() {
                let (taken, made) = r.process(rest, &mut block);
                out.extend_from_slice(&block[..made]);
                rest = &rest[taken..];
            }
        }
        while !r.is_drained() {
            let made = r.flush(&mut block);
            out.extend_from_slice(&block[..made]);
        }
        out
    }

    #[test]
    fn equal_rates_copy_bits() {
        let input: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.37).sin()).collect();
        let out = resample_all(&input, 24_000, 24_000, 33);
        assert_eq!(out, input);
    }

    #[test]
    fn upsampling_by_two_hits_every_input_sample() {
        let input: Vec<f32> = (0..500).map(|i| (i as f32 * 0.1).cos()).collect();
        let out = resample_all(&input, 24_000, 48_000, 41);
        assert_eq!(out.len(), 1000);
        for (i, x) in input.iter().enumerate() {
            assert!((out[2 * i] - x).abs() < 1e-6, "frame {i}");
        }
    }

    #[test]
    fn chunking_does_not_change_the_output() {
        let input: Vec<f32> = (0..3000).map(|i| (i as f32 * 0.05).sin()).collect();
        let whole = resample_all(&input, 48_000, 44_100, 3000);
        let pieces = resample_all(&input, 48_000, 44_100, 7);
        assert_eq!(whole, pieces);
        assert_eq!(whole.len(), (3000usize * 44_100).div_ceil(48_000));
    }

    #[test]
    fn position_is_exact_after_many_frames() {
        let mut r = Resampler::new(48_000, 44_100);
        // Two samples of look-ahead beyond the last frame played.
        let input = vec![0.0; 48_002];
        let mut out = vec![0.0; 44_100];
        let (_, made) = r.process(&input, &mut out);
        assert_eq!(made, 44_100);
        assert_eq!(r.position(), 48_000.0);
    }
}
