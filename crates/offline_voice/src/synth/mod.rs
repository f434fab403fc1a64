//! A cascade/parallel formant synthesiser in the manner of Klatt (1980).
//!
//! Sources: a glottal pulse (the derivative of a polynomial flow pulse, KLGLOTT88-like, with
//! jitter and flutter so it does not buzz), breath noise mixed into it, aspiration noise, and
//! frication noise. Vowels, liquids, glides and nasals go through a *cascade* of resonators (the
//! formants F1..F5, with a nasal pole/zero pair); fricatives and bursts through a *parallel* bank
//! whose gains shape the noise by place of articulation.
//!
//! The plan lists a [`Target`] per phone part at exact sample positions ([`Synthesizer::changes`]
//! reports them). Between changes every parameter glides: formants through two cascaded
//! one-pole smoothers (an S-shaped transition of about 30 ms), amplitudes through one fast
//! one-pole (a few ms), unless a target is abrupt (a stop burst).
//!
//! Rendering is streaming and deterministic: [`Synthesizer::render`] fills any number of samples
//! and continues exactly where it stopped; the same plan renders the same bits, whatever the
//! block sizes.

mod nonverbal;
mod resonator;
pub(crate) mod targets;

use super::plan::{Delivery, Plan, SegmentKind};
use super::voice::VoicePreset;
use resonator::{AntiResonator, BandPass, OnePole, Resonator};
use targets::{Target, phone_targets_into};

/// Formants are re-tuned this often (seconds): fine enough for smooth glides, cheap.
const UPDATE_SECONDS: f32 = 0.001;
/// Time constant of each of the two formant smoothers.
const FORMANT_TAU: f32 = 0.008;
/// Time constant of amplitude changes.
const AMPLITUDE_TAU: f32 = 0.0035;
/// Output gain: full vowels peak near -3 dBFS.
const OUTPUT_GAIN: f32 = 0.3;
/// Gain of the glottal source into the cascade.
const VOICE_GAIN: f32 = 1.0;
/// Gain of aspiration noise into the cascade.
const ASPIRATION_GAIN: f32 = 0.5;
/// Gain of frication noise into the parallel bank.
const FRICATION_GAIN: f32 = 1.2;
/// The nasal pole (and, when oral, the zero that cancels it), Hz.
const NASAL_POLE_HZ: f32 = 270.0;
/// Where the nasal zero moves in a nasal murmur, Hz.
const NASAL_ZERO_HZ: f32 = 450.0;

/// A target taking effect at a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Change {
    /// The sample it takes effect at.
    pub(crate) frame: u64,
    /// The target.
    pub(crate) target: Target,
    /// How it is voiced.
    pub(crate) delivery: Delivery,
}

/// Smoothed parameters, as the sources and filters see them.
#[derive(Clone, Copy, Debug)]
struct Glide {
    /// F1..F3 (two smoothing stages each) and bandwidths.
    formants: [[f32; 2]; 3],
    bandwidths: [[f32; 2]; 3],
    nasal: [f32; 2],
    voicing: f32,
    aspiration: f32,
    frication: f32,
    shape: [f32; 6],
}

/// Renders a [`Plan`] into samples.
#[derive(Clone, Debug)]
pub(crate) struct Synthesizer {
    voice: VoicePreset,
    rate: f32,
    frames: u64,
    position: u64,
    changes: Vec<Change>,
    next_change: usize,
    pitch: Vec<super::plan::PitchPoint>,
    next_pitch: usize,
    target: Target,
    delivery: Delivery,
    glide: Glide,
    update_every: u32,
    until_update: u32,
    formant_k: f32,
    amplitude_k: f32,
    // Sources.
    phase: f32,
    period_jitter: f32,
    noise: u32,
    last_noise: f32,
    tilt: OnePole,
    // Cascade.
    nasal_pole: Resonator,
    nasal_zero: AntiResonator,
    cascade: [Resonator; 5],
    // Parallel (F2..F6).
    parallel: [BandPass; 5],
    // Output.
    dc_in: f32,
    dc_out: f32,
}

impl Synthesizer {
    /// A synthesiser for `plan` in `voice`.
    pub(crate) fn new(plan: &Plan, voice: VoicePreset) -> Self {
        let rate = plan.sample_rate.max(1) as f32;
        let changes = schedule(plan, &voice);
        let update_every = ((rate * UPDATE_SECONDS).round() as u32).max(1);
        let dt = update_every as f32 / rate;
        let rest = scaled(&Target::REST, &voice);
        let mut synth = Synthesizer {
            voice,
            rate,
            frames: plan.frames(),
            position: 0,
            changes,
            next_change: 0,
            pitch: plan.pitch.clone(),
            next_pitch: 0,
            target: rest,
            delivery: Delivery::default(),
            glide: Glide {
                formants: rest.formants.map(|f| [f, f]),
                bandwidths: rest.bandwidths.map(|b| [b, b]),
                nasal: [0.0; 2],
                voicing: 0.0,
                aspiration: 0.0,
                frication: 0.0,
                shape: [0.0; 6],
            },
            update_every,
            until_update: 0,
            formant_k: 1.0 - (-dt / FORMANT_TAU).exp(),
            amplitude_k: 1.0 - (-1.0 / (rate * AMPLITUDE_TAU)).exp(),
            phase: 0.0,
            period_jitter: 0.0,
            noise: 0x2545_f491,
            last_noise: 0.0,
            tilt: OnePole::default(),
            nasal_pole: Resonator::default(),
            nasal_zero: AntiResonator::default(),
            cascade: [Resonator::default(); 5],
            parallel: [BandPass::default(); 5],
            dc_in: 0.0,
            dc_out: 0.0,
        };
        synth.tilt.tune(voice.tilt_hz, rate);
        synth.retune();
        synth
    }

    /// The samples of every target change, in order: each phone's first sample among them.
    pub(crate) fn changes(&self) -> impl Iterator<Item = u64> + '_ {
        self.changes.iter().map(|c| c.frame)
    }

    /// Length of the plan in samples.
    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    /// Samples rendered so far.
    pub(crate) fn position(&self) -> u64 {
        self.position
    }

    /// Whether every sample of the plan has been rendered.
    pub(crate) fn is_done(&self) -> bool {
        self.position >= self.frames
    }

    /// Renders the next samples into `out`, as many as fit and remain; returns how many.
    pub(crate) fn render(&mut self, out: &mut [f32]) -> usize {
        let remaining = (self.frames - self.position.min(self.frames)) as usize;
        let n = out.len().min(remaining);
        for slot in &mut out[..n] {
            *slot = self.sample();
        }
        n
    }

    fn sample(&mut self) -> f32 {
        while let Some(change) = self.changes.get(self.next_change)
            && change.frame <= self.position
        {
            self.target = change.target;
            self.delivery = change.delivery;
            if change.target.abrupt {
                self.glide.voicing = change.target.voicing;
                self.glide.frication = change.target.frication;
                self.glide.aspiration = change.target.aspiration;
            }
            self.next_change += 1;
        }
        if self.until_update == 0 {
            self.until_update = self.update_every;
            self.update_formants();
        }
        self.until_update -= 1;

        let target = self.target;
        let (mut voicing, mut aspiration) = (target.voicing, target.aspiration);
        if self.delivery.whisper {
            aspiration = aspiration.max(voicing * 0.7);
            voicing = 0.0;
        }
        let k = self.amplitude_k;
        let g = &mut self.glide;
        g.voicing += k * (voicing - g.voicing);
        g.aspiration += k * (aspiration - g.aspiration);
        g.frication += k * (target.frication - g.frication);
        let shape = [
            target.frication_shape.a2,
            target.frication_shape.a3,
            target.frication_shape.a4,
            target.frication_shape.a5,
            target.frication_shape.a6,
            target.frication_shape.ab,
        ];
        for (s, t) in g.shape.iter_mut().zip(shape) {
            *s += k * (t - *s);
        }

        let f0 = self.f0();
        let (pulse, open) = self.glottal(f0);
        let noise = self.noise();
        let breath = self.voice.breathiness * if open { 1.0 } else { 0.25 };
        let g = self.glide;
        let source = g.voicing * (VOICE_GAIN * pulse + breath * noise)
            + g.aspiration * ASPIRATION_GAIN * noise * if open { 1.0 } else { 0.6 };
        let mut x = self.nasal_zero.process(self.nasal_pole.process(source));
        for r in self.cascade.iter_mut().rev() {
            x = r.process(x);
        }
        // First difference: frication is high-frequency noise; nothing of it belongs near 0 Hz.
        let white = self.noise();
        let fric = g.frication * FRICATION_GAIN * (white - self.last_noise);
        self.last_noise = white;
        let mut parallel = 0.0;
        let mut sign = 1.0;
        for i in 0..5 {
            if g.shape[i] != 0.0 {
                parallel += sign * g.shape[i] * self.parallel[i].process(fric);
            } else {
                // Keep the filter's state moving so a shape fading in does not click.
                self.parallel[i].process(0.0);
            }
            sign = -sign;
        }
        parallel += g.shape[5] * fric;
        let y = (x + parallel) * OUTPUT_GAIN * self.delivery.loudness;
        // DC blocker (about 20 Hz): the glottal pulse has a mean.
        let out = y - self.dc_in + 0.995 * self.dc_out;
        self.dc_in = y;
        self.dc_out = out;
        self.position += 1;
        soft_limit(out)
    }

    /// Pitch at the current sample: the plan's line, with flutter (slow wobble) and jitter
    /// (per-period variation) so the voice is not a machine buzz.
    fn f0(&mut self) -> f32 {
        let frame = self.position;
        while self
            .pitch
            .get(self.next_pitch + 1)
            .is_some_and(|p| p.frame <= frame)
        {
            self.next_pitch += 1;
        }
        let base = match (
            self.pitch.get(self.next_pitch),
            self.pitch.get(self.next_pitch + 1),
        ) {
            (Some(a), Some(b)) if b.frame > a.frame && frame >= a.frame => {
                let t = (frame - a.frame) as f32 / (b.frame - a.frame) as f32;
                a.hz + (b.hz - a.hz) * t
            }
            (Some(a), _) => a.hz,
            _ => self.voice.f0,
        };
        let t = frame as f32 / self.rate;
        let flutter = 0.006
            * ((std::f32::consts::TAU * 12.7 * t).sin()
                + (std::f32::consts::TAU * 7.1 * t).sin()
                + (std::f32::consts::TAU * 4.7 * t).sin());
        base * (1.0 + flutter + self.period_jitter)
    }

    /// One sample of the glottal flow derivative at pitch `f0`, and whether the folds are open.
    fn glottal(&mut self, f0: f32) -> (f32, bool) {
        self.phase += f0 / self.rate;
        if self.phase >= 1.0 {
            self.phase -= 1.0;
            // A new period: a little jitter, deterministic.
            self.period_jitter = 0.004 * self.noise();
        }
        let oq = self.voice.open_quotient;
        if self.phase < oq {
            let x = self.phase / oq;
            // d/dx of x^2 (1 - x): rises, then falls to a sharp closure at x = 1.
            let flow_derivative = 2.0 * x - 3.0 * x * x;
            (self.tilt.process(flow_derivative), true)
        } else {
            (self.tilt.process(0.0), false)
        }
    }

    /// Uniform-ish noise in -1..1 (a sum of two xorshift draws: triangular, no outliers).
    fn noise(&mut self) -> f32 {
        let mut draw = || {
            let mut x = self.noise;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            self.noise = x;
            (x >> 8) as f32 / (1u32 << 24) as f32
        };
        draw() + draw() - 1.0
    }

    fn update_formants(&mut self) {
        let k = self.formant_k;
        let target = self.target;
        let g = &mut self.glide;
        for i in 0..3 {
            let [a, b] = &mut g.formants[i];
            *a += k * (target.formants[i] - *a);
            *b += k * (*a - *b);
            let [a, b] = &mut g.bandwidths[i];
            *a += k * (target.bandwidths[i] - *a);
            *b += k * (*a - *b);
        }
        let [a, b] = &mut g.nasal;
        *a += k * (target.nasal - *a);
        *b += k * (*a - *b);
        self.retune();
    }

    fn retune(&mut self) {
        let rate = self.rate;
        let g = &self.glide;
        let v = &self.voice;
        let f = [
            g.formants[0][1],
            g.formants[1][1],
            g.formants[2][1],
            v.f4,
            v.f5,
        ];
        let b = [
            g.bandwidths[0][1],
            g.bandwidths[1][1],
            g.bandwidths[2][1],
            250.0,
            300.0,
        ];
        for i in 0..5 {
            self.cascade[i].tune(f[i], b[i], rate);
        }
        let nasal = g.nasal[1];
        self.nasal_pole.tune(NASAL_POLE_HZ, 100.0, rate);
        self.nasal_zero.tune(
            NASAL_POLE_HZ + (NASAL_ZERO_HZ - NASAL_POLE_HZ) * nasal,
            100.0,
            rate,
        );
        let pf = [f[1], f[2], v.f4, v.f5, v.f6];
        let pb = [200.0, 250.0, 320.0, 400.0, 900.0];
        for i in 0..5 {
            self.parallel[i].tune(pf[i], pb[i], rate);
        }
    }
}

/// A gentle limiter: linear below 0.8, then a smooth knee toward 1.
fn soft_limit(x: f32) -> f32 {
    let a = x.abs();
    if a <= 0.8 {
        x
    } else {
        let over = a - 0.8;
        x.signum() * (0.8 + 0.2 * over / (over + 0.2))
    }
}

/// A target with the voice's formant and bandwidth scales applied.
fn scaled(target: &Target, voice: &VoicePreset) -> Target {
    let mut t = *target;
    for i in 0..3 {
        t.formants[i] *= voice.formant_scale[i];
        t.bandwidths[i] *= voice.bandwidth_scale;
    }
    t
}

/// Every target change of the plan, in order.
fn schedule(plan: &Plan, voice: &VoicePreset) -> Vec<Change> {
    let rate = plan.sample_rate.max(1) as f32;
    let mut changes = Vec::with_capacity(plan.segments.len() * 2);
    let mut parts = Vec::with_capacity(4);
    for segment in &plan.segments {
        let start = segment.span.start;
        let len = segment.span.end.saturating_sub(start);
        if len == 0 {
            continue;
        }
        let seconds = len as f32 / rate;
        match segment.kind {
            SegmentKind::Silence => parts.clear(),
            SegmentKind::Phone { token, next, .. } => {
                phone_targets_into(token.phone, next, seconds, &mut parts);
            }
            SegmentKind::NonVerbal(kind) => nonverbal::targets_into(kind, &mut parts),
        }
        if parts.is_empty() {
            parts.push((0.0, Target::REST));
        }
        let mut last = None;
        for &(at, target) in &parts {
            // The first part starts exactly at the segment; later ones at their share of it,
            // never at or past its end.
            let offset = ((at * len as f32).round() as u64).min(len - 1);
            let frame = start + offset;
            if last.is_some_and(|l| frame <= l) {
                continue;
            }
            last = Some(frame);
            changes.push(Change {
                frame,
                target: scaled(&target, voice),
                delivery: segment.delivery,
            });
        }
    }
    changes
}

#[cfg(test)]
mod tests;
