//! Where each phone puts the vocal tract: formant targets, sources and their loudness.
//!
//! Values are for an adult male voice (the voice preset scales them) and follow the classic
//! formant-synthesis tables (Klatt 1980, Peterson and Barney's vowel measurements). Consonant
//! formants are the *loci* the tract moves toward during the consonant, so a plain smoothing of
//! every parameter gives the consonant-vowel transitions listeners rely on (a labial pulls F2
//! down, an alveolar pulls it toward 1.8 kHz, a velar pinches F2 and F3 together).
//!
//! A phone becomes one to three *targets* ([`phone_targets`]): stops are a closure, a burst and,
//! when voiceless before a vowel, aspiration; affricates a closure then frication; diphthongs two
//! vowel targets. The synthesiser switches to each target at the sample the plan gives and
//! glides toward it.

use crate::phone::{Phone, PhoneClass};

/// Which parallel-branch formants the frication noise excites, and how strongly (linear gains
/// of the noise through F2..F6 and the flat bypass).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Frication {
    pub(crate) a2: f32,
    pub(crate) a3: f32,
    pub(crate) a4: f32,
    pub(crate) a5: f32,
    pub(crate) a6: f32,
    pub(crate) ab: f32,
}

impl Frication {
    const fn new(a2: f32, a3: f32, a4: f32, a5: f32, a6: f32, ab: f32) -> Self {
        Frication {
            a2,
            a3,
            a4,
            a5,
            a6,
            ab,
        }
    }

    const NONE: Frication = Frication::new(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    /// f v: weak and flat.
    const LABIODENTAL: Frication = Frication::new(0.0, 0.0, 0.0, 0.1, 0.15, 0.1);
    /// θ ð: weak, a little high.
    const DENTAL: Frication = Frication::new(0.0, 0.0, 0.0, 0.15, 0.25, 0.06);
    /// s z: strong, high.
    const ALVEOLAR: Frication = Frication::new(0.0, 0.0, 0.0, 0.12, 0.85, 0.0);
    /// ʃ ʒ: strong, from about 2.5 kHz.
    const POSTALVEOLAR: Frication = Frication::new(0.0, 0.75, 0.45, 0.35, 0.2, 0.0);
    /// p b burst: flat.
    const LABIAL_BURST: Frication = Frication::new(0.0, 0.0, 0.0, 0.0, 0.0, 0.6);
    /// t d burst: high.
    const ALVEOLAR_BURST: Frication = Frication::new(0.0, 0.0, 0.2, 0.5, 0.7, 0.0);
    /// k ɡ burst: compact, around F2/F3.
    const VELAR_BURST: Frication = Frication::new(0.35, 0.7, 0.3, 0.2, 0.0, 0.0);
}

/// The state one target asks of the tract and the sources.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Target {
    /// F1..F3 in Hz (male).
    pub(crate) formants: [f32; 3],
    /// Their bandwidths in Hz.
    pub(crate) bandwidths: [f32; 3],
    /// Voicing amplitude, 0..1 of a full vowel.
    pub(crate) voicing: f32,
    /// Aspiration through the vocal tract (breath noise), 0..1.
    pub(crate) aspiration: f32,
    /// Frication noise amplitude, 0..1, shaped by [`Target::frication_shape`].
    pub(crate) frication: f32,
    /// Where the frication noise is shaped.
    pub(crate) frication_shape: Frication,
    /// Nasal coupling, 0 (oral) to 1 (nasal murmur).
    pub(crate) nasal: f32,
    /// Amplitudes jump to this target instead of gliding (stop bursts).
    pub(crate) abrupt: bool,
}

const fn t(f1: f32, f2: f32, f3: f32, b1: f32, b2: f32, b3: f32, voicing: f32) -> Target {
    Target {
        formants: [f1, f2, f3],
        bandwidths: [b1, b2, b3],
        voicing,
        aspiration: 0.0,
        frication: 0.0,
        frication_shape: Frication::NONE,
        nasal: 0.0,
        abrupt: false,
    }
}

impl Target {
    /// The tract at rest (silence): a neutral schwa shape, every source off.
    pub(crate) const REST: Target = t(500.0, 1500.0, 2500.0, 100.0, 120.0, 150.0, 0.0);

    const fn fricated(mut self, amount: f32, shape: Frication) -> Self {
        self.frication = amount;
        self.frication_shape = shape;
        self
    }

    const fn nasalised(mut self) -> Self {
        self.nasal = 1.0;
        self
    }

    const fn aspirated(mut self, amount: f32) -> Self {
        self.aspiration = amount;
        self
    }

    const fn abrupt(mut self) -> Self {
        self.abrupt = true;
        self
    }
}

/// The steady target of a vowel, or the first of a diphthong.
fn vowel(phone: Phone) -> Target {
    use Phone::*;
    match phone {
        Iy => t(310.0, 2200.0, 2960.0, 45.0, 200.0, 400.0, 1.0),
        Ih => t(400.0, 1850.0, 2570.0, 50.0, 100.0, 140.0, 1.0),
        Ey => t(480.0, 1900.0, 2520.0, 70.0, 100.0, 200.0, 1.0),
        Eh => t(560.0, 1700.0, 2500.0, 60.0, 90.0, 200.0, 1.0),
        Ae => t(680.0, 1720.0, 2430.0, 70.0, 150.0, 320.0, 1.0),
        Aa => t(740.0, 1180.0, 2600.0, 130.0, 70.0, 160.0, 1.0),
        Ao => t(600.0, 960.0, 2570.0, 90.0, 100.0, 80.0, 1.0),
        Ah => t(620.0, 1220.0, 2550.0, 80.0, 50.0, 140.0, 1.0),
        Ow => t(540.0, 1000.0, 2300.0, 80.0, 70.0, 70.0, 1.0),
        Uh => t(450.0, 1100.0, 2350.0, 80.0, 100.0, 80.0, 1.0),
        Uw => t(350.0, 1100.0, 2200.0, 65.0, 110.0, 140.0, 1.0),
        Er => t(470.0, 1300.0, 1600.0, 100.0, 60.0, 110.0, 1.0),
        Ax => t(520.0, 1400.0, 2400.0, 100.0, 100.0, 120.0, 0.85),
        Ay => t(700.0, 1220.0, 2550.0, 100.0, 70.0, 160.0, 1.0),
        Aw => t(700.0, 1220.0, 2550.0, 100.0, 70.0, 160.0, 1.0),
        Oy => t(550.0, 960.0, 2400.0, 90.0, 100.0, 80.0, 1.0),
        // Not a vowel: the caller asks only for vowels.
        _ => Target::REST,
    }
}

/// The end target of a diphthong.
fn offglide(phone: Phone) -> Option<Target> {
    use Phone::*;
    Some(match phone {
        Ay => t(420.0, 2000.0, 2600.0, 60.0, 100.0, 200.0, 1.0),
        Aw => t(450.0, 900.0, 2350.0, 70.0, 80.0, 90.0, 1.0),
        Ey => t(340.0, 2250.0, 2650.0, 50.0, 150.0, 300.0, 1.0),
        Ow => t(420.0, 850.0, 2300.0, 70.0, 70.0, 80.0, 1.0),
        Oy => t(400.0, 1900.0, 2500.0, 60.0, 100.0, 200.0, 1.0),
        _ => return None,
    })
}

/// The place a consonant's formants head for.
fn consonant(phone: Phone) -> Target {
    use Phone::*;
    match phone {
        W => t(290.0, 650.0, 2150.0, 50.0, 80.0, 60.0, 0.75),
        Y => t(260.0, 2200.0, 3020.0, 40.0, 250.0, 500.0, 0.75),
        R => t(330.0, 1100.0, 1400.0, 70.0, 100.0, 120.0, 0.8),
        L => t(330.0, 1050.0, 2800.0, 50.0, 100.0, 280.0, 0.8),
        M => t(300.0, 1150.0, 2150.0, 40.0, 200.0, 200.0, 0.7).nasalised(),
        N => t(300.0, 1550.0, 2500.0, 40.0, 300.0, 300.0, 0.7).nasalised(),
        Ng => t(300.0, 2000.0, 2700.0, 60.0, 150.0, 100.0, 0.7).nasalised(),
        F => t(340.0, 1100.0, 2080.0, 200.0, 120.0, 150.0, 0.0)
            .fricated(0.55, Frication::LABIODENTAL),
        V => t(250.0, 1100.0, 2080.0, 80.0, 120.0, 150.0, 0.45)
            .fricated(0.35, Frication::LABIODENTAL),
        Th => t(320.0, 1290.0, 2540.0, 200.0, 90.0, 200.0, 0.0).fricated(0.5, Frication::DENTAL),
        Dh => t(270.0, 1290.0, 2540.0, 80.0, 90.0, 200.0, 0.45).fricated(0.3, Frication::DENTAL),
        S => t(320.0, 1700.0, 2600.0, 200.0, 120.0, 200.0, 0.0).fricated(0.75, Frication::ALVEOLAR),
        Z => t(250.0, 1700.0, 2600.0, 70.0, 120.0, 200.0, 0.45).fricated(0.45, Frication::ALVEOLAR),
        Sh => t(300.0, 1840.0, 2750.0, 200.0, 100.0, 300.0, 0.0)
            .fricated(0.75, Frication::POSTALVEOLAR),
        Zh => t(250.0, 1840.0, 2750.0, 70.0, 100.0, 300.0, 0.45)
            .fricated(0.45, Frication::POSTALVEOLAR),
        Hh => t(500.0, 1500.0, 2500.0, 200.0, 150.0, 250.0, 0.0).aspirated(0.55),
        // Stop and affricate closures: formants at the place's locus, sources off (voiced
        // closures keep a quiet voice bar, see `phone_targets`).
        P | B => t(200.0, 850.0, 2100.0, 100.0, 110.0, 130.0, 0.0),
        T | D => t(200.0, 1750.0, 2650.0, 100.0, 110.0, 150.0, 0.0),
        K | G => t(220.0, 1950.0, 2300.0, 100.0, 110.0, 150.0, 0.0),
        Ch | Jh => t(220.0, 1850.0, 2700.0, 100.0, 110.0, 200.0, 0.0),
        _ => Target::REST,
    }
}

/// The targets a phone moves through, each with the fraction of the phone's span after which
/// it starts (the first starts at 0). `next` is the phone after it, if any, for aspiration and
/// `h`, which takes the following vowel's shape.
#[cfg(test)]
pub(crate) fn phone_targets(
    phone: Phone,
    next: Option<Phone>,
    span_seconds: f32,
) -> Vec<(f32, Target)> {
    let mut out = Vec::with_capacity(3);
    phone_targets_into(phone, next, span_seconds, &mut out);
    out
}

/// [`phone_targets`] into a reused buffer.
pub(crate) fn phone_targets_into(
    phone: Phone,
    next: Option<Phone>,
    span_seconds: f32,
    out: &mut Vec<(f32, Target)>,
) {
    out.clear();
    let before_vowel = next
        .is_some_and(|n| n.is_vowel() || matches!(n, Phone::W | Phone::Y | Phone::R | Phone::L));
    let next_vowel = next.filter(|n| n.is_vowel()).map(vowel);
    match phone.class() {
        PhoneClass::Vowel => out.push((0.0, vowel(phone))),
        PhoneClass::Diphthong => {
            out.push((0.0, vowel(phone)));
            if let Some(end) = offglide(phone) {
                out.push((0.45, end));
            }
        }
        PhoneClass::Glide | PhoneClass::Liquid | PhoneClass::Nasal => {
            out.push((0.0, consonant(phone)))
        }
        PhoneClass::Fricative if phone == Phone::Hh => {
            // h is breath through the shape of the vowel that follows.
            let mut h = consonant(phone);
            if let Some(v) = next_vowel {
                h.formants = v.formants;
                h.bandwidths = v.bandwidths.map(|b| b * 1.5);
            }
            out.push((0.0, h));
        }
        PhoneClass::Fricative => out.push((0.0, consonant(phone))),
        PhoneClass::Stop => stop_targets(phone, before_vowel, next_vowel, span_seconds, out),
        PhoneClass::Affricate => {
            let voiced = phone.is_voiced();
            let mut closure = consonant(phone);
            if voiced {
                closure.voicing = 0.15;
            }
            out.push((0.0, closure));
            let mut release = consonant(if voiced { Phone::Zh } else { Phone::Sh });
            release.frication *= 1.1;
            release.abrupt = true;
            out.push((0.5, release));
        }
    }
}

/// Closure, burst, and aspiration for a voiceless stop released into a vowel.
fn stop_targets(
    phone: Phone,
    before_vowel: bool,
    next_vowel: Option<Target>,
    span_seconds: f32,
    out: &mut Vec<(f32, Target)>,
) {
    use Phone::*;
    let voiced = phone.is_voiced();
    let mut closure = consonant(phone);
    if voiced {
        // A voice bar: the folds keep buzzing behind the closed lips, muffled.
        closure.voicing = 0.12;
        closure.formants[0] = 180.0;
    }
    let burst_shape = match phone {
        P | B => Frication::LABIAL_BURST,
        T | D => Frication::ALVEOLAR_BURST,
        _ => Frication::VELAR_BURST,
    };
    let mut burst = consonant(phone)
        .fricated(if voiced { 0.5 } else { 0.8 }, burst_shape)
        .abrupt();
    if voiced {
        burst.voicing = 0.25;
    }
    if matches!(phone, K | G)
        && let Some(v) = next_vowel
    {
        // The velar burst sits near the following vowel's F2 (fronted before front vowels).
        burst.formants[1] = v.formants[1].max(1200.0);
    }
    let span = span_seconds.max(0.001);
    let burst_seconds: f32 = if matches!(phone, K | G) { 0.018 } else { 0.010 };
    let aspiration_seconds: f32 = if !voiced && before_vowel { 0.035 } else { 0.0 };
    // The release takes at most 60 % of the phone: a short stop keeps some closure.
    let release_seconds = (burst_seconds + aspiration_seconds).min(span * 0.6);
    let burst_at = 1.0 - release_seconds / span;
    out.push((0.0, closure));
    out.push((burst_at, burst));
    if aspiration_seconds > 0.0 {
        let mut aspiration = consonant(Hh).aspirated(0.45);
        if let Some(v) = next_vowel {
            aspiration.formants = v.formants;
            aspiration.bandwidths = v.bandwidths.map(|b| b * 1.5);
        }
        let at = burst_at + burst_seconds.min(release_seconds * 0.5) / span;
        out.push((at, aspiration));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phone_has_targets_in_order() {
        for phone in Phone::ALL {
            for next in [None, Some(Phone::Aa), Some(Phone::S)] {
                let targets = phone_targets(phone, next, 0.08);
                assert!(!targets.is_empty(), "{phone}");
                assert_eq!(targets[0].0, 0.0, "{phone} starts with its first target");
                for pair in targets.windows(2) {
                    assert!(
                        pair[0].0 < pair[1].0 && pair[1].0 < 1.0,
                        "{phone}: {targets:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn voiceless_stops_before_vowels_are_aspirated_and_vowels_are_voiced() {
        let p = phone_targets(Phone::P, Some(Phone::Aa), 0.09);
        assert_eq!(p.len(), 3);
        assert!(p[2].1.aspiration > 0.0 && p[2].1.voicing == 0.0);
        assert_eq!(phone_targets(Phone::P, Some(Phone::S), 0.09).len(), 2);
        for phone in Phone::ALL.into_iter().filter(|p| p.is_vowel()) {
            assert!(
                phone_targets(phone, None, 0.1)
                    .iter()
                    .all(|(_, t)| t.voicing > 0.5)
            );
        }
    }
}
