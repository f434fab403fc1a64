//! Soak: 50 speakers say 2,000 lines in total through the plugin against the loopback emulator,
//! in real time, with random interruptions, skips, stops and injected faults.
//!
//! A `MinimalPlugins` app with the plugin on the virtual output (paced by wall time, as on a
//! machine without a sound card) runs at 60 fps. Each speaker is given its next line as soon as
//! it falls silent; one line in five is cut short after 0.1-1.6 s heard: by an interrupting
//! line (`say_now`), a skip or a stop, in equal shares. Every 20th line the emulator is told to fail its next request in one of
//! nine ways (server errors, rate limits, resets before and mid-stream, error and malformed
//! lines, bad base64, a stall past the read timeout). The run is bounded: 2,000 lines and at
//! most 10 minutes.
//!
//! It reports lines finished, interrupted and failed by reason; lines that never ended (lost);
//! stuck speakers (still talking, or a mouth not at rest, 5 s after the last line should have
//! ended: must be 0); the resident set size after warm-up (the first 200 lines), at its peak and
//! at the end (must not grow after warm-up); and time to first audio, p50 and p99.
//!
//! Run: `cargo run --release --features emulator --example soak_report` (about 3 minutes). It
//! exits with an error when a speaker is stuck or a line is lost, and ends with one line:
//! `soak lines=<n> finished=<n> interrupted=<n> failed=<n> lost=<n> stuck=<n> rss_warm_mb=<x>
//! rss_peak_mb=<x> rss_final_mb=<x> ttfa_p50_ms=<x> ttfa_p99_ms=<x>`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::asset::AssetPlugin;
use bevy::mesh::Mesh;
use bevy::prelude::*;
use bevy_lipsync::audio::OutputConfig;
use bevy_lipsync::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault};
use bevy_lipsync::inworld::{Credentials, InworldConfig, InworldError, RetryPolicy};
use bevy_lipsync::prelude::*;
use bevy_lipsync::speech::SpeechError;

#[path = "support/face.rs"]
mod face;

const SPEAKERS: usize = 50;
const LINES: usize = 2_000;
const WARM_UP_LINES: usize = 200;
const FAULT_EVERY: usize = 20;
const TIME_LIMIT: Duration = Duration::from_secs(600);
const FRAME: Duration = Duration::from_micros(16_667);
const KEY: &str = "c29hazprZXk=";

const SENTENCES: &[&str] = &[
    "Welcome to the village, stranger.",
    "The mill has been quiet since the flood.",
    "Mind the wolves on the north road.",
    "Three silver coins, and not a copper less.",
    "Have you seen my brother? He went to the mine at dawn.",
    "The blacksmith owes me a favour.",
    "It is a fine day for fishing, if you ask me.",
    "Why would anyone climb that tower at night?",
    "Keep your torch lit and your sword close.",
    "Bob sat on a big red mat and ate a fig.",
];

/// A small deterministic generator (xorshift64*), so every run makes the same choices.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// How a line is cut short.
#[derive(Clone, Copy)]
enum Cut {
    /// By a new line (`say_now`).
    Interrupt,
    /// `skip_line`.
    Skip,
    /// `stop_speaking`.
    Stop,
}

/// What the observers saw.
#[derive(Default)]
struct Tally {
    finished: usize,
    interrupted: usize,
    failed: BTreeMap<&'static str, usize>,
    first_audio_ms: Vec<f64>,
}

#[derive(Resource, Clone, Default)]
struct Shared(Arc<Mutex<Tally>>);

fn reason(error: &SpeechError) -> &'static str {
    match error {
        SpeechError::Inworld(e) => match e {
            InworldError::Network(_) => "network",
            InworldError::Timeout(_) => "timeout",
            InworldError::Protocol(_) => "protocol",
            InworldError::Server(_) => "server",
            InworldError::RateLimited { .. } => "rate limited",
            InworldError::Unauthenticated(_) => "unauthenticated",
            InworldError::NotFound(_) => "not found",
            InworldError::InvalidArgument(_) => "invalid argument",
            _ => "other Inworld",
        },
        _ => "other",
    }
}

fn fault(dice: &mut Dice) -> Fault {
    match dice.below(9) {
        0 => Fault::status(500),
        1 => Fault::status(503),
        2 => Fault::Status {
            http: 429,
            grpc_code: 8,
            message: "slow down".into(),
            retry_after: Some(Duration::from_millis(300)),
        },
        3 => Fault::ResetBeforeHeaders,
        4 => Fault::DropAfterBytes(2_000 + dice.below(40_000)),
        5 => Fault::ErrorLineAfterChunks {
            chunks: 1,
            grpc_code: 13,
            message: "emulated failure mid-stream".into(),
        },
        6 => Fault::MalformedLineAfterChunks(1),
        7 => Fault::BadBase64AtChunk(1),
        _ => Fault::StallAfterChunks {
            chunks: 1,
            stall: Duration::from_secs(3),
        },
    }
}

/// Resident set size in MiB (Linux), 0 elsewhere.
fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1024.0 * 1024.0)
}

fn app(emulator: &EmulatorHandle) -> (App, Shared) {
    let mut inworld = InworldConfig::new(Credentials::basic(KEY))
        .with_base_url(&emulator.base_url())
        .expect("loopback http is accepted");
    inworld.read_timeout = Duration::from_secs(1);
    inworld.retry = RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
    };
    let settings = LipsyncSettings {
        inworld: InworldSetting::Config(Box::new(inworld)),
        output: OutputMode::Virtual(OutputConfig {
            max_voices: SPEAKERS * 2,
            ..OutputConfig::default()
        }),
        ..Default::default()
    };
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .add_plugins(LipsyncPlugin::new(settings));
    let shared = Shared::default();
    app.insert_resource(shared.clone());
    app.add_observer(|e: On<SpeechStarted>, shared: Res<Shared>| {
        let mut tally = shared.0.lock().expect("tally");
        tally
            .first_audio_ms
            .push(e.time_to_first_audio.as_secs_f64() * 1e3);
    })
    .add_observer(|e: On<SpeechFinished>, shared: Res<Shared>| {
        let mut tally = shared.0.lock().expect("tally");
        if e.interrupted {
            tally.interrupted += 1;
        } else {
            tally.finished += 1;
        }
    })
    .add_observer(|e: On<SpeechFailed>, shared: Res<Shared>| {
        let mut tally = shared.0.lock().expect("tally");
        *tally.failed.entry(reason(&e.error)).or_default() += 1;
    });
    (app, shared)
}

fn spawn_speakers(app: &mut App) -> Vec<Entity> {
    let world = app.world_mut();
    (0..SPEAKERS)
        .map(|i| {
            let voice = if i % 2 == 0 { "Dennis" } else { "Ashley" };
            let speaker = world.spawn(Speaker::new(voice)).id();
            face::spawn_face(world, speaker);
            speaker
        })
        .collect()
}

fn percentile(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

fn main() {
    let emulator = Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        ..Default::default()
    })
    .expect("the emulator starts on loopback");
    let (mut app, shared) = app(&emulator);
    let speakers = spawn_speakers(&mut app);
    let mut dice = Dice(0x5eed_1234_abcd_0001);
    let started = Instant::now();
    let mut issued = 0;
    let mut faults = 0;
    let mut rss_warm = None;
    let mut rss_peak: f64 = 0.0;
    let mut rss_after_warm_max: f64 = 0.0;
    let mut next_frame = Instant::now();
    // How each speaker's current line is cut short, and after how many seconds heard.
    let mut plans: Vec<Option<(Cut, f64)>> = vec![None; SPEAKERS];

    let ended = |shared: &Shared| {
        let tally = shared.0.lock().expect("tally");
        tally.finished + tally.interrupted + tally.failed.values().sum::<usize>()
    };
    while issued < LINES && started.elapsed() < TIME_LIMIT {
        for (speaker, plan) in speakers.iter().zip(&mut plans) {
            let queue = app.world().get::<SpeechQueue>(*speaker).expect("a speaker");
            let idle = !queue.is_speaking() && queue.waiting() == 0;
            let heard = queue.progress().map_or(0.0, |p| p.heard_seconds);
            let mut commands = app.world_mut().commands();
            let mut entity = commands.entity(*speaker);
            let text = SENTENCES[dice.below(SENTENCES.len())];
            let new_line = if idle && issued < LINES {
                entity.say(text);
                true
            } else if let Some((cut, at)) = *plan
                && !idle
                && heard >= at
            {
                *plan = None;
                match cut {
                    Cut::Interrupt if issued < LINES => {
                        entity.say_now(text);
                        true
                    }
                    Cut::Interrupt => false,
                    Cut::Skip => {
                        entity.skip_line();
                        false
                    }
                    Cut::Stop => {
                        entity.stop_speaking();
                        false
                    }
                }
            } else {
                false
            };
            if new_line {
                issued += 1;
                // One line in five is cut short, a third of those by a line that interrupts it.
                *plan = match dice.below(15) {
                    0 => Some((Cut::Interrupt, 0.1 + dice.below(150) as f64 / 100.0)),
                    1 => Some((Cut::Skip, 0.1 + dice.below(150) as f64 / 100.0)),
                    2 => Some((Cut::Stop, 0.1 + dice.below(150) as f64 / 100.0)),
                    _ => None,
                };
                if issued.is_multiple_of(FAULT_EVERY) {
                    emulator.push_fault(fault(&mut dice), 1);
                    faults += 1;
                }
            }
        }
        app.update();
        let rss = rss_mb();
        rss_peak = rss_peak.max(rss);
        if rss_warm.is_none() && ended(&shared) >= WARM_UP_LINES {
            rss_warm = Some(rss);
        }
        if rss_warm.is_some() {
            rss_after_warm_max = rss_after_warm_max.max(rss);
        }
        next_frame += FRAME;
        std::thread::sleep(next_frame.saturating_duration_since(Instant::now()));
    }

    // Let the last lines play out (a stalled request takes its read timeout and a retry).
    let drain = Instant::now();
    while ended(&shared) < issued && drain.elapsed() < Duration::from_secs(30) {
        app.update();
        std::thread::sleep(FRAME);
    }
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(5) {
        app.update();
        std::thread::sleep(FRAME);
    }
    let stuck = speakers
        .iter()
        .filter(|&&speaker| {
            let queue = app.world().get::<SpeechQueue>(speaker).expect("a speaker");
            let mouth = app.world().get::<Mouth>(speaker).expect("a speaker");
            queue.is_speaking() || queue.waiting() > 0 || !mouth.weights.is_rest()
        })
        .count();
    let rss_final = rss_mb();
    let elapsed = started.elapsed();

    let tally = shared.0.lock().expect("tally");
    let failed: usize = tally.failed.values().sum();
    let lost = issued - (tally.finished + tally.interrupted + failed).min(issued);
    let mut ttfa = tally.first_audio_ms.clone();
    ttfa.sort_by(f64::total_cmp);
    let rss_warm = rss_warm.unwrap_or(f64::NAN);

    println!(
        "soak: {SPEAKERS} speakers, {issued} lines, {faults} faults injected, {:.0} s",
        elapsed.as_secs_f64()
    );
    println!();
    println!("| outcome | lines |");
    println!("|---|---|");
    println!("| finished | {} |", tally.finished);
    println!(
        "| interrupted (say_now, skip, stop) | {} |",
        tally.interrupted
    );
    for (reason, count) in &tally.failed {
        println!("| failed: {reason} | {count} |");
    }
    println!("| never ended (lost) | {lost} |");
    println!();
    println!("stuck speakers: {stuck}");
    println!(
        "RSS: {rss_warm:.1} MiB after warm-up, {rss_after_warm_max:.1} MiB highest after it, \
         {rss_peak:.1} MiB peak, {rss_final:.1} MiB at the end"
    );
    println!(
        "time to first audio: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} lines \
         started; one request in {FAULT_EVERY} meets a fault, so p99 includes retries)",
        percentile(&ttfa, 50),
        percentile(&ttfa, 95),
        percentile(&ttfa, 99),
        ttfa.last().copied().unwrap_or(f64::NAN),
        ttfa.len()
    );
    println!(
        "soak lines={issued} finished={} interrupted={} failed={failed} lost={lost} \
         stuck={stuck} rss_warm_mb={rss_warm:.1} rss_peak_mb={rss_peak:.1} \
         rss_final_mb={rss_final:.1} ttfa_p50_ms={:.1} ttfa_p99_ms={:.1}",
        tally.finished,
        tally.interrupted,
        percentile(&ttfa, 50),
        percentile(&ttfa, 99),
    );
    drop(tally);
    drop(app);
    emulator.shutdown();
    if stuck > 0 || lost > 0 {
        eprintln!("soak failed: {stuck} stuck speakers, {lost} lost lines");
        std::process::exit(1);
    }
}
