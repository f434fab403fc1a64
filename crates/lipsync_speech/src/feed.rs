//! Text that arrives over time (an LLM's tokens, a dialogue generator): said sentence by
//! sentence as one line, each sentence spoken as soon as it is complete.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::Notify;

/// The sending end of a streamed line: [`push`](TextFeed::push) text pieces as they come,
/// then [`finish`](TextFeed::finish). Cheap to clone; every clone feeds the same line.
/// Dropping every clone without finishing ends the line after what was pushed.
#[derive(Clone, Default)]
pub struct TextFeed {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    state: Mutex<State>,
    ready: Notify,
}

#[derive(Default)]
struct State {
    pieces: VecDeque<String>,
    finished: bool,
}

impl TextFeed {
    /// A new, empty feed.
    pub fn new() -> TextFeed {
        TextFeed::default()
    }

    /// Adds a piece of text (any size: a token, a word, a sentence).
    pub fn push(&self, piece: impl Into<String>) {
        let piece = piece.into();
        if piece.is_empty() {
            return;
        }
        self.state().pieces.push_back(piece);
        self.inner.ready.notify_one();
    }

    /// No more text: the rest is spoken and the line ends.
    pub fn finish(&self) {
        self.state().finished = true;
        self.inner.ready.notify_one();
    }

    /// Whether [`finish`](TextFeed::finish) was called.
    pub fn is_finished(&self) -> bool {
        self.state().finished
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The next piece; `None` once finished (or abandoned) and drained.
    pub(crate) async fn next(&self) -> Option<String> {
        loop {
            {
                let mut state = self.state();
                if let Some(piece) = state.pieces.pop_front() {
                    return Some(piece);
                }
                // The reader holds one clone: with no other left, nobody can finish it.
                if state.finished || Arc::strong_count(&self.inner) == 1 {
                    return None;
                }
            }
            // Woken by a push or a finish; a timeout notices abandoned feeds.
            let _ = tokio::time::timeout(
                std::time::Duration::from_millis(100),
                self.inner.ready.notified(),
            )
            .await;
        }
    }
}

impl fmt::Debug for TextFeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("TextFeed")
            .field("waiting_pieces", &state.pieces.len())
            .field("finished", &state.finished)
            .finish()
    }
}

impl PartialEq for TextFeed {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}
