//! Tenancy operations: what the operator CLI, the REST API and (later) the console all do,
//! written once. Everything takes and returns plain values; nothing here knows about HTTP.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use hearth_relay_store::{
    Advisor, ApiToken, AuditEvent, Device, Firm, Invite, RefreshToken, RefreshUse, RelayStore,
    StoreError,
};
use hearth_seal::{FirmKey, MasterKey};
use serde::Serialize;

use crate::config::Config;
use crate::edge::Edge;
use crate::metrics::Metrics;
use crate::now_ms;
use crate::scope::{Identity, ScopeIndex};
use crate::tokens::{self, AccessClaims, TokenSigner};

/// How long a relay trusts the firm key it unwrapped before reading it from the store again,
/// so a rotation made by another process (`hearth-relay keys rotate-firm`) takes effect
/// without a restart.
pub const FIRM_KEY_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Why a tenancy operation failed. The texts of `Unauthorized` and `NotFound` are fixed so
/// that nothing about other tenants can be read from them.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Missing, invalid, expired or revoked credentials.
    #[error("unauthorized")]
    Unauthorized,
    /// Nothing the caller may see has this id.
    #[error("not found")]
    NotFound,
    /// The caller may see the thing but not do this to it.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// Too many enrollment/token requests from one address.
    #[error("too many requests")]
    RateLimited,
    /// The firm has as many open connections as it may.
    #[error("too many connections for this firm")]
    TooManyConnections,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Key handling failed (a damaged wrapped key, a wrong master key).
    #[error("key error: {0}")]
    Seal(#[from] hearth_seal::SealError),
}

/// Result alias.
pub type Result<T> = std::result::Result<T, ServiceError>;

/// Whether `bearer` hashes to `expected_sha256` (hex); never for an unset or unreadable digest.
fn digest_matches(expected_sha256: Option<&str>, bearer: &str) -> bool {
    let Some(expected) = expected_sha256.and_then(|h| hex::decode(h.trim()).ok()) else {
        return false;
    };
    // Comparing digests, not secrets: timing can reveal at most how much of a digest an
    // attacker's guess matches, which says nothing about the token.
    tokens::hash_secret(bearer) == expected
}

/// Credentials handed to a device at enrollment and on every refresh.
#[derive(Debug, Clone, Serialize)]
pub struct TokenPair {
    /// Short-lived bearer token for the WebSocket and REST API.
    pub access_token: String,
    /// When it expires, ms since the epoch.
    pub access_expires_at: i64,
    /// One-time refresh token (rotated on every use).
    pub refresh_token: String,
}

/// What a device learns when it enrolls.
#[derive(Debug, Clone, Serialize)]
pub struct Enrollment {
    /// Firm.
    pub firm_id: String,
    /// Firm name.
    pub firm_name: String,
    /// Advisor.
    pub advisor_id: String,
    /// Advisor name.
    pub advisor_name: String,
    /// The new device's id.
    pub device_id: String,
    /// Its first credentials.
    #[serde(flatten)]
    pub tokens: TokenPair,
}

/// The relay's shared state.
pub struct Relay {
    /// Storage.
    pub store: Arc<dyn RelayStore>,
    /// Configuration.
    pub config: Config,
    /// Who owns what.
    pub scope: Arc<RwLock<ScopeIndex>>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// WebSocket connections and per-firm hubs.
    pub edge: Edge,
    /// Per-address limiter for enrollment (and refreshes with unknown tokens).
    pub auth_limiter: crate::http::AuthLimiter,
    /// Per-device limiter for token refreshes.
    pub refresh_limiter: crate::http::RefreshLimiter,
    master: MasterKey,
    signer: TokenSigner,
    /// Unwrapped firm keys and when each was read from the store.
    firm_keys: Mutex<HashMap<String, (Arc<FirmKey>, std::time::Instant)>>,
    /// Compliance-archive caches (signing keys, Merkle trees, second-copy progress).
    pub archive: crate::archive::ArchiveState,
    /// This process's name among relays sharing a database (the archive signing lease).
    pub node_id: String,
    /// Review items per (firm, household), with the household's `updated_at` and owner they
    /// were read at (see `supervision.rs`).
    pub(crate) review_cache: crate::supervision::ReviewCache,
    /// Per firm, bumped when another relay process changed who may see what: open
    /// connections of the firm re-check their credentials at once.
    scope_epochs: Mutex<HashMap<String, tokio::sync::watch::Sender<u64>>>,
}

impl Relay {
    /// Opens the store, migrates it and loads the scope index.
    pub async fn open(config: Config) -> anyhow::Result<Arc<Self>> {
        let master = config.master_key()?;
        // No change or document a client sends may inflate past the document limit while it
        // is parsed (a deflate bomb of a few hundred kilobytes would otherwise take gigabytes).
        automerge::set_max_inflated_bytes(config.limits.max_document_bytes);
        let store = hearth_relay_store_any::open_store(&config.database).await?;
        store.migrate().await?;
        let scope = ScopeIndex::new(store.all_documents().await?, store.all_shares().await?);
        let signer = TokenSigner::from_secret(master.to_hex().as_bytes());
        let auth_limiter = crate::http::auth_limiter(config.limits.auth_requests_per_minute);
        let refresh_limiter =
            crate::http::refresh_limiter(config.limits.refreshes_per_device_per_minute);
        Ok(Arc::new(Self {
            store,
            config,
            scope: Arc::new(RwLock::new(scope)),
            metrics: Arc::default(),
            edge: Edge::default(),
            auth_limiter,
            refresh_limiter,
            master,
            signer,
            firm_keys: Mutex::default(),
            archive: Default::default(),
            scope_epochs: Mutex::default(),
            node_id: crate::tokens::new_id("node"),
            review_cache: Default::default(),
        }))
    }

    /// Wakes when another relay process changes the firm's scope (see [`Relay::scope_changed`]).
    pub fn watch_scope(&self, firm_id: &str) -> tokio::sync::watch::Receiver<u64> {
        let mut epochs = self.scope_epochs.lock().unwrap_or_else(|p| p.into_inner());
        epochs
            .entry(firm_id.to_string())
            .or_insert_with(|| tokio::sync::watch::channel(0).0)
            .subscribe()
    }

    /// Re-reads a firm's documents, owners and shares from the store (another relay process
    /// changed them), then has the firm's open connections re-check their credentials.
    pub async fn reload_firm_scope(&self, firm_id: &str) -> Result<()> {
        let documents = self.store.list_documents(firm_id).await?;
        let shares = self.store.firm_shares(firm_id).await?;
        self.scope_mut().replace_firm(firm_id, documents, shares);
        self.scope_changed(firm_id);
        Ok(())
    }

    /// Re-reads the whole scope index (notices from other relay processes may have been lost).
    pub async fn reload_scope(&self) -> Result<()> {
        let scope = ScopeIndex::new(
            self.store.all_documents().await?,
            self.store.all_shares().await?,
        );
        *self.scope_mut() = scope;
        let firms: Vec<String> = {
            let epochs = self.scope_epochs.lock().unwrap_or_else(|p| p.into_inner());
            epochs.keys().cloned().collect()
        };
        for firm in firms {
            self.scope_changed(&firm);
        }
        Ok(())
    }

    fn scope_changed(&self, firm_id: &str) {
        let epochs = self.scope_epochs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = epochs.get(firm_id) {
            tx.send_modify(|n| *n += 1);
        }
    }

    /// Reads the scope index.
    pub fn scope(&self) -> std::sync::RwLockReadGuard<'_, ScopeIndex> {
        self.scope.read().unwrap_or_else(|p| p.into_inner())
    }

    fn scope_mut(&self) -> std::sync::RwLockWriteGuard<'_, ScopeIndex> {
        self.scope.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) async fn audit(
        &self,
        firm_id: Option<&str>,
        actor: &str,
        action: &str,
        target: &str,
    ) -> Result<()> {
        self.store
            .append_audit(&AuditEvent {
                seq: 0,
                firm_id: firm_id.map(str::to_string),
                actor: actor.to_string(),
                action: action.to_string(),
                target: target.to_string(),
                at: now_ms(),
            })
            .await?;
        Ok(())
    }

    /// The firm's data key (unwrapped once, then cached).
    pub async fn firm_key(&self, firm_id: &str) -> Result<Arc<FirmKey>> {
        if let Some((key, _)) = self
            .firm_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(firm_id)
            .filter(|(_, read)| read.elapsed() < FIRM_KEY_TTL)
        {
            return Ok(key.clone());
        }
        let firm = self
            .store
            .firm(firm_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let key = Arc::new(self.master.unwrap(&firm.wrapped_key, firm_id)?);
        self.firm_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                firm_id.to_string(),
                (key.clone(), std::time::Instant::now()),
            );
        Ok(key)
    }

    /// Creates a firm with a fresh data key wrapped by the master key.
    pub async fn create_firm(&self, name: &str) -> Result<Firm> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::BadRequest(
                "the firm name must not be empty".into(),
            ));
        }
        let id = tokens::new_id("firm");
        let key = FirmKey::generate()?;
        let firm = Firm {
            wrapped_key: self.master.wrap(&key, &id)?,
            master_key_id: self.master.id().to_string(),
            id,
            name: name.to_string(),
            created_at: now_ms(),
        };
        self.store.create_firm(&firm).await?;
        // The firm's archive signing key exists from the start (older firms get one lazily).
        self.archive_signer(&firm.id).await?;
        self.audit(Some(&firm.id), "operator", "firm.create", &firm.id)
            .await?;
        Ok(firm)
    }

    /// Adds an advisor to a firm and returns a one-time enrollment code for their device.
    pub async fn invite_advisor(
        &self,
        firm_id: &str,
        name: &str,
        is_admin: bool,
        by: &str,
    ) -> Result<(Advisor, String)> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::BadRequest(
                "the advisor name must not be empty".into(),
            ));
        }
        self.store
            .firm(firm_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let advisor = Advisor {
            id: tokens::new_id("adv"),
            firm_id: firm_id.to_string(),
            name: name.to_string(),
            is_admin,
            disabled: false,
            created_at: now_ms(),
        };
        self.store.create_advisor(&advisor).await?;
        let code = self.new_invite(&advisor).await?;
        self.audit(Some(firm_id), by, "advisor.invite", &advisor.id)
            .await?;
        Ok((advisor, code))
    }

    /// A new enrollment code for an existing advisor of `firm_id` (another device).
    pub async fn reinvite(&self, firm_id: &str, advisor_id: &str, by: &str) -> Result<String> {
        let advisor = self
            .store
            .advisor(advisor_id)
            .await?
            .filter(|a| a.firm_id == firm_id)
            .ok_or(ServiceError::NotFound)?;
        let code = self.new_invite(&advisor).await?;
        self.audit(Some(firm_id), by, "advisor.reinvite", advisor_id)
            .await?;
        Ok(code)
    }

    async fn new_invite(&self, advisor: &Advisor) -> Result<String> {
        let code = tokens::new_enrollment_code();
        let now = now_ms();
        self.store
            .create_invite(&Invite {
                code_hash: tokens::hash_enrollment_code(&code),
                firm_id: advisor.firm_id.clone(),
                advisor_id: advisor.id.clone(),
                created_at: now,
                expires_at: now + self.config.invite_ttl_hours * 3_600_000,
                used_at: None,
            })
            .await?;
        Ok(code)
    }

    /// Redeems an enrollment code: registers a device and hands it its first credentials.
    pub async fn enroll(&self, code: &str, label: &str) -> Result<Enrollment> {
        let now = now_ms();
        let invite = self
            .store
            .redeem_invite(&tokens::hash_enrollment_code(code), now)
            .await?
            .ok_or(ServiceError::Unauthorized)?;
        let advisor = self
            .store
            .advisor(&invite.advisor_id)
            .await?
            .filter(|a| !a.disabled)
            .ok_or(ServiceError::Unauthorized)?;
        let firm = self
            .store
            .firm(&invite.firm_id)
            .await?
            .ok_or(ServiceError::Unauthorized)?;
        let label: String = label.trim().chars().take(100).collect();
        let device = Device {
            id: tokens::new_id("dev"),
            firm_id: firm.id.clone(),
            advisor_id: advisor.id.clone(),
            label: if label.is_empty() {
                "device".into()
            } else {
                label
            },
            created_at: now,
            revoked_at: None,
        };
        self.store.create_device(&device).await?;
        self.audit(
            Some(&firm.id),
            &format!("advisor:{}", advisor.id),
            "device.enroll",
            &device.id,
        )
        .await?;
        let tokens = self.issue_tokens(&device).await?;
        Ok(Enrollment {
            firm_id: firm.id,
            firm_name: firm.name,
            advisor_id: advisor.id,
            advisor_name: advisor.name,
            device_id: device.id,
            tokens,
        })
    }

    async fn issue_tokens(&self, device: &Device) -> Result<TokenPair> {
        let now = now_ms();
        let refresh = tokens::new_secret(tokens::REFRESH_PREFIX);
        self.store
            .insert_refresh_token(&RefreshToken {
                token_hash: tokens::hash_secret(&refresh),
                device_id: device.id.clone(),
                created_at: now,
                expires_at: now + self.config.refresh_token_ttl_days * 86_400_000,
                used_at: None,
            })
            .await?;
        Ok(self.pair(device, refresh, now))
    }

    /// Exchanges a refresh token for new credentials (rotating it). A retry of the same
    /// exchange within `refresh_retry_grace_secs` (its answer was lost) gets the same pair the
    /// first use got — never a second, independent one; presenting a used token after that
    /// revokes the device: someone copied it.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair> {
        let now = now_ms();
        match self
            .store
            .use_refresh_token(&tokens::hash_secret(refresh_token), now)
            .await?
        {
            RefreshUse::Fresh { device_id } => {
                let device = self
                    .live_device(&device_id)
                    .await?
                    .ok_or(ServiceError::Unauthorized)?;
                let successor = self.signer.successor(refresh_token);
                self.store
                    .insert_refresh_token(&RefreshToken {
                        token_hash: tokens::hash_secret(&successor),
                        device_id: device.id.clone(),
                        created_at: now,
                        expires_at: now + self.config.refresh_token_ttl_days * 86_400_000,
                        used_at: None,
                    })
                    .await?;
                Ok(self.pair(&device, successor, now))
            }
            RefreshUse::Replayed { device_id, used_at }
                if now - used_at < self.config.refresh_retry_grace_secs * 1000 =>
            {
                // The same device retrying an exchange whose answer it never received (the
                // connection or the relay died mid-request): the first answer again.
                tracing::info!(device = %device_id, "refresh token presented again within the retry grace period");
                let device = self
                    .live_device(&device_id)
                    .await?
                    .ok_or(ServiceError::Unauthorized)?;
                Ok(self.pair(&device, self.signer.successor(refresh_token), used_at))
            }
            RefreshUse::Replayed { device_id, .. } => {
                if let Some(device) = self.store.device(&device_id).await? {
                    tracing::warn!(device = %device_id, "refresh token replayed; revoking the device");
                    self.revoke_device(&device.firm_id, &device_id, "relay:replay-detection")
                        .await?;
                }
                Err(ServiceError::Unauthorized)
            }
            RefreshUse::Invalid => Err(ServiceError::Unauthorized),
        }
    }

    /// The pair an exchange at `issued_at` hands out: the same inputs give the same tokens.
    fn pair(&self, device: &Device, refresh_token: String, issued_at: i64) -> TokenPair {
        let expires_at = issued_at + self.config.access_token_ttl_secs * 1000;
        TokenPair {
            access_token: self.signer.sign(&AccessClaims {
                device_id: device.id.clone(),
                advisor_id: device.advisor_id.clone(),
                firm_id: device.firm_id.clone(),
                expires_at,
            }),
            access_expires_at: expires_at,
            refresh_token,
        }
    }

    /// The device a presented refresh token belongs to, if it names one (used or not).
    pub async fn refresh_device(&self, refresh_token: &str) -> Result<Option<String>> {
        Ok(self
            .store
            .refresh_token_device(&tokens::hash_secret(refresh_token))
            .await?)
    }

    /// Forgets rate-limit state of addresses and devices quiet for a while (their buckets are
    /// full again), so the limiters' maps do not grow with every address ever seen.
    pub fn trim_limiters(&self) {
        self.auth_limiter.retain_recent();
        self.auth_limiter.shrink_to_fit();
        self.refresh_limiter.retain_recent();
        self.refresh_limiter.shrink_to_fit();
    }

    /// A device that exists, is not revoked, and whose advisor is not disabled.
    async fn live_device(&self, device_id: &str) -> Result<Option<Device>> {
        let Some(device) = self
            .store
            .device(device_id)
            .await?
            .filter(|d| d.revoked_at.is_none())
        else {
            return Ok(None);
        };
        let advisor_ok = self
            .store
            .advisor(&device.advisor_id)
            .await?
            .is_some_and(|a| !a.disabled && a.firm_id == device.firm_id);
        Ok(advisor_ok.then_some(device))
    }

    /// Authenticates a bearer token (access token or API token).
    pub async fn authenticate(&self, bearer: &str) -> Result<Identity> {
        let now = now_ms();
        if tokens::is_access_token(bearer) {
            let claims = self
                .signer
                .verify(bearer, now)
                .ok_or(ServiceError::Unauthorized)?;
            let device = self
                .live_device(&claims.device_id)
                .await?
                .filter(|d| d.firm_id == claims.firm_id && d.advisor_id == claims.advisor_id)
                .ok_or(ServiceError::Unauthorized)?;
            let advisor = self
                .store
                .advisor(&device.advisor_id)
                .await?
                .ok_or(ServiceError::Unauthorized)?;
            return Ok(Identity {
                firm_id: device.firm_id,
                advisor_id: device.advisor_id,
                device_id: Some(device.id),
                token_id: None,
                is_admin: advisor.is_admin,
            });
        }
        if bearer.starts_with(tokens::API_PREFIX) {
            let token = self
                .store
                .api_token(&tokens::hash_secret(bearer))
                .await?
                .filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now))
                .ok_or(ServiceError::Unauthorized)?;
            let advisor = self
                .store
                .advisor(&token.advisor_id)
                .await?
                .filter(|a| !a.disabled && a.firm_id == token.firm_id)
                .ok_or(ServiceError::Unauthorized)?;
            return Ok(Identity {
                firm_id: advisor.firm_id,
                advisor_id: advisor.id,
                device_id: None,
                token_id: Some(token.id),
                is_admin: advisor.is_admin,
            });
        }
        Err(ServiceError::Unauthorized)
    }

    /// Whether an authenticated identity is still valid (device not revoked, API token not
    /// revoked or expired, advisor enabled); checked periodically on open connections, so a
    /// revocation made through another process (the `hearth-relay` CLI) still ends them.
    pub async fn still_valid(&self, who: &Identity) -> Result<bool> {
        if let Some(device) = &who.device_id {
            if self.live_device(device).await?.is_none() {
                return Ok(false);
            }
        } else if let Some(token_id) = &who.token_id {
            let now = now_ms();
            // A firm holds a handful of tokens; listing them beats a store method per backend.
            let live = self
                .store
                .list_api_tokens(&who.firm_id)
                .await?
                .into_iter()
                .any(|t| {
                    &t.id == token_id
                        && t.revoked_at.is_none()
                        && t.expires_at.is_none_or(|e| e > now)
                });
            if !live {
                return Ok(false);
            }
        }
        // A changed admin flag ends the connection too: it reconnects with what it may do now.
        Ok(self
            .store
            .advisor(&who.advisor_id)
            .await?
            .is_some_and(|a| !a.disabled && a.is_admin == who.is_admin))
    }

    /// Mints a long-lived API token for scripts and integrations.
    pub async fn issue_api_token(
        &self,
        advisor_id: &str,
        label: &str,
        by: &str,
    ) -> Result<(ApiToken, String)> {
        let advisor = self
            .store
            .advisor(advisor_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let secret = tokens::new_secret(tokens::API_PREFIX);
        let token = ApiToken {
            id: tokens::new_id("tok"),
            token_hash: tokens::hash_secret(&secret),
            firm_id: advisor.firm_id.clone(),
            advisor_id: advisor.id.clone(),
            label: label.to_string(),
            created_at: now_ms(),
            expires_at: None,
            revoked_at: None,
        };
        self.store.insert_api_token(&token).await?;
        self.audit(Some(&advisor.firm_id), by, "token.issue", &token.id)
            .await?;
        Ok((token, secret))
    }

    /// Revokes a device of `firm_id` and disconnects it at once.
    pub async fn revoke_device(&self, firm_id: &str, device_id: &str, by: &str) -> Result<bool> {
        let revoked = self
            .store
            .revoke_device(firm_id, device_id, now_ms())
            .await?;
        if revoked {
            self.audit(Some(firm_id), by, "device.revoke", device_id)
                .await?;
            self.edge.revoke_device(firm_id, device_id);
        }
        Ok(revoked)
    }

    /// Shares a household with another advisor of the same firm. The owner and firm admins
    /// may share; anyone else who can see it gets `Forbidden`, anyone who cannot gets `NotFound`.
    pub async fn share(&self, who: &Identity, doc_id: &str, advisor_id: &str) -> Result<()> {
        self.check_share_rights(who, doc_id, advisor_id).await?;
        let stored = crate::scope::store_key(&who.firm_id, doc_id);
        self.store.share(&stored, advisor_id).await?;
        self.scope_mut().share(&who.firm_id, doc_id, advisor_id);
        self.audit(
            Some(&who.firm_id),
            &format!("advisor:{}", who.advisor_id),
            "document.share",
            &format!("{doc_id}→{advisor_id}"),
        )
        .await
    }

    /// Stops sharing a household with an advisor.
    pub async fn unshare(&self, who: &Identity, doc_id: &str, advisor_id: &str) -> Result<()> {
        self.check_share_rights(who, doc_id, advisor_id).await?;
        let stored = crate::scope::store_key(&who.firm_id, doc_id);
        self.store.unshare(&stored, advisor_id).await?;
        self.scope_mut().unshare(&who.firm_id, doc_id, advisor_id);
        self.audit(
            Some(&who.firm_id),
            &format!("advisor:{}", who.advisor_id),
            "document.unshare",
            &format!("{doc_id}→{advisor_id}"),
        )
        .await
    }

    async fn check_share_rights(
        &self,
        who: &Identity,
        doc_id: &str,
        advisor_id: &str,
    ) -> Result<()> {
        let (owner, _) = self
            .scope()
            .owner_and_shares(who, doc_id)
            .ok_or(ServiceError::NotFound)?;
        if owner != who.advisor_id && !who.is_admin {
            return Err(ServiceError::Forbidden(
                "only the household's owner or a firm admin can share it",
            ));
        }
        // The target must be an advisor of the same firm; others do not exist for the caller.
        self.store
            .advisor(advisor_id)
            .await?
            .filter(|a| a.firm_id == who.firm_id)
            .ok_or(ServiceError::NotFound)?;
        Ok(())
    }

    /// Shares (or stops sharing) a household of `firm_id` with one of its advisors, for a
    /// firm admin acting from the console (`by` names them in the audit). A household or an
    /// advisor outside the firm is `NotFound`, exactly like one that does not exist.
    pub async fn admin_set_shared(
        &self,
        firm_id: &str,
        doc_id: &str,
        advisor_id: &str,
        shared: bool,
        by: &str,
    ) -> Result<()> {
        if !self.scope().exists(firm_id, doc_id) {
            return Err(ServiceError::NotFound);
        }
        self.store
            .advisor(advisor_id)
            .await?
            .filter(|a| a.firm_id == firm_id)
            .ok_or(ServiceError::NotFound)?;
        let stored = crate::scope::store_key(firm_id, doc_id);
        let action = if shared {
            self.store.share(&stored, advisor_id).await?;
            self.scope_mut().share(firm_id, doc_id, advisor_id);
            "document.share"
        } else {
            self.store.unshare(&stored, advisor_id).await?;
            self.scope_mut().unshare(firm_id, doc_id, advisor_id);
            "document.unshare"
        };
        self.audit(Some(firm_id), by, action, &format!("{doc_id}→{advisor_id}"))
            .await
    }

    /// Whether `who` may see `doc_id` (the scope check, for REST handlers); denials of
    /// existing documents are counted by reason.
    pub fn visible(&self, who: &Identity, doc_id: &str) -> bool {
        match self.scope().explain(who, doc_id) {
            Ok(()) => true,
            Err(crate::scope::AbsentBecause::Unknown) => false,
            Err(reason) => {
                self.metrics.deny(reason.label());
                false
            }
        }
    }

    /// Disables or re-enables an advisor of `firm_id` (their devices stop working at once:
    /// every request and open connection re-checks the advisor).
    pub async fn set_advisor_disabled(
        &self,
        firm_id: &str,
        advisor_id: &str,
        disabled: bool,
        by: &str,
    ) -> Result<bool> {
        let changed = self
            .store
            .set_advisor_disabled(firm_id, advisor_id, disabled)
            .await?;
        if changed {
            let action = if disabled {
                "advisor.disable"
            } else {
                "advisor.enable"
            };
            self.audit(Some(firm_id), by, action, advisor_id).await?;
        }
        Ok(changed)
    }

    /// Makes an advisor of `firm_id` a firm admin, or not (their open connections end and
    /// reconnect with what they may do now).
    pub async fn set_advisor_admin(
        &self,
        firm_id: &str,
        advisor_id: &str,
        admin: bool,
        by: &str,
    ) -> Result<bool> {
        let changed = self
            .store
            .set_advisor_admin(firm_id, advisor_id, admin)
            .await?;
        if changed {
            let action = if admin {
                "advisor.promote"
            } else {
                "advisor.demote"
            };
            self.audit(Some(firm_id), by, action, advisor_id).await?;
        }
        Ok(changed)
    }

    /// Moves every household `from` owns to `to` (a departing advisor's book to a colleague),
    /// in one step; both must be advisors of `firm_id` (else `NotFound`). Returns how many.
    pub async fn transfer_households(
        &self,
        firm_id: &str,
        from: &str,
        to: &str,
        by: &str,
    ) -> Result<usize> {
        let moved = match self.store.transfer_documents(firm_id, from, to).await {
            Ok(moved) => moved,
            Err(StoreError::NotFound(_)) => return Err(ServiceError::NotFound),
            Err(e) => return Err(e.into()),
        };
        {
            let mut scope = self.scope_mut();
            for stored in &moved {
                if let Some((_, doc)) = stored.split_once('/') {
                    scope.set_owner(firm_id, doc, to);
                }
            }
        }
        self.audit(
            Some(firm_id),
            by,
            "document.transfer",
            &format!("{} households {from}→{to}", moved.len()),
        )
        .await?;
        Ok(moved.len())
    }

    /// Revokes an API token of `firm_id`.
    pub async fn revoke_api_token(&self, firm_id: &str, token_id: &str, by: &str) -> Result<bool> {
        let revoked = self
            .store
            .revoke_api_token(firm_id, token_id, now_ms())
            .await?;
        if revoked {
            self.audit(Some(firm_id), by, "token.revoke", token_id)
                .await?;
            self.edge.revoke_token(firm_id, token_id);
        }
        Ok(revoked)
    }

    /// Every household of the firm with its owner and shares (firm admins only; the caller
    /// checks the role).
    pub fn firm_documents(&self, firm_id: &str) -> Vec<(String, String, Vec<String>)> {
        self.scope().firm_documents(firm_id)
    }

    /// Whether `bearer` is the platform operator's token (configured as its SHA-256).
    pub fn is_operator(&self, bearer: &str) -> bool {
        digest_matches(self.config.operator_token_sha256.as_deref(), bearer)
    }

    /// Whether `bearer` is the metrics scraper's token (`metrics_token_sha256`).
    pub fn is_metrics_scraper(&self, bearer: &str) -> bool {
        digest_matches(self.config.metrics_token_sha256.as_deref(), bearer)
    }

    /// Whether the store answers (for `/readyz`).
    pub async fn ready(&self) -> bool {
        self.store.ping().await.is_ok()
    }

    /// Re-wraps every firm key with a new master key (documents are not re-encrypted).
    /// Returns how many firms were re-wrapped. The caller then switches the configuration.
    pub async fn rotate_master_key(&self, new_master: &MasterKey) -> Result<usize> {
        let firms = self.store.list_firms().await?;
        let mut count = 0;
        for firm in &firms {
            if firm.master_key_id == new_master.id() {
                continue;
            }
            let key = self.master.unwrap(&firm.wrapped_key, &firm.id)?;
            let wrapped = new_master.wrap(&key, &firm.id)?;
            self.store
                .rewrap_firm_key(&firm.id, &firm.wrapped_key, &wrapped, new_master.id())
                .await?;
            count += 1;
        }
        self.audit(None, "operator", "master-key.rotate", new_master.id())
            .await?;
        Ok(count)
    }

    /// Gives a firm's data key a new generation: what is stored from now on is sealed with
    /// it, what was stored before still opens (nothing is re-encrypted). Relays serving the
    /// firm pick the new generation up within [`FIRM_KEY_TTL`]; until then they go on sealing
    /// with the previous one, which stays readable. Returns the number of generations.
    pub async fn rotate_firm_key(&self, firm_id: &str) -> Result<usize> {
        let firm = self
            .store
            .firm(firm_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let key = self.master.unwrap(&firm.wrapped_key, firm_id)?.rotated()?;
        let wrapped = self.master.wrap(&key, firm_id)?;
        self.store
            .rewrap_firm_key(firm_id, &firm.wrapped_key, &wrapped, self.master.id())
            .await?;
        let generations = key.generations();
        self.firm_keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(
                firm_id.to_string(),
                (Arc::new(key), std::time::Instant::now()),
            );
        self.audit(
            Some(firm_id),
            "operator",
            "firm-key.rotate",
            &format!("generation {generations}"),
        )
        .await?;
        Ok(generations)
    }
}
