//! A throwaway PostgreSQL server for tests (feature `testing`).
//!
//! [`TempPostgres::start`] runs `initdb` into a fresh temporary directory and `pg_ctl start`s a
//! server on a free loopback port with its Unix socket in that directory; it creates a
//! database named [`TempPostgres::DATABASE`] and hands out its URL. Dropping it stops the
//! server (`pg_ctl stop -m fast`) and deletes the directory. [`TempPostgres::stop`] and
//! [`TempPostgres::start_again`] stop and restart the same server (same port, same data) for
//! "database restarted under the relay" tests.
//!
//! **Running as root.** PostgreSQL refuses to run as root. When the tests run as root (as on
//! the project's machines), every PostgreSQL binary is run through `runuser -u USER --` as an
//! unprivileged user: `postgres` if that account exists, else `nobody` (override with
//! `HEARTH_PG_USER`), and the temporary directory is `chown`ed to that user. As any other user
//! the binaries run directly.
//!
//! **Finding the binaries.** `HEARTH_PG_BIN` (a directory) if set; else `initdb` on `PATH`
//! (following symlinks, e.g. `/usr/local/bin/initdb` → `/usr/lib/postgresql/15/bin/initdb`);
//! else the newest `/usr/lib/postgresql/*/bin`.
//!
//! [`TempPostgres::start`] favours speed over durability (`fsync=off`,
//! `synchronous_commit=off`): a fast `stop` still flushes everything, but do not use it to test
//! crash durability; [`TempPostgres::start_durable`] runs with PostgreSQL's durable defaults.

use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::{Command, Output};

/// A private PostgreSQL server in a temporary directory; stopped and deleted on drop.
#[derive(Debug)]
pub struct TempPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    run_as: Option<String>,
    port: u16,
    running: bool,
    /// fsync, synchronous commit and full-page writes on (PostgreSQL's defaults).
    durable: bool,
}

fn other(msg: impl Into<String>) -> io::Error {
    io::Error::other(msg.into())
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn user_exists(user: &str) -> bool {
    Command::new("id")
        .arg("-u")
        .arg(user)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn id_of(user: &str, flag: &str) -> io::Result<u32> {
    let out = Command::new("id").arg(flag).arg(user).output()?;
    if !out.status.success() {
        return Err(other(format!("no such user {user}")));
    }
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| other(format!("cannot read id {flag} of {user}")))
}

fn find_bin_dir() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("HEARTH_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("initdb");
            if candidate.is_file() {
                let real = std::fs::canonicalize(&candidate).unwrap_or(candidate);
                if let Some(parent) = real.parent() {
                    return Ok(parent.to_path_buf());
                }
            }
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.join("initdb").is_file());
    versions.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop().ok_or_else(|| {
        other("PostgreSQL binaries not found: put initdb/pg_ctl on PATH or set HEARTH_PG_BIN")
    })
}

impl TempPostgres {
    /// The database [`TempPostgres::url`] points at.
    pub const DATABASE: &'static str = "hearth";
    /// The superuser (trust authentication, no password).
    pub const SUPERUSER: &'static str = "postgres";

    /// Initializes and starts a new server, and creates [`TempPostgres::DATABASE`].
    pub fn start() -> io::Result<Self> {
        Self::start_with(false)
    }

    /// Like [`TempPostgres::start`], with `fsync`, `synchronous_commit` and
    /// `full_page_writes` on: for tests of what survives a crash.
    pub fn start_durable() -> io::Result<Self> {
        Self::start_with(true)
    }

    fn start_with(durable: bool) -> io::Result<Self> {
        let bin = find_bin_dir()?;
        let run_as = if is_root() {
            let user = std::env::var("HEARTH_PG_USER").ok().unwrap_or_else(|| {
                if user_exists("postgres") {
                    "postgres".into()
                } else {
                    "nobody".into()
                }
            });
            Some(user)
        } else {
            None
        };
        let dir = tempfile::Builder::new().prefix("hearth-pg-").tempdir()?;
        if let Some(user) = &run_as {
            std::os::unix::fs::chown(
                dir.path(),
                Some(id_of(user, "-u")?),
                Some(id_of(user, "-g")?),
            )?;
        }
        let mut pg = Self {
            dir,
            bin,
            run_as,
            port: 0,
            running: false,
            durable,
        };
        let data = pg.data_dir();
        pg.run_checked(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                Self::SUPERUSER.as_ref(),
                "--auth=trust".as_ref(),
                "--no-sync".as_ref(),
                "--encoding=UTF8".as_ref(),
                "--locale=C".as_ref(),
            ],
        )?;
        // A port is free when we look but may be taken before the server binds it: retry.
        let mut last = None;
        for _ in 0..5 {
            pg.port = free_port()?;
            match pg.start_again() {
                Ok(()) => {
                    last = None;
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        if let Some(e) = last {
            return Err(e);
        }
        let socket_dir = pg.dir.path().to_path_buf();
        pg.run_checked(
            "createdb",
            &[
                "-h".as_ref(),
                socket_dir.as_os_str(),
                "-p".as_ref(),
                pg.port.to_string().as_ref(),
                "-U".as_ref(),
                Self::SUPERUSER.as_ref(),
                Self::DATABASE.as_ref(),
            ],
        )?;
        Ok(pg)
    }

    /// `postgres://postgres@127.0.0.1:PORT/hearth` (TCP; no TLS, trust auth).
    pub fn url(&self) -> String {
        self.url_for(Self::DATABASE)
    }

    /// URL of another database on this server (see [`TempPostgres::create_database`]).
    pub fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{database}?sslmode=disable",
            Self::SUPERUSER,
            self.port
        )
    }

    /// Creates another database and returns its URL. `name` must be a plain identifier.
    pub fn create_database(&self, name: &str) -> io::Result<String> {
        let socket_dir = self.dir.path().to_path_buf();
        self.run_checked(
            "createdb",
            &[
                "-h".as_ref(),
                socket_dir.as_os_str(),
                "-p".as_ref(),
                self.port.to_string().as_ref(),
                "-U".as_ref(),
                Self::SUPERUSER.as_ref(),
                name.as_ref(),
            ],
        )?;
        Ok(self.url_for(name))
    }

    /// The TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The data directory.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Whether the server is running (as far as this handle knows).
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// Stops the server (`pg_ctl stop -m fast`, waiting); data and port are kept.
    pub fn stop(&mut self) -> io::Result<()> {
        if !self.running {
            return Ok(());
        }
        let data = self.data_dir();
        self.run_checked(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )?;
        self.running = false;
        Ok(())
    }

    /// Starts the (stopped) server again on the same port with the same data; returns when it
    /// accepts connections.
    pub fn start_again(&mut self) -> io::Result<()> {
        if self.running {
            return Ok(());
        }
        let data = self.data_dir();
        let log = self.log_path();
        let durability = if self.durable {
            "-c fsync=on -c synchronous_commit=on -c full_page_writes=on"
        } else {
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        };
        let opts = format!(
            "-k {} -p {} -c listen_addresses=127.0.0.1 {durability}",
            self.dir.path().display(),
            self.port
        );
        self.run_checked(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                opts.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "start".as_ref(),
            ],
        )?;
        self.running = true;
        Ok(())
    }

    /// [`TempPostgres::stop`] then [`TempPostgres::start_again`].
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop()?;
        self.start_again()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.arg("-u").arg(user).arg("--").arg(exe);
                c
            }
            None => Command::new(exe),
        }
    }

    fn run_checked(&self, program: &str, args: &[&std::ffi::OsStr]) -> io::Result<Output> {
        let out = self
            .command(program)
            .args(args)
            .current_dir(self.dir.path())
            .stdin(std::process::Stdio::null())
            .output()?;
        if !out.status.success() {
            return Err(other(format!(
                "{program} failed ({}): {}{}\n--- server log ---\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                self.log()
            )));
        }
        Ok(out)
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        if self.running {
            let data = self.data_dir();
            let _ = self
                .command("pg_ctl")
                .args([
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-m".as_ref(),
                    "fast".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
            self.running = false;
        }
    }
}
