-- Relay schema v3 (SQLite): the compliance archive. One append-only log per firm; entries are
-- never deleted (expiry clears `body`, keeping `leaf_hash`), enforced by triggers as well as
-- by the store's code.
CREATE TABLE archive_logs (
    firm_id         TEXT    PRIMARY KEY NOT NULL REFERENCES firms (id),
    next_seq        INTEGER NOT NULL,
    retention_years INTEGER NOT NULL DEFAULT 6
);

CREATE TABLE archive_entries (
    firm_id     TEXT    NOT NULL REFERENCES firms (id),
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    kind        INTEGER NOT NULL,
    advisor_id  TEXT    NOT NULL,
    device_id   TEXT    NOT NULL,
    doc_id      TEXT    NOT NULL,
    change_hash BLOB    NOT NULL,
    leaf_hash   BLOB    NOT NULL,
    body        BLOB,
    expired_at  INTEGER,
    PRIMARY KEY (firm_id, seq)
);
CREATE INDEX archive_entries_by_doc ON archive_entries (firm_id, doc_id, seq);
CREATE INDEX archive_entries_by_advisor ON archive_entries (firm_id, advisor_id, seq);
CREATE INDEX archive_entries_by_time ON archive_entries (firm_id, at);

CREATE TRIGGER archive_entries_no_delete BEFORE DELETE ON archive_entries
BEGIN
    SELECT RAISE(ABORT, 'archive entries are append-only');
END;
CREATE TRIGGER archive_entries_only_expire BEFORE UPDATE ON archive_entries
WHEN NEW.firm_id IS NOT OLD.firm_id OR NEW.seq IS NOT OLD.seq OR NEW.at IS NOT OLD.at
  OR NEW.kind IS NOT OLD.kind OR NEW.advisor_id IS NOT OLD.advisor_id
  OR NEW.device_id IS NOT OLD.device_id OR NEW.doc_id IS NOT OLD.doc_id
  OR NEW.change_hash IS NOT OLD.change_hash OR NEW.leaf_hash IS NOT OLD.leaf_hash
  OR (NEW.body IS NOT NULL AND NEW.body IS NOT OLD.body)
BEGIN
    SELECT RAISE(ABORT, 'archive entries are append-only: only expiry may clear an entry''s bytes');
END;

CREATE TABLE archive_heads (
    firm_id   TEXT    NOT NULL REFERENCES firms (id),
    size      INTEGER NOT NULL,
    at        INTEGER NOT NULL,
    root      BLOB    NOT NULL,
    signature BLOB    NOT NULL,
    PRIMARY KEY (firm_id, size)
);
CREATE INDEX archive_heads_by_time ON archive_heads (firm_id, at);
CREATE TRIGGER archive_heads_no_delete BEFORE DELETE ON archive_heads
BEGIN
    SELECT RAISE(ABORT, 'signed tree heads are append-only');
END;
CREATE TRIGGER archive_heads_no_update BEFORE UPDATE ON archive_heads
BEGIN
    SELECT RAISE(ABORT, 'signed tree heads are append-only');
END;

CREATE TABLE archive_keys (
    firm_id    TEXT    PRIMARY KEY NOT NULL REFERENCES firms (id),
    sealed_key BLOB    NOT NULL,
    public_key BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- household '' = a hold on the whole firm.
CREATE TABLE archive_holds (
    firm_id   TEXT    NOT NULL REFERENCES firms (id),
    household TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    placed_by TEXT    NOT NULL,
    placed_at INTEGER NOT NULL,
    PRIMARY KEY (firm_id, household)
);
