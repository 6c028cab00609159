#!/usr/bin/env bash
# Nightly: every shipped scenario, the slow ones included, gives the same
# digest twice (label "nightly": NIGHTLY=1 ./scripts/test).
set -u
BIN=$1 SRC=$2 TMP=$3
mkdir -p "$TMP"
failures=0
n=0
for f in $(find "$SRC/scenarios" -name '*.json' ! -name 'scenario.schema.json' | sort); do
    n=$((n + 1))
    (cd "$TMP" && "$BIN" verify-determinism "$f" >"$TMP/v.out" 2>&1) ||
        { echo "FAIL: $f: $(tail -3 "$TMP/v.out")"; failures=$((failures + 1)); continue; }
    echo "$(basename "$f"): $(cut -c1-120 "$TMP/v.out")"
done
[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
echo "ok: all $n shipped scenarios are deterministic"
