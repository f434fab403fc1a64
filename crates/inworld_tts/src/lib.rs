//! An async client for Inworld's TTS and Voices APIs, engine-agnostic.
//!
//! `inworld_tts` owns everything that speaks Inworld's protocol: requests and their local
//! validation, the streaming NDJSON / per-chunk WAV decoder, the conversion of every timestamp
//! into frames of the utterance's audio, errors, retries, long text, the Voices API and tokens.
//! It does not play audio, animate a face or know any game engine: it hands out PCM and
//! [`lipsync_core::alignment`] timelines, on the tokio runtime of the caller. A loopback server
//! that speaks the same protocol with fault injection, for tests and demos without a key, is
//! the `inworld_emulator` crate.
//!
//!
//! - [`InworldConfig`] holds the credentials (never shown in `Debug`), base URL and timeouts;
//!   a shipped game gets short-lived Bearer tokens from its backend through a [`TokenProvider`].
//! - [`SynthesisRequest`] carries every documented request field and checks locally what the
//!   server would reject.
//! - [`StreamDecoder`] turns response bytes, split anywhere, into [`StreamEvent`]s: PCM chunks
//!   and [`AlignmentUpdate`](lipsync_core::alignment::AlignmentUpdate)s already in utterance frames.
//! - [`InworldClient`] sends requests, retries what may be retried while no audio has been
//!   delivered, and splits text over 2,000 characters into sequential requests whose times it
//!   shifts by the audio actually received.
//! - [`TtsSocket`] speaks the bidirectional WebSocket: one connection, a context per turn, text
//!   in as an LLM writes it (see [`router`] for the LLM side).
//! - [`InworldError`] says what went wrong in words a user can act on.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod client;
mod config;
mod decode;
mod error;
mod ndjson;
mod request;
pub mod router;
pub mod socket;
mod split;
mod token;
mod voices;
pub mod wav;
mod wire;

pub use client::{InworldClient, Utterance, UtteranceStream};
pub use config::{
    API_KEY_ENV, BASE_URL_ENV, Credentials, DEFAULT_BASE_URL, InworldConfig, RetryPolicy, Secret,
};
pub use decode::{AudioChunk, StreamDecoder, StreamEvent, TimeBase};
pub use error::{ApiFailure, InworldError, Result, grpc};
pub use request::{
    AudioConfig, AudioEncoding, DEFAULT_MODEL, DEFAULT_SAMPLE_RATE, DeliveryMode, LipsyncConfig,
    MAX_TEXT_CHARS, SynthesisRequest, TextNormalization, TimestampTransport, TimestampType,
    VisemeSet,
};
pub use socket::{SocketContext, SocketEvent, SocketOptions, SocketStats, TtsSocket};
pub use split::split_text;
pub use token::{BearerToken, CachedTokens, TokenError, TokenFuture, TokenProvider};
pub use voices::*;
pub use wire::Usage;
