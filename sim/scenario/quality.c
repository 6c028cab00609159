/* The weights family's ground truth: what an honest validator measures. */
#include "scenario/scenario.h"

double scenario_miner_quality(const struct scenario *s, const scenario_miner *m, int64_t member,
                              int64_t epoch)
{
    double q = m->quality;
    for (size_t i = 0; i < m->quality_changes.n; i++)
        if (m->quality_changes.v[i].from_epoch <= epoch)
            q = m->quality_changes.v[i].quality;
    if (m->count > 1 && m->quality_spread > 0)
        q += m->quality_spread * ((double)member / (double)(m->count - 1) - 0.5);
    if (m->quality_jitter > 0) {
        char hk[160], purpose[32];
        scenario_hotkey(m->name, m->count, member, hk, sizeof hk);
        snprintf(purpose, sizeof purpose, "quality/%lld", (long long)epoch);
        rng r;
        rng_stream(&r, (uint64_t)s->seed, hk, purpose);
        q += rng_normal(&r, 0, m->quality_jitter);
    }
    return q < 0 ? 0 : q > 1 ? 1 : q;
}
