//! The master volume and a speaker's gain changed mid-line.

use super::*;

/// A speaker's line heard from its first sample, with `change` applied to the app 200 ms in.
fn heard_changed_mid_line(change: impl FnOnce(&mut App, Entity)) -> (Vec<f32>, usize) {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, onset) = h.sounding_line("Dennis", 20);
    let changed_at = h.heard.len() - onset;
    change(&mut h.app, speaker);
    for _ in 0..30 {
        h.frame(Duration::from_millis(10));
    }
    (h.heard[onset..].to_vec(), changed_at)
}

#[test]
fn the_master_volume_and_a_speakers_gain_follow_mid_line_without_a_click() {
    let (plain, _) = heard_changed_mid_line(|_, _| {});
    let (turned_down, at) = heard_changed_mid_line(|app, speaker| {
        app.world_mut()
            .resource_mut::<LipsyncSettings>()
            .voice_volume = 0.5;
        app.world_mut()
            .get_mut::<Speaker>(speaker)
            .expect("a speaker")
            .gain = 0.8;
    });
    let len = plain.len().min(turned_down.len());
    // Untouched before the change; 0.5 x 0.8 from the next block plus the ramp on, exactly.
    assert_eq!(plain[..at], turned_down[..at]);
    let settled = at + BLOCK + (48_000.0 * bevy_lipsync::audio::GAIN_RAMP.as_secs_f64()) as usize;
    for i in settled..len {
        assert_eq!(turned_down[i], plain[i] * 0.4, "sample {i}");
    }
    // In between the gain only falls, and never below where it goes.
    let mut last = 1.0f32;
    for i in at..settled {
        if plain[i].abs() > 1e-3 {
            let gain = turned_down[i] / plain[i];
            assert!(
                gain <= last + 1e-4 && gain >= 0.4 - 1e-4,
                "sample {i}: gain {gain}"
            );
            last = gain;
        }
    }
}
