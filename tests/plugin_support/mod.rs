//! A `MinimalPlugins` app with `LipsyncPlugin` on the manual output, stepped by hand, talking to
//! the loopback emulator: shared by the plugin and fault-matrix tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::asset::AssetPlugin;
use bevy::mesh::Mesh;
use bevy::mesh::morph::MorphWeights;
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;
use bevy_lipsync::audio::{LatencySettings, OutputConfig};
use bevy_lipsync::emulator::{Emulator, EmulatorConfig, EmulatorHandle, ToneVoice};
use bevy_lipsync::inworld::{Credentials, InworldConfig};
use bevy_lipsync::plugin::SpeechOutput;
use bevy_lipsync::prelude::*;
use bevy_lipsync::speech::SpeechError;

#[path = "../../examples/support/face.rs"]
pub mod face;

pub const KEY: &str = "dGVzdDprZXk=";
pub const RATE: u32 = 24_000;
pub const LINE: &str = "Bob sat on a big red mat and ate a fig.";
/// 10 ms blocks at 48 kHz.
pub const BLOCK: usize = 480;

pub fn emulator() -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        source: Arc::new(ToneVoice),
        ..Default::default()
    })
    .expect("emulator starts on loopback")
}

/// What the observers saw, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Seen {
    Started(Entity, String),
    Word(Entity, Arc<str>),
    Viseme(Entity),
    Finished(Entity, String, bool),
    Failed(Entity, String, String),
}

#[derive(Resource, Clone, Default)]
pub struct Log(pub Arc<Mutex<Vec<Seen>>>);

pub struct Harness {
    pub app: App,
    pub now: Instant,
    pub next_block: Instant,
    pub log: Log,
    /// The last block the output rendered.
    pub last_block: Vec<f32>,
    /// Every block rendered so far, in order.
    pub heard: Vec<f32>,
    /// The error of every failed line, in order.
    pub errors: Arc<Mutex<Vec<Arc<SpeechError>>>>,
    /// While set, frames advance but the output renders nothing: a suspended or lost device.
    pub output_stopped: bool,
}

impl Harness {
    pub fn new(emulator: &EmulatorHandle, key: &str) -> Self {
        Self::with_settings(emulator, key, |_| {})
    }

    pub fn with_settings(
        emulator: &EmulatorHandle,
        key: &str,
        adjust: impl FnOnce(&mut LipsyncSettings),
    ) -> Self {
        Self::with_app(emulator, key, adjust, |_| {})
    }

    /// A harness whose app gets `plugins` (e.g. glTF loading) before the lipsync plugin.
    pub fn with_app(
        emulator: &EmulatorHandle,
        key: &str,
        adjust: impl FnOnce(&mut LipsyncSettings),
        plugins: impl FnOnce(&mut App),
    ) -> Self {
        let inworld = InworldConfig::new(Credentials::basic(key))
            .with_base_url(&emulator.base_url())
            .expect("loopback http is accepted");
        let mut settings = LipsyncSettings {
            inworld: InworldSetting::Config(Box::new(inworld)),
            output: OutputMode::Manual(OutputConfig {
                device_rate: 48_000,
                block_frames: BLOCK,
                max_voices: 8,
            }),
            latency: LatencySettings {
                output_latency: Some(Duration::ZERO),
                user_offset: Duration::ZERO,
            },
            render_latency_frames: Some(0.0),
            sample_rate: RATE,
            // Every line fits in its ring, so a test can wait for delivery before playing it
            // and playback never underruns, whatever the runtime thread's pace.
            buffer: Duration::from_secs(30),
            ..Default::default()
        };
        adjust(&mut settings);
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, AssetPlugin::default()))
            .init_asset::<Mesh>();
        plugins(&mut app);
        app.add_plugins(LipsyncPlugin::new(settings));
        let log = Log::default();
        app.insert_resource(log.clone());
        app.add_observer(|e: On<SpeechStarted>, log: Res<Log>| {
            log.push(Seen::Started(e.entity, e.text.clone()))
        })
        .add_observer(|e: On<WordSpoken>, log: Res<Log>| {
            log.push(Seen::Word(e.entity, e.word.clone()))
        })
        .add_observer(|e: On<VisemeChanged>, log: Res<Log>| log.push(Seen::Viseme(e.entity)))
        .add_observer(|e: On<SpeechFinished>, log: Res<Log>| {
            log.push(Seen::Finished(e.entity, e.text.clone(), e.interrupted))
        })
        .add_observer(|e: On<SpeechFailed>, log: Res<Log>| {
            log.push(Seen::Failed(e.entity, e.text.clone(), e.error.to_string()))
        });
        let errors: Arc<Mutex<Vec<Arc<SpeechError>>>> = Arc::default();
        let sink = errors.clone();
        app.add_observer(move |e: On<SpeechFailed>| {
            sink.lock().expect("errors").push(e.error.clone());
        });
        let now = Instant::now();
        let mut harness = Harness {
            app,
            now,
            next_block: now,
            log,
            last_block: Vec::new(),
            heard: Vec::new(),
            errors,
            output_stopped: false,
        };
        harness.frame(Duration::ZERO);
        harness
    }

    /// Advances time by `dt`, rendering every audio block due, then runs one app update.
    pub fn frame(&mut self, dt: Duration) {
        let target = self.now + dt;
        if self.output_stopped {
            // No callbacks; when they come back, they start from then.
            self.next_block = target;
        }
        while !self.output_stopped && self.next_block <= target {
            let at = self.next_block;
            let mut output = self.app.world_mut().resource_mut::<SpeechOutput>();
            let block = output.step(at).expect("the output is manual");
            self.last_block.clear();
            self.last_block.extend_from_slice(block);
            self.heard.extend_from_slice(block);
            self.next_block += Duration::from_micros(10_000);
        }
        self.now = target;
        self.app
            .insert_resource(TimeUpdateStrategy::ManualInstant(self.now));
        self.app.update();
    }

    /// Runs updates without advancing time until `done`, waiting on the runtime thread.
    pub fn wait_for(&mut self, what: &str, mut done: impl FnMut(&mut Harness) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done(self) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(2));
            self.frame(Duration::ZERO);
        }
    }

    /// A new speaker saying [`LINE`], delivered, then `frames` 10 ms frames into it.
    pub fn mid_line(&mut self, voice: &str, frames: usize) -> Entity {
        let (speaker, _face) = self.spawn_speaker(voice);
        self.app.world_mut().commands().entity(speaker).say(LINE);
        self.frame(Duration::ZERO);
        self.wait_delivered(speaker);
        for _ in 0..frames {
            self.frame(Duration::from_millis(10));
        }
        speaker
    }

    /// A new speaker saying [`LINE`], delivered and played until its first sound, then
    /// `frames` 10 ms frames more; with the sample of [`Harness::heard`] where the sound began.
    pub fn sounding_line(&mut self, voice: &str, frames: usize) -> (Entity, usize) {
        let (speaker, _face) = self.spawn_speaker(voice);
        self.app.world_mut().commands().entity(speaker).say(LINE);
        self.frame(Duration::ZERO);
        self.wait_delivered(speaker);
        while self.heard.iter().all(|&x| x == 0.0) {
            self.frame(Duration::from_millis(10));
        }
        let onset = self.heard.iter().position(|&x| x != 0.0).expect("sound");
        for _ in 0..frames {
            self.frame(Duration::from_millis(10));
        }
        (speaker, onset)
    }

    pub fn wait_delivered(&mut self, speaker: Entity) {
        self.wait_for("the line to be delivered", |h| {
            h.queue(speaker)
                .progress()
                .is_some_and(|progress| progress.delivered)
        });
    }

    pub fn queue(&self, speaker: Entity) -> &SpeechQueue {
        self.app
            .world()
            .get::<SpeechQueue>(speaker)
            .expect("a speaker")
    }

    pub fn mouth(&self, speaker: Entity) -> Mouth {
        *self.app.world().get::<Mouth>(speaker).expect("a speaker")
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.log.0.lock().expect("log").clone()
    }

    /// Plays 10 ms frames until `speaker` has no line left, at most `limit`.
    pub fn play_out(&mut self, speaker: Entity, limit: Duration) {
        let start = self.now;
        while self.queue(speaker).is_speaking() || self.queue(speaker).waiting() > 0 {
            assert!(self.now - start < limit, "the line did not finish");
            self.frame(Duration::from_millis(10));
        }
    }

    /// A speaker with a face mesh whose morph targets are the 15 Ready Player Me visemes.
    pub fn spawn_speaker(&mut self, voice: &str) -> (Entity, Entity) {
        let world = self.app.world_mut();
        let speaker = world.spawn(Speaker::new(voice)).id();
        let face = face::spawn_face(world, speaker);
        (speaker, face)
    }

    /// The words announced for `speaker` so far, in order.
    pub fn words_of(&self, speaker: Entity) -> Vec<String> {
        self.seen()
            .iter()
            .filter_map(|s| match s {
                Seen::Word(e, w) if *e == speaker => Some(w.to_string()),
                _ => None,
            })
            .collect()
    }

    pub fn morphs(&self, face: Entity) -> Vec<f32> {
        self.app
            .world()
            .get::<MorphWeights>(face)
            .expect("a face")
            .weights()
            .to_vec()
    }
}

impl Log {
    pub fn push(&self, seen: Seen) {
        self.0.lock().expect("log").push(seen);
    }
}

pub fn argmax(weights: &[f32]) -> usize {
    let mut best = 0;
    for (i, w) in weights.iter().enumerate() {
        if *w > weights[best] {
            best = i;
        }
    }
    best
}
