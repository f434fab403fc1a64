//! The components a talking character carries.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use bevy::prelude::{Component, Entity, Handle, Reflect, ReflectComponent, ReflectDefault};

use crate::lipsync::{RigPreset, Viseme, VisemeWeights};

use super::line::ActiveLine;

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
#[require(
    SpeechQueue,
    Mouth,
    super::Expression,
    super::HeadMotion,
    super::motion::HeadRig,
    super::RigReport
)]
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

/// What to do with a line when the speaker is already talking.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SayMode {
    /// Wait for the lines before it.
    #[default]
    Queue,
    /// Stop the current line (its mouth relaxes), drop the queue, say this one now.
    Interrupt,
}

/// Which line an event is about.
///
/// Every [`Line`] gets a fresh one when it is made (or the game sets its own with
/// [`Line::with_id`], a dialogue node's id say); `say` returns it and every event of the line
/// carries it, so two lines with the same text can be told apart.
///
/// ```
/// use bevy_lipsync::plugin::{Line, LineId};
///
/// let (a, b) = (Line::new("Yes."), Line::new("Yes."));
/// assert_ne!(a.id, b.id);
/// assert_eq!(Line::new("No.").with_id(LineId(7)).id, LineId(7));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Reflect)]
#[reflect(Debug, PartialEq, Hash)]
pub struct LineId(pub u64);

impl LineId {
    /// An id no other call in this process returned (ids a game sets itself aside): counted
    /// from 2^63, so a game's own small numbers never collide with it.
    pub fn fresh() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1 << 63);
        LineId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

impl std::fmt::Display for LineId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.0)
    }
}

/// A line to say.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// What to say; Inworld-style tags are allowed.
    pub text: String,
    /// Queue or interrupt.
    pub mode: SayMode,
    /// Carried on every event of the line.
    pub id: LineId,
    /// A recorded line to play instead of synthesising `text` (see [`Line::recorded`]).
    pub recording: Option<Handle<super::VoiceLine>>,
    /// Text that arrives over time instead of `text` (see [`Line::streamed`]).
    pub feed: Option<crate::speech::TextFeed>,
    /// A reply to this player line, written by the speaker's [`Persona`](super::Persona)'s LLM
    /// and spoken as it is written, instead of `text` (see [`Line::reply_to`]).
    pub reply: Option<String>,
}

impl Line {
    /// A line that waits its turn.
    pub fn new(text: impl Into<String>) -> Self {
        Line {
            text: text.into(),
            mode: SayMode::Queue,
            id: LineId::fresh(),
            recording: None,
            feed: None,
            reply: None,
        }
    }

    /// A line whose text arrives over time (an LLM's tokens, a dialogue generator), and the
    /// feed to push it into: each sentence is spoken as soon as it is complete, back to back in
    /// one line, with its words announced as they are heard. Call
    /// [`TextFeed::finish`](crate::speech::TextFeed::finish) at the end. The line's text (in
    /// its events and [`LineProgress`]) is the words timed so far.
    pub fn streamed() -> (Self, crate::speech::TextFeed) {
        let feed = crate::speech::TextFeed::new();
        let line = Line {
            feed: Some(feed.clone()),
            ..Line::new("")
        };
        (line, feed)
    }

    /// The speaker's reply to what the player said: its [`Persona`](super::Persona)'s LLM
    /// writes it, and each sentence is spoken as soon as it is written. It cuts in (barge-in):
    /// a line being spoken stops within a block, with a short fade, and the queue is dropped.
    pub fn reply_to(player: impl Into<String>) -> Self {
        Line {
            reply: Some(player.into()),
            mode: SayMode::Interrupt,
            ..Line::new("")
        }
    }

    /// A recorded line that waits its turn (until it has loaded, too); its text is its
    /// timeline's words.
    pub fn recorded(line: Handle<super::VoiceLine>) -> Self {
        Line {
            recording: Some(line),
            ..Line::new("")
        }
    }

    /// A line that cuts in: the current line stops and the queue is dropped.
    pub fn interrupting(text: impl Into<String>) -> Self {
        Line {
            mode: SayMode::Interrupt,
            ..Line::new(text)
        }
    }

    /// The line with the game's own id (a dialogue node, a quest step).
    pub fn with_id(mut self, id: LineId) -> Self {
        self.id = id;
        self
    }
}

impl From<&str> for Line {
    fn from(text: &str) -> Self {
        Line::new(text)
    }
}

impl From<Handle<super::VoiceLine>> for Line {
    fn from(line: Handle<super::VoiceLine>) -> Self {
        Line::recorded(line)
    }
}

impl From<String> for Line {
    fn from(text: String) -> Self {
        Line::new(text)
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
            self.stop();
        }
        let id = line.id;
        self.waiting.push_back(line);
        id
    }

    /// Stops the current line and moves on to the next.
    pub fn skip(&mut self) {
        self.stop_current = self.current.is_some();
    }

    /// Stops the current line and drops the waiting ones.
    pub fn stop(&mut self) {
        self.waiting.clear();
        self.skip();
    }

    /// Pauses the speaker: its line falls silent within a block (a short fade) and holds its
    /// place, the mouth relaxes, and waiting lines wait. Stopping and interrupting still work.
    pub fn pause(&mut self) {
        self.paused = true;
    }

    /// Resumes a paused speaker: its line goes on from the very frame it stopped at.
    pub fn resume(&mut self) {
        self.paused = false;
    }

    /// Whether [`SpeechQueue::pause`] holds the speaker.
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

/// Where a line is, as of the last frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineProgress<'a> {
    /// The line.
    pub text: &'a str,
    /// Words timed so far, as spoken (final words only).
    pub words_timed: usize,
    /// Index of the word being shown, if one has started.
    pub word: Option<usize>,
    /// Seconds of the line heard (audible clock, latency compensated) at the frame's instant.
    pub heard_seconds: f64,
    /// Seconds of the line the mouth shows this frame: what will be heard while the frame is on
    /// screen (the heard position plus the render latency and half a frame).
    pub shown_seconds: f64,
    /// Time from the request to the first audio heard, once it has been.
    pub first_audio: Option<std::time::Duration>,
    /// Underruns the line's audio had so far.
    pub underruns: u64,
    /// Whether all of the line's audio and timing has arrived.
    pub delivered: bool,
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
