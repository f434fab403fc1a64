//! Inworld's bidirectional WebSocket TTS: one connection, many contexts, text in as it is
//! written, audio and timing out as it is synthesised.
//!
//! A [`TtsSocket`] owns one connection (opened on first use, or early with
//! [`TtsSocket::connect`]) and a task that routes every server message by its `contextId`.
//! Each [`SocketContext`] is one conversational turn: text goes in with
//! [`SocketContext::send_text`], audio and timing come out of [`SocketContext::next`] in the
//! context's own frames, whatever else shares the connection.
//!
//! What this gets right, because other clients did not:
//! - **Times per synthesis.** Each flush is a new synthesis whose times restart at zero; they are
//!   placed after the audio the context had already received (the previous `flushCompleted`).
//! - **Routing.** A message for a context that is closed or unknown is dropped, never played:
//!   audio that arrives after a cancel, or after `contextClosed`, is counted in
//!   [`SocketStats::dropped`] and goes nowhere.
//! - **Contextless errors** (the answer to a keepalive some servers queue) never fail a turn:
//!   they are logged and counted in [`SocketStats::contextless_errors`].
//! - **Bounded waits.** The handshake has a timeout; a context waiting for audio that hears
//!   nothing for [`SocketOptions::stall_timeout`] ends with [`InworldError::Timeout`]; WebSocket
//!   pings keep an idle connection alive and find a dead one.
//! - **Reconnects.** When the connection breaks with turns in flight, it is opened again and
//!   every open context is created again with the text it had not yet heard back.
//!
//! The module's parts: the handles here, the connection task in `actor` (routing by
//! `contextId`, reconnects, keepalive), the hand-written TCP / TLS / WebSocket upgrade in
//! `handshake`, and the JSON messages of the protocol in `wire`.

mod actor;
mod handshake;
mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use self::actor::Connection;
use self::wire::Outgoing;
use super::client::InworldClient;
use super::decode::StreamEvent;
use super::error::{InworldError, Result};
use super::request::{AudioEncoding, MAX_TEXT_CHARS, SynthesisRequest};
use lipsync_core::alignment::FrameOffset;

/// The WebSocket's path under the base URL (whose scheme becomes `ws` or `wss`).
pub const SOCKET_PATH: &str = "/tts/v1/voice:streamBidirectional";

/// Contexts one connection may hold at once (Inworld's limit).
pub const MAX_CONTEXTS: usize = 5;

/// Timers and limits of a [`TtsSocket`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SocketOptions {
    /// Longest wait for TCP, TLS and the WebSocket upgrade together.
    pub handshake_timeout: Duration,
    /// A ping goes out when nothing was received for this long; a connection that then stays
    /// silent for as long again is taken for dead and replaced.
    pub keepalive: Duration,
    /// A context waiting for audio (text flushed, or closed and not yet acknowledged) that
    /// hears nothing for this long ends with a timeout error.
    pub stall_timeout: Duration,
    /// How many times a broken connection is opened again while turns are in flight.
    pub reconnects: u32,
}

impl Default for SocketOptions {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_secs(5),
            keepalive: Duration::from_secs(20),
            stall_timeout: Duration::from_secs(10),
            reconnects: 2,
        }
    }
}

/// Counters of a [`TtsSocket`], for tests and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketStats {
    /// WebSocket handshakes that succeeded.
    pub connections: u64,
    /// Server messages dropped because their context was closed, cancelled or unknown.
    pub dropped: u64,
    /// Errors the server sent without naming a context (logged, never fatal to a turn).
    pub contextless_errors: u64,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    dropped: AtomicU64,
    contextless_errors: AtomicU64,
}

/// What a context delivers, in order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SocketEvent {
    /// Audio, timing or usage, in the context's frames (like the HTTP stream's events).
    Stream(StreamEvent),
    /// A synthesis finished (`flushCompleted`); the context's audio so far ends at `end`.
    Flushed {
        /// Frames of audio the context has received in all.
        end: FrameOffset,
    },
}

/// One WebSocket connection to Inworld's TTS, shared by any number of turns. Cheap to clone;
/// the connection closes when the last clone and the last context are dropped.
///
/// Needs a tokio runtime: the connection task is spawned on the current one.
#[derive(Clone, Debug)]
pub struct TtsSocket {
    commands: mpsc::UnboundedSender<Command>,
    next_id: Arc<AtomicU64>,
    counters: Arc<Counters>,
}

impl InworldClient {
    /// A WebSocket TTS connection with the default [`SocketOptions`].
    pub fn socket(&self) -> TtsSocket {
        self.socket_with(SocketOptions::default())
    }

    /// A WebSocket TTS connection with these options.
    pub fn socket_with(&self, options: SocketOptions) -> TtsSocket {
        let (commands, receiver) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let task = Connection::new(self.clone(), options, Arc::clone(&counters));
        tokio::spawn(task.run(receiver));
        TtsSocket {
            commands,
            next_id: Arc::new(AtomicU64::new(1)),
            counters,
        }
    }
}

impl TtsSocket {
    /// Opens the connection now (it otherwise opens with the first context), so the first turn
    /// does not wait for the handshake.
    pub async fn connect(&self) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Connect(reply))?;
        answer.await.map_err(|_| gone())?
    }

    /// Starts a turn: creates a context with `settings`' voice, model, audio and timestamp
    /// settings (its `text` is ignored). Returns at once; the `create` goes out without
    /// waiting, and text may follow it straight away.
    pub fn open(&self, settings: &SynthesisRequest) -> Result<SocketContext> {
        // The context's settings are checked like a request's, with text to come.
        SynthesisRequest {
            text: "-".into(),
            ..settings.clone()
        }
        .validate_settings()?;
        let id = format!("ctx-{}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let mut create = serde_json::to_value(settings)
            .map_err(|e| InworldError::InvalidRequest(format!("cannot encode the context: {e}")))?;
        if let Some(object) = create.as_object_mut() {
            object.remove("text");
            // Text is cut by the caller's sentence splitter and flushed explicitly.
            object.insert("autoMode".into(), Value::Bool(false));
        }
        let (events_tx, events) = mpsc::unbounded_channel();
        let audio = &settings.audio_config;
        self.send(Command::Open {
            id: id.clone(),
            create,
            encoding: audio.audio_encoding,
            sample_rate: audio.sample_rate_hertz,
            events: events_tx,
        })?;
        Ok(SocketContext {
            id,
            commands: self.commands.clone(),
            events,
            state: ContextState::Open,
        })
    }

    /// The counters so far.
    pub fn stats(&self) -> SocketStats {
        SocketStats {
            connections: self.counters.connections.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            contextless_errors: self.counters.contextless_errors.load(Ordering::Relaxed),
        }
    }

    fn send(&self, command: Command) -> Result<()> {
        self.commands.send(command).map_err(|_| gone())
    }
}

fn gone() -> InworldError {
    InworldError::Network("the TTS WebSocket task has stopped (its runtime shut down?)".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ContextState {
    Open,
    /// `close_context` sent: the remaining audio still arrives.
    Finishing,
    /// Cancelled, or over: nothing more is delivered.
    Done,
}

/// One turn on a [`TtsSocket`]. Dropping it cancels the turn.
#[derive(Debug)]
pub struct SocketContext {
    id: String,
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Result<SocketEvent>>,
    state: ContextState,
}

impl SocketContext {
    /// The `contextId` on the wire.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Sends text; with `flush`, everything sent so far is synthesised now (a sentence the
    /// splitter released). Text over 2,000 characters is refused.
    pub fn send_text(&self, text: &str, flush: bool) -> Result<()> {
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(InworldError::InvalidRequest(format!(
                "a WebSocket text message is {chars} characters; the limit is {MAX_TEXT_CHARS}: \
                 send it in sentences"
            )));
        }
        self.command(Outgoing::Text {
            text: text.to_owned(),
            flush,
        })
    }

    /// Synthesises the text sent so far (`flush_context`).
    pub fn flush(&self) -> Result<()> {
        self.command(Outgoing::Flush)
    }

    /// Ends the turn normally: synthesises what is left, and [`Self::next`] returns `None`
    /// once the server has closed the context.
    pub fn finish(&mut self) -> Result<()> {
        if self.state != ContextState::Open {
            return Ok(());
        }
        self.command(Outgoing::Close)?;
        self.state = ContextState::Finishing;
        Ok(())
    }

    /// Barge-in: closes the context and delivers nothing more, whatever still arrives for it.
    pub fn cancel(&mut self) {
        if self.state == ContextState::Done {
            return;
        }
        self.state = ContextState::Done;
        let _ = self.commands.send(Command::Cancel(self.id.clone()));
        self.events.close();
        while self.events.try_recv().is_ok() {}
    }

    /// The next event; `None` once the context is closed (or cancelled). After an error the
    /// context is over.
    pub async fn next(&mut self) -> Option<Result<SocketEvent>> {
        if self.state == ContextState::Done {
            return None;
        }
        let event = self.events.recv().await;
        match &event {
            None | Some(Err(_)) => self.state = ContextState::Done,
            Some(Ok(_)) => {}
        }
        event
    }

    fn command(&self, message: Outgoing) -> Result<()> {
        if self.state != ContextState::Open {
            return Err(InworldError::InvalidRequest(format!(
                "context {} is closed: start a new one for more text",
                self.id
            )));
        }
        self.commands
            .send(Command::Send {
                id: self.id.clone(),
                message,
            })
            .map_err(|_| gone())
    }
}

impl Drop for SocketContext {
    fn drop(&mut self) {
        if self.state != ContextState::Done {
            let _ = self.commands.send(Command::Cancel(self.id.clone()));
        }
    }
}

#[derive(Debug)]
enum Command {
    Connect(oneshot::Sender<Result<()>>),
    Open {
        id: String,
        create: Value,
        encoding: AudioEncoding,
        sample_rate: u32,
        events: mpsc::UnboundedSender<Result<SocketEvent>>,
    },
    Send {
        id: String,
        message: Outgoing,
    },
    Cancel(String),
}
