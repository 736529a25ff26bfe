//! Several relay processes on one PostgreSQL database (behind any load balancer): each keeps
//! its in-memory view current from the notices the others' writes send (PostgreSQL
//! LISTEN/NOTIFY, delivered when the writing transaction commits; see
//! `RelayStore::listen`). PostgreSQL is the only shared component.
//!
//! * A change stored through another node reaches this node's clients: the firm's hub merges
//!   the stored document into its copy in memory and fans it out (`Hub::stored_elsewhere`).
//! * Who may see what (documents created or moved, shares, advisors disabled or promoted,
//!   devices and tokens revoked) is re-read for the firm, and the firm's open connections
//!   re-check their credentials at once.
//! * When notices may have been lost (the listening connection dropped), everything is re-read.
//!
//! SQLite has no notices: a SQLite database is served by one process (`config.rs` holds a
//! lock for `serve`).

use std::sync::Arc;

use hearth_relay_store::StoreNotice;

use crate::service::Relay;

/// Starts following the other relay processes on this database; `None` for a single-process
/// backend.
pub async fn follow(relay: Arc<Relay>) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let Some(mut notices) = relay.store.listen().await? else {
        return Ok(None);
    };
    Ok(Some(tokio::spawn(async move {
        while let Some(notice) = notices.recv().await {
            match notice {
                StoreNotice::Changed(key) => {
                    if let Some((firm, doc)) = key.split_once('/') {
                        relay.forget_review_items(firm, doc);
                        relay.edge.stored_elsewhere(firm, doc);
                    }
                }
                StoreNotice::Scope(firm) => {
                    if let Err(e) = relay.reload_firm_scope(&firm).await {
                        tracing::error!(%firm, error = %e, "could not re-read a firm's scope another relay changed");
                    }
                }
                StoreNotice::Lagged => {
                    tracing::warn!(
                        "notices from other relays may have been lost; re-reading scope and resident documents"
                    );
                    relay
                        .review_cache
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .clear();
                    if let Err(e) = relay.reload_scope().await {
                        tracing::error!(error = %e, "could not re-read the scope index");
                    }
                    for firm in relay.edge.firms_here() {
                        relay.edge.refresh_resident(&firm);
                    }
                }
            }
        }
    })))
}
