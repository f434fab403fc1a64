//! Everything a game needs to make characters talk: `use bevy_lipsync::prelude::*;`.

pub use crate::audio::{OutputConfig, OutputMode};
pub use crate::lipsync::{
    Emotion, HeadState, MouthShape, RigPreset, RigTable, Viseme, VisemeWeights,
};
pub use crate::plugin::{
    EmotionChanged, Expression, HeadBone, HeadMotion, InworldSetting, JawBone, Line, LineId,
    LineProgress, LineSource, LipsyncPlugin, LipsyncPlugins, LipsyncSettings, LipsyncSystems,
    Mouth, MouthRig, Persona, ReplyHeard, SayMode, SpatialVoice, SpeakExt, Speaker, SpeechFailed,
    SpeechFinished, SpeechQueue, SpeechStalled, SpeechStarted, SpriteMouth, VisemeChanged,
    VoiceLine, VoiceListener, VoiceRejected, Vrm, VrmCharacter, WordSpoken,
};
pub use crate::speech::{SpeechError, TextFeed};
