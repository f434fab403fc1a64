//! Starting lines and taking in what the runtime sends back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use bevy::prelude::*;

use crate::lipsync::VisemeTimeline;
use bevy::asset::LoadState;

use crate::speech::{DEFAULT_OFFLINE_VOICE, Provider, SpeechError, SpeechRequest, VoiceDescriptor};

use super::evaluate::FrameClocks;
use super::events::{SpeechFailed, SpeechFinished, emit};
use super::line::ActiveLine;
use super::output::SpeechOutput;
use super::persona::{Persona, conclude_reply};
use super::runtime::{RuntimeCommand, RuntimeEvent, SpeechRuntime, UtteranceId};
use super::settings::LipsyncSettings;
use super::speaker::{Mouth, Speaker, SpeechQueue};
use super::voice_line::VoiceLine;

/// The runtime and the lines in flight, keyed for the events coming back.
#[derive(Resource)]
pub(crate) struct Runtime {
    pub(crate) runtime: SpeechRuntime,
    /// Which speaker each line in flight belongs to.
    pub(crate) lines: HashMap<UtteranceId, Entity>,
    next_id: u64,
    /// Inworld can be reached (a key or a configuration was given).
    pub(crate) inworld: bool,
    /// The AI/ML API gateway can be reached.
    gateway: bool,
    warned_fallback: bool,
}

impl Runtime {
    pub(crate) fn new(runtime: SpeechRuntime, inworld: bool, gateway: bool) -> Self {
        Runtime {
            runtime,
            lines: HashMap::new(),
            next_id: 1,
            inworld,
            gateway,
            warned_fallback: false,
        }
    }

    /// The voice a speaker speaks with, after defaults and the offline fallback.
    fn resolve_voice(
        &mut self,
        voice: Option<&str>,
        settings: &LipsyncSettings,
    ) -> Result<VoiceDescriptor, SpeechError> {
        let written = match voice {
            Some(voice) => voice,
            None if self.inworld => settings.default_voice.as_str(),
            None => settings.default_offline_voice.as_str(),
        };
        let voice: VoiceDescriptor = written.parse()?;
        let (reachable, key) = match voice.provider {
            Provider::Inworld => (self.inworld, crate::inworld::API_KEY_ENV),
            Provider::Gateway => (self.gateway, crate::inworld::gateway::GATEWAY_KEY_ENV),
            _ => (true, ""),
        };
        if reachable || !settings.offline_fallback {
            return Ok(voice);
        }
        if !self.warned_fallback {
            self.warned_fallback = true;
            warn!(
                "bevy_lipsync: no {} key is set ({key}), so voices such as `{written}` speak with \
                 the offline voice `{}`; set the key to hear them",
                voice.provider, settings.default_offline_voice
            );
        }
        Ok(settings.default_offline_voice.parse()?)
    }
}

/// The instant of this frame: the real clock's last update (a test controls it through
/// `TimeUpdateStrategy::ManualInstant`).
pub(crate) fn frame_instant(time: &Time<Real>) -> Instant {
    time.last_update().unwrap_or_else(Instant::now)
}

/// Stops lines asked to stop and starts the next waiting line of every idle speaker.
pub(crate) fn dispatch_lines(
    mut commands: Commands,
    mut runtime: ResMut<Runtime>,
    settings: Res<LipsyncSettings>,
    clocks: FrameClocks,
    mut speakers: Query<(Entity, &Speaker, &mut SpeechQueue, Option<&mut Persona>)>,
    voice_lines: Res<Assets<VoiceLine>>,
    server: Res<AssetServer>,
) {
    let now = frame_instant(&clocks.real);
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
            conclude_reply(&mut commands, entity, &line, persona.as_deref_mut(), true);
            interrupt(&mut commands, &mut runtime, entity, line);
        }
        if queue.current.is_some() {
            continue;
        }
        let Some(mut next) = queue.waiting.pop_front() else {
            continue;
        };
        // A recorded line plays once it has loaded; one that failed fails the line.
        let recording = match &next.recording {
            None => Ok(None),
            Some(handle) => match voice_lines.get(handle) {
                Some(line) => {
                    if next.text.is_empty() {
                        next.text = line.text().to_owned();
                    }
                    Ok(Some(line.recording().clone()))
                }
                None => match server.get_load_state(handle) {
                    Some(LoadState::Failed(error)) => Err(SpeechError::Recording {
                        path: server
                            .get_path(handle.id())
                            .map_or_else(|| "(added in code)".into(), |p| p.to_string()),
                        reason: load_failure(&error),
                    }),
                    _ => {
                        queue.waiting.push_front(next);
                        continue;
                    }
                },
            },
        };
        let (voice, recording) = match recording {
            // A recording needs no voice.
            Ok(Some(recording)) => (
                Ok(VoiceDescriptor::offline(DEFAULT_OFFLINE_VOICE)),
                Some(recording),
            ),
            Ok(None) => {
                let persona_voice = persona.as_ref().and_then(|p| p.voice.as_deref());
                let voice = persona_voice.or(speaker.voice.as_deref());
                (runtime.resolve_voice(voice, &settings), None)
            }
            Err(e) => (Err(e), None),
        };
        // A reply is written by the speaker's persona.
        let (voice, chat) = match (&next.reply, persona.as_deref()) {
            (None, _) => (voice, None),
            (Some(_), Some(persona)) if !runtime.inworld => (
                Err(SpeechError::NoLlmKey {
                    model: persona.model.clone(),
                }),
                None,
            ),
            (Some(player), Some(persona)) => (voice, Some(Box::new(persona.request(player)))),
            (Some(_), None) => (Err(SpeechError::NoPersona), None),
        };
        let voice = match voice {
            Ok(voice) if runtime.runtime.is_running() => voice,
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
                        text: next.text,
                        error: Arc::new(error),
                    },
                );
                continue;
            }
        };
        let id = UtteranceId(runtime.next_id);
        runtime.next_id += 1;
        let request = SpeechRequest {
            text: next.text.clone(),
            voice,
            language: speaker.language.clone(),
            speaking_rate: speaker.speaking_rate,
            sample_rate: settings.sample_rate,
            timestamps: settings.timestamps,
            recording,
            feed: next.feed.clone(),
            chat,
        };
        runtime.runtime.send(RuntimeCommand::Speak {
            id,
            request,
            buffer: settings.buffer,
        });
        runtime.lines.insert(id, entity);
        queue.current = Some(ActiveLine::new(
            id,
            next,
            VisemeTimeline::new(settings.sample_rate, settings.articulation)
                .with_pronouncer(settings.pronouncer.clone()),
            runtime.runtime.canceller(),
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
    mut runtime: ResMut<Runtime>,
    mut queues: Query<(&mut SpeechQueue, &mut Mouth), Without<Speaker>>,
) {
    for entity in removed.read() {
        runtime.lines.retain(|_, speaker| *speaker != entity);
        // Despawned (the line went with it), or given a `Speaker` again since.
        let Ok((mut queue, mut mouth)) = queues.get_mut(entity) else {
            continue;
        };
        queue.waiting.clear();
        queue.stop_current = false;
        if let Some(line) = queue.current.take() {
            interrupt(&mut commands, &mut runtime, entity, line);
        }
        *mouth = Mouth::default();
    }
}

/// Ends `entity`'s `line` as interrupted. Dropping it fades its voice out and cancels its
/// request; whatever the runtime still sends for it is ignored.
fn interrupt(commands: &mut Commands, runtime: &mut Runtime, entity: Entity, line: ActiveLine) {
    runtime.lines.remove(&line.id);
    emit(
        commands,
        SpeechFinished {
            entity,
            line: line.line,
            text: line.text().to_owned(),
            interrupted: true,
        },
    );
}

/// Plays the voices the runtime created and merges the timing it sent.
pub(crate) fn receive_runtime_events(
    mut commands: Commands,
    settings: Res<LipsyncSettings>,
    clocks: FrameClocks,
    mut runtime: ResMut<Runtime>,
    mut output: ResMut<SpeechOutput>,
    mut speakers: Query<(&Speaker, &mut SpeechQueue)>,
) {
    output.output_mut().maintain();
    let runtime = &mut *runtime;
    while let Ok(event) = runtime.runtime.events.try_recv() {
        let id = match &event {
            RuntimeEvent::Voice { id, .. }
            | RuntimeEvent::Timing { id, .. }
            | RuntimeEvent::Ended { id }
            | RuntimeEvent::Failed { id, .. } => *id,
        };
        // A line stopped since: its events are stale (a stale voice is dropped unplayed).
        let Some(&entity) = runtime.lines.get(&id) else {
            continue;
        };
        let Ok((speaker, mut queue)) = speakers.get_mut(entity) else {
            runtime.lines.remove(&id);
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
            runtime.lines.remove(&id);
            emit(
                &mut commands,
                SpeechFailed {
                    entity,
                    line: line.line,
                    text: line.text().to_owned(),
                    error,
                },
            );
        }
    }
}

/// What went wrong loading a recorded line: the loader's own error when it is one of ours,
/// else the first line of Bevy's message (its others are a backtrace).
fn load_failure(error: &bevy::asset::AssetLoadError) -> String {
    if let bevy::asset::AssetLoadError::AssetLoaderError(loader) = error
        && let Some(ours) = loader.error().downcast_ref::<super::VoiceLineError>()
    {
        return ours.to_string();
    }
    let message = error.to_string();
    message.lines().next().unwrap_or_default().to_owned()
}
