//! How closely the audible clock follows what is heard: a simulated device, measured against the
//! truth, next to the naive estimate, in the same run.
//!
//! A deterministic simulation (seeded xorshift, no wall time): a 48 kHz device consumes frames on
//! its own crystal (30 ppm slower than the system clock) and asks for 1024-frame blocks; the audio
//! thread wakes up a random, realistic while after each request; what it renders is heard a fixed
//! latency after the request (two blocks of device buffer plus 3 ms of converter), and the backend
//! reports that latency. The real [`VoiceRenderer`] renders each block at the synthetic instant
//! its callback ran; the real [`AudibleClock`] is read at random instants in between. The truth
//! at an instant is the utterance frame leaving the speaker, from the device model. The naive
//! estimate is what engines usually expose: the position at the last callback, no interpolation,
//! no latency compensation.
//!
//! Run: `cargo run --release --example clock_report`. The last line is machine-readable:
//! `clock p50_ms=<x> p99_ms=<x> max_ms=<x> naive_p99_ms=<y>` (absolute errors in ms of audio,
//! over every scenario).
//!
//! [`VoiceRenderer`]: bevy_lipsync::audio::VoiceRenderer
//! [`AudibleClock`]: bevy_lipsync::audio::AudibleClock

use std::time::{Duration, Instant};

use bevy_lipsync::audio::{LatencySettings, voice};

#[path = "support/device_model.rs"]
mod device_model;
use device_model::{
    CONVERTER, DEVICE_BLOCKS, DEVICE_RATE, DRIFT_PPM, SECONDS, XorShift, percentiles, wake_up_delay,
};

/// Frames per device callback.
const BLOCK: usize = 1024;
/// Clock reads between two callbacks.
const PROBES_PER_CALLBACK: usize = 8;

/// One way of feeding and calling the renderer.
struct Scenario {
    name: &'static str,
    source_rate: u32,
    /// Frames per render call: less than [`BLOCK`] renders each callback in pieces stamped with
    /// the callback's instant, as kira does with its internal buffer.
    chunk: usize,
    /// The TTS delivers at 1.05x real time but stalls twice for 0.6 s, so the voice underruns.
    stalls: bool,
}

const SCENARIOS: [Scenario; 4] = [
    Scenario {
        name: "48 kHz voice",
        source_rate: 48_000,
        chunk: BLOCK,
        stalls: false,
    },
    Scenario {
        name: "24 kHz voice, resampled",
        source_rate: 24_000,
        chunk: BLOCK,
        stalls: false,
    },
    Scenario {
        name: "24 kHz, kira-style 8 x 128",
        source_rate: 24_000,
        chunk: 128,
        stalls: false,
    },
    Scenario {
        name: "24 kHz, TTS stalls (underruns)",
        source_rate: 24_000,
        chunk: BLOCK,
        stalls: true,
    },
];

/// Absolute errors, ms of audio.
#[derive(Default)]
struct Errors {
    clock: Vec<f64>,
    naive: Vec<f64>,
}

/// Source frames delivered by the TTS `t` seconds in.
fn delivered(scenario: &Scenario, t: f64, total: usize) -> usize {
    if !scenario.stalls {
        return total;
    }
    let stalled = [(4.0, 0.6), (11.0, 0.6)]
        .iter()
        .map(|&(at, length): &(f64, f64)| (t - at).clamp(0.0, length))
        .sum::<f64>();
    let frames = 1.05 * (t + 0.2 - stalled) * f64::from(scenario.source_rate);
    (frames.max(0.0) as usize).min(total)
}

fn run(scenario: &Scenario, seed: u64) -> Errors {
    let src = f64::from(scenario.source_rate);
    let dev = f64::from(DEVICE_RATE);
    let hw_rate = dev * (1.0 + DRIFT_PPM * 1e-6);
    let latency = DEVICE_BLOCKS * BLOCK as f64 / dev + CONVERTER;
    let total = (SECONDS * src) as usize;
    let speech: Vec<f32> = (0..total)
        .map(|i| (0.3 * (i as f64 * 0.05).sin()) as f32)
        .collect();
    let (producer, mut renderer, control) =
        voice(scenario.source_rate, Duration::from_secs_f64(SECONDS + 1.0)).expect("voice");
    // The backend reports its latency, as a real one would.
    let clock = control.clock().clone().with_latency(LatencySettings {
        output_latency: Some(Duration::from_secs_f64(latency)),
        user_offset: Duration::ZERO,
    });
    let start = Instant::now() + Duration::from_millis(10);
    let instant = |seconds: f64| start + Duration::from_secs_f64(seconds);

    let mut rng = XorShift(seed);
    let mut sent = 0;
    // Dropping the producer closes the utterance.
    let mut producer = Some(producer);
    let mut buffer = vec![0.0f32; scenario.chunk];
    // Per render call: the source position before and after (source frames).
    let mut calls: Vec<(f64, f64)> = Vec::new();
    let mut errors = Errors::default();
    let mut last_callback = 0.0;
    let blocks = ((SECONDS + 1.5) * dev / BLOCK as f64) as usize;
    for k in 0..blocks {
        // The device asks for block k when its buffer has room; the thread wakes up later.
        let request = k as f64 * BLOCK as f64 / hw_rate;
        let callback = (request + wake_up_delay(&mut rng, 2e-3, 0.02)).max(last_callback + 20e-6);
        if k > 0 {
            for _ in 0..PROBES_PER_CALLBACK {
                let at = last_callback + rng.unit() * (callback - last_callback);
                // Device frames of the utterance that have left the speaker by `at`.
                let heard = (at - CONVERTER) * hw_rate - (DEVICE_BLOCKS - 1.0) * BLOCK as f64;
                if heard < 0.0 {
                    continue;
                }
                let call = (heard / scenario.chunk as f64) as usize;
                let (before, after) = calls[call];
                let into = heard - (call * scenario.chunk) as f64;
                let truth = (before + into * src / dev).min(after);
                if truth <= 0.0 || truth >= total as f64 {
                    continue; // the utterance is not sounding
                }
                let estimate = clock.audible_position(instant(at)).frames;
                let naive = clock.frames_written();
                errors.clock.push((estimate - truth).abs() / src * 1e3);
                errors.naive.push((naive - truth).abs() / src * 1e3);
            }
        }
        if let Some(writer) = producer.as_mut() {
            let wanted = delivered(scenario, callback, total);
            sent += writer.try_write(&speech[sent..wanted]).expect("open");
            if sent == total {
                producer = None;
            }
        }
        for piece in 0..BLOCK / scenario.chunk {
            // Pieces of one callback run back to back, a few microseconds apart.
            let now = instant(callback + piece as f64 * 3e-6);
            let before = clock.frames_written();
            renderer.render(&mut buffer, DEVICE_RATE, now);
            calls.push((before, clock.frames_written()));
        }
        last_callback = callback;
    }
    errors
}

fn main() {
    println!(
        "device {DEVICE_RATE} Hz, {BLOCK}-frame callbacks, {DEVICE_BLOCKS} blocks buffered + \
         {} ms converter, crystal {DRIFT_PPM} ppm; {SECONDS} s per utterance, \
         {PROBES_PER_CALLBACK} reads per callback",
        CONVERTER * 1e3
    );
    println!("absolute error, ms of audio:");
    println!(
        "{:<32} {:>7} | {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}",
        "scenario", "reads", "p50", "p99", "max", "naive50", "naive99", "naivemax"
    );
    let mut all = Errors::default();
    let print = |name: &str, errors: &mut Errors| {
        let clock = percentiles(&mut errors.clock);
        let naive = percentiles(&mut errors.naive);
        println!(
            "{name:<32} {:>7} | {:>7.3} {:>7.3} {:>7.3} | {:>7.3} {:>7.3} {:>7.3}",
            errors.clock.len(),
            clock[0],
            clock[1],
            clock[2],
            naive[0],
            naive[1],
            naive[2]
        );
        (clock, naive)
    };
    for (index, scenario) in SCENARIOS.iter().enumerate() {
        let mut errors = run(scenario, 0x9e37_79b9_7f4a_7c15 ^ index as u64);
        print(scenario.name, &mut errors);
        all.clock.extend_from_slice(&errors.clock);
        all.naive.extend_from_slice(&errors.naive);
    }
    let (clock, naive) = print("all", &mut all);
    println!(
        "clock p50_ms={:.3} p99_ms={:.3} max_ms={:.3} naive_p99_ms={:.3}",
        clock[0], clock[1], clock[2], naive[1]
    );
}
