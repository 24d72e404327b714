-- Setup links: the operator hands a company's administrator a link that opens the administration pages before SSO
-- works. Only the SHA-256 of the link's token is kept; a revoked link keeps its row (revoked_at) so the list shows it.
CREATE TABLE setup_links (
    id         uuid        PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    token_hash bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NULL,
    CONSTRAINT setup_links_token_hash_key UNIQUE (token_hash)
);
CREATE INDEX setup_links_tenant_created_idx ON setup_links (tenant_id, created_at DESC);

-- A browser that opened a setup link: a short session for that tenant alone, ended with its link.
CREATE TABLE setup_sessions (
    token_hash    bytea       PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    setup_link_id uuid        NOT NULL REFERENCES setup_links (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX setup_sessions_link_idx ON setup_sessions (setup_link_id);
CREATE INDEX setup_sessions_expires_idx ON setup_sessions (expires_at);
