-- Relay schema v4 (PostgreSQL): console users (firm admins; platform operators have no firm) and
-- their sessions. Passwords are Argon2id PHC strings; session tokens are stored as SHA-256.
CREATE TABLE console_users (
    id            TEXT    PRIMARY KEY NOT NULL,
    firm_id       TEXT    REFERENCES firms (id),
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);
CREATE INDEX console_users_by_firm ON console_users (firm_id);

CREATE TABLE console_sessions (
    token_hash BYTEA   PRIMARY KEY NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES console_users (id),
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX console_sessions_by_user ON console_sessions (user_id);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
