//! Which providers a service reaches: from the game's settings and the environment.

use aimlapi_gateway::{GATEWAY_KEY_ENV, GatewayClient, GatewayConfig};

use crate::SpeechService;
use crate::inworld::{API_KEY_ENV, InworldClient, InworldConfig};

/// Where Inworld speech comes from.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub enum InworldSetting {
    /// Use `INWORLD_API_KEY` (and `INWORLD_API_BASE_URL`) when set; otherwise speak offline.
    #[default]
    FromEnv,
    /// Use this configuration (a key from the game's own settings, a loopback emulator).
    Config(Box<InworldConfig>),
    /// Never reach Inworld, even with a key in the environment.
    Disabled,
}

impl SpeechService {
    /// The service `inworld` and `gateway` ask for (a `None` gateway reads `AIMLAPI_API_KEY`).
    /// A broken configuration is logged with what to fix, and its voices speak offline: a game
    /// starts whatever its settings say.
    pub fn from_settings(inworld: &InworldSetting, gateway: Option<&GatewayConfig>) -> Self {
        let service = inworld_service(inworld);
        let config = match gateway {
            Some(config) => Ok(config.clone()),
            None if std::env::var_os(GATEWAY_KEY_ENV).is_none() => return service,
            None => GatewayConfig::from_env(),
        };
        match config.and_then(GatewayClient::new) {
            Ok(client) => service.with_gateway(client),
            Err(e) => {
                log::error!(
                    "bevy_lipsync: cannot use the AI/ML API gateway ({e}); its voices speak \
                     offline"
                );
                service
            }
        }
    }
}

fn inworld_service(setting: &InworldSetting) -> SpeechService {
    let config = match setting {
        InworldSetting::Disabled => return SpeechService::offline_only(),
        InworldSetting::Config(config) => (**config).clone(),
        InworldSetting::FromEnv => match InworldConfig::from_env() {
            Ok(config) => config,
            Err(e) => {
                // No key is the normal offline case; a key with a bad setting is worth saying.
                if std::env::var_os(API_KEY_ENV).is_some() {
                    log::error!(
                        "bevy_lipsync: cannot use Inworld ({e}); speaking with the offline voice"
                    );
                }
                return SpeechService::offline_only();
            }
        },
    };
    match InworldClient::new(config) {
        Ok(client) => SpeechService::with_inworld(client),
        Err(e) => {
            log::error!("bevy_lipsync: cannot use Inworld ({e}); speaking with the offline voice");
            SpeechService::offline_only()
        }
    }
}
