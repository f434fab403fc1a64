//! The AI/ML API gateway client against the emulator's `/v1/tts` route over loopback: a line
//! and its audio file, both answer shapes, a refused key, an unknown voice, a dead audio URL.

use aimlapi_gateway::{GatewayClient, GatewayConfig, GatewayError};
use inworld_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

const KEY: &str = "sk-gateway-test-key";

fn emulator() -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

fn client(emulator: &EmulatorHandle, key: &str) -> GatewayClient {
    let config = GatewayConfig::new(key)
        .and_then(|c| c.with_base_url(&emulator.base_url()))
        .expect("a loopback config");
    GatewayClient::new(config).expect("a client")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

#[test]
fn a_line_comes_back_as_an_audio_file_in_either_answer_shape() {
    let emulator = emulator();
    let client = client(&emulator, KEY);
    let rt = runtime();
    for bare in [false, true] {
        emulator.set_gateway_bare_url(bare);
        let audio = rt
            .block_on(client.synthesize("Hello there.", "Ashley", Some("tts-1-max")))
            .expect("the line");
        assert!(audio.starts_with(b"RIFF"), "a WAV from the emulator");
        // About a second of 24 kHz 16-bit audio.
        assert!(audio.len() > 24_000, "{} bytes", audio.len());
    }
    let requests = emulator.requests();
    let tts = requests
        .iter()
        .find(|r| r.path == "/v1/tts")
        .expect("asked");
    let body = tts.body.as_ref().expect("JSON");
    assert_eq!(body["model"], "inworld/tts-1-max");
    assert_eq!(body["voice"], "Ashley");
    assert_eq!(body["text"], "Hello there.");
}

#[test]
fn a_refused_key_an_unknown_voice_and_a_dead_audio_url_are_clear_errors() {
    let emulator = emulator();
    let rt = runtime();
    let wrong = client(&emulator, "sk-not-the-key");
    let err = rt
        .block_on(wrong.synthesize("Hello.", "Ashley", None))
        .unwrap_err();
    assert_eq!(err, GatewayError::Unauthorized { status: 401 });
    assert!(err.to_string().contains("AIMLAPI_API_KEY"), "{err}");
    let client = client(&emulator, KEY);
    let err = rt
        .block_on(client.synthesize("Hello.", "Nobody", None))
        .unwrap_err();
    assert!(
        matches!(&err, GatewayError::Status { status: 404, message } if message.contains("Nobody")),
        "{err}"
    );
    emulator.set_gateway_dead_urls(true);
    let err = rt
        .block_on(client.synthesize("Hello.", "Ashley", None))
        .unwrap_err();
    assert!(
        matches!(&err, GatewayError::AudioUnavailable { status: 404, url } if url.contains("/v1/files/")),
        "{err}"
    );
    for e in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!e.contains(KEY), "the key leaked: {e}");
    }
}
