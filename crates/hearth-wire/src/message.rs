//! The messages of the automerge-repo v1 WebSocket protocol and their CBOR codec.
//!
//! One protocol message is one binary WebSocket frame holding a CBOR map with text keys, as
//! written by cbor-x (`useRecords: false`, `tagUint8Array: false`). The decoder is lenient in
//! the ways real clients need (non-minimal length headers, `undefined` for a missing
//! `storageId`, integers sent as floats, `metadata` for `peerMetadata`, any key order, unknown
//! keys) and strict about everything it needs to route a message: it never panics on input.
//! The encoder writes minimal CBOR with text keys, untagged byte strings and `peerMetadata`.

use std::collections::BTreeMap;

use ciborium::value::Value;
use hearth_core::DocumentId;

/// The only protocol version this crate speaks.
pub const PROTOCOL_VERSION: &str = "1";

/// Nesting depth accepted by the decoder; real messages nest at most four levels.
const MAX_DEPTH: usize = 16;

/// The largest integer a JavaScript number holds exactly (2^53 - 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// What a peer says about itself in `join` and `peer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeerMetadata {
    /// The id of the peer's storage, if it keeps one (absent for ephemeral peers).
    pub storage_id: Option<String>,
    /// Whether the peer keeps nothing across sessions.
    pub is_ephemeral: bool,
}

/// Heads of one storage at one moment, as carried by `remote-heads-changed`.
#[derive(Clone, Debug, PartialEq)]
pub struct HeadsAt {
    /// The heads, each a bs58check-encoded change hash.
    pub heads: Vec<String>,
    /// Milliseconds since the Unix epoch (a float on the wire).
    pub timestamp: f64,
}

/// One message of the automerge-repo v1 protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// `join`: the first message of a client.
    Join {
        /// The client's peer id.
        sender_id: String,
        /// What the client says about itself (`peerMetadata`, or `metadata` in the spec text).
        peer_metadata: PeerMetadata,
        /// Versions the client speaks; `None` (field absent) is treated as `["1"]`.
        supported_protocol_versions: Option<Vec<String>>,
    },
    /// `peer`: the server's answer to a successful `join`.
    Peer {
        /// The server's peer id.
        sender_id: String,
        /// The client's peer id.
        target_id: String,
        /// The version chosen, `"1"`.
        selected_protocol_version: String,
        /// What the server says about itself.
        peer_metadata: PeerMetadata,
    },
    /// `error`: a fatal protocol error; the sender closes the socket after it.
    Error {
        /// The sender's peer id.
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// A human-readable reason.
        message: String,
    },
    /// `request`: a sync message from a peer that lacks the document.
    Request {
        /// The sender's peer id.
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// The document.
        document_id: DocumentId,
        /// An Automerge sync message.
        data: Vec<u8>,
    },
    /// `sync`: a sync message from a peer that has the document.
    Sync {
        /// The sender's peer id.
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// The document.
        document_id: DocumentId,
        /// An Automerge sync message.
        data: Vec<u8>,
    },
    /// `doc-unavailable`: the sender does not have the document (or may not show it).
    DocUnavailable {
        /// The sender's peer id.
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// The document.
        document_id: DocumentId,
    },
    /// `ephemeral`: an application message about a document that is not stored.
    Ephemeral {
        /// The original author (kept when relayed).
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// The document.
        document_id: DocumentId,
        /// The author's session; with `count`, identifies repeats.
        session_id: String,
        /// A per-session sequence number.
        count: u64,
        /// Opaque payload.
        data: Vec<u8>,
    },
    /// `remote-subscription-change`: subscribe to / unsubscribe from heads of storages.
    RemoteSubscriptionChange {
        /// The sender's peer id.
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// Storage ids to add, if any.
        add: Option<Vec<String>>,
        /// Storage ids to remove, if any.
        remove: Option<Vec<String>>,
    },
    /// `remote-heads-changed`: the heads a storage has for a document.
    RemoteHeadsChanged {
        /// The sender's peer id.
        sender_id: String,
        /// The receiver's peer id.
        target_id: String,
        /// The document.
        document_id: DocumentId,
        /// Heads by storage id.
        new_heads: BTreeMap<String, HeadsAt>,
    },
    /// `leave`: the peer is going away.
    Leave {
        /// The sender's peer id.
        sender_id: String,
    },
}

impl Message {
    /// The value of the message's `type` field.
    pub fn type_name(&self) -> &'static str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Error { .. } => "error",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            Message::RemoteHeadsChanged { .. } => "remote-heads-changed",
            Message::Leave { .. } => "leave",
        }
    }

    /// The sender's peer id.
    pub fn sender_id(&self) -> &str {
        match self {
            Message::Join { sender_id, .. }
            | Message::Peer { sender_id, .. }
            | Message::Error { sender_id, .. }
            | Message::Request { sender_id, .. }
            | Message::Sync { sender_id, .. }
            | Message::DocUnavailable { sender_id, .. }
            | Message::Ephemeral { sender_id, .. }
            | Message::RemoteSubscriptionChange { sender_id, .. }
            | Message::RemoteHeadsChanged { sender_id, .. }
            | Message::Leave { sender_id } => sender_id,
        }
    }

    /// The document the message is about, if it is about one.
    pub fn document_id(&self) -> Option<&DocumentId> {
        match self {
            Message::Request { document_id, .. }
            | Message::Sync { document_id, .. }
            | Message::DocUnavailable { document_id, .. }
            | Message::Ephemeral { document_id, .. }
            | Message::RemoteHeadsChanged { document_id, .. } => Some(document_id),
            _ => None,
        }
    }
}

/// A message whose `documentId` is not a valid document id (bs58check of 16 bytes).
///
/// Carries what a peer needs to answer it as it would answer an unknown document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidDocumentId {
    /// The message's `type`.
    pub message_type: String,
    /// The `documentId` as sent.
    pub raw: String,
    /// The message's `senderId`, if it had a readable one.
    pub sender_id: Option<String>,
    /// The message's `data` (for `request` and `sync`: the Automerge sync message), if readable.
    pub data: Option<Vec<u8>>,
}

/// Why a frame could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not one well-formed CBOR item.
    #[error("frame is not valid CBOR: {0}")]
    Cbor(String),
    /// The CBOR item is not a map.
    #[error("frame is not a CBOR map")]
    NotAMap,
    /// The map has no text `type` field.
    #[error("message has no `type` field")]
    MissingType,
    /// The `type` is not one of the v1 message types.
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    /// A required field is absent.
    #[error("`{message_type}` message lacks required field `{field}`")]
    MissingField {
        /// The message's `type`.
        message_type: String,
        /// The field's wire name.
        field: &'static str,
    },
    /// A field has the wrong CBOR type or an out-of-range value.
    #[error("`{message_type}` message has field `{field}` that is not {expected}")]
    WrongType {
        /// The message's `type`.
        message_type: String,
        /// The field's wire name.
        field: &'static str,
        /// What the field should have been.
        expected: &'static str,
    },
    /// The `documentId` is not a valid document id.
    #[error("`{}` message has invalid documentId {:?}", .0.message_type, .0.raw)]
    InvalidDocumentId(Box<InvalidDocumentId>),
}

/// Decodes one frame.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    let value: Value = ciborium::de::from_reader_with_recursion_limit(bytes, MAX_DEPTH)
        .map_err(|e| DecodeError::Cbor(e.to_string()))?;
    let Value::Map(entries) = untag(&value) else {
        return Err(DecodeError::NotAMap);
    };
    let fields = Fields {
        entries,
        ty: match lookup(entries, "type") {
            Some(Value::Text(t)) => t.as_str(),
            _ => return Err(DecodeError::MissingType),
        },
    };
    fields.message()
}

/// Encodes one frame.
pub fn encode(message: &Message) -> Vec<u8> {
    let mut e = Encoder::default();
    match message {
        Message::Join {
            sender_id,
            peer_metadata,
            supported_protocol_versions,
        } => {
            e.map(3 + usize::from(supported_protocol_versions.is_some()));
            e.entry_text("type", "join");
            e.entry_text("senderId", sender_id);
            e.text("peerMetadata");
            e.metadata(peer_metadata);
            if let Some(versions) = supported_protocol_versions {
                e.text("supportedProtocolVersions");
                e.text_array(versions);
            }
        }
        Message::Peer {
            sender_id,
            target_id,
            selected_protocol_version,
            peer_metadata,
        } => {
            e.map(5);
            e.entry_text("type", "peer");
            e.entry_text("senderId", sender_id);
            e.entry_text("targetId", target_id);
            e.entry_text("selectedProtocolVersion", selected_protocol_version);
            e.text("peerMetadata");
            e.metadata(peer_metadata);
        }
        Message::Error {
            sender_id,
            target_id,
            message,
        } => {
            e.map(4);
            e.entry_text("type", "error");
            e.entry_text("senderId", sender_id);
            e.entry_text("targetId", target_id);
            e.entry_text("message", message);
        }
        Message::Request {
            sender_id,
            target_id,
            document_id,
            data,
        } => {
            return encode_raw_document_message(
                "request",
                sender_id,
                target_id,
                &document_id.to_string(),
                Some(data),
            );
        }
        Message::Sync {
            sender_id,
            target_id,
            document_id,
            data,
        } => {
            return encode_raw_document_message(
                "sync",
                sender_id,
                target_id,
                &document_id.to_string(),
                Some(data),
            );
        }
        Message::DocUnavailable {
            sender_id,
            target_id,
            document_id,
        } => {
            return encode_raw_document_message(
                "doc-unavailable",
                sender_id,
                target_id,
                &document_id.to_string(),
                None,
            );
        }
        Message::Ephemeral {
            sender_id,
            target_id,
            document_id,
            session_id,
            count,
            data,
        } => {
            e.map(7);
            e.entry_text("type", "ephemeral");
            e.entry_text("senderId", sender_id);
            e.entry_text("targetId", target_id);
            e.entry_text("documentId", &document_id.to_string());
            e.entry_text("sessionId", session_id);
            e.text("count");
            e.uint(*count);
            e.text("data");
            e.bytes(data);
        }
        Message::RemoteSubscriptionChange {
            sender_id,
            target_id,
            add,
            remove,
        } => {
            e.map(3 + usize::from(add.is_some()) + usize::from(remove.is_some()));
            e.entry_text("type", "remote-subscription-change");
            e.entry_text("senderId", sender_id);
            e.entry_text("targetId", target_id);
            if let Some(add) = add {
                e.text("add");
                e.text_array(add);
            }
            if let Some(remove) = remove {
                e.text("remove");
                e.text_array(remove);
            }
        }
        Message::RemoteHeadsChanged {
            sender_id,
            target_id,
            document_id,
            new_heads,
        } => {
            e.map(5);
            e.entry_text("type", "remote-heads-changed");
            e.entry_text("senderId", sender_id);
            e.entry_text("targetId", target_id);
            e.entry_text("documentId", &document_id.to_string());
            e.text("newHeads");
            e.map(new_heads.len());
            for (storage_id, at) in new_heads {
                e.text(storage_id);
                e.map(2);
                e.text("heads");
                e.text_array(&at.heads);
                e.text("timestamp");
                e.float64(at.timestamp);
            }
        }
        Message::Leave { sender_id } => {
            e.map(2);
            e.entry_text("type", "leave");
            e.entry_text("senderId", sender_id);
        }
    }
    e.0
}

/// Encodes a `request`, `sync` (with `data`) or `doc-unavailable` (without) frame whose
/// document id is given as text, unchecked.
///
/// For answering a message whose id did not parse exactly as an unknown document is answered,
/// and for load generators and tests that write raw frames. For valid ids prefer [`encode`],
/// which produces the same bytes.
pub fn encode_raw_document_message(
    message_type: &str,
    sender_id: &str,
    target_id: &str,
    document_id: &str,
    data: Option<&[u8]>,
) -> Vec<u8> {
    let mut e = Encoder::default();
    e.map(4 + usize::from(data.is_some()));
    e.entry_text("type", message_type);
    e.entry_text("senderId", sender_id);
    e.entry_text("targetId", target_id);
    e.entry_text("documentId", document_id);
    if let Some(data) = data {
        e.text("data");
        e.bytes(data);
    }
    e.0
}

// ---------------------------------------------------------------------------------------------
// Decoding helpers

/// Strips any CBOR tags around a value (cbor-x may tag typed arrays when so configured).
fn untag(mut value: &Value) -> &Value {
    while let Value::Tag(_, inner) = value {
        value = inner;
    }
    value
}

/// The value of text key `key` in a map, tags stripped; the first occurrence wins.
fn lookup<'a>(entries: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    entries.iter().find_map(|(k, v)| match untag(k) {
        Value::Text(t) if t == key => Some(untag(v)),
        _ => None,
    })
}

/// Fields of one message map, for reading by name.
struct Fields<'a> {
    entries: &'a [(Value, Value)],
    ty: &'a str,
}

impl<'a> Fields<'a> {
    /// A field that is present and not null/undefined.
    fn get(&self, key: &str) -> Option<&'a Value> {
        match lookup(self.entries, key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::MissingField {
            message_type: self.ty.to_string(),
            field,
        }
    }

    fn wrong(&self, field: &'static str, expected: &'static str) -> DecodeError {
        DecodeError::WrongType {
            message_type: self.ty.to_string(),
            field,
            expected,
        }
    }

    fn opt_text(&self, field: &'static str) -> Result<Option<String>, DecodeError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(_) => Err(self.wrong(field, "a text string")),
        }
    }

    fn text(&self, field: &'static str) -> Result<String, DecodeError> {
        self.opt_text(field)?.ok_or_else(|| self.missing(field))
    }

    fn bytes(&self, field: &'static str) -> Result<Vec<u8>, DecodeError> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(Value::Bytes(b)) => Ok(b.clone()),
            Some(_) => Err(self.wrong(field, "a byte string")),
        }
    }

    fn uint(&self, field: &'static str) -> Result<u64, DecodeError> {
        match self.get(field) {
            None => Err(self.missing(field)),
            Some(v) => value_to_uint(v).ok_or_else(|| self.wrong(field, "a non-negative integer")),
        }
    }

    fn opt_text_array(&self, field: &'static str) -> Result<Option<Vec<String>>, DecodeError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => text_array(v)
                .map(Some)
                .ok_or_else(|| self.wrong(field, "an array of text strings")),
        }
    }

    fn metadata(&self) -> Result<PeerMetadata, DecodeError> {
        let field = "peerMetadata";
        let value = match self.get(field) {
            Some(v) => Some(v),
            None => self.get("metadata"),
        };
        let Some(value) = value else {
            return Ok(PeerMetadata::default());
        };
        let Value::Map(entries) = value else {
            return Err(self.wrong(field, "a map"));
        };
        let storage_id = match lookup(entries, "storageId") {
            None | Some(Value::Null) => None,
            Some(Value::Text(t)) => Some(t.clone()),
            Some(_) => return Err(self.wrong(field, "a map with a text storageId")),
        };
        let is_ephemeral = match lookup(entries, "isEphemeral") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(self.wrong(field, "a map with a boolean isEphemeral")),
        };
        Ok(PeerMetadata {
            storage_id,
            is_ephemeral,
        })
    }

    fn document_id(&self) -> Result<DocumentId, DecodeError> {
        let raw = self.text("documentId")?;
        raw.parse().map_err(|_| {
            DecodeError::InvalidDocumentId(Box::new(InvalidDocumentId {
                message_type: self.ty.to_string(),
                sender_id: self.text("senderId").ok(),
                data: self.bytes("data").ok(),
                raw,
            }))
        })
    }

    fn new_heads(&self) -> Result<BTreeMap<String, HeadsAt>, DecodeError> {
        let field = "newHeads";
        let expected = "a map of storage id to {heads, timestamp}";
        let Some(Value::Map(entries)) = self.get(field) else {
            return Err(match self.get(field) {
                None => self.missing(field),
                Some(_) => self.wrong(field, expected),
            });
        };
        let mut out = BTreeMap::new();
        for (k, v) in entries {
            let (Value::Text(storage_id), Value::Map(inner)) = (untag(k), untag(v)) else {
                return Err(self.wrong(field, expected));
            };
            let heads = lookup(inner, "heads")
                .and_then(text_array)
                .ok_or_else(|| self.wrong(field, expected))?;
            let timestamp = lookup(inner, "timestamp")
                .and_then(value_to_f64)
                .ok_or_else(|| self.wrong(field, expected))?;
            out.insert(storage_id.clone(), HeadsAt { heads, timestamp });
        }
        Ok(out)
    }

    fn message(&self) -> Result<Message, DecodeError> {
        Ok(match self.ty {
            "join" => Message::Join {
                sender_id: self.text("senderId")?,
                peer_metadata: self.metadata()?,
                supported_protocol_versions: self.opt_text_array("supportedProtocolVersions")?,
            },
            "peer" => Message::Peer {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                selected_protocol_version: self.text("selectedProtocolVersion")?,
                peer_metadata: self.metadata()?,
            },
            "error" => Message::Error {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                message: self.opt_text("message")?.unwrap_or_default(),
            },
            "request" => Message::Request {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                document_id: self.document_id()?,
                data: self.bytes("data")?,
            },
            "sync" => Message::Sync {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                document_id: self.document_id()?,
                data: self.bytes("data")?,
            },
            "doc-unavailable" => Message::DocUnavailable {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                document_id: self.document_id()?,
            },
            "ephemeral" => Message::Ephemeral {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                document_id: self.document_id()?,
                session_id: self.text("sessionId")?,
                count: self.uint("count")?,
                data: self.bytes("data")?,
            },
            "remote-subscription-change" => Message::RemoteSubscriptionChange {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                add: self.opt_text_array("add")?,
                remove: self.opt_text_array("remove")?,
            },
            "remote-heads-changed" => Message::RemoteHeadsChanged {
                sender_id: self.text("senderId")?,
                target_id: self.text("targetId")?,
                document_id: self.document_id()?,
                new_heads: self.new_heads()?,
            },
            "leave" => Message::Leave {
                sender_id: self.text("senderId")?,
            },
            other => return Err(DecodeError::UnknownType(other.to_string())),
        })
    }
}

fn text_array(value: &Value) -> Option<Vec<String>> {
    match untag(value) {
        Value::Array(items) => items
            .iter()
            .map(|v| match untag(v) {
                Value::Text(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A non-negative integer, also when sent as an integral float (as JavaScript may).
fn value_to_uint(value: &Value) -> Option<u64> {
    match untag(value) {
        Value::Integer(i) => u64::try_from(*i).ok(),
        Value::Float(f) if f.is_finite() && f.fract() == 0.0 && *f >= 0.0 => {
            (*f <= MAX_SAFE_INTEGER).then_some(*f as u64)
        }
        _ => None,
    }
}

/// A number as f64, whether sent as an integer or a float.
fn value_to_f64(value: &Value) -> Option<f64> {
    match untag(value) {
        Value::Float(f) => Some(*f),
        Value::Integer(i) => Some(i128::from(*i) as f64),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/// A minimal CBOR writer for the few shapes the protocol uses.
#[derive(Default)]
struct Encoder(Vec<u8>);

impl Encoder {
    fn head(&mut self, major: u8, n: u64) {
        let major = major << 5;
        if n < 24 {
            self.0.push(major | n as u8);
        } else if let Ok(n) = u8::try_from(n) {
            self.0.extend([major | 24, n]);
        } else if let Ok(n) = u16::try_from(n) {
            self.0.push(major | 25);
            self.0.extend(n.to_be_bytes());
        } else if let Ok(n) = u32::try_from(n) {
            self.0.push(major | 26);
            self.0.extend(n.to_be_bytes());
        } else {
            self.0.push(major | 27);
            self.0.extend(n.to_be_bytes());
        }
    }

    fn uint(&mut self, n: u64) {
        self.head(0, n);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.head(2, b.len() as u64);
        self.0.extend_from_slice(b);
    }

    fn text(&mut self, s: &str) {
        self.head(3, s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn array(&mut self, len: usize) {
        self.head(4, len as u64);
    }

    fn map(&mut self, len: usize) {
        self.head(5, len as u64);
    }

    fn bool(&mut self, b: bool) {
        self.0.push(if b { 0xf5 } else { 0xf4 });
    }

    fn float64(&mut self, f: f64) {
        self.0.push(0xfb);
        self.0.extend(f.to_be_bytes());
    }

    fn entry_text(&mut self, key: &str, value: &str) {
        self.text(key);
        self.text(value);
    }

    fn text_array(&mut self, items: &[String]) {
        self.array(items.len());
        for item in items {
            self.text(item);
        }
    }

    fn metadata(&mut self, metadata: &PeerMetadata) {
        self.map(1 + usize::from(metadata.storage_id.is_some()));
        if let Some(storage_id) = &metadata.storage_id {
            self.entry_text("storageId", storage_id);
        }
        self.text("isEphemeral");
        self.bool(metadata.is_ephemeral);
    }
}
