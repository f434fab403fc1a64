//! What every backend delivers: PCM and timing, in frames of the utterance's own audio.

use crate::alignment::{AlignmentUpdate, FrameOffset};

/// One piece of an utterance as it streams in.
///
/// A chunk carries audio, timing, or both. Audio chunks of one utterance arrive in order and
/// back to back (`start` of each is the end of the previous one); timing may arrive with its
/// audio or after it (Inworld's ASYNC transport) and is always keyed by utterance frames.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpeechChunk {
    /// Where the chunk's first sample sits in the utterance.
    pub start: FrameOffset,
    /// Sample rate of `pcm` and the unit of every frame offset.
    pub sample_rate: u32,
    /// Mono signed 16-bit samples; empty for a timing-only chunk.
    pub pcm: Vec<i16>,
    /// Timing that became known with this chunk.
    pub alignment: AlignmentUpdate,
}

impl SpeechChunk {
    /// The frame just after the chunk's audio.
    pub fn end(&self) -> FrameOffset {
        self.start.shifted(self.pcm.len() as u64)
    }

    /// Root-mean-square loudness of the chunk's audio per block of `block_frames` (the last
    /// block may be shorter), in `0..=1` of full scale, appended to `out`.
    ///
    /// This is the audio envelope the lipsync timeline's jaw-only fallback follows until
    /// phone timing covers the playhead.
    pub fn envelope_into(&self, block_frames: usize, out: &mut Vec<f32>) {
        if block_frames == 0 {
            return;
        }
        out.extend(self.pcm.chunks(block_frames).map(|block| {
            let energy: f64 = block
                .iter()
                .map(|&s| {
                    let x = f64::from(s) / 32_768.0;
                    x * x
                })
                .sum();
            (energy / block.len() as f64).sqrt() as f32
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_measures_each_block() {
        let mut pcm = vec![0i16; 100];
        pcm.extend(std::iter::repeat_n(16_384i16, 100));
        pcm.extend([-32_768i16; 50]);
        let chunk = SpeechChunk {
            start: FrameOffset(10),
            sample_rate: 1_000,
            pcm,
            alignment: AlignmentUpdate::default(),
        };
        let mut rms = Vec::new();
        chunk.envelope_into(100, &mut rms);
        assert_eq!(rms, [0.0, 0.5, 1.0]);
        assert_eq!(chunk.end(), FrameOffset(260));
    }
}
