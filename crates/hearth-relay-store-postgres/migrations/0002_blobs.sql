-- Relay schema v2 (postgres): document blobs (files attached to a household), sealed with the
-- firm's data key and keyed by the household's stored id and the plaintext's SHA-256 (hex).
CREATE TABLE document_blobs (
    doc_id        TEXT    NOT NULL REFERENCES documents (doc_id),
    sha256        TEXT    NOT NULL,
    firm_id       TEXT    NOT NULL REFERENCES firms (id),
    plaintext_len BIGINT NOT NULL,
    sealed        BYTEA    NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (doc_id, sha256)
);
CREATE INDEX document_blobs_by_firm ON document_blobs (firm_id);
