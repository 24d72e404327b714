#!/usr/bin/env bash
# Hostile input at volume against the real service: 20,000 requests (10 of them with 10 MB bodies) of the HttpFuzzTests
# mix through loopback sockets, against a private PostgreSQL. Reports the status distribution, the 5xx count (must be
# 0), the service's peak RSS (VmHWM) and whether any log line carried the posted SAMLResponse content.
# Bounded: at most FUZZ_MAX_SECONDS (300) of load; loopback only.
# Usage: scripts/reliability/fuzz-load.sh [count] [ten-megabyte-bodies] [concurrency]
source "$(dirname "$0")/lib.sh"
count=${1:-20000}
big=${2:-10}
concurrency=${3:-8}

machine
build
start_database
start_service
log "RSS before the load: $(awk '/VmRSS/{print $2, $3}' "/proc/$api_pid/status")"
set +e
tool fuzz --url "http://127.0.0.1:$port" --db "$db" --count "$count" --big "$big" --concurrency "$concurrency" \
  --max-seconds "${FUZZ_MAX_SECONDS:-300}"
result=$?
set -e
log "service peak RSS (VmHWM): $(awk '/VmHWM/{print $2, $3}' "/proc/$api_pid/status"); now (VmRSS): $(awk '/VmRSS/{print $2, $3}' "/proc/$api_pid/status")"
leaks=$(grep -c -e 'Zq7LEAKMARKERx9' -e 'PHNhbWxwOlJlc3BvbnNl' "$work/service.log" || true)
log "service log: $(wc -l < "$work/service.log") lines, $leaks carrying SAMLResponse content"
kill -0 "$api_pid" 2>/dev/null && log "service still running after the load" || { log "the service DIED"; result=1; }
[ "$leaks" -eq 0 ] || result=1
log "fuzz-load: $([ $result -eq 0 ] && echo PASS || echo FAIL)"
exit $result
