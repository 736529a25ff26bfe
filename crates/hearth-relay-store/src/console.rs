//! Storage for the relay's web console: console users (firm admins, compliance officers,
//! auditors and platform operators) and their sign-in sessions.
//!
//! A separate trait ([`ConsoleStore`]) that [`RelayStore`](crate::RelayStore) requires, so a
//! backend implements it in its own module. Passwords arrive already hashed (Argon2id PHC
//! strings) and session tokens already hashed (SHA-256); the store never sees either secret.

use async_trait::async_trait;
use serde::Serialize;

use crate::{Millis, Result};

/// What a firm's console user is there to do. What each role may do is decided in one place,
/// the relay's scope module; the store only keeps the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleRole {
    /// Runs the firm: advisors, devices, sharing, console users, policy, the archive, and
    /// (in a small firm often the chief compliance officer) the review queue.
    #[default]
    Admin,
    /// Supervises: reads every household of the firm, edits none, works the review queue and
    /// sets the firm's policy.
    ComplianceOfficer,
    /// Reads: the review queue, the audit log and the archive; changes nothing.
    Auditor,
}

impl ConsoleRole {
    /// Every role, in the order the console lists them.
    pub const ALL: [ConsoleRole; 3] = [
        ConsoleRole::Admin,
        ConsoleRole::ComplianceOfficer,
        ConsoleRole::Auditor,
    ];

    /// The name stored and used in forms and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsoleRole::Admin => "admin",
            ConsoleRole::ComplianceOfficer => "compliance_officer",
            ConsoleRole::Auditor => "auditor",
        }
    }

    /// The role a stored or typed name means.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// How the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            ConsoleRole::Admin => "Firm admin",
            ConsoleRole::ComplianceOfficer => "Compliance officer",
            ConsoleRole::Auditor => "Auditor (read-only)",
        }
    }
}

/// Someone who may sign in to the console: a user of a firm (`firm_id` set; admin, compliance
/// officer or auditor) or a platform operator (`firm_id` is `None`), who manages firms but
/// never sees household content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsoleUser {
    /// User id (random, URL-safe).
    pub id: String,
    /// The firm they administer; `None` for a platform operator.
    pub firm_id: Option<String>,
    /// Sign-in name, stored lower-case; unique across the relay.
    pub email: String,
    /// Argon2id hash in PHC string format.
    #[serde(skip)]
    pub password_hash: String,
    /// Their role in the firm (ignored for platform operators).
    pub role: ConsoleRole,
    /// Creation time.
    pub created_at: Millis,
}

/// A signed-in console session, stored by the SHA-256 of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// SHA-256 of the session token.
    pub token_hash: Vec<u8>,
    /// The signed-in user.
    pub user_id: String,
    /// Sign-in time.
    pub created_at: Millis,
    /// The session stops working at this time.
    pub expires_at: Millis,
}

/// A one-time link that sets a console user's password (how a new firm's first admin gets
/// in: the operator never learns the password), stored by the SHA-256 of its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordLink {
    /// SHA-256 of the link's token.
    pub token_hash: Vec<u8>,
    /// Whose password it sets.
    pub user_id: String,
    /// When it was made.
    pub created_at: Millis,
    /// The link stops working at this time.
    pub expires_at: Millis,
}

/// Console users and sessions. Contract details (pinned by the conformance suite):
/// * a user whose id or email exists → `Conflict`; naming a firm that does not exist →
///   `NotFound`; a session for an unknown user → `NotFound`;
/// * a session stops working at `expires_at` (`now >= expires_at` → `None`);
/// * deleting a user's sessions or one session is idempotent;
/// * a set-password link works once: `take_password_link` returns its user and deletes it, so
///   a second take (or one at or after `expires_at`) gets `None`; a link for an unknown user →
///   `NotFound`.
#[async_trait]
pub trait ConsoleStore: Send + Sync + 'static {
    /// Inserts a console user (the caller lower-cases the email).
    async fn create_console_user(&self, user: &ConsoleUser) -> Result<()>;
    /// A console user by (lower-case) email.
    async fn console_user_by_email(&self, email: &str) -> Result<Option<ConsoleUser>>;
    /// A console user by id.
    async fn console_user(&self, id: &str) -> Result<Option<ConsoleUser>>;
    /// The console users of a firm, or the platform operators for `None`.
    async fn list_console_users(&self, firm_id: Option<&str>) -> Result<Vec<ConsoleUser>>;
    /// Changes a firm user's role; false if the firm has no such user.
    async fn set_console_role(&self, firm_id: &str, id: &str, role: ConsoleRole) -> Result<bool>;
    /// Replaces a user's password hash; false if no such user.
    async fn set_console_password(&self, id: &str, password_hash: &str) -> Result<bool>;
    /// Inserts a session (and may drop expired ones as of `session.created_at`).
    async fn create_console_session(&self, session: &ConsoleSession) -> Result<()>;
    /// An unexpired session by token hash.
    async fn console_session(
        &self,
        token_hash: &[u8],
        now: Millis,
    ) -> Result<Option<ConsoleSession>>;
    /// Ends one session (sign-out).
    async fn delete_console_session(&self, token_hash: &[u8]) -> Result<()>;
    /// Ends every session of a user (password change).
    async fn delete_console_sessions_of(&self, user_id: &str) -> Result<()>;
    /// Inserts a set-password link (and may drop expired ones as of `link.created_at`).
    async fn create_password_link(&self, link: &PasswordLink) -> Result<()>;
    /// The user of an unexpired link, without using it up (to show the form).
    async fn password_link_user(&self, token_hash: &[u8], now: Millis) -> Result<Option<String>>;
    /// Uses up an unexpired link: deletes it and returns its user, atomically (two takes of
    /// one link: one gets the user, the other `None`).
    async fn take_password_link(&self, token_hash: &[u8], now: Millis) -> Result<Option<String>>;
}
