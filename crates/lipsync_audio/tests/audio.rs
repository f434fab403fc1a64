//! Acceptance tests of the audio layer, on the manual virtual output with synthetic instants:
//! no sound card, no sleeps in the rendering path, fully deterministic.

mod support;

use std::time::{Duration, Instant};

use lipsync_audio::mixing::ManualOutput;
use lipsync_audio::{
    AudioError, ClockState, DEFAULT_BUFFER, GAIN_RAMP, LatencySettings, OutputConfig, PAUSE_FADE,
    PcmProducer, VoiceControl, voice,
};
use support::{allocator_calls, noise, sine};

fn output(device_rate: u32, block_frames: usize) -> ManualOutput {
    ManualOutput::new(OutputConfig {
        device_rate,
        block_frames,
        max_voices: 8,
    })
    .expect("valid output")
}

/// The instant of block `k`, for blocks of `block_frames` at `rate` from `start`.
fn block_instant(start: Instant, k: u64, block_frames: usize, rate: u32) -> Instant {
    start + Duration::from_nanos(k * block_frames as u64 * 1_000_000_000 / u64::from(rate))
}

/// A voice of `samples` at `rate`, closed, on `output`.
fn closed_voice(output: &mut ManualOutput, rate: u32, samples: &[f32]) -> VoiceControl {
    let buffer = Duration::from_secs_f64(samples.len() as f64 / f64::from(rate) + 0.1);
    let (mut producer, renderer, control) = voice(rate, buffer).expect("voice");
    assert_eq!(producer.try_write(samples), Ok(samples.len()));
    producer.close();
    output.add_voice(renderer).expect("room");
    control
}

/// Steps `output` until `control` finishes; returns every frame rendered.
fn render_to_end(output: &mut ManualOutput, control: &VoiceControl, start: Instant) -> Vec<f32> {
    let config = output.config();
    let mut rendered = Vec::new();
    for k in 0.. {
        let now = block_instant(start, k, config.block_frames, config.device_rate);
        rendered.extend_from_slice(output.step(now));
        if control.is_finished() {
            return rendered;
        }
        assert!(k < 10_000_000, "the voice never finished");
    }
    unreachable!()
}

/// Frequency from the rising zero crossings (interpolated between samples).
fn measured_frequency(samples: &[f32], rate: u32) -> f64 {
    let crossings: Vec<f64> = samples
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, w)| i as f64 + f64::from(w[0] / (w[0] - w[1])))
        .collect();
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    (crossings.len() - 1) as f64 * f64::from(rate) / (last - first)
}

#[test]
fn equal_rates_pass_samples_through_bit_exact() {
    let mut out = output(48_000, 512);
    let samples = noise(10_007);
    let control = closed_voice(&mut out, 48_000, &samples);
    let rendered = render_to_end(&mut out, &control, Instant::now());
    let bits = |s: &[f32]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&rendered[..samples.len()]), bits(&samples));
    assert!(rendered[samples.len()..].iter().all(|&x| x == 0.0));
    assert_eq!(control.clock().frames_written(), samples.len() as f64);
}

fn check_resampling(from: u32, to: u32) {
    let mut out = output(to, 1); // one frame per block: the length is exact
    let samples = sine(from, 1_000.0, 0.5);
    let control = closed_voice(&mut out, from, &samples);
    let rendered = render_to_end(&mut out, &control, Instant::now());
    let expected = samples.len() as f64 * f64::from(to) / f64::from(from);
    assert!(
        (rendered.len() as f64 - expected).abs() <= 1.0,
        "{from} -> {to}: {} frames, expected {expected}",
        rendered.len()
    );
    let hz = measured_frequency(&rendered, to);
    assert!((hz - 1_000.0).abs() < 0.5, "{from} -> {to}: {hz} Hz");
    assert_eq!(control.clock().frames_written(), samples.len() as f64);
}

#[test]
fn resampling_24k_to_48k_keeps_length_and_pitch() {
    check_resampling(24_000, 48_000);
}

#[test]
fn resampling_48k_to_44k1_keeps_length_and_pitch() {
    check_resampling(48_000, 44_100);
}

#[test]
fn backpressure_through_a_tiny_buffer_loses_no_sample() {
    // 64 frames of buffer.
    let (mut producer, renderer, control) =
        voice(48_000, Duration::from_nanos(1_333_333)).expect("voice");
    let mut out = output(48_000, 128);
    out.add_voice(renderer).expect("room");
    // Distinct and never zero, so silence from underruns can be told apart.
    let samples: Vec<f32> = (1..=8_000).map(|i| i as f32 / 8_192.0).collect();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_time()
        .build()
        .expect("runtime");
    let source = samples.clone();
    let writer = runtime.spawn(async move {
        let result = producer.write(&source).await;
        producer.close();
        result
    });
    let mut heard: Vec<f32> = Vec::new();
    let start = Instant::now();
    let mut k = 0;
    while !control.is_finished() {
        heard.extend(
            out.step(block_instant(start, k, 128, 48_000))
                .iter()
                .filter(|&&x| x != 0.0),
        );
        k += 1;
        std::thread::yield_now();
        assert!(start.elapsed() < Duration::from_secs(30), "stuck");
    }
    assert_eq!(runtime.block_on(writer).expect("writer task"), Ok(()));
    assert_eq!(heard, samples);

    // The synchronous side says how much fitted, and keeps the rest for later.
    let (mut producer, _renderer, _control) =
        voice(1_000, Duration::from_millis(4)).expect("voice");
    assert_eq!(producer.try_write(&[1.0; 10]), Ok(4));
    assert_eq!(producer.try_write(&[1.0; 10]), Ok(0));
}

#[test]
fn underrun_outputs_silence_freezes_the_clock_and_resumes() {
    let mut rig = Rig::new(480); // a 10 ms period, and the default latency estimate is 10 ms
    let at = |rig: &Rig, k: u64, ms: u64| rig.instant(k) + Duration::from_millis(ms);
    rig.feed(&[0.5; 4_800]);
    (0..10).for_each(|_| assert!(rig.step().iter().all(|&x| x == 0.5)));
    let heard = rig.control.clock().audible_position(at(&rig, 9, 5));
    assert_eq!((heard.frames, heard.state), (4_560.0, ClockState::Playing));
    (10..15).for_each(|_| assert!(rig.step().iter().all(|&x| x == 0.0)));
    assert_eq!(rig.control.underruns(), 1);
    for (k, ms) in [(10, 0), (12, 3), (14, 9)] {
        let heard = rig.control.clock().audible_position(at(&rig, k, ms));
        assert_eq!(
            (heard.frames, heard.state),
            (4_800.0, ClockState::Underrun),
            "{k} + {ms} ms"
        );
        assert_eq!(heard.stalled_for, Duration::ZERO, "dry is not stalled");
    }

    rig.feed(&[0.25; 960]);
    assert!(rig.step().iter().all(|&x| x == 0.25));
    // The new block is not heard before its latency: the clock holds rather than jumping back.
    let clock = rig.control.clock().clone();
    assert_eq!(clock.audible_position(at(&rig, 15, 0)).frames, 4_800.0);
    let heard = clock.audible_position(at(&rig, 15, 5));
    assert_eq!((heard.frames, heard.state), (5_040.0, ClockState::Playing));
    assert!(rig.step().iter().all(|&x| x == 0.25));
    assert_eq!(clock.audible_position(at(&rig, 16, 5)).frames, 5_520.0);
    assert!(rig.step().iter().all(|&x| x == 0.0));
    assert_eq!(
        rig.control.underruns(),
        2,
        "a second dry spell is a second episode"
    );
}

#[test]
fn a_clock_whose_callbacks_stop_counts_how_long_it_has_stalled() {
    let mut rig = Rig::new(480); // 10 ms blocks, 10 ms of estimated latency
    rig.feed(&[0.5; 4_800]);
    (0..5).for_each(|_| assert!(rig.step().iter().all(|&x| x == 0.5)));
    // The last block was rendered 40 ms in; everything rendered is heard 50 ms in.
    let clock = rig.control.clock().clone();
    let stalled = |rig: &Rig, us| clock.audible_position(rig.after_last(us)).stalled_for;
    assert_eq!(
        stalled(&rig, 5_000),
        Duration::ZERO,
        "the last block still plays"
    );
    assert_eq!(stalled(&rig, 10_000), Duration::ZERO);
    let close =
        |a: Duration, ms: u64| a.abs_diff(Duration::from_millis(ms)) < Duration::from_micros(1);
    assert!(
        close(stalled(&rig, 100_000), 90),
        "{:?}",
        stalled(&rig, 100_000)
    );
    assert!(close(stalled(&rig, 300_000), 290), "it grows with time");
    let heard = clock.audible_position(rig.after_last(300_000));
    assert_eq!(
        (heard.frames, heard.state),
        (2_400.0, ClockState::Playing),
        "held where the audio stopped, still playing"
    );
    // Callbacks come again: nothing is stalled.
    rig.step();
    assert_eq!(stalled(&rig, 5_000), Duration::ZERO);
}

#[test]
fn interrupt_fades_out_within_10_ms_and_finishes() {
    let mut rig = Rig::new(512);
    rig.feed(&[0.5; 48_000]);
    rig.step();
    rig.step();
    rig.control.interrupt();
    let block = rig.step().to_vec();
    assert_eq!(block[0], 0.5, "the fade starts from the current level");
    let sounding = block.iter().take_while(|&&x| x > 0.0).count();
    assert!(
        sounding <= 480,
        "{sounding} frames sound after the interrupt (10 ms = 480)"
    );
    assert!(block[sounding..].iter().all(|&x| x == 0.0));
    let smooth = block.windows(2).all(|w| w[1] <= w[0] && w[0] - w[1] < 0.01);
    assert!(smooth, "the fade clicks");
    assert!(rig.control.is_finished());
    assert_eq!(rig.producer.try_write(&[0.5]), Err(AudioError::Interrupted));
    assert_eq!(rig.control.clock().frames_written(), 1_024.0 + 480.0);
    let later = rig.instant(5);
    let heard = rig.control.clock().audible_position(later);
    assert_eq!(heard.state, ClockState::Finished);
    assert!(rig.step().iter().all(|&x| x == 0.0));
    assert_eq!(rig.out.drop_retired(), 1);
    assert_eq!(rig.out.voice_count(), 0);
}

#[test]
fn a_gain_change_ramps_within_its_time_whatever_the_block() {
    for block in [64, 480, 2_048] {
        let mut rig = Rig::new(block);
        // Set before anything is heard: no ramp from the default of 1.
        rig.control.set_gain(0.5);
        rig.feed(&[1.0; 48_000]);
        let first = rig.step().to_vec();
        assert!(first.iter().all(|&x| x == 0.5), "block {block}");
        rig.control.set_gain(0.0);
        let ramp = (48_000.0 * GAIN_RAMP.as_secs_f64()) as usize;
        let mut heard = Vec::new();
        while heard.len() < ramp + block {
            heard.extend_from_slice(rig.step());
        }
        // Linear: no step between samples larger than the ramp's, silent once it is over.
        let steepest = heard
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(
            steepest <= 0.5 / ramp as f32 + 1e-6,
            "block {block}: step {steepest}"
        );
        assert!(heard[ramp - 1..].iter().all(|&x| x == 0.0), "block {block}");
        assert!(
            heard[ramp / 2] > 0.2 && heard[ramp / 2] < 0.3,
            "block {block}: halfway"
        );
    }
}

#[test]
fn a_pause_falls_silent_within_a_block_holds_the_clock_and_resumes_bit_exact() {
    let ramp: Vec<f32> = (1..=24_000).map(|i| i as f32 / 24_000.0).collect();
    // The same voice played straight through, for the truth.
    let mut straight = Rig::new(480);
    straight.feed(&ramp);
    let truth: Vec<f32> = (0..40).flat_map(|_| straight.step().to_vec()).collect();

    let mut rig = Rig::new(480);
    rig.feed(&ramp);
    let mut heard: Vec<f32> = (0..10).flat_map(|_| rig.step().to_vec()).collect();
    assert_eq!(heard, truth[..4_800]);
    rig.control.pause();
    let fade = (48_000.0 * PAUSE_FADE.as_secs_f64()) as usize;
    let fading = rig.step().to_vec();
    // Faded out within the block: the fade's samples fall, the rest is silence.
    assert!(fading[fade..].iter().all(|&x| x == 0.0));
    let gains: Vec<f32> = (0..fade).map(|i| fading[i] / truth[4_800 + i]).collect();
    assert!(
        gains.windows(2).all(|w| w[1] <= w[0]),
        "the fade only falls"
    );
    assert!(
        gains[0] > 0.99 && gains[fade - 1] < 0.01,
        "{} .. {}",
        gains[0],
        gains[fade - 1]
    );
    heard.extend_from_slice(&fading[..fade]);
    let position = |rig: &Rig, us| rig.control.clock().audible_position(rig.after_last(us));
    for _ in 0..20 {
        assert!(rig.step().iter().all(|&x| x == 0.0), "silent while paused");
        let held = position(&rig, 5_000);
        assert_eq!(held.state, ClockState::Paused);
        assert_eq!(
            held.frames,
            (4_800 + fade) as f64,
            "the clock holds where the sound did"
        );
    }
    assert!(rig.control.is_paused());
    assert_eq!(rig.control.underruns(), 0, "a pause is not an underrun");
    rig.control.resume();
    // Resumed: the very next frame after the last one heard, bit for bit.
    for _ in 0..10 {
        heard.extend_from_slice(rig.step());
    }
    let resumed = &heard[4_800 + fade..];
    assert_eq!(resumed, &truth[4_800 + fade..4_800 + fade + resumed.len()]);
    assert_eq!(position(&rig, 5_000).state, ClockState::Playing);

    // Interrupted while paused: nothing more is heard, and it finishes.
    rig.control.pause();
    for _ in 0..3 {
        rig.step();
    }
    rig.control.interrupt();
    assert!(rig.step().iter().all(|&x| x == 0.0));
    assert!(rig.control.is_finished());
}

#[test]
fn channel_gains_place_a_voice_and_move_it_without_a_click() {
    let mut rig = Rig::new(480);
    rig.control.set_channel_gains(0.25, 0.75);
    rig.feed(&[0.5; 48_000]);
    let mono = rig.step().to_vec();
    let (left, right) = rig.out.channels();
    assert!(left.iter().all(|&x| x == 0.125) && right.iter().all(|&x| x == 0.375));
    assert!(
        mono.iter().all(|&x| x == 0.25),
        "a mono output hears the average"
    );
    // Swapped: each channel glides to its new gain within the ramp, one step at a time.
    rig.control.set_channel_gains(0.75, 0.25);
    rig.step();
    let (left, right) = rig.out.channels();
    let ramp = (48_000.0 * GAIN_RAMP.as_secs_f64()) as usize;
    assert!(left[ramp - 1..].iter().all(|&x| x == 0.375));
    assert!(right[ramp - 1..].iter().all(|&x| x == 0.125));
    for channel in [left, right] {
        let steepest = channel
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        assert!(steepest <= 0.25 / ramp as f32 + 1e-6, "step {steepest}");
    }
}

#[test]
fn the_callback_never_allocates_over_10_s_of_audio() {
    const BLOCK: usize = 512;
    let mut out = output(48_000, BLOCK);
    let (mut resampled, renderer, resampled_control) =
        voice(24_000, DEFAULT_BUFFER).expect("voice");
    out.add_voice(renderer).expect("room");
    let (mut direct, renderer, direct_control) = voice(48_000, DEFAULT_BUFFER).expect("voice");
    out.add_voice(renderer).expect("room");
    let speech = sine(24_000, 220.0, 1.0);
    let speech48 = sine(48_000, 330.0, 1.0);
    let start = Instant::now();
    let blocks = 10 * 48_000 / BLOCK as u64;
    let mut last = [0.0f32; BLOCK];
    let mut calls = 0;
    for k in 0..blocks {
        // Feeding happens between callbacks, as the runtime thread would, a little faster than
        // playback; a gap of 20 blocks exercises an underrun.
        if !(500..520).contains(&k) {
            let at = (k as usize * 260) % 23_000;
            resampled.try_write(&speech[at..at + 260]).expect("open");
            let at = (k as usize * 520) % 47_000;
            if !direct_control.is_interrupted() {
                direct.try_write(&speech48[at..at + 520]).expect("open");
            }
        }
        match k {
            300 => resampled_control.set_gain(0.5),
            600 => direct_control.interrupt(),
            _ => {}
        }
        let now = block_instant(start, k, BLOCK, 48_000);
        calls += allocator_calls(|| last.copy_from_slice(out.step(now)));
    }
    assert_eq!(calls, 0, "allocator calls inside the callback");
    assert!(
        direct_control.is_finished(),
        "the interrupted voice was retired on the audio thread"
    );
    assert!(resampled_control.underruns() > 0);
    assert_eq!(out.drop_retired(), 1);
    assert!(last.iter().any(|&x| x != 0.0));
    // The counter works: this allocates.
    assert!(allocator_calls(|| drop(vec![0u8; 16])) > 0);
}

/// One 48 kHz voice on a manual output, stepped at `start + k * block period`.
struct Rig {
    out: ManualOutput,
    producer: PcmProducer,
    control: VoiceControl,
    start: Instant,
    block_frames: usize,
    blocks: u64,
}

impl Rig {
    fn new(block_frames: usize) -> Self {
        let (producer, renderer, control) = voice(48_000, DEFAULT_BUFFER).expect("voice");
        let mut out = output(48_000, block_frames);
        out.add_voice(renderer).expect("room");
        let start = Instant::now();
        let blocks = 0;
        Rig {
            out,
            producer,
            control,
            start,
            block_frames,
            blocks,
        }
    }

    fn feed(&mut self, samples: &[f32]) {
        assert_eq!(self.producer.try_write(samples), Ok(samples.len()));
    }

    fn instant(&self, k: u64) -> Instant {
        block_instant(self.start, k, self.block_frames, 48_000)
    }

    fn step(&mut self) -> &[f32] {
        let now = self.instant(self.blocks);
        self.blocks += 1;
        self.out.step(now)
    }

    /// Feeds one block, then steps: never dry.
    fn steady_step(&mut self) {
        self.feed(&vec![0.1; self.block_frames]);
        self.step();
    }

    /// The instant of the last block plus `us` microseconds.
    fn after_last(&self, us: u64) -> Instant {
        self.instant(self.blocks - 1) + Duration::from_micros(us)
    }
}

fn latency(output_ms: u64, offset_ms: u64) -> LatencySettings {
    LatencySettings {
        output_latency: Some(Duration::from_millis(output_ms)),
        user_offset: Duration::from_millis(offset_ms),
    }
}

#[test]
fn clock_interpolates_between_callbacks_and_subtracts_latency() {
    let mut voice = Rig::new(480); // 10 ms blocks, so 10 ms of estimated latency
    (0..10).for_each(|_| voice.steady_step());
    let clock = voice.control.clock();
    assert_eq!(clock.frames_written(), 4_800.0);
    assert_eq!(
        clock.output_latency(),
        Duration::from_millis(10),
        "one block estimated"
    );
    // Whole-frame instants give exact positions: the clock computes in integer nanoseconds.
    for (us, expected) in [
        (0, 4_320.0),
        (2_500, 4_440.0),
        (5_000, 4_560.0),
        (7_500, 4_680.0),
    ] {
        let heard = clock.audible_position(voice.after_last(us));
        assert_eq!(heard.frames, expected, "+{us} us");
    }
    let configured = clock.clone().with_latency(latency(30, 5));
    let heard = configured.audible_position(voice.after_last(0));
    assert_eq!(heard.frames, 4_800.0 - 1_440.0 + 240.0);
    assert_eq!(heard.frame().0, 3_600);
}

#[test]
fn clock_never_runs_past_the_frames_written() {
    let mut voice = Rig::new(480); // 10 ms blocks, so 10 ms of estimated latency
    (0..10).for_each(|_| voice.steady_step());
    let clock = voice.control.clock();
    assert_eq!(
        clock.audible_position(voice.after_last(5_000_000)).frames,
        4_800.0
    );
    let eager = clock.clone().with_latency(latency(0, 1_000));
    assert_eq!(eager.audible_position(voice.after_last(0)).frames, 4_800.0);
    assert_eq!(
        clock.audible_position(voice.start).frames,
        0.0,
        "never negative"
    );
}

#[test]
fn clock_says_when_a_rendered_start_will_be_heard() {
    let mut rig = Rig::new(480); // 10 ms blocks
    rig.steady_step();
    // 30 ms from request to the end of a block being heard: its start, 20 ms after the request.
    let clock = rig.control.clock().clone().with_latency(latency(30, 0));
    for (us, until_ms, frames) in [
        (0, 20, 0.0),
        (5_000, 15, 0.0),
        (20_000, 0, 0.0),
        (25_000, 0, 240.0),
    ] {
        let heard = clock.audible_position(rig.after_last(us));
        assert_eq!(heard.state, ClockState::Playing, "+{us} us");
        assert_eq!(
            heard.until_heard,
            Duration::from_millis(until_ms),
            "+{us} us"
        );
        assert_eq!(heard.frames, frames, "+{us} us");
        let signed = frames - until_ms as f64 * 48.0;
        assert_eq!(heard.signed_frames(48_000), signed, "+{us} us");
    }
    // A user offset brings the start closer, as it moves every position later.
    let eager = clock.with_latency(latency(30, 5));
    assert_eq!(
        eager.audible_position(rig.after_last(0)).until_heard,
        Duration::from_millis(15)
    );
    // Nothing rendered: nothing to wait for.
    let (_producer, _renderer, idle) = voice(48_000, DEFAULT_BUFFER).expect("voice");
    let heard = idle.clock().audible_position(Instant::now());
    assert_eq!(
        (heard.state, heard.until_heard),
        (ClockState::NotStarted, Duration::ZERO)
    );
}

#[test]
fn clock_readers_never_see_a_torn_publication() {
    let mut voice = Rig::new(480); // 10 ms blocks, so 10 ms of estimated latency
    // Two seconds in: from then on, with no latency, every consistent publication (block `k` at
    // `k * 10 ms`, written up to its end, `(k + 1) * 480`) puts the frame heard at `start + 1 s`
    // at exactly 48 480; a position from one callback paired with the instant of another would
    // be off by a multiple of 480.
    (0..200).for_each(|_| voice.steady_step());
    let clock = voice.control.clock().clone().with_latency(latency(0, 0));
    let probe = voice.start + Duration::from_secs(1);
    let reader = std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_millis(200);
        let mut reads = 0u64;
        while Instant::now() < until {
            let frames = clock.audible_position(probe).frames;
            assert_eq!(frames, 48_480.0, "torn read");
            reads += 1;
        }
        reads
    });
    while !reader.is_finished() {
        voice.steady_step();
    }
    assert!(reader.join().expect("reader") > 0);
}
