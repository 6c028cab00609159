/* bench_sha256: the compression function's throughput, accelerated (SHA-NI,
 * where the CPU has it) against portable: the figure sim/core/sha256.c quotes.
 *
 *   bench_sha256 [MIB] [RUNS]   (defaults: 64 MiB a run, 5 runs; best run kept)
 *
 * Times are the thread's CPU time. */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* MB/s of the best of `runs` passes over buf, and a word of the state so the
 * work cannot be optimised away. */
static double throughput(const uint8_t *buf, size_t nblocks, int runs, bool portable,
                         uint32_t *sink)
{
    double best = 0;
    for (int r = 0; r < runs; r++) {
        uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        double t0 = cpu_now();
        sha256_compress(h, buf, nblocks, portable);
        double dt = cpu_now() - t0;
        *sink += h[0];
        double mbs = (double)nblocks * 64 / 1e6 / dt;
        best = mbs > best ? mbs : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (mib == 0 || runs <= 0) {
        fprintf(stderr, "usage: bench_sha256 [MIB > 0] [RUNS > 0]\n");
        return 2;
    }
    size_t bytes = mib << 20;
    uint8_t *buf = malloc(bytes);
    if (!buf)
        return 1;
    rng r;
    rng_seed(&r, 1);
    for (size_t i = 0; i < bytes; i += 8) {
        uint64_t x = rng_u64(&r);
        for (int k = 0; k < 8; k++)
            buf[i + k] = (uint8_t)(x >> (8 * k));
    }
    uint32_t sink = 0;
    double portable = throughput(buf, bytes / 64, runs, true, &sink);
    printf("portable: %.0f MB/s\n", portable);
    if (sha256_accelerated()) {
        double fast = throughput(buf, bytes / 64, runs, false, &sink);
        printf("accelerated (SHA-NI): %.0f MB/s, %.1fx the portable code\n", fast, fast / portable);
    } else {
        printf("accelerated: not available on this CPU (or SUBNETSIM_NO_SHANI is set)\n");
    }
    printf("(state word %08x, best of %d runs over %zu MiB)\n", sink, runs, mib);
    free(buf);
    return 0;
}
