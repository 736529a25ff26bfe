-- Relay schema v5 (SQLite): one-time set-password links (a new firm's first admin sets
-- their own password; the operator never sees it). Tokens are stored as SHA-256.
CREATE TABLE console_password_links (
    token_hash BLOB   PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES console_users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX console_password_links_by_expiry ON console_password_links (expires_at);
