//! One connection: read a request, route it, write the response on its schedule, close.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::error::ApiError;
use super::http::{self, BodyShape, BodyWriter, Flow, Framing, ReadError};
use super::routes;
use super::state::Shared;

/// A piece of a response body.
#[derive(Debug)]
pub(crate) enum Step {
    /// Bytes to write, no earlier than `at` after the request was read.
    Data { bytes: Vec<u8>, at: Duration },
    /// Write nothing for this long; later steps move back by as much.
    Pause(Duration),
}

/// A response and when its parts go out.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub chunked: bool,
    /// When the status line and headers are written.
    pub head_at: Duration,
    pub steps: Vec<Step>,
    pub shape: BodyShape,
}

impl Response {
    /// A JSON body sent at once with `Content-Length`.
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", "application/json".into())],
            chunked: false,
            head_at: Duration::ZERO,
            steps: vec![Step::Data {
                bytes: body.to_string().into_bytes(),
                at: Duration::ZERO,
            }],
            shape: BodyShape::default(),
        }
    }

    /// A binary body (a file) sent at once with `Content-Length`.
    pub fn bytes(status: u16, content_type: &str, bytes: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type", content_type.to_owned())],
            chunked: false,
            head_at: Duration::ZERO,
            steps: vec![Step::Data {
                bytes,
                at: Duration::ZERO,
            }],
            shape: BodyShape::default(),
        }
    }

    /// A non-200 gRPC-style error.
    pub fn error(error: &ApiError) -> Self {
        let mut headers = vec![("Content-Type", "application/json".into())];
        if let Some(after) = error.retry_after {
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            headers.push(("Retry-After", secs.to_string()));
        }
        Self {
            status: error.http,
            headers,
            chunked: false,
            head_at: Duration::ZERO,
            steps: vec![Step::Data {
                bytes: error.body(),
                at: Duration::ZERO,
            }],
            shape: BodyShape::default(),
        }
    }
}

/// What to do with a routed request.
#[derive(Debug)]
pub(crate) enum Outcome {
    Respond(Response),
    /// Close with a TCP reset, writing nothing.
    Reset,
}

/// Serve one connection to the end. Never panics on bad input; errors just end the task.
pub(crate) async fn serve(shared: Arc<Shared>, mut stream: TcpStream) {
    // Each write should leave as its own segment so clients see real fragmentation.
    let _ = stream.set_nodelay(true);
    let request = match http::read_request(&mut stream).await {
        Ok(request) => request,
        Err(ReadError::Gone) => return,
        Err(ReadError::Reject(error)) => {
            log::info!("malformed request -> {} ({})", error.http, error.message);
            let _ = send(&mut stream, Response::error(&error), Instant::now()).await;
            close(stream).await;
            return;
        }
    };
    let started = Instant::now();
    let seq = shared.record(&request);
    if request.path == super::socket::PATH {
        super::socket::serve(shared, stream, &request).await;
        return;
    }
    let outcome = routes::handle(&shared, &request, seq).await;
    let line = format!("{} {}", request.method, request.path);
    match outcome {
        Outcome::Reset => {
            log::info!("{line} -> reset (fault)");
            // Zero linger turns the close into an RST, like a crashed proxy.
            let _ = stream.set_zero_linger();
            drop(stream);
        }
        Outcome::Respond(response) => {
            let status = response.status;
            shared.update_record(seq, |r| r.status = Some(status));
            log::info!("{line} -> {status}");
            match send(&mut stream, response, started).await {
                Ok(Flow::Continue) => {}
                Ok(Flow::Cut) => log::info!("{line}: body cut short (fault)"),
                Err(e) => log::debug!("{line}: client went away: {e}"),
            }
            close(stream).await;
        }
    }
}

/// Write `response` following its schedule, measured from `started`.
pub(crate) async fn send(
    stream: &mut TcpStream,
    response: Response,
    started: Instant,
) -> io::Result<Flow> {
    tokio::time::sleep_until(deadline(started, response.head_at)).await;
    let framing = if response.chunked {
        Framing::Chunked
    } else {
        let length = response
            .steps
            .iter()
            .map(|step| match step {
                Step::Data { bytes, .. } => bytes.len(),
                Step::Pause(_) => 0,
            })
            .sum();
        Framing::Length(length)
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status,
        http::reason(response.status)
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    match framing {
        Framing::Length(length) => head.push_str(&format!("Content-Length: {length}\r\n")),
        Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n"),
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.flush().await?;

    let mut body = BodyWriter::new(stream, framing, response.shape);
    let mut shift = Duration::ZERO;
    for step in response.steps {
        match step {
            Step::Data { bytes, at } => {
                tokio::time::sleep_until(deadline(started, at.saturating_add(shift))).await;
                if body.write(&bytes).await? == Flow::Cut {
                    return Ok(Flow::Cut);
                }
            }
            Step::Pause(pause) => {
                tokio::time::sleep_until(deadline(Instant::now(), pause)).await;
                shift = shift.saturating_add(pause);
            }
        }
    }
    body.finish().await
}

/// `start + after`, saturating a year out instead of overflowing.
fn deadline(start: Instant, after: Duration) -> Instant {
    const FAR: Duration = Duration::from_secs(365 * 24 * 3600);
    start.checked_add(after.min(FAR)).unwrap_or(start)
}

/// Half-close, then drain what the client still sends for a moment: closing a socket with
/// unread input sends a reset, which can destroy the response in the client's buffers.
pub(crate) async fn close(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let until = Instant::now() + Duration::from_secs(1);
    let mut sink = [0_u8; 4096];
    while let Ok(Ok(n)) = tokio::time::timeout_at(until, stream.read(&mut sink)).await {
        if n == 0 {
            break;
        }
    }
}
