//! Spatial voices: panning, distance and movement.

use super::*;

/// What a listener at the origin (looking down -Z) hears of a line, from its first sample for 60
/// frames, with the speaker at `place(frame)` (`None`: a speaker that is not spatial), and the
/// speaker's mouth at each of those frames.
struct Placed {
    left: Vec<f32>,
    right: Vec<f32>,
    mouths: Vec<bevy_lipsync::lipsync::VisemeWeights>,
}

fn heard_from(place: impl Fn(usize) -> Option<Vec3>) -> Placed {
    use bevy_lipsync::plugin::{SpatialVoice, SpeechOutput, VoiceListener};

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    h.app
        .world_mut()
        .spawn((VoiceListener, GlobalTransform::IDENTITY));
    let (speaker, _face) = h.spawn_speaker("Dennis");
    if let Some(at) = place(0) {
        h.app.world_mut().entity_mut(speaker).insert((
            SpatialVoice::default(),
            GlobalTransform::from_translation(at),
        ));
    }
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut placed = Placed {
        left: Vec::new(),
        right: Vec::new(),
        mouths: Vec::new(),
    };
    let mut frame = 0;
    while placed.mouths.len() < 60 {
        if let Some(at) = place(frame) {
            *h.app
                .world_mut()
                .get_mut::<GlobalTransform>(speaker)
                .expect("placed") = GlobalTransform::from_translation(at);
        }
        h.frame(Duration::from_millis(10));
        if placed.mouths.is_empty() && h.last_block.iter().all(|&x| x == 0.0) {
            continue;
        }
        let mut output = h.app.world_mut().resource_mut::<SpeechOutput>();
        let (left, right) = output.channels().expect("a manual output");
        placed.left.extend_from_slice(left);
        placed.right.extend_from_slice(right);
        placed.mouths.push(h.mouth(speaker).weights);
        frame += 1;
    }
    placed
}

fn energy(samples: &[f32]) -> f32 {
    samples.iter().map(|x| x * x).sum()
}

#[test]
fn a_voice_on_the_right_is_heard_on_the_right_and_fainter_farther_away() {
    let right = heard_from(|_| Some(Vec3::new(2.0, 0.0, 0.0)));
    assert!(energy(&right.right) > 0.0);
    assert!(
        energy(&right.left) < energy(&right.right) * 1e-6,
        "hard right"
    );
    let front_left = heard_from(|_| Some(Vec3::new(-2.0, 0.0, -2.0)));
    assert!(energy(&front_left.left) > 2.0 * energy(&front_left.right));
    assert!(energy(&front_left.right) > 0.0);
    let mut last = f32::INFINITY;
    for distance in [1.0, 2.0, 4.0, 8.0] {
        let ahead = heard_from(|_| Some(Vec3::new(0.0, 0.0, -distance)));
        let heard = energy(&ahead.left) + energy(&ahead.right);
        assert!(heard < last, "{distance} m: {heard} not below {last}");
        assert_eq!(ahead.left, ahead.right, "straight ahead is centred");
        last = heard;
    }
}

#[test]
fn a_voice_moving_while_it_talks_glides_and_the_mouth_keeps_its_timing() {
    let still = heard_from(|_| None);
    assert_eq!(
        still.left, still.right,
        "a voice that is not spatial is mono"
    );
    let source = &still.left;
    // From 3 m to the left to 3 m to the right in 0.6 s, a metre ahead.
    let moving = heard_from(|frame| Some(Vec3::new(-3.0 + 0.1 * frame as f32, 0.0, -1.0)));
    let ramp = 48_000.0 * bevy_lipsync::audio::GAIN_RAMP.as_secs_f64() as f32;
    for channel in [&moving.left, &moving.right] {
        assert!(energy(channel) > 0.0);
        // A gain at most 1 that moves by at most 1/ramp per sample: no step larger than the
        // source's own plus that.
        for (i, pair) in channel.windows(2).enumerate() {
            let bound = (source[i + 1] - source[i]).abs() + source[i + 1].abs() / ramp + 1e-6;
            assert!((pair[1] - pair[0]).abs() <= bound, "sample {i}: a click");
        }
    }
    assert!(
        energy(&moving.left[..4_800]) > energy(&moving.right[..4_800]),
        "starts on the left"
    );
    let end = moving.left.len() - 4_800;
    assert!(
        energy(&moving.right[end..]) > energy(&moving.left[end..]),
        "ends on the right"
    );
    assert_eq!(
        moving.mouths, still.mouths,
        "placing the voice moves no mouth"
    );
}
