//! Which voice a line really speaks with: defaults, then the offline fallback when the
//! provider a voice needs has no key.

use crate::inworld::API_KEY_ENV;
use crate::{Provider, SpeechError, VoiceDescriptor};
use aimlapi_gateway::GATEWAY_KEY_ENV;

/// The voices used when a speaker names none, and whether a voice whose provider cannot be
/// reached speaks offline instead of failing.
#[derive(Clone, Copy, Debug)]
pub struct VoiceDefaults<'a> {
    /// The voice of speakers that name none, when Inworld can be reached.
    pub voice: &'a str,
    /// The voice of speakers that name none without Inworld, and the fallback voice.
    pub offline_voice: &'a str,
    /// Voices of unreachable providers speak with `offline_voice` (warned once).
    pub offline_fallback: bool,
}

/// Resolves voice descriptors for the providers a service can reach.
///
/// ```
/// use lipsync_speech::{Provider, VoiceDefaults, VoiceResolver};
///
/// let defaults = VoiceDefaults {
///     voice: "Dennis",
///     offline_voice: "offline:female",
///     offline_fallback: true,
/// };
/// // No Inworld key: an Inworld voice speaks offline.
/// let mut voices = VoiceResolver::new(false, false);
/// let voice = voices.resolve(Some("inworld/inworld-tts-1.5-max:Dennis"), defaults)?;
/// assert_eq!(voice.provider, Provider::Offline);
/// // With one, it speaks as asked.
/// let mut voices = VoiceResolver::new(true, false);
/// assert_eq!(voices.resolve(None, defaults)?.voice, "Dennis");
/// # Ok::<(), lipsync_speech::SpeechError>(())
/// ```
#[derive(Clone, Debug)]
pub struct VoiceResolver {
    inworld: bool,
    gateway: bool,
    warned_fallback: bool,
}

impl VoiceResolver {
    /// A resolver for a service that can (or cannot) reach Inworld and the gateway.
    pub fn new(inworld: bool, gateway: bool) -> VoiceResolver {
        VoiceResolver {
            inworld,
            gateway,
            warned_fallback: false,
        }
    }

    /// Whether Inworld can be reached (a key or a configuration was given).
    pub fn reaches_inworld(&self) -> bool {
        self.inworld
    }

    /// The voice `voice` (or the default, for `None`) speaks with.
    pub fn resolve(
        &mut self,
        voice: Option<&str>,
        defaults: VoiceDefaults<'_>,
    ) -> Result<VoiceDescriptor, SpeechError> {
        let written = match voice {
            Some(voice) => voice,
            None if self.inworld => defaults.voice,
            None => defaults.offline_voice,
        };
        let voice: VoiceDescriptor = written.parse()?;
        let (reachable, key) = match voice.provider {
            Provider::Inworld => (self.inworld, API_KEY_ENV),
            Provider::Gateway => (self.gateway, GATEWAY_KEY_ENV),
            _ => (true, ""),
        };
        if reachable || !defaults.offline_fallback {
            return Ok(voice);
        }
        if !self.warned_fallback {
            self.warned_fallback = true;
            log::warn!(
                "bevy_lipsync: no {} key is set ({key}), so voices such as `{written}` speak with \
                 the offline voice `{}`; set the key to hear them",
                voice.provider,
                defaults.offline_voice
            );
        }
        Ok(defaults.offline_voice.parse()?)
    }
}
