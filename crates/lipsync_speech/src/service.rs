//! Opening a [`SpeechStream`] for a line: the one place a provider is chosen.

use std::sync::{Arc, OnceLock};

use crate::inworld::{InworldClient, TimestampType, TtsSocket};
use crate::offline::{OfflineSpeech, OfflineVoice};
use crate::source::text::TextSource;
use crate::source::{
    Gateway, InworldHttp, InworldSocketFed, Offline, ReadFromSound, Recorded, SentenceFed,
    SpeechSource,
};
use crate::{LineSource, Provider, SpeechChunk, SpeechError, SpeechRequest};
use aimlapi_gateway::{GatewayClient, GatewayError};

/// The providers a game can speak through. Cheap to clone; share one per runtime.
#[derive(Clone, Debug, Default)]
pub struct SpeechService {
    gateway: Option<GatewayClient>,
    inworld: Option<InworldClient>,
    /// Inworld's WebSocket, opened by the first streamed line and shared by all the others.
    socket: Arc<OnceLock<TtsSocket>>,
}

impl SpeechService {
    /// A service speaking offline only.
    pub fn offline_only() -> Self {
        SpeechService::default()
    }

    /// A service that can also reach Inworld through `client`.
    pub fn with_inworld(client: InworldClient) -> Self {
        SpeechService {
            inworld: Some(client),
            gateway: None,
            socket: Arc::default(),
        }
    }

    /// The shared WebSocket (created on the calling runtime the first time).
    pub(crate) fn socket(&self) -> Option<&TtsSocket> {
        let client = self.inworld.as_ref()?;
        Some(self.socket.get_or_init(|| client.socket()))
    }

    /// The service, also reaching the AI/ML API gateway through `client` (`aimlapi:` voices).
    pub fn with_gateway(mut self, client: GatewayClient) -> Self {
        self.gateway = Some(client);
        self
    }

    /// The gateway client, when one is configured.
    pub fn gateway(&self) -> Option<&GatewayClient> {
        self.gateway.as_ref()
    }

    /// The Inworld client, when one is configured.
    pub fn inworld(&self) -> Option<&InworldClient> {
        self.inworld.as_ref()
    }

    /// Starts speaking `request`. Nothing is sent or synthesised until [`SpeechStream::next`]
    /// is polled; errors here are the ones found without asking anyone (no key for an Inworld
    /// voice, a request the service would refuse).
    pub fn open(&self, request: &SpeechRequest) -> Result<SpeechStream, SpeechError> {
        let source = self.source(request)?;
        // Inworld asked for no timestamps: the shapes are read from the sound as it streams in.
        let unaligned = request.timestamps == TimestampType::Unspecified
            && request.voice.provider == Provider::Inworld
            && !matches!(request.source, LineSource::Recorded(_));
        Ok(SpeechStream {
            source: if unaligned {
                Box::new(ReadFromSound::new(source))
            } else {
                source
            },
        })
    }

    /// The source that renders `request`.
    fn source(&self, request: &SpeechRequest) -> Result<Box<dyn SpeechSource>, SpeechError> {
        let fed = match &request.source {
            LineSource::Recorded(recording) => {
                return Ok(Box::new(Recorded::new(recording.clone())));
            }
            LineSource::Text(text) => return self.text_source(request, text),
            LineSource::Streamed(feed) => TextSource::Feed(feed.clone()),
            LineSource::Reply(chat) => TextSource::chat(chat.clone(), self.inworld.clone()),
        };
        let template = request.saying(LineSource::Text(String::new()));
        Ok(
            if request.voice.provider == Provider::Inworld && self.inworld.is_some() {
                Box::new(InworldSocketFed::new(self, template, fed))
            } else {
                Box::new(SentenceFed::new(self, template, fed))
            },
        )
    }

    /// The source that says `text` in the request's voice.
    fn text_source(
        &self,
        request: &SpeechRequest,
        text: &str,
    ) -> Result<Box<dyn SpeechSource>, SpeechError> {
        Ok(match request.voice.provider {
            Provider::Inworld => {
                let client = self
                    .inworld
                    .as_ref()
                    .ok_or_else(|| SpeechError::NoInworldKey {
                        voice: request.voice.to_string(),
                    })?;
                let stream = client.stream(&crate::source::inworld_request(request, text))?;
                Box::new(InworldHttp::new(stream))
            }
            Provider::Gateway => {
                let client = self
                    .gateway
                    .clone()
                    .ok_or(SpeechError::Gateway(GatewayError::NoKey))?;
                Box::new(Gateway::new(
                    client,
                    text.to_owned(),
                    request.voice.voice.clone(),
                    request.voice.model.clone(),
                ))
            }
            Provider::Offline => {
                let voice: OfflineVoice = request.voice.voice.parse()?;
                let speech =
                    OfflineSpeech::new(text, voice, request.speaking_rate, request.sample_rate)?;
                Box::new(Offline::new(speech))
            }
        })
    }
}

/// One line being spoken. Poll [`SpeechStream::next`] until it returns `None`; dropping the
/// stream cancels the request.
#[derive(Debug)]
pub struct SpeechStream {
    source: Box<dyn SpeechSource>,
}

impl SpeechStream {
    /// A stream reading `source` (a provider of the game's own, for instance).
    pub fn from_source(source: Box<dyn SpeechSource>) -> SpeechStream {
        SpeechStream { source }
    }

    /// The next chunk, `None` at the end. After an error the stream is over.
    pub async fn next(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
        self.source.next_chunk().await
    }
}
