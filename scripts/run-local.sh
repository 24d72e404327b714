#!/usr/bin/env bash
# Runs AcsService on http://localhost:8080 against a private PostgreSQL cluster kept in .local/ (git-ignored).
# For machines without a container engine; `docker compose up` runs the same service where Docker exists.
# Ctrl-C stops the service and the database.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state="$repo/.local"
pgdata="$state/postgres"
pglog="$state/postgres.log"
pgport="${ACS_LOCAL_PG_PORT:-5433}"
port="${ACS_PORT:-8080}"
mkdir -p "$state"

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

pgbin=$(find_pg_bin)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "PostgreSQL server binaries not found: installing the postgresql package..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pgbin=$(find_pg_bin)
  else
    echo "PostgreSQL server binaries not found: install them (Debian/Ubuntu: sudo apt-get install postgresql)." >&2
    exit 1
  fi
fi

# PostgreSQL refuses to run as root: the cluster then belongs to the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -f "$pgdata/PG_VERSION" ]; then
  echo "Creating the local database cluster in $pgdata"
  mkdir -p "$pgdata"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$state"
  as_pg "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
fi
[ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$state"

stop_db() { as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null 2>&1 || true; }
if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
  as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pglog" -w -t 60 \
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

export ConnectionStrings__Acs="Host=127.0.0.1;Port=$pgport;Database=acs;Username=postgres"
export Acs__PublicUrls__0="http://{subdomain}.acs.localhost:$port"
export Acs__AdminApiKey="$(cat "$keyfile")"
export Acs__EncryptionKeys__KeyEncryptionKey="$(cat "$kekfile")"
export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export ASPNETCORE_URLS="http://localhost:$port"
# The development IdP (Development only) keeps its signing key here; the demo tenant trusts its certificate.
export Acs__DevelopmentIdp__KeyFile="$state/dev-idp-signing-key.pem"

echo "Building..."
dotnet build "$repo/Acs.Api/Acs.Api.csproj" -c Release -v quiet -nologo >/dev/null
echo "AcsService on http://localhost:$port  (tenant sites: http://<subdomain>.acs.localhost:$port/)"
echo "Admin API key: $Acs__AdminApiKey   (health: http://localhost:$port/readyz)"
if [ "$ASPNETCORE_ENVIRONMENT" = "Development" ]; then
  echo "Demo: open http://demo.acs.localhost:$port/ and sign in with the development IdP"
fi
(cd "$repo/Acs.Api/bin/Release/net10.0" && exec dotnet Acs.Api.dll) &
api=$!
trap 'echo; echo "Stopping..."; kill $api 2>/dev/null; wait $api 2>/dev/null; stop_db' EXIT INT TERM
wait $api
