/* bench_store: how fast the store records and how big the files get.
 *
 *   bench_store [DIR] [EPOCHS] [JOB]   (defaults: /tmp, 7200, every job)
 *
 * 1. epoch_neuron: the chain's per-epoch, per-uid row (10 columns) for 256 uids
 *    over EPOCHS epochs (7200 = 30 days at 360 s epochs: 1.84M rows), with the
 *    writer thread and without, with and without an index.
 * 2. The same plus weights and bonds of 64 validators x 256 miners as u16
 *    vectors (one blob row per validator), every K epochs, for K in 1, 8, 30:
 *    the acceptance workload's file size under each recording cadence.
 * 3. api_sample-like rows with short texts (the real-estate family's volume).
 *
 * "model" is the CPU time rt_record calls cost the caller's thread (encoding and
 * digest; with the writer thread that is all the model pays); "total" is the
 * wall time until store_run_finish has committed everything; "cpu" is the CPU
 * time of both threads (steadier than wall time on a shared machine). The chain's own
 * work overlaps the writer thread, so a run costs about max(chain + model, total). */
#include "core/core.h"
#include "store/store.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UIDS 256
#define VALIDATORS 64

static const rt_column en_cols[] = {
    {"epoch", RT_COL_INT, ""},     {"block", RT_COL_INT, ""},     {"uid", RT_COL_INT, ""},
    {"stake", RT_COL_INT, ""},     {"consensus", RT_COL_INT, ""}, {"incentive", RT_COL_INT, ""},
    {"dividends", RT_COL_INT, ""}, {"emission", RT_COL_INT, ""},  {"trust", RT_COL_INT, ""},
    {"permit", RT_COL_INT, ""},
};
static const char *const en_idx[] = {"uid, epoch", NULL};
static const char *const en_idx_ordered[] = {"epoch", NULL};
static const rt_table en_plain = {"epoch_neuron", "", en_cols, 10, NULL};
static const rt_table en_indexed = {"epoch_neuron", "", en_cols, 10, en_idx};
static const rt_table en_ordered = {"epoch_neuron", "", en_cols, 10, en_idx_ordered};

/* As the chain records them (sim/chain/chain_record.c): a u16 vector per validator. */
static const rt_column row_cols[] = {
    {"epoch", RT_COL_INT, ""}, {"block", RT_COL_INT, ""}, {"uid", RT_COL_INT, ""},
    {"data", RT_COL_BLOB, ""}};
static const rt_table w_t = {"weight", "", row_cols, 4, NULL};
static const rt_table b_t = {"bond", "", row_cols, 4, NULL};

static const rt_column api_cols[] = {
    {"time_us", RT_COL_INT, ""}, {"validator", RT_COL_INT, ""}, {"miner", RT_COL_INT, ""},
    {"zip", RT_COL_TEXT, ""},    {"listing", RT_COL_INT, ""},   {"result", RT_COL_TEXT, ""},
    {"field", RT_COL_TEXT, ""},  {"latency_us", RT_COL_INT, ""},
};
static const rt_table api_t = {"api_sample", "", api_cols, 8, NULL};

typedef struct job {
    const char *label;
    const rt_table *en;    /* NULL: no epoch_neuron rows */
    int matrix_every;      /* 0: no weights or bonds */
    int64_t api_rows;
    bool sync;
} job;

/* CPU seconds of the calling thread: what rt_record costs the model. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the process, all threads: steadier than wall time on a busy machine. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double file_mb(const char *path, int64_t *bytes)
{
    struct stat st;
    *bytes = stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
    return (double)*bytes / 1e6;
}

static void write_matrices(store *s, rng *r, int64_t epoch, int64_t *rows)
{
    uint16_t v[UIDS];
    uint8_t blob[2 * UIDS];
    for (int table = 0; table < 2; table++) {
        for (int val = 0; val < VALIDATORS; val++) {
            for (int u = 0; u < UIDS; u++)
                v[u] = (uint16_t)(1 + rng_below(r, 65535));
            size_t n = store_u16vec_encode(v, UIDS, blob);
            rt_val row[] = {RT_I(epoch), RT_I(epoch * 360), RT_I(val), RT_B(blob, n)};
            if (store_write(s, table ? &b_t : &w_t, row))
                exit(1);
            (*rows)++;
        }
    }
}

static void write_epoch(store *s, const rt_table *t, rng *r, int64_t e)
{
    for (int u = 0; u < UIDS; u++) {
        uint64_t x = rng_u64(r);
        bool val = u < VALIDATORS;
        rt_val v[] = {RT_I(e), RT_I(e * 360 + 359), RT_I(u),
                      RT_I(val ? (int64_t)(x >> 20) : 0), RT_I(x & 0xffff),
                      RT_I(val ? 0 : (x >> 16) & 0xffff), RT_I(val ? (x >> 32) & 0xffff : 0),
                      RT_I((x >> 34) & 0x3fffffff), RT_I(val ? (x >> 48) : 0), RT_I(val)};
        if (store_write(s, t, v))
            exit(1);
    }
}

static void write_api(store *s, rng *r, int64_t n)
{
    static const char *const results[] = {"ok", "mismatch", "not_found", "rate_limited"};
    static const char *const fields[] = {"price", "zestimate", "days_on_market", "lot_area"};
    for (int64_t k = 0; k < n; k++) {
        uint64_t x = rng_u64(r);
        char zip[8];
        snprintf(zip, sizeof zip, "%05u", (unsigned)(x % 99950) + 10);
        int res = (x >> 20) % 16 ? 0 : 1 + (int)((x >> 24) % 3);
        rt_val v[] = {RT_I(k * 1000), RT_I(x % 16), RT_I((x >> 8) % 240), RT_S(zip),
                      RT_I((int64_t)(x >> 30)), RT_S(results[res]),
                      res == 1 ? RT_S(fields[(x >> 40) % 4]) : RT_S(NULL),
                      RT_I((x >> 44) % 2000000)};
        if (store_write(s, &api_t, v))
            exit(1);
    }
}

/* How long SQL through the decoding view takes on the finished file. */
static void time_views(store *s, int64_t epochs)
{
    static const char *const queries[] = {
        "SELECT count(*), sum(value) FROM weight_entry WHERE uid = 5 AND miner = 200",
        "SELECT count(*), sum(value) FROM weight_entry WHERE epoch = 0",
        "SELECT count(*), sum(value) FROM bond_entry WHERE uid = 5",
        "SELECT count(*), sum(value) FROM weight_entry",
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        sqlite3_stmt *st;
        double t0 = clock_monotonic();
        if (sqlite3_prepare_v2(store_db(s), queries[i], -1, &st, NULL) != SQLITE_OK ||
            sqlite3_step(st) != SQLITE_ROW)
            exit(1);
        long long n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        printf("    view query %-78s %10lld rows %8.3f s\n", queries[i], n,
               clock_monotonic() - t0);
    }
    (void)epochs;
}

static void run_job(const char *dir, const job *j, int64_t epochs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_store-%d.db", dir, (int)getpid());
    unlink(path);
    store_options o;
    store_options_default(&o);
    o.synchronous = j->sync;
    store *s;
    err e = {0};
    if (store_open(path, STORE_WRITE, &o, &s, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    if (j->matrix_every && (store_vector_view(s, &w_t, "data", "weight_entry", "miner", &e) ||
                            store_vector_view(s, &b_t, "data", "bond_entry", "miner", &e))) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    store_run_info info = {.scenario_name = "bench", .seed = 1, .mode = "virtual"};
    double t0 = clock_monotonic(), c0 = cpu_s(), m0 = thread_cpu_s();
    if (store_run_begin(s, &info, NULL, &e))
        exit(1);
    rng r;
    rng_seed(&r, 1);
    int64_t rows = 0, mrows = 0;
    for (int64_t ep = 0; j->en && ep < epochs; ep++) {
        write_epoch(s, j->en, &r, ep);
        rows += UIDS;
        if (j->matrix_every && (ep % j->matrix_every == 0 || ep == epochs - 1))
            write_matrices(s, &r, ep, &mrows);
    }
    write_api(s, &r, j->api_rows);
    rows += j->api_rows + mrows;
    double t_model = thread_cpu_s() - m0;
    char digest[STORE_DIGEST_HEX];
    if (store_run_finish(s, STORE_COMPLETE, NULL, 0, 0, digest, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        exit(1);
    }
    double t_total = clock_monotonic() - t0, cpu = cpu_s() - c0;
    bool views = j->matrix_every == 8;
    store_close(s);
    int64_t bytes;
    double mb = file_mb(path, &bytes);
    printf("| %-44s | %9lld | %6.2f | %6.2f | %6.2f | %7.0f | %7.1f | %5.1f |\n", j->label,
           (long long)rows, t_model, t_total, cpu, (double)rows / t_total / 1e3, mb,
           (double)bytes / (double)rows);
    if (views) {
        store *r;
        if (store_open(path, STORE_READ, NULL, &r, &e))
            exit(1);
        time_views(r, epochs);
        store_close(r);
    }
    fflush(stdout);
    if (!getenv("BENCH_KEEP"))
        unlink(path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    int64_t epochs = argc > 2 ? atoll(argv[2]) : 7200;
    printf("store benchmark: %d uids, %d validators, %lld epochs, subnetsim %s, SQLite %s\n\n",
           UIDS, VALIDATORS, (long long)epochs, SUBNETSIM_VERSION, sqlite3_libversion());
    printf("| %-44s | %9s | %6s | %6s | %6s | %7s | %7s | %5s |\n", "workload", "rows", "model",
           "total", "cpu", "krows/s", "MB", "B/row");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    const job jobs[] = {
        {"epoch_neuron, writer thread", &en_plain, 0, 0, false},
        {"epoch_neuron, synchronous", &en_plain, 0, 0, true},
        {"epoch_neuron + index (uid, epoch)", &en_indexed, 0, 0, false},
        {"epoch_neuron + index (epoch): write order", &en_ordered, 0, 0, false},
        {"epoch_neuron + weights, bonds every epoch", &en_plain, 1, 0, false},
        {"epoch_neuron + weights, bonds every 8 epochs", &en_plain, 8, 0, false},
        {"epoch_neuron + weights, bonds every 30 epochs", &en_plain, 30, 0, false},
        {"api_sample (3 short texts), writer thread", NULL, 0, epochs * UIDS, false},
    };
    int only = argc > 3 ? atoi(argv[3]) : -1;
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
        if (only < 0 || (size_t)only == i)
            run_job(dir, &jobs[i], epochs);
    return 0;
}
