-- The three tables every sign-in writes (consumed_assertions, sessions, login_events) no longer check their tenant by
-- foreign key. Each such check is a SELECT ... FOR KEY SHARE of the tenant's row, three per sign-in, so concurrent
-- sign-ins of one company all locked the same row (a shared multixact) for nothing: the tenant was just read from the
-- cache and the member the session and event name is still checked by its own key. Measured alone
-- (scripts/bench/tenant-lock.sh, docs/performance.md): about 9% more sign-in transactions per second.
--
-- The rows still go with their tenant: sessions through their member (members -> tenants cascades, sessions ->
-- members cascades), consumed assertions and login events through the trigger below. A sign-in that commits while
-- its tenant is being deleted can leave its assertion and event rows behind; both are removed by age by the purge.
ALTER TABLE consumed_assertions DROP CONSTRAINT consumed_assertions_tenant_id_fkey;
ALTER TABLE sessions DROP CONSTRAINT sessions_tenant_id_fkey;
ALTER TABLE login_events DROP CONSTRAINT login_events_tenant_id_fkey;

CREATE FUNCTION tenants_remove_sign_in_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM consumed_assertions WHERE tenant_id = OLD.id;
    DELETE FROM login_events WHERE tenant_id = OLD.id;
    RETURN NULL;
END
$$;

-- TRUNCATE tenants needs CASCADE (members refer to it), which reaches login_events through their member; the
-- consumed assertions refer to nothing any more, so they are emptied here.
CREATE FUNCTION tenants_remove_all_sign_in_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE consumed_assertions;
    RETURN NULL;
END
$$;

CREATE TRIGGER tenants_sign_in_rows_deleted AFTER DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_remove_sign_in_rows();
CREATE TRIGGER tenants_sign_in_rows_truncated AFTER TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION tenants_remove_all_sign_in_rows();
