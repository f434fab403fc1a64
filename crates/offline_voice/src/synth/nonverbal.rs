//! Laughs, sighs, breaths, coughs: sounds with no phones, made from the same sources.
//!
//! Each is a short sequence of targets over the segment the prosody gave it (see
//! [`crate::prosody`] for their lengths). They carry audio energy but no phones, so the
//! lipsync layer meets them the way it meets Inworld's non-verbal tags: audio without timing.

use super::targets::Target;
use crate::text::NonVerbal;

/// An open, breathy vowel: the shape of a laugh or a yawn.
const OPEN: Target = Target {
    formants: [720.0, 1240.0, 2550.0],
    bandwidths: [150.0, 120.0, 200.0],
    voicing: 0.8,
    aspiration: 0.25,
    ..Target::REST
};

/// Breath through a neutral tract.
const BREATH: Target = Target {
    formants: [500.0, 1500.0, 2500.0],
    bandwidths: [250.0, 250.0, 300.0],
    voicing: 0.0,
    aspiration: 0.35,
    ..Target::REST
};

/// The targets of `kind` over its segment, as (share of the segment, target).
pub(crate) fn targets_into(kind: NonVerbal, out: &mut Vec<(f32, Target)>) {
    out.clear();
    match kind {
        NonVerbal::Laugh => {
            // "ha-ha-ha": three breathy pulses with breath between, the last fading.
            for i in 0..3 {
                let at = i as f32 / 3.0;
                out.push((
                    at,
                    Target {
                        aspiration: 0.6,
                        ..BREATH
                    },
                ));
                out.push((
                    at + 0.08,
                    Target {
                        voicing: OPEN.voicing * (1.0 - 0.2 * i as f32),
                        ..OPEN
                    },
                ));
                out.push((
                    at + 0.25,
                    Target {
                        aspiration: 0.1,
                        ..BREATH
                    },
                ));
            }
        }
        NonVerbal::Sigh => {
            out.push((
                0.0,
                Target {
                    voicing: 0.35,
                    aspiration: 0.5,
                    ..OPEN
                },
            ));
            out.push((
                0.3,
                Target {
                    aspiration: 0.45,
                    ..BREATH
                },
            ));
            out.push((
                0.7,
                Target {
                    aspiration: 0.15,
                    ..BREATH
                },
            ));
        }
        NonVerbal::Breathe => {
            out.push((
                0.0,
                Target {
                    formants: [400.0, 1800.0, 2600.0],
                    aspiration: 0.3,
                    ..BREATH
                },
            ));
            out.push((
                0.75,
                Target {
                    aspiration: 0.08,
                    ..BREATH
                },
            ));
        }
        NonVerbal::Cough => {
            out.push((0.0, Target::REST));
            out.push((
                0.15,
                Target {
                    voicing: 0.5,
                    aspiration: 0.9,
                    abrupt: true,
                    ..OPEN
                },
            ));
            out.push((
                0.45,
                Target {
                    aspiration: 0.3,
                    ..BREATH
                },
            ));
            out.push((0.8, Target::REST));
        }
        NonVerbal::ClearThroat => {
            let growl = Target {
                formants: [400.0, 1100.0, 2400.0],
                voicing: 0.5,
                aspiration: 0.5,
                ..OPEN
            };
            out.push((0.0, growl));
            out.push((0.4, Target::REST));
            out.push((0.5, growl));
            out.push((0.9, Target::REST));
        }
        NonVerbal::Yawn => {
            out.push((
                0.0,
                Target {
                    aspiration: 0.4,
                    ..BREATH
                },
            ));
            out.push((
                0.2,
                Target {
                    voicing: 0.6,
                    aspiration: 0.35,
                    ..OPEN
                },
            ));
            out.push((
                0.75,
                Target {
                    aspiration: 0.3,
                    ..BREATH
                },
            ));
        }
    }
}
