-- AcsService initial schema. Forward-only: later changes go into new, higher-numbered files.
-- Every table carries tenant_id so the schema can later be distributed by tenant.

CREATE TABLE tenants (
    id                    uuid        PRIMARY KEY,
    subdomain             text        NOT NULL,
    display_name          text        NOT NULL,
    jit_enabled           boolean     NOT NULL DEFAULT true,
    default_role          text        NOT NULL DEFAULT 'team_member',
    allowed_email_domains text[]      NOT NULL DEFAULT '{}',
    clock_skew_seconds    integer     NOT NULL DEFAULT 180,
    allow_sha1            boolean     NOT NULL DEFAULT false,
    allow_idp_initiated   boolean     NOT NULL DEFAULT true,
    role_mappings         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    CONSTRAINT tenants_subdomain_key UNIQUE (subdomain),
    CONSTRAINT tenants_subdomain_format CHECK (subdomain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
    CONSTRAINT tenants_default_role_check CHECK (default_role IN ('client_administrator', 'team_member')),
    CONSTRAINT tenants_clock_skew_check CHECK (clock_skew_seconds BETWEEN 0 AND 600)
);

-- One IdP per tenant; its absence means "SSO not configured".
CREATE TABLE idp_configs (
    tenant_id      uuid        PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    idp_entity_id  text        NOT NULL,
    sso_target_url text        NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- Several certificates per tenant so an IdP certificate can be rolled over without downtime.
CREATE TABLE idp_certificates (
    tenant_id         uuid        NOT NULL REFERENCES idp_configs (tenant_id) ON DELETE CASCADE,
    thumbprint_sha256 text        NOT NULL,
    thumbprint_sha1   text        NOT NULL,
    der               bytea       NOT NULL,
    subject           text        NOT NULL,
    not_before        timestamptz NOT NULL,
    not_after         timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, thumbprint_sha256)
);

CREATE TABLE members (
    id            uuid        PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email         text        NOT NULL,
    first_name    text        NOT NULL DEFAULT '',
    last_name     text        NOT NULL DEFAULT '',
    role          text        NOT NULL,
    status        text        NOT NULL DEFAULT 'active',
    created_via   text        NOT NULL,
    idp_subject   text        NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    last_login_at timestamptz NULL,
    CONSTRAINT members_role_check CHECK (role IN ('client_administrator', 'team_member')),
    CONSTRAINT members_status_check CHECK (status IN ('active', 'disabled')),
    CONSTRAINT members_created_via_check CHECK (created_via IN ('admin', 'jit'))
);
-- E-mail is unique per tenant regardless of case; the login path links admin-created members by it.
CREATE UNIQUE INDEX members_tenant_email_key ON members (tenant_id, lower(email));
-- The JIT key: two first logins of one person at the same instant create one member.
CREATE UNIQUE INDEX members_tenant_idp_subject_key ON members (tenant_id, idp_subject) WHERE idp_subject IS NOT NULL;
CREATE INDEX members_tenant_created_idx ON members (tenant_id, created_at, id);

-- Replay protection: the primary key makes a second use of an assertion ID fail, even at the same instant.
CREATE TABLE consumed_assertions (
    tenant_id    uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    assertion_id text        NOT NULL,
    consumed_at  timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, assertion_id)
);
CREATE INDEX consumed_assertions_expires_idx ON consumed_assertions (expires_at);

-- Only the SHA-256 of the cookie token is kept, never the token.
CREATE TABLE sessions (
    token_hash bytea       PRIMARY KEY,
    tenant_id  uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    member_id  uuid        NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_member_idx ON sessions (member_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Every login attempt, successful or not: where support reads why a sign-in failed.
CREATE TABLE login_events (
    id             uuid        PRIMARY KEY,
    tenant_id      uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    occurred_at    timestamptz NOT NULL,
    outcome        text        NOT NULL,
    error_code     text        NULL,
    message        text        NULL,
    expected       text        NULL,
    received       text        NULL,
    assertion_id   text        NULL,
    name_id        text        NULL,
    member_id      uuid        NULL REFERENCES members (id) ON DELETE SET NULL,
    client_address text        NULL,
    user_agent     text        NULL,
    CONSTRAINT login_events_outcome_check CHECK (outcome IN ('success', 'failure'))
);
CREATE INDEX login_events_tenant_occurred_idx ON login_events (tenant_id, occurred_at DESC);
CREATE INDEX login_events_occurred_idx ON login_events (occurred_at);
