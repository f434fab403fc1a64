//! What the plugin tells the game: observer events, and messages for those who ask.
//!
//! Every event is triggered on its speaker (observe it with `app.add_observer(..)` or
//! `commands.entity(npc).observe(..)`). With [`EventMessagesPlugin`] (in [`LipsyncPlugins`],
//! off until enabled) each is also written as a message, read with a `MessageReader`; without
//! it nothing is cloned or buffered twice. In this order for a line: [`SpeechStarted`], [`WordSpoken`]s and
//! [`VisemeChanged`]s as they are heard, then [`SpeechFinished`] or [`SpeechFailed`]. A line
//! whose output stops mid-way also sends [`SpeechStalled`]; a markup in its text that changes
//! the speaker's emotion sends [`EmotionChanged`] as the word it precedes is heard. A speaker
//! whose voice descriptor does not parse sends [`VoiceRejected`] as soon as it is inserted.

use std::sync::Arc;
use std::time::Duration;

use bevy::prelude::{App, Commands, Entity, EntityEvent, Message, Messages, Plugin, World};

use crate::lipsync::{Emotion, Viseme};

use super::line::LineId;
use crate::speech::SpeechError;

/// A line's first audio is being heard: sent in the frame on screen while its first sample
/// leaves the speaker (like a [`WordSpoken`]), not when it is rendered, which can be a device
/// buffer earlier.
#[derive(EntityEvent, Message, Clone, Debug)]
pub struct SpeechStarted {
    /// The speaker.
    pub entity: Entity,
    /// Which line ([`SpeakExt::say`](super::SpeakExt::say) returned it).
    pub line: LineId,
    /// The line.
    pub text: String,
    /// From the line being dispatched to its first sample being heard: what a player waits.
    pub time_to_first_audio: Duration,
    /// From the request being opened to its first audio arriving (network and synthesis).
    pub time_to_first_chunk: Duration,
}

/// A word is being heard (for subtitles).
#[derive(EntityEvent, Message, Clone, Debug)]
pub struct WordSpoken {
    /// The speaker.
    pub entity: Entity,
    /// Which line ([`SpeakExt::say`](super::SpeakExt::say) returned it).
    pub line: LineId,
    /// Index of the word in the line's timed words.
    pub index: usize,
    /// The word as timed by the provider (punctuation may be attached); shared with the line's
    /// timeline, so sending it allocates nothing.
    pub word: Arc<str>,
    /// Where it starts and ends in the line's audio, in seconds.
    pub start_seconds: f64,
    /// End of the word, in seconds.
    pub end_seconds: f64,
}

/// The mouth shape a viewer reads changed.
#[derive(EntityEvent, Message, Clone, Copy, Debug)]
pub struct VisemeChanged {
    /// The speaker.
    pub entity: Entity,
    /// The line being heard; `None` while the mouth relaxes between lines.
    pub line: Option<LineId>,
    /// The shape now shown ([`Viseme::Sil`] at rest).
    pub viseme: Viseme,
    /// The shape before.
    pub previous: Viseme,
}

/// A line ended: played to its end, or stopped.
#[derive(EntityEvent, Message, Clone, Debug)]
pub struct SpeechFinished {
    /// The speaker.
    pub entity: Entity,
    /// Which line ([`SpeakExt::say`](super::SpeakExt::say) returned it).
    pub line: LineId,
    /// The line.
    pub text: String,
    /// Whether it was stopped (skip, stop, an interrupting line) before its end.
    pub interrupted: bool,
}

/// A line's audio stopped being played although it has not run dry: the audio thread stopped
/// asking for blocks (device suspended, unplugged, the sound server gone). Sent within
/// [`STALL_AFTER`] of everything rendered being heard, with `stalled: true`; the mouth relaxes.
/// Sent again with `stalled: false` if the output comes back and the line plays on; after
/// [`LipsyncSettings::stall_timeout`](super::LipsyncSettings::stall_timeout) it fails instead
/// ([`SpeechFailed`]).
#[derive(EntityEvent, Message, Clone, Copy, Debug)]
pub struct SpeechStalled {
    /// The speaker.
    pub entity: Entity,
    /// Which line ([`SpeakExt::say`](super::SpeakExt::say) returned it).
    pub line: LineId,
    /// Whether it stalled (`true`) or plays again (`false`).
    pub stalled: bool,
    /// Where the line was heard to when its audio stopped, in seconds.
    pub heard_seconds: f64,
}

/// A markup in a line (`[happy]`, `[sad]`, `[laughing]`, ...) changed its speaker's
/// [`Expression`](super::Expression) emotion, as the word it precedes was heard (sent just
/// before that word's [`WordSpoken`]). Not sent when the markup names the emotion the speaker
/// already shows, nor when the game sets one.
#[derive(EntityEvent, Message, Clone, Copy, Debug)]
pub struct EmotionChanged {
    /// The speaker.
    pub entity: Entity,
    /// Which line.
    pub line: LineId,
    /// The index of the word the markup precedes (as in [`WordSpoken::index`]).
    pub word_index: usize,
    /// The emotion before.
    pub from: Emotion,
    /// The emotion now.
    pub to: Emotion,
}

/// How long a line's audio must have stopped before it counts as stalled: longer than any
/// device's callback period, so a late callback is never taken for a stall.
pub const STALL_AFTER: Duration = Duration::from_millis(200);

/// A line could not be spoken, or stopped short: the request failed (a rejected key, an unknown
/// voice, a stream cut mid-way). Audio delivered before a mid-stream failure plays to its end
/// first, so this comes when the line goes quiet; the mouth relaxes and the queue moves on.
#[derive(EntityEvent, Message, Clone, Debug)]
pub struct SpeechFailed {
    /// The speaker.
    pub entity: Entity,
    /// Which line ([`SpeakExt::say`](super::SpeakExt::say) returned it).
    pub line: LineId,
    /// The line.
    pub text: String,
    /// Why, as a sentence that says what to change.
    pub error: Arc<SpeechError>,
}

/// A reply ended, played out or cut short: the player's line and the words of the reply that
/// were heard (what the speaker's [`Persona`](super::Persona) now remembers). Sent after the line's
/// [`SpeechFinished`] or [`SpeechFailed`].
#[derive(EntityEvent, Message, Clone, Debug)]
pub struct ReplyHeard {
    /// The speaker.
    pub entity: Entity,
    /// Which line ([`SpeakExt::reply_to`](super::SpeakExt::reply_to) returned it).
    pub line: LineId,
    /// What the player said.
    pub player: String,
    /// The words of the reply that were heard, joined by spaces.
    pub heard: String,
    /// Whether the reply was cut short (a barge-in, a skip, an error).
    pub interrupted: bool,
}

/// A speaker's voice descriptor does not parse: sent (and logged) the frame the [`Speaker`]
/// is inserted or its voice changes, before any line is said, so a typo shows at once. Lines
/// said with it fail with the same error.
///
/// [`Speaker`]: super::Speaker
#[derive(EntityEvent, Message, Clone, Debug)]
pub struct VoiceRejected {
    /// The speaker.
    pub entity: Entity,
    /// The descriptor as written.
    pub voice: String,
    /// Why it does not parse, and what would.
    pub error: crate::speech::DescriptorError,
}

/// Triggers `event` on its speaker once commands apply, and writes it as a message too when
/// the game asked for messages ([`EventMessagesPlugin`]).
pub(crate) fn emit<E>(commands: &mut Commands, event: E)
where
    E: EntityEvent + Message + Clone,
    for<'a> E::Trigger<'a>: Default,
{
    commands.queue(move |world: &mut World| {
        if world.contains_resource::<Messages<E>>() {
            world.write_message(event.clone());
        }
        world.trigger(event);
    });
}

/// Writes every event of the plugin as a message as well, for games that read them with a
/// `MessageReader` rather than observe them. Part of [`LipsyncPlugins`], disabled by default:
///
/// ```no_run
/// use bevy::prelude::*;
/// use bevy_lipsync::plugin::EventMessagesPlugin;
/// use bevy_lipsync::prelude::*;
///
/// fn subtitles(mut words: MessageReader<WordSpoken>) {
///     for word in words.read() {
///         info!("{}", word.word);
///     }
/// }
///
/// App::new()
///     .add_plugins((
///         DefaultPlugins,
///         LipsyncPlugins::default().build().enable::<EventMessagesPlugin>(),
///     ))
///     .add_systems(Update, subtitles);
/// ```
///
/// [`LipsyncPlugins`]: super::LipsyncPlugins
pub struct EventMessagesPlugin;

impl Plugin for EventMessagesPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<SpeechStarted>()
            .add_message::<WordSpoken>()
            .add_message::<VisemeChanged>()
            .add_message::<SpeechFinished>()
            .add_message::<ReplyHeard>()
            .add_message::<SpeechFailed>()
            .add_message::<SpeechStalled>()
            .add_message::<EmotionChanged>()
            .add_message::<VoiceRejected>();
    }
}
