//! One conversational turn over Inworld's LLM router and TTS WebSocket, as `converse` and
//! `converse_report` run it: the context is created while the LLM thinks, each sentence is sent
//! the moment the splitter releases it, and the reply's audio and timing are collected.

#![allow(dead_code)]

use std::time::Instant;

use bevy_lipsync::inworld::router::{ChatRequest, SentenceSplitter};
use bevy_lipsync::inworld::{
    InworldClient, InworldError, SocketEvent, StreamEvent, SynthesisRequest, TtsSocket,
};
use bevy_lipsync::lipsync::alignment::Alignment;

/// A spoken reply and when its parts arrived.
#[derive(Debug)]
pub struct Reply {
    /// The reply as the LLM wrote it.
    pub text: String,
    /// Its audio, back to back.
    pub pcm: Vec<i16>,
    /// Its timing, in frames of `pcm`.
    pub alignment: Alignment,
    /// The WebSocket context it was spoken on.
    pub context: String,
    /// When the turn started.
    pub started: Instant,
    /// When the LLM's first token arrived.
    pub first_token: Option<Instant>,
    /// When the splitter released the first piece (and it was sent).
    pub first_piece: Option<Instant>,
    /// When the first audio arrived.
    pub first_audio: Option<Instant>,
}

/// Answers with `chat` and speaks the reply with `tts`'s voice and settings on `socket`.
pub async fn turn(
    client: &InworldClient,
    socket: &TtsSocket,
    chat: &ChatRequest,
    tts: &SynthesisRequest,
) -> Result<Reply, InworldError> {
    let started = Instant::now();
    // The context first, so it exists by the time the first sentence is ready.
    let mut context = socket.open(tts)?;
    let mut llm = client.chat(chat).await?;
    let mut reply = Reply {
        text: String::new(),
        pcm: Vec::new(),
        alignment: Alignment::default(),
        context: context.id().to_owned(),
        started,
        first_token: None,
        first_piece: None,
        first_audio: None,
    };
    let mut split = SentenceSplitter::default();
    let mut text_done = false;
    loop {
        tokio::select! {
            biased;
            event = context.next() => match event {
                None => break,
                Some(Err(e)) => return Err(e),
                Some(Ok(SocketEvent::Stream(StreamEvent::Audio(audio)))) => {
                    reply.first_audio.get_or_insert_with(Instant::now);
                    reply.pcm.extend_from_slice(&audio.samples);
                }
                Some(Ok(SocketEvent::Stream(StreamEvent::Alignment(update)))) => {
                    reply.alignment.apply(update);
                }
                Some(Ok(_)) => {}
            },
            piece = llm.next(), if !text_done => match piece {
                Some(Ok(piece)) => {
                    reply.first_token.get_or_insert_with(Instant::now);
                    reply.text.push_str(&piece);
                    for sentence in split.push(&piece) {
                        context.send_text(&sentence, true)?;
                        reply.first_piece.get_or_insert_with(Instant::now);
                    }
                }
                Some(Err(e)) => return Err(e),
                None => {
                    text_done = true;
                    if let Some(rest) = split.finish() {
                        context.send_text(&rest, true)?;
                        reply.first_piece.get_or_insert_with(Instant::now);
                    }
                    context.finish()?;
                }
            },
        }
    }
    Ok(reply)
}
