//! The Linux package as a new user gets it: `scripts/package.sh` builds the .deb with the
//! Tauri CLI (a release build embedding the UI); the package's control fields name its
//! runtime libraries and apt can resolve them on this Debian; `dpkg` installs it into a
//! scratch root (its own dpkg database, nothing touches the host's), lists its files, and the
//! *installed* binary is launched under Xvfb and driven through its first screens (a new
//! passphrase profile, Today) with tauri-driver; the profile it wrote opens with the `hearth`
//! CLI; `dpkg --remove` leaves nothing of it behind.
//!
//! Then updates, as a user gets them: both builds carry a release key made here (minisign,
//! `tauri signer generate`); a newer version is built and signed; inside a throwaway system (a
//! private mount namespace with overlays over /usr, /var and /etc, see
//! tests/desktop/update-env.sh) the older .deb is installed with the real dpkg and the
//! installed app, pointed at a local HTTPS update feed, refuses a package signed by another
//! key, a tampered package and a feed that relabels the release — each with a message, the old
//! version still installed — then installs the genuine update itself (dpkg -i through sudo,
//! as the updater does where there is no pkexec) and starts again as the new version. The
//! host's own system is checked untouched afterwards.
//!
//! Runs as root, as CI does (dpkg installs, overlay mounts in a private mount namespace, the
//! updater's sudo). Needs what scripts/setup.sh installs (dpkg, apt, xvfb-run, WebKitWebDriver, tauri-driver,
//! Node 20+); the release build takes minutes the first time and is cached in
//! `$CARGO_TARGET_DIR` afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use hearth_e2e::Hearth;
use hearth_llm::protocol::{Event, Request};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the repository")
        .to_path_buf()
}

fn output(what: &str, cmd: &mut Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn text(what: &str, cmd: &mut Command) -> String {
    String::from_utf8_lossy(&output(what, cmd).stdout).into_owned()
}

/// The target directory cargo builds into (where `tauri build` puts the bundles).
fn target_dir() -> PathBuf {
    // target/<profile>/deps/<test>-<hash> → target
    let exe = std::env::current_exe().expect("test executable path");
    exe.ancestors()
        .nth(3)
        .expect("test executable lives in target/<profile>/deps")
        .to_path_buf()
}

fn tauri_driver() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
        .join(".cache/hearth-tools/bin/tauri-driver")
}

/// Runs the Tauri CLI from ui/'s lockfile.
fn tauri_cli(args: &[&str]) -> Command {
    let mut cmd = Command::new("npm");
    cmd.args(["run", "--silent", "tauri", "--"])
        .args(args)
        .current_dir(repo().join("ui"));
    cmd
}

/// A minisign key pair made by `tauri signer generate` (no password); returns (private key
/// file, public key text).
fn signing_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(format!("{name}.key"));
    let path = key.to_string_lossy().into_owned();
    output(
        "tauri signer generate",
        &mut tauri_cli(&["signer", "generate", "--ci", "-p", "", "-w", &path]),
    );
    let public = std::fs::read_to_string(dir.join(format!("{name}.key.pub"))).expect("public key");
    (key, public.trim().to_owned())
}

/// `scripts/package.sh` (optionally as `version`), its release key `public` compiled in and
/// its installers signed with `key`; returns the .deb it reports.
fn package(target: &Path, key: &Path, public: &str, version: &str) -> PathBuf {
    let built = text(
        "scripts/package.sh",
        Command::new("bash")
            .arg(repo().join("scripts/package.sh"))
            .args(["--version", version])
            .env("HEARTH_SKIP_SETUP", "1")
            .env("CARGO_TARGET_DIR", target)
            .env("HEARTH_UPDATE_PUBKEY", public)
            .env(
                "TAURI_SIGNING_PRIVATE_KEY",
                std::fs::read_to_string(key).expect("the private key"),
            )
            .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", "")
            .stderr(Stdio::inherit()),
    );
    let arch = text(
        "dpkg --print-architecture",
        Command::new("dpkg").arg("--print-architecture"),
    );
    let deb = target
        .join("release/bundle/deb")
        .join(format!("Hearth_{version}_{}.deb", arch.trim()));
    assert!(
        deb.is_file() && built.contains(&*deb.to_string_lossy()),
        "package.sh did not report {} (it printed: {built})",
        deb.display()
    );
    deb
}

/// The version after `version` in its last (patch) number, `steps` times.
fn next_version(version: &str, steps: u64) -> String {
    let (head, patch) = version.rsplit_once('.').expect("a semver version");
    let patch: u64 = patch.parse().expect("a numeric patch version");
    format!("{head}.{}", patch + steps)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes))
}

/// Runs an installed `hearth-llm` worker for one request naming `model` and returns its first
/// event, in the desk's own protocol types.
fn worker_answer(worker: &Path, model: &Path) -> Event {
    use std::io::Write;
    let mut child = Command::new(worker)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", worker.display()));
    let request = Request {
        model: model.to_string_lossy().into_owned(),
        system: "You answer in JSON.".into(),
        prompt: "Say hello.".into(),
        json_schema: None,
        max_tokens: 8,
        context: 256,
        threads: 1,
    };
    let line = serde_json::to_string(&request).expect("a request serialises");
    let mut stdin = child.stdin.take().expect("worker stdin");
    writeln!(stdin, "{line}").expect("send the request");
    drop(stdin);
    let out = child
        .wait_with_output()
        .expect("the worker ends when its input closes");
    assert!(out.status.success(), "worker exited with {}", out.status);
    let first = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    serde_json::from_str(&first).unwrap_or_else(|e| panic!("worker said {first:?}: {e}"))
}

#[test]
fn deb_installs_launches_updates_and_removes() {
    let target = target_dir();
    let version = {
        let conf: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(repo().join("src-tauri/tauri.conf.json"))
                .expect("tauri.conf.json"),
        )
        .expect("tauri.conf.json is JSON");
        conf["version"].as_str().expect("version").to_owned()
    };
    let keys = tempfile::tempdir().expect("key dir");
    output(
        "npm ci (ui)",
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(repo().join("ui")),
    );
    let (release_key, release_public) = signing_key(keys.path(), "release");
    let (other_key, _) = signing_key(keys.path(), "someone-else");
    let scratch = tempfile::tempdir().expect("scratch root");
    // Kept aside: the next build writes into the same bundle directory.
    let deb = scratch.path().join("old.deb");
    std::fs::copy(
        package(&target, &release_key, &release_public, &version),
        &deb,
    )
    .expect("copy the .deb");

    // The control fields: the package, its version, the runtime libraries it needs.
    let field = |name: &str| {
        text(
            "dpkg-deb -f",
            Command::new("dpkg-deb").arg("-f").arg(&deb).arg(name),
        )
        .trim()
        .to_owned()
    };
    assert_eq!(field("Package"), "hearth");
    assert_eq!(field("Version"), version);
    let depends = field("Depends");
    // OpenMP: whisper.cpp in the desk and llama.cpp in its worker both link libgomp.
    for lib in ["libwebkit2gtk-4.1-0", "libgtk-3-0", "libgomp1"] {
        assert!(depends.contains(lib), "Depends lacks {lib}: {depends}");
    }
    // apt resolves those dependencies on this Debian (a simulation: nothing is installed).
    output(
        "apt-get --simulate install ./the.deb",
        Command::new("apt-get")
            .args(["--simulate", "--no-download", "install"])
            .arg(&deb),
    );

    // Install into a scratch root with its own dpkg database.
    let root = scratch.path().join("root");
    for dir in ["var/lib/dpkg/info", "var/lib/dpkg/updates", "var/log"] {
        std::fs::create_dir_all(root.join(dir)).expect("dpkg dirs");
    }
    std::fs::write(root.join("var/lib/dpkg/status"), "").expect("dpkg status");
    let dpkg = |args: &[&str]| {
        let mut cmd = Command::new("dpkg");
        cmd.arg(format!("--root={}", root.display()))
            .arg(format!("--log={}", root.join("var/log/dpkg.log").display()))
            // The scratch database knows no libraries; apt checked them above.
            .arg("--force-depends")
            .args(args);
        cmd
    };
    output("dpkg --install", dpkg(&["--install"]).arg(&deb));
    let files = text("dpkg --listfiles", &mut dpkg(&["--listfiles", "hearth"]));
    let binary = files
        .lines()
        .find(|l| l.starts_with("/usr/bin/") && *l != "/usr/bin/hearth-llm")
        .unwrap_or_else(|| panic!("no binary in /usr/bin in the package: {files}"))
        .to_owned();
    // The on-device language model's worker is installed beside the desk, where the desk
    // looks for it, and runs from there: it answers a request for a model that is not there
    // with an error event (llama.cpp started, the protocol spoken), and ends when its input
    // closes.
    assert!(
        files.lines().any(|l| l == "/usr/bin/hearth-llm"),
        "no on-device model worker (/usr/bin/hearth-llm) in the package: {files}"
    );
    let answer = worker_answer(
        &root.join("usr/bin/hearth-llm"),
        &scratch.path().join("none.gguf"),
    );
    match &answer {
        Event::Error { message, .. } => assert!(
            message.contains("none.gguf"),
            "the worker's error does not name the model: {message}"
        ),
        other => panic!("the worker answered {other:?}, not an error"),
    }
    let desktop_entry = files
        .lines()
        .find(|l| l.starts_with("/usr/share/applications/") && l.ends_with(".desktop"))
        .unwrap_or_else(|| panic!("no .desktop entry in the package: {files}"));
    let entry = std::fs::read_to_string(root.join(desktop_entry.trim_start_matches('/')))
        .expect("desktop entry");
    let exec = Path::new(&binary)
        .file_name()
        .and_then(|n| n.to_str())
        .expect("binary name");
    assert!(
        entry.contains(&format!("Exec={exec}")),
        "the .desktop entry does not start {exec}:\n{entry}"
    );
    assert!(
        files.lines().any(|l| l.starts_with("/usr/share/icons/")),
        "no icon in the package: {files}"
    );

    // The installed binary, its first screens, under Xvfb.
    let installed = root.join(binary.trim_start_matches('/'));
    let profile = scratch.path().join("profile");
    let harness = repo().join("tests/desktop");
    output(
        "npm ci (tests/desktop)",
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&harness),
    );
    let screenshot = scratch.path().join("first-screen.png");
    let run = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1280x820x24", "node"])
        .arg(harness.join("installed.mjs"))
        .env("HEARTH_DESKTOP_BIN", &installed)
        .env("TAURI_DRIVER", tauri_driver())
        .env("PROFILE", &profile)
        .env("SCREENSHOT", &screenshot)
        .stdin(Stdio::null())
        .output()
        .expect("run xvfb-run node tests/desktop/installed.mjs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("PASS"),
        "the installed app's first screens failed ({}):\n{stdout}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        std::fs::metadata(&screenshot).is_ok_and(|m| m.len() > 10_000),
        "no screenshot of the first screen"
    );
    // The profile the installed app created is a real one.
    let ines = Hearth {
        profile,
        env: vec![("HEARTH_PASSPHRASE".into(), "installed passphrase".into())],
    };
    let info = ines.json(&["info"]);
    assert_eq!(info["advisor"], "Ines Installed", "{info}");

    // Removal takes every file the package installed.
    output("dpkg --remove", &mut dpkg(&["--remove", "hearth"]));
    assert!(
        !installed.exists(),
        "{} survived dpkg --remove",
        installed.display()
    );

    // --- Updates. The newer release, signed with the release key; the same package signed by
    // another key.
    let new_version = next_version(&version, 1);
    let built = package(&target, &release_key, &release_public, &new_version);
    let new_deb = scratch.path().join("new.deb");
    std::fs::copy(&built, &new_deb).expect("copy the new .deb");
    let good_sig = std::fs::read_to_string(built.with_extension("deb.sig"))
        .expect("package.sh signed the .deb (<deb>.sig)");
    let wrong = scratch.path().join("wrong");
    std::fs::create_dir_all(&wrong).expect("wrong-key dir");
    std::fs::copy(&new_deb, wrong.join("new.deb")).expect("copy");
    output(
        "tauri signer sign (another key)",
        &mut tauri_cli(&[
            "signer",
            "sign",
            "-f",
            &other_key.to_string_lossy(),
            "-p",
            "",
            "--app-version",
            &new_version,
            &wrong.join("new.deb").to_string_lossy(),
        ]),
    );
    let wrong_sig = std::fs::read_to_string(wrong.join("new.deb.sig")).expect("wrong-key .sig");
    let unpacked = scratch.path().join("new-unpacked");
    output(
        "dpkg-deb -x",
        Command::new("dpkg-deb")
            .arg("-x")
            .arg(&new_deb)
            .arg(&unpacked),
    );
    let new_binary = std::fs::read(unpacked.join(binary.trim_start_matches('/')))
        .expect("the new package's binary");
    let (ca, cert, key) = hearth_e2e::pki::firm_pki(scratch.path(), "updates");

    let host_had_it = Path::new(&binary).exists();
    let system = scratch.path().join("system");
    std::fs::create_dir_all(&system).expect("overlay dir");
    let run = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash"])
        .arg(harness.join("update-env.sh"))
        .arg(&system)
        .arg(&ca)
        .arg(&deb)
        .args([
            "--",
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x820x24",
            "node",
        ])
        .arg(harness.join("update.mjs"))
        .env("TAURI_DRIVER", tauri_driver())
        .env("PROFILE", scratch.path().join("update-profile"))
        .env("BINARY", &binary)
        .env("OLD_VERSION", &version)
        .env("NEW_VERSION", &new_version)
        .env("LATER_VERSION", next_version(&version, 2))
        .env("NEW_DEB", &new_deb)
        .env("GOOD_SIG", good_sig.trim())
        .env("WRONG_SIG", wrong_sig.trim())
        .env("NEW_BINARY_SHA256", sha256_hex(&new_binary))
        .env("TLS_CERT", &cert)
        .env("TLS_KEY", &key)
        .stdin(Stdio::null())
        .output()
        .expect("run unshare … update-env.sh … update.mjs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success() && stdout.contains("PASS"),
        "the update run failed ({}):\n{stdout}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    // The throwaway system was throwaway: the host's dpkg and /usr know nothing of it.
    assert_eq!(
        Path::new(&binary).exists(),
        host_had_it,
        "the update test changed the host's {binary}"
    );
    let host = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "hearth"])
        .output()
        .expect("dpkg-query");
    assert!(
        !String::from_utf8_lossy(&host.stdout).contains(&new_version),
        "the host's dpkg database has the test's update"
    );
}
