//! A gain that follows its target in a straight line over [`GAIN_RAMP`] of device time, so a
//! change of volume, pan or distance never clicks, whatever the block size.

use super::voice::GAIN_RAMP;

/// A value per device frame, moving toward its target. Plain arithmetic: safe on the audio
/// thread.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Ramp {
    value: f32,
    target: f32,
    step: f32,
    /// Frames left until `value` lands on `target`.
    left: u32,
}

impl Ramp {
    /// Settled at `value`.
    pub(crate) fn new(value: f32) -> Self {
        Ramp {
            value,
            target: value,
            step: 0.0,
            left: 0,
        }
    }

    /// Settles at `value` at once (nothing heard yet, so nothing to smooth).
    pub(crate) fn jump(&mut self, value: f32) {
        *self = Ramp::new(value);
    }

    /// Heads for `target` from wherever the value is now, arriving [`GAIN_RAMP`] later. A
    /// target that is not finite is ignored.
    pub(crate) fn aim(&mut self, target: f32, device_rate: u32) {
        if target == self.target || !target.is_finite() {
            return;
        }
        let frames = (f64::from(device_rate) * GAIN_RAMP.as_secs_f64()).max(1.0) as u32;
        self.target = target;
        self.step = (target - self.value) / frames as f32;
        self.left = frames;
    }

    /// Whether the value stays where it is.
    pub(crate) fn is_settled(&self) -> bool {
        self.left == 0
    }

    /// The value now (the one the last frame got).
    #[cfg(test)]
    pub(crate) fn value(&self) -> f32 {
        self.value
    }

    /// The value for the next frame. The last frame of a ramp lands on the target exactly,
    /// whatever rounding did on the way.
    pub(crate) fn next(&mut self) -> f32 {
        if self.left > 1 {
            self.value += self.step;
            self.left -= 1;
        } else {
            self.value = self.target;
            self.left = 0;
        }
        self.value
    }

    /// Multiplies `samples` by the ramped value, frame by frame.
    pub(crate) fn apply(&mut self, samples: &mut [f32]) {
        if self.is_settled() {
            if self.value != 1.0 {
                samples.iter_mut().for_each(|s| *s *= self.value);
            }
            return;
        }
        for sample in samples {
            *sample *= self.next();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ramp_lands_on_its_target_in_its_time_and_a_new_aim_starts_from_where_it_is() {
        let mut ramp = Ramp::new(1.0);
        ramp.aim(0.0, 48_000);
        let frames = (48_000.0 * GAIN_RAMP.as_secs_f64()) as usize;
        let values: Vec<f32> = (0..frames).map(|_| ramp.next()).collect();
        assert_eq!(values[frames - 1], 0.0);
        assert!(values.windows(2).all(|w| w[1] < w[0]));
        assert!(ramp.is_settled());
        // Half way to 1, then turned back to 0.5: no jump.
        ramp.aim(1.0, 48_000);
        (0..frames / 2).for_each(|_| {
            ramp.next();
        });
        let here = ramp.value();
        ramp.aim(0.5, 48_000);
        assert!((ramp.next() - here).abs() < 1e-3);
        ramp.aim(f32::NAN, 48_000);
        assert!((ramp.next() - here).abs() < 2e-3, "a NaN aim is ignored");
    }
}
