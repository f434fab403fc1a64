//! Where a streamed line's text comes from: the game's feed, or Inworld's LLM router.

use crate::inworld::InworldClient;
use crate::inworld::router::{ChatRequest, ChatStream};
use crate::{SpeechError, TextFeed};

/// The text of a line written while it is spoken.
#[derive(Debug)]
pub(crate) enum TextSource {
    /// The game pushes it ([`TextFeed`]).
    Feed(TextFeed),
    /// Inworld's LLM router writes it; the stream opens on the first poll.
    Chat {
        request: Box<ChatRequest>,
        client: Option<InworldClient>,
        stream: Option<Box<ChatStream>>,
    },
}

impl TextSource {
    /// A reply written through `client` (none: the line fails asking for a key).
    pub(crate) fn chat(request: Box<ChatRequest>, client: Option<InworldClient>) -> TextSource {
        TextSource::Chat {
            request,
            client,
            stream: None,
        }
    }

    /// Sends the LLM request, if this is a reply, and waits for its answer to begin. Not
    /// cancel-safe: awaited on its own, never raced.
    pub(crate) async fn open(&mut self) -> Result<(), SpeechError> {
        if let TextSource::Chat {
            request,
            client,
            stream,
        } = self
            && stream.is_none()
        {
            let client = client.as_ref().ok_or_else(|| SpeechError::NoLlmKey {
                model: request.model.clone(),
            })?;
            *stream = Some(Box::new(client.chat(request).await?));
        }
        Ok(())
    }

    /// The next piece of text; `None` at the end. Cancel-safe once [`Self::open`] is done: a
    /// piece is only taken when it is returned.
    pub(crate) async fn next(&mut self) -> Result<Option<String>, SpeechError> {
        self.open().await?;
        match self {
            TextSource::Feed(feed) => Ok(feed.next().await),
            TextSource::Chat { stream, .. } => match stream.as_mut() {
                Some(stream) => match stream.next().await {
                    Some(Ok(piece)) => Ok(Some(piece)),
                    Some(Err(e)) => Err(e.into()),
                    None => Ok(None),
                },
                None => Ok(None),
            },
        }
    }
}
