//! The legacy ggml Whisper file format that whisper.cpp's loader reads, and a
//! structural validator for it.
//!
//! Layout (little endian): magic `0x67676d6c`; `i32` hparams `n_vocab, n_audio_ctx,
//! n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head,
//! n_text_layer, n_mels, ftype`; mel filters `i32 n_mel, i32 n_fft, f32[n_mel*n_fft]`;
//! vocabulary `i32 count`, per token `i32 len` + bytes; then tensors until EOF: `i32 n_dims,
//! i32 name_len, i32 type (0 f32, 1 f16), i32 dims[n_dims]` (reverse numpy order), name,
//! data.

use std::io::{Read, Write};
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
    /// 4-bit blocks of 32 with an f16 scale (code 2); read, not written.
    Q4_0,
    /// 4-bit blocks of 32 with an f16 scale and minimum (code 3); read, not written.
    Q4_1,
    /// 5-bit blocks of 32 with an f16 scale (code 6); read, not written.
    Q5_0,
    /// 5-bit blocks of 32 with an f16 scale and minimum (code 7).
    Q5_1,
    /// 8-bit blocks of 32 with an f16 scale (code 8).
    Q8_0,
}

impl TensorType {
    /// The type for a ggml type code, if Hearth knows it.
    pub fn from_ggml(code: i32) -> Option<Self> {
        Some(match code {
            0 => Self::F32,
            1 => Self::F16,
            2 => Self::Q4_0,
            3 => Self::Q4_1,
            6 => Self::Q5_0,
            7 => Self::Q5_1,
            8 => Self::Q8_0,
            _ => return None,
        })
    }

    fn code(self) -> i32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q4_0 => 2,
            Self::Q4_1 => 3,
            Self::Q5_0 => 6,
            Self::Q5_1 => 7,
            Self::Q8_0 => 8,
        }
    }

    /// Values per block (1 for the float types).
    pub fn block_len(self) -> usize {
        match self {
            Self::F32 | Self::F16 => 1,
            _ => 32,
        }
    }

    /// Bytes per block.
    pub fn block_bytes(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F16 => 2,
            Self::Q4_0 => 18,
            Self::Q4_1 => 20,
            Self::Q5_0 => 22,
            Self::Q5_1 => 24,
            Self::Q8_0 => 34,
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
        let row_len = numpy_dims.last().copied().unwrap_or(0);
        if !row_len.is_multiple_of(ty.block_len()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "tensor {name}: rows of {row_len} values cannot be cut into {}-value blocks",
                    ty.block_len()
                ),
            ));
        }
        let mut buf = Vec::with_capacity(data.len() / ty.block_len() * ty.block_bytes());
        match ty {
            TensorType::F32 => data
                .iter()
                .for_each(|v| buf.extend_from_slice(&v.to_le_bytes())),
            TensorType::F16 => data
                .iter()
                .for_each(|v| buf.extend_from_slice(&half::f16::from_f32(*v).to_le_bytes())),
            TensorType::Q8_0 => data
                .chunks_exact(32)
                .for_each(|block| quantize_q8_0(block, &mut buf)),
            TensorType::Q5_1 => data
                .chunks_exact(32)
                .for_each(|block| quantize_q5_1(block, &mut buf)),
            TensorType::Q4_0 | TensorType::Q4_1 | TensorType::Q5_0 => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    format!("tensor {name}: Hearth writes q8_0 and q5_1, not {ty:?}"),
                ));
            }
        }
        w.write_all(&buf)
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.w.flush()?;
        Ok(self.w)
    }
}

/// Appends one q8_0 block (ggml's `quantize_row_q8_0_ref`): an f16 scale `max|x| / 127`,
/// then the 32 values divided by it, rounded to `i8`.
fn quantize_q8_0(block: &[f32], out: &mut Vec<u8>) {
    let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
    // `as i8` saturates; |x·id| ≤ 127 by construction anyway.
    out.extend(block.iter().map(|v| (v * id).round() as i8 as u8));
}

/// Appends one q5_1 block (ggml's `quantize_row_q5_1_ref`): f16 scale `(max − min) / 31` and
/// f16 minimum, the 32 fifth bits packed in a `u32`, then the low nibbles of values `j` and
/// `j + 16` sharing byte `j`.
fn quantize_q5_1(block: &[f32], out: &mut Vec<u8>) {
    let min = block.iter().fold(f32::INFINITY, |m, v| m.min(*v));
    let max = block.iter().fold(f32::NEG_INFINITY, |m, v| m.max(*v));
    let d = (max - min) / 31.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
    out.extend_from_slice(&half::f16::from_f32(min).to_le_bytes());
    // ggml truncates `x + 0.5` to an integer (round half up for these non-negative values).
    let q = |v: f32| ((v - min) * id + 0.5) as u8;
    let mut qh: u32 = 0;
    let mut qs = [0u8; 16];
    for j in 0..16 {
        let (lo, hi) = (q(block[j]), q(block[j + 16]));
        qs[j] = (lo & 0x0F) | ((hi & 0x0F) << 4);
        qh |= u32::from((lo & 0x10) >> 4) << j;
        qh |= u32::from((hi & 0x10) >> 4) << (j + 16);
    }
    out.extend_from_slice(&qh.to_le_bytes());
    out.extend_from_slice(&qs);
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
        // `seek_relative` keeps the buffer for short skips (a token's bytes); `seek` would
        // drop it and cost two system calls for each of the ~50,000 tokens.
        r.seek_relative(n as i64).map_err(io_err(path))?;
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
        let Some(tensor_type) = TensorType::from_ggml(ty) else {
            return Err(corrupt(format!(
                "unsupported tensor type {ty} at offset {pos}"
            )));
        };
        let mut n: u64 = 1;
        let mut row_len: u64 = 0;
        for dim in 0..n_dims {
            let d = read_i32(&mut r, &mut pos, "tensor dims")?;
            if d <= 0 {
                return Err(corrupt(format!("bad tensor dimension {d} at offset {pos}")));
            }
            if dim == 0 {
                row_len = d as u64;
            }
            n = n.saturating_mul(d as u64);
        }
        let block = tensor_type.block_len() as u64;
        if !row_len.is_multiple_of(block) {
            return Err(corrupt(format!(
                "tensor row of {row_len} values is not a whole number of {block}-value blocks at offset {pos}"
            )));
        }
        let bytes = (n / block).saturating_mul(tensor_type.block_bytes() as u64);
        let mut name = vec![0u8; name_len as usize];
        r.read_exact(&mut name)
            .map_err(|_| corrupt(format!("truncated tensor name at offset {pos}")))?;
        pos += name_len as u64;
        let name = String::from_utf8_lossy(&name).into_owned();
        skip(&mut r, &mut pos, bytes, &format!("tensor {name}"))?;
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

/// ggml's `GGML_QNT_VERSION`: a quantised file stores `ftype + 1000 * version` in its hparams.
const QNT_VERSION_FACTOR: i32 = 1000;
const QNT_VERSION: i32 = 2;

/// Tensors whisper.cpp keeps in f32/f16 even in a quantised model (whisper.cpp's
/// `examples/quantize` skips exactly these; its loader creates them unquantised).
const KEEP_UNQUANTISED: &[&str] = &[
    "encoder.positional_embedding",
    "decoder.positional_embedding",
    "encoder.conv1.bias",
    "encoder.conv2.bias",
];

/// Writes a copy of the f16/f32 ggml model `src` to `dest` with its weight matrices
/// quantised to `ty` ([`TensorType::Q8_0`] or [`TensorType::Q5_1`]), as whisper.cpp's own
/// `quantize` tool does: every 2-D tensor except the positional embeddings and conv biases.
/// Smaller (q5_1 is 41 % of f16) and faster to run on CPU. The output is written to
/// `<dest>.quantizing` and renamed into place only when complete; `src` is checked with
/// [`inspect`] first, and the result is inspected before it is returned.
pub fn quantize(src: &Path, dest: &Path, ty: TensorType) -> Result<GgmlInfo> {
    let ftype = match ty {
        TensorType::Q8_0 => 7,
        TensorType::Q5_1 => 9,
        other => {
            return Err(ModelError::Conversion(format!(
                "Hearth quantises to q8_0 or q5_1, not {other:?}"
            )));
        }
    };
    let info = inspect(src)?;
    if info.hparams.ftype % QNT_VERSION_FACTOR > 1 {
        return Err(ModelError::Conversion(format!(
            "{} is already quantised (ftype {}); start from an f16 model",
            src.display(),
            info.hparams.ftype
        )));
    }
    let tmp = dest.with_extension("bin.quantizing");
    let result = write_quantized(src, &tmp, ty, ftype, &info);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, dest).map_err(io_err(dest))?;
    inspect(dest)
}

fn write_quantized(
    src: &Path,
    tmp: &Path,
    ty: TensorType,
    ftype: i32,
    info: &GgmlInfo,
) -> Result<()> {
    // `src` passed `inspect`, so every length below is known to be in the file; a read
    // error now means the file changed underneath us and is reported as such.
    let mut r = std::io::BufReader::new(std::fs::File::open(src).map_err(io_err(src))?);
    let read_i32 = |r: &mut std::io::BufReader<std::fs::File>| -> Result<i32> {
        let mut b = [0u8; 4];
        r.read_exact(&mut b).map_err(io_err(src))?;
        Ok(i32::from_le_bytes(b))
    };
    let read_bytes = |r: &mut std::io::BufReader<std::fs::File>, n: usize| -> Result<Vec<u8>> {
        let mut b = vec![0u8; n];
        r.read_exact(&mut b).map_err(io_err(src))?;
        Ok(b)
    };
    // Header: magic and hparams (re-written with the new ftype), mel filters, vocabulary.
    read_bytes(&mut r, 4 + 11 * 4)?;
    let hp = HParams {
        ftype: ftype + QNT_VERSION * QNT_VERSION_FACTOR,
        ..info.hparams
    };
    let (n_mel, n_fft) = (read_i32(&mut r)? as usize, read_i32(&mut r)? as usize);
    let mel_bytes = read_bytes(&mut r, 4 * n_mel * n_fft)?;
    let mel: Vec<Vec<f32>> = mel_bytes
        .chunks_exact(4 * n_fft.max(1))
        .map(|row| {
            row.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect()
        })
        .collect();
    let vocab_len = read_i32(&mut r)? as usize;
    let mut vocab = Vec::with_capacity(vocab_len);
    for _ in 0..vocab_len {
        let l = read_i32(&mut r)? as usize;
        vocab.push(read_bytes(&mut r, l)?);
    }
    let file = std::fs::File::create(tmp).map_err(io_err(tmp))?;
    let mut w =
        GgmlWriter::new(std::io::BufWriter::new(file), hp, &mel, &vocab).map_err(io_err(tmp))?;
    for _ in 0..info.tensors {
        let n_dims = read_i32(&mut r)? as usize;
        let name_len = read_i32(&mut r)? as usize;
        let code = read_i32(&mut r)?;
        let mut dims = Vec::with_capacity(n_dims);
        for _ in 0..n_dims {
            dims.push(read_i32(&mut r)? as usize);
        }
        let name = String::from_utf8_lossy(&read_bytes(&mut r, name_len)?).into_owned();
        let n: usize = dims.iter().product();
        let values: Vec<f32> = match TensorType::from_ggml(code) {
            Some(TensorType::F32) => read_bytes(&mut r, 4 * n)?
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Some(TensorType::F16) => read_bytes(&mut r, 2 * n)?
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            _ => {
                return Err(ModelError::Conversion(format!(
                    "tensor {name} is already quantised (type {code}); start from an f16 model"
                )));
            }
        };
        let keep = if code == 0 {
            TensorType::F32
        } else {
            TensorType::F16
        };
        let out_ty = if n_dims == 2 && !KEEP_UNQUANTISED.contains(&name.as_str()) {
            ty
        } else {
            keep
        };
        // The file stores dims innermost first; the writer takes them outermost first.
        let numpy_dims: Vec<usize> = dims.iter().rev().copied().collect();
        w.tensor(&name, &numpy_dims, out_ty, &values)
            .map_err(io_err(tmp))?;
    }
    let file = w
        .finish()
        .map_err(io_err(tmp))?
        .into_inner()
        .map_err(|e| ModelError::Io {
            path: tmp.to_path_buf(),
            source: e.into_error(),
        })?;
    file.sync_all().map_err(io_err(tmp))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dequantises one q8_0 block the way ggml does.
    fn dequant_q8_0(b: &[u8]) -> Vec<f32> {
        let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
        b[2..34].iter().map(|q| f32::from(*q as i8) * d).collect()
    }

    /// Dequantises one q5_1 block the way ggml does (`dequantize_row_q5_1`).
    fn dequant_q5_1(b: &[u8]) -> Vec<f32> {
        let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
        let m = half::f16::from_le_bytes([b[2], b[3]]).to_f32();
        let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
        let qs = &b[8..24];
        let mut out = vec![0f32; 32];
        for j in 0..16 {
            let xh0 = (((qh >> j) << 4) & 0x10) as u8;
            let xh1 = ((qh >> (j + 12)) & 0x10) as u8;
            out[j] = f32::from((qs[j] & 0x0F) | xh0) * d + m;
            out[j + 16] = f32::from((qs[j] >> 4) | xh1) * d + m;
        }
        out
    }

    fn block() -> Vec<f32> {
        (0..32)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.013)
            .collect()
    }

    #[test]
    fn q8_0_blocks_round_trip_within_half_a_step() {
        let x = block();
        let mut out = Vec::new();
        quantize_q8_0(&x, &mut out);
        assert_eq!(out.len(), TensorType::Q8_0.block_bytes());
        let step = x.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
        for (a, b) in x.iter().zip(dequant_q8_0(&out)) {
            assert!((a - b).abs() <= step * 0.51, "{a} vs {b}");
        }
    }

    #[test]
    fn q5_1_blocks_round_trip_within_half_a_step() {
        let x = block();
        let mut out = Vec::new();
        quantize_q5_1(&x, &mut out);
        assert_eq!(out.len(), TensorType::Q5_1.block_bytes());
        let (min, max) = x
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        let step = (max - min) / 31.0;
        // f16 rounding of the scale and minimum adds a little on top of half a step.
        for (a, b) in x.iter().zip(dequant_q5_1(&out)) {
            assert!((a - b).abs() <= step * 0.55, "{a} vs {b}");
        }
    }

    #[test]
    fn constant_blocks_quantise_without_dividing_by_zero() {
        let zeros = [0f32; 32];
        let mut out = Vec::new();
        quantize_q8_0(&zeros, &mut out);
        assert!(dequant_q8_0(&out).iter().all(|v| *v == 0.0));
        let mut out = Vec::new();
        quantize_q5_1(&[0.25f32; 32], &mut out);
        assert!(dequant_q5_1(&out).iter().all(|v| (*v - 0.25).abs() < 1e-3));
    }
}
