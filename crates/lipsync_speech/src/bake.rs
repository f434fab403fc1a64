//! Baking: a timeline for audio that came without one, from its sound and (better) a
//! transcript. What the `bake` example, recorded lines without a timeline and gateway lines
//! use.
//!
//! ```no_run
//! use lipsync_speech::bake::bake_audio;
//!
//! let bytes = std::fs::read("line.mp3")?;
//! let timeline = bake_audio(bytes, Some("mp3"), Some("Welcome to the village."))?;
//! std::fs::write("line.json", timeline.to_json())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::alignment::Alignment;
use crate::audio::{DecodeError, DecodedAudio, decode_audio};
use crate::lipsync::acoustic::{AcousticModel, align_transcript, estimate_track};
use crate::lipsync::{Pronouncer, TimelineFile};
use crate::offline::Lexicon;

/// Decodes `bytes` (WAV, OGG Vorbis, MP3 or FLAC; `extension` is a hint) and bakes its
/// timeline: with a `transcript`, its words and shapes placed on the sound; without one, the
/// shapes the sound alone suggests (no words).
pub fn bake_audio(
    bytes: Vec<u8>,
    extension: Option<&str>,
    transcript: Option<&str>,
) -> Result<TimelineFile, DecodeError> {
    let audio = decode_audio(bytes, extension)?;
    Ok(bake_decoded(&audio, transcript, &Lexicon))
}

/// [`bake_audio`] for audio already decoded, reading the transcript through `pronouncer`.
pub fn bake_decoded(
    audio: &DecodedAudio,
    transcript: Option<&str>,
    pronouncer: &dyn Pronouncer,
) -> TimelineFile {
    let model = AcousticModel::shipped();
    let frames = audio.pcm.len() as u64;
    match transcript.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let alignment =
                align_transcript(&audio.pcm, audio.sample_rate, text, pronouncer, model);
            TimelineFile::from_alignment(&alignment, audio.sample_rate, frames, pronouncer)
        }
        None => {
            let keys = estimate_track(&audio.pcm, audio.sample_rate, model);
            TimelineFile::with_track(&Alignment::default(), audio.sample_rate, frames, &keys)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::offline::{OfflineSpeech, OfflineVoice};

    #[test]
    fn a_transcript_gives_words_and_the_sound_alone_gives_shapes() {
        let text = "Bob sat on a big red mat.";
        let (pcm, _) = OfflineSpeech::new(text, OfflineVoice::Female, 1.0, 24_000)
            .expect("speech")
            .render_all();
        let audio = DecodedAudio {
            sample_rate: 24_000,
            pcm,
        };
        let with_text = bake_decoded(&audio, Some(text), &Lexicon);
        let words: Vec<&str> = with_text.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, text.split(' ').collect::<Vec<_>>());
        assert!(
            with_text
                .words
                .windows(2)
                .all(|w| w[0].end <= w[1].start + 1e-6)
        );
        let alone = bake_decoded(&audio, None, &Lexicon);
        assert!(alone.words.is_empty());
        let shapes: Vec<&str> = alone.visemes.iter().map(|v| v.viseme.as_str()).collect();
        assert!(
            shapes.contains(&"PP") && shapes.contains(&"AA"),
            "{shapes:?}"
        );
        assert!((alone.visemes.last().expect("a track").end - audio.seconds()).abs() < 0.02);
    }

    #[test]
    fn unreadable_audio_is_a_clear_error() {
        let err = bake_audio(b"not audio at all".repeat(40), Some("wav"), None).unwrap_err();
        assert!(
            err.to_string().contains("WAV, OGG Vorbis, MP3 or FLAC"),
            "{err}"
        );
    }
}
