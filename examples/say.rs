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

use bevy_lipsync::emulator::{Emulator, EmulatorConfig, EmulatorHandle, OfflineSource};
use bevy_lipsync::inworld::wav::encode_wav;
use bevy_lipsync::inworld::{
    API_KEY_ENV, AudioEncoding, Credentials, DEFAULT_MODEL, InworldClient, InworldConfig,
    StreamEvent, SynthesisRequest, TimestampTransport, TimestampType, Utterance,
};
use bevy_lipsync::lipsync::TimelineFile;
use bevy_lipsync::offline::{Lexicon, OfflineSpeech, OfflineVoice};
use clap::{Parser, ValueEnum};

/// Speaks TEXT and writes the audio (mono 16-bit WAV at the synthesized rate) and a timeline
/// JSON with words, phones, characters and the engine's viseme track (OpenXR names, back to
/// back) in seconds from the start of the audio; Inworld's own visemes go to `inworld_visemes`.
///
/// Reads INWORLD_API_KEY and INWORLD_API_BASE_URL. Without a key (or with --backend offline) it
/// speaks with the built-in offline voice (--voice male|female); --emulator goes through the
/// built-in loopback Inworld emulator instead.
#[derive(Debug, Parser)]
#[command(name = "say")]
struct Args {
    /// The voice: an Inworld voice id, or `male` / `female` for the offline voice.
    #[arg(long, value_name = "ID")]
    voice: Option<String>,
    /// The Inworld model.
    #[arg(long, value_name = "ID", default_value = DEFAULT_MODEL)]
    model: String,
    /// Who speaks (default: Inworld with a key or --emulator, else the offline voice).
    #[arg(long, value_enum)]
    backend: Option<Backend>,
    /// Go through the built-in loopback Inworld emulator.
    #[arg(long)]
    emulator: bool,
    /// Which timestamps to ask Inworld for.
    #[arg(long, value_enum, default_value_t = Timestamps::Word)]
    timestamps: Timestamps,
    /// Ask for timestamps after the audio (ASYNC) instead of with it.
    #[arg(long = "async")]
    async_timestamps: bool,
    /// Ask for Inworld's audio-derived visemes (lipsyncConfig).
    #[arg(long)]
    lipsync: bool,
    /// Sample rate of the speech.
    #[arg(long, value_name = "HZ", default_value_t = 48_000)]
    sample_rate: u32,
    /// Audio encoding asked of Inworld.
    #[arg(long, value_enum, default_value_t = Encoding::Linear16)]
    encoding: Encoding,
    /// One whole response instead of a stream.
    #[arg(long)]
    no_stream: bool,
    /// Where the WAV goes.
    #[arg(long, value_name = "OUT.wav")]
    out: String,
    /// Where the timeline JSON goes.
    #[arg(long, value_name = "OUT.json")]
    timeline: String,
    /// What to say (several words are joined with spaces).
    #[arg(required = true, value_name = "TEXT", num_args = 1..)]
    text: Vec<String>,
}

/// Who speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Inworld,
    Offline,
}

/// `--timestamps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Timestamps {
    Word,
    Character,
    None,
}

/// `--encoding`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Encoding {
    Linear16,
    Pcm,
}

impl Args {
    fn text(&self) -> String {
        self.text.join(" ")
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.text().trim().is_empty() {
        eprintln!("say: error: no TEXT to say");
        return ExitCode::from(2);
    }
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
    let has_key = std::env::var(API_KEY_ENV).is_ok_and(|k| !k.trim().is_empty());
    let offline = match args.backend {
        Some(backend) => backend == Backend::Offline,
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

    let encoding = match args.encoding {
        Encoding::Linear16 => AudioEncoding::Linear16,
        Encoding::Pcm => AudioEncoding::Pcm,
    };
    let timestamps = match args.timestamps {
        Timestamps::Word => TimestampType::Word,
        Timestamps::Character => TimestampType::Character,
        Timestamps::None => TimestampType::Unspecified,
    };
    let transport = if args.async_timestamps {
        TimestampTransport::Async
    } else {
        TimestampTransport::Sync
    };
    let voice = args.voice.clone().unwrap_or_else(|| "Dennis".into());
    let mut request = SynthesisRequest::new(args.text(), voice)
        .with_model(args.model.clone())
        .with_audio(encoding, args.sample_rate)
        .with_timestamps(timestamps)
        .with_transport(transport);
    if args.lipsync {
        request = request.with_lipsync();
    }

    let started = Instant::now();
    let utterance = if !args.no_stream {
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
    let voice = match &args.voice {
        Some(voice) => voice.parse::<OfflineVoice>().map_err(|e| e.to_string())?,
        None => OfflineVoice::default(),
    };
    let started = Instant::now();
    let mut speech = OfflineSpeech::new(&args.text(), voice, 1.0, args.sample_rate)
        .map_err(|e| e.to_string())?;
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
    let text = timeline_json(utterance).to_json();
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

/// The timeline file: words, phones, characters, the engine's viseme track (`visemes`, OpenXR
/// names back to back) and Inworld's own visemes (`inworld_visemes`), in seconds.
fn timeline_json(utterance: &Utterance) -> TimelineFile {
    TimelineFile::from_alignment(
        &utterance.alignment,
        utterance.sample_rate,
        utterance.samples.len() as u64,
        &Lexicon,
    )
}
