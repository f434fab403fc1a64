//! A recording, handed on in chunks.

use crate::alignment::FrameOffset;
use crate::{Recording, SpeechChunk};

use super::{ChunkFuture, SpeechSource};

/// How much of a recording each chunk carries.
const RECORDED_CHUNK_SECONDS: f64 = 0.1;

/// A recorded line: its audio in 100 ms chunks, all its timing with the first (it is known in
/// advance).
#[derive(Debug)]
pub struct Recorded {
    recording: Recording,
    /// The next sample.
    at: usize,
}

impl Recorded {
    /// Plays `recording` from its start.
    pub fn new(recording: Recording) -> Recorded {
        Recorded { recording, at: 0 }
    }

    /// The next chunk, without waiting.
    pub(crate) fn next_now(&mut self) -> Option<SpeechChunk> {
        let recording = &self.recording;
        if self.at >= recording.pcm.len() {
            return None;
        }
        let chunk = (f64::from(recording.sample_rate) * RECORDED_CHUNK_SECONDS) as usize;
        let start = self.at;
        let end = (start + chunk.max(1)).min(recording.pcm.len());
        self.at = end;
        let alignment = if start == 0 {
            (*recording.alignment).clone()
        } else {
            Default::default()
        };
        Some(SpeechChunk {
            start: FrameOffset(start as u64),
            sample_rate: recording.sample_rate,
            pcm: recording.pcm[start..end].to_vec(),
            alignment,
        })
    }
}

impl SpeechSource for Recorded {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(async move {
            if self.at >= self.recording.pcm.len() {
                return None;
            }
            tokio::task::yield_now().await;
            self.next_now().map(Ok)
        })
    }
}
