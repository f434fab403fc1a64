//! Cost of the audio callback: rendering one 512-frame block for a 48 kHz device, per voice.
//!
//! - `voice/<rate>`: one [`VoiceRenderer::render`] (drain the ring, resample, gain, publish the
//!   clock), for speech at the device rate (copied through) and at 24 kHz (resampled).
//! - `mixer_8/<rate>`: a [`ManualOutput`] step mixing 8 such voices; the per-voice cost is the
//!   time divided by 8 (criterion's throughput line counts voices).
//!
//! The rings are refilled outside the timed region, between batches of blocks, as the TTS runtime
//! would between callbacks. Target: under 2 us per block per voice.
//! Run: `cargo bench --bench audio_callback` (filter: `-- voice/24k`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use bevy_lipsync::audio::{DEFAULT_BUFFER, ManualOutput, OutputConfig, PcmProducer, voice};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

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
        group.bench_function(label(rate), |b| {
            b.iter_custom(|iters| {
                time_blocks(iters, &mut feeds, |now| {
                    black_box(output.step(now));
                })
            })
        });
        assert_eq!(output.voice_count(), VOICES);
    }
    group.finish();
}

criterion_group!(benches, voice_alone, mixer_of_8);
criterion_main!(benches);
