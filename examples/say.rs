//! `say`: speak a line through Inworld (or the loopback emulator) and write the audio exactly as
//! received plus its timeline.
//!
//! ```text
//! cargo run --features emulator --example say -- --out hello.wav --timeline hello.json "Hello, world!"
//! ```
//! Reads `INWORLD_API_KEY` and `INWORLD_API_BASE_URL`. Without a key it speaks with the built-in
//! offline voice; `--emulator` goes through the loopback Inworld emulator (which speaks with the
//! offline voice too, over the real protocol).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bevy_lipsync::alignment::{FrameOffset, FrameSpan};
use bevy_lipsync::emulator::{Emulator, EmulatorConfig, EmulatorHandle, OfflineSource};
use bevy_lipsync::inworld::wav::encode_wav;
use bevy_lipsync::inworld::{
    API_KEY_ENV, AudioEncoding, Credentials, DEFAULT_MODEL, InworldClient, InworldConfig,
    StreamEvent, SynthesisRequest, TimestampTransport, TimestampType, Utterance,
};
use bevy_lipsync::offline::{OfflineSpeech, OfflineVoice};
use serde_json::json;

const USAGE: &str = "\
usage: say [--voice ID] [--model ID] [--backend inworld|offline] [--emulator]
           [--timestamps word|character|none] [--async] [--lipsync] [--sample-rate HZ]
           [--encoding linear16|pcm] [--no-stream] --out OUT.wav --timeline OUT.json \"TEXT\"

Speaks TEXT and writes the audio (mono 16-bit WAV at the synthesized rate) and a timeline JSON
with words, phones and visemes in seconds from the start of the audio.
Reads INWORLD_API_KEY and INWORLD_API_BASE_URL. Without a key (or with --backend offline) it
speaks with the built-in offline voice (--voice male|female); --emulator goes through the
built-in loopback Inworld emulator instead.";

#[derive(Debug)]
struct Args {
    voice: String,
    /// `--voice` was given.
    voice_set: bool,
    model: String,
    backend: Option<String>,
    emulator: bool,
    timestamps: TimestampType,
    transport: TimestampTransport,
    lipsync: bool,
    sample_rate: u32,
    encoding: AudioEncoding,
    stream: bool,
    out: String,
    timeline: String,
    text: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        voice: "Dennis".into(),
        voice_set: false,
        model: DEFAULT_MODEL.into(),
        backend: None,
        emulator: false,
        timestamps: TimestampType::Word,
        transport: TimestampTransport::Sync,
        lipsync: false,
        sample_rate: 48_000,
        encoding: AudioEncoding::Linear16,
        stream: true,
        out: String::new(),
        timeline: String::new(),
        text: String::new(),
    };
    let mut text = Vec::new();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--voice" => {
                parsed.voice = value("--voice")?;
                parsed.voice_set = true;
            }
            "--model" => parsed.model = value("--model")?,
            "--backend" => parsed.backend = Some(value("--backend")?),
            "--emulator" => parsed.emulator = true,
            "--timestamps" => {
                parsed.timestamps = match value("--timestamps")?.as_str() {
                    "word" => TimestampType::Word,
                    "character" => TimestampType::Character,
                    "none" => TimestampType::Unspecified,
                    other => {
                        return Err(format!("--timestamps {other}: use word, character or none"));
                    }
                }
            }
            "--async" => parsed.transport = TimestampTransport::Async,
            "--lipsync" => parsed.lipsync = true,
            "--sample-rate" => {
                let v = value("--sample-rate")?;
                parsed.sample_rate = v
                    .parse()
                    .map_err(|_| format!("--sample-rate {v}: not a number of Hz"))?;
            }
            "--encoding" => {
                parsed.encoding = match value("--encoding")?.as_str() {
                    "linear16" => AudioEncoding::Linear16,
                    "pcm" => AudioEncoding::Pcm,
                    other => return Err(format!("--encoding {other}: use linear16 or pcm")),
                }
            }
            "--no-stream" => parsed.stream = false,
            "--out" => parsed.out = value("--out")?,
            "--timeline" => parsed.timeline = value("--timeline")?,
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => text.push(arg),
        }
    }
    parsed.text = text.join(" ");
    if parsed.text.trim().is_empty() {
        return Err("no TEXT to say".into());
    }
    if parsed.out.is_empty() || parsed.timeline.is_empty() {
        return Err("--out and --timeline are required".into());
    }
    Ok(parsed)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("say: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("say: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("say: error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    if let Some(other) = args
        .backend
        .as_deref()
        .filter(|b| !matches!(*b, "inworld" | "offline"))
    {
        return Err(format!("--backend {other}: use inworld or offline"));
    }
    let has_key = std::env::var(API_KEY_ENV).is_ok_and(|k| !k.trim().is_empty());
    let offline = match args.backend.as_deref() {
        Some(backend) => backend == "offline",
        None => !has_key && !args.emulator,
    };
    if offline {
        if args.backend.is_none() {
            eprintln!("say: no {API_KEY_ENV} set: speaking with the built-in offline voice");
        }
        return speak_offline(&args);
    }
    let use_emulator = args.emulator || !has_key;
    // Kept alive until the end: dropping the handle stops the emulator.
    let mut _emulator: Option<EmulatorHandle> = None;
    let client = if use_emulator {
        if !args.emulator {
            eprintln!("say: no {API_KEY_ENV} set: using the built-in loopback emulator");
        }
        let key = "say-emulator-key";
        let handle = Emulator::spawn(EmulatorConfig {
            key: Some(key.into()),
            source: std::sync::Arc::new(OfflineSource::default()),
            ..EmulatorConfig::default()
        })
        .map_err(|e| format!("cannot start the emulator: {e}"))?;
        let config = InworldConfig::new(Credentials::basic(key))
            .with_base_url(&handle.base_url())
            .map_err(|e| e.to_string())?;
        _emulator = Some(handle);
        InworldClient::new(config)
    } else {
        InworldClient::from_env()
    }
    .map_err(|e| e.to_string())?;

    let mut request = SynthesisRequest::new(args.text.clone(), args.voice.clone())
        .with_model(args.model.clone())
        .with_audio(args.encoding, args.sample_rate)
        .with_timestamps(args.timestamps)
        .with_transport(args.transport);
    if args.lipsync {
        request = request.with_lipsync();
    }

    let started = Instant::now();
    let utterance = if args.stream {
        stream(&client, &request, started).await?
    } else {
        let utterance = client
            .synthesize(&request)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!("whole response after {} ms", started.elapsed().as_millis());
        utterance
    };
    write_outputs(&args, &utterance, started.elapsed())
}

/// Speaks with the offline voice, chunk by chunk as a game would receive it.
fn speak_offline(args: &Args) -> Result<(), String> {
    let voice = if args.voice_set {
        args.voice
            .parse::<OfflineVoice>()
            .map_err(|e| e.to_string())?
    } else {
        OfflineVoice::default()
    };
    let started = Instant::now();
    let mut speech =
        OfflineSpeech::new(&args.text, voice, 1.0, args.sample_rate).map_err(|e| e.to_string())?;
    let mut utterance = Utterance {
        sample_rate: speech.sample_rate(),
        ..Utterance::default()
    };
    let mut chunks = 0;
    while let Some(chunk) = speech.next_chunk() {
        if chunks == 0 {
            eprintln!(
                "first audio after {:.2} ms (offline voice `{voice}`)",
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        chunks += 1;
        utterance.samples.extend_from_slice(&chunk.pcm);
        utterance.alignment.apply(chunk.alignment);
    }
    let elapsed = started.elapsed();
    eprintln!("{chunks} audio chunks synthesized");
    write_outputs(args, &utterance, elapsed)
}

/// Writes the WAV and the timeline, and says what was written.
fn write_outputs(args: &Args, utterance: &Utterance, elapsed: Duration) -> Result<(), String> {
    if utterance.samples.is_empty() {
        return Err("the service returned no audio".into());
    }
    std::fs::write(
        &args.out,
        encode_wav(&utterance.samples, utterance.sample_rate),
    )
    .map_err(|e| format!("cannot write {}: {e}", args.out))?;
    let timeline = timeline_json(utterance);
    let text = serde_json::to_string_pretty(&timeline).map_err(|e| e.to_string())?;
    std::fs::write(&args.timeline, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", args.timeline))?;
    let audio = utterance.duration();
    eprintln!(
        "done: {:.2} s of audio at {} Hz in {} ms ({:.1}x real time); {} words, {} phones -> {}, {}",
        audio.as_secs_f64(),
        utterance.sample_rate,
        elapsed.as_millis(),
        audio.as_secs_f64() / elapsed.as_secs_f64().max(1e-6),
        utterance.alignment.words.len(),
        utterance.alignment.phones.len(),
        args.out,
        args.timeline,
    );
    Ok(())
}

async fn stream(
    client: &InworldClient,
    request: &SynthesisRequest,
    started: Instant,
) -> Result<Utterance, String> {
    let mut stream = client.stream(request).map_err(|e| e.to_string())?;
    let mut utterance = Utterance::default();
    let mut chunks = 0;
    let mut first_audio: Option<Duration> = None;
    // A redrawn progress line only makes sense on a terminal.
    let progress_line = std::io::stderr().is_terminal();
    while let Some(event) = stream.next().await {
        let event = event.map_err(|e| e.to_string())?;
        let is_audio = matches!(event, StreamEvent::Audio(_));
        if is_audio && first_audio.is_none() {
            let after = started.elapsed();
            first_audio = Some(after);
            eprintln!("first audio after {} ms", after.as_millis());
        }
        utterance.apply(event);
        if is_audio {
            chunks += 1;
        }
        if is_audio && progress_line {
            eprint!(
                "\rchunks {chunks}, audio {:.2} s",
                utterance.duration().as_secs_f64()
            );
            let _ = std::io::stderr().flush();
        }
    }
    if progress_line && chunks > 0 {
        eprintln!();
    }
    eprintln!("{chunks} audio chunks received");
    Ok(utterance)
}

/// One timeline row per item: `fields` gives its span and its other fields; times are added in
/// seconds (rounded to the microsecond).
fn rows<T>(
    items: &[T],
    rate: u32,
    fields: impl Fn(&T) -> (FrameSpan, serde_json::Value),
) -> Vec<serde_json::Value> {
    let seconds = |frames: FrameOffset| (frames.as_seconds(rate) * 1e6).round() / 1e6;
    items
        .iter()
        .map(|item| {
            let (span, mut row) = fields(item);
            row["start"] = json!(seconds(span.start));
            row["end"] = json!(seconds(span.end));
            row
        })
        .collect()
}

fn timeline_json(utterance: &Utterance) -> serde_json::Value {
    let rate = utterance.sample_rate;
    let a = &utterance.alignment;
    json!({
        "sample_rate": rate,
        "duration": utterance.duration().as_secs_f64(),
        "words": rows(&a.words, rate, |w| (w.span, json!({"text": w.text}))),
        "phones": rows(&a.phones, rate, |p| {
            (p.span, json!({"symbol": p.symbol, "viseme": p.viseme, "word": p.word}))
        }),
        "characters": rows(&a.characters, rate, |c| (c.span, json!({"text": c.text}))),
        "visemes": rows(&a.visemes, rate, |v| (v.span, json!({"viseme": v.label}))),
    })
}
