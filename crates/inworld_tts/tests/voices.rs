//! The Voices API over real loopback TCP against the emulator: list, page, filter, find, edit,
//! delete, design and publish, clone, and the errors a user meets on the way.

use std::time::Duration;

use inworld_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use inworld_tts::{
    CloneVoiceRequest, Credentials, DesignVoiceRequest, InworldClient, InworldConfig, InworldError,
    LangCode, ListVoices, PublishVoice, RetryPolicy, VoiceSample, VoiceSource, VoiceUpdate,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "test-key";
const PROMPT: &str = "A gravelly old sea captain, slow and warm, with a laugh in every line.";

fn emulator() -> EmulatorHandle {
    Emulator::spawn(EmulatorConfig {
        key: Some(KEY.into()),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts on loopback")
}

fn client_for(base_url: &str, key: &str) -> InworldClient {
    let mut config = InworldConfig::new(Credentials::basic(key))
        .with_base_url(base_url)
        .expect("loopback http is accepted");
    config.retry = RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
    };
    InworldClient::new(config).expect("client builds")
}

fn client(handle: &EmulatorHandle) -> InworldClient {
    client_for(&handle.base_url(), KEY)
}

fn ids(voices: &[inworld_tts::Voice]) -> Vec<String> {
    voices.iter().map(|v| v.voice_id.clone()).collect()
}

/// A small WAV-looking payload; the emulator only checks that it is non-empty base64.
fn sample_audio() -> Vec<u8> {
    let mut bytes = b"RIFF\0\0\0\0WAVE".to_vec();
    bytes.extend((0..2_000u16).flat_map(|i| (i.wrapping_mul(37) as i16).to_le_bytes()));
    bytes
}

#[tokio::test]
async fn page_size_two_walks_every_voice() {
    let emulator = emulator();
    let client = client(&emulator);
    let mut request = ListVoices::new()
        .with_page_size(2)
        .with_order_by("display_name asc");
    let mut walked = Vec::new();
    let mut pages = 0;
    loop {
        let page = client.list_voices(&request).await.expect("a page");
        pages += 1;
        assert!(
            page.voices.len() <= 2,
            "page {pages}: {:?}",
            ids(&page.voices)
        );
        walked.extend(page.voices);
        match page.next_page_token {
            Some(token) => request = request.with_page_token(token),
            None => break,
        }
    }
    let expected: Vec<String> = emulator
        .voices()
        .iter()
        .map(|v| v.voice_id.clone())
        .collect();
    assert_eq!(walked.len(), expected.len());
    assert_eq!(pages, expected.len().div_ceil(2));
    let mut sorted = ids(&walked);
    sorted.sort_by_key(|id| id.to_lowercase());
    assert_eq!(ids(&walked), sorted, "orderBy display_name asc was applied");

    let all = client.list_all_voices(None).await.expect("all voices");
    let mut all_ids = ids(&all);
    let mut expected_sorted = expected.clone();
    all_ids.sort();
    expected_sorted.sort();
    assert_eq!(all_ids, expected_sorted);

    // The query used the documented parameter names.
    let first = emulator
        .requests()
        .into_iter()
        .find(|r| r.path == "/voices/v1/voices")
        .expect("a list request was recorded");
    let names: Vec<&str> = first.query.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["orderBy", "pageSize"]);
    assert!(
        emulator
            .requests()
            .iter()
            .any(|r| r.query.iter().any(|(k, _)| k == "pageToken"))
    );
}

#[tokio::test]
async fn filter_by_language() {
    let emulator = emulator();
    let client = client(&emulator);
    let french = client
        .list_all_voices(Some(&ListVoices::language_filter(&LangCode::FrFr)))
        .await
        .expect("french voices");
    assert_eq!(ids(&french), ["Mathieu"]);
    assert_eq!(french[0].lang_code, Some(LangCode::FrFr));

    let english = client
        .list_voices(&ListVoices::new().with_filter(ListVoices::language_filter(&LangCode::EnUs)))
        .await
        .expect("english voices");
    assert_eq!(english.voices.len(), 5);
    assert!(
        english
            .voices
            .iter()
            .all(|v| v.lang_code == Some(LangCode::EnUs))
    );
    let none = client
        .list_all_voices(Some(&ListVoices::language_filter(&LangCode::JaJp)))
        .await
        .expect("an empty list is not an error");
    assert!(none.is_empty());
}

#[tokio::test]
async fn get_and_find_ignore_case() {
    let emulator = emulator();
    let client = client(&emulator);
    let ashley = client.get_voice("Ashley").await.expect("Ashley");
    assert_eq!(ashley.voice_id, "Ashley");
    assert_eq!(ashley.source, VoiceSource::System);
    assert_eq!(ashley.lang_code, Some(LangCode::EnUs));
    assert_eq!(ashley.gender.as_deref(), Some("female"));
    assert!(!ashley.description.is_empty());

    assert_eq!(
        client.find_voice("dennis").await.unwrap().voice_id,
        "Dennis"
    );
    assert_eq!(
        client.find_voice("  OLIVIA ").await.unwrap().voice_id,
        "Olivia"
    );

    match client.find_voice("Nobody").await {
        Err(InworldError::NotFound(failure)) => {
            assert!(failure.message.contains("`Nobody`"), "{failure}");
            assert!(failure.message.contains("Dennis"), "{failure}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    let missing = client.get_voice("Nobody").await;
    assert!(
        matches!(missing, Err(InworldError::NotFound(_))),
        "{missing:?}"
    );
    // Refused locally: nothing reaches the server.
    let before = emulator.requests().len();
    let bad = client.get_voice("voices/Ashley").await;
    assert!(
        matches!(bad, Err(InworldError::InvalidRequest(_))),
        "{bad:?}"
    );
    assert_eq!(emulator.requests().len(), before);
}

#[tokio::test]
async fn clone_update_delete() {
    let emulator = emulator();
    let client = client(&emulator);
    let request = CloneVoiceRequest::new("Old Narrator", LangCode::EnUs)
        .with_sample(VoiceSample::new(sample_audio()).with_transcription("Once upon a time."))
        .with_description("cloned in a test")
        .with_tags(["test"])
        .with_background_noise_removed();
    let cloned = client.clone_voice(&request).await.expect("clone");
    assert_eq!(cloned.display_name, "Old Narrator");
    assert_eq!(cloned.source, VoiceSource::Ivc);
    assert!(!cloned.voice_id.is_empty());

    // The audio travelled as base64, under the documented names.
    let recorded = emulator
        .requests()
        .into_iter()
        .find(|r| r.path == "/voices/v1/voices:clone")
        .and_then(|r| r.body)
        .expect("the clone body was recorded");
    let sample = &recorded["voiceSamples"][0];
    assert_eq!(sample["transcription"], "Once upon a time.");
    assert!(
        sample["audioData"]
            .as_str()
            .is_some_and(|a| a.starts_with("UklGR"))
    );
    assert_eq!(
        recorded["audioProcessingConfig"]["removeBackgroundNoise"],
        true
    );

    let listed = client.list_all_voices(None).await.unwrap();
    assert!(
        ids(&listed).contains(&cloned.voice_id),
        "{:?}",
        ids(&listed)
    );
    assert_eq!(
        client.find_voice("old narrator").await.unwrap().voice_id,
        cloned.voice_id
    );

    let update = VoiceUpdate {
        display_name: Some("Narrator".into()),
        description: None,
        tags: Some(vec!["calm".into(), "story".into()]),
    };
    let updated = client
        .update_voice(&cloned.voice_id, &update)
        .await
        .expect("update");
    assert_eq!(updated.display_name, "Narrator");
    assert_eq!(updated.description, "cloned in a test", "unset fields stay");
    assert_eq!(updated.tags, ["calm", "story"]);
    assert_eq!(client.get_voice(&cloned.voice_id).await.unwrap(), updated);

    client.delete_voice(&cloned.voice_id).await.expect("delete");
    let gone = client.get_voice(&cloned.voice_id).await;
    assert!(matches!(gone, Err(InworldError::NotFound(_))), "{gone:?}");
    let listed = client.list_all_voices(None).await.unwrap();
    assert!(!ids(&listed).contains(&cloned.voice_id));

    // System voices belong to Inworld: the server refuses, the client says so.
    let refused = client.update_voice("Dennis", &update).await;
    assert!(
        matches!(refused, Err(InworldError::PermissionDenied(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn design_then_publish() {
    let emulator = emulator();
    let client = client(&emulator);
    let request =
        DesignVoiceRequest::new(PROMPT, "Ahoy there, lad.", LangCode::EnUs).with_samples(2);
    let designed = client.design_voice(&request).await.expect("design");
    assert_eq!(designed.lang_code, Some(LangCode::EnUs));
    assert_eq!(designed.preview_voices.len(), 2);
    for preview in &designed.preview_voices {
        assert_eq!(preview.preview_text, "Ahoy there, lad.");
        assert!(preview.preview_audio.starts_with(b"RIFF"), "{preview:?}");
    }
    let draft = &designed.preview_voices[1].voice_id;
    let before = client.list_all_voices(None).await.unwrap();
    assert!(!ids(&before).contains(draft), "drafts are not listed");

    let publish = PublishVoice::named("Captain")
        .with_description("sea captain")
        .with_tags(["pirate"]);
    let published = client
        .publish_voice(draft, &publish)
        .await
        .expect("publish");
    assert_eq!(published.display_name, "Captain");
    assert_eq!(published.tags, ["pirate"]);
    let after = client.list_all_voices(None).await.unwrap();
    assert!(
        ids(&after).contains(&published.voice_id),
        "{:?}",
        ids(&after)
    );
    assert_eq!(
        client.find_voice("CAPTAIN").await.unwrap().voice_id,
        published.voice_id
    );
}

#[tokio::test]
async fn bad_requests_never_leave_the_client() {
    let emulator = emulator();
    let client = client(&emulator);
    let short = DesignVoiceRequest::new("too short", "Hi.", LangCode::EnUs);
    let no_samples = CloneVoiceRequest::new("N", LangCode::EnUs);
    let errors = [
        client.design_voice(&short).await.map(drop),
        client.clone_voice(&no_samples).await.map(drop),
        client
            .update_voice("Dennis", &VoiceUpdate::default())
            .await
            .map(drop),
        client.delete_voice(" ").await,
        client.find_voice("").await.map(drop),
    ];
    for error in errors {
        assert!(
            matches!(error, Err(InworldError::InvalidRequest(_))),
            "{error:?}"
        );
    }
    assert!(emulator.requests().is_empty(), "{:?}", emulator.requests());
}

#[tokio::test]
async fn a_bad_key_is_unauthenticated() {
    let emulator = emulator();
    let client = client_for(&emulator.base_url(), "wrong-key");
    let listed = client.list_voices(&ListVoices::new()).await;
    assert!(
        matches!(listed, Err(InworldError::Unauthenticated(_))),
        "{listed:?}"
    );
    let found = client.find_voice("Dennis").await;
    assert!(
        matches!(found, Err(InworldError::Unauthenticated(_))),
        "{found:?}"
    );
    // Not retried: a wrong key stays wrong.
    assert_eq!(emulator.count_requests("/voices/v1/voices"), 2);
}

/// A server that hands out the same page token forever: the client stops instead of looping.
/// (The emulator never misbehaves this way, so a few lines of HTTP stand in for it.)
#[tokio::test]
async fn a_repeated_page_token_stops_the_walk() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let body = r#"{"voices":[{"voiceId":"Loop"}],"nextPageToken":"same"}"#;
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{body}",
            body.len()
        );
        for _ in 0..10 {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            stream.write_all(response.as_bytes()).await.unwrap();
            stream.shutdown().await.unwrap();
        }
    });
    let client = client_for(&base_url, KEY);
    let result = client.list_all_voices(None).await;
    match result {
        Err(InworldError::Protocol(message)) => {
            assert!(message.contains("`same` twice"), "{message}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    server.abort();
}
