//! The emulator against a raw HTTP/1.1 client over loopback: protocol shapes, ground truth,
//! every fault, the voices API. Independent of `bevy_lipsync::inworld` on purpose.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use inworld_emulator::{
    AuthScheme, Emulator, EmulatorConfig, EmulatorHandle, Fault, OPENXR_VISEMES, Pacing,
    render_tones,
};
use serde_json::{Value, json};

const KEY: &str = "ZW11bGF0b3I6dGVzdA==";
const TEXT: &str = "Hello, world! The quick brown fox jumps over the lazy dog.";

fn emulator() -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

// ---- a minimal HTTP client -------------------------------------------------------------------

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Sizes of the HTTP chunks, for chunked bodies.
    chunks: Vec<usize>,
    /// The body ended properly (terminating chunk, or full Content-Length).
    complete: bool,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    fn raw_lines(&self) -> Vec<&[u8]> {
        self.body
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .collect()
    }
    fn lines(&self) -> Vec<Value> {
        let parse = |l: &[u8]| serde_json::from_slice(l).expect("NDJSON line");
        self.raw_lines().into_iter().map(parse).collect()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn send(port: u16, method: &str, path: &str, auth: Option<&str>, body: Option<&Value>) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if let Some(auth) = auth {
        request += &format!("Authorization: {auth}\r\n");
    }
    request += &format!("Content-Length: {}\r\n\r\n{body}", body.len());
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    // A reset ends the read early; whatever arrived before it is kept.
    let _ = stream.read_to_end(&mut raw);
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let mut reply = Reply {
        status: 0,
        headers: vec![],
        body: vec![],
        chunks: vec![],
        complete: false,
    };
    let Some(end) = find(raw, b"\r\n\r\n") else {
        return reply;
    };
    let head = std::str::from_utf8(&raw[..end]).unwrap();
    let mut lines = head.split("\r\n");
    reply.status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        reply
            .headers
            .push((name.trim().into(), value.trim().into()));
    }
    let mut rest = &raw[end + 4..];
    if reply.header("transfer-encoding") == Some("chunked") {
        while let Some(eol) = find(rest, b"\r\n") {
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..eol]).unwrap(), 16).unwrap();
            rest = &rest[eol + 2..];
            if size == 0 {
                reply.complete = true;
                break;
            }
            let take = size.min(rest.len());
            reply.body.extend_from_slice(&rest[..take]);
            reply.chunks.push(take);
            if rest.len() < size + 2 {
                break;
            }
            rest = &rest[size + 2..];
        }
    } else {
        let length: usize = reply.header("content-length").unwrap().parse().unwrap();
        reply.body = rest.to_vec();
        reply.complete = rest.len() == length;
    }
    reply
}

fn basic() -> Option<&'static str> {
    Some("Basic ZW11bGF0b3I6dGVzdA==")
}

fn synth_body(text: &str, extra: Value) -> Value {
    let mut body = json!({"text": text, "voiceId": "Dennis", "modelId": "inworld-tts-1.5-max"});
    for (key, value) in extra.as_object().into_iter().flatten() {
        body[key] = value.clone();
    }
    body
}

fn stream(e: &EmulatorHandle, text: &str, extra: Value) -> Reply {
    send(
        e.port(),
        "POST",
        "/tts/v1/voice:stream",
        basic(),
        Some(&synth_body(text, extra)),
    )
}

/// (sample rate, data bytes, had a LIST chunk) of a WAV file, walking its chunks.
fn wav_parts(bytes: &[u8]) -> (u32, &[u8], bool) {
    assert_eq!((&bytes[..4], &bytes[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
    let (mut at, mut rate, mut list) = (12, 0, false);
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        match &bytes[at..at + 4] {
            b"fmt " => rate = u32::from_le_bytes(bytes[at + 12..at + 16].try_into().unwrap()),
            b"LIST" => list = true,
            b"data" => return (rate, &bytes[at + 8..], list),
            _ => {}
        }
        at += 8 + size + size % 2;
    }
    panic!("no data chunk");
}

fn to_samples(bytes: &[u8]) -> Vec<i16> {
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

fn audio_of(line: &Value) -> Option<Vec<u8>> {
    let text = line["result"]["audioContent"].as_str()?;
    Some(STANDARD.decode(text).expect("valid base64"))
}

fn frame(seconds: &Value, rate: u32) -> usize {
    (seconds.as_f64().unwrap() * f64::from(rate)).round() as usize
}

// ---- auth and validation ---------------------------------------------------------------------

#[test]
fn bad_or_missing_key_is_unauthenticated() {
    let e = emulator();
    let body = synth_body("Hi", json!({}));
    for auth in [Some("Basic d3Jvbmc="), None, Some("Bearer nope")] {
        let reply = send(e.port(), "POST", "/tts/v1/voice", auth, Some(&body));
        assert_eq!(reply.status, 401);
        let error = reply.json();
        assert_eq!(error["code"], 16);
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("invalid authorization")
        );
        assert_eq!(error["details"], json!([]));
    }
    assert_eq!(
        send(e.port(), "GET", "/voices/v1/voices", None, None).status,
        401
    );
    let schemes: Vec<AuthScheme> = e.requests().iter().map(|r| r.auth).collect();
    assert_eq!(
        schemes[..3],
        [AuthScheme::Basic, AuthScheme::Missing, AuthScheme::Bearer]
    );
    assert!(!format!("{:?}", e.requests()).contains("d3Jvbmc"));
}

#[test]
fn text_limit_counts_characters_not_bytes() {
    let e = emulator();
    let long = send(
        e.port(),
        "POST",
        "/tts/v1/voice",
        basic(),
        Some(&synth_body(&"a".repeat(2001), json!({}))),
    );
    assert_eq!(long.status, 400);
    assert_eq!(long.json()["code"], 3);
    assert!(long.json()["message"].as_str().unwrap().contains("2,000"));

    let multibyte = "héé ".repeat(500);
    assert!(multibyte.len() > 2000 && multibyte.chars().count() == 2000);
    let pcm = json!({"audioConfig": {"audioEncoding": "PCM", "sampleRateHertz": 8000}});
    let ok = send(
        e.port(),
        "POST",
        "/tts/v1/voice",
        basic(),
        Some(&synth_body(&multibyte, pcm)),
    );
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["usage"]["processedCharactersCount"], 2000);
}

#[test]
fn unknown_voice_bad_enums_and_huge_bodies_are_refused() {
    let e = emulator();
    let unknown = stream(&e, "Hi", json!({"voiceId": "Nobody"}));
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_i64()),
        (404, Some(5))
    );
    assert!(
        unknown.json()["message"]
            .as_str()
            .unwrap()
            .contains("Unknown voice: Nobody")
    );
    assert_eq!(stream(&e, "Hi", json!({"voiceId": "dennis"})).status, 200);

    let mp3 = stream(&e, "Hi", json!({"audioConfig": {"audioEncoding": "MP3"}}));
    assert_eq!(mp3.status, 400);
    assert!(
        mp3.json()["message"]
            .as_str()
            .unwrap()
            .contains("not supported by the emulator")
    );
    assert_eq!(
        stream(&e, "Hi", json!({"timestampType": "WORDS"})).status,
        400
    );
    assert_eq!(
        stream(&e, "Hi", json!({"modelId": "inworld-tts-9"})).status,
        400
    );

    let mut raw = TcpStream::connect(("127.0.0.1", e.port())).unwrap();
    raw.write_all(b"POST /tts/v1/voice HTTP/1.1\r\nContent-Length: 9437184\r\n\r\n")
        .unwrap();
    let mut bytes = Vec::new();
    let _ = raw.read_to_end(&mut bytes);
    assert_eq!(parse_reply(&bytes).status, 413);
}

// ---- audio and timestamps against the ground truth --------------------------------------------

#[test]
fn linear16_chunks_are_whole_wavs_adding_up_to_the_truth() {
    let e = emulator();
    let reply = stream(&e, TEXT, json!({}));
    assert_eq!(reply.status, 200);
    assert!(reply.complete);
    let lines = reply.lines();
    assert!(
        lines.len() >= 3,
        "several chunks expected, got {}",
        lines.len()
    );
    assert_eq!(reply.chunks.len(), lines.len(), "one HTTP chunk per line");
    let (mut samples, mut lists) = (Vec::new(), 0);
    for line in &lines {
        let wav = audio_of(line).expect("every line has audio");
        let (rate, data, list) = wav_parts(&wav);
        assert_eq!(rate, 48_000);
        lists += usize::from(list);
        samples.extend(to_samples(data));
    }
    assert!(lists > 0, "some chunks carry a LIST chunk before data");
    assert_eq!(samples, render_tones(TEXT, 48_000, 1.0).samples);
    let usage = &lines.last().unwrap()["result"]["usage"];
    assert_eq!(usage["processedCharactersCount"], TEXT.chars().count());
    assert_eq!(usage["modelId"], "inworld-tts-1.5-max");
}

#[test]
fn unary_answer_is_one_wav_with_all_timestamps() {
    let e = emulator();
    let body = synth_body(TEXT, json!({"timestampType": "WORD"}));
    let reply = send(e.port(), "POST", "/tts/v1/voice", basic(), Some(&body)).json();
    let wav = STANDARD
        .decode(reply["audioContent"].as_str().unwrap())
        .unwrap();
    let (rate, data, _) = wav_parts(&wav);
    let truth = render_tones(TEXT, 48_000, 1.0);
    assert_eq!((rate, to_samples(data)), (48_000, truth.samples));
    let alignment = &reply["timestampInfo"]["wordAlignment"];
    let ends: Vec<usize> = alignment["wordEndTimeSeconds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| frame(s, 48_000))
        .collect();
    assert_eq!(
        ends,
        truth.words.iter().map(|w| w.end_frame).collect::<Vec<_>>()
    );
    assert_eq!(reply["usage"]["modelId"], "inworld-tts-1.5-max");
}

#[test]
fn pcm_has_no_header_and_wav_has_one() {
    let e = emulator();
    let pcm = stream(
        &e,
        TEXT,
        json!({"audioConfig": {"audioEncoding": "PCM", "sampleRateHertz": 16000, "speakingRate": 1.5}}),
    );
    let chunks: Vec<Vec<u8>> = pcm.lines().iter().filter_map(audio_of).collect();
    assert!(chunks.iter().all(|c| !c.starts_with(b"RIFF")));
    assert_eq!(
        to_samples(&chunks.concat()),
        render_tones(TEXT, 16_000, 1.5).samples
    );

    let wav = stream(
        &e,
        TEXT,
        json!({"audioConfig": {"audioEncoding": "WAV", "sampleRateHertz": 22050}}),
    );
    let chunks: Vec<Vec<u8>> = wav.lines().iter().filter_map(audio_of).collect();
    assert!(chunks[1..].iter().all(|c| !c.starts_with(b"RIFF")));
    let (rate, first, _) = wav_parts(&chunks[0]);
    assert_eq!(rate, 22_050);
    let all = [first.to_vec(), chunks[1..].concat()].concat();
    assert_eq!(to_samples(&all), render_tones(TEXT, 22_050, 1.0).samples);
}

/// (symbol, viseme, start frame, end frame)
type Phone = (String, String, usize, usize);
/// (text, start frame, end frame, phones)
type Word = (String, usize, usize, Vec<Phone>);

/// Words from SYNC lines, in request frames; chunk-relative times are rebased on the audio
/// received before their chunk.
fn sync_words(reply: &Reply, rate: u32, chunk_relative: bool) -> Vec<Word> {
    let mut words = Vec::new();
    let mut audio_before = 0;
    for line in reply.lines() {
        let audio = audio_of(&line)
            .map(|a| wav_parts(&a).1.len() / 2)
            .unwrap_or(0);
        let base = if chunk_relative { audio_before } else { 0 };
        let alignment = &line["result"]["timestampInfo"]["wordAlignment"];
        let texts = alignment["words"].as_array().cloned().unwrap_or_default();
        for (i, text) in texts.iter().enumerate() {
            let detail = alignment["phoneticDetails"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["wordIndex"] == i)
                .unwrap();
            assert_eq!(detail["isPartial"], false);
            let phones = detail["phones"].as_array().unwrap().iter().map(|p| {
                let start = frame(&p["startTimeSeconds"], rate) + base;
                let length = frame(&p["durationSeconds"], rate);
                (
                    p["phoneSymbol"].as_str().unwrap().to_owned(),
                    p["visemeSymbol"].as_str().unwrap().to_owned(),
                    start,
                    start + length,
                )
            });
            let start = frame(&alignment["wordStartTimeSeconds"][i], rate) + base;
            let end = frame(&alignment["wordEndTimeSeconds"][i], rate) + base;
            // SYNC: a word arrives with the audio that contains it.
            assert!(audio_before <= start && end <= audio_before + audio);
            words.push((
                text.as_str().unwrap().to_owned(),
                start,
                end,
                phones.collect(),
            ));
        }
        audio_before += audio;
    }
    words
}

fn truth_words(rate: u32) -> Vec<Word> {
    let truth = render_tones(TEXT, rate, 1.0);
    truth
        .words
        .into_iter()
        .map(|w| {
            let phones = w
                .phones
                .into_iter()
                .map(|p| (p.symbol, p.viseme, p.start_frame, p.end_frame));
            (w.text, w.start_frame, w.end_frame, phones.collect())
        })
        .collect()
}

#[test]
fn sync_word_timestamps_are_the_truth_in_both_time_bases() {
    let e = emulator();
    let word = json!({"timestampType": "WORD", "audioConfig": {"sampleRateHertz": 24000}});
    let absolute = stream(&e, TEXT, word.clone());
    assert_eq!(sync_words(&absolute, 24_000, false), truth_words(24_000));

    e.set_chunk_relative_times(true);
    let relative = stream(&e, TEXT, word.clone());
    assert_eq!(sync_words(&relative, 24_000, true), truth_words(24_000));

    e.set_chunk_relative_times(false);
    e.set_float_noise(true);
    let noisy = stream(&e, TEXT, word);
    for (got, want) in sync_words(&noisy, 24_000, false)
        .iter()
        .zip(truth_words(24_000))
    {
        assert_eq!(got.0, want.0);
        assert!(got.1.abs_diff(want.1) <= 1 && got.2.abs_diff(want.2) <= 1);
    }
}

#[test]
fn async_sends_all_audio_before_any_timestamps() {
    let e = emulator();
    let reply = stream(
        &e,
        TEXT,
        json!({"timestampType": "WORD", "timestampTransportStrategy": "ASYNC"}),
    );
    let lines = reply.lines();
    let first_ts = lines
        .iter()
        .position(|l| l["result"].get("timestampInfo").is_some())
        .unwrap();
    assert!(first_ts > 0);
    assert!(lines[..first_ts].iter().all(|l| audio_of(l).is_some()));
    assert!(
        lines[first_ts..]
            .iter()
            .all(|l| audio_of(l).is_none() && l["result"].get("timestampInfo").is_some())
    );
    let words: Vec<&str> = lines[first_ts..]
        .iter()
        .flat_map(|l| {
            l["result"]["timestampInfo"]["wordAlignment"]["words"]
                .as_array()
                .unwrap()
        })
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(words, TEXT.split_whitespace().collect::<Vec<_>>());
    assert!(lines.last().unwrap()["result"].get("usage").is_some());
}

#[test]
fn character_and_lipsync_alignments() {
    let e = emulator();
    let reply = stream(
        &e,
        TEXT,
        json!({"timestampType": "CHARACTER", "lipsyncConfig": {}, "audioConfig": {"audioEncoding": "PCM"}}),
    );
    let (mut characters, mut audio, mut visemes) = (String::new(), 0, Vec::new());
    let mut last_start = 0.0;
    for line in reply.lines() {
        let info = &line["result"]["timestampInfo"];
        let alignment = &info["characterAlignment"];
        for (i, c) in alignment["characters"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            characters += c.as_str().unwrap();
            let start = alignment["characterStartTimeSeconds"][i].as_f64().unwrap();
            assert!(
                start >= last_start
                    && alignment["characterEndTimeSeconds"][i].as_f64().unwrap() >= start
            );
            last_start = start;
        }
        visemes.extend(
            info["lipsyncAlignment"]["visemes"]
                .as_array()
                .unwrap()
                .clone(),
        );
        audio += audio_of(&line).unwrap().len() / 2;
    }
    assert_eq!(characters, TEXT);
    assert!(
        visemes
            .iter()
            .all(|v| OPENXR_VISEMES.contains(&v["visemeSymbol"].as_str().unwrap()))
    );
    // The visemes tile the whole audio, silences included.
    let covered: usize = visemes
        .iter()
        .map(|v| frame(&v["durationSeconds"], 48_000))
        .sum();
    assert_eq!(frame(&visemes[0]["startTimeSeconds"], 48_000), 0);
    assert!(covered.abs_diff(audio) <= visemes.len());
}

// ---- faults -------------------------------------------------------------------------------------

#[test]
fn status_fault_then_success() {
    let e = emulator();
    e.push_fault(Fault::rate_limited(Duration::from_millis(1500)), 1);
    let refused = stream(&e, "Hi there", json!({}));
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), Some("2"));
    assert_eq!(refused.json()["code"], 8);
    assert_eq!(stream(&e, "Hi there", json!({})).status, 200);
    assert_eq!(e.count_requests("/tts/v1/voice:stream"), 2);
    let log = e.requests();
    assert_eq!((log[0].status, log[1].status), (Some(429), Some(200)));
    assert!(log[0].fault.is_some() && log[1].fault.is_none());
}

#[test]
fn reset_writes_nothing_and_the_next_request_works() {
    let e = emulator();
    e.push_fault(Fault::ResetBeforeHeaders, 1);
    let reset = stream(&e, "Hi", json!({}));
    assert!(reset.status == 0 && reset.body.is_empty());
    assert_eq!(stream(&e, "Hi", json!({})).status, 200);
}

#[test]
fn drop_tiny_writes_and_slow_drip_reshape_the_same_bytes() {
    let e = emulator();
    let word = json!({"timestampType": "WORD", "audioConfig": {"sampleRateHertz": 8000}});
    let normal = stream(&e, "Thank you, friend.", word.clone());
    assert!(
        normal.complete && !normal.body.is_ascii(),
        "IPA makes the body multibyte"
    );

    let cut_at = normal.body.len() / 2 + 3;
    e.push_fault(Fault::DropAfterBytes(cut_at), 1);
    let dropped = stream(&e, "Thank you, friend.", word.clone());
    assert_eq!(dropped.body, normal.body[..cut_at]);
    assert!(!dropped.complete);

    e.push_fault(Fault::TinyWrites, 1);
    let tiny = stream(&e, "Thank you, friend.", word.clone());
    assert!(tiny.complete);
    assert_eq!(tiny.body, normal.body);
    assert!(tiny.chunks.iter().all(|c| *c == 1));

    e.push_fault(
        Fault::SlowDrip {
            bytes_per_write: 1000,
            delay: Duration::from_millis(1),
        },
        1,
    );
    let drip = stream(&e, "Thank you, friend.", word);
    assert_eq!(drip.body, normal.body);
    assert!(drip.chunks.iter().all(|c| *c <= 1000) && drip.chunks.len() > normal.chunks.len());
}

#[test]
fn error_and_malformed_lines_end_the_stream() {
    let e = emulator();
    e.push_fault(
        Fault::ErrorLineAfterChunks {
            chunks: 1,
            grpc_code: 13,
            message: "boom".into(),
        },
        1,
    );
    let errored = stream(&e, TEXT, json!({}));
    let lines = errored.lines();
    assert!(errored.complete && lines.len() == 2 && audio_of(&lines[0]).is_some());
    assert_eq!(
        lines[1],
        json!({"error": {"code": 13, "message": "boom", "details": []}})
    );

    e.push_fault(Fault::MalformedLineAfterChunks(2), 1);
    let malformed = stream(&e, TEXT, json!({}));
    let raw = malformed.raw_lines();
    assert_eq!(raw.len(), 3);
    assert!(serde_json::from_slice::<Value>(raw[1]).is_ok());
    assert!(serde_json::from_slice::<Value>(raw[2]).is_err());
}

#[test]
fn bad_base64_and_wav_rate_corrupt_one_chunk() {
    let e = emulator();
    e.push_fault(Fault::BadBase64AtChunk(1), 1);
    let lines = stream(&e, TEXT, json!({})).lines();
    let decodes: Vec<bool> = lines
        .iter()
        .map(|l| {
            STANDARD
                .decode(l["result"]["audioContent"].as_str().unwrap())
                .is_ok()
        })
        .collect();
    assert!(!decodes[1] && decodes[0] && decodes[2]);

    e.push_fault(Fault::WavRateMismatchAtChunk(0), 1);
    let lines = stream(&e, TEXT, json!({})).lines();
    assert_ne!(wav_parts(&audio_of(&lines[0]).unwrap()).0, 48_000);
    assert_eq!(wav_parts(&audio_of(&lines[1]).unwrap()).0, 48_000);

    e.push_fault(Fault::WavRateMismatchAtChunk(1), 1);
    let lines = stream(&e, TEXT, json!({"audioConfig": {"audioEncoding": "PCM"}})).lines();
    assert!(audio_of(&lines[1]).unwrap().starts_with(b"RIFF"));
    assert!(!audio_of(&lines[0]).unwrap().starts_with(b"RIFF"));
}

#[test]
fn stall_holds_the_connection_open_and_silent() {
    let e = emulator();
    e.push_fault(
        Fault::StallAfterChunks {
            chunks: 1,
            stall: Duration::from_secs(3),
        },
        1,
    );
    let mut socket = TcpStream::connect(("127.0.0.1", e.port())).unwrap();
    let body = synth_body(TEXT, json!({})).to_string();
    let head = format!(
        "POST /tts/v1/voice:stream HTTP/1.1\r\nAuthorization: Basic {KEY}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all((head + &body).as_bytes()).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut received = Vec::new();
    let mut buf = [0_u8; 65536];
    while find(&received, b"}}\n").is_none() {
        let n = socket.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the first line");
        received.extend_from_slice(&buf[..n]);
    }
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let after = socket.read(&mut buf).map(|n| &buf[..n]);
    // Only the first line's chunk trailer may still trickle in; no second line.
    match after {
        Err(e) => assert!(matches!(
            e.kind(),
            ErrorKind::WouldBlock | ErrorKind::TimedOut
        )),
        Ok(rest) => assert_eq!(rest, b"\r\n"),
    }
}

#[test]
fn pacing_delays_the_first_chunk() {
    let e = emulator();
    e.set_pacing(Pacing {
        first_chunk_delay: Duration::from_millis(150),
        ..Pacing::default()
    });
    let started = Instant::now();
    assert_eq!(stream(&e, "Hi", json!({})).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

// ---- voices, tokens, lifecycle ------------------------------------------------------------------

#[test]
fn voices_page_filter_design_publish_patch_delete_clone() {
    let e = emulator();
    let get = |path: &str| send(e.port(), "GET", path, basic(), None);
    let (mut ids, mut path) = (Vec::new(), "/voices/v1/voices?pageSize=3".to_owned());
    loop {
        let page = get(&path).json();
        ids.extend(
            page["voices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["voiceId"].as_str().unwrap().to_owned()),
        );
        let Some(token) = page["nextPageToken"].as_str() else {
            break;
        };
        path = format!("/voices/v1/voices?pageSize=3&pageToken={token}");
    }
    let all: Vec<String> = e.voices().into_iter().map(|v| v.voice_id).collect();
    assert_eq!(ids, all);
    let english = get("/voices/v1/voices?filter=lang_code%20%3D%20%22en%22").json();
    assert!(
        english["voices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["langCode"] == "EN_US")
    );
    assert_eq!(english["voices"].as_array().unwrap().len(), 5);

    let post = |path: &str, body: Value| send(e.port(), "POST", path, basic(), Some(&body));
    let prompt = "A gravelly old sea captain with a warm laugh";
    assert_eq!(
        post(
            "/voices/v1/voices:design",
            json!({"designPrompt": "short", "previewText": "Hi"})
        )
        .status,
        400
    );
    let design = post("/voices/v1/voices:design", json!({"designPrompt": prompt, "previewText": "Ahoy there, sailor.", "voiceDesignConfig": {"numberOfSamples": 2}})).json();
    let previews = design["previewVoices"].as_array().unwrap();
    assert_eq!(previews.len(), 2);
    let draft = previews[0]["voiceId"].as_str().unwrap().to_owned();
    wav_parts(
        &STANDARD
            .decode(previews[0]["previewAudio"].as_str().unwrap())
            .unwrap(),
    );
    assert_eq!(
        stream(&e, "Hi", json!({"voiceId": draft})).status,
        404,
        "drafts cannot speak"
    );

    let publish = format!("/voices/v1/voices/{draft}%3Apublish");
    let published = post(&publish, json!({"displayName": "Captain"})).json();
    assert_eq!(
        (
            published["source"].as_str(),
            published["displayName"].as_str()
        ),
        (Some("IVC"), Some("Captain"))
    );
    assert_eq!(post(&publish, json!({})).status, 404);
    assert_eq!(
        get("/voices/v1/voices").json()["voices"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert_eq!(stream(&e, "Hi", json!({"voiceId": draft})).status, 200);
    let voice_path = format!("/voices/v1/voices/{draft}");
    let patched = send(
        e.port(),
        "PATCH",
        &voice_path,
        basic(),
        Some(&json!({"description": "salty"})),
    );
    assert_eq!(patched.json()["description"], "salty");
    assert_eq!(
        send(e.port(), "DELETE", &voice_path, basic(), None).status,
        200
    );
    assert_eq!(get(&voice_path).status, 404);
    assert_eq!(
        send(
            e.port(),
            "DELETE",
            "/voices/v1/voices/Dennis",
            basic(),
            None
        )
        .status,
        403
    );

    let sample = STANDARD.encode(b"RIFF....WAVE");
    assert_eq!(post("/voices/v1/voices:clone", json!({"displayName": "Me", "langCode": "EN_US", "voiceSamples": [{"audioData": "%%%"}]})).status, 400);
    let cloned = post(
        "/voices/v1/voices:clone",
        json!({"displayName": "Me", "langCode": "EN_US", "voiceSamples": [{"audioData": sample}]}),
    )
    .json();
    assert_eq!(cloned["voice"]["source"], "IVC");
    assert_eq!(
        get(&format!(
            "/voices/v1/voices/{}",
            cloned["voice"]["voiceId"].as_str().unwrap()
        ))
        .status,
        200
    );
}

#[test]
fn bearer_tokens_minted_with_the_key_work() {
    let e = emulator();
    let minted = send(
        e.port(),
        "POST",
        "/auth/v1/tokens",
        basic(),
        Some(&json!({})),
    )
    .json();
    let bearer = format!("Bearer {}", minted["token"].as_str().unwrap());
    let body = synth_body("Hi", json!({}));
    assert_eq!(
        send(
            e.port(),
            "POST",
            "/tts/v1/voice",
            Some(&bearer),
            Some(&body)
        )
        .status,
        200
    );
}

#[test]
fn a_fault_spec_applies_and_shutdown_frees_the_port() {
    let e = Emulator::spawn(EmulatorConfig {
        key: Some("k".into()),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let (fault, times) = Fault::parse_spec("status:503*2").unwrap();
    e.push_fault(fault, times);
    assert_eq!(e.base_url(), format!("http://127.0.0.1:{}", e.port()));
    let body = synth_body("Hi", json!({}));
    let refused = send(
        e.port(),
        "POST",
        "/tts/v1/voice",
        Some("Basic k"),
        Some(&body),
    );
    assert_eq!(
        (refused.status, refused.json()["code"].as_i64()),
        (503, Some(14))
    );
    let port = e.port();
    e.shutdown();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[tokio::test]
async fn start_serves_on_the_current_runtime() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let e = Emulator::start(EmulatorConfig {
        key: Some(KEY.into()),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let mut socket = tokio::net::TcpStream::connect(e.addr()).await.unwrap();
    let request = format!("GET /voices/v1/voices HTTP/1.1\r\nAuthorization: Basic {KEY}\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    socket.read_to_end(&mut raw).await.unwrap();
    let reply = parse_reply(&raw);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["voices"].as_array().unwrap().len(), 7);
}
