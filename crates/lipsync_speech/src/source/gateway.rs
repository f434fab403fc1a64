//! The AI/ML API gateway: a finished audio file, without timing.

use std::sync::Arc;

use crate::alignment::AlignmentUpdate;
use crate::audio::decode_audio;
use crate::{Recording, SpeechError};
use aimlapi_gateway::{GatewayClient, GatewayError};

use super::recorded::Recorded;
use super::{ChunkFuture, SpeechSource};

/// A gateway line: fetched on the first poll, decoded and its text placed on its sound off the
/// runtime thread, then played like a recording.
#[derive(Debug)]
pub struct Gateway {
    state: State,
}

#[derive(Debug)]
enum State {
    /// Not fetched yet.
    Asked {
        client: Box<GatewayClient>,
        text: String,
        voice: String,
        model: Option<String>,
    },
    /// Fetched and placed.
    Playing(Recorded),
    /// Failed: over.
    Over,
}

impl Gateway {
    /// `text` in the gateway's `voice` (and `model`, if given), through `client`.
    pub fn new(
        client: GatewayClient,
        text: String,
        voice: String,
        model: Option<String>,
    ) -> Gateway {
        Gateway {
            state: State::Asked {
                client: Box::new(client),
                text,
                voice,
                model,
            },
        }
    }
}

impl SpeechSource for Gateway {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(async move {
            if let State::Asked {
                client,
                text,
                voice,
                model,
            } = &mut self.state
            {
                let fetched = client.synthesize(text, voice, model.as_deref()).await;
                let text = std::mem::take(text);
                let placed = match fetched {
                    Ok(bytes) => place(bytes, text).await,
                    Err(e) => Err(SpeechError::Gateway(e)),
                };
                match placed {
                    Ok(recording) => self.state = State::Playing(Recorded::new(recording)),
                    Err(e) => {
                        self.state = State::Over;
                        return Some(Err(e));
                    }
                }
            }
            match &mut self.state {
                State::Playing(recorded) => recorded.next_chunk().await,
                _ => None,
            }
        })
    }
}

/// Decodes the file and places `text` on its sound, on a blocking thread: a long file must
/// not hold up the other voices on the runtime.
async fn place(bytes: Vec<u8>, text: String) -> Result<Recording, SpeechError> {
    let placed = tokio::task::spawn_blocking(move || {
        let audio = decode_audio(bytes, None).map_err(|e| {
            SpeechError::Gateway(GatewayError::NoAudioUrl(format!(
                "its audio file does not decode: {e}"
            )))
        })?;
        // The file has no timing: the line's text is placed on its sound.
        let baked = crate::bake::bake_decoded(&audio, Some(&text), &crate::offline::Lexicon);
        let alignment = AlignmentUpdate::from(baked.alignment(audio.sample_rate));
        Ok(Recording {
            sample_rate: audio.sample_rate.max(1),
            pcm: audio.pcm.into(),
            alignment: Arc::new(alignment),
        })
    })
    .await;
    placed.unwrap_or_else(|_| {
        Err(SpeechError::Internal(
            "placing a gateway line's text on its sound panicked".into(),
        ))
    })
}
