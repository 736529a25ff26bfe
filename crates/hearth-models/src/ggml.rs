//! The legacy ggml Whisper file format that whisper.cpp's loader reads, and a
//! structural validator for it.
//!
//! Layout (little endian): magic `0x67676d6c`; `i32` hparams `n_vocab, n_audio_ctx,
//! n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head,
//! n_text_layer, n_mels, ftype`; mel filters `i32 n_mel, i32 n_fft, f32[n_mel*n_fft]`;
//! vocabulary `i32 count`, per token `i32 len` + bytes; then tensors until EOF: `i32 n_dims,
//! i32 name_len, i32 type (0 f32, 1 f16), i32 dims[n_dims]` (reverse numpy order), name,
//! data.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::{ModelError, Result, io_err};

/// The ggml magic number (`"ggml"` as a little-endian u32).
pub const MAGIC: u32 = 0x6767_6d6c;

/// Model hyper-parameters, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HParams {
    /// Vocabulary size including special tokens (51864 for `.en`, 51865+ multilingual).
    pub n_vocab: i32,
    /// Encoder positions (1500).
    pub n_audio_ctx: i32,
    /// Encoder width.
    pub n_audio_state: i32,
    /// Encoder attention heads.
    pub n_audio_head: i32,
    /// Encoder layers.
    pub n_audio_layer: i32,
    /// Decoder positions (448).
    pub n_text_ctx: i32,
    /// Decoder width.
    pub n_text_state: i32,
    /// Decoder attention heads.
    pub n_text_head: i32,
    /// Decoder layers.
    pub n_text_layer: i32,
    /// Mel bands (80).
    pub n_mels: i32,
    /// Weight type: 0 f32, 1 f16.
    pub ftype: i32,
}

impl HParams {
    fn to_array(self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }
    fn from_array(a: [i32; 11]) -> Self {
        Self {
            n_vocab: a[0],
            n_audio_ctx: a[1],
            n_audio_state: a[2],
            n_audio_head: a[3],
            n_audio_layer: a[4],
            n_text_ctx: a[5],
            n_text_state: a[6],
            n_text_head: a[7],
            n_text_layer: a[8],
            n_mels: a[9],
            ftype: a[10],
        }
    }
}

/// Tensor element type in a ggml file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorType {
    /// f32 (code 0).
    F32,
    /// f16 (code 1).
    F16,
}

impl TensorType {
    fn code(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
        }
    }
}

/// Streaming writer of a ggml Whisper file.
pub struct GgmlWriter<W: Write> {
    w: W,
}

impl<W: Write> GgmlWriter<W> {
    /// Writes magic, hparams, mel filters and vocabulary.
    pub fn new(
        mut w: W,
        hp: HParams,
        mel: &[Vec<f32>],
        vocab: &[Vec<u8>],
    ) -> std::io::Result<Self> {
        w.write_all(&MAGIC.to_le_bytes())?;
        for v in hp.to_array() {
            w.write_all(&v.to_le_bytes())?;
        }
        let n_fft = mel.first().map_or(0, Vec::len);
        w.write_all(&(mel.len() as i32).to_le_bytes())?;
        w.write_all(&(n_fft as i32).to_le_bytes())?;
        for row in mel {
            for v in row {
                w.write_all(&v.to_le_bytes())?;
            }
        }
        w.write_all(&(vocab.len() as i32).to_le_bytes())?;
        for t in vocab {
            w.write_all(&(t.len() as i32).to_le_bytes())?;
            w.write_all(t)?;
        }
        Ok(Self { w })
    }

    /// Writes one tensor. `numpy_dims` is outermost first; it is stored reversed.
    pub fn tensor(
        &mut self,
        name: &str,
        numpy_dims: &[usize],
        ty: TensorType,
        data: &[f32],
    ) -> std::io::Result<()> {
        let n: usize = numpy_dims.iter().product();
        if n != data.len() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "tensor {name}: shape {numpy_dims:?} but {} values",
                    data.len()
                ),
            ));
        }
        let w = &mut self.w;
        w.write_all(&(numpy_dims.len() as i32).to_le_bytes())?;
        w.write_all(&(name.len() as i32).to_le_bytes())?;
        w.write_all(&ty.code().to_le_bytes())?;
        for d in numpy_dims.iter().rev() {
            w.write_all(&(*d as i32).to_le_bytes())?;
        }
        w.write_all(name.as_bytes())?;
        let mut buf = Vec::with_capacity(data.len() * 4);
        match ty {
            TensorType::F32 => data
                .iter()
                .for_each(|v| buf.extend_from_slice(&v.to_le_bytes())),
            TensorType::F16 => data
                .iter()
                .for_each(|v| buf.extend_from_slice(&half::f16::from_f32(*v).to_le_bytes())),
        }
        w.write_all(&buf)
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// What [`inspect`] found in a valid-looking ggml file.
#[derive(Debug, Clone)]
pub struct GgmlInfo {
    /// Hyper-parameters.
    pub hparams: HParams,
    /// Mel filter shape `(n_mel, n_fft)`.
    pub mel_shape: (usize, usize),
    /// Number of vocabulary entries stored (regular tokens only).
    pub vocab_len: usize,
    /// Number of tensors.
    pub tensors: usize,
    /// Names of the tensors, in file order.
    pub tensor_names: Vec<String>,
}

/// Walks a ggml Whisper file and checks its structure (magic, plausible hparams,
/// every length and tensor within the file, nothing dangling at the end) without
/// loading weights. Catches random bytes and truncation before whisper.cpp sees the file.
pub fn inspect(path: &Path) -> Result<GgmlInfo> {
    let f = std::fs::File::open(path).map_err(io_err(path))?;
    let len = f.metadata().map_err(io_err(path))?.len();
    let mut r = std::io::BufReader::new(f);
    let corrupt = |reason: String| ModelError::CorruptGgml {
        path: path.to_path_buf(),
        reason,
    };
    let mut pos: u64 = 0;
    let read_i32 = |r: &mut std::io::BufReader<std::fs::File>, pos: &mut u64, what: &str| {
        let mut b = [0u8; 4];
        r.read_exact(&mut b)
            .map_err(|_| corrupt(format!("truncated while reading {what} at offset {pos}")))?;
        *pos += 4;
        Ok::<i32, ModelError>(i32::from_le_bytes(b))
    };
    let magic = read_i32(&mut r, &mut pos, "magic")? as u32;
    if magic != MAGIC {
        return Err(ModelError::NotGgml {
            path: path.to_path_buf(),
            magic,
        });
    }
    let mut a = [0i32; 11];
    for v in &mut a {
        *v = read_i32(&mut r, &mut pos, "hparams")?;
    }
    let hp = HParams::from_array(a);
    let sane = |v: i32, max: i32| v > 0 && v <= max;
    if !(sane(hp.n_vocab, 1 << 20)
        && sane(hp.n_audio_ctx, 1 << 16)
        && sane(hp.n_audio_state, 1 << 14)
        && sane(hp.n_audio_head, 1 << 10)
        && sane(hp.n_audio_layer, 1 << 10)
        && sane(hp.n_text_ctx, 1 << 16)
        && sane(hp.n_text_state, 1 << 14)
        && sane(hp.n_text_head, 1 << 10)
        && sane(hp.n_text_layer, 1 << 10)
        && sane(hp.n_mels, 1 << 10)
        && (0..=64).contains(&(hp.ftype % 1000)))
    {
        return Err(corrupt(format!("implausible hparams {hp:?}")));
    }
    let n_mel = read_i32(&mut r, &mut pos, "mel header")?;
    let n_fft = read_i32(&mut r, &mut pos, "mel header")?;
    if !(sane(n_mel, 1 << 10) && sane(n_fft, 1 << 14)) {
        return Err(corrupt(format!(
            "implausible mel filter shape {n_mel}x{n_fft}"
        )));
    }
    let skip = |r: &mut std::io::BufReader<std::fs::File>, pos: &mut u64, n: u64, what: &str| {
        if *pos + n > len {
            return Err(corrupt(format!(
                "truncated: {what} needs {n} bytes at offset {pos}, file has {len}"
            )));
        }
        r.seek(SeekFrom::Current(n as i64)).map_err(io_err(path))?;
        *pos += n;
        Ok(())
    };
    skip(
        &mut r,
        &mut pos,
        4 * n_mel as u64 * n_fft as u64,
        "mel filters",
    )?;
    let vocab_len = read_i32(&mut r, &mut pos, "vocabulary size")?;
    if !(0..=hp.n_vocab).contains(&vocab_len) {
        return Err(corrupt(format!("vocabulary size {vocab_len} out of range")));
    }
    for _ in 0..vocab_len {
        let l = read_i32(&mut r, &mut pos, "token length")?;
        if !(0..=1024).contains(&l) {
            return Err(corrupt(format!("token length {l} at offset {pos}")));
        }
        skip(&mut r, &mut pos, l as u64, "token")?;
    }
    let mut tensor_names = Vec::new();
    while pos < len {
        let n_dims = read_i32(&mut r, &mut pos, "tensor header")?;
        let name_len = read_i32(&mut r, &mut pos, "tensor header")?;
        let ty = read_i32(&mut r, &mut pos, "tensor header")?;
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_len) {
            return Err(corrupt(format!(
                "bad tensor header (dims {n_dims}, name length {name_len}) at offset {pos}"
            )));
        }
        let elem: u64 = match ty {
            0 => 4,
            1 => 2,
            _ => {
                return Err(corrupt(format!(
                    "unsupported tensor type {ty} at offset {pos}"
                )));
            }
        };
        let mut n: u64 = 1;
        for _ in 0..n_dims {
            let d = read_i32(&mut r, &mut pos, "tensor dims")?;
            if d <= 0 {
                return Err(corrupt(format!("bad tensor dimension {d} at offset {pos}")));
            }
            n = n.saturating_mul(d as u64);
        }
        let mut name = vec![0u8; name_len as usize];
        r.read_exact(&mut name)
            .map_err(|_| corrupt(format!("truncated tensor name at offset {pos}")))?;
        pos += name_len as u64;
        let name = String::from_utf8_lossy(&name).into_owned();
        skip(
            &mut r,
            &mut pos,
            n.saturating_mul(elem),
            &format!("tensor {name}"),
        )?;
        tensor_names.push(name);
    }
    if tensor_names.is_empty() {
        return Err(corrupt("no tensors".into()));
    }
    Ok(GgmlInfo {
        hparams: hp,
        mel_shape: (n_mel as usize, n_fft as usize),
        vocab_len: vocab_len as usize,
        tensors: tensor_names.len(),
        tensor_names,
    })
}
