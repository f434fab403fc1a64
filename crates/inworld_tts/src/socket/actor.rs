//! The connection task: one per [`TtsSocket`](super::TtsSocket). It owns the WebSocket, routes
//! every server message to its context by `contextId`, replays open contexts after a
//! reconnect, fails stalled contexts, and pings an idle connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::{self, Message};

use super::handshake::{Socket, connect};
use super::wire::{Outgoing, ServerMessage};
use super::{Command, Counters, MAX_CONTEXTS, SocketEvent, SocketOptions};
use crate::client::InworldClient;
use crate::decode::{StreamDecoder, StreamEvent, TimeBase};
use crate::error::{ApiFailure, InworldError, Result};
use crate::request::AudioEncoding;
use lipsync_core::alignment::FrameOffset;

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

struct Link {
    sink: SplitSink<Socket, Message>,
    stream: SplitStream<Socket>,
}

pub(super) struct Connection {
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
    pub(super) fn new(
        client: InworldClient,
        options: SocketOptions,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            client,
            options,
            counters,
            routes: HashMap::new(),
            link: None,
            last_heard: Instant::now(),
            pinged: false,
            broken: None,
            losses: 0,
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
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
