#!/usr/bin/env bash
# Docs and loader stay in step: the committed JSON Schema and the field
# reference in scenarios/README.md are what the tables generate; every example
# in that README and every scenario in scenarios/ passes `check`; and each
# scenario's effective form (check --print) loads back to itself.
set -u
BIN=$1 SRC=$2 TMP=$3
mkdir -p "$TMP"
cd "$SRC" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$BIN" schema >"$TMP/schema.json" || fail "subnetsim schema"
diff -u scenarios/scenario.schema.json "$TMP/schema.json" >"$TMP/schema.diff" ||
    fail "scenarios/scenario.schema.json is stale: subnetsim schema > scenarios/scenario.schema.json
$(head -40 "$TMP/schema.diff")"

"$BIN" schema --markdown >"$TMP/reference.md" || fail "subnetsim schema --markdown"
sed -n '/^<!-- BEGIN FIELD REFERENCE -->$/,/^<!-- END FIELD REFERENCE -->$/p' scenarios/README.md |
    sed '1d;$d' >"$TMP/readme-reference.md"
diff -u "$TMP/readme-reference.md" "$TMP/reference.md" >"$TMP/reference.diff" ||
    fail "the field reference in scenarios/README.md is stale (subnetsim schema --markdown)
$(head -40 "$TMP/reference.diff")"

# Every ```jsonc block of the README is a scenario that passes.
awk -v dir="$TMP" '/^```jsonc$/ {n++; f = dir "/example" n ".json"; printf "" > f; on = 1; next}
                   /^```/ {on = 0} on {print >> f}' scenarios/README.md
examples=$(ls "$TMP"/example*.json 2>/dev/null | wc -l)
[ "$examples" -ge 4 ] || fail "only $examples examples found in scenarios/README.md"
for f in "$TMP"/example*.json; do
    "$BIN" check "$f" >/dev/null 2>"$TMP/err" || fail "README example $(basename "$f"): $(cat "$TMP/err")"
done

# The README's --set examples work, together, on a file they fit.
cat >"$TMP/set-target.json" <<'JSON'
{"validators": [{"name": "a"}, {"name": "b"}],
 "miners": [{"name": "m"}, {"name": "n"}, {"name": "o"}]}
JSON
sets=$(grep -E '^    --set ' scenarios/README.md | sed 's/(applied before the other --set)//')
[ -n "$sets" ] || fail "no --set examples found in scenarios/README.md"
eval "\"$BIN\" check \"$TMP/set-target.json\" $(echo $sets)" >/dev/null 2>"$TMP/err" ||
    fail "README --set examples: $(cat "$TMP/err")"

for f in $(find scenarios -name "*.json" | sort); do
    case $f in *schema.json) continue ;; esac
    "$BIN" check "$f" >/dev/null 2>"$TMP/err" || { fail "$f: $(cat "$TMP/err")"; continue; }
    "$BIN" check "$f" --print >"$TMP/a.json" && "$BIN" check "$TMP/a.json" --print >"$TMP/b.json" ||
        fail "$f: its effective form does not load"
    cmp -s "$TMP/a.json" "$TMP/b.json" || fail "$f: load -> print -> load -> print differs"
done

[ "$failures" = 0 ] || { echo "$failures failures"; exit 1; }
echo "ok: schema and reference in step, $examples README examples, scenarios/ round trip"
