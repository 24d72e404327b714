#!/usr/bin/env bash
# CPU profile of the service under the login load: perf samples (managed frames named through the runtime's perf
# map, native ones from their libraries, kernel included) of the service process while the load generator runs a
# closed loop at PROFILE_CONCURRENCY (8) for PROFILE_REQUESTS (6000) sign-ins, after a warm-up of the same size.
# Prints the top self-time symbols and a roll-up by area. Bounded, loopback only. Usage: scripts/bench/profile.sh
# (about 3 minutes). Needs `perf` (Debian: linux-perf).
source "$(dirname "$0")/lib.sh"
concurrency=${PROFILE_CONCURRENCY:-8}
requests=${PROFILE_REQUESTS:-6000}
top=${PROFILE_TOP:-40}
out=${PROFILE_OUT:-$repo/BenchmarkDotNet.Artifacts/profile}
mkdir -p "$out"

machine
build
start_postgres
db=$(create_db acs_profile)
# W^X off so JIT-compiled code sits in ordinary mappings that the perf map names.
export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
acs_port=$(free_port); start_acs "$acs_port" "$db"; acs_pid=$last_pid
unset DOTNET_PerfMapEnabled DOTNET_EnableWriteXorExecute

run_load() {
  dotnet "$bench" load --url "http://127.0.0.1:$acs_port" --db "$db" --pid "$acs_pid" --db-pid "$(pg_pid)" --label "$1" \
    --levels "$concurrency" --requests "$requests" --seconds 30 --user-offset "$2" --out "$out/$1.tsv"
}

echo "warm-up: $requests sign-ins at concurrency $concurrency"
run_load warmup 0 >/dev/null
echo "profiled run:"
perf record -F 1999 -g -p "$acs_pid" -o "$out/perf.data" >/dev/null 2>"$out/perf-record.log" &
perf_pid=$!
sleep 1
run_load profiled 5000000
kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true

perf report -i "$out/perf.data" --no-children --sort sym --stdio --percent-limit 0.3 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -n "$top" > "$out/top-self.txt"
perf report -i "$out/perf.data" --no-children --sort dso --stdio 2>/dev/null \
  | grep -E '^ +[0-9.]+%' | head -n 20 > "$out/by-dso.txt"
echo
echo "Top $top symbols by self time (share of the service's samples):"
cat "$out/top-self.txt"
echo
echo "By library:"
cat "$out/by-dso.txt"
echo "raw: $out/perf.data (perf report -i $out/perf.data)"
