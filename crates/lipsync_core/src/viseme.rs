//! The viseme sets the crate reads and writes.
//!
//! [`Viseme`] is the canonical set: the 15 OpenXR / Oculus mouth shapes, which Ready Player Me
//! avatars and Inworld's `lipsyncAlignment` (with `visemeSet: "OPENXR"`) also use. Every other
//! set is mapped onto it at the decoding edge and never travels further as a string.
//!
//! [`VisemeCategory`] is the coarser set of 12 categories plus silence that Inworld attaches to
//! each phone (`visemeSymbol`); a category names a group of sounds, so the same category can
//! stand for several canonical visemes (see [`VisemeCategory::allows`]).
//!
//! # What each viseme looks like
//! For building a rig or checking one; [`JAW_OPENING`](crate::JAW_OPENING) and the ARKit
//! recipes of [`RigPreset::Arkit52`](crate::RigPreset::Arkit52) follow this table.
//!
//! | viseme | sounds | jaw | lips | teeth / tongue |
//! |---|---|---|---|---|
//! | SIL | rest | closed | relaxed, together | hidden |
//! | PP | p b m | closed | pressed together, slightly rolled in | hidden |
//! | FF | f v | nearly closed | lower lip tucked under upper teeth | upper teeth visible |
//! | TH | θ ð | slightly open | relaxed, parted | tongue tip between teeth |
//! | DD | t d | slightly open | parted, neutral | tongue tip up behind teeth |
//! | KK | k g ŋ | open a little | parted, neutral | tongue back, hidden |
//! | CH | tʃ dʒ ʃ ʒ | nearly closed | pushed forward, slightly rounded | teeth together, visible |
//! | SS | s z | nearly closed | spread a little | teeth together, visible |
//! | NN | n l | slightly open | parted | tongue up |
//! | RR | ɹ | slightly open | slightly rounded, corners in | - |
//! | AA | ɑ æ ʌ aɪ | wide open | open, relaxed | tongue low |
//! | E | ɛ eɪ | half open | spread | - |
//! | IH | ɪ i | slightly open | spread wide (smile-like) | teeth visible |
//! | OH | o ɔ oʊ | half open | rounded, open ring | - |
//! | OU | u ʊ w | nearly closed | tightly rounded, protruded (pucker) | - |
//!
//! A readable stylised mouth needs at least a jaw drop, lip rounding and protrusion, lip spread,
//! lip closure and press, a lower-lip tuck and visible upper teeth; a tongue is a bonus.
//!
//! Other sets in the wild, for comparison: Azure TTS has 22 viseme ids, Amazon Polly about 17
//! symbols, Rhubarb 6 + 3 mouth shapes, VRM 1.0 five vowel expressions (`aa ih ou ee oh`), and
//! ARKit-52 rigs no visemes at all (each is a recipe of mouth and jaw shapes).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A canonical mouth shape: the 15 OpenXR / Oculus visemes, in their standard order.
///
/// The discriminant is the OpenXR index (`Viseme::Aa as u8 == 10`). Serialised as the OpenXR
/// label (`"AA"`).
///
/// ```
/// use lipsync_core::Viseme;
///
/// let v: Viseme = "viseme_aa".parse().unwrap();
/// assert_eq!(v, Viseme::Aa);
/// assert_eq!(v.openxr_name(), "AA");
/// assert_eq!(Viseme::Ih.rpm_name(), "viseme_I");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[repr(u8)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub enum Viseme {
    /// Rest: jaw closed, lips relaxed and together.
    #[serde(rename = "SIL")]
    Sil,
    /// p b m: lips pressed together.
    #[serde(rename = "PP")]
    Pp,
    /// f v: lower lip tucked under the upper teeth.
    #[serde(rename = "FF")]
    Ff,
    /// θ ð: tongue tip between the teeth.
    #[serde(rename = "TH")]
    Th,
    /// t d: slightly open, tongue tip up behind the teeth.
    #[serde(rename = "DD")]
    Dd,
    /// k g ŋ: open a little, tongue back.
    #[serde(rename = "KK")]
    Kk,
    /// tʃ dʒ ʃ ʒ: teeth together, lips pushed forward.
    #[serde(rename = "CH")]
    Ch,
    /// s z: teeth together, lips spread a little.
    #[serde(rename = "SS")]
    Ss,
    /// n l: slightly open, tongue up.
    #[serde(rename = "NN")]
    Nn,
    /// ɹ: slightly open, slightly rounded.
    #[serde(rename = "RR")]
    Rr,
    /// ɑ æ ʌ: jaw wide open.
    #[serde(rename = "AA")]
    Aa,
    /// ɛ eɪ: half open, spread.
    #[serde(rename = "E")]
    E,
    /// ɪ i: slightly open, spread wide.
    #[serde(rename = "IH")]
    Ih,
    /// o ɔ oʊ: half open, rounded ring.
    #[serde(rename = "OH")]
    Oh,
    /// u ʊ w: nearly closed, puckered.
    #[serde(rename = "OU")]
    Ou,
}

/// OpenXR labels, indexed by [`Viseme::index`].
const OPENXR_NAMES: [&str; Viseme::COUNT] = [
    "SIL", "PP", "FF", "TH", "DD", "KK", "CH", "SS", "NN", "RR", "AA", "E", "IH", "OH", "OU",
];

/// Ready Player Me morph target names, indexed by [`Viseme::index`].
const RPM_NAMES: [&str; Viseme::COUNT] = [
    "viseme_sil",
    "viseme_PP",
    "viseme_FF",
    "viseme_TH",
    "viseme_DD",
    "viseme_kk",
    "viseme_CH",
    "viseme_SS",
    "viseme_nn",
    "viseme_RR",
    "viseme_aa",
    "viseme_E",
    "viseme_I",
    "viseme_O",
    "viseme_U",
];

const RPM_PREFIX: &str = "viseme_";

impl Viseme {
    /// Number of canonical visemes.
    pub const COUNT: usize = 15;

    /// Every viseme, in OpenXR order (`ALL[v.index()] == v`).
    pub const ALL: [Viseme; Viseme::COUNT] = [
        Viseme::Sil,
        Viseme::Pp,
        Viseme::Ff,
        Viseme::Th,
        Viseme::Dd,
        Viseme::Kk,
        Viseme::Ch,
        Viseme::Ss,
        Viseme::Nn,
        Viseme::Rr,
        Viseme::Aa,
        Viseme::E,
        Viseme::Ih,
        Viseme::Oh,
        Viseme::Ou,
    ];

    /// The shape shown for a symbol no table knows.
    ///
    /// `DD` (jaw slightly open, lips parted and neutral) rather than `SIL`: an unknown symbol is
    /// still a sound being made, and a closed mouth in mid-word reads as a stutter, while DD sits
    /// between the consonant and vowel shapes around it without drawing the eye.
    pub const NEUTRAL: Viseme = Viseme::Dd;

    /// The OpenXR index, 0..15.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The viseme with OpenXR index `index`, if it is below [`Viseme::COUNT`].
    pub fn from_index(index: usize) -> Option<Viseme> {
        Self::ALL.get(index).copied()
    }

    /// The OpenXR / Oculus label: `"SIL"`, `"PP"`, ..., `"OU"`.
    pub fn openxr_name(self) -> &'static str {
        OPENXR_NAMES[self.index()]
    }

    /// The Ready Player Me morph target name: `"viseme_sil"`, `"viseme_PP"`, ..., `"viseme_U"`.
    pub fn rpm_name(self) -> &'static str {
        RPM_NAMES[self.index()]
    }

    /// Whether this is a vowel shape (AA, E, IH, OH, OU).
    pub fn is_vowel(self) -> bool {
        matches!(
            self,
            Viseme::Aa | Viseme::E | Viseme::Ih | Viseme::Oh | Viseme::Ou
        )
    }

    /// Reads a label from Inworld's `lipsyncAlignment`, whose schema is not published: a viseme
    /// name as [`FromStr`] accepts it, or an OpenXR index written as a number (`"10"` is AA).
    pub fn from_lipsync_label(label: &str) -> Option<Viseme> {
        let label = label.trim();
        match label.parse::<usize>() {
            Ok(index) => Self::from_index(index),
            Err(_) => label.parse().ok(),
        }
    }
}

impl FromStr for Viseme {
    type Err = UnknownViseme;

    /// Accepts, case-insensitively, an OpenXR label (`"aa"`, `"SIL"`), a Ready Player Me name
    /// (`"viseme_aa"`, `"viseme_I"`), either with or without the `viseme_` prefix, and `STOP`
    /// (Unreal's name for silence).
    fn from_str(label: &str) -> Result<Self, Self::Err> {
        let trimmed = label.trim();
        if trimmed.eq_ignore_ascii_case("STOP") {
            return Ok(Viseme::Sil);
        }
        let bare = match trimmed.get(..RPM_PREFIX.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(RPM_PREFIX) => &trimmed[RPM_PREFIX.len()..],
            _ => trimmed,
        };
        Self::ALL
            .into_iter()
            .find(|v| {
                v.openxr_name().eq_ignore_ascii_case(bare)
                    || v.rpm_name()[RPM_PREFIX.len()..].eq_ignore_ascii_case(bare)
            })
            .ok_or_else(|| UnknownViseme(label.to_owned()))
    }
}

impl fmt::Display for Viseme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.openxr_name())
    }
}

/// A label that names no canonical viseme.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a viseme label (expected an OpenXR label such as \"AA\" or a Ready Player Me name such as \"viseme_aa\")"
)]
pub struct UnknownViseme(pub String);

/// Inworld's viseme category for a phone (`visemeSymbol`): 12 groups of sounds plus silence.
///
/// Named after the letters Inworld spells them with (`cdgknstxyz` groups t, d, k, g, n, s, z).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VisemeCategory {
    /// `aei`: open and mid vowels.
    Aei,
    /// `bmp`: lips closed.
    Bmp,
    /// `cdgknstxyz`: tongue consonants.
    Cdgknstxyz,
    /// `chjsh`: postalveolars.
    Chjsh,
    /// `ee`: close front vowels.
    Ee,
    /// `fv`: lip to teeth.
    Fv,
    /// `l`.
    L,
    /// `o`: rounded mid vowels.
    O,
    /// `qw`: rounded glide.
    Qw,
    /// `r`.
    R,
    /// `th`: tongue between teeth.
    Th,
    /// `u`: rounded close vowels.
    U,
    /// `sil` (Unreal spells it `STOP`).
    Sil,
}

impl VisemeCategory {
    /// Every category, silence last.
    pub const ALL: [VisemeCategory; 13] = [
        VisemeCategory::Aei,
        VisemeCategory::Bmp,
        VisemeCategory::Cdgknstxyz,
        VisemeCategory::Chjsh,
        VisemeCategory::Ee,
        VisemeCategory::Fv,
        VisemeCategory::L,
        VisemeCategory::O,
        VisemeCategory::Qw,
        VisemeCategory::R,
        VisemeCategory::Th,
        VisemeCategory::U,
        VisemeCategory::Sil,
    ];

    /// The category as Inworld writes it (`"aei"`, ..., `"sil"`).
    pub fn name(self) -> &'static str {
        match self {
            VisemeCategory::Aei => "aei",
            VisemeCategory::Bmp => "bmp",
            VisemeCategory::Cdgknstxyz => "cdgknstxyz",
            VisemeCategory::Chjsh => "chjsh",
            VisemeCategory::Ee => "ee",
            VisemeCategory::Fv => "fv",
            VisemeCategory::L => "l",
            VisemeCategory::O => "o",
            VisemeCategory::Qw => "qw",
            VisemeCategory::R => "r",
            VisemeCategory::Th => "th",
            VisemeCategory::U => "u",
            VisemeCategory::Sil => "sil",
        }
    }

    /// Reads a category case-insensitively, `STOP` included; `None` for anything else.
    pub fn parse(symbol: &str) -> Option<VisemeCategory> {
        let symbol = symbol.trim();
        if symbol.eq_ignore_ascii_case("STOP") {
            return Some(VisemeCategory::Sil);
        }
        Self::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(symbol))
    }

    /// The viseme shown for the category when the phone does not say more.
    ///
    /// `l` is DD (tongue up; some rigs prefer NN); the phone `l` on its own maps to NN.
    pub fn default_viseme(self) -> Viseme {
        match self {
            VisemeCategory::Aei => Viseme::Aa,
            VisemeCategory::Bmp => Viseme::Pp,
            VisemeCategory::Cdgknstxyz | VisemeCategory::L => Viseme::Dd,
            VisemeCategory::Chjsh => Viseme::Ch,
            VisemeCategory::Ee => Viseme::Ih,
            VisemeCategory::Fv => Viseme::Ff,
            VisemeCategory::O => Viseme::Oh,
            VisemeCategory::Qw | VisemeCategory::U => Viseme::Ou,
            VisemeCategory::R => Viseme::Rr,
            VisemeCategory::Th => Viseme::Th,
            VisemeCategory::Sil => Viseme::Sil,
        }
    }

    /// Whether `viseme` is one of the shapes this category stands for, so a phone that maps to
    /// it may refine the category: `cdgknstxyz` allows DD, KK, SS and NN; `aei` allows AA, E and
    /// IH; every other category allows only its default.
    pub fn allows(self, viseme: Viseme) -> bool {
        match self {
            VisemeCategory::Cdgknstxyz => {
                matches!(viseme, Viseme::Dd | Viseme::Kk | Viseme::Ss | Viseme::Nn)
            }
            VisemeCategory::Aei => matches!(viseme, Viseme::Aa | Viseme::E | Viseme::Ih),
            _ => viseme == self.default_viseme(),
        }
    }
}

impl fmt::Display for VisemeCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_and_names_follow_openxr_and_rpm() {
        assert_eq!(Viseme::ALL.len(), Viseme::COUNT);
        for (i, v) in Viseme::ALL.into_iter().enumerate() {
            assert_eq!(v.index(), i);
            assert_eq!(Viseme::from_index(i), Some(v));
            assert_eq!(v.openxr_name().parse::<Viseme>(), Ok(v));
            assert_eq!(v.rpm_name().parse::<Viseme>(), Ok(v));
            assert_eq!(v.openxr_name().to_lowercase().parse::<Viseme>(), Ok(v));
        }
        assert_eq!(Viseme::Aa as u8, 10);
        assert_eq!(Viseme::Kk.rpm_name(), "viseme_kk");
        assert_eq!(Viseme::Nn.rpm_name(), "viseme_nn");
        assert_eq!(Viseme::Ou.rpm_name(), "viseme_U");
        assert_eq!(Viseme::Ou.openxr_name(), "OU");
        assert_eq!(Viseme::from_index(15), None);
    }

    #[test]
    fn labels_parse_leniently() {
        assert_eq!("STOP".parse(), Ok(Viseme::Sil));
        assert_eq!("stop".parse(), Ok(Viseme::Sil));
        assert_eq!("VISEME_AA".parse(), Ok(Viseme::Aa));
        assert_eq!(" ih ".parse(), Ok(Viseme::Ih));
        assert_eq!("viseme_IH".parse(), Ok(Viseme::Ih));
        assert!("viseme_".parse::<Viseme>().is_err());
        assert_eq!("XX".parse::<Viseme>(), Err(UnknownViseme("XX".to_owned())));
        assert_eq!(Viseme::from_lipsync_label("10"), Some(Viseme::Aa));
        assert_eq!(Viseme::from_lipsync_label("0"), Some(Viseme::Sil));
        assert_eq!(Viseme::from_lipsync_label("15"), None);
        assert_eq!(Viseme::from_lipsync_label("oh"), Some(Viseme::Oh));
    }

    #[test]
    fn serde_uses_the_openxr_label() {
        let json = serde_json::to_string(&[Viseme::Sil, Viseme::Ih]).unwrap();
        assert_eq!(json, r#"["SIL","IH"]"#);
        let back: Vec<Viseme> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, [Viseme::Sil, Viseme::Ih]);
    }

    #[test]
    fn categories_parse_case_insensitively() {
        for c in VisemeCategory::ALL {
            assert_eq!(VisemeCategory::parse(c.name()), Some(c));
            assert_eq!(VisemeCategory::parse(&c.name().to_uppercase()), Some(c));
            assert!(c.allows(c.default_viseme()));
        }
        assert_eq!(VisemeCategory::parse("STOP"), Some(VisemeCategory::Sil));
        assert_eq!(VisemeCategory::parse("xyz"), None);
        assert_eq!(VisemeCategory::parse(""), None);
    }

    #[test]
    fn category_defaults_follow_lipsync_md() {
        use VisemeCategory as C;
        let table = [
            (C::Bmp, Viseme::Pp),
            (C::Fv, Viseme::Ff),
            (C::Th, Viseme::Th),
            (C::L, Viseme::Dd),
            (C::Cdgknstxyz, Viseme::Dd),
            (C::Chjsh, Viseme::Ch),
            (C::R, Viseme::Rr),
            (C::Aei, Viseme::Aa),
            (C::Ee, Viseme::Ih),
            (C::O, Viseme::Oh),
            (C::U, Viseme::Ou),
            (C::Qw, Viseme::Ou),
            (C::Sil, Viseme::Sil),
        ];
        for (category, viseme) in table {
            assert_eq!(category.default_viseme(), viseme, "{category}");
        }
    }
}
