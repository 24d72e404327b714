# Sourced by the scripts that run a private PostgreSQL cluster from the machine's own binaries (run-local.sh, bench/,
# reliability/). The cluster requires a scram-sha-256 password, as production servers do; PostgreSQL refuses to run
# as root, so when the script runs as root the cluster belongs to, and runs as, the postgres user.

# The folder with initdb and pg_ctl: PATH first, then Debian's newest /usr/lib/postgresql/<version>/bin; empty if none.
pg_find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return
  fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a command as the cluster's owner.
pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_init_cluster BIN DATA_DIR PASSWORD [initdb options...]: a new cluster whose superuser "postgres" has PASSWORD.
pg_init_cluster() {
  local bin=$1 data=$2 password=$3; shift 3
  local parent pwfile
  parent=$(dirname "$data")
  mkdir -p "$parent"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$parent"
  pwfile=$(mktemp "$parent/.pw.XXXXXX")
  printf '%s\n' "$password" > "$pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pwfile"
  pg_as_owner "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" -E UTF8 --locale=C "$@" >/dev/null
  rm -f "$pwfile"
}

# A random password for a new cluster.
pg_new_password() { head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

pg_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
