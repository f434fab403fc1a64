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
//! makes up a reply and speaks it with the offline voice. Sentences are synthesised over HTTP
//! streaming, one request each, while the LLM goes on.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy_lipsync::alignment::Alignment;
use bevy_lipsync::emulator::{Emulator, EmulatorConfig, OfflineSource};
use bevy_lipsync::inworld::router::{ChatMessage, ChatRequest, SentenceSplitter};
use bevy_lipsync::inworld::wav::encode_wav;
use bevy_lipsync::inworld::{
    API_KEY_ENV, AudioEncoding, Credentials, InworldClient, InworldConfig, StreamEvent,
    SynthesisRequest, TimestampType,
};
use bevy_lipsync::lipsync::TimelineFile;
use bevy_lipsync::offline::Lexicon;
use clap::Parser;
use tokio::sync::mpsc;

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
    let started = Instant::now();
    let request = ChatRequest::new(
        args.model.clone(),
        vec![
            ChatMessage::system(args.system.clone()),
            ChatMessage::user(args.line.clone()),
        ],
    );
    let mut reply = client.chat(&request).await.map_err(|e| e.to_string())?;
    // Sentences go to the speaker as they complete, while the LLM goes on.
    let (sentences, mut to_speak) = mpsc::unbounded_channel::<String>();
    let speaker = {
        let client = client.clone();
        let voice = args.voice.clone();
        tokio::spawn(async move {
            let mut spoken = Spoken::default();
            while let Some(sentence) = to_speak.recv().await {
                spoken.say(&client, &voice, &sentence, started).await?;
            }
            Ok::<Spoken, String>(spoken)
        })
    };
    let mut split = SentenceSplitter::default();
    let mut first_token: Option<Duration> = None;
    let mut text = String::new();
    while let Some(piece) = reply.next().await {
        let piece = piece.map_err(|e| e.to_string())?;
        first_token.get_or_insert_with(|| started.elapsed());
        text.push_str(&piece);
        for sentence in split.push(&piece) {
            let _ = sentences.send(sentence);
        }
    }
    if let Some(rest) = split.finish() {
        let _ = sentences.send(rest);
    }
    drop(sentences);
    let spoken = speaker.await.map_err(|e| e.to_string())??;
    let first_token = first_token.ok_or("the LLM replied nothing")?;
    let ttfa = spoken.first_audio.ok_or("the reply has no audio")?;
    eprintln!("reply: {}", text.trim());
    std::fs::write(&args.out, encode_wav(&spoken.pcm, RATE))
        .map_err(|e| format!("cannot write {}: {e}", args.out))?;
    let timeline =
        TimelineFile::from_alignment(&spoken.alignment, RATE, spoken.pcm.len() as u64, &Lexicon);
    std::fs::write(&args.timeline, timeline.to_json() + "\n")
        .map_err(|e| format!("cannot write {}: {e}", args.timeline))?;
    eprintln!(
        "first_token_ms={:.1} ttfa_ms={:.1}",
        first_token.as_secs_f64() * 1e3,
        ttfa.as_secs_f64() * 1e3
    );
    Ok(())
}

/// The reply so far: audio back to back, timing shifted to match.
#[derive(Default)]
struct Spoken {
    pcm: Vec<i16>,
    alignment: Alignment,
    first_audio: Option<Duration>,
}

impl Spoken {
    async fn say(
        &mut self,
        client: &InworldClient,
        voice: &str,
        sentence: &str,
        started: Instant,
    ) -> Result<(), String> {
        let request = SynthesisRequest::new(sentence.to_owned(), voice.to_owned())
            .with_audio(AudioEncoding::Linear16, RATE)
            .with_timestamps(TimestampType::Word);
        let mut stream = client.stream(&request).map_err(|e| e.to_string())?;
        let offset = self.pcm.len() as u64;
        while let Some(event) = stream.next().await {
            match event.map_err(|e| e.to_string())? {
                StreamEvent::Audio(audio) => {
                    self.first_audio.get_or_insert_with(|| started.elapsed());
                    self.pcm.extend_from_slice(&audio.samples);
                }
                StreamEvent::Alignment(mut alignment) => {
                    alignment.shift(offset);
                    self.alignment.apply(alignment);
                }
                _ => {}
            }
        }
        Ok(())
    }
}
