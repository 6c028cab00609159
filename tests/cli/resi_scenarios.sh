#!/usr/bin/env bash
# The real-estate scenarios: every file in scenarios/resi passes `check`, its
# effective form loads back to itself, and the quick ones give the same
# digest twice (verify-determinism).
set -u
BIN=$1 SRC=$2 TMP=$3
mkdir -p "$TMP"
cd "$SRC" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

n=0
for f in scenarios/resi/*.json; do
    n=$((n + 1))
    "$BIN" check "$f" >/dev/null 2>"$TMP/err" || { fail "$f: $(cat "$TMP/err")"; continue; }
    "$BIN" check "$f" --print >"$TMP/a.json" && "$BIN" check "$TMP/a.json" --print >"$TMP/b.json" ||
        fail "$f: its effective form does not load"
    cmp -s "$TMP/a.json" "$TMP/b.json" || fail "$f: load -> print -> load -> print differs"
done
[ "$n" -ge 7 ] || fail "only $n scenarios in scenarios/resi"

for f in testnet-day2 config-matrix desirability-as-deployed; do
    (cd "$TMP" && "$BIN" verify-determinism "$SRC/scenarios/resi/$f.json" >"$TMP/v.out" 2>&1) ||
        fail "verify-determinism $f: $(tail -3 "$TMP/v.out")"
done

[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
echo "ok: $n resi scenarios check and round trip; 3 are deterministic"
