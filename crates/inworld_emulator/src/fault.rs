//! Injected failures: what each [`Fault`] does, its CLI spelling, and the FIFO they wait in.

use std::collections::VecDeque;
use std::time::Duration;

use super::error::grpc_code_for;
use super::http::BodyShape;

/// A failure applied to one synthesis request (`/tts/v1/voice` or `/tts/v1/voice:stream`)
/// instead of, or on top of, a normal answer. Chunk numbers count audio chunks from 0.
///
/// On the one-shot `/tts/v1/voice` endpoint the whole audio is chunk 0: `BadBase64AtChunk(0)`
/// and `WavRateMismatchAtChunk(0)` corrupt it, a stall delays the body after the headers, and
/// the line faults (`ErrorLineAfterChunks`, `MalformedLineAfterChunks`) do nothing.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status and gRPC body instead of synthesising; `retry_after` adds a
    /// `Retry-After` header (whole seconds, rounded up).
    Status {
        /// HTTP status, e.g. 429, 500, 503, 403.
        http: u16,
        /// gRPC code in the body, e.g. 8 for 429.
        grpc_code: i32,
        /// Message in the body.
        message: String,
        /// Value of the `Retry-After` header, if any.
        retry_after: Option<Duration>,
    },
    /// Read the request, then reset the connection (TCP RST) without writing a byte.
    ResetBeforeHeaders,
    /// Send the response normally but close the connection once this many bytes of body
    /// (payload, not chunk framing) are out, mid-chunk and without a terminating chunk.
    DropAfterBytes(usize),
    /// After this many audio lines, send an `{"error": {...}}` line and end the stream cleanly.
    ErrorLineAfterChunks {
        /// Audio lines sent before the error line.
        chunks: usize,
        /// gRPC code of the error line.
        grpc_code: i32,
        /// Message of the error line.
        message: String,
    },
    /// After this many audio lines, send a truncated, non-JSON line and end the stream.
    MalformedLineAfterChunks(usize),
    /// This chunk's `audioContent` contains characters outside the base64 alphabet.
    BadBase64AtChunk(usize),
    /// This chunk carries a WAV header (added if the encoding has none) whose sample rate
    /// differs from the requested one.
    WavRateMismatchAtChunk(usize),
    /// Write the body `bytes_per_write` bytes at a time (each its own HTTP chunk), pausing
    /// `delay` between writes.
    SlowDrip {
        /// Body bytes per write.
        bytes_per_write: usize,
        /// Pause between writes.
        delay: Duration,
    },
    /// Write every body byte in its own write and HTTP chunk, splitting multibyte UTF-8
    /// symbols across reads.
    TinyWrites,
    /// After this many audio lines, stop writing for `stall` without closing.
    StallAfterChunks {
        /// Audio lines sent before the stall (0: right after the headers).
        chunks: usize,
        /// How long nothing is written.
        stall: Duration,
    },
}

impl Fault {
    /// An error status with the matching gRPC code and a stock message, no `Retry-After`.
    pub fn status(http: u16) -> Self {
        Self::Status {
            http,
            grpc_code: grpc_code_for(http),
            message: format!("emulated failure: HTTP {http}"),
            retry_after: None,
        }
    }

    /// A 429 (gRPC 8) with a `Retry-After` header.
    pub fn rate_limited(retry_after: Duration) -> Self {
        Self::Status {
            http: 429,
            grpc_code: grpc_code_for(429),
            message: "emulated rate limit: too many requests".into(),
            retry_after: Some(retry_after),
        }
    }

    /// Parse a CLI fault spec: `NAME[:ARG[:ARG]][*TIMES]`, e.g. `tiny-writes`,
    /// `drop-after:5000`, `status:429:2` (Retry-After 2 s), `error-line:2`, `malformed-line:1`,
    /// `bad-base64:1`, `wav-rate:0`, `stall:1[:MS]`, `slow-drip:BYTES:MS`, `reset`.
    /// `*TIMES` repeats the fault (`*always` never runs out); the default is once.
    pub fn parse_spec(spec: &str) -> Result<(Self, u32), String> {
        let (body, times) = match spec.split_once('*') {
            Some((body, "always")) => (body, u32::MAX),
            Some((body, times)) => (body, number(times, "repeat count")?),
            None => (spec, 1),
        };
        let mut parts = body.split(':');
        let name = parts.next().unwrap_or_default();
        let args: Vec<&str> = parts.collect();
        let arg = |i: usize, what: &str| -> Result<usize, String> {
            args.get(i)
                .ok_or_else(|| format!("`{name}` needs {what}"))
                .and_then(|a| number(a, what))
        };
        let millis = |i: usize, default: u64| -> Result<Duration, String> {
            match args.get(i) {
                Some(a) => number(a, "milliseconds").map(Duration::from_millis),
                None => Ok(Duration::from_millis(default)),
            }
        };
        let max_args = match name {
            "tiny-writes" | "reset" => 0,
            "status" | "stall" | "slow-drip" => 2,
            _ => 1,
        };
        if args.len() > max_args {
            return Err(format!("too many arguments for `{name}`"));
        }
        let fault = match name {
            "tiny-writes" => Self::TinyWrites,
            "reset" => Self::ResetBeforeHeaders,
            "drop-after" => Self::DropAfterBytes(arg(0, "a byte count")?),
            "status" => {
                let http = u16::try_from(arg(0, "an HTTP status")?)
                    .ok()
                    .filter(|s| (400..=599).contains(s))
                    .ok_or("the status must be 400-599")?;
                let mut fault = Self::status(http);
                if let (Some(secs), Self::Status { retry_after, .. }) = (args.get(1), &mut fault) {
                    *retry_after = Some(Duration::from_secs(number(secs, "seconds")?));
                }
                fault
            }
            "error-line" => Self::ErrorLineAfterChunks {
                chunks: arg(0, "a chunk count")?,
                grpc_code: grpc_code_for(500),
                message: "emulated mid-stream failure".into(),
            },
            "malformed-line" => Self::MalformedLineAfterChunks(arg(0, "a chunk count")?),
            "bad-base64" => Self::BadBase64AtChunk(arg(0, "a chunk index")?),
            "wav-rate" => Self::WavRateMismatchAtChunk(arg(0, "a chunk index")?),
            "stall" => Self::StallAfterChunks {
                chunks: arg(0, "a chunk count")?,
                stall: millis(1, 60_000)?,
            },
            "slow-drip" => Self::SlowDrip {
                bytes_per_write: arg(0, "bytes per write")?.max(1),
                delay: millis(1, 10)?,
            },
            other => return Err(format!("unknown fault `{other}`")),
        };
        Ok((fault, times))
    }

    /// How this fault shapes the bytes of a response body.
    pub(crate) fn body_shape(fault: Option<&Self>) -> BodyShape {
        match fault {
            Some(Self::DropAfterBytes(limit)) => BodyShape {
                cut_after: Some(*limit),
                ..BodyShape::default()
            },
            Some(Self::SlowDrip {
                bytes_per_write,
                delay,
            }) => BodyShape {
                piece_len: Some((*bytes_per_write).max(1)),
                piece_delay: *delay,
                ..BodyShape::default()
            },
            Some(Self::TinyWrites) => BodyShape {
                piece_len: Some(1),
                ..BodyShape::default()
            },
            _ => BodyShape::default(),
        }
    }
}

fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("expected {what}, got `{text}`"))
}

/// Faults waiting for the next synthesis requests, first in first out.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue(VecDeque<(Fault, u32)>);

impl FaultQueue {
    /// Queue `fault` for the next `times` requests; `u32::MAX` never runs out.
    pub fn push(&mut self, fault: Fault, times: u32) {
        if times > 0 {
            self.0.push_back((fault, times));
        }
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The fault for the request being served now, if any.
    pub fn take(&mut self) -> Option<Fault> {
        let (fault, times) = self.0.front_mut()?;
        let fault = fault.clone();
        if *times != u32::MAX {
            *times -= 1;
            if *times == 0 {
                self.0.pop_front();
            }
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse() {
        assert_eq!(Fault::parse_spec("tiny-writes"), Ok((Fault::TinyWrites, 1)));
        assert_eq!(
            Fault::parse_spec("drop-after:5000*3"),
            Ok((Fault::DropAfterBytes(5000), 3))
        );
        let (fault, times) = Fault::parse_spec("status:429:2*always").unwrap();
        assert_eq!(times, u32::MAX);
        assert!(matches!(
            fault,
            Fault::Status { http: 429, grpc_code: 8, retry_after: Some(d), .. } if d.as_secs() == 2
        ));
        assert!(Fault::parse_spec("status:200").is_err());
        assert!(Fault::parse_spec("drop-after").is_err());
        assert!(Fault::parse_spec("bogus:1").is_err());
        assert!(Fault::parse_spec("tiny-writes:3").is_err());
    }

    #[test]
    fn queue_is_fifo_and_counts_down() {
        let mut queue = FaultQueue::default();
        queue.push(Fault::TinyWrites, 2);
        queue.push(Fault::ResetBeforeHeaders, 1);
        queue.push(Fault::DropAfterBytes(1), 0);
        assert_eq!(queue.take(), Some(Fault::TinyWrites));
        assert_eq!(queue.take(), Some(Fault::TinyWrites));
        assert_eq!(queue.take(), Some(Fault::ResetBeforeHeaders));
        assert_eq!(queue.take(), None);
    }
}
