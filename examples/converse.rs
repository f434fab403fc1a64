//! `converse`: one conversational turn. The player's line goes to Inworld's LLM router, the
//! reply streams back, each sentence is spoken as soon as it is complete, and the reply's audio
//! and timeline are written.
//!
//! ```text
//! converse [--emulator] [--model M] [--voice V] --out OUT.wav --timeline OUT.json "PLAYER LINE"
//! ```
//!
//! Prints `first_token_ms=<x> ttfa_ms=<x>` on stderr: from the request to the LLM's first token,
//! and to the reply's first audio. Reads `INWORLD_API_KEY` and `INWORLD_API_BASE_URL` (the
//! router and the TTS share the base); `--emulator` runs both on the loopback emulator, which
//! makes up a reply and speaks it with the offline voice. The reply is spoken over the TTS
//! WebSocket: its context is created while the LLM thinks, and each sentence is sent the moment
//! it is complete, so the next is synthesised while the last one plays.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use bevy_lipsync::emulator::{Emulator, EmulatorConfig, OfflineSource};
use bevy_lipsync::inworld::router::{ChatMessage, ChatRequest};
use bevy_lipsync::inworld::wav::encode_wav;
use bevy_lipsync::inworld::{
    API_KEY_ENV, AudioEncoding, Credentials, InworldClient, InworldConfig, SynthesisRequest,
    TimestampType,
};
use bevy_lipsync::lipsync::TimelineFile;
use bevy_lipsync::offline::Lexicon;
use clap::Parser;

#[path = "support/turn.rs"]
mod turn;

/// One conversational turn through Inworld's LLM router and TTS.
#[derive(Debug, Parser)]
#[command(name = "converse")]
struct Args {
    /// Run the router and the TTS on the built-in loopback emulator.
    #[arg(long)]
    emulator: bool,
    /// The LLM (`provider/model`, or `auto`).
    #[arg(long, default_value = "openai/gpt-4.1-mini")]
    model: String,
    /// The voice.
    #[arg(long, default_value = "Ashley")]
    voice: String,
    /// The character's instructions.
    #[arg(
        long,
        default_value = "You are Mira, an innkeeper in a fantasy village. Answer in two or three short spoken sentences."
    )]
    system: String,
    /// Where to write the reply's audio (WAV).
    #[arg(long)]
    out: String,
    /// Where to write its timeline (the `say` schema).
    #[arg(long)]
    timeline: String,
    /// What the player says.
    line: String,
}

/// The sample rate of the reply.
const RATE: u32 = 24_000;

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.emulator && std::env::var_os(API_KEY_ENV).is_none() {
        eprintln!("converse: no Inworld key: set {API_KEY_ENV}, or pass --emulator");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("converse: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(turn(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("converse: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn turn(args: &Args) -> Result<(), String> {
    let emulator = if args.emulator {
        let config = EmulatorConfig {
            source: Arc::new(OfflineSource::default()),
            ..EmulatorConfig::default()
        };
        Some(
            Emulator::start(config)
                .await
                .map_err(|e| format!("the emulator: {e}"))?,
        )
    } else {
        None
    };
    let config = match &emulator {
        Some(emulator) => InworldConfig::new(Credentials::basic("emulator-key"))
            .with_base_url(&emulator.base_url())
            .map_err(|e| e.to_string())?,
        None => InworldConfig::from_env().map_err(|e| e.to_string())?,
    };
    let client = InworldClient::new(config).map_err(|e| e.to_string())?;
    let socket = client.socket();
    let chat = ChatRequest::new(
        args.model.clone(),
        vec![
            ChatMessage::system(args.system.clone()),
            ChatMessage::user(args.line.clone()),
        ],
    );
    let tts = SynthesisRequest::new("", args.voice.clone())
        .with_audio(AudioEncoding::Linear16, RATE)
        .with_timestamps(TimestampType::Word);
    let reply = turn::turn(&client, &socket, &chat, &tts)
        .await
        .map_err(|e| e.to_string())?;
    let since = |at: Option<Instant>, what: &str| {
        at.map(|at| at - reply.started)
            .ok_or_else(|| format!("the reply has no {what}"))
    };
    let first_token = since(reply.first_token, "text")?;
    let ttfa = since(reply.first_audio, "audio")?;
    eprintln!("reply: {}", reply.text.trim());
    std::fs::write(&args.out, encode_wav(&reply.pcm, RATE))
        .map_err(|e| format!("cannot write {}: {e}", args.out))?;
    let timeline =
        TimelineFile::from_alignment(&reply.alignment, RATE, reply.pcm.len() as u64, &Lexicon);
    std::fs::write(&args.timeline, timeline.to_json() + "\n")
        .map_err(|e| format!("cannot write {}: {e}", args.timeline))?;
    eprintln!(
        "first_token_ms={:.1} ttfa_ms={:.1}",
        first_token.as_secs_f64() * 1e3,
        ttfa.as_secs_f64() * 1e3
    );
    Ok(())
}
