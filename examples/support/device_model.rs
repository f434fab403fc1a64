//! The simulated audio device shared by `clock_report` and `sync_report`: its constants, a
//! deterministic random source, the audio thread's wake-up delays, and the error summary.

/// Device sample rate.
pub const DEVICE_RATE: u32 = 48_000;
/// Blocks queued in the device after the one being rendered.
pub const DEVICE_BLOCKS: f64 = 2.0;
/// Fixed converter (DAC) latency, seconds.
pub const CONVERTER: f64 = 0.003;
/// The device crystal's error against the system clock.
pub const DRIFT_PPM: f64 = -30.0;
/// Length of each simulated utterance, seconds.
pub const SECONDS: f64 = 20.0;

/// xorshift64: deterministic and good enough to draw delays and probe instants.
pub struct XorShift(pub u64);

impl XorShift {
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How long after the device's request the audio thread runs, seconds: scheduler latency on an
/// idle machine, half the time more on a busy one (exponential, mean 0.5 ms, capped at
/// `busy_max`), and with `preemption_chance` a long preemption of 2-8 ms. A zero chance draws
/// nothing for it, so the random stream is the same as without the term.
pub fn wake_up_delay(rng: &mut XorShift, busy_max: f64, preemption_chance: f64) -> f64 {
    let mut delay = 50e-6 + 250e-6 * rng.unit();
    if rng.unit() < 0.5 {
        delay += (-0.5e-3 * (1.0 - rng.unit()).ln()).min(busy_max);
    }
    if preemption_chance > 0.0 && rng.unit() < preemption_chance {
        delay += 2e-3 + 6e-3 * rng.unit();
    }
    delay
}

/// p50, p99 and max of `values` (nearest rank); sorts them.
pub fn percentiles(values: &mut [f64]) -> [f64; 3] {
    values.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
        values[rank - 1]
    };
    [q(0.5), q(0.99), q(1.0)]
}
