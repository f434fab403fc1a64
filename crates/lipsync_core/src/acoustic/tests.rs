use super::*;

#[test]
fn the_fft_finds_a_sine_in_its_bin() {
    let fft = Fft::new(64);
    let mut re: Vec<f32> = (0..64)
        .map(|i| (2.0 * PI * 5.0 * i as f32 / 64.0).sin())
        .collect();
    let mut im = vec![0.0; 64];
    fft.run(&mut re, &mut im);
    let power: Vec<f32> = re.iter().zip(&im).map(|(r, i)| r * r + i * i).collect();
    let peak = (0..32)
        .max_by(|&a, &b| power[a].total_cmp(&power[b]))
        .unwrap();
    assert_eq!(peak, 5);
    assert!((power[5].sqrt() - 32.0).abs() < 0.01, "{}", power[5].sqrt());
}

#[test]
fn frames_come_every_hop_and_loudness_tells_speech_from_silence() {
    let rate = 24_000;
    let mut pcm = vec![0i16; rate as usize / 2];
    pcm.extend((0..rate / 2).map(|i| ((i as f32 * 0.07).sin() * 12_000.0) as i16));
    let frames = features(&pcm, rate);
    assert_eq!(frames.len(), 100, "a frame per 10 ms");
    let (quiet, loud) = (frames[30][CEPSTRA], frames[80][CEPSTRA]);
    assert!(quiet < -1.0 && loud > 0.5, "{quiet} {loud}");
}

/// A model whose output is the loudness feature of the middle frame, on SIL or AA.
fn loudness_model() -> AcousticModel {
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

#[test]
fn the_live_estimator_agrees_with_the_whole_file_and_is_30_ms_late() {
    let rate = 16_000;
    let mut pcm = vec![0i16; 4_800];
    pcm.extend((0..4_800).map(|i| ((i as f32 * 0.2).sin() * 10_000.0) as i16));
    pcm.extend(std::iter::repeat_n(0, 4_800));
    let model = loudness_model();
    let offline = log_probs(&pcm, rate, &model);
    let mut live = VisemeEstimator::new(rate);
    live.model = Box::leak(Box::new(model));
    let mut estimates = Vec::new();
    let samples: Vec<f32> = pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect();
    for chunk in samples.chunks(100) {
        live.push(chunk, |hop, viseme, _| estimates.push((hop, viseme)));
    }
    assert_eq!(estimates.len(), offline.len() - CONTEXT_AHEAD);
    let argmax = |p: &[f32; Viseme::COUNT]| {
        Viseme::from_index(
            (0..Viseme::COUNT)
                .max_by(|&a, &b| p[a].total_cmp(&p[b]))
                .unwrap(),
        )
        .unwrap()
    };
    let agree = estimates
        .iter()
        .filter(|(hop, v)| argmax(&offline[*hop]) == *v)
        .count();
    assert!(
        agree >= estimates.len() - 4,
        "{agree} of {}",
        estimates.len()
    );
}
