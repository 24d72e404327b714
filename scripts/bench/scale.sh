#!/usr/bin/env bash
# Scale check: the same login load against an empty database and one seeded with SCALE_TENANTS tenants and
# SCALE_MEMBERS members (default 100,000 and 1,000,000), two services side by side, rounds alternated so the
# machine's noise hits both alike. Usage: scripts/bench/scale.sh   (about 6 minutes, seeding included)
source "$(dirname "$0")/lib.sh"
tenants=${SCALE_TENANTS:-100000}
members=${SCALE_MEMBERS:-1000000}
rounds=${SCALE_ROUNDS:-3}
levels=${SCALE_LEVELS:-1,8}
out=${SCALE_OUT:-$repo/BenchmarkDotNet.Artifacts/scale.tsv}
mkdir -p "$(dirname "$out")"; rm -f "$out"

machine
build
start_postgres
empty=$(create_db acs_empty)
scaled=$(create_db acs_scaled)
for db in "$empty" "$scaled"; do
  (cd "$api_dir" && ConnectionStrings__Acs="$db" Acs__PublicUrls__0="http://{subdomain}.acs.localhost:1" \
    Acs__AdminApiKey="bench-admin-key-0123456789" Logging__LogLevel__Default=Warning dotnet Acs.Api.dll migrate >/dev/null)
done
echo "seeding $tenants tenants and $members members..."
time dotnet "$bench" seed-scale --db "$scaled" --tenants "$tenants" --members "$members"

port_e=$(free_port); start_acs "$port_e" "$empty"; pid_e=$last_pid
port_s=$(free_port); start_acs "$port_s" "$scaled"; pid_s=$last_pid
echo
echo "| target | mode | concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB | server CPU ms/req | DB CPU ms/req |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in $(seq 1 "$rounds"); do
  dotnet "$bench" load --url "http://127.0.0.1:$port_e" --db "$empty" --pid "$pid_e" --db-pid "$(pg_pid)" --label empty --levels "$levels" \
    --requests 600 --seconds 10 --warmup 100 --user-offset $((r * 100000)) --out "$out"
  dotnet "$bench" load --url "http://127.0.0.1:$port_s" --db "$scaled" --pid "$pid_s" --db-pid "$(pg_pid)" --label scaled --levels "$levels" \
    --requests 600 --seconds 10 --warmup 100 --user-offset $((r * 100000)) --out "$out"
done

echo
echo "Median over $rounds rounds of p50 latency:"
echo "| concurrency | empty p50 ms | scaled p50 ms | scaled ÷ empty |"
echo "|---:|---:|---:|---:|"
for c in ${levels//,/ }; do
  e=$(awk -F'\t' -v c="$c" '$1=="empty" && $3==c {print $10}' "$out" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  s=$(awk -F'\t' -v c="$c" '$1=="scaled" && $3==c {print $10}' "$out" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  awk -v c="$c" -v e="$e" -v s="$s" 'BEGIN { printf "| %s | %.2f | %.2f | %.2f |\n", c, e, s, s/e }'
done
echo "raw: $out"
