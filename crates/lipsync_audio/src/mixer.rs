//! Sums the voices that are playing into one mono block, and hands voices to and from the audio
//! thread without allocating there.
//!
//! Voices cross threads boxed, through two fixed-size SPSC rings made when the mixer is:
//! - *incoming*: the owner boxes a [`VoiceRenderer`] (allocating on its own thread) and pushes
//!   the box; the audio thread pops it into a `Vec` whose capacity was reserved up front, so
//!   neither step allocates.
//! - *retired*: the audio thread never drops a voice (freeing its ring and box would call the
//!   allocator); it pushes finished voices back for the owner to drop. If that ring is full the
//!   voice stays in the mix, silent, until there is room.

use std::time::{Duration, Instant};

use std::sync::Arc;

use ringbuf::traits::{Consumer, Observer, Producer};
use ringbuf::wrap::{Cons, Prod};
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::voice::VoiceRenderer;

/// The audio-thread side: renders and sums the voices. Never allocates, locks or blocks.
pub struct Mixer {
    #[expect(
        clippy::vec_box,
        reason = "voices arrive boxed; unboxing would free the box on the audio thread"
    )]
    voices: Vec<Box<VoiceRenderer>>,
    incoming: HeapCons<Box<VoiceRenderer>>,
    retired: HeapProd<Box<VoiceRenderer>>,
    /// One voice's left and right pieces.
    scratch: [Vec<f32>; 2],
    /// The output's latency estimate, handed to every voice it mixes.
    output_latency: Option<Duration>,
}

/// A ring of voices crossing between the owner and the audio thread.
type VoiceRing = Arc<HeapRb<Box<VoiceRenderer>>>;

/// The owner's side: adds voices to a [`Mixer`] and drops the ones it retired. `Sync` (its ends
/// keep no cached indices, unlike the audio thread's), so an output can live in a Bevy resource.
pub struct VoiceQueue {
    incoming: Prod<VoiceRing>,
    retired: Cons<VoiceRing>,
}

/// A mixer for up to `max_voices` voices (at least one) and blocks of up to `max_block` frames
/// (longer blocks are rendered in pieces), with its queue.
pub fn mixer(max_voices: usize, max_block: usize) -> (Mixer, VoiceQueue) {
    let max_voices = max_voices.max(1);
    let incoming: VoiceRing = Arc::new(HeapRb::new(max_voices));
    let retired: VoiceRing = Arc::new(HeapRb::new(max_voices));
    let mixer = Mixer {
        voices: Vec::with_capacity(max_voices),
        incoming: HeapCons::new(Arc::clone(&incoming)),
        retired: HeapProd::new(Arc::clone(&retired)),
        scratch: [vec![0.0; max_block.max(1)], vec![0.0; max_block.max(1)]],
        output_latency: None,
    };
    let queue = VoiceQueue {
        incoming: Prod::new(incoming),
        retired: Cons::new(retired),
    };
    (mixer, queue)
}

impl Mixer {
    /// Voices being mixed (finished ones awaiting retirement included).
    pub fn voice_count(&self) -> usize {
        self.voices.len()
    }

    /// Sets the output's latency estimate for every voice mixed from the next render on (see
    /// [`VoiceRenderer::set_output_latency`]); while it is `None`, voices keep their own. A plain
    /// store: safe on the audio thread.
    pub fn set_output_latency(&mut self, estimate: Option<Duration>) {
        self.output_latency = estimate;
    }

    /// Fills `left` and `right` (the same length) with the sum of every voice at `device_rate`,
    /// each spread over the channels by its
    /// [`channel gains`](crate::VoiceControl::set_channel_gains), for the callback at `now`.
    pub fn render(&mut self, left: &mut [f32], right: &mut [f32], device_rate: u32, now: Instant) {
        while self.voices.len() < self.voices.capacity() {
            match self.incoming.try_pop() {
                Some(voice) => self.voices.push(voice),
                None => break,
            }
        }
        if self.output_latency.is_some() {
            for voice in &mut self.voices {
                voice.set_output_latency(self.output_latency);
            }
        }
        let frames = left.len().min(right.len());
        let (left, right) = (&mut left[..frames], &mut right[..frames]);
        left.fill(0.0);
        right.fill(0.0);
        let piece = self.scratch[0].len();
        let [scratch_left, scratch_right] = &mut self.scratch;
        // Every piece of one callback is stamped with the callback's instant: the clock's latency
        // runs from the callback to the end of the device's block, so an earlier piece's anchor is
        // merely behind, and the last piece's is exact.
        for (out_left, out_right) in left.chunks_mut(piece).zip(right.chunks_mut(piece)) {
            let n = out_left.len();
            let (voice_left, voice_right) = (&mut scratch_left[..n], &mut scratch_right[..n]);
            for voice in &mut self.voices {
                voice.render_stereo(voice_left, voice_right, device_rate, now);
                for (o, s) in out_left.iter_mut().zip(voice_left.iter()) {
                    *o += s;
                }
                for (o, s) in out_right.iter_mut().zip(voice_right.iter()) {
                    *o += s;
                }
            }
        }
        let mut index = 0;
        while index < self.voices.len() {
            if self.voices[index].is_finished() && !self.retired.is_full() {
                let voice = self.voices.swap_remove(index);
                // Cannot fail: the ring was checked for room and only this thread pushes.
                let _ = self.retired.try_push(voice);
            } else {
                index += 1;
            }
        }
    }
}

impl VoiceQueue {
    /// Hands `voice` to the mixer (dropping the retired ones first); gives it back, boxed, if
    /// the queue is full.
    pub fn add(&mut self, voice: VoiceRenderer) -> Result<(), Box<VoiceRenderer>> {
        self.drop_retired();
        self.incoming.try_push(Box::new(voice))
    }

    /// Drops the voices the mixer has finished with; returns how many.
    pub fn drop_retired(&mut self) -> usize {
        self.retired.clear()
    }
}

impl std::fmt::Debug for Mixer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mixer")
            .field("voices", &self.voices.len())
            .field("max_voices", &self.voices.capacity())
            .field("max_block", &self.scratch[0].len())
            .field("output_latency", &self.output_latency)
            .finish()
    }
}

impl std::fmt::Debug for VoiceQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VoiceQueue")
            .field("queued", &self.incoming.occupied_len())
            .field("retired", &self.retired.occupied_len())
            .finish()
    }
}
