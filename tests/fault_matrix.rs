//! The fault matrix: every way the TTS service or the network can fail, end to end through the
//! plugin (loopback emulator, manual output at the TTS rate so playback is bit-exact).
//!
//! For each fault: no panic; the line ends in the expected `SpeechFailed` error kind (or
//! finishes, for faults the client recovers from); audio delivered before a mid-stream failure
//! plays to its end sample for sample, with nothing after it; the mouth returns to rest; and the
//! next line on the same speaker works. The matrix is printed as a table (`--nocapture`).

mod plugin_support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use bevy_lipsync::emulator::{EmulatorHandle, Fault, Pacing, Rendered, render_tones};
use bevy_lipsync::inworld::{Credentials, InworldConfig, InworldError, RetryPolicy};
use bevy_lipsync::prelude::{LipsyncSettings, Persona, SpeakExt, Speaker};
use bevy_lipsync::speech::SpeechError;
use plugin_support::*;

const TEXT: &str = "Bob sat on a big red mat and ate a fig.";
const NEXT: &str = "All is well again.";
/// The key of the "401 rejected key" case: a key the emulator does not know.
const WRONG_KEY: &str = "d3Jvbmc6a2V5";

/// What a line should end in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// It plays to its end (the client recovered).
    Finished,
    /// It fails with this kind, before any audio.
    FailsAtOnce(Kind),
    /// It fails with this kind after some audio, which plays out first.
    FailsAfterAudio(Kind),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Network,
    Timeout,
    Protocol,
    Server,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    InvalidArgument,
    RateLimited,
}

fn kind_of(error: &SpeechError) -> Option<Kind> {
    let SpeechError::Inworld(error) = error else {
        return None;
    };
    Some(match error {
        InworldError::Network(_) => Kind::Network,
        InworldError::Timeout(_) => Kind::Timeout,
        InworldError::Protocol(_) => Kind::Protocol,
        InworldError::Server(_) => Kind::Server,
        InworldError::Unauthenticated(_) => Kind::Unauthenticated,
        InworldError::PermissionDenied(_) => Kind::PermissionDenied,
        InworldError::NotFound(_) => Kind::NotFound,
        InworldError::InvalidArgument(_) => Kind::InvalidArgument,
        InworldError::RateLimited { .. } => Kind::RateLimited,
        _ => return None,
    })
}

/// How a case breaks the service.
enum Breakage {
    /// Faults queued on the emulator, with their repeat counts.
    Faults(Vec<(Fault, u32)>),
    /// The client points at a port nobody listens on.
    Refused,
    /// The client's key is not the emulator's.
    WrongKey,
    /// The speaker asks for a voice the service does not have.
    UnknownVoice,
    /// Audio comes slower than real time: playback catches up and underruns.
    Slow,
}

struct Case {
    name: &'static str,
    breakage: Breakage,
    expect: Expect,
}

/// Bytes of the first NDJSON line (and its newline) of TEXT's stream, to cut right after it.
fn first_line_bytes(emulator: &EmulatorHandle) -> usize {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let body = serde_json::json!({
            "text": TEXT, "voiceId": "Dennis", "modelId": "inworld-tts-1.5-max",
            "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": RATE},
            "timestampType": "WORD",
        });
        let response = reqwest::Client::new()
            .post(format!("{}/tts/v1/voice:stream", emulator.base_url()))
            .header("Authorization", format!("Basic {KEY}"))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the emulator answers");
        let bytes = response.bytes().await.expect("a body");
        bytes
            .iter()
            .position(|&b| b == b'\n')
            .expect("NDJSON lines")
            + 1
    })
}

fn cases(emulator: &EmulatorHandle) -> Vec<Case> {
    let first_line = first_line_bytes(emulator);
    let always = 100;
    let status = |http: u16, times| Breakage::Faults(vec![(Fault::status(http), times)]);
    let one = |fault: Fault| Breakage::Faults(vec![(fault, always)]);
    vec![
        Case {
            name: "connection refused",
            breakage: Breakage::Refused,
            expect: Expect::FailsAtOnce(Kind::Network),
        },
        Case {
            name: "reset before headers",
            breakage: one(Fault::ResetBeforeHeaders),
            expect: Expect::FailsAtOnce(Kind::Network),
        },
        Case {
            name: "reset mid-line",
            breakage: one(Fault::DropAfterBytes(first_line + first_line / 2)),
            expect: Expect::FailsAfterAudio(Kind::Network),
        },
        Case {
            name: "reset between lines",
            breakage: one(Fault::DropAfterBytes(first_line)),
            expect: Expect::FailsAfterAudio(Kind::Network),
        },
        Case {
            name: "error line mid-stream",
            breakage: one(Fault::ErrorLineAfterChunks {
                chunks: 1,
                grpc_code: 13,
                message: "internal error".into(),
            }),
            expect: Expect::FailsAfterAudio(Kind::Server),
        },
        Case {
            name: "malformed JSON line",
            breakage: one(Fault::MalformedLineAfterChunks(1)),
            expect: Expect::FailsAfterAudio(Kind::Protocol),
        },
        Case {
            name: "invalid base64",
            breakage: one(Fault::BadBase64AtChunk(1)),
            expect: Expect::FailsAfterAudio(Kind::Protocol),
        },
        Case {
            name: "WAV header at another rate",
            breakage: one(Fault::WavRateMismatchAtChunk(1)),
            expect: Expect::FailsAfterAudio(Kind::Protocol),
        },
        Case {
            name: "slower than real time",
            breakage: Breakage::Slow,
            expect: Expect::Finished,
        },
        Case {
            name: "stall past the timeout",
            breakage: one(Fault::StallAfterChunks {
                chunks: 1,
                stall: Duration::from_secs(3),
            }),
            expect: Expect::FailsAfterAudio(Kind::Timeout),
        },
        Case {
            name: "401 rejected key",
            breakage: Breakage::WrongKey,
            expect: Expect::FailsAtOnce(Kind::Unauthenticated),
        },
        Case {
            name: "403 forbidden",
            breakage: status(403, always),
            expect: Expect::FailsAtOnce(Kind::PermissionDenied),
        },
        Case {
            name: "404 unknown voice",
            breakage: Breakage::UnknownVoice,
            expect: Expect::FailsAtOnce(Kind::NotFound),
        },
        Case {
            name: "400 text too long",
            breakage: Breakage::Faults(vec![(
                Fault::Status {
                    http: 400,
                    grpc_code: 3,
                    message: "text must be at most 2000 characters".into(),
                    retry_after: None,
                },
                always,
            )]),
            expect: Expect::FailsAtOnce(Kind::InvalidArgument),
        },
        Case {
            name: "429 + Retry-After, once",
            breakage: Breakage::Faults(vec![(
                Fault::Status {
                    http: 429,
                    grpc_code: 8,
                    message: "slow down".into(),
                    retry_after: Some(Duration::from_millis(200)),
                },
                1,
            )]),
            expect: Expect::Finished,
        },
        Case {
            name: "429 every time",
            breakage: status(429, always),
            expect: Expect::FailsAtOnce(Kind::RateLimited),
        },
        Case {
            name: "500 every time",
            breakage: status(500, always),
            expect: Expect::FailsAtOnce(Kind::Server),
        },
        Case {
            name: "503 once",
            breakage: status(503, 1),
            expect: Expect::Finished,
        },
    ]
}

/// One row of the printed matrix.
struct Row {
    name: &'static str,
    outcome: String,
    audio_ms: f64,
    underruns: u64,
    mouth_at_rest: bool,
    next_line: bool,
}

/// The harness for one case: the emulator's key unless the case says otherwise, the manual
/// output at the TTS rate (bit-exact playback), a short read timeout and quick retries.
fn harness(emulator: &EmulatorHandle, breakage: &Breakage) -> Harness {
    let key = if matches!(breakage, Breakage::WrongKey) {
        WRONG_KEY
    } else {
        KEY
    };
    let refused = matches!(breakage, Breakage::Refused).then(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("an address").port();
        drop(listener);
        format!("http://127.0.0.1:{port}")
    });
    Harness::with_settings(emulator, key, |settings| {
        let mut config = InworldConfig::new(Credentials::basic(key))
            .with_base_url(refused.as_deref().unwrap_or(&emulator.base_url()))
            .expect("loopback http is accepted");
        config.read_timeout = Duration::from_millis(500);
        config.connect_timeout = Duration::from_millis(500);
        config.retry = RetryPolicy {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(300),
        };
        settings.inworld = bevy_lipsync::prelude::InworldSetting::Config(Box::new(config));
        settings.output =
            bevy_lipsync::audio::OutputMode::Manual(bevy_lipsync::audio::OutputConfig {
                device_rate: RATE,
                block_frames: BLOCK / 2,
                max_voices: 8,
            });
    })
}

/// Plays frames (10 ms each, sleeping as much in real time so the runtime and the emulator keep
/// their own pace) until `speaker` has no line left.
fn play_out(h: &mut Harness, speaker: bevy::prelude::Entity) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.queue(speaker).is_speaking() || h.queue(speaker).waiting() > 0 {
        assert!(Instant::now() < deadline, "the line never ended");
        std::thread::sleep(Duration::from_millis(10));
        h.frame(Duration::from_millis(10));
    }
}

/// How playback compares with the truth, both trimmed of leading silence.
struct Playback {
    /// Leading samples heard exactly as delivered.
    matching: usize,
    /// Samples up to the last one that sounded.
    played: usize,
    /// Samples of the truth up to its last sounding one.
    audible: usize,
}

impl Playback {
    fn of(heard: &[f32], truth: &[i16]) -> Self {
        let heard = &heard[heard.iter().position(|s| *s != 0.0).unwrap_or(heard.len())..];
        let truth = &truth[truth.iter().position(|s| *s != 0).unwrap_or(truth.len())..];
        let matching = heard
            .iter()
            .zip(truth)
            .take_while(|(h, t)| (**h - f32::from(**t) / 32_768.0).abs() < 1e-6)
            .count();
        Playback {
            matching,
            played: heard.iter().rposition(|s| *s != 0.0).map_or(0, |i| i + 1),
            audible: truth.iter().rposition(|s| *s != 0).map_or(0, |i| i + 1),
        }
    }

    /// Nothing but the truth was heard: no fade, no glitch, silence after.
    fn clean(&self) -> bool {
        self.played <= self.matching
    }
}

/// Runs one case: the row of the matrix, the problems found, and the text of every error the
/// game was shown (`Display` and `Debug`).
fn run_case(
    emulator: &EmulatorHandle,
    case: &Case,
    truth: &Rendered,
) -> (Row, Vec<String>, String) {
    let mut problems = Vec::new();
    emulator.clear_faults();
    emulator.set_pacing(Pacing::default());
    let mut h = harness(emulator, &case.breakage);
    match &case.breakage {
        Breakage::Faults(faults) => {
            for (fault, times) in faults {
                emulator.push_fault(fault.clone(), *times);
            }
        }
        Breakage::Slow => emulator.set_pacing(Pacing {
            // Chunks come every 330 ms (under the 500 ms read timeout) but hold 250 ms.
            real_time_factor: 0.75,
            ..Pacing::default()
        }),
        _ => {}
    }
    let voice = if matches!(case.breakage, Breakage::UnknownVoice) {
        "Nobody"
    } else {
        "Dennis"
    };
    let (speaker, _face) = h.spawn_speaker(voice);
    let heard_from = h.heard.len();
    h.app.world_mut().commands().entity(speaker).say(TEXT);
    h.frame(std::time::Duration::ZERO);
    let mut underruns = 0;
    let deadline = Instant::now() + Duration::from_secs(30);
    while h.queue(speaker).is_speaking() {
        assert!(
            Instant::now() < deadline,
            "{}: the line never ended",
            case.name
        );
        if let Some(p) = h.queue(speaker).progress() {
            underruns = p.underruns;
        }
        std::thread::sleep(Duration::from_millis(10));
        h.frame(Duration::from_millis(10));
    }
    // The mouth relaxes within half a second of the end (a cut line stops mid-word).
    for _ in 0..50 {
        h.frame(Duration::from_millis(10));
    }
    let mouth_at_rest = h.mouth(speaker).weights.is_rest();
    let seen = h.seen();
    let errors = h.errors.lock().expect("errors").clone();
    let started = seen.iter().any(|s| matches!(s, Seen::Started(..)));
    let finished = seen.contains(&Seen::Finished(speaker, TEXT.into(), false));
    let failure = errors.first().map(|e| (kind_of(e), e.to_string()));
    let heard = &h.heard[heard_from..];
    let playback = Playback::of(heard, &truth.samples);
    let audio_ms = playback.played as f64 * 1000.0 / f64::from(RATE);

    let outcome = match (&failure, finished) {
        (Some((Some(kind), _)), _) => format!("failed: {kind:?}"),
        (Some((None, message)), _) => format!("failed: {message}"),
        (None, true) => "finished".to_owned(),
        (None, false) => "neither finished nor failed".to_owned(),
    };
    let mut check = |ok: bool, what: &str| {
        if !ok {
            problems.push(format!("{}: {what} ({outcome})", case.name));
        }
    };
    match case.expect {
        Expect::Finished => {
            check(finished && failure.is_none(), "should finish");
            // Every sample of the line, in order (underrun gaps aside for the slow stream).
            if matches!(case.breakage, Breakage::Slow) {
                let nonzero = |v: Vec<f32>| v.into_iter().filter(|s| *s != 0.0).collect::<Vec<_>>();
                let expected: Vec<f32> = truth
                    .samples
                    .iter()
                    .map(|&s| f32::from(s) / 32_768.0)
                    .collect();
                check(
                    nonzero(heard.to_vec()) == nonzero(expected),
                    "all audio heard in order",
                );
                check(underruns > 0, "a stream slower than real time underruns");
            } else {
                check(playback.clean(), "bit-exact playback");
                check(
                    playback.matching >= playback.audible,
                    "the whole line is heard",
                );
            }
        }
        Expect::FailsAtOnce(kind) => {
            check(
                failure.as_ref().is_some_and(|(k, _)| *k == Some(kind)),
                &format!("should fail with {kind:?}"),
            );
            check(!started, "no audio, no start");
            check(heard.iter().all(|s| *s == 0.0), "nothing heard");
        }
        Expect::FailsAfterAudio(kind) => {
            check(
                failure.as_ref().is_some_and(|(k, _)| *k == Some(kind)),
                &format!("should fail with {kind:?}"),
            );
            check(started, "the delivered audio started");
            // At least the first 250 ms chunk (less its 100 ms of leading silence).
            check(
                playback.played >= RATE as usize / 8,
                "the delivered audio plays",
            );
            check(
                playback.clean(),
                "delivered audio plays to its end bit-exact, then silence",
            );
            check(
                seen.iter().position(|s| matches!(s, Seen::Started(..)))
                    < seen.iter().position(|s| matches!(s, Seen::Failed(..))),
                "started, then failed",
            );
        }
    }
    check(mouth_at_rest, "the mouth returns to rest");

    // The next line on the same speaker works.
    emulator.clear_faults();
    emulator.set_pacing(Pacing::default());
    let next_line = if matches!(
        case.breakage,
        Breakage::Refused | Breakage::WrongKey | Breakage::UnknownVoice
    ) {
        // The cause is the game's configuration: fixed, the same speaker talks again.
        let mut fixed = Harness::new(emulator, KEY);
        let (other, _) = fixed.spawn_speaker("Dennis");
        fixed.app.world_mut().commands().entity(other).say(NEXT);
        fixed.frame(Duration::ZERO);
        play_out(&mut fixed, other);
        fixed
            .seen()
            .contains(&Seen::Finished(other, NEXT.into(), false))
    } else {
        h.app.world_mut().commands().entity(speaker).say(NEXT);
        h.frame(Duration::ZERO);
        play_out(&mut h, speaker);
        h.seen()
            .contains(&Seen::Finished(speaker, NEXT.into(), false))
    };
    check(next_line, "the next line works");
    let row = Row {
        name: case.name,
        outcome,
        audio_ms,
        underruns,
        mouth_at_rest,
        next_line,
    };
    let shown = errors
        .iter()
        .map(|e| format!("{e}\n{e:?}\n"))
        .collect::<String>();
    (row, problems, shown)
}

#[test]
fn every_fault_ends_cleanly_and_the_next_line_works() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let emulator = emulator();
    let truth = render_tones(TEXT, RATE, 1.0);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for case in cases(&emulator) {
        let (row, found, _) = run_case(&emulator, &case, &truth);
        rows.push(row);
        problems.extend(found);
    }

    println!("\n| fault | outcome | audio heard | underruns | mouth at rest | next line |");
    println!("|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {:.0} ms | {} | {} | {} |",
            row.name,
            row.outcome,
            row.audio_ms,
            row.underruns,
            if row.mouth_at_rest { "yes" } else { "NO" },
            if row.next_line { "yes" } else { "NO" },
        );
    }
    assert!(
        problems.is_empty(),
        "fault matrix problems:\n{}",
        problems.join("\n")
    );
}

/// The two tests of this binary run one after the other: the matrix keeps its real-time pace
/// while the redaction test logs at trace level.
static SERIAL: Mutex<()> = Mutex::new(());

/// Whether log records are captured right now (only while the redaction test runs).
static CAPTURING: AtomicBool = AtomicBool::new(false);

/// Every `log` and `tracing` record of the process while [`CAPTURING`], at every level, as text.
fn capture_all_logs() -> Arc<Mutex<Vec<u8>>> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{Layer, filter, fmt};
    static CAPTURED: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    Arc::clone(CAPTURED.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&buffer);
        let layer = fmt::layer()
            .with_ansi(false)
            .with_writer(move || LogSink(Arc::clone(&sink)))
            .with_filter(filter::filter_fn(|_| CAPTURING.load(Ordering::Relaxed)));
        // `try_init` also routes the `log` crate's records into `tracing`.
        tracing_subscriber::registry()
            .with(layer)
            .try_init()
            .expect("the only subscriber of this test binary");
        buffer
    }))
}

struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A failing run with every log at trace level (the client's retries, hyper's and rustls'
/// internals, the plugin's warnings) never shows either key: not in the logs, not in the
/// errors the game is shown, not in the `Debug` of the settings or of what the server saw.
/// Appends every error the harness's lines failed with, shown and debug-printed.
fn show_errors(h: &Harness, shown: &mut String) {
    for e in h
        .errors
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        shown.push_str(&format!("{e} {e:?}\n"));
    }
}

#[test]
fn the_key_never_reaches_logs_errors_or_debug_output() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let captured = capture_all_logs();
    CAPTURING.store(true, Ordering::Relaxed);
    let emulator = emulator();
    let truth = render_tones(TEXT, RATE, 1.0);
    let mut shown = String::new();
    let chosen = [
        "401 rejected key",
        "reset mid-line",
        "error line mid-stream",
        "stall past the timeout",
        "429 + Retry-After, once",
        "500 every time",
    ];
    for case in cases(&emulator) {
        if !chosen.contains(&case.name) {
            continue;
        }
        let (row, _, errors) = run_case(&emulator, &case, &truth);
        shown.push_str(&errors);
        shown.push_str(&row.outcome);
        let settings = harness(&emulator, &case.breakage);
        shown.push_str(&format!(
            "{:?}",
            settings.app.world().resource::<LipsyncSettings>()
        ));
    }
    // The AI/ML API gateway client, refused and accepted, with its own key.
    for key in [WRONG_KEY, KEY] {
        let gateway = bevy_lipsync::gateway::GatewayConfig::new(key)
            .and_then(|c| c.with_base_url(&emulator.base_url()))
            .expect("a loopback gateway");
        let mut h = Harness::with_settings(&emulator, KEY, |s| s.gateway = Some(gateway));
        let speaker = h.app.world_mut().spawn(Speaker::new("aimlapi:Ashley")).id();
        h.app.world_mut().commands().entity(speaker).say(TEXT);
        h.frame(Duration::ZERO);
        h.play_out(speaker, Duration::from_secs(30));
        show_errors(&h, &mut shown);
        shown.push_str(&format!(
            "{:?}",
            h.app.world().resource::<LipsyncSettings>()
        ));
    }
    assert!(
        shown.contains("refused the key"),
        "the gateway's 401 shown:\n{shown}"
    );
    // A conversation: the LLM router and the TTS WebSocket, refused and accepted.
    let mut words_heard = Vec::new();
    for key in [WRONG_KEY, KEY] {
        let mut h = Harness::new(&emulator, key);
        let speaker = h
            .app
            .world_mut()
            .spawn((Speaker::new("Ashley"), Persona::new("You are Mira.")))
            .id();
        h.app.world_mut().commands().entity(speaker).reply_to(TEXT);
        h.frame(Duration::ZERO);
        h.play_out(speaker, Duration::from_secs(30));
        show_errors(&h, &mut shown);
        words_heard.push(
            h.seen()
                .iter()
                .filter(|s| matches!(s, Seen::Word(..)))
                .count(),
        );
    }
    assert!(
        words_heard[0] == 0 && words_heard[1] > 0,
        "the refused conversation failed and the accepted one spoke: {words_heard:?}"
    );
    // The WebSocket client on its own, refused, with its Debug output.
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let config = InworldConfig::new(Credentials::basic(WRONG_KEY))
            .with_base_url(&emulator.base_url())
            .expect("loopback");
        let client = bevy_lipsync::inworld::InworldClient::new(config).expect("a client");
        let error = runtime.block_on(async {
            let socket = client.socket();
            shown.push_str(&format!("{socket:?} {client:?}\n"));
            socket.connect().await.expect_err("refused")
        });
        shown.push_str(&format!("{error} {error:?}\n"));
    }
    shown.push_str(&format!("{:?}", emulator.requests()));
    drop(emulator);
    CAPTURING.store(false, Ordering::Relaxed);
    let logs = String::from_utf8_lossy(&captured.lock().unwrap_or_else(PoisonError::into_inner))
        .into_owned();

    // The capture works: the client's retry notes and the failures are in it.
    assert!(logs.contains("retry"), "no retry logged:\n{logs}");
    assert!(shown.contains("HTTP 401"), "no 401 shown:\n{shown}");
    assert!(shown.contains("Basic(Secret(<redacted>))"), "{shown}");
    for key in [KEY, WRONG_KEY] {
        for (what, text) in [("the logs", &logs), ("what the game was shown", &shown)] {
            if let Some(at) = text.find(key) {
                let from = at.saturating_sub(200);
                panic!(
                    "the key appears in {what}: …{}…",
                    &text[from..at + key.len()]
                );
            }
        }
    }
}
