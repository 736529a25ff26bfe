-- Relay schema v1 (PostgreSQL). Times are Unix milliseconds; hashes and sealed data are BYTEA.
CREATE TABLE firms (
    id            TEXT    PRIMARY KEY NOT NULL,
    name          TEXT    NOT NULL,
    wrapped_key   BYTEA   NOT NULL,
    master_key_id TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL
);

CREATE TABLE advisors (
    id         TEXT    PRIMARY KEY NOT NULL,
    firm_id    TEXT    NOT NULL REFERENCES firms (id),
    name       TEXT    NOT NULL,
    is_admin   BOOLEAN NOT NULL,
    disabled   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT  NOT NULL,
    UNIQUE (firm_id, id)
);

-- (firm_id, advisor_id) references advisors (firm_id, id): a row can never pair an advisor
-- with another firm.
CREATE TABLE invites (
    code_hash  BYTEA   PRIMARY KEY NOT NULL,
    firm_id    TEXT    NOT NULL,
    advisor_id TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT,
    FOREIGN KEY (firm_id, advisor_id) REFERENCES advisors (firm_id, id)
);

CREATE TABLE devices (
    id         TEXT    PRIMARY KEY NOT NULL,
    firm_id    TEXT    NOT NULL,
    advisor_id TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    revoked_at BIGINT,
    FOREIGN KEY (firm_id, advisor_id) REFERENCES advisors (firm_id, id)
);
CREATE INDEX devices_by_firm ON devices (firm_id, advisor_id);

-- revoked_at is set when the device is revoked; such a token is Invalid, not Replayed.
CREATE TABLE refresh_tokens (
    token_hash BYTEA   PRIMARY KEY NOT NULL,
    device_id  TEXT    NOT NULL REFERENCES devices (id),
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT,
    revoked_at BIGINT 
);
CREATE INDEX refresh_tokens_by_device ON refresh_tokens (device_id);

CREATE TABLE api_tokens (
    id         TEXT    PRIMARY KEY NOT NULL,
    token_hash BYTEA   NOT NULL UNIQUE,
    firm_id    TEXT    NOT NULL,
    advisor_id TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    FOREIGN KEY (firm_id, advisor_id) REFERENCES advisors (firm_id, id)
);
CREATE INDEX api_tokens_by_firm ON api_tokens (firm_id);

-- next_seq: the seq the next appended chunk gets (the row is the per-document write lock).
CREATE TABLE documents (
    doc_id     TEXT    PRIMARY KEY NOT NULL,
    firm_id    TEXT    NOT NULL,
    owner_id   TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    next_seq   BIGINT  NOT NULL,
    FOREIGN KEY (firm_id, owner_id) REFERENCES advisors (firm_id, id)
);
CREATE INDEX documents_by_firm ON documents (firm_id);

CREATE TABLE chunks (
    doc_id TEXT    NOT NULL REFERENCES documents (doc_id),
    seq    BIGINT  NOT NULL,
    sealed BYTEA   NOT NULL,
    PRIMARY KEY (doc_id, seq)
);

CREATE TABLE shares (
    doc_id     TEXT NOT NULL REFERENCES documents (doc_id),
    advisor_id TEXT NOT NULL REFERENCES advisors (id),
    PRIMARY KEY (doc_id, advisor_id)
);

-- No foreign key on firm_id: an audit event must never fail to be recorded.
CREATE TABLE audit (
    seq     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    firm_id TEXT,
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    at      BIGINT  NOT NULL
);
CREATE INDEX audit_by_firm ON audit (firm_id, seq);
