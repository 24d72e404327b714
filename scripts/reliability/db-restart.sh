#!/usr/bin/env bash
# Logins flowing (distinct, pre-signed responses from the test IdP) while PostgreSQL is stopped for a few seconds and
# started again. Reports the answers during the outage (all 503 with Retry-After, never 500, none beyond 10 s), the time
# from the restart until logins succeed again (must be <= 10 s, without restarting the service) and a SQL check that no
# login is half-written. Bounded: about before + outage + after seconds (default 3 + 5 + 12) plus start-up.
# Usage: scripts/reliability/db-restart.sh [outage-seconds]
source "$(dirname "$0")/lib.sh"
outage=${1:-5}

machine
build
start_database
start_service
set +e
tool db-outage --url "http://127.0.0.1:$port" --db "$db" --before 3 --outage "$outage" --after 12 --workers 4 --rate 25 \
  --stop-cmd "$(declare -f pg_as_owner pg_stop); pgbin='$pgbin' pgdata='$pgdata' pg_stop" \
  --start-cmd "$(declare -f pg_as_owner pg_start); pgbin='$pgbin' pgdata='$pgdata' pgport='$pgport' work='$work' pg_start"
result=$?
set -e
grep -c ' 500 \|Unhandled\|fail:' "$work/service.log" | xargs -I{} echo "[$(date +%T)] service log: {} lines with fail/unhandled"
kill -0 "$api_pid" 2>/dev/null && log "the same service process (pid $api_pid) served before and after the restart"
exit $result
