//! The built-in offline voice: English speech with exact phone timing, no key, no network.
//!
//! `offline_voice` owns a complete small text-to-speech for English: text normalisation, the
//! lexicon and letter-to-sound rules, prosody and a formant synthesiser, streaming PCM with a
//! timeline of words and phones exact to the sample, in [`lipsync_core::alignment`] types. It
//! also lends its pronunciation to lipsync ([`Lexicon`], a [`lipsync_core::Pronouncer`]). It
//! does not play audio, reach a network or know a game engine, and it speaks English only.
//!
//! A newcomer without an Inworld key still hears characters talk, and every test and benchmark
//! gets speech whose true timing is known to the sample. The voice is a small classic TTS, in
//! pure Rust:
//!
//! 1. [`text`] normalises the text (numbers, currency, times, abbreviations, tags) into tokens,
//!    keeping each token's place in the source for the word timestamps;
//! 2. [`lexicon`] pronounces each word (an exception dictionary, then letter-to-sound rules);
//! 3. `prosody` gives every phone a duration (Klatt-style rules) and the sentence a melody;
//! 4. `synth`, a Klatt-style cascade/parallel formant synthesiser, renders the plan at any
//!    sample rate, switching targets exactly at the phone boundaries the timeline reports.
//!
//! It sounds like intelligible robotic speech. It streams: [`OfflineSpeech::next_chunk`] hands
//! out PCM in [`CHUNK_SECONDS`] pieces, each with the words and phones that start in it, so the
//! first audio is ready in well under a millisecond of synthesis after the text is analysed.
//!
//! ```
//! use offline_voice::{OfflineSpeech, OfflineVoice};
//!
//! let mut speech = OfflineSpeech::new("Hello there, traveller!", OfflineVoice::Female, 1.0, 24_000)?;
//! let mut samples = 0;
//! let mut words = Vec::new();
//! while let Some(chunk) = speech.next_chunk() {
//!     samples += chunk.pcm.len();
//!     words.extend(chunk.alignment.words.into_iter().map(|w| w.text.to_string()));
//! }
//! assert_eq!(words, ["Hello", "there,", "traveller!"]);
//! assert_eq!(samples as u64, speech.frames());
//! # Ok::<(), offline_voice::OfflineError>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod frontend;
pub mod lexicon;
pub mod phone;
mod plan;
mod prosody;
mod synth;
pub mod text;
mod voice;

pub use voice::{OfflineVoice, UnknownOfflineVoice, VoiceVariant};

use lipsync_core::{Pronouncer, SpokenPhone, WordContext};

use lipsync_core::alignment::{AlignmentUpdate, FrameOffset, FrameSpan, PhoneMark, WordMark};

use plan::{Plan, SegmentKind};
use synth::Synthesizer;

/// The offline voice's pronunciation (its exception dictionary, letter-to-sound rules and
/// heteronyms read from their neighbours), lent to lipsync for speech that comes without phones.
///
/// ```
/// use lipsync_core::{Viseme, read_aloud, spell};
/// use offline_voice::Lexicon;
///
/// // Spelling reads the k of "knight"; the lexicon knows it is silent.
/// let first = |shapes: Vec<lipsync_core::SpelledViseme>| shapes[0].viseme;
/// assert_eq!(first(read_aloud("Knight", &Lexicon)), Some(Viseme::Nn));
/// assert_eq!(first(spell("Knight")), Some(Viseme::Kk));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lexicon;

impl Pronouncer for Lexicon {
    fn pronounce(&self, word: &str, context: WordContext<'_>, phones: &mut Vec<SpokenPhone>) {
        phones.extend(
            lexicon::pronounce(word, context)
                .into_iter()
                .map(|token| SpokenPhone {
                    ipa: token.phone.ipa(),
                    vowel: token.phone.is_vowel(),
                }),
        );
    }
}

/// Length of each streamed chunk.
pub const CHUNK_SECONDS: f64 = 0.1;
/// Lowest sample rate the voice renders.
pub const MIN_SAMPLE_RATE: u32 = 8_000;
/// Highest sample rate the voice renders.
pub const MAX_SAMPLE_RATE: u32 = 48_000;

/// Why the offline voice cannot say a text.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// Nothing in the text can be said.
    #[error("the text has nothing the offline voice can say (no letters or digits outside tags)")]
    NothingToSay,
    /// The speaking rate is out of range.
    #[error("speaking rate {0} is outside 0.5..=1.5 (1 is the natural pace)")]
    SpeakingRate(f32),
    /// The sample rate is out of range.
    #[error("sample rate {0} Hz is outside the offline voice's 8000..=48000 Hz")]
    SampleRate(u32),
}

/// A piece of the utterance as it streams out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OfflineChunk {
    /// Where its first sample sits in the utterance.
    pub start: FrameOffset,
    /// Mono signed 16-bit samples.
    pub pcm: Vec<i16>,
    /// The words (with their phones) that start in this chunk; spans may run past its end.
    pub alignment: AlignmentUpdate,
}

/// One utterance of the offline voice, rendered as it is read.
#[derive(Clone, Debug)]
pub struct OfflineSpeech {
    synth: Synthesizer,
    timeline: AlignmentUpdate,
    /// Byte range in the text of each timeline word.
    word_bytes: Vec<std::ops::Range<usize>>,
    /// Next word and phone of `timeline` to hand out (phones are in word order).
    next_word: usize,
    next_phone: usize,
    sample_rate: u32,
    chunk_frames: usize,
    buffer: Vec<f32>,
}

impl OfflineSpeech {
    /// Prepares `text` in `voice` at `speaking_rate` (0.5 to 1.5) and `sample_rate`. The text is
    /// analysed and timed here; audio is rendered chunk by chunk.
    pub fn new(
        text: &str,
        voice: OfflineVoice,
        speaking_rate: f32,
        sample_rate: u32,
    ) -> Result<Self, OfflineError> {
        Self::new_variant(
            text,
            voice,
            VoiceVariant::default(),
            speaking_rate,
            sample_rate,
        )
    }

    /// As [`OfflineSpeech::new`], with the voice's pitch and vocal tract scaled by `variant`.
    pub fn new_variant(
        text: &str,
        voice: OfflineVoice,
        variant: VoiceVariant,
        speaking_rate: f32,
        sample_rate: u32,
    ) -> Result<Self, OfflineError> {
        if !(0.5..=1.5).contains(&speaking_rate) {
            return Err(OfflineError::SpeakingRate(speaking_rate));
        }
        if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
            return Err(OfflineError::SampleRate(sample_rate));
        }
        let analysis = frontend::analyse(text);
        let sounds = analysis
            .units
            .iter()
            .any(|u| matches!(u, prosody::Unit::Word { .. } | prosody::Unit::NonVerbal(_)));
        if !sounds {
            return Err(OfflineError::NothingToSay);
        }
        let preset = voice.preset().varied(variant);
        let plan = prosody::plan(&analysis.units, &preset, speaking_rate, sample_rate);
        let timeline = build_timeline(&plan, text, &analysis.tokens);
        let chunk_frames = ((f64::from(sample_rate) * CHUNK_SECONDS).round() as usize).max(1);
        Ok(OfflineSpeech {
            synth: Synthesizer::new(&plan, preset),
            timeline,
            word_bytes: analysis.tokens.iter().map(|t| t.bytes.clone()).collect(),
            next_word: 0,
            next_phone: 0,
            sample_rate,
            chunk_frames,
            buffer: vec![0.0; chunk_frames],
        })
    }

    /// Sample rate of the audio and unit of every frame offset.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Length of the whole utterance in frames (known before any audio is rendered).
    pub fn frames(&self) -> u64 {
        self.synth.frames()
    }

    /// The whole timeline: every word and phone with its exact span.
    pub fn timeline(&self) -> &AlignmentUpdate {
        &self.timeline
    }

    /// Where each word of [`OfflineSpeech::timeline`] is written in the text, in bytes.
    pub fn word_bytes(&self) -> &[std::ops::Range<usize>] {
        &self.word_bytes
    }

    /// The samples at which the synthesiser switches targets: every phone starts at one, and
    /// stops, affricates and diphthongs add some inside their phones.
    pub fn target_changes(&self) -> impl Iterator<Item = u64> + '_ {
        self.synth.changes()
    }

    /// Renders the next chunk; `None` once the utterance is over.
    pub fn next_chunk(&mut self) -> Option<OfflineChunk> {
        if self.synth.is_done() {
            return None;
        }
        let start = self.synth.position();
        let n = self.synth.render(&mut self.buffer[..self.chunk_frames]);
        let end = start + n as u64;
        let pcm = self.buffer[..n].iter().map(|&x| to_i16(x)).collect();
        let mut alignment = AlignmentUpdate::default();
        let first = self.next_word;
        while let Some(word) = self.timeline.words.get(self.next_word)
            && (word.span.start.0 < end || self.synth.is_done())
        {
            alignment.words.push(word.clone());
            self.next_word += 1;
        }
        while let Some(phone) = self.timeline.phones.get(self.next_phone)
            && phone.word < self.next_word
        {
            alignment.phones.push(PhoneMark {
                word: phone.word - first,
                ..phone.clone()
            });
            self.next_phone += 1;
        }
        Some(OfflineChunk {
            start: FrameOffset(start),
            pcm,
            alignment,
        })
    }

    /// Renders everything at once: the samples and the whole timeline.
    pub fn render_all(mut self) -> (Vec<i16>, AlignmentUpdate) {
        let mut pcm = Vec::with_capacity(self.frames() as usize);
        while let Some(chunk) = self.next_chunk() {
            pcm.extend_from_slice(&chunk.pcm);
        }
        (pcm, self.timeline)
    }
}

fn to_i16(x: f32) -> i16 {
    // Saturating by construction: the synthesiser's limiter keeps |x| <= 1.
    (x.clamp(-1.0, 1.0) * 32_767.0).round() as i16
}

/// The timeline of `plan`: a word per heard token, its text as written (punctuation attached),
/// its phones with their stress digits and Inworld viseme categories.
fn build_timeline(plan: &Plan, text: &str, tokens: &[frontend::HeardToken]) -> AlignmentUpdate {
    let mut update = AlignmentUpdate::default();
    let mut words: Vec<Option<FrameSpan>> = vec![None; tokens.len()];
    for segment in &plan.segments {
        let SegmentKind::Phone { token, word, .. } = segment.kind else {
            continue;
        };
        let span = FrameSpan::new(
            FrameOffset(segment.span.start),
            FrameOffset(segment.span.end),
        );
        if let Some(slot) = words.get_mut(word) {
            *slot = Some(match *slot {
                Some(s) => FrameSpan::new(s.start, span.end),
                None => span,
            });
        }
        update.phones.push(PhoneMark {
            symbol: token.phone.symbol(token.stress),
            viseme: token.phone.inworld_category().to_owned(),
            span,
            word,
        });
    }
    for (token, span) in tokens.iter().zip(&words) {
        let span = span.unwrap_or_default();
        update.words.push(WordMark {
            text: text.get(token.bytes.clone()).unwrap_or_default().into(),
            span,
            partial: false,
        });
    }
    update
}

#[cfg(test)]
mod tests;
