//! The set-up the client tests share: an emulator on loopback that requires a key, and a client
//! pointed at it.

use inworld_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use inworld_tts::{Credentials, InworldClient, InworldConfig};

/// An emulator that accepts only `key`.
pub fn emulator_with_key(key: &str) -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        key: Some(key.into()),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

/// A client of `emulator` sending `key`.
pub fn client(emulator: &EmulatorHandle, key: &str) -> InworldClient {
    let config = InworldConfig::new(Credentials::basic(key))
        .with_base_url(&emulator.base_url())
        .expect("loopback");
    InworldClient::new(config).expect("a client")
}
