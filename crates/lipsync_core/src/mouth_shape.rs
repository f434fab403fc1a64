//! The nine mouths of hand-drawn animation, for 2D characters.

use crate::curve::VisemeWeights;
use crate::viseme::Viseme;

/// The classic set of mouth drawings of hand-drawn animation (Preston Blair's, as lettered by
/// Rhubarb Lip Sync): eight speaking shapes and a rest. A 2D character needs only these nine
/// drawings; [`MouthShape::from_viseme`] says which one each of the 15 visemes shows.
///
/// | shape | drawing | visemes |
/// |---|---|---|
/// | `A` | lips pressed together | PP (p b m) |
/// | `B` | slightly open, teeth together | DD, KK, SS, CH, NN, IH (most consonants, "ee") |
/// | `C` | open, corners apart | E (eh, ae) |
/// | `D` | wide open | AA (aa, ah) |
/// | `E` | slightly open and rounded | OH, RR (ao, er, r) |
/// | `F` | puckered | OU (uw, ow, w) |
/// | `G` | upper teeth on the lower lip | FF (f v) |
/// | `H` | open, tongue raised behind the teeth | TH (th, dh; also a long "l") |
/// | `X` | at rest, closed | SIL |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub enum MouthShape {
    /// Lips pressed together (p b m).
    A,
    /// Slightly open, teeth together (most consonants, "ee").
    B,
    /// Open, corners apart (eh, ae).
    C,
    /// Wide open (aa).
    D,
    /// Slightly open, rounded (ao, er).
    E,
    /// Puckered (uw, ow, w).
    F,
    /// Upper teeth on the lower lip (f v).
    G,
    /// Open, tongue raised (th, l).
    H,
    /// At rest.
    X,
}

impl MouthShape {
    /// All nine, in the order of a sprite sheet lettered A to H then X.
    pub const ALL: [MouthShape; 9] = [
        MouthShape::A,
        MouthShape::B,
        MouthShape::C,
        MouthShape::D,
        MouthShape::E,
        MouthShape::F,
        MouthShape::G,
        MouthShape::H,
        MouthShape::X,
    ];

    /// Position in [`MouthShape::ALL`]: the cell of a sprite sheet in that order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The drawing that shows `viseme` (the table above).
    pub fn from_viseme(viseme: Viseme) -> MouthShape {
        match viseme {
            Viseme::Sil => MouthShape::X,
            Viseme::Pp => MouthShape::A,
            Viseme::Dd | Viseme::Kk | Viseme::Ss | Viseme::Ch | Viseme::Nn | Viseme::Ih => {
                MouthShape::B
            }
            Viseme::E => MouthShape::C,
            Viseme::Aa => MouthShape::D,
            Viseme::Oh | Viseme::Rr => MouthShape::E,
            Viseme::Ou => MouthShape::F,
            Viseme::Ff => MouthShape::G,
            Viseme::Th => MouthShape::H,
        }
    }

    /// The drawing for a mouth: its [dominant](VisemeWeights::dominant) viseme's, and where no
    /// viseme leads but the jaw is open (speech followed by its loudness alone), an open mouth
    /// as wide as the jaw.
    pub fn from_weights(weights: &VisemeWeights) -> MouthShape {
        match weights.dominant() {
            Viseme::Sil if weights.jaw_open >= 0.6 => MouthShape::D,
            Viseme::Sil if weights.jaw_open >= 0.3 => MouthShape::C,
            Viseme::Sil if weights.jaw_open >= 0.1 => MouthShape::B,
            viseme => MouthShape::from_viseme(viseme),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_viseme_has_a_drawing_and_closures_stay_closed() {
        let shapes: Vec<MouthShape> = Viseme::ALL
            .iter()
            .map(|&v| MouthShape::from_viseme(v))
            .collect();
        assert_eq!(shapes.len(), 15);
        assert_eq!(MouthShape::from_viseme(Viseme::Pp), MouthShape::A);
        assert_eq!(MouthShape::from_viseme(Viseme::Ff), MouthShape::G);
        assert_eq!(MouthShape::from_viseme(Viseme::Sil), MouthShape::X);
        // Every drawing is used.
        for shape in MouthShape::ALL {
            assert!(shapes.contains(&shape), "{shape:?} unused");
        }
        for (i, shape) in MouthShape::ALL.iter().enumerate() {
            assert_eq!(shape.index(), i);
        }
    }

    #[test]
    fn a_mouth_shows_its_leading_viseme_or_its_jaw() {
        let mut w = VisemeWeights::REST;
        assert_eq!(MouthShape::from_weights(&w), MouthShape::X);
        w.weights[Viseme::Ou.index()] = 0.7;
        w.weights[Viseme::Aa.index()] = 0.2;
        assert_eq!(MouthShape::from_weights(&w), MouthShape::F);
        let mut jaw = VisemeWeights::REST;
        jaw.jaw_open = 0.7;
        assert_eq!(MouthShape::from_weights(&jaw), MouthShape::D);
        jaw.jaw_open = 0.35;
        assert_eq!(MouthShape::from_weights(&jaw), MouthShape::C);
    }
}
