//! Opening a stream of [`SpeechChunk`]s for a line, whichever provider renders it.

use crate::inworld::router::{ChatRequest, ChatStream};
use crate::inworld::{
    AudioEncoding, InworldClient, InworldError, SocketContext, SocketEvent, StreamEvent,
    SynthesisRequest, TimestampType, TtsSocket, UtteranceStream,
};

use crate::audio::decode_audio;
use crate::inworld::gateway::{GatewayClient, GatewayError};
use crate::offline::{OfflineSpeech, OfflineVoice};

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use crate::alignment::{AlignmentUpdate, FrameOffset};

use super::chunk::SpeechChunk;
use super::descriptor::{Provider, VoiceDescriptor};
use super::error::SpeechError;
use super::feed::TextFeed;
use crate::inworld::router::SentenceSplitter;

/// The sample rate lines are requested at unless a [`SpeechRequest`] says otherwise: Inworld's
/// default, and plenty for speech.
pub const DEFAULT_SPEECH_RATE: u32 = 24_000;

/// A line to speak and how.
#[derive(Clone, Debug, PartialEq)]
pub struct SpeechRequest {
    /// What to say. Inworld-style tags (`[happy]`, `<break time="300ms"/>`) are allowed.
    pub text: String,
    /// Who says it.
    pub voice: VoiceDescriptor,
    /// BCP-47 language hint (`"en"`), when the voice speaks several.
    pub language: Option<String>,
    /// Speaking rate, 0.5 to 1.5; 1 is the voice's natural pace.
    pub speaking_rate: f32,
    /// Sample rate of the audio to produce.
    pub sample_rate: u32,
    /// Which timestamps to ask Inworld for: `Word` (words, with phones on the models that have
    /// them; the default) or `Character` (regrouped into words as they arrive). The offline
    /// voice always gives phones.
    pub timestamps: TimestampType,
    /// Speech already recorded (a [`VoiceLine`](crate::plugin::VoiceLine)): played as it is,
    /// with its timing, instead of being synthesised; the voice is then unused.
    pub recording: Option<Recording>,
    /// Text that arrives over time: each sentence is spoken as soon as it is complete, back to
    /// back in one utterance; `text` is then unused.
    pub feed: Option<TextFeed>,
    /// A reply to write with Inworld's LLM router and speak as it is written (like `feed`);
    /// `text` is then unused.
    pub chat: Option<Box<ChatRequest>>,
}

/// Where a streamed line's text comes from.
#[derive(Debug)]
enum TextSource {
    /// The game pushes it ([`TextFeed`]).
    Feed(TextFeed),
    /// Inworld's LLM router writes it; the stream opens on the first poll.
    Chat {
        request: Box<ChatRequest>,
        stream: Option<Box<ChatStream>>,
    },
}

impl TextSource {
    /// Sends the LLM request, if this is a reply, and waits for its answer to begin. Not
    /// cancel-safe: awaited on its own, never raced.
    async fn open(&mut self, service: &SpeechService) -> Result<(), SpeechError> {
        if let TextSource::Chat { request, stream } = self
            && stream.is_none()
        {
            let client = service
                .inworld
                .as_ref()
                .ok_or_else(|| SpeechError::NoLlmKey {
                    model: request.model.clone(),
                })?;
            *stream = Some(Box::new(client.chat(request).await?));
        }
        Ok(())
    }

    /// The next piece of text; `None` at the end. Cancel-safe once [`Self::open`] is done: a
    /// piece is only taken when it is returned.
    async fn next(&mut self, service: &SpeechService) -> Result<Option<String>, SpeechError> {
        self.open(service).await?;
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

/// A streamed line being spoken: its text cut into sentences as it arrives, each spoken as
/// soon as it is complete, back to back in one utterance.
///
/// Inworld voices go through one context of the service's WebSocket: every sentence is sent
/// the moment the splitter releases it, so the next is synthesised while the last one plays,
/// and their frames follow each other exactly. Other voices open a stream per sentence.
#[derive(Debug)]
struct Fed {
    service: SpeechService,
    template: SpeechRequest,
    source: TextSource,
    split: SentenceSplitter,
    /// The text has ended (and the context was told).
    text_done: bool,
    /// The WebSocket turn, for Inworld voices.
    context: Option<SocketContext>,
    sentences: VecDeque<String>,
    current: Option<Box<SpeechStream>>,
    /// Where the current sentence starts in the utterance.
    base: u64,
    /// The end of the audio so far.
    end: u64,
}

impl Fed {
    fn new(service: &SpeechService, request: &SpeechRequest, source: TextSource) -> Fed {
        Fed {
            service: service.clone(),
            template: SpeechRequest {
                feed: None,
                chat: None,
                ..request.clone()
            },
            source,
            split: SentenceSplitter::default(),
            text_done: false,
            context: None,
            sentences: VecDeque::new(),
            current: None,
            base: 0,
            end: 0,
        }
    }

    async fn next(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
        let over_socket =
            self.template.voice.provider == Provider::Inworld && self.service.inworld.is_some();
        if over_socket {
            self.next_over_socket().await
        } else {
            self.next_per_sentence().await
        }
    }

    /// One WebSocket context for the whole line; text in and audio out at once.
    async fn next_over_socket(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
        if self.context.is_none() {
            // Created before the first token is asked for: the context is ready when it comes.
            let socket = self.service.socket()?;
            match socket.open(&inworld_request(&self.template)) {
                Ok(context) => self.context = Some(context),
                Err(e) => return Some(Err(e.into())),
            }
            // The LLM request goes out while the context is being created.
            if let Err(e) = self.source.open(&self.service).await {
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
                piece = self.source.next(&self.service), if !self.text_done => {
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

    /// A stream per sentence, their frames placed back to back.
    async fn next_per_sentence(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
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
                match self.source.next(&self.service).await {
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
            let request = SpeechRequest {
                text: sentence,
                ..self.template.clone()
            };
            match self.service.open(&request) {
                Ok(stream) => self.current = Some(Box::new(stream)),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// The chunk an Inworld event makes, if it carries speech.
fn chunk_of(event: StreamEvent) -> Option<Result<SpeechChunk, SpeechError>> {
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

/// A recorded line: mono 16-bit PCM at its own rate and its timing in frames of that rate.
/// Cheap to clone.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    /// Sample rate of `pcm` and the unit of the timing's frames.
    pub sample_rate: u32,
    /// The audio.
    pub pcm: Arc<[i16]>,
    /// Its timing (empty when the recording came without any).
    pub alignment: Arc<AlignmentUpdate>,
}

impl Recording {
    /// No audio: a stream that is over.
    fn empty() -> Recording {
        Recording {
            sample_rate: 1,
            pcm: Arc::from([]),
            alignment: Arc::default(),
        }
    }
}

/// How much of a recording each chunk carries.
const RECORDED_CHUNK_SECONDS: f64 = 0.1;

impl SpeechRequest {
    /// `text` in `voice` at the natural pace and [`DEFAULT_SPEECH_RATE`].
    pub fn new(text: impl Into<String>, voice: VoiceDescriptor) -> Self {
        SpeechRequest {
            text: text.into(),
            voice,
            language: None,
            speaking_rate: 1.0,
            sample_rate: DEFAULT_SPEECH_RATE,
            timestamps: TimestampType::Word,
            recording: None,
            feed: None,
            chat: None,
        }
    }
}

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
    fn socket(&self) -> Option<&TtsSocket> {
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
        if let Some(chat) = &request.chat {
            let source = TextSource::Chat {
                request: chat.clone(),
                stream: None,
            };
            return Ok(SpeechStream {
                inner: Inner::Fed(Box::new(Fed::new(self, request, source))),
            });
        }
        if let Some(feed) = &request.feed {
            let source = TextSource::Feed(feed.clone());
            return Ok(SpeechStream {
                inner: Inner::Fed(Box::new(Fed::new(self, request, source))),
            });
        }
        if let Some(recording) = &request.recording {
            return Ok(SpeechStream {
                inner: Inner::Recorded {
                    recording: recording.clone(),
                    at: 0,
                },
            });
        }
        match request.voice.provider {
            Provider::Inworld => {
                let client = self
                    .inworld
                    .as_ref()
                    .ok_or_else(|| SpeechError::NoInworldKey {
                        voice: request.voice.to_string(),
                    })?;
                let stream = client.stream(&inworld_request(request))?;
                Ok(SpeechStream {
                    inner: Inner::Inworld(Box::new(stream)),
                })
            }
            Provider::Gateway => {
                let client = self
                    .gateway
                    .clone()
                    .ok_or(SpeechError::Gateway(GatewayError::NoKey))?;
                Ok(SpeechStream {
                    inner: Inner::Gateway {
                        client: Box::new(client),
                        text: request.text.clone(),
                        voice: request.voice.voice.clone(),
                        model: request.voice.model.clone(),
                    },
                })
            }
            Provider::Offline => {
                let voice: OfflineVoice = request.voice.voice.parse()?;
                let speech = OfflineSpeech::new(
                    &request.text,
                    voice,
                    request.speaking_rate,
                    request.sample_rate,
                )?;
                Ok(SpeechStream {
                    inner: Inner::Offline(Box::new(speech)),
                })
            }
        }
    }
}

/// The Inworld request for a line: LINEAR16 at the asked rate, with the asked timestamps (word
/// timestamps carry phones and viseme categories on the models that have them).
fn inworld_request(request: &SpeechRequest) -> SynthesisRequest {
    let mut r = SynthesisRequest::new(request.text.clone(), request.voice.voice.clone())
        .with_audio(AudioEncoding::Linear16, request.sample_rate)
        .with_speaking_rate(request.speaking_rate)
        .with_timestamps(request.timestamps);
    if let Some(model) = &request.voice.model {
        r = r.with_model(model.clone());
    }
    r.language = request.language.clone();
    r
}

/// One line being spoken. Poll [`SpeechStream::next`] until it returns `None`; dropping the
/// stream cancels the request.
#[derive(Debug)]
pub struct SpeechStream {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Inworld(Box<UtteranceStream>),
    Offline(Box<OfflineSpeech>),
    /// A recording, handed on in chunks; `at` is the next sample.
    Recorded {
        recording: Recording,
        at: usize,
    },
    /// A line whose text arrives over time.
    Fed(Box<Fed>),
    /// A gateway line not yet fetched: fetched and decoded on the first poll, then recorded.
    Gateway {
        client: Box<GatewayClient>,
        text: String,
        voice: String,
        model: Option<String>,
    },
}

impl SpeechStream {
    /// The next chunk, `None` at the end. After an error the stream is over.
    pub async fn next(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
        match &mut self.inner {
            Inner::Inworld(stream) => loop {
                match stream.next().await? {
                    Ok(event) => match chunk_of(event) {
                        Some(chunk) => return Some(chunk),
                        None => continue,
                    },
                    Err(e) => return Some(Err(e.into())),
                }
            },
            Inner::Fed(fed) => Box::pin(fed.next()).await,
            Inner::Gateway {
                client,
                text,
                voice,
                model,
            } => {
                let fetched = client.synthesize(text, voice, model.as_deref()).await;
                let decoded = fetched.map_err(SpeechError::Gateway).and_then(|bytes| {
                    decode_audio(bytes, None).map_err(|e| {
                        SpeechError::Gateway(GatewayError::NoAudioUrl(format!(
                            "its audio file does not decode: {e}"
                        )))
                    })
                });
                match decoded {
                    Ok(audio) => {
                        // The file has no timing: the line's text is placed on its sound.
                        let text = std::mem::take(text);
                        let baked = tokio::task::spawn_blocking(move || {
                            let baked = crate::bake::bake_decoded(
                                &audio,
                                Some(&text),
                                &crate::offline::Lexicon,
                            );
                            let update = AlignmentUpdate::from(baked.alignment(audio.sample_rate));
                            (audio, update)
                        })
                        .await;
                        let Ok((audio, alignment)) = baked else {
                            self.inner = Inner::Recorded {
                                recording: Recording::empty(),
                                at: 0,
                            };
                            return Some(Err(SpeechError::Internal(
                                "placing a gateway line's text on its sound panicked".into(),
                            )));
                        };
                        self.inner = Inner::Recorded {
                            recording: Recording {
                                sample_rate: audio.sample_rate.max(1),
                                pcm: audio.pcm.into(),
                                alignment: Arc::new(alignment),
                            },
                            at: 0,
                        };
                        Box::pin(self.next()).await
                    }
                    Err(e) => {
                        // Over after an error.
                        self.inner = Inner::Recorded {
                            recording: Recording::empty(),
                            at: 0,
                        };
                        Some(Err(e))
                    }
                }
            }
            Inner::Recorded { recording, at } => {
                if *at >= recording.pcm.len() {
                    return None;
                }
                tokio::task::yield_now().await;
                let chunk = (f64::from(recording.sample_rate) * RECORDED_CHUNK_SECONDS) as usize;
                let start = *at;
                let end = (start + chunk.max(1)).min(recording.pcm.len());
                *at = end;
                // All the timing comes with the first chunk: it is known in advance.
                let alignment = if start == 0 {
                    (*recording.alignment).clone()
                } else {
                    Default::default()
                };
                Some(Ok(SpeechChunk {
                    start: FrameOffset(start as u64),
                    sample_rate: recording.sample_rate,
                    pcm: recording.pcm[start..end].to_vec(),
                    alignment,
                }))
            }
            Inner::Offline(speech) => {
                // Synthesis is CPU work on the runtime thread: let other lines run between
                // chunks (each is about 0.1 ms of work per 100 ms of audio).
                tokio::task::yield_now().await;
                let chunk = speech.next_chunk()?;
                Some(Ok(SpeechChunk {
                    start: chunk.start,
                    sample_rate: speech.sample_rate(),
                    pcm: chunk.pcm,
                    alignment: chunk.alignment,
                }))
            }
        }
    }
}
