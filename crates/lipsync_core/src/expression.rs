//! The face around the mouth: blinks and emotions, a layer added to the same morph targets.

use crate::curve::VisemeWeights;
use crate::rig::sided;
use crate::viseme::Viseme;

/// What a face feels, set by a game per speaker or by a markup in a line (`[happy]`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
#[non_exhaustive]
pub enum Emotion {
    /// No expression beyond speech and blinks.
    #[default]
    Neutral,
    /// Smiling: lip corners and cheeks up.
    Happy,
    /// Lip corners down, inner brows raised.
    Sad,
    /// Brows down, nose wrinkled.
    Angry,
    /// Brows raised, eyes wide.
    Surprised,
}

impl Emotion {
    /// The emotion an Inworld emotion or delivery markup names (`happy`, `sad`, `angry`,
    /// `surprised`, `laughing`, ... without the brackets, any case); `None` for markups that
    /// change no expression (`whispering`, `breathe`).
    pub fn from_markup(tag: &str) -> Option<Emotion> {
        match tag.trim().to_ascii_lowercase().as_str() {
            "happy" | "laughing" | "laugh" | "excited" | "cheerful" => Some(Emotion::Happy),
            "sad" | "crying" | "sigh" | "sighing" => Some(Emotion::Sad),
            "angry" | "shouting" | "frustrated" => Some(Emotion::Angry),
            "surprised" | "fearful" | "scared" | "gasp" => Some(Emotion::Surprised),
            "neutral" | "calm" => Some(Emotion::Neutral),
            _ => None,
        }
    }

    /// The expression at full intensity.
    pub fn pose(self) -> ExpressionWeights {
        let none = ExpressionWeights::default();
        match self {
            Emotion::Neutral => none,
            Emotion::Happy => ExpressionWeights {
                smile: 0.7,
                brow_up: 0.1,
                ..none
            },
            Emotion::Sad => ExpressionWeights {
                frown: 0.6,
                brow_up: 0.35,
                ..none
            },
            Emotion::Angry => ExpressionWeights {
                brow_down: 0.7,
                sneer: 0.35,
                frown: 0.2,
                ..none
            },
            Emotion::Surprised => ExpressionWeights {
                brow_up: 0.8,
                eye_wide: 0.6,
                ..none
            },
        }
    }
}

/// The expression channels a face shows besides speech, each `0..=1`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct ExpressionWeights {
    /// Both eyelids closed.
    pub blink: f32,
    /// Lip corners and cheeks up.
    pub smile: f32,
    /// Lip corners down.
    pub frown: f32,
    /// Brows raised.
    pub brow_up: f32,
    /// Brows lowered and drawn together.
    pub brow_down: f32,
    /// Eyes wide open.
    pub eye_wide: f32,
    /// Nose wrinkled, upper lip raised.
    pub sneer: f32,
}

/// Channels of [`ExpressionWeights`], in field order.
const CHANNELS: usize = 7;

impl ExpressionWeights {
    fn channels(&self) -> [f32; CHANNELS] {
        [
            self.blink,
            self.smile,
            self.frown,
            self.brow_up,
            self.brow_down,
            self.eye_wide,
            self.sneer,
        ]
    }

    /// `self` scaled by `k` (an emotion's intensity).
    pub fn scaled(&self, k: f32) -> ExpressionWeights {
        let k = k.clamp(0.0, 1.0);
        ExpressionWeights {
            blink: self.blink * k,
            smile: self.smile * k,
            frown: self.frown * k,
            brow_up: self.brow_up * k,
            brow_down: self.brow_down * k,
            eye_wide: self.eye_wide * k,
            sneer: self.sneer * k,
        }
    }

    /// `self` moved toward `target`, keeping `keep` of the way still to go (an exponential
    /// ease: `keep = exp(-dt / tau)`).
    pub fn eased_toward(&self, target: &ExpressionWeights, keep: f32) -> ExpressionWeights {
        let step = |from: f32, to: f32| to + (from - to) * keep;
        ExpressionWeights {
            blink: step(self.blink, target.blink),
            smile: step(self.smile, target.smile),
            frown: step(self.frown, target.frown),
            brow_up: step(self.brow_up, target.brow_up),
            brow_down: step(self.brow_down, target.brow_down),
            eye_wide: step(self.eye_wide, target.eye_wide),
            sneer: step(self.sneer, target.sneer),
        }
    }

    /// The mouth-moving channels give way while the lips close (p b m, f v), so a smiling or
    /// frowning face still closes its lips for them; brows, eyes and blinks are untouched.
    pub fn yielding_to(&self, mouth: &VisemeWeights) -> ExpressionWeights {
        let closure = (mouth.get(Viseme::Pp) + mouth.get(Viseme::Ff)).clamp(0.0, 1.0);
        let open = 1.0 - closure;
        ExpressionWeights {
            smile: self.smile * open,
            frown: self.frown * open,
            sneer: self.sneer * open,
            ..*self
        }
    }
}

/// Blinks at a natural, randomised pace: one every 2 to 5 s (17 a minute on average, within the
/// 15-20 people blink while talking), each closing and opening both eyes over 100 to 150 ms.
/// Deterministic for a seed, so speakers seeded apart blink apart.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct Blinker {
    state: u32,
    /// Seconds until the next blink starts.
    wait: f32,
    /// Seconds into the current blink, and its length (a length of 0: not blinking).
    into: f32,
    length: f32,
}

/// Shortest and longest wait between blinks, in seconds.
pub const BLINK_INTERVAL: (f32, f32) = (2.0, 5.0);
/// Shortest and longest blink, in seconds.
pub const BLINK_LENGTH: (f32, f32) = (0.10, 0.15);

impl Blinker {
    /// A blinker seeded with `seed` (any value).
    pub fn new(seed: u32) -> Blinker {
        let mut blinker = Blinker {
            state: seed.wrapping_mul(0x9E37_79B9) | 1,
            wait: 0.0,
            into: 0.0,
            length: 0.0,
        };
        // The first blink comes anywhere within a wait, not all speakers at once.
        blinker.wait = blinker.uniform(0.2, BLINK_INTERVAL.1);
        blinker
    }

    fn uniform(&mut self, low: f32, high: f32) -> f32 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 17;
        self.state ^= self.state << 5;
        low + (high - low) * (self.state as f32 / u32::MAX as f32)
    }

    /// Advances by `dt` seconds; how closed the eyes are, `0..=1`.
    pub fn advance(&mut self, dt: f32) -> f32 {
        let dt = dt.max(0.0);
        if self.length > 0.0 {
            self.into += dt;
            if self.into >= self.length {
                self.length = 0.0;
                self.wait = self.uniform(BLINK_INTERVAL.0, BLINK_INTERVAL.1);
            }
        } else {
            self.wait -= dt;
            if self.wait <= 0.0 {
                self.into = -self.wait;
                self.length = self.uniform(BLINK_LENGTH.0, BLINK_LENGTH.1);
            }
        }
        self.closure()
    }

    /// How closed the eyes are now: down and up again over the blink.
    pub fn closure(&self) -> f32 {
        if self.length <= 0.0 || self.into >= self.length {
            return 0.0;
        }
        let t = self.into / self.length;
        (1.0 - (2.0 * t - 1.0).abs()).clamp(0.0, 1.0)
    }
}

/// Which expression channels drive a morph target, by name: Apple's ARKit names (any side
/// spelling) and VRM's expression names.
const EXPRESSION_TARGETS: &[(&str, [f32; CHANNELS])] = &[
    // blink, smile, frown, brow_up, brow_down, eye_wide, sneer
    ("eyeBlinkLeft", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("eyeBlinkRight", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("mouthSmileLeft", [0.0, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("mouthSmileRight", [0.0, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("cheekSquintLeft", [0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("cheekSquintRight", [0.0, 0.4, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("eyeSquintLeft", [0.0, 0.25, 0.0, 0.0, 0.3, 0.0, 0.0]),
    ("eyeSquintRight", [0.0, 0.25, 0.0, 0.0, 0.3, 0.0, 0.0]),
    ("mouthFrownLeft", [0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 0.0]),
    ("mouthFrownRight", [0.0, 0.0, 0.7, 0.0, 0.0, 0.0, 0.0]),
    ("browInnerUp", [0.0, 0.0, 0.6, 0.8, 0.0, 0.0, 0.0]),
    ("browOuterUpLeft", [0.0, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0]),
    ("browOuterUpRight", [0.0, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0]),
    ("browDownLeft", [0.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0]),
    ("browDownRight", [0.0, 0.0, 0.0, 0.0, 0.8, 0.0, 0.0]),
    ("eyeWideLeft", [0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 0.0]),
    ("eyeWideRight", [0.0, 0.0, 0.0, 0.0, 0.0, 0.8, 0.0]),
    ("noseSneerLeft", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6]),
    ("noseSneerRight", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.6]),
    // VRM 1.0 and 0.x expressions.
    ("blink", [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("happy", [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("joy", [0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    ("sad", [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]),
    ("sorrow", [0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]),
    ("angry", [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0]),
    ("surprised", [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]),
];

/// The expression channels resolved against one mesh's morph targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExpressionBinding {
    rows: Vec<(usize, [f32; CHANNELS])>,
}

impl ExpressionBinding {
    /// Binds the expression targets among `morph_names` (ARKit names in any side spelling, VRM
    /// expression names), leaving out the indices `taken` says the mouth already drives.
    pub fn bind<S: AsRef<str>>(morph_names: &[S], taken: impl Fn(usize) -> bool) -> Self {
        let rows = morph_names
            .iter()
            .enumerate()
            .filter(|(index, _)| !taken(*index))
            .filter_map(|(index, name)| {
                let name = sided(name.as_ref());
                EXPRESSION_TARGETS
                    .iter()
                    .find(|(target, _)| sided(target) == name)
                    .map(|(_, coefficients)| (index, *coefficients))
            })
            .collect();
        ExpressionBinding { rows }
    }

    /// Binds the blink and emotion expressions of a VRM file's table on its glTF mesh `mesh`
    /// (`blink`, or `blinkLeft` with `blinkRight`; `happy`, `sad`, `angry`, `surprised`), each
    /// bind weighted as the file says, leaving out the indices `taken` says the mouth drives.
    pub fn from_vrm(
        vrm: &crate::VrmExpressions,
        mesh: usize,
        taken: impl Fn(usize) -> bool,
    ) -> Self {
        let mut rows: Vec<(usize, [f32; CHANNELS])> = Vec::new();
        let blink: &[&str] = if vrm.expression("blink").is_some() {
            &["blink"]
        } else {
            &["blinkLeft", "blinkRight"]
        };
        let named = ["happy", "sad", "angry", "surprised"];
        for name in blink.iter().chain(&named) {
            let Some((_, coefficients)) = EXPRESSION_TARGETS
                .iter()
                .find(|(n, _)| *n == *name || (name.starts_with("blink") && *n == "blink"))
            else {
                continue;
            };
            for (target, weight) in vrm.binds_on(name, mesh).filter(|(t, _)| !taken(*t)) {
                let row = match rows.iter_mut().position(|(t, _)| *t == target) {
                    Some(at) => &mut rows[at].1,
                    None => {
                        rows.push((target, [0.0; CHANNELS]));
                        &mut rows.last_mut().expect("just pushed").1
                    }
                };
                for (slot, c) in row.iter_mut().zip(coefficients) {
                    *slot += c * weight;
                }
            }
        }
        ExpressionBinding { rows }
    }

    /// Writes the bound targets of `out` from `expression`; other entries are left alone.
    /// Allocation-free.
    pub fn apply(&self, expression: &ExpressionWeights, out: &mut [f32]) {
        let channels = expression.channels();
        for (index, c) in &self.rows {
            if let Some(slot) = out.get_mut(*index) {
                *slot = c
                    .iter()
                    .zip(&channels)
                    .map(|(c, w)| c * w)
                    .sum::<f32>()
                    .clamp(0.0, 1.0);
            }
        }
    }

    /// Morph target indices this binding writes.
    pub fn targets(&self) -> impl Iterator<Item = usize> + '_ {
        self.rows.iter().map(|(i, _)| *i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blinks_come_15_to_20_a_minute_each_100_to_150_ms_and_close_fully() {
        for seed in [1, 7, 12_345] {
            let mut blinker = Blinker::new(seed);
            let dt = 0.001;
            let (mut blinks, mut closed_for, mut longest, mut deepest) =
                (0, 0.0f32, 0.0f32, 0.0f32);
            let mut was_closed = false;
            for _ in 0..(600.0 / dt) as usize {
                let c = blinker.advance(dt);
                assert!((0.0..=1.0).contains(&c));
                deepest = deepest.max(c);
                if c > 0.0 {
                    closed_for += dt;
                    if !was_closed {
                        blinks += 1;
                    }
                } else if was_closed {
                    longest = longest.max(closed_for);
                    assert!(closed_for >= 0.09, "a blink of {closed_for} s");
                    closed_for = 0.0;
                }
                was_closed = c > 0.0;
            }
            let per_minute = blinks as f32 / 10.0;
            assert!(
                (15.0..=20.0).contains(&per_minute),
                "seed {seed}: {per_minute} a minute"
            );
            assert!(longest <= 0.151, "seed {seed}: longest blink {longest} s");
            assert!(deepest > 0.95, "the eyes close");
        }
        assert_ne!(Blinker::new(1), Blinker::new(2), "seeds blink apart");
    }

    #[test]
    fn a_smile_gives_way_while_the_lips_close() {
        let happy = Emotion::Happy.pose();
        let mut mouth = VisemeWeights::REST;
        mouth.weights[Viseme::Aa.index()] = 0.9;
        assert_eq!(happy.yielding_to(&mouth).smile, happy.smile);
        let mut closed = VisemeWeights::REST;
        closed.weights[Viseme::Pp.index()] = 0.9;
        let yielded = happy.yielding_to(&closed);
        assert!(yielded.smile < 0.1 * happy.smile + 1e-6, "{yielded:?}");
        assert_eq!(yielded.brow_up, happy.brow_up, "brows are not the lips");
    }

    #[test]
    fn markups_name_emotions_and_arkit_or_vrm_targets_bind() {
        assert_eq!(Emotion::from_markup("Happy"), Some(Emotion::Happy));
        assert_eq!(Emotion::from_markup("laughing"), Some(Emotion::Happy));
        assert_eq!(Emotion::from_markup("whispering"), None);
        let names = [
            "viseme_PP",
            "eyeBlinkLeft",
            "eyeBlink_R",
            "mouthSmileLeft",
            "Blink",
            "jawOpen",
        ];
        let binding = ExpressionBinding::bind(&names, |i| i == 0);
        assert_eq!(binding.targets().collect::<Vec<_>>(), [1, 2, 3, 4]);
        let mut out = [0.5; 6];
        let face = ExpressionWeights {
            blink: 1.0,
            smile: 0.5,
            ..Default::default()
        };
        binding.apply(&face, &mut out);
        assert_eq!(out, [0.5, 1.0, 1.0, 0.4, 1.0, 0.5]);
    }
}

/// The emotion markups of a line (`[happy] Hello! [sad] Goodbye.`), placed at the words they
/// precede, so a face changes as the marked word is heard. Markups are not words: the text
/// without them (and without `<break .../>` tags) is what is spoken.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Markups {
    /// The text without markups and tags.
    spoken: String,
    /// Where each emotion markup stands in `spoken` (bytes), in order.
    marks: Vec<(usize, Emotion)>,
    /// Follows the heard words through `spoken`: how far they reached, and the next mark.
    cursor: usize,
    next_mark: usize,
}

/// How far ahead of the last matched word a word is looked for, in bytes: a word the provider
/// spelled differently (`fifty` for `50`) is then taken to be where the text goes on, instead of
/// matching an unrelated word further on.
const WORD_SEARCH: usize = 48;

impl Markups {
    /// Reads the markups of `text`: `[tag]` for emotions and deliveries (those
    /// [`Emotion::from_markup`] knows change the face; the others are only removed), `<...>` for
    /// other tags.
    pub fn parse(text: &str) -> Markups {
        let mut spoken = String::with_capacity(text.len());
        let mut marks = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['[', '<']) {
            spoken.push_str(&rest[..open]);
            let close = if rest[open..].starts_with('[') {
                ']'
            } else {
                '>'
            };
            let Some(len) = rest[open..].find(close) else {
                rest = &rest[open..];
                break;
            };
            let tag = &rest[open + 1..open + len];
            if close == ']'
                && let Some(emotion) = Emotion::from_markup(tag)
            {
                marks.push((spoken.len(), emotion));
            }
            rest = &rest[open + len + 1..];
        }
        spoken.push_str(rest);
        Markups {
            spoken,
            marks,
            cursor: 0,
            next_mark: 0,
        }
    }

    /// The line as spoken: without its markups.
    pub fn spoken(&self) -> &str {
        &self.spoken
    }

    /// Whether the line has emotion markups.
    pub fn is_empty(&self) -> bool {
        self.marks.is_empty()
    }

    /// The next word heard (as the provider timed it); the emotion a markup before it sets, if
    /// one does (the last, when several do). Words must come in order. Allocation-free.
    pub fn word_heard(&mut self, word: &str) -> Option<Emotion> {
        let word = word.trim_matches(|c: char| !c.is_alphanumeric());
        let at = if word.is_empty() {
            self.cursor
        } else {
            match find_ignoring_case(&self.spoken, word, self.cursor) {
                Some(at) if at - self.cursor <= WORD_SEARCH => {
                    self.cursor = at + word.len();
                    at
                }
                _ => self.cursor,
            }
        };
        let mut emotion = None;
        while let Some(&(mark, e)) = self.marks.get(self.next_mark)
            && mark <= at
        {
            emotion = Some(e);
            self.next_mark += 1;
        }
        emotion
    }
}

/// Where `needle` starts in `haystack` at or after `from`, ASCII case ignored.
fn find_ignoring_case(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    (from..=hay.len().checked_sub(needle.len())?)
        .find(|&at| hay[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod markup_tests {
    use super::*;

    #[test]
    fn markups_are_not_spoken_and_apply_at_the_word_they_precede() {
        let mut line = Markups::parse(
            "[happy] Hello there, friend! <break time=\"300ms\"/> [sad] Bring 50 coins [whispering] now.",
        );
        assert_eq!(
            line.spoken(),
            " Hello there, friend!   Bring 50 coins  now."
        );
        let heard: Vec<Option<Emotion>> = [
            "Hello", "there,", "friend!", "Bring", "fifty", "coins", "now.",
        ]
        .iter()
        .map(|w| line.word_heard(w))
        .collect();
        assert_eq!(
            heard,
            [
                Some(Emotion::Happy),
                None,
                None,
                Some(Emotion::Sad),
                None,
                None,
                None
            ]
        );
        // A markup after a word the provider spelled out still lands on the next one.
        let mut line = Markups::parse("It costs 50 [angry] gold.");
        let heard: Vec<Option<Emotion>> = ["It", "costs", "fifty", "gold."]
            .iter()
            .map(|w| line.word_heard(w))
            .collect();
        assert_eq!(heard, [None, None, None, Some(Emotion::Angry)]);
        assert!(Markups::parse("No markups here.").is_empty());
        assert_eq!(Markups::parse("Broken [happy").spoken(), "Broken [happy");
    }
}
