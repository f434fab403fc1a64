//! Speed of the offline voice on one core.
//!
//! - `offline_first_chunk`: from the text to the first 100 ms chunk of PCM in hand (text
//!   analysis, pronunciation, prosody of the whole line, then one chunk of synthesis): what a
//!   player waits for before the first sound. Target: under 5 ms for a 10-word sentence.
//! - `offline_synthesis`: the whole utterance, chunk by chunk; the throughput line reads as
//!   seconds of audio per second (elements = audio frames). Target: at least 100x real time.
//!
//! Run: `cargo bench -p offline_voice --bench offline_synth`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use offline_voice::{OfflineSpeech, OfflineVoice};

/// Ten words, with a number, a pause and a question: the shape of an NPC line.
const LINE: &str = "Welcome back, traveller! Did you find the 3 lost swords?";
/// A paragraph of about ten seconds.
const PARAGRAPH: &str = "The old road winds north through the forest, past the ruined \
    mill and the river crossing. Travellers say that wolves hunt there after dark, so keep \
    your torch lit and your sword close. When you reach the bridge, look for a stone marked \
    with a crescent moon; the entrance lies beneath it.";

fn first_chunk(c: &mut Criterion) {
    let mut group = c.benchmark_group("offline_first_chunk");
    for rate in [24_000u32, 48_000] {
        group.bench_with_input(BenchmarkId::new("10_words", rate), &rate, |b, &rate| {
            b.iter(|| {
                let mut speech = OfflineSpeech::new(black_box(LINE), OfflineVoice::Male, 1.0, rate)
                    .expect("speakable");
                black_box(speech.next_chunk())
            })
        });
    }
    group.finish();
}

fn synthesis(c: &mut Criterion) {
    let mut group = c.benchmark_group("offline_synthesis");
    group.sample_size(20);
    for voice in OfflineVoice::ALL {
        for rate in [24_000u32, 48_000] {
            let frames = OfflineSpeech::new(PARAGRAPH, voice, 1.0, rate)
                .expect("speakable")
                .frames();
            // Elements per second / rate = times faster than real time.
            group.throughput(Throughput::Elements(frames));
            group.bench_with_input(
                BenchmarkId::new(format!("paragraph_{voice}"), rate),
                &rate,
                |b, &rate| {
                    b.iter(|| {
                        let mut speech =
                            OfflineSpeech::new(PARAGRAPH, voice, 1.0, rate).expect("speakable");
                        let mut samples = 0;
                        while let Some(chunk) = speech.next_chunk() {
                            samples += chunk.pcm.len();
                        }
                        black_box(samples)
                    })
                },
            );
        }
    }
    group.finish();
}

criterion_group!(benches, first_chunk, synthesis);
criterion_main!(benches);
