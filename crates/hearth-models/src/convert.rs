//! CTranslate2 Whisper model directory to ggml f16 (see `shared/docs/whisper-models.md`).
//!
//! Tensor mapping (`E` = `encoder/layer_i`, `D` = `decoder/layer_i`):
//!
//! | CTranslate2 | ggml |
//! |---|---|
//! | `encoder/conv{1,2}/weight`, `bias` | `encoder.conv{1,2}.weight` (f16), `.bias` shape (S,1) f32 |
//! | `encoder/position_encodings/encodings` | `encoder.positional_embedding` (f32) |
//! | `E/self_attention/layer_norm` | `encoder.blocks.i.attn_ln` |
//! | `E/self_attention/linear_0` (3S×S fused) | `attn.query`, `attn.key` (no bias), `attn.value` |
//! | `E/self_attention/linear_1` | `attn.out` |
//! | `E/ffn/{layer_norm,linear_0,linear_1}` | `mlp_ln`, `mlp.0`, `mlp.2` |
//! | `encoder/layer_norm` | `encoder.ln_post` |
//! | `decoder/embeddings/weight` | `decoder.token_embedding.weight` |
//! | `decoder/position_encodings/encodings` | `decoder.positional_embedding` (f32) |
//! | `D/attention/layer_norm`, `linear_0` | `cross_attn_ln`, `cross_attn.query` |
//! | `D/attention/linear_1` (2S×S fused) | `cross_attn.key` (no bias), `cross_attn.value` |
//! | `D/attention/linear_2` | `cross_attn.out` |
//! | `decoder/layer_norm` | `decoder.ln` |
//!
//! 1-D tensors, conv biases and positional embeddings are f32, everything else f16
//! (whisper.cpp checks each tensor's byte size; an all-f32 file crashes it on CPU).

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::ct2::Ct2Model;
use crate::ggml::{GgmlWriter, HParams, TensorType};
use crate::{ModelError, Result, io_err, mel, vocab};

/// Result of a conversion.
#[derive(Debug, Clone)]
pub struct ConversionReport {
    /// The ggml file written.
    pub path: PathBuf,
    /// sha256 of the ggml file.
    pub sha256: String,
    /// Hyper-parameters written.
    pub hparams: HParams,
    /// Number of tensors written.
    pub tensors: usize,
    /// Number of regular vocabulary tokens written.
    pub vocab_len: usize,
}

/// Reads the vocabulary of a CTranslate2 Whisper directory: `vocabulary.txt` (one token
/// per line), else `vocabulary.json` (a JSON list), else `tokenizer.json` (`model.vocab`).
/// Returns token strings in id order, still in GPT-2 byte-to-unicode form.
pub fn read_vocabulary(dir: &Path) -> Result<Vec<String>> {
    let txt = dir.join("vocabulary.txt");
    if txt.exists() {
        let s = std::fs::read_to_string(&txt).map_err(io_err(&txt))?;
        return Ok(s.lines().map(str::to_owned).collect());
    }
    let json = dir.join("vocabulary.json");
    if json.exists() {
        let s = std::fs::read_to_string(&json).map_err(io_err(&json))?;
        return serde_json::from_str(&s)
            .map_err(|e| ModelError::Conversion(format!("vocabulary.json: {e}")));
    }
    let tok = dir.join("tokenizer.json");
    let s = std::fs::read_to_string(&tok).map_err(io_err(&tok))?;
    let v: serde_json::Value = serde_json::from_str(&s)
        .map_err(|e| ModelError::Conversion(format!("tokenizer.json: {e}")))?;
    let map = v
        .pointer("/model/vocab")
        .and_then(|m| m.as_object())
        .ok_or_else(|| ModelError::Conversion("tokenizer.json has no model.vocab".into()))?;
    let mut pairs: Vec<(u64, String)> = map
        .iter()
        .filter_map(|(k, id)| id.as_u64().map(|id| (id, k.clone())))
        .collect();
    for added in v
        .get("added_tokens")
        .and_then(|a| a.as_array())
        .into_iter()
        .flatten()
    {
        if let (Some(id), Some(c)) = (
            added.get("id").and_then(|i| i.as_u64()),
            added.get("content").and_then(|c| c.as_str()),
        ) {
            pairs.push((id, c.to_owned()));
        }
    }
    pairs.sort();
    pairs.dedup_by_key(|p| p.0);
    Ok(pairs.into_iter().map(|(_, t)| t).collect())
}

/// Regular tokens (those before `<|endoftext|>`) decoded to bytes.
pub fn ggml_vocabulary(tokens: &[String]) -> Result<Vec<Vec<u8>>> {
    let eot = tokens
        .iter()
        .position(|t| t == "<|endoftext|>")
        .ok_or_else(|| ModelError::Conversion("vocabulary has no <|endoftext|>".into()))?;
    let table = vocab::unicode_to_byte();
    tokens[..eot]
        .iter()
        .map(|t| {
            vocab::decode_token(t, &table).ok_or_else(|| {
                ModelError::Conversion(format!("token {t:?} is not GPT-2 byte-level text"))
            })
        })
        .collect()
}

fn count_layers(m: &Ct2Model, prefix: &str) -> usize {
    (0..)
        .take_while(|i| {
            m.variables
                .contains_key(&format!("{prefix}/layer_{i}/ffn/layer_norm/gamma"))
        })
        .count()
}

fn dim(v: &crate::ct2::Variable, i: usize, name: &str) -> Result<usize> {
    v.dims
        .get(i)
        .copied()
        .ok_or_else(|| ModelError::Conversion(format!("{name}: unexpected shape {:?}", v.dims)))
}

fn to_i32(v: usize, what: &str) -> Result<i32> {
    i32::try_from(v).map_err(|_| ModelError::Conversion(format!("{what} too large: {v}")))
}

/// Converts a parsed model plus vocabulary into a ggml file at `dest`.
pub fn convert_model(model: &Ct2Model, tokens: &[String], dest: &Path) -> Result<ConversionReport> {
    if model.spec != "WhisperSpec" {
        return Err(ModelError::Conversion(format!(
            "not a Whisper model (spec {:?})",
            model.spec
        )));
    }
    let conv1 = model.get("encoder/conv1/weight")?;
    let emb = model.get("decoder/embeddings/weight")?;
    let epe = model.get("encoder/position_encodings/encodings")?;
    let dpe = model.get("decoder/position_encodings/encodings")?;
    let s = dim(conv1, 0, "conv1")?;
    let n_mels = dim(conv1, 1, "conv1")?;
    let n_audio_layer = count_layers(model, "encoder");
    let n_text_layer = count_layers(model, "decoder");
    if n_audio_layer == 0 || n_text_layer == 0 {
        return Err(ModelError::Conversion(
            "no encoder or decoder layers".into(),
        ));
    }
    let hp = HParams {
        n_vocab: to_i32(dim(emb, 0, "embeddings")?, "n_vocab")?,
        n_audio_ctx: to_i32(dim(epe, 0, "encoder positions")?, "n_audio_ctx")?,
        n_audio_state: to_i32(s, "n_audio_state")?,
        n_audio_head: to_i32(
            model.get("encoder/num_heads")?.as_int()?.max(0) as usize,
            "heads",
        )?,
        n_audio_layer: to_i32(n_audio_layer, "layers")?,
        n_text_ctx: to_i32(dim(dpe, 0, "decoder positions")?, "n_text_ctx")?,
        n_text_state: to_i32(dim(emb, 1, "embeddings")?, "n_text_state")?,
        n_text_head: to_i32(
            model.get("decoder/num_heads")?.as_int()?.max(0) as usize,
            "heads",
        )?,
        n_text_layer: to_i32(n_text_layer, "layers")?,
        n_mels: to_i32(n_mels, "n_mels")?,
        ftype: 1,
    };
    if n_mels != 80 {
        return Err(ModelError::Conversion(format!(
            "{n_mels} mel bands: only 80-mel models (not large-v3) are supported"
        )));
    }
    let vocab = ggml_vocabulary(tokens)?;
    let mel = mel::whisper_mel_filters();

    let tmp = dest.with_extension("bin.converting");
    let file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
    let mut w = GgmlWriter::new(BufWriter::new(file), hp, &mel, &vocab).map_err(io_err(&tmp))?;
    let mut count = 0usize;
    let mut emit = |name: &str, dims: &[usize], data: &[f32]| -> Result<()> {
        let f32_tensor = dims.len() == 1
            || name.ends_with("positional_embedding")
            || (name.starts_with("encoder.conv") && name.ends_with(".bias"));
        let ty = if f32_tensor {
            TensorType::F32
        } else {
            TensorType::F16
        };
        count += 1;
        w.tensor(name, dims, ty, data).map_err(io_err(&tmp))
    };
    let get = |name: &str| -> Result<(Vec<usize>, Vec<f32>)> {
        let v = model.get(name)?;
        Ok((v.dims.clone(), v.to_f32()?))
    };

    for c in ["conv1", "conv2"] {
        let (d, w) = get(&format!("encoder/{c}/weight"))?;
        emit(&format!("encoder.{c}.weight"), &d, &w)?;
        let (d, b) = get(&format!("encoder/{c}/bias"))?;
        emit(&format!("encoder.{c}.bias"), &[dim_of(&d, 0)?, 1], &b)?;
    }
    let (d, v) = get("encoder/position_encodings/encodings")?;
    emit("encoder.positional_embedding", &d, &v)?;
    let (d, v) = get("decoder/embeddings/weight")?;
    emit("decoder.token_embedding.weight", &d, &v)?;
    let (d, v) = get("decoder/position_encodings/encodings")?;
    emit("decoder.positional_embedding", &d, &v)?;
    for (src, dst) in [
        ("encoder/layer_norm", "encoder.ln_post"),
        ("decoder/layer_norm", "decoder.ln"),
    ] {
        layer_norm(&get, &mut emit, src, dst)?;
    }

    for (side, n) in [("encoder", n_audio_layer), ("decoder", n_text_layer)] {
        for i in 0..n {
            let src = format!("{side}/layer_{i}");
            let dst = format!("{side}.blocks.{i}");
            layer_norm(
                &get,
                &mut emit,
                &format!("{src}/self_attention/layer_norm"),
                &format!("{dst}.attn_ln"),
            )?;
            split_linear(
                &get,
                &mut emit,
                &format!("{src}/self_attention/linear_0"),
                &[
                    (format!("{dst}.attn.query"), true),
                    (format!("{dst}.attn.key"), false),
                    (format!("{dst}.attn.value"), true),
                ],
            )?;
            linear(
                &get,
                &mut emit,
                &format!("{src}/self_attention/linear_1"),
                &format!("{dst}.attn.out"),
            )?;
            if side == "decoder" {
                layer_norm(
                    &get,
                    &mut emit,
                    &format!("{src}/attention/layer_norm"),
                    &format!("{dst}.cross_attn_ln"),
                )?;
                linear(
                    &get,
                    &mut emit,
                    &format!("{src}/attention/linear_0"),
                    &format!("{dst}.cross_attn.query"),
                )?;
                split_linear(
                    &get,
                    &mut emit,
                    &format!("{src}/attention/linear_1"),
                    &[
                        (format!("{dst}.cross_attn.key"), false),
                        (format!("{dst}.cross_attn.value"), true),
                    ],
                )?;
                linear(
                    &get,
                    &mut emit,
                    &format!("{src}/attention/linear_2"),
                    &format!("{dst}.cross_attn.out"),
                )?;
            }
            layer_norm(
                &get,
                &mut emit,
                &format!("{src}/ffn/layer_norm"),
                &format!("{dst}.mlp_ln"),
            )?;
            linear(
                &get,
                &mut emit,
                &format!("{src}/ffn/linear_0"),
                &format!("{dst}.mlp.0"),
            )?;
            linear(
                &get,
                &mut emit,
                &format!("{src}/ffn/linear_1"),
                &format!("{dst}.mlp.2"),
            )?;
        }
    }

    let file = w.finish().map_err(io_err(&tmp))?;
    file.into_inner()
        .map_err(|e| ModelError::Io {
            path: tmp.clone(),
            source: e.into_error(),
        })?
        .sync_all()
        .map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, dest).map_err(io_err(dest))?;
    let sha256 = crate::sha256_file(dest)?;
    Ok(ConversionReport {
        path: dest.to_path_buf(),
        sha256,
        hparams: hp,
        tensors: count,
        vocab_len: vocab.len(),
    })
}

fn dim_of(d: &[usize], i: usize) -> Result<usize> {
    d.get(i)
        .copied()
        .ok_or_else(|| ModelError::Conversion(format!("unexpected shape {d:?}")))
}

type Getter<'a> = dyn Fn(&str) -> Result<(Vec<usize>, Vec<f32>)> + 'a;
type Emitter<'a> = dyn FnMut(&str, &[usize], &[f32]) -> Result<()> + 'a;

fn layer_norm(get: &Getter<'_>, emit: &mut Emitter<'_>, src: &str, dst: &str) -> Result<()> {
    let (d, g) = get(&format!("{src}/gamma"))?;
    emit(&format!("{dst}.weight"), &d, &g)?;
    let (d, b) = get(&format!("{src}/beta"))?;
    emit(&format!("{dst}.bias"), &d, &b)
}

fn linear(get: &Getter<'_>, emit: &mut Emitter<'_>, src: &str, dst: &str) -> Result<()> {
    let (d, w) = get(&format!("{src}/weight"))?;
    emit(&format!("{dst}.weight"), &d, &w)?;
    let (d, b) = get(&format!("{src}/bias"))?;
    emit(&format!("{dst}.bias"), &d, &b)
}

/// Splits a fused projection (`k·S × S` weight, `k·S` bias) into `k` row blocks.
fn split_linear(
    get: &Getter<'_>,
    emit: &mut Emitter<'_>,
    src: &str,
    parts: &[(String, bool)],
) -> Result<()> {
    let (d, w) = get(&format!("{src}/weight"))?;
    let (_, b) = get(&format!("{src}/bias"))?;
    let rows = dim_of(&d, 0)?;
    let cols = dim_of(&d, 1)?;
    let k = parts.len();
    if d.len() != 2 || rows % k != 0 || b.len() != rows {
        return Err(ModelError::Conversion(format!(
            "{src}: cannot split shape {d:?} into {k} parts"
        )));
    }
    let s = rows / k;
    for (j, (name, with_bias)) in parts.iter().enumerate() {
        emit(
            &format!("{name}.weight"),
            &[s, cols],
            &w[j * s * cols..(j + 1) * s * cols],
        )?;
        if *with_bias {
            emit(&format!("{name}.bias"), &[s], &b[j * s..(j + 1) * s])?;
        }
    }
    Ok(())
}

/// Converts a CTranslate2 Whisper directory (`model.bin`, `config.json`, vocabulary)
/// to a ggml f16 file at `dest` (written to a temporary name, then renamed).
pub fn convert_ct2_dir(dir: &Path, dest: &Path) -> Result<ConversionReport> {
    let model = Ct2Model::read(&dir.join("model.bin"))?;
    let tokens = read_vocabulary(dir)?;
    convert_model(&model, &tokens, dest)
}
