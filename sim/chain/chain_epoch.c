/* The epoch as the chain runs it (coinbase/run_coinbase.rs
 * drain_pending_emission): drain the subnet's pending emission and owner cut,
 * run Yuma (sim/chain/yuma.h) on the stored state, write its results back, and
 * pay out: incentive and dividends to each hotkey's stake on the subnet, the
 * owner cut to the owner hotkey's stake.
 *
 * Stake growth: emissions are added to the hotkey's own stake on the subnet,
 * as the chain does (increase_stake_for_hotkey_and_coldkey_on_subnet). The
 * simulation has no nominators, delegate take or childkeys, so a validator's
 * dividends all land on its own hotkey; root (TAO-weighted) stake is not
 * modelled, so stake weight is alpha stake alone. */
#include "chain/chain_internal.h"
#include "chain/yuma.h"

#include <string.h>

typedef struct chain_epoch_ws {
    yuma_ws *yuma;
    VEC(uint64_t) stake, last_update, registered_at, commit_block;
    VEC(bool) permit;
} chain_epoch_ws;

void chain_epoch_ws_free(chain_epoch_ws *ep)
{
    if (!ep)
        return;
    yuma_ws_free(ep->yuma);
    VEC_FREE(&ep->stake);
    VEC_FREE(&ep->last_update);
    VEC_FREE(&ep->registered_at);
    VEC_FREE(&ep->commit_block);
    VEC_FREE(&ep->permit);
    free(ep);
}

static int ws_get(chain *c, chain_epoch_ws **out)
{
    if (!c->ep) {
        c->ep = calloc(1, sizeof *c->ep);
        if (!c->ep || !(c->ep->yuma = yuma_ws_new())) {
            chain_epoch_ws_free(c->ep);
            c->ep = NULL;
            return ERR_NOMEM;
        }
    }
    *out = c->ep;
    return 0;
}

/* Pack the weights rows into yuma's CSR layout, only when one changed since
 * the last epoch (validators set weights far less often than epochs run). */
static int pack_weights(chain_subnet *s)
{
    if (!s->wcsr_dirty)
        return 0;
    chain_csr *m = &s->wcsr;
    size_t nnz = 0;
    for (uint16_t i = 0; i < s->n; i++)
        nnz += s->nrn[i].weights.len;
    if (VEC_RESERVE(&m->rs, (size_t)s->n + 1) || VEC_RESERVE(&m->col, nnz ? nnz : 1) ||
        VEC_RESERVE(&m->val, nnz ? nnz : 1))
        return ERR_NOMEM;
    uint32_t k = 0;
    for (uint16_t i = 0; i < s->n; i++) {
        const chain_row *r = &s->nrn[i].weights;
        m->rs.v[i] = k;
        if (!r->len)
            continue;   /* an empty row may have no arrays at all */
        memcpy(m->col.v + k, r->uid, r->len * sizeof *r->uid);
        memcpy(m->val.v + k, r->val, r->len * sizeof *r->val);
        k += r->len;
    }
    m->rs.v[s->n] = k;
    m->rs.len = (size_t)s->n + 1;
    m->col.len = m->val.len = k;
    s->wcsr_dirty = false;
    return 0;
}

static int fill_input(chain *c, chain_subnet *s, chain_epoch_ws *ep, yuma_input *in)
{
    size_t n = s->n;
    if (VEC_RESERVE(&ep->stake, n) || VEC_RESERVE(&ep->last_update, n) ||
        VEC_RESERVE(&ep->registered_at, n) || VEC_RESERVE(&ep->permit, n) ||
        VEC_RESERVE(&ep->commit_block, n) || pack_weights(s))
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const chain_nstate *nr = &s->nrn[i];
        ep->stake.v[i] = c->stakes.v[nr->slot];
        ep->last_update.v[i] = nr->pub.last_update;
        ep->registered_at.v[i] = nr->pub.registered_at;
        ep->permit.v[i] = nr->pub.validator_permit;
        ep->commit_block.v[i] = chain_earliest_commit(s, nr, c->block);
    }
    *in = (yuma_input){
        .n = (uint32_t)n,
        .block = c->block,
        .last_epoch_block = s->last_epoch,
        .emission = s->t.pending_emission,
        .stake = ep->stake.v,
        .last_update = ep->last_update.v,
        .registered_at = ep->registered_at.v,
        .validator_permit = ep->permit.v,
        .weights = {s->wcsr.rs.v, s->wcsr.col.v, s->wcsr.val.v},
        .bonds = {s->bonds.rs.v, s->bonds.col.v, s->bonds.val.v},
        /* With commit-reveal on, weights to uids registered after a validator's
         * oldest pending commit are dropped (run_epoch.rs, the column mask). */
        .commit_block = s->p.commit_reveal ? ep->commit_block.v : NULL,
    };
    return 0;
}

static void fill_params(const chain *c, const chain_subnet *s, yuma_params *yp)
{
    yuma_params_default(yp);
    yp->kappa = s->p.kappa;
    yp->bonds_moving_average = s->p.bonds_moving_average;
    yp->bonds_penalty = s->p.bonds_penalty;
    yp->yuma3 = s->p.yuma3;
    yp->liquid_alpha = s->p.liquid_alpha;
    yp->alpha_low = s->p.alpha_low;
    yp->alpha_high = s->p.alpha_high;
    yp->alpha_sigmoid_steepness = (int16_t)s->p.alpha_sigmoid_steepness;
    yp->activity_cutoff = s->p.activity_cutoff;
    yp->max_allowed_validators = s->p.max_allowed_validators;
    yp->tempo = s->p.tempo;
    yp->stake_threshold = s->p.stake_threshold;
    uint64_t uid;
    yp->owner_uid = -1;
    if (s->owner_hk != CHAIN_NO_KEY &&
        chain_map_get(&c->uid_of, chain_hk_net(s->owner_hk, s->p.netuid), &uid))
        yp->owner_uid = (int32_t)uid;
}

/* The new bonds replace the stored ones wholesale (CSR to CSR). */
static int store_bonds(chain_subnet *s, const yuma_output *o)
{
    chain_csr *b = &s->bonds;
    size_t nnz = o->bonds.row_start[s->n];
    if (VEC_RESERVE(&b->rs, (size_t)s->n + 1) || VEC_RESERVE(&b->col, nnz ? nnz : 1) ||
        VEC_RESERVE(&b->val, nnz ? nnz : 1))
        return ERR_NOMEM;
    memcpy(b->rs.v, o->bonds.row_start, ((size_t)s->n + 1) * sizeof *b->rs.v);
    if (nnz) {
        memcpy(b->col.v, o->bonds.col, nnz * sizeof *b->col.v);
        memcpy(b->val.v, o->bonds.val, nnz * sizeof *b->val.v);
    }
    b->rs.len = (size_t)s->n + 1;
    b->col.len = b->val.len = nnz;
    return 0;
}

static int write_back(chain_subnet *s, const yuma_output *o)
{
    for (uint16_t i = 0; i < s->n; i++) {
        chain_neuron *p = &s->nrn[i].pub;
        p->active = o->active[i];
        p->validator_permit = o->validator_permit[i];
        p->consensus = o->consensus[i];
        p->incentive = o->incentive[i];
        p->dividends = o->dividends[i];
        p->validator_trust = o->validator_trust[i];
        p->emission = o->emission[i];
        p->server_emission = o->server_emission[i];
        p->validator_emission = o->validator_emission[i];
    }
    return store_bonds(s, o);
}

/* Pay incentive and dividends to stake, the owner cut to the owner hotkey. */
static int pay_out(chain *c, chain_subnet *s, uint64_t emission, uint64_t owner_cut)
{
    uint64_t paid = 0;
    for (uint16_t i = 0; i < s->n; i++) {
        const chain_neuron *p = &s->nrn[i].pub;
        uint64_t add = p->server_emission + p->validator_emission;
        chain_slot_add(c, s->nrn[i].slot, add);
        s->t.paid_server += p->server_emission;
        s->t.paid_validator += p->validator_emission;
        paid += add;
    }
    /* Shares are truncated, so paid <= emission; guard the sum anyway. */
    s->t.lost_epoch += paid <= emission ? emission - paid : 0;
    if (s->owner_hk != CHAIN_NO_KEY) {
        if (owner_cut && chain_stake_add(c, s->owner_hk, s->p.netuid, owner_cut))
            return ERR_NOMEM;
        s->t.paid_owner += owner_cut;
    } else {
        s->t.unpaid_owner += owner_cut;
    }
    return 0;
}

int chain_run_epoch(chain *c, chain_subnet *s, err *e)
{
    uint64_t emission = s->t.pending_emission, owner_cut = s->t.pending_owner_cut;
    s->t.pending_emission = 0;
    s->t.pending_owner_cut = 0;
    chain_epoch_ws *ep;
    if (ws_get(c, &ep))
        return err_set(e, ERR_NOMEM, "epoch: out of memory");
    const uint64_t *stake = NULL;
    if (s->n == 0) {
        /* Nobody to pay: the drained emission is lost, as on chain. */
        s->t.lost_epoch += emission;
    } else {
        yuma_input in;
        yuma_params yp;
        const yuma_output *out;
        if (fill_input(c, s, ep, &in))
            return err_set(e, ERR_NOMEM, "epoch: out of memory");
        in.emission = emission;
        fill_params(c, s, &yp);
        int rc = yuma_epoch(ep->yuma, &yp, &in, &out, e);
        if (rc)
            return err_prefix(e, "epoch of subnet %u at block %llu", (unsigned)s->p.netuid,
                              (unsigned long long)c->block);
        if (write_back(s, out))
            return err_set(e, ERR_NOMEM, "epoch: out of memory");
        stake = ep->stake.v;
    }
    if (pay_out(c, s, s->n ? emission : 0, owner_cut))
        return err_set(e, ERR_NOMEM, "epoch: out of memory");
    chain_epoch_event ev = {
        .netuid = s->p.netuid, .epoch = s->t.epochs, .block = c->block, .n = s->n,
        .stake = stake, .emission = emission, .owner_cut = owner_cut,
    };
    s->last_epoch = c->block;
    s->t.epochs++;
    CHAIN_EMIT(c, on_epoch, &ev);
    return 0;
}
