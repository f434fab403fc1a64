//! Taking in what the runtime sends back: voices to play, timing to merge, ends and failures.

use std::sync::Arc;

use bevy::prelude::*;

use crate::speech::SpeechError;
use crate::speech::runtime::RuntimeEvent;

use super::output::SpeechOutput;
use super::persona::Persona;
use super::settings::LipsyncSettings;
use super::speaker::{Speaker, SpeechQueue};
use super::state::{FrameClocks, LineEnd, SpeechLines};

/// Plays the voices the runtime created and merges the timing it sent.
pub(crate) fn receive_runtime_events(
    mut commands: Commands,
    settings: Res<LipsyncSettings>,
    clocks: FrameClocks,
    mut lines: ResMut<SpeechLines>,
    mut output: ResMut<SpeechOutput>,
    mut speakers: Query<(&Speaker, &mut SpeechQueue, Option<&mut Persona>)>,
) {
    output.output_mut().maintain();
    let lines = &mut *lines;
    while let Ok(event) = lines.runtime.events.try_recv() {
        let id = match &event {
            RuntimeEvent::Voice { id, .. }
            | RuntimeEvent::Timing { id, .. }
            | RuntimeEvent::Ended { id }
            | RuntimeEvent::Failed { id, .. } => *id,
        };
        // A line stopped since: its events are stale (a stale voice is dropped unplayed).
        let Some(entity) = lines.speaker_of(id) else {
            continue;
        };
        let Ok((speaker, mut queue, mut persona)) = speakers.get_mut(entity) else {
            lines.forget_speaker(entity);
            continue;
        };
        let paused = queue.paused || clocks.game_paused(&settings);
        let Some(line) = queue.current.as_mut().filter(|line| line.id == id) else {
            continue;
        };
        let failure = match event {
            RuntimeEvent::Voice {
                renderer,
                control,
                first_chunk,
                ..
            } => {
                control.set_gain(speaker.gain * settings.voice_volume);
                if paused {
                    // Paused before it sounded: it starts held.
                    control.pause();
                }
                let clock = control
                    .clock()
                    .clone()
                    .with_latency(output.latency(&settings.latency));
                match output.output_mut().play(*renderer) {
                    Ok(()) => {
                        line.attach_voice(control, clock, first_chunk);
                        None
                    }
                    Err(e) => Some(Arc::new(SpeechError::Audio(e))),
                }
            }
            RuntimeEvent::Timing {
                alignment,
                envelope_start,
                envelope_block,
                envelope,
                ..
            } => {
                line.apply_timing(alignment, envelope_start, envelope_block, &envelope);
                None
            }
            RuntimeEvent::Ended { .. } => {
                line.stream_ended = true;
                None
            }
            // Audio already delivered plays to its end (the evaluation reports the failure
            // then); a line that never sounded fails at once.
            RuntimeEvent::Failed { error, .. } if line.has_voice() => {
                line.fail_after_playback(error);
                None
            }
            RuntimeEvent::Failed { error, .. } => Some(error),
        };
        if let Some(error) = failure
            && let Some(line) = queue.current.take()
        {
            lines.end_line(
                &mut commands,
                entity,
                line,
                LineEnd::Failed(error),
                persona.as_deref_mut(),
            );
        }
    }
}
