//! Turning rendered speech into the bytes of a synthesis response: chunking between words,
//! per-chunk audio encoding, SYNC/ASYNC line order, pacing, and the line-level faults.

use std::ops::Range;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use inworld_tts::wav::{pcm_bytes, wav_header};

use super::connection::{Response, Step};
use super::error::error_line;
use super::fault::Fault;
use super::source::Rendered;
use super::state::Settings;
use super::timestamps::{Clock, timestamp_info};
use super::tts::{Encoding, Synthesis};

/// The audio frames and words of one streamed chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ChunkSpan {
    pub frames: Range<usize>,
    pub words: Range<usize>,
}

/// Split the audio into chunks of about `target` frames, cutting halfway through the pause
/// after a word so each word lies wholly inside one chunk and every chunk holds one or more.
pub(crate) fn plan_chunks(rendered: &Rendered, target: usize) -> Vec<ChunkSpan> {
    let total = rendered.samples.len();
    let words = &rendered.words;
    let mut chunks = Vec::new();
    let (mut start_frame, mut first_word) = (0, 0);
    for (i, pair) in words.windows(2).enumerate() {
        let cut = pair[0]
            .end_frame
            .midpoint(pair[1].start_frame)
            .max(pair[0].end_frame)
            .clamp(start_frame, total);
        if cut - start_frame >= target {
            chunks.push(ChunkSpan {
                frames: start_frame..cut,
                words: first_word..i + 1,
            });
            (start_frame, first_word) = (cut, i + 1);
        }
    }
    chunks.push(ChunkSpan {
        frames: start_frame..total,
        words: first_word..words.len(),
    });
    chunks
}

/// `/tts/v1/voice:stream`: HTTP 200, then NDJSON lines, one HTTP chunk each.
pub(crate) fn streamed(
    synth: &Synthesis,
    rendered: &Rendered,
    settings: &Settings,
    fault: Option<&Fault>,
) -> Response {
    let mut lines = result_lines(synth, rendered, settings, fault);
    if let Some(last) = lines.last_mut() {
        last.result.insert("usage".into(), usage(synth));
    }

    Response {
        status: 200,
        headers: vec![("Content-Type", "application/json".into())],
        chunked: true,
        head_at: settings.pacing.first_chunk_delay,
        steps: with_line_faults(lines, fault),
        shape: Fault::body_shape(fault),
    }
}

/// The results of a streamed synthesis, each with its send time: the audio chunks (with their
/// timestamps, or followed by timestamp-only results with `ASYNC`).
pub(crate) fn result_lines(
    synth: &Synthesis,
    rendered: &Rendered,
    settings: &Settings,
    fault: Option<&Fault>,
) -> Vec<Line> {
    let rate = synth.sample_rate;
    let target = frames_in(settings.pacing.chunk_duration, rate);
    let chunks = plan_chunks(rendered, target);

    let mut lines = Vec::with_capacity(chunks.len() * 2);
    let mut trailing = Vec::new();
    for (index, chunk) in chunks.iter().enumerate() {
        let clock = Clock {
            rate,
            base: if settings.chunk_relative_times {
                chunk.frames.start
            } else {
                0
            },
            float_noise: settings.float_noise,
        };
        let at = settings
            .pacing
            .send_time(duration_of(chunk.frames.start, rate));
        let mut result = Map::new();
        result.insert(
            "audioContent".into(),
            // Odd chunks carry a LIST chunk, so a client skipping a fixed 44 bytes breaks.
            Value::String(chunk_audio(
                synth,
                rendered,
                index,
                chunk.frames.clone(),
                index % 2 == 1,
                fault,
            )),
        );
        let info = timestamp_info(
            synth,
            rendered,
            chunk.words.clone(),
            chunk.frames.clone(),
            clock,
        );
        match info {
            Some(info) if synth.deferred_timestamps => {
                let mut only = Map::new();
                only.insert("timestampInfo".into(), info);
                trailing.push(only);
            }
            Some(info) => {
                result.insert("timestampInfo".into(), info);
            }
            None => {}
        }
        lines.push(Line {
            result,
            at,
            has_audio: true,
        });
    }
    let last_at = lines.last().map(|l| l.at).unwrap_or_default();
    lines.extend(trailing.into_iter().map(|result| Line {
        result,
        at: last_at,
        has_audio: false,
    }));
    lines
}

/// One result before serialisation (an NDJSON line, or a WebSocket `audioChunk`).
pub(crate) struct Line {
    /// The object under `"result"`.
    pub result: Map<String, Value>,
    /// When it is sent, from the request's start.
    pub at: Duration,
    /// Whether it carries audio (rather than only timestamps).
    pub has_audio: bool,
}

/// Serialise the lines, inserting a stall, an error line or a broken line where a fault says.
fn with_line_faults(lines: Vec<Line>, fault: Option<&Fault>) -> Vec<Step> {
    let (after, interruption): (usize, Option<Step>) = match fault {
        Some(Fault::StallAfterChunks { chunks, stall }) => (*chunks, Some(Step::Pause(*stall))),
        Some(Fault::ErrorLineAfterChunks {
            chunks,
            grpc_code,
            message,
        }) => (*chunks, Some(data(error_line(*grpc_code, message)))),
        Some(Fault::MalformedLineAfterChunks(chunks)) => (
            *chunks,
            Some(data(b"{\"result\": {\"audioContent\": \"AAA\n".to_vec())),
        ),
        _ => (0, None),
    };
    let ends_stream = !matches!(interruption, Some(Step::Pause(_)) | None);
    let mut interruption = interruption;
    let mut steps = Vec::with_capacity(lines.len() + 1);
    let mut audio_sent = 0;
    let mut last_at = Duration::ZERO;
    for Line {
        result,
        at,
        has_audio,
    } in lines
    {
        if audio_sent >= after
            && let Some(step) = interruption.take()
        {
            steps.push(timed(step, last_at));
            if ends_stream {
                return steps;
            }
        }
        let mut bytes = json!({ "result": result }).to_string().into_bytes();
        bytes.push(b'\n');
        steps.push(Step::Data { bytes, at });
        last_at = at;
        audio_sent += usize::from(has_audio);
    }
    if let Some(step) = interruption {
        steps.push(timed(step, last_at));
    }
    steps
}

fn data(bytes: Vec<u8>) -> Step {
    Step::Data {
        bytes,
        at: Duration::ZERO,
    }
}

fn timed(step: Step, at: Duration) -> Step {
    match step {
        Step::Data { bytes, .. } => Step::Data { bytes, at },
        pause => pause,
    }
}

/// `/tts/v1/voice`: one JSON object with all the audio, sent once "synthesis" is done.
pub(crate) fn unary(
    synth: &Synthesis,
    rendered: &Rendered,
    settings: &Settings,
    fault: Option<&Fault>,
) -> Response {
    let total = rendered.samples.len();
    let mut body = json!({
        "audioContent": chunk_audio(synth, rendered, 0, 0..total, true, fault),
        "usage": usage(synth),
    });
    let clock = Clock {
        rate: synth.sample_rate,
        base: 0,
        float_noise: settings.float_noise,
    };
    if let Some(info) = timestamp_info(synth, rendered, 0..rendered.words.len(), 0..total, clock) {
        body["timestampInfo"] = info;
    }
    let mut response = Response::json(200, &body);
    response.head_at = settings
        .pacing
        .send_time(duration_of(total, synth.sample_rate));
    response.shape = Fault::body_shape(fault);
    if let Some(Fault::StallAfterChunks { stall, .. }) = fault {
        response.steps.insert(0, Step::Pause(*stall));
    }
    response
}

fn usage(synth: &Synthesis) -> Value {
    json!({
        "processedCharactersCount": synth.text.chars().count(),
        "modelId": synth.model_id,
    })
}

/// Base64 audio of chunk `index` covering `frames`, in the requested encoding; `with_list`
/// puts a `LIST` chunk before `data` in its WAV header, if it has one.
fn chunk_audio(
    synth: &Synthesis,
    rendered: &Rendered,
    index: usize,
    frames: Range<usize>,
    with_list: bool,
    fault: Option<&Fault>,
) -> String {
    let samples = rendered.samples.get(frames).unwrap_or_default();
    let rate = synth.sample_rate;
    let mismatch = matches!(fault, Some(Fault::WavRateMismatchAtChunk(i)) if *i == index);
    let header_rate = if !mismatch {
        rate
    } else if rate == 24_000 {
        16_000
    } else {
        24_000
    };
    let header = match (synth.encoding, index) {
        (Encoding::Linear16, _) => Some(header(header_rate, samples.len() * 2, with_list)),
        // A streamed WAV announces the whole audio in its one header.
        (Encoding::Wav, 0) => Some(header(header_rate, rendered.samples.len() * 2, with_list)),
        _ if mismatch => Some(header(header_rate, samples.len() * 2, false)),
        _ => None,
    };
    let mut bytes = header.unwrap_or_default();
    bytes.extend_from_slice(&pcm_bytes(samples));
    let mut encoded = STANDARD.encode(bytes);
    if matches!(fault, Some(Fault::BadBase64AtChunk(i)) if *i == index) {
        encoded.insert_str(encoded.len().min(8), "*!");
    }
    encoded
}

/// The `LIST` chunk some TTS servers put before `data`: it breaks clients that skip a fixed 44
/// bytes of header.
const LIST_CHUNK: &[u8] = b"LIST\x22\x00\x00\x00INFOISFT\x16\x00\x00\x00bevy_lipsync emulator\0";

/// A WAV header for `data_len` bytes at `rate`, with the `LIST` chunk when `with_list`.
fn header(rate: u32, data_len: usize, with_list: bool) -> Vec<u8> {
    wav_header(rate, data_len, if with_list { LIST_CHUNK } else { &[] })
}

fn frames_in(duration: Duration, rate: u32) -> usize {
    (duration.as_secs_f64() * f64::from(rate)).round() as usize
}

fn duration_of(frames: usize, rate: u32) -> Duration {
    Duration::from_secs_f64(frames as f64 / f64::from(rate.max(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render_tones;

    #[test]
    fn chunks_cover_the_audio_and_split_between_words() {
        let rendered = render_tones("one two three four five six", 1000, 1.0);
        for target in [0, 100, 250, 10_000] {
            let chunks = plan_chunks(&rendered, target);
            assert_eq!(chunks[0].frames.start, 0);
            assert_eq!(chunks.last().unwrap().frames.end, rendered.frames());
            assert_eq!(chunks.last().unwrap().words.end, 6);
            for pair in chunks.windows(2) {
                assert_eq!(pair[0].frames.end, pair[1].frames.start);
                assert_eq!(pair[0].words.end, pair[1].words.start);
            }
            for chunk in &chunks {
                assert!(!chunk.words.is_empty());
                for word in &rendered.words[chunk.words.clone()] {
                    assert!(chunk.frames.start <= word.start_frame);
                    assert!(word.end_frame <= chunk.frames.end);
                }
            }
        }
        assert_eq!(plan_chunks(&rendered, 0).len(), 6);
        assert_eq!(plan_chunks(&rendered, 10_000).len(), 1);
        assert_eq!(plan_chunks(&render_tones(" ", 1000, 1.0), 10).len(), 1);
    }
}
