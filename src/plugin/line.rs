//! A line to say, its id, and where it is as it is spoken.

use std::sync::atomic::{AtomicU64, Ordering};

use bevy::prelude::{Handle, Reflect};

use crate::speech::TextFeed;

use super::voice_line::VoiceLine;

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

/// Where a line's words come from: the game's side of
/// [`speech::LineSource`](crate::speech::LineSource), with an asset for a recording and the
/// player's words for a reply.
#[derive(Clone, Debug, PartialEq)]
pub enum LineSource {
    /// Text to say; Inworld-style tags are allowed.
    Text(String),
    /// A recorded line, played once it has loaded (see [`Line::recorded`]).
    Recorded(Handle<VoiceLine>),
    /// Text that arrives over time (see [`Line::streamed`]).
    Streamed(TextFeed),
    /// A reply to this player line, written by the speaker's [`Persona`](super::Persona)'s LLM
    /// and spoken as it is written (see [`Line::reply_to`]).
    Reply(String),
}

/// A line to say.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// What to say.
    pub source: LineSource,
    /// Queue or interrupt.
    pub mode: SayMode,
    /// Carried on every event of the line.
    pub id: LineId,
}

impl Line {
    /// A line that waits its turn.
    pub fn new(text: impl Into<String>) -> Self {
        Line::from_source(LineSource::Text(text.into()))
    }

    /// A line from `source` that waits its turn.
    pub fn from_source(source: LineSource) -> Self {
        Line {
            source,
            mode: SayMode::Queue,
            id: LineId::fresh(),
        }
    }

    /// The text, for a line given as text.
    pub fn text(&self) -> Option<&str> {
        match &self.source {
            LineSource::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A line whose text arrives over time (an LLM's tokens, a dialogue generator), and the
    /// feed to push it into: each sentence is spoken as soon as it is complete, back to back in
    /// one line, with its words announced as they are heard. Call
    /// [`TextFeed::finish`] at the end. The line's text (in
    /// its events and [`LineProgress`]) is the words timed so far.
    pub fn streamed() -> (Self, TextFeed) {
        let feed = TextFeed::new();
        (Line::from_source(LineSource::Streamed(feed.clone())), feed)
    }

    /// The speaker's reply to what the player said: its [`Persona`](super::Persona)'s LLM
    /// writes it, and each sentence is spoken as soon as it is written. It cuts in (barge-in):
    /// a line being spoken stops within a block, with a short fade, and the queue is dropped.
    pub fn reply_to(player: impl Into<String>) -> Self {
        Line {
            mode: SayMode::Interrupt,
            ..Line::from_source(LineSource::Reply(player.into()))
        }
    }

    /// A recorded line that waits its turn (until it has loaded, too); its text is its
    /// timeline's words.
    pub fn recorded(line: Handle<VoiceLine>) -> Self {
        Line::from_source(LineSource::Recorded(line))
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

impl From<Handle<VoiceLine>> for Line {
    fn from(line: Handle<VoiceLine>) -> Self {
        Line::recorded(line)
    }
}

impl From<String> for Line {
    fn from(text: String) -> Self {
        Line::new(text)
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
