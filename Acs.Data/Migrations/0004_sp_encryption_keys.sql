-- SP encryption keys (Entra "Token encryption") and the tenant's policy for plain assertions.
-- The private key is stored sealed (AES-256-GCM under a key-encryption key from the service's settings, named by
-- kek_id), never in the clear; the certificate is public. Several keys per tenant make rollover possible: 'active'
-- keys are published in the SP metadata, 'decrypt-only' keys still decrypt; a removed key is a deleted row.
CREATE TABLE sp_encryption_keys (
    tenant_id          uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 uuid        NOT NULL,
    status             text        NOT NULL,
    certificate_der    bytea       NOT NULL,
    thumbprint_sha256  text        NOT NULL,
    not_before         timestamptz NOT NULL,
    not_after          timestamptz NOT NULL,
    kek_id             text        NOT NULL,
    private_key_sealed bytea       NOT NULL,
    created_at         timestamptz NOT NULL,
    status_changed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT sp_encryption_keys_id_key UNIQUE (id),
    CONSTRAINT sp_encryption_keys_thumbprint_key UNIQUE (tenant_id, thumbprint_sha256),
    CONSTRAINT sp_encryption_keys_status_check CHECK (status IN ('active', 'decrypt-only'))
);
-- The key-encryption key rotation looks for rows sealed under another key.
CREATE INDEX sp_encryption_keys_kek_idx ON sp_encryption_keys (kek_id);

ALTER TABLE tenants ADD COLUMN encrypted_assertions text NOT NULL DEFAULT 'optional'
    CONSTRAINT tenants_encrypted_assertions_check CHECK (encrypted_assertions IN ('optional', 'required'));

-- A key added, re-statused, re-sealed or removed is a change of the tenant's sign-in configuration (migration 0003).
CREATE TRIGGER sp_encryption_keys_config_version AFTER INSERT OR UPDATE OR DELETE ON sp_encryption_keys
    FOR EACH ROW EXECUTE FUNCTION tenant_config_child_changed();
CREATE TRIGGER sp_encryption_keys_config_version_truncate AFTER TRUNCATE ON sp_encryption_keys
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_config_truncated();
