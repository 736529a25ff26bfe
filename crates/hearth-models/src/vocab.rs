//! GPT-2 byte-level BPE: the byte-to-unicode table that turns token strings in
//! `vocabulary.txt` / `tokenizer.json` back into the raw bytes whisper.cpp expects.

use std::collections::HashMap;

/// GPT-2's `bytes_to_unicode()`: index = byte, value = the printable char standing for it.
pub fn byte_to_unicode() -> [char; 256] {
    let mut printable: Vec<u32> = Vec::with_capacity(256);
    printable.extend(u32::from(b'!')..=u32::from(b'~'));
    printable.extend(0xA1..=0xAC);
    printable.extend(0xAE..=0xFF);
    let mut table = ['\0'; 256];
    let mut extra = 0u32;
    for b in 0u32..256 {
        let cp = if printable.contains(&b) {
            b
        } else {
            extra += 1;
            255 + extra
        };
        // All code points here are < 0x200, so `from_u32` cannot fail.
        table[b as usize] = char::from_u32(cp).unwrap_or('\u{FFFD}');
    }
    table
}

/// The inverse table: printable char to byte.
pub fn unicode_to_byte() -> HashMap<char, u8> {
    byte_to_unicode()
        .iter()
        .enumerate()
        .map(|(b, &c)| (c, b as u8))
        .collect()
}

/// Decodes one token string from GPT-2's byte-level form to its bytes.
/// Returns `None` if a character is not in the table (e.g. a special token like `<|endoftext|>`
/// is still fine: its characters are all printable ASCII).
pub fn decode_token(token: &str, table: &HashMap<char, u8>) -> Option<Vec<u8>> {
    token.chars().map(|c| table.get(&c).copied()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt2_table() {
        let t = byte_to_unicode();
        assert_eq!(t[b'A' as usize], 'A');
        assert_eq!(t[b'!' as usize], '!');
        assert_eq!(t[0], '\u{100}'); // first non-printable byte
        assert_eq!(t[b'\n' as usize], '\u{10A}'); // 'Ċ'
        assert_eq!(t[b' ' as usize], '\u{120}'); // 'Ġ'
        assert_eq!(t[0xAD], '\u{143}'); // soft hyphen is remapped
        assert_eq!(t[0xFF], '\u{FF}');
        let mut seen = std::collections::HashSet::new();
        assert!(
            t.iter().all(|c| seen.insert(*c)),
            "table must be a bijection"
        );
        let inv = unicode_to_byte();
        assert_eq!(decode_token("Ġhello", &inv), Some(b" hello".to_vec()));
        assert_eq!(decode_token("ĊĊ", &inv), Some(b"\n\n".to_vec()));
        // "é" in UTF-8 is C3 A9, which GPT-2 writes as "Ã©".
        assert_eq!(decode_token("Ã©", &inv), Some("é".as_bytes().to_vec()));
        assert_eq!(decode_token("\u{4e2d}", &inv), None);
    }
}
