//! Helpers for Hearth's end-to-end tests: run the real `hearth` binary against real profile
//! directories (real SQLCipher files).
//!
//! The binaries are found next to the test executable (`target/<profile>/`); build them first
//! with `cargo build --workspace --bins` (the README's test command does).

pub mod http;
pub mod pki;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Path of a workspace binary built in the same target directory as the running test.
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test>-<hash> → target/<profile>/<name>
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run `cargo build --workspace --bins` before the end-to-end tests",
        path.display()
    );
    path
}

/// One profile directory driven through the CLI.
pub struct Hearth {
    /// The profile directory.
    pub profile: PathBuf,
    /// Environment for every call (e.g. HEARTH_PASSPHRASE).
    pub env: Vec<(String, String)>,
}

impl Hearth {
    /// A passphrase-protected profile at `dir`, created with `hearth init`.
    pub fn init(dir: &Path, advisor: &str, passphrase: &str) -> Self {
        let h = Hearth {
            profile: dir.to_path_buf(),
            env: vec![("HEARTH_PASSPHRASE".into(), passphrase.into())],
        };
        h.ok(&[
            "init",
            "--advisor",
            advisor,
            "--device",
            &format!("{advisor}-laptop"),
            "--key-storage",
            "passphrase",
        ]);
        h
    }

    /// A passphrase profile for `name` under `dir` (passphrase `<name>-pw`), enrolled with
    /// `relay` using `code` as the device `<name>-laptop`.
    pub fn enrolled(dir: &Path, name: &str, relay: &RelayProcess, code: &str) -> Self {
        let h = Hearth::init(
            &dir.join(name.replace(' ', "-")),
            name,
            &format!("{name}-pw"),
        );
        let label = format!("{name}-laptop");
        let out = h.ok(&[
            "enroll", "--relay", &relay.url, "--code", code, "--label", &label,
        ]);
        assert!(out.contains("Enrolled"), "{out}");
        h
    }

    /// A `hearth --profile DIR ARGS...` command, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(bin("hearth"));
        cmd.arg("--profile").arg(&self.profile).args(args);
        cmd.env_remove("HEARTH_PROFILE")
            .env_remove("HEARTH_PASSPHRASE");
        cmd.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs and returns the output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("spawn hearth")
    }

    /// Runs, asserts success, returns trimmed stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "hearth {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8 output")
            .trim()
            .to_string()
    }

    /// Runs, asserts failure, returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "hearth {args:?} should have failed but printed {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).to_string()
    }

    /// Runs a read command with `--json` and parses it.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).expect("valid JSON output")
    }
}

/// Every file under `dir`, with its bytes.
pub fn all_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A real `hearth-relay serve` process on 127.0.0.1 (a port it picks), stopped on drop (and
/// by itself if this test process dies: it exits when its stdin closes).
pub struct RelayProcess {
    child: std::process::Child,
    /// Base URL, e.g. `http://127.0.0.1:40123` (`https://` when it terminates TLS).
    pub url: String,
    /// Database URL it serves.
    pub database: String,
    master_key: String,
    config_file: tempfile::NamedTempFile,
    /// Where the relay's log goes (stderr otherwise), and at which level.
    log: Option<(PathBuf, String)>,
    /// The archive's second copy for a relay on PostgreSQL (which has no database directory
    /// to put it beside): a private directory, not the test's working directory.
    _mirror_dir: Option<tempfile::TempDir>,
}

/// A fixed master key for tests (64 hex characters).
pub const TEST_MASTER_KEY: &str =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// Test relays' configuration: every test client comes from 127.0.0.1, so the per-IP limit on
/// enrollment and token requests is raised (the rate-limit test uses the defaults).
pub const TEST_RELAY_CONFIG: &str = "[limits]\nauth_requests_per_minute = 100000\n";

impl RelayProcess {
    /// Starts a relay on `database` (e.g. `sqlite:///tmp/x/relay.db` or a postgres URL).
    pub fn start(database: &str) -> Self {
        Self::launch(database, TEST_MASTER_KEY, TEST_RELAY_CONFIG)
    }

    /// Starts a relay with `config` (TOML) as its configuration file.
    pub fn start_with_config(database: &str, config: &str) -> Self {
        Self::launch(database, TEST_MASTER_KEY, config)
    }

    /// Starts a relay with a given master key.
    pub fn start_with_key(database: &str, master_key: &str) -> Self {
        Self::launch(database, master_key, TEST_RELAY_CONFIG)
    }

    /// Starts a relay on `database` whose log (at `level`, e.g. `debug`) goes to `log_file`.
    pub fn start_logging_to(database: &str, log_file: &Path, level: &str) -> Self {
        let mut relay = Self::launch(database, TEST_MASTER_KEY, TEST_RELAY_CONFIG);
        relay.kill();
        relay.log = Some((log_file.to_path_buf(), level.to_string()));
        relay.restart();
        relay
    }

    fn launch(database: &str, master_key: &str, config: &str) -> Self {
        let config_file = tempfile::Builder::new()
            .prefix("hearth-relay-test")
            .suffix(".toml")
            .tempfile()
            .expect("config file");
        let postgres = database.starts_with("postgres");
        let mirror_dir = (postgres && !config.contains("[archive]"))
            .then(|| tempfile::tempdir().expect("mirror dir"));
        let config = match &mirror_dir {
            Some(d) => format!(
                "{config}\n[archive]\nmirror_dir = {:?}\n",
                d.path().display().to_string()
            ),
            None => config.to_string(),
        };
        std::fs::write(config_file.path(), config).expect("write relay config");
        let mut relay = RelayProcess {
            child: Command::new("true").spawn().expect("placeholder process"),
            url: String::new(),
            database: database.to_string(),
            master_key: master_key.to_string(),
            config_file,
            log: None,
            _mirror_dir: mirror_dir,
        };
        let _ = relay.child.wait();
        relay.spawn_on("127.0.0.1:0");
        relay
    }

    /// Spawns `hearth-relay serve` on `listen` and reads the address it prints.
    fn spawn_on(&mut self, listen: &str) {
        use std::io::BufRead;
        let mut child = Command::new(bin("hearth-relay"))
            .arg("--config")
            .arg(self.config_file.path())
            .args([
                "--database",
                &self.database,
                "serve",
                "--listen",
                listen,
                "--stop-on-stdin-eof",
            ])
            .env("HEARTH_RELAY_MASTER_KEY", &self.master_key)
            // HEARTH_TEST_RELAY_LOG (e.g. `hearth_relay=debug`) turns up a test relay's log.
            .env(
                "HEARTH_RELAY_LOG",
                match &self.log {
                    Some((_, level)) => level.clone(),
                    None => {
                        std::env::var("HEARTH_TEST_RELAY_LOG").unwrap_or_else(|_| "warn".into())
                    }
                },
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(match &self.log {
                Some((file, _)) => std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(file)
                    .map(Stdio::from)
                    .expect("relay log file"),
                None => Stdio::inherit(),
            })
            .spawn()
            .expect("spawn hearth-relay");
        let stdout = child.stdout.take().expect("relay stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("relay prints its address");
        self.url = line
            .trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .unwrap_or_else(|| panic!("unexpected first line from hearth-relay: {line:?}"))
            .to_string();
        self.child = child;
    }

    /// Runs an admin command (`hearth-relay --database DB ARGS...`) and returns stdout.
    pub fn admin(&self, args: &[&str]) -> String {
        let out = self.admin_output(args);
        assert!(
            out.status.success(),
            "hearth-relay {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .expect("utf-8")
            .trim()
            .to_string()
    }

    /// Runs an admin command that must fail; returns its stderr.
    pub fn admin_fails(&self, args: &[&str]) -> String {
        let out = self.admin_output(args);
        assert!(
            !out.status.success(),
            "hearth-relay {args:?} succeeded: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn admin_output(&self, args: &[&str]) -> std::process::Output {
        Command::new(bin("hearth-relay"))
            .arg("--config")
            .arg(self.config_file.path())
            .args(["--database", &self.database])
            .args(args)
            .env("HEARTH_RELAY_MASTER_KEY", &self.master_key)
            // HEARTH_TEST_RELAY_LOG (e.g. `hearth_relay=debug`) turns up a test relay's log.
            .env(
                "HEARTH_RELAY_LOG",
                std::env::var("HEARTH_TEST_RELAY_LOG").unwrap_or_else(|_| "warn".into()),
            )
            .stdin(Stdio::null())
            .output()
            .expect("spawn hearth-relay")
    }

    /// Runs an admin command with `--json` and parses it.
    pub fn admin_json(&self, args: &[&str]) -> serde_json::Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.admin(&args)).expect("JSON from hearth-relay")
    }

    /// Creates a firm; returns its id.
    pub fn create_firm(&self, name: &str) -> String {
        self.admin_json(&["firm", "create", "--name", name])["id"]
            .as_str()
            .expect("firm id")
            .to_string()
    }

    /// Invites an advisor; returns (advisor id, enrollment code).
    pub fn invite(&self, firm: &str, name: &str, admin: bool) -> (String, String) {
        let mut args = vec!["advisor", "invite", "--firm", firm, "--name", name];
        if admin {
            args.push("--admin");
        }
        let v = self.admin_json(&args);
        (
            v["advisor"]["id"].as_str().expect("advisor id").to_string(),
            v["enrollment_code"].as_str().expect("code").to_string(),
        )
    }

    /// Stops the relay with SIGKILL (for durability tests) and waits for it.
    /// The relay's process id (to signal it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the relay again on the same address and database (after [`RelayProcess::kill`]).
    pub fn restart(&mut self) {
        let listen = self.url.trim_start_matches("http://").to_string();
        let before = self.url.clone();
        self.spawn_on(&listen);
        assert_eq!(self.url, before, "the relay came back on another address");
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Converts `speech` (any file sox reads) into what [`alsa_file_microphone`] plays: the
/// device's native 48 kHz stereo f32, with `lead_secs` of silence before and `trail_secs`
/// after (so audio still flows when a test stops the recording). Returns
/// `<dir>/microphone.raw`.
pub fn microphone_input(dir: &Path, speech: &Path, lead_secs: u32, trail_secs: u32) -> PathBuf {
    let raw = dir.join("microphone.raw");
    let status = Command::new("sox")
        .arg(speech)
        .args(["-r", "48000", "-c", "2", "-b", "32", "-e", "floating-point"])
        .args(["-t", "raw"])
        .arg(&raw)
        .args(["pad", &lead_secs.to_string(), &trail_secs.to_string()])
        .status()
        .expect("run sox (install it: scripts/setup.sh)");
    assert!(
        status.success(),
        "sox could not convert {}",
        speech.display()
    );
    raw
}

/// Writes an ALSA configuration into `dir` whose default (and only) capture device,
/// `hearth_speech`, delivers `raw` through ALSA's `file` plugin (`infile`) over a `null`
/// slave, at the device's pace: a microphone for cpal. Point `ALSA_CONFIG_PATH` at the
/// returned file. The device's native format (what cpal opens it at) is 48 kHz stereo f32, so
/// `raw` must hold exactly that and Hearth must downmix and resample it like a real
/// microphone's. (A `plug` in front to convert formats garbles the infile data.)
pub fn alsa_file_microphone(dir: &Path, raw: &Path) -> PathBuf {
    let conf = dir.join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            r#"pcm.hearth_speech {{
    type file
    slave.pcm {{ type null }}
    file "/dev/null"
    infile "{}"
    format "raw"
    hint {{
        show on
        description "Hearth test speech (file-backed)"
    }}
}}
pcm.!default hearth_speech
"#,
            raw.display()
        ),
    )
    .expect("write asound.conf");
    conf
}

/// `npm ci` in `dir` (a package of this repository's tests or UI), unless its `node_modules`
/// is current with the lockfile. One install at a time in a test process, so parallel tests
/// needing the same package do not race. `npm ci` or nothing: the lockfiles list every
/// platform's optional packages, and a lockfile `npm ci` refuses is a bug to fix, not to
/// install around.
pub fn npm_ci(dir: &Path) {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let installed = mtime(&dir.join("node_modules").join(".package-lock.json"));
    let lock = mtime(&dir.join("package-lock.json"));
    if matches!((installed, lock), (Some(i), Some(l)) if i >= l) {
        return;
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("spawn npm (Node 20+ with npm must be on PATH)");
    assert!(
        out.status.success(),
        "npm ci in {} failed: {}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Duration of an audio file in seconds (`sox --i -D`).
pub fn wav_secs(wav: &Path) -> f64 {
    let out = Command::new("sox")
        .args(["--i", "-D"])
        .arg(wav)
        .output()
        .expect("run sox --i");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("sox prints the duration")
}

/// Whole one-second chunks sealed so far in a Hearth audio file (16 kHz mono s16 chunks: a
/// 32-byte header, then per chunk a 9-byte header, 32,000 bytes and a 16-byte tag).
pub fn sealed_chunks(path: &Path) -> u64 {
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    len.saturating_sub(32) / (9 + 32_000 + 16)
}
