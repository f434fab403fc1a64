//! What the plugin costs per frame with 1, 10 and 100 speakers talking at once.
//!
//! A `MinimalPlugins` app with the plugin on the manual output (no device, deterministic), each
//! speaker a face with the 15 Ready Player Me viseme targets, each saying its own 20-second line
//! with the offline voice. Once every line's audio is in its ring, 600 frames of 60 fps are run:
//! each frame renders the audio blocks due (not counted) and then runs `app.update()`, which is
//! timed: the plugin's systems (clock reads, evaluation, events, morph writes) plus Bevy's
//! minimal schedule, measured in the same run with no speaker as the baseline.
//!
//! Run: `cargo run --release --example plugin_cost`. It ends with one line per count:
//! `plugin speakers=<n> mean_us=<x> p99_us=<x> per_speaker_us=<x>`.

use std::time::{Duration, Instant};

use bevy::asset::{AssetPlugin, RenderAssetUsages};
use bevy::mesh::morph::MorphWeights;
use bevy::mesh::{Mesh, Mesh3d, PrimitiveTopology};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy_lipsync::audio::{LatencySettings, OutputConfig};
use bevy_lipsync::lipsync::Viseme;
use bevy_lipsync::plugin::SpeechOutput;
use bevy_lipsync::prelude::*;

const FRAMES: usize = 600;
const FRAME: Duration = Duration::from_micros(16_667);
const BLOCK: usize = 480;
const LINE: &str = "The old road winds north through the forest, past the ruined mill and the \
    river crossing. Travellers say that wolves hunt there after dark, so keep your torch lit and \
    your sword close. When you reach the bridge, look for a stone marked with a crescent moon; \
    the entrance lies beneath it, and the treasure is yours.";

struct Run {
    app: App,
    now: Instant,
    next_block: Instant,
}

impl Run {
    fn new(speakers: usize) -> Self {
        let settings = LipsyncSettings {
            inworld: InworldSetting::Disabled,
            output: OutputSetting::Manual,
            virtual_output: OutputConfig {
                device_rate: 48_000,
                block_frames: BLOCK,
                max_voices: speakers.max(1),
            },
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
            .add_plugins(LipsyncPlugin::new(settings));
        let now = Instant::now();
        let mut run = Run {
            app,
            now,
            next_block: now,
        };
        for i in 0..speakers {
            let world = run.app.world_mut();
            let mut mesh = Mesh::new(
                PrimitiveTopology::TriangleList,
                RenderAssetUsages::default(),
            );
            mesh.set_morph_target_names(
                Viseme::ALL
                    .iter()
                    .map(|v| v.rpm_name().to_owned())
                    .collect(),
            );
            let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
            let weights = MorphWeights::new(vec![0.0; Viseme::COUNT], Some(handle.clone()))
                .expect("15 targets");
            let voice = if i % 2 == 0 {
                "offline:male"
            } else {
                "offline:female"
            };
            let speaker = world
                .spawn(Speaker::new(voice).with_rate(0.9 + 0.01 * (i % 20) as f32))
                .id();
            world.spawn((Mesh3d(handle), weights, ChildOf(speaker)));
            world.commands().entity(speaker).say(LINE);
        }
        run.frame(Duration::ZERO);
        run
    }

    /// Renders the audio due by `now + dt` (untimed), then runs and times one update.
    fn frame(&mut self, dt: Duration) -> Duration {
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
        let started = Instant::now();
        self.app.update();
        started.elapsed()
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

fn measure(speakers: usize) -> (f64, f64) {
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
    let mut times: Vec<f64> = (0..FRAMES)
        .map(|_| run.frame(FRAME).as_secs_f64() * 1e6)
        .collect();
    assert_eq!(run.talking(), speakers, "every speaker is still talking");
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    let p99 = times[times.len() * 99 / 100];
    (mean, p99)
}

fn main() {
    let (base_mean, base_p99) = measure(0);
    println!("baseline (no speaker): mean {base_mean:.1} us, p99 {base_p99:.1} us per frame");
    for speakers in [1usize, 10, 100] {
        let (mean, p99) = measure(speakers);
        let per = (mean - base_mean).max(0.0) / speakers as f64;
        println!(
            "{speakers:>3} speakers: mean {mean:.1} us, p99 {p99:.1} us per frame, {per:.2} us per speaker above the baseline"
        );
        println!(
            "plugin speakers={speakers} mean_us={mean:.1} p99_us={p99:.1} per_speaker_us={per:.2}"
        );
    }
}
