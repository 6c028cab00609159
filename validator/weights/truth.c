/* The miners' true qualities, computed once per epoch for the whole run and
 * shared by every weights-family validator (they all measure the same truth,
 * each with its own noise). */
#include "validator/weights/weights.h"

#include <string.h>

typedef struct truth_miner {
    const scenario_miner *group;
    int64_t member;
    uint64_t jitter_key;
    uint64_t name_hash;
    char hotkey[PROTO_KEY_MAX];
} truth_miner;

struct weights_truth {
    truth_miner *m;
    size_t n;
    size_t *slot;      /* hash of hotkey -> index + 1 (0 = empty) */
    size_t cap;
    int64_t epoch;     /* the epoch q holds; -1 none */
    double *q;
};

int weights_truth_new(const scenario *sc, weights_truth **out)
{
    weights_truth *t = calloc(1, sizeof *t);
    if (!t)
        return ERR_NOMEM;
    for (size_t g = 0; g < sc->miners.n; g++)
        t->n += (size_t)sc->miners.v[g].count;
    t->cap = 16;
    while (t->cap < 2 * t->n)
        t->cap *= 2;
    t->m = calloc(t->n ? t->n : 1, sizeof *t->m);
    t->q = calloc(t->n ? t->n : 1, sizeof *t->q);
    t->slot = calloc(t->cap, sizeof *t->slot);
    if (!t->m || !t->q || !t->slot) {
        weights_truth_free(t);
        return ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t g = 0; g < sc->miners.n; g++) {
        const scenario_miner *grp = &sc->miners.v[g];
        for (int64_t i = 0; i < grp->count; i++, k++) {
            truth_miner *tm = &t->m[k];
            tm->group = grp;
            tm->member = i;
            scenario_hotkey(grp->name, grp->count, i, tm->hotkey, sizeof tm->hotkey);
            tm->jitter_key = scenario_jitter_key(sc, tm->hotkey);
            tm->name_hash = hash64_str(tm->hotkey);
            size_t h = (size_t)tm->name_hash & (t->cap - 1);
            while (t->slot[h])
                h = (h + 1) & (t->cap - 1);
            t->slot[h] = k + 1;
        }
    }
    t->epoch = -1;
    *out = t;
    return 0;
}

void weights_truth_free(weights_truth *t)
{
    if (!t)
        return;
    free(t->m);
    free(t->q);
    free(t->slot);
    free(t);
}

long weights_truth_find(const weights_truth *t, const char *hotkey)
{
    uint64_t h = hash64_str(hotkey);
    for (size_t i = (size_t)h & (t->cap - 1); t->slot[i]; i = (i + 1) & (t->cap - 1)) {
        const truth_miner *tm = &t->m[t->slot[i] - 1];
        if (tm->name_hash == h && !strcmp(tm->hotkey, hotkey))
            return (long)(t->slot[i] - 1);
    }
    return -1;
}

const double *weights_truth_at(weights_truth *t, int64_t epoch)
{
    if (t->epoch != epoch) {
        for (size_t i = 0; i < t->n; i++)
            t->q[i] = scenario_miner_quality_keyed(t->m[i].group, t->m[i].member, epoch,
                                                   t->m[i].jitter_key);
        t->epoch = epoch;
    }
    return t->q;
}
