//! Pausing a speaker, or the game with speakers that follow it.

use super::*;

/// What a line sounded like with `hold` applied 200 ms into it and lifted 300 ms later.
struct PausedRun {
    /// Every block from the line's first sample.
    heard: Vec<f32>,
    /// Where in `heard` the pause was asked for, and lifted.
    paused_at: usize,
    resumed_at: usize,
    /// The mouth had relaxed, and the heard seconds were unchanged, at the end of the pause.
    rested: bool,
    held_seconds: bool,
}

fn paused_run(
    settings: impl FnOnce(&mut LipsyncSettings),
    hold: impl Fn(&mut App, Entity, bool),
) -> PausedRun {
    let emulator = emulator();
    let mut h = Harness::with_settings(&emulator, KEY, settings);
    let (speaker, onset) = h.sounding_line("Dennis", 20);
    let paused_at = h.heard.len() - onset;
    hold(&mut h.app, speaker, true);
    for _ in 0..25 {
        h.frame(Duration::from_millis(10));
    }
    let heard_seconds = |h: &Harness| h.queue(speaker).progress().map(|p| p.heard_seconds);
    let before = heard_seconds(&h);
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    let held_seconds = before.is_some() && heard_seconds(&h) == before;
    // Eased toward rest (60 ms time constant) for the 300 ms of the pause.
    let mouth = h.mouth(speaker).weights;
    let rested = mouth
        .weights
        .iter()
        .chain([&mouth.jaw_open])
        .all(|&w| w < 0.02);
    let resumed_at = h.heard.len() - onset;
    hold(&mut h.app, speaker, false);
    h.play_out(speaker, Duration::from_secs(10));
    assert!(
        h.seen()
            .contains(&Seen::Finished(speaker, LINE.into(), false)),
        "the paused line still ends on its own"
    );
    PausedRun {
        heard: h.heard[onset..].to_vec(),
        paused_at,
        resumed_at,
        rested,
        held_seconds,
    }
}

/// Checks `run` against the line played straight. The pause reaches the voice in the frame
/// after it is asked for, so the block that frame renders plays on; the next one fades out over
/// `PAUSE_FADE`, then silence until the resume reaches the voice the same way, and from there
/// the line goes on bit-exact from the frame after the last one heard.
fn check_pause(run: &PausedRun, straight: &[f32]) {
    let fade = (48_000.0 * bevy_lipsync::audio::PAUSE_FADE.as_secs_f64()) as usize;
    let fading = run.paused_at + BLOCK;
    let stopped = fading + fade;
    assert_eq!(
        run.heard[..fading],
        straight[..fading],
        "unchanged before the pause"
    );
    for (i, (faded, was)) in run.heard[fading..stopped]
        .iter()
        .zip(&straight[fading..stopped])
        .enumerate()
    {
        assert!(
            faded.abs() <= was.abs(),
            "sample {i} of the fade louder than before"
        );
    }
    let resumed = run.resumed_at + BLOCK;
    assert!(
        run.heard[stopped..resumed].iter().all(|&x| x == 0.0),
        "silent while paused"
    );
    let rest = &straight[stopped..];
    let tail = &run.heard[resumed..];
    let n = tail.len().min(rest.len());
    assert!(n > 4_800, "too little heard after the resume");
    assert_eq!(
        tail[..n],
        rest[..n],
        "resumed from the frame after the last one heard"
    );
    assert!(run.rested, "the mouth relaxed during the pause");
    assert!(run.held_seconds, "the clock held during the pause");
}

#[test]
fn a_paused_speaker_falls_silent_holds_and_resumes_from_the_next_frame() {
    let straight = paused_run(|_| {}, |_, _, _| {}).heard;
    let run = paused_run(
        |_| {},
        |app, speaker, hold| {
            let mut commands = app.world_mut().commands();
            let mut npc = commands.entity(speaker);
            if hold {
                npc.pause_speaking();
            } else {
                npc.resume_speaking();
            }
        },
    );
    check_pause(&run, &straight);
}

#[test]
fn pausing_the_game_pauses_speakers_that_follow_it() {
    let straight = paused_run(|_| {}, |_, _, _| {}).heard;
    let follow = |s: &mut LipsyncSettings| s.pause_with_virtual_time = true;
    let toggle = |app: &mut App, _: Entity, hold: bool| {
        let mut time = app.world_mut().resource_mut::<Time<Virtual>>();
        if hold {
            time.pause();
        } else {
            time.unpause();
        }
    };
    check_pause(&paused_run(follow, toggle), &straight);
    // Without the setting the game's pause leaves voices alone.
    let ignored = paused_run(|_| {}, toggle).heard;
    let n = ignored.len().min(straight.len());
    assert_eq!(ignored[..n], straight[..n]);
}
