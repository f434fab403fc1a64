//! Speaking from any system: `commands.entity(npc).say("Hello!")`.

use bevy::ecs::system::EntityCommands;
use bevy::prelude::EntityWorldMut;

use super::speaker::{Line, SpeechQueue};

/// Speech commands on a speaker's [`EntityCommands`].
///
/// ```
/// use bevy::prelude::*;
/// use bevy_lipsync::plugin::{Line, SpeakExt};
///
/// fn greet(mut commands: Commands, npc: Single<Entity, With<bevy_lipsync::plugin::Speaker>>) {
///     commands.entity(*npc).say("Well met, traveller.");
///     commands.entity(*npc).say(Line::interrupting("Look out!"));
/// }
/// # bevy::ecs::system::assert_is_system(greet);
/// ```
pub trait SpeakExt {
    /// Says `line` after the lines already waiting (or at once, for an interrupting [`Line`]).
    fn say(&mut self, line: impl Into<Line>) -> &mut Self;
    /// Says `text` now: stops the current line and drops the waiting ones.
    fn say_now(&mut self, text: impl Into<String>) -> &mut Self;
    /// Stops the current line; the next waiting one starts.
    fn skip_line(&mut self) -> &mut Self;
    /// Stops the current line and drops the waiting ones.
    fn stop_speaking(&mut self) -> &mut Self;
}

fn with_queue(mut entity: EntityWorldMut, f: impl FnOnce(&mut SpeechQueue)) {
    // `Speaker` requires the queue; an entity marked later still gets one here.
    f(&mut entity.entry::<SpeechQueue>().or_default().into_mut());
}

impl SpeakExt for EntityCommands<'_> {
    fn say(&mut self, line: impl Into<Line>) -> &mut Self {
        let line = line.into();
        self.queue(move |entity: EntityWorldMut| with_queue(entity, |q| q.say(line)))
    }

    fn say_now(&mut self, text: impl Into<String>) -> &mut Self {
        self.say(Line::interrupting(text))
    }

    fn skip_line(&mut self) -> &mut Self {
        self.queue(|entity: EntityWorldMut| with_queue(entity, SpeechQueue::skip))
    }

    fn stop_speaking(&mut self) -> &mut Self {
        self.queue(|entity: EntityWorldMut| with_queue(entity, SpeechQueue::stop))
    }
}
