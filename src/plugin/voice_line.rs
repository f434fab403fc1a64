//! Recorded and pre-generated lines: a [`VoiceLine`] asset (an audio file and its timeline),
//! said like any line with `commands.entity(npc).say(handle)`.

use std::sync::Arc;

use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext};
use bevy::prelude::*;

use crate::alignment::AlignmentUpdate;
use crate::audio::{DecodeError, DecodedAudio, decode_audio};
use crate::lipsync::{TimelineFile, TimelineFileError};
use crate::speech::Recording;

/// A line recorded in advance: audio (WAV, OGG Vorbis, MP3 or FLAC, mixed to mono) and its
/// timeline, played through the same pipe, clock and lipsync as streamed speech, with word
/// events and subtitles when the timeline has words.
///
/// Loaded by the `AssetServer` from the audio file (`assets.load("lines/greeting.mp3")`); the
/// timeline is the file beside it with the extension `.json` (what the `say` and `bake` tools
/// write), and both hot-reload. Without one, a transcript beside it (`.txt`) is placed on the
/// sound as it loads ([`bake`](crate::speech::bake)), giving words and shapes; without either, the
/// shapes are estimated from the sound alone ([`VoiceLine::timing`] says which).
/// A game can also build one in code, e.g. from lines synthesised at load time, with
/// [`VoiceLine::new`] and `Assets::add`.
///
/// ```no_run
/// # use bevy::prelude::*;
/// # use bevy_lipsync::prelude::*;
/// fn greet(mut commands: Commands, assets: Res<AssetServer>, npc: Single<Entity, With<Speaker>>) {
///     let line: Handle<VoiceLine> = assets.load("lines/greeting.mp3");
///     commands.entity(*npc).say(line);
/// }
/// ```
#[derive(Asset, TypePath, Clone, Debug)]
pub struct VoiceLine {
    recording: Recording,
    text: String,
    timing: LineTiming,
}

/// Where a [`VoiceLine`]'s timing came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineTiming {
    /// A timeline file (`say`, `bake`, or given in code).
    Timeline,
    /// A transcript placed on the sound by forced alignment: words and shapes.
    Transcript,
    /// The sound alone: shapes, no words.
    Sound,
}

impl VoiceLine {
    /// A line from decoded audio and its timeline (frames of the timeline are taken at the
    /// audio's rate).
    ///
    /// Without a timeline, the shapes are estimated from the sound.
    pub fn new(audio: DecodedAudio, timeline: Option<&TimelineFile>) -> VoiceLine {
        match timeline {
            Some(timeline) => VoiceLine::timed(audio, timeline, LineTiming::Timeline),
            None => {
                let baked =
                    crate::speech::bake::bake_decoded(&audio, None, &crate::offline::Lexicon);
                VoiceLine::timed(audio, &baked, LineTiming::Sound)
            }
        }
    }

    /// A line from decoded audio and its transcript, placed on the sound.
    pub fn transcribed(audio: DecodedAudio, transcript: &str) -> VoiceLine {
        let baked =
            crate::speech::bake::bake_decoded(&audio, Some(transcript), &crate::offline::Lexicon);
        VoiceLine::timed(audio, &baked, LineTiming::Transcript)
    }

    fn timed(audio: DecodedAudio, timeline: &TimelineFile, timing: LineTiming) -> VoiceLine {
        let alignment = timeline.alignment(audio.sample_rate);
        let text = alignment
            .words
            .iter()
            .map(|w| &*w.text)
            .collect::<Vec<_>>()
            .join(" ");
        let update = AlignmentUpdate::from(alignment);
        VoiceLine {
            recording: Recording {
                sample_rate: audio.sample_rate,
                pcm: audio.pcm.into(),
                alignment: Arc::new(update),
            },
            text,
            timing,
        }
    }

    /// Where its timing came from.
    pub fn timing(&self) -> LineTiming {
        self.timing
    }

    /// The words of its timeline, as subtitles show them (empty without one).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its length in seconds.
    pub fn seconds(&self) -> f64 {
        self.recording.pcm.len() as f64 / f64::from(self.recording.sample_rate.max(1))
    }

    pub(crate) fn recording(&self) -> &Recording {
        &self.recording
    }
}

/// Why a voice line did not load.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VoiceLineError {
    /// The audio file could not be read.
    #[error("cannot read the audio file: {0}")]
    Io(#[from] std::io::Error),
    /// The audio could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The timeline beside it is broken (a missing one is fine).
    #[error("its timeline {path} is broken: {error}")]
    Timeline {
        /// The timeline's path.
        path: String,
        /// What is wrong with it.
        error: TimelineFileError,
    },
}

/// Loads audio files as [`VoiceLine`]s, with the timeline beside them.
#[derive(Default, TypePath)]
pub(crate) struct VoiceLineLoader;

impl AssetLoader for VoiceLineLoader {
    type Asset = VoiceLine;
    type Settings = ();
    type Error = VoiceLineError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<VoiceLine, VoiceLineError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let path = load_context.path().path().to_path_buf();
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_owned);
        let audio = decode_audio(bytes, extension.as_deref())?;
        let timeline_path = path.with_extension("json");
        if let Ok(json) = load_context.read_asset_bytes(timeline_path.clone()).await {
            let timeline =
                TimelineFile::from_json(&json).map_err(|error| VoiceLineError::Timeline {
                    path: timeline_path.display().to_string(),
                    error,
                })?;
            return Ok(VoiceLine::new(audio, Some(&timeline)));
        }
        // No timeline: a transcript is placed on the sound, else the sound alone is read.
        let transcript = load_context
            .read_asset_bytes(path.with_extension("txt"))
            .await
            .ok()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        Ok(match transcript {
            Some(text) if !text.trim().is_empty() => VoiceLine::transcribed(audio, &text),
            _ => VoiceLine::new(audio, None),
        })
    }

    fn extensions(&self) -> &[&str] {
        &["wav", "ogg", "mp3", "flac"]
    }
}
