//! The components a talking character carries.

use std::collections::VecDeque;

use bevy::prelude::{Component, Entity, Reflect, ReflectComponent, ReflectDefault};

use crate::lipsync::{RigPreset, Viseme, VisemeWeights};

use super::active_line::ActiveLine;
use super::line::{Line, LineId, LineProgress, SayMode};

/// Marks an entity as a character that can talk, and says how it sounds and moves.
///
/// Its meshes (the entity itself and its descendants, glTF scenes included) that carry
/// `MorphWeights` are bound through [`Speaker::rig`] once their mesh is loaded.
///
/// ```
/// use bevy_lipsync::plugin::Speaker;
/// use bevy_lipsync::lipsync::RigPreset;
///
/// let npc = Speaker::new("inworld/inworld-tts-1.5-max:Dennis")
///     .with_rate(1.1)
///     .with_rig(RigPreset::Arkit52);
/// assert_eq!(npc.voice.as_deref(), Some("inworld/inworld-tts-1.5-max:Dennis"));
/// ```
#[derive(Component, Clone, Debug, Reflect)]
#[reflect(Component, Default, Debug)]
#[require(SpeechQueue, Mouth)]
pub struct Speaker {
    /// Voice descriptor (`inworld/inworld-tts-1.5-max:Dennis`, `Ashley`, `offline:female`);
    /// `None` takes the plugin's default.
    pub voice: Option<String>,
    /// BCP-47 language hint for multilingual voices.
    pub language: Option<String>,
    /// Speaking rate, 0.5 to 1.5.
    pub speaking_rate: f32,
    /// How the mouth maps onto the character's morph targets.
    pub rig: RigPreset,
    /// Linear gain of the voice, 0 to any (1 is as delivered), times the master
    /// [`voice_volume`](super::LipsyncSettings::voice_volume). A change mid-line ramps over a few
    /// milliseconds and leaves the rig alone.
    pub gain: f32,
}

impl Default for Speaker {
    fn default() -> Self {
        Speaker {
            voice: None,
            language: None,
            speaking_rate: 1.0,
            rig: RigPreset::OpenXr,
            gain: 1.0,
        }
    }
}

impl Speaker {
    /// A speaker with `voice` and the defaults otherwise.
    pub fn new(voice: impl Into<String>) -> Self {
        Speaker {
            voice: Some(voice.into()),
            ..Default::default()
        }
    }

    /// Sets the speaking rate (0.5 to 1.5).
    pub fn with_rate(mut self, rate: f32) -> Self {
        self.speaking_rate = rate;
        self
    }

    /// Sets the rig preset.
    pub fn with_rig(mut self, rig: RigPreset) -> Self {
        self.rig = rig;
        self
    }

    /// Sets the voice's gain.
    pub fn with_gain(mut self, gain: f32) -> Self {
        self.gain = gain;
        self
    }

    /// Sets the language hint.
    pub fn with_language(mut self, language: impl Into<String>) -> Self {
        self.language = Some(language.into());
        self
    }
}

/// A speaker's lines: the one being spoken and those waiting. Added with [`Speaker`].
///
/// Push lines through [`SpeakExt`](super::SpeakExt) (`commands.entity(npc).say(..)`) or with
/// [`SpeechQueue::say`] from a system that has the component.
#[derive(Component, Debug, Default)]
pub struct SpeechQueue {
    pub(crate) waiting: VecDeque<Line>,
    pub(crate) current: Option<ActiveLine>,
    /// The current line is to stop (skip or stop).
    pub(crate) stop_current: bool,
    /// The speaker holds: its line is silent where it stopped and no waiting line starts.
    pub(crate) paused: bool,
}

impl SpeechQueue {
    /// Adds a line; an interrupting one clears the queue and stops the current line. Returns
    /// the line's id.
    pub fn say(&mut self, line: impl Into<Line>) -> LineId {
        let line = line.into();
        if line.mode == SayMode::Interrupt {
            self.stop_speaking();
        }
        let id = line.id;
        self.waiting.push_back(line);
        id
    }

    /// Stops the current line and moves on to the next.
    pub fn skip_line(&mut self) {
        self.stop_current = self.current.is_some();
    }

    /// Stops the current line and drops the waiting ones.
    pub fn stop_speaking(&mut self) {
        self.waiting.clear();
        self.skip_line();
    }

    /// Pauses the speaker: its line falls silent within a block (a short fade) and holds its
    /// place, the mouth relaxes, and waiting lines wait. Stopping and interrupting still work.
    pub fn pause_speaking(&mut self) {
        self.paused = true;
    }

    /// Resumes a paused speaker: its line goes on from the very frame it stopped at.
    pub fn resume_speaking(&mut self) {
        self.paused = false;
    }

    /// Whether [`SpeechQueue::pause_speaking`] holds the speaker.
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Lines waiting after the current one.
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }

    /// Whether a line is being spoken (requested, playing, or its tail still heard).
    pub fn is_speaking(&self) -> bool {
        self.current.is_some()
    }

    /// The text of the line being spoken.
    pub fn current_text(&self) -> Option<&str> {
        self.current.as_ref().map(|line| line.text())
    }

    /// The id of the line being spoken.
    pub fn current_line(&self) -> Option<LineId> {
        self.current.as_ref().map(|line| line.line)
    }

    /// The ids of the lines waiting, in the order they will be spoken.
    pub fn waiting_lines(&self) -> impl Iterator<Item = LineId> + '_ {
        self.waiting.iter().map(|line| line.id)
    }

    /// Seconds of the current line heard at `at`, by its audible clock: `None` without a line
    /// or before its voice plays. Lets a game check afterwards what was heard while a frame was
    /// on screen (a sync meter).
    pub fn heard_seconds_at(&self, at: std::time::Instant) -> Option<f64> {
        self.current.as_ref()?.heard_seconds_at(at)
    }

    /// The current line's progress, for overlays and subtitles.
    pub fn progress(&self) -> Option<LineProgress<'_>> {
        self.current.as_ref().map(ActiveLine::progress)
    }
}

/// The mouth as of this frame: the weights the rig writes, readable by the game.
#[derive(Component, Clone, Copy, Debug, PartialEq, Reflect)]
#[reflect(Component, Default, Debug, PartialEq)]
pub struct Mouth {
    /// The 15 viseme weights and the jaw.
    pub weights: VisemeWeights,
    /// The shape a viewer reads.
    pub viseme: Viseme,
}

impl Default for Mouth {
    fn default() -> Self {
        Mouth {
            weights: VisemeWeights::REST,
            viseme: Viseme::Sil,
        }
    }
}

/// Points a mesh entity's morph targets at a speaker other than its ancestor, or overrides the
/// speaker's rig preset for this mesh (a custom table for an odd rig).
#[derive(Component, Clone, Debug, Default, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct MouthRig {
    /// The speaker whose mouth this mesh shows; `None`: the nearest ancestor with a [`Speaker`].
    pub speaker: Option<Entity>,
    /// The preset for this mesh; `None`: the speaker's.
    pub preset: Option<RigPreset>,
}
