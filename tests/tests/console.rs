//! The relay's web console (`/admin`), against a real relay process.
//!
//! * Over plain HTTP: sign-in (Argon2id, no hint whether an email exists), the sign-in form's
//!   nonce, CSRF on every POST, sign-out, session expiry, sign-in rate limits, the CLI that
//!   creates console users, and firm isolation (another firm's ids get the same 404 page as
//!   ids that do not exist, and change nothing).
//! * In real headless Chromium (Debian's `chromium` through `playwright-core`,
//!   `tests/console/console.mjs`): sign in, invite an advisor, revoke a device, share a
//!   household, legal hold and retention, verify the archive and export it (the downloaded
//!   bundle then verifies offline with `hearth-relay archive verify`), the operator creating a
//!   firm, and a firm B admin editing URLs and ids to reach firm A. Screenshots of each page go to `docs/screenshots/console-*.png`.
//!
//! The browser test needs `node`/`npm` and `/usr/bin/chromium` (scripts/setup.sh installs
//! them); `npm ci` runs once when `tests/console/node_modules` is missing or stale.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hearth_e2e::{Hearth, RelayProcess, TEST_MASTER_KEY, TEST_RELAY_CONFIG, bin, http};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// A small cookie-keeping HTTP client (the console is plain HTML forms)

#[derive(Debug)]
struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn set_cookies(&self) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of the first `<input name=NAME value=...>` on the page.
    fn input(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let len = self.body[start..].find('"')?;
        Some(self.body[start..start + len].to_string())
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser stand-in: keeps cookies, sends forms, does not follow redirects.
struct Client {
    base: String,
    cookies: BTreeMap<String, String>,
}

impl Client {
    fn new(relay: &RelayProcess) -> Self {
        Client {
            base: relay.url.clone(),
            cookies: BTreeMap::new(),
        }
    }

    fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Resp {
        let host = self.base.strip_prefix("http://").expect("http URL");
        let mut stream = TcpStream::connect(host).expect("connect to the relay");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        let body = form.map(|fields| {
            fields
                .iter()
                .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        if let Some(b) = &body {
            req.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        if let Some(b) = &body {
            req.push_str(b);
        }
        stream.write_all(req.as_bytes()).expect("send");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .expect("HTTP status line");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let chunked = headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        let body = if chunked {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        let resp = Resp {
            status,
            headers,
            body,
        };
        for cookie in resp.set_cookies() {
            let first = cookie.split(';').next().unwrap_or_default();
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || cookie.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        resp
    }

    fn get(&mut self, path: &str) -> Resp {
        self.send("GET", path, None)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send("POST", path, Some(form))
    }

    /// Loads the sign-in form and submits it.
    fn sign_in(&mut self, email: &str, password: &str) -> Resp {
        let form = self.get("/admin/login");
        assert_eq!(form.status, 200);
        let nonce = form.input("nonce").expect("sign-in nonce");
        self.post(
            "/admin/login",
            &[("email", email), ("password", password), ("nonce", &nonce)],
        )
    }

    /// A page's CSRF token (from any form on it).
    fn csrf(&mut self) -> String {
        let page = self.get("/admin/settings");
        assert_eq!(page.status, 200, "{}", page.body);
        page.input("csrf").expect("csrf field")
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Relay fixtures

/// `hearth-relay admin create ...` with the password on stdin (or in the environment).
fn create_console_user(
    relay: &RelayProcess,
    args: &[&str],
    password: &str,
    via_env: bool,
) -> Value {
    let mut cmd = Command::new(bin("hearth-relay"));
    cmd.args(["--database", &relay.database, "admin", "create", "--json"])
        .args(args)
        .env("HEARTH_RELAY_MASTER_KEY", TEST_MASTER_KEY)
        .env("HEARTH_RELAY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if via_env {
        cmd.env("HEARTH_RELAY_ADMIN_PASSWORD", password)
            .stdin(Stdio::null());
    } else {
        cmd.arg("--password-stdin").stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn hearth-relay");
    if !via_env {
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{password}").expect("write password");
    }
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "admin create {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from admin create")
}

/// Runs `hearth-relay admin create ARGS` expecting a refusal; returns stderr.
fn create_console_user_fails(relay: &RelayProcess, args: &[&str], stdin: &str) -> String {
    let mut all = vec!["admin", "create"];
    all.extend_from_slice(args);
    create_console_user_fails_with(relay, &all, stdin)
}

/// Enrolls a device over the REST API; returns its id.
fn enroll_device(relay: &RelayProcess, code: &str, label: &str) -> String {
    let r = http::post_json(
        &relay.url,
        "/v1/enroll",
        &json!({ "code": code, "label": label }).to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).expect("enrollment JSON");
    v["device_id"].as_str().expect("device id").to_string()
}

fn reinvite(relay: &RelayProcess, firm: &str, advisor: &str) -> String {
    relay.admin_json(&[
        "advisor", "reinvite", "--firm", firm, "--advisor", advisor,
    ])["enrollment_code"]
        .as_str()
        .expect("code")
        .to_string()
}

fn devices(relay: &RelayProcess, firm: &str) -> Vec<Value> {
    relay
        .admin_json(&["device", "list", "--firm", firm])
        .as_array()
        .expect("devices")
        .clone()
}

fn device_revoked(relay: &RelayProcess, firm: &str, device: &str) -> bool {
    devices(relay, firm)
        .iter()
        .find(|d| d["id"] == device)
        .map(|d| !d["revoked_at"].is_null())
        .expect("device listed")
}

fn advisors(relay: &RelayProcess, firm: &str) -> Vec<Value> {
    relay
        .admin_json(&["advisor", "list", "--firm", firm])
        .as_array()
        .expect("advisors")
        .clone()
}

const PASSWORD_A: &str = "maple-admin-password-1";
const PASSWORD_B: &str = "birch-admin-password-2";
const PASSWORD_OPERATOR: &str = "platform-operator-pw-3";

/// Two firms with a console admin each, advisors, devices, and (with `household`) a synced
/// household in firm A.
struct World {
    dir: tempfile::TempDir,
    relay: RelayProcess,
    firm_a: String,
    firm_b: String,
    /// Firm A: owner of the household (enrolled with `hearth`), and a second advisor.
    paul: String,
    nina: String,
    /// Firm A devices: Paul's laptop (kept) and an old laptop (to revoke).
    paul_laptop: String,
    old_laptop: String,
    /// Firm B's advisor and device.
    bella: String,
    bella_laptop: String,
    household: Option<String>,
}

fn world(config: &str, household: bool) -> World {
    world_on(None, config, household)
}

/// The same, on `database` (a PostgreSQL URL) instead of a SQLite file.
fn world_on(database: Option<&str>, config: &str, household: bool) -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = database
        .map(str::to_string)
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("relay.db").display()));
    let relay = RelayProcess::start_with_config(&database, config);
    let firm_a = relay.create_firm("Maple Advisors");
    let firm_b = relay.create_firm("Birch Wealth");
    create_console_user(
        &relay,
        &["--firm", &firm_a, "--email", "Admin@Maple.example"],
        PASSWORD_A,
        false,
    );
    create_console_user(
        &relay,
        &["--firm", &firm_b, "--email", "admin@birch.example"],
        PASSWORD_B,
        true,
    );
    create_console_user(
        &relay,
        &["--operator", "--email", "ops@platform.example"],
        PASSWORD_OPERATOR,
        false,
    );
    let (paul, paul_code) = relay.invite(&firm_a, "Paul Owner", false);
    let (nina, _) = relay.invite(&firm_a, "Nina Colleague", false);
    let (bella, bella_code) = relay.invite(&firm_b, "Bella Birch", false);
    let mut household_id = None;
    let paul_laptop = if household {
        let paul_desk = Hearth::init(&dir.path().join("paul"), "paul", "pw");
        paul_desk.ok(&["enroll", "--relay", &relay.url, "--code", &paul_code]);
        let id = paul_desk.ok(&["household", "create", "--name", "The Okafors"]);
        paul_desk.ok(&["household", "set", &id, "--client-ref", "C-1042"]);
        paul_desk.ok(&["sync"]);
        household_id = Some(id);
        devices(&relay, &firm_a)
            .iter()
            .find(|d| d["advisor_id"] == paul.as_str())
            .and_then(|d| d["id"].as_str())
            .expect("Paul's laptop")
            .to_string()
    } else {
        enroll_device(&relay, &paul_code, "paul-laptop")
    };
    let old_laptop = enroll_device(&relay, &reinvite(&relay, &firm_a, &paul), "old-laptop");
    let bella_laptop = enroll_device(&relay, &bella_code, "bella-laptop");
    World {
        dir,
        relay,
        firm_a,
        firm_b,
        paul,
        nina,
        paul_laptop,
        old_laptop,
        bella,
        bella_laptop,
        household: household_id,
    }
}

fn console_config(extra: &str) -> String {
    format!("{TEST_RELAY_CONFIG}\n[console]\n{extra}\n")
}

// ---------------------------------------------------------------------------------------------
// HTTP tests

#[test]
fn console_user_cli_creates_lists_resets_and_refuses_bad_input() {
    let w = world(&console_config("sign_in_attempts_per_minute = 1000"), false);
    let short = create_console_user_fails(
        &w.relay,
        &[
            "--firm",
            &w.firm_a,
            "--email",
            "x@maple.example",
            "--password-stdin",
        ],
        "short",
    );
    assert!(short.contains("at least 12 characters"), "{short}");
    let taken = create_console_user_fails(
        &w.relay,
        &[
            "--firm",
            &w.firm_b,
            "--email",
            "admin@maple.example",
            "--password-stdin",
        ],
        "another-long-password",
    );
    assert!(taken.contains("already exists"), "{taken}");
    let no_firm = create_console_user_fails(
        &w.relay,
        &[
            "--firm",
            "firm_nope",
            "--email",
            "y@maple.example",
            "--password-stdin",
        ],
        "another-long-password",
    );
    assert!(no_firm.contains("not found"), "{no_firm}");
    let no_password = create_console_user_fails(
        &w.relay,
        &["--firm", &w.firm_a, "--email", "z@maple.example"],
        "",
    );
    assert!(no_password.contains("--password-stdin"), "{no_password}");
    let as_flag = create_console_user_fails(
        &w.relay,
        &[
            "--firm",
            &w.firm_a,
            "--email",
            "z@maple.example",
            "--password",
            "x",
        ],
        "",
    );
    assert!(as_flag.contains("unexpected argument"), "{as_flag}");
    let listed = w.relay.admin_json(&["admin", "list", "--firm", &w.firm_a]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        listed[0]["email"], "admin@maple.example",
        "stored lower-case"
    );
    assert!(
        listed[0].get("password_hash").is_none(),
        "no hash in output"
    );

    // A forgotten password is reset on the relay host; the old one and its sessions stop.
    let mut before = Client::new(&w.relay);
    assert_eq!(
        before.sign_in("admin@maple.example", PASSWORD_A).status,
        303
    );
    let short = create_console_user_fails_with(
        &w.relay,
        &[
            "admin",
            "set-password",
            "--email",
            "admin@maple.example",
            "--password-stdin",
        ],
        "short",
    );
    assert!(short.contains("at least 12 characters"), "{short}");
    let unknown = create_console_user_fails_with(
        &w.relay,
        &[
            "admin",
            "set-password",
            "--email",
            "who@maple.example",
            "--password-stdin",
        ],
        "a-long-enough-password",
    );
    assert!(unknown.contains("no console user"), "{unknown}");
    let mut reset = Command::new(bin("hearth-relay"))
        .args(["--database", &w.relay.database, "admin", "set-password"])
        .args(["--email", "admin@maple.example", "--password-stdin"])
        .env("HEARTH_RELAY_MASTER_KEY", TEST_MASTER_KEY)
        .env("HEARTH_RELAY_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn hearth-relay");
    writeln!(reset.stdin.take().expect("stdin"), "a-brand-new-password").expect("write");
    assert!(reset.wait().expect("wait").success());
    assert_eq!(before.get("/admin/advisors").status, 303, "sessions ended");
    let mut after = Client::new(&w.relay);
    assert_eq!(after.sign_in("admin@maple.example", PASSWORD_A).status, 401);
    assert_eq!(
        after
            .sign_in("admin@maple.example", "a-brand-new-password")
            .status,
        303
    );
}

/// Runs `hearth-relay ARGS` with `stdin`, expecting a refusal; returns stderr.
fn create_console_user_fails_with(relay: &RelayProcess, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(bin("hearth-relay"))
        .args(["--database", &relay.database])
        .args(args)
        .env("HEARTH_RELAY_MASTER_KEY", TEST_MASTER_KEY)
        .env("HEARTH_RELAY_LOG", "warn")
        .env_remove("HEARTH_RELAY_ADMIN_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hearth-relay");
    let mut input = child.stdin.take().expect("stdin");
    let _ = writeln!(input, "{stdin}");
    drop(input);
    let out = child.wait_with_output().expect("wait");
    assert!(!out.status.success(), "hearth-relay {args:?} should fail");
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn sign_in_csrf_sign_out_and_firm_isolation() {
    sign_in_csrf_sign_out_and_firm_isolation_on(None);
}

#[test]
fn sign_in_csrf_sign_out_and_firm_isolation_on_postgres() {
    let pg = hearth_relay_store_postgres::testing::TempPostgres::start()
        .expect("start a private PostgreSQL (initdb/pg_ctl)");
    sign_in_csrf_sign_out_and_firm_isolation_on(Some(&pg.url()));
}

fn sign_in_csrf_sign_out_and_firm_isolation_on(database: Option<&str>) {
    let w = world_on(
        database,
        &console_config("sign_in_attempts_per_minute = 1000"),
        true,
    );
    let relay = &w.relay;
    let household = w.household.clone().expect("household");

    // Signed out: pages and actions send the browser to sign-in and change nothing.
    let mut anon = Client::new(relay);
    let page = anon.get("/admin/devices");
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), Some("/admin/login"));
    let post = anon.post(
        &format!("/admin/devices/{}/revoke", w.old_laptop),
        &[("csrf", "x")],
    );
    assert_eq!(post.status, 303);
    assert!(!device_revoked(relay, &w.firm_a, &w.old_laptop));

    // A failed sign-in reads the same whether or not the email exists.
    let strip_nonce = |r: &Resp| {
        let nonce = r.input("nonce").expect("nonce");
        r.body.replace(&nonce, "NONCE")
    };
    let wrong_password = anon.sign_in("admin@maple.example", "wrong-password-123");
    let unknown_email = anon.sign_in("nobody@maple.example", "wrong-password-123");
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown_email.status, 401);
    assert_eq!(strip_nonce(&wrong_password), strip_nonce(&unknown_email));
    assert!(
        wrong_password
            .body
            .contains("The email or password is not correct.")
    );
    assert!(!anon.cookies.contains_key("hearth_console"));

    // The sign-in form's nonce: a post without the matching cookie is refused.
    let mut forged = Client::new(relay);
    let r = forged.post(
        "/admin/login",
        &[
            ("email", "admin@maple.example"),
            ("password", PASSWORD_A),
            ("nonce", "made-up"),
        ],
    );
    assert_eq!(r.status, 403);
    assert!(!forged.cookies.contains_key("hearth_console"));

    // Sign in (the email is case-insensitive); the cookie is HttpOnly and SameSite=Strict.
    let mut a = Client::new(relay);
    let r = a.sign_in("ADMIN@maple.example", PASSWORD_A);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/admin"));
    let cookie = r
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("hearth_console="))
        .expect("session cookie")
        .to_string();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age="] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Secure"), "Secure only when configured");
    assert_eq!(a.get("/admin").header("location"), Some("/admin/advisors"));
    let page = a.get("/admin/advisors");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Maple Advisors") && page.body.contains("Paul Owner"));
    for header in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
    ] {
        assert!(page.header(header).is_some(), "{header} missing");
    }
    let csrf_a = a.csrf();

    // CSRF: a POST without the token, or with someone else's, is refused and changes nothing.
    let before = advisors(relay, &w.firm_a).len();
    let r = a.post("/admin/advisors", &[("name", "No Token")]);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Form expired"));
    let mut b = Client::new(relay);
    assert_eq!(b.sign_in("admin@birch.example", PASSWORD_B).status, 303);
    let csrf_b = b.csrf();
    assert_ne!(csrf_a, csrf_b);
    let r = a.post(
        "/admin/advisors",
        &[("name", "Wrong Token"), ("csrf", &csrf_b)],
    );
    assert_eq!(r.status, 403);
    let r = a.post(
        &format!("/admin/devices/{}/revoke", w.old_laptop),
        &[("csrf", "0000")],
    );
    assert_eq!(r.status, 403);
    let r = a.post("/admin/archive/retention", &[("years", "50")]);
    assert_eq!(r.status, 403, "archive actions need the token too");
    assert!(
        a.get("/admin/archive").body.contains("6 years"),
        "unchanged"
    );
    assert_eq!(advisors(relay, &w.firm_a).len(), before);
    assert!(!device_revoked(relay, &w.firm_a, &w.old_laptop));

    // With the token: invite (the code works once), revoke, share; every action audited.
    let r = a.post(
        "/admin/advisors",
        &[("name", "Iris <Invited>"), ("csrf", &csrf_a)],
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.body.contains("Iris &lt;Invited&gt;"), "names are escaped");
    let code_start = r.body.find("data-enrollment-code=\"").expect("code") + 22;
    let code = &r.body[code_start..code_start + 19];
    enroll_device(relay, code, "iris-laptop");
    let r = a.post(
        &format!("/admin/devices/{}/revoke", w.old_laptop),
        &[("csrf", &csrf_a)],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/admin/devices?notice=revoked"));
    assert!(device_revoked(relay, &w.firm_a, &w.old_laptop));
    let r = a.post(
        &format!("/admin/households/{household}/share"),
        &[("advisor", &w.nina), ("csrf", &csrf_a)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = a.get(&format!("/admin/households/{household}"));
    assert!(page.body.contains(&format!("data-shared=\"{}\"", w.nina)));
    let audit = a.get("/admin/audit").body;
    for action in [
        "console.sign_in",
        "advisor.invite",
        "device.revoke",
        "document.share",
    ] {
        assert!(audit.contains(action), "audit lacks {action}");
    }

    // Firm B: firm A's ids get the very same 404 page as ids that do not exist.
    let missing = b.get("/admin/households/NoSuchHousehold");
    assert_eq!(missing.status, 404);
    let foreign = b.get(&format!("/admin/households/{household}"));
    assert_eq!(foreign.status, 404);
    assert_eq!(foreign.body, missing.body);
    let missing_post = b.post("/admin/devices/dev_nope/revoke", &[("csrf", &csrf_b)]);
    assert_eq!(missing_post.status, 404);
    assert_eq!(missing_post.body, missing.body);
    let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/admin/devices/{}/revoke", w.paul_laptop), vec![]),
        (format!("/admin/advisors/{}/disable", w.paul), vec![]),
        (format!("/admin/advisors/{}/enable", w.paul), vec![]),
        (format!("/admin/advisors/{}/reinvite", w.paul), vec![]),
        (
            format!("/admin/households/{household}/share"),
            vec![("advisor", w.bella.as_str())],
        ),
        (
            format!("/admin/households/{household}/unshare"),
            vec![("advisor", w.nina.as_str())],
        ),
    ];
    for (path, mut fields) in attempts {
        fields.push(("csrf", &csrf_b));
        let r = b.post(&path, &fields);
        assert_eq!(r.status, 404, "B posting {path}");
        assert_eq!(r.body, missing.body, "B posting {path}");
    }
    // ... and none of it happened.
    assert!(!device_revoked(relay, &w.firm_a, &w.paul_laptop));
    assert!(
        advisors(relay, &w.firm_a)
            .iter()
            .all(|a| a["disabled"] == false)
    );
    let page = a.get(&format!("/admin/households/{household}"));
    assert!(page.body.contains(&format!("data-shared=\"{}\"", w.nina)));
    // B's own action on its own firm works, and B's pages hold nothing of A's.
    let r = b.post(
        &format!("/admin/devices/{}/revoke", w.bella_laptop),
        &[("csrf", &csrf_b)],
    );
    assert_eq!(r.status, 303);
    for section in ["advisors", "devices", "households", "audit", "settings"] {
        let page = b.get(&format!("/admin/{section}"));
        assert_eq!(page.status, 200);
        for id in [&w.firm_a, &w.paul, &w.nina, &w.paul_laptop, &household] {
            assert!(!page.body.contains(id.as_str()), "B's {section} shows {id}");
        }
    }

    // Roles: a firm admin has no operator page; the operator has no firm pages.
    assert_eq!(a.get("/admin/operator").status, 404);
    let mut op = Client::new(relay);
    assert_eq!(
        op.sign_in("ops@platform.example", PASSWORD_OPERATOR).status,
        303
    );
    assert_eq!(op.get("/admin").header("location"), Some("/admin/operator"));
    let overview = op.get("/admin/operator");
    assert_eq!(overview.status, 200);
    assert!(overview.body.contains("Maple Advisors") && overview.body.contains("Birch Wealth"));
    assert!(!overview.body.contains("Paul Owner") && !overview.body.contains(&household));
    assert_eq!(
        op.get(&format!("/admin/households/{household}")).status,
        404
    );
    assert_eq!(op.get("/admin/advisors").status, 404);

    // Sign-out needs the CSRF token, ends the session, and the old cookie stops working.
    let stolen = a.cookies.clone();
    assert_eq!(a.post("/admin/logout", &[]).status, 403);
    let r = a.post("/admin/logout", &[("csrf", &csrf_a)]);
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/admin/login?ended=signed-out"));
    let mut replay = Client::new(relay);
    replay.cookies = stolen;
    assert_eq!(replay.get("/admin/advisors").status, 303);
    let audit = b.get("/admin/audit").body;
    assert!(
        !audit.contains("console.sign_out"),
        "A's sign-out is not in B's log"
    );
    drop(w.dir);
}

#[test]
fn sessions_expire_and_sign_in_is_rate_limited() {
    // Default sign-in limit (10 a minute per address and per email); 3-second sessions;
    // Secure cookies.
    let w = world(
        &format!("{TEST_RELAY_CONFIG}\n[console]\nsession_ttl_secs = 3\nsecure_cookies = true\n"),
        false,
    );
    let mut a = Client::new(&w.relay);
    let r = a.sign_in("admin@maple.example", PASSWORD_A);
    assert_eq!(r.status, 303);
    assert!(
        r.set_cookies()
            .iter()
            .any(|c| c.starts_with("hearth_console=") && c.contains("; Secure")),
        "{:?}",
        r.set_cookies()
    );
    assert!(
        a.get("/admin/advisors").status == 200,
        "a fresh session works"
    );
    // Guessing: the sign-in above and 9 wrong guesses use up this address's 10 a minute;
    // after that even the right password is refused for a while. (Done before the wait for
    // the session to expire: the limiter gives one attempt back every 6 s.)
    let mut guesser = Client::new(&w.relay);
    let mut statuses = Vec::new();
    for i in 0..9 {
        statuses.push(
            guesser
                .sign_in("admin@birch.example", &format!("guess-number-{i}"))
                .status,
        );
    }
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    let r = guesser.sign_in("admin@birch.example", PASSWORD_B);
    assert_eq!(r.status, 429);
    assert!(r.body.contains("Too many sign-in attempts"));
    assert!(!guesser.cookies.contains_key("hearth_console"));

    // The session ends by itself: the same cookie is sent back to sign-in.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = a.get("/admin/advisors");
        if r.status == 303 {
            assert_eq!(r.header("location"), Some("/admin/login"));
            break;
        }
        assert_eq!(r.status, 200);
        assert!(Instant::now() < deadline, "the session never expired");
        std::thread::sleep(Duration::from_millis(200));
    }
}

// ---------------------------------------------------------------------------------------------
// Headless Chromium

fn console_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("console")
}

/// Runs `node tests/console/SCRIPT INPUT` (a Chromium flow) and returns its JSON result,
/// failing the test with the script's error when the flow failed.
fn browser_flow(script: &str, input: &Value) -> Value {
    let out = Command::new("node")
        .arg(console_dir().join(script))
        .arg(input.to_string())
        .stdin(Stdio::null())
        .output()
        .expect("spawn node (Node 20+ must be on PATH)");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let result: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("{script} printed no JSON: {stdout}{stderr}"));
    assert_eq!(
        result["ok"], true,
        "browser flow failed: {result:#}\n{stderr}"
    );
    result
}

/// Unpacks an examiner's export (the ZIP the console downloads) into `into`; returns the
/// bundle directory.
fn unzip_bundle(zip: &str, into: &Path) -> PathBuf {
    let out = Command::new("python3")
        .args(["-m", "zipfile", "-e", zip])
        .arg(into)
        .output()
        .expect("python3 (scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_dir(into)
        .expect("unpacked bundle")
        .next()
        .expect("one top-level directory")
        .expect("entry")
        .path()
}

#[test]
fn console_in_headless_chromium() {
    let chromium = std::env::var("HEARTH_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).is_file(),
        "{chromium} is missing: install Debian's chromium (scripts/setup.sh)"
    );
    hearth_e2e::npm_ci(&console_dir());
    let w = world(&console_config("sign_in_attempts_per_minute = 1000"), true);
    let household = w.household.clone().expect("household");
    let screenshots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("docs")
        .join("screenshots");
    std::fs::create_dir_all(&screenshots).expect("docs/screenshots");
    let downloads = w.dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads dir");
    let input = json!({
        "url": w.relay.url,
        "chromium": chromium,
        "screenshots": screenshots,
        "downloads": downloads,
        "archive": true,
        "a": {
            "email": "admin@maple.example",
            "password": PASSWORD_A,
            "firm_id": w.firm_a,
            "firm_name": "Maple Advisors",
            "household": household,
            "household_name": "The Okafors",
            "client_ref": "C-1042",
            "owner_id": w.paul,
            "owner_name": "Paul Owner",
            "share_with": w.nina,
            "share_with_name": "Nina Colleague",
            "revoke_device": w.old_laptop,
            "keep_device": w.paul_laptop,
        },
        "b": {
            "email": "admin@birch.example",
            "password": PASSWORD_B,
            "firm_id": w.firm_b,
            "firm_name": "Birch Wealth",
            "advisor": w.bella,
        },
        "operator": { "email": "ops@platform.example", "password": PASSWORD_OPERATOR },
    });
    let result = browser_flow("console.mjs", &input);

    // What the browser did is what the relay holds.
    assert!(device_revoked(&w.relay, &w.firm_a, &w.old_laptop));
    assert!(!device_revoked(&w.relay, &w.firm_a, &w.paul_laptop));
    assert!(!device_revoked(&w.relay, &w.firm_b, &w.bella_laptop));
    assert!(
        advisors(&w.relay, &w.firm_a)
            .iter()
            .any(|a| a["name"] == "Iris Invited")
    );
    let code = result["invite_code"].as_str().expect("invite code");
    enroll_device(&w.relay, code, "iris-laptop");
    // The ZIP the browser downloaded is a bundle that verifies offline.
    let zip = result["archive_export"]
        .as_str()
        .expect("an archive export");
    let bundle = unzip_bundle(zip, &w.dir.path().join("unpacked"));
    let verified = Command::new(bin("hearth-relay"))
        .args(["archive", "verify"])
        .arg(&bundle)
        .output()
        .expect("spawn hearth-relay");
    assert!(
        verified.status.success(),
        "the exported bundle does not verify: {}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );

    let firms = w.relay.admin_json(&["firm", "list"]);
    assert!(
        firms
            .as_array()
            .expect("firms")
            .iter()
            .any(|f| f["name"] == "Cedar Partners")
    );
    for page in [
        "signin",
        "advisors",
        "devices",
        "households",
        "household",
        "audit",
        "settings",
        "not-found",
        "operator",
        "archive",
        "archive-verified",
    ] {
        let shot = screenshots.join(format!("console-{page}.png"));
        let bytes = std::fs::read(&shot).unwrap_or_default();
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "{} is not a screenshot",
            shot.display()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Firm supervision: a compliance officer's review queue and the firm's policy

/// A meeting where the advisor guarantees an outcome and the client complains.
const FLAGGED_MEETING: &str = "\
Paul: Thanks for coming in, Grace. Let's look at the new income fund.
Grace: Before that, I'm really upset that you charged me the advisory fee twice this quarter.
Paul: I'm sorry about that, we will fix it. As for the fund, I guarantee you will not lose money in it.
Grace: All right. Send me the paperwork and I will read it this week.
";

#[test]
fn compliance_officer_reviews_and_sets_policy_in_chromium() {
    let chromium = std::env::var("HEARTH_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).is_file(),
        "{chromium} is missing: install Debian's chromium (scripts/setup.sh)"
    );
    hearth_e2e::npm_ci(&console_dir());
    let dir = tempfile::tempdir().expect("tempdir");
    let relay = RelayProcess::start_with_config(
        &format!("sqlite://{}", dir.path().join("relay.db").display()),
        &console_config("sign_in_attempts_per_minute = 1000"),
    );
    let firm_a = relay.create_firm("Maple Advisors");
    let firm_b = relay.create_firm("Birch Wealth");
    let officer = create_console_user(
        &relay,
        &[
            "--firm",
            &firm_a,
            "--email",
            "cco@maple.example",
            "--role",
            "compliance_officer",
        ],
        PASSWORD_A,
        false,
    );
    assert_eq!(officer["role"], "compliance_officer");
    create_console_user(
        &relay,
        &[
            "--firm",
            &firm_b,
            "--email",
            "cco@birch.example",
            "--role",
            "compliance_officer",
        ],
        PASSWORD_B,
        true,
    );

    // Paul's desk records (imports) a meeting with a guarantee and a complaint, analyses it
    // and syncs: the relay now holds the flags.
    let (_paul, code) = relay.invite(&firm_a, "Paul Owner", false);
    let desk = Hearth::enrolled(dir.path(), "paul", &relay, &code);
    let household = desk.ok(&["household", "create", "--name", "The Okafors"]);
    let transcript = dir.path().join("fund-review.txt");
    std::fs::write(&transcript, FLAGGED_MEETING).expect("transcript");
    let meeting = desk.ok(&[
        "meeting",
        "import-transcript",
        &household,
        transcript.to_str().expect("utf-8 path"),
        "--consent-by",
        "Grace Okafor",
        "--title",
        "Fund review",
        "--date",
        "2026-12-01",
    ]);
    let analysis = desk.json(&["meeting", "analyze", &meeting]);
    let kinds: Vec<&str> = analysis["analysis"]["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .filter_map(|f| f["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"guarantee") && kinds.contains(&"complaint"),
        "{kinds:?}"
    );
    assert_eq!(desk.ok(&["consent", "mode", "show"]).trim(), "one-party");
    desk.ok(&["sync"]);

    // In Chromium: the officer reviews the guarantee, records the complaint, sets the policy
    // and exports the archive; firm B's officer reaches nothing of it.
    let screenshots = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("docs")
        .join("screenshots");
    std::fs::create_dir_all(&screenshots).expect("docs/screenshots");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).expect("downloads dir");
    let comment = "Talked to Paul: no guarantees on any fund; corrected in writing to the client.";
    let input = json!({
        "url": relay.url,
        "chromium": chromium,
        "screenshots": screenshots,
        "downloads": downloads,
        "comment": comment,
        "policy": {
            "disclosure_version": "2027-1",
            "disclosure_text": "We record this call, both sides of it, to keep accurate notes. Do we have everyone's consent?",
            "max_audio_days": 30,
        },
        "a": {
            "email": "cco@maple.example",
            "password": PASSWORD_A,
            "advisor_name": "Paul Owner",
            "household_name": "The Okafors",
        },
        "b": { "email": "cco@birch.example", "password": PASSWORD_B },
    });
    let result = browser_flow("supervision.mjs", &input);

    // The export holds the decisions and verifies with the firm's pinned key, not another.
    let zip = result["archive_export"]
        .as_str()
        .expect("an archive export");
    let bundle = unzip_bundle(zip, &dir.path().join("unpacked"));
    let actions =
        std::fs::read_to_string(bundle.join("admin_actions.json")).expect("admin_actions.json");
    for needle in [
        comment,
        "review.reviewed",
        "review.complaint",
        "Advisory fee billed twice",
        "policy.set",
        "2027-1",
    ] {
        assert!(
            actions.contains(needle),
            "{needle} not in the export's admin actions: {actions}"
        );
    }
    let fingerprint = |firm: &str| -> String {
        let head: Value = serde_json::from_str(&relay.admin(&["archive", "head", "--firm", firm]))
            .expect("archive head JSON");
        head["fingerprint"]
            .as_str()
            .expect("fingerprint")
            .to_string()
    };
    let verify = |fp: &str| {
        Command::new(bin("hearth-relay"))
            .args(["archive", "verify", "--fingerprint", fp])
            .arg(&bundle)
            .output()
            .expect("spawn hearth-relay")
    };
    let pinned = verify(&fingerprint(&firm_a));
    assert!(
        pinned.status.success(),
        "the export does not verify with the firm's key: {}{}",
        String::from_utf8_lossy(&pinned.stdout),
        String::from_utf8_lossy(&pinned.stderr)
    );
    let other = verify(&fingerprint(&firm_b));
    assert!(
        !other.status.success(),
        "the export verified with firm B's key"
    );

    // The policy reaches Paul's desk on its next sync and governs it.
    let before = desk.json(&["history", &household]);
    let synced = desk.json(&["sync"]);
    assert_eq!(synced["policy_version"], 1, "{synced}");
    assert!(
        synced["policy_tightened"].to_string().contains("all-party"),
        "{synced}"
    );
    assert_eq!(desk.ok(&["consent", "mode", "show"]).trim(), "all-party");
    assert_eq!(
        desk.json(&["consent", "disclosure", "show"])["version"],
        "2027-1"
    );
    assert_eq!(
        desk.json(&["relay", "policy"])["policy"]["max_audio_days"],
        30
    );
    let refused = desk.fails(&["consent", "mode", "set", "one-party"]);
    assert!(refused.contains("firm policy v1"), "{refused}");
    let refused = desk.fails(&["audio", "retention", "set", "keep-days", "--days", "90"]);
    assert!(
        refused.contains("firm policy v1") && refused.contains("30 days"),
        "{refused}"
    );
    desk.ok(&["audio", "retention", "set", "keep-days", "--days", "30"]);
    // Recording now needs every participant's consent: refused before any device opens,
    // nothing written.
    let refused = desk.fails(&[
        "meeting",
        "record",
        &household,
        "--consent-by",
        "Grace Okafor",
        "--participants",
        "Grace Okafor,Dev Okafor",
        "--seconds",
        "1",
    ]);
    assert!(refused.contains("Dev Okafor"), "{refused}");
    assert_eq!(
        desk.json(&["history", &household]),
        before,
        "nothing was written"
    );
    for page in ["review-queue", "review-item", "review-report", "policy"] {
        let shot = screenshots.join(format!("console-{page}.png"));
        let bytes = std::fs::read(&shot).unwrap_or_default();
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "{} is not a screenshot",
            shot.display()
        );
    }
}
