//! Each frame: the mouth every speaker shows, and the events the audible clock passes.

use std::time::Duration;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::lipsync::{DisplayTiming, VisemeWeights};

use super::display::RenderLatency;
use super::events::{
    EmotionChanged, SpeechStalled, SpeechStarted, VisemeChanged, WordSpoken, emit,
};
use super::expression::Expression;
use super::output::SpeechOutput;
use super::settings::LipsyncSettings;
use super::speaker::{Mouth, Speaker, SpeechQueue};
use super::state::{FrameClocks, LineEnd, SpeechLines};

/// Frames the pacing looks back over.
const PACING_WINDOW: usize = 15;

/// The frame period: how long each picture stays on screen, as the median of the last
/// 15 frame times. One hitch does not move it; a game that settles at another
/// rate (30 fps on a laptop, 5 fps in a software renderer) is followed within half a window.
#[derive(Resource, Debug, Clone, Copy, Reflect)]
#[reflect(Resource, Default, Debug)]
pub struct FramePacing {
    period: Duration,
    recent: [Duration; PACING_WINDOW],
    next: usize,
}

impl Default for FramePacing {
    fn default() -> Self {
        let period = Duration::from_micros(16_667);
        FramePacing {
            period,
            recent: [period; PACING_WINDOW],
            next: 0,
        }
    }
}

impl FramePacing {
    /// The frame period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Folds in one frame's duration (empty frames, as in tests stepping time by zero, are
    /// ignored). Allocation-free: the window is a fixed array sorted on the stack.
    fn observe(&mut self, delta: Duration) {
        if delta.is_zero() {
            return;
        }
        self.recent[self.next] = delta;
        self.next = (self.next + 1) % PACING_WINDOW;
        let mut sorted = self.recent;
        sorted.sort_unstable();
        self.period = sorted[PACING_WINDOW / 2];
    }
}

/// What evaluation reads and writes of a speaker.
type SpeakerParts = (
    Entity,
    Ref<'static, Speaker>,
    &'static mut SpeechQueue,
    &'static mut Mouth,
    Option<&'static mut Expression>,
);

/// Evaluates every speaker's mouth at the position that will be heard when this frame is seen,
/// and reports what was heard since the last frame.
pub(crate) fn evaluate_mouths(
    mut commands: Commands,
    clocks: FrameClocks,
    settings: Res<LipsyncSettings>,
    mut display: FrameDisplay,
    mut lines: ResMut<SpeechLines>,
    output: Res<SpeechOutput>,
    mut speakers: Query<SpeakerParts>,
) {
    let now = clocks.now();
    // Calibration is live: every voice is read with this frame's latency and offset.
    let latency = output.latency(&settings.latency);
    let timing = display.timing(clocks.real.delta(), &settings);
    let relax = relax_factor(clocks.real.delta(), settings.relax_time);
    let game_paused = clocks.game_paused(&settings);
    for (entity, speaker, mut queue, mut mouth, mut expression) in &mut speakers {
        let mut target = VisemeWeights::REST;
        let mut follows_line = false;
        let mut finished = false;
        let hold = queue.paused || game_paused;
        if let Some(line) = queue.current.as_mut() {
            if let Some(control) = line.control()
                && control.is_paused() != hold
            {
                if hold {
                    control.pause();
                } else {
                    control.resume();
                }
            }
            if (speaker.is_changed() || settings.is_changed())
                && let Some(control) = line.control()
            {
                control.set_gain(speaker.gain * settings.voice_volume);
            }
            let step = line.advance(now, latency, timing, settings.stall_timeout);
            if let Some(waited) = step.started {
                emit(
                    &mut commands,
                    SpeechStarted {
                        entity,
                        line: line.line,
                        text: line.text().to_owned(),
                        time_to_first_audio: waited,
                        time_to_first_chunk: line.first_chunk.unwrap_or_default(),
                    },
                );
            }
            if let Some(stalled) = step.stall {
                if stalled {
                    warn!(
                        "bevy_lipsync: the audio output stopped playing {entity}'s line {:?} \
                         (device suspended or lost?)",
                        line.text()
                    );
                }
                emit(
                    &mut commands,
                    SpeechStalled {
                        entity,
                        line: line.line,
                        stalled,
                        heard_seconds: step.heard.frames / f64::from(line.timeline.sample_rate()),
                    },
                );
            }
            if let Some(shown) = step.shown {
                line.timeline.evaluate(shown, &mut target);
                follows_line = true;
                if line.has_started() {
                    announce_words(
                        &mut commands,
                        entity,
                        line,
                        shown,
                        expression.as_deref_mut(),
                    );
                }
            }
            finished = step.ended;
        }
        let weights = if follows_line {
            target
        } else {
            relaxed(&mouth.weights, relax)
        };
        if mouth.weights != weights {
            let previous = mouth.viseme;
            mouth.weights = weights;
            mouth.viseme = weights.dominant();
            if mouth.viseme != previous {
                emit(
                    &mut commands,
                    VisemeChanged {
                        entity,
                        line: queue
                            .current
                            .as_ref()
                            .filter(|_| follows_line)
                            .map(|l| l.line),
                        viseme: mouth.viseme,
                        previous,
                    },
                );
            }
        }
        if finished && let Some(mut line) = queue.current.take() {
            let end = match line.take_failure() {
                Some(error) => LineEnd::Failed(error),
                None => LineEnd::Finished,
            };
            lines.end_line(&mut commands, entity, line, end, None);
        }
    }
}

/// When a frame is seen: the pacing of frames and the render latency.
#[derive(SystemParam)]
pub(crate) struct FrameDisplay<'w> {
    pacing: ResMut<'w, FramePacing>,
    render: Res<'w, RenderLatency>,
}

impl FrameDisplay<'_> {
    /// Folds in this frame's `delta`, then the display timing of the frame: the game's render
    /// latency if it set one, else the derived one.
    fn timing(&mut self, delta: Duration, settings: &LipsyncSettings) -> DisplayTiming {
        self.pacing.observe(delta);
        let frames = settings
            .render_latency_frames
            .unwrap_or(self.render.frames)
            .max(0.0);
        DisplayTiming {
            render_latency: self.pacing.period.mul_f32(frames),
            frame_period: self.pacing.period,
        }
    }
}

/// Sends a [`WordSpoken`] for each final word whose start the display position has passed,
/// and shows the emotion of a markup before it. Partial words wait for their final version,
/// unless the stream is over.
fn announce_words(
    commands: &mut Commands,
    entity: Entity,
    line: &mut super::active_line::ActiveLine,
    shown: f64,
    mut expression: Option<&mut Expression>,
) {
    let rate = f64::from(line.timeline.sample_rate());
    while let Some(word) = line.alignment().words.get(line.next_word) {
        if (word.partial && !line.stream_ended) || word.span.start.0 as f64 > shown {
            break;
        }
        let heard = WordSpoken {
            entity,
            line: line.line,
            index: line.next_word,
            word: word.text.clone(),
            start_seconds: word.span.start.0 as f64 / rate,
            end_seconds: word.span.end.0 as f64 / rate,
        };
        if let (Some(markups), Some(expression)) = (line.markups.as_mut(), expression.as_mut())
            && let Some(emotion) = markups.word_heard(&heard.word)
            && emotion != expression.emotion
        {
            let changed = EmotionChanged {
                entity,
                line: line.line,
                word_index: line.next_word,
                from: expression.emotion,
                to: emotion,
            };
            expression.emotion = emotion;
            emit(commands, changed);
        }
        emit(commands, heard);
        line.next_word += 1;
    }
}

/// The share of the way to rest a mouth keeps after `delta` with time constant `tau`.
fn relax_factor(delta: Duration, tau: Duration) -> f32 {
    if tau.is_zero() {
        return 0.0;
    }
    (-delta.as_secs_f32() / tau.as_secs_f32()).exp()
}

/// `weights` eased toward rest by `keep`, snapping to rest once nothing visible is left.
fn relaxed(weights: &VisemeWeights, keep: f32) -> VisemeWeights {
    let mut out = *weights;
    for w in &mut out.weights {
        *w *= keep;
    }
    out.jaw_open *= keep;
    let visible = out.weights.iter().chain([&out.jaw_open]).any(|&w| w > 1e-3);
    if visible { out } else { VisemeWeights::REST }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lipsync::Viseme;

    #[test]
    fn relaxing_eases_to_rest_and_stops_there() {
        let mut open = VisemeWeights::REST;
        open.weights[Viseme::Aa.index()] = 1.0;
        open.jaw_open = 0.8;
        let keep = relax_factor(Duration::from_millis(16), Duration::from_millis(60));
        let once = relaxed(&open, keep);
        assert!(once.get(Viseme::Aa) < 1.0 && once.get(Viseme::Aa) > 0.5);
        let mut w = open;
        for _ in 0..60 {
            w = relaxed(&w, keep);
        }
        assert!(w.is_rest());
    }

    #[test]
    fn pacing_ignores_hitches_and_follows_a_new_rate() {
        let mut pacing = FramePacing::default();
        for _ in 0..100 {
            pacing.observe(Duration::from_millis(33));
        }
        assert_eq!(pacing.period(), Duration::from_millis(33));
        pacing.observe(Duration::from_secs(2));
        pacing.observe(Duration::from_millis(1));
        assert_eq!(
            pacing.period(),
            Duration::from_millis(33),
            "single outliers move nothing"
        );
        for _ in 0..PACING_WINDOW / 2 + 1 {
            pacing.observe(Duration::from_millis(200));
        }
        assert_eq!(
            pacing.period(),
            Duration::from_millis(200),
            "a sustained 5 fps is followed"
        );
    }
}
