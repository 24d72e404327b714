#!/usr/bin/env bash
# End-to-end load: the ACS login path vs a bare Kestrel app that commits one INSERT per POST, in the same run,
# against the same private PostgreSQL, on loopback. Bounded: each step stops at LOAD_REQUESTS requests or
# LOAD_SECONDS seconds (defaults 4000 and 15; the baseline, which does not read the response, cycles through 2000
# distinct bodies for up to LOAD_BASELINE_REQUESTS=20000). LOAD_BEFORE_API_DIR=<another checkout>/Acs.Api/bin/Release/net10.0
# adds that build of the service as a third target, "acs-before", on its own database of the same cluster, so a
# change is measured against the code before it in the same run. LOAD_VARIANTS="wks:DOTNET_gcServer=0;nofk:SQL=f.sql"
# adds this build once more per entry ("label:NAME=VALUE ..."), as target "acs-<label>" on its own database, with
# those environment variables (runtime or service settings); a SQL=<file> word is not passed on but run against that
# database after the service has migrated it (a schema experiment), and a DIR=<build dir> word runs that build instead
# (so an old and a new build can alternate: the first target of a run meets a cold cluster). Usage: scripts/bench/load.sh   (about 6 minutes)
source "$(dirname "$0")/lib.sh"
levels=${LOAD_LEVELS:-1,2,4,8,16,32,64}
requests=${LOAD_REQUESTS:-4000}
baseline_requests=${LOAD_BASELINE_REQUESTS:-20000}
seconds=${LOAD_SECONDS:-15}
out=${LOAD_OUT:-$repo/BenchmarkDotNet.Artifacts/load.tsv}
mkdir -p "$(dirname "$out")"; rm -f "$out"

machine
build
start_postgres
db=$(create_db acs_load)
acs_port=$(free_port); start_acs "$acs_port" "$db"; acs_pid=$last_pid
base_port=$(free_port); start_baseline "$base_port" "$db"; base_pid=$last_pid
if [[ -n ${LOAD_BEFORE_API_DIR:-} ]]; then
  before_db=$(create_db acs_load_before)
  before_port=$(free_port); start_acs "$before_port" "$before_db" "$LOAD_BEFORE_API_DIR"; before_pid=$last_pid
fi
variant_labels=(); variant_ports=(); variant_pids=(); variant_dbs=()
IFS=';' read -r -a variants <<<"${LOAD_VARIANTS:-}"
for entry in "${variants[@]}"; do
  [[ -z $entry ]] && continue
  label=${entry%%:*}; env_words=(); sql_file=""; variant_dir=""
  read -r -a words <<<"${entry#*:}"
  for word in "${words[@]}"; do
    case $word in
      SQL=*) sql_file=${word#SQL=} ;;
      DIR=*) variant_dir=${word#DIR=} ;;
      *) env_words+=("$word") ;;
    esac
  done
  variant_db=$(create_db "acs_load_${label//[^a-z0-9]/_}")
  variant_port=$(free_port); start_acs "$variant_port" "$variant_db" "$variant_dir" "${env_words[@]}"
  variant_pids+=("$last_pid")
  if [[ -n $sql_file ]]; then
    psql -h 127.0.0.1 -p "$pgport" -U postgres -d "acs_load_${label//[^a-z0-9]/_}" -qtA -v ON_ERROR_STOP=1 -f "$sql_file" >/dev/null
  fi
  variant_labels+=("acs-$label"); variant_ports+=("$variant_port"); variant_dbs+=("$variant_db")
  echo "variant acs-$label: ${variant_dir:-this build}, ${env_words[*]:-(no environment)}${sql_file:+, then $sql_file}"
done

echo
echo "| target | mode | concurrency | requests | errors | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB | server CPU ms/req | DB CPU ms/req |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
dotnet "$bench" load --url "http://127.0.0.1:$acs_port" --db "$db" --pid "$acs_pid" --db-pid "$(pg_pid)" --label acs \
  --levels "$levels" --requests "$requests" --seconds "$seconds" --half-load --out "$out" || echo "(acs: some requests failed, see $out)"
if [[ -n ${LOAD_BEFORE_API_DIR:-} ]]; then
  dotnet "$bench" load --url "http://127.0.0.1:$before_port" --db "$before_db" --pid "$before_pid" --db-pid "$(pg_pid)" \
    --label acs-before --levels "$levels" --requests "$requests" --seconds "$seconds" --half-load --out "$out" \
    || echo "(acs-before: some requests failed, see $out)"
fi
for i in "${!variant_labels[@]}"; do
  dotnet "$bench" load --url "http://127.0.0.1:${variant_ports[$i]}" --db "${variant_dbs[$i]}" --pid "${variant_pids[$i]}" \
    --db-pid "$(pg_pid)" --label "${variant_labels[$i]}" --levels "$levels" --requests "$requests" --seconds "$seconds" \
    --half-load --out "$out" || echo "(${variant_labels[$i]}: some requests failed, see $out)"
done
dotnet "$bench" load --url "http://127.0.0.1:$base_port" --pid "$base_pid" --db-pid "$(pg_pid)" --label baseline --user-offset 1000000 \
  --reuse 2000 --levels "$levels" --requests "$baseline_requests" --seconds "$seconds" --half-load --out "$out" || echo "(baseline: some requests failed)"

echo
echo "Summary (closed loop: best throughput; open loop at half of it: latency):"
awk -F'\t' 'NR>1 && $2=="closed" { if ($9>best[$1]) best[$1]=$9 }
            NR>1 && $2=="open" { p50[$1]=$10; p99[$1]=$12 }
            NR>1 { if ($13>rss[$1]) rss[$1]=$13; cpu[$1]+=$14*$5; db[$1]+=$15*$5; n[$1]+=$5 }
  END {
    printf "| | acs | baseline | ratio |\n|---|---:|---:|---:|\n"
    printf "| max throughput req/s | %.0f | %.0f | %.2f |\n", best["acs"], best["baseline"], best["acs"]/best["baseline"]
    if ("acs-before" in best) printf "| acs-before: max throughput req/s, ratio to baseline | %.0f | | %.2f |\n| acs-before: CPU ms per request, server / database | %.2f / %.2f | | |\n", best["acs-before"], best["acs-before"]/best["baseline"], cpu["acs-before"]/n["acs-before"], db["acs-before"]/n["acs-before"]
    for (t in best) if (t != "acs" && t != "baseline" && t != "acs-before") printf "| %s: max throughput req/s, ratio to baseline; CPU ms per request, server / database; half-load p99/p50 | %.0f | | %.2f; %.2f / %.2f; %.2f |\n", t, best[t], best[t]/best["baseline"], cpu[t]/n[t], db[t]/n[t], p99[t]/p50[t]
    printf "| half-load p50 ms | %.1f | %.1f | |\n", p50["acs"], p50["baseline"]
    printf "| half-load p99 ms | %.1f | %.1f | |\n", p99["acs"], p99["baseline"]
    printf "| half-load p99/p50 | %.2f | %.2f | |\n", p99["acs"]/p50["acs"], p99["baseline"]/p50["baseline"]
    printf "| peak RSS MB | %.0f | %.0f | |\n", rss["acs"], rss["baseline"]
    printf "| server CPU ms per request | %.2f | %.2f | %.1f |\n", cpu["acs"]/n["acs"], cpu["baseline"]/n["baseline"], (cpu["acs"]/n["acs"])/(cpu["baseline"]/n["baseline"])
    printf "| database CPU ms per request | %.2f | %.2f | %.1f |\n", db["acs"]/n["acs"], db["baseline"]/n["baseline"], (db["acs"]/n["acs"])/(db["baseline"]/n["baseline"])
  }' "$out"
echo "raw: $out"
