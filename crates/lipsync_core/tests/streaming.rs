//! A line streamed in pieces: each piece costs the timeline about the same, however long the
//! line has grown, because words already read aloud are not read again and buffers are reused.

#[allow(dead_code)] // the signal helpers are for the audio tests
#[path = "../../lipsync_audio/tests/support/mod.rs"]
mod support;

use std::sync::Arc;

use lipsync_core::alignment::{
    Alignment, AlignmentUpdate, CharacterMark, FrameOffset, FrameSpan, WordMark,
};
use lipsync_core::{ArticulationSettings, Spelling, VisemeTimeline};
use support::allocator_calls;

/// 20 frames of audio per letter, 5 of silence between words.
fn span(at: u64, letters: u64) -> FrameSpan {
    FrameSpan::new(FrameOffset(at), FrameOffset(at + 20 * letters))
}

/// Allocator calls of `timeline.update` after each of `pieces` was applied to the alignment.
fn calls_per_piece(pieces: Vec<AlignmentUpdate>) -> Vec<usize> {
    let mut alignment = Alignment::default();
    let mut timeline = VisemeTimeline::new(24_000, ArticulationSettings::default())
        .with_pronouncer(Arc::new(Spelling));
    pieces
        .into_iter()
        .map(|piece| {
            alignment.apply(piece);
            allocator_calls(|| timeline.update(&alignment))
        })
        .collect()
}

/// The late pieces cost no more than the early ones, give or take a buffer doubling.
fn check_flat(calls: &[usize]) {
    let early = calls[5..10].iter().max().copied().unwrap_or(0);
    let late = calls[50..].iter().max().copied().unwrap_or(0);
    assert!(late <= early + 8, "{calls:?}");
}

#[test]
fn words_streamed_one_by_one_are_each_read_once() {
    let pieces = (0..60u64)
        .map(|i| AlignmentUpdate {
            words: vec![WordMark {
                text: format!("village{i}").into(),
                span: span(i * 160, 7),
                partial: false,
            }],
            ..Default::default()
        })
        .collect();
    check_flat(&calls_per_piece(pieces));
}

#[test]
fn characters_streamed_one_word_at_a_time_are_each_read_once() {
    let pieces = (0..60u64)
        .map(|i| {
            let word = "mill ";
            let characters = word
                .chars()
                .enumerate()
                .map(|(k, c)| CharacterMark {
                    text: c.to_string(),
                    span: span(i * 100 + k as u64 * 20, 1),
                })
                .collect();
            AlignmentUpdate {
                characters,
                ..Default::default()
            }
        })
        .collect();
    check_flat(&calls_per_piece(pieces));
}
