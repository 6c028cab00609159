/* The weights family's ground truth: what an honest validator measures. */
#include "scenario/scenario.h"

double scenario_miner_quality(const scenario_miner *m, int64_t member, int64_t epoch)
{
    double q = m->quality;
    for (size_t i = 0; i < m->quality_changes.n; i++)
        if (m->quality_changes.v[i].from_epoch <= epoch)
            q = m->quality_changes.v[i].quality;
    if (m->count > 1 && m->quality_spread > 0)
        q += m->quality_spread * ((double)member / (double)(m->count - 1) - 0.5);
    return q < 0 ? 0 : q > 1 ? 1 : q;
}
