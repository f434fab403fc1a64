//! Which audio position a display frame should show.
//!
//! A frame computed now is seen `render_latency` later (pipelined rendering, swap chain, the
//! display's own processing) and then stays on screen for one frame period. The position to
//! evaluate is therefore not the one heard now but the one heard in the middle of the interval
//! the picture will be visible: sampling the middle bounds the error by half a frame either way,
//! where sampling its start makes the mouth up to a whole frame late.
//!
//! A line that has just started is still in the device's buffer when its first frame is
//! rendered. The audible position is then negative, by the frames still to come before the
//! first is heard (the audio clock's signed position), so the first pictures of a line are placed
//! as exactly as the rest.
//!
//! # How exact it has to be
//! A late mouth (sound first) is detectable beyond about 45 ms and still acceptable to 90 ms; an
//! early mouth (picture first) is detectable beyond about 125 ms and acceptable to 185 ms
//! (ITU-R BT.1359); broadcast targets ask for sound at most 15 ms early and 45 ms late (ATSC
//! IS-191). Without care the budget is gone before the mouth moves: a position read once per
//! 1024-frame callback is up to 21 ms stale at 48 kHz, a 60 fps frame adds 17 ms and the
//! device's latency adds more. Hence an interpolated audible clock, latency compensation, and
//! evaluation at display time.
//!
//! ```
//! use std::time::Duration;
//! use lipsync_core::DisplayTiming;
//!
//! let timing = DisplayTiming {
//!     render_latency: Duration::from_millis(33),
//!     frame_period: Duration::from_millis(16),
//! };
//! assert_eq!(timing.lookahead(), Duration::from_millis(41));
//! // Heard now: frame 24 000 at 24 kHz; shown: 41 ms later.
//! assert_eq!(timing.display_position(24_000.0, true, 24_000), 24_984.0);
//! // The line's first frame is heard in 30 ms: the picture shows its 11th ms.
//! assert_eq!(timing.display_position(-720.0, true, 24_000), 264.0);
//! // ... in 50 ms: the picture shows its start.
//! assert_eq!(timing.display_position(-1_200.0, true, 24_000), 0.0);
//! // While the clock holds (underrun, not started) the mouth holds too.
//! assert_eq!(timing.display_position(24_000.0, false, 24_000), 24_000.0);
//! ```

use std::time::Duration;

/// When the picture being computed now will be seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DisplayTiming {
    /// From the moment the frame's mouth is computed to the moment the picture appears.
    pub render_latency: Duration,
    /// How long each picture stays on screen (1 / frame rate).
    pub frame_period: Duration,
}

impl DisplayTiming {
    /// How far ahead of the audible position to evaluate: the render latency plus half a frame.
    pub fn lookahead(&self) -> Duration {
        self.render_latency + self.frame_period / 2
    }

    /// The utterance position (frames) to evaluate for a frame computed while `audible_now` is
    /// heard: negative while the utterance's start is still that many frames from being heard.
    /// `advancing` is whether the audio clock is running; a held clock (underrun, not started,
    /// finished) is shown as it is, so the mouth never runs ahead of silence.
    pub fn display_position(&self, audible_now: f64, advancing: bool, sample_rate: u32) -> f64 {
        if !advancing {
            return audible_now.max(0.0);
        }
        (audible_now + self.lookahead().as_secs_f64() * f64::from(sample_rate)).max(0.0)
    }
}
