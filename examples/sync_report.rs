//! Is the mouth on screen in sync with the sound heard? A whole playback, simulated, measured
//! against the truth, for this engine and for the naive approach, in the same run.
//!
//! Deterministic (seeded xorshift, synthetic instants, no sleeping). The device is the one of
//! `clock_report`: 48 kHz, callbacks of `--block` frames (default 1024), `--blocks` blocks
//! buffered (default 2) plus `--converter-ms` of converter (default 3), a crystal 30 ppm slow,
//! and an audio thread that wakes up late by a realistic random delay (up to `--jitter-ms` more,
//! default 2). The backend reports the device's latency. The real `VoiceRenderer` renders each
//! block and the real `AudibleClock` is read. A frame loop at 30, 60 and 144 fps starts each
//! frame up to `--frame-jitter-ms` (default 1) after its vsync; the picture appears
//! `--render-frames` frame periods (default 2: pipelined rendering) after that vsync and stays
//! one period.
//!
//! - **Engine**: the clock read at the frame's start, moved ahead by [`DisplayTiming`] (render
//!   latency + half a frame), evaluated on the [`VisemeTimeline`].
//! - **Naive** (what SDKs commonly do): the position the audio thread reached at its last
//!   callback, no latency compensation, sampled at the frame's game time.
//!
//! Both show `VisemeWeights::dominant` of the same curves; the truth is the dominant shape at the
//! position actually leaving the speaker, every 0.1 ms. Two errors are measured:
//!
//! - **Onset error**, what a viewer sees: when the screen first shows each change of shape minus
//!   when the truth calls for it (positive: mouth late). A picture stays up a whole frame, so
//!   even a perfect engine is off by up to half a frame here: the onsets fall anywhere within
//!   the frames, and the report prints that floor.
//! - **Timing error**, what an engine controls: for each frame while the line is heard, the
//!   audio position the mouth shows minus the position heard in the middle of the frame's time
//!   on screen, in ms of audio (positive: mouth late). This is the onset error without the frame
//!   rounding, the same for every onset the frame shows.
//!
//! A frame is *late45* when, by the time it leaves the screen, the shape it shows has not been
//! called for in the last 45 ms and was called for more recently than it will be next (stale,
//! not early; ITU-R BT.1359's detectability threshold).
//!
//! After the main table, the same playback runs on other devices (low-latency and desktop
//! buffers, a deep buffer, a Bluetooth headset's 150 ms): the naive error follows the device,
//! since it lands wherever the output latency and the render latency happen to leave it; the
//! engine's does not.
//!
//! Run: `cargo run --release --example sync_report [-- --block 512 --jitter-ms 4]`. It ends with
//! one line per frame rate, for the device of the command line:
//! `sync fps=<n> p50_ms=<x> p99_ms=<x> max_ms=<x> late45=<count> naive_p99_ms=<y> naive_late45=<count>
//! timing_p99_ms=<x> naive_timing_p99_ms=<y>` (onset errors, then timing errors).

#[path = "support/device_model.rs"]
mod device_model;
#[path = "support/sync_sim.rs"]
mod sync_sim;

use device_model::{CONVERTER, DEVICE_RATE, SECONDS};
use sync_sim::{DEFAULT_DEVICE, Device, Playback, measure, seed, simulate, summary};

const FRAME_RATES: [u32; 3] = [30, 60, 144];

/// Other devices the report runs on after the main table.
const DEVICES: [(&str, Device); 5] = [
    (
        "low latency, 256 x 2",
        Device {
            block: 256,
            blocks: 2.0,
            converter: 0.002,
        },
    ),
    (
        "desktop, 512 x 2",
        Device {
            block: 512,
            blocks: 2.0,
            converter: CONVERTER,
        },
    ),
    ("default, 1024 x 2", DEFAULT_DEVICE),
    (
        "deep buffer, 2048 x 3",
        Device {
            block: 2048,
            blocks: 3.0,
            converter: CONVERTER,
        },
    ),
    (
        "Bluetooth, 1024 x 2 + 150 ms",
        Device {
            block: 1024,
            blocks: 2.0,
            converter: 0.150,
        },
    ),
];

/// Mouth against sound at 30/60/144 fps, this engine next to the naive approach, on a
/// simulated device (the main table), then on other devices.
#[derive(Debug, clap::Parser)]
#[command(name = "sync_report")]
struct Args {
    /// Frames per device callback in the main table.
    #[arg(long, value_name = "N")]
    block: Option<usize>,
    /// Blocks buffered in the device after the one being rendered.
    #[arg(long, value_name = "N")]
    blocks: Option<f64>,
    /// Fixed converter latency, ms.
    #[arg(long, value_name = "MS")]
    converter_ms: Option<f64>,
    /// Extra wake-up jitter of the audio thread, ms.
    #[arg(long, value_name = "MS")]
    jitter_ms: Option<f64>,
    /// How late a frame may start after its vsync, ms.
    #[arg(long, value_name = "MS")]
    frame_jitter_ms: Option<f64>,
    /// Frame periods from a frame's vsync to its picture appearing.
    #[arg(long, value_name = "FRAMES")]
    render_frames: Option<f64>,
}

/// Command-line settings: the device of the main table, and the playback.
fn args() -> (Device, Playback) {
    let args = <Args as clap::Parser>::parse();
    let (mut device, mut playback) = (DEFAULT_DEVICE, Playback::default());
    device.block = args.block.unwrap_or(device.block);
    device.blocks = args.blocks.unwrap_or(device.blocks);
    device.converter = args.converter_ms.map_or(device.converter, |ms| ms * 1e-3);
    playback.jitter_ms = args.jitter_ms.unwrap_or(playback.jitter_ms);
    playback.frame_jitter_ms = args.frame_jitter_ms.unwrap_or(playback.frame_jitter_ms);
    playback.render_frames = args.render_frames.unwrap_or(playback.render_frames);
    (device, playback)
}

fn main() {
    let (d, a) = args();
    println!(
        "device {DEVICE_RATE} Hz, {}-frame callbacks, {} blocks + {} ms converter \
         ({:.1} ms output latency, reported), wake-up jitter up to {} ms; frames start up to {} ms \
         late, shown {} periods later; {SECONDS} s utterance",
        d.block,
        d.blocks,
        d.converter * 1e3,
        d.latency() * 1e3,
        a.jitter_ms + 0.3,
        a.frame_jitter_ms,
        a.render_frames
    );
    println!();
    println!("onset error as seen, ms (frame-rounded: the floor is what a perfect engine gets)");
    println!(
        "{:>4} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} | {:>6} {:>6} {:>6} {:>7} {:>6} {:>6}",
        "fps",
        "onsets",
        "floor",
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
    let runs: Vec<_> = FRAME_RATES
        .iter()
        .enumerate()
        .map(|(i, &fps)| {
            let run = simulate(&a, d, fps, seed(i));
            let (engine, naive) = (measure(&run, &run.engine), measure(&run, &run.naive));
            (fps, run, engine, naive)
        })
        .collect();
    for (fps, run, e, n) in &runs {
        let (es, ns) = (summary(&e.onsets), summary(&n.onsets));
        // The p99 of |uniform within ±half a frame|.
        let floor = 0.99 * run.period / 2.0 * 1e3;
        println!(
            "{fps:>4} {:>6} {floor:>6.2} | {:>6.2} {:>6.2} {:>6.2} {:>+7.2} {:>6} {:>6} | {:>6.2} {:>6.2} {:>6.2} {:>+7.2} {:>6} {:>6}",
            run.truth.len() - 1,
            es[0],
            es[1],
            es[2],
            es[3],
            e.missed,
            e.late,
            ns[0],
            ns[1],
            ns[2],
            ns[3],
            n.missed,
            n.late,
        );
    }
    println!();
    println!("timing error, ms of audio: position shown against position heard mid-display");
    println!(
        "{:>4} {:>6} | {:>6} {:>6} {:>6} {:>7} | {:>6} {:>6} {:>6} {:>7}",
        "fps", "frames", "p50", "p99", "max", "mean", "naive50", "naive99", "nmax", "nmean"
    );
    for (fps, _, e, n) in &runs {
        let (es, ns) = (summary(&e.timing), summary(&n.timing));
        println!(
            "{fps:>4} {:>6} | {:>6.2} {:>6.2} {:>6.2} {:>+7.2} | {:>6.2} {:>6.2} {:>6.2} {:>+7.2}",
            e.timing.len(),
            es[0],
            es[1],
            es[2],
            es[3],
            ns[0],
            ns[1],
            ns[2],
            ns[3],
        );
    }
    println!();
    for (fps, run, e, n) in &runs {
        let (onset, timing) = (summary(&e.onsets)[1], summary(&e.timing)[1]);
        let target = run.period * 1e3 + 1.0;
        println!(
            "{fps:>4} fps: onset p99 {onset:.2} <= {target:.2} ms ({}); timing p99 {:.1}x below \
             naive ({}; onset p99 {:.1}x); late45 {} ({})",
            if onset <= target { "met" } else { "MISSED" },
            summary(&n.timing)[1] / timing.max(1e-9),
            if summary(&n.timing)[1] >= 5.0 * timing {
                "met"
            } else {
                "MISSED"
            },
            summary(&n.onsets)[1] / onset.max(1e-9),
            e.late,
            if e.late == 0 { "met" } else { "MISSED" },
        );
    }

    println!();
    println!("other devices: p99 ms, engine / naive (late45 frames)");
    print!("{:>38}", "device (latency)");
    for fps in FRAME_RATES {
        print!(" | {:>22}", format!("{fps} fps onset, timing"));
    }
    println!();
    for (name, device) in DEVICES {
        print!(
            "{:>30}",
            format!("{name} ({:.0} ms)", device.latency() * 1e3)
        );
        for (i, &fps) in FRAME_RATES.iter().enumerate() {
            let run = simulate(&a, device, fps, seed(i));
            let (e, n) = (measure(&run, &run.engine), measure(&run, &run.naive));
            let late = if e.late + n.late > 0 {
                format!(" ({}/{})", e.late, n.late)
            } else {
                String::new()
            };
            print!(
                " | {:>4.1}/{:<5.1} {:>4.1}/{:<5.1}{late}",
                summary(&e.onsets)[1],
                summary(&n.onsets)[1],
                summary(&e.timing)[1],
                summary(&n.timing)[1],
            );
        }
        println!();
    }
    println!();
    for (fps, _, e, n) in &runs {
        let (es, ns) = (summary(&e.onsets), summary(&n.onsets));
        println!(
            "sync fps={fps} p50_ms={:.3} p99_ms={:.3} max_ms={:.3} late45={} naive_p99_ms={:.3} \
             naive_late45={} timing_p99_ms={:.3} naive_timing_p99_ms={:.3}",
            es[0],
            es[1],
            es[2],
            e.late,
            ns[1],
            n.late,
            summary(&e.timing)[1],
            summary(&n.timing)[1],
        );
    }
}
