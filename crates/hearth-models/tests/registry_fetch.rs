//! Download, resume, verification and install against a local HTTP server on 127.0.0.1.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hearth_models::registry::{self, DownloadProgress, ModelSource, REGISTRY};
use hearth_models::{ModelError, ModelStore, sha256_file};
use sha2::Digest;

/// How the server answers the next requests.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Honour Range, send everything.
    Normal,
    /// Announce the full length but close after this many body bytes.
    CutAfter(usize),
    /// Ignore Range headers (always 200 with the whole body).
    NoRanges,
}

struct Server {
    url: String,
    /// Range header of each request received ("" when none).
    ranges: Arc<Mutex<Vec<String>>>,
    modes: Arc<Mutex<Vec<Mode>>>,
}

/// Serves `body` at `/model.bin`, one connection at a time, for at most 20 connections
/// or 60 s; each request takes the next mode from the queue (Normal when empty).
fn serve(body: Vec<u8>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/model.bin", listener.local_addr().unwrap());
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let modes = Arc::new(Mutex::new(Vec::new()));
    let (r, m) = (Arc::clone(&ranges), Arc::clone(&modes));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let mut served = 0;
        while served < 20 && std::time::Instant::now() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    served += 1;
                    let mode = {
                        let mut q = m.lock().unwrap();
                        if q.is_empty() {
                            Mode::Normal
                        } else {
                            q.remove(0)
                        }
                    };
                    handle(stream, &body, mode, &r);
                }
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    });
    Server { url, ranges, modes }
}

fn handle(stream: TcpStream, body: &[u8], mode: Mode, ranges: &Mutex<Vec<String>>) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    let _ = reader.read_line(&mut request_line);
    let mut range = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("range:") {
            range = v.trim().to_owned();
        }
    }
    ranges.lock().unwrap().push(range.clone());
    let mut out = stream;
    if !request_line.starts_with("GET /model.bin ") {
        let _ = out
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let start = range
        .strip_prefix("bytes=")
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|_| mode != Mode::NoRanges);
    let (head, slice) = match start {
        Some(s) if s >= body.len() => {
            let h = format!(
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                body.len()
            );
            (h, &body[..0])
        }
        Some(s) => {
            let h = format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {s}-{}/{}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len() - 1,
                body.len(),
                body.len() - s
            );
            (h, &body[s..])
        }
        None => {
            let h = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n\r\n",
                body.len()
            );
            (h, body)
        }
    };
    let _ = out.write_all(head.as_bytes());
    let send = match mode {
        Mode::CutAfter(n) => &slice[..n.min(slice.len())],
        _ => slice,
    };
    let _ = out.write_all(send);
    let _ = out.flush();
    let _ = out.shutdown(std::net::Shutdown::Both);
}

fn body(len: usize) -> (Vec<u8>, String) {
    let b: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
    let h = hex::encode(sha2::Sha256::digest(&b));
    (b, h)
}

#[test]
fn fetch_verifies_and_reports_progress() {
    let (b, sha) = body(300_000);
    let srv = serve(b.clone());
    let tmp = tempfile::tempdir().unwrap();
    let store = ModelStore::new(tmp.path().join("models"));
    let mut events: Vec<DownloadProgress> = Vec::new();
    let path = store
        .fetch_url(&srv.url, "ggml-x.bin", &sha, &mut |p| events.push(p))
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b);
    assert_eq!(path, tmp.path().join("models/ggml-x.bin"));
    let last = events.last().unwrap();
    assert_eq!(
        (last.downloaded, last.total, last.resumed_from),
        (300_000, Some(300_000), 0)
    );
    assert!(
        events
            .windows(2)
            .all(|w| w[0].downloaded <= w[1].downloaded)
    );
    assert!(!tmp.path().join("models/ggml-x.bin.part").exists());
    assert_eq!(srv.ranges.lock().unwrap().as_slice(), [""]);
}

#[test]
fn resumes_after_truncated_transfer() {
    let (b, sha) = body(500_000);
    let srv = serve(b.clone());
    srv.modes.lock().unwrap().push(Mode::CutAfter(123_457));
    let tmp = tempfile::tempdir().unwrap();
    let store = ModelStore::new(tmp.path());
    let part = tmp.path().join("m.bin.part");

    let e = store
        .fetch_url(&srv.url, "m.bin", &sha, &mut |_| {})
        .unwrap_err();
    assert!(matches!(e, ModelError::Http { .. }), "{e}");
    assert!(e.to_string().contains("kept for resume"), "{e}");
    assert_eq!(std::fs::metadata(&part).unwrap().len(), 123_457);
    assert!(
        !tmp.path().join("m.bin").exists(),
        "nothing installed after a failed transfer"
    );

    let mut first = None;
    let path = store
        .fetch_url(&srv.url, "m.bin", &sha, &mut |p| {
            first.get_or_insert(p);
        })
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b);
    assert!(!part.exists());
    let first = first.unwrap();
    assert_eq!((first.resumed_from, first.total), (123_457, Some(500_000)));
    assert_eq!(srv.ranges.lock().unwrap().as_slice(), ["", "bytes=123457-"]);
}

#[test]
fn server_without_ranges_restarts_and_complete_part_finishes() {
    let (b, sha) = body(200_000);
    let srv = serve(b.clone());
    srv.modes
        .lock()
        .unwrap()
        .extend([Mode::CutAfter(50_000), Mode::NoRanges]);
    let tmp = tempfile::tempdir().unwrap();
    let store = ModelStore::new(tmp.path());
    assert!(
        store
            .fetch_url(&srv.url, "m.bin", &sha, &mut |_| {})
            .is_err()
    );
    // The server ignores Range and answers 200: the file is restarted, not appended to.
    let path = store
        .fetch_url(&srv.url, "m.bin", &sha, &mut |_| {})
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b);

    // A complete .part (e.g. crash before rename): the server answers 416, the hash decides.
    std::fs::write(tmp.path().join("n.bin.part"), &b).unwrap();
    let path = store
        .fetch_url(&srv.url, "n.bin", &sha, &mut |_| {})
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b);
}

#[test]
fn wrong_hash_is_rejected_and_not_installed() {
    let (b, _) = body(100_000);
    let srv = serve(b);
    let tmp = tempfile::tempdir().unwrap();
    let store = ModelStore::new(tmp.path());
    let wrong = "0".repeat(64);
    let e = store
        .fetch_url(&srv.url, "m.bin", &wrong, &mut |_| {})
        .unwrap_err();
    match &e {
        ModelError::HashMismatch {
            expected, actual, ..
        } => {
            assert_eq!(expected, &wrong);
            assert_eq!(actual.len(), 64);
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("not installed"));
    assert!(!tmp.path().join("m.bin").exists());
    assert!(
        !tmp.path().join("m.bin.part").exists(),
        "bad bytes are not kept for resume"
    );

    // HTTP errors are reported with the status.
    let e = store
        .fetch_url(
            &srv.url.replace("model.bin", "other.bin"),
            "o.bin",
            &wrong,
            &mut |_| {},
        )
        .unwrap_err();
    assert!(
        matches!(e, ModelError::HttpStatus { status: 404, .. }),
        "{e}"
    );
}

#[test]
fn install_verify_list() {
    let tmp = tempfile::tempdir().unwrap();
    let store = ModelStore::new(tmp.path().join("store"));
    let (b, sha) = body(10_000);
    let src = tmp.path().join("src.bin");
    std::fs::write(&src, &b).unwrap();

    let e = store
        .install_file_with_hash(&src, "a.bin", &"f".repeat(64))
        .unwrap_err();
    assert!(matches!(e, ModelError::HashMismatch { .. }));
    assert!(!tmp.path().join("store/a.bin").exists());
    let p = store.install_file_with_hash(&src, "a.bin", &sha).unwrap();
    assert_eq!(sha256_file(&p).unwrap(), sha);

    // Registry-level operations.
    assert!(matches!(
        store.verify("tiny.en"),
        Err(ModelError::NotInstalled { .. })
    ));
    assert!(matches!(
        store.verify("huge.xl"),
        Err(ModelError::UnknownModel(_))
    ));
    let e = store.install_from_file("tiny.en", &src).unwrap_err();
    assert!(matches!(e, ModelError::HashMismatch { .. }), "{e}");
    assert!(matches!(
        store.fetch("tiny.en-pypi", &mut |_| {}),
        Err(ModelError::NotDownloadable(_))
    ));
    // A tampered installed file fails verification.
    let spec = registry::lookup("tiny.en").unwrap();
    std::fs::create_dir_all(store.dir()).unwrap();
    std::fs::write(store.path_of(spec), b"tampered").unwrap();
    assert!(matches!(
        store.verify("tiny.en"),
        Err(ModelError::HashMismatch { .. })
    ));

    let list = store.list();
    assert_eq!(list.len(), REGISTRY.len());
    let tiny = list.iter().find(|m| m.spec.name == "tiny.en").unwrap();
    assert_eq!(tiny.installed_size, Some(8));
    assert!(
        list.iter()
            .filter(|m| m.spec.name != "tiny.en")
            .all(|m| m.installed_size.is_none())
    );
}

#[test]
fn registry_table_is_well_formed() {
    let mut names = std::collections::HashSet::new();
    for s in REGISTRY {
        assert!(names.insert(s.name), "duplicate {}", s.name);
        assert_eq!(s.sha256.len(), 64, "{}", s.name);
        assert!(
            s.sha256
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        match s.kind {
            hearth_models::registry::ModelKind::Speech => {
                assert!(s.file_name.starts_with("ggml-") && s.file_name.ends_with(".bin"))
            }
            hearth_models::registry::ModelKind::Language => {
                assert!(s.file_name.ends_with(".gguf"), "{}", s.name)
            }
        }
        if let ModelSource::Url(u) = s.source {
            assert!(u.starts_with("https://") && u.ends_with(s.file_name));
        }
        assert_eq!(s.english_only, s.name.contains(".en"));
    }
    let dir = ModelStore::default_dir().unwrap();
    assert!(dir.ends_with("hearth/models"));
}
