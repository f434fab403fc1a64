//! Response bodies as Inworld sends them (camelCase JSON; unknown fields ignored).

use std::borrow::Cow;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// One line of a streaming response: a result or an error.
#[derive(Debug, Deserialize)]
pub(crate) struct StreamLine<'a> {
    #[serde(borrow)]
    pub result: Option<SynthesisResult<'a>>,
    pub error: Option<ErrorBody>,
}

/// A synthesis result: the whole non-streaming response, or one streamed chunk.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SynthesisResult<'a> {
    /// Base64 audio. Borrowed when the JSON has no escapes (base64 never needs any).
    #[serde(borrow, default)]
    pub audio_content: Option<Cow<'a, str>>,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default)]
    pub timestamp_info: Option<TimestampInfo>,
}

/// Usage accounting of a request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Characters billed.
    #[serde(default, deserialize_with = "lenient_u64")]
    pub processed_characters_count: u64,
    /// The model that served the request.
    #[serde(default)]
    pub model_id: String,
}

/// The gRPC-style error body (`{"code", "message", "details"}`), alone or under `"error"`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default, deserialize_with = "grpc_code")]
    pub code: Option<i32>,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorEnvelope {
    #[serde(default)]
    pub error: Option<ErrorBody>,
    #[serde(default, deserialize_with = "grpc_code")]
    pub code: Option<i32>,
    #[serde(default)]
    pub message: Option<String>,
}

impl ErrorEnvelope {
    /// The error body whether it was wrapped in `"error"` or at the top level.
    pub fn into_body(self) -> Option<ErrorBody> {
        self.error.or(match (self.code, self.message) {
            (None, None) => None,
            (code, message) => Some(ErrorBody {
                code,
                message: message.unwrap_or_default(),
            }),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TimestampInfo {
    #[serde(default)]
    pub word_alignment: Option<WordAlignment>,
    #[serde(default)]
    pub character_alignment: Option<CharacterAlignment>,
    /// Schema not public: kept raw and read defensively.
    #[serde(default)]
    pub lipsync_alignment: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WordAlignment {
    #[serde(default)]
    pub words: Vec<String>,
    #[serde(default)]
    pub word_start_time_seconds: Vec<f64>,
    #[serde(default)]
    pub word_end_time_seconds: Vec<f64>,
    #[serde(default)]
    pub phonetic_details: Vec<PhoneticDetail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PhoneticDetail {
    #[serde(default)]
    pub word_index: i64,
    #[serde(default)]
    pub phones: Vec<Phone>,
    #[serde(default)]
    pub is_partial: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Phone {
    #[serde(default)]
    pub phone_symbol: String,
    #[serde(default)]
    pub start_time_seconds: f64,
    #[serde(default)]
    pub duration_seconds: f64,
    #[serde(default)]
    pub viseme_symbol: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CharacterAlignment {
    #[serde(default)]
    pub characters: Vec<String>,
    #[serde(default)]
    pub character_start_time_seconds: Vec<f64>,
    #[serde(default)]
    pub character_end_time_seconds: Vec<f64>,
}

/// A viseme read from `lipsyncAlignment`, times in seconds.
#[derive(Debug, PartialEq)]
pub(crate) struct RawViseme {
    pub label: String,
    pub start: f64,
    pub end: Option<f64>,
}

const LABEL_KEYS: [&str; 6] = [
    "visemeSymbol",
    "viseme",
    "symbol",
    "label",
    "name",
    "visemeId",
];
const START_KEYS: [&str; 6] = [
    "startTimeSeconds",
    "startTime",
    "start",
    "timeSeconds",
    "time",
    "offsetSeconds",
];
const END_KEYS: [&str; 3] = ["endTimeSeconds", "endTime", "end"];
const DURATION_KEYS: [&str; 3] = ["durationSeconds", "duration", "lengthSeconds"];

/// Reads `lipsyncAlignment` whatever its shape turns out to be: a list of objects with a label
/// and start (plus end or duration), or parallel arrays of labels and times. Returns the visemes
/// it understood and how many elements it had to skip.
pub(crate) fn parse_lipsync(value: &Value) -> (Vec<RawViseme>, usize) {
    let list = value
        .get("visemes")
        .or_else(|| value.get("visemeAlignment"))
        .unwrap_or(value);
    let Some(items) = list.as_array() else {
        return (Vec::new(), usize::from(!value.is_null()));
    };
    let parallel_starts = first_array(value, &["visemeStartTimeSeconds", "startTimeSeconds"]);
    let parallel_ends = first_array(value, &["visemeEndTimeSeconds", "endTimeSeconds"]);
    let mut out = Vec::with_capacity(items.len());
    let mut skipped = 0;
    for (i, item) in items.iter().enumerate() {
        let viseme = match item {
            Value::Object(_) => first_of(item, &LABEL_KEYS, label_of).and_then(|label| {
                let start = first_of(item, &START_KEYS, seconds_of)?;
                let end = first_of(item, &END_KEYS, seconds_of)
                    .or_else(|| first_of(item, &DURATION_KEYS, seconds_of).map(|d| start + d));
                Some(RawViseme { label, start, end })
            }),
            Value::String(_) | Value::Number(_) => label_of(item).and_then(|label| {
                let start = parallel_starts
                    .and_then(|s| s.get(i))
                    .and_then(seconds_of)?;
                let end = parallel_ends.and_then(|e| e.get(i)).and_then(seconds_of);
                Some(RawViseme { label, start, end })
            }),
            _ => None,
        };
        match viseme {
            Some(v) => out.push(v),
            None => skipped += 1,
        }
    }
    (out, skipped)
}

fn first_array<'v>(value: &'v Value, keys: &[&str]) -> Option<&'v Vec<Value>> {
    keys.iter().find_map(|k| value.get(*k)?.as_array())
}

fn first_of<T>(item: &Value, keys: &[&str], read: impl Fn(&Value) -> Option<T>) -> Option<T> {
    keys.iter().find_map(|k| item.get(*k).and_then(&read))
}

fn label_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Seconds as a number, a numeric string, or a protobuf Duration string (`"1.250s"`).
fn seconds_of(v: &Value) -> Option<f64> {
    let seconds = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.strip_suffix('s').unwrap_or(s).trim().parse().ok(),
        _ => None,
    }?;
    seconds.is_finite().then_some(seconds)
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    // protobuf's JSON mapping writes 64-bit integers as strings.
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().unwrap_or(0),
        Value::String(s) => s.parse().unwrap_or(0),
        _ => 0,
    })
}

fn grpc_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().and_then(|c| i32::try_from(c).ok()),
        Value::String(s) => s.parse().ok().or_else(|| grpc_code_named(&s)),
        _ => None,
    })
}

/// Codes written by name, as some gateways do (`"INVALID_ARGUMENT"`).
fn grpc_code_named(name: &str) -> Option<i32> {
    const NAMES: [&str; 17] = [
        "OK",
        "CANCELLED",
        "UNKNOWN",
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "PERMISSION_DENIED",
        "RESOURCE_EXHAUSTED",
        "FAILED_PRECONDITION",
        "ABORTED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "INTERNAL",
        "UNAVAILABLE",
        "DATA_LOSS",
        "UNAUTHENTICATED",
    ];
    NAMES
        .iter()
        .position(|n| n.eq_ignore_ascii_case(name))
        .and_then(|i| i32::try_from(i).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_documented_line_parses() {
        let text = include_str!("../tests/fixtures/inworld-stream-line-documented.json");
        let line: StreamLine = serde_json::from_str(text).unwrap();
        let result = line.result.unwrap();
        assert_eq!(result.usage.unwrap().processed_characters_count, 64);
        let words = result.timestamp_info.unwrap().word_alignment.unwrap();
        assert_eq!(words.words, ["Hello,", "world!"]);
        assert_eq!(words.phonetic_details[0].phones[3].phone_symbol, "oʊ1");
    }

    #[test]
    fn error_bodies_wrapped_or_bare_with_numeric_or_named_codes() {
        let wrapped: ErrorEnvelope =
            serde_json::from_value(json!({"error": {"code": 3, "message": "too long"}})).unwrap();
        assert_eq!(wrapped.into_body().unwrap().code, Some(3));
        let bare: ErrorEnvelope =
            serde_json::from_value(json!({"code": "UNAUTHENTICATED", "message": "no"})).unwrap();
        assert_eq!(bare.into_body().unwrap().code, Some(16));
        let empty: ErrorEnvelope = serde_json::from_value(json!({"unrelated": 1})).unwrap();
        assert!(empty.into_body().is_none());
    }

    #[test]
    fn lipsync_alignment_in_several_shapes() {
        let objects = json!({"visemes": [
            {"visemeSymbol": "PP", "startTimeSeconds": 0.1, "durationSeconds": 0.05},
            {"viseme": 7, "start": "0.2s", "end": 0.3},
            {"nothing": true}
        ]});
        let (visemes, skipped) = parse_lipsync(&objects);
        assert_eq!(skipped, 1);
        assert_eq!(visemes[0].label, "PP");
        assert!((visemes[0].end.unwrap() - 0.15).abs() < 1e-9);
        assert_eq!(
            visemes[1],
            RawViseme {
                label: "7".into(),
                start: 0.2,
                end: Some(0.3)
            }
        );
        let parallel = json!({"visemes": ["aa", "SIL"], "visemeStartTimeSeconds": [0.0, 0.4]});
        let (visemes, skipped) = parse_lipsync(&parallel);
        assert_eq!((visemes.len(), skipped), (2, 0));
        assert_eq!(visemes[1].start, 0.4);
        assert_eq!(parse_lipsync(&json!("garbage")).1, 1);
    }
}
