//! Playing streamed speech, and knowing which frame of it is being heard.
//!
//! `lipsync_audio` owns the path from decoded PCM to the loudspeaker: a lock-free pipe per
//! utterance, resampling to the device rate, the mixer, the kira device output and the virtual
//! outputs used without a sound card, and the audible clock that says, at any instant, which frame
//! of an utterance is leaving the speaker. It does not fetch speech, decode any format or animate
//! anything, and it knows no game engine: a producer writes `f32` or `i16` samples, and whoever
//! animates a face reads [`AudibleClock::audible_position`]. `bevy_lipsync` drives it from Bevy;
//! [`mixing`] has the parts for an audio callback of your own.
//!
//! # Threads and who calls what
//! Each utterance is a *voice*, made by [`voice`] in three parts, one per thread:
//!
//! | part | thread | does |
//! |---|---|---|
//! | [`PcmProducer`] | TTS runtime (tokio) | writes decoded PCM; [`PcmProducer::write`] waits for room, never drops audio; closing or dropping it ends the utterance |
//! | [`VoiceRenderer`] | audio | [`VoiceRenderer::render`] drains the pipe, resamples to the device rate, applies gain and the interrupt fade, publishes the clock |
//! | [`VoiceControl`] | main (any) | interrupts, sets the gain, reads the [`AudibleClock`] |
//!
//! ```text
//!  runtime ──PcmProducer──▶ ring (SPSC, f32 at the TTS rate) ──▶ VoiceRenderer ──▶ device block
//!                                                                     │ atomics (seqlock)
//!  main thread ◀── VoiceControl::clock().audible_position(t) ◀────────┘
//! ```
//!
//! The audio thread never allocates, locks, logs or blocks: the ring is lock-free, the resampler
//! works in place, the clock is atomics, and voices reach and leave the audio thread boxed through
//! fixed-size rings ([`mixing::Mixer`], [`mixing::VoiceQueue`]) so that allocating and freeing
//! happen elsewhere.
//!
//! # Lifecycle of a voice
//! - **Underrun**: the ring ran dry before the producer closed. The renderer writes silence, the
//!   clock stops once the buffered tail has been heard, the episode is counted
//!   ([`VoiceControl::underruns`]); playback resumes where it stopped when data arrives.
//! - **End**: the producer closed and the ring drained: the renderer finishes.
//! - **Interrupt**: [`VoiceControl::interrupt`] fades out within [`INTERRUPT_FADE`], drops the
//!   rest, finishes; the producer's next write returns [`AudioError::Interrupted`].
//! - **Pause**: [`VoiceControl::pause`] fades out within [`PAUSE_FADE`] and holds: the ring keeps
//!   its place and the clock holds ([`ClockState::Paused`]); [`VoiceControl::resume`] plays on
//!   from the very next frame.
//!
//! # Outputs
//! [`AudioOutput`] is the output the plugin owns, one type over three kinds ([`OutputKind`]):
//!
//! | kind | what calls the renderers | when |
//! |---|---|---|
//! | `Device` | the sound card's callback, through a kira `AudioManager` (cpal) the output owns | [`OutputMode::Device`], or [`OutputMode::Auto`] when a device opens |
//! | `Realtime` | [`RealtimeOutput`](mixing::RealtimeOutput)'s thread, a block every block period of wall time, output discarded | no device (CI, servers), [`OutputMode::Virtual`] |
//! | `Manual` | [`AudioOutput::step`] ([`ManualOutput`](mixing::ManualOutput)), at instants the caller gives | tests |
//!
//! All three mix through a [`Mixer`](mixing::Mixer); on the device it is played as one kira sound
//! ([`KiraOutput`]), since bevy_kira_audio cannot play custom or streaming sounds. A single voice
//! can also go on any kira manager or track of the user's as a [`VoiceSound`]. The kira sounds
//! measure the device's callbacks and give every voice an output latency estimate (two
//! callbacks: the device's buffer plus the block), which a clock reader's configured
//! [`LatencySettings::output_latency`] overrides; virtual outputs leave the clocks at their
//! default of one block. [`AudioOutput::maintain`] drops finished voices off the audio thread.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod clock;
mod decode;
mod device_backend;
mod kira_output;
mod kira_sound;
mod mixer;
mod output;
mod pipe;
mod ramp;
mod resample;
mod virtual_output;
mod voice;

pub use clock::{AudibleClock, AudiblePosition, ClockState, LatencySettings};
pub use decode::{DecodeError, DecodedAudio, decode_audio};
pub use kira_output::KiraOutput;
pub use kira_sound::{CALLBACK_WINDOW, DEVICE_CHUNK, KIRA_CHUNK, MAX_DEVICE_DELAY, VoiceSound};
pub use output::{AudioOutput, LatencySource, OutputKind, OutputLatency, OutputMode};
pub use pipe::PcmProducer;
pub use virtual_output::OutputConfig;
pub use voice::{
    DEFAULT_BUFFER, GAIN_RAMP, INTERRUPT_FADE, PAUSE_FADE, VoiceControl, VoiceRenderer, voice,
};

pub mod mixing {
    //! Outputs of your own: the parts [`AudioOutput`](crate::AudioOutput) is built from.
    //!
    //! Playing voices needs none of this: [`AudioOutput`](crate::AudioOutput) opens the device
    //! (or a virtual output) and mixes them. These parts are for an engine whose audio callback
    //! this crate does not own (a `cpal` stream, SDL, a console SDK), and for rendering by hand:
    //!
    //! - [`mixer`] makes a [`Mixer`], which the audio callback calls to sum every playing voice into
    //!   a block, and its [`VoiceQueue`], through which the owner adds voices and drops finished ones
    //!   (so the audio thread never allocates or frees);
    //! - [`ManualOutput`] renders one block per call, at instants the caller gives (tests, offline
    //!   capture); [`RealtimeOutput`] is a thread that does so in wall time, output discarded.

    pub use crate::mixer::{Mixer, VoiceQueue, mixer};
    pub use crate::virtual_output::{ManualOutput, RealtimeOutput};
}

/// What can go wrong in the audio layer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The main thread interrupted the utterance.
    #[error("the utterance was interrupted: stop producing its audio and cancel its request")]
    Interrupted,
    /// The renderer was dropped, so nothing will play what is written.
    #[error("the utterance's renderer is gone (removed from its output): stop producing its audio")]
    Disconnected,
    /// A sample rate of zero was given.
    #[error("a sample rate of 0 Hz was given: use the rate of the PCM or of the device")]
    ZeroSampleRate,
    /// An output was configured with zero frames per block.
    #[error(
        "an output needs at least one frame per block: set `block_frames` to the device's buffer size"
    )]
    EmptyBlock,
    /// The virtual output's thread could not be started.
    #[error("could not start the virtual audio output thread: {0}")]
    OutputThread(String),
    /// No audio device could be opened (none exists, or it refused the stream).
    #[error(
        "no audio output device could be opened ({0}): use `OutputMode::Auto` to fall back to a \
         virtual output, or `OutputMode::Virtual`"
    )]
    NoDevice(String),
    /// The output already mixes as many voices as it was made for.
    #[error(
        "the audio output already plays its maximum of {max} voices: interrupt one, or raise \
         `max_voices`"
    )]
    TooManyVoices {
        /// The most voices the output mixes at once.
        max: usize,
    },
    /// kira refused the sound that mixes the voices.
    #[error(
        "kira could not play the voice mixer: its main track is full (raise the main track's \
         sound capacity)"
    )]
    KiraTrackFull,
}
