# Shared by the benchmark scripts: a throwaway PostgreSQL cluster, Release builds, service start/stop.
# Everything runs on loopback; everything started here is stopped on exit.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/acs-bench-XXXXXX")
chmod 755 "$work"
bench="$repo/Acs.Benchmarks/bin/Release/net10.0/Acs.Benchmarks.dll"
api_dir="$repo/Acs.Api/bin/Release/net10.0"
pids=()

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM, load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

build() {
  echo "building (Release)..."
  dotnet build "$repo/Acs.Api/Acs.Api.csproj" -c Release -v quiet -nologo >/dev/null
  dotnet build "$repo/Acs.Benchmarks/Acs.Benchmarks.csproj" -c Release -v quiet -nologo >/dev/null
}

# shellcheck source=../lib/postgres.sh
. "$repo/scripts/lib/postgres.sh"
free_port() { pg_free_port; }

# Default durability (fsync, synchronous_commit on): a commit costs what it costs in production.
start_postgres() {
  pgport=$(free_port)
  pgbin=$(pg_find_bin)
  export PGPASSWORD; PGPASSWORD=$(pg_new_password)
  pg_init_cluster "$pgbin" "$work/pg/data" "$PGPASSWORD"
  pg_as_owner "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $work/pg -c max_connections=300 -c shared_buffers=512MB" start >/dev/null
  pg_stop() { pg_as_owner "$pgbin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true; }
}

pg_pid() { head -n 1 "$work/pg/data/postmaster.pid"; }

create_db() {
  psql -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -qtA -c "CREATE DATABASE $1" >/dev/null
  echo "Host=127.0.0.1;Port=$pgport;Database=$1;Username=postgres;Password=$PGPASSWORD;Maximum Pool Size=100"
}

# start_acs PORT CONNECTION_STRING [BUILD_DIR] [ENV...]: the service as in production, rate limits off, logging at
# Warning. BUILD_DIR (default, or empty: this checkout's Release build) lets another build of the service run side by
# side; ENV (NAME=VALUE words, e.g. DOTNET_gcServer=0) runs it with runtime or service settings of its own.
start_acs() {
  local port=$1 db=$2 dir=${3:-$api_dir}
  local -a extra=("${@:4}")
  (cd "$dir" && exec env ConnectionStrings__Acs="$db" Acs__PublicUrls__0="http://{subdomain}.acs.localhost:$port" \
    Acs__AdminApiKey="bench-admin-key-0123456789" Acs__RateLimiting__Enabled=false ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning ASPNETCORE_URLS="http://127.0.0.1:$port" "${extra[@]}" dotnet Acs.Api.dll) >"$work/acs-$port.log" 2>&1 &
  pids+=($!); last_pid=$!
  wait_http "http://127.0.0.1:$port/healthz"
}

start_baseline() {
  local port=$1 db=$2
  dotnet "$bench" baseline-server --port "$port" --db "$db" >"$work/baseline-$port.log" 2>&1 &
  pids+=($!); last_pid=$!
  wait_http "http://127.0.0.1:$port/healthz"
}

wait_http() {
  for _ in $(seq 1 120); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "no answer from $1" >&2; return 1
}

stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  declare -F pg_stop >/dev/null && pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
