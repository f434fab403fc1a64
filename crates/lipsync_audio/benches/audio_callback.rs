//! Cost of the audio callback: rendering one 512-frame block for a 48 kHz device, per voice.
//!
//! - `voice/<rate>`: one [`VoiceRenderer::render`] (drain the ring, resample, gain, publish the
//!   clock), for speech at the device rate (copied through) and at 24 kHz (resampled).
//! - `mixer_8/<rate>`: a [`ManualOutput`] step mixing 8 such voices; the per-voice cost is the
//!   time divided by 8 (criterion's throughput line counts voices).
//! - `kira_sound_4x128/<rate>`, `kira_sound_1x512/<rate>`: a [`VoiceSound`] as kira's renderer
//!   calls it for a 512-frame device callback: `on_start_processing` (the clock read), then
//!   `process` for each piece, writing stereo [`Frame`]s; in 4 pieces of [`KIRA_CHUNK`] frames
//!   (kira's default settings) or in one (the device output's settings).
//! - `kira_renderer/<rate>`: the same voice inside a kira `AudioManager` with kira's default
//!   settings on the `MockBackend`, one 512-frame callback in 4 chunks: adds kira's own work
//!   (main track, summing, clipping, interleaving), as on a user's kira manager.
//! - `kira_output_1/<rate>`, `kira_output_8/<rate>`: a [`KiraOutput`], the device output's path,
//!   mixing 1 or 8 voices in kira per 512-frame callback; the device output's kira renders a
//!   callback of up to [`DEVICE_CHUNK`] frames in one piece. Per voice, divide by the count.
//!
//! The rings are refilled outside the timed region, between batches of blocks, as the TTS runtime
//! would between callbacks. Target: under 2 us per block per voice.
//! Run: `cargo bench -p lipsync_audio --bench audio_callback` (filter: `-- voice/24k`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kira::backend::mock::{MockBackend, MockBackendSettings};
use kira::info::MockInfoBuilder;
use kira::sound::Sound;
use kira::{AudioManager, AudioManagerSettings, Frame};
use lipsync_audio::mixing::ManualOutput;
use lipsync_audio::{
    DEFAULT_BUFFER, DEVICE_CHUNK, KIRA_CHUNK, KiraOutput, OutputConfig, PcmProducer, VoiceSound,
    voice,
};

const DEVICE_RATE: u32 = 48_000;
const BLOCK: usize = 512;
/// Blocks rendered between refills: well under the 2 s ring at either rate.
const BATCH: u64 = 32;
const VOICES: usize = 8;

/// Keeps a voice's ring topped up from a loop of pseudo-speech.
struct Feed {
    producer: PcmProducer,
    speech: Vec<f32>,
    at: usize,
}

impl Feed {
    fn new(producer: PcmProducer, rate: u32) -> Self {
        let mut seed = 0x2545_f491_u32 ^ rate;
        // One second of noise under a 150 Hz tone: every sample differs, as in speech.
        let speech = (0..rate as usize)
            .map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let tone = (i as f32 * 150.0 * std::f32::consts::TAU / rate as f32).sin();
                0.3 * tone + 0.05 * (seed as f32 / u32::MAX as f32 - 0.5)
            })
            .collect();
        let mut feed = Feed {
            producer,
            speech,
            at: 0,
        };
        feed.refill();
        feed
    }

    fn refill(&mut self) {
        while self.producer.free_frames() > 0 {
            let end = (self.at + self.producer.free_frames()).min(self.speech.len());
            let written = self
                .producer
                .try_write(&self.speech[self.at..end])
                .expect("the renderer is alive");
            self.at = (self.at + written) % self.speech.len();
        }
    }
}

/// Times `iters` callbacks of `render(now)`, refilling `feeds` every [`BATCH`] blocks untimed.
fn time_blocks(iters: u64, feeds: &mut [Feed], mut render: impl FnMut(Instant)) -> Duration {
    let period = Duration::from_nanos(BLOCK as u64 * 1_000_000_000 / u64::from(DEVICE_RATE));
    let mut now = Instant::now();
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        feeds.iter_mut().for_each(Feed::refill);
        let batch = BATCH.min(iters - done);
        let started = Instant::now();
        for _ in 0..batch {
            render(now);
            now += period;
        }
        total += started.elapsed();
        done += batch;
    }
    total
}

fn label(rate: u32) -> &'static str {
    if rate == DEVICE_RATE {
        "48k"
    } else {
        "24k_resampled"
    }
}

fn voice_alone(c: &mut Criterion) {
    let mut group = c.benchmark_group("voice");
    group.throughput(Throughput::Elements(1));
    for rate in [48_000, 24_000] {
        let (producer, mut renderer, _control) = voice(rate, DEFAULT_BUFFER).expect("voice");
        let mut feeds = [Feed::new(producer, rate)];
        let mut block = vec![0.0f32; BLOCK];
        group.bench_function(label(rate), |b| {
            b.iter_custom(|iters| {
                time_blocks(iters, &mut feeds, |now| {
                    renderer.render(black_box(&mut block), DEVICE_RATE, now);
                })
            })
        });
    }
    group.finish();
}

fn mixer_of_8(c: &mut Criterion) {
    let mut group = c.benchmark_group("mixer_8");
    group.throughput(Throughput::Elements(VOICES as u64));
    for rate in [48_000, 24_000] {
        let mut output = ManualOutput::new(OutputConfig {
            device_rate: DEVICE_RATE,
            block_frames: BLOCK,
            max_voices: VOICES,
        })
        .expect("output");
        let mut feeds: Vec<Feed> = (0..VOICES)
            .map(|_| {
                let (producer, renderer, _control) = voice(rate, DEFAULT_BUFFER).expect("voice");
                output.add_voice(renderer).expect("room for the voice");
                Feed::new(producer, rate)
            })
            .collect();
        // Every voice is mixed (none was refused), even when a filter skips the timing.
        output.step(Instant::now());
        assert_eq!(output.voice_count(), VOICES);
        group.bench_function(label(rate), |b| {
            b.iter_custom(|iters| {
                time_blocks(iters, &mut feeds, |now| {
                    black_box(output.step(now));
                })
            })
        });
    }
    group.finish();
}

fn kira_sound(c: &mut Criterion) {
    let info = MockInfoBuilder::new().build();
    let dt = 1.0 / f64::from(DEVICE_RATE);
    // As on a kira manager with default settings, and as on the device output.
    for chunk in [KIRA_CHUNK, BLOCK] {
        let mut group = c.benchmark_group(format!("kira_sound_{}x{chunk}", BLOCK / chunk));
        group.throughput(Throughput::Elements(1));
        for rate in [48_000, 24_000] {
            let (producer, renderer, _control) = voice(rate, DEFAULT_BUFFER).expect("voice");
            let mut sound = VoiceSound::new(renderer);
            let mut feeds = [Feed::new(producer, rate)];
            let mut frames = vec![Frame::ZERO; BLOCK];
            group.bench_function(label(rate), |b| {
                b.iter_custom(|iters| {
                    time_blocks(iters, &mut feeds, |_| {
                        sound.on_start_processing();
                        for piece in frames.chunks_mut(chunk) {
                            sound.process(black_box(piece), dt, &info);
                        }
                    })
                })
            });
        }
        group.finish();
    }
}

/// A kira manager on the mock backend at the device rate, rendering `chunk` frames at a time.
fn mock_manager(chunk: usize) -> AudioManager<MockBackend> {
    AudioManager::new(AudioManagerSettings {
        backend_settings: MockBackendSettings {
            sample_rate: DEVICE_RATE,
        },
        internal_buffer_size: chunk,
        ..AudioManagerSettings::default()
    })
    .expect("the mock backend always starts")
}

/// One 512-frame device callback, rendered by kira in chunks of `chunk` frames.
fn mock_callback(backend: &mut MockBackend, chunk: usize) {
    backend.on_start_processing();
    for _ in 0..BLOCK / chunk {
        backend.process();
    }
}

fn kira_renderer(c: &mut Criterion) {
    let mut group = c.benchmark_group("kira_renderer");
    group.throughput(Throughput::Elements(1));
    for rate in [48_000, 24_000] {
        let mut manager = mock_manager(KIRA_CHUNK);
        let (producer, renderer, _control) = voice(rate, DEFAULT_BUFFER).expect("voice");
        manager
            .play(VoiceSound::new(renderer))
            .expect("room for the sound");
        let mut feeds = [Feed::new(producer, rate)];
        group.bench_function(label(rate), |b| {
            b.iter_custom(|iters| {
                time_blocks(iters, &mut feeds, |_| {
                    mock_callback(manager.backend_mut(), KIRA_CHUNK)
                })
            })
        });
    }
    group.finish();
}

/// The device output's path with `voices` voices: one 512-frame callback in one kira piece
/// (the device output asks kira for pieces of up to [`DEVICE_CHUNK`] frames).
fn kira_output(c: &mut Criterion, voices: usize) {
    const { assert!(BLOCK <= DEVICE_CHUNK) };
    let mut group = c.benchmark_group(format!("kira_output_{voices}"));
    group.throughput(Throughput::Elements(voices as u64));
    for rate in [48_000, 24_000] {
        let manager = mock_manager(BLOCK);
        let mut output = KiraOutput::new(manager, DEVICE_RATE, voices).expect("output");
        let mut feeds: Vec<Feed> = (0..voices)
            .map(|_| {
                let (producer, renderer, _control) = voice(rate, DEFAULT_BUFFER).expect("voice");
                output.play(renderer).expect("room for the voice");
                Feed::new(producer, rate)
            })
            .collect();
        group.bench_function(label(rate), |b| {
            b.iter_custom(|iters| {
                time_blocks(iters, &mut feeds, |_| {
                    mock_callback(output.manager_mut().backend_mut(), BLOCK)
                })
            })
        });
    }
    group.finish();
}

fn kira_output_of_1(c: &mut Criterion) {
    kira_output(c, 1);
}

fn kira_output_of_8(c: &mut Criterion) {
    kira_output(c, VOICES);
}

criterion_group!(
    benches,
    voice_alone,
    mixer_of_8,
    kira_sound,
    kira_renderer,
    kira_output_of_1,
    kira_output_of_8
);
criterion_main!(benches);
