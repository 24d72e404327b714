# Shared by the reliability scripts: a Release build, a private PostgreSQL cluster in a temp folder on a free loopback
# port (as the postgres user when run as root, like scripts/run-local.sh), the service on another free loopback port,
# and cleanup of everything this script started (by pid, never by name).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d /tmp/acs-reliability-XXXXXX)
pgdata="$work/pg"
pgport=""
port=""
api_pid=""

log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

# shellcheck source=../lib/postgres.sh
. "$repo/scripts/lib/postgres.sh"
free_port() { pg_free_port; }
pgbin=$(pg_find_bin)
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL server binaries (initdb, pg_ctl) not found" >&2; exit 1; }

pg_start() {
  pg_as_owner "$pgbin/pg_ctl" -D "$pgdata" -l "$work/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdata -c max_connections=200" start >/dev/null
}
pg_stop() { pg_as_owner "$pgbin/pg_ctl" -D "$pgdata" -m fast -w -t 60 stop >/dev/null; }

cleanup() {
  set +e
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then kill -KILL "$api_pid"; wait "$api_pid" 2>/dev/null; fi
  [ -f "$pgdata/postmaster.pid" ] && pg_as_owner "$pgbin/pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

build() {
  log "building Acs.Api and tools/Acs.Reliability (Release)"
  dotnet build "$repo/Acs.Api/Acs.Api.csproj" -c Release -v quiet -nologo >/dev/null
  dotnet build "$repo/tools/Acs.Reliability/Acs.Reliability.csproj" -c Release -v quiet -nologo >/dev/null
}

start_database() {
  pgport=$(free_port)
  export PGPASSWORD; PGPASSWORD=$(pg_new_password)
  pg_init_cluster "$pgbin" "$pgdata" "$PGPASSWORD" --no-sync
  pg_start
  psql -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -qtA -c "CREATE DATABASE acs" >/dev/null
  db="Host=127.0.0.1;Port=$pgport;Database=acs;Username=postgres;Password=$PGPASSWORD"
  log "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on 127.0.0.1:$pgport ($pgdata)"
}

# The service as operators run it (Production), rate limiting off so the load measures the pipeline, not the limiter.
start_service() {
  port=$(free_port)
  (
    cd "$repo/Acs.Api/bin/Release/net10.0"
    export ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port"
    export ConnectionStrings__Acs="$db;Timeout=3;Command Timeout=10"
    export Acs__PublicUrls__0="http://{subdomain}.acs.localhost:$port"
    export Acs__AdminApiKey="reliability-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    export Acs__RateLimiting__Enabled=false
    exec dotnet Acs.Api.dll
  ) >"$work/service.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 1 240); do
    if curl -fsS -m 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      log "service pid $api_pid ready on http://127.0.0.1:$port"; return
    fi
    kill -0 "$api_pid" 2>/dev/null || { cat "$work/service.log"; echo "the service exited" >&2; exit 1; }
    sleep 0.25
  done
  echo "the service was not ready within 60 s" >&2; exit 1
}

tool() { dotnet "$repo/tools/Acs.Reliability/bin/Release/net10.0/Acs.Reliability.dll" "$@"; }

machine() {
  log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB RAM"
}
