//! What the emulator "says": audio plus the exact word and phone timeline behind it.
//!
//! The [`SpeechSource`] trait is the seam where the project's offline voice can replace the
//! default [`ToneVoice`]. Whatever renders the audio, the timeline it returns is the ground
//! truth the emulator turns into Inworld timestamps, so a test can compare a client's decoded
//! timeline with it frame for frame.

use std::ops::Range;

use offline_voice::{MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, OfflineSpeech, OfflineVoice};

use super::phonetics::{tone_hz, word_phones};

/// Renders text into mono 16-bit audio with its timeline. Must be deterministic.
pub trait SpeechSource: Send + Sync {
    /// Render `text` at `sample_rate`, with phone durations scaled by `1 / speaking_rate`.
    fn render(&self, text: &str, sample_rate: u32, speaking_rate: f32) -> Rendered;

    /// Render `text` for a voice of the catalog whose gender is `gender` (`male`, `female`, or
    /// empty). Sources with one voice ignore it.
    fn render_as(
        &self,
        text: &str,
        sample_rate: u32,
        speaking_rate: f32,
        gender: &str,
    ) -> Rendered {
        let _ = gender;
        self.render(text, sample_rate, speaking_rate)
    }
}

/// The crate's offline voice: real (robotic) speech, with its exact timeline as the truth.
///
/// With no fixed voice, each catalog voice speaks with the offline voice of its gender, so
/// `Ashley` and `Dennis` sound different.
///
/// ```
/// use inworld_emulator::{OfflineSource, SpeechSource};
///
/// let rendered = OfflineSource::default().render("Hello there.", 24_000, 1.0);
/// assert_eq!(rendered.words[1].text, "there.");
/// assert!(rendered.words[1].phones.iter().any(|p| p.symbol.starts_with('ð')));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineSource {
    /// The voice every catalog voice speaks with; `None`: by the catalog voice's gender.
    pub voice: Option<OfflineVoice>,
}

impl SpeechSource for OfflineSource {
    fn render(&self, text: &str, sample_rate: u32, speaking_rate: f32) -> Rendered {
        self.render_as(text, sample_rate, speaking_rate, "")
    }

    fn render_as(
        &self,
        text: &str,
        sample_rate: u32,
        speaking_rate: f32,
        gender: &str,
    ) -> Rendered {
        let voice = self
            .voice
            .unwrap_or(if gender.eq_ignore_ascii_case("female") {
                OfflineVoice::Female
            } else {
                OfflineVoice::Male
            });
        let sample_rate = sample_rate.clamp(MIN_SAMPLE_RATE, MAX_SAMPLE_RATE);
        let speaking_rate = if speaking_rate.is_finite() {
            speaking_rate.clamp(0.5, 1.5)
        } else {
            1.0
        };
        let Ok(speech) = OfflineSpeech::new(text, voice, speaking_rate, sample_rate) else {
            // Nothing sayable: the service would still answer with a breath of silence.
            return Rendered {
                sample_rate,
                samples: vec![0; sample_rate as usize / 4],
                words: Vec::new(),
            };
        };
        let bytes = speech.word_bytes().to_vec();
        let (samples, timeline) = speech.render_all();
        let mut words: Vec<RenderedWord> = timeline
            .words
            .iter()
            .zip(bytes)
            .map(|(word, byte_range)| RenderedWord {
                text: word.text.to_string(),
                byte_range,
                start_frame: word.span.start.0 as usize,
                end_frame: word.span.end.0 as usize,
                phones: Vec::new(),
            })
            .collect();
        for phone in timeline.phones {
            if let Some(word) = words.get_mut(phone.word) {
                word.phones.push(RenderedPhone {
                    symbol: phone.symbol,
                    viseme: phone.viseme,
                    start_frame: phone.span.start.0 as usize,
                    end_frame: phone.span.end.0 as usize,
                });
            }
        }
        Rendered {
            sample_rate,
            samples,
            words,
        }
    }
}

/// Audio and the timeline it was built from. Frames are sample indices into `samples`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rendered {
    /// Sample rate of `samples`, in Hz.
    pub sample_rate: u32,
    /// Mono signed 16-bit samples, including leading and trailing silence.
    pub samples: Vec<i16>,
    /// Words in order; they never overlap.
    pub words: Vec<RenderedWord>,
}

/// One spoken word.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedWord {
    /// The original token, punctuation attached (`"Hello,"`).
    pub text: String,
    /// Where the token sits in the input text, in bytes.
    pub byte_range: Range<usize>,
    /// First frame of the word's first phone.
    pub start_frame: usize,
    /// One past the last frame of its last phone.
    pub end_frame: usize,
    /// The word's phones, back to back.
    pub phones: Vec<RenderedPhone>,
}

/// One phone of a word.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedPhone {
    /// IPA, possibly with a stress digit (`oʊ1`).
    pub symbol: String,
    /// One of Inworld's categories ([`super::VISEME_CATEGORIES`]) or `sil`.
    pub viseme: String,
    /// First frame of the phone.
    pub start_frame: usize,
    /// One past its last frame.
    pub end_frame: usize,
}

impl Rendered {
    /// Length of the audio in frames.
    pub fn frames(&self) -> usize {
        self.samples.len()
    }
}

/// The default voice: every phone is a sine tone whose pitch depends on its viseme category.
///
/// It follows [`render_tones`]; use that function to compute the ground truth in tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct ToneVoice;

impl SpeechSource for ToneVoice {
    fn render(&self, text: &str, sample_rate: u32, speaking_rate: f32) -> Rendered {
        render_tones(text, sample_rate, speaking_rate)
    }
}

/// Milliseconds of each part of the tone voice's timeline.
const LEADING_MS: f64 = 100.0;
const TRAILING_MS: f64 = 150.0;
const VOWEL_MS: f64 = 90.0;
const CONSONANT_MS: f64 = 60.0;
const WORD_GAP_MS: f64 = 60.0;
const COMMA_GAP_MS: f64 = 120.0;
const SENTENCE_GAP_MS: f64 = 200.0;
const FADE_MS: f64 = 5.0;
const AMPLITUDE: f64 = 9000.0;

/// Render `text` with the tone voice: deterministic for a given input, on every platform run.
///
/// Timeline: 100 ms of silence, then each whitespace-separated token that holds a letter or
/// digit as a word made of phones (vowels 90 ms, consonants 60 ms), separated by 60 ms of
/// silence (120 ms after `,` `;` `:`, 200 ms after `.` `!` `?`), then 150 ms of silence, so the
/// audio runs past the last word. Phones and pauses are scaled by `1 / speaking_rate`; the
/// leading and trailing silence are not. Tokens without letters or digits are not words but
/// their punctuation still sets the pause. Markups (`[happy]`, `<break time="300ms"/>`) are not
/// spoken, as with Inworld.
///
/// ```
/// let rendered = inworld_emulator::render_tones("Hello, world!", 48_000, 1.0);
/// assert_eq!(rendered.words[0].text, "Hello,");
/// assert_eq!(rendered.words[0].start_frame, 4_800);
/// assert!(rendered.frames() > rendered.words[1].end_frame);
/// ```
pub fn render_tones(text: &str, sample_rate: u32, speaking_rate: f32) -> Rendered {
    let speed = if speaking_rate.is_finite() && speaking_rate > 0.0 {
        f64::from(speaking_rate)
    } else {
        1.0
    };
    let frames_fixed = |ms: f64| (ms * f64::from(sample_rate) / 1000.0).round() as usize;
    let frames_scaled = |ms: f64| frames_fixed(ms / speed);

    let tokens = spoken_tokens(text);
    let mut samples = vec![0_i16; frames_fixed(LEADING_MS)];
    let mut words = Vec::with_capacity(tokens.len());
    for (index, range) in tokens.iter().enumerate() {
        let start_frame = samples.len();
        let mut phones = Vec::new();
        for phone in word_phones(&text[range.clone()]) {
            let length = frames_scaled(if phone.vowel { VOWEL_MS } else { CONSONANT_MS });
            let phone_start = samples.len();
            push_tone(&mut samples, tone_hz(phone.viseme), length, sample_rate);
            phones.push(RenderedPhone {
                symbol: phone.symbol,
                viseme: phone.viseme.to_owned(),
                start_frame: phone_start,
                end_frame: samples.len(),
            });
        }
        words.push(RenderedWord {
            text: text[range.clone()].to_owned(),
            byte_range: range.clone(),
            start_frame,
            end_frame: samples.len(),
            phones,
        });
        let pause = match tokens.get(index + 1) {
            Some(next) => frames_scaled(pause_ms(&text[range.start..next.start])),
            None => frames_fixed(TRAILING_MS),
        };
        samples.resize(samples.len() + pause, 0);
    }
    if words.is_empty() {
        samples.resize(samples.len() + frames_fixed(TRAILING_MS), 0);
    }
    Rendered {
        sample_rate,
        samples,
        words,
    }
}

/// Byte ranges of whitespace-separated tokens that contain a letter or digit.
fn spoken_tokens(text: &str) -> Vec<Range<usize>> {
    let mut tokens = Vec::new();
    let mut start = None;
    // Inside a markup (`[happy]`, `<break time="300ms"/>`): not spoken, as with Inworld.
    let mut closing = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        let separator = match closing {
            Some(close) => {
                if c == close {
                    closing = None;
                }
                true
            }
            None => {
                let close = match c {
                    '[' => Some(']'),
                    '<' => Some('>'),
                    _ => None,
                };
                match close {
                    Some(close) if text[at..].contains(close) => {
                        closing = Some(close);
                        true
                    }
                    _ => c.is_whitespace(),
                }
            }
        };
        match (separator, start) {
            (false, None) => start = Some(at),
            (true, Some(from)) => {
                if text[from..at].chars().any(char::is_alphanumeric) {
                    tokens.push(from..at);
                }
                start = None;
            }
            _ => {}
        }
    }
    tokens
}

/// The pause after a word, from the last visible character before the next word.
fn pause_ms(between: &str) -> f64 {
    match between.trim_end().chars().last() {
        Some('.' | '!' | '?' | '…') => SENTENCE_GAP_MS,
        Some(',' | ';' | ':') => COMMA_GAP_MS,
        _ => WORD_GAP_MS,
    }
}

/// Append `length` frames of a sine at `hz`, faded in and out so the energy sits clearly
/// inside the phone.
fn push_tone(samples: &mut Vec<i16>, hz: f64, length: usize, sample_rate: u32) {
    let rate = f64::from(sample_rate.max(1));
    let fade = ((FADE_MS * rate / 1000.0) as usize).clamp(1, length.max(2) / 2);
    samples.reserve(length);
    for k in 0..length {
        let edge = k.min(length - 1 - k);
        let gain = if edge < fade {
            edge as f64 / fade as f64
        } else {
            1.0
        };
        let phase = std::f64::consts::TAU * hz * k as f64 / rate;
        samples.push((AMPLITUDE * gain * phase.sin()).round() as i16);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_has_silences_and_punctuation_pauses() {
        let r = render_tones("Hi, you. x", 1000, 1.0);
        assert_eq!(r.words.len(), 3);
        assert_eq!(r.words[0].start_frame, 100);
        // "Hi," = h (60) + ɪ (90), then the comma pause.
        assert_eq!(r.words[0].end_frame, 250);
        assert_eq!(r.words[1].start_frame, 250 + 120);
        let you_end = r.words[1].end_frame;
        assert_eq!(r.words[2].start_frame, you_end + 200);
        assert_eq!(r.frames(), r.words[2].end_frame + 150);
        assert_eq!(&"Hi, you. x"[r.words[1].byte_range.clone()], "you.");
    }

    #[test]
    fn speaking_rate_scales_phones_not_edges() {
        let slow = render_tones("ab", 1000, 0.5);
        assert_eq!(slow.words[0].start_frame, 100);
        assert_eq!(slow.words[0].end_frame - slow.words[0].start_frame, 300);
    }

    #[test]
    fn punctuation_only_tokens_are_not_words() {
        let r = render_tones("wait ... what", 1000, 1.0);
        assert_eq!(r.words.len(), 2);
        assert_eq!(r.words[1].start_frame - r.words[0].end_frame, 200);
        assert_eq!(render_tones("  ", 1000, 1.0).frames(), 250);
    }

    #[test]
    fn markups_are_not_spoken() {
        let r = render_tones(
            "[happy] Hi there, <break time=\"300ms\"/> friend [laughing]! An [unclosed",
            1000,
            1.0,
        );
        let words: Vec<&str> = r.words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(words, ["Hi", "there,", "friend", "An", "[unclosed"]);
    }

    #[test]
    fn deterministic_and_silent_between_words() {
        let a = render_tones("Hello there", 48_000, 1.0);
        assert_eq!(a, render_tones("Hello there", 48_000, 1.0));
        let gap = a.words[0].end_frame..a.words[1].start_frame;
        assert!(a.samples[gap].iter().all(|s| *s == 0));
        let phone = &a.words[0].phones[1];
        let mid = (phone.start_frame + phone.end_frame) / 2;
        let peak = a.samples[mid - 200..mid + 200]
            .iter()
            .map(|s| s.unsigned_abs())
            .max();
        assert!(peak > Some(5000));
    }
}
