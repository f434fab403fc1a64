//! The LLM router client against the emulator's chat route over loopback: a streamed reply
//! piece by piece, the request it sent, an error event mid-reply, a refused key, an unknown
//! model.

use std::time::{Duration, Instant};

use inworld_emulator::EmulatorHandle;
use inworld_tts::router::{ChatMessage, ChatRequest, SentenceSplitter};
use inworld_tts::{InworldClient, InworldError};

mod support;
use support::client;

const KEY: &str = "cm91dGVyOnRlc3Q=";

fn emulator() -> EmulatorHandle {
    support::emulator_with_key(KEY)
}

fn request(line: &str) -> ChatRequest {
    ChatRequest::new(
        "openai/gpt-4.1-mini",
        vec![
            ChatMessage::system("You are Mira."),
            ChatMessage::user(line),
        ],
    )
}

#[tokio::test]
async fn a_reply_streams_piece_by_piece_and_splits_into_sentences_as_it_comes() {
    let emulator = emulator();
    emulator.push_chat_reply("Welcome to Ashford, stranger. The inn is warm! Rest well.");
    emulator.set_chat_pace(Duration::from_millis(120), Duration::from_millis(20));
    let client = client(&emulator, KEY);
    let started = Instant::now();
    let mut reply = client.chat(&request("Hello!")).await.expect("a reply");
    let (mut pieces, mut first, mut split, mut sentences) =
        (Vec::new(), None, SentenceSplitter::default(), Vec::new());
    while let Some(piece) = reply.next().await {
        let piece = piece.expect("a piece");
        first.get_or_insert(started.elapsed());
        sentences.extend(
            split
                .push(&piece)
                .into_iter()
                .map(|s| (s, started.elapsed())),
        );
        pieces.push(piece);
    }
    sentences.extend(split.finish().map(|s| (s, started.elapsed())));
    assert_eq!(pieces.len(), 10, "{pieces:?}");
    assert_eq!(
        pieces.concat(),
        "Welcome to Ashford, stranger. The inn is warm! Rest well."
    );
    assert!(first.expect("a first piece") >= Duration::from_millis(120));
    let texts: Vec<&str> = sentences.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Welcome to Ashford, stranger.",
            "The inn is warm!",
            "Rest well."
        ]
    );
    // The first sentence is out before the reply ends.
    assert!(
        sentences[0].1 + Duration::from_millis(80) < sentences[2].1,
        "{sentences:?}"
    );
    let sent = emulator.requests();
    let body = sent
        .iter()
        .find(|r| r.path == "/v1/chat/completions")
        .and_then(|r| r.body.clone())
        .expect("the request");
    assert_eq!(body["stream"], true);
    assert_eq!(body["reasoning_effort"], "none");
    assert_eq!(body["messages"][1]["content"], "Hello!");
}

#[tokio::test]
async fn an_error_event_a_refused_key_and_an_unknown_model_are_clear_errors() {
    let emulator = emulator();
    emulator.set_chat_pace(Duration::ZERO, Duration::ZERO);
    emulator.set_chat_error_after(Some(3));
    let client = client(&emulator, KEY);
    let mut reply = client.chat(&request("Hello!")).await.expect("a start");
    let mut pieces = 0;
    let error = loop {
        match reply.next().await.expect("an error before the end") {
            Ok(_) => pieces += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(pieces, 3);
    assert!(error.to_string().contains("upstream overloaded"), "{error}");
    assert!(reply.next().await.is_none(), "over after an error");
    emulator.set_chat_error_after(None);

    let refused = client_with_wrong_key(&emulator).chat(&request("Hi")).await;
    assert!(
        matches!(refused, Err(InworldError::Unauthenticated(_))),
        "{refused:?}"
    );
    let mut unknown = request("Hi");
    unknown.model = "gpt-nonsense".into();
    let err = client.chat(&unknown).await.expect_err("no such model");
    assert!(matches!(err, InworldError::NotFound(_)), "{err}");
    assert!(err.to_string().contains("provider/model"), "{err}");
}

fn client_with_wrong_key(emulator: &EmulatorHandle) -> InworldClient {
    client(emulator, "d3Jvbmc6a2V5")
}
