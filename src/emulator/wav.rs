//! WAV headers the way TTS servers write them: `RIFF`, `WAVE`, `fmt `, sometimes a `LIST`
//! chunk, then `data`. The optional `LIST` chunk breaks clients that skip a fixed 44 bytes.

/// Bytes of the `INFO` list the emulator inserts before `data` (even length, as RIFF needs).
const LIST_INFO: &[u8] = b"INFOISFT\x16\x00\x00\x00bevy_lipsync emulator\0";

/// A mono 16-bit PCM WAV header announcing `data_len` bytes of samples at `sample_rate`.
pub(crate) fn header(sample_rate: u32, data_len: usize, with_list: bool) -> Vec<u8> {
    let data_len = u32::try_from(data_len).unwrap_or(u32::MAX);
    let list_len = if with_list {
        8 + LIST_INFO.len() as u32
    } else {
        0
    };
    let riff_len = (4 + 8 + 16 + list_len)
        .saturating_add(8)
        .saturating_add(data_len);
    let mut out = Vec::with_capacity(44 + list_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_len.to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16_u32.to_le_bytes());
    out.extend_from_slice(&1_u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1_u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate.saturating_mul(2)).to_le_bytes()); // byte rate
    out.extend_from_slice(&2_u16.to_le_bytes()); // block align
    out.extend_from_slice(&16_u16.to_le_bytes()); // bits per sample
    if with_list {
        out.extend_from_slice(b"LIST");
        out.extend_from_slice(&(LIST_INFO.len() as u32).to_le_bytes());
        out.extend_from_slice(LIST_INFO);
    }
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out
}

/// Samples as raw little-endian bytes.
pub(crate) fn pcm_bytes(samples: &[i16]) -> Vec<u8> {
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}

/// A complete WAV file holding `samples`.
pub(crate) fn file(samples: &[i16], sample_rate: u32, with_list: bool) -> Vec<u8> {
    let mut out = header(sample_rate, samples.len() * 2, with_list);
    out.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_sizes_add_up() {
        let plain = file(&[1, -1], 16_000, false);
        assert_eq!(plain.len(), 48);
        assert_eq!(&plain[36..40], b"data");
        let riff = u32::from_le_bytes([plain[4], plain[5], plain[6], plain[7]]) as usize;
        assert_eq!(riff, plain.len() - 8);

        let listed = file(&[1, -1], 16_000, true);
        let riff = u32::from_le_bytes([listed[4], listed[5], listed[6], listed[7]]) as usize;
        assert_eq!(riff, listed.len() - 8);
        assert_eq!(&listed[36..40], b"LIST");
        assert_eq!(LIST_INFO.len() % 2, 0);
        assert_eq!(
            u32::from_le_bytes([listed[40], listed[41], listed[42], listed[43]]),
            34
        );
    }
}
