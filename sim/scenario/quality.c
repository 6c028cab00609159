/* The weights family's ground truth: what an honest validator measures. */
#include "scenario/scenario.h"

uint64_t scenario_jitter_key(const struct scenario *s, const char *hotkey)
{
    return hash64_mix((uint64_t)s->seed, hash64_str(hotkey));
}

double scenario_miner_quality_keyed(const scenario_miner *m, int64_t member, int64_t epoch,
                                    uint64_t jitter_key)
{
    double q = m->quality;
    for (size_t i = 0; i < m->quality_changes.n; i++)
        if (m->quality_changes.v[i].from_epoch <= epoch)
            q = m->quality_changes.v[i].quality;
    if (m->count > 1 && m->quality_spread > 0)
        q += m->quality_spread * ((double)member / (double)(m->count - 1) - 0.5);
    if (m->quality_jitter > 0) {
        rng r;
        rng_seed(&r, hash64_mix(jitter_key, (uint64_t)epoch));
        q += rng_normal(&r, 0, m->quality_jitter);
    }
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

double scenario_miner_quality(const struct scenario *s, const scenario_miner *m, int64_t member,
                              int64_t epoch)
{
    char hk[160];
    scenario_hotkey(m->name, m->count, member, hk, sizeof hk);
    return scenario_miner_quality_keyed(m, member, epoch, scenario_jitter_key(s, hk));
}
