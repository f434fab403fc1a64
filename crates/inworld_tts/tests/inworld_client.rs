//! The Inworld client over real loopback TCP against the emulator: every scenario, every fault.
//!
//! The emulator is written independently of the client, and `render_tones` tells exactly what it
//! sends, so decoded audio and timelines are checked to the sample.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use inworld_emulator::{
    AuthScheme, Emulator, EmulatorConfig, EmulatorHandle, Fault, OPENXR_VISEMES, Pacing, Rendered,
    render_tones,
};
use inworld_tts::{
    AudioEncoding, BearerToken, CachedTokens, Credentials, InworldClient, InworldConfig,
    InworldError, RetryPolicy, StreamEvent, SynthesisRequest, TimestampTransport, TimestampType,
    TokenError, Utterance, split_text,
};
use lipsync_core::alignment::{FrameOffset, FrameSpan};

const KEY: &str = "dGVzdDprZXk=";
const LINE: &str = "Hello, world! The quick brown fox jumps over the lazy dog. \
                    Ðe θin ʃip sails on — naïve café owners say «bonjour» to everyone there.";

fn emulator(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        ..config
    })
    .expect("emulator starts on loopback")
}

fn client_with(handle: &EmulatorHandle, key: &str, read_timeout: Duration) -> InworldClient {
    let mut config = InworldConfig::new(Credentials::basic(key))
        .with_base_url(&handle.base_url())
        .expect("loopback http is accepted");
    config.read_timeout = read_timeout;
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_secs(2),
    };
    InworldClient::new(config).expect("client builds")
}

fn client(handle: &EmulatorHandle) -> InworldClient {
    client_with(handle, KEY, Duration::from_secs(10))
}

fn request(text: &str) -> SynthesisRequest {
    SynthesisRequest::new(text, "Dennis").with_timestamps(TimestampType::Word)
}

fn span(start: usize, end: usize) -> FrameSpan {
    FrameSpan::new(FrameOffset(start as u64), FrameOffset(end as u64))
}

/// Checks samples, words and phones against what the emulator rendered, `base` frames in.
fn assert_truth(utterance: &Utterance, truth: &Rendered, base: usize, first_word: usize) {
    let samples = &utterance.samples[base..base + truth.samples.len()];
    assert!(
        samples == truth.samples.as_slice(),
        "audio differs from the emulator's"
    );
    for (i, word) in truth.words.iter().enumerate() {
        let got = &utterance.alignment.words[first_word + i];
        assert_eq!(*got.text, *word.text);
        assert_eq!(
            got.span,
            span(base + word.start_frame, base + word.end_frame),
            "{}",
            word.text
        );
        for phone in &word.phones {
            let expected = span(base + phone.start_frame, base + phone.end_frame);
            let found = utterance
                .alignment
                .phones
                .iter()
                .find(|p| p.span == expected && p.symbol == phone.symbol)
                .unwrap_or_else(|| panic!("phone {} of {} missing", phone.symbol, word.text));
            assert_eq!(found.viseme, phone.viseme);
            assert_eq!(
                found.word,
                first_word + i,
                "phone {} word index",
                phone.symbol
            );
        }
    }
}

async fn stream_all(
    client: &InworldClient,
    request: &SynthesisRequest,
) -> Result<Utterance, InworldError> {
    client.stream(request)?.collect().await
}

/// Streams until the end or an error; returns the events delivered and the error, if any.
async fn stream_until_error(
    client: &InworldClient,
    request: &SynthesisRequest,
) -> (Utterance, Option<InworldError>) {
    let mut utterance = Utterance::default();
    let mut stream = match client.stream(request) {
        Ok(stream) => stream,
        Err(e) => return (utterance, Some(e)),
    };
    while let Some(event) = stream.next().await {
        match event {
            Ok(event) => utterance.apply(event),
            Err(e) => return (utterance, Some(e)),
        }
    }
    (utterance, None)
}

#[tokio::test]
async fn linear16_stream_is_exact_to_the_sample() {
    let handle = emulator(EmulatorConfig::default());
    let utterance = stream_all(&client(&handle), &request(LINE)).await.unwrap();
    let truth = render_tones(LINE, 48_000, 1.0);
    assert_eq!(utterance.sample_rate, 48_000);
    assert_eq!(utterance.samples.len(), truth.samples.len());
    assert_truth(&utterance, &truth, 0, 0);
    assert_eq!(utterance.alignment.words.len(), truth.words.len());
    assert!(!utterance.usage.is_empty(), "usage is reported");
    // The request carried the documented names.
    let sent = handle.requests().pop().unwrap().body.unwrap();
    assert_eq!(sent["audioConfig"]["audioEncoding"], "LINEAR16");
    assert_eq!(sent["voiceId"], "Dennis");
}

#[tokio::test]
async fn headerless_pcm_at_another_rate() {
    let handle = emulator(EmulatorConfig::default());
    let request = request(LINE).with_audio(AudioEncoding::Pcm, 22_050);
    let utterance = stream_all(&client(&handle), &request).await.unwrap();
    assert_eq!(utterance.sample_rate, 22_050);
    assert_truth(&utterance, &render_tones(LINE, 22_050, 1.0), 0, 0);
}

#[tokio::test]
async fn async_transport_gives_the_same_timeline_as_sync() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    let sync = stream_all(&client, &request(LINE)).await.unwrap();
    let async_request = request(LINE).with_transport(TimestampTransport::Async);
    let mut stream = client.stream(&async_request).unwrap();
    let mut late = Utterance::default();
    let mut audio_done_before_timing = true;
    let mut seen_timing = false;
    while let Some(event) = stream.next().await {
        let event = event.unwrap();
        match &event {
            StreamEvent::Audio(_) if seen_timing => audio_done_before_timing = false,
            StreamEvent::Alignment(_) => seen_timing = true,
            _ => {}
        }
        late.apply(event);
    }
    assert!(
        audio_done_before_timing && seen_timing,
        "ASYNC sends audio first"
    );
    assert_eq!(late.samples, sync.samples);
    assert_eq!(late.alignment, sync.alignment);
}

#[tokio::test]
async fn non_streaming_equals_streaming() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    let whole = client.synthesize(&request(LINE)).await.unwrap();
    let streamed = stream_all(&client, &request(LINE)).await.unwrap();
    assert_eq!(whole.samples, streamed.samples);
    assert_eq!(whole.alignment, streamed.alignment);
}

#[tokio::test]
async fn character_timestamps_and_lipsync_visemes() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    let chars = request("Hi there").with_timestamps(TimestampType::Character);
    let utterance = stream_all(&client, &chars).await.unwrap();
    let letters: String = utterance
        .alignment
        .characters
        .iter()
        .map(|c| c.text.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect();
    assert_eq!(letters, "Hithere");
    let truth = render_tones("Hi there", 48_000, 1.0);
    let first = &utterance.alignment.characters[0];
    assert_eq!(
        first.span.start,
        FrameOffset(truth.words[0].start_frame as u64)
    );

    let lipsync = stream_all(&client, &request(LINE).with_lipsync())
        .await
        .unwrap();
    let visemes = &lipsync.alignment.visemes;
    assert!(!visemes.is_empty());
    assert!(
        visemes
            .iter()
            .all(|v| OPENXR_VISEMES.contains(&v.label.as_str()))
    );
    assert!(
        visemes
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start)
    );
}

#[tokio::test]
async fn chunk_relative_times_with_float_noise_are_understood() {
    let handle = emulator(EmulatorConfig {
        chunk_relative_times: true,
        float_noise: true,
        ..EmulatorConfig::default()
    });
    let utterance = stream_all(&client(&handle), &request(LINE)).await.unwrap();
    assert_truth(&utterance, &render_tones(LINE, 48_000, 1.0), 0, 0);
}

#[tokio::test]
async fn text_over_the_limit_is_split_and_offset_by_audio_received() {
    let handle = emulator(EmulatorConfig {
        pacing: Pacing {
            chunk_duration: Duration::from_secs(2),
            ..Pacing::default()
        },
        ..EmulatorConfig::default()
    });
    let text = "Sentence number one is here, and it keeps going for a while. ".repeat(80);
    assert!(text.chars().count() > 4_000);
    let utterance = stream_all(&client(&handle), &request(&text)).await.unwrap();
    let pieces = split_text(&text, 2_000);
    assert_eq!(pieces.len(), 3);
    let sent: Vec<usize> = handle
        .requests()
        .iter()
        .filter_map(|r| r.body.as_ref()?["text"].as_str().map(|t| t.chars().count()))
        .collect();
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|&n| n <= 2_000), "{sent:?}");
    let (mut base, mut first_word) = (0, 0);
    for piece in pieces {
        let truth = render_tones(piece, 48_000, 1.0);
        assert_truth(&utterance, &truth, base, first_word);
        // Offsets come from the audio received (trailing silence included), not the last word.
        assert!(truth.samples.len() > truth.words.last().unwrap().end_frame);
        base += truth.samples.len();
        first_word += truth.words.len();
    }
    assert_eq!(utterance.samples.len(), base);
}

#[tokio::test]
async fn fragmented_delivery_splitting_utf8_changes_nothing() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    let normal = stream_all(&client, &request("Ðe θin ʃip.")).await.unwrap();
    handle.push_fault(Fault::TinyWrites, 1);
    let tiny = stream_all(&client, &request("Ðe θin ʃip.")).await.unwrap();
    handle.push_fault(
        Fault::SlowDrip {
            bytes_per_write: 7,
            delay: Duration::from_micros(50),
        },
        1,
    );
    let drip = stream_all(&client, &request("Ðe θin ʃip.")).await.unwrap();
    assert_eq!(tiny, normal);
    assert_eq!(drip, normal);
    assert!(normal.alignment.phones.iter().any(|p| !p.symbol.is_ascii()));
}

#[tokio::test]
async fn a_bad_key_is_unauthenticated_and_not_retried() {
    let handle = emulator(EmulatorConfig::default());
    let client = client_with(&handle, "wrong-key", Duration::from_secs(10));
    let err = stream_all(&client, &request("Hi")).await.unwrap_err();
    assert!(matches!(err, InworldError::Unauthenticated(_)), "{err}");
    assert_eq!((err.http_status(), err.grpc_code()), (Some(401), Some(16)));
    assert!(err.to_string().contains("INWORLD_API_KEY"));
    assert!(
        !err.to_string().contains("wrong-key"),
        "the key must not leak: {err}"
    );
    assert_eq!(handle.requests().len(), 1);
}

#[tokio::test]
async fn unknown_voice_and_invalid_arguments() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    let err = stream_all(&client, &SynthesisRequest::new("Hi", "NoSuchVoice"))
        .await
        .unwrap_err();
    assert!(matches!(err, InworldError::NotFound(_)), "{err}");
    assert_eq!(err.http_status(), Some(404));
    let err = stream_all(&client, &request("Hi").with_model("inworld-tts-9"))
        .await
        .unwrap_err();
    assert!(matches!(err, InworldError::InvalidArgument(_)), "{err}");
    assert_eq!((err.http_status(), err.grpc_code()), (Some(400), Some(3)));
    // Voice ids are matched case-insensitively by the server.
    assert!(
        stream_all(&client, &SynthesisRequest::new("Hi", "dennis"))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn local_validation_refuses_before_sending() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    let err = client.stream(&request("  ")).unwrap_err();
    assert!(matches!(err, InworldError::InvalidRequest(_)));
    let err = client
        .stream(&request("Hi").with_speaking_rate(3.0))
        .unwrap_err();
    assert!(err.to_string().contains("0.5 to 1.5"));
    assert!(handle.requests().is_empty());
    // One request over the limit is refused whole by `validate`, but `stream` splits it.
    let long = "word ".repeat(500);
    assert!(request(&long).validate().is_err());
    assert!(client.stream(&request(&long)).is_ok());
}

#[tokio::test]
async fn rate_limit_is_retried_after_the_servers_delay() {
    let handle = emulator(EmulatorConfig::default());
    handle.push_fault(Fault::rate_limited(Duration::from_secs(1)), 1);
    let started = Instant::now();
    let utterance = stream_all(&client(&handle), &request("Hi there"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    assert_eq!(
        utterance.samples,
        render_tones("Hi there", 48_000, 1.0).samples
    );
    let statuses: Vec<_> = handle.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
}

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let handle = emulator(EmulatorConfig::default());
    handle.push_fault(Fault::status(503), 1);
    assert!(stream_all(&client(&handle), &request("Hi")).await.is_ok());
    handle.push_fault(Fault::status(500), 5);
    let err = stream_all(&client(&handle), &request("Hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, InworldError::Server(_)) && err.http_status() == Some(500),
        "{err}"
    );
    // 2 for the first line, then 3 attempts (the policy's maximum) for the second.
    assert_eq!(handle.requests().len(), 5);
    handle.clear_faults();
    handle.push_fault(Fault::status(403), 1);
    let err = stream_all(&client(&handle), &request("Hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, InworldError::PermissionDenied(_)), "{err}");
}

#[tokio::test]
async fn connection_failures_before_audio_are_retried() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    handle.push_fault(Fault::ResetBeforeHeaders, 1);
    assert!(stream_all(&client, &request(LINE)).await.is_ok());
    // Cut inside the first line: nothing was delivered, so the request is sent again.
    handle.push_fault(Fault::DropAfterBytes(500), 1);
    let utterance = stream_all(&client, &request(LINE)).await.unwrap();
    assert_truth(&utterance, &render_tones(LINE, 48_000, 1.0), 0, 0);
    assert_eq!(handle.requests().len(), 4);
}

#[tokio::test]
async fn a_stream_cut_after_audio_keeps_what_arrived_and_is_not_retried() {
    let handle = emulator(EmulatorConfig::default());
    handle.push_fault(Fault::DropAfterBytes(100_000), 1);
    let (partial, err) = stream_until_error(&client(&handle), &request(LINE)).await;
    let err = err.expect("the cut is reported");
    assert!(matches!(err, InworldError::Network(_)), "{err}");
    let truth = render_tones(LINE, 48_000, 1.0);
    assert!(!partial.samples.is_empty() && partial.samples.len() < truth.samples.len());
    assert_eq!(partial.samples, truth.samples[..partial.samples.len()]);
    assert_eq!(handle.requests().len(), 1);
}

#[tokio::test]
async fn broken_lines_are_typed_errors_after_the_good_audio() {
    let handle = emulator(EmulatorConfig::default());
    let client = client(&handle);
    type Expected = fn(&InworldError) -> bool;
    let cases: [(Fault, Expected); 4] = [
        (
            Fault::ErrorLineAfterChunks {
                chunks: 2,
                grpc_code: 13,
                message: "synthesis failed".into(),
            },
            |e| matches!(e, InworldError::Server(f) if f.code == Some(13) && f.status.is_none()),
        ),
        (
            Fault::MalformedLineAfterChunks(1),
            |e| matches!(e, InworldError::Protocol(m) if m.contains("not valid JSON")),
        ),
        (
            Fault::BadBase64AtChunk(1),
            |e| matches!(e, InworldError::Protocol(m) if m.contains("base64")),
        ),
        (
            Fault::WavRateMismatchAtChunk(1),
            |e| matches!(e, InworldError::Protocol(m) if m.contains("Hz")),
        ),
    ];
    let truth = render_tones(LINE, 48_000, 1.0);
    for (fault, expected) in cases {
        handle.push_fault(fault.clone(), 1);
        let (partial, err) = stream_until_error(&client, &request(LINE)).await;
        let err = err.unwrap_or_else(|| panic!("{fault:?} must fail"));
        assert!(expected(&err), "{fault:?} gave {err}");
        assert!(
            !partial.samples.is_empty(),
            "{fault:?}: audio before the fault arrives"
        );
        assert_eq!(partial.samples, truth.samples[..partial.samples.len()]);
    }
}

#[tokio::test]
async fn a_stalled_stream_times_out() {
    let handle = emulator(EmulatorConfig::default());
    handle.push_fault(
        Fault::StallAfterChunks {
            chunks: 1,
            stall: Duration::from_secs(3),
        },
        1,
    );
    let client = client_with(&handle, KEY, Duration::from_millis(300));
    let (partial, err) = stream_until_error(&client, &request(LINE)).await;
    let err = err.expect("the stall is reported");
    assert!(matches!(err, InworldError::Timeout(_)), "{err}");
    assert!(!partial.samples.is_empty());
}

#[tokio::test]
async fn refused_connections_are_network_errors() {
    // Bind then drop a listener: nothing listens on that port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut config = InworldConfig::new(Credentials::basic(KEY))
        .with_base_url(&format!("http://127.0.0.1:{port}"))
        .unwrap();
    config.retry.initial_backoff = Duration::from_millis(5);
    let client = InworldClient::new(config).unwrap();
    let err = stream_all(&client, &request("Hi")).await.unwrap_err();
    assert!(
        matches!(err, InworldError::Network(_)) && err.is_retryable(),
        "{err}"
    );
}

/// The game's backend: holds the Basic key and mints Bearer tokens with `POST /auth/v1/tokens`.
/// `expiresIn` is parsed as the emulator (and the documented guess) sends it: `"3600s"`.
fn backend(
    base_url: String,
    minted: Arc<AtomicUsize>,
) -> impl Fn() -> Pin<Box<dyn Future<Output = Result<BearerToken, TokenError>> + Send>>
+ Send
+ Sync
+ 'static {
    let http = reqwest::Client::new();
    move || {
        let (http, url, minted) = (
            http.clone(),
            format!("{base_url}/auth/v1/tokens"),
            minted.clone(),
        );
        Box::pin(async move {
            let body = http
                .post(url)
                .header("Authorization", format!("Basic {KEY}"))
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let answer: serde_json::Value = serde_json::from_slice(&body)?;
            minted.fetch_add(1, Ordering::SeqCst);
            let token = answer["token"].as_str().ok_or("no token in the answer")?;
            let lifetime = answer["expiresIn"]
                .as_str()
                .and_then(|s| s.trim_end_matches('s').parse::<f64>().ok())
                .ok_or("no expiresIn in the answer")?;
            Ok(BearerToken::new(token).expiring_in(Duration::from_secs_f64(lifetime)))
        })
    }
}

fn provider_client(handle: &EmulatorHandle, credentials: Credentials) -> InworldClient {
    let mut config = InworldConfig::new(credentials)
        .with_base_url(&handle.base_url())
        .expect("loopback http is accepted");
    config.retry.initial_backoff = Duration::from_millis(5);
    InworldClient::new(config).expect("client builds")
}

#[tokio::test]
async fn a_token_provider_mints_once_and_speaks_with_bearer_tokens() {
    let handle = emulator(EmulatorConfig::default());
    let minted = Arc::new(AtomicUsize::new(0));
    let tokens = CachedTokens::new(backend(handle.base_url(), minted.clone()));
    let client = provider_client(&handle, Credentials::provider(tokens));
    let truth = render_tones("Hi there", 48_000, 1.0);
    for _ in 0..3 {
        let utterance = stream_all(&client, &request("Hi there")).await.unwrap();
        assert_eq!(utterance.samples, truth.samples);
    }
    assert_eq!(
        minted.load(Ordering::SeqCst),
        1,
        "one token serves every request"
    );
    let synthesis: Vec<_> = handle
        .requests()
        .into_iter()
        .filter(|r| r.path == "/tts/v1/voice:stream")
        .collect();
    assert_eq!(synthesis.len(), 3);
    assert!(synthesis.iter().all(|r| r.auth == AuthScheme::Bearer));

    // A revoked token is refused once, renewed, and the request goes through.
    handle.revoke_tokens();
    let utterance = stream_all(&client, &request("Hi there")).await.unwrap();
    assert_eq!(utterance.samples, truth.samples);
    assert_eq!(minted.load(Ordering::SeqCst), 2);
    let statuses: Vec<_> = handle
        .requests()
        .into_iter()
        .filter(|r| r.path == "/tts/v1/voice:stream")
        .map(|r| r.status)
        .collect();
    assert_eq!(&statuses[3..], &[Some(401), Some(200)]);
}

#[tokio::test]
async fn a_failing_token_provider_is_a_clear_retried_error() {
    let handle = emulator(EmulatorConfig::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider = move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Err::<BearerToken, TokenError>("the game's backend is down".into()) }
    };
    let client = provider_client(&handle, Credentials::provider(provider));
    let err = stream_all(&client, &request("Hi")).await.unwrap_err();
    assert!(matches!(err, InworldError::TokenProvider(_)), "{err}");
    assert!(
        err.to_string().contains("the game's backend is down"),
        "{err}"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "retried like a network failure"
    );
    assert!(handle.requests().is_empty(), "nothing sent without a token");

    // A token the server never accepts: renewed once per attempt, then Unauthenticated.
    let provider = || async { Ok::<_, TokenError>(BearerToken::new("forged")) };
    let client = provider_client(&handle, Credentials::provider(provider));
    let err = stream_all(&client, &request("Hi")).await.unwrap_err();
    assert!(matches!(err, InworldError::Unauthenticated(_)), "{err}");
    assert_eq!(
        handle.requests().len(),
        2,
        "the refused token is renewed once"
    );
    assert!(!format!("{err} {err:?}").contains("forged"));
}

#[tokio::test]
async fn responses_over_the_size_bound_are_refused_streamed_or_whole() {
    let handle = emulator(EmulatorConfig::default());
    // The bound falls in the middle of the stream's second line.
    let body = serde_json::to_vec(&request(LINE)).unwrap();
    let raw = reqwest::Client::new()
        .post(format!("{}/tts/v1/voice:stream", handle.base_url()))
        .header("Authorization", format!("Basic {KEY}"))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let lines: Vec<usize> = raw
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    assert!(lines.len() > 2, "the stream has several lines");
    let limit = (lines[0] + lines[1]) / 2;
    let mut config = InworldConfig::new(Credentials::basic(KEY))
        .with_base_url(&handle.base_url())
        .unwrap();
    config.max_response_bytes = limit;
    let client = InworldClient::new(config).unwrap();
    let (partial, err) = stream_until_error(&client, &request(LINE)).await;
    let err = err.expect("the bound stops the stream");
    assert!(
        matches!(err, InworldError::Protocol(ref m) if m.contains("max_response_bytes")),
        "{err}"
    );
    // The first line, read within the bound, was delivered; nothing past the bound was.
    let truth = render_tones(LINE, 48_000, 1.0);
    assert!(!partial.samples.is_empty());
    assert!(partial.samples.len() < truth.samples.len());
    assert_eq!(partial.samples[..], truth.samples[..partial.samples.len()]);

    let err = client.synthesize(&request(LINE)).await.unwrap_err();
    assert!(
        matches!(err, InworldError::Protocol(ref m) if m.contains("max_response_bytes")),
        "{err}"
    );
    // A bound is not retried: the same answer would come again.
    assert_eq!(handle.count_requests("/tts/v1/voice"), 1);
}
