#!/usr/bin/env bash
# The Core issue's scale target: a 256-uid subnet for 30 simulated days
# (scenarios/bench/month-256.json: 7,200 epochs, 64 validators committing and
# revealing weights every epoch) must run and record in under 5 s wall with a
# database under 200 MB. Usage: tests/bench/bench_month.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build}/subnetsim
db=${TMPDIR:-/tmp}/bench-month-$$.db
command -v hyperfine >/dev/null || { echo "hyperfine not installed (apt-get install hyperfine)"; exit 2; }
hyperfine -w 1 -r 5 --prepare "rm -f $db $db-wal $db-shm" \
    "$bin run scenarios/bench/month-256.json --db $db --quiet"
/usr/bin/time -f "peak RSS %M kB" "$bin" run scenarios/bench/month-256.json --db "$db.rss" --quiet
echo "database: $(du -h "$db" | cut -f1) ($(stat -c %s "$db") bytes)"
sqlite3 "$db" "SELECT 'epochs', COUNT(*) FROM chain_epoch; SELECT 'epoch_neuron rows', COUNT(*) FROM epoch_neuron;"
rm -f "$db" "$db"-wal "$db"-shm "$db.rss" "$db.rss"-wal "$db.rss"-shm
