//! `bake_report`: how well the audio-driven viseme model reads held-out speech.
//!
//! ```text
//! cargo run --release -p offline_voice --example bake_report [-- --min-transcript 0.85 --min-audio 0.70]
//! ```
//!
//! Held out from training (`train_visemes`): the last 10 sentences of
//! `examples/support/corpus.rs`, the **female** voice (training used only the male preset and
//! variants of it), and speaking rate **1.1** (training used 0.85, 1.0, 1.25), at 24 kHz.
//!
//! Scored every 10 ms over the phones whose shape is unambiguous (one viseme for the whole
//! phone; diphthongs are left out): a hit when the track shows the phone's viseme within
//! ±40 ms. Three tracks are scored: `transcript` (the sentence's shapes placed on the audio by
//! forced alignment), `audio` (the sound alone, decoded over the whole file) and `live` (the
//! estimator run hop by hop, 30 ms of lookahead). Also timed: the whole-file passes against
//! real time and the live estimator per 10 ms hop. Prints one line:
//! `bake transcript= audio= live= bake_x_realtime= live_us_per_hop= ticks=`. With `--min-*`
//! it fails below those scores (a regression check, not a timing assertion).

#[path = "support/corpus.rs"]
mod corpus;
#[path = "support/voice_data.rs"]
mod voice_data;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use lipsync_core::acoustic::{
    AcousticModel, VisemeEstimator, align_transcript, estimate_track, hop_span,
};
use lipsync_core::alignment::FrameSpan;
use lipsync_core::{PhoneVisemes, Viseme, VisemeTrack, phone_visemes};
use offline_voice::{Lexicon, OfflineVoice, VoiceVariant};

/// Scores the audio-driven viseme model on held-out speech.
#[derive(Debug, Parser)]
#[command(name = "bake_report")]
struct Args {
    /// Fail when the transcript track scores below this.
    #[arg(long)]
    min_transcript: Option<f64>,
    /// Fail when the audio-only track scores below this.
    #[arg(long)]
    min_audio: Option<f64>,
}

/// Held-out rate and sample rate.
const RATE: f32 = 1.1;
const SAMPLE_RATE: u32 = 24_000;
/// The tolerance of a hit, seconds.
const TOLERANCE: f64 = 0.040;

/// Hits and ticks of one track.
#[derive(Default)]
struct Score {
    hits: usize,
    ticks: usize,
}

impl Score {
    fn rate(&self) -> f64 {
        self.hits as f64 / self.ticks.max(1) as f64
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let model = AcousticModel::shipped();
    let (mut transcript, mut audio, mut live) =
        (Score::default(), Score::default(), Score::default());
    let (mut whole_time, mut live_time, mut hops) = (Duration::ZERO, Duration::ZERO, 0usize);
    let mut speech_seconds = 0.0;
    for text in &corpus::SENTENCES[corpus::TRAINING..] {
        let u = voice_data::render(
            text,
            OfflineVoice::Female,
            VoiceVariant::default(),
            RATE,
            SAMPLE_RATE,
        );
        speech_seconds += u.pcm.len() as f64 / f64::from(SAMPLE_RATE);
        let started = Instant::now();
        let aligned = align_transcript(&u.pcm, SAMPLE_RATE, text, &Lexicon, model);
        let mut track = VisemeTrack::default();
        track.update(&aligned, &Lexicon);
        let from_text: Vec<(Viseme, FrameSpan)> =
            track.keys().iter().map(|k| (k.viseme, k.span)).collect();
        let from_audio = estimate_track(&u.pcm, SAMPLE_RATE, model);
        whole_time += started.elapsed();
        // Live, in 10 ms pushes as an audio thread would hand them on.
        let mut estimator = VisemeEstimator::new(SAMPLE_RATE);
        let samples: Vec<f32> = u.pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect();
        let mut from_live: Vec<(Viseme, FrameSpan)> = Vec::new();
        let started = Instant::now();
        for chunk in samples.chunks(estimator.hop()) {
            estimator.push(chunk, |hop, viseme, _| {
                from_live.push((viseme, hop_span(hop, SAMPLE_RATE)));
            });
        }
        live_time += started.elapsed();
        hops += samples.len() / estimator.hop();
        for (score, keys) in [
            (&mut transcript, &from_text),
            (&mut audio, &from_audio),
            (&mut live, &from_live),
        ] {
            score_track(&u, keys, score);
        }
    }
    let bake_x = speech_seconds / whole_time.as_secs_f64().max(1e-9);
    let live_us = live_time.as_secs_f64() * 1e6 / hops.max(1) as f64;
    println!(
        "bake transcript={:.3} audio={:.3} live={:.3} bake_x_realtime={bake_x:.0} \
         live_us_per_hop={live_us:.1} ticks={}",
        transcript.rate(),
        audio.rate(),
        live.rate(),
        transcript.ticks
    );
    eprintln!(
        "held out: {} sentences ({speech_seconds:.1} s), the female voice, rate {RATE}, \
         {SAMPLE_RATE} Hz; model: {}",
        corpus::SENTENCES.len() - corpus::TRAINING,
        model.trained_on
    );
    let mut failed = false;
    for (name, score, min) in [
        ("transcript", transcript.rate(), args.min_transcript),
        ("audio", audio.rate(), args.min_audio),
    ] {
        if let Some(min) = min
            && score < min
        {
            eprintln!("bake_report: the {name} track scores {score:.3}, under {min}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Every 10 ms of every unambiguous phone: a hit when `keys` show its viseme within ±40 ms.
fn score_track(u: &voice_data::Utterance, keys: &[(Viseme, FrameSpan)], score: &mut Score) {
    let rate = f64::from(u.sample_rate);
    let tick = (rate * 0.010) as u64;
    let tolerance = (rate * TOLERANCE) as u64;
    for phone in &u.alignment.phones {
        let Some(PhoneVisemes::Single(viseme)) = phone_visemes(&phone.symbol) else {
            continue;
        };
        let mut at = phone.span.start.0 + tick / 2;
        while at < phone.span.end.0 {
            let (from, to) = (at.saturating_sub(tolerance), at + tolerance);
            let hit = keys
                .iter()
                .any(|(v, span)| *v == viseme && span.start.0 < to && from < span.end.0);
            score.ticks += 1;
            score.hits += usize::from(hit);
            at += tick;
        }
    }
}
