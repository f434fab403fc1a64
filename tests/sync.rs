//! The mouth in sync with the sound, over a whole simulated playback (the model of
//! `examples/sync_report.rs`, deterministic: synthetic instants, a seeded random source).
//! These are simulated errors, not wall-clock timings: the same inputs give the same figures on
//! any machine, so a regression in the clock, the display-time scheduling or the curves shows up
//! here as a failed bound.

#[path = "../examples/support/device_model.rs"]
mod device_model;
#[allow(dead_code)] // the report prints more than these tests check
#[path = "../examples/support/sync_sim.rs"]
mod sync_sim;

use sync_sim::{DEFAULT_DEVICE, Device, Playback, measure, seed, simulate, summary};

/// p99 of the engine's and the naive approach's errors: (onset, timing), ms; then frames late by
/// 45 ms. The engine's worst timing error is checked here: every frame of the line, the first
/// pictures included, shows what is heard while it is seen.
fn p99s(device: Device, fps: u32, i: usize) -> ([f64; 2], [f64; 2], usize) {
    let run = simulate(&Playback::default(), device, fps, seed(i));
    let (e, n) = (measure(&run, &run.engine), measure(&run, &run.naive));
    assert_eq!(e.missed, 0, "{fps} fps: every change of shape is shown");
    assert!(
        e.timing.len() > 10 * usize::try_from(fps).unwrap(),
        "frames while heard"
    );
    let worst = summary(&e.timing)[2];
    assert!(worst < 2.0, "{fps} fps: timing error up to {worst:.2} ms");
    let p99 = |m: &sync_sim::Measured| [summary(&m.onsets)[1], summary(&m.timing)[1]];
    (p99(&e), p99(&n), e.late)
}

#[test]
fn the_mouth_is_within_a_frame_of_the_sound_and_never_late_by_45_ms() {
    for (i, fps) in [30u32, 60, 144].into_iter().enumerate() {
        let ([onset, timing], [_, naive_timing], late) = p99s(DEFAULT_DEVICE, fps, i);
        let period = 1e3 / f64::from(fps);
        assert!(onset <= period + 1.0, "{fps} fps: onset p99 {onset:.2} ms");
        // Half a frame is the floor: a picture stays up a whole frame.
        assert!(
            onset >= 0.45 * period,
            "{fps} fps: onset p99 {onset:.2} ms below the floor?"
        );
        assert!(timing < 1.5, "{fps} fps: timing p99 {timing:.2} ms");
        assert!(
            naive_timing >= 5.0 * timing,
            "{fps} fps: {naive_timing:.2} vs {timing:.2} ms"
        );
        assert_eq!(late, 0, "{fps} fps: frames late by 45 ms");
    }
}

#[test]
fn the_engine_does_not_depend_on_the_device_where_the_naive_mouth_does() {
    let bluetooth = Device {
        converter: 0.150,
        ..DEFAULT_DEVICE
    };
    let low_latency = Device {
        block: 256,
        ..DEFAULT_DEVICE
    };
    let mut naive = Vec::new();
    for device in [low_latency, DEFAULT_DEVICE, bluetooth] {
        let ([_, timing], [_, naive_timing], late) = p99s(device, 60, 1);
        assert!(
            timing < 1.5,
            "timing p99 {timing:.2} ms at {:.0} ms",
            device.latency() * 1e3
        );
        assert_eq!(late, 0);
        naive.push(naive_timing);
    }
    // The naive mouth is off by what the output latency and the render latency leave over.
    assert!(naive[2] > naive[1] + 100.0, "{naive:?}");
}
