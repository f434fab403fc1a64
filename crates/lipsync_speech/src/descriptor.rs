//! Voice descriptors: one string naming a provider, a model and a voice.
//!
//! The forms accepted, whitespace around any part ignored:
//!
//! | written | provider | model | voice |
//! |---|---|---|---|
//! | `inworld/inworld-tts-1:ashley` (LiveKit) | Inworld | `inworld-tts-1` | `ashley` |
//! | `inworld/tts-1-max:Ashley` (AI/ML API model name) | Inworld | `inworld-tts-1-max` | `Ashley` |
//! | `inworld/Ashley` | Inworld | - | `Ashley` |
//! | `inworld-tts-1.5-max:Ashley` | Inworld | `inworld-tts-1.5-max` | `Ashley` |
//! | `inworld:Ashley` | Inworld | - | `Ashley` |
//! | `Ashley` | Inworld | - | `Ashley` |
//! | `offline:female` | Offline | - | `female` |
//! | `aimlapi:Ashley` | Gateway (AI/ML API) | - (`inworld/tts-1-max`) | `Ashley` |
//! | `aimlapi/tts-1:Ashley` | Gateway (AI/ML API) | `tts-1` (sent as `inworld/tts-1`) | `Ashley` |
//! | `offline` | Offline | - | [`DEFAULT_OFFLINE_VOICE`] |
//!
//! Provider names are case-insensitive. Inworld model ids are lowercased, and a model written
//! without the `inworld-` prefix after an explicit `inworld/` gets it, the way gateways shorten
//! them. Voice names keep their case as written but compare case-insensitively
//! ([`VoiceDescriptor::same_voice`]), as Inworld treats them.

use std::fmt;
use std::str::FromStr;

/// The voice `offline` alone stands for.
pub const DEFAULT_OFFLINE_VOICE: &str = "default";

/// Prefix of every Inworld model id.
const INWORLD_MODEL_PREFIX: &str = "inworld-";

/// Who renders the speech.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Provider {
    /// Inworld's TTS service.
    Inworld,
    /// The crate's built-in offline voice (no network).
    Offline,
    /// Inworld's voices through the AI/ML API gateway: a finished audio file, no timing.
    Gateway,
}

impl Provider {
    /// Every provider, in the order error messages list them.
    pub const ALL: [Provider; 3] = [Provider::Inworld, Provider::Offline, Provider::Gateway];

    /// The provider's name as written in descriptors.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Inworld => "inworld",
            Provider::Offline => "offline",
            Provider::Gateway => "aimlapi",
        }
    }

    /// The provider named `name`, ignoring case and surrounding whitespace.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = DescriptorError;

    fn from_str(s: &str) -> Result<Self, DescriptorError> {
        Self::from_name(s).ok_or_else(|| DescriptorError::UnknownProvider {
            provider: s.trim().to_owned(),
            descriptor: s.trim().to_owned(),
        })
    }
}

fn supported_providers() -> String {
    let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
    names.join(", ")
}

/// Why a voice descriptor could not be read. Each message says what to write instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DescriptorError {
    /// Nothing but whitespace.
    #[error(
        "the voice descriptor is empty; write a voice such as `Ashley`, \
         `inworld/inworld-tts-1.5-max:Ashley` or `offline:female`"
    )]
    Empty,
    /// Nothing before the `/`.
    #[error(
        "`{descriptor}` has nothing before the `/`; write the provider there ({}), \
         as in `inworld/inworld-tts-1.5-max:Ashley`",
        supported_providers()
    )]
    EmptyProvider {
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// A provider this crate does not speak to.
    #[error(
        "`{provider}` in `{descriptor}` is not a supported speech provider; \
         supported providers: {}",
        supported_providers()
    )]
    UnknownProvider {
        /// The provider as written.
        provider: String,
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// The prefix before a `:` is neither a provider nor an Inworld model.
    #[error(
        "`{prefix}` before the `:` in `{descriptor}` is neither a supported provider ({}) nor \
         an Inworld model (they start with `inworld-`); write e.g. `inworld-tts-1.5-max:Ashley` \
         or `inworld/{prefix}:<voice>`",
        supported_providers()
    )]
    UnknownPrefix {
        /// What stood before the `:`.
        prefix: String,
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// More than one `/`.
    #[error(
        "`{descriptor}` has more than one `/`; the form is provider/model:voice, \
         e.g. `inworld/inworld-tts-1:ashley`"
    )]
    TooManySlashes {
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// More than one `:`.
    #[error(
        "`{descriptor}` has more than one `:`; the form is provider/model:voice, \
         e.g. `inworld/inworld-tts-1:ashley`"
    )]
    TooManyColons {
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// Nothing between the `/` and the `:`, or before a leading `:`.
    #[error(
        "`{descriptor}` has an empty model before the `:`; name one (e.g. `inworld-tts-1.5-max`) \
         or leave the `:` out"
    )]
    EmptyModel {
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// No voice where one belongs.
    #[error(
        "`{descriptor}` names no voice; put one at the end, as in `inworld/inworld-tts-1:ashley` \
         or `offline:female`"
    )]
    EmptyVoice {
        /// The descriptor as given (trimmed).
        descriptor: String,
    },
    /// A model alone, as gateways write in their `model` field.
    #[error(
        "`{descriptor}` names the model `{model}` but no voice; append one, \
         as in `{descriptor}:Ashley`"
    )]
    MissingVoice {
        /// The descriptor as given (trimmed).
        descriptor: String,
        /// The model it names.
        model: String,
    },
}

/// A provider, an optional model and a voice, parsed from strings such as
/// `inworld/inworld-tts-1:ashley` (see the [module docs](self) for every form).
///
/// [`Display`](fmt::Display) writes the shortest form that parses back to the same value
/// (for every parsed descriptor; a hand-built one round-trips when its parts hold no `/` or `:`
/// and an Inworld model is written in full, `inworld-...`).
/// `PartialEq` compares every field exactly; [`Self::same_voice`] compares what a listener
/// hears as "the same voice".
///
/// ```
/// # use lipsync_speech::{Provider, VoiceDescriptor};
/// let d: VoiceDescriptor = "inworld/tts-1-max:Ashley".parse()?;
/// assert_eq!(d.provider, Provider::Inworld);
/// assert_eq!(d.model.as_deref(), Some("inworld-tts-1-max"));
/// assert_eq!(d.to_string(), "inworld/inworld-tts-1-max:Ashley");
/// assert!(d.same_voice(&"inworld/inworld-tts-1:ashley".parse()?));
/// # Ok::<(), lipsync_speech::DescriptorError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VoiceDescriptor {
    /// Who renders the speech.
    pub provider: Provider,
    /// The model, when one was named (Inworld ids are normalised to `inworld-...`).
    pub model: Option<String>,
    /// The voice, as written.
    pub voice: String,
}

impl VoiceDescriptor {
    /// An Inworld voice with the client's default model.
    pub fn inworld(voice: impl Into<String>) -> Self {
        VoiceDescriptor {
            provider: Provider::Inworld,
            model: None,
            voice: voice.into(),
        }
    }

    /// A voice of the built-in offline synthesiser.
    pub fn offline(voice: impl Into<String>) -> Self {
        VoiceDescriptor {
            provider: Provider::Offline,
            model: None,
            voice: voice.into(),
        }
    }

    /// Sets the model.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Parses a descriptor (the same as [`str::parse`]).
    pub fn parse(descriptor: &str) -> Result<Self, DescriptorError> {
        let text = descriptor.trim();
        if text.is_empty() {
            return Err(DescriptorError::Empty);
        }
        let owned = || text.to_owned();
        let (provider, rest) = match text.split_once('/') {
            Some((_, rest)) if rest.contains('/') => {
                return Err(DescriptorError::TooManySlashes {
                    descriptor: owned(),
                });
            }
            Some((name, _)) if name.trim().is_empty() => {
                return Err(DescriptorError::EmptyProvider {
                    descriptor: owned(),
                });
            }
            Some((name, rest)) => {
                let provider =
                    Provider::from_name(name).ok_or_else(|| DescriptorError::UnknownProvider {
                        provider: name.trim().to_owned(),
                        descriptor: owned(),
                    })?;
                (Some(provider), rest.trim())
            }
            None => (None, text),
        };
        let (prefix, voice) = match rest.split_once(':') {
            Some((_, voice)) if voice.contains(':') => {
                return Err(DescriptorError::TooManyColons {
                    descriptor: owned(),
                });
            }
            Some((prefix, voice)) => (Some(prefix.trim()), voice.trim()),
            None => (None, rest),
        };
        if voice.is_empty() {
            return Err(DescriptorError::EmptyVoice {
                descriptor: owned(),
            });
        }
        if prefix == Some("") {
            return Err(DescriptorError::EmptyModel {
                descriptor: owned(),
            });
        }
        let (provider, model) = match (provider, prefix) {
            // `provider/model:voice`
            (Some(provider), Some(model)) => (provider, Some(model)),
            // `provider/voice`, unless the "voice" is a model name a gateway wrote alone.
            (Some(provider), None) => {
                if provider == Provider::Inworld && looks_like_inworld_model(voice) {
                    return Err(DescriptorError::MissingVoice {
                        descriptor: owned(),
                        model: normalise_model(provider, voice),
                    });
                }
                (provider, None)
            }
            // `offline`, `inworld` or a bare voice.
            (None, None) => match Provider::from_name(voice) {
                Some(Provider::Offline) => {
                    return Ok(Self::offline(DEFAULT_OFFLINE_VOICE));
                }
                Some(Provider::Inworld | Provider::Gateway) => {
                    return Err(DescriptorError::EmptyVoice {
                        descriptor: owned(),
                    });
                }
                None if has_inworld_prefix(voice) => {
                    return Err(DescriptorError::MissingVoice {
                        descriptor: owned(),
                        model: normalise_model(Provider::Inworld, voice),
                    });
                }
                None => (Provider::Inworld, None),
            },
            // `provider:voice` or `inworld-model:voice`
            (None, Some(prefix)) => match Provider::from_name(prefix) {
                Some(provider) => (provider, None),
                None if has_inworld_prefix(prefix) => (Provider::Inworld, Some(prefix)),
                None => {
                    return Err(DescriptorError::UnknownPrefix {
                        prefix: prefix.to_owned(),
                        descriptor: owned(),
                    });
                }
            },
        };
        Ok(VoiceDescriptor {
            provider,
            model: model.map(|m| normalise_model(provider, m)),
            voice: voice.to_owned(),
        })
    }

    /// Whether both name the same voice of the same provider: voice names compared ignoring
    /// ASCII case, models ignored (a voice is the same whichever model renders it).
    pub fn same_voice(&self, other: &VoiceDescriptor) -> bool {
        self.provider == other.provider && self.voice.eq_ignore_ascii_case(&other.voice)
    }
}

fn has_inworld_prefix(name: &str) -> bool {
    name.get(..INWORLD_MODEL_PREFIX.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(INWORLD_MODEL_PREFIX))
}

/// Model names gateways write alone: `inworld-tts-1`, or shortened `tts-1-max`.
fn looks_like_inworld_model(name: &str) -> bool {
    has_inworld_prefix(name)
        || name
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("tts-"))
}

/// Inworld model ids are lowercase and start with `inworld-`; gateways drop the prefix.
fn normalise_model(provider: Provider, model: &str) -> String {
    match provider {
        Provider::Inworld => {
            let model = model.to_ascii_lowercase();
            if model.starts_with(INWORLD_MODEL_PREFIX) {
                model
            } else {
                format!("{INWORLD_MODEL_PREFIX}{model}")
            }
        }
        Provider::Offline | Provider::Gateway => model.to_owned(),
    }
}

impl FromStr for VoiceDescriptor {
    type Err = DescriptorError;

    fn from_str(s: &str) -> Result<Self, DescriptorError> {
        Self::parse(s)
    }
}

impl fmt::Display for VoiceDescriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            provider,
            model,
            voice,
        } = self;
        match (provider, model) {
            (provider, Some(model)) => write!(f, "{provider}/{model}:{voice}"),
            // A bare voice reads back as Inworld unless it would read as something else.
            (Provider::Inworld, None) if Self::parse(voice).as_ref() == Ok(self) => {
                f.write_str(voice)
            }
            (provider, None) => write!(f, "{provider}:{voice}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(provider: Provider, model: Option<&str>, voice: &str) -> VoiceDescriptor {
        VoiceDescriptor {
            provider,
            model: model.map(str::to_owned),
            voice: voice.to_owned(),
        }
    }

    #[test]
    fn every_form_parses() {
        use Provider::{Inworld, Offline};
        let cases = [
            (
                "inworld/inworld-tts-1:ashley",
                d(Inworld, Some("inworld-tts-1"), "ashley"),
            ),
            (
                "Inworld/Inworld-TTS-1.5-Max:Ashley",
                d(Inworld, Some("inworld-tts-1.5-max"), "Ashley"),
            ),
            (
                "inworld/tts-1-max:Ashley",
                d(Inworld, Some("inworld-tts-1-max"), "Ashley"),
            ),
            (
                "INWORLD/tts-1:Dennis",
                d(Inworld, Some("inworld-tts-1"), "Dennis"),
            ),
            ("inworld/Ashley", d(Inworld, None, "Ashley")),
            (
                "inworld-tts-1.5-mini:Dennis",
                d(Inworld, Some("inworld-tts-1.5-mini"), "Dennis"),
            ),
            ("inworld:Ashley", d(Inworld, None, "Ashley")),
            ("Ashley", d(Inworld, None, "Ashley")),
            ("  ws__my_clone \n", d(Inworld, None, "ws__my_clone")),
            ("Old Sea Captain", d(Inworld, None, "Old Sea Captain")),
            (
                " inworld / inworld-tts-2 : ashley ",
                d(Inworld, Some("inworld-tts-2"), "ashley"),
            ),
            ("offline", d(Offline, None, DEFAULT_OFFLINE_VOICE)),
            ("OFFLINE", d(Offline, None, DEFAULT_OFFLINE_VOICE)),
            ("offline:female", d(Offline, None, "female")),
            ("Offline:Male", d(Offline, None, "Male")),
            (
                "offline/formant:female",
                d(Offline, Some("formant"), "female"),
            ),
            ("offline/female", d(Offline, None, "female")),
        ];
        for (text, expected) in cases {
            assert_eq!(
                VoiceDescriptor::parse(text).as_ref(),
                Ok(&expected),
                "{text}"
            );
            assert_eq!(
                text.parse::<VoiceDescriptor>().as_ref(),
                Ok(&expected),
                "{text}"
            );
        }
    }

    #[test]
    fn display_round_trips() {
        let cases = [
            (
                "inworld/inworld-tts-1:ashley",
                "inworld/inworld-tts-1:ashley",
            ),
            (
                "INWORLD/tts-1-max:Ashley",
                "inworld/inworld-tts-1-max:Ashley",
            ),
            ("inworld-tts-2:Dennis", "inworld/inworld-tts-2:Dennis"),
            ("inworld:Ashley", "Ashley"),
            ("Ashley", "Ashley"),
            ("offline", "offline:default"),
            ("offline:female", "offline:female"),
            ("offline/formant:female", "offline/formant:female"),
        ];
        for (text, shown) in cases {
            let parsed = VoiceDescriptor::parse(text).unwrap();
            assert_eq!(parsed.to_string(), shown, "{text}");
            assert_eq!(VoiceDescriptor::parse(shown).unwrap(), parsed, "{shown}");
        }
        // Built by hand: voices that would read back as something else are qualified.
        for voice in ["offline", "inworld", "inworld-tts-1"] {
            let made = VoiceDescriptor::inworld(voice);
            let shown = made.to_string();
            assert_eq!(shown, format!("inworld:{voice}"));
            assert_eq!(VoiceDescriptor::parse(&shown).unwrap(), made, "{shown}");
        }
        assert_eq!(VoiceDescriptor::inworld("tts-1").to_string(), "tts-1");
        let made = VoiceDescriptor::offline("f").with_model("m");
        assert_eq!(VoiceDescriptor::parse(&made.to_string()).unwrap(), made);
    }

    #[test]
    fn errors_say_what_to_write() {
        use DescriptorError as E;
        let owned = |s: &str| s.to_owned();
        let cases = [
            ("", E::Empty, "empty"),
            ("  \t", E::Empty, "`Ashley`"),
            (
                "/x:y",
                E::EmptyProvider {
                    descriptor: owned("/x:y"),
                },
                "inworld, offline",
            ),
            (
                "elevenlabs/eleven_v3:rachel",
                E::UnknownProvider {
                    provider: owned("elevenlabs"),
                    descriptor: owned("elevenlabs/eleven_v3:rachel"),
                },
                "supported providers: inworld, offline",
            ),
            (
                "elevenlabs:rachel",
                E::UnknownPrefix {
                    prefix: owned("elevenlabs"),
                    descriptor: owned("elevenlabs:rachel"),
                },
                "inworld, offline",
            ),
            (
                "tts-1-max:Ashley",
                E::UnknownPrefix {
                    prefix: owned("tts-1-max"),
                    descriptor: owned("tts-1-max:Ashley"),
                },
                "inworld/tts-1-max:<voice>",
            ),
            (
                "inworld/tts/1:a",
                E::TooManySlashes {
                    descriptor: owned("inworld/tts/1:a"),
                },
                "provider/model:voice",
            ),
            (
                "inworld-tts-1:a:b",
                E::TooManyColons {
                    descriptor: owned("inworld-tts-1:a:b"),
                },
                "more than one `:`",
            ),
            (
                "inworld/:ashley",
                E::EmptyModel {
                    descriptor: owned("inworld/:ashley"),
                },
                "empty model",
            ),
            (
                ":ashley",
                E::EmptyModel {
                    descriptor: owned(":ashley"),
                },
                "empty model",
            ),
            (
                "inworld/inworld-tts-1:",
                E::EmptyVoice {
                    descriptor: owned("inworld/inworld-tts-1:"),
                },
                "names no voice",
            ),
            (
                "offline: ",
                E::EmptyVoice {
                    descriptor: owned("offline:"),
                },
                "offline:female",
            ),
            (
                "inworld/",
                E::EmptyVoice {
                    descriptor: owned("inworld/"),
                },
                "names no voice",
            ),
            (
                "inworld",
                E::EmptyVoice {
                    descriptor: owned("inworld"),
                },
                "names no voice",
            ),
            (
                "inworld/inworld-tts-1",
                E::MissingVoice {
                    descriptor: owned("inworld/inworld-tts-1"),
                    model: owned("inworld-tts-1"),
                },
                "`inworld/inworld-tts-1:Ashley`",
            ),
            (
                "inworld/tts-1-max",
                E::MissingVoice {
                    descriptor: owned("inworld/tts-1-max"),
                    model: owned("inworld-tts-1-max"),
                },
                "names the model `inworld-tts-1-max`",
            ),
            (
                "inworld-tts-1.5-max",
                E::MissingVoice {
                    descriptor: owned("inworld-tts-1.5-max"),
                    model: owned("inworld-tts-1.5-max"),
                },
                "append one",
            ),
        ];
        for (text, expected, needle) in cases {
            let err = VoiceDescriptor::parse(text).unwrap_err();
            assert_eq!(err, expected, "{text:?}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{text:?}: {msg}");
        }
        assert_eq!("Offline".parse::<Provider>(), Ok(Provider::Offline));
        assert!(
            "azure"
                .parse::<Provider>()
                .unwrap_err()
                .to_string()
                .contains("inworld, offline")
        );
    }

    #[test]
    fn voices_compare_ignoring_case_but_not_provider() {
        let a = VoiceDescriptor::parse("inworld/inworld-tts-1:ashley").unwrap();
        let b = VoiceDescriptor::parse("ASHLEY").unwrap();
        assert!(a.same_voice(&b) && b.same_voice(&a));
        assert_ne!(a, b, "PartialEq stays exact");
        assert!(!a.same_voice(&VoiceDescriptor::parse("Dennis").unwrap()));
        assert!(!VoiceDescriptor::offline("ashley").same_voice(&a));
    }
}
