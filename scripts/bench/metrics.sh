#!/usr/bin/env bash
# The operator's view of a load run: the service (Release, as in production) and a Prometheus that scrapes its
# /metrics every 2 s, both on loopback, while a bounded load of sign-ins runs (plus a few refused posts, so the failure
# series are not empty); then headless Chromium screenshots of Prometheus's own graph pages into docs/images/.
# Needs Debian's prometheus and chromium packages. Usage: scripts/bench/metrics.sh   (about 3 minutes)
source "$(dirname "$0")/lib.sh"
requests=${METRICS_REQUESTS:-1500}
images=${METRICS_IMAGES:-$repo/docs/images}
command -v prometheus >/dev/null || { echo "prometheus is not installed (apt-get install -y prometheus)" >&2; exit 1; }

machine
build
start_postgres
db=$(create_db acs_metrics)
acs_port=$(free_port); start_acs "$acs_port" "$db"; acs_pid=$last_pid

prom_port=$(free_port)
mkdir -p "$work/prom"
cat >"$work/prom/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
scrape_configs:
  - job_name: acs
    static_configs:
      - targets: ["127.0.0.1:$acs_port"]
YAML
prometheus --config.file="$work/prom/prometheus.yml" --storage.tsdb.path="$work/prom/data" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prom/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$prom_port/-/ready"

# A tenant no load signs in to, trusting one expiring and one expired certificate (rows only: they are counted, never used).
psql "postgresql://postgres@127.0.0.1:$pgport/acs_metrics" -qtA <<'SQL' >/dev/null
INSERT INTO tenants (id, subdomain, display_name, created_at, updated_at) VALUES (gen_random_uuid(), 'rollover', 'Rollover Inc.', now(), now());
INSERT INTO idp_configs (tenant_id, idp_entity_id, sso_target_url, updated_at)
  SELECT id, 'https://sts.windows.net/rollover/', 'https://login.microsoftonline.com/x/saml2', now() FROM tenants WHERE subdomain = 'rollover';
INSERT INTO idp_certificates (tenant_id, thumbprint_sha256, thumbprint_sha1, der, subject, not_before, not_after, created_at)
  SELECT id, t, t, '\x00', 'CN=rollover', now() - interval '3 years', now() + d, now()
  FROM tenants, (VALUES ('a', interval '12 days'), ('b', interval '-2 days')) AS c(t, d) WHERE subdomain = 'rollover';
SQL

sleep 6
echo "load: $requests sign-ins per level, concurrency 1, 4, 16"
dotnet "$bench" load --url "http://127.0.0.1:$acs_port" --db "$db" --pid "$acs_pid" --db-pid "$(pg_pid)" --label acs \
  --levels 1,4,16 --requests "$requests" --seconds 20 --out "$work/load.tsv" >/dev/null
# Refused posts: malformed responses and a replayed-looking garbage body, at a few per second for 20 s.
for i in $(seq 1 200); do
  curl -s -o /dev/null -H "Host: bench0.acs.localhost:$acs_port" --data-urlencode "SAMLResponse=not base64 $i" \
    "http://127.0.0.1:$acs_port/sso/saml/consume"
  curl -s -o /dev/null -H "Host: bench0.acs.localhost:$acs_port" --data-urlencode "SAMLResponse=$(printf '<x/>' | base64)" \
    "http://127.0.0.1:$acs_port/sso/saml/consume"
  sleep 0.1
done
dotnet "$bench" load --url "http://127.0.0.1:$acs_port" --db "$db" --pid "$acs_pid" --db-pid "$(pg_pid)" --label acs \
  --levels 8 --requests "$requests" --seconds 20 --out "$work/load2.tsv" >/dev/null
sleep 6

shot() { # shot NAME QUERY
  local url="http://127.0.0.1:$prom_port/graph?g0.expr=$(jq -rn --arg q "$2" '$q|@uri')&g0.tab=0&g0.range_input=3m"
  chromium --headless --no-sandbox --disable-gpu --disable-background-networking --hide-scrollbars \
    --virtual-time-budget=8000 --screenshot="$images/$1" --window-size=1200,1000 "$url" >/dev/null 2>&1
  echo "$images/$1: $2"
}
mkdir -p "$images"
shot metrics-sign-ins.png 'sum by (acs_outcome, error_type) (rate(acs_sign_in_attempts_total[30s]))'
shot metrics-latency.png 'histogram_quantile(0.99, sum by (le) (rate(acs_sign_in_duration_seconds_bucket[30s])))'
shot metrics-db-pool.png 'sum by (db_client_connection_state) (db_client_connection_count)'
curl -s "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=acs_idp_certificates' | jq -c '.data.result[] | {status: .metric.acs_certificate_status, value: .value[1]}'
curl -s "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode 'query=sum by (acs_outcome, error_type) (acs_sign_in_attempts_total)' | jq -c '.data.result[] | {outcome: .metric.acs_outcome, code: .metric.error_type, value: .value[1]}'
awk -F'\t' 'NR>1 {print "load: concurrency", $3, "requests", $5, "req/s", $9, "p50 ms", $10, "p99 ms", $12}' "$work/load.tsv" "$work/load2.tsv" | grep -v "^load: concurrency concurrency"
