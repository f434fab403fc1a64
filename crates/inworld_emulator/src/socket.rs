//! `/tts/v1/voice:streamBidirectional`: the WebSocket TTS. Contexts keyed by `contextId`, each
//! synthesising its flushed text in order while others run alongside (their messages interleave
//! on the wire), times restarting at zero for each synthesis; and the faults other clients
//! tripped over: a stalled handshake, audio arriving after `contextClosed`, errors that name
//! no context, and the HTTP fault queue applied per synthesis (a dropped connection, an error
//! status, a stall, broken audio).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use super::connection::{self, Response};
use super::error::{ApiError, grpc};
use super::fault::Fault;
use super::fields::{field, string};
use super::http::Request;
use super::routes::render;
use super::state::Shared;
use super::stream::result_lines;
use super::tts::{MAX_TEXT_CHARS, Synthesis};

/// The route's path.
pub(crate) const PATH: &str = "/tts/v1/voice:streamBidirectional";

/// Contexts one connection may hold.
const MAX_CONTEXTS: usize = 5;

/// The WebSocket route's switches, set through the handle.
#[derive(Debug, Default)]
pub(crate) struct SocketState {
    /// Accept the TCP connection and never answer the upgrade.
    pub stall_handshake: bool,
    /// After `contextClosed`, send one more `audioChunk` for the closed context.
    pub late_audio: bool,
    /// Start each synthesis with an error that names no context (the queued answer to a
    /// contextless keepalive).
    pub contextless_errors: bool,
    /// Contexts created so far, on all connections.
    pub contexts_created: u64,
    /// Connections upgraded so far.
    pub connections: u64,
    /// Each synthesis's own time, in order.
    pub syntheses: Vec<SynthesisTiming>,
}

/// When one WebSocket synthesis happened in the emulator: what a latency report subtracts to
/// see the client's share.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthesisTiming {
    /// The context it belongs to.
    pub context: String,
    /// When the client's message asking for it (a flush, or text with one) was read.
    pub received: std::time::Instant,
    /// When its first `audioChunk` was written to the connection.
    pub first_chunk: std::time::Instant,
}

impl SynthesisTiming {
    /// The emulator's own time: from the request read to the first chunk written.
    pub fn took(&self) -> Duration {
        self.first_chunk.saturating_duration_since(self.received)
    }
}

/// What a context task hands the connection's writer.
#[derive(Debug)]
enum Outbound {
    Json(Value),
    /// A synthesis's first chunk: its timing is recorded once it is written.
    FirstChunk {
        chunk: Value,
        context: String,
        received: Instant,
    },
    /// Bytes that are not JSON (a malformed-message fault).
    Raw(String),
    /// Cut the connection (a dropped-connection fault).
    Drop,
}

#[derive(Debug)]
enum ContextCommand {
    Text {
        text: String,
        flush: bool,
        received: Instant,
    },
    Flush(Instant),
    Close(Instant),
}

/// Serve one WebSocket connection, from the upgrade request on.
pub(crate) async fn serve(shared: Arc<Shared>, mut stream: TcpStream, request: &Request) {
    if shared.lock().socket.stall_handshake {
        log::info!("GET {PATH} -> stalled handshake (fault)");
        // Hold the connection without a word until the client gives up.
        let mut sink = [0_u8; 1024];
        let _ = tokio::time::timeout(Duration::from_secs(120), async {
            while let Ok(n) = stream.read(&mut sink).await {
                if n == 0 {
                    break;
                }
            }
        })
        .await;
        return;
    }
    let upgrade = request
        .header("upgrade")
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    let key = request.header("sec-websocket-key").filter(|_| upgrade);
    let refusal = match (shared.authorize(request), key) {
        (Err(e), _) => Some(e),
        (Ok(()), None) => Some(ApiError::new(
            400,
            grpc::INVALID_ARGUMENT,
            format!("{PATH} is a WebSocket: send an upgrade request"),
        )),
        (Ok(()), Some(_)) => None,
    };
    if let Some(error) = refusal {
        log::info!("GET {PATH} -> {}", error.http);
        let _ = connection::send(&mut stream, Response::error(&error), Instant::now()).await;
        connection::close(stream).await;
        return;
    }
    let accept = derive_accept_key(key.unwrap_or_default().as_bytes());
    let head = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    log::info!("GET {PATH} -> 101");
    shared.lock().socket.connections += 1;
    let socket = WebSocketStream::from_raw_socket(stream, Role::Server, None).await;
    run(shared, socket).await;
}

async fn run(shared: Arc<Shared>, socket: WebSocketStream<TcpStream>) {
    let (mut sink, mut incoming) = socket.split();
    let (out, mut outbound) = mpsc::unbounded_channel::<Outbound>();
    let mut contexts: HashMap<String, mpsc::UnboundedSender<ContextCommand>> = HashMap::new();
    let mut tasks = JoinSet::new();
    loop {
        tokio::select! {
            message = incoming.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    client_message(&shared, text.as_str(), &mut contexts, &mut tasks, &out);
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                // Pings are answered by the protocol layer.
                Some(Ok(_)) => {}
            },
            Some(next) = outbound.recv() => {
                let mut timing = None;
                let message = match next {
                    Outbound::Json(value) => Message::text(value.to_string()),
                    Outbound::FirstChunk { chunk, context, received } => {
                        timing = Some((context, received));
                        Message::text(chunk.to_string())
                    }
                    Outbound::Raw(text) => Message::text(text),
                    Outbound::Drop => {
                        log::info!("{PATH}: connection dropped (fault)");
                        break;
                    }
                };
                if sink.send(message).await.is_err() {
                    break;
                }
                if let Some((context, received)) = timing {
                    let first_chunk = std::time::Instant::now();
                    shared.lock().socket.syntheses.push(SynthesisTiming {
                        context,
                        received: received.into_std(),
                        first_chunk,
                    });
                }
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    tasks.abort_all();
}

/// Act on one client message.
fn client_message(
    shared: &Arc<Shared>,
    text: &str,
    contexts: &mut HashMap<String, mpsc::UnboundedSender<ContextCommand>>,
    tasks: &mut JoinSet<()>,
    out: &mpsc::UnboundedSender<Outbound>,
) {
    let received = Instant::now();
    let Ok(Value::Object(message)) = serde_json::from_str::<Value>(text) else {
        let _ = out.send(Outbound::Json(error_message(
            None,
            grpc::INVALID_ARGUMENT,
            "messages must be JSON objects",
        )));
        return;
    };
    let Some(id) = string(&message, "contextId").ok().flatten() else {
        // The reply is an error with no context: a client must not pin it on a turn.
        let _ = out.send(Outbound::Json(error_message(
            None,
            grpc::INVALID_ARGUMENT,
            "contextId is required",
        )));
        return;
    };
    if let Some(create) = field(&message, "create") {
        let created = create_context(shared, &id, create, contexts, tasks, out);
        let reply = match created {
            Ok(()) => json!({"result": {"contextId": &id, "status": {"code": 0, "message": ""},
                "contextCreated": {}}}),
            Err(e) => status_message(&id, e.code, &e.message),
        };
        let _ = out.send(Outbound::Json(reply));
        return;
    }
    let Some(context) = contexts.get(&id) else {
        let _ = out.send(Outbound::Json(status_message(
            &id,
            grpc::NOT_FOUND,
            &format!("no open context `{id}`: send `create` first"),
        )));
        return;
    };
    let mut commands = Vec::new();
    if let Some(Value::Object(send)) = field(&message, "sendText") {
        let text = match field(send, "text") {
            Some(Value::String(text)) => text.clone(),
            _ => String::new(),
        };
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            let _ = out.send(Outbound::Json(status_message(
                &id,
                grpc::INVALID_ARGUMENT,
                &format!("send_text is {chars} characters; the limit is {MAX_TEXT_CHARS}"),
            )));
            return;
        }
        let flush = field(send, "flushContext").is_some_and(|v| v != &Value::Bool(false));
        commands.push(ContextCommand::Text {
            text,
            flush,
            received,
        });
    }
    if field(&message, "flushContext").is_some() {
        commands.push(ContextCommand::Flush(received));
    }
    let close = field(&message, "closeContext").is_some();
    if close {
        commands.push(ContextCommand::Close(received));
    }
    for command in commands {
        let _ = context.send(command);
    }
    if close {
        contexts.remove(&id);
    }
}

fn create_context(
    shared: &Arc<Shared>,
    id: &str,
    create: &Value,
    contexts: &mut HashMap<String, mpsc::UnboundedSender<ContextCommand>>,
    tasks: &mut JoinSet<()>,
    out: &mpsc::UnboundedSender<Outbound>,
) -> Result<(), ApiError> {
    if contexts.contains_key(id) {
        return Err(ApiError::new(
            409,
            grpc::ALREADY_EXISTS,
            format!("context `{id}` already exists"),
        ));
    }
    if contexts.len() >= MAX_CONTEXTS {
        return Err(ApiError::new(
            429,
            grpc::RESOURCE_EXHAUSTED,
            format!("a connection holds at most {MAX_CONTEXTS} contexts"),
        ));
    }
    let Value::Object(create) = create else {
        return Err(ApiError::invalid("create must be an object"));
    };
    let synth = Synthesis::from_create(create)?;
    let gender = {
        let mut state = shared.lock();
        let Some(voice) = state.catalog.find(&synth.voice_id) else {
            return Err(ApiError::not_found(format!(
                "Unknown voice: {}",
                synth.voice_id
            )));
        };
        let gender = voice.gender.clone();
        state.socket.contexts_created += 1;
        gender
    };
    let (commands, receiver) = mpsc::unbounded_channel();
    contexts.insert(id.to_owned(), commands);
    tasks.spawn(context(
        Arc::clone(shared),
        id.to_owned(),
        synth,
        gender,
        out.clone(),
        receiver,
    ));
    Ok(())
}

/// One context: text buffered until a flush, each flush synthesised in order.
async fn context(
    shared: Arc<Shared>,
    id: String,
    synth: Synthesis,
    gender: String,
    out: mpsc::UnboundedSender<Outbound>,
    mut commands: mpsc::UnboundedReceiver<ContextCommand>,
) {
    let mut buffer = String::new();
    while let Some(command) = commands.recv().await {
        let (flush, close, received) = match command {
            ContextCommand::Text {
                text,
                flush,
                received,
            } => {
                buffer.push_str(&text);
                (flush, false, received)
            }
            ContextCommand::Flush(received) => (true, false, received),
            ContextCommand::Close(received) => (true, true, received),
        };
        // Closing flushes what is left, if anything; a flush asked for explicitly is always
        // answered.
        if flush && !(close && buffer.trim().is_empty()) {
            let text = std::mem::take(&mut buffer);
            if !synthesize(&shared, &id, &synth, &gender, text, received, &out).await {
                return;
            }
        }
        if close {
            let closed = json!({"result": {"contextId": &id, "status": {"code": 0, "message": ""},
                "contextClosed": {}}});
            let _ = out.send(Outbound::Json(closed));
            if shared.lock().socket.late_audio {
                let late = tone_chunk(synth.sample_rate);
                let _ = out.send(Outbound::Json(
                    json!({"result": {"contextId": &id, "audioChunk": {"audioContent": late}}}),
                ));
            }
            return;
        }
    }
}

/// Synthesise one flush and send its chunks on their schedule, then `flushCompleted`.
/// Returns `false` when a fault ended the context (or the connection).
async fn synthesize(
    shared: &Arc<Shared>,
    id: &str,
    template: &Synthesis,
    gender: &str,
    text: String,
    received: Instant,
    out: &mpsc::UnboundedSender<Outbound>,
) -> bool {
    let text = text.trim().to_owned();
    if !text.is_empty() {
        let (fault, settings, contextless) = {
            let mut state = shared.lock();
            (
                state.faults.take(),
                state.settings,
                state.socket.contextless_errors,
            )
        };
        if contextless {
            let _ = out.send(Outbound::Json(error_message(
                None,
                grpc::INVALID_ARGUMENT,
                "contextId is required",
            )));
        }
        match &fault {
            Some(Fault::ResetBeforeHeaders | Fault::DropAfterBytes(_)) => {
                let _ = out.send(Outbound::Drop);
                return false;
            }
            Some(Fault::Status {
                grpc_code, message, ..
            }) => {
                let _ = out.send(Outbound::Json(status_message(id, *grpc_code, message)));
                return false;
            }
            _ => {}
        }
        let synth = Synthesis {
            text: text.clone(),
            ..template.clone()
        };
        let rendered = match render(
            shared,
            text,
            synth.sample_rate,
            synth.speaking_rate,
            gender.to_owned(),
        )
        .await
        {
            Ok(rendered) => rendered,
            Err(e) => {
                let _ = out.send(Outbound::Json(status_message(id, e.code, &e.message)));
                return false;
            }
        };
        let started = Instant::now();
        let mut shift = Duration::ZERO;
        let mut audio_sent = 0;
        for line in result_lines(&synth, &rendered, &settings, fault.as_ref()) {
            match &fault {
                Some(Fault::StallAfterChunks { chunks, stall }) if audio_sent == *chunks => {
                    tokio::time::sleep(*stall).await;
                    shift += *stall;
                }
                Some(Fault::ErrorLineAfterChunks {
                    chunks,
                    grpc_code,
                    message,
                }) if audio_sent == *chunks => {
                    let _ = out.send(Outbound::Json(status_message(id, *grpc_code, message)));
                    return false;
                }
                Some(Fault::MalformedLineAfterChunks(chunks)) if audio_sent == *chunks => {
                    let _ = out.send(Outbound::Raw(format!(
                        "{{\"result\": {{\"contextId\": \"{id}\", \"audioChunk\": {{\"audioCon"
                    )));
                    return false;
                }
                _ => {}
            }
            tokio::time::sleep_until(started + line.at + shift).await;
            audio_sent += usize::from(line.has_audio);
            let chunk = json!({"result": {"contextId": id, "audioChunk": line.result}});
            let message = if audio_sent == 1 && line.has_audio {
                Outbound::FirstChunk {
                    chunk,
                    context: id.to_owned(),
                    received,
                }
            } else {
                Outbound::Json(chunk)
            };
            if out.send(message).is_err() {
                return false;
            }
        }
    }
    let done = json!({"result": {"contextId": id, "status": {"code": 0, "message": ""},
        "flushCompleted": {}}});
    out.send(Outbound::Json(done)).is_ok()
}

/// `{"result": {"contextId", "status": {"code", "message"}}}`.
fn status_message(id: &str, code: i32, message: &str) -> Value {
    json!({"result": {"contextId": id, "status": {"code": code, "message": message}}})
}

/// A top-level error, naming a context or not.
fn error_message(id: Option<&str>, code: i32, message: &str) -> Value {
    let mut error = Map::new();
    error.insert("code".into(), code.into());
    error.insert("message".into(), message.into());
    if let Some(id) = id {
        error.insert("contextId".into(), id.into());
    }
    json!({ "error": error })
}

/// 100 ms of a loud tone as a LINEAR16 chunk: unmistakable if a client ever plays it.
fn tone_chunk(rate: u32) -> String {
    use base64::Engine as _;
    let frames = rate as usize / 10;
    let samples: Vec<i16> = (0..frames)
        .map(|i| {
            let t = i as f32 / rate as f32;
            ((t * 440.0 * std::f32::consts::TAU).sin() * 20_000.0) as i16
        })
        .collect();
    let mut bytes = inworld_tts::wav::wav_header(rate, samples.len() * 2, &[]);
    bytes.extend_from_slice(&inworld_tts::wav::pcm_bytes(&samples));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
