//! The Hearth firm relay.
//!
//! It carries household documents between the devices of a firm's advisors over the standard
//! automerge-repo protocol. Every message is checked against (firm, advisor, document) by one
//! function, [`scope::ScopeIndex::check`]; outside its scope a document looks exactly like one
//! that does not exist. Documents are stored sealed with a per-firm data key.
//!
//! Layout: [`config`] (TOML + env + flags), [`tokens`] (access/refresh/API tokens, invite
//! codes), [`service`] (tenancy operations shared by the CLI and HTTP), [`scope`] (the scope
//! check), [`edge`] (WebSocket connections around `hearth_wire::relay::Hub`, one hub per firm),
//! [`http`] (the REST API and the router), [`blobs`] (attached documents' bytes),
//! [`console`] (the web console at `/admin`).
#![forbid(unsafe_code)]

pub mod archive;
pub mod archive_cli;
pub mod archive_http;
pub mod blobs;
pub mod cluster;
pub mod config;
pub mod console;
pub mod edge;
pub mod http;
pub mod listener;
pub mod metrics;
pub mod scope;
pub mod service;
pub mod supervision;
pub mod supervision_http;
pub mod tokens;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
