//! Acceptance tests of the [`AudioOutput`] the plugin owns: on this machine's device if it has
//! one, else virtual; the kira path itself is tested on kira's mock backend in
//! `tests/kira_output.rs`.

use std::time::{Duration, Instant};

use lipsync_audio::{
    AudioError, AudioOutput, ClockState, OutputConfig, OutputKind, OutputMode, VoiceControl,
    VoiceRenderer, voice,
};

/// A voice holding `samples` at `rate`, closed.
fn closed_voice(rate: u32, samples: &[f32]) -> (VoiceRenderer, VoiceControl) {
    let buffer = Duration::from_secs_f64(samples.len() as f64 / f64::from(rate) + 0.1);
    let (mut producer, renderer, control) = voice(rate, buffer).expect("voice");
    assert_eq!(producer.try_write(samples), Ok(samples.len()));
    producer.close();
    (renderer, control)
}

#[test]
fn auto_output_plays_a_voice_and_its_clock_advances() {
    // A device if this machine has one, else the virtual output: either way the voice plays.
    let mut output =
        AudioOutput::open(OutputMode::Auto).expect("auto never fails for lack of a device");
    assert_eq!(output.is_virtual(), output.kind() != OutputKind::Device);
    assert!(output.device_rate() > 0);
    let samples = vec![0.0; output.device_rate() as usize / 5];
    let (renderer, control) = closed_voice(output.device_rate(), &samples);
    output.play(renderer).expect("room");
    let give_up = Instant::now() + Duration::from_secs(10);
    let mut dropped = 0;
    while dropped == 0 && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(5));
        dropped += output.maintain();
    }
    assert!(control.is_finished(), "the voice never finished");
    assert_eq!(dropped, 1, "the finished voice was handed back and dropped");
    assert_eq!(control.clock().frames_written(), samples.len() as f64);
    let heard = control
        .clock()
        .audible_position(Instant::now() + Duration::from_secs(1));
    assert_eq!(
        (heard.frames, heard.state),
        (samples.len() as f64, ClockState::Finished)
    );
    assert!(output.output_latency() > Duration::ZERO);
}

#[test]
fn device_mode_without_a_device_is_a_clear_error() {
    match AudioOutput::open(OutputMode::Device) {
        // A machine with a sound card: nothing to check here.
        Ok(output) => assert_eq!(output.kind(), OutputKind::Device),
        Err(error) => {
            assert!(matches!(error, AudioError::NoDevice(_)), "{error:?}");
            let message = error.to_string();
            assert!(message.contains("no audio output device"), "{message}");
            assert!(message.contains("OutputMode::Auto"), "{message}");
        }
    }
}

#[test]
fn virtual_outputs_report_their_configuration() {
    let config = OutputConfig {
        device_rate: 44_100,
        block_frames: 441,
        max_voices: 1,
    };
    let mut manual = AudioOutput::manual(config).expect("valid config");
    assert_eq!(
        (manual.kind(), manual.is_virtual()),
        (OutputKind::Manual, true)
    );
    assert_eq!(manual.device_rate(), 44_100);
    assert_eq!(manual.output_latency(), Duration::from_millis(10));
    let (renderer, control) = closed_voice(44_100, &[0.5; 441]);
    manual.play(renderer).expect("room");
    let (renderer, _) = closed_voice(44_100, &[0.5; 441]);
    assert_eq!(
        manual.play(renderer),
        Err(AudioError::TooManyVoices { max: 1 })
    );
    let block = manual.step(Instant::now()).expect("manual steps");
    assert!(block.iter().all(|&x| x == 0.5));
    manual.step(Instant::now());
    assert!(control.is_finished());
    assert_eq!(manual.maintain(), 1);

    let mut realtime = AudioOutput::open(OutputMode::Virtual(config)).expect("thread starts");
    assert_eq!(realtime.kind(), OutputKind::Realtime);
    assert_eq!(realtime.device_rate(), 44_100);
    assert!(
        realtime.step(Instant::now()).is_none(),
        "paced by its thread"
    );
    assert_eq!(
        AudioOutput::manual(OutputConfig {
            block_frames: 0,
            ..config
        })
        .err(),
        Some(AudioError::EmptyBlock)
    );
}

#[test]
fn the_output_can_live_in_a_bevy_resource() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<AudioOutput>();
}
