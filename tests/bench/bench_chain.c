/* bench_chain: the chain's cost over a month: 256 uids (64 validators, 192
 * miners), 7,200 epochs of tempo 29 (216,000 blocks, 30 days at 12 s), every
 * validator committing fresh weights for every miner each `every`-th epoch
 * (4: 120 blocks, the first cadence the rate limit of 100 blocks allows) and
 * revealing them in the next, the recorder on with its default cadence. The sink only measures what would be
 * stored: rows, and bytes as SQLite's record format would take them (payload
 * plus header and cell overhead, no index, no page slack), so the figure is the
 * chain's share of a run's database, before the store's own overhead.
 *
 *   bench_chain [epochs] [uids] [validators] [every] [DB]   (defaults 7200 256 64 4)
 * every = 0: weights are set once and never change (the epoch alone). With DB,
 * the records also go into a store there (the run's real file), and the time
 * to the end of store_run_finish and the file's size are printed. */
#include "chain/chain.h"
#include "store/store.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Thread CPU seconds: the machine is shared, so wall time says little. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct meter {
    uint64_t rows[8], bytes[8];
    store *st;   /* NULL: measure only */
} meter;

static int table_index(const rt_table *t)
{
    for (int i = 0; chain_tables[i]; i++)
        if (chain_tables[i] == t)
            return i;
    return 7;
}

/* SQLite serial type size of an integer. */
static uint64_t int_bytes(int64_t v)
{
    if (v == 0 || v == 1)
        return 0;
    uint64_t u = v < 0 ? ~(uint64_t)v : (uint64_t)v;
    return u < 128 ? 1 : u < 32768 ? 2 : u < 8388608 ? 3 : u < 2147483648ULL ? 4
         : u < 140737488355328ULL ? 6 : 8;
}

static int meter_write(void *ctx, const rt_table *t, const rt_val *v)
{
    meter *m = ctx;
    int k = table_index(t);
    uint64_t b = 1 + 1 + 1 + 4;   /* run_id value, its header byte, header size, cell overhead */
    for (int i = 0; i < t->ncolumns; i++) {
        b += 1;   /* header byte */
        if (v[i].null)
            continue;
        switch (t->columns[i].type) {
        case RT_COL_INT: b += int_bytes(v[i].u.i); break;
        case RT_COL_REAL: b += 8; break;
        case RT_COL_TEXT: b += strlen(v[i].u.s) + 1; break;
        case RT_COL_BLOB: b += v[i].u.b.n + 1; break;
        }
    }
    m->rows[k]++;
    m->bytes[k] += b + 3;   /* rowid varint */
    return m->st ? store_write(m->st, t, v) : 0;
}

static void die(const char *what, const err *e)
{
    fprintf(stderr, "bench_chain: %s: %s\n", what, e->msg);
    exit(1);
}

static store *store_start(const char *path)
{
    store *st;
    err e;
    unlink(path);
    store_run_info info = {.scenario_name = "bench_chain", .seed = 42, .mode = "virtual"};
    if (store_open(path, STORE_WRITE, NULL, &st, &e) ||
        store_create_tables(st, chain_tables, &e) ||
        store_vector_view(st, &chain_table_weight, "data", "weight_entry", "miner", &e) ||
        store_vector_view(st, &chain_table_bond, "data", "bond_entry", "miner", &e) ||
        store_run_begin(st, &info, NULL, &e))
        die("store", &e);
    return st;
}

static void store_end(store *st, const char *path, double t0)
{
    err e;
    char digest[STORE_DIGEST_HEX];
    if (store_run_finish(st, STORE_COMPLETE, NULL, 0, 0, digest, &e))
        die("store", &e);
    double dt = clock_monotonic() - t0;
    store_close(st);
    struct stat sb;
    printf("  store: finished %.3f s wall after the start, file %.1f MB, digest %.16s...\n", dt,
           stat(path, &sb) ? -1.0 : (double)sb.st_size / 1e6, digest);
}

int main(int argc, char **argv)
{
    uint64_t epochs = argc > 1 ? strtoull(argv[1], NULL, 10) : 7200;
    uint16_t n = argc > 2 ? (uint16_t)atoi(argv[2]) : 256;
    uint16_t nv = argc > 3 ? (uint16_t)atoi(argv[3]) : 64;
    uint64_t every = argc > 4 ? strtoull(argv[4], NULL, 10) : 4;
    err e;
    chain *c;
    if (chain_new(NULL, &c, &e))
        die("chain", &e);
    chain_subnet_params p;
    chain_subnet_params_default(&p, 1);
    p.tempo = 29;
    p.max_allowed_uids = n;
    /* 100 blocks (SPEC) allow a commit every 4th epoch of 30 blocks; more often
     * needs the limit lifted. */
    p.weights_rate_limit = every && every * 30 < 100 ? 0 : 100;
    p.max_allowed_validators = nv;
    p.owner_hotkey = "v0";
    if (chain_add_subnet(c, &p, &e))
        die("subnet", &e);
    const char *db = argc > 5 ? argv[5] : NULL;
    meter m = {{0}, {0}, db ? store_start(db) : NULL};
    chain_recorder *rec;
    if (chain_recorder_new(NULL, (rt_sink){&m, meter_write}, &rec))
        return 1;
    chain_observer ob = chain_recorder_observer(rec);
    chain_add_observer(c, &ob);
    for (uint16_t i = 0; i < n; i++) {
        char hk[16];
        snprintf(hk, sizeof hk, i < nv ? "v%u" : "m%u", (unsigned)i);
        uint64_t stake = i < nv ? (uint64_t)(1000 - 10 * i) * CHAIN_RAO_PER_TAO : 0;
        chain_fund(c, "ck", stake, &e);
        if (chain_register(c, 1, hk, "ck", NULL, &e) ||
            (stake && chain_add_stake(c, "ck", hk, 1, stake, &e)))
            die("setup", &e);
    }
    uint16_t nm = (uint16_t)(n - nv);
    uint16_t *uids = malloc(nm * sizeof *uids), *prev = malloc((size_t)nv * nm * sizeof *prev);
    uint16_t *cur = malloc(nm * sizeof *cur);
    for (uint16_t j = 0; j < nm; j++)
        uids[j] = (uint16_t)(nv + j);
    rng r;
    rng_seed(&r, 42);
    double t0 = clock_monotonic(), c0 = cpu_now();
    if (chain_advance_to(c, chain_next_epoch_block(c), &e))   /* warm-up: permits */
        die("advance", &e);
    for (uint64_t k = 0; k < epochs; k++) {
        if (chain_advance_to(c, chain_block(c) + 1, &e))
            die("advance", &e);
        bool reveal = k > 0 && (every ? (k - 1) % every == 0 : k == 1);
        bool commit = every ? k % every == 0 : k == 0;
        for (uint16_t v = 0; v < nv && (reveal || commit); v++) {
            char hk[16];
            snprintf(hk, sizeof hk, "v%u", (unsigned)v);
            uint16_t *old = prev + (size_t)v * nm;
            if (reveal && chain_reveal_weights(c, 1, hk, uids, old, nm, v, 0, &e))
                die("reveal", &e);
            if (!commit)
                continue;
            for (uint16_t j = 0; j < nm; j++)   /* quality j, plus this validator's noise */
                cur[j] = (uint16_t)(100 + 60 * j + rng_below(&r, 2000));
            uint8_t h[32];
            chain_commit_hash(hk, 1, uids, cur, nm, v, 0, h);
            if (chain_commit_weights(c, 1, hk, h, &e))
                die("commit", &e);
            memcpy(old, cur, nm * sizeof *cur);
        }
        if (chain_advance_to(c, chain_next_epoch_block(c), &e))
            die("advance", &e);
    }
    double dt = clock_monotonic() - t0, cpu = cpu_now() - c0;
    uint64_t rows = 0, bytes = 0;
    printf("%llu epochs, %u uids (%u validators), weights every %llu epochs, %llu blocks: "
           "%.3f s cpu (%.1f us/epoch), %.3f s wall\n",
           (unsigned long long)epochs, (unsigned)n, (unsigned)nv, (unsigned long long)every,
           (unsigned long long)chain_block(c), cpu, 1e6 * cpu / (double)epochs, dt);
    for (int i = 0; chain_tables[i]; i++) {
        printf("  %-13s %10llu rows %9.1f MB\n", chain_tables[i]->name,
               (unsigned long long)m.rows[i], m.bytes[i] / 1e6);
        rows += m.rows[i];
        bytes += m.bytes[i];
    }
    printf("  %-13s %10llu rows %9.1f MB\n", "total", (unsigned long long)rows, bytes / 1e6);
    if (m.st)
        store_end(m.st, db, t0);
    chain_recorder_free(rec);
    chain_free(c);
    free(uids);
    free(prev);
    free(cur);
    return 0;
}
