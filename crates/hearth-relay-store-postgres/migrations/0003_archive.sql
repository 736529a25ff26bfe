-- Relay schema v3 (PostgreSQL): the compliance archive. One append-only log per firm; entries
-- are never deleted (expiry clears `body`, keeping `leaf_hash`), enforced by triggers as well
-- as by the store's code.
CREATE TABLE archive_logs (
    firm_id         TEXT   PRIMARY KEY REFERENCES firms (id),
    next_seq        BIGINT NOT NULL,
    retention_years BIGINT NOT NULL DEFAULT 6
);

CREATE TABLE archive_entries (
    firm_id     TEXT   NOT NULL REFERENCES firms (id),
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,
    kind        BIGINT NOT NULL,
    advisor_id  TEXT   NOT NULL,
    device_id   TEXT   NOT NULL,
    doc_id      TEXT   NOT NULL,
    change_hash BYTEA  NOT NULL,
    leaf_hash   BYTEA  NOT NULL,
    body        BYTEA,
    expired_at  BIGINT,
    PRIMARY KEY (firm_id, seq)
);
CREATE INDEX archive_entries_by_doc ON archive_entries (firm_id, doc_id, seq);
CREATE INDEX archive_entries_by_advisor ON archive_entries (firm_id, advisor_id, seq);
CREATE INDEX archive_entries_by_time ON archive_entries (firm_id, at);

CREATE FUNCTION archive_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'archive entries are append-only';
    END IF;
    IF NEW.firm_id IS DISTINCT FROM OLD.firm_id OR NEW.seq IS DISTINCT FROM OLD.seq
       OR NEW.at IS DISTINCT FROM OLD.at OR NEW.kind IS DISTINCT FROM OLD.kind
       OR NEW.advisor_id IS DISTINCT FROM OLD.advisor_id
       OR NEW.device_id IS DISTINCT FROM OLD.device_id OR NEW.doc_id IS DISTINCT FROM OLD.doc_id
       OR NEW.change_hash IS DISTINCT FROM OLD.change_hash
       OR NEW.leaf_hash IS DISTINCT FROM OLD.leaf_hash
       OR (NEW.body IS NOT NULL AND NEW.body IS DISTINCT FROM OLD.body) THEN
        RAISE EXCEPTION 'archive entries are append-only: only expiry may clear an entry''s bytes';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER archive_entries_append_only BEFORE UPDATE OR DELETE ON archive_entries
    FOR EACH ROW EXECUTE FUNCTION archive_entries_guard();

CREATE TABLE archive_heads (
    firm_id   TEXT   NOT NULL REFERENCES firms (id),
    size      BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    root      BYTEA  NOT NULL,
    signature BYTEA  NOT NULL,
    PRIMARY KEY (firm_id, size)
);
CREATE INDEX archive_heads_by_time ON archive_heads (firm_id, at);
CREATE FUNCTION archive_heads_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'signed tree heads are append-only';
END;
$$;
CREATE TRIGGER archive_heads_append_only BEFORE UPDATE OR DELETE ON archive_heads
    FOR EACH ROW EXECUTE FUNCTION archive_heads_guard();

CREATE TABLE archive_keys (
    firm_id    TEXT   PRIMARY KEY REFERENCES firms (id),
    sealed_key BYTEA  NOT NULL,
    public_key BYTEA  NOT NULL,
    created_at BIGINT NOT NULL
);

-- household '' = a hold on the whole firm.
CREATE TABLE archive_holds (
    firm_id   TEXT   NOT NULL REFERENCES firms (id),
    household TEXT   NOT NULL,
    reason    TEXT   NOT NULL,
    placed_by TEXT   NOT NULL,
    placed_at BIGINT NOT NULL,
    PRIMARY KEY (firm_id, household)
);
