//! `bake`: a timeline for a recorded line, or a line synthesised with its timeline.
//!
//! ```text
//! bake --audio IN.(wav|ogg|mp3|flac) [--text "TRANSCRIPT"] --out OUT.json [--format json|tsv]
//! bake --text "TEXT" [--voice ID] --out-audio OUT.wav --out OUT.json [--format json|tsv]
//! ```
//!
//! With `--audio`, the transcript's words and shapes are placed on the sound (forced alignment);
//! without a transcript the shapes come from the sound alone. Without `--audio`, the text is
//! synthesised (Inworld with `INWORLD_API_KEY`, or `--emulator`; else the offline voice) and
//! its timing comes with it. JSON is `say`'s timeline schema (the engine's track under
//! `visemes`); TSV is Rhubarb-style `start<TAB>viseme` rows. Progress goes to stderr.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use bevy_lipsync::emulator::{Emulator, EmulatorConfig, OfflineSource};
use bevy_lipsync::inworld::wav::encode_wav;
use bevy_lipsync::inworld::{API_KEY_ENV, Credentials, InworldClient, InworldConfig};
use bevy_lipsync::lipsync::TimelineFile;
use bevy_lipsync::lipsync::alignment::Alignment;
use bevy_lipsync::offline::Lexicon;
use bevy_lipsync::speech::bake::bake_audio;
use bevy_lipsync::speech::{SpeechRequest, SpeechService, VoiceDescriptor};
use clap::{Parser, ValueEnum};

/// Bakes a timeline for recorded audio, or synthesises a line with its timeline.
#[derive(Debug, Parser)]
#[command(name = "bake")]
struct Args {
    /// The recorded line (WAV, OGG Vorbis, MP3 or FLAC).
    #[arg(long, value_name = "PATH")]
    audio: Option<String>,
    /// The transcript of `--audio`, or the text to synthesise without it.
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// The voice to synthesise with (`Ashley`, `offline:female`, ...).
    #[arg(long, value_name = "ID")]
    voice: Option<String>,
    /// Synthesise through the built-in loopback Inworld emulator.
    #[arg(long)]
    emulator: bool,
    /// Where to write the synthesised audio (without `--audio`).
    #[arg(long, value_name = "PATH")]
    out_audio: Option<String>,
    /// Where to write the timeline.
    #[arg(long, value_name = "PATH")]
    out: String,
    /// The timeline's format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `say`'s timeline schema.
    Json,
    /// Rhubarb-style `start<TAB>viseme` rows.
    Tsv,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let started = Instant::now();
    let result = match &args.audio {
        Some(audio) => from_audio(audio, args.text.as_deref()),
        None => synthesise(&args),
    };
    let timeline = match result {
        Ok(timeline) => timeline,
        Err(e) => {
            eprintln!("bake: {e}");
            return ExitCode::FAILURE;
        }
    };
    let text = match args.format {
        Format::Json => timeline.to_json() + "\n",
        Format::Tsv => timeline.to_tsv(),
    };
    if let Err(e) = std::fs::write(&args.out, text) {
        eprintln!("bake: cannot write {}: {e}", args.out);
        return ExitCode::FAILURE;
    }
    let took = started.elapsed().as_secs_f64();
    eprintln!(
        "bake: {:.2} s of audio in {:.0} ms ({:.0}x real time): {} words, {} shapes -> {}",
        timeline.duration,
        took * 1e3,
        timeline.duration / took.max(1e-9),
        timeline.words.len(),
        timeline.visemes.len(),
        args.out
    );
    ExitCode::SUCCESS
}

/// Decodes a recorded line and bakes its timeline.
fn from_audio(path: &str, transcript: Option<&str>) -> Result<TimelineFile, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let extension = Path::new(path).extension().and_then(|e| e.to_str());
    eprintln!(
        "bake: {} {path} ({} bytes)",
        if transcript.is_some() {
            "aligning the transcript to"
        } else {
            "reading the shapes of"
        },
        bytes.len()
    );
    bake_audio(bytes, extension, transcript).map_err(|e| format!("{path}: {e}"))
}

/// Synthesises `--text` and writes `--out-audio`.
fn synthesise(args: &Args) -> Result<TimelineFile, String> {
    let text = args
        .text
        .as_deref()
        .ok_or("give --audio (a recorded line) or --text (a line to synthesise)")?;
    let out_audio = args
        .out_audio
        .as_deref()
        .ok_or("synthesising needs --out-audio for the audio")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let emulator = if args.emulator {
        let config = EmulatorConfig {
            source: std::sync::Arc::new(OfflineSource::default()),
            ..EmulatorConfig::default()
        };
        Some(Emulator::spawn(config).map_err(|e| format!("cannot start the emulator: {e}"))?)
    } else {
        None
    };
    let service = match &emulator {
        Some(emulator) => {
            let config = InworldConfig::new(Credentials::basic("emulator-key"))
                .with_base_url(&emulator.base_url())
                .map_err(|e| e.to_string())?;
            SpeechService::with_inworld(InworldClient::new(config).map_err(|e| e.to_string())?)
        }
        None => match InworldConfig::from_env() {
            Ok(config) => {
                SpeechService::with_inworld(InworldClient::new(config).map_err(|e| e.to_string())?)
            }
            Err(_) => SpeechService::offline_only(),
        },
    };
    let inworld = service.inworld().is_some();
    let written = match (&args.voice, inworld) {
        (Some(voice), _) => voice.clone(),
        (None, true) => "Ashley".into(),
        (None, false) => "offline:female".into(),
    };
    let voice: VoiceDescriptor = written.parse().map_err(|e| format!("{e}"))?;
    if !inworld && voice.provider == bevy_lipsync::speech::Provider::Inworld {
        return Err(format!(
            "`{written}` is an Inworld voice: set {API_KEY_ENV}, pass --emulator, or use an \
             `offline:` voice"
        ));
    }
    eprintln!("bake: synthesising with `{voice}`");
    let request = SpeechRequest::new(text, voice);
    // A redrawn progress line only makes sense on a terminal.
    let progress = std::io::stderr().is_terminal();
    let (pcm, rate, alignment) = runtime.block_on(async {
        let mut stream = service.open(&request).map_err(|e| e.to_string())?;
        let (mut pcm, mut rate, mut alignment) = (Vec::new(), 0, Alignment::default());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| e.to_string())?;
            if !chunk.pcm.is_empty() {
                rate = chunk.sample_rate;
            }
            pcm.extend_from_slice(&chunk.pcm);
            alignment.apply(chunk.alignment);
            if progress {
                eprint!(
                    "\rbake: {:.2} s of audio",
                    pcm.len() as f64 / f64::from(rate.max(1))
                );
            }
        }
        if progress {
            eprintln!();
        }
        Ok::<_, String>((pcm, rate, alignment))
    })?;
    if pcm.is_empty() {
        return Err("the voice returned no audio".into());
    }
    std::fs::write(out_audio, encode_wav(&pcm, rate))
        .map_err(|e| format!("cannot write {out_audio}: {e}"))?;
    Ok(TimelineFile::from_alignment(
        &alignment,
        rate,
        pcm.len() as u64,
        &Lexicon,
    ))
}
