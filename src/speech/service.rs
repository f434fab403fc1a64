//! Opening a stream of [`SpeechChunk`]s for a line, whichever provider renders it.

use crate::inworld::{
    AudioEncoding, InworldClient, InworldError, StreamEvent, SynthesisRequest, TimestampType,
    UtteranceStream,
};

use crate::audio::decode_audio;
use crate::inworld::gateway::{GatewayClient, GatewayError};
use crate::offline::{OfflineSpeech, OfflineVoice};

use std::collections::VecDeque;
use std::sync::Arc;

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
}

/// A streamed line being spoken: sentences in order, each its own stream, their frames placed
/// back to back.
#[derive(Debug)]
struct Fed {
    service: SpeechService,
    template: SpeechRequest,
    feed: TextFeed,
    split: SentenceSplitter,
    sentences: VecDeque<String>,
    current: Option<Box<SpeechStream>>,
    /// Where the current sentence starts in the utterance.
    base: u64,
    /// The end of the audio so far.
    end: u64,
}

impl Fed {
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
                match self.feed.next().await {
                    Some(piece) => self.sentences.extend(self.split.push(&piece)),
                    None => {
                        self.sentences.extend(self.split.finish());
                        if self.sentences.is_empty() {
                            return None;
                        }
                    }
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
        }
    }
}

/// The providers a game can speak through. Cheap to clone; share one per runtime.
#[derive(Clone, Debug, Default)]
pub struct SpeechService {
    gateway: Option<GatewayClient>,
    inworld: Option<InworldClient>,
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
        }
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
        if let Some(feed) = &request.feed {
            return Ok(SpeechStream {
                inner: Inner::Fed(Box::new(Fed {
                    service: self.clone(),
                    template: SpeechRequest {
                        feed: None,
                        ..request.clone()
                    },
                    feed: feed.clone(),
                    split: SentenceSplitter::default(),
                    sentences: VecDeque::new(),
                    current: None,
                    base: 0,
                    end: 0,
                })),
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
                    Ok(StreamEvent::Audio(audio)) => {
                        return Some(Ok(SpeechChunk {
                            start: audio.start,
                            sample_rate: audio.sample_rate,
                            pcm: audio.samples,
                            alignment: Default::default(),
                        }));
                    }
                    Ok(StreamEvent::Alignment(alignment)) => {
                        return Some(Ok(SpeechChunk {
                            alignment,
                            ..Default::default()
                        }));
                    }
                    // Only LINEAR16 is requested, so compressed bytes mean a confused server.
                    Ok(StreamEvent::Encoded(_)) => {
                        return Some(Err(SpeechError::Inworld(InworldError::Protocol(
                            "Inworld sent compressed audio for a LINEAR16 request".into(),
                        ))));
                    }
                    // Usage reports, and events a newer client may add, carry no speech.
                    Ok(_) => continue,
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
