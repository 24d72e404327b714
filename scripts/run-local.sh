#!/usr/bin/env bash
# Runs AcsService (Development: the development IdP and the demo tenant) on port 8080 against a private PostgreSQL
# cluster kept in .local/ (git-ignored), from the machine's .NET SDK and PostgreSQL binaries; no container engine
# needed. With Docker, docker-compose.yml runs the same service in containers instead (see the README).
# Ctrl-C stops the service and the database.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state="$repo/.local"
pgdata="$state/postgres"
pglog="$state/postgres.log"
pgport="${ACS_LOCAL_PG_PORT:-5433}"
port="${ACS_PORT:-8080}"
mkdir -p "$state"

# shellcheck source=lib/postgres.sh
. "$repo/scripts/lib/postgres.sh"

pgbin=$(pg_find_bin)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL server binaries not found: installing the postgresql package..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pgbin=$(pg_find_bin)
  else
    echo "PostgreSQL server binaries not found: install them (Debian/Ubuntu: sudo apt-get install postgresql)." >&2
    exit 1
  fi
fi

# The cluster's password, kept between runs (a cluster made by an older version of this script trusts local
# connections and is used as it is).
pwfile="$state/postgres-password"
[ -s "$pwfile" ] || (pg_new_password > "$pwfile" && chmod 600 "$pwfile")
export PGPASSWORD="$(cat "$pwfile")"
if [ ! -f "$pgdata/PG_VERSION" ]; then
  echo "Creating the local database cluster in $pgdata"
  pg_init_cluster "$pgbin" "$pgdata" "$PGPASSWORD"
fi
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$pgdata"

stop_db() { pg_as_owner "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true; }
if ! pg_as_owner "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
  pg_as_owner "$pgbin/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $pgport -k $pgdata" start >/dev/null
fi
trap 'echo; echo "Stopping..."; stop_db' EXIT INT TERM

psql_pg() { psql -h 127.0.0.1 -p "$pgport" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_pg -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'acs'")" != "1" ]; then
  psql_pg -d postgres -c "CREATE DATABASE acs" >/dev/null
fi

# A development operator key, kept between runs.
keyfile="$state/admin-api-key"
[ -s "$keyfile" ] || (head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$keyfile")

# A development key-encryption key for the SP encryption keys (token encryption), kept between runs like the
# private keys it seals.
kekfile="$state/key-encryption-key"
[ -s "$kekfile" ] || (head -c 32 /dev/urandom | base64 > "$kekfile")

export ConnectionStrings__Acs="Host=127.0.0.1;Port=$pgport;Database=acs;Username=postgres;Password=$PGPASSWORD"
export Acs__PublicUrls__0="http://{subdomain}.acs.localhost:$port"
export Acs__AdminApiKey="$(cat "$keyfile")"
export Acs__EncryptionKeys__KeyEncryptionKey="$(cat "$kekfile")"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="http://localhost:$port"
# The development IdP (Development only) keeps its signing key here; the demo tenant trusts its certificate.
export Acs__DevelopmentIdp__KeyFile="$state/dev-idp-signing-key.pem"

echo "Building..."
dotnet build "$repo/Acs.Api/Acs.Api.csproj" -c Release -v quiet -nologo >/dev/null
if [ "$ASPNETCORE_ENVIRONMENT" = "Development" ]; then
  echo "Open the demo company's site: http://demo.acs.localhost:$port/  (sign in with the development IdP)"
fi
echo "Tenant sites: http://<subdomain>.acs.localhost:$port/   admin API: http://localhost:$port/admin   health: http://localhost:$port/readyz"
echo "Admin API key: $Acs__AdminApiKey"
(cd "$repo/Acs.Api/bin/Release/net10.0" && exec dotnet Acs.Api.dll) &
api=$!
trap 'echo; echo "Stopping..."; kill $api 2>/dev/null; wait $api 2>/dev/null; stop_db' EXIT INT TERM
wait $api
