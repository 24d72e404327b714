-- Replicas cache tenants and drop a cached one when the database names it on channel acs_tenant_config (payload:
-- the tenant's id, or '*' for all). The notification is sent at commit, and only then, by the same triggers that bump
-- config_version (migration 0003), so it covers every writer: the admin API, SQL by hand, another replica.
-- A replica whose listening connection is down falls back to comparing config_version (see CachedTenantDirectory).
CREATE OR REPLACE FUNCTION tenants_bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.config_version := nextval('tenant_config_version_seq');
    PERFORM pg_notify('acs_tenant_config', NEW.id::text);
    RETURN NEW;
END
$$;

CREATE FUNCTION tenants_notify_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('acs_tenant_config', OLD.id::text);
    RETURN NULL;
END
$$;

CREATE FUNCTION tenants_notify_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('acs_tenant_config', '*');
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_config_deleted AFTER DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_notify_deleted();
CREATE TRIGGER tenants_config_truncated AFTER TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_notify_truncated();
