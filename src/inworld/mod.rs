//! A client for Inworld's TTS and Voices APIs (no Bevy, no audio).
//!
//! It turns a streamed synthesis into exact PCM plus a timeline keyed by audio frames:
//!
//! - [`InworldConfig`] holds the credentials (never shown in `Debug`), base URL and timeouts;
//!   a shipped game gets short-lived Bearer tokens from its backend through a [`TokenProvider`].
//! - [`SynthesisRequest`] carries every documented request field and checks locally what the
//!   server would reject.
//! - [`StreamDecoder`] turns response bytes, split anywhere, into [`StreamEvent`]s: PCM chunks
//!   and [`AlignmentUpdate`](crate::alignment::AlignmentUpdate)s already in utterance frames.
//! - [`InworldClient`] sends requests, retries what may be retried while no audio has been
//!   delivered, and splits text over 2,000 characters into sequential requests whose times it
//!   shifts by the audio actually received.
//! - [`InworldError`] says what went wrong in words a user can act on.

mod client;
mod config;
mod decode;
mod error;
mod ndjson;
mod request;
mod split;
mod token;
mod voices;
pub mod wav;
mod wire;

pub use client::{InworldClient, Utterance, UtteranceStream};
pub use config::{
    API_KEY_ENV, BASE_URL_ENV, Credentials, DEFAULT_BASE_URL, InworldConfig, RetryPolicy, Secret,
    parse_base_url,
};
pub use decode::{AudioChunk, StreamDecoder, StreamEvent, TimeBase};
pub use error::{ApiFailure, InworldError, Result, grpc};
pub use ndjson::LineSplitter;
pub use request::{
    AudioConfig, AudioEncoding, DEFAULT_MODEL, DEFAULT_SAMPLE_RATE, DeliveryMode, LipsyncConfig,
    MAX_TEXT_CHARS, SynthesisRequest, TextNormalization, TimestampTransport, TimestampType,
    VisemeSet,
};
pub use split::split_text;
pub use token::{BearerToken, CachedTokens, TokenError, TokenFuture, TokenProvider};
pub use voices::*;
pub use wire::Usage;
