//! Timing and melody: how long each phone lasts and where the pitch goes.
//!
//! Durations follow the shape of Klatt's duration rules (1979): each phone has an inherent and
//! a minimum duration; context rules scale the part above the minimum (unstressed vowels are
//! halved, vowels in the last syllable of a phrase lengthened by 40 %, vowels in long words and
//! before voiceless consonants shortened, consonants in clusters shortened), then the speaking
//! rate divides the result. Pauses come from punctuation and `<break/>` tags.
//!
//! Pitch is a declining line per phrase with a bump on every accented (primary-stressed,
//! content-word) vowel, the first the highest, and a phrase ending that says what the phrase
//! is: a fall for statements, a rise for questions, a small continuation rise before a comma.
//!
//! Everything is computed in seconds and placed on samples once, by rounding the running total,
//! so a segment boundary is exact and no rounding error accumulates.

use super::phone::{Phone, PhoneClass, PhoneToken, Stress};
use super::plan::{Delivery, PitchPoint, Plan, Segment, SegmentKind};
use super::text::{BoundaryKind, NonVerbal, Style};
use super::voice::VoicePreset;

/// Silence before the first sound.
const LEADING_SILENCE: f64 = 0.05;
/// Silence after the last sound.
const TRAILING_SILENCE: f64 = 0.15;
/// Overall tempo against Klatt's inherent durations (which are for careful speech).
const TEMPO: f64 = 0.9;

/// What the prosody is given: the text front end's output, flattened.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Unit {
    /// A spoken word, part of timeline token `word` (a token like "$3.50" says several).
    Word {
        /// The timeline token it belongs to.
        word: usize,
        /// Its pronunciation.
        phones: Vec<PhoneToken>,
        /// Whether its primary stress carries a pitch accent (content words do).
        accent: bool,
    },
    /// A pause; a phrase boundary when `boundary` is set.
    Pause {
        /// Length at the natural speaking rate.
        millis: u32,
        /// The kind of phrase it ends, if it ends one.
        boundary: Option<BoundaryKind>,
        /// Explicit breaks keep their length whatever the speaking rate.
        fixed: bool,
    },
    /// A laugh, a sigh...
    NonVerbal(NonVerbal),
    /// A style tag: colours what follows.
    Style(Style),
}

/// How the voice colours speech after a style tag.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Colour {
    pitch: f32,
    range: f32,
    tempo: f32,
    delivery: Delivery,
}

impl Colour {
    const NEUTRAL: Colour = Colour {
        pitch: 1.0,
        range: 1.0,
        tempo: 1.0,
        delivery: Delivery {
            loudness: 1.0,
            whisper: false,
        },
    };

    fn of(style: Style) -> Colour {
        let c = |pitch, range, tempo, loudness| Colour {
            pitch,
            range,
            tempo,
            delivery: Delivery {
                loudness,
                whisper: false,
            },
        };
        match style {
            Style::Happy => c(1.08, 1.35, 1.05, 1.05),
            Style::Sad => c(0.92, 0.6, 0.88, 0.8),
            Style::Angry => c(1.02, 1.25, 1.05, 1.25),
            Style::Surprised => c(1.12, 1.5, 1.0, 1.1),
            Style::Fearful => c(1.1, 0.8, 1.1, 0.9),
            Style::Disgusted => c(0.95, 0.8, 0.92, 1.0),
            Style::Laughing => c(1.06, 1.3, 1.05, 1.05),
            Style::Whispering => Colour {
                delivery: Delivery {
                    loudness: 0.7,
                    whisper: true,
                },
                ..Colour::NEUTRAL
            },
        }
    }
}

/// (inherent, minimum) duration in milliseconds.
fn inherent(phone: Phone) -> (f64, f64) {
    use Phone::*;
    match phone {
        Aa => (240.0, 100.0),
        Ae => (230.0, 80.0),
        Ah => (140.0, 60.0),
        Ao => (240.0, 100.0),
        Aw => (260.0, 100.0),
        Ax => (120.0, 60.0),
        Ay => (250.0, 150.0),
        Eh => (150.0, 70.0),
        Er => (180.0, 80.0),
        Ey => (180.0, 100.0),
        Ih => (135.0, 40.0),
        Iy => (155.0, 55.0),
        Ow => (220.0, 80.0),
        Oy => (280.0, 150.0),
        Uh => (160.0, 60.0),
        Uw => (210.0, 70.0),
        B => (85.0, 60.0),
        Ch => (70.0, 50.0),
        D => (75.0, 50.0),
        Dh => (50.0, 30.0),
        F => (100.0, 80.0),
        G => (80.0, 60.0),
        Hh => (80.0, 20.0),
        Jh => (70.0, 50.0),
        K => (80.0, 60.0),
        L => (80.0, 40.0),
        M => (70.0, 60.0),
        N => (60.0, 50.0),
        Ng => (95.0, 60.0),
        P => (90.0, 50.0),
        R => (80.0, 30.0),
        S => (105.0, 60.0),
        Sh => (105.0, 80.0),
        T => (75.0, 50.0),
        Th => (90.0, 60.0),
        V => (60.0, 40.0),
        W => (80.0, 60.0),
        Y => (80.0, 40.0),
        Z => (75.0, 40.0),
        Zh => (70.0, 40.0),
    }
}

/// Seconds a non-verbal sound lasts at the natural rate.
fn nonverbal_seconds(kind: NonVerbal) -> f64 {
    match kind {
        NonVerbal::Laugh => 0.65,
        NonVerbal::Sigh => 0.75,
        NonVerbal::Breathe => 0.45,
        NonVerbal::Cough => 0.35,
        NonVerbal::ClearThroat => 0.45,
        NonVerbal::Yawn => 0.9,
    }
}

/// One phone of a phrase, with what the duration rules need to know.
struct PhraseSlot {
    token: PhoneToken,
    word: usize,
    accent: bool,
    /// Index of the spoken word within the phrase.
    part: usize,
    /// Vowels in the spoken word.
    word_vowels: usize,
    /// In the last syllable of its spoken word / of the phrase.
    word_final_syllable: bool,
    phrase_final_syllable: bool,
    seconds: f64,
}

/// Builds the plan of `units` for `voice` at `speaking_rate` (0.5 to 1.5) and `sample_rate`.
pub(crate) fn plan(
    units: &[Unit],
    voice: &VoicePreset,
    speaking_rate: f32,
    sample_rate: u32,
) -> Plan {
    let rate = f64::from(speaking_rate.clamp(0.5, 1.5));
    let mut builder = Builder {
        sample_rate,
        seconds: 0.0,
        frame: 0,
        plan: Plan {
            sample_rate,
            ..Plan::default()
        },
        voice: *voice,
    };
    builder.push(LEADING_SILENCE, SegmentKind::Silence, Delivery::default());
    let mut colour = Colour::NEUTRAL;
    let mut i = 0;
    while i < units.len() {
        match &units[i] {
            Unit::Word { .. } => {
                let end = units[i..]
                    .iter()
                    .position(|u| !matches!(u, Unit::Word { .. }))
                    .map_or(units.len(), |n| i + n);
                let boundary = units[end..]
                    .iter()
                    .find_map(|u| match u {
                        Unit::Pause { boundary, .. } => Some(*boundary),
                        Unit::Word { .. } => Some(None),
                        _ => None,
                    })
                    .flatten()
                    .unwrap_or(BoundaryKind::Statement);
                builder.phrase(&units[i..end], boundary, colour, rate);
                i = end;
                continue;
            }
            Unit::Pause { millis, fixed, .. } => {
                let mut seconds = f64::from(*millis) / 1000.0;
                if !fixed {
                    seconds /= rate;
                }
                // The pause after the last sound is the trailing silence.
                let last = units[i + 1..]
                    .iter()
                    .all(|u| matches!(u, Unit::Pause { fixed: false, .. } | Unit::Style(_)));
                if !last {
                    builder.push(seconds, SegmentKind::Silence, colour.delivery);
                }
            }
            Unit::NonVerbal(kind) => {
                let seconds = nonverbal_seconds(*kind) / rate.sqrt();
                builder.nonverbal(*kind, seconds, colour);
            }
            Unit::Style(style) => colour = Colour::of(*style),
        }
        i += 1;
    }
    builder.push(TRAILING_SILENCE, SegmentKind::Silence, Delivery::default());
    builder.plan
}

struct Builder {
    sample_rate: u32,
    seconds: f64,
    frame: u64,
    plan: Plan,
    voice: VoicePreset,
}

impl Builder {
    /// Appends a segment of `seconds`; its end is the running total rounded to a sample.
    fn push(
        &mut self,
        seconds: f64,
        kind: SegmentKind,
        delivery: Delivery,
    ) -> std::ops::Range<u64> {
        self.seconds += seconds.max(0.0);
        let end = (self.seconds * f64::from(self.sample_rate)).round() as u64;
        let span = self.frame..end.max(self.frame);
        self.frame = span.end;
        if !span.is_empty() {
            self.plan.segments.push(Segment {
                span: span.clone(),
                kind,
                delivery,
            });
        }
        span
    }

    fn pitch(&mut self, frame: u64, hz: f32) {
        if let Some(last) = self.plan.pitch.last_mut()
            && last.frame >= frame
        {
            // Two points at one frame: the later one wins.
            if last.frame == frame {
                last.hz = hz;
            }
            return;
        }
        self.plan.pitch.push(PitchPoint { frame, hz });
    }

    fn nonverbal(&mut self, kind: NonVerbal, seconds: f64, colour: Colour) {
        let f0 = self.voice.f0 * colour.pitch;
        let start = self.frame;
        let span = self.push(seconds, SegmentKind::NonVerbal(kind), colour.delivery);
        let (from, to) = match kind {
            NonVerbal::Laugh => (1.35, 1.1),
            NonVerbal::Sigh => (1.0, 0.75),
            NonVerbal::Breathe => (1.0, 1.0),
            NonVerbal::Cough => (1.1, 0.9),
            NonVerbal::ClearThroat => (0.75, 0.7),
            NonVerbal::Yawn => (1.25, 0.8),
        };
        self.pitch(start, f0 * from);
        self.pitch(span.end.saturating_sub(1).max(start), f0 * to);
    }

    /// Times and intones one phrase: words up to a boundary.
    fn phrase(&mut self, words: &[Unit], boundary: BoundaryKind, colour: Colour, rate: f64) {
        let mut slots = Vec::new();
        for (part, unit) in words.iter().enumerate() {
            let Unit::Word {
                word,
                phones,
                accent,
            } = unit
            else {
                continue;
            };
            let vowels = phones.iter().filter(|p| p.phone.is_vowel()).count();
            let last_vowel = phones.iter().rposition(|p| p.phone.is_vowel());
            for (i, token) in phones.iter().enumerate() {
                slots.push(PhraseSlot {
                    token: *token,
                    word: *word,
                    accent: *accent,
                    part,
                    word_vowels: vowels,
                    word_final_syllable: last_vowel.is_none_or(|v| i >= v),
                    phrase_final_syllable: false,
                    seconds: 0.0,
                });
            }
        }
        if slots.is_empty() {
            return;
        }
        let last_part = slots[slots.len() - 1].part;
        for slot in slots.iter_mut().filter(|s| s.part == last_part) {
            slot.phrase_final_syllable = slot.word_final_syllable;
        }
        let lengthening = match boundary {
            BoundaryKind::Comma | BoundaryKind::Clause => 1.25,
            _ => 1.4,
        };
        for i in 0..slots.len() {
            let seconds =
                duration(&slots, i, lengthening) * TEMPO / (rate * f64::from(colour.tempo));
            slots[i].seconds = seconds;
        }

        let f0 = self.voice.f0 * colour.pitch;
        let range = self.voice.pitch_range * colour.range;
        let phrase_start = self.frame;
        let total: f64 = slots.iter().map(|s| s.seconds).sum();
        let top = f0 * (1.0 + 0.1 * range);
        let bottom = f0 * (1.0 - 0.08 * range);
        let mut elapsed = 0.0;
        let mut accents = 0;
        let last_accent = slots.iter().rposition(|s| {
            s.accent && s.token.stress == Stress::Primary && s.token.phone.is_vowel()
        });
        let last_vowel = slots.iter().rposition(|s| s.token.phone.is_vowel());
        self.pitch(phrase_start, top);
        for (i, slot) in slots.iter().enumerate() {
            let next = slots.get(i + 1).map(|s| s.token.phone);
            let span = self.push(
                slot.seconds,
                SegmentKind::Phone {
                    token: slot.token,
                    next,
                    word: slot.word,
                },
                colour.delivery,
            );
            let baseline = |t: f64| top + (bottom - top) * (t / total.max(1e-6)) as f32;
            let is_accent =
                slot.accent && slot.token.stress == Stress::Primary && slot.token.phone.is_vowel();
            let final_vowel = Some(i) == last_vowel;
            if is_accent && !(final_vowel && boundary == BoundaryKind::Question) {
                let bump = f0
                    * range
                    * match accents {
                        0 => 0.2,
                        1 => 0.14,
                        _ => 0.11,
                    };
                accents += 1;
                let len = span.end - span.start;
                self.pitch(span.start, baseline(elapsed) + bump * 0.5);
                self.pitch(
                    span.start + len * 2 / 5,
                    baseline(elapsed + slot.seconds * 0.4) + bump,
                );
                if Some(i) == last_accent
                    && matches!(
                        boundary,
                        BoundaryKind::Statement | BoundaryKind::Exclamation
                    )
                {
                    self.pitch(
                        span.end,
                        baseline(elapsed + slot.seconds) - 0.05 * f0 * range,
                    );
                } else {
                    self.pitch(span.end, baseline(elapsed + slot.seconds) + bump * 0.3);
                }
            }
            if final_vowel {
                let end_hz = match boundary {
                    BoundaryKind::Question => f0 * (1.0 + 0.35 * range),
                    BoundaryKind::Comma | BoundaryKind::Clause => f0 * (1.0 + 0.04 * range),
                    BoundaryKind::Ellipsis => f0 * (1.0 - 0.1 * range),
                    _ => f0 * (1.0 - 0.2 * range),
                };
                self.pitch(span.start + (span.end - span.start) / 3, baseline(elapsed));
                let phrase_end = self
                    .frame_at(self.seconds + slots[i + 1..].iter().map(|s| s.seconds).sum::<f64>());
                self.pitch(phrase_end, end_hz);
            }
            elapsed += slot.seconds;
        }
    }

    fn frame_at(&self, seconds: f64) -> u64 {
        (seconds * f64::from(self.sample_rate)).round() as u64
    }
}

/// Seconds of slot `i` at the natural rate and tempo 1.
fn duration(slots: &[PhraseSlot], i: usize, phrase_final_lengthening: f64) -> f64 {
    let slot = &slots[i];
    let phone = slot.token.phone;
    let (inh, min) = inherent(phone);
    let same_word = |j: usize| slots.get(j).filter(|s| s.part == slot.part);
    let next = same_word(i + 1).map(|s| s.token.phone);
    let prev = i.checked_sub(1).and_then(same_word).map(|s| s.token.phone);
    let mut percent = 1.0;
    let mut min = min;
    if phone.is_vowel() {
        match slot.token.stress {
            Stress::None => {
                percent *= 0.5;
                min *= 0.5;
            }
            Stress::Secondary => percent *= 0.8,
            Stress::Primary => {}
        }
        if !slot.phrase_final_syllable {
            percent *= 0.7;
        }
        if !slot.word_final_syllable {
            percent *= 0.85;
        }
        if slot.word_vowels > 1 {
            percent *= 0.8;
        }
        match next {
            Some(n) if !n.is_vowel() && !n.is_voiced() => percent *= 0.75,
            Some(n) if matches!(n.class(), PhoneClass::Stop | PhoneClass::Fricative) => {
                percent *= 1.1
            }
            _ => {}
        }
    } else {
        let clustered = next.is_some_and(|n| !n.is_vowel()) || prev.is_some_and(|p| !p.is_vowel());
        if clustered {
            percent *= 0.75;
        }
        let before_unstressed = slots[i..]
            .iter()
            .take_while(|s| s.part == slot.part)
            .find(|s| s.token.phone.is_vowel())
            .is_some_and(|s| s.token.stress == Stress::None);
        if before_unstressed {
            percent *= 0.8;
        }
    }
    if slot.phrase_final_syllable {
        percent *= phrase_final_lengthening;
    }
    ((inh - min) * percent + min) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::parse_arpabet;
    use crate::voice::OfflineVoice;

    fn word(index: usize, arpabet: &str) -> Unit {
        Unit::Word {
            word: index,
            phones: parse_arpabet(arpabet).expect("valid ARPAbet"),
            accent: true,
        }
    }

    fn stop(millis: u32) -> Unit {
        Unit::Pause {
            millis,
            boundary: Some(BoundaryKind::Statement),
            fixed: false,
        }
    }

    #[test]
    fn segments_are_back_to_back_from_zero() {
        let units = [word(0, "HH AX L OW1"), word(1, "W ER1 L D"), stop(450)];
        let plan = plan(&units, &OfflineVoice::Male.preset(), 1.0, 24_000);
        assert_eq!(plan.segments[0].span.start, 0);
        for pair in plan.segments.windows(2) {
            assert_eq!(pair[0].span.end, pair[1].span.start);
        }
        let phones = plan
            .segments
            .iter()
            .filter(|s| matches!(s.kind, SegmentKind::Phone { .. }))
            .count();
        assert_eq!(phones, 8);
        for pair in plan.pitch.windows(2) {
            assert!(pair[0].frame < pair[1].frame);
        }
    }

    #[test]
    fn slower_speech_is_longer_and_phrase_ends_are_lengthened() {
        let units = [word(0, "B AE1 D"), word(1, "B AE1 D"), stop(450)];
        let voice = OfflineVoice::Male.preset();
        let normal = plan(&units, &voice, 1.0, 24_000);
        let slow = plan(&units, &voice, 0.5, 24_000);
        assert!(slow.frames() > normal.frames() * 3 / 2);
        let vowels: Vec<u64> = normal
            .segments
            .iter()
            .filter(
                |s| matches!(s.kind, SegmentKind::Phone { token, .. } if token.phone == Phone::Ae),
            )
            .map(|s| s.span.end - s.span.start)
            .collect();
        assert!(
            vowels[1] > vowels[0],
            "the phrase-final vowel is longer: {vowels:?}"
        );
    }

    #[test]
    fn questions_rise_and_statements_fall() {
        let voice = OfflineVoice::Male.preset();
        let ending = |boundary| {
            let units = [
                word(0, "Y UW1"),
                word(1, "S AO1"),
                word(2, "IH1 T"),
                Unit::Pause {
                    millis: 450,
                    boundary: Some(boundary),
                    fixed: false,
                },
            ];
            plan(&units, &voice, 1.0, 24_000)
                .pitch
                .last()
                .expect("pitch")
                .hz
        };
        assert!(ending(BoundaryKind::Question) > voice.f0 * 1.2);
        assert!(ending(BoundaryKind::Statement) < voice.f0 * 0.9);
    }

    #[test]
    fn explicit_breaks_keep_their_length_at_any_rate() {
        let units = [
            word(0, "HH AY1"),
            Unit::Pause {
                millis: 300,
                boundary: None,
                fixed: true,
            },
            word(1, "DH EH1 R"),
            stop(450),
        ];
        for rate in [0.5, 1.0, 1.5] {
            let plan = plan(&units, &OfflineVoice::Female.preset(), rate, 16_000);
            let silences: Vec<u64> = plan
                .segments
                .iter()
                .filter(|s| s.kind == SegmentKind::Silence)
                .map(|s| s.span.end - s.span.start)
                .collect();
            assert_eq!(silences.len(), 3, "leading, the break, trailing");
            assert!((silences[1] as i64 - 4_800).abs() <= 1, "{silences:?}");
        }
    }
}
