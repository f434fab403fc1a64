//! Text fed over time on a voice without a streaming-text connection: a stream per sentence.

use std::collections::VecDeque;

use crate::inworld::router::SentenceSplitter;
use crate::{LineSource, SpeechChunk, SpeechError, SpeechRequest, SpeechService, SpeechStream};

use super::text::TextSource;
use super::{ChunkFuture, SpeechSource};

/// A streamed line spoken sentence by sentence: each opened as soon as it is complete, their
/// frames placed back to back in one utterance.
#[derive(Debug)]
pub struct SentenceFed {
    service: SpeechService,
    /// The voice and settings of every sentence.
    template: SpeechRequest,
    source: TextSource,
    split: SentenceSplitter,
    sentences: VecDeque<String>,
    current: Option<Box<SpeechStream>>,
    /// Where the current sentence starts in the utterance.
    base: u64,
    /// The end of the audio so far.
    end: u64,
}

impl SentenceFed {
    pub(crate) fn new(
        service: &SpeechService,
        template: SpeechRequest,
        source: TextSource,
    ) -> SentenceFed {
        SentenceFed {
            service: service.clone(),
            template,
            source,
            split: SentenceSplitter::default(),
            sentences: VecDeque::new(),
            current: None,
            base: 0,
            end: 0,
        }
    }

    async fn next(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
        loop {
            if let Some(current) = self.current.as_mut() {
                match current.next().await {
                    Some(Ok(mut chunk)) => {
                        chunk.start = chunk.start.shifted(self.base);
                        chunk.alignment.shift(self.base);
                        self.end = self.end.max(chunk.end().0);
                        return Some(Ok(chunk));
                    }
                    Some(Err(e)) => return Some(Err(e)),
                    None => {
                        self.current = None;
                        self.base = self.end;
                    }
                }
            }
            // The next complete sentence, waiting for more text if need be.
            while self.sentences.is_empty() {
                match self.source.next().await {
                    Ok(Some(piece)) => self.sentences.extend(self.split.push(&piece)),
                    Ok(None) => {
                        self.sentences.extend(self.split.finish());
                        if self.sentences.is_empty() {
                            return None;
                        }
                    }
                    Err(e) => return Some(Err(e)),
                }
            }
            let sentence = self.sentences.pop_front()?;
            let request = self.template.saying(LineSource::Text(sentence));
            match self.service.open(&request) {
                Ok(stream) => self.current = Some(Box::new(stream)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl SpeechSource for SentenceFed {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(self.next())
    }
}
