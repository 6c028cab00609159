/* bench_resi: the real-estate scale benchmark, end to end through the runner.
 *
 *   bench_resi [--scenario FILE] [--hours H] [--eval-min E] [--db PATH] [--set PATH=VALUE]...
 *
 * Runs scenarios/resi/mainnet.json (64 validators, 192 miners of every
 * strategy) for H simulated hours (24) with every validator evaluating every
 * E minutes (5), into a fresh database, and prints wall time, CPU time, events
 * and events a second, peak resident memory, and the rows of the largest
 * tables. The target: 24 h in under 60 s wall and 2 GB; figures go to
 * tests/bench/RESULTS.md (the machine is shared: CPU time is the figure to
 * compare between runs, wall time the one the target names). */
#include "runner/runner.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void rows(const char *db)
{
    sqlite3 *d;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return;
    const char *tables[] = {"evaluation", "api_sample", "coverage", "miner_activity",
                            "api_usage", "s3_validation", "miner_score", "epoch_neuron",
                            "weight_entry", "miner_learn"};
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", tables[i]);
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(d, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
            printf("  rows %-16s %lld\n", tables[i], (long long)sqlite3_column_int64(q, 0));
        sqlite3_finalize(q);
    }
    sqlite3_close(d);
}

int main(int argc, char **argv)
{
    char src[4096];
    snprintf(src, sizeof src, "%s/../scenarios/resi/mainnet.json", SUBNETSIM_DATA_DIR);
    const char *path = src, *db = "bench_resi.db";
    double hours = 24, eval_min = 5;
    const char *sets[64];
    size_t nsets = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scenario") && i + 1 < argc)
            path = argv[++i];
        else if (!strcmp(argv[i], "--hours") && i + 1 < argc)
            hours = atof(argv[++i]);
        else if (!strcmp(argv[i], "--eval-min") && i + 1 < argc)
            eval_min = atof(argv[++i]);
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--set") && i + 1 < argc && nsets < 60)
            sets[nsets++] = argv[++i];
        else {
            fprintf(stderr, "usage: bench_resi [--scenario FILE] [--hours H] [--eval-min E] "
                            "[--db PATH] [--set PATH=VALUE]...\n");
            return 2;
        }
    }
    char dur[64], ev0[64], ev1[64];
    snprintf(dur, sizeof dur, "duration=\"%.0fm\"", hours * 60);
    snprintf(ev0, sizeof ev0, "validators[0].policy.eval_period=\"%.0fs\"", eval_min * 60);
    snprintf(ev1, sizeof ev1, "validators[1].policy.eval_period=\"%.0fs\"", eval_min * 60);
    sets[nsets++] = dur;
    sets[nsets++] = ev0;
    sets[nsets++] = ev1;
    const scenario_family *fams[] = {&runner_resi_scenario};
    scenario_opts so = {.sets = sets, .nsets = nsets, .families = fams, .nfamilies = 1};
    scenario *sc;
    err e;
    if (scenario_load(path, &so, &sc, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return 2;
    }
    unlink(db);
    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = now_s(CLOCK_THREAD_CPUTIME_ID);
    runner_opts ro = {.db_path = db, .quiet = true};
    runner_result res;
    int rc = runner_run(sc, &ro, &res, &e);
    double wall = now_s(CLOCK_MONOTONIC) - w0, cpu = now_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    double main_cpu = now_s(CLOCK_THREAD_CPUTIME_ID) - t0;
    if (rc) {
        fprintf(stderr, "run failed: %s\n", e.msg);
        scenario_free(sc);
        return 1;
    }
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    int64_t nv = 0, nm = 0;
    for (size_t g = 0; g < sc->validators.n; g++)
        nv += sc->validators.v[g].count;
    for (size_t g = 0; g < sc->miners.n; g++)
        nm += sc->miners.v[g].count;
    printf("%s: %.0f h, %lld validators, %lld miners, evaluations every %.0f min\n", sc->name,
           hours, (long long)nv, (long long)nm, eval_min);
    printf("  wall %.1f s, CPU %.1f s (main thread %.1f s), %llu events, %.0f events/s (wall)\n",
           wall, cpu, main_cpu, (unsigned long long)res.events, res.events / wall);
    printf("  peak RSS %.0f MB, digest %.16s\n", u.ru_maxrss / 1024.0, res.digest);
    rows(db);
    scenario_free(sc);
    return 0;
}
