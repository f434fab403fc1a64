//! Newline-delimited JSON, split at the byte level.
//!
//! A network read can end anywhere, including inside a multibyte IPA symbol, so bytes are split
//! on `\n` before anything is decoded as UTF-8. A line that arrives whole inside one read is
//! handed out in place; only a line that spans reads is copied into the carry buffer.

use memchr::memchr;

use super::error::{InworldError, Result};

/// The default bound on one line (audio lines of long sentences are several MB).
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Splits a byte stream into lines, across arbitrary read boundaries.
#[derive(Debug)]
pub(crate) struct LineSplitter {
    carry: Vec<u8>,
    max_line: usize,
}

impl Default for LineSplitter {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE_BYTES)
    }
}

impl LineSplitter {
    /// A splitter refusing lines longer than `max_line` bytes.
    pub fn new(max_line: usize) -> Self {
        LineSplitter {
            carry: Vec::new(),
            max_line,
        }
    }

    /// Feeds the next read; calls `on_line` for every complete, non-blank line (without its
    /// `\n` or `\r\n`).
    pub fn push(
        &mut self,
        mut bytes: &[u8],
        mut on_line: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        while let Some(newline) = memchr(b'\n', bytes) {
            let head = &bytes[..newline];
            bytes = &bytes[newline + 1..];
            if self.carry.is_empty() {
                emit(head, &mut on_line)?;
            } else {
                self.check_len(self.carry.len() + head.len())?;
                self.carry.extend_from_slice(head);
                let result = emit(&self.carry, &mut on_line);
                self.carry.clear();
                result?;
            }
        }
        self.check_len(self.carry.len() + bytes.len())?;
        self.carry.extend_from_slice(bytes);
        Ok(())
    }

    /// Ends the stream: a last line without a trailing newline is still a line.
    pub fn finish(&mut self, mut on_line: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let last = std::mem::take(&mut self.carry);
        emit(&last, &mut on_line)
    }

    fn check_len(&self, len: usize) -> Result<()> {
        if len > self.max_line {
            return Err(InworldError::Protocol(format!(
                "a response line exceeds {} bytes; refusing to buffer more",
                self.max_line
            )));
        }
        Ok(())
    }
}

fn emit(line: &[u8], on_line: &mut impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    on_line(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(reads: &[&[u8]]) -> Vec<Vec<u8>> {
        let mut splitter = LineSplitter::default();
        let mut lines = Vec::new();
        for read in reads {
            splitter
                .push(read, |l| {
                    lines.push(l.to_vec());
                    Ok(())
                })
                .unwrap();
        }
        splitter
            .finish(|l| {
                lines.push(l.to_vec());
                Ok(())
            })
            .unwrap();
        lines
    }

    #[test]
    fn every_split_point_gives_the_same_lines() {
        let body = "{\"a\":\"oʊ1\"}\r\n\n{\"b\":\"θ\"}\n{\"c\":1}".as_bytes();
        let expected = split_all(&[body]);
        assert_eq!(expected.len(), 3);
        for cut in 0..=body.len() {
            assert_eq!(
                split_all(&[&body[..cut], &body[cut..]]),
                expected,
                "cut {cut}"
            );
        }
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(split_all(&bytes), expected);
    }

    #[test]
    fn refuses_unbounded_lines() {
        let mut splitter = LineSplitter::new(8);
        assert!(splitter.push(b"12345", |_| Ok(())).is_ok());
        assert!(matches!(
            splitter.push(b"6789", |_| Ok(())),
            Err(InworldError::Protocol(_))
        ));
    }
}
