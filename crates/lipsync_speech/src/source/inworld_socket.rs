//! Text fed over time on an Inworld voice: one context of the service's WebSocket.

use crate::inworld::SocketContext;
use crate::inworld::SocketEvent;
use crate::inworld::router::SentenceSplitter;
use crate::{SpeechRequest, SpeechService};

use super::inworld_http::{chunk_of, inworld_request};
use super::text::TextSource;
use super::{ChunkFuture, SpeechSource};

/// A streamed line on an Inworld voice: every sentence is sent the moment the splitter
/// releases it, so the next is synthesised while the last one plays, and each synthesis's
/// frames follow the last exactly (the socket places them).
#[derive(Debug)]
pub struct InworldSocketFed {
    service: SpeechService,
    /// The voice and settings of every sentence.
    template: SpeechRequest,
    source: TextSource,
    split: SentenceSplitter,
    /// The text has ended (and the context was told).
    text_done: bool,
    /// The turn, created on the first poll.
    context: Option<SocketContext>,
}

impl InworldSocketFed {
    pub(crate) fn new(
        service: &SpeechService,
        template: SpeechRequest,
        source: TextSource,
    ) -> InworldSocketFed {
        InworldSocketFed {
            service: service.clone(),
            template,
            source,
            split: SentenceSplitter::default(),
            text_done: false,
            context: None,
        }
    }

    async fn next(&mut self) -> Option<Result<crate::SpeechChunk, crate::SpeechError>> {
        if self.context.is_none() {
            // Created before the first token is asked for: the context is ready when it comes.
            let socket = self.service.socket()?;
            match socket.open(&inworld_request(&self.template, "")) {
                Ok(context) => self.context = Some(context),
                Err(e) => return Some(Err(e.into())),
            }
            // The LLM request goes out while the context is being created.
            if let Err(e) = self.source.open().await {
                return Some(Err(e));
            }
        }
        loop {
            let context = self.context.as_mut()?;
            tokio::select! {
                biased;
                event = context.next() => match event {
                    None => return None,
                    Some(Err(e)) => return Some(Err(e.into())),
                    Some(Ok(SocketEvent::Stream(event))) => {
                        if let Some(chunk) = chunk_of(event) {
                            return Some(chunk);
                        }
                    }
                    Some(Ok(_)) => {}
                },
                piece = self.source.next(), if !self.text_done => {
                    let context = self.context.as_mut()?;
                    let sent = match piece {
                        Ok(Some(piece)) => self
                            .split
                            .push(&piece)
                            .iter()
                            .try_for_each(|sentence| context.send_text(sentence, true)),
                        Ok(None) => {
                            self.text_done = true;
                            self.split
                                .finish()
                                .iter()
                                .try_for_each(|sentence| context.send_text(sentence, true))
                                .and_then(|()| context.finish())
                        }
                        Err(e) => return Some(Err(e)),
                    };
                    if let Err(e) = sent {
                        return Some(Err(e.into()));
                    }
                }
            }
        }
    }
}

impl SpeechSource for InworldSocketFed {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(self.next())
    }
}
