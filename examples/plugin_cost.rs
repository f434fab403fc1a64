//! What the plugin costs per frame with 1, 10 and 100 speakers talking at once.
//!
//! A `MinimalPlugins` app with the plugin on the manual output (no device, deterministic), each
//! speaker a face with the 15 Ready Player Me viseme targets, each saying its own 20-second line
//! with the offline voice. Once every line's audio is in its ring, 600 frames of 60 fps are run:
//! each frame renders the audio blocks due (not counted) and runs `app.update()`. Stopwatch
//! systems placed right before and after the plugin's sets (`Receive` in `PreUpdate`,
//! `Dispatch`..`Write` in `PostUpdate`, run single-threaded so nothing else interleaves) time
//! the plugin's own work: taking in runtime events, reading clocks, evaluating mouths, sending
//! events, writing morph weights. The whole update is reported too.
//!
//! Run: `cargo run --release --example plugin_cost`. It ends with one line per count:
//! `plugin speakers=<n> mean_us=<x> p99_us=<x> per_speaker_us=<x>` (the plugin's systems).

use std::time::{Duration, Instant};

use bevy::asset::AssetPlugin;
use bevy::ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use bevy::mesh::Mesh;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy_lipsync::audio::{LatencySettings, OutputConfig};
use bevy_lipsync::plugin::SpeechOutput;
use bevy_lipsync::prelude::*;

#[path = "support/face.rs"]
mod face;

const FRAMES: usize = 600;
const FRAME: Duration = Duration::from_micros(16_667);
const BLOCK: usize = 480;
const LINE: &str = "The old road winds north through the forest, past the ruined mill and the \
    river crossing. Travellers say that wolves hunt there after dark, so keep your torch lit and \
    your sword close. When you reach the bridge, look for a stone marked with a crescent moon; \
    the entrance lies beneath it, and the treasure is yours.";

/// Time spent inside the plugin's sets this frame.
#[derive(Resource, Default)]
struct Stopwatch {
    started: Option<Instant>,
    spent: Duration,
}

fn start_watch(mut watch: ResMut<Stopwatch>) {
    watch.started = Some(Instant::now());
}

fn stop_watch(mut watch: ResMut<Stopwatch>) {
    if let Some(started) = watch.started.take() {
        watch.spent += started.elapsed();
    }
}

struct Run {
    app: App,
    now: Instant,
    next_block: Instant,
}

impl Run {
    fn new(speakers: usize) -> Self {
        let settings = LipsyncSettings {
            inworld: InworldSetting::Disabled,
            output: OutputMode::Manual(OutputConfig {
                device_rate: 48_000,
                block_frames: BLOCK,
                max_voices: speakers.max(1),
            }),
            latency: LatencySettings {
                output_latency: Some(Duration::from_millis(20)),
                user_offset: Duration::ZERO,
            },
            buffer: Duration::from_secs(40),
            ..Default::default()
        };
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, AssetPlugin::default()))
            .init_asset::<Mesh>()
            .add_plugins(LipsyncPlugin::new(settings))
            .init_resource::<Stopwatch>()
            .add_systems(
                PreUpdate,
                (
                    start_watch.before(LipsyncSystems::Receive),
                    stop_watch.after(LipsyncSystems::Receive),
                ),
            )
            .add_systems(
                PostUpdate,
                (
                    start_watch.before(LipsyncSystems::Dispatch),
                    stop_watch.after(LipsyncSystems::Write),
                ),
            );
        for label in [PreUpdate.intern(), PostUpdate.intern()] {
            app.edit_schedule(label, |s| {
                s.set_executor(SingleThreadedExecutor::default());
            });
        }
        let now = Instant::now();
        let mut run = Run {
            app,
            now,
            next_block: now,
        };
        for i in 0..speakers {
            let world = run.app.world_mut();
            let voice = if i % 2 == 0 {
                "offline:male"
            } else {
                "offline:female"
            };
            let speaker = world
                .spawn(Speaker::new(voice).with_rate(0.9 + 0.01 * (i % 20) as f32))
                .id();
            face::spawn_face(world, speaker);
            world.commands().entity(speaker).say(LINE);
        }
        run.frame(Duration::ZERO);
        run
    }

    /// Renders the audio due by `now + dt` (untimed), then runs one update; returns the time in
    /// the plugin's systems and the whole update's.
    fn frame(&mut self, dt: Duration) -> (Duration, Duration) {
        let target = self.now + dt;
        while self.next_block <= target {
            let at = self.next_block;
            let mut output = self.app.world_mut().resource_mut::<SpeechOutput>();
            output.step(at);
            self.next_block += Duration::from_micros(10_000);
        }
        self.now = target;
        self.app
            .insert_resource(TimeUpdateStrategy::ManualInstant(self.now));
        self.app.world_mut().resource_mut::<Stopwatch>().spent = Duration::ZERO;
        let started = Instant::now();
        self.app.update();
        let whole = started.elapsed();
        (self.app.world().resource::<Stopwatch>().spent, whole)
    }

    fn delivered(&mut self) -> bool {
        let world = self.app.world_mut();
        let mut queues = world.query::<&SpeechQueue>();
        queues
            .iter(world)
            .all(|q| q.progress().is_some_and(|p| p.delivered))
    }

    fn talking(&mut self) -> usize {
        let world = self.app.world_mut();
        let mut queues = world.query::<&SpeechQueue>();
        queues
            .iter(world)
            .filter(|q| q.progress().is_some_and(|p| p.heard_seconds > 0.0))
            .count()
    }
}

fn percentiles(mut times: Vec<f64>) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    (mean, times[times.len() * 99 / 100])
}

/// (plugin mean, plugin p99, update mean), in microseconds.
fn measure(speakers: usize) -> (f64, f64, f64) {
    let mut run = Run::new(speakers);
    let deadline = Instant::now() + Duration::from_secs(120);
    while speakers > 0 && !run.delivered() {
        assert!(
            Instant::now() < deadline,
            "lines were not delivered in time"
        );
        std::thread::sleep(Duration::from_millis(5));
        run.frame(Duration::ZERO);
    }
    // Warm up: voices start, curves are built, caches fill.
    for _ in 0..60 {
        run.frame(FRAME);
    }
    let (plugin, whole): (Vec<f64>, Vec<f64>) = (0..FRAMES)
        .map(|_| {
            let (plugin, whole) = run.frame(FRAME);
            (plugin.as_secs_f64() * 1e6, whole.as_secs_f64() * 1e6)
        })
        .unzip();
    assert_eq!(run.talking(), speakers, "every speaker is still talking");
    let (mean, p99) = percentiles(plugin);
    (mean, p99, percentiles(whole).0)
}

fn main() {
    let (base, _, base_whole) = measure(0);
    println!("no speaker: plugin {base:.1} us, whole update {base_whole:.1} us per frame");
    for speakers in [1usize, 10, 100] {
        let (mean, p99, whole) = measure(speakers);
        let per = (mean - base).max(0.0) / speakers as f64;
        println!(
            "{speakers:>3} speakers talking: plugin mean {mean:.1} us, p99 {p99:.1} us per frame \
             ({per:.2} us per speaker); whole update {whole:.1} us"
        );
        println!(
            "plugin speakers={speakers} mean_us={mean:.1} p99_us={p99:.1} per_speaker_us={per:.2}"
        );
    }
}
