/* bench_yuma: epochs per second of yuma_epoch on one core.
 *
 * The workload of the brief: 256 uids, 64 validators with stake, dense
 * weights (every validator weighs every uid) that change every epoch (a
 * rotation of 32 random weight sets), bonds carried from each epoch to the
 * next, blocks a tempo apart. Modes: yuma3 (Yuma 3, fixed alpha), liquid
 * (Yuma 3 with liquid alpha), fast (liquid with --fast-sigmoid), legacy.
 *
 *   bench_yuma [--mode yuma3|liquid|fast|legacy] [--epochs N] [--runs R]
 *              [--uids N] [--validators V] [--reference] [--portable] [--digest]
 *
 * --reference times the line-by-line core, --portable the fast core without
 * its AVX2 kernels. --digest also prints a hash of every epoch's outputs (the
 * same for every core when they agree bit for bit; hashing is timed too).
 *
 * Prints the best of R runs, timed in thread CPU time. For instruction counts, run a mode under
 * callgrind and count inside yuma_epoch only:
 *   valgrind --tool=callgrind --toggle-collect=yuma_epoch bench_yuma --epochs 200 --runs 1
 * and divide the Ir total by the epochs (plus the --warmup ones). */
#include "chain/yuma.h"
#include "chain/yuma_internal.h"   /* --reference, --portable */
#include "core/core.h"

#include <string.h>
#include <time.h>

#define SETS 32

/* CPU time of this thread: on a machine shared with compilers, wall time
 * measures the neighbours; this measures the epoch. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct bench {
    uint32_t n, v;
    uint64_t *stake, *last_update, *reg;
    bool *permit;
    uint32_t *wrow;
    uint16_t *wcol, *wval[SETS];
    uint32_t *brow;
    uint16_t *bcol, *bval;
    uint32_t bcap;
} bench;

static void *xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (!p) {
        fprintf(stderr, "bench_yuma: out of memory\n");
        exit(4);
    }
    return p;
}

static void setup(bench *b, uint32_t n, uint32_t v)
{
    b->n = n, b->v = v;
    b->stake = xcalloc(n, sizeof *b->stake);
    b->last_update = xcalloc(n, sizeof *b->last_update);
    b->reg = xcalloc(n, sizeof *b->reg);
    b->permit = xcalloc(n, sizeof *b->permit);
    b->wrow = xcalloc(n + 1, sizeof *b->wrow);
    b->wcol = xcalloc((size_t)v * n, sizeof *b->wcol);
    rng r;
    rng_seed(&r, 20250912);
    for (uint32_t i = 0; i < v; i++)
        b->stake[i] = 1000000000000ull + rng_below(&r, 99000000000000ull);
    for (uint32_t i = 0; i <= n; i++)
        b->wrow[i] = (i < v ? i : v) * n;
    for (uint32_t i = 0; i < v; i++)
        for (uint32_t j = 0; j < n; j++)
            b->wcol[i * n + j] = (uint16_t)j;
    for (int s = 0; s < SETS; s++) {
        b->wval[s] = xcalloc((size_t)v * n, sizeof **b->wval);
        for (uint32_t i = 0; i < v; i++) {
            uint16_t *row = b->wval[s] + (size_t)i * n;
            uint32_t max = 0;
            for (uint32_t j = 0; j < n; j++) {
                row[j] = (uint16_t)rng_below(&r, 65536);
                max = row[j] > max ? row[j] : max;
            }
            for (uint32_t j = 0; j < n; j++)   /* stored row-max-upscaled */
                row[j] = max ? (uint16_t)(((uint64_t)row[j] * 65535 + max / 2) / max) : 0;
        }
    }
    b->bcap = v * n;
    b->brow = xcalloc(n + 1, sizeof *b->brow);
    b->bcol = xcalloc(b->bcap, sizeof *b->bcol);
    b->bval = xcalloc(b->bcap, sizeof *b->bval);
}

/* FNV-1a over bytes, folded into *h. */
static void hash_bytes(uint64_t *h, const void *p, size_t len)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < len; i++)
        *h = (*h ^ c[i]) * 0x100000001b3ull;
}

/* Every output of an epoch, bonds included. */
static void hash_output(uint64_t *h, const yuma_output *o)
{
    uint32_t n = o->n;
    const uint16_t *u16s[] = {o->stake_weight, o->rank, o->trust, o->consensus,
                              o->incentive, o->dividends, o->validator_trust};
    const uint64_t *u64s[] = {o->server_emission, o->validator_emission, o->emission};
    hash_bytes(h, o->active, n * sizeof *o->active);
    hash_bytes(h, o->validator_permit, n * sizeof *o->validator_permit);
    for (size_t k = 0; k < sizeof u16s / sizeof u16s[0]; k++)
        hash_bytes(h, u16s[k], n * sizeof *u16s[k]);
    for (size_t k = 0; k < sizeof u64s / sizeof u64s[0]; k++)
        hash_bytes(h, u64s[k], n * sizeof *u64s[k]);
    hash_bytes(h, o->bonds.row_start, (n + 1) * sizeof *o->bonds.row_start);
    hash_bytes(h, o->bonds.col, o->bonds_nnz * sizeof *o->bonds.col);
    hash_bytes(h, o->bonds.val, o->bonds_nnz * sizeof *o->bonds.val);
}

/* One run of `epochs` epochs from a fresh state; returns seconds. With
 * digest, hashes every epoch's outputs into it. */
static double run(bench *b, const yuma_params *p, uint32_t epochs, uint32_t warmup,
                  bool reference, bool portable, uint64_t *digest)
{
    yuma_ws *ws = yuma_ws_new();
    yuma_ws_force_reference(ws, reference);
    yuma_ws_allow_simd(ws, !portable);
    memset(b->permit, 0, b->n * sizeof *b->permit);
    memset(b->brow, 0, (b->n + 1) * sizeof *b->brow);
    uint64_t block = 1000;
    double t0 = 0;
    for (uint32_t e = 0; e < warmup + epochs; e++) {
        if (e == warmup)
            t0 = cpu_seconds();
        for (uint32_t i = 0; i < b->v; i++)
            b->last_update[i] = block - 1;
        yuma_input in = {
            .n = b->n,
            .block = block,
            .last_epoch_block = block - p->tempo - 1,
            .emission = 1000000000ull * (p->tempo + 1),
            .stake = b->stake,
            .last_update = b->last_update,
            .registered_at = b->reg,
            .validator_permit = b->permit,
            .weights = {b->wrow, b->wcol, b->wval[e % SETS]},
            .bonds = {b->brow, b->bcol, b->bval},
        };
        const yuma_output *o;
        err er;
        if (yuma_epoch(ws, p, &in, &o, &er)) {
            fprintf(stderr, "bench_yuma: %s\n", er.msg);
            exit(4);
        }
        if (digest)
            hash_output(digest, o);
        memcpy(b->permit, o->validator_permit, b->n * sizeof *b->permit);
        memcpy(b->brow, o->bonds.row_start, (b->n + 1) * sizeof *b->brow);
        memcpy(b->bcol, o->bonds.col, o->bonds_nnz * sizeof *b->bcol);
        memcpy(b->bval, o->bonds.val, o->bonds_nnz * sizeof *b->bval);
        block += p->tempo + 1;
    }
    double t = cpu_seconds() - t0;
    yuma_ws_free(ws);
    return t;
}

int main(int argc, char **argv)
{
    const char *mode = "yuma3";
    uint32_t epochs = 2000, runs = 5, n = 256, v = 64, warmup = 50;
    bool reference = false, portable = false, digest = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--mode") && val)
            mode = val, i++;
        else if (!strcmp(a, "--epochs") && val)
            epochs = (uint32_t)strtoul(val, NULL, 10), i++;
        else if (!strcmp(a, "--runs") && val)
            runs = (uint32_t)strtoul(val, NULL, 10), i++;
        else if (!strcmp(a, "--uids") && val)
            n = (uint32_t)strtoul(val, NULL, 10), i++;
        else if (!strcmp(a, "--validators") && val)
            v = (uint32_t)strtoul(val, NULL, 10), i++;
        else if (!strcmp(a, "--reference"))
            reference = true;
        else if (!strcmp(a, "--portable"))
            portable = true;
        else if (!strcmp(a, "--digest"))
            digest = true;
        else if (!strcmp(a, "--warmup") && val)
            warmup = (uint32_t)strtoul(val, NULL, 10), i++;
        else {
            fprintf(stderr, "usage: bench_yuma [--mode yuma3|liquid|fast|legacy] [--epochs N] "
                            "[--runs R] [--uids N] [--validators V] [--warmup W] [--reference] [--portable] [--digest]\n");
            return 2;
        }
    }
    if (n < 2 || n > 4096 || v < 1 || v > n || !epochs || !runs) {
        fprintf(stderr, "bench_yuma: need 2 <= uids <= 4096, 1 <= validators <= uids\n");
        return 2;
    }
    yuma_params p;
    yuma_params_default(&p);
    p.max_allowed_validators = (uint16_t)v;
    if (!strcmp(mode, "liquid") || !strcmp(mode, "fast"))
        p.liquid_alpha = true;
    p.fast_sigmoid = !strcmp(mode, "fast");
    if (!strcmp(mode, "legacy"))
        p.yuma3 = false;
    else if (strcmp(mode, "yuma3") && strcmp(mode, "liquid") && strcmp(mode, "fast")) {
        fprintf(stderr, "bench_yuma: unknown mode '%s'\n", mode);
        return 2;
    }
    bench b = {0};
    setup(&b, n, v);
    double best = 1e300;
    uint64_t hash = 0xcbf29ce484222325ull;   /* FNV-1a's offset basis */
    for (uint32_t r = 0; r < runs; r++) {
        uint64_t h = 0xcbf29ce484222325ull;
        double t = run(&b, &p, epochs, warmup, reference, portable, digest ? &h : NULL);
        best = t < best ? t : best;
        hash = h;   /* every run starts from the same state: the same hash */
    }
    printf("mode %s%s, %u uids, %u validators, dense weights changing every epoch: "
           "%.0f epochs/s (%.1f us CPU/epoch, best of %u runs of %u)\n",
           mode, reference ? " (reference core)" : portable ? " (portable loops)" : "", n, v,
           epochs / best, best / epochs * 1e6, runs, epochs);
    if (digest)
        printf("digest %016llx\n", (unsigned long long)hash);
    return 0;
}
