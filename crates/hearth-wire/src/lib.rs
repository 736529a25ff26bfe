//! The automerge-repo v1 WebSocket protocol as sans-I/O state machines.
//!
//! * [`message`]: the protocol's messages and their CBOR codec ([`decode`], [`encode`]).
//! * [`relay`]: the relay-side engine [`Hub`], with per-document access control by a
//!   [`Policy`].
//! * [`shard`]: which of a firm's hubs a frame goes to when its documents are spread over
//!   several.
//! * [`client`]: the client-side engine [`Client`] used by `hearth sync`.
//!
//! Nothing here touches sockets, clocks, disks or an async runtime: callers feed frames and
//! the current time in, and carry out the effects that come back.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod message;
pub mod relay;
pub mod shard;

pub use client::{Client, ClientError, DocStatus};
pub use message::{DecodeError, HeadsAt, Message, PeerMetadata, decode, encode};
pub use relay::{Access, CloseReason, ConnId, Effect, Hub, HubConfig, HubStats, Policy};
