//! RIFF/WAV headers on streamed chunks.
//!
//! Inworld sends a complete WAV file in every LINEAR16 chunk, and possibly in PCM chunks too, so
//! every chunk is sniffed. The header is walked sub-chunk by sub-chunk to `data` (never a fixed
//! 44 bytes: `LIST` and other chunks may come first) and `fmt ` is read to confirm the format.

use super::error::{InworldError, Result};

/// The format a WAV header declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WavFormat {
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels.
    pub channels: u16,
    /// Bits per sample.
    pub bits_per_sample: u16,
}

/// A chunk's audio bytes, with the format when it carried a header.
#[derive(Debug, PartialEq, Eq)]
pub struct WavPayload<'a> {
    /// The `fmt ` of the header; `None` for headerless PCM.
    pub format: Option<WavFormat>,
    /// The sample bytes.
    pub data: &'a [u8],
}

const WAVE_FORMAT_PCM: u16 = 1;
const WAVE_FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// Whether `bytes` starts like a WAV file (`RIFF....WAVE`).
pub fn looks_like_wav(bytes: &[u8]) -> bool {
    bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WAVE"
}

/// Splits a chunk into its header's format and its sample bytes. Bytes without a RIFF header
/// are returned whole as headerless PCM.
///
/// A `data` size larger than what is present (streaming writers often put `0xFFFFFFFF` or a
/// guess there) is clamped to the bytes that are present.
pub fn split_wav(bytes: &[u8]) -> Result<WavPayload<'_>> {
    if !looks_like_wav(bytes) {
        return Ok(WavPayload {
            format: None,
            data: bytes,
        });
    }
    let mut at = 12;
    let mut format = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let body_start = at + 8;
        let declared_end = body_start.saturating_add(size as usize);
        if id == b"data" {
            let format = format.ok_or_else(|| {
                InworldError::Protocol("a WAV chunk has `data` before its `fmt ` header".into())
            })?;
            let end = declared_end.min(bytes.len());
            return Ok(WavPayload {
                format: Some(format),
                data: &bytes[body_start..end],
            });
        }
        if declared_end > bytes.len() {
            break;
        }
        if id == b"fmt " {
            format = Some(parse_fmt(&bytes[body_start..declared_end])?);
        }
        // RIFF sub-chunks are padded to an even size.
        at = declared_end + (size as usize & 1);
    }
    Err(InworldError::Protocol(format!(
        "a WAV header of {} bytes ends before its `data` chunk (truncated header)",
        bytes.len()
    )))
}

fn parse_fmt(body: &[u8]) -> Result<WavFormat> {
    if body.len() < 16 {
        return Err(InworldError::Protocol(format!(
            "a WAV `fmt ` chunk has {} bytes; at least 16 are needed",
            body.len()
        )));
    }
    let u16_at = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
    let tag = u16_at(0);
    let format = WavFormat {
        channels: u16_at(2),
        sample_rate: u32::from_le_bytes([body[4], body[5], body[6], body[7]]),
        bits_per_sample: u16_at(14),
    };
    if tag != WAVE_FORMAT_PCM && tag != WAVE_FORMAT_EXTENSIBLE {
        return Err(InworldError::Protocol(format!(
            "a WAV chunk uses format tag {tag:#06x}; only integer PCM (1) is supported"
        )));
    }
    if format.channels != 1 || format.bits_per_sample != 16 {
        return Err(InworldError::Protocol(format!(
            "a WAV chunk is {} channel(s) of {} bits; expected mono 16-bit",
            format.channels, format.bits_per_sample
        )));
    }
    if format.sample_rate == 0 {
        return Err(InworldError::Protocol("a WAV chunk declares 0 Hz".into()));
    }
    Ok(format)
}

/// A mono 16-bit PCM WAV header announcing `data_len` bytes of samples at `sample_rate`.
///
/// `extra_chunks` (whole RIFF sub-chunks, each of even length) go between `fmt ` and `data`, as
/// some servers put a `LIST` chunk there; `&[]` gives the plain 44-byte header. Sizes past
/// `u32::MAX` saturate, as streaming writers do for an unknown length.
pub fn wav_header(sample_rate: u32, data_len: usize, extra_chunks: &[u8]) -> Vec<u8> {
    let data_len = u32::try_from(data_len).unwrap_or(u32::MAX);
    let extra_len = u32::try_from(extra_chunks.len()).unwrap_or(u32::MAX);
    let riff_len = (4 + 8 + 16_u32)
        .saturating_add(extra_len)
        .saturating_add(8)
        .saturating_add(data_len);
    let mut out = Vec::with_capacity(44 + extra_chunks.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_len.to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16_u32.to_le_bytes());
    out.extend_from_slice(&WAVE_FORMAT_PCM.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&sample_rate.saturating_mul(2).to_le_bytes()); // byte rate
    out.extend_from_slice(&2_u16.to_le_bytes()); // block align
    out.extend_from_slice(&16_u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(extra_chunks);
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out
}

/// Samples as raw little-endian bytes, the sample data of a 16-bit WAV.
pub fn pcm_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// A complete mono 16-bit WAV file holding `samples` (for tools and tests).
pub fn encode_wav(samples: &[i16], sample_rate: u32) -> Vec<u8> {
    let mut out = wav_header(sample_rate, samples.len() * 2, &[]);
    out.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = id.to_vec();
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(body);
        if body.len() % 2 == 1 {
            out.push(0);
        }
        out
    }

    fn fmt_body(rate: u32, channels: u16, bits: u16) -> Vec<u8> {
        let mut b = vec![1, 0];
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * 2).to_le_bytes());
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&bits.to_le_bytes());
        b
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&(4 + body.len() as u32).to_le_bytes());
        out.extend_from_slice(b"WAVE");
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn walks_past_extra_chunks_with_odd_sizes() {
        let bytes = riff(&[
            chunk(b"LIST", b"INFOISFT\x05\0\0\0abcde"),
            chunk(b"fmt ", &fmt_body(24_000, 1, 16)),
            chunk(b"junk", b"x"),
            chunk(b"data", &[1, 0, 2, 0]),
        ]);
        let payload = split_wav(&bytes).unwrap();
        assert_eq!(payload.data, &[1, 0, 2, 0]);
        assert_eq!(payload.format.unwrap().sample_rate, 24_000);
        // The header is longer than 44 bytes: a fixed strip would have eaten audio.
        assert!(bytes.len() - 4 > 44);
    }

    #[test]
    fn headerless_bytes_are_pcm() {
        let payload = split_wav(&[7, 0, 8, 0]).unwrap();
        assert_eq!(
            payload,
            WavPayload {
                format: None,
                data: &[7, 0, 8, 0]
            }
        );
    }

    #[test]
    fn oversized_data_is_clamped_to_what_is_present() {
        let mut bytes = riff(&[chunk(b"fmt ", &fmt_body(48_000, 1, 16))]);
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(&[9, 0, 9]);
        assert_eq!(split_wav(&bytes).unwrap().data, &[9, 0, 9]);
    }

    #[test]
    fn bad_headers_are_protocol_errors() {
        let full = encode_wav(&[1, 2, 3], 48_000);
        for cut in [12, 20, 30, 43] {
            let err = split_wav(&full[..cut]).unwrap_err();
            assert!(
                matches!(err, InworldError::Protocol(_)),
                "cut at {cut}: {err}"
            );
        }
        let stereo = riff(&[
            chunk(b"fmt ", &fmt_body(48_000, 2, 16)),
            chunk(b"data", &[]),
        ]);
        assert!(
            split_wav(&stereo)
                .unwrap_err()
                .to_string()
                .contains("mono 16-bit")
        );
        let no_fmt = riff(&[chunk(b"data", &[0, 0])]);
        assert!(split_wav(&no_fmt).is_err());
        assert_eq!(split_wav(&full).unwrap().data.len(), 6);
    }

    #[test]
    fn written_files_read_back_with_and_without_extra_chunks() {
        let plain = encode_wav(&[1, -1], 16_000);
        assert_eq!(plain.len(), 48);
        let riff = u32::from_le_bytes([plain[4], plain[5], plain[6], plain[7]]) as usize;
        assert_eq!(riff, plain.len() - 8);
        let read = split_wav(&plain).unwrap();
        assert_eq!(read.data, pcm_bytes(&[1, -1]));
        assert_eq!(
            read.format.map(|f| (f.sample_rate, f.channels)),
            Some((16_000, 1))
        );

        let list = chunk(b"LIST", b"INFOISFT\x04\0\0\0abc\0");
        let mut listed = wav_header(24_000, 4, &list);
        listed.extend_from_slice(&pcm_bytes(&[7, 8]));
        let riff = u32::from_le_bytes([listed[4], listed[5], listed[6], listed[7]]) as usize;
        assert_eq!(riff, listed.len() - 8);
        assert_eq!(&listed[36..40], b"LIST");
        assert_eq!(split_wav(&listed).unwrap().data, pcm_bytes(&[7, 8]));
    }
}
