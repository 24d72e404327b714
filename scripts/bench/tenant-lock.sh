#!/usr/bin/env bash
# The database side of a first sign-in, alone, with and without the tenant foreign keys that migration 0009 dropped
# from consumed_assertions, sessions and login_events: pgbench runs the sign-in's statements (consume the assertion,
# advisory lock, member read FOR UPDATE, member, session and event inserts, one transaction) at TENANT_LOCK_CLIENTS
# (16) clients for TENANT_LOCK_SECONDS (15) per round, all on one tenant and spread over ten, alternating "with" and
# "without" for TENANT_LOCK_ROUNDS (2) rounds, on two databases the service itself migrated. Bounded, loopback only.
# Usage: scripts/bench/tenant-lock.sh   (about 3 minutes)
source "$(dirname "$0")/lib.sh"
clients=${TENANT_LOCK_CLIENTS:-16}
seconds=${TENANT_LOCK_SECONDS:-15}
rounds=${TENANT_LOCK_ROUNDS:-2}

machine
build
start_postgres
for name in with_fk without_fk; do
  port=$(free_port); start_acs "$port" "$(create_db "$name")"; stop_pid "$last_pid" # the service migrates on start
done
pgbench=$pgbin/pgbench
[[ -x $pgbench ]] || pgbench=$(ls -d /usr/lib/postgresql/*/bin/pgbench | sort -V | tail -n 1)
sql() { psql -h 127.0.0.1 -p "$pgport" -U postgres -d "$1" -qtA -v ON_ERROR_STOP=1 -c "$2" >/dev/null; }
sql with_fk "ALTER TABLE consumed_assertions ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
             ALTER TABLE sessions ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
             ALTER TABLE login_events ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE"
for name in with_fk without_fk; do
  sql "$name" "INSERT INTO tenants (id, subdomain, display_name, created_at, updated_at)
               SELECT ('00000000-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'bench' || g, 'Bench ' || g, now(), now()
               FROM generate_series(1, 10) g"
done

cat >"$work/sign-in.sql" <<'SQL'
\set t random(1, :tenants)
BEGIN;
SELECT ('00000000-0000-0000-0000-' || lpad(:t::text, 12, '0'))::uuid AS tenant, gen_random_uuid() AS member, gen_random_uuid()::text AS subject \gset
INSERT INTO consumed_assertions (tenant_id, assertion_id, consumed_at, expires_at)
  VALUES (':tenant', gen_random_uuid()::text, now(), now() + interval '1 hour') ON CONFLICT DO NOTHING RETURNING true;
SELECT pg_advisory_xact_lock(hashtextextended(':tenant|:subject', 0));
SELECT id FROM members WHERE tenant_id = ':tenant' AND (idp_subject = ':subject' OR lower(email) = lower(':subject@contoso.com')) FOR UPDATE;
INSERT INTO members (id, tenant_id, email, first_name, last_name, role, status, created_via, idp_subject, created_at, updated_at, last_login_at)
  VALUES (':member', ':tenant', ':subject@contoso.com', 'A', 'B', 'team_member', 'active', 'jit', ':subject', now(), now(), now());
INSERT INTO sessions (token_hash, tenant_id, member_id, created_at, expires_at)
  VALUES (decode(md5(':subject'), 'hex'), ':tenant', ':member', now(), now() + interval '8 hours');
INSERT INTO login_events (id, tenant_id, occurred_at, outcome, assertion_id, name_id, member_id)
  VALUES (gen_random_uuid(), ':tenant', now(), 'success', ':subject', ':subject', ':member');
COMMIT;
SQL

echo
echo "| round | tenants | tenant foreign keys | sign-in transactions/s |"
echo "|---:|---:|---|---:|"
for round in $(seq 1 "$rounds"); do
  for tenants in 1 10; do
    for name in with_fk without_fk; do
      "$pgbench" -h 127.0.0.1 -p "$pgport" -U postgres -n -c "$clients" -j 2 -T "$seconds" -D tenants="$tenants" \
        -f "$work/sign-in.sql" "$name" >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
      tps=$(awk '/^tps/ { printf "%.0f", $3 }' "$work/pgbench.out")
      echo "| $round | $tenants | ${name//_/ } | $tps |"
    done
  done
done
