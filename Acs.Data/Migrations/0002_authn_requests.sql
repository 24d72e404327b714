-- Outstanding SP-initiated sign-in requests. A response answering one must match an unused, unexpired request of the
-- same tenant; consuming it (DELETE ... RETURNING) makes each request single-use.
CREATE TABLE authn_requests (
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    request_id text        NOT NULL,
    return_to  text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, request_id)
);
CREATE INDEX authn_requests_expires_idx ON authn_requests (expires_at);
