//! One [`SpeechSource`] per provider: where a line's chunks come from.
//!
//! A source is to a line what kira's `Decoder` is to a sound: the stream of audio and timing,
//! polled until it ends, with nothing above it knowing who renders the speech.
//! [`SpeechService::open`](crate::SpeechService::open) is the only place that chooses one:
//!
//! | file | source | for |
//! |---|---|---|
//! | `inworld_http.rs` | [`InworldHttp`] | a line of text on an Inworld voice (streamed HTTP) |
//! | `inworld_socket.rs` | [`InworldSocketFed`] | text fed over time on an Inworld voice: one WebSocket context |
//! | `sentences.rs` | [`SentenceFed`] | text fed over time on any other voice: a source per sentence |
//! | `offline.rs` | [`Offline`] | the built-in offline voice |
//! | `recorded.rs` | [`Recorded`] | a recording with its timing |
//! | `gateway.rs` | [`Gateway`] | the AI/ML API gateway: a finished file, its text placed on its sound |
//! | `sound.rs` | [`ReadFromSound`] | a wrapper: shapes read from another source's sound as it streams |
//! | `text.rs` | `TextSource` | where fed text comes from: the game's [`TextFeed`](crate::TextFeed) or the LLM |

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::{SpeechChunk, SpeechError};

mod gateway;
mod inworld_http;
mod inworld_socket;
mod offline;
mod recorded;
mod sentences;
mod sound;
pub(crate) mod text;

pub use gateway::Gateway;
pub use inworld_http::InworldHttp;
pub use inworld_socket::InworldSocketFed;
pub use offline::Offline;
pub use recorded::Recorded;
pub use sentences::SentenceFed;
pub use sound::ReadFromSound;

pub(crate) use inworld_http::inworld_request;

/// A boxed, sendable future: what a [`SpeechSource`] returns for each chunk.
pub type ChunkFuture<'a> =
    Pin<Box<dyn Future<Output = Option<Result<SpeechChunk, SpeechError>>> + Send + 'a>>;

/// Where one line's chunks come from.
///
/// Poll [`next_chunk`](SpeechSource::next_chunk) until it returns `None`; after an error the
/// source is over. Audio chunks come in order and back to back, each timed in frames of the
/// utterance; timing may come with its audio or after it. Dropping a source cancels whatever
/// it had asked for.
pub trait SpeechSource: Send + fmt::Debug {
    /// The next chunk, `None` at the end.
    fn next_chunk(&mut self) -> ChunkFuture<'_>;
}
