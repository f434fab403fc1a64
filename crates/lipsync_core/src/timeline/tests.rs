use super::*;
use crate::alignment::{AlignmentUpdate, FrameSpan, PhoneMark, WordMark};
use crate::{Viseme, VisemeWeights};

const RATE: u32 = 24_000;

fn span(a: u64, b: u64) -> FrameSpan {
    FrameSpan::new(FrameOffset(a), FrameOffset(b))
}

fn ms(ms: u64) -> u64 {
    ms * u64::from(RATE) / 1000
}

/// "hello world, bob" as three chunks of words with phones (ms), with a 300 ms pause before
/// "bob".
fn chunks() -> Vec<AlignmentUpdate> {
    let words: [(&str, &[(&str, u64)]); 3] = [
        ("hello", &[("h", 60), ("ə", 50), ("l", 70), ("oʊ1", 140)]),
        ("world,", &[("w", 70), ("ɝ1", 120), ("l", 60), ("d", 80)]),
        ("bob", &[("b", 70), ("ɑ1", 160), ("b", 90)]),
    ];
    let mut at = ms(100);
    words
        .iter()
        .enumerate()
        .map(|(i, (text, phones))| {
            if i == 2 {
                at += ms(300);
            }
            let start = at;
            let phones = phones
                .iter()
                .map(|&(symbol, len)| {
                    let phone = PhoneMark {
                        symbol: symbol.into(),
                        viseme: String::new(),
                        span: span(at, at + ms(len)),
                        word: 0,
                    };
                    at += ms(len);
                    phone
                })
                .collect();
            AlignmentUpdate {
                words: vec![WordMark {
                    text: (*text).into(),
                    span: span(start, at),
                    partial: false,
                }],
                phones,
                ..Default::default()
            }
        })
        .collect()
}

fn timeline_of(updates: impl IntoIterator<Item = AlignmentUpdate>) -> VisemeTimeline {
    let mut alignment = Alignment::default();
    let mut timeline = VisemeTimeline::new(RATE, ArticulationSettings::default());
    for update in updates {
        alignment.apply(update);
        timeline.update(&alignment);
    }
    timeline
}

/// The mouth every millisecond from 0 to 2 s.
fn sampled(timeline: &VisemeTimeline) -> Vec<VisemeWeights> {
    let mut out = VisemeWeights::default();
    (0..2_000)
        .map(|t| {
            timeline.evaluate(ms(t) as f64, &mut out);
            out
        })
        .collect()
}

#[test]
fn frame_rate_does_not_change_the_weights_at_an_instant() {
    let timeline = timeline_of(chunks());
    // Frame loops at 30, 60 and 144 fps over 2 s; instants k/6 s lie on all three grids.
    let run = |fps: u64| {
        let mut out = VisemeWeights::default();
        let mut at_common = Vec::new();
        for frame in 0..=2 * fps {
            let position = (frame * u64::from(RATE)) as f64 / fps as f64;
            timeline.evaluate(position, &mut out);
            if (frame * 6) % fps == 0 {
                at_common.push((frame * 6 / fps, out));
            }
        }
        at_common
    };
    let at30 = run(30);
    assert_eq!(at30.len(), 13);
    assert_eq!(at30, run(60));
    assert_eq!(at30, run(144));
    assert!(at30.iter().any(|(_, w)| !w.is_rest()));
}

#[test]
fn late_metadata_gives_the_same_curves_as_metadata_with_the_audio() {
    let sync = timeline_of(chunks());

    // ASYNC: the audio (and its envelope) plays first, the timestamps come later, out of order.
    let mut late = VisemeTimeline::new(RATE, ArticulationSettings::default());
    late.push_envelope(FrameOffset::ZERO, &[0.3; 100], ms(20) as u32);
    let mut early_mouth = VisemeWeights::default();
    late.evaluate(ms(500) as f64, &mut early_mouth);
    // Before any metadata: jaw only, following the audio's loudness.
    assert!(early_mouth.jaw_open > 0.5);
    assert!(early_mouth.weights.iter().all(|&w| w == 0.0));

    let mut alignment = Alignment::default();
    let mut updates = chunks();
    updates.reverse();
    for update in updates {
        alignment.apply(update);
        late.update(&alignment);
    }
    let mut sync_loud = sync.clone();
    sync_loud.push_envelope(FrameOffset::ZERO, &[0.3; 100], ms(20) as u32);
    assert_eq!(sampled(&late), sampled(&sync_loud));
    assert_eq!(late.segments(), sync.segments());
}

#[test]
fn a_span_sent_twice_changes_nothing() {
    let once = timeline_of(chunks());
    let mut twice_updates = chunks();
    twice_updates.insert(2, chunks()[1].clone());
    twice_updates.push(chunks()[0].clone());
    let twice = timeline_of(twice_updates);
    assert_eq!(sampled(&once), sampled(&twice));
}

#[test]
fn a_replaced_partial_word_changes_only_its_span() {
    let mut updates = chunks();
    let final_word = updates[1].clone();
    // "world," first arrives as a provisional "wor" with other phones.
    let mut partial = final_word.clone();
    partial.words[0].text = "wor".into();
    partial.words[0].partial = true;
    partial.phones.truncate(2);
    partial.phones[1].symbol = "ɑ".into();
    partial.phones[1].span.end = partial.words[0].span.end;
    updates[1] = partial;
    let before = timeline_of(updates.clone());
    updates.push(final_word.clone());
    let after = timeline_of(updates);
    assert_eq!(sampled(&after), sampled(&timeline_of(chunks())));

    // Outside the word's span, widened by how far a shape reaches (lead before, hold and
    // rest return after), nothing moved.
    let word = final_word.words[0].span;
    let (from, to) = (word.start.0 - ms(60), word.end.0 + ms(100 + 150));
    let (b, a) = (sampled(&before), sampled(&after));
    let mut changed = 0;
    for t in 0..2_000u64 {
        let inside = (from..to).contains(&ms(t));
        if b[t as usize] != a[t as usize] {
            assert!(
                inside,
                "the mouth changed at {t} ms, outside the replaced word"
            );
            changed += 1;
        }
    }
    assert!(changed > 0);
}

#[test]
fn weights_stay_in_range_for_any_timing() {
    let mut seed = 0x9e37_79b9_u32;
    let mut next = move |n: u32| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed % n
    };
    for _ in 0..20 {
        let mut at = 0;
        let visemes = (0..40)
            .map(|_| {
                let label = Viseme::ALL[next(15) as usize].openxr_name();
                let start = at + u64::from(next(3)) * ms(next(100).into());
                at = start + u64::from(next(300) + 1);
                crate::alignment::VisemeMark {
                    label: label.into(),
                    span: span(start, at),
                }
            })
            .collect();
        let mut timeline = VisemeTimeline::new(RATE, ArticulationSettings::default());
        timeline.update(&Alignment {
            visemes,
            ..Default::default()
        });
        let loud: Vec<f32> = (0..200).map(|_| next(1000) as f32 / 500.0).collect();
        timeline.push_envelope(FrameOffset(0), &loud, 480);
        let mut out = VisemeWeights::default();
        for step in 0..(at / 7) {
            timeline.evaluate((step * 7) as f64, &mut out);
            let all = out.weights.iter().chain([&out.jaw_open]);
            assert!(all.into_iter().all(|w| (0.0..=1.0).contains(w)), "{out:?}");
            assert!(out.weights.iter().sum::<f32>() <= 0.9 + 1e-5);
            assert_eq!(out.get(Viseme::Sil), 0.0);
        }
    }
}

#[test]
fn silence_returns_to_rest() {
    let timeline = timeline_of(chunks());
    let mouth = sampled(&timeline);
    // Before the first shape's lead, in the long pause, and after the end.
    assert!(mouth[..30].iter().all(VisemeWeights::is_rest));
    let pause_end = 100 + 320 + 330 + 300; // first "b" at 1050 ms
    assert!(
        mouth[pause_end - 80].is_rest(),
        "{:?}",
        mouth[pause_end - 80]
    );
    let end = pause_end + 320;
    assert!(timeline.rest_from() <= ms(end as u64 + 150) as f64);
    assert!(mouth[end + 150..].iter().all(VisemeWeights::is_rest));
    // The return is gradual: no step of more than a fifth of the range per millisecond.
    for pair in mouth[end - 100..end + 150].windows(2) {
        assert!((pair[0].jaw_open - pair[1].jaw_open).abs() < 0.2);
    }
}

#[test]
fn shapes_anticipate_pop_open_and_close_slowly() {
    let mut timeline = VisemeTimeline::new(RATE, ArticulationSettings::default());
    timeline.update(&Alignment {
        visemes: vec![crate::alignment::VisemeMark {
            label: "AA".into(),
            span: span(ms(500), ms(800)),
        }],
        ..Default::default()
    });
    let aa = |t: u64| {
        let mut out = VisemeWeights::default();
        timeline.evaluate(ms(t) as f64, &mut out);
        out.get(Viseme::Aa)
    };
    assert!(aa(460) > 0.0, "the shape forms before its sound");
    assert_eq!(aa(495), 0.9, "and is full by the time it is heard");
    // 30 ms into the attack vs 30 ms into the fall (which starts at 740).
    assert!(aa(470) > 1.0 - aa(770) + 0.05);
    assert!(aa(830) > 0.0 && aa(900) == 0.0);
}

#[test]
fn short_shapes_hold_and_short_pauses_keep_the_shape() {
    let mark = |label: &str, a, b| crate::alignment::VisemeMark {
        label: label.into(),
        span: span(ms(a), ms(b)),
    };
    let mut timeline = VisemeTimeline::new(RATE, ArticulationSettings::default());
    timeline.update(&Alignment {
        visemes: vec![
            mark("AA", 0, 200),
            mark("PP", 200, 230),
            mark("OH", 230, 400),
            mark("SIL", 400, 480),
            mark("E", 480, 600),
        ],
        ..Default::default()
    });
    let segments: Vec<_> = timeline
        .segments()
        .iter()
        .map(|s| (s.viseme, s.start, s.end))
        .collect();
    // The 80 ms silence is held by OH.
    assert_eq!(
        segments,
        [
            (Viseme::Aa, 0, ms(200)),
            (Viseme::Pp, ms(200), ms(230)),
            (Viseme::Oh, ms(230), ms(480)),
            (Viseme::E, ms(480), ms(600)),
        ]
    );
    // The 30 ms PP still dominates for a while after its sound ends.
    let mut out = VisemeWeights::default();
    timeline.evaluate(ms(215) as f64, &mut out);
    assert_eq!(out.dominant(), Viseme::Pp);
    timeline.evaluate(ms(440) as f64, &mut out);
    assert_eq!(out.dominant(), Viseme::Oh);
}
