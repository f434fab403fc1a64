//! The main thread's view of one line being spoken.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::alignment::{Alignment, AlignmentUpdate, FrameOffset};
use crate::audio::{AudibleClock, AudiblePosition, ClockState, LatencySettings, VoiceControl};
use crate::lipsync::{DisplayTiming, VisemeTimeline};
use crate::speech::SpeechError;

use crate::speech::runtime::{Canceller, UtteranceId};

use super::events::STALL_AFTER;
use super::line::{Line, LineId, LineProgress, LineSource};

/// A line from its request to its last audible frame. Dropping it (stopped, failed, speaker
/// despawned) interrupts its voice and cancels its request.
pub(crate) struct ActiveLine {
    pub(crate) id: UtteranceId,
    /// The game's handle on the line, carried on its events.
    pub(crate) line: LineId,
    text: String,
    /// The player line this line replies to.
    reply: Option<String>,
    /// The text is written as it is spoken (a streamed line or a reply): it is the words
    /// timed so far.
    text_from_words: bool,
    pub(crate) requested_at: Instant,
    voice: Option<(VoiceControl, AudibleClock)>,
    alignment: Alignment,
    pub(crate) timeline: VisemeTimeline,
    /// The runtime wrote every sample and closed the voice.
    pub(crate) stream_ended: bool,
    /// The request failed after some audio was delivered: that audio plays to its end, then
    /// the line reports this failure instead of finishing.
    failure: Option<Arc<SpeechError>>,
    /// The first block was rendered: the mouth follows the line (it may anticipate the sound).
    rendered: bool,
    /// [`SpeechStarted`](super::SpeechStarted) was sent: the first frame is heard while the frame
    /// being computed is on screen.
    started: bool,
    /// Its output stopped playing it (reported with a [`SpeechStalled`](super::SpeechStalled)).
    stalled: bool,
    pub(crate) first_chunk: Option<Duration>,
    first_audio: Option<Duration>,
    /// Next word to announce.
    pub(crate) next_word: usize,
    pub(crate) heard: AudiblePosition,
    /// The position the mouth shows this frame (frames of the line).
    pub(crate) shown: f64,
    /// The line's emotion markups (`[happy]`), applied as the words they precede are heard.
    pub(crate) markups: Option<crate::lipsync::Markups>,
    canceller: Canceller,
    done: bool,
}

impl std::fmt::Debug for ActiveLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveLine")
            .field("id", &self.id)
            .field("line", &self.line)
            .field("text", &self.text)
            .field("playing", &self.voice.is_some())
            .field("stream_ended", &self.stream_ended)
            .finish_non_exhaustive()
    }
}

impl ActiveLine {
    /// `line`, sent to the runtime as `id`; `text` is what it says as far as known (a recording's
    /// transcript, empty for text still to be written).
    pub(crate) fn new(
        id: UtteranceId,
        line: Line,
        text: String,
        timeline: VisemeTimeline,
        canceller: Canceller,
        requested_at: Instant,
    ) -> Self {
        let markups = Some(crate::lipsync::Markups::parse(&text)).filter(|m| !m.is_empty());
        let (text_from_words, reply) = match line.source {
            LineSource::Streamed(_) => (true, None),
            LineSource::Reply(player) => (true, Some(player)),
            LineSource::Text(_) | LineSource::Recorded(_) => (false, None),
        };
        ActiveLine {
            id,
            line: line.id,
            markups,
            text_from_words,
            text,
            reply,
            requested_at,
            voice: None,
            alignment: Alignment::default(),
            timeline,
            stream_ended: false,
            failure: None,
            rendered: false,
            started: false,
            stalled: false,
            first_chunk: None,
            first_audio: None,
            next_word: 0,
            heard: AudiblePosition {
                frames: 0.0,
                state: ClockState::NotStarted,
                until_heard: Duration::ZERO,
                stalled_for: Duration::ZERO,
            },
            shown: 0.0,
            canceller,
            done: false,
        }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The player line this line replies to, for a reply.
    pub(crate) fn reply(&self) -> Option<&str> {
        self.reply.as_deref()
    }

    pub(crate) fn alignment(&self) -> &Alignment {
        &self.alignment
    }

    /// The voice started playing; `clock` is read with the plugin's latency settings.
    pub(crate) fn attach_voice(
        &mut self,
        control: VoiceControl,
        clock: AudibleClock,
        first_chunk: Duration,
    ) {
        if clock.source_rate() != self.timeline.sample_rate() {
            // The service answered at another rate than asked: rebuild the curves in its frames.
            self.timeline = VisemeTimeline::new(clock.source_rate(), *self.timeline.settings())
                .with_pronouncer(self.timeline.pronouncer().clone());
            self.timeline.update(&self.alignment);
        }
        self.first_chunk = Some(first_chunk);
        self.voice = Some((control, clock));
    }

    /// Whether the line's voice is playing (its first audio arrived).
    pub(crate) fn has_voice(&self) -> bool {
        self.voice.is_some()
    }

    /// The request failed after audio was delivered: let it play out, then report `error`.
    pub(crate) fn fail_after_playback(&mut self, error: Arc<SpeechError>) {
        self.failure = Some(error);
        // The runtime closed the voice when the request failed: what was written drains.
        self.stream_ended = true;
    }

    pub(crate) fn control(&self) -> Option<&VoiceControl> {
        self.voice.as_ref().map(|(control, _)| control)
    }

    pub(crate) fn clock(&self) -> Option<&AudibleClock> {
        self.voice.as_ref().map(|(_, clock)| clock)
    }

    /// Timing arrived: merge it and rebuild the curves.
    pub(crate) fn apply_timing(
        &mut self,
        update: AlignmentUpdate,
        envelope_start: FrameOffset,
        envelope_block: u32,
        envelope: &[f32],
    ) {
        if !update.is_empty() {
            let words = !update.words.is_empty();
            self.alignment.apply(update);
            self.timeline.update(&self.alignment);
            if words && self.text_from_words {
                self.text.clear();
                for word in self.alignment.words.iter().filter(|w| !w.partial) {
                    if !self.text.is_empty() {
                        self.text.push(' ');
                    }
                    self.text.push_str(word.text.trim());
                }
            }
        }
        self.timeline
            .push_envelope(envelope_start, envelope, envelope_block);
    }

    /// Reads the clock at `at` with `latency` (the calibration of this frame). A line without a
    /// voice yet has not started.
    fn listen(&mut self, at: Instant, latency: LatencySettings) -> AudiblePosition {
        if let Some((_, clock)) = &mut self.voice {
            clock.set_latency(latency);
            self.heard = clock.audible_position(at);
        }
        self.heard
    }

    /// One frame of the line's life, at the frame's instant `at`: the clock is read, and the
    /// line starts (announced in the frame on screen while its first sample is heard, like a
    /// word), stalls or plays again, moves the mouth, or ends. The caller turns the step into
    /// events and the mouth.
    pub(crate) fn advance(
        &mut self,
        at: Instant,
        latency: LatencySettings,
        timing: DisplayTiming,
        stall_timeout: Duration,
    ) -> LineStep {
        let heard = self.listen(at, latency);
        let mut step = LineStep {
            heard,
            started: None,
            stall: None,
            shown: None,
            ended: false,
        };
        self.rendered |= heard.state != ClockState::NotStarted;
        // Rendered earlier, the start may still wait in the device's buffer.
        if self.rendered && !self.started && heard.until_heard <= timing.lookahead() {
            self.started = true;
            let waited = at.saturating_duration_since(self.requested_at) + heard.until_heard;
            self.first_audio = Some(waited);
            step.started = Some(waited);
        }
        // The output stopped playing it: reported, the mouth relaxes, and past the timeout the
        // line fails (its voice stopped, so a returning device does not play it late).
        let stalled = heard.stalled_for >= STALL_AFTER;
        if stalled != self.stalled {
            self.stalled = stalled;
            step.stall = Some(stalled);
        }
        let timed_out = stalled && heard.stalled_for >= stall_timeout;
        if timed_out {
            if let Some((control, _)) = &self.voice {
                control.interrupt();
            }
            self.failure.get_or_insert_with(|| {
                Arc::new(SpeechError::OutputStalled {
                    after: heard.stalled_for,
                })
            });
        }
        // Paused and heard to where it stopped, or stalled: the mouth relaxes until it plays
        // again.
        if self.rendered && heard.state != ClockState::Paused && !stalled {
            let rate = self.timeline.sample_rate();
            let advancing = heard.state == ClockState::Playing;
            self.shown = timing.display_position(heard.signed_frames(rate), advancing, rate);
            step.shown = Some(self.shown);
        }
        step.ended = self.is_over() || timed_out;
        step
    }

    /// Whether the line has started being heard (its words may be announced).
    pub(crate) fn has_started(&self) -> bool {
        self.started
    }

    /// The error the line ends with, if it failed; taken once.
    pub(crate) fn take_failure(&mut self) -> Option<Arc<SpeechError>> {
        self.failure.take()
    }

    /// Seconds of the line heard at `at` by its audible clock (`None` before its voice plays).
    pub(crate) fn heard_seconds_at(&self, at: Instant) -> Option<f64> {
        let (_, clock) = self.voice.as_ref()?;
        Some(clock.audible_position(at).frames / f64::from(clock.source_rate()))
    }

    /// Everything was delivered and the last frame has been heard.
    pub(crate) fn is_over(&self) -> bool {
        self.stream_ended && (self.voice.is_none() || self.heard.state == ClockState::Finished)
    }

    /// The line ended on its own: nothing to cancel when dropped.
    pub(crate) fn mark_done(&mut self) {
        self.done = true;
    }

    pub(crate) fn progress(&self) -> LineProgress<'_> {
        let words = &self.alignment.words;
        LineProgress {
            text: &self.text,
            words_timed: words.iter().filter(|w| !w.partial).count(),
            word: self.next_word.checked_sub(1),
            heard_seconds: self.heard.frames / f64::from(self.timeline.sample_rate()),
            shown_seconds: self.shown / f64::from(self.timeline.sample_rate()),
            first_audio: self.first_audio,
            underruns: self.clock().map_or(0, AudibleClock::underruns),
            delivered: self.stream_ended,
        }
    }
}

/// What one frame found of a line ([`ActiveLine::advance`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct LineStep {
    /// Where the line is heard this frame.
    pub(crate) heard: AudiblePosition,
    /// The line started being heard this frame, this long after it was asked for.
    pub(crate) started: Option<Duration>,
    /// Its output stopped (`true`) or went on (`false`) playing it this frame.
    pub(crate) stall: Option<bool>,
    /// The position the mouth shows (frames of the line), when it follows the line.
    pub(crate) shown: Option<f64>,
    /// The line is over: heard to its end, or failed ([`ActiveLine::take_failure`]).
    pub(crate) ended: bool,
}

impl Drop for ActiveLine {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if let Some((control, _)) = &self.voice {
            control.interrupt();
        }
        self.canceller.cancel(self.id);
    }
}
