//! The timeline file that travels with a recorded or baked line: what `say` and `bake` write
//! beside the audio, and what a `VoiceLine` reads.
//!
//! ```json
//! {
//!   "sample_rate": 24000,
//!   "duration": 1.52,
//!   "words": [{"text": "Hello,", "start": 0.05, "end": 0.41}],
//!   "phones": [{"symbol": "h", "viseme": "aei", "word": 0, "start": 0.05, "end": 0.1}],
//!   "characters": [],
//!   "visemes": [{"viseme": "SIL", "start": 0.0, "end": 0.05}, {"viseme": "E", "start": 0.05, "end": 0.1}],
//!   "inworld_visemes": []
//! }
//! ```
//!
//! Times are seconds from the start of the audio. `visemes` is the engine's own track: the 15
//! OpenXR names (`SIL PP FF TH DD KK CH SS NN RR AA E IH OH OU`), back to back from the start
//! to the end of the audio, exactly the shapes the plugin shows (before articulation smooths
//! them); Inworld's audio-derived labels, when asked for, are kept under `inworld_visemes`.
//! Every list but `visemes` may be empty or missing.

use serde::{Deserialize, Serialize};

use crate::alignment::{
    Alignment, CharacterMark, FrameOffset, FrameSpan, PhoneMark, VisemeMark, WordMark,
};
use crate::pronounce::Pronouncer;
use crate::track::VisemeTrack;
use crate::viseme::Viseme;

/// A timed text item: a word or a character.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedText {
    /// The text.
    pub text: String,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// A timed phone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedPhone {
    /// The phone symbol (IPA, possibly with stress digits).
    pub symbol: String,
    /// The provider's viseme category (`aei`, `bmp`, ...).
    #[serde(default)]
    pub viseme: String,
    /// Index into `words`.
    #[serde(default)]
    pub word: usize,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// A timed viseme: an OpenXR name in `visemes`, a provider's label in `inworld_visemes`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimedViseme {
    /// The viseme.
    pub viseme: String,
    /// Start, seconds.
    pub start: f64,
    /// End, seconds.
    pub end: f64,
}

/// What can be wrong with a timeline file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimelineFileError {
    /// Not JSON of the documented shape.
    #[error(
        "the timeline is not of the documented shape ({{\"sample_rate\", \"words\", \"visemes\", ...}}): {0}"
    )]
    Shape(String),
    /// A `visemes` entry is not one of the 15 OpenXR names.
    #[error("timeline viseme {0:?} is not one of SIL PP FF TH DD KK CH SS NN RR AA E IH OH OU")]
    UnknownViseme(String),
}

/// A line's timeline as a file (see the [module](self) docs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineFile {
    /// The audio's sample rate (the timeline's own frames are at this rate).
    #[serde(default)]
    pub sample_rate: u32,
    /// The audio's length, seconds.
    #[serde(default)]
    pub duration: f64,
    /// Words, in the order spoken.
    #[serde(default)]
    pub words: Vec<TimedText>,
    /// Phones, by start.
    #[serde(default)]
    pub phones: Vec<TimedPhone>,
    /// Characters (CHARACTER timestamps), by start.
    #[serde(default)]
    pub characters: Vec<TimedText>,
    /// The engine's track: OpenXR visemes back to back over the whole audio.
    #[serde(default)]
    pub visemes: Vec<TimedViseme>,
    /// Inworld's audio-derived visemes (`lipsyncConfig`), as sent.
    #[serde(default)]
    pub inworld_visemes: Vec<TimedViseme>,
}

/// Seconds rounded to the microsecond (files stay readable, frames are unchanged).
fn seconds(frames: FrameOffset, rate: u32) -> f64 {
    (frames.as_seconds(rate) * 1e6).round() / 1e6
}

impl TimelineFile {
    /// The file for an utterance of `frames` frames at `sample_rate` whose timing is
    /// `alignment`; the engine's track is read from it as the plugin would (`pronouncer` reads
    /// words and characters aloud when there are no phones).
    pub fn from_alignment(
        alignment: &Alignment,
        sample_rate: u32,
        frames: u64,
        pronouncer: &dyn Pronouncer,
    ) -> TimelineFile {
        let mut track = VisemeTrack::default();
        track.update(alignment, pronouncer);
        let keys = track
            .keys()
            .iter()
            .map(|k| (k.viseme, k.span))
            .collect::<Vec<_>>();
        TimelineFile::with_track(alignment, sample_rate, frames, &keys)
    }

    /// The file for `alignment` with the engine's track given as `(viseme, span)` keys (e.g.
    /// estimated from the audio); gaps between keys are filled with `SIL`.
    pub fn with_track(
        alignment: &Alignment,
        sample_rate: u32,
        frames: u64,
        keys: &[(Viseme, FrameSpan)],
    ) -> TimelineFile {
        let rate = sample_rate;
        let text = |text: &str, span: FrameSpan| TimedText {
            text: text.to_owned(),
            start: seconds(span.start, rate),
            end: seconds(span.end, rate),
        };
        let viseme = |name: &str, span: FrameSpan| TimedViseme {
            viseme: name.to_owned(),
            start: seconds(span.start, rate),
            end: seconds(span.end, rate),
        };
        // Back to back: each key runs until the next starts; silence fills the gaps.
        let mut visemes = Vec::new();
        let mut at = FrameOffset(0);
        let end = FrameOffset(frames.max(alignment.end().0));
        for (i, (v, span)) in keys.iter().enumerate() {
            let start = span.start.max(at);
            if start > at {
                visemes.push(viseme(Viseme::Sil.openxr_name(), FrameSpan::new(at, start)));
            }
            let next = keys
                .get(i + 1)
                .map_or(span.end, |(_, n)| n.start.max(start));
            let stop = span.end.min(next).max(start);
            if stop > start {
                visemes.push(viseme(v.openxr_name(), FrameSpan::new(start, stop)));
            }
            at = stop;
        }
        if end > at {
            visemes.push(viseme(Viseme::Sil.openxr_name(), FrameSpan::new(at, end)));
        }
        // One row per shape held: neighbours showing the same viseme are merged.
        visemes.dedup_by(|next, held| {
            let same = next.viseme == held.viseme && (next.start - held.end).abs() < 1e-9;
            if same {
                held.end = next.end;
            }
            same
        });
        TimelineFile {
            sample_rate,
            duration: seconds(FrameOffset(frames), rate),
            words: alignment
                .words
                .iter()
                .map(|w| text(&w.text, w.span))
                .collect(),
            phones: alignment
                .phones
                .iter()
                .map(|p| TimedPhone {
                    symbol: p.symbol.clone(),
                    viseme: p.viseme.clone(),
                    word: p.word,
                    start: seconds(p.span.start, rate),
                    end: seconds(p.span.end, rate),
                })
                .collect(),
            characters: alignment
                .characters
                .iter()
                .map(|c| text(&c.text, c.span))
                .collect(),
            visemes,
            inworld_visemes: alignment
                .visemes
                .iter()
                .map(|v| viseme(&v.label, v.span))
                .collect(),
        }
    }

    /// Reads a file, checking the engine's track names.
    pub fn from_json(json: &[u8]) -> Result<TimelineFile, TimelineFileError> {
        let file: TimelineFile =
            serde_json::from_slice(json).map_err(|e| TimelineFileError::Shape(e.to_string()))?;
        if let Some(bad) = file
            .visemes
            .iter()
            .find(|v| v.viseme.parse::<Viseme>().is_err())
        {
            return Err(TimelineFileError::UnknownViseme(bad.viseme.clone()));
        }
        Ok(file)
    }

    /// The file as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a timeline always serialises")
    }

    /// The engine's track as Rhubarb-style TSV rows, `start<TAB>viseme` (seconds, three
    /// decimals), ending with the end of the audio as `SIL`.
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for v in &self.visemes {
            out.push_str(&format!("{:.3}\t{}\n", v.start, v.viseme));
        }
        out.push_str(&format!(
            "{:.3}\t{}\n",
            self.duration,
            Viseme::Sil.openxr_name()
        ));
        out
    }

    /// The timing to play the line with, in frames at `sample_rate` (the rate the audio is
    /// played at, which may differ from the file's): words, phones and characters as written,
    /// and the visemes Inworld sent; when the file has neither phones nor Inworld's visemes,
    /// the engine's track stands in as audio-derived visemes, so a baked track plays as baked.
    pub fn alignment(&self, sample_rate: u32) -> Alignment {
        let span = |start: f64, end: f64| FrameSpan::from_seconds(start, end, sample_rate);
        let words = self
            .words
            .iter()
            .map(|w| WordMark {
                text: w.text.as_str().into(),
                span: span(w.start, w.end),
                partial: false,
            })
            .collect();
        let phones = self
            .phones
            .iter()
            .map(|p| PhoneMark {
                symbol: p.symbol.clone(),
                viseme: p.viseme.clone(),
                span: span(p.start, p.end),
                word: p.word,
            })
            .collect();
        let characters = self
            .characters
            .iter()
            .map(|c| CharacterMark {
                text: c.text.clone(),
                span: span(c.start, c.end),
            })
            .collect();
        let visemes = if self.phones.is_empty() && self.inworld_visemes.is_empty() {
            &self.visemes
        } else {
            &self.inworld_visemes
        };
        let visemes = visemes
            .iter()
            .map(|v| VisemeMark {
                label: v.viseme.clone(),
                span: span(v.start, v.end),
            })
            .collect();
        Alignment {
            words,
            phones,
            characters,
            visemes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pronounce::Spelling;

    fn span(a: u64, b: u64) -> FrameSpan {
        FrameSpan::new(FrameOffset(a), FrameOffset(b))
    }

    #[test]
    fn the_engines_track_covers_the_audio_back_to_back_with_openxr_names() {
        let keys = [
            (Viseme::Pp, span(100, 200)),
            (Viseme::Aa, span(180, 400)),
            (Viseme::Ss, span(500, 600)),
        ];
        let file = TimelineFile::with_track(&Alignment::default(), 1000, 800, &keys);
        let rows: Vec<(&str, f64, f64)> = file
            .visemes
            .iter()
            .map(|v| (v.viseme.as_str(), v.start, v.end))
            .collect();
        assert_eq!(
            rows,
            [
                ("SIL", 0.0, 0.1),
                ("PP", 0.1, 0.18),
                ("AA", 0.18, 0.4),
                ("SIL", 0.4, 0.5),
                ("SS", 0.5, 0.6),
                ("SIL", 0.6, 0.8)
            ]
        );
        assert_eq!(
            file.to_tsv(),
            "0.000\tSIL\n0.100\tPP\n0.180\tAA\n0.400\tSIL\n0.500\tSS\n0.600\tSIL\n0.800\tSIL\n"
        );
    }

    #[test]
    fn a_file_round_trips_and_a_baked_track_plays_as_baked() {
        let mut alignment = Alignment::default();
        alignment.words.push(WordMark {
            text: "mama".into(),
            span: span(0, 480),
            partial: false,
        });
        let file = TimelineFile::from_alignment(&alignment, 24_000, 600, &Spelling);
        assert!(
            file.visemes.iter().any(|v| v.viseme == "PP"),
            "{:?}",
            file.visemes
        );
        let read = TimelineFile::from_json(file.to_json().as_bytes()).unwrap();
        assert_eq!(read, file);
        // No phones: the track itself becomes the line's visemes, at the playback rate.
        let played = read.alignment(48_000);
        assert_eq!(played.words[0].span, span(0, 960));
        assert_eq!(played.visemes.len(), file.visemes.len());
        assert_eq!(played.visemes[0].label, file.visemes[0].viseme);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let err =
            TimelineFile::from_json(br#"{"visemes": [{"viseme": "XX", "start": 0, "end": 1}]}"#)
                .unwrap_err();
        assert_eq!(err, TimelineFileError::UnknownViseme("XX".into()));
        assert!(matches!(
            TimelineFile::from_json(br#"{"words": "Hello"}"#),
            Err(TimelineFileError::Shape(_))
        ));
    }
}
