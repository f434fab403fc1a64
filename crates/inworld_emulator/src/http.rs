//! Just enough HTTP/1.1, by hand, so faults can be injected at the byte level.
//!
//! One request per connection: read the head and a `Content-Length` body, answer with
//! `Connection: close`, close. Response bodies go through [`BodyWriter`], which can cut them
//! short or trickle them out.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::error::ApiError;

/// Largest request head accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted (voice cloning uploads audio).
pub(crate) const MAX_BODY: usize = 8 * 1024 * 1024;
/// A client silent for this long is dropped.
const READ_IDLE: Duration = Duration::from_secs(30);

/// A parsed request.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// Percent-decoded path, without the query.
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// A header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter with this name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why no request came out of a connection.
pub(crate) enum ReadError {
    /// The peer left or went quiet: nothing to answer.
    Gone,
    /// Answer this error, then close.
    Reject(ApiError),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        Self::Gone
    }
}

/// Most header lines accepted in a request.
const MAX_HEADERS: usize = 64;

/// Read one request from `stream`.
pub(crate) async fn read_request(stream: &mut TcpStream) -> Result<Request, ReadError> {
    let mut buf = Vec::with_capacity(4096);
    let mut request = loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Request::new(&mut headers);
        match head.parse(&buf) {
            Ok(httparse::Status::Complete(head_len)) => {
                let request = owned_request(&head)?;
                buf.drain(..head_len);
                break request;
            }
            Ok(httparse::Status::Partial) if buf.len() > MAX_HEAD => {
                return Err(reject(431, "request headers exceed 64 KiB"));
            }
            Ok(httparse::Status::Partial) => read_more(stream, &mut buf).await?,
            Err(httparse::Error::Version) => {
                return Err(reject(505, "only HTTP/1.x is spoken here"));
            }
            Err(httparse::Error::TooManyHeaders) => {
                return Err(reject(431, "more than 64 request headers"));
            }
            Err(e) => return Err(reject(400, &format!("malformed request head: {e}"))),
        }
    };

    if request
        .header("transfer-encoding")
        .is_some_and(|te| !te.eq_ignore_ascii_case("identity"))
    {
        return Err(reject(
            411,
            "chunked request bodies are not supported; send Content-Length",
        ));
    }
    let length = match request.header("content-length") {
        Some(value) => value
            .parse::<usize>()
            .map_err(|_| reject(400, "invalid Content-Length"))?,
        None => 0,
    };
    if length > MAX_BODY {
        return Err(reject(413, "request body exceeds 8 MiB"));
    }
    let mut body = buf;
    if body.len() < length
        && request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
    }
    while body.len() < length {
        read_more(stream, &mut body).await?;
    }
    body.truncate(length);
    request.body = body;
    Ok(request)
}

/// The parts of a parsed head the routes need, decoded and owned.
fn owned_request(head: &httparse::Request<'_, '_>) -> Result<Request, ReadError> {
    // A complete parse always has a method and a target.
    let (method, target) = (
        head.method.unwrap_or_default(),
        head.path.unwrap_or_default(),
    );
    let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let path = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| reject(400, "request path is not UTF-8"))?
        .into_owned();
    let mut headers = Vec::with_capacity(head.headers.len());
    for header in head.headers.iter() {
        let value = std::str::from_utf8(header.value)
            .map_err(|_| reject(400, "a request header is not UTF-8"))?;
        headers.push((header.name.to_owned(), value.trim().to_owned()));
    }
    Ok(Request {
        method: method.to_owned(),
        path,
        query: url::form_urlencoded::parse(raw_query.as_bytes())
            .into_owned()
            .collect(),
        headers,
        body: Vec::new(),
    })
}

fn reject(http: u16, message: &str) -> ReadError {
    ReadError::Reject(ApiError::new(
        http,
        super::error::grpc_code_for(http),
        message,
    ))
}

/// Append whatever arrives next; end of stream or a quiet client is `Gone`.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    let mut chunk = [0_u8; 16 * 1024];
    match tokio::time::timeout(READ_IDLE, stream.read(&mut chunk)).await {
        Ok(Ok(0)) | Err(_) => Err(ReadError::Gone),
        Ok(Ok(n)) => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
        Ok(Err(e)) => Err(e.into()),
    }
}

/// The status line's reason phrase.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

/// How a response body is framed on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// `Content-Length` of this many bytes.
    Length(usize),
    /// `Transfer-Encoding: chunked`, one HTTP chunk per write.
    Chunked,
}

/// Byte-level shaping of a body, from a fault.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BodyShape {
    /// Close the connection after this many payload bytes.
    pub cut_after: Option<usize>,
    /// Split every write into pieces of at most this many bytes.
    pub piece_len: Option<usize>,
    /// Pause between pieces.
    pub piece_delay: Duration,
}

/// Whether the body may go on after a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// The fault cut the body: close now, write nothing more.
    Cut,
}

/// Writes a body piece by piece, each piece its own write (and HTTP chunk), flushed.
pub(crate) struct BodyWriter<'a> {
    stream: &'a mut TcpStream,
    chunked: bool,
    shape: BodyShape,
    written: usize,
    /// When the next piece is due, while trickling.
    next_piece: Option<tokio::time::Instant>,
    scratch: Vec<u8>,
}

impl<'a> BodyWriter<'a> {
    pub fn new(stream: &'a mut TcpStream, framing: Framing, shape: BodyShape) -> Self {
        Self {
            stream,
            chunked: framing == Framing::Chunked,
            shape,
            written: 0,
            next_piece: None,
            scratch: Vec::new(),
        }
    }

    /// Write `data`, shaped by the fault.
    pub async fn write(&mut self, data: &[u8]) -> io::Result<Flow> {
        let piece_len = self.shape.piece_len.unwrap_or(data.len()).max(1);
        for piece in data.chunks(piece_len) {
            self.pause_between_pieces().await;
            let allowed = match self.shape.cut_after {
                Some(limit) => limit.saturating_sub(self.written).min(piece.len()),
                None => piece.len(),
            };
            if allowed == 0 {
                return Ok(Flow::Cut);
            }
            let out = &mut self.scratch;
            out.clear();
            if self.chunked {
                // The chunk announces the whole piece even when the cut leaves it short,
                // exactly as a connection dying mid-chunk looks.
                out.extend_from_slice(format!("{:X}\r\n", piece.len()).as_bytes());
            }
            out.extend_from_slice(&piece[..allowed]);
            let cut = allowed < piece.len();
            if self.chunked && !cut {
                out.extend_from_slice(b"\r\n");
            }
            self.stream.write_all(out).await?;
            self.stream.flush().await?;
            self.written += allowed;
            if cut {
                return Ok(Flow::Cut);
            }
        }
        Ok(Flow::Continue)
    }

    /// Trickle pieces out on a fixed schedule rather than sleeping after each: tokio timers
    /// tick in milliseconds, so a 50 µs delay would otherwise cost a whole millisecond a piece.
    /// The average rate is what was asked for; pieces may leave in small bursts.
    async fn pause_between_pieces(&mut self) {
        let delay = self.shape.piece_delay;
        if delay.is_zero() {
            return;
        }
        let now = tokio::time::Instant::now();
        let Some(due) = self.next_piece else {
            // The first piece goes at once.
            self.next_piece = Some(now + delay);
            return;
        };
        if due > now {
            tokio::time::sleep_until(due).await;
        }
        // Catch up on timer granularity, but by no more than a couple of milliseconds, so a
        // reader that stalls does not earn a burst afterwards.
        let floor = tokio::time::Instant::now()
            .checked_sub(Duration::from_millis(2))
            .unwrap_or(due);
        self.next_piece = Some(due.max(floor) + delay);
    }

    /// End the body: the terminating chunk, unless a cut is due.
    pub async fn finish(self) -> io::Result<Flow> {
        if self
            .shape
            .cut_after
            .is_some_and(|limit| self.written >= limit)
        {
            return Ok(Flow::Cut);
        }
        if self.chunked {
            self.stream.write_all(b"0\r\n\r\n").await?;
            self.stream.flush().await?;
        }
        Ok(Flow::Continue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// Sends `raw` to a fresh loopback connection and reads it back as a request.
    async fn read(raw: &'static [u8]) -> Result<Request, ReadError> {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            let mut stream = TcpStream::connect(address).await.unwrap();
            // Two writes, so the head arrives in pieces.
            let (first, rest) = raw.split_at(raw.len() / 2);
            stream.write_all(first).await.unwrap();
            stream.flush().await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
            stream.write_all(rest).await.unwrap();
            stream
        });
        let (mut server, _) = listener.accept().await.unwrap();
        let request = read_request(&mut server).await;
        drop(client.await.unwrap());
        request
    }

    fn status(result: Result<Request, ReadError>) -> u16 {
        match result {
            Err(ReadError::Reject(error)) => error.http,
            Err(ReadError::Gone) => panic!("gone"),
            Ok(request) => panic!("accepted {request:?}"),
        }
    }

    #[tokio::test]
    async fn paths_and_queries_are_decoded_and_the_body_read() {
        let request = read(
            b"POST /voices%3Adesign?filter=lang_code%20%3D%20%22en%22&pageSize=2&x&a+b=%zz% \
              HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Thing:  spaced  \r\n\r\nhello",
        )
        .await
        .unwrap_or_else(|e| match e {
            ReadError::Reject(e) => panic!("rejected: {}", e.message),
            ReadError::Gone => panic!("gone"),
        });
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/voices:design");
        assert_eq!(request.query_param("filter"), Some("lang_code = \"en\""));
        assert_eq!(request.query_param("pageSize"), Some("2"));
        assert_eq!(request.query_param("x"), Some(""));
        // `+` is a space in a query; a broken escape is kept as written.
        assert_eq!(request.query_param("a b"), Some("%zz%"));
        assert_eq!(request.header("x-thing"), Some("spaced"));
        assert_eq!(request.body, b"hello");
    }

    #[tokio::test]
    async fn malformed_heads_are_refused_with_the_right_status() {
        assert_eq!(status(read(b"GET / HTTP/2.0\r\n\r\n").await), 505);
        assert_eq!(status(read(b"GET /\r\nHost x\r\n\r\n").await), 400);
        assert_eq!(status(read(b"GET /%FF HTTP/1.1\r\n\r\n").await), 400);
        assert_eq!(
            status(read(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").await),
            411
        );
        assert_eq!(
            status(read(b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n").await),
            413
        );
    }
}
