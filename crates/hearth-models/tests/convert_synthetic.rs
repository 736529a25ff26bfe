//! Converts a tiny synthetic CTranslate2 Whisper model and checks the ggml output.

use std::collections::BTreeSet;

use hearth_models::convert::{convert_ct2_dir, ggml_vocabulary, read_vocabulary};
use hearth_models::ct2::{DType, write_model_bin};
use hearth_models::ggml;

const S: usize = 4;

fn f16s(n: usize, seed: f32) -> Vec<u8> {
    (0..n)
        .flat_map(|i| half::f16::from_f32(seed + i as f32 * 0.001).to_le_bytes())
        .collect()
}

struct Vars(Vec<(String, Vec<usize>, DType, Vec<u8>)>);

impl Vars {
    fn f(&mut self, name: &str, dims: &[usize]) {
        let n = dims.iter().product();
        let seed = self.0.len() as f32;
        self.0
            .push((name.into(), dims.to_vec(), DType::F16, f16s(n, seed)));
    }
    fn lin(&mut self, p: &str, out: usize, inp: usize) {
        self.f(&format!("{p}/weight"), &[out, inp]);
        self.f(&format!("{p}/bias"), &[out]);
    }
    fn ln(&mut self, p: &str) {
        self.f(&format!("{p}/gamma"), &[S]);
        self.f(&format!("{p}/beta"), &[S]);
    }
}

fn synthetic_model(n_vocab: usize) -> Vec<u8> {
    let mut v = Vars(Vec::new());
    v.f("encoder/conv1/weight", &[S, 80, 3]);
    v.f("encoder/conv1/bias", &[S]);
    v.f("encoder/conv2/weight", &[S, S, 3]);
    v.f("encoder/conv2/bias", &[S]);
    v.f("encoder/position_encodings/encodings", &[10, S]);
    v.ln("encoder/layer_norm");
    v.f("decoder/embeddings/weight", &[n_vocab, S]);
    v.f("decoder/position_encodings/encodings", &[6, S]);
    v.ln("decoder/layer_norm");
    for side in ["encoder", "decoder"] {
        let p = format!("{side}/layer_0");
        v.ln(&format!("{p}/self_attention/layer_norm"));
        v.lin(&format!("{p}/self_attention/linear_0"), 3 * S, S);
        v.lin(&format!("{p}/self_attention/linear_1"), S, S);
        if side == "decoder" {
            v.ln(&format!("{p}/attention/layer_norm"));
            v.lin(&format!("{p}/attention/linear_0"), S, S);
            v.lin(&format!("{p}/attention/linear_1"), 2 * S, S);
            v.lin(&format!("{p}/attention/linear_2"), S, S);
        }
        v.ln(&format!("{p}/ffn/layer_norm"));
        v.lin(&format!("{p}/ffn/linear_0"), 4 * S, S);
        v.lin(&format!("{p}/ffn/linear_1"), S, 4 * S);
    }
    let mut vars: Vec<(&str, &[usize], DType, &[u8])> =
        v.0.iter()
            .map(|(n, d, t, b)| (n.as_str(), d.as_slice(), *t, b.as_slice()))
            .collect();
    let two = 2i16.to_le_bytes();
    vars.push(("encoder/num_heads", &[], DType::I16, &two));
    vars.push(("decoder/num_heads", &[], DType::I16, &two));
    write_model_bin(
        "WhisperSpec",
        3,
        &vars,
        &[("decoder/projection/weight", "decoder/embeddings/weight")],
    )
}

#[test]
fn converts_synthetic_whisper() {
    let tmp = tempfile::tempdir().unwrap();
    let tokens = [
        "!",
        "Ġhello",
        "Ċ",
        "Ã©",
        "<|endoftext|>",
        "<|startoftranscript|>",
    ];
    std::fs::write(tmp.path().join("model.bin"), synthetic_model(tokens.len())).unwrap();
    std::fs::write(tmp.path().join("vocabulary.txt"), tokens.join("\n")).unwrap();
    std::fs::write(tmp.path().join("config.json"), "{}").unwrap();
    let dest = tmp.path().join("out.bin");
    let report = convert_ct2_dir(tmp.path(), &dest).unwrap();
    assert_eq!(report.vocab_len, 4);
    assert!(!tmp.path().join("out.bin.converting").exists());

    let info = ggml::inspect(&dest).unwrap();
    let hp = info.hparams;
    assert_eq!(
        (
            hp.n_vocab,
            hp.n_audio_ctx,
            hp.n_audio_state,
            hp.n_audio_head,
            hp.n_audio_layer
        ),
        (6, 10, 4, 2, 1)
    );
    assert_eq!(
        (
            hp.n_text_ctx,
            hp.n_text_state,
            hp.n_text_head,
            hp.n_text_layer
        ),
        (6, 4, 2, 1)
    );
    assert_eq!((hp.n_mels, hp.ftype), (80, 1));
    assert_eq!(info.mel_shape, (80, 201));
    assert_eq!(info.vocab_len, 4);

    let names: BTreeSet<&str> = info.tensor_names.iter().map(String::as_str).collect();
    let mut expected: BTreeSet<String> = [
        "encoder.conv1.weight",
        "encoder.conv1.bias",
        "encoder.conv2.weight",
        "encoder.conv2.bias",
        "encoder.positional_embedding",
        "encoder.ln_post.weight",
        "encoder.ln_post.bias",
        "decoder.token_embedding.weight",
        "decoder.positional_embedding",
        "decoder.ln.weight",
        "decoder.ln.bias",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for side in ["encoder", "decoder"] {
        let b = format!("{side}.blocks.0");
        let mut parts = vec![
            "attn_ln.weight",
            "attn_ln.bias",
            "attn.query.weight",
            "attn.query.bias",
            "attn.key.weight",
            "attn.value.weight",
            "attn.value.bias",
            "attn.out.weight",
            "attn.out.bias",
            "mlp_ln.weight",
            "mlp_ln.bias",
            "mlp.0.weight",
            "mlp.0.bias",
            "mlp.2.weight",
            "mlp.2.bias",
        ];
        if side == "decoder" {
            parts.extend([
                "cross_attn_ln.weight",
                "cross_attn_ln.bias",
                "cross_attn.query.weight",
                "cross_attn.query.bias",
                "cross_attn.key.weight",
                "cross_attn.value.weight",
                "cross_attn.value.bias",
                "cross_attn.out.weight",
                "cross_attn.out.bias",
            ]);
        }
        expected.extend(parts.iter().map(|p| format!("{b}.{p}")));
    }
    let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(names, expected);
    assert_eq!(report.tensors, expected.len());
    assert_eq!(info.tensors, expected.len(), "no duplicates");

    // Byte-level check of layout: header, vocabulary bytes, and first tensor header.
    let bytes = std::fs::read(&dest).unwrap();
    let i32_at = |o: usize| i32::from_le_bytes(bytes[o..o + 4].try_into().unwrap());
    assert_eq!(i32_at(0) as u32, ggml::MAGIC);
    let mel_end = 4 + 11 * 4 + 8 + 80 * 201 * 4;
    assert_eq!(i32_at(mel_end), 4);
    let mut o = mel_end + 4;
    let mut vocab = Vec::new();
    for _ in 0..4 {
        let l = i32_at(o) as usize;
        vocab.push(bytes[o + 4..o + 4 + l].to_vec());
        o += 4 + l;
    }
    assert_eq!(
        vocab,
        [
            b"!".to_vec(),
            b" hello".to_vec(),
            b"\n".to_vec(),
            "é".as_bytes().to_vec()
        ]
    );
    // encoder.conv1.weight: 3 dims, f16, dims reversed (3, 80, S).
    assert_eq!((i32_at(o), i32_at(o + 8)), (3, 1));
    assert_eq!(
        (i32_at(o + 12), i32_at(o + 16), i32_at(o + 20)),
        (3, 80, S as i32)
    );
    let name_len = i32_at(o + 4) as usize;
    assert_eq!(&bytes[o + 24..o + 24 + name_len], b"encoder.conv1.weight");
    // encoder.conv1.bias follows: 2 dims (1, S), f32.
    let o = o + 24 + name_len + S * 80 * 3 * 2;
    assert_eq!(
        (i32_at(o), i32_at(o + 8), i32_at(o + 12), i32_at(o + 16)),
        (2, 0, 1, S as i32)
    );

    // Deterministic output.
    let again = convert_ct2_dir(tmp.path(), &tmp.path().join("again.bin")).unwrap();
    assert_eq!(again.sha256, report.sha256);

    // Truncating the output is caught by the validator.
    std::fs::write(tmp.path().join("cut.bin"), &bytes[..bytes.len() - 3]).unwrap();
    let e = ggml::inspect(&tmp.path().join("cut.bin")).unwrap_err();
    assert!(e.to_string().contains("truncated"), "{e}");
}

#[test]
fn vocabulary_sources_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("tokenizer.json"),
        r#"{"model":{"vocab":{"a":0,"Ġb":1}},"added_tokens":[{"id":2,"content":"<|endoftext|>"}]}"#,
    )
    .unwrap();
    let toks = read_vocabulary(tmp.path()).unwrap();
    assert_eq!(toks, ["a", "Ġb", "<|endoftext|>"]);
    assert_eq!(
        ggml_vocabulary(&toks).unwrap(),
        [b"a".to_vec(), b" b".to_vec()]
    );
    assert!(
        ggml_vocabulary(&["a".to_string()]).is_err(),
        "no <|endoftext|>"
    );
    // A model directory without model.bin is an I/O error naming the file.
    let e = convert_ct2_dir(tmp.path(), &tmp.path().join("x.bin")).unwrap_err();
    assert!(e.to_string().contains("model.bin"), "{e}");
}
