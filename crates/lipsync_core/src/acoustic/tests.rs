use super::*;
use crate::viseme::Viseme;

/// A model whose output is the loudness feature of the middle frame, on SIL or AA.
pub(super) fn loudness_model() -> AcousticModel {
    let mut w1 = vec![0.0; MODEL_INPUTS];
    w1[CONTEXT_BEHIND * FRAME_FEATURES + CEPSTRA] = 3.0;
    let mut w2 = vec![0.0; Viseme::COUNT];
    w2[Viseme::Sil.index()] = -4.0;
    w2[Viseme::Aa.index()] = 4.0;
    AcousticModel {
        mean: vec![0.0; MODEL_INPUTS],
        scale: vec![1.0; MODEL_INPUTS],
        hidden: 1,
        w1,
        b1: vec![0.0],
        w2,
        b2: vec![0.0; Viseme::COUNT],
        trained_on: "test".into(),
    }
}

#[test]
fn the_track_follows_the_sound_without_flicker() {
    let rate = 16_000;
    let tone = |n: usize| (0..n).map(|i| ((i as f32 * 0.2).sin() * 10_000.0) as i16);
    let mut pcm = vec![0i16; 3_200];
    pcm.extend(tone(4_800));
    // A 10 ms blip of silence inside the vowel: not worth a shape change.
    pcm.extend(std::iter::repeat_n(0, 160));
    pcm.extend(tone(3_200));
    pcm.extend(std::iter::repeat_n(0, 3_200));
    let track = estimate_track(&pcm, rate, &loudness_model());
    let shapes: Vec<Viseme> = track.iter().map(|(v, _)| *v).collect();
    assert_eq!(shapes, [Viseme::Sil, Viseme::Aa, Viseme::Sil], "{track:?}");
    // The vowel starts within a hop or two of the tone (the window ends at its hop).
    let start = track[1].1.start.0 as i64;
    assert!((start - 3_200).abs() <= 320, "{start}");
}

#[test]
fn a_transcript_is_placed_on_the_sound_word_by_word() {
    let rate = 16_000;
    let tone = |n: usize| (0..n).map(|i| ((i as f32 * 0.2).sin() * 10_000.0) as i16);
    let mut pcm = vec![0i16; 1_600];
    pcm.extend(tone(3_200));
    pcm.extend(std::iter::repeat_n(0, 4_800));
    pcm.extend(tone(3_200));
    pcm.extend(std::iter::repeat_n(0, 1_600));
    let alignment = align_transcript(&pcm, rate, "ah ah", &crate::Spelling, &loudness_model());
    let words: Vec<(String, u64, u64)> = alignment
        .words
        .iter()
        .map(|w| (w.text.to_string(), w.span.start.0, w.span.end.0))
        .collect();
    assert_eq!(words.len(), 2, "{words:?}");
    // Each word sits on its tone, give or take a couple of hops.
    for ((_, start, end), (from, to)) in words.iter().zip([(1_600, 4_800), (9_600, 12_800)]) {
        assert!((*start as i64 - from).abs() <= 480, "{words:?}");
        assert!((*end as i64 - to).abs() <= 480, "{words:?}");
    }
}
