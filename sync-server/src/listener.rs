//! Accepting connections: plain TCP or TLS (rustls, certificate reloaded on SIGHUP), HTTP/1.1
//! through hyper with a deadline for every phase a client controls — the TLS handshake, the
//! request headers (also between keep-alive requests), the whole request — so slow or
//! half-open connections are shed instead of held. WebSocket upgrades carry on outside these
//! deadlines with their own keep-alive (`edge`).

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::rustls;
use tower::ServiceExt as _;

/// Deadlines for what a client controls (`[timeouts]` in the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Deadlines {
    /// A TLS handshake must finish within this.
    pub handshake: Duration,
    /// Request headers must arrive within this, from the connection's start or from the end
    /// of the previous response (so it is also the keep-alive idle limit).
    pub headers: Duration,
    /// A whole request, body included, must be answered within this.
    pub request: Duration,
    /// How long a graceful stop waits for open requests.
    pub drain: Duration,
}

/// The relay's certificate and key, read from PEM files, replaceable while serving.
pub struct TlsFiles {
    cert: PathBuf,
    key: PathBuf,
    current: RwLock<Arc<rustls::ServerConfig>>,
}

/// Why the certificate files could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read or holds no usable PEM item.
    #[error(
        "cannot read {path}: {reason}; tls.cert_file must hold PEM certificates (leaf first) and tls.key_file a PEM private key"
    )]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("the certificate and key cannot be used together: {0}")]
    Config(#[from] rustls::Error),
}

impl TlsFiles {
    /// Loads `cert` (PEM chain, leaf first) and `key` (PEM private key).
    pub fn load(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let config = server_config(cert, key)?;
        Ok(Self {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            current: RwLock::new(Arc::new(config)),
        })
    }

    /// Re-reads the files; on an error the certificate in use stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let config = server_config(&self.cert, &self.key)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(config);
        Ok(())
    }

    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let config = self
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        tokio_rustls::TlsAcceptor::from(config)
    }
}

fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, TlsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let file_error = |path: &Path, reason: String| TlsError::File {
        path: path.display().to_string(),
        reason,
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| file_error(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_error(cert, e.to_string()))?;
    if chain.is_empty() {
        return Err(file_error(cert, "no certificate in it".into()));
    }
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| file_error(key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)?;
    // HTTP/1.1 only: WebSocket upgrades are HTTP/1.1, and one protocol keeps the header
    // deadline in force on every connection.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets open requests finish
/// (up to `deadlines.drain`). With `tls`, every connection is TLS.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    tls: Option<Arc<TlsFiles>>,
    deadlines: Deadlines,
    shutdown: impl Future<Output = ()>,
) {
    let app = app.layer(tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::REQUEST_TIMEOUT,
        deadlines.request,
    ));
    // Under TLS, browsers are told to come back only over HTTPS.
    let app = if tls.is_some() {
        app.layer(axum::middleware::map_response(strict_transport_security))
    } else {
        app
    };
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // Forget the connections that ended.
        while connections.try_join_next().is_some() {}
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: keep serving the open ones.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Replies are often several small frames: send each at once rather than let Nagle's
        // algorithm hold them for the peer's delayed ACK (~40 ms a round trip).
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        let service = app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(axum::body::Body::new)
            },
        );
        let tls = tls.clone();
        let stopping = stopping.clone();
        connections.spawn(async move {
            match tls {
                None => drive(tcp, service, deadlines, stopping).await,
                Some(tls) => {
                    let handshake =
                        tokio::time::timeout(deadlines.handshake, tls.acceptor().accept(tcp));
                    match handshake.await {
                        Ok(Ok(stream)) => drive(stream, service, deadlines, stopping).await,
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let drained = tokio::time::timeout(deadlines.drain, async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!("open connections did not finish within the drain deadline");
    }
}

async fn strict_transport_security(
    mut response: axum::response::Response,
) -> axum::response::Response {
    response.headers_mut().insert(
        axum::http::header::STRICT_TRANSPORT_SECURITY,
        axum::http::HeaderValue::from_static("max-age=31536000"),
    );
    response
}

/// Serves HTTP/1.1 on one connection until it ends, finishing the request in flight when the
/// relay stops.
async fn drive<I, S>(
    io: I,
    service: S,
    deadlines: Deadlines,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: tower::Service<
            axum::http::Request<hyper::body::Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(deadlines.headers)
        .keep_alive(true);
    let connection = http
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    tokio::pin!(connection);
    let stop_asked = async move {
        // The guard `wait_for` returns is dropped here, before anything else awaits.
        let _ = stopping.wait_for(|stop| *stop).await.map(|_| ());
    };
    tokio::select! {
        _ = connection.as_mut() => return,
        () = stop_asked => {}
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}
