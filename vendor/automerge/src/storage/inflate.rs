//! A process-wide cap on how many bytes compressed data may inflate to while parsing.
//!
//! A compressed change chunk, or the compressed columns of a change or document, can inflate
//! to gigabytes from a few hundred kilobytes (a "deflate bomb"). A process that parses changes
//! from other parties — a sync server — sets [`set_max_inflated_bytes`] so that such input fails
//! to parse with an error instead of taking all its memory. The default is no limit, which is
//! the behaviour of earlier releases.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

static MAX_INFLATED_BYTES: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Sets the largest number of bytes that one compressed change chunk, or the compressed
/// columns of one change or document chunk together, may inflate to while parsing. Parsing
/// anything that would inflate further fails. Applies to the whole process.
pub fn set_max_inflated_bytes(limit: usize) {
    MAX_INFLATED_BYTES.store(limit, Ordering::Relaxed);
}

/// The current limit set by [`set_max_inflated_bytes`] (`usize::MAX`: none).
pub fn max_inflated_bytes() -> usize {
    MAX_INFLATED_BYTES.load(Ordering::Relaxed)
}

/// Inflates raw DEFLATE data `input` onto the end of `out`; fails, leaving `out` as it was, if
/// it would produce more than `budget` bytes. Returns the number of bytes produced.
pub(crate) fn inflate_into(input: &[u8], out: &mut Vec<u8>, budget: usize) -> std::io::Result<usize> {
    let start = out.len();
    let limit = u64::try_from(budget).unwrap_or(u64::MAX).saturating_add(1);
    let produced = flate2::bufread::DeflateDecoder::new(input)
        .take(limit)
        .read_to_end(out)?;
    if produced > budget {
        out.truncate(start);
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "compressed data inflates past the limit of {budget} bytes (automerge::set_max_inflated_bytes)"
            ),
        ));
    }
    Ok(produced)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::inflate_into;

    fn deflate(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::bufread::DeflateEncoder::new(bytes, flate2::Compression::default())
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn inflate_stops_at_the_budget_and_leaves_out_as_it_was() {
        let zeros = vec![0u8; 1 << 20];
        let compressed = deflate(&zeros);
        let mut out = b"kept".to_vec();
        let err = inflate_into(&compressed, &mut out, 1000).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        assert_eq!(out, b"kept");
        assert_eq!(inflate_into(&compressed, &mut out, 1 << 20).unwrap(), 1 << 20);
        assert_eq!(out.len(), 4 + (1 << 20));
    }
}
