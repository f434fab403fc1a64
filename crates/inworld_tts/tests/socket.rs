//! The WebSocket TTS client against the emulator's WebSocket route over loopback: turns on one
//! connection, contexts side by side, barge-in, and every fault ending in a clear error or a
//! clean recovery within a bounded time.

use std::time::{Duration, Instant};

use inworld_emulator::{EmulatorHandle, Fault, Pacing};
use inworld_tts::{
    AudioChunk, InworldClient, InworldError, SocketContext, SocketEvent, SocketOptions,
    StreamEvent, SynthesisRequest, TimestampTransport, TtsSocket,
};

mod support;
use lipsync_core::alignment::WordMark;
use support::client;

const KEY: &str = "c29ja2V0OnRlc3Q=";
const RATE: u32 = 16_000;

fn emulator() -> EmulatorHandle {
    support::emulator_with_key(KEY)
}

fn settings(voice: &str) -> SynthesisRequest {
    SynthesisRequest::new("", voice).with_audio(inworld_tts::AudioEncoding::Linear16, RATE)
}

fn options() -> SocketOptions {
    let mut options = SocketOptions::default();
    options.handshake_timeout = Duration::from_millis(500);
    options.stall_timeout = Duration::from_millis(600);
    options
}

/// What one context delivered.
#[derive(Debug, Default)]
struct Heard {
    audio: Vec<AudioChunk>,
    words: Vec<WordMark>,
    flushes: Vec<u64>,
}

impl Heard {
    fn frames(&self) -> u64 {
        self.audio.iter().map(|c| c.samples.len() as u64).sum()
    }

    fn text(&self) -> Vec<String> {
        self.words.iter().map(|w| w.text.to_string()).collect()
    }
}

async fn read(context: &mut SocketContext) -> Result<Heard, InworldError> {
    let mut heard = Heard::default();
    read_into(context, &mut heard).await?;
    Ok(heard)
}

/// Reads a context to its end, after what `heard` already holds.
async fn read_into(context: &mut SocketContext, heard: &mut Heard) -> Result<(), InworldError> {
    let deadline = Duration::from_secs(20);
    while let Some(event) = tokio::time::timeout(deadline, context.next())
        .await
        .expect("a context never hangs")
    {
        match event? {
            SocketEvent::Stream(StreamEvent::Audio(chunk)) => {
                // Audio of a context is contiguous, whatever else shares the connection.
                assert_eq!(chunk.start.0, heard.frames(), "contiguous audio");
                heard.audio.push(chunk);
            }
            SocketEvent::Stream(StreamEvent::Alignment(update)) => heard.words.extend(update.words),
            SocketEvent::Flushed { end } => heard.flushes.push(end.0),
            _ => {}
        }
    }
    Ok(())
}

/// Speaks `sentences` as one turn: each sent and flushed, then the context finished.
async fn turn(socket: &TtsSocket, voice: &str, sentences: &[&str]) -> Result<Heard, InworldError> {
    let mut context = socket.open(&settings(voice))?;
    for sentence in sentences {
        context.send_text(sentence, true)?;
    }
    context.finish()?;
    read(&mut context).await
}

/// The same text over HTTP streaming, for the reference audio length and words.
async fn over_http(client: &InworldClient, voice: &str, text: &str) -> Heard {
    let mut stream = client
        .stream(&settings(voice).clone_with_text(text))
        .unwrap();
    let mut heard = Heard::default();
    while let Some(event) = stream.next().await {
        match event.unwrap() {
            StreamEvent::Audio(chunk) => heard.audio.push(chunk),
            StreamEvent::Alignment(update) => heard.words.extend(update.words),
            _ => {}
        }
    }
    heard
}

trait WithText {
    fn clone_with_text(&self, text: &str) -> SynthesisRequest;
}

impl WithText for SynthesisRequest {
    fn clone_with_text(&self, text: &str) -> SynthesisRequest {
        SynthesisRequest {
            text: text.into(),
            ..self.clone()
        }
    }
}

const FIRST: &str = "Welcome to Ashford, stranger.";
const SECOND: &str = "The inn is warm tonight.";

#[tokio::test]
async fn two_turns_share_one_connection_and_each_synthesis_follows_the_last() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    socket.connect().await.expect("connects");

    let heard = turn(&socket, "Dennis", &[FIRST, SECOND]).await.unwrap();
    let (one, two) = (
        over_http(&client, "Dennis", FIRST).await,
        over_http(&client, "Dennis", SECOND).await,
    );
    // Two syntheses, the second placed after the first's audio.
    assert_eq!(
        heard.flushes,
        vec![one.frames(), one.frames() + two.frames()]
    );
    assert_eq!(heard.frames(), one.frames() + two.frames());
    let mut expected = one.text();
    expected.extend(two.text());
    assert_eq!(heard.text(), expected);
    for (got, want) in heard.words[one.words.len()..].iter().zip(&two.words) {
        assert_eq!(
            got.span.start.0,
            want.span.start.0 + one.frames(),
            "{}",
            got.text
        );
    }

    // A second turn on the same connection starts its frames at zero again.
    let again = turn(&socket, "Ashley", &[SECOND]).await.unwrap();
    assert_eq!(again.text(), two.text());
    assert_eq!(again.words[0].span.start, two.words[0].span.start);
    assert_eq!(socket.stats().connections, 1);
    assert_eq!(emulator.socket_counts(), (2, 1));
}

#[tokio::test]
async fn async_timestamps_arrive_after_the_audio_and_land_on_the_same_frames() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    let mut request = settings("Dennis");
    request.timestamp_transport_strategy = Some(TimestampTransport::Async);
    let mut context = socket.open(&request).unwrap();
    context.send_text(FIRST, true).unwrap();
    context.send_text(SECOND, true).unwrap();
    context.finish().unwrap();
    let heard = read(&mut context).await.unwrap();
    let sync = turn(&socket, "Dennis", &[FIRST, SECOND]).await.unwrap();
    assert_eq!(heard.text(), sync.text());
    let spans = |h: &Heard| h.words.iter().map(|w| w.span).collect::<Vec<_>>();
    assert_eq!(spans(&heard), spans(&sync));
}

#[tokio::test]
async fn two_contexts_at_once_keep_their_words_and_audio_apart() {
    let emulator = emulator();
    emulator.set_pacing(Pacing {
        first_chunk_delay: Duration::from_millis(20),
        real_time_factor: 6.0,
        chunk_duration: Duration::from_millis(100),
    });
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    let mira = ["Good morning, traveller.", "The road north is closed."];
    let tom = ["Bread, fresh bread!", "Two coins a loaf, no haggling."];
    let (a, b) = tokio::join!(
        turn(&socket, "Ashley", &mira),
        turn(&socket, "Dennis", &tom)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let want_a = over_http(&client, "Ashley", &mira.join(" ")).await;
    let want_b = over_http(&client, "Dennis", &tom.join(" ")).await;
    assert_eq!(a.text(), want_a.text());
    assert_eq!(b.text(), want_b.text());
    assert!(
        a.audio.len() > 2 && b.audio.len() > 2,
        "several chunks each"
    );
    assert_eq!(socket.stats().connections, 1);
    assert_eq!(socket.stats().dropped, 0);
}

#[tokio::test]
async fn a_cancelled_turn_delivers_nothing_more_and_the_next_turn_is_clean() {
    let emulator = emulator();
    emulator.set_pacing(Pacing {
        first_chunk_delay: Duration::ZERO,
        real_time_factor: 4.0,
        chunk_duration: Duration::from_millis(100),
    });
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    let mut context = socket.open(&settings("Dennis")).unwrap();
    context
        .send_text(
            "This is a long answer that the player will cut short.",
            true,
        )
        .unwrap();
    let first = tokio::time::timeout(Duration::from_secs(5), context.next())
        .await
        .unwrap();
    assert!(matches!(first, Some(Ok(SocketEvent::Stream(_)))));
    context.cancel();
    assert!(context.next().await.is_none(), "nothing after a cancel");
    // The rest of that synthesis still arrives, and is dropped.
    let started = Instant::now();
    while socket.stats().dropped == 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(socket.stats().dropped > 0, "late audio was dropped");
    let next = turn(&socket, "Dennis", &[SECOND]).await.unwrap();
    assert_eq!(
        next.text(),
        over_http(&client, "Dennis", SECOND).await.text()
    );
}

#[tokio::test]
async fn audio_after_context_closed_is_never_delivered() {
    let emulator = emulator();
    emulator.set_socket_late_audio(true);
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    let heard = turn(&socket, "Dennis", &[FIRST]).await.unwrap();
    assert_eq!(
        heard.frames(),
        over_http(&client, "Dennis", FIRST).await.frames()
    );
    let started = Instant::now();
    while socket.stats().dropped == 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        socket.stats().dropped,
        1,
        "the late tone reached the client and was dropped"
    );
}

#[tokio::test]
async fn errors_that_name_no_context_do_not_fail_a_turn() {
    let emulator = emulator();
    emulator.set_socket_contextless_errors(true);
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    let heard = turn(&socket, "Dennis", &[FIRST, SECOND]).await.unwrap();
    assert_eq!(heard.flushes.len(), 2);
    assert_eq!(socket.stats().contextless_errors, 2);
}

#[tokio::test]
async fn a_stalled_handshake_times_out() {
    let emulator = emulator();
    emulator.set_socket_stall_handshake(true);
    let socket = client(&emulator, KEY).socket_with(options());
    let started = Instant::now();
    let error = socket.connect().await.unwrap_err();
    assert!(matches!(error, InworldError::Timeout(_)), "{error}");
    assert!(error.to_string().contains("handshake"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The same failure reaches a turn opened on it.
    let error = turn(&socket, "Dennis", &[FIRST]).await.unwrap_err();
    assert!(matches!(error, InworldError::Timeout(_)), "{error}");
}

#[tokio::test]
async fn a_connection_dropped_mid_turn_is_reopened_and_the_turn_completes() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    // The first synthesis completes; the second finds its connection cut.
    let mut context = socket.open(&settings("Dennis")).unwrap();
    context.send_text(FIRST, true).unwrap();
    let mut heard = Heard::default();
    while heard.flushes.is_empty() {
        match context.next().await.unwrap().unwrap() {
            SocketEvent::Stream(StreamEvent::Audio(chunk)) => heard.audio.push(chunk),
            SocketEvent::Stream(StreamEvent::Alignment(u)) => heard.words.extend(u.words),
            SocketEvent::Flushed { end } => heard.flushes.push(end.0),
            _ => {}
        }
    }
    emulator.push_fault(Fault::ResetBeforeHeaders, 1);
    context.send_text(SECOND, true).unwrap();
    context.finish().unwrap();
    read_into(&mut context, &mut heard)
        .await
        .expect("recovered");
    let one = over_http(&client, "Dennis", FIRST).await;
    let two = over_http(&client, "Dennis", SECOND).await;
    let mut expected = one.text();
    expected.extend(two.text());
    assert_eq!(heard.text(), expected);
    assert_eq!(
        heard.flushes,
        vec![one.frames(), one.frames() + two.frames()]
    );
    assert_eq!(socket.stats().connections, 2);
    assert_eq!(emulator.socket_counts().1, 2);
}

#[tokio::test]
async fn an_error_status_fails_only_its_turn() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    emulator.push_fault(Fault::status(500), 1);
    let error = turn(&socket, "Dennis", &[FIRST]).await.unwrap_err();
    assert!(matches!(error, InworldError::Server(_)), "{error}");
    assert!(error.to_string().contains("emulated failure"), "{error}");
    let heard = turn(&socket, "Dennis", &[FIRST]).await.unwrap();
    assert!(!heard.words.is_empty());
    assert_eq!(socket.stats().connections, 1);
}

#[tokio::test]
async fn a_stall_mid_synthesis_ends_the_turn_with_a_timeout() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    emulator.push_fault(
        Fault::StallAfterChunks {
            chunks: 1,
            stall: Duration::from_secs(30),
        },
        1,
    );
    let started = Instant::now();
    let error = turn(&socket, "Dennis", &[FIRST, SECOND]).await.unwrap_err();
    assert!(matches!(error, InworldError::Timeout(_)), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn broken_audio_and_malformed_messages_are_clear_errors() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let socket = client.socket_with(options());
    emulator.push_fault(Fault::BadBase64AtChunk(0), 1);
    let error = turn(&socket, "Dennis", &[FIRST]).await.unwrap_err();
    assert!(matches!(error, InworldError::Protocol(_)), "{error}");
    // A message cut mid-way names no context it can be pinned on: the turn times out.
    emulator.push_fault(Fault::MalformedLineAfterChunks(0), 1);
    let error = turn(&socket, "Dennis", &[FIRST]).await.unwrap_err();
    assert!(matches!(error, InworldError::Timeout(_)), "{error}");
}

#[tokio::test]
async fn a_refused_key_and_an_unknown_voice_say_what_to_fix() {
    let emulator = emulator();
    let socket = client(&emulator, "wrong").socket_with(options());
    let error = turn(&socket, "Dennis", &[FIRST]).await.unwrap_err();
    assert!(matches!(error, InworldError::Unauthenticated(_)), "{error}");
    assert!(error.to_string().contains("INWORLD_API_KEY"));
    assert!(!error.to_string().contains(KEY));

    let socket = client(&emulator, KEY).socket_with(options());
    let error = turn(&socket, "Nobody", &[FIRST]).await.unwrap_err();
    assert!(matches!(error, InworldError::NotFound(_)), "{error}");
    assert!(error.to_string().contains("Nobody"), "{error}");
}

#[tokio::test]
async fn an_idle_connection_is_kept_alive_with_pings() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let mut options = options();
    options.keepalive = Duration::from_millis(40);
    let socket = client.socket_with(options);
    socket.connect().await.unwrap();
    // Many keepalive periods with nothing to say: pings are answered, the link stays.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let heard = turn(&socket, "Dennis", &[FIRST]).await.unwrap();
    assert!(!heard.words.is_empty());
    assert_eq!(socket.stats().connections, 1);
}

#[tokio::test]
async fn too_long_a_text_is_refused_before_sending() {
    let emulator = emulator();
    let socket = client(&emulator, KEY).socket_with(options());
    let context = socket.open(&settings("Dennis")).unwrap();
    let error = context.send_text(&"a".repeat(2001), true).unwrap_err();
    assert!(error.to_string().contains("2000"), "{error}");
}
