#!/usr/bin/env bash
# Validator: BenchmarkDotNet (our validator vs a bare RSA-2048 VerifyData+SHA-256 and an XmlDocument load of the
# same bytes), then the Node peers (node-saml, samlify, xml-crypto) on the very same response files, one table.
# Usage: scripts/bench/validator.sh   (about 6 minutes; PEER_SECONDS per library and file, default 5;
#        ACS_PEERS_DIR defaults to ../shared/peers next to the repository; VALIDATOR_QUICK=1 for a shorter run)
source "$(dirname "$0")/lib.sh"
peers_src=${ACS_PEERS_DIR:-$repo/../shared/peers}
peer_seconds=${PEER_SECONDS:-5}
out_dir=${VALIDATOR_OUT:-$repo/BenchmarkDotNet.Artifacts}
mkdir -p "$out_dir"

machine
build
dotnet "$bench" make-responses --out "$work/responses"
ls -l "$work/responses" | awk 'NR>1 {print "  " $5 " bytes  " $9}'
quick=(); [ "${VALIDATOR_QUICK:-0}" = 1 ] && quick=(--quick)
(cd "$work" && dotnet "$bench" validator --responses "$work/responses" --out "$out_dir/ours.tsv" "${quick[@]}") | tee "$work/bdn.log" | sed -n '/^| size/,$p'

echo
echo "Peers (Node $(node --version), ${peer_seconds}s per library and file, run right after ours):"
cp -r "$peers_src" "$work/peers"
(cd "$work/peers" && rm -rf node_modules && npm ci --silent --no-audit --no-fund >/dev/null)
settings="$work/responses/settings.json"
json() { node -e "console.log(require('$settings')['$1'])"; }
: >"$out_dir/peers.tsv"
for mode in assertion response both; do
  for size in 5kb 50kb; do
    (cd "$work/peers" && node bench-validate.mjs --response "$work/responses/resp-$mode-$size.xml" --cert "$work/responses/idp-cert.pem" \
      --issuer "$(json issuer)" --audience "$(json audience)" --destination "$(json destination)" --seconds "$peer_seconds") \
      | awk -v m="$mode" -v s="$size" '!/^#/ {print m "\t" s "\t" $0}' >>"$out_dir/peers.tsv"
  done
done

echo
echo "| signed | size | library | validations/s | ours ÷ library |"
echo "|---|---|---|---:|---:|"
awk -F'\t' '
  FNR==NR { if (FNR>1) { m=$1; sub(/^Validate/,"",m); sub(/Signed$/,"",m); ours[tolower(m) "/" $2]=1e9/$3 }; next }
  { split($3, f, " "); key=$1 "/" $2
    if (!(key in shown)) { printf "| %s | %s | ours (Acs.Core) | %.0f | 1.0 |\n", $1, $2, ours[key]; shown[key]=1 }
    if (f[2]=="FAILED") printf "| %s | %s | %s | FAILED | |\n", $1, $2, f[1]
    else printf "| %s | %s | %s | %.1f | %.1f |\n", $1, $2, f[1], f[2], ours[key]/f[2] }
' "$out_dir/ours.tsv" "$out_dir/peers.tsv"
echo "raw: $out_dir/ours.tsv, $out_dir/peers.tsv"
