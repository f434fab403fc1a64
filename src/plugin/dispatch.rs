//! Starting lines: the next waiting line of every idle speaker goes to the runtime, and lines
//! asked to stop (or whose speaker is gone) end.

use std::sync::Arc;

use bevy::asset::LoadState;
use bevy::prelude::*;

use crate::lipsync::VisemeTimeline;
use crate::speech::{
    DEFAULT_OFFLINE_VOICE, LineSource as SpeechSource, SpeechError, SpeechRequest, VoiceDescriptor,
};

use super::active_line::ActiveLine;
use super::events::{SpeechFailed, VoiceRejected, emit};
use super::line::LineSource;
use super::persona::Persona;
use super::settings::LipsyncSettings;
use super::speaker::{Mouth, Speaker, SpeechQueue};
use super::state::{FrameClocks, LineEnd, SpeechLines};
use super::voice_line::{VoiceLine, VoiceLineError};

/// Checks the voice of every speaker inserted or changed this frame: one that does not parse
/// is logged and reported with [`VoiceRejected`](super::VoiceRejected) at once.
pub(crate) fn check_voices(
    mut commands: Commands,
    speakers: Query<(Entity, &Speaker), Changed<Speaker>>,
) {
    for (entity, speaker) in &speakers {
        let Some(voice) = speaker.voice.as_deref() else {
            continue;
        };
        if let Err(error) = VoiceDescriptor::parse(voice) {
            error!("bevy_lipsync: the voice of speaker {entity} is unusable: {error}");
            emit(
                &mut commands,
                VoiceRejected {
                    entity,
                    voice: voice.to_owned(),
                    error,
                },
            );
        }
    }
}

/// Stops lines asked to stop and starts the next waiting line of every idle speaker.
pub(crate) fn dispatch_lines(
    mut commands: Commands,
    mut lines: ResMut<SpeechLines>,
    settings: Res<LipsyncSettings>,
    clocks: FrameClocks,
    mut speakers: Query<(Entity, &Speaker, &mut SpeechQueue, Option<&mut Persona>)>,
    voice_lines: Res<Assets<VoiceLine>>,
    server: Res<AssetServer>,
) {
    let now = clocks.now();
    let game_paused = clocks.game_paused(&settings);
    for (entity, speaker, mut queue, mut persona) in &mut speakers {
        // Read through `Mut` first, so idle speakers are not marked changed every frame.
        let holding = queue.paused || game_paused;
        let idle_with_work = queue.current.is_none() && !queue.waiting.is_empty() && !holding;
        if !queue.stop_current && !idle_with_work {
            continue;
        }
        if std::mem::take(&mut queue.stop_current)
            && let Some(line) = queue.current.take()
        {
            // The memory takes the heard words before a reply that cut in is requested.
            lines.end_line(
                &mut commands,
                entity,
                line,
                LineEnd::Interrupted,
                persona.as_deref_mut(),
            );
        }
        if queue.current.is_some() {
            continue;
        }
        let Some(next) = queue.waiting.pop_front() else {
            continue;
        };
        // A recorded line plays once it has loaded (or fails once it has failed to).
        if let LineSource::Recorded(handle) = &next.source
            && voice_lines.get(handle).is_none()
            && !matches!(server.get_load_state(handle), Some(LoadState::Failed(_)))
        {
            queue.waiting.push_front(next);
            continue;
        }
        // What the line says, as far as known, and where its words come from.
        let (text, source) = match &next.source {
            LineSource::Text(text) => (text.clone(), Ok(SpeechSource::Text(text.clone()))),
            LineSource::Streamed(feed) => (String::new(), Ok(SpeechSource::Streamed(feed.clone()))),
            // A reply is written by the speaker's persona.
            LineSource::Reply(player) => (
                String::new(),
                match persona.as_deref() {
                    None => Err(SpeechError::NoPersona),
                    Some(persona) if !lines.voices.reaches_inworld() => {
                        Err(SpeechError::NoLlmKey {
                            model: persona.model.clone(),
                        })
                    }
                    Some(persona) => Ok(SpeechSource::Reply(Box::new(persona.request(player)))),
                },
            ),
            LineSource::Recorded(handle) => match voice_lines.get(handle) {
                Some(line) => (
                    line.text().to_owned(),
                    Ok(SpeechSource::Recorded(line.recording().clone())),
                ),
                None => (String::new(), Err(recording_failure(&server, handle))),
            },
        };
        let voice = source.and_then(|source| {
            let voice = match source {
                // A recording needs no voice.
                SpeechSource::Recorded(_) => VoiceDescriptor::offline(DEFAULT_OFFLINE_VOICE),
                _ => {
                    let persona_voice = persona.as_ref().and_then(|p| p.voice.as_deref());
                    let voice = persona_voice.or(speaker.voice.as_deref());
                    lines.voices.resolve(voice, settings.voice_defaults())?
                }
            };
            Ok((voice, source))
        });
        let (voice, source) = match voice {
            Ok(voice) if lines.runtime.is_running() => voice,
            unusable => {
                let error = unusable.err().unwrap_or_else(|| {
                    SpeechError::Internal(
                        "the speech runtime thread has stopped; see the log for its panic".into(),
                    )
                });
                emit(
                    &mut commands,
                    SpeechFailed {
                        entity,
                        line: next.id,
                        text,
                        error: Arc::new(error),
                    },
                );
                continue;
            }
        };
        let request = SpeechRequest {
            source,
            voice,
            language: speaker.language.clone(),
            speaking_rate: speaker.speaking_rate,
            sample_rate: settings.sample_rate,
            timestamps: settings.timestamps,
        };
        let id = lines.speak(entity, request, settings.buffer);
        queue.current = Some(ActiveLine::new(
            id,
            next,
            text,
            VisemeTimeline::new(settings.sample_rate, settings.articulation)
                .with_pronouncer(settings.pronouncer.clone()),
            lines.runtime.canceller(),
            now,
        ));
    }
}

/// A speaker despawned, or stripped of its [`Speaker`], mid-line: its line ends (the voice fades
/// out, the request is cancelled), a speaker still there reports it as interrupted and its mouth
/// goes to rest, and nothing of the line stays behind.
pub(crate) fn end_lines_of_removed_speakers(
    mut commands: Commands,
    mut removed: RemovedComponents<Speaker>,
    mut lines: ResMut<SpeechLines>,
    mut queues: Query<(&mut SpeechQueue, &mut Mouth), Without<Speaker>>,
) {
    for entity in removed.read() {
        lines.forget_speaker(entity);
        // Despawned (the line went with it), or given a `Speaker` again since.
        let Ok((mut queue, mut mouth)) = queues.get_mut(entity) else {
            continue;
        };
        queue.waiting.clear();
        queue.stop_current = false;
        if let Some(line) = queue.current.take() {
            lines.end_line(&mut commands, entity, line, LineEnd::Interrupted, None);
        }
        *mouth = Mouth::default();
    }
}

/// The error of a recorded line whose file failed to load.
fn recording_failure(server: &AssetServer, handle: &Handle<VoiceLine>) -> SpeechError {
    let reason = match server.get_load_state(handle) {
        Some(LoadState::Failed(error)) => load_failure(&error),
        _ => "it did not load".into(),
    };
    SpeechError::Recording {
        path: server
            .get_path(handle.id())
            .map_or_else(|| "(added in code)".into(), |p| p.to_string()),
        reason,
    }
}

/// What went wrong loading a recorded line: the loader's own error when it is one of ours,
/// else the first line of Bevy's message (its others are a backtrace).
fn load_failure(error: &bevy::asset::AssetLoadError) -> String {
    if let bevy::asset::AssetLoadError::AssetLoaderError(loader) = error
        && let Some(ours) = loader.error().downcast_ref::<VoiceLineError>()
    {
        return ours.to_string();
    }
    let message = error.to_string();
    message.lines().next().unwrap_or_default().to_owned()
}
