//! `hearth-llm`: llama.cpp in a process of its own. Reads [`hearth_llm::protocol::Request`]s,
//! one JSON object per line on stdin, and answers with [`hearth_llm::protocol::Event`]s on
//! stdout. The output is constrained by a grammar made from the request's JSON schema, so a
//! schema-shaped answer is the only thing the model can produce (short of running out of
//! tokens, which is reported as `truncated`).
//!
//! Threads: llama.cpp's own (`threads` per request) and OpenMP's; like whisper in the desk,
//! the caller sets `OMP_WAIT_POLICY=PASSIVE` so idle OpenMP threads do not spin.

use std::io::{BufRead, Write};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use hearth_llm::protocol::{Event, Request};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::{LlamaChatMessage, LlamaModel};
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;

/// Tokens read per decode call while taking in the prompt.
const PROMPT_BATCH: usize = 512;

/// A prompt that does not fit the context (the desk splits the work when it sees this).
#[derive(Debug)]
struct ContextOverflow(String);

impl std::fmt::Display for ContextOverflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ContextOverflow {}

fn main() -> Result<()> {
    llama_cpp_2::send_logs_to_tracing(llama_cpp_2::LogOptions::default().with_logs_enabled(false));
    let backend = LlamaBackend::init().context("could not start llama.cpp")?;
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let mut loaded: Option<(PathBuf, LlamaModel)> = None;
    for line in stdin.lock().lines() {
        let line = line.context("reading a request")?;
        if line.trim().is_empty() {
            continue;
        }
        let event = match serde_json::from_str::<Request>(&line) {
            Ok(request) => match serve(&backend, &mut loaded, &request, &mut out) {
                Ok(done) => done,
                Err(e) => Event::Error {
                    context_overflow: e.downcast_ref::<ContextOverflow>().is_some(),
                    message: format!("{e:#}"),
                },
            },
            Err(e) => Event::Error {
                message: format!("not a request: {e}"),
                context_overflow: false,
            },
        };
        emit(&mut out, &event)?;
    }
    Ok(())
}

fn emit(out: &mut impl Write, event: &Event) -> Result<()> {
    serde_json::to_writer(&mut *out, event)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// Refuses anything that is not a GGUF file before llama.cpp reads it.
fn check_gguf(path: &Path) -> Result<()> {
    let mut magic = [0u8; 4];
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the model {}", path.display()))?;
    std::io::Read::read_exact(&mut file, &mut magic)
        .with_context(|| format!("{} is too short to be a model", path.display()))?;
    if &magic != b"GGUF" {
        bail!(
            "{} is not a GGUF model file; install one with `hearth models fetch`",
            path.display()
        );
    }
    Ok(())
}

/// The most likely next token the grammar allows (greedy: the answer is deterministic).
///
/// Checking the grammar against every token of the vocabulary at every step is what makes
/// constrained generation slow, so the most likely token is tried alone first and the whole
/// vocabulary is filtered only when the grammar refuses it (as llama.cpp's own sampler does).
fn next_token(
    ctx: &llama_cpp_2::context::LlamaContext<'_>,
    idx: i32,
    grammar: Option<&mut LlamaSampler>,
) -> LlamaToken {
    let logits = ctx.get_logits_ith(idx);
    let best = logits
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    let best = LlamaToken(i32::try_from(best).unwrap_or(0));
    let Some(grammar) = grammar else {
        return best;
    };
    let mut alone = LlamaTokenDataArray::new(
        vec![LlamaTokenData::new(best, logits[best.0 as usize], 0.0)],
        false,
    );
    alone.apply_sampler(grammar);
    let token = if alone.data[0].logit().is_finite() {
        best
    } else {
        let mut all = ctx.token_data_array_ith(idx);
        all.apply_sampler(grammar);
        all.sample_token_greedy()
    };
    grammar.accept(token);
    token
}

fn serve(
    backend: &LlamaBackend,
    loaded: &mut Option<(PathBuf, LlamaModel)>,
    request: &Request,
    out: &mut impl Write,
) -> Result<Event> {
    let path = PathBuf::from(&request.model);
    if loaded.as_ref().is_none_or(|(p, _)| *p != path) {
        *loaded = None;
        check_gguf(&path)?;
        let started = Instant::now();
        let model = LlamaModel::load_from_file(backend, &path, &LlamaModelParams::default())
            .with_context(|| format!("llama.cpp could not load {}", path.display()))?;
        emit(
            out,
            &Event::Loaded {
                load_ms: started.elapsed().as_millis() as u64,
                n_ctx_train: model.n_ctx_train(),
            },
        )?;
        *loaded = Some((path, model));
    }
    let Some((_, model)) = loaded.as_ref() else {
        bail!("no model loaded");
    };

    let chat = [
        LlamaChatMessage::new("system".into(), request.system.clone())?,
        LlamaChatMessage::new("user".into(), request.prompt.clone())?,
    ];
    let template = model
        .chat_template(None)
        .context("the model has no chat template")?;
    let prompt = model.apply_chat_template(&template, &chat, true)?;
    // The template already holds the special tokens (`<|im_start|>` …): parse them as such.
    let vocab = model.vocab();
    let tokens = vocab.tokenize(prompt.as_bytes(), false, true);
    if tokens.is_empty() {
        bail!("the prompt is empty");
    }

    let n_ctx = request.context.min(model.n_ctx_train()).max(512);
    let needed = tokens.len() + request.max_tokens as usize;
    if needed > n_ctx as usize {
        return Err(ContextOverflow(format!(
            "context overflow: the prompt has {} tokens and {} more may be generated, the context holds {n_ctx}",
            tokens.len(),
            request.max_tokens
        ))
        .into());
    }
    let threads = i32::try_from(request.threads.max(1)).unwrap_or(1);
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(n_ctx))
        .with_n_batch(PROMPT_BATCH as u32)
        .with_n_threads(threads)
        .with_n_threads_batch(threads);
    let mut ctx = model
        .new_context(backend, params)
        .context("llama.cpp could not make a context")?;

    let prompt_started = Instant::now();
    let mut batch = LlamaBatch::new(PROMPT_BATCH, 1);
    let last = tokens.len().saturating_sub(1);
    for (start, chunk) in tokens.chunks(PROMPT_BATCH).enumerate() {
        batch.clear();
        for (i, token) in chunk.iter().enumerate() {
            let pos = start * PROMPT_BATCH + i;
            batch.add(*token, pos as i32, &[0], pos == last)?;
        }
        ctx.decode(&mut batch).context("reading the prompt")?;
    }
    let prompt_ms = prompt_started.elapsed().as_millis() as u64;

    let mut grammar = match &request.json_schema {
        Some(schema) => {
            let grammar = llama_cpp_2::json_schema_to_grammar(schema)
                .context("the JSON schema could not be turned into a grammar")?;
            Some(
                LlamaSampler::grammar(model, &grammar, "root")
                    .context("llama.cpp refused the grammar")?,
            )
        }
        None => None,
    };

    let generation_started = Instant::now();
    let mut bytes: Vec<u8> = Vec::new();
    let mut generated = 0u32;
    let mut pos = tokens.len() as i32;
    let mut truncated = true;
    while generated < request.max_tokens {
        let token = next_token(&ctx, batch.n_tokens() - 1, grammar.as_mut());
        if vocab.is_eog(token) {
            truncated = false;
            break;
        }
        bytes.extend(vocab.token_to_piece(token, false, None));
        generated += 1;
        if generated.is_multiple_of(32) {
            emit(out, &Event::Progress { generated })?;
        }
        batch.clear();
        batch.add(token, pos, &[0], true)?;
        pos += 1;
        ctx.decode(&mut batch).context("generating")?;
    }
    Ok(Event::Done {
        // Pieces may split a character; the whole answer is UTF-8.
        text: String::from_utf8_lossy(&bytes).into_owned(),
        prompt_tokens: tokens.len() as u32,
        generated_tokens: generated,
        prompt_ms,
        generation_ms: generation_started.elapsed().as_millis() as u64,
        truncated,
    })
}
