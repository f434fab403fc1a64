//! Conversation latency on loopback, against the emulator's LLM router and TTS WebSocket.
//!
//! **Pipeline overhead.** Turns through the router and one shared WebSocket, as `converse` runs
//! them (`support/turn.rs`). For each: the time from the LLM's first token to the reply's first
//! audio at the client, minus the emulator's own synthesis time for that piece (from the flush
//! being read to its first audio chunk written, which the emulator records). What is left is
//! this crate's share, also shown in its two halves (`text_in`: from the piece sent to the
//! emulator reading it; `audio_out`: from the chunk written to the client having it): the sentence splitter, sending the text, the WebSocket both ways,
//! decoding and routing. The scripted reply's tokens all arrive at once, so the first piece is
//! complete with the first token; `from_piece` measures from the moment the splitter released
//! the first piece (and it was sent), without the LLM's delivery of the tokens after the first.
//!
//! **Reply latency.** `reply_to` through the plugin on the virtual output (paced by wall time,
//! like a machine without a sound card), with the emulator's LLM scripted to send its first
//! token after 300 ms and a token every 20 ms after it, and the TTS delivering at once or like
//! Inworld (120 ms to the first chunk, twice real time): the time from `reply_to` to the reply's
//! first audio heard ([`SpeechStarted::time_to_first_audio`]).
//!
//! Run: `cargo run --release --features emulator --example converse_report [-- --turns 40]`.
//! Prints one line per measure:
//! `converse overhead_p50_ms=<x> overhead_p95_ms=<x> overhead_max_ms=<x> ...` and
//! `converse reply_to tts=<instant|realistic> ttfa_p50_ms=<x> ttfa_p95_ms=<x>`; with
//! `--max-overhead-ms X` it exits with an error when the overhead's p95 is above X.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::asset::AssetPlugin;
use bevy::mesh::Mesh;
use bevy::prelude::*;
use bevy_lipsync::emulator::{
    Emulator, EmulatorConfig, EmulatorHandle, OfflineSource, Pacing, SpeechSource, ToneVoice,
};
use bevy_lipsync::inworld::router::{ChatMessage, ChatRequest};
use bevy_lipsync::inworld::{
    AudioEncoding, Credentials, InworldClient, InworldConfig, SynthesisRequest,
};
use bevy_lipsync::prelude::*;
use clap::Parser;

#[path = "support/turn.rs"]
mod turn;

/// Conversation latency on loopback.
#[derive(Debug, Parser)]
#[command(name = "converse_report")]
struct Args {
    /// Turns measured for the pipeline overhead.
    #[arg(long, default_value_t = 40)]
    turns: usize,
    /// Replies measured through the plugin, per TTS pacing.
    #[arg(long, default_value_t = 20)]
    replies: usize,
    /// Let the emulator speak in tones (one sine per phone) instead of the offline voice, so no
    /// synthesis competes with the client for the CPU.
    #[arg(long)]
    tones: bool,
    /// Fail when the overhead's p95 is above this.
    #[arg(long)]
    max_overhead_ms: Option<f64>,
}

const KEY: &str = "Y29udmVyc2U6cmVwb3J0";
const RATE: u32 = 24_000;

const LINES: &[&str] = &[
    "Is there a room free tonight?",
    "What news from the north road?",
    "Who owns the mill by the river?",
    "Can you sell me some bread?",
    "Have you seen a tall stranger pass by?",
];

fn main() -> ExitCode {
    let args = Args::parse();
    let source: Arc<dyn SpeechSource> = if args.tones {
        Arc::new(ToneVoice)
    } else {
        Arc::new(OfflineSource::default())
    };
    let emulator = match Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        source,
        ..EmulatorConfig::default()
    }) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("converse_report: the emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let overhead = match overhead(&emulator, args.turns) {
        Ok(overhead) => overhead,
        Err(e) => {
            eprintln!("converse_report: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (name, pacing) in [
        ("instant", Pacing::default()),
        ("realistic", Pacing::realistic()),
    ] {
        emulator.set_pacing(pacing);
        let ttfa = reply_latency(&emulator, args.replies);
        if ttfa.is_empty() {
            eprintln!("converse_report: no reply was heard (tts={name})");
            return ExitCode::FAILURE;
        }
        println!(
            "converse reply_to tts={name} first_token_ms=300 replies={} ttfa_p50_ms={:.1} \
             ttfa_p95_ms={:.1} ttfa_max_ms={:.1}",
            ttfa.len(),
            percentile(&ttfa, 0.5),
            percentile(&ttfa, 0.95),
            percentile(&ttfa, 1.0)
        );
    }
    if let Some(max) = args.max_overhead_ms
        && percentile(&overhead, 0.95) > max
    {
        eprintln!("converse_report: the overhead's p95 is above {max} ms");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// First token to first audio, minus the emulator's synthesis, for `turns` turns (ms).
fn overhead(emulator: &EmulatorHandle, turns: usize) -> Result<Vec<f64>, String> {
    // One thread, as the plugin's speech runtime runs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let config = InworldConfig::new(Credentials::basic(KEY))
        .with_base_url(&emulator.base_url())
        .map_err(|e| e.to_string())?;
    let client = InworldClient::new(config).map_err(|e| e.to_string())?;
    emulator.set_chat_pace(Duration::from_millis(50), Duration::ZERO);
    let tts = SynthesisRequest::new("", "Ashley").with_audio(AudioEncoding::Linear16, RATE);
    let (mut overhead, mut raw, mut synthesis_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut from_piece, mut upstream, mut downstream) = (Vec::new(), Vec::new(), Vec::new());
    runtime.block_on(async {
        let socket = client.socket();
        socket.connect().await.map_err(|e| e.to_string())?;
        // One turn to warm up (the offline voice's first render, the allocator).
        for i in 0..=turns {
            let chat = ChatRequest::new(
                "openai/gpt-4.1-mini",
                vec![
                    ChatMessage::system("You are Mira, the innkeeper."),
                    ChatMessage::user(LINES[i % LINES.len()]),
                ],
            );
            let reply = turn::turn(&client, &socket, &chat, &tts)
                .await
                .map_err(|e| e.to_string())?;
            let (Some(token), Some(piece), Some(audio)) =
                (reply.first_token, reply.first_piece, reply.first_audio)
            else {
                return Err("a turn had no token or no audio".to_owned());
            };
            let synthesis = emulator
                .socket_syntheses()
                .into_iter()
                .find(|s| s.context == reply.context)
                .ok_or("the emulator recorded no synthesis for the turn")?;
            if i == 0 {
                continue;
            }
            let synthesized = synthesis.took();
            let between = audio.duration_since(token);
            raw.push(ms(between));
            synthesis_ms.push(ms(synthesized));
            overhead.push(ms(between.saturating_sub(synthesized)));
            from_piece.push(ms(audio.duration_since(piece).saturating_sub(synthesized)));
            upstream.push(ms(synthesis.received.saturating_duration_since(piece)));
            downstream.push(ms(audio.saturating_duration_since(synthesis.first_chunk)));
        }
        Ok::<(), String>(())
    })?;
    println!(
        "converse overhead turns={} overhead_p50_ms={:.2} overhead_p95_ms={:.2} \
         overhead_max_ms={:.2} from_piece_p50_ms={:.2} from_piece_p95_ms={:.2} \
         text_in_p50_ms={:.2} text_in_p95_ms={:.2} audio_out_p50_ms={:.2} \
         audio_out_p95_ms={:.2} token_to_audio_p50_ms={:.2} token_to_audio_p95_ms={:.2} \
         synthesis_p50_ms={:.2} synthesis_p95_ms={:.2}",
        overhead.len(),
        percentile(&overhead, 0.5),
        percentile(&overhead, 0.95),
        percentile(&overhead, 1.0),
        percentile(&from_piece, 0.5),
        percentile(&from_piece, 0.95),
        percentile(&upstream, 0.5),
        percentile(&upstream, 0.95),
        percentile(&downstream, 0.5),
        percentile(&downstream, 0.95),
        percentile(&raw, 0.5),
        percentile(&raw, 0.95),
        percentile(&synthesis_ms, 0.5),
        percentile(&synthesis_ms, 0.95)
    );
    Ok(overhead)
}

/// `reply_to` to first audio heard through the plugin, `replies` times (ms).
fn reply_latency(emulator: &EmulatorHandle, replies: usize) -> Vec<f64> {
    emulator.set_chat_pace(Duration::from_millis(300), Duration::from_millis(20));
    let inworld = InworldConfig::new(Credentials::basic(KEY))
        .with_base_url(&emulator.base_url())
        .expect("loopback http is accepted");
    let settings = LipsyncSettings {
        inworld: InworldSetting::Config(Box::new(inworld)),
        output: OutputMode::Virtual(OutputConfig::default()),
        ..Default::default()
    };
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .add_plugins(LipsyncPlugin::new(settings));
    let heard: Arc<Mutex<Vec<f64>>> = Arc::default();
    let sink = heard.clone();
    app.add_observer(move |e: On<SpeechStarted>| {
        sink.lock().expect("heard").push(ms(e.time_to_first_audio));
    });
    let npc = app
        .world_mut()
        .spawn((
            Speaker::new("Ashley"),
            Persona::new("You are Mira, the innkeeper."),
        ))
        .id();
    let frame = Duration::from_micros(16_667);
    for i in 0..=replies {
        let before = heard.lock().expect("heard").len();
        app.world_mut()
            .commands()
            .entity(npc)
            .reply_to(LINES[i % LINES.len()]);
        let asked = Instant::now();
        while heard.lock().expect("heard").len() == before
            && asked.elapsed() < Duration::from_secs(5)
        {
            app.update();
            std::thread::sleep(frame);
        }
        // Heard: stop it and let the speaker fall quiet before the next one.
        app.world_mut().commands().entity(npc).stop_speaking();
        for _ in 0..10 {
            app.update();
            std::thread::sleep(frame);
        }
    }
    let mut heard = heard.lock().expect("heard").clone();
    // The first reply warms up the runtime and the connection.
    if !heard.is_empty() {
        heard.remove(0);
    }
    heard
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The `q` quantile (nearest rank) of `values`; 0 when empty.
fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
