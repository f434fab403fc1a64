//! The offline voice's phone inventory: General American English in 40 phones.
//!
//! The set is ARPAbet's 39 plus the schwa `AX`, which unstressed syllables need for a natural
//! rhythm. Each phone knows its IPA symbol (what the timeline reports, the way Inworld writes
//! phones), its class (what the prosody and the synthesiser treat alike) and the Inworld viseme
//! category it belongs to (`visemeSymbol`).

use std::fmt;

/// One English phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phone {
    /// `ɑ` as in f**a**ther.
    Aa,
    /// `æ` as in c**a**t.
    Ae,
    /// `ʌ` as in c**u**t.
    Ah,
    /// `ɔ` as in th**ou**ght.
    Ao,
    /// `aʊ` as in m**ou**th.
    Aw,
    /// `ə` as in **a**bout (unstressed only).
    Ax,
    /// `aɪ` as in pr**i**ce.
    Ay,
    /// `ɛ` as in dr**e**ss.
    Eh,
    /// `ɝ` as in n**ur**se (`ɚ` when unstressed).
    Er,
    /// `eɪ` as in f**a**ce.
    Ey,
    /// `ɪ` as in k**i**t.
    Ih,
    /// `i` as in fl**ee**ce.
    Iy,
    /// `oʊ` as in g**oa**t.
    Ow,
    /// `ɔɪ` as in ch**oi**ce.
    Oy,
    /// `ʊ` as in f**oo**t.
    Uh,
    /// `u` as in g**oo**se.
    Uw,
    /// `b`.
    B,
    /// `tʃ` as in **ch**ur**ch**.
    Ch,
    /// `d`.
    D,
    /// `ð` as in **th**is.
    Dh,
    /// `f`.
    F,
    /// `ɡ` as in **g**o.
    G,
    /// `h`.
    Hh,
    /// `dʒ` as in **j**u**dg**e.
    Jh,
    /// `k`.
    K,
    /// `l`.
    L,
    /// `m`.
    M,
    /// `n`.
    N,
    /// `ŋ` as in si**ng**.
    Ng,
    /// `p`.
    P,
    /// `ɹ` as in **r**ed.
    R,
    /// `s`.
    S,
    /// `ʃ` as in **sh**e.
    Sh,
    /// `t`.
    T,
    /// `θ` as in **th**in.
    Th,
    /// `v`.
    V,
    /// `w`.
    W,
    /// `j` as in **y**es.
    Y,
    /// `z`.
    Z,
    /// `ʒ` as in mea**s**ure.
    Zh,
}

/// How a phone is made, as far as timing and synthesis care.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneClass {
    /// A monophthong vowel.
    Vowel,
    /// A vowel that glides between two targets (`aɪ aʊ eɪ oʊ ɔɪ`).
    Diphthong,
    /// `w j` (and `ɹ l`, see [`PhoneClass::Liquid`]): vowel-like, short, moving.
    Glide,
    /// `ɹ l`.
    Liquid,
    /// `m n ŋ`.
    Nasal,
    /// `p t k` (voiceless) and `b d ɡ` (voiced).
    Stop,
    /// `tʃ dʒ`: a stop released into a fricative.
    Affricate,
    /// `f θ s ʃ h` (voiceless) and `v ð z ʒ` (voiced).
    Fricative,
}

/// Lexical stress of a vowel; consonants are always [`Stress::None`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Stress {
    /// Unstressed (or a consonant).
    #[default]
    None,
    /// Primary stress (ARPAbet `1`).
    Primary,
    /// Secondary stress (ARPAbet `2`).
    Secondary,
}

impl Phone {
    /// Every phone, vowels first.
    pub const ALL: [Phone; 40] = [
        Phone::Aa,
        Phone::Ae,
        Phone::Ah,
        Phone::Ao,
        Phone::Aw,
        Phone::Ax,
        Phone::Ay,
        Phone::Eh,
        Phone::Er,
        Phone::Ey,
        Phone::Ih,
        Phone::Iy,
        Phone::Ow,
        Phone::Oy,
        Phone::Uh,
        Phone::Uw,
        Phone::B,
        Phone::Ch,
        Phone::D,
        Phone::Dh,
        Phone::F,
        Phone::G,
        Phone::Hh,
        Phone::Jh,
        Phone::K,
        Phone::L,
        Phone::M,
        Phone::N,
        Phone::Ng,
        Phone::P,
        Phone::R,
        Phone::S,
        Phone::Sh,
        Phone::T,
        Phone::Th,
        Phone::V,
        Phone::W,
        Phone::Y,
        Phone::Z,
        Phone::Zh,
    ];

    /// The IPA symbol (stressed form: `ɝ` for [`Phone::Er`]).
    pub fn ipa(self) -> &'static str {
        use Phone::*;
        match self {
            Aa => "ɑ",
            Ae => "æ",
            Ah => "ʌ",
            Ao => "ɔ",
            Aw => "aʊ",
            Ax => "ə",
            Ay => "aɪ",
            Eh => "ɛ",
            Er => "ɝ",
            Ey => "eɪ",
            Ih => "ɪ",
            Iy => "i",
            Ow => "oʊ",
            Oy => "ɔɪ",
            Uh => "ʊ",
            Uw => "u",
            B => "b",
            Ch => "tʃ",
            D => "d",
            Dh => "ð",
            F => "f",
            G => "ɡ",
            Hh => "h",
            Jh => "dʒ",
            K => "k",
            L => "l",
            M => "m",
            N => "n",
            Ng => "ŋ",
            P => "p",
            R => "ɹ",
            S => "s",
            Sh => "ʃ",
            T => "t",
            Th => "θ",
            V => "v",
            W => "w",
            Y => "j",
            Z => "z",
            Zh => "ʒ",
        }
    }

    /// The ARPAbet name, upper case (`"AA"`, `"NG"`).
    pub fn arpabet(self) -> &'static str {
        use Phone::*;
        match self {
            Aa => "AA",
            Ae => "AE",
            Ah => "AH",
            Ao => "AO",
            Aw => "AW",
            Ax => "AX",
            Ay => "AY",
            Eh => "EH",
            Er => "ER",
            Ey => "EY",
            Ih => "IH",
            Iy => "IY",
            Ow => "OW",
            Oy => "OY",
            Uh => "UH",
            Uw => "UW",
            B => "B",
            Ch => "CH",
            D => "D",
            Dh => "DH",
            F => "F",
            G => "G",
            Hh => "HH",
            Jh => "JH",
            K => "K",
            L => "L",
            M => "M",
            N => "N",
            Ng => "NG",
            P => "P",
            R => "R",
            S => "S",
            Sh => "SH",
            T => "T",
            Th => "TH",
            V => "V",
            W => "W",
            Y => "Y",
            Z => "Z",
            Zh => "ZH",
        }
    }

    /// The phone with ARPAbet name `name` (any case, stress digits not allowed).
    pub fn from_arpabet(name: &str) -> Option<Phone> {
        Phone::ALL
            .into_iter()
            .find(|p| p.arpabet().eq_ignore_ascii_case(name))
    }

    /// How the phone is made.
    pub fn class(self) -> PhoneClass {
        use Phone::*;
        match self {
            Aa | Ae | Ah | Ao | Ax | Eh | Er | Ih | Iy | Uh | Uw => PhoneClass::Vowel,
            Aw | Ay | Ey | Ow | Oy => PhoneClass::Diphthong,
            W | Y => PhoneClass::Glide,
            L | R => PhoneClass::Liquid,
            M | N | Ng => PhoneClass::Nasal,
            B | D | G | K | P | T => PhoneClass::Stop,
            Ch | Jh => PhoneClass::Affricate,
            Dh | F | Hh | S | Sh | Th | V | Z | Zh => PhoneClass::Fricative,
        }
    }

    /// Whether the phone is a vowel (monophthong or diphthong): the nucleus of a syllable.
    pub fn is_vowel(self) -> bool {
        matches!(self.class(), PhoneClass::Vowel | PhoneClass::Diphthong)
    }

    /// Whether the vocal folds vibrate through the phone.
    pub fn is_voiced(self) -> bool {
        use Phone::*;
        !matches!(self, Ch | F | Hh | K | P | S | Sh | T | Th)
    }

    /// Inworld's viseme category for the phone (`visemeSymbol`): one of `aei bmp cdgknstxyz
    /// chjsh ee fv l o qw r th u`.
    pub fn inworld_category(self) -> &'static str {
        use Phone::*;
        match self {
            Aa | Ae | Ah | Ax | Ay | Aw | Eh | Ey | Ih | Hh => "aei",
            Iy => "ee",
            Ao | Ow | Oy => "o",
            Uh | Uw => "u",
            Er | R => "r",
            L => "l",
            W => "qw",
            B | M | P => "bmp",
            F | V => "fv",
            Th | Dh => "th",
            Ch | Jh | Sh | Zh => "chjsh",
            D | G | K | N | Ng | S | T | Y | Z => "cdgknstxyz",
        }
    }

    /// The symbol the timeline reports: IPA, and for vowels a stress digit (`oʊ1`, `ə`),
    /// the way Inworld writes phones. Unstressed [`Phone::Er`] is `ɚ`.
    pub fn symbol(self, stress: Stress) -> String {
        let base = match (self, stress) {
            (Phone::Er, Stress::None) => "ɚ",
            _ => self.ipa(),
        };
        let mut symbol = base.to_owned();
        if self.is_vowel() {
            match stress {
                Stress::Primary => symbol.push('1'),
                Stress::Secondary => symbol.push('2'),
                Stress::None => {}
            }
        }
        symbol
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.arpabet())
    }
}

/// A phone of a word's pronunciation, with its stress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PhoneToken {
    /// The phone.
    pub phone: Phone,
    /// Its stress ([`Stress::None`] for consonants).
    pub stress: Stress,
}

impl PhoneToken {
    /// An unstressed phone (every consonant, and reduced vowels).
    pub const fn plain(phone: Phone) -> Self {
        PhoneToken {
            phone,
            stress: Stress::None,
        }
    }

    /// A vowel with `stress`.
    pub const fn stressed(phone: Phone, stress: Stress) -> Self {
        PhoneToken { phone, stress }
    }
}

/// Reads an ARPAbet pronunciation with stress digits (`"HH AH0 L OW1"`), the notation of the
/// CMU dictionary; `None` if a symbol is unknown. Vowels without a digit are unstressed.
///
/// ```
/// use offline_voice::phone::{Phone, Stress, parse_arpabet};
///
/// let hello = parse_arpabet("HH AH0 L OW1").unwrap();
/// assert_eq!(hello[3].phone, Phone::Ow);
/// assert_eq!(hello[3].stress, Stress::Primary);
/// ```
pub fn parse_arpabet(pronunciation: &str) -> Option<Vec<PhoneToken>> {
    pronunciation
        .split_whitespace()
        .map(|symbol| {
            let (name, stress) = match symbol.as_bytes().last() {
                Some(b'0') => (&symbol[..symbol.len() - 1], Stress::None),
                Some(b'1') => (&symbol[..symbol.len() - 1], Stress::Primary),
                Some(b'2') => (&symbol[..symbol.len() - 1], Stress::Secondary),
                _ => (symbol, Stress::None),
            };
            let phone = Phone::from_arpabet(name)?;
            let stress = if phone.is_vowel() {
                stress
            } else {
                Stress::None
            };
            Some(PhoneToken { phone, stress })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arpabet_names_round_trip() {
        for phone in Phone::ALL {
            assert_eq!(Phone::from_arpabet(phone.arpabet()), Some(phone));
        }
        assert_eq!(Phone::from_arpabet("ng"), Some(Phone::Ng));
        assert_eq!(Phone::from_arpabet("XX"), None);
    }

    #[test]
    fn symbols_carry_stress_on_vowels_only() {
        assert_eq!(Phone::Ow.symbol(Stress::Primary), "oʊ1");
        assert_eq!(Phone::Ax.symbol(Stress::None), "ə");
        assert_eq!(Phone::Er.symbol(Stress::None), "ɚ");
        assert_eq!(Phone::Er.symbol(Stress::Secondary), "ɝ2");
        assert_eq!(Phone::T.symbol(Stress::Primary), "t");
    }

    #[test]
    fn arpabet_pronunciations_parse() {
        let cat = parse_arpabet("K AE1 T").unwrap();
        assert_eq!(
            cat,
            [
                PhoneToken::plain(Phone::K),
                PhoneToken::stressed(Phone::Ae, Stress::Primary),
                PhoneToken::plain(Phone::T)
            ]
        );
        assert!(parse_arpabet("K QQ1 T").is_none());
    }
}
