//! scripts/setup.sh on a machine whose Node.js is too old (Debian 12 ships 18; Vite 8,
//! Playwright and webdriverio need 20+): it fetches the pinned Node build from the npm
//! registry, checks its sha512, and puts it first on PATH — and leaves a new enough Node alone.

use std::path::Path;
use std::process::Command;

/// A `node` that says it is 18 but otherwise runs the real one (so the system's npm, a Node
/// script, still works while it is first on PATH — as on a fresh Debian 12).
fn old_node(dir: &Path) {
    let real = String::from_utf8(
        Command::new("bash")
            .args(["-c", "command -v node"])
            .output()
            .expect("bash")
            .stdout,
    )
    .expect("utf-8");
    let script = format!(
        "#!/bin/sh\nif [ \"$1\" = --version ]; then echo v18.19.0; exit 0; fi\nexec {} \"$@\"\n",
        real.trim()
    );
    let path = dir.join("node");
    std::fs::write(&path, script).expect("write fake node");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn run_setup_node(path_prefix: &Path, tools: &Path) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/node.sh");
    Command::new("bash")
        .args([
            "-c",
            "set -euo pipefail; source \"$0\"; hearth_ensure_node; echo \"NODE=$(command -v node)\"; echo \"VERSION=$(node --version)\"; echo \"NPM=$(npm --version)\"",
        ])
        .arg(script)
        .env("PATH", format!("{}:{}", path_prefix.display(), std::env::var("PATH").unwrap_or_default()))
        .env("HEARTH_TOOLS", tools)
        .output()
        .expect("run scripts/node.sh")
}

fn value<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap_or_else(|| panic!("no {key} in {stdout}"))
}

#[test]
fn an_old_node_is_replaced_by_the_pinned_build() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake-bin");
    std::fs::create_dir_all(&fake).unwrap();
    old_node(&fake);
    let tools = dir.path().join("tools");

    let out = run_setup_node(&fake, &tools);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Node.js 18 is too old"), "{stdout}");
    assert!(
        value(&stdout, "NODE=").starts_with(tools.to_str().unwrap()),
        "the pinned Node comes first on PATH: {stdout}"
    );
    assert!(value(&stdout, "VERSION=").starts_with("v22."), "{stdout}");
    assert!(
        !value(&stdout, "NPM=").is_empty(),
        "npm still runs: {stdout}"
    );

    // A second run finds it installed and fetches nothing.
    let again = run_setup_node(&fake, &tools);
    let stdout = String::from_utf8_lossy(&again.stdout).to_string();
    assert!(
        again.status.success() && !stdout.contains("installing"),
        "{stdout}"
    );
    assert!(value(&stdout, "VERSION=").starts_with("v22."), "{stdout}");
}

#[test]
fn a_new_enough_node_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let tools = dir.path().join("tools");
    // This machine's own Node (20+, as scripts/setup.sh guarantees).
    let out = run_setup_node(dir.path(), &tools);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}");
    assert!(!stdout.contains("installing"), "{stdout}");
    assert!(!tools.exists(), "nothing was fetched");
}
