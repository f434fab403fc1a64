//! Speaking from any system: `commands.entity(npc).say("Hello!")`.

use bevy::ecs::system::EntityCommands;
use bevy::prelude::EntityWorldMut;

use super::line::{Line, LineId, SayMode};
use super::speaker::SpeechQueue;

/// Speech commands on a speaker's [`EntityCommands`].
///
/// ```
/// use bevy::prelude::*;
/// use bevy_lipsync::plugin::{Line, SpeakExt, SpeechFinished};
///
/// fn greet(mut commands: Commands, npc: Single<Entity, With<bevy_lipsync::plugin::Speaker>>) {
///     let greeting = commands.entity(*npc).say("Well met, traveller.");
///     commands.entity(*npc).say(Line::interrupting("Look out!"));
///     // Every event of the line carries its id.
///     commands.entity(*npc).observe(move |done: On<SpeechFinished>| {
///         if done.line == greeting {
///             info!("greeted");
///         }
///     });
/// }
/// # bevy::ecs::system::assert_is_system(greet);
/// ```
pub trait SpeakExt {
    /// Says `line` after the lines already waiting (or at once, for an interrupting [`Line`]).
    /// Returns the line's id, which every event of the line carries.
    fn say(&mut self, line: impl Into<Line>) -> LineId;
    /// Says `line` now (text, a recording, ...): stops the current line and drops the waiting
    /// ones. Returns its id.
    fn say_now(&mut self, line: impl Into<Line>) -> LineId;
    /// Queues a line whose text arrives over time ([`Line::streamed`]) and returns the feed to
    /// push its text into.
    fn say_stream(&mut self) -> crate::speech::TextFeed;
    /// Answers the player: the speaker's [`Persona`](super::Persona) writes a reply with
    /// Inworld's LLM router, spoken sentence by sentence as it is written ([`Line::reply_to`]).
    /// Cuts in on a line being spoken. Returns the line's id; a
    /// [`ReplyHeard`](super::ReplyHeard) reports what was heard of it.
    fn reply_to(&mut self, player: impl Into<String>) -> LineId;
    /// Stops the current line; the next waiting one starts.
    fn skip_line(&mut self) -> &mut Self;
    /// Stops the current line and drops the waiting ones.
    fn stop_speaking(&mut self) -> &mut Self;
    /// Pauses the speaker where it is ([`SpeechQueue::pause_speaking`]).
    fn pause_speaking(&mut self) -> &mut Self;
    /// Resumes a paused speaker from the frame it stopped at ([`SpeechQueue::resume_speaking`]).
    fn resume_speaking(&mut self) -> &mut Self;
}

fn with_queue(mut entity: EntityWorldMut, f: impl FnOnce(&mut SpeechQueue)) {
    // `Speaker` requires the queue; an entity marked later still gets one here.
    f(&mut entity.entry::<SpeechQueue>().or_default().into_mut());
}

impl SpeakExt for EntityCommands<'_> {
    fn say(&mut self, line: impl Into<Line>) -> LineId {
        let line = line.into();
        let id = line.id;
        self.queue(move |entity: EntityWorldMut| {
            with_queue(entity, |q| {
                q.say(line);
            })
        });
        id
    }

    fn say_stream(&mut self) -> crate::speech::TextFeed {
        let (line, feed) = Line::streamed();
        self.say(line);
        feed
    }

    fn say_now(&mut self, line: impl Into<Line>) -> LineId {
        self.say(Line {
            mode: SayMode::Interrupt,
            ..line.into()
        })
    }

    fn reply_to(&mut self, player: impl Into<String>) -> LineId {
        self.say(Line::reply_to(player))
    }

    fn skip_line(&mut self) -> &mut Self {
        self.queue(|entity: EntityWorldMut| with_queue(entity, SpeechQueue::skip_line))
    }

    fn stop_speaking(&mut self) -> &mut Self {
        self.queue(|entity: EntityWorldMut| with_queue(entity, SpeechQueue::stop_speaking))
    }

    fn pause_speaking(&mut self) -> &mut Self {
        self.queue(|entity: EntityWorldMut| with_queue(entity, SpeechQueue::pause_speaking))
    }

    fn resume_speaking(&mut self) -> &mut Self {
        self.queue(|entity: EntityWorldMut| with_queue(entity, SpeechQueue::resume_speaking))
    }
}
