//! Opening the WebSocket by hand: TCP, TLS for `wss`, and the HTTP upgrade, so the credential
//! never passes through tungstenite's handshake (which logs the request at trace level); and
//! the WebSocket URL derived from the client's base URL.

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::Role;
use url::Url;

use super::{SOCKET_PATH, SocketOptions};
use crate::client::InworldClient;
use crate::error::{ApiFailure, InworldError, Result};
use crate::wire::ErrorEnvelope;

pub(super) type Socket = WebSocketStream<Box<dyn Io>>;

/// Any byte stream a WebSocket can run on (plain TCP or TLS).
pub(super) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Opens the WebSocket: TCP, TLS for `wss`, the upgrade with the credentials, all within the
/// handshake timeout.
pub(super) async fn connect(client: &InworldClient, options: &SocketOptions) -> Result<Socket> {
    let url = socket_url(client)?;
    let host = url
        .host_str()
        .ok_or_else(|| InworldError::Config(format!("the base URL {url} has no host")))?
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let authorization = client.config().credentials.header_value().await?;
    let secure = url.scheme() == "wss";
    let handshake = async {
        let tcp = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| InworldError::Network(format!("cannot reach {host}:{port}: {e}")))?;
        let _ = tcp.set_nodelay(true);
        let mut stream: Box<dyn Io> = if secure {
            Box::new(tls(&host, tcp).await?)
        } else {
            Box::new(tcp)
        };
        let leftover = upgrade(&mut stream, &url, &authorization).await?;
        Ok(WebSocketStream::from_partially_read(stream, leftover, Role::Client, None).await)
    };
    tokio::time::timeout(options.handshake_timeout, handshake)
        .await
        .map_err(|_| {
            InworldError::Timeout(format!(
                "the TTS WebSocket handshake with {host}:{port} took over {:.1} s",
                options.handshake_timeout.as_secs_f64()
            ))
        })?
}

/// Largest upgrade answer read (headers, or an error body).
const MAX_HANDSHAKE_BYTES: usize = 64 * 1024;

/// The HTTP upgrade, written here rather than by tungstenite, whose handshake logs the request
/// (with its `Authorization`) at trace level. Returns the bytes read past the answer's head.
async fn upgrade(
    stream: &mut Box<dyn Io>,
    url: &Url,
    authorization: &reqwest::header::HeaderValue,
) -> Result<Vec<u8>> {
    let key = tungstenite::handshake::client::generate_key();
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let credential = authorization
        .to_str()
        .map_err(|_| InworldError::Config("the credential is not printable ASCII".into()))?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\nAuthorization: {credential}\r\n\
         User-Agent: bevy_lipsync/{}\r\n\r\n",
        &url[url::Position::BeforePath..],
        env!("CARGO_PKG_VERSION"),
    );
    let network = |e: std::io::Error| InworldError::Network(format!("the WebSocket upgrade: {e}"));
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(network)?;
    stream.flush().await.map_err(network)?;
    let mut buffer = Vec::with_capacity(1024);
    let mut read = [0_u8; 4096];
    loop {
        let n = stream.read(&mut read).await.map_err(network)?;
        if n == 0 {
            return Err(InworldError::Network(
                "the server closed the connection during the WebSocket upgrade".into(),
            ));
        }
        buffer.extend_from_slice(&read[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        let parsed = response.parse(&buffer).map_err(|e| {
            InworldError::Protocol(format!("the WebSocket upgrade answer is not HTTP: {e}"))
        })?;
        let httparse::Status::Complete(head) = parsed else {
            if buffer.len() > MAX_HANDSHAKE_BYTES {
                return Err(InworldError::Protocol(
                    "the WebSocket upgrade answer's head is over 64 KiB".into(),
                ));
            }
            continue;
        };
        let status = response.code.unwrap_or_default();
        let header = |name: &str| {
            response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| String::from_utf8_lossy(h.value).trim().to_owned())
        };
        if status != 101 {
            let length = header("content-length")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(0)
                .min(MAX_HANDSHAKE_BYTES);
            let mut body = buffer.split_off(head);
            while body.len() < length {
                let n = stream.read(&mut read).await.map_err(network)?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&read[..n]);
            }
            return Err(refusal(status, &body));
        }
        let expected = tungstenite::handshake::derive_accept_key(key.as_bytes());
        if header("sec-websocket-accept").as_deref() != Some(expected.as_str()) {
            return Err(InworldError::Protocol(
                "the WebSocket upgrade answer has a wrong Sec-WebSocket-Accept".into(),
            ));
        }
        return Ok(buffer.split_off(head));
    }
}

/// The base URL with `http` turned into `ws` and `https` into `wss`.
pub(crate) fn socket_url(client: &InworldClient) -> Result<Url> {
    let mut url = client.config().url(SOCKET_PATH)?;
    let scheme = match url.scheme() {
        "https" => "wss",
        _ => "ws",
    };
    url.set_scheme(scheme)
        .map_err(|()| InworldError::Config(format!("cannot turn {url} into a WebSocket URL")))?;
    Ok(url)
}

async fn tls(host: &str, tcp: TcpStream) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| InworldError::Config(format!("cannot set up TLS: {e}")))?
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| InworldError::Config(format!("`{host}` is not a TLS server name: {e}")))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| InworldError::Network(format!("TLS with {host} failed: {e}")))
}

/// A refused upgrade becomes the error its status and body say (401: the key, ...).
fn refusal(status: u16, body: &[u8]) -> InworldError {
    let parsed = serde_json::from_slice::<ErrorEnvelope>(body)
        .ok()
        .and_then(ErrorEnvelope::into_body);
    let (code, message) = match parsed {
        Some(b) => (b.code, b.message),
        None => (
            None,
            String::from_utf8_lossy(&body[..body.len().min(300)])
                .trim()
                .to_owned(),
        ),
    };
    InworldError::from_api(
        ApiFailure {
            status: Some(status),
            code,
            message,
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Credentials, InworldConfig};

    #[test]
    fn the_socket_url_follows_the_base() {
        for (base, expected) in [
            (
                "https://api.inworld.ai",
                "wss://api.inworld.ai/tts/v1/voice:streamBidirectional",
            ),
            (
                "http://127.0.0.1:9000",
                "ws://127.0.0.1:9000/tts/v1/voice:streamBidirectional",
            ),
        ] {
            let config = InworldConfig::new(Credentials::basic("k"))
                .with_base_url(base)
                .unwrap();
            let client = InworldClient::new(config).unwrap();
            assert_eq!(socket_url(&client).unwrap().as_str(), expected);
        }
    }
}
