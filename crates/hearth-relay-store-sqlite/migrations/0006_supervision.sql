-- Relay schema v6 (sqlite): firm supervision. Console users get a role (admin, compliance
-- officer, auditor); review decisions and policy versions are append-only histories, each
-- row written in the same transaction as its archive entry; firm settings (time zone).
ALTER TABLE console_users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
CREATE TABLE review_records (
    firm_id   TEXT    NOT NULL REFERENCES firms (id),
    seq       INTEGER NOT NULL,
    item      TEXT    NOT NULL,
    household TEXT    NOT NULL,
    state     TEXT    NOT NULL,
    comment   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    by_actor  TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    PRIMARY KEY (firm_id, seq)
);
CREATE TABLE firm_policies (
    firm_id   TEXT    NOT NULL REFERENCES firms (id),
    version   INTEGER NOT NULL,
    body      TEXT    NOT NULL,
    set_by    TEXT    NOT NULL,
    set_at    INTEGER NOT NULL,
    PRIMARY KEY (firm_id, version)
);
CREATE TABLE firm_settings (
    firm_id TEXT NOT NULL REFERENCES firms (id),
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (firm_id, key)
);
-- One lease to sign archive tree heads: relays sharing a database sign one at a time.
CREATE TABLE archive_signing_lease (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
