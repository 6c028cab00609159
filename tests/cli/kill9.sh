#!/usr/bin/env bash
# A run killed with SIGKILL leaves a database that opens, says `incomplete`,
# passes SQLite's integrity check, and holds the records committed before the
# kill; `report` renders what there is; a later run into the same file works.
set -u
BIN=$1 SRC=$2 TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP"
db=$TMP/killed.db
"$BIN" run "$SRC/scenarios/bench/month-256.json" --db "$db" --quiet >/dev/null 2>&1 &
pid=$!
# wait until some epochs are committed (the writer commits at least every second)
for _ in $(seq 1 600); do
    n=$(sqlite3 "$db" "SELECT COUNT(*) FROM chain_epoch" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 20 ] && break
    sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
[ "${n:-0}" -ge 20 ] || { echo "FAIL: no epochs committed before the kill"; exit 1; }
status=$(sqlite3 "$db" "SELECT status FROM run")
[ "$status" = incomplete ] || { echo "FAIL: status '$status', want incomplete"; exit 1; }
check=$(sqlite3 "$db" "PRAGMA integrity_check")
[ "$check" = ok ] || { echo "FAIL: integrity_check: $check"; exit 1; }
after=$(sqlite3 "$db" "SELECT COUNT(*) FROM chain_epoch")
[ "$after" -ge "$n" ] || { echo "FAIL: $after epochs after the kill, $n were committed"; exit 1; }
# a prefix of what was written: each epoch's row comes before its 256 uid rows,
# and a commit may fall among those
rows=$(sqlite3 "$db" "SELECT COUNT(*) FROM epoch_neuron")
[ "$rows" -ge $(((after - 1) * 256)) ] && [ "$rows" -le $((after * 256)) ] ||
    { echo "FAIL: $rows epoch_neuron rows for $after epochs"; exit 1; }
gaps=$(sqlite3 "$db" "SELECT COUNT(*) FROM (SELECT epoch, COUNT(*) c FROM epoch_neuron
                       GROUP BY epoch HAVING c != 256 AND epoch != (SELECT MAX(epoch) FROM epoch_neuron))")
[ "$gaps" = 0 ] || { echo "FAIL: $gaps epochs before the last are partial"; exit 1; }
digest=$(sqlite3 "$db" "SELECT IFNULL(digest, 'none') FROM run")
[ "$digest" = none ] || { echo "FAIL: an incomplete run has digest $digest"; exit 1; }
# the report renders the committed epochs and says the run did not finish
"$BIN" report "$db" --run 1 -o "$TMP/report" --format svg >/dev/null 2>"$TMP/report.err" ||
    { echo "FAIL: report of the killed run: $(cat "$TMP/report.err")"; exit 1; }
grep -q "This run did not finish" "$TMP/report/index.html" ||
    { echo "FAIL: the report of the killed run does not say it is incomplete"; exit 1; }
# a second run into the same file finishes beside the killed one
"$BIN" run "$SRC/scenarios/weights/honest-basic.json" --db "$db" --quiet >/dev/null ||
    { echo "FAIL: a run after the kill"; exit 1; }
[ "$(sqlite3 "$db" "SELECT group_concat(status) FROM run ORDER BY run_id")" = "incomplete,complete" ] ||
    { echo "FAIL: runs: $(sqlite3 "$db" "SELECT run_id, status FROM run")"; exit 1; }
echo "ok: killed after $n epochs; the file holds $after, says incomplete, and takes a new run"
