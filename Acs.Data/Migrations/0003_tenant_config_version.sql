-- A version of each tenant's sign-in configuration, bumped by the database itself whenever the tenant row, its IdP
-- configuration or its certificates change, whoever writes them (admin API, SQL, a future tool). Every replica
-- caches tenants and compares this one integer per request, so a change is seen by the very next request everywhere.
-- Values come from one sequence, so a version is never reused: not after a change, nor by a tenant deleted and
-- re-created under the same subdomain.
CREATE SEQUENCE tenant_config_version_seq;
ALTER TABLE tenants ADD COLUMN config_version bigint NOT NULL DEFAULT nextval('tenant_config_version_seq');

CREATE FUNCTION tenants_bump_config_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.config_version := nextval('tenant_config_version_seq');
    RETURN NEW;
END
$$;

CREATE TRIGGER tenants_config_version BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_bump_config_version();

-- Rows of idp_configs / idp_certificates bump their tenant (both tenants if a row moves).
CREATE FUNCTION tenant_config_child_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE tenants SET config_version = nextval('tenant_config_version_seq') WHERE id = OLD.tenant_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.tenant_id IS DISTINCT FROM OLD.tenant_id) THEN
        UPDATE tenants SET config_version = nextval('tenant_config_version_seq') WHERE id = NEW.tenant_id;
    END IF;
    RETURN NULL;
END
$$;

-- TRUNCATE fires no row triggers: it bumps every tenant.
CREATE FUNCTION tenant_config_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tenants SET config_version = nextval('tenant_config_version_seq');
    RETURN NULL;
END
$$;

CREATE TRIGGER idp_configs_config_version AFTER INSERT OR UPDATE OR DELETE ON idp_configs
    FOR EACH ROW EXECUTE FUNCTION tenant_config_child_changed();
CREATE TRIGGER idp_configs_config_version_truncate AFTER TRUNCATE ON idp_configs
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_config_truncated();
CREATE TRIGGER idp_certificates_config_version AFTER INSERT OR UPDATE OR DELETE ON idp_certificates
    FOR EACH ROW EXECUTE FUNCTION tenant_config_child_changed();
CREATE TRIGGER idp_certificates_config_version_truncate AFTER TRUNCATE ON idp_certificates
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_config_truncated();
