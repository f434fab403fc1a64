//! A line of text on an Inworld voice, over streamed HTTP.

use crate::inworld::{AudioEncoding, InworldError, StreamEvent, SynthesisRequest, UtteranceStream};
use crate::{SpeechChunk, SpeechError, SpeechRequest};

use super::{ChunkFuture, SpeechSource};

/// Inworld's streamed synthesis of one text (long text is split and stitched by the client).
#[derive(Debug)]
pub struct InworldHttp {
    stream: Box<UtteranceStream>,
}

impl InworldHttp {
    /// Reads `stream`.
    pub fn new(stream: UtteranceStream) -> InworldHttp {
        InworldHttp {
            stream: Box::new(stream),
        }
    }
}

impl SpeechSource for InworldHttp {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(async move {
            loop {
                match self.stream.next().await? {
                    Ok(event) => {
                        if let Some(chunk) = chunk_of(event) {
                            return Some(chunk);
                        }
                    }
                    Err(e) => return Some(Err(e.into())),
                }
            }
        })
    }
}

/// The Inworld request for a line of `text`: LINEAR16 at the asked rate, with the asked
/// timestamps (word timestamps carry phones and viseme categories on the models that have
/// them).
pub(crate) fn inworld_request(request: &SpeechRequest, text: &str) -> SynthesisRequest {
    let mut r = SynthesisRequest::new(text.to_owned(), request.voice.voice.clone())
        .with_audio(AudioEncoding::Linear16, request.sample_rate)
        .with_speaking_rate(request.speaking_rate)
        .with_timestamps(request.timestamps);
    if let Some(model) = &request.voice.model {
        r = r.with_model(model.clone());
    }
    r.language = request.language.clone();
    r
}

/// The chunk an Inworld event makes, if it carries speech.
pub(crate) fn chunk_of(event: StreamEvent) -> Option<Result<SpeechChunk, SpeechError>> {
    match event {
        StreamEvent::Audio(audio) => Some(Ok(SpeechChunk {
            start: audio.start,
            sample_rate: audio.sample_rate,
            pcm: audio.samples,
            alignment: Default::default(),
        })),
        StreamEvent::Alignment(alignment) => Some(Ok(SpeechChunk {
            alignment,
            ..Default::default()
        })),
        // Only LINEAR16 is requested, so compressed bytes mean a confused server.
        StreamEvent::Encoded(_) => Some(Err(SpeechError::Inworld(InworldError::Protocol(
            "Inworld sent compressed audio for a LINEAR16 request".into(),
        )))),
        // Usage reports, and events a newer client may add, carry no speech.
        _ => None,
    }
}
