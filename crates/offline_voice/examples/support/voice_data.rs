//! Labelled speech from the offline voice, whose phone timing is exactly known: the training
//! and scoring data of the audio-driven viseme model.

use lipsync_core::acoustic::{FRAME_FEATURES, features, hop_time};
use lipsync_core::alignment::{Alignment, FrameSpan};
use lipsync_core::{Viseme, VisemeTrack};
use offline_voice::{Lexicon, OfflineSpeech, OfflineVoice, VoiceVariant};

/// One rendered utterance with its exact timing.
#[allow(dead_code)]
pub struct Utterance {
    pub pcm: Vec<i16>,
    pub sample_rate: u32,
    pub alignment: Alignment,
    /// The engine's track read from the exact phones: what the mouth should show.
    pub truth: Vec<(Viseme, FrameSpan)>,
}

/// Renders `text` in `voice` (varied) at `rate` and `sample_rate`.
pub fn render(
    text: &str,
    voice: OfflineVoice,
    variant: VoiceVariant,
    rate: f32,
    sample_rate: u32,
) -> Utterance {
    let speech = OfflineSpeech::new_variant(text, voice, variant, rate, sample_rate)
        .unwrap_or_else(|e| panic!("the offline voice cannot say {text:?}: {e}"));
    let (pcm, update) = speech.render_all();
    let mut alignment = Alignment::default();
    alignment.apply(update);
    let mut track = VisemeTrack::default();
    track.update(&alignment, &Lexicon);
    let truth = track.keys().iter().map(|k| (k.viseme, k.span)).collect();
    Utterance {
        pcm,
        sample_rate,
        alignment,
        truth,
    }
}

#[allow(dead_code)]
impl Utterance {
    /// The viseme shown at frame `at` (silence between keys).
    pub fn viseme_at(&self, at: u64) -> Viseme {
        self.truth
            .iter()
            .rev()
            .find(|(_, span)| span.start.0 <= at && at < span.end.0)
            .map_or(Viseme::Sil, |(v, _)| *v)
    }

    /// Feature frames and the label of each.
    pub fn labelled(&self) -> (Vec<[f32; FRAME_FEATURES]>, Vec<Viseme>) {
        let frames = features(&self.pcm, self.sample_rate);
        let labels = (0..frames.len())
            .map(|t| self.viseme_at(hop_time(t, self.sample_rate).0))
            .collect();
        (frames, labels)
    }
}
