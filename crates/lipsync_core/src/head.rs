//! Head motion: the small, never-repeating sway of a living head, calmer when idle, tilted when
//! listening, livelier when speaking and lifted by the loud syllables.
//!
//! [`HeadSway::advance`] gives the head's rotation away from its rest pose as pitch, yaw and
//! roll, every axis a sum of two slow sines at incommensurate frequencies, so the motion never
//! visibly loops. Amplitudes, pace and the listening tilt ease from state to state, so changing
//! state never jumps; the stillness control scales everything, down to exactly nothing.
//!
//! ```
//! use lipsync_core::{HeadState, HeadSway};
//!
//! let mut head = HeadSway::new(7);
//! let mut largest = 0.0f32;
//! for _ in 0..600 {
//!     let pose = head.advance(1.0 / 60.0, HeadState::Speaking, 0.4, 1.0);
//!     largest = largest.max(pose.yaw.abs());
//! }
//! assert!(largest > 0.01 && largest < 0.1, "a few degrees: {largest}");
//! ```

/// What the head is doing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub enum HeadState {
    /// Nobody is talking: slow, small drift.
    #[default]
    Idle,
    /// Someone else is talking: turned a little toward them, head tilted, steadier.
    Listening,
    /// Talking: livelier, and lifted by the loud syllables.
    Speaking,
}

/// A head's rotation away from its rest pose, in radians (pitch: up is positive; yaw: turning
/// to its left; roll: tilting to its left).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct HeadPose {
    /// Nodding, about the head's left-right axis.
    pub pitch: f32,
    /// Turning, about the vertical axis.
    pub yaw: f32,
    /// Tilting, about the front-back axis.
    pub roll: f32,
}

/// How a state moves the head: sway amplitudes (radians), pace (Hz of the slower sine), a held
/// offset, and how much the jaw lifts the head.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Style {
    amplitude: [f32; 3],
    pace: f32,
    offset: [f32; 3],
    lift: f32,
}

const fn degrees(d: f32) -> f32 {
    d * std::f32::consts::PI / 180.0
}

impl HeadState {
    fn style(self) -> Style {
        match self {
            HeadState::Idle => Style {
                amplitude: [degrees(1.0), degrees(1.6), degrees(0.6)],
                pace: 0.11,
                offset: [0.0; 3],
                lift: 0.0,
            },
            HeadState::Listening => Style {
                amplitude: [degrees(0.8), degrees(0.9), degrees(0.5)],
                pace: 0.09,
                offset: [degrees(-1.5), 0.0, degrees(3.0)],
                lift: 0.0,
            },
            HeadState::Speaking => Style {
                amplitude: [degrees(1.8), degrees(2.6), degrees(1.1)],
                pace: 0.23,
                offset: [0.0; 3],
                lift: degrees(5.0),
            },
        }
    }
}

/// How fast amplitudes, pace and offsets follow a change of state (seconds).
pub const HEAD_EASE: f32 = 0.6;
/// How fast the lift follows the jaw (seconds): syllables, not single phones.
const LIFT_EASE: f32 = 0.18;
/// The ratio of each axis's two sines: the golden ratio never lines them up again.
const GOLDEN: f32 = 1.618_034;

/// One head's sway (see the [module](self) docs). Allocation-free.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct HeadSway {
    /// Phase of each axis's two sines (turns).
    phase: [[f32; 2]; 3],
    /// Per-axis pace factors, so the axes drift apart.
    pace_factor: [f32; 3],
    /// Eased amplitudes, pace and offsets.
    amplitude: [f32; 3],
    pace: f32,
    offset: [f32; 3],
    lift: f32,
    /// The jaw, eased.
    jaw: f32,
}

impl HeadSway {
    /// A head whose motion `seed` makes its own (heads with different seeds never sway
    /// together).
    pub fn new(seed: u32) -> HeadSway {
        // A small integer hash for phases and pace factors.
        let mut x = seed.wrapping_mul(0x9E37_79B9) ^ 0x85EB_CA6B;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 8) as f32 / (1 << 24) as f32
        };
        let idle = HeadState::Idle.style();
        HeadSway {
            phase: [[next(), next()], [next(), next()], [next(), next()]],
            pace_factor: [0.8 + 0.4 * next(), 0.8 + 0.4 * next(), 0.8 + 0.4 * next()],
            amplitude: idle.amplitude,
            pace: idle.pace,
            offset: idle.offset,
            lift: idle.lift,
            jaw: 0.0,
        }
    }

    /// Advances by `dt` seconds in `state`, with the jaw now `jaw_open` (`0..=1`), and returns
    /// the pose scaled by `amount` (`0`: perfectly still; `1`: the natural amount).
    pub fn advance(&mut self, dt: f32, state: HeadState, jaw_open: f32, amount: f32) -> HeadPose {
        let dt = dt.max(0.0);
        let style = state.style();
        let keep = (-dt / HEAD_EASE).exp();
        let ease = |now: &mut f32, target: f32| *now = target + (*now - target) * keep;
        for axis in 0..3 {
            ease(&mut self.amplitude[axis], style.amplitude[axis]);
            ease(&mut self.offset[axis], style.offset[axis]);
        }
        ease(&mut self.pace, style.pace);
        ease(&mut self.lift, style.lift);
        let jaw_keep = (-dt / LIFT_EASE).exp();
        self.jaw = jaw_open.clamp(0.0, 1.0) + (self.jaw - jaw_open.clamp(0.0, 1.0)) * jaw_keep;
        let mut angles = [0.0; 3];
        for (axis, angle) in angles.iter_mut().enumerate() {
            let step = dt * self.pace * self.pace_factor[axis];
            let [slow, fast] = &mut self.phase[axis];
            *slow = (*slow + step).fract();
            *fast = (*fast + step * GOLDEN).fract();
            let sine = |phase: f32| (std::f32::consts::TAU * phase).sin();
            // Two sines of equal weight peak at 2: halved, the amplitude is the bound.
            let sway = 0.5 * (sine(*slow) + sine(*fast));
            *angle = self.offset[axis] + self.amplitude[axis] * sway;
        }
        angles[0] += self.lift * self.jaw;
        let amount = amount.clamp(0.0, 1.0);
        HeadPose {
            pitch: angles[0] * amount,
            yaw: angles[1] * amount,
            roll: angles[2] * amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DT: f32 = 1.0 / 60.0;

    /// Poses over `seconds` in `state` with a constant jaw, after `settle` seconds in it.
    fn run(head: &mut HeadSway, state: HeadState, jaw: f32, seconds: f32) -> Vec<HeadPose> {
        (0..(seconds / DT) as usize)
            .map(|_| head.advance(DT, state, jaw, 1.0))
            .collect()
    }

    fn rms(poses: &[HeadPose], axis: fn(&HeadPose) -> f32) -> f32 {
        let mean = poses.iter().map(axis).sum::<f32>() / poses.len() as f32;
        (poses.iter().map(|p| (axis(p) - mean).powi(2)).sum::<f32>() / poses.len() as f32).sqrt()
    }

    fn mean(poses: &[HeadPose], axis: fn(&HeadPose) -> f32) -> f32 {
        poses.iter().map(axis).sum::<f32>() / poses.len() as f32
    }

    #[test]
    fn speaking_moves_more_than_idle_and_both_stay_within_a_few_degrees() {
        let mut head = HeadSway::new(1);
        run(&mut head, HeadState::Idle, 0.0, 5.0);
        let idle = run(&mut head, HeadState::Idle, 0.0, 30.0);
        run(&mut head, HeadState::Speaking, 0.0, 5.0);
        let speaking = run(&mut head, HeadState::Speaking, 0.0, 30.0);
        let yaw = |p: &HeadPose| p.yaw;
        assert!(rms(&idle, yaw) > degrees(0.3), "idle drifts");
        assert!(rms(&speaking, yaw) > 1.4 * rms(&idle, yaw));
        for p in idle.iter().chain(&speaking) {
            for angle in [p.pitch, p.yaw, p.roll] {
                assert!(angle.abs() <= degrees(4.0), "{p:?}");
            }
        }
    }

    #[test]
    fn listening_tilts_the_head_and_loud_syllables_lift_it() {
        let mut head = HeadSway::new(2);
        run(&mut head, HeadState::Listening, 0.0, 4.0);
        let listening = run(&mut head, HeadState::Listening, 0.0, 30.0);
        assert!(mean(&listening, |p| p.roll) > degrees(2.0));
        let mut quiet = HeadSway::new(3);
        let mut loud = quiet.clone();
        let quiet = run(&mut quiet, HeadState::Speaking, 0.0, 10.0);
        let loud = run(&mut loud, HeadState::Speaking, 0.6, 10.0);
        let lifted = mean(&loud, |p| p.pitch) - mean(&quiet, |p| p.pitch);
        assert!(lifted > degrees(2.0), "{lifted}");
    }

    #[test]
    fn no_state_change_makes_the_head_jump() {
        let mut head = HeadSway::new(4);
        let mut last = head.advance(DT, HeadState::Idle, 0.0, 1.0);
        let states = [HeadState::Speaking, HeadState::Listening, HeadState::Idle];
        for step in 0..3600 {
            let state = states[(step / 200) % 3];
            let jaw = if step % 20 < 10 { 0.8 } else { 0.0 };
            let pose = head.advance(DT, state, jaw, 1.0);
            for (a, b) in [
                (pose.pitch, last.pitch),
                (pose.yaw, last.yaw),
                (pose.roll, last.roll),
            ] {
                assert!(
                    (a - b).abs() < degrees(0.35),
                    "step {step}: {last:?} -> {pose:?}"
                );
            }
            last = pose;
        }
    }

    #[test]
    fn stillness_scales_to_exactly_nothing_and_seeds_differ() {
        let mut head = HeadSway::new(5);
        for _ in 0..600 {
            let pose = head.advance(DT, HeadState::Speaking, 0.7, 0.0);
            assert_eq!(pose, HeadPose::default());
        }
        let mut a = HeadSway::new(6);
        let mut b = HeadSway::new(7);
        let (a, b) = (
            run(&mut a, HeadState::Idle, 0.0, 5.0),
            run(&mut b, HeadState::Idle, 0.0, 5.0),
        );
        let apart = a
            .iter()
            .zip(&b)
            .filter(|(a, b)| (a.yaw - b.yaw).abs() > degrees(0.2));
        assert!(apart.count() > a.len() / 4, "two heads sway apart");
    }
}
