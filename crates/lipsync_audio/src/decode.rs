//! Recorded speech decoded to what the pipe plays: mono 16-bit PCM at the file's own rate.
//!
//! WAV, OGG Vorbis, MP3 and FLAC, through the pure-Rust [symphonia] decoders. Stereo and
//! multichannel files are mixed down to mono.

use std::io::Cursor;

use symphonia::core::codecs::CodecParameters;
use symphonia::core::formats::TrackType;
use symphonia::core::formats::probe::Hint;
use symphonia::core::io::MediaSourceStream;

/// Decoded audio.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecodedAudio {
    /// Samples per second.
    pub sample_rate: u32,
    /// Mono signed 16-bit samples.
    pub pcm: Vec<i16>,
}

impl DecodedAudio {
    /// Length in seconds.
    pub fn seconds(&self) -> f64 {
        self.pcm.len() as f64 / f64::from(self.sample_rate.max(1))
    }
}

/// Why a file could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not a format this crate reads.
    #[error("not a readable audio file ({0}): recorded lines can be WAV, OGG Vorbis, MP3 or FLAC")]
    Format(String),
    /// The file has no audio track, or one without a sample rate.
    #[error("the file has no audio track to play")]
    NoAudio,
    /// The audio data is damaged.
    #[error("the audio is damaged after {decoded_seconds:.2} s: {reason}")]
    Damaged {
        /// How much decoded before the damage.
        decoded_seconds: f64,
        /// What the decoder said.
        reason: String,
    },
}

/// Decodes a whole file; `extension` (`"mp3"`, ...) is a hint for formats without a signature.
pub fn decode_audio(bytes: Vec<u8>, extension: Option<&str>) -> Result<DecodedAudio, DecodeError> {
    let mut hint = Hint::new();
    if let Some(extension) = extension {
        hint.with_extension(extension);
    }
    let stream = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(&hint, stream, Default::default(), Default::default())
        .map_err(|e| DecodeError::Format(e.to_string()))?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or(DecodeError::NoAudio)?;
    let track_id = track.id;
    let Some(CodecParameters::Audio(params)) = track.codec_params.as_ref() else {
        return Err(DecodeError::NoAudio);
    };
    let sample_rate = params.sample_rate.ok_or(DecodeError::NoAudio)?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &Default::default())
        .map_err(|e| DecodeError::Format(e.to_string()))?;
    let mut pcm: Vec<i16> = Vec::new();
    let mut interleaved: Vec<f32> = Vec::new();
    let damaged = |pcm: &Vec<i16>, reason: String| DecodeError::Damaged {
        decoded_seconds: pcm.len() as f64 / f64::from(sample_rate.max(1)),
        reason,
    };
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(e) => return Err(damaged(&pcm, e.to_string())),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buffer = decoder
            .decode(&packet)
            .map_err(|e| damaged(&pcm, e.to_string()))?;
        let channels = buffer.num_planes().max(1);
        buffer.copy_to_vec_interleaved(&mut interleaved);
        pcm.extend(interleaved.chunks(channels).map(|frame| {
            let mono = frame.iter().sum::<f32>() / channels as f32;
            (mono.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16
        }));
    }
    if pcm.is_empty() {
        return Err(DecodeError::NoAudio);
    }
    Ok(DecodedAudio { sample_rate, pcm })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mono 16-bit WAV of `samples` at `rate`.
    fn wav(samples: &[i16], rate: u32, channels: u16) -> Vec<u8> {
        let data = (samples.len() * 2) as u32;
        let mut out = Vec::new();
        out.extend_from_slice(b"RIFF");
        out.extend_from_slice(&(36 + data).to_le_bytes());
        out.extend_from_slice(b"WAVEfmt ");
        out.extend_from_slice(&16u32.to_le_bytes());
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&channels.to_le_bytes());
        out.extend_from_slice(&rate.to_le_bytes());
        out.extend_from_slice(&(rate * 2 * u32::from(channels)).to_le_bytes());
        out.extend_from_slice(&(2 * channels).to_le_bytes());
        out.extend_from_slice(&16u16.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&data.to_le_bytes());
        for s in samples {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out
    }

    #[test]
    fn wav_decodes_to_its_samples_and_stereo_mixes_to_mono() {
        let samples: Vec<i16> = (0..4_000)
            .map(|i| ((i % 200) * 100 - 10_000) as i16)
            .collect();
        let decoded = decode_audio(wav(&samples, 22_050, 1), Some("wav")).unwrap();
        assert_eq!(decoded.sample_rate, 22_050);
        assert_eq!(decoded.pcm.len(), samples.len());
        for (a, b) in decoded.pcm.iter().zip(&samples) {
            assert!((a - b).abs() <= 1, "{a} vs {b}");
        }
        // Left loud, right silent: half as loud in mono.
        let stereo: Vec<i16> = (0..2_000).flat_map(|_| [8_000, 0]).collect();
        let decoded = decode_audio(wav(&stereo, 16_000, 2), None).unwrap();
        assert_eq!(decoded.pcm.len(), 2_000);
        assert!(decoded.pcm.iter().all(|&s| (s - 4_000).abs() <= 1));
    }

    #[test]
    fn garbage_and_truncated_files_say_what_is_wrong() {
        let err = decode_audio(b"this is not audio at all".repeat(20), Some("mp3")).unwrap_err();
        assert!(
            err.to_string().contains("WAV, OGG Vorbis, MP3 or FLAC"),
            "{err}"
        );
        let samples = vec![1_000i16; 8_000];
        let mut cut = wav(&samples, 16_000, 1);
        cut.truncate(44);
        assert!(decode_audio(cut, Some("wav")).is_err());
    }
}
