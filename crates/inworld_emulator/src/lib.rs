//! A loopback server that speaks Inworld's documented TTS protocol, with fault injection, for
//! tests and demos without a key.
//!
//! Inworld's servers are out of reach in tests and CI, so the [`inworld_tts`] client (and
//! everything built on it) is exercised against this emulator over real TCP on `127.0.0.1`. It
//! is written from Inworld's published protocol alone and shares no protocol types with the
//! client (only the WAV writer, [`inworld_tts::wav`]): when the two disagree about the protocol,
//! a test fails. The `inworld_emulator` binary of this crate runs it from a shell
//! (`cargo run -p inworld_emulator -- --port 0`).
//!
//! # What it serves
//! - `POST /tts/v1/voice` (one JSON) and `POST /tts/v1/voice:stream` (NDJSON, one HTTP chunk
//!   per line), with the server's validation rules and gRPC-style error bodies.
//! - `GET /tts/v1/voice:streamBidirectional`, the WebSocket TTS: contexts, flushes, closes.
//! - The voices API: list (filter, order, paging), get, patch, delete, design, publish, clone.
//! - `POST /auth/v1/tokens`, minting short-lived Bearer tokens (response shape is a guess).
//! - `POST /v1/chat/completions`, a scripted LLM router streaming its reply token by token.
//! - `POST /v1/tts` and `GET /v1/files/{id}`, the AI/ML API gateway's synthesis and its files.
//!
//! Every request needs `Authorization: Basic <key>` (or a Bearer token minted here), compared
//! verbatim with [`EmulatorConfig::key`], else with `INWORLD_API_KEY`; when neither is set any
//! non-empty Basic credential is accepted. The gateway's routes take the same key as
//! `Authorization: Bearer <key>`.
//!
//! # The voice and its ground truth
//! Audio comes from a [`SpeechSource`]. The default, [`ToneVoice`], renders each phone as a sine
//! tone; its word and phone timeline is exact to the frame, and [`render_tones`] is public so a
//! test can compute what the emulator will send and compare the client's decoding against it.
//! [`OfflineSource`] speaks with the built-in offline voice instead, for demos.
//!
//! # Faults
//! [`EmulatorHandle::push_fault`] queues a [`Fault`] for the next synthesis requests: error
//! statuses, resets, truncated or trickled bodies, broken lines, corrupt audio, stalls.
//!
//! # Example
//! ```no_run
//! use inworld_emulator::{Emulator, EmulatorConfig, Fault};
//!
//! let emulator = Emulator::spawn(EmulatorConfig {
//!     key: Some("test-key".into()),
//!     ..EmulatorConfig::default()
//! })?;
//! // The first request is refused with 429, the retry succeeds.
//! emulator.push_fault(Fault::status(429), 1);
//! println!("point the client at {}", emulator.base_url());
//! # Ok::<(), std::io::Error>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod catalog;
mod chat;
mod connection;
mod error;
mod fault;
mod fields;
mod gateway;
mod http;
mod phonetics;
mod routes;
mod server;
mod socket;
mod source;
mod state;
mod stream;
mod timestamps;
mod tts;
mod voices;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use catalog::{Voice, VoiceSource, default_voices};
pub use fault::Fault;
pub use phonetics::{OPENXR_VISEMES, VISEME_CATEGORIES};
pub use server::{Emulator, EmulatorHandle};
pub use socket::SynthesisTiming;
pub use source::{
    OfflineSource, Rendered, RenderedPhone, RenderedWord, SpeechSource, ToneVoice, render_tones,
};
pub use state::{AuthScheme, RecordedRequest};

/// How the emulator starts.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// The Basic credential to require. `None` reads `INWORLD_API_KEY`; when that is unset or
    /// empty too, any non-empty Basic credential is accepted.
    pub key: Option<String>,
    /// Loopback port to bind; 0 picks a free one.
    pub port: u16,
    /// How fast audio is delivered.
    pub pacing: Pacing,
    /// The voices listed at start (system voices by default).
    pub voices: Vec<Voice>,
    /// Write every time through `f32` (like `0.049999997` in Inworld's reference), so a client
    /// must round to frames instead of trusting exact decimals.
    pub float_noise: bool,
    /// Count streamed times from the start of each chunk instead of the start of the request's
    /// audio: the other reading of an unsettled protocol point.
    pub chunk_relative_times: bool,
    /// What renders the audio and its timeline.
    pub source: Arc<dyn SpeechSource>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            key: None,
            port: 0,
            pacing: Pacing::default(),
            voices: default_voices(),
            float_noise: false,
            chunk_relative_times: false,
            source: Arc::new(ToneVoice),
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key never appears in logs or test output.
        f.debug_struct("EmulatorConfig")
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("port", &self.port)
            .field("pacing", &self.pacing)
            .field("voices", &self.voices.len())
            .field("float_noise", &self.float_noise)
            .field("chunk_relative_times", &self.chunk_relative_times)
            .finish_non_exhaustive()
    }
}

/// When streamed audio leaves the emulator.
///
/// Chunk `i` is sent at `first_chunk_delay + audio_before_chunk_i / real_time_factor`, measured
/// from the moment the request was read. The default sends everything at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pacing {
    /// Time to first byte: headers and the first chunk wait this long.
    pub first_chunk_delay: Duration,
    /// Seconds of audio delivered per second of wall time; 0 means as fast as possible,
    /// 1.0 real time, 2.0 twice real time.
    pub real_time_factor: f32,
    /// Target audio per streamed chunk. Chunks end between words, so a chunk holds at least one
    /// word and may run longer than this.
    pub chunk_duration: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            first_chunk_delay: Duration::ZERO,
            real_time_factor: 0.0,
            chunk_duration: Duration::from_millis(250),
        }
    }
}

impl Pacing {
    /// Roughly what `inworld-tts-1.5-mini` feels like: 120 ms to the first chunk, then audio
    /// twice as fast as it plays.
    pub fn realistic() -> Self {
        Self {
            first_chunk_delay: Duration::from_millis(120),
            real_time_factor: 2.0,
            chunk_duration: Duration::from_millis(250),
        }
    }

    /// Wall time at which audio starting at `audio_offset` is sent, from the request's start.
    pub(crate) fn send_time(&self, audio_offset: Duration) -> Duration {
        let rtf = f64::from(self.real_time_factor);
        if !(rtf.is_finite() && rtf > 0.0) {
            return self.first_chunk_delay;
        }
        // Clamped so an absurd factor saturates instead of overflowing `Duration`.
        let paced = Duration::try_from_secs_f64(audio_offset.as_secs_f64() / rtf.max(1e-3))
            .unwrap_or(Duration::MAX);
        self.first_chunk_delay.saturating_add(paced)
    }
}
