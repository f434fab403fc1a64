//! Is the mouth in sync with what a real sound server plays? Measured end to end.
//!
//! The plugin plays lines of the offline voice (whose phone times are exact) on its default
//! device output, which ALSA routes to PulseAudio and its null sink; the sink's monitor is
//! recorded with `parec`, every read stamped with its arrival. A headless app runs frames at a
//! steady rate and notes the shape the mouth shows in each. Afterwards each line is found in the
//! recording (its onset against the same line rendered offline), which says when each of its
//! phones was heard; the shape each frame should show is the line's own curves (crisp
//! articulation: no lead, 1 ms attack and release, no holds) at the moment the frame is seen.
//!
//! - **Offset** of a line: the shift of the truth that makes the most frames agree (the middle
//!   of the best run of shifts, in 0.5 ms steps); negative: the mouth is early.
//! - **Agreement**: the share of frames, while lines are heard, whose shape is the truth's,
//!   unshifted.
//! - **Recording uncertainty** (`rec_uncertainty_ms`): the null sink hands its monitor each
//!   block when it renders it, up to one monitor block (`parec --latency-msec`, 1 ms by default)
//!   before it counts it as played, and `parec`'s reads arrive late by a varying amount; the
//!   earliest read pins the recording's time line. The figure is the block plus the median
//!   lateness of the reads behind the earliest. The block shows in the offsets: recording with
//!   `--rec-latency-ms 10` (or 30) moves every offset about 10 (or 30) ms later, the sound
//!   being recorded that much before it counts as heard, so the offsets here are late by up to
//!   a millisecond of the recorder's own making.
//!
//! Run `bash scripts/sound_server.sh` once (PulseAudio with a null sink, ALSA routed to it), then
//! `cargo run --example av_report`. Without `--fps` it runs every configuration (30 and 60 fps,
//! at the server's default buffer and at 150 ms, `PULSE_LATENCY_MSEC`), each in a child process
//! so each opens its device afresh, and prints one line per configuration:
//! `av fps=<f> buffer_ms=<b> first_line_ms=<x> offset_p50_ms=<x> offset_max_ms=<x> agreement=<x>`
//! (plus `rec_uncertainty_ms=<x>`). With `--max-offset-ms` and `--min-agreement` it exits with failure
//! when a configuration falls outside them: the CI check in `scripts/test.sh`.

use std::io::Read;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::asset::AssetPlugin;
use bevy::mesh::Mesh;
use bevy::prelude::*;
use bevy_lipsync::audio::OutputKind;
use bevy_lipsync::lipsync::alignment::Alignment;
use bevy_lipsync::lipsync::{ArticulationSettings, Viseme, VisemeTimeline, VisemeWeights};
use bevy_lipsync::offline::{OfflineSpeech, OfflineVoice};
use bevy_lipsync::plugin::{FramePacing, SpeechOutput};
use bevy_lipsync::prelude::*;
use bevy_lipsync::speech::DEFAULT_SPEECH_RATE;
use clap::Parser;

/// The recording's rate and channels.
const REC_RATE: u32 = 48_000;
const VOICE: &str = "offline:female";
const LINES: [&str; 6] = [
    "Bob sat on a big red mat and ate a fig.",
    "Five wise owls fly over the quiet village.",
    "Maybe the shop keeper will sell you a map.",
    "Judge the weather before you choose a path.",
    "Thank you, brave friend, for all your help.",
    "Pull the rope and the bridge will come down.",
];
/// Shifts tried when reading a line's offset.
const MAX_SHIFT_MS: f64 = 150.0;
const SHIFT_STEP_MS: f64 = 0.5;

#[derive(Parser, Debug)]
#[command(about = "Mouth-versus-sound offsets through a real sound server")]
struct Args {
    /// Run one configuration at this frame rate (otherwise every configuration, each in a
    /// child process).
    #[arg(long)]
    fps: Option<u32>,
    /// The client buffer of the configuration, in ms (`PULSE_LATENCY_MSEC`); 0: the server's
    /// default.
    #[arg(long, default_value_t = 0)]
    buffer_ms: u32,
    /// Lines per configuration.
    #[arg(long, default_value_t = LINES.len())]
    lines: usize,
    /// The recorder's buffer (`parec --latency-msec`): the null sink renders up to this far
    /// ahead of playing, so the recording's time line is uncertain by about as much.
    #[arg(long, default_value_t = 1)]
    rec_latency_ms: u32,
    /// Fail when any line's offset is beyond this many ms.
    #[arg(long)]
    max_offset_ms: Option<f64>,
    /// Fail when the agreement of a configuration is below this.
    #[arg(long)]
    min_agreement: Option<f64>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.fps {
        Some(fps) => run_one(fps, &args),
        None => run_all(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("av_report: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Every configuration, each in a child process; checks the bounds.
fn run_all(args: &Args) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut failures = Vec::new();
    for buffer_ms in [0, 150] {
        for fps in [60, 30] {
            let mut child = Command::new(&exe);
            child.args([
                "--fps",
                &fps.to_string(),
                "--buffer-ms",
                &buffer_ms.to_string(),
                "--lines",
                &args.lines.to_string(),
                "--rec-latency-ms",
                &args.rec_latency_ms.to_string(),
            ]);
            if buffer_ms > 0 {
                child.env("PULSE_LATENCY_MSEC", buffer_ms.to_string());
            }
            let output = child
                .stderr(Stdio::inherit())
                .output()
                .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
            let stdout = String::from_utf8_lossy(&output.stdout);
            print!("{stdout}");
            if !output.status.success() {
                failures.push(format!("fps={fps} buffer_ms={buffer_ms}: the run failed"));
                continue;
            }
            let Some(report) = stdout.lines().find_map(Report::parse) else {
                failures.push(format!("fps={fps} buffer_ms={buffer_ms}: no report line"));
                continue;
            };
            if let Some(max) = args.max_offset_ms
                && report.worst_offset_ms.abs() > max
            {
                failures.push(format!(
                    "fps={fps} buffer_ms={buffer_ms}: a line is {:+.1} ms off (bound {max} ms)",
                    report.worst_offset_ms
                ));
            }
            if let Some(min) = args.min_agreement
                && report.agreement < min
            {
                failures.push(format!(
                    "fps={fps} buffer_ms={buffer_ms}: agreement {:.3} (bound {min})",
                    report.agreement
                ));
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("; "))
    }
}

/// What the parent reads back from a child's report line.
struct Report {
    worst_offset_ms: f64,
    agreement: f64,
}

impl Report {
    fn parse(line: &str) -> Option<Report> {
        let field = |name: &str| {
            line.strip_prefix("av ")?
                .split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))?
                .parse::<f64>()
                .ok()
        };
        Some(Report {
            worst_offset_ms: field("offset_max_ms")?,
            agreement: field("agreement")?,
        })
    }
}

/// The monitor of the default sink, recorded as it arrives.
struct Recording {
    child: Child,
    shared: Arc<Mutex<Recorded>>,
    reader: std::thread::JoinHandle<()>,
}

#[derive(Default)]
struct Recorded {
    samples: Vec<f32>,
    /// After each read: when it returned and how many samples had arrived in all.
    arrivals: Vec<(Instant, usize)>,
}

impl Recording {
    fn start(latency_ms: u32) -> Result<Recording, String> {
        let mut child = Command::new("parec")
            .args([
                "-d",
                "@DEFAULT_MONITOR@",
                "--raw",
                "--format=float32le",
                &format!("--rate={REC_RATE}"),
                "--channels=1",
                &format!("--latency-msec={latency_ms}"),
            ])
            // The buffer under test is the player's; the recorder keeps a short one.
            .env_remove("PULSE_LATENCY_MSEC")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run parec ({e}); run scripts/sound_server.sh first"))?;
        let mut stdout = child.stdout.take().ok_or("parec has no stdout")?;
        let shared: Arc<Mutex<Recorded>> = Arc::default();
        let sink = Arc::clone(&shared);
        let reader = std::thread::spawn(move || {
            let mut buf = vec![0u8; 4 * 256];
            let mut pending = Vec::new();
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let at = Instant::now();
                pending.extend_from_slice(&buf[..n]);
                let whole = pending.len() / 4 * 4;
                let mut recorded = sink.lock().expect("recording");
                for bytes in pending[..whole].chunks_exact(4) {
                    let sample = f32::from_le_bytes(bytes.try_into().expect("4 bytes"));
                    recorded.samples.push(sample);
                }
                let total = recorded.samples.len();
                recorded.arrivals.push((at, total));
                pending.drain(..whole);
            }
        });
        Ok(Recording {
            child,
            shared,
            reader,
        })
    }

    fn samples_so_far(&self) -> usize {
        self.shared.lock().expect("recording").samples.len()
    }

    fn stop(mut self) -> Recorded {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = self.reader.join();
        std::mem::take(&mut *self.shared.lock().expect("recording"))
    }
}

/// One frame as the app showed it.
struct Shown {
    /// The instant the frame was computed for, plus its lookahead: when it is seen.
    seen: Instant,
    viseme: Viseme,
}

/// One line as the app asked for it.
struct Line {
    text: &'static str,
    asked: Instant,
    frames: Vec<Shown>,
}

fn crisp() -> ArticulationSettings {
    ArticulationSettings {
        lead: Duration::ZERO,
        attack: Duration::from_millis(1),
        release: Duration::from_millis(1),
        min_hold: Duration::ZERO,
        hold_gap: Duration::ZERO,
        rest_return: Duration::from_millis(1),
        ..ArticulationSettings::default()
    }
}

fn run_one(fps: u32, args: &Args) -> Result<(), String> {
    let (buffer_ms, lines) = (args.buffer_ms, args.lines.clamp(1, LINES.len()));
    let recording = Recording::start(args.rec_latency_ms)?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while recording.samples_so_far() < REC_RATE as usize / 10 {
        if Instant::now() > deadline {
            return Err("parec records nothing: is the sound server running \
                        (scripts/sound_server.sh)?"
                .into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let settings = LipsyncSettings {
        inworld: InworldSetting::Disabled,
        articulation: crisp(),
        // Nothing is rendered: a frame is seen half a period after it is computed.
        render_latency_frames: Some(0.0),
        ..Default::default()
    };
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, AssetPlugin::default()))
        .init_asset::<Mesh>()
        .add_plugins(LipsyncPlugin::new(settings));
    app.finish();
    app.cleanup();
    let kind = app.world().resource::<SpeechOutput>().kind();
    if kind != OutputKind::Device {
        return Err(format!(
            "the plugin is on a {kind:?} output, not the device: is ALSA routed to the sound \
             server (scripts/sound_server.sh)?"
        ));
    }
    let speaker = app.world_mut().spawn(Speaker::new(VOICE)).id();
    let latency = |app: &App| {
        let world = app.world();
        let settings = world.resource::<LipsyncSettings>();
        world
            .resource::<SpeechOutput>()
            .latency_report(&settings.latency)
    };
    let period = Duration::from_secs_f64(1.0 / f64::from(fps));
    let mut next_frame = Instant::now();
    let mut frame = |app: &mut App| {
        let now = Instant::now();
        if next_frame > now {
            std::thread::sleep(next_frame - now);
        }
        next_frame += period;
        app.update();
        let world = app.world();
        let computed = world
            .resource::<Time<Real>>()
            .last_update()
            .unwrap_or_else(Instant::now);
        let lookahead = world.resource::<FramePacing>().period() / 2;
        let viseme = world
            .get::<Mouth>(speaker)
            .map_or(Viseme::Sil, |m| m.viseme);
        (computed + lookahead, viseme)
    };
    // A second of frames first, so the pacing settles on the frame rate.
    for _ in 0..fps {
        frame(&mut app);
    }
    let mut asked = Vec::new();
    for text in LINES.iter().take(lines) {
        app.world_mut().commands().entity(speaker).say(*text);
        let mut line = Line {
            text,
            asked: Instant::now(),
            frames: Vec::new(),
        };
        let give_up = Instant::now() + Duration::from_secs(15);
        loop {
            let (seen, viseme) = frame(&mut app);
            line.frames.push(Shown { seen, viseme });
            let queue = app.world().get::<SpeechQueue>(speaker).expect("speaker");
            let busy = queue.is_speaking() || queue.waiting() > 0;
            if !busy && line.frames.len() > 2 {
                break;
            }
            if Instant::now() > give_up {
                return Err(format!("the line {text:?} never finished"));
            }
        }
        asked.push(line);
        // A pause between lines, as in a conversation.
        for _ in 0..fps / 4 {
            frame(&mut app);
        }
    }
    let heard = latency(&app);
    eprintln!(
        "  fps={fps} buffer_ms={buffer_ms}: output latency {:.1} ms ({})",
        heard.latency.as_secs_f64() * 1e3,
        heard.source
    );
    // Let the last sound leave the server's buffer before the recording stops.
    std::thread::sleep(Duration::from_millis(400 + u64::from(buffer_ms)));
    let recorded = recording.stop();
    let timeline = RecordingTime::new(&recorded)?;

    let mut offsets = Vec::new();
    let (mut agree, mut counted) = (0usize, 0usize);
    for (index, line) in asked.iter().enumerate() {
        let measured = measure_line(line, &recorded.samples, &timeline)?;
        eprintln!(
            "  fps={fps} buffer_ms={buffer_ms} line {}: offset {:+.1} ms, agreement {:.3} over \
             {} frames ({:?})",
            index + 1,
            measured.offset_ms,
            measured.agree as f64 / measured.frames.max(1) as f64,
            measured.frames,
            line.text
        );
        offsets.push(measured.offset_ms);
        agree += measured.agree;
        counted += measured.frames;
    }
    let mut sorted = offsets.clone();
    sorted.sort_by(f64::total_cmp);
    let worst = offsets
        .iter()
        .copied()
        .max_by(|a, b| a.abs().total_cmp(&b.abs()))
        .unwrap_or(0.0);
    let buffer = if buffer_ms == 0 {
        "default".to_owned()
    } else {
        buffer_ms.to_string()
    };
    println!(
        "av fps={fps} buffer_ms={buffer} first_line_ms={:.1} offset_p50_ms={:.1} \
         offset_max_ms={worst:.1} agreement={:.3} rec_uncertainty_ms={:.1}",
        offsets[0],
        sorted[sorted.len() / 2],
        agree as f64 / counted.max(1) as f64,
        f64::from(args.rec_latency_ms) + timeline.jitter_ms,
    );
    Ok(())
}

/// When each recorded sample arrived: pinned by the earliest read.
struct RecordingTime {
    /// The instant of sample 0, as the least late read places it.
    origin: Instant,
    /// The median lateness of the reads behind the earliest, in ms.
    jitter_ms: f64,
}

impl RecordingTime {
    fn new(recorded: &Recorded) -> Result<RecordingTime, String> {
        let first = recorded.arrivals.first().ok_or("nothing was recorded")?.0;
        // Seconds between the first read and the instant each read places sample 0 at.
        let mut placed: Vec<f64> = recorded
            .arrivals
            .iter()
            .map(|&(at, total)| (at - first).as_secs_f64() - total as f64 / f64::from(REC_RATE))
            .collect();
        placed.sort_by(f64::total_cmp);
        let earliest = placed[0];
        let jitter_ms = (placed[placed.len() / 2] - earliest) * 1e3;
        let origin = if earliest >= 0.0 {
            first + Duration::from_secs_f64(earliest)
        } else {
            first - Duration::from_secs_f64(-earliest)
        };
        Ok(RecordingTime { origin, jitter_ms })
    }

    fn sample_at(&self, at: Instant) -> usize {
        (at.saturating_duration_since(self.origin).as_secs_f64() * f64::from(REC_RATE)) as usize
    }

    fn seconds_of(&self, sample: f64) -> Instant {
        self.origin + Duration::from_secs_f64(sample / f64::from(REC_RATE))
    }
}

struct LineMeasure {
    offset_ms: f64,
    agree: usize,
    frames: usize,
}

/// Finds the line in the recording and compares its frames with the phones heard.
fn measure_line(
    line: &Line,
    recording: &[f32],
    time: &RecordingTime,
) -> Result<LineMeasure, String> {
    let rate = DEFAULT_SPEECH_RATE;
    let voice = OfflineVoice::Female;
    let speech = OfflineSpeech::new(line.text, voice, 1.0, rate).map_err(|e| e.to_string())?;
    let (pcm, update) = speech.render_all();
    let reference: Vec<f32> = pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect();
    let reference_onset = onset(&reference).ok_or("the offline line is silent")? as f64;

    // The line in the recording: from when it was asked, for its length and some slack.
    let from = time.sample_at(line.asked).min(recording.len());
    let span = (reference.len() as f64 * f64::from(REC_RATE) / f64::from(rate)) as usize;
    let to = (from + span + REC_RATE as usize).min(recording.len());
    let heard_onset = onset(&recording[from..to])
        .ok_or_else(|| format!("the line {:?} is not in the recording", line.text))?;
    // The instant the line's frame 0 was heard.
    let onset_at = time.seconds_of((from + heard_onset) as f64);
    let start = onset_at - Duration::from_secs_f64(reference_onset / f64::from(rate));

    let mut alignment = Alignment::default();
    alignment.apply(update);
    let mut truth = VisemeTimeline::new(rate, crisp());
    truth.update(&alignment);
    let length = reference.len() as f64 / f64::from(rate);
    let shape_at = |seconds: f64| {
        let mut weights = VisemeWeights::REST;
        truth.evaluate(seconds * f64::from(rate), &mut weights);
        weights.dominant()
    };
    // The frames seen while the line is heard, at their line time.
    let frames: Vec<(f64, Viseme)> = line
        .frames
        .iter()
        .filter_map(|f| {
            let t = if f.seen >= start {
                (f.seen - start).as_secs_f64()
            } else {
                -(start - f.seen).as_secs_f64()
            };
            (0.0..length).contains(&t).then_some((t, f.viseme))
        })
        .collect();
    let agree_at = |shift_ms: f64| {
        frames
            .iter()
            .filter(|&&(t, shown)| shape_at(t + shift_ms / 1e3) == shown)
            .count()
    };
    let steps = (MAX_SHIFT_MS / SHIFT_STEP_MS) as i32;
    let scores: Vec<(f64, usize)> = (-steps..=steps)
        .map(|k| {
            let shift = f64::from(k) * SHIFT_STEP_MS;
            (shift, agree_at(shift))
        })
        .collect();
    let best = scores.iter().map(|s| s.1).max().unwrap_or(0);
    // The middle of the longest run of best shifts.
    let (mut run, mut longest) = ((0, 0), (0, 0));
    for (i, &(_, score)) in scores.iter().enumerate() {
        if score == best {
            if i > 0 && scores[i - 1].1 == best {
                run.1 = i;
            } else {
                run = (i, i);
            }
            if run.1 - run.0 >= longest.1 - longest.0 {
                longest = run;
            }
        }
    }
    let shift = (scores[longest.0].0 + scores[longest.1].0) / 2.0;
    Ok(LineMeasure {
        // Truth shifted later to match: the mouth shows early.
        offset_ms: -shift,
        agree: agree_at(0.0),
        frames: frames.len(),
    })
}

/// The first sample louder than a tenth of the loudest.
fn onset(samples: &[f32]) -> Option<usize> {
    let peak = samples.iter().fold(0.0f32, |m, &s| m.max(s.abs()));
    if peak <= 1e-4 {
        return None;
    }
    samples.iter().position(|&s| s.abs() > 0.1 * peak)
}
