//! The keyring path against a real Secret Service: a D-Bus session bus from
//! `dbus-run-session` and `gnome-keyring-daemon`, unlocked with a login password.

use std::path::Path;
use std::process::{Command, Stdio};

use hearth_e2e::bin;

/// Runs `script` inside a fresh D-Bus session with an unlocked gnome-keyring whose files
/// live under `home` (so a second session sees what the first stored).
fn in_keyring_session(home: &Path, script: &str) -> std::process::Output {
    // The script's output goes to files, and the session itself gets no pipes: a keyring
    // daemon the bus activated can outlive the session for a moment, and one holding our
    // pipe would keep `output()` waiting for an EOF that never comes.
    let out_file = home.join("session.stdout");
    let err_file = home.join("session.stderr");
    let wrapped = format!(
        "set -e; exec >{out} 2>{err}; echo -n login-pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; {script}",
        out = out_file.display(),
        err = err_file.display(),
    );
    let status = Command::new("dbus-run-session")
        .args(["--", "bash", "-c", &wrapped])
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", home)
        .env("HEARTH", bin("hearth"))
        .env_remove("HEARTH_PASSPHRASE")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("dbus-run-session is installed (Debian package dbus-bin; .ci/run installs it)");
    std::process::Output {
        status,
        stdout: std::fs::read(&out_file).unwrap_or_default(),
        stderr: std::fs::read(&err_file).unwrap_or_default(),
    }
}

#[test]
fn key_lives_in_the_secret_service_and_survives_a_new_session() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let profile = dir.path().join("profile");
    let p = profile.to_str().unwrap();

    let out = in_keyring_session(
        &home,
        &format!(
            "\"$HEARTH\" --profile {p} init --advisor 'Kay Ring' --key-storage keyring; \
             \"$HEARTH\" --profile {p} household create --name 'Keyring Household'"
        ),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("OS keyring"));
    let descriptor = std::fs::read_to_string(profile.join("profile.json")).unwrap();
    assert!(
        descriptor.contains("\"source\": \"keyring\""),
        "{descriptor}"
    );
    assert!(
        !descriptor.contains("salt"),
        "no passphrase material for a keyring profile"
    );

    // A new session (new bus, new daemon) unlocks the same keyring and finds the key.
    let out = in_keyring_session(
        &home,
        &format!("\"$HEARTH\" --profile {p} household list --json"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Keyring Household"));

    // Without a keyring the profile cannot be opened, and says why; no passphrase helps.
    let out = Command::new(bin("hearth"))
        .args(["--profile", p, "household", "list"])
        .env("HOME", &home)
        .env("HEARTH_PASSPHRASE", "anything")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("keeps its database key in the OS keyring"),
        "{err}"
    );
}

#[test]
fn auto_uses_the_keyring_when_one_answers_and_a_passphrase_when_none_does() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let with = dir.path().join("with");
    let out = in_keyring_session(
        &home,
        &format!("\"$HEARTH\" --profile {} init --advisor A", with.display()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(with.join("profile.json"))
            .unwrap()
            .contains("keyring")
    );

    let without = dir.path().join("without");
    let run = |env_pass: Option<&str>| {
        let mut cmd = Command::new(bin("hearth"));
        cmd.args([
            "--profile",
            without.to_str().unwrap(),
            "init",
            "--advisor",
            "B",
        ])
        .env("HOME", &home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .env_remove("HEARTH_PASSPHRASE");
        if let Some(p) = env_pass {
            cmd.env("HEARTH_PASSPHRASE", p);
        }
        cmd.output().unwrap()
    };
    let out = run(None);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HEARTH_PASSPHRASE"));
    assert!(
        !without.join("hearth.db").exists(),
        "a failed init leaves no database"
    );
    let out = run(Some("fallback passphrase"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(without.join("profile.json"))
            .unwrap()
            .contains("\"source\": \"passphrase\"")
    );
}
