//! Starting and stopping the emulator, and the handle tests steer it with.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::catalog::Voice;
use super::connection;
use super::fault::Fault;
use super::socket::SynthesisTiming;
use super::state::{RecordedRequest, Shared};
use super::{EmulatorConfig, Pacing};

/// Entry points: [`Emulator::start`] inside a tokio runtime, [`Emulator::spawn`] anywhere.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Bind `127.0.0.1` and serve on the current tokio runtime until the handle is dropped or
    /// [`EmulatorHandle::shutdown`] is called.
    pub async fn start(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(accept_loop(listener, Arc::clone(&shared), stopped));
        Ok(EmulatorHandle {
            shared,
            addr,
            stop,
            thread: None,
        })
    }

    /// Bind `127.0.0.1` and serve from a background thread with its own runtime: for
    /// synchronous tests and examples. Errors (port taken, ...) are returned here.
    pub fn spawn(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
        let std_listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let shared = Arc::new(Shared::new(config));
        let (stop, stopped) = watch::channel(false);
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("inworld-emulator-{}", addr.port()))
            .spawn(move || runtime.block_on(accept_loop(listener, serving, stopped)))?;
        Ok(EmulatorHandle {
            shared,
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

/// Accept connections until told to stop; then every connection task is aborted.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A send or a dropped handle both end the loop.
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(connection::serve(Arc::clone(&shared), stream));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    log::warn!("emulator accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                if let Err(e) = finished
                    && e.is_panic()
                {
                    log::error!("emulator connection task panicked: {e}");
                }
            }
        }
    }
    connections.abort_all();
}

/// A running emulator. Dropping it stops the server.
pub struct EmulatorHandle {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`, to use as the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Apply `fault` to the next `times` synthesis requests (and WebSocket syntheses: one per
    /// flush), after faults queued before it.
    /// `u32::MAX` never runs out. A synthesis request takes its fault on arrival, before
    /// authentication and validation, so the count is exact whatever the request holds.
    pub fn push_fault(&self, fault: Fault, times: u32) {
        self.shared.lock().faults.push(fault, times);
    }

    /// Forget all queued faults.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Change pacing for requests that arrive from now on.
    pub fn set_pacing(&self, pacing: Pacing) {
        self.shared.lock().settings.pacing = pacing;
    }

    /// See [`EmulatorConfig::float_noise`].
    pub fn set_float_noise(&self, on: bool) {
        self.shared.lock().settings.float_noise = on;
    }

    /// See [`EmulatorConfig::chunk_relative_times`].
    pub fn set_chunk_relative_times(&self, on: bool) {
        self.shared.lock().settings.chunk_relative_times = on;
    }

    /// Make the AI/ML API gateway route answer URLs that serve nothing (an expired file).
    pub fn set_gateway_dead_urls(&self, on: bool) {
        self.shared.lock().gateway.dead_urls = on;
    }

    /// Make the AI/ML API gateway route answer `{"audio": "<url>"}` rather than
    /// `{"audio": {"url": "<url>"}}`.
    pub fn set_gateway_bare_url(&self, on: bool) {
        self.shared.lock().gateway.bare_url = on;
    }

    /// Queue a reply for the LLM route (`/v1/chat/completions`); without one it makes a reply
    /// from the player's line.
    pub fn push_chat_reply(&self, reply: impl Into<String>) {
        self.shared.lock().chat.replies.push_back(reply.into());
    }

    /// The LLM route's pace: the first token after `first_token`, then one every `interval`.
    pub fn set_chat_pace(&self, first_token: Duration, interval: Duration) {
        let mut state = self.shared.lock();
        state.chat.first_token = first_token;
        state.chat.token_interval = interval;
    }

    /// Make the LLM route send an error event after `tokens` tokens (and no `[DONE]`); `None`
    /// for whole replies.
    pub fn set_chat_error_after(&self, tokens: Option<usize>) {
        self.shared.lock().chat.error_after = tokens;
    }

    /// Make the WebSocket route accept connections and never answer the upgrade.
    pub fn set_socket_stall_handshake(&self, on: bool) {
        self.shared.lock().socket.stall_handshake = on;
    }

    /// Make the WebSocket route send one more `audioChunk` (a loud tone) for a context after
    /// its `contextClosed`: a client must never play it.
    pub fn set_socket_late_audio(&self, on: bool) {
        self.shared.lock().socket.late_audio = on;
    }

    /// Make the WebSocket route start every synthesis with an error that names no context,
    /// like the queued answer to a contextless keepalive: a client must not fail a turn on it.
    pub fn set_socket_contextless_errors(&self, on: bool) {
        self.shared.lock().socket.contextless_errors = on;
    }

    /// Every WebSocket synthesis so far, in order: when the message asking for it was read and
    /// when its first `audioChunk` was written. What a latency report subtracts to see the
    /// client's share.
    pub fn socket_syntheses(&self) -> Vec<SynthesisTiming> {
        self.shared.lock().socket.syntheses.clone()
    }

    /// WebSocket contexts created so far, and connections upgraded.
    pub fn socket_counts(&self) -> (u64, u64) {
        let state = self.shared.lock();
        (state.socket.contexts_created, state.socket.connections)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        let state = self.shared.lock();
        state.requests.iter().map(|(_, r)| r.clone()).collect()
    }

    /// How many requests hit `path` (e.g. `/tts/v1/voice:stream`) so far.
    pub fn count_requests(&self, path: &str) -> usize {
        let state = self.shared.lock();
        state
            .requests
            .iter()
            .filter(|(_, r)| r.path == path)
            .count()
    }

    /// Revoke every Bearer token minted so far: requests carrying one get 401 from now on.
    pub fn revoke_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// Forget the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The voices currently listed.
    pub fn voices(&self) -> Vec<Voice> {
        self.shared.lock().catalog.voices.clone()
    }

    /// Stop serving and wait for the background thread, if any. Open connections are cut.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        self.stop.send_replace(true);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            log::error!("emulator thread panicked");
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_now();
    }
}
