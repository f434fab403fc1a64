use super::*;
use crate::phone::parse_arpabet;
use crate::prosody::{Unit, plan};
use crate::text::BoundaryKind;
use crate::voice::OfflineVoice;

fn hello_plan(sample_rate: u32) -> Plan {
    let units = [
        Unit::Word {
            word: 0,
            phones: parse_arpabet("HH AX L OW1").expect("ARPAbet"),
            accent: true,
        },
        Unit::Word {
            word: 1,
            phones: parse_arpabet("S T R EY1 N JH ER0").expect("ARPAbet"),
            accent: true,
        },
        Unit::Pause {
            millis: 450,
            boundary: Some(BoundaryKind::Statement),
            fixed: false,
        },
    ];
    plan(&units, &OfflineVoice::Male.preset(), 1.0, sample_rate)
}

fn render_in_blocks(plan: &Plan, voice: OfflineVoice, block: usize) -> Vec<f32> {
    let mut synth = Synthesizer::new(plan, voice.preset());
    let mut out = Vec::new();
    let mut buf = vec![0.0; block];
    while !synth.is_done() {
        let n = synth.render(&mut buf);
        out.extend_from_slice(&buf[..n]);
    }
    out
}

#[test]
fn rendering_is_deterministic_whatever_the_block_size() {
    let plan = hello_plan(24_000);
    let whole = render_in_blocks(&plan, OfflineVoice::Female, 1 << 20);
    assert_eq!(whole.len() as u64, plan.frames());
    for block in [1, 37, 480] {
        let pieces = render_in_blocks(&plan, OfflineVoice::Female, block);
        assert!(
            whole
                .iter()
                .zip(&pieces)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        assert_eq!(whole.len(), pieces.len());
    }
}

#[test]
fn every_phone_starts_with_a_target_change() {
    let plan = hello_plan(16_000);
    let synth = Synthesizer::new(&plan, OfflineVoice::Male.preset());
    let changes: Vec<u64> = synth.changes().collect();
    for segment in &plan.segments {
        assert!(
            changes.binary_search(&segment.span.start).is_ok(),
            "no change at {:?}",
            segment
        );
    }
    // Stops and diphthongs add changes inside their phones; none lies outside the plan.
    assert!(changes.len() > plan.segments.len());
    assert!(changes.iter().all(|&c| c < plan.frames()));
    assert!(changes.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn any_sample_rate_renders_bounded_sound() {
    for rate in [8_000, 11_025, 16_000, 22_050, 24_000, 44_100, 48_000] {
        for voice in OfflineVoice::ALL {
            let plan = hello_plan(rate);
            let pcm = render_in_blocks(&plan, voice, 4_096);
            assert!(
                pcm.iter().all(|x| x.is_finite() && x.abs() <= 1.0),
                "{rate} {voice}"
            );
            let rms = (pcm.iter().map(|x| x * x).sum::<f32>() / pcm.len() as f32).sqrt();
            assert!(rms > 0.03, "{rate} Hz {voice} is audible: rms {rms}");
        }
    }
}
