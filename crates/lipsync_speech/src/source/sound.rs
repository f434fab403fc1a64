//! Shapes read from a source's sound as it streams in, for speech that comes without timing.

use crate::alignment::{FrameSpan, VisemeMark};
use crate::lipsync::Viseme;
use crate::lipsync::acoustic::{VisemeEstimator, hop_span};
use crate::{SpeechChunk, SpeechError};

use super::{ChunkFuture, SpeechSource};

/// Wraps a source whose speech has no timing: each chunk also carries the visemes the live
/// estimator reads from its sound (30 ms behind the newest audio), one mark per shape held.
#[derive(Debug)]
pub struct ReadFromSound {
    inner: Box<dyn SpeechSource>,
    reader: Option<SoundReader>,
}

impl ReadFromSound {
    /// Reads the shapes of `inner`'s sound.
    pub fn new(inner: Box<dyn SpeechSource>) -> ReadFromSound {
        ReadFromSound {
            inner,
            reader: Some(SoundReader::default()),
        }
    }

    async fn next(&mut self) -> Option<Result<SpeechChunk, SpeechError>> {
        match self.inner.next_chunk().await {
            Some(Ok(mut chunk)) => {
                if let Some(reader) = self.reader.as_mut() {
                    reader.read(&chunk.pcm, chunk.sample_rate, &mut chunk.alignment.visemes);
                }
                Some(Ok(chunk))
            }
            Some(Err(e)) => Some(Err(e)),
            None => {
                // The shape held at the end, once.
                let mark = self.reader.take().and_then(SoundReader::finish)?;
                let mut chunk = SpeechChunk::default();
                if !mark.span.is_empty() {
                    chunk.alignment.visemes.push(mark);
                }
                Some(Ok(chunk))
            }
        }
    }
}

impl SpeechSource for ReadFromSound {
    fn next_chunk(&mut self) -> ChunkFuture<'_> {
        Box::pin(self.next())
    }
}

/// The live estimator and the shape it is holding.
#[derive(Debug, Default)]
struct SoundReader {
    estimator: Option<VisemeEstimator>,
    rate: u32,
    samples: Vec<f32>,
    /// The shape being held, not yet handed on.
    open: Option<(Viseme, FrameSpan)>,
}

impl SoundReader {
    fn read(&mut self, pcm: &[i16], rate: u32, out: &mut Vec<VisemeMark>) {
        if pcm.is_empty() {
            return;
        }
        let estimator = self.estimator.get_or_insert_with(|| {
            self.rate = rate;
            VisemeEstimator::new(rate)
        });
        self.samples.clear();
        self.samples
            .extend(pcm.iter().map(|&s| f32::from(s) / 32_768.0));
        let (open, rate) = (&mut self.open, self.rate);
        estimator.push(&self.samples, |hop, viseme, _| {
            let span = hop_span(hop, rate);
            match open {
                Some((held, held_span)) if *held == viseme => held_span.end = span.end,
                _ => {
                    if let Some((held, held_span)) = open.replace((viseme, span)) {
                        out.push(mark(held, held_span));
                    }
                }
            }
        });
    }

    /// The shape held at the end.
    fn finish(self) -> Option<VisemeMark> {
        self.open.map(|(viseme, span)| mark(viseme, span))
    }
}

fn mark(viseme: Viseme, span: FrameSpan) -> VisemeMark {
    VisemeMark {
        label: viseme.openxr_name().to_owned(),
        span,
    }
}
