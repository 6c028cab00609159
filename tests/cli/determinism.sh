#!/usr/bin/env bash
# Same scenario, same seed: identical digests (verify-determinism runs twice and
# re-verifies each digest from its file's rows). Every weights scenario here;
# the real-estate ones in resi_scenarios.sh; all of them, the month-long and
# mainnet-sized ones included, in nightly_determinism.sh.
set -u
BIN=$1 SRC=$2 TMP=$3
mkdir -p "$TMP"
failures=0
n=0
for f in "$SRC"/scenarios/weights/*.json; do
    n=$((n + 1))
    (cd "$TMP" && "$BIN" verify-determinism "$f" >"$TMP/v.out" 2>&1) ||
        { echo "FAIL: $f: $(tail -3 "$TMP/v.out")"; failures=$((failures + 1)); }
    grep -q "deterministic: both runs give digest [0-9a-f]\{64\}" "$TMP/v.out" ||
        { echo "FAIL: $f: no digest in: $(cat "$TMP/v.out")"; failures=$((failures + 1)); }
done
[ "$n" -ge 8 ] || { echo "FAIL: only $n weights scenarios"; exit 1; }
# another seed must change the records
(cd "$TMP" && "$BIN" run "$SRC/scenarios/weights/honest-basic.json" --db a.db --quiet &&
               "$BIN" run "$SRC/scenarios/weights/honest-basic.json" --db b.db --seed 7 --quiet) ||
    { echo "FAIL: runs"; exit 1; }
da=$(sqlite3 "$TMP/a.db" "SELECT digest FROM run")
db=$(sqlite3 "$TMP/b.db" "SELECT digest FROM run")
[ -n "$da" ] && [ "$da" != "$db" ] || { echo "FAIL: seed 7 gave the same digest $da"; failures=$((failures + 1)); }
[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
echo "ok: $n weights scenarios are deterministic; another seed changes the digest"
