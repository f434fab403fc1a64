//! NDJSON-to-PCM+timeline throughput of the streaming decoder, in bytes of response body.
//!
//! Bodies are built like Inworld's: 48 kHz LINEAR16, every chunk a WAV file in base64, WORD
//! timestamps with phones on each chunk. Fed in network-sized reads.
//! Run: `cargo bench -p inworld_tts --bench stream_decode`.

use std::hint::black_box;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inworld_tts::wav::encode_wav;
use inworld_tts::{AudioEncoding, StreamDecoder};
use serde_json::json;

const RATE: u32 = 48_000;

/// A response body of `seconds` of audio in chunks of `chunk_ms`, two words per chunk.
fn body(seconds: f64, chunk_ms: u32) -> Vec<u8> {
    let chunk_frames = (RATE * chunk_ms / 1000) as usize;
    let chunks = (seconds * 1000.0 / f64::from(chunk_ms)).ceil() as usize;
    let mut seed = 0x2545_f491_u32;
    let mut out = Vec::new();
    for c in 0..chunks {
        let samples: Vec<i16> = (0..chunk_frames)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed >> 16) as i16 / 4
            })
            .collect();
        let t0 = (c * chunk_frames) as f64 / f64::from(RATE);
        let half = chunk_frames as f64 / f64::from(RATE) / 2.0;
        let phones = |start: f64| {
            json!([
                {"phoneSymbol": "h", "startTimeSeconds": start, "durationSeconds": half / 3.0, "visemeSymbol": "aei"},
                {"phoneSymbol": "ə", "startTimeSeconds": start + half / 3.0, "durationSeconds": half / 3.0, "visemeSymbol": "aei"},
                {"phoneSymbol": "oʊ1", "startTimeSeconds": start + 2.0 * half / 3.0, "durationSeconds": half / 3.0, "visemeSymbol": "o"}
            ])
        };
        let line = json!({"result": {
            "audioContent": STANDARD.encode(encode_wav(&samples, RATE)),
            "timestampInfo": {"wordAlignment": {
                "words": ["Hello,", "world!"],
                "wordStartTimeSeconds": [t0, t0 + half],
                "wordEndTimeSeconds": [t0 + half, t0 + 2.0 * half],
                "phoneticDetails": [
                    {"wordIndex": 0, "phones": phones(t0), "isPartial": false},
                    {"wordIndex": 1, "phones": phones(t0 + half), "isPartial": false}
                ]
            }}
        }});
        out.extend_from_slice(line.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

fn decode(body: &[u8], read_size: usize) -> usize {
    let mut decoder = StreamDecoder::new(AudioEncoding::Linear16, RATE);
    let mut events = Vec::new();
    let mut count = 0;
    for read in body.chunks(read_size) {
        decoder.feed(read, &mut events).expect("valid body");
        count += events.len();
        events.clear();
    }
    decoder.finish(&mut events).expect("valid body");
    count + events.len()
}

fn stream_decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("stream_decode");
    let cases = [
        ("250ms_chunks_16KiB_reads", body(10.0, 250), 16 * 1024),
        ("250ms_chunks_1KiB_reads", body(10.0, 250), 1024),
        ("one_30s_line_64KiB_reads", body(30.0, 30_000), 64 * 1024),
    ];
    for (name, body, read) in &cases {
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(*name, |b| b.iter(|| decode(black_box(body), *read)));
    }
    group.finish();
}

criterion_group!(benches, stream_decode);
criterion_main!(benches);
