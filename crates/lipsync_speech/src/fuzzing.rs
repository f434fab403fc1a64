//! Entry points of the fuzz targets in `fuzz/` and of their regression tests (feature
//! `fuzzing`; not part of the API).
//!
//! Each takes arbitrary bytes and panics only when an invariant breaks: bad input must give an
//! error, never a panic, and what is decoded must be coherent.

use crate::VoiceDescriptor;
use crate::alignment::{Alignment, AlignmentUpdate, FrameSpan};
use crate::inworld::wav::{encode_wav, looks_like_wav, split_wav};
use crate::inworld::{AudioEncoding, StreamDecoder, StreamEvent, Voice, VoicePage};
use crate::lipsync::{ArticulationSettings, VisemeTimeline, VisemeWeights};

const ENCODINGS: [AudioEncoding; 4] = [
    AudioEncoding::Linear16,
    AudioEncoding::Pcm,
    AudioEncoding::Wav,
    AudioEncoding::Mp3,
];
const RATES: [u32; 4] = [8_000, 16_000, 24_000, 48_000];

/// The NDJSON stream decoder, fed `data` in arbitrary read splits.
///
/// Layout: byte 0 picks the encoding and rate, byte 1 the number of splits (0-15), then two
/// bytes per split position, then the body. Decoding in pieces must give exactly what
/// decoding in one piece gives (events and outcome), and the events must be coherent.
pub fn ndjson_stream(data: &[u8]) {
    let Some((&setup, rest)) = data.split_first() else {
        return;
    };
    let (count, rest) = rest
        .split_first()
        .map_or((0, rest), |(c, r)| (*c as usize % 16, r));
    let (positions, body) = rest.split_at((count * 2).min(rest.len()));
    let mut cuts: Vec<usize> = positions
        .chunks_exact(2)
        .map(|p| usize::from(u16::from_le_bytes([p[0], p[1]])) % (body.len() + 1))
        .collect();
    cuts.sort_unstable();
    let encoding = ENCODINGS[usize::from(setup) % ENCODINGS.len()];
    let rate = RATES[usize::from(setup >> 2) % RATES.len()];

    let whole = decode(encoding, rate, &[body]);
    let mut pieces = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for cut in cuts {
        pieces.push(&body[from..cut]);
        from = cut;
    }
    pieces.push(&body[from..]);
    let split = decode(encoding, rate, &pieces);
    assert_eq!(whole.0, split.0, "read splits changed the events");
    assert_eq!(whole.1, split.1, "read splits changed the outcome");
    check_events(&whole.0, rate);
}

/// The timestamp and alignment decoder: `data` is the value of a chunk's `timestampInfo`,
/// after a little audio. Whatever it holds, the decoder must not panic, and the timeline and
/// mouth built from it must stay sane.
pub fn timestamps(data: &[u8]) {
    let mut line = br#"{"result":{"audioContent":"AAAAAAAAAAAAAAAA","timestampInfo":"#.to_vec();
    line.extend_from_slice(data);
    line.extend_from_slice(b"}}\n");
    let mut second = br#"{"result":{"audioContent":"AAAAAAAA","timestampInfo":"#.to_vec();
    second.extend_from_slice(data);
    second.extend_from_slice(b"}}");
    let (events, _) = decode(AudioEncoding::Pcm, 24_000, &[&line, &second]);
    check_events(&events, 24_000);
}

/// The RIFF/WAV chunk parser on arbitrary bytes, and a round trip of `data` as samples.
pub fn wav_chunk(data: &[u8]) {
    match split_wav(data) {
        Ok(payload) => {
            let inside = data.as_ptr_range();
            let range = payload.data.as_ptr_range();
            assert!(
                payload.data.is_empty() || (range.start >= inside.start && range.end <= inside.end),
                "the payload points outside the chunk"
            );
            assert_eq!(payload.format.is_some(), looks_like_wav(data));
        }
        Err(e) => assert!(looks_like_wav(data), "headerless bytes cannot fail: {e}"),
    }
    let samples: Vec<i16> = data
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect();
    let rate = 8_000 + u32::from(data.first().copied().unwrap_or(0)) * 200;
    let file = encode_wav(&samples, rate);
    let payload = split_wav(&file).expect("our own WAV parses");
    let format = payload.format.expect("our own WAV has a header");
    assert_eq!(format.sample_rate, rate);
    assert_eq!(payload.data.len(), samples.len() * 2);
    assert!(
        payload
            .data
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .eq(samples)
    );
}

/// Voice descriptors (`inworld/<model>:<voice>`, ...) and the Voices API's JSON.
///
/// A descriptor that parses prints as a descriptor that parses to the same voice; voice JSON
/// that parses serialises and parses back unchanged.
pub fn voice(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(descriptor) = VoiceDescriptor::parse(&text) {
        let shown = descriptor.to_string();
        let again = VoiceDescriptor::parse(&shown)
            .unwrap_or_else(|e| panic!("`{shown}` (from `{text}`) does not parse: {e}"));
        assert_eq!(
            again, descriptor,
            "`{text}` does not round-trip through `{shown}`"
        );
    }
    if let Ok(voice) = serde_json::from_slice::<Voice>(data) {
        let json = serde_json::to_vec(&voice).expect("a voice serialises");
        let again: Voice = serde_json::from_slice(&json).expect("a voice parses back");
        assert_eq!(again, voice);
    }
    let _ = serde_json::from_slice::<VoicePage>(data);
}

/// Decodes `pieces` in order with a fresh decoder: the events, and the error's text if any.
fn decode(
    encoding: AudioEncoding,
    rate: u32,
    pieces: &[&[u8]],
) -> (Vec<StreamEvent>, Option<String>) {
    let mut decoder = StreamDecoder::new(encoding, rate);
    let mut events = Vec::new();
    for piece in pieces {
        if let Err(e) = decoder.feed(piece, &mut events) {
            return (events, Some(e.to_string()));
        }
    }
    let outcome = decoder.finish(&mut events).err().map(|e| e.to_string());
    (events, outcome)
}

/// Audio chunks follow each other without gaps or overlaps; every span is ordered; the
/// alignment, the viseme timeline built from it and the mouth it gives stay sane.
fn check_events(events: &[StreamEvent], rate: u32) {
    let mut next_frame = None;
    let mut alignment = Alignment::default();
    let mut sample_rate = rate;
    for event in events {
        match event {
            StreamEvent::Audio(chunk) => {
                assert!(chunk.sample_rate > 0);
                if let Some(next) = next_frame {
                    assert_eq!(chunk.start.0, next, "audio chunks are not contiguous");
                }
                next_frame = Some(chunk.start.0 + chunk.samples.len() as u64);
                sample_rate = chunk.sample_rate;
            }
            StreamEvent::Alignment(update) => {
                check_spans(update);
                alignment.apply(update.clone());
            }
            _ => {}
        }
    }
    let mut timeline = VisemeTimeline::new(sample_rate, ArticulationSettings::default());
    timeline.update(&alignment);
    let mut weights = VisemeWeights::default();
    let end = timeline.rest_from();
    for step in 0..=16 {
        let position = end * f64::from(step) / 16.0 - 1_000.0 + f64::from(step) * 997.0;
        timeline.evaluate(position, &mut weights);
        check_weights(&weights);
    }
    timeline.evaluate(end + 1.0, &mut weights);
    check_weights(&weights);
}

fn check_spans(update: &AlignmentUpdate) {
    let ordered = |span: &FrameSpan| span.start <= span.end;
    assert!(update.words.iter().all(|w| ordered(&w.span)));
    assert!(update.phones.iter().all(|p| ordered(&p.span)));
    assert!(update.characters.iter().all(|c| ordered(&c.span)));
    assert!(update.visemes.iter().all(|v| ordered(&v.span)));
}

fn check_weights(weights: &VisemeWeights) {
    let all = weights
        .weights
        .iter()
        .chain(std::iter::once(&weights.jaw_open));
    for w in all {
        assert!(
            w.is_finite() && (0.0..=1.0).contains(w),
            "weight {w} out of [0, 1]"
        );
    }
}
