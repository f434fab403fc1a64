//! The second-order filters a formant synthesiser is built from.
//!
//! A resonator is a two-pole filter with a centre frequency and a bandwidth (Klatt 1980):
//! `y[n] = a x[n] + b y[n-1] + c y[n-2]` with `c = -e^(-2πBT)`, `b = 2e^(-πBT) cos(2πFT)` and
//! `a = 1 - b - c`, so its gain at 0 Hz is one. An anti-resonator is the inverse (two zeros),
//! used for the nasal zero. Coefficients are recomputed only when the synthesiser updates its
//! parameters (every [`super::UPDATE_FRAMES`] samples); the state carries over, so moving a
//! formant never clicks.

use std::f32::consts::PI;

/// A two-pole resonator.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Resonator {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
    /// Passes the input through: the formant is above what the sample rate can carry.
    bypass: bool,
}

impl Resonator {
    /// Sets the centre frequency and bandwidth (Hz) at `sample_rate`. A formant at or above
    /// 45 % of the sample rate cannot be represented and is bypassed.
    pub(crate) fn tune(&mut self, frequency: f32, bandwidth: f32, sample_rate: f32) {
        if frequency >= 0.45 * sample_rate {
            self.bypass = true;
            return;
        }
        self.bypass = false;
        let t = 1.0 / sample_rate;
        let r = (-PI * bandwidth * t).exp();
        self.c = -r * r;
        self.b = 2.0 * r * (2.0 * PI * frequency * t).cos();
        self.a = 1.0 - self.b - self.c;
    }

    /// Filters one sample.
    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        if self.bypass {
            return x;
        }
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// A two-zero anti-resonator (the inverse of a [`Resonator`] with the same settings).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct AntiResonator {
    a: f32,
    b: f32,
    c: f32,
    x1: f32,
    x2: f32,
    bypass: bool,
}

impl AntiResonator {
    /// Sets the zero's frequency and bandwidth (Hz) at `sample_rate`.
    pub(crate) fn tune(&mut self, frequency: f32, bandwidth: f32, sample_rate: f32) {
        if frequency >= 0.45 * sample_rate {
            self.bypass = true;
            return;
        }
        self.bypass = false;
        let t = 1.0 / sample_rate;
        let r = (-PI * bandwidth * t).exp();
        let c = -r * r;
        let b = 2.0 * r * (2.0 * PI * frequency * t).cos();
        let a = 1.0 - b - c;
        self.a = 1.0 / a;
        self.b = -b / a;
        self.c = -c / a;
    }

    /// Filters one sample.
    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        if self.bypass {
            return x;
        }
        let y = self.a * x + self.b * self.x1 + self.c * self.x2;
        self.x2 = self.x1;
        self.x1 = x;
        y
    }
}

/// A two-pole band-pass with zeros at 0 Hz and Nyquist and unity gain at its peak: the
/// parallel branch's formants, which must pass nothing of the noise far below them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BandPass {
    a: f32,
    b: f32,
    c: f32,
    x1: f32,
    x2: f32,
    y1: f32,
    y2: f32,
    bypass: bool,
}

impl BandPass {
    /// Sets the centre frequency and bandwidth (Hz) at `sample_rate`; a centre at or above 45 %
    /// of the rate passes the input unchanged.
    pub(crate) fn tune(&mut self, frequency: f32, bandwidth: f32, sample_rate: f32) {
        if frequency >= 0.45 * sample_rate {
            self.bypass = true;
            return;
        }
        self.bypass = false;
        let t = 1.0 / sample_rate;
        let r = (-PI * bandwidth * t).exp();
        self.c = -r * r;
        self.b = 2.0 * r * (2.0 * PI * frequency * t).cos();
        self.a = 0.5 * (1.0 - r * r);
    }

    /// Filters one sample.
    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        if self.bypass {
            return x;
        }
        let y = self.a * (x - self.x2) + self.b * self.y1 + self.c * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// A one-pole low-pass, for spectral tilt and smoothing.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct OnePole {
    k: f32,
    y: f32,
}

impl OnePole {
    /// Sets the -3 dB corner (Hz) at `sample_rate`; a corner of zero or above Nyquist passes
    /// everything.
    pub(crate) fn tune(&mut self, corner: f32, sample_rate: f32) {
        self.k = if corner <= 0.0 || corner >= 0.5 * sample_rate {
            1.0
        } else {
            1.0 - (-2.0 * PI * corner / sample_rate).exp()
        };
    }

    /// Filters one sample.
    #[inline]
    pub(crate) fn process(&mut self, x: f32) -> f32 {
        self.y += self.k * (x - self.y);
        self.y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gain of a filter at `frequency`, measured on a sine after it settles.
    fn gain(mut filter: impl FnMut(f32) -> f32, frequency: f32, rate: f32) -> f32 {
        let n = rate as usize;
        let mut peak = 0.0f32;
        for i in 0..n {
            let x = (2.0 * PI * frequency * i as f32 / rate).sin();
            let y = filter(x);
            if i > n / 2 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn a_resonator_peaks_at_its_frequency() {
        let rate = 24_000.0;
        let mut r = Resonator::default();
        r.tune(700.0, 80.0, rate);
        let at = gain(|x| r.process(x), 700.0, rate);
        let mut r = Resonator::default();
        r.tune(700.0, 80.0, rate);
        let below = gain(|x| r.process(x), 200.0, rate);
        let mut r = Resonator::default();
        r.tune(700.0, 80.0, rate);
        let above = gain(|x| r.process(x), 2_000.0, rate);
        assert!(
            at > 3.0 * below && at > 10.0 * above,
            "{below} {at} {above}"
        );
    }

    #[test]
    fn an_anti_resonator_undoes_its_resonator() {
        let rate = 16_000.0;
        let (mut r, mut z) = (Resonator::default(), AntiResonator::default());
        r.tune(450.0, 100.0, rate);
        z.tune(450.0, 100.0, rate);
        for i in 0..2_000 {
            let x = ((i * 7919) % 200) as f32 / 100.0 - 1.0;
            let y = z.process(r.process(x));
            assert!((y - x).abs() < 1e-3, "sample {i}: {y} vs {x}");
        }
    }

    #[test]
    fn a_band_pass_has_unity_peak_and_rejects_low_frequencies() {
        let rate = 24_000.0;
        let measure = |f| {
            let mut bp = BandPass::default();
            bp.tune(4_000.0, 600.0, rate);
            gain(|x| bp.process(x), f, rate)
        };
        assert!(
            (measure(4_000.0) - 1.0).abs() < 0.15,
            "{}",
            measure(4_000.0)
        );
        assert!(measure(300.0) < 0.05);
    }

    #[test]
    fn formants_above_the_band_are_bypassed() {
        let mut r = Resonator::default();
        r.tune(4_500.0, 200.0, 8_000.0);
        assert_eq!(r.process(0.25), 0.25);
    }
}
