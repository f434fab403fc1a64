//! The per-utterance PCM pipe: a lock-free single-producer single-consumer ring of mono `f32`
//! samples at the utterance's own rate.
//!
//! The [`PcmProducer`] lives on the TTS runtime thread. It never drops audio: [`PcmProducer::write`]
//! waits for room by polling with a short sleep, which keeps the consumer side free of any wake-up
//! machinery (a waker or `Notify` would mean a lock or a syscall on the audio thread). Closing it
//! (or dropping it) marks the end of the utterance.
//!
//! The [`PcmConsumer`] lives inside the audio thread's renderer and only touches atomics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ringbuf::traits::{Consumer, Observer, Producer, Split};
use ringbuf::{HeapCons, HeapProd, HeapRb};

use super::AudioError;

/// How long [`PcmProducer::write`] sleeps when the ring is full: a fraction of any ring size
/// worth having, short enough that refills keep pace.
const FULL_POLL: Duration = Duration::from_millis(2);

/// Flags shared by both ends and the main thread's control handle.
#[derive(Debug, Default)]
pub(crate) struct PipeFlags {
    /// The producer wrote its last sample (set after the last push, with release ordering).
    closed: AtomicBool,
    /// The main thread asked the utterance to stop.
    interrupted: AtomicBool,
    /// The main thread asked the utterance to hold where it is.
    paused: AtomicBool,
}

impl PipeFlags {
    pub(crate) fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::Release);
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    pub(crate) fn interrupt(&self) {
        self.interrupted.store(true, Ordering::Release);
    }

    pub(crate) fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Acquire)
    }
}

/// The writing end of a voice's pipe (TTS runtime thread).
pub struct PcmProducer {
    ring: HeapProd<f32>,
    flags: Arc<PipeFlags>,
}

/// The reading end of a voice's pipe (audio thread). Lock-free and allocation-free.
pub(crate) struct PcmConsumer {
    ring: HeapCons<f32>,
    flags: Arc<PipeFlags>,
}

/// A pipe holding up to `capacity_frames` mono samples (at least one).
pub(crate) fn voice_pipe(capacity_frames: usize) -> (PcmProducer, PcmConsumer) {
    let (ring_prod, ring_cons) = HeapRb::<f32>::new(capacity_frames.max(1)).split();
    let flags = Arc::new(PipeFlags::default());
    let producer = PcmProducer {
        ring: ring_prod,
        flags: Arc::clone(&flags),
    };
    (
        producer,
        PcmConsumer {
            ring: ring_cons,
            flags,
        },
    )
}

impl PcmProducer {
    /// Writes as many of `samples` as fit now and returns how many; the rest is the caller's.
    ///
    /// Fails once the utterance was interrupted (stop producing and cancel the request) or its
    /// renderer is gone.
    pub fn try_write(&mut self, samples: &[f32]) -> Result<usize, AudioError> {
        self.check()?;
        Ok(self.ring.push_slice(samples))
    }

    /// [`PcmProducer::try_write`] for 16-bit PCM, as TTS services send it.
    pub fn try_write_i16(&mut self, samples: &[i16]) -> Result<usize, AudioError> {
        self.check()?;
        Ok(self
            .ring
            .push_iter(samples.iter().map(|&s| pcm16_to_f32(s))))
    }

    /// Writes all of `samples`, waiting for room as the audio thread drains the ring. Never drops
    /// audio. Needs a tokio runtime with the time driver (it sleeps briefly while the ring is full).
    pub async fn write(&mut self, mut samples: &[f32]) -> Result<(), AudioError> {
        loop {
            let written = self.try_write(samples)?;
            samples = &samples[written..];
            if samples.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(FULL_POLL).await;
        }
    }

    /// [`PcmProducer::write`] for 16-bit PCM.
    pub async fn write_i16(&mut self, mut samples: &[i16]) -> Result<(), AudioError> {
        loop {
            let written = self.try_write_i16(samples)?;
            samples = &samples[written..];
            if samples.is_empty() {
                return Ok(());
            }
            tokio::time::sleep(FULL_POLL).await;
        }
    }

    /// Room left in the ring, in samples.
    pub fn free_frames(&self) -> usize {
        self.ring.vacant_len()
    }

    /// The ring's size, in samples.
    pub fn capacity_frames(&self) -> usize {
        self.ring.capacity().get()
    }

    /// Whether the main thread interrupted the utterance.
    pub fn is_interrupted(&self) -> bool {
        self.flags.is_interrupted()
    }

    /// Ends the utterance: the renderer finishes once it has played what is in the ring.
    /// Dropping the producer does the same.
    pub fn close(self) {}

    fn check(&self) -> Result<(), AudioError> {
        if self.flags.is_interrupted() {
            Err(AudioError::Interrupted)
        } else if !self.ring.read_is_held() {
            Err(AudioError::Disconnected)
        } else {
            Ok(())
        }
    }
}

impl Drop for PcmProducer {
    fn drop(&mut self) {
        // Release: every sample pushed before is visible to a consumer that sees the flag.
        self.flags.closed.store(true, Ordering::Release);
    }
}

impl std::fmt::Debug for PcmProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcmProducer")
            .field("free_frames", &self.free_frames())
            .field("capacity_frames", &self.capacity_frames())
            .field("flags", &self.flags)
            .finish()
    }
}

impl PcmConsumer {
    /// Samples ready to be read.
    pub fn available(&self) -> usize {
        self.ring.occupied_len()
    }

    /// Whether the producer has closed. Check this *before* reading: if it was closed then, what
    /// the ring holds afterwards is everything that is left.
    pub fn is_closed(&self) -> bool {
        self.flags.closed.load(Ordering::Acquire)
    }

    /// The ready samples, in order, as up to two slices (the ring wraps).
    pub fn as_slices(&self) -> (&[f32], &[f32]) {
        self.ring.as_slices()
    }

    /// Marks `count` ready samples as read.
    pub fn consume(&mut self, count: usize) {
        self.ring.skip(count);
    }

    /// Drops every ready sample (after an interrupt). `f32` has no destructor: this only moves
    /// an index.
    pub fn discard(&mut self) {
        self.ring.clear();
    }

    pub(crate) fn flags(&self) -> &Arc<PipeFlags> {
        &self.flags
    }
}

impl std::fmt::Debug for PcmConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PcmConsumer")
            .field("available", &self.available())
            .field("flags", &self.flags)
            .finish()
    }
}

/// 16-bit PCM to `f32` in `[-1, 1)`; exact (every i16 is representable).
fn pcm16_to_f32(sample: i16) -> f32 {
    f32::from(sample) / 32_768.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_pipe_takes_what_fits() {
        let (mut producer, consumer) = voice_pipe(4);
        assert_eq!(producer.try_write(&[0.1, 0.2, 0.3, 0.4, 0.5]), Ok(4)); // the fifth must wait
        assert_eq!(consumer.available(), 4);
    }

    #[test]
    fn close_is_seen_after_the_last_sample() {
        let (mut producer, mut consumer) = voice_pipe(8);
        assert_eq!(producer.try_write_i16(&[16_384, -32_768]), Ok(2));
        assert!(!consumer.is_closed());
        producer.close();
        assert!(consumer.is_closed());
        assert_eq!(consumer.as_slices().0, &[0.5, -1.0]);
        consumer.consume(2);
        assert_eq!(consumer.available(), 0);
    }

    #[test]
    fn writer_learns_of_interrupt_and_of_a_dropped_consumer() {
        let (mut producer, consumer) = voice_pipe(8);
        consumer.flags().interrupt();
        assert_eq!(producer.try_write(&[0.0]), Err(AudioError::Interrupted));
        let (mut producer, consumer) = voice_pipe(8);
        drop(consumer);
        assert_eq!(producer.try_write(&[0.0]), Err(AudioError::Disconnected));
    }
}
