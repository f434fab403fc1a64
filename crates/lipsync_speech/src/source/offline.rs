//! The built-in offline voice.

use crate::SpeechChunk;
use crate::offline::OfflineSpeech;

use super::{ChunkFuture, SpeechSource};

/// A line synthesised by the offline voice, chunk by chunk, with its exact timeline.
#[derive(Debug)]
pub struct Offline {
    speech: Box<OfflineSpeech>,
}

impl Offline {
    /// Reads `speech`.
    pub fn new(speech: OfflineSpeech) -> Offline {
        Offline {
            speech: Box::new(speech),
        }
    }
}

impl SpeechSource for Offline {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(async move {
            // Synthesis is CPU work on the runtime thread: let other lines run between chunks
            // (each is about 0.1 ms of work per 100 ms of audio).
            tokio::task::yield_now().await;
            let chunk = self.speech.next_chunk()?;
            Some(Ok(SpeechChunk {
                start: chunk.start,
                sample_rate: self.speech.sample_rate(),
                pcm: chunk.pcm,
                alignment: chunk.alignment,
            }))
        })
    }
}
