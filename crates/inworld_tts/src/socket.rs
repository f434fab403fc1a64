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

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::{self, Message};
use url::Url;

use super::client::InworldClient;
use super::decode::{StreamDecoder, StreamEvent, TimeBase};
use super::error::{ApiFailure, InworldError, Result};
use super::request::{AudioEncoding, MAX_TEXT_CHARS, SynthesisRequest};
use super::wire::{ErrorBody, ErrorEnvelope, SynthesisResult};
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
        let task = Connection {
            client: self.clone(),
            options,
            counters: Arc::clone(&counters),
            routes: HashMap::new(),
            link: None,
            last_heard: Instant::now(),
            pinged: false,
            broken: None,
            losses: 0,
        };
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

/// A client message of a context, kept until the server has answered it (for reconnects).
#[derive(Clone, Debug)]
enum Outgoing {
    Text { text: String, flush: bool },
    Flush,
    Close,
}

impl Outgoing {
    fn to_json(&self, id: &str) -> Value {
        match self {
            Outgoing::Text { text, flush: false } => {
                json!({"contextId": id, "send_text": {"text": text}})
            }
            Outgoing::Text { text, flush: true } => {
                json!({"contextId": id, "send_text": {"text": text, "flush_context": {}}})
            }
            Outgoing::Flush => json!({"contextId": id, "flush_context": {}}),
            Outgoing::Close => json!({"contextId": id, "close_context": {}}),
        }
    }

    fn flushes(&self) -> bool {
        matches!(
            self,
            Outgoing::Text { flush: true, .. } | Outgoing::Flush | Outgoing::Close
        )
    }
}

/// A context as the connection task sees it.
struct Route {
    events: mpsc::UnboundedSender<Result<SocketEvent>>,
    create: Value,
    /// Messages whose synthesis has not completed yet: replayed after a reconnect.
    unanswered: Vec<Outgoing>,
    encoding: AudioEncoding,
    sample_rate: u32,
    /// The synthesis being received.
    decoder: Option<StreamDecoder>,
    /// Frames received in finished syntheses.
    frames: u64,
    /// When something last arrived for it, or it last asked for something.
    last_heard: Instant,
    scratch: Vec<StreamEvent>,
}

impl Route {
    fn waiting(&self) -> bool {
        self.unanswered.iter().any(Outgoing::flushes)
    }

    fn fail(&self, error: InworldError) {
        let _ = self.events.send(Err(error));
    }

    /// The synthesis ended (or broke off): later audio goes after its frames.
    fn end_synthesis(&mut self) {
        if let Some(decoder) = self.decoder.take() {
            self.frames += decoder.frames();
        }
    }
}

type Socket = WebSocketStream<Box<dyn Io>>;

/// Any byte stream a WebSocket can run on (plain TCP or TLS).
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

struct Link {
    sink: SplitSink<Socket, Message>,
    stream: SplitStream<Socket>,
}

struct Connection {
    client: InworldClient,
    options: SocketOptions,
    counters: Arc<Counters>,
    routes: HashMap<String, Route>,
    link: Option<Link>,
    last_heard: Instant,
    pinged: bool,
    /// Why a write found the connection broken, until it is replaced.
    broken: Option<String>,
    /// Connections lost since a message was last received.
    losses: u32,
}

impl Connection {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let tick = (self.options.stall_timeout.min(self.options.keepalive) / 4)
            .max(Duration::from_millis(5));
        let mut timer = tokio::time::interval(tick);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let incoming = async {
                match self.link.as_mut() {
                    Some(link) => link.stream.next().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command).await,
                    None if self.routes.is_empty() => break,
                    // Every handle is gone but contexts still read: keep serving them.
                    None => self.serve_remaining().await,
                },
                message = incoming => self.incoming(message).await,
                _ = timer.tick() => self.timers().await,
            }
            self.repair().await;
        }
        if let Some(mut link) = self.link.take() {
            let _ = link.sink.close().await;
        }
    }

    /// After the last handle is gone: only incoming messages and timers, until no route is left.
    async fn serve_remaining(&mut self) {
        let mut timer = tokio::time::interval(Duration::from_millis(50));
        while self.routes.values().any(|r| !r.events.is_closed()) {
            let incoming = async {
                match self.link.as_mut() {
                    Some(link) => link.stream.next().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                message = incoming => self.incoming(message).await,
                _ = timer.tick() => self.timers().await,
            }
            self.repair().await;
        }
        self.routes.clear();
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Connect(reply) => {
                let result = self.ensure_link().await;
                let _ = reply.send(result);
            }
            Command::Open {
                id,
                create,
                encoding,
                sample_rate,
                events,
            } => {
                let route = Route {
                    events,
                    create,
                    unanswered: Vec::new(),
                    encoding,
                    sample_rate,
                    decoder: None,
                    frames: 0,
                    last_heard: Instant::now(),
                    scratch: Vec::new(),
                };
                if self.routes.len() >= MAX_CONTEXTS {
                    route.fail(InworldError::InvalidRequest(format!(
                        "one Inworld WebSocket holds at most {MAX_CONTEXTS} contexts at once; \
                         finish or cancel a turn first"
                    )));
                    return;
                }
                let message = json!({"contextId": &id, "create": &route.create});
                self.routes.insert(id.clone(), route);
                if let Err(e) = self.ensure_link().await {
                    if let Some(route) = self.routes.remove(&id) {
                        route.fail(e);
                    }
                    return;
                }
                self.write(message).await;
            }
            Command::Send { id, message } => {
                let Some(route) = self.routes.get_mut(&id) else {
                    return;
                };
                if !route.waiting() {
                    route.last_heard = Instant::now();
                }
                let json = message.to_json(&id);
                route.unanswered.push(message);
                if self.link.is_some() {
                    self.write(json).await;
                }
            }
            Command::Cancel(id) => {
                if self.routes.remove(&id).is_some() && self.link.is_some() {
                    self.write(Outgoing::Close.to_json(&id)).await;
                }
            }
        }
    }

    /// Writes a message; a failure marks the connection broken, to be replaced (and every
    /// context replayed) once the current step is done.
    async fn write(&mut self, message: Value) {
        let Some(link) = self.link.as_mut() else {
            return;
        };
        if let Err(e) = link.sink.send(Message::text(message.to_string())).await {
            self.link = None;
            self.broken.get_or_insert(format!("sending failed: {e}"));
        }
    }

    /// Replaces a connection a write found broken.
    async fn repair(&mut self) {
        while let Some(why) = self.broken.take() {
            self.lost(why).await;
        }
    }

    async fn ensure_link(&mut self) -> Result<()> {
        if self.link.is_some() {
            return Ok(());
        }
        let socket = connect(&self.client, &self.options).await?;
        self.counters.connections.fetch_add(1, Ordering::Relaxed);
        let (sink, stream) = socket.split();
        self.link = Some(Link { sink, stream });
        self.last_heard = Instant::now();
        self.pinged = false;
        Ok(())
    }

    /// The connection broke. With turns in flight it is opened again and each context is
    /// created again with what it had not heard back; otherwise it reopens on next use.
    async fn lost(&mut self, why: String) {
        self.link = None;
        if self.routes.is_empty() {
            log::debug!("the TTS WebSocket closed ({why}); it reopens on next use");
            return;
        }
        log::info!("the TTS WebSocket broke mid-turn ({why}); reconnecting");
        // Breaks with nothing heard in between count against the same budget.
        let mut attempt = self.losses;
        self.losses += 1;
        let error = loop {
            attempt += 1;
            if attempt > self.options.reconnects + 1 {
                break Some(InworldError::Network(format!(
                    "{} connections in a row broke",
                    self.losses
                )));
            }
            match self.ensure_link().await {
                Ok(()) => break None,
                Err(e) if attempt > self.options.reconnects => break Some(e),
                Err(e) => {
                    log::info!("reconnecting the TTS WebSocket failed ({e}); trying again");
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                }
            }
        };
        if let Some(error) = error {
            for (_, route) in self.routes.drain() {
                route.fail(InworldError::Network(format!(
                    "the TTS WebSocket broke mid-turn ({why}) and could not be reopened: {error}"
                )));
            }
            return;
        }
        let mut replay = Vec::new();
        for (id, route) in &mut self.routes {
            // Audio of a synthesis cut short stays where it was; the resent text follows it.
            route.end_synthesis();
            route.last_heard = Instant::now();
            replay.push(json!({"contextId": id, "create": &route.create}));
            replay.extend(route.unanswered.iter().map(|m| m.to_json(id)));
        }
        for message in replay {
            if self.link.is_none() {
                break;
            }
            self.write(message).await;
        }
    }

    async fn incoming(&mut self, message: Option<Result<Message, tungstenite::Error>>) {
        self.last_heard = Instant::now();
        self.pinged = false;
        match message {
            Some(Ok(Message::Text(text))) => {
                self.losses = 0;
                self.route(text.as_bytes());
                // Let the context's reader take what was routed before the next message is
                // decoded: on a busy connection the first audio would otherwise wait for the
                // messages queued behind it.
                tokio::task::yield_now().await;
            }
            Some(Ok(Message::Binary(bytes))) => self.route(&bytes),
            Some(Ok(Message::Close(frame))) => {
                let why = frame.map_or_else(
                    || "closed by the server".to_owned(),
                    |f| format!("closed by the server: {} {}", u16::from(f.code), f.reason),
                );
                self.lost(why).await;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => self.lost(e.to_string()).await,
            None => self.lost("the connection ended".into()).await,
        }
    }

    /// Hands one server message to its context.
    fn route(&mut self, bytes: &[u8]) {
        let message: ServerMessage<'_> = match serde_json::from_slice(bytes) {
            Ok(message) => message,
            Err(e) => {
                // Without a readable contextId it cannot be pinned on a turn; the turn waiting
                // for it times out if it never comes right.
                log::warn!(
                    "the TTS WebSocket sent a message that is not the expected JSON ({e}); \
                     dropped"
                );
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                return;
            }
        };
        if let Some(error) = message.error {
            let id = error.context_id.clone().or(message.context_id.clone());
            let failure = error.into_failure();
            match id.and_then(|id| self.routes.remove(&id)) {
                Some(route) => route.fail(InworldError::from_api(failure, None)),
                None => {
                    self.counters
                        .contextless_errors
                        .fetch_add(1, Ordering::Relaxed);
                    log::warn!(
                        "the TTS WebSocket reported an error for no open context ({}); ignored",
                        failure
                    );
                }
            }
            return;
        }
        let Some(result) = message.result else {
            return;
        };
        let Some(id) = result
            .context_id
            .as_deref()
            .or(message.context_id.as_deref())
        else {
            if let Some(status) = result.status.filter(|s| s.code.is_some_and(|c| c != 0)) {
                self.counters
                    .contextless_errors
                    .fetch_add(1, Ordering::Relaxed);
                log::warn!(
                    "the TTS WebSocket reported a status for no context (code {:?}: {}); ignored",
                    status.code,
                    status.message
                );
            }
            return;
        };
        let Some(route) = self.routes.get_mut(id) else {
            self.counters.dropped.fetch_add(1, Ordering::Relaxed);
            log::trace!("dropped a message for closed context {id}");
            return;
        };
        route.last_heard = Instant::now();
        if let Some(status) = result.status
            && let Some(code) = status.code.filter(|&c| c != 0)
        {
            let route = self.routes.remove(id).expect("just found");
            route.fail(InworldError::from_api(
                ApiFailure {
                    status: None,
                    code: Some(code),
                    message: status.message,
                },
                None,
            ));
            return;
        }
        if let Some(chunk) = result.audio_chunk {
            let (encoding, rate, base) = (route.encoding, route.sample_rate, route.frames);
            let decoder = route.decoder.get_or_insert_with(|| {
                StreamDecoder::new(encoding, rate)
                    .with_base(FrameOffset(base))
                    .with_time_base(TimeBase::Request)
            });
            let mut scratch = std::mem::take(&mut route.scratch);
            if let Err(e) = decoder.decode_result(chunk, &mut scratch) {
                let route = self.routes.remove(id).expect("just found");
                route.fail(e);
                return;
            }
            for event in scratch.drain(..) {
                let _ = route.events.send(Ok(SocketEvent::Stream(event)));
            }
            route.scratch = scratch;
        }
        if result.flush_completed.is_some() {
            route.end_synthesis();
            if let Some(first) = route.unanswered.iter().position(Outgoing::flushes) {
                route.unanswered.drain(..=first);
            }
            let _ = route.events.send(Ok(SocketEvent::Flushed {
                end: FrameOffset(route.frames),
            }));
        }
        if result.context_closed.is_some() {
            // Dropping the route ends the context's stream; anything later is dropped.
            self.routes.remove(id);
        }
    }

    async fn timers(&mut self) {
        // Contexts whose reader is gone are cancelled.
        let abandoned: Vec<String> = self
            .routes
            .iter()
            .filter(|(_, r)| r.events.is_closed())
            .map(|(id, _)| id.clone())
            .collect();
        for id in abandoned {
            self.routes.remove(&id);
            self.write(Outgoing::Close.to_json(&id)).await;
        }
        let stall = self.options.stall_timeout;
        let stalled: Vec<String> = self
            .routes
            .iter()
            .filter(|(_, r)| r.waiting() && r.last_heard.elapsed() >= stall)
            .map(|(id, _)| id.clone())
            .collect();
        for id in stalled {
            if let Some(route) = self.routes.remove(&id) {
                route.fail(InworldError::Timeout(format!(
                    "the TTS WebSocket sent nothing for context {id} in {:.1} s",
                    stall.as_secs_f64()
                )));
            }
            self.write(Outgoing::Close.to_json(&id)).await;
        }
        if self.link.is_none() {
            return;
        }
        let quiet = self.last_heard.elapsed();
        if self.pinged && quiet >= self.options.keepalive * 2 {
            self.lost(format!(
                "no answer to a ping in {:.1} s",
                self.options.keepalive.as_secs_f64()
            ))
            .await;
        } else if !self.pinged && quiet >= self.options.keepalive {
            self.pinged = true;
            if let Some(link) = self.link.as_mut()
                && let Err(e) = link.sink.send(Message::Ping(Vec::new().into())).await
            {
                self.lost(format!("a ping failed: {e}")).await;
            }
        }
    }
}

/// Opens the WebSocket: TCP, TLS for `wss`, the upgrade with the credentials, all within the
/// handshake timeout.
async fn connect(client: &InworldClient, options: &SocketOptions) -> Result<Socket> {
    let url = socket_url(client)?;
    let host = url
        .host_str()
        .ok_or_else(|| InworldError::Config(format!("the base URL {url} has no host")))?
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let authorization = client.config().credentials.header_value().await?;
    let secure = url.scheme() == "wss";
    let handshake = async {
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| InworldError::Network(format!("cannot reach {host}:{port}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        let mut stream: Box<dyn Io> = if secure {
            Box::new(tls(&host, tcp).await?)
        } else {
            Box::new(tcp)
        };
        let leftover = upgrade(&mut stream, &url, &authorization).await?;
        Ok(WebSocketStream::from_partially_read(stream, leftover, Role::Client, None).await)
    };
    tokio::time::timeout(options.handshake_timeout, handshake)
        .await
        .map_err(|_| {
            InworldError::Timeout(format!(
                "the TTS WebSocket handshake with {host}:{port} took over {:.1} s",
                options.handshake_timeout.as_secs_f64()
            ))
        })?
}

/// Largest upgrade answer read (headers, or an error body).
const MAX_HANDSHAKE_BYTES: usize = 64 * 1024;

/// The HTTP upgrade, written here rather than by tungstenite, whose handshake logs the request
/// (with its `Authorization`) at trace level. Returns the bytes read past the answer's head.
async fn upgrade(
    stream: &mut Box<dyn Io>,
    url: &Url,
    authorization: &reqwest::header::HeaderValue,
) -> Result<Vec<u8>> {
    let key = tungstenite::handshake::client::generate_key();
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let credential = authorization
        .to_str()
        .map_err(|_| InworldError::Config("the credential is not printable ASCII".into()))?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\nAuthorization: {credential}\r\n\
         User-Agent: bevy_lipsync/{}\r\n\r\n",
        &url[url::Position::BeforePath..],
        env!("CARGO_PKG_VERSION"),
    );
    let network = |e: std::io::Error| InworldError::Network(format!("the WebSocket upgrade: {e}"));
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(network)?;
    stream.flush().await.map_err(network)?;
    let mut buffer = Vec::with_capacity(1024);
    let mut read = [0_u8; 4096];
    loop {
        let n = stream.read(&mut read).await.map_err(network)?;
        if n == 0 {
            return Err(InworldError::Network(
                "the server closed the connection during the WebSocket upgrade".into(),
            ));
        }
        buffer.extend_from_slice(&read[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let parsed = response.parse(&buffer).map_err(|e| {
            InworldError::Protocol(format!("the WebSocket upgrade answer is not HTTP: {e}"))
        })?;
        let httparse::Status::Complete(head) = parsed else {
            if buffer.len() > MAX_HANDSHAKE_BYTES {
                return Err(InworldError::Protocol(
                    "the WebSocket upgrade answer's head is over 64 KiB".into(),
                ));
            }
            continue;
        };
        let status = response.code.unwrap_or_default();
        let header = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
        };
        if status != 101 {
            let length = header("content-length")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(0)
                .min(MAX_HANDSHAKE_BYTES);
            let mut body = buffer.split_off(head);
            while body.len() < length {
                let n = stream.read(&mut read).await.map_err(network)?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&read[..n]);
            }
            return Err(refusal(status, &body));
        }
        let expected = tungstenite::handshake::derive_accept_key(key.as_bytes());
        if header("sec-websocket-accept").as_deref() != Some(expected.as_str()) {
            return Err(InworldError::Protocol(
                "the WebSocket upgrade answer has a wrong Sec-WebSocket-Accept".into(),
            ));
        }
        return Ok(buffer.split_off(head));
    }
}

/// The base URL with `http` turned into `ws` and `https` into `wss`.
pub(crate) fn socket_url(client: &InworldClient) -> Result<Url> {
    let mut url = client.config().url(SOCKET_PATH)?;
    let scheme = match url.scheme() {
        "https" => "wss",
        _ => "ws",
    };
    url.set_scheme(scheme)
        .map_err(|()| InworldError::Config(format!("cannot turn {url} into a WebSocket URL")))?;
    Ok(url)
}

async fn tls(host: &str, tcp: TcpStream) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| InworldError::Config(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| InworldError::Config(format!("`{host}` is not a TLS server name: {e}")))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| InworldError::Network(format!("TLS with {host} failed: {e}")))
}

/// A refused upgrade becomes the error its status and body say (401: the key, ...).
fn refusal(status: u16, body: &[u8]) -> InworldError {
    let parsed = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .and_then(ErrorEnvelope::into_body);
    let (code, message) = match parsed {
        Some(b) => (b.code, b.message),
        None => (
            None,
            String::from_utf8_lossy(&body[..body.len().min(300)])
                .trim()
                .to_owned(),
        ),
    };
    InworldError::from_api(
        ApiFailure {
            status: Some(status),
            code,
            message,
        },
        None,
    )
}

/// One server message: `{"result": {...}}` or `{"error": {...}}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerMessage<'a> {
    #[serde(borrow, default)]
    result: Option<ServerResult<'a>>,
    #[serde(default)]
    error: Option<ServerError>,
    #[serde(default, alias = "context_id")]
    context_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerResult<'a> {
    #[serde(default, alias = "context_id")]
    context_id: Option<String>,
    #[serde(default)]
    status: Option<ErrorBody>,
    #[serde(borrow, default, alias = "audio_chunk")]
    audio_chunk: Option<SynthesisResult<'a>>,
    #[serde(default, alias = "flush_completed")]
    flush_completed: Option<Value>,
    #[serde(default, alias = "context_closed")]
    context_closed: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerError {
    #[serde(default, alias = "context_id")]
    context_id: Option<String>,
    #[serde(flatten)]
    body: Map<String, Value>,
}

impl ServerError {
    fn into_failure(self) -> ApiFailure {
        let body: ErrorBody = serde_json::from_value(Value::Object(self.body)).unwrap_or_default();
        ApiFailure {
            status: None,
            code: body.code,
            message: body.message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, InworldConfig};

    #[test]
    fn the_socket_url_follows_the_base() {
        for (base, expected) in [
            (
                "https://api.inworld.ai",
                "wss://api.inworld.ai/tts/v1/voice:streamBidirectional",
            ),
            (
                "http://127.0.0.1:9000",
                "ws://127.0.0.1:9000/tts/v1/voice:streamBidirectional",
            ),
        ] {
            let config = InworldConfig::new(Credentials::basic("k"))
                .with_base_url(base)
                .unwrap();
            let client = InworldClient::new(config).unwrap();
            assert_eq!(socket_url(&client).unwrap().as_str(), expected);
        }
    }

    #[test]
    fn server_messages_of_both_spellings_parse() {
        let m: ServerMessage<'_> = serde_json::from_str(
            r#"{"result":{"context_id":"a","flush_completed":{},"status":{"code":0}}}"#,
        )
        .unwrap();
        let r = m.result.unwrap();
        assert_eq!(r.context_id.as_deref(), Some("a"));
        assert!(r.flush_completed.is_some() && r.audio_chunk.is_none());
        let m: ServerMessage<'_> =
            serde_json::from_str(r#"{"error":{"code":"INVALID_ARGUMENT","message":"no"}}"#)
                .unwrap();
        let e = m.error.unwrap();
        assert!(e.context_id.is_none());
        let failure = e.into_failure();
        assert_eq!((failure.code, failure.message.as_str()), (Some(3), "no"));
    }
}
