//! Randomness and mutations shared by the wire fuzz tests (short, in `cargo test`) and the
//! long-running fuzzer (`cargo run --release -p hearth-wire --example fuzz_wire`).

/// xorshift64*: deterministic and dependency-free, so a failure replays from its seed.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// A random byte.
    pub fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// Up to `max_edits` + 1 random edits of `frame`: bit flips, byte overwrites, truncation,
/// insertion, removal, and splices of chunks of the `seeds`.
pub fn mutate(rng: &mut Rng, frame: &mut Vec<u8>, seeds: &[Vec<u8>], max_edits: usize) {
    for _ in 0..=rng.below(max_edits) {
        if frame.is_empty() {
            break;
        }
        let at = rng.below(frame.len());
        match rng.below(6) {
            0 => frame[at] ^= 1 << rng.below(8),
            1 => frame[at] = rng.byte(),
            2 => frame.truncate(at),
            3 => frame.insert(at, rng.byte()),
            4 => {
                frame.remove(at);
            }
            _ => {
                let other = &seeds[rng.below(seeds.len())];
                if other.is_empty() {
                    continue;
                }
                let from = rng.below(other.len());
                let to = (from + rng.below(16)).min(other.len());
                frame.splice(at..at, other[from..to].iter().copied());
            }
        }
    }
}

/// `len` random bytes.
pub fn garbage(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.byte()).collect()
}
