//! Every npm lockfile installs with `npm ci` on a clean checkout, on any platform: a lockfile
//! written on one machine once lost other platforms' optional packages (Tailwind's oxide
//! engine for macOS and Windows), and `npm ci` refused it everywhere else.
//!
//! `npm ci --dry-run` checks the lockfile against package.json exactly as a real `npm ci`
//! does, then stops before installing anything.

use std::path::Path;
use std::process::{Command, Stdio};

const PACKAGES: &[&str] = &[
    "ui",
    "tests/desktop",
    "tests/console",
    "tests/interop",
    "bench/relay",
    "bench/relay/published",
];

#[test]
fn every_lockfile_installs_with_npm_ci() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut refused = Vec::new();
    for package in PACKAGES {
        let dir = root.join(package);
        // A copy without node_modules: what a fresh clone has.
        let scratch = tempfile::tempdir().expect("scratch dir");
        for file in ["package.json", "package-lock.json"] {
            std::fs::copy(dir.join(file), scratch.path().join(file))
                .unwrap_or_else(|e| panic!("{package}/{file}: {e}"));
        }
        let out = Command::new("npm")
            .args([
                "ci",
                "--dry-run",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
            ])
            .current_dir(scratch.path())
            .stdin(Stdio::null())
            .output()
            .expect("npm runs (scripts/setup.sh installs it)");
        if !out.status.success() {
            refused.push(format!(
                "{package}: {}",
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .filter(|l| l.contains("Missing")
                        || l.contains("Invalid")
                        || l.contains("sync"))
                    .take(5)
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    assert!(
        refused.is_empty(),
        "npm ci refuses these lockfiles (regenerate them with `npm install --package-lock-only` \
         in a directory without node_modules):\n{}",
        refused.join("\n")
    );
}
