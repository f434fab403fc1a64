//! Cost of evaluating the mouth per speaker per frame: 1, 100 and 10,000 speakers, each with its
//! own 12 s utterance (about 13 visemes per second, like TTS speech) at a different position.
//! Criterion's throughput line reads as speakers per second; the target is under 1 µs each.
//! Run: `cargo bench -p lipsync_core --bench lipsync_eval`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use lipsync_core::alignment::{Alignment, FrameOffset, FrameSpan, VisemeMark};
use lipsync_core::{ArticulationSettings, RigPreset, Viseme, VisemeTimeline, VisemeWeights};

const RATE: u32 = 24_000;
const SECONDS: u64 = 12;

/// A speaker's timeline: keys of 40-110 ms with short pauses, seeded per speaker, plus an RMS
/// track at 20 ms blocks.
fn speaker(seed: u32) -> VisemeTimeline {
    let mut state = seed.wrapping_mul(0x9e37_79b9) | 1;
    let mut next = move |n: u32| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state % n
    };
    let mut visemes = Vec::new();
    let mut at = 0u64;
    while at < SECONDS * u64::from(RATE) {
        let len = u64::from(40 + next(70)) * u64::from(RATE) / 1000;
        let pause = if next(10) == 0 {
            u64::from(RATE) / 5
        } else {
            0
        };
        let viseme = Viseme::ALL[next(15) as usize];
        visemes.push(VisemeMark {
            label: viseme.openxr_name().into(),
            span: FrameSpan::new(FrameOffset(at + pause), FrameOffset(at + pause + len)),
        });
        at += pause + len;
    }
    let mut timeline = VisemeTimeline::new(RATE, ArticulationSettings::default());
    timeline.update(&Alignment {
        visemes,
        ..Default::default()
    });
    let rms: Vec<f32> = (0..SECONDS * 50)
        .map(|_| next(300) as f32 / 1000.0)
        .collect();
    timeline.push_envelope(FrameOffset::ZERO, &rms, RATE / 50);
    timeline
}

fn evaluate(c: &mut Criterion) {
    let mut group = c.benchmark_group("lipsync_evaluate");
    for speakers in [1usize, 100, 10_000] {
        let timelines: Vec<VisemeTimeline> = (0..speakers as u32).map(speaker).collect();
        let mut mouths = vec![VisemeWeights::default(); speakers];
        let span = (SECONDS * u64::from(RATE)) as f64;
        // Speakers start at spread-out positions; each iteration is one 60 fps frame.
        let mut frame = 0u64;
        group.throughput(Throughput::Elements(speakers as u64));
        group.bench_function(BenchmarkId::new("speakers", speakers), |b| {
            b.iter(|| {
                frame += 1;
                let now = frame as f64 * f64::from(RATE) / 60.0;
                for (i, (timeline, mouth)) in timelines.iter().zip(&mut mouths).enumerate() {
                    let position = (now + i as f64 * 7_919.0) % span;
                    timeline.evaluate(black_box(position), mouth);
                }
                black_box(&mouths);
            });
        });
    }
    group.finish();
}

fn evaluate_and_write_arkit(c: &mut Criterion) {
    let names = RigPreset::Arkit52.target_names();
    let binding = RigPreset::Arkit52.bind(&names);
    let timeline = speaker(7);
    let mut mouth = VisemeWeights::default();
    let mut morphs = vec![0.0f32; names.len()];
    let mut position = 0.0f64;
    c.bench_function("lipsync_evaluate_arkit52/1", |b| {
        b.iter(|| {
            position = (position + 400.0) % (SECONDS * u64::from(RATE)) as f64;
            timeline.evaluate(black_box(position), &mut mouth);
            binding.apply(&mouth, &mut morphs);
            black_box(&morphs);
        });
    });
}

criterion_group!(benches, evaluate, evaluate_and_write_arkit);
criterion_main!(benches);
