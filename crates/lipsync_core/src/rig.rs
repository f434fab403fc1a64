//! Rig presets: from [`VisemeWeights`] to a character's named morph targets.
//!
//! Every preset is a linear recipe: each morph target is a weighted sum of the 15 viseme
//! weights and the jaw (see [`RigInput`]), clamped to `0..=1`.
//!
//! | preset | targets | notes |
//! |---|---|---|
//! | [`RigPreset::OpenXr`] | `viseme_sil` ... `viseme_U` (Ready Player Me) or `SIL` ... `OU` (OpenXR) | any name [`Viseme`]'s parser accepts; a `jawOpen` target, if present, gets the audio fallback |
//! | [`RigPreset::Arkit52`] | `jawOpen`, `mouthClose`, `mouthFunnel`, `mouthPucker`, `mouthStretchLeft/Right`, `mouthUpperUpLeft/Right`, `mouthLowerDownLeft/Right`, `mouthPressLeft/Right`, `mouthRollLower/Upper`, `tongueOut` (Apple's names; the `_L`/`_R` spellings of some exporters bind too) | recipes from the [shape table](crate::Viseme#what-each-viseme-looks-like) |
//! | [`RigPreset::Vrm`] | `aa`, `ih`, `ou`, `ee`, `oh` (VRM 1.0 expressions) | consonants lean on the nearest vowel; `aa` also carries the audio fallback |
//! | [`RigPreset::Custom`] | a [`RigTable`], loadable with serde | |
//!
//! Names are resolved once, in [`RigPreset::bind`]; [`RigBinding::apply`] then only multiplies
//! and writes by index, allocating nothing.
//!
//! ```
//! use lipsync_core::{RigPreset, RigTable, Viseme, VisemeWeights};
//!
//! let table = RigTable::from_json(r#"{ "targets": {
//!     "MouthOpen": { "jaw": 1.0 },
//!     "Smile": { "IH": 0.6, "E": 0.3 }
//! } }"#)?;
//! let rig = RigPreset::Custom(table).bind(&["Blink", "Smile", "MouthOpen"]);
//! assert!(rig.missing().is_empty());
//! let mut mouth = VisemeWeights::default();
//! mouth.weights[Viseme::Ih.index()] = 0.5;
//! let mut morphs = [0.0; 3];
//! rig.apply(&mouth, &mut morphs);
//! assert_eq!(morphs, [0.0, 0.3, 0.0]);
//! # Ok::<(), lipsync_core::RigError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::curve::{JAW_OPENING, VisemeWeights};
use super::viseme::Viseme;

/// What a recipe reads: one viseme's weight, the jaw, or the part of the jaw that comes from the
/// audio fallback only. Written in tables as a viseme name (`"AA"`, `"viseme_aa"`), `"jaw"`
/// or `"jawFallback"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub enum RigInput {
    /// The weight of a viseme.
    Viseme(Viseme),
    /// [`VisemeWeights::jaw_open`]: the shapes' jaw plus the audio fallback.
    Jaw,
    /// The jaw opening not explained by the viseme weights ([`VisemeWeights::jaw_open`] minus
    /// each weight times [`JAW_OPENING`]): for targets that already open with the visemes and
    /// only need the audio fallback on top.
    JawFallback,
}

/// Number of inputs: 15 visemes and the jaw.
const INPUTS: usize = Viseme::COUNT + 1;
const JAW: usize = Viseme::COUNT;

impl fmt::Display for RigInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RigInput::Viseme(v) => f.write_str(v.openxr_name()),
            RigInput::Jaw => f.write_str("jaw"),
            RigInput::JawFallback => f.write_str("jawFallback"),
        }
    }
}

impl FromStr for RigInput {
    type Err = RigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("jaw") || s.eq_ignore_ascii_case("jawOpen") {
            return Ok(RigInput::Jaw);
        }
        if s.eq_ignore_ascii_case("jawFallback") {
            return Ok(RigInput::JawFallback);
        }
        s.parse()
            .map(RigInput::Viseme)
            .map_err(|_| RigError::UnknownInput(s.to_owned()))
    }
}

impl TryFrom<String> for RigInput {
    type Error = RigError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<RigInput> for String {
    fn from(input: RigInput) -> String {
        input.to_string()
    }
}

/// What can go wrong reading a rig table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RigError {
    /// A recipe names an input that is neither a viseme nor the jaw.
    #[error(
        "rig table input {0:?} is not a viseme (SIL PP FF TH DD KK CH SS NN RR AA E IH OH OU, or viseme_*) nor \"jaw\"/\"jawFallback\""
    )]
    UnknownInput(String),
    /// The table is not JSON of the documented shape.
    #[error(
        "the rig table is not of the shape {{\"targets\": {{\"<morph name>\": {{\"<viseme or jaw>\": <weight>}}}}}}: {0}"
    )]
    Table(String),
}

/// A user recipe: for each morph target name, the inputs it sums and their coefficients.
///
/// JSON: `{ "targets": { "jawOpen": { "jaw": 1.0 }, "Smile": { "IH": 0.6, "E": 0.3 } } }`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct RigTable {
    /// Morph target name → input → coefficient.
    pub targets: BTreeMap<String, BTreeMap<RigInput, f32>>,
}

impl RigTable {
    /// Reads a table from JSON.
    pub fn from_json(json: &str) -> Result<Self, RigError> {
        serde_json::from_str(json).map_err(|e| RigError::Table(e.to_string()))
    }

    /// A table from `(target, [(input, coefficient)])` rows.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (&'a str, &'a [(RigInput, f32)])>) -> Self {
        let targets = rows
            .into_iter()
            .map(|(name, inputs)| (name.to_owned(), inputs.iter().copied().collect()))
            .collect();
        RigTable { targets }
    }
}

/// How the mouth is written onto a character's morph targets.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub enum RigPreset {
    /// One target per viseme, named the Ready Player Me way (`viseme_aa`) or the OpenXR way
    /// (`AA`); a `jawOpen` target, if present, takes the audio fallback.
    OpenXr,
    /// ARKit-52 blendshapes (no viseme shapes): each viseme is a recipe of mouth targets.
    Arkit52,
    /// VRM 1.0 expressions `aa ih ou ee oh`.
    Vrm,
    /// A user table.
    Custom(RigTable),
}

use RigInput::{Jaw, JawFallback};
use Viseme::*;

/// The optional jaw target of [`RigPreset::OpenXr`] (Ready Player Me avatars carry ARKit's).
const OPENXR_JAW: &str = "jawOpen";

/// Shorthand for a viseme input in the recipes below.
const fn v(viseme: Viseme, weight: f32) -> (RigInput, f32) {
    (RigInput::Viseme(viseme), weight)
}

const STRETCH: &[(RigInput, f32)] = &[
    v(Th, 0.1),
    v(Dd, 0.1),
    v(Kk, 0.15),
    v(Ss, 0.35),
    v(E, 0.4),
    v(Ih, 0.6),
];
const UPPER_UP: &[(RigInput, f32)] = &[v(Ff, 0.3), v(Ch, 0.3), v(Ss, 0.25), v(E, 0.15), v(Ih, 0.3)];
const LOWER_DOWN: &[(RigInput, f32)] = &[
    v(Th, 0.15),
    v(Dd, 0.2),
    v(Kk, 0.15),
    v(Ch, 0.3),
    v(Ss, 0.25),
    v(Nn, 0.15),
    v(Aa, 0.35),
    v(E, 0.25),
    v(Ih, 0.2),
];
const PRESS: &[(RigInput, f32)] = &[v(Pp, 0.6)];

/// ARKit recipes, after the [shape table](crate::Viseme#what-each-viseme-looks-like) (jaw from
/// [`JAW_OPENING`] through `jaw`).
const ARKIT: &[(&str, &[(RigInput, f32)])] = &[
    ("jawOpen", &[(Jaw, 1.0)]),
    // Lips together while a neighbouring vowel still holds the jaw open.
    ("mouthClose", &[v(Pp, 0.4), v(Ff, 0.1)]),
    (
        "mouthFunnel",
        &[v(Ch, 0.5), v(Rr, 0.3), v(Oh, 0.7), v(Ou, 0.35)],
    ),
    (
        "mouthPucker",
        &[v(Ch, 0.25), v(Rr, 0.35), v(Oh, 0.25), v(Ou, 0.9)],
    ),
    ("mouthStretchLeft", STRETCH),
    ("mouthStretchRight", STRETCH),
    ("mouthUpperUpLeft", UPPER_UP),
    ("mouthUpperUpRight", UPPER_UP),
    ("mouthLowerDownLeft", LOWER_DOWN),
    ("mouthLowerDownRight", LOWER_DOWN),
    ("mouthPressLeft", PRESS),
    ("mouthPressRight", PRESS),
    ("mouthRollLower", &[v(Pp, 0.3), v(Ff, 0.6)]),
    ("mouthRollUpper", &[v(Pp, 0.3)]),
    ("tongueOut", &[v(Th, 0.45)]),
];

/// VRM recipes: five vowels, so consonants borrow the vowel closest in shape.
const VRM: &[(&str, &[(RigInput, f32)])] = &[
    (
        "aa",
        &[
            v(Aa, 1.0),
            v(Kk, 0.3),
            v(Th, 0.2),
            v(Dd, 0.2),
            v(Nn, 0.2),
            (JawFallback, 1.0),
        ],
    ),
    ("ih", &[v(Ih, 1.0), v(Ss, 0.4), v(Ff, 0.3)]),
    ("ou", &[v(Ou, 1.0), v(Rr, 0.5), v(Ch, 0.4)]),
    ("ee", &[v(E, 1.0)]),
    ("oh", &[v(Oh, 1.0)]),
];

/// The [`RigPreset::Vrm`] recipe of one VRM mouth expression (`aa ih ou ee oh`).
pub(crate) fn vrm_recipe(expression: &str) -> Option<&'static [(RigInput, f32)]> {
    VRM.iter()
        .find(|(name, _)| *name == expression)
        .map(|(_, recipe)| *recipe)
}

impl RigPreset {
    /// The recipe as a table (for presets, the built-in one).
    pub fn table(&self) -> RigTable {
        match self {
            RigPreset::OpenXr => {
                let mut table = RigTable::default();
                for viseme in Viseme::ALL {
                    let recipe = BTreeMap::from([(RigInput::Viseme(viseme), 1.0)]);
                    table.targets.insert(viseme.rpm_name().to_owned(), recipe);
                }
                let jaw = BTreeMap::from([(JawFallback, 1.0)]);
                table.targets.insert(OPENXR_JAW.to_owned(), jaw);
                table
            }
            RigPreset::Arkit52 => RigTable::from_rows(ARKIT.iter().copied()),
            RigPreset::Vrm => RigTable::from_rows(VRM.iter().copied()),
            RigPreset::Custom(table) => table.clone(),
        }
    }

    /// The morph target names the preset drives.
    pub fn target_names(&self) -> Vec<String> {
        self.table().targets.into_keys().collect()
    }

    /// Resolves the recipe against a mesh's morph target names (Bevy:
    /// `Mesh::morph_target_names()`). Exact names win, then case-insensitive ones, then the
    /// same name spelled with a side suffix of another convention (`mouthStretch_L`,
    /// `mouthStretch.L` and `mouthStretchLeft` are one target); for [`RigPreset::OpenXr`] any
    /// viseme name [`Viseme`]'s parser reads also matches. A table target written `#<index>`
    /// (`"#5"`) that matches no name is the mesh's target at that index: the way to drive
    /// targets that have no names.
    pub fn bind<S: AsRef<str>>(&self, morph_names: &[S]) -> RigBinding {
        let table = self.table();
        let names: Vec<&str> = morph_names.iter().map(AsRef::as_ref).collect();
        let mut rows = Vec::new();
        let mut missing = Vec::new();
        for (target, recipe) in &table.targets {
            let found = names.iter().position(|n| n == target).or_else(|| {
                let mut same = names
                    .iter()
                    .position(|n| n.eq_ignore_ascii_case(target))
                    .or_else(|| {
                        let wanted = sided(target);
                        names.iter().position(|n| sided(n) == wanted)
                    });
                let openxr = *self == RigPreset::OpenXr;
                if let (None, true, Ok(viseme)) = (same, openxr, target.parse::<Viseme>()) {
                    same = names
                        .iter()
                        .position(|n| n.parse::<Viseme>().ok() == Some(viseme));
                }
                same
            });
            let found = found.or_else(|| {
                let index: usize = target.strip_prefix('#')?.parse().ok()?;
                (index < names.len()).then_some(index)
            });
            match found {
                Some(index) => rows.push((index, coefficients(recipe))),
                // The jaw is a bonus on viseme rigs, not a missing shape.
                None if *self == RigPreset::OpenXr && target == OPENXR_JAW => {}
                None => missing.push(target.clone()),
            }
        }
        RigBinding { rows, missing }
    }
}

/// `name` lower-cased with its side spelled out and separators dropped: `mouthStretch_L`,
/// `mouthStretch.L`, `mouthstretch_l` and `mouthStretchLeft` all give `mouthstretchleft`.
pub(crate) fn sided(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let (stem, side) = match lower.len().checked_sub(2).map(|at| lower.split_at(at)) {
        Some((stem, "_l" | ".l")) => (stem, "left"),
        Some((stem, "_r" | ".r")) => (stem, "right"),
        _ => (lower.as_str(), ""),
    };
    stem.chars()
        .filter(|c| !matches!(c, '_' | '.' | '-' | ' '))
        .chain(side.chars())
        .collect()
}

/// A recipe as dense coefficients over the 15 visemes and the jaw.
fn coefficients(recipe: &BTreeMap<RigInput, f32>) -> [f32; INPUTS] {
    let mut c = [0.0; INPUTS];
    for (&input, &k) in recipe {
        match input {
            RigInput::Viseme(v) => c[v.index()] += k,
            Jaw => c[JAW] += k,
            JawFallback => {
                // jaw_open - Σ w·JAW_OPENING, folded into the coefficients.
                c[JAW] += k;
                for (ci, opening) in c.iter_mut().zip(JAW_OPENING) {
                    *ci -= k * opening;
                }
            }
        }
    }
    c
}

/// A recipe resolved against one mesh's morph targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RigBinding {
    /// (morph target index, coefficients over the 15 visemes and the jaw).
    rows: Vec<(usize, [f32; INPUTS])>,
    missing: Vec<String>,
}

impl RigBinding {
    /// Writes the bound targets of `out` (indexed like the names given to
    /// [`RigPreset::bind`]); other entries are left alone. Allocation-free.
    pub fn apply(&self, mouth: &VisemeWeights, out: &mut [f32]) {
        for (index, c) in &self.rows {
            let Some(slot) = out.get_mut(*index) else {
                continue;
            };
            let visemes: f32 = c.iter().zip(&mouth.weights).map(|(c, w)| c * w).sum();
            *slot = (visemes + c[JAW] * mouth.jaw_open).clamp(0.0, 1.0);
        }
    }

    /// Morph target indices this binding writes.
    pub fn targets(&self) -> impl Iterator<Item = usize> + '_ {
        self.rows.iter().map(|(i, _)| *i)
    }

    /// Whether a bound target opens with the jaw (a `jawOpen` target, or VRM's `aa`): if none
    /// does, a jaw bone has to.
    pub fn opens_jaw(&self) -> bool {
        self.rows.iter().any(|(_, c)| c[JAW] != 0.0)
    }

    /// Recipe targets the mesh does not have (worth a warning: a mouth missing shapes).
    pub fn missing(&self) -> &[String] {
        &self.missing
    }
}

#[cfg(test)]
mod tests;
