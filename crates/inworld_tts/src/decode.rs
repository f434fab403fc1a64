//! The incremental decoder: response bytes in, PCM and frame-keyed timing out.
//!
//! Feed it whatever the network delivers, in any split. It cuts lines at `\n` (bytes, not
//! characters), parses each, decodes base64, walks the WAV header of every chunk, carries an odd
//! trailing byte to the next chunk, and converts every time to a [`FrameOffset`] in the
//! utterance, exactly once.
//!
//! Time bases: Inworld's HTTP stream is understood to count times from the start of the
//! request's audio, but that is inferred, not documented. With [`TimeBase::Auto`] the decoder
//! settles it on the first chunk (after the first) that carries both audio and timestamps: times
//! far below the audio already received mean chunk-relative times.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error::{ApiFailure, InworldError, Result};
use super::ndjson::LineSplitter;
use super::request::AudioEncoding;
use super::wav::split_wav;
use super::wire::{self, StreamLine, SynthesisResult, TimestampInfo, Usage};
use lipsync_core::alignment::{
    AlignmentUpdate, CharacterMark, FrameOffset, FrameSpan, PhoneMark, VisemeMark, WordMark,
};

/// How timestamp seconds relate to the audio.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeBase {
    /// Decide from the data (see the module docs).
    #[default]
    Auto,
    /// Seconds from the start of the request's audio.
    Request,
    /// Seconds from the start of the chunk that carries them.
    Chunk,
}

/// PCM decoded from one chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioChunk {
    /// Where the chunk's first sample sits in the utterance.
    pub start: FrameOffset,
    /// The chunk's sample rate.
    pub sample_rate: u32,
    /// Mono samples.
    pub samples: Vec<i16>,
}

/// What a stream delivers, in order.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StreamEvent {
    /// PCM audio (LINEAR16, PCM and WAV encodings).
    Audio(AudioChunk),
    /// Bytes of a compressed encoding (MP3, Ogg Opus, FLAC), passed through undecoded.
    Encoded(Vec<u8>),
    /// Timing data, in utterance frames.
    Alignment(AlignmentUpdate),
    /// Usage accounting (usually on the last message).
    Usage(Usage),
}

/// Decodes one request's response. See the module docs.
#[derive(Debug)]
pub struct StreamDecoder {
    lines: LineSplitter,
    state: DecodeState,
}

#[derive(Debug)]
struct DecodeState {
    encoding: AudioEncoding,
    sample_rate: u32,
    rate_settled: bool,
    /// Frames of the utterance before this request.
    base: u64,
    /// Frames of this request decoded so far.
    frames: u64,
    odd_byte: Option<u8>,
    time_base: TimeBase,
    /// Start (request frames) of each audio chunk, for chunk-relative trailing timestamps.
    chunk_starts: Vec<u64>,
    timestamp_only_messages: usize,
    words_seen: usize,
    messages: usize,
    skipped: usize,
    scratch: Vec<u8>,
}

impl StreamDecoder {
    /// A decoder for a request that asked for `encoding` at `sample_rate`.
    pub fn new(encoding: AudioEncoding, sample_rate: u32) -> Self {
        StreamDecoder {
            lines: LineSplitter::default(),
            state: DecodeState {
                encoding,
                sample_rate,
                rate_settled: false,
                base: 0,
                frames: 0,
                odd_byte: None,
                time_base: TimeBase::Auto,
                chunk_starts: Vec::new(),
                timestamp_only_messages: 0,
                words_seen: 0,
                messages: 0,
                skipped: 0,
                scratch: Vec::new(),
            },
        }
    }

    /// Places this request's audio and times `base` frames into the utterance (the audio
    /// actually received from the requests before it).
    pub fn with_base(mut self, base: FrameOffset) -> Self {
        self.state.base = base.0;
        self
    }

    /// Forces a time base instead of detecting it.
    pub fn with_time_base(mut self, time_base: TimeBase) -> Self {
        self.state.time_base = time_base;
        self
    }

    /// Feeds the next bytes of the response body; decoded events go to `out`.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<StreamEvent>) -> Result<()> {
        let state = &mut self.state;
        self.lines.push(bytes, |line| state.line(line, out))
    }

    /// Ends the body: decodes a final line that had no newline.
    pub fn finish(&mut self, out: &mut Vec<StreamEvent>) -> Result<()> {
        let state = &mut self.state;
        self.lines.finish(|line| state.line(line, out))
    }

    /// Decodes a whole non-streaming response body (`{"audioContent", "timestampInfo", ...}`).
    pub fn decode_whole(&mut self, body: &[u8], out: &mut Vec<StreamEvent>) -> Result<()> {
        let result: SynthesisResult = serde_json::from_slice(body).map_err(|e| {
            InworldError::Protocol(format!("the response is not the expected JSON: {e}"))
        })?;
        self.state.result(result, out)
    }

    /// Decodes one already-parsed result (a WebSocket `audioChunk`).
    pub(crate) fn decode_result(
        &mut self,
        result: SynthesisResult<'_>,
        out: &mut Vec<StreamEvent>,
    ) -> Result<()> {
        self.state.messages += 1;
        self.state.result(result, out)
    }

    /// Frames of this request's audio decoded so far.
    pub fn frames(&self) -> u64 {
        self.state.frames
    }

    /// The stream's sample rate (from the WAV headers when there are any).
    pub fn sample_rate(&self) -> u32 {
        self.state.sample_rate
    }

    /// The time base in use (`Auto` until the data settled it).
    pub fn time_base(&self) -> TimeBase {
        self.state.time_base
    }

    /// Timing items that could not be read and were skipped (malformed or unknown shapes).
    pub fn skipped_items(&self) -> usize {
        self.state.skipped
    }
}

impl DecodeState {
    fn line(&mut self, line: &[u8], out: &mut Vec<StreamEvent>) -> Result<()> {
        self.messages += 1;
        let parsed: StreamLine = serde_json::from_slice(line).map_err(|e| {
            InworldError::Protocol(format!(
                "line {} of the stream is not valid JSON ({e}); it starts with `{}`",
                self.messages,
                preview(line)
            ))
        })?;
        if let Some(error) = parsed.error {
            return Err(InworldError::from_api(
                ApiFailure {
                    status: None,
                    code: error.code,
                    message: error.message,
                },
                None,
            ));
        }
        match parsed.result {
            Some(result) => self.result(result, out),
            // Tolerate message kinds this client does not know.
            None => Ok(()),
        }
    }

    fn result(&mut self, result: SynthesisResult, out: &mut Vec<StreamEvent>) -> Result<()> {
        let chunk_start = match result.audio_content.as_deref() {
            Some(b64) if !b64.is_empty() => Some(self.audio(b64, out)?),
            _ => None,
        };
        if let Some(info) = result.timestamp_info {
            let update = self.timestamps(info, chunk_start);
            if !update.is_empty() {
                out.push(StreamEvent::Alignment(update));
            }
        }
        if let Some(usage) = result.usage {
            out.push(StreamEvent::Usage(usage));
        }
        Ok(())
    }

    /// Decodes one chunk of audio; returns where it starts (request frames).
    fn audio(&mut self, b64: &str, out: &mut Vec<StreamEvent>) -> Result<u64> {
        let chunk = self.chunk_starts.len() + 1;
        self.scratch.clear();
        STANDARD
            .decode_vec(b64.as_bytes(), &mut self.scratch)
            .map_err(|e| {
                InworldError::Protocol(format!("chunk {chunk}: audioContent is not base64 ({e})"))
            })?;
        let start = self.frames;
        self.chunk_starts.push(start);
        if !self.encoding.is_pcm() {
            out.push(StreamEvent::Encoded(self.scratch.clone()));
            return Ok(start);
        }
        let payload = split_wav(&self.scratch)
            .map_err(|e| InworldError::Protocol(format!("chunk {chunk}: {e}")))?;
        if let Some(format) = payload.format {
            if self.rate_settled && format.sample_rate != self.sample_rate {
                return Err(InworldError::Protocol(format!(
                    "chunk {chunk} declares {} Hz but the stream is {} Hz",
                    format.sample_rate, self.sample_rate
                )));
            }
            self.sample_rate = format.sample_rate;
        }
        self.rate_settled = true;
        let samples = pcm16(payload.data, &mut self.odd_byte);
        self.frames += samples.len() as u64;
        out.push(StreamEvent::Audio(AudioChunk {
            start: FrameOffset(self.base + start),
            sample_rate: self.sample_rate,
            samples,
        }));
        Ok(start)
    }

    fn timestamps(&mut self, info: TimestampInfo, chunk_start: Option<u64>) -> AlignmentUpdate {
        let offset = self.time_offset(&info, chunk_start);
        let rate = self.sample_rate;
        let span = |start: f64, end: f64| FrameSpan::from_seconds(start, end, rate).shifted(offset);
        let mut update = AlignmentUpdate::default();

        if let Some(words) = info.word_alignment {
            let n = words
                .words
                .len()
                .min(words.word_start_time_seconds.len())
                .min(words.word_end_time_seconds.len());
            self.skipped += words.words.len() - n;
            for i in 0..n {
                update.words.push(WordMark {
                    text: words.words[i].as_str().into(),
                    span: span(
                        words.word_start_time_seconds[i],
                        words.word_end_time_seconds[i],
                    ),
                    partial: false,
                });
            }
            for detail in words.phonetic_details {
                // `wordIndex` indexes this message's words; accept an absolute index too.
                let local = usize::try_from(detail.word_index).ok().and_then(|i| {
                    if i < n {
                        Some(i)
                    } else {
                        i.checked_sub(self.words_seen).filter(|&j| j < n)
                    }
                });
                let Some(word) = local else {
                    self.skipped += detail.phones.len().max(1);
                    continue;
                };
                update.words[word].partial |= detail.is_partial;
                for phone in detail.phones {
                    let end = phone.start_time_seconds + phone.duration_seconds.max(0.0);
                    update.phones.push(PhoneMark {
                        symbol: phone.phone_symbol,
                        viseme: phone.viseme_symbol,
                        span: span(phone.start_time_seconds, end),
                        word,
                    });
                }
            }
            self.words_seen += n;
        }
        if let Some(chars) = info.character_alignment {
            let n = chars
                .characters
                .len()
                .min(chars.character_start_time_seconds.len())
                .min(chars.character_end_time_seconds.len());
            self.skipped += chars.characters.len() - n;
            for i in 0..n {
                update.characters.push(CharacterMark {
                    text: chars.characters[i].clone(),
                    span: span(
                        chars.character_start_time_seconds[i],
                        chars.character_end_time_seconds[i],
                    ),
                });
            }
        }
        if let Some(lipsync) = info.lipsync_alignment {
            let (visemes, skipped) = wire::parse_lipsync(&lipsync);
            self.skipped += skipped;
            for (i, v) in visemes.iter().enumerate() {
                // Without an end, a viseme lasts until the next one starts.
                let end = v
                    .end
                    .or_else(|| visemes.get(i + 1).map(|next| next.start))
                    .unwrap_or(v.start);
                update.visemes.push(VisemeMark {
                    label: v.label.clone(),
                    span: span(v.start, end),
                });
            }
        }
        update
    }

    /// Frames to add to this message's times: the request's base, plus the chunk's start
    /// when times are chunk-relative.
    fn time_offset(&mut self, info: &TimestampInfo, chunk_start: Option<u64>) -> u64 {
        if chunk_start.is_none() {
            self.timestamp_only_messages += 1;
        }
        if self.time_base == TimeBase::Auto
            && let Some(start) = chunk_start.filter(|&s| s > 0)
            && let Some(first) = earliest_time(info)
        {
            let first = FrameOffset::from_seconds(first, self.sample_rate).0;
            self.time_base = if first < start / 2 {
                TimeBase::Chunk
            } else {
                TimeBase::Request
            };
            log::debug!(
                "Inworld stream timestamps are {:?}-relative",
                self.time_base
            );
        }
        let within_request = match (self.time_base, chunk_start) {
            (TimeBase::Chunk, Some(start)) => start,
            // Trailing (ASYNC) timestamps belong to the audio chunks in order.
            (TimeBase::Chunk, None) => self
                .chunk_starts
                .get(self.timestamp_only_messages - 1)
                .copied()
                .unwrap_or(0),
            _ => 0,
        };
        self.base + within_request
    }
}

fn earliest_time(info: &TimestampInfo) -> Option<f64> {
    let words = info
        .word_alignment
        .as_ref()
        .and_then(|w| w.word_start_time_seconds.first().copied());
    let chars = info
        .character_alignment
        .as_ref()
        .and_then(|c| c.character_start_time_seconds.first().copied());
    match (words, chars) {
        (Some(w), Some(c)) => Some(w.min(c)),
        (w, c) => w.or(c),
    }
}

/// Little-endian 16-bit samples, carrying an odd last byte over to the next chunk.
fn pcm16(data: &[u8], odd_byte: &mut Option<u8>) -> Vec<i16> {
    let mut samples = Vec::with_capacity(data.len() / 2 + 1);
    let mut data = data;
    if let Some(low) = odd_byte.take() {
        match data.split_first() {
            Some((&high, rest)) => {
                samples.push(i16::from_le_bytes([low, high]));
                data = rest;
            }
            None => *odd_byte = Some(low),
        }
    }
    let pairs = data.chunks_exact(2);
    if let [last] = pairs.remainder() {
        *odd_byte = Some(*last);
    }
    samples.extend(pairs.map(|p| i16::from_le_bytes([p[0], p[1]])));
    samples
}

fn preview(line: &[u8]) -> String {
    let shown = &line[..line.len().min(60)];
    String::from_utf8_lossy(shown).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wav::encode_wav;
    use serde_json::json;

    fn b64(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }

    fn decode(body: &[u8], encoding: AudioEncoding) -> Result<Vec<StreamEvent>> {
        let mut decoder = StreamDecoder::new(encoding, 48_000);
        let mut out = Vec::new();
        decoder.feed(body, &mut out)?;
        decoder.finish(&mut out)?;
        Ok(out)
    }

    fn samples(events: &[StreamEvent]) -> Vec<i16> {
        events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::Audio(a) => Some(a.samples.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    #[test]
    fn every_linear16_chunk_has_its_header_walked() {
        let body = format!(
            "{}\n{}\n",
            json!({"result": {"audioContent": b64(&encode_wav(&[1, 2], 48_000))}}),
            json!({"result": {"audioContent": b64(&encode_wav(&[3, -4], 48_000))}})
        );
        let events = decode(body.as_bytes(), AudioEncoding::Linear16).unwrap();
        assert_eq!(samples(&events), [1, 2, 3, -4]);
        let StreamEvent::Audio(second) = &events[1] else {
            panic!("{events:?}")
        };
        assert_eq!(second.start, FrameOffset(2));
    }

    #[test]
    fn headerless_pcm_with_odd_chunk_sizes() {
        let bytes: Vec<u8> = [100i16, -200, 300]
            .iter()
            .flat_map(|s| s.to_le_bytes())
            .collect();
        let body = format!(
            "{}\n{}\n",
            json!({"result": {"audioContent": b64(&bytes[..3])}}),
            json!({"result": {"audioContent": b64(&bytes[3..])}})
        );
        let events = decode(body.as_bytes(), AudioEncoding::Pcm).unwrap();
        assert_eq!(samples(&events), [100, -200, 300]);
    }

    #[test]
    fn error_lines_and_garbage_are_typed_errors() {
        let body = format!(
            "{}\n{}\n",
            json!({"result": {"audioContent": b64(&encode_wav(&[1], 48_000))}}),
            json!({"error": {"code": 8, "message": "quota"}})
        );
        let err = decode(body.as_bytes(), AudioEncoding::Linear16).unwrap_err();
        assert!(matches!(err, InworldError::RateLimited { .. }), "{err}");
        let err = decode(
            b"{\"result\": {\"audioContent\": \"AA\n",
            AudioEncoding::Pcm,
        );
        assert!(matches!(err, Err(InworldError::Protocol(_))));
        let err = decode(
            b"{\"result\": {\"audioContent\": \"**==\"}}\n",
            AudioEncoding::Pcm,
        );
        assert!(err.unwrap_err().to_string().contains("not base64"));
        let mismatch = format!(
            "{}\n{}\n",
            json!({"result": {"audioContent": b64(&encode_wav(&[1], 48_000))}}),
            json!({"result": {"audioContent": b64(&encode_wav(&[1], 22_050))}})
        );
        let err = decode(mismatch.as_bytes(), AudioEncoding::Linear16).unwrap_err();
        assert!(err.to_string().contains("22050 Hz"), "{err}");
    }

    #[test]
    fn the_documented_line_becomes_frames() {
        let mut line: serde_json::Value = serde_json::from_str(include_str!(
            "../tests/fixtures/inworld-stream-line-documented.json"
        ))
        .unwrap();
        // The documented audio is elided; put a real chunk in its place.
        line["result"]["audioContent"] = json!(b64(&encode_wav(&[0; 10], 24_000)));
        let mut decoder = StreamDecoder::new(AudioEncoding::Linear16, 48_000);
        let mut out = Vec::new();
        decoder
            .feed(format!("{line}\n").as_bytes(), &mut out)
            .unwrap();
        assert_eq!(decoder.sample_rate(), 24_000);
        let update = out
            .iter()
            .find_map(|e| match e {
                StreamEvent::Alignment(u) => Some(u),
                _ => None,
            })
            .unwrap();
        assert_eq!(
            update.words[1].span,
            FrameSpan::new(FrameOffset(12_240), FrameOffset(24_960))
        );
        let o = &update.phones[3];
        assert_eq!(
            (o.symbol.as_str(), o.viseme.as_str(), o.word),
            ("oʊ1", "o", 0)
        );
        assert_eq!(
            o.span,
            FrameSpan::new(FrameOffset(7_920), FrameOffset(12_240))
        );
        assert_eq!(update.phones[4].word, 1);
        assert!(
            matches!(out.last(), Some(StreamEvent::Usage(u)) if u.model_id == "inworld-tts-1.5-max")
        );
    }

    fn word_line(samples: usize, word: &str, start: f64, end: f64) -> String {
        json!({"result": {
            "audioContent": b64(&encode_wav(&vec![0; samples], 1_000)),
            "timestampInfo": {"wordAlignment": {
                "words": [word], "wordStartTimeSeconds": [start], "wordEndTimeSeconds": [end],
                "phoneticDetails": [{"wordIndex": 0, "phones": [
                    {"phoneSymbol": "ə", "startTimeSeconds": start, "durationSeconds": end - start, "visemeSymbol": "aei"}
                ]}]
            }}
        }})
        .to_string()
    }

    fn word_starts(body: &str, time_base: TimeBase) -> (Vec<u64>, TimeBase) {
        let mut decoder = StreamDecoder::new(AudioEncoding::Linear16, 1_000)
            .with_base(FrameOffset(5))
            .with_time_base(time_base);
        let mut out = Vec::new();
        decoder.feed(body.as_bytes(), &mut out).unwrap();
        let starts = out
            .iter()
            .filter_map(|e| match e {
                StreamEvent::Alignment(u) => Some(u.words[0].span.start.0),
                _ => None,
            })
            .collect();
        (starts, decoder.time_base())
    }

    #[test]
    fn request_relative_and_chunk_relative_times_agree() {
        // Two chunks of 500 frames at 1 kHz; the second word starts 100 ms into the second chunk.
        let request_relative = format!(
            "{}\n{}\n",
            word_line(500, "a", 0.1, 0.4),
            word_line(500, "b", 0.6, 0.9)
        );
        let chunk_relative = format!(
            "{}\n{}\n",
            word_line(500, "a", 0.1, 0.4),
            word_line(500, "b", 0.1, 0.4)
        );
        let expected = vec![105, 605];
        assert_eq!(
            word_starts(&request_relative, TimeBase::Auto),
            (expected.clone(), TimeBase::Request)
        );
        assert_eq!(
            word_starts(&chunk_relative, TimeBase::Auto),
            (expected.clone(), TimeBase::Chunk)
        );
        assert_eq!(word_starts(&chunk_relative, TimeBase::Chunk).0, expected);
    }
}
