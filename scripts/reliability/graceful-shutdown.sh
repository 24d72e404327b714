#!/usr/bin/env bash
# Logins in flight (16 clients, a new connection per login) when the service gets SIGTERM. Reports that every login sent
# before the signal got a complete response (no resets), what happened to logins after it, and that the process exited
# within its shutdown timeout (Acs.Api/Hosting/ConnectionLimits.cs: 8 s) with exit code 0. Bounded: about 20 s.
source "$(dirname "$0")/lib.sh"

machine
build
start_database
start_service
set +e
tool shutdown --url "http://127.0.0.1:$port" --db "$db" --pid "$api_pid" --before 3 --workers 16 --shutdown-timeout 8
result=$?
wait "$api_pid"
code=$?
set -e
api_pid=""
log "service exit code: $code"
[ "$code" -eq 0 ] || result=1
exit $result
