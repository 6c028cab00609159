/* The weights policies, as pure functions of what a validator can see. */
#include "validator/weights/weights.h"

#include <math.h>
#include <string.h>

static int uid_of(const proto_chain_metagraph *mg, const char *hotkey)
{
    for (uint16_t u = 0; u < mg->n; u++)
        if (!strcmp(mg->neurons[u].hotkey, hotkey))
            return u;
    return -1;
}

/* Add a map of targets (hotkeys, groups, uids) into w; targets not registered
 * now are skipped. `named` marks uids the map names, so explicit zeros stay. */
static int add_targets(const scenario *sc, const scenario_map *m, const proto_chain_metagraph *mg,
                       double *w, bool *named, err *e)
{
    for (size_t i = 0; i < m->n; i++) {
        scenario_target t;
        if (scenario_target_find(sc, m->v[i].key, &t))
            return err_set(e, ERR_INPUT, "weights: target '%s' names no neuron", m->v[i].key);
        if (t.kind == SCENARIO_TARGET_UID) {
            if (t.uid >= 0 && t.uid < mg->n) {
                w[t.uid] += m->v[i].value;
                named[t.uid] = true;
            }
            continue;
        }
        int64_t count = t.is_miner ? sc->miners.v[t.group].count : sc->validators.v[t.group].count;
        const char *gname = t.is_miner ? sc->miners.v[t.group].name : sc->validators.v[t.group].name;
        int64_t lo = t.kind == SCENARIO_TARGET_HOTKEY ? t.member : 0;
        int64_t hi = t.kind == SCENARIO_TARGET_HOTKEY ? t.member + 1 : count;
        for (int64_t k = lo; k < hi; k++) {
            char hk[PROTO_KEY_MAX];
            scenario_hotkey(gname, count, k, hk, sizeof hk);
            int u = uid_of(mg, hk);
            if (u >= 0) {
                w[u] += m->v[i].value;
                named[u] = true;
            }
        }
    }
    return 0;
}

/* The u16 a weight becomes when the row's largest maps to 65535 (scale =
 * 65535 / max): w >= 0, so adding a half and truncating rounds half up, as
 * lround would. */
static uint16_t u16_of(double w, double scale)
{
    double x = w * scale + 0.5;
    return x >= 65535.0 ? 65535 : (uint16_t)x;
}

/* Honest measurement: every registered miner's quality at `epoch`, plus noise
 * with standard deviation `noise`, clipped at 0, max-upscaled straight into
 * the call's uids and values (the validator's own uid dropped). One noise draw
 * per miner in uid order. */
static void measure(const weights_ctx *c, uint64_t epoch, double noise, rng *r, uint16_t *uids,
                    uint16_t *values, size_t *n)
{
    const double *q = weights_truth_at(c->truth, (int64_t)epoch);
    const size_t miners = c->miners;
    const int32_t *truth = c->miner_truth;
    double *x = c->z;
    if (noise > 0)
        rng_normal_fill(r, 0, noise, x, miners);
    else
        memset(x, 0, miners * sizeof *x);
    double max = 0;
    for (size_t k = 0; k < miners; k++) {
        double v = q[truth[k]] + x[k];
        x[k] = v = v > 0 ? v : 0;
        max = v > max ? v : max;
    }
    double scale = max > 0 ? 65535.0 / max : 0;
    const uint16_t *muid = c->miner_uid;
    const int self = c->self_uid;
    size_t out = 0;
    for (size_t k = 0; k < miners; k++) {
        if ((int)muid[k] == self)
            continue;
        uids[out] = muid[k];
        values[out++] = u16_of(x[k], scale);
    }
    *n = out;
}

/* The weight rows other permitted validators have on chain now, each row
 * normalised and weighted by its validator's stake (what the epoch itself would
 * make of them), plus noise. Needs a metagraph with weights. */
static bool copy_weights(const proto_chain_metagraph *mg, int self, double noise, rng *r,
                         double *w, bool *named)
{
    if (!mg->row_start)
        return false;
    bool any = false;
    for (uint16_t v = 0; v < mg->n; v++) {
        const proto_chain_neuron *nv = &mg->neurons[v];
        if (!nv->validator_permit || v == self || !nv->stake)
            continue;
        double sum = 0;
        for (uint32_t k = mg->row_start[v]; k < mg->row_start[v + 1]; k++)
            sum += mg->weights[k].value;
        if (sum <= 0)
            continue;
        for (uint32_t k = mg->row_start[v]; k < mg->row_start[v + 1]; k++) {
            uint16_t u = mg->weights[k].uid;
            if (u < mg->n) {
                w[u] += (double)nv->stake * mg->weights[k].value / sum;
                named[u] = any = true;
            }
        }
    }
    for (uint16_t u = 0; any && noise > 0 && u < mg->n; u++)
        if (named[u]) {
            double x = w[u] + rng_normal(r, 0, noise) * w[u];
            w[u] = x > 0 ? x : 0;
        }
    return any;
}

/* Last epoch's consensus, as the metagraph shows it, plus noise. */
static bool copy_consensus(const proto_chain_metagraph *mg, double noise, rng *r, double *w,
                           bool *named)
{
    bool any = false;
    for (uint16_t u = 0; u < mg->n; u++) {
        if (!mg->neurons[u].consensus)
            continue;
        double x = mg->neurons[u].consensus / 65535.0;
        if (noise > 0)
            x += rng_normal(r, 0, noise);
        w[u] = x > 0 ? x : 0;
        named[u] = any = true;
    }
    return any;
}

static const scenario_weights_step *scripted_step(const scenario_policy_scripted *p, uint64_t epoch)
{
    const scenario_weights_step *st = NULL;
    for (size_t i = 0; i < p->schedule.n; i++)
        if ((uint64_t)p->schedule.v[i].from_epoch <= epoch)
            st = &p->schedule.v[i];
    return st;
}

static bool in_ints(const scenario_ints *l, uint64_t x)
{
    for (size_t i = 0; i < l->n; i++)
        if ((uint64_t)l->v[i] == x)
            return true;
    return false;
}

static void blank(const proto_chain_metagraph *mg, double *w, bool *named)
{
    memset(w, 0, mg->n * sizeof *w);
    memset(named, 0, mg->n * sizeof *named);
}

/* Max-upscale to u16 as a validator's client does before set_weights; a self
 * weight is dropped (the chain ignores the diagonal anyway). */
static void to_u16(const proto_chain_metagraph *mg, int self, const double *w, const bool *named,
                   uint16_t *uids, uint16_t *values, size_t *n)
{
    const size_t nn = mg->n;
    double max = 0;
    for (size_t u = 0; u < nn; u++) {
        double x = named[u] ? w[u] : 0;
        max = x > max ? x : max;
    }
    double scale = max > 0 ? 65535.0 / max : 0;
    size_t k = 0;
    for (size_t u = 0; u < nn; u++) {
        if (!named[u] || (int)u == self)
            continue;
        uids[k] = (uint16_t)u;
        values[k++] = u16_of(w[u], scale);
    }
    *n = k;
}

int weights_policy(const weights_ctx *c, const scenario_variant *policy,
                   const proto_chain_metagraph *mg, uint64_t epoch, rng *r, uint16_t *uids,
                   uint16_t *values, size_t *n, bool *act, err *e)
{
    const scenario *sc = c->sc;
    *n = 0;
    *act = false;
    /* Policies that add up weights do it in w and named, converted at the
     * end; a measurement writes uids and values itself. */
    double *w = c->w;
    bool *named = c->named;
    bool measured = false;
    int rc = 0;
    const void *cfg = policy->cfg;
    switch (policy->kind->id) {
    case SCENARIO_POLICY_SCRIPTED: {
        const scenario_weights_step *st = scripted_step(cfg, epoch);
        blank(mg, w, named);
        if (st && !(rc = add_targets(sc, &st->weights, mg, w, named, e)))
            *act = true;
        break;
    }
    case SCENARIO_POLICY_HONEST:
        measure(c, epoch, ((const scenario_policy_honest *)cfg)->noise, r, uids, values, n);
        *act = measured = true;
        break;
    case SCENARIO_POLICY_COPIER: {
        const scenario_policy_copier *p = cfg;
        blank(mg, w, named);
        *act = p->source == SCENARIO_COPY_WEIGHTS ? copy_weights(mg, c->self_uid, p->noise, r, w, named)
                                                  : copy_consensus(mg, p->noise, r, w, named);
        break;
    }
    case SCENARIO_POLICY_LAZY: {
        const scenario_policy_lazy *p = cfg;
        if (epoch >= (uint64_t)p->first_epoch &&
            (epoch - (uint64_t)p->first_epoch) % (uint64_t)p->every_epochs == 0) {
            measure(c, epoch, p->noise, r, uids, values, n);
            *act = measured = true;
        }
        break;
    }
    case SCENARIO_POLICY_DEVIATE: {
        const scenario_policy_deviate *p = cfg;
        if (in_ints(&p->at_epochs, epoch)) {
            blank(mg, w, named);
            rc = add_targets(sc, &p->weights, mg, w, named, e);
        } else {
            measure(c, epoch, p->noise, r, uids, values, n);
            measured = true;
        }
        *act = rc == 0;
        break;
    }
    default:
        rc = err_set(e, ERR_INTERNAL, "weights: policy '%s' is not a weights-family policy",
                     policy->kind->name);
    }
    if (!rc && *act && !measured)
        to_u16(mg, c->self_uid, w, named, uids, values, n);
    if (*act && *n == 0)
        *act = false;   /* nothing to weigh yet (no miners registered) */
    return rc;
}
