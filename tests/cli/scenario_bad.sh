#!/usr/bin/env bash
# Every broken scenario fails `subnetsim check` the same clean way: exit 2,
# nothing on stdout, exactly one line on stderr, naming FILE:LINE:COL (or the
# --set) and the message expected. Cases: tests/bad/*.json, each with its
# expectation on its first line (`// expect: L:C: path: message`) or beside it
# in NAME.expect; plus inputs made here (50 MB of text, a NUL byte) and bad
# --set / --seed arguments. Run under the sanitizer build too: no crash, no leak.
set -u
BIN=$1 SRC=$2 TMP=$3
mkdir -p "$TMP"
cd "$SRC" || exit 1
failures=0

# expect_error WANT ARGS...: one error line containing WANT, exit 2.
expect_error() {
    local want=$1
    shift
    "$BIN" check "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$? lines
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" != 2 ] || [ -s "$TMP/out" ] || [ "$lines" != 1 ] || ! grep -qF -- "$want" "$TMP/err"; then
        echo "FAIL: check $*"
        echo "  want exit 2, one line containing: $want"
        echo "  got exit $rc, stdout $(wc -c <"$TMP/out") bytes, stderr $lines lines:"
        sed 's/^/    /' "$TMP/err" | head -5
        failures=$((failures + 1))
    fi
}

count=0
for f in tests/bad/*.json; do
    if [ -f "$f.expect" ]; then
        want=$(cat "$f.expect")
    else
        want=$(head -n 1 "$f" | sed -n 's|^// expect: ||p')
    fi
    if [ -z "$want" ]; then
        echo "FAIL: $f has no expectation"
        failures=$((failures + 1))
        continue
    fi
    case $want in
        [0-9]*:[0-9]*:*) ;;
        *) echo "FAIL: $f: the expectation must start with LINE:COL"; failures=$((failures + 1)) ;;
    esac
    expect_error "$f:$want" "$f"
    count=$((count + 1))
done
[ "$count" -ge 30 ] || { echo "FAIL: only $count cases in tests/bad"; failures=$((failures + 1)); }

# 50 MB of text: refused at the 16 MiB cap, at the line and column where it lies.
yes '  "just text, on and on",' | head -c 50000000 >"$TMP/50mb.json"
expect_error "$TMP/50mb.json:645278:15: the file goes on past 16777216 bytes, the limit for a scenario" "$TMP/50mb.json"

printf '{"name": "a\0b"}' >"$TMP/nul.json"
expect_error "$TMP/nul.json:1:12: NUL byte in text" "$TMP/nul.json"
expect_error "cannot open '$TMP/none.json'" "$TMP/none.json"

ok=tests/bad/../../scenarios/weights/honest-basic.json
expect_error "--set validators[0].stke=5: validators[0]: unknown key \"stke\"; did you mean \"stake\"?" \
    "$ok" --set validators[0].stke=5
expect_error "--set validators[0].stake=lots: validators[0].stake: expected a number" "$ok" --set validators[0].stake=lots
expect_error "--set validators[99].stake=1: validators: has" "$ok" --set validators[99].stake=1
expect_error "--set duration=5 minutes: duration: expected a duration" "$ok" --set "duration=5 minutes"
expect_error "--set nothing: expected PATH=VALUE" "$ok" --set nothing
expect_error "--set needs a value" "$ok" --set
expect_error "--seed: expected an integer between 0 and 9007199254740992, got 'x'" "$ok" --seed x
expect_error "check: unknown option '--sed'" "$ok" --sed 4
expect_error "one scenario file at a time" "$ok" "$ok"
expect_error "which scenario? give a FILE"

if [ "$failures" != 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "ok: $count files in tests/bad and 13 more cases"
