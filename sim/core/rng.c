/* Random streams. xoshiro256** (Blackman and Vigna, 2018) seeded by splitmix64:
 * fast, 256 bits of state, and identical on every platform. */
#include "core.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t hash64_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return splitmix64(&h);
}

uint64_t hash64_mix(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ rotl(b, 23) ^ 0x2545f4914f6cdd1dULL;
    x = splitmix64(&x) ^ b;
    return splitmix64(&x);
}

void rng_seed(rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

void rng_stream(rng *r, uint64_t seed, const char *actor, const char *purpose)
{
    rng_seed(r, hash64_mix(hash64_mix(seed, hash64_str(actor)), hash64_str(purpose)));
}

uint64_t rng_u64(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng *r) { return (double)(rng_u64(r) >> 11) * 0x1.0p-53; }

/* Lemire's nearly divisionless method: unbiased. */
uint64_t rng_below(rng *r, uint64_t n)
{
    u128 m = (u128)rng_u64(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t t = -n % n;
        while (lo < t) {
            m = (u128)rng_u64(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

bool rng_chance(rng *r, double p)
{
    if (p <= 0)
        return false;
    if (p >= 1)
        return true;
    return rng_uniform(r) < p;
}

/* Box-Muller without the cached second value: one draw, no hidden state, so a
 * stream's sequence never depends on how many normals were asked for before. */
double rng_normal(rng *r, double mean, double sd)
{
    double u1 = 1.0 - rng_uniform(r); /* (0, 1] */
    double u2 = rng_uniform(r);
    return mean + sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double rng_exponential(rng *r, double mean) { return -mean * log(1.0 - rng_uniform(r)); }

double rng_lognormal(rng *r, double median, double sigma)
{
    return median * exp(rng_normal(r, 0.0, sigma));
}

/* Knuth's product method for small lambda, a rounded normal beyond: the draws only
 * size synthetic workloads, where that approximation is invisible. */
uint64_t rng_poisson(rng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 60) {
        double x = rng_normal(r, lambda, sqrt(lambda));
        return x < 0 ? 0 : (uint64_t)(x + 0.5);
    }
    double l = exp(-lambda), p = 1.0;
    uint64_t k = 0;
    do {
        k++;
        p *= rng_uniform(r);
    } while (p > l);
    return k - 1;
}

void rng_shuffle_u32(rng *r, uint32_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        uint32_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}
