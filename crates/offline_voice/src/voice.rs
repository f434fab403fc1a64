//! The offline voices: one synthesiser, different speakers.
//!
//! A preset sets what distinguishes speakers in a formant model: the pitch range, how the
//! formants scale with vocal-tract length (female tracts are about 15 % shorter, so every
//! formant is higher), how breathy and how bright the glottal source is.

use std::fmt;
use std::str::FromStr;

/// One of the built-in offline voices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum OfflineVoice {
    /// A low adult male voice (the default).
    #[default]
    Male,
    /// A higher, breathier adult female voice.
    Female,
}

impl OfflineVoice {
    /// Every voice.
    pub const ALL: [OfflineVoice; 2] = [OfflineVoice::Male, OfflineVoice::Female];

    /// The voice's name as written in descriptors (`offline:female`).
    pub fn name(self) -> &'static str {
        match self {
            OfflineVoice::Male => "male",
            OfflineVoice::Female => "female",
        }
    }

    /// The voice a descriptor names: `male`/`man`/`default`, `female`/`woman`, any case.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "male" | "man" | "default" | "m" => Some(OfflineVoice::Male),
            "female" | "woman" | "f" => Some(OfflineVoice::Female),
            _ => None,
        }
    }

    pub(crate) fn preset(self) -> VoicePreset {
        match self {
            OfflineVoice::Male => VoicePreset {
                f0: 112.0,
                pitch_range: 1.0,
                formant_scale: [1.0, 1.0, 1.0],
                f4: 3_400.0,
                f5: 3_900.0,
                f6: 4_900.0,
                bandwidth_scale: 1.0,
                open_quotient: 0.55,
                tilt_hz: 5_000.0,
                breathiness: 0.02,
            },
            OfflineVoice::Female => VoicePreset {
                f0: 205.0,
                pitch_range: 1.15,
                formant_scale: [1.12, 1.17, 1.16],
                f4: 4_200.0,
                f5: 4_700.0,
                f6: 5_600.0,
                bandwidth_scale: 1.15,
                open_quotient: 0.68,
                tilt_hz: 3_200.0,
                breathiness: 0.07,
            },
        }
    }
}

impl fmt::Display for OfflineVoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of the offline voices.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an offline voice: use `male` or `female`")]
pub struct UnknownOfflineVoice(pub String);

impl FromStr for OfflineVoice {
    type Err = UnknownOfflineVoice;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OfflineVoice::from_name(s).ok_or_else(|| UnknownOfflineVoice(s.trim().to_owned()))
    }
}

/// A speaker made from a preset: its pitch and its vocal tract scaled, for more voices than the
/// presets (training data for audio-driven lipsync, crowds of NPCs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoiceVariant {
    /// Mean pitch factor (`1.0`: the preset's).
    pub pitch: f32,
    /// Vocal tract factor on every formant (`1.0`: the preset's; `1.1`: a 10 % shorter tract).
    pub tract: f32,
}

impl Default for VoiceVariant {
    fn default() -> Self {
        VoiceVariant {
            pitch: 1.0,
            tract: 1.0,
        }
    }
}

impl VoicePreset {
    /// The preset with `variant` applied.
    pub(crate) fn varied(mut self, variant: VoiceVariant) -> VoicePreset {
        self.f0 *= variant.pitch.clamp(0.5, 2.0);
        let tract = variant.tract.clamp(0.8, 1.25);
        for f in &mut self.formant_scale {
            *f *= tract;
        }
        self.f4 *= tract;
        self.f5 *= tract;
        self.f6 *= tract;
        self
    }
}

/// What the synthesiser needs to know about a speaker.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct VoicePreset {
    /// Mean pitch, Hz.
    pub(crate) f0: f32,
    /// Scale of pitch excursions (accents, falls) around the mean.
    pub(crate) pitch_range: f32,
    /// F1..F3 scale against the male tables.
    pub(crate) formant_scale: [f32; 3],
    /// Fixed higher formants, Hz.
    pub(crate) f4: f32,
    pub(crate) f5: f32,
    pub(crate) f6: f32,
    /// Bandwidth scale against the male tables.
    pub(crate) bandwidth_scale: f32,
    /// Share of each glottal period the folds are open (higher is softer, breathier).
    pub(crate) open_quotient: f32,
    /// Corner of the source's extra spectral tilt, Hz (lower is darker).
    pub(crate) tilt_hz: f32,
    /// Breath noise mixed into voicing, 0..1.
    pub(crate) breathiness: f32,
}
