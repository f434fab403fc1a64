//! The playback simulation behind `sync_report` and `tests/sync.rs`: a device rendering a known
//! utterance through the real `VoiceRenderer` and `AudibleClock`, a frame loop showing the mouth
//! of this engine and of the naive approach, and the errors of both against the truth. See
//! `sync_report.rs` for the model and the measures.

use std::time::{Duration, Instant};

use bevy_lipsync::audio::{ClockState, LatencySettings, voice};
use bevy_lipsync::lipsync::alignment::{Alignment, FrameSpan, VisemeMark};
use bevy_lipsync::lipsync::{
    ArticulationSettings, DisplayTiming, Viseme, VisemeTimeline, VisemeWeights,
};

use super::device_model::{
    CONVERTER, DEVICE_BLOCKS, DEVICE_RATE, DRIFT_PPM, SECONDS, XorShift, percentiles, wake_up_delay,
};

/// The utterance's sample rate.
pub const SOURCE_RATE: u32 = 24_000;
/// A mouth this late is seen to be late (ITU-R BT.1359).
const LATE: f64 = 0.045;

/// The output device: callback size, buffering and fixed latency.
#[derive(Clone, Copy)]
pub struct Device {
    /// Frames per callback.
    pub block: usize,
    /// Blocks queued in the device after the one being rendered.
    pub blocks: f64,
    /// Fixed latency after the buffer (converter, or a wireless link), seconds.
    pub converter: f64,
}

impl Device {
    /// From a callback's request to its first frame leaving the speaker, seconds.
    pub fn latency(&self) -> f64 {
        self.blocks * self.block as f64 / f64::from(DEVICE_RATE) + self.converter
    }
}

/// The device of `clock_report`: 1024-frame callbacks, two blocks buffered, 3 ms of converter.
pub const DEFAULT_DEVICE: Device = Device {
    block: 1024,
    blocks: DEVICE_BLOCKS,
    converter: CONVERTER,
};

/// The frame loop and the audio thread's timing.
pub struct Playback {
    /// The audio thread wakes up late by up to this much more than on an idle machine, ms.
    pub jitter_ms: f64,
    /// Frames start up to this much after their vsync, ms.
    pub frame_jitter_ms: f64,
    /// Frame periods from a frame's vsync to its picture appearing.
    pub render_frames: f64,
}

impl Default for Playback {
    fn default() -> Self {
        Playback {
            jitter_ms: 2.0,
            frame_jitter_ms: 1.0,
            render_frames: 2.0,
        }
    }
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

/// One picture of one approach.
#[derive(Clone, Copy)]
pub struct Frame {
    /// When it appears, seconds.
    pub display: f64,
    /// The utterance position it was evaluated at, source frames.
    pub position: f64,
    /// The shape it shows.
    pub shape: Viseme,
}

pub struct Run {
    /// Changes of the true shape: (instant, shape).
    pub truth: Vec<(f64, Viseme)>,
    /// The true position (source frames) in the middle of each frame's time on screen; `None`
    /// while the line is not being heard.
    pub heard: Vec<Option<f64>>,
    pub engine: Vec<Frame>,
    pub naive: Vec<Frame>,
    pub period: f64,
}

pub fn simulate(a: &Playback, device: Device, fps: u32, seed: u64) -> Run {
    let mut rng = XorShift(seed);
    let timeline = utterance(&mut rng);
    let (src, dev) = (f64::from(SOURCE_RATE), f64::from(DEVICE_RATE));
    let hw_rate = dev * (1.0 + DRIFT_PPM * 1e-6);
    let block = device.block;
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
        output_latency: Some(Duration::from_secs_f64(device.latency())),
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
        let heard_now = heard.signed_frames(SOURCE_RATE);
        let position = timing.display_position(heard_now, advancing, SOURCE_RATE);
        let display = n as f64 * period + render_latency;
        engine.push(Frame {
            display,
            position,
            shape: dominant(&timeline, position),
        });
        let position = clock.frames_written();
        naive.push(Frame {
            display,
            position,
            shape: dominant(&timeline, position),
        });
        n += 1;
    }

    // The truth: the utterance frame leaving the speaker at `t`.
    let true_position = |t: f64| {
        let heard = (t - device.converter) * hw_rate - (device.blocks - 1.0) * block as f64;
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
    let heard = engine
        .iter()
        .map(|f| {
            let p = true_position(f.display + period / 2.0);
            (p > 0.0 && p < total as f64).then_some(p)
        })
        .collect();
    Run {
        truth,
        heard,
        engine,
        naive,
        period,
    }
}

/// What one approach did over a run.
pub struct Measured {
    /// Onset errors, seconds (positive: late).
    pub onsets: Vec<f64>,
    /// Changes of the truth never shown within 250 ms.
    pub missed: usize,
    /// Frames late by 45 ms.
    pub late: usize,
    /// Timing errors of the frames shown while the line is heard, seconds (positive: late).
    pub timing: Vec<f64>,
}

pub fn measure(run: &Run, shown: &[Frame]) -> Measured {
    let truth = &run.truth;
    let changes: Vec<(f64, Viseme)> = shown
        .iter()
        .enumerate()
        .filter(|&(i, f)| i == 0 || shown[i - 1].shape != f.shape)
        .map(|(_, f)| (f.display, f.shape))
        .collect();
    let mut onsets = Vec::new();
    let mut missed = 0;
    for &(onset, shape) in &truth[1..] {
        let nearest = changes
            .iter()
            .filter(|c| c.1 == shape && (c.0 - onset).abs() < 0.25)
            .map(|c| c.0 - onset)
            .min_by(|a, b| a.abs().total_cmp(&b.abs()));
        match nearest {
            Some(e) => onsets.push(e),
            None => missed += 1,
        }
    }
    // The truth's shape interval containing `t`: index into `truth`.
    let at = |t: f64| truth.partition_point(|c| c.0 <= t) - 1;
    let late = shown
        .iter()
        .filter(|f| {
            // The picture is stalest just before it leaves the screen.
            let gone = f.display + run.period;
            let (from, to) = (at(gone - LATE), at(gone));
            if truth[from..=to].iter().any(|c| c.1 == f.shape) {
                return false; // called for within 45 ms: in sync, or late by less
            }
            // Otherwise the shape is stale (last called for in the past) or early (called for
            // next): whichever is nearer in time.
            let past = truth[..from].iter().rposition(|c| c.1 == f.shape);
            let past_gap = past.map(|i| f.display - truth[i + 1].0);
            let future = truth[to + 1..].iter().find(|c| c.1 == f.shape);
            let future_gap = future.map(|c| c.0 - gone);
            match (past_gap, future_gap) {
                (Some(p), Some(f)) => p < f,
                (Some(_), None) => true,
                _ => false,
            }
        })
        .count();
    let timing = shown
        .iter()
        .zip(&run.heard)
        .filter_map(|(f, heard)| heard.map(|h| (h - f.position) / f64::from(SOURCE_RATE)))
        .collect();
    Measured {
        onsets,
        missed,
        late,
        timing,
    }
}

/// |error| p50, p99, max and the signed mean, in ms.
pub fn summary(errors: &[f64]) -> [f64; 4] {
    let mut ms: Vec<f64> = errors.iter().map(|e| e.abs() * 1e3).collect();
    let [p50, p99, max] = percentiles(&mut ms);
    let mean = errors.iter().sum::<f64>() / errors.len().max(1) as f64 * 1e3;
    [p50, p99, max, mean]
}

/// The seed of the run at frame rate number `i`: every device plays the same utterances.
pub fn seed(i: usize) -> u64 {
    0x2545_f491_4f6c_dd1d ^ i as u64
}
