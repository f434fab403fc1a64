//! Acceptance tests of the kira path: voices played as kira sounds ([`VoiceSound`], and the
//! [`KiraOutput`] the device output is made of) through kira's `MockBackend`, whose callbacks the
//! tests make by hand. `tests/audio_output.rs` covers the [`AudioOutput`] around them.
//!
//! [`AudioOutput`]: lipsync_audio::AudioOutput

mod support;

use std::time::{Duration, Instant};

use kira::backend::mock::{MockBackend, MockBackendSettings};
use kira::effect::{Effect, EffectBuilder};
use kira::info::Info;
use kira::track::MainTrackBuilder;
use kira::{AudioManager, AudioManagerSettings, Frame};
use lipsync_audio::mixing::ManualOutput;
use lipsync_audio::{
    AudioError, ClockState, DEFAULT_BUFFER, DEVICE_CHUNK, KIRA_CHUNK, KiraOutput, LatencySettings,
    OutputConfig, VoiceControl, VoiceRenderer, VoiceSound, voice,
};
use ringbuf::traits::{Consumer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};
use support::{allocator_calls, noise, sine};

/// kira chunks per device callback: the mock device asks for 512 frames at a time.
const PIECES: usize = 4;
const CALLBACK: usize = PIECES * KIRA_CHUNK;

/// An effect on the main track that records what the sounds sum to, before kira's volume and
/// clipping. Pushing into a preallocated ring never allocates.
struct Tap(HeapProd<Frame>);

impl Effect for Tap {
    fn process(&mut self, input: &mut [Frame], _dt: f64, _info: &Info) {
        for frame in input.iter() {
            // A full ring drops frames: only the allocation test fills it, and reads nothing.
            let _ = self.0.try_push(*frame);
        }
    }
}

impl EffectBuilder for Tap {
    type Handle = ();

    fn build(self) -> (Box<dyn Effect>, ()) {
        (Box::new(self), ())
    }
}

/// A kira manager on the mock backend at `rate`, rendering `chunk` frames per `process`, with a
/// tap holding up to `seconds` of output.
fn chunked_manager(
    rate: u32,
    seconds: u32,
    chunk: usize,
) -> (AudioManager<MockBackend>, HeapCons<Frame>) {
    let (tap, heard) = HeapRb::new((rate * seconds) as usize).split();
    let manager = AudioManager::new(AudioManagerSettings {
        backend_settings: MockBackendSettings { sample_rate: rate },
        main_track_builder: MainTrackBuilder::new().with_effect(Tap(tap)),
        internal_buffer_size: chunk,
        ..AudioManagerSettings::default()
    })
    .expect("the mock backend always starts");
    (manager, heard)
}

/// A kira manager with kira's default chunk, [`KIRA_CHUNK`].
fn mock_manager(rate: u32, seconds: u32) -> (AudioManager<MockBackend>, HeapCons<Frame>) {
    chunked_manager(rate, seconds, KIRA_CHUNK)
}

/// One device callback of `pieces` chunks.
fn callback_of(manager: &mut AudioManager<MockBackend>, pieces: usize) {
    let backend = manager.backend_mut();
    backend.on_start_processing();
    (0..pieces).for_each(|_| backend.process());
}

/// One device callback of [`CALLBACK`] frames, which kira renders in [`PIECES`] chunks.
fn callback(manager: &mut AudioManager<MockBackend>) {
    callback_of(manager, PIECES);
}

/// Takes what the tap heard; both channels must carry the mono voice.
fn drain(heard: &mut HeapCons<Frame>) -> Vec<f32> {
    heard
        .pop_iter()
        .map(|frame| {
            assert_eq!(frame.left.to_bits(), frame.right.to_bits(), "not mono");
            frame.left
        })
        .collect()
}

/// A voice holding `samples` at `rate`, closed.
fn closed_voice(rate: u32, samples: &[f32]) -> (VoiceRenderer, VoiceControl) {
    let buffer = Duration::from_secs_f64(samples.len() as f64 / f64::from(rate) + 0.1);
    let (mut producer, renderer, control) = voice(rate, buffer).expect("voice");
    assert_eq!(producer.try_write(samples), Ok(samples.len()));
    producer.close();
    (renderer, control)
}

/// What the manual output renders for `samples`, in blocks of [`CALLBACK`], until the voice ends.
fn manual_render(source_rate: u32, device_rate: u32, samples: &[f32]) -> Vec<f32> {
    let mut output = ManualOutput::new(OutputConfig {
        device_rate,
        block_frames: CALLBACK,
        max_voices: 1,
    })
    .expect("output");
    let (renderer, control) = closed_voice(source_rate, samples);
    output.add_voice(renderer).expect("room");
    let start = Instant::now();
    let mut rendered = Vec::new();
    for k in 0..100_000u32 {
        rendered.extend_from_slice(output.step(start + Duration::from_millis(k.into())));
        if control.is_finished() {
            return rendered;
        }
    }
    panic!("the voice never finished on the manual output");
}

/// How a voice reaches kira in a test.
#[derive(Clone, Copy, Debug)]
enum KiraPath {
    /// Its own [`VoiceSound`].
    Sound,
    /// Through a [`KiraOutput`]'s mixer.
    Output,
}

/// The shape of the mock device's callbacks: `pieces` chunks of `chunk` frames.
#[derive(Clone, Copy, Debug)]
struct Shape {
    chunk: usize,
    pieces: usize,
}

/// What kira plays for `samples` through `path`, until the voice ends.
fn kira_render(
    path: KiraPath,
    shape: Shape,
    source_rate: u32,
    device_rate: u32,
    samples: &[f32],
) -> Vec<f32> {
    let (mut manager, mut heard) = chunked_manager(device_rate, 60, shape.chunk);
    let (renderer, control) = closed_voice(source_rate, samples);
    let mut output = match path {
        KiraPath::Sound => {
            manager.play(VoiceSound::new(renderer)).expect("room");
            None
        }
        KiraPath::Output => {
            let mut output = KiraOutput::new(manager, device_rate, 4).expect("output");
            output.play(renderer).expect("room");
            manager = chunked_manager(device_rate, 1, shape.chunk).0; // unused from here on
            Some(output)
        }
    };
    let mut rendered = Vec::new();
    for _ in 0..100_000 {
        let target = output
            .as_mut()
            .map_or(&mut manager, KiraOutput::manager_mut);
        callback_of(target, shape.pieces);
        rendered.extend(drain(&mut heard));
        if control.is_finished() {
            return rendered;
        }
    }
    panic!("the voice never finished on kira");
}

fn assert_same_samples(source_rate: u32, device_rate: u32, samples: &[f32]) {
    let manual = manual_render(source_rate, device_rate, samples);
    let bits = |s: &[f32]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let shapes = [
        // kira's default: a 512-frame callback in 4 chunks.
        Shape {
            chunk: KIRA_CHUNK,
            pieces: PIECES,
        },
        // Chunks longer than the sounds' buffers are rendered in slices.
        Shape {
            chunk: DEVICE_CHUNK * 3 / 2,
            pieces: 1,
        },
    ];
    for path in [KiraPath::Sound, KiraPath::Output] {
        for shape in shapes {
            let kira = kira_render(path, shape, source_rate, device_rate, samples);
            // Both end with the block in which the voice finished: silence past the shorter.
            let common = kira.len().min(manual.len());
            let context = format!("{path:?}, {shape:?}, {source_rate} -> {device_rate}");
            assert_eq!(bits(&kira[..common]), bits(&manual[..common]), "{context}");
            let tail = kira[common..].iter().chain(&manual[common..]);
            assert!(tail.into_iter().all(|&x| x == 0.0), "{context}");
            let expected = samples.len() as u64 * u64::from(device_rate) / u64::from(source_rate);
            assert!(common as u64 >= expected, "{context}: {common} frames");
        }
    }
}

#[test]
fn kira_plays_the_same_samples_as_the_manual_output_at_equal_rates() {
    assert_same_samples(48_000, 48_000, &noise(10_007));
}

#[test]
fn kira_plays_the_same_samples_as_the_manual_output_when_resampling() {
    assert_same_samples(24_000, 48_000, &sine(24_000, 440.0, 0.5));
    assert_same_samples(48_000, 44_100, &noise(9_001));
}

#[test]
fn a_voice_sound_finishes_when_its_producer_closes_and_the_ring_drains() {
    let (mut manager, mut heard) = mock_manager(48_000, 10);
    let (mut producer, renderer, control) = voice(48_000, DEFAULT_BUFFER).expect("voice");
    manager.play(VoiceSound::new(renderer)).expect("room");
    assert_eq!(producer.try_write(&[0.5; 1_000]), Ok(1_000));
    (0..4).for_each(|_| callback(&mut manager));
    let played = drain(&mut heard);
    assert!(played[..1_000].iter().all(|&x| x == 0.5));
    assert!(
        played[1_000..].iter().all(|&x| x == 0.0),
        "silence while dry"
    );
    assert!(!control.is_finished(), "an open producer may still write");
    assert_eq!(manager.main_track().num_sounds(), 1);
    assert_eq!(control.underruns(), 1);

    assert_eq!(producer.try_write(&[0.25; 100]), Ok(100));
    producer.close();
    callback(&mut manager);
    assert!(control.is_finished());
    assert_eq!(control.clock().frames_written(), 1_100.0);
    let played = drain(&mut heard);
    assert!(played[..100].iter().all(|&x| x == 0.25));
    callback(&mut manager);
    assert_eq!(manager.main_track().num_sounds(), 0, "kira removed it");
}

#[test]
fn interrupting_a_voice_sound_fades_out_within_10_ms() {
    let (mut manager, mut heard) = mock_manager(48_000, 10);
    let (mut producer, renderer, control) = voice(48_000, DEFAULT_BUFFER).expect("voice");
    manager.play(VoiceSound::new(renderer)).expect("room");
    assert_eq!(producer.try_write(&[0.5; 48_000]), Ok(48_000));
    callback(&mut manager);
    callback(&mut manager);
    drain(&mut heard);
    control.interrupt();
    callback(&mut manager);
    let block = drain(&mut heard);
    assert_eq!(block[0], 0.5, "the fade starts from the current level");
    let sounding = block.iter().take_while(|&&x| x > 0.0).count();
    assert!(sounding <= 480, "{sounding} frames sound (10 ms = 480)");
    assert!(block[sounding..].iter().all(|&x| x == 0.0));
    assert!(
        block.windows(2).all(|w| w[1] <= w[0] && w[0] - w[1] < 0.01),
        "the fade clicks"
    );
    assert!(control.is_finished());
    assert_eq!(producer.try_write(&[0.5]), Err(AudioError::Interrupted));
    assert_eq!(
        control.clock().frames_written(),
        (2 * CALLBACK + 480) as f64
    );
}

#[test]
fn the_clock_advances_with_kiras_callbacks_and_learns_their_latency() {
    let (mut manager, _heard) = mock_manager(48_000, 1);
    let (mut producer, renderer, control) = voice(24_000, DEFAULT_BUFFER).expect("voice");
    manager.play(VoiceSound::new(renderer)).expect("room");
    assert_eq!(producer.try_write(&sine(24_000, 200.0, 1.0)), Ok(24_000));
    let configured = control.clock().clone().with_latency(LatencySettings {
        output_latency: Some(Duration::from_millis(50)),
        user_offset: Duration::ZERO,
    });

    callback(&mut manager);
    // One callback is not measured yet: the clock assumes one kira chunk, the minimum.
    let chunk_ns = KIRA_CHUNK as u64 * 1_000_000_000 / 48_000;
    assert_eq!(
        control.clock().output_latency(),
        Duration::from_nanos(chunk_ns)
    );
    let mut last = 0.0;
    for k in 2..=20 {
        callback(&mut manager);
        // Each 512-frame callback at 48 kHz plays 256 frames of the 24 kHz voice.
        assert_eq!(control.clock().frames_written(), (k * CALLBACK / 2) as f64);
        let heard = control.clock().audible_position(Instant::now());
        assert!(heard.frames >= last, "the clock went back");
        last = heard.frames;
    }
    let written = control.clock().frames_written();
    assert!(last > 0.0 && last < written, "{last} of {written}");
    let later = control
        .clock()
        .audible_position(Instant::now() + Duration::from_secs(1));
    assert_eq!((later.frames, later.state), (written, ClockState::Playing));
    // Two callbacks of 512 frames: the device's buffer and the block itself.
    let estimate = Duration::from_nanos(2 * CALLBACK as u64 * 1_000_000_000 / 48_000);
    assert_eq!(control.clock().output_latency(), estimate);
    assert_eq!(configured.output_latency(), Duration::from_millis(50));
}

#[test]
fn a_kira_output_mixes_voices_gives_them_its_latency_and_retires_them() {
    let (manager, mut heard) = mock_manager(48_000, 10);
    let mut output = KiraOutput::new(manager, 48_000, 2).expect("output");
    assert_eq!(output.device_rate(), 48_000);
    assert_eq!(output.callback_frames(), None);
    callback(output.manager_mut());
    callback(output.manager_mut());
    assert_eq!(output.callback_frames(), Some(CALLBACK));
    let estimate = Duration::from_nanos(2 * CALLBACK as u64 * 1_000_000_000 / 48_000);
    assert_eq!(output.output_latency(), estimate);
    drain(&mut heard);

    let (first, first_control) = closed_voice(48_000, &[0.25; 1_000]);
    let (second, second_control) = closed_voice(48_000, &[0.125; 600]);
    output.play(first).expect("room");
    output.play(second).expect("room");
    let (third, _) = closed_voice(48_000, &[0.5; 10]);
    assert_eq!(
        output.play(third),
        Err(AudioError::TooManyVoices { max: 2 })
    );
    callback(output.manager_mut());
    callback(output.manager_mut());
    let played = drain(&mut heard);
    assert!(played[..600].iter().all(|&x| x == 0.375), "both voices sum");
    assert!(played[600..1_000].iter().all(|&x| x == 0.25));
    assert!(played[1_000..].iter().all(|&x| x == 0.0));
    // The estimate reached the voices before their first frame was heard.
    assert_eq!(first_control.clock().output_latency(), estimate);
    assert!(first_control.is_finished() && second_control.is_finished());
    assert_eq!(output.drop_retired(), 2);
}

#[test]
fn the_kira_callback_never_allocates_over_10_s_of_audio() {
    let (manager, _heard) = mock_manager(48_000, 1);
    let mut output = KiraOutput::new(manager, 48_000, 4).expect("output");
    let (mut resampled, renderer, resampled_control) =
        voice(24_000, DEFAULT_BUFFER).expect("voice");
    output.play(renderer).expect("room");
    let (mut direct, renderer, direct_control) = voice(48_000, DEFAULT_BUFFER).expect("voice");
    output.play(renderer).expect("room");
    // A voice of its own, beside the output's mixer on the same kira track.
    let (mut alone, renderer, _) = voice(22_050, DEFAULT_BUFFER).expect("voice");
    let alone_control = output
        .manager_mut()
        .play(VoiceSound::new(renderer))
        .expect("room");
    let speech = sine(24_000, 220.0, 1.0);
    let speech48 = sine(48_000, 330.0, 1.0);
    let speech22 = sine(22_050, 150.0, 1.0);
    let callbacks = 10 * 48_000 / CALLBACK;
    let mut calls = 0;
    for k in 0..callbacks {
        // Fed between callbacks, as the runtime thread would, a little faster than playback;
        // a gap of 20 callbacks exercises an underrun.
        if !(500..520).contains(&k) {
            let at = (k * 260) % 23_000;
            resampled.try_write(&speech[at..at + 260]).expect("open");
            let at = (k * 240) % 21_000;
            alone.try_write(&speech22[at..at + 240]).expect("open");
            let at = (k * 520) % 47_000;
            if !direct_control.is_interrupted() {
                direct.try_write(&speech48[at..at + 520]).expect("open");
            }
        }
        match k {
            300 => resampled_control.set_gain(0.5),
            600 => direct_control.interrupt(),
            _ => {}
        }
        calls += allocator_calls(|| callback(output.manager_mut()));
    }
    assert_eq!(calls, 0, "allocator calls inside kira's callbacks");
    assert!(direct_control.is_finished());
    assert!(resampled_control.underruns() > 0 && alone_control.underruns() > 0);
    assert!(resampled_control.clock().frames_written() > 200_000.0);
    assert_eq!(
        output.drop_retired(),
        1,
        "retired on the audio thread, freed here"
    );
    // The counter works: this allocates.
    assert!(allocator_calls(|| drop(vec![0u8; 16])) > 0);
}
