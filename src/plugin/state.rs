//! The plugin's speech state: the runtime thread's handle, the lines in flight, the one place a
//! line ends, and the clocks a frame reads.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::speech::runtime::{RuntimeCommand, SpeechRuntime, UtteranceId};
use crate::speech::{SpeechError, SpeechRequest, VoiceResolver};

use super::active_line::ActiveLine;
use super::events::{SpeechFailed, SpeechFinished, emit};
use super::persona::{Persona, conclude_reply};
use super::settings::LipsyncSettings;

/// The runtime and the lines in flight, keyed for the events coming back.
#[derive(Resource)]
pub(crate) struct SpeechLines {
    pub(crate) runtime: SpeechRuntime,
    /// Which speaker each line in flight belongs to.
    lines: HashMap<UtteranceId, Entity>,
    next_id: u64,
    /// Which voice a line speaks with, after defaults and the offline fallback.
    pub(crate) voices: VoiceResolver,
}

/// How a line ended.
#[derive(Debug)]
pub(crate) enum LineEnd {
    /// Heard to its end.
    Finished,
    /// Stopped before its end (skipped, cut in on, its speaker removed).
    Interrupted,
    /// It failed; what it had delivered was heard first.
    Failed(Arc<SpeechError>),
}

impl SpeechLines {
    pub(crate) fn new(runtime: SpeechRuntime, voices: VoiceResolver) -> Self {
        SpeechLines {
            runtime,
            lines: HashMap::new(),
            next_id: 1,
            voices,
        }
    }

    /// Sends `request` for `entity` to the runtime: the id its events will carry.
    pub(crate) fn speak(
        &mut self,
        entity: Entity,
        request: SpeechRequest,
        buffer: Duration,
    ) -> UtteranceId {
        let id = UtteranceId(self.next_id);
        self.next_id += 1;
        self.runtime.send(RuntimeCommand::Speak {
            id,
            request,
            buffer,
        });
        self.lines.insert(id, entity);
        id
    }

    /// The speaker of line `id`, while it is in flight.
    pub(crate) fn speaker_of(&self, id: UtteranceId) -> Option<Entity> {
        self.lines.get(&id).copied()
    }

    /// How many lines are in flight.
    #[cfg(test)]
    pub(crate) fn in_flight(&self) -> usize {
        self.lines.len()
    }

    /// Forgets every line of a speaker that is gone.
    pub(crate) fn forget_speaker(&mut self, entity: Entity) {
        self.lines.retain(|_, speaker| *speaker != entity);
    }

    /// Ends `entity`'s `line`: the one place a line ends. It is forgotten (whatever the runtime
    /// still sends for it is ignored), its final event is sent, then a reply's heard words go
    /// to the persona's memory (`persona`, or the speaker's own, a command later) with its
    /// [`ReplyHeard`](super::ReplyHeard). Dropping an unfinished line fades its voice out and
    /// cancels its request.
    pub(crate) fn end_line(
        &mut self,
        commands: &mut Commands,
        entity: Entity,
        mut line: ActiveLine,
        end: LineEnd,
        persona: Option<&mut Persona>,
    ) {
        self.lines.remove(&line.id);
        let text = line.text().to_owned();
        let cut = match end {
            LineEnd::Failed(error) => {
                // Its voice has played what was delivered (or never started).
                line.mark_done();
                emit(
                    commands,
                    SpeechFailed {
                        entity,
                        line: line.line,
                        text,
                        error,
                    },
                );
                true
            }
            LineEnd::Finished | LineEnd::Interrupted => {
                let interrupted = matches!(end, LineEnd::Interrupted);
                if !interrupted {
                    line.mark_done();
                }
                emit(
                    commands,
                    SpeechFinished {
                        entity,
                        line: line.line,
                        text,
                        interrupted,
                    },
                );
                interrupted
            }
        };
        conclude_reply(commands, entity, &line, persona, cut);
    }
}

/// The instant of this frame: the real clock's last update (a test controls it through
/// `TimeUpdateStrategy::ManualInstant`).
pub(crate) fn frame_instant(time: &Time<Real>) -> Instant {
    time.last_update().unwrap_or_else(Instant::now)
}

/// The clocks a frame reads: wall time, for audio and display, and the game's, for its pause.
#[derive(SystemParam)]
pub(crate) struct FrameClocks<'w> {
    pub(crate) real: Res<'w, Time<Real>>,
    game: Res<'w, Time<Virtual>>,
}

impl FrameClocks<'_> {
    /// Whether the game's pause holds every speaker.
    pub(crate) fn game_paused(&self, settings: &LipsyncSettings) -> bool {
        settings.pause_with_virtual_time && self.game.is_paused()
    }

    /// The instant of this frame.
    pub(crate) fn now(&self) -> Instant {
        frame_instant(&self.real)
    }
}
