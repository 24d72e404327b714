#!/usr/bin/env bash
# Pre-authentication CPU bound: validation CPU of hostile posts at the size cap (256 KiB decoded) against a normal
# 5 KB Entra response and a genuine response at the cap, measured side by side in one process.
# Usage: scripts/bench/adversarial.sh   (about 2 minutes; ADVERSARIAL_SECONDS per post and round, default 1;
#        ADVERSARIAL_ROUNDS, default 5; the median round is reported)
source "$(dirname "$0")/lib.sh"
out_dir=${VALIDATOR_OUT:-$repo/BenchmarkDotNet.Artifacts}
mkdir -p "$out_dir"

machine
build
dotnet "$bench" adversarial --seconds "${ADVERSARIAL_SECONDS:-1}" --rounds "${ADVERSARIAL_ROUNDS:-5}" --out "$out_dir/adversarial.tsv"
echo "raw: $out_dir/adversarial.tsv"
