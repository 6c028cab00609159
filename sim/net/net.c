/* The virtual link model. */
#include "net/net.h"

#include <math.h>
#include <string.h>

void net_model_default(net_model *m)
{
    *m = (net_model){0};
    m->dflt.latency_median_us = 2000;   /* 2 ms: machines in one region */
    m->dflt.latency_sigma = 0.25;
    m->dflt.bandwidth_bps = 100e6;      /* 100 MB/s */
}

static bool matches(const char *pat, const char *kind, const char *name)
{
    return !strcmp(pat, "*") || !strcmp(pat, kind) || !strcmp(pat, name);
}

static bool partitioned(const net_model *m, int64_t now, const char *fk, const char *fn,
                        const char *tk, const char *tn)
{
    for (size_t i = 0; i < m->npartitions; i++) {
        const net_partition *p = &m->partitions[i];
        if (now < p->start_us || now >= p->end_us)
            continue;
        if ((matches(p->a, fk, fn) && matches(p->b, tk, tn)) ||
            (matches(p->b, fk, fn) && matches(p->a, tk, tn)))
            return true;
    }
    return false;
}

net_fate net_send(const net_model *m, int64_t now_us, const char *from_kind, const char *from_name,
                  const char *to_kind, const char *to_name, size_t wire_bytes, rng *r,
                  int64_t *delay_us)
{
    const net_link_params *l = &m->dflt;
    double lat = (double)l->latency_median_us;
    if (l->latency_sigma > 0)
        lat = rng_lognormal(r, lat, l->latency_sigma);
    if (l->bandwidth_bps > 0)
        lat += (double)wire_bytes / l->bandwidth_bps * 1e6;
    *delay_us = (int64_t)llround(lat);
    if (partitioned(m, now_us, from_kind, from_name, to_kind, to_name))
        return NET_REFUSED;
    if (l->loss > 0 && rng_chance(r, l->loss))
        return NET_LOST;
    return NET_DELIVER;
}
