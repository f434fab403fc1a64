//! Conversational NPCs: a [`Persona`] on a speaker, and `commands.entity(npc).reply_to(..)`.

use bevy::prelude::*;

use crate::inworld::router::{ChatMessage, ChatRequest};

use super::events::ReplyHeard;

/// Who a speaker is when it answers the player: the system prompt, the LLM that writes its
/// replies, an optional voice of its own, and its memory of the conversation.
///
/// The memory keeps what was **heard**: when the player cuts a reply short, only the words of
/// it that were spoken are remembered, so the NPC never "knows" it said the rest.
///
/// ```
/// use bevy::prelude::*;
/// use bevy_lipsync::plugin::{Persona, SpeakExt, Speaker};
///
/// fn setup(mut commands: Commands) {
///     let npc = commands
///         .spawn((
///             Speaker::new("Ashley"),
///             Persona::new("You are Mira, the innkeeper of Ashford. Answer in one or two short sentences."),
///         ))
///         .id();
///     commands.entity(npc).reply_to("Is there a room free tonight?");
/// }
/// # bevy::ecs::system::assert_is_system(setup);
/// ```
#[derive(Component, Clone, Debug, PartialEq)]
pub struct Persona {
    /// The system prompt: who the NPC is and how it talks.
    pub system_prompt: String,
    /// The router model (`provider/model`, or `auto`).
    pub model: String,
    /// Models tried in order if the first fails.
    pub fallbacks: Vec<String>,
    /// A voice for replies, instead of the [`Speaker`](super::Speaker)'s.
    pub voice: Option<String>,
    /// The longest reply, in tokens.
    pub max_tokens: Option<u32>,
    /// How many past exchanges (player line and heard reply) are sent with each request.
    pub memory: usize,
    history: Vec<ChatMessage>,
}

/// The router model personas use unless told otherwise.
pub const DEFAULT_CHAT_MODEL: &str = "openai/gpt-4.1-mini";

impl Persona {
    /// A persona with this system prompt, [`DEFAULT_CHAT_MODEL`], the speaker's voice and a
    /// memory of 20 exchanges.
    pub fn new(system_prompt: impl Into<String>) -> Self {
        Persona {
            system_prompt: system_prompt.into(),
            model: DEFAULT_CHAT_MODEL.into(),
            fallbacks: Vec::new(),
            voice: None,
            max_tokens: Some(200),
            memory: 20,
            history: Vec::new(),
        }
    }

    /// The persona with another router model.
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// The persona speaking its replies in `voice`.
    pub fn with_voice(mut self, voice: impl Into<String>) -> Self {
        self.voice = Some(voice.into());
        self
    }

    /// The conversation so far, as heard: player lines and the spoken part of each reply.
    pub fn history(&self) -> &[ChatMessage] {
        &self.history
    }

    /// Forgets the conversation.
    pub fn forget(&mut self) {
        self.history.clear();
    }

    /// Records an exchange: the player's line and what of the reply was heard (nothing, if it
    /// was cut before its first word). Older exchanges beyond [`Persona::memory`] are dropped.
    pub fn remember(&mut self, player: &str, heard: &str) {
        self.history.push(ChatMessage::user(player));
        if !heard.is_empty() {
            self.history.push(ChatMessage::assistant(heard));
        }
        let mut exchanges = self.history.iter().filter(|m| m.role == "user").count();
        while exchanges > self.memory {
            // Drop the oldest player line and the reply that followed it.
            self.history.remove(0);
            while self.history.first().is_some_and(|m| m.role != "user") {
                self.history.remove(0);
            }
            exchanges -= 1;
        }
    }

    /// The request that answers `player`: the system prompt, the remembered exchanges, the
    /// player's line.
    pub fn request(&self, player: &str) -> ChatRequest {
        let mut messages = Vec::with_capacity(self.history.len() + 2);
        messages.push(ChatMessage::system(self.system_prompt.clone()));
        messages.extend(self.history.iter().cloned());
        messages.push(ChatMessage::user(player));
        let mut request = ChatRequest::new(self.model.clone(), messages);
        request.fallbacks = self.fallbacks.clone();
        request.max_tokens = self.max_tokens;
        request
    }
}

/// The words of `line` heard so far, joined by spaces.
pub(crate) fn heard_text(line: &super::active_line::ActiveLine) -> String {
    let words = &line.alignment().words;
    let heard = &words[..line.next_word.min(words.len())];
    let mut text = String::new();
    for word in heard {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word.text.trim());
    }
    text
}

/// A reply line ended: its heard words go to the persona's memory and a [`ReplyHeard`] is sent.
pub(crate) fn conclude_reply(
    commands: &mut Commands,
    entity: Entity,
    line: &super::active_line::ActiveLine,
    persona: Option<&mut Persona>,
    interrupted: bool,
) {
    let Some(player) = line.reply() else {
        return;
    };
    let heard = heard_text(line);
    let event = ReplyHeard {
        entity,
        line: line.line,
        player: player.to_owned(),
        heard: heard.clone(),
        interrupted,
    };
    match persona {
        Some(persona) => persona.remember(player, &heard),
        None => {
            let player = player.to_owned();
            commands.entity(entity).queue(move |mut e: EntityWorldMut| {
                if let Some(mut persona) = e.get_mut::<Persona>() {
                    persona.remember(&player, &heard);
                }
            });
        }
    }
    super::events::emit(commands, event);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_keeps_heard_exchanges_and_drops_the_oldest() {
        let mut persona = Persona::new("You are Mira.");
        persona.memory = 2;
        persona.remember("Hello", "Well met.");
        persona.remember("Stop!", "");
        persona.remember("Where is the inn?", "North, past the mill.");
        let roles: Vec<(&str, &str)> = persona
            .history()
            .iter()
            .map(|m| (m.role.as_str(), m.content.as_str()))
            .collect();
        assert_eq!(
            roles,
            [
                ("user", "Stop!"),
                ("user", "Where is the inn?"),
                ("assistant", "North, past the mill.")
            ]
        );
        let request = persona.request("Thanks");
        assert_eq!(request.messages.len(), 5);
        assert_eq!(request.messages[0].role, "system");
        assert_eq!(request.messages[4].content, "Thanks");
        assert_eq!(request.model, DEFAULT_CHAT_MODEL);
    }
}
