//! Is the mouth on screen in sync with the sound heard? A whole playback, simulated, measured
//! against the truth, for this engine and for the naive approach, in the same run.
//!
//! Deterministic (seeded xorshift, synthetic instants, no sleeping). The device is the one of
//! `clock_report`: 48 kHz, callbacks of `--block` frames (default 1024), two blocks buffered plus
//! 3 ms of converter, a crystal 30 ppm slow, and an audio thread that wakes up late by a realistic
//! random delay (up to `--jitter-ms` more, default 2). The real `VoiceRenderer` renders each block
//! and the real `AudibleClock` is read. A frame loop at 30, 60 and 144 fps starts each frame up to
//! `--frame-jitter-ms` (default 1) after its vsync; the picture appears `--render-frames` frame
//! periods (default 2: pipelined rendering) after that vsync and stays one period.
//!
//! - **Engine**: the clock read at the frame's start, moved ahead by [`DisplayTiming`] (render
//!   latency + half a frame), evaluated on the [`VisemeTimeline`].
//! - **Naive** (what SDKs commonly do): the position the audio thread reached at its last
//!   callback, no latency compensation, sampled at the frame's game time.
//!
//! Both show `VisemeWeights::dominant` of the same curves; the truth is the dominant shape at the
//! position actually leaving the speaker, every 0.1 ms. The onset error of each change of shape
//! is when the screen first shows it minus when the truth calls for it (positive: mouth late);
//! a frame is *late45* when, by the time it leaves the screen, the shape it shows has not been
//! called for in the last 45 ms and was called for more recently than it will be next (stale,
//! not early; ITU-R BT.1359's detectability threshold).
//!
//! Run: `cargo run --release --example sync_report [-- --block 512 --jitter-ms 4]`. It ends with
//! one line per frame rate:
//! `sync fps=<n> p50_ms=<x> p99_ms=<x> max_ms=<x> late45=<count> naive_p99_ms=<y> naive_late45=<count>`.

use std::time::{Duration, Instant};

use bevy_lipsync::alignment::{Alignment, FrameSpan, VisemeMark};
use bevy_lipsync::audio::{ClockState, LatencySettings, voice};
use bevy_lipsync::lipsync::{
    ArticulationSettings, DisplayTiming, Viseme, VisemeTimeline, VisemeWeights,
};

#[path = "support/device_model.rs"]
mod device_model;
use device_model::{
    CONVERTER, DEVICE_BLOCKS, DEVICE_RATE, DRIFT_PPM, SECONDS, XorShift, percentiles, wake_up_delay,
};

const SOURCE_RATE: u32 = 24_000;
const LATE: f64 = 0.045;

/// Command-line settings.
struct Args {
    block: usize,
    jitter_ms: f64,
    frame_jitter_ms: f64,
    render_frames: f64,
}

fn args() -> Args {
    let mut a = Args {
        block: 1024,
        jitter_ms: 2.0,
        frame_jitter_ms: 1.0,
        render_frames: 2.0,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    for pair in argv.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse::<f64>().ok());
        let Some(value) = value else {
            panic!(
                "usage: sync_report [--block N] [--jitter-ms X] [--frame-jitter-ms X] [--render-frames X]"
            );
        };
        match pair[0].as_str() {
            "--block" => a.block = value as usize,
            "--jitter-ms" => a.jitter_ms = value,
            "--frame-jitter-ms" => a.frame_jitter_ms = value,
            "--render-frames" => a.render_frames = value,
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// A known utterance: shapes of 50-150 ms in words of 2-6, pauses of 0-400 ms between words.
fn utterance(rng: &mut XorShift) -> VisemeTimeline {
    let rate = f64::from(SOURCE_RATE);
    let mut visemes = Vec::new();
    let mut at = 0.3;
    let mut last = Viseme::Sil;
    while at < SECONDS - 1.0 {
        for _ in 0..2 + (rng.unit() * 5.0) as usize {
            let mut viseme = last;
            while viseme == last || viseme == Viseme::Sil {
                viseme = Viseme::ALL[(rng.unit() * 15.0) as usize];
            }
            let len = 0.05 + 0.1 * rng.unit();
            visemes.push(VisemeMark {
                label: viseme.openxr_name().into(),
                span: FrameSpan::from_seconds(at, at + len, SOURCE_RATE),
            });
            (at, last) = (at + len, viseme);
        }
        at += (rng.unit() * 5.0).floor() * 0.1;
    }
    let mut timeline = VisemeTimeline::new(SOURCE_RATE, ArticulationSettings::default());
    timeline.update(&Alignment {
        visemes,
        ..Default::default()
    });
    debug_assert!(timeline.rest_from() < SECONDS * rate);
    timeline
}

fn dominant(timeline: &VisemeTimeline, position: f64) -> Viseme {
    let mut mouth = VisemeWeights::default();
    timeline.evaluate(position, &mut mouth);
    mouth.dominant()
}

/// What one approach showed: per frame, (display instant, shape).
type Shown = Vec<(f64, Viseme)>;

struct Run {
    /// Changes of the true shape: (instant, shape).
    truth: Vec<(f64, Viseme)>,
    engine: Shown,
    naive: Shown,
    period: f64,
}

fn simulate(a: &Args, fps: u32, seed: u64) -> Run {
    let mut rng = XorShift(seed);
    let timeline = utterance(&mut rng);
    let (src, dev) = (f64::from(SOURCE_RATE), f64::from(DEVICE_RATE));
    let hw_rate = dev * (1.0 + DRIFT_PPM * 1e-6);
    let block = a.block;
    let latency = DEVICE_BLOCKS * block as f64 / dev + CONVERTER;
    let total = (SECONDS * src) as usize;
    let pcm: Vec<f32> = (0..total)
        .map(|i| (0.3 * (i as f64 * 0.05).sin()) as f32)
        .collect();
    let (mut producer, mut renderer, control) =
        voice(SOURCE_RATE, Duration::from_secs_f64(SECONDS + 1.0)).expect("voice");
    producer
        .try_write(&pcm)
        .expect("room for the whole utterance");
    drop(producer);
    let clock = control.clock().clone().with_latency(LatencySettings {
        output_latency: Some(Duration::from_secs_f64(latency)),
        user_offset: Duration::ZERO,
    });
    let start = Instant::now() + Duration::from_millis(10);
    let instant = |s: f64| start + Duration::from_secs_f64(s);

    let period = 1.0 / f64::from(fps);
    let render_latency = a.render_frames * period;
    let timing = DisplayTiming {
        render_latency: Duration::from_secs_f64(render_latency),
        frame_period: Duration::from_secs_f64(period),
    };
    let mut buffer = vec![0.0f32; block];
    let mut calls: Vec<(f64, f64)> = Vec::new();
    let (mut engine, mut naive) = (Vec::new(), Vec::new());
    let (mut k, mut n) = (0usize, 1usize);
    let mut next_callback = wake_up_delay(&mut rng, a.jitter_ms * 1e-3, 0.0);
    let end = SECONDS + 0.5;
    loop {
        let frame_start = n as f64 * period + a.frame_jitter_ms * 1e-3 * rng.unit();
        // Callbacks that run before this frame starts.
        while next_callback <= frame_start {
            let before = clock.frames_written();
            renderer.render(&mut buffer, DEVICE_RATE, instant(next_callback));
            calls.push((before, clock.frames_written()));
            k += 1;
            let request = k as f64 * block as f64 / hw_rate;
            let wake = request + wake_up_delay(&mut rng, a.jitter_ms * 1e-3, 0.0);
            next_callback = wake.max(next_callback + 20e-6);
        }
        if frame_start > end {
            break;
        }
        let heard = clock.audible_position(instant(frame_start));
        let advancing = heard.state == ClockState::Playing;
        let position = timing.display_position(heard.frames, advancing, SOURCE_RATE);
        let display = n as f64 * period + render_latency;
        engine.push((display, dominant(&timeline, position)));
        naive.push((display, dominant(&timeline, clock.frames_written())));
        n += 1;
    }

    // The truth: the utterance frame leaving the speaker at `t`.
    let true_position = |t: f64| {
        let heard = (t - CONVERTER) * hw_rate - (DEVICE_BLOCKS - 1.0) * block as f64;
        if heard <= 0.0 {
            return 0.0;
        }
        let call = ((heard / block as f64) as usize).min(calls.len() - 1);
        let (before, after) = calls[call];
        let into = heard - (call * block) as f64;
        (before + into * src / dev).min(after)
    };
    let mut truth = vec![(f64::NEG_INFINITY, Viseme::Sil)];
    let steps = (end * 1e4) as usize;
    for step in 0..steps {
        let t = step as f64 * 1e-4;
        let shape = dominant(&timeline, true_position(t));
        if truth.last().is_some_and(|&(_, s)| s != shape) {
            truth.push((t, shape));
        }
    }
    Run {
        truth,
        engine,
        naive,
        period,
    }
}

/// Onset errors in seconds (positive: late), changes never shown, and late45 frames.
fn measure(truth: &[(f64, Viseme)], shown: &Shown, period: f64) -> (Vec<f64>, usize, usize) {
    let changes: Vec<(f64, Viseme)> = shown
        .iter()
        .enumerate()
        .filter(|&(i, s)| i == 0 || shown[i - 1].1 != s.1)
        .map(|(_, s)| *s)
        .collect();
    let mut errors = Vec::new();
    let mut missed = 0;
    for &(onset, shape) in &truth[1..] {
        let nearest = changes
            .iter()
            .filter(|c| c.1 == shape && (c.0 - onset).abs() < 0.25)
            .map(|c| c.0 - onset)
            .min_by(|a, b| a.abs().total_cmp(&b.abs()));
        match nearest {
            Some(e) => errors.push(e),
            None => missed += 1,
        }
    }
    // The truth's shape interval containing `t`: index into `truth`.
    let at = |t: f64| truth.partition_point(|c| c.0 <= t) - 1;
    let late = shown
        .iter()
        .filter(|&&(display, shape)| {
            // The picture is stalest just before it leaves the screen.
            let gone = display + period;
            let (from, to) = (at(gone - LATE), at(gone));
            if truth[from..=to].iter().any(|c| c.1 == shape) {
                return false; // called for within 45 ms: in sync, or late by less
            }
            // Otherwise the shape is stale (last called for in the past) or early (called for
            // next): whichever is nearer in time.
            let past = truth[..from].iter().rposition(|c| c.1 == shape);
            let past_gap = past.map(|i| display - truth[i + 1].0);
            let future = truth[to + 1..].iter().find(|c| c.1 == shape);
            let future_gap = future.map(|c| c.0 - gone);
            match (past_gap, future_gap) {
                (Some(p), Some(f)) => p < f,
                (Some(_), None) => true,
                _ => false,
            }
        })
        .count();
    (errors, missed, late)
}

fn mean_ms(errors: &[f64]) -> f64 {
    errors.iter().sum::<f64>() / errors.len().max(1) as f64 * 1e3
}

fn main() {
    let a = args();
    println!(
        "device {DEVICE_RATE} Hz, {}-frame callbacks, {DEVICE_BLOCKS} blocks + {} ms converter, \
         wake-up jitter up to {} ms; frames start up to {} ms late, shown {} periods later; \
         {SECONDS} s utterance",
        a.block,
        CONVERTER * 1e3,
        a.jitter_ms + 0.3,
        a.frame_jitter_ms,
        a.render_frames
    );
    println!(
        "{:>4} {:>7} | {:>7} {:>7} {:>7} {:>7} {:>6} {:>6} | {:>7} {:>7} {:>7} {:>7} {:>6} {:>6}",
        "fps",
        "onsets",
        "p50",
        "p99",
        "max",
        "mean",
        "missed",
        "late45",
        "naive50",
        "naive99",
        "nmax",
        "nmean",
        "missed",
        "late45"
    );
    let mut lines = Vec::new();
    for (i, fps) in [30u32, 60, 144].into_iter().enumerate() {
        let run = simulate(&a, fps, 0x2545_f491_4f6c_dd1d ^ i as u64);
        let (engine, missed, late) = measure(&run.truth, &run.engine, run.period);
        let (naive, naive_missed, naive_late) = measure(&run.truth, &run.naive, run.period);
        let (e, n) = (summary(&engine), summary(&naive));
        println!(
            "{fps:>4} {:>7} | {:>7.2} {:>7.2} {:>7.2} {:>+7.2} {missed:>6} {late:>6} | {:>7.2} {:>7.2} {:>7.2} {:>+7.2} {naive_missed:>6} {naive_late:>6}",
            run.truth.len() - 1,
            e[0],
            e[1],
            e[2],
            mean_ms(&engine),
            n[0],
            n[1],
            n[2],
            mean_ms(&naive),
        );
        let target = run.period * 1e3 + 1.0;
        println!(
            "     target: p99 <= {target:.2} ms ({}), >= 5x below naive ({:.1}x), no frame late45 ({})",
            if e[1] <= target { "met" } else { "MISSED" },
            n[1] / e[1].max(1e-9),
            if late == 0 { "met" } else { "MISSED" },
        );
        lines.push(format!(
            "sync fps={fps} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} late45={late} naive_p99_ms={:.3} naive_late45={naive_late}",
            e[0], e[1], e[2], n[1]
        ));
    }
    for line in lines {
        println!("{line}");
    }
}

/// |error| p50, p99, max in ms.
fn summary(errors: &[f64]) -> [f64; 3] {
    let mut ms: Vec<f64> = errors.iter().map(|e| e.abs() * 1e3).collect();
    percentiles(&mut ms)
}
