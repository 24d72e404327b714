-- IdP signing certificates that roll over by themselves: the IdP's metadata URL, polled on a schedule.

-- One metadata source per tenant, with the state of its refresh. Updates here (every few hours per tenant) do not
-- bump tenants.config_version: nothing in this table is read on the login path.
CREATE TABLE idp_metadata_sources (
    tenant_id              uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    metadata_url           text        NOT NULL,
    next_refresh_at        timestamptz NOT NULL,
    last_attempt_at        timestamptz NULL,
    last_success_at        timestamptz NULL,
    last_error_code        text        NULL,
    last_error_message     text        NULL,
    -- An entity ID or SSO URL change seen in the metadata waits here for an administrator.
    pending_idp_entity_id  text        NULL,
    pending_sso_target_url text        NULL,
    pending_detected_at    timestamptz NULL,
    pending_dismissed      boolean     NOT NULL DEFAULT false,
    created_at             timestamptz NOT NULL,
    CONSTRAINT idp_metadata_sources_pending_check CHECK (
        (pending_idp_entity_id IS NULL) = (pending_sso_target_url IS NULL)
        AND (pending_idp_entity_id IS NULL) = (pending_detected_at IS NULL))
);
CREATE INDEX idp_metadata_sources_next_refresh_idx ON idp_metadata_sources (next_refresh_at);

-- When a trusted certificate was last seen missing from the metadata: it stays trusted for the grace period.
ALTER TABLE idp_certificates ADD COLUMN left_metadata_at timestamptz NULL;

-- Every change to a tenant's trust: who (admin_api, metadata_refresh), what, when.
CREATE TABLE audit_events (
    id          uuid        PRIMARY KEY,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    occurred_at timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    subject     text        NULL,
    detail      text        NOT NULL
);
CREATE INDEX audit_events_tenant_occurred_idx ON audit_events (tenant_id, occurred_at DESC, id DESC);
