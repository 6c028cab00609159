/* The chain: lifecycle, subnets, blocks and per-block emission, queries. */
#include "chain/chain_internal.h"

#include <string.h>

void chain_subnet_params_default(chain_subnet_params *p, uint16_t netuid)
{
    /* SPEC.md §1 defaults (subtensor 14bc6f9f); profiles override them. */
    *p = (chain_subnet_params){
        .netuid = netuid,
        .tempo = 360,
        .block_emission = CHAIN_RAO_PER_TAO,
        .owner_cut = 11796,              /* 18% of 65535 */
        .burn = 0,
        .max_allowed_uids = 256,
        .immunity_period = 5000,
        .min_non_immune_uids = 10,
        .immune_owner_uids_limit = 1,
        .max_regs_per_block = 0,
        .max_allowed_validators = 64,
        .min_allowed_weights = 1,
        .max_weight_limit = CHAIN_U16_MAX,
        .weights_rate_limit = 100,
        .weights_version_key = 0,
        .stake_threshold = 0,
        .commit_reveal = true,
        .reveal_period_epochs = 1,
        .activity_cutoff = 5000,
        .kappa = 32767,
        .bonds_penalty = 65535,
        .bonds_moving_average = 900000,
        .yuma3 = true,
        .liquid_alpha = false,
        .alpha_low = 45875,
        .alpha_high = 58982,
        .alpha_sigmoid_steepness = 1000,
    };
}

/* ------------------------------------------------------------- formulas */

uint64_t chain_blocks_until_next_epoch(uint16_t netuid, uint16_t tempo, uint64_t block)
{
    if (tempo == 0)
        return UINT64_MAX;
    uint64_t t1 = (uint64_t)tempo + 1;
    return tempo - (block + netuid + 1) % t1;
}

uint64_t chain_epoch_index(uint16_t netuid, uint16_t tempo, uint64_t block)
{
    return (block + (uint64_t)netuid + 1) / ((uint64_t)tempo + 1);
}

static uint64_t next_epoch_after(const chain_subnet *s, uint64_t block)
{
    uint64_t d = chain_blocks_until_next_epoch(s->p.netuid, s->p.tempo, block + 1);
    return d == UINT64_MAX ? UINT64_MAX : block + 1 + d;
}

/* The emission of one block split as run_coinbase does it in I96F32: the cut is
 * SubnetOwnerCut / u16::MAX truncated to 32 fraction bits; owner cut and the
 * remainder are each truncated to whole rao, so a block may mint 1 rao less. */
static void emission_per_block(const chain_subnet_params *p, uint64_t *owner, uint64_t *pending)
{
    u128 cut_fx = ((u128)p->owner_cut << 32) / CHAIN_U16_MAX;
    u128 e_fx = (u128)p->block_emission << 32;
    u128 owner_fx = (u128)p->block_emission * cut_fx;
    *owner = (uint64_t)(owner_fx >> 32);
    *pending = (uint64_t)((e_fx - owner_fx) >> 32);
}

/* ------------------------------------------------------------ lifecycle */

int chain_new(const chain_params *p, chain **out, err *e)
{
    chain *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "chain: out of memory");
    c->block = p ? p->start_block : 0;
    *out = c;
    return 0;
}

static void subnet_free(chain_subnet *s)
{
    if (!s)
        return;
    for (uint16_t i = 0; i < s->cap; i++)
        chain_row_free(&s->nrn[i].weights);
    chain_csr_free(&s->bonds);
    chain_csr_free(&s->wcsr);
    free(s->nrn);
    free(s);
}

void chain_free(chain *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->subnets.len; i++)
        subnet_free(c->subnets.v[i]);
    VEC_FREE(&c->subnets);
    for (size_t i = 0; i < c->keys.len; i++)
        free(c->keys.v[i].name);
    VEC_FREE(&c->keys);
    chain_map_free(&c->key_ids);
    chain_map_free(&c->stake);
    VEC_FREE(&c->stakes);
    chain_map_free(&c->uid_of);
    VEC_FREE(&c->obs);
    chain_epoch_ws_free(c->ep);
    free(c);
}

int chain_add_observer(chain *c, const chain_observer *o)
{
    return VEC_PUSH(&c->obs, *o);
}

/* --------------------------------------------------------------- subnets */

chain_subnet *chain_subnet_find(const chain *c, uint16_t netuid)
{
    size_t lo = 0, hi = c->subnets.len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        uint16_t m = c->subnets.v[mid]->p.netuid;
        if (m == netuid)
            return c->subnets.v[mid];
        if (m < netuid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool chain_has_subnet(const chain *c, uint16_t netuid) { return chain_subnet_find(c, netuid); }

const chain_subnet_params *chain_subnet_get_params(const chain *c, uint16_t netuid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    return s ? &s->p : NULL;
}

static int check_params(const chain_subnet_params *p, err *e)
{
    if (p->netuid == 0 || p->netuid == UINT16_MAX)
        return err_set(e, ERR_INPUT, "subnet %u: netuid must be 1..65534 (0 is the root network)",
                       (unsigned)p->netuid);
    if (p->bonds_moving_average > 1000000)
        return err_set(e, ERR_INPUT, "subnet %u: bonds_moving_average %llu is above 1000000",
                       (unsigned)p->netuid, (unsigned long long)p->bonds_moving_average);
    if (p->alpha_low > p->alpha_high)
        return err_set(e, ERR_INPUT, "subnet %u: alpha_low %u is above alpha_high %u",
                       (unsigned)p->netuid, (unsigned)p->alpha_low, (unsigned)p->alpha_high);
    return 0;
}

/* Intern the owner names and point the stored params at them. */
static int subnet_adopt_params(chain *c, chain_subnet *s, const chain_subnet_params *p)
{
    uint32_t hk = CHAIN_NO_KEY, ck = CHAIN_NO_KEY;
    if (p->owner_hotkey && *p->owner_hotkey && chain_key_intern(c, p->owner_hotkey, &hk))
        return ERR_NOMEM;
    if (p->owner_coldkey && *p->owner_coldkey && chain_key_intern(c, p->owner_coldkey, &ck))
        return ERR_NOMEM;
    s->p = *p;
    s->owner_hk = hk;
    s->owner_ck = ck;
    s->p.owner_hotkey = hk == CHAIN_NO_KEY ? NULL : c->keys.v[hk].name;
    s->p.owner_coldkey = ck == CHAIN_NO_KEY ? NULL : c->keys.v[ck].name;
    if (hk != CHAIN_NO_KEY && ck != CHAIN_NO_KEY && c->keys.v[hk].owner == CHAIN_NO_KEY)
        c->keys.v[hk].owner = ck;
    emission_per_block(&s->p, &s->per_block_owner, &s->per_block_pending);
    s->next_epoch = next_epoch_after(s, c->block);
    return 0;
}

static int subnet_reserve(chain_subnet *s, uint16_t cap)
{
    if (cap <= s->cap)
        return 0;
    chain_nstate *v = realloc(s->nrn, (size_t)cap * sizeof *v);
    if (!v)
        return ERR_NOMEM;
    memset(v + s->cap, 0, (size_t)(cap - s->cap) * sizeof *v);
    s->nrn = v;
    s->cap = cap;
    return 0;
}

int chain_add_subnet(chain *c, const chain_subnet_params *p, err *e)
{
    int rc = check_params(p, e);
    if (rc)
        return rc;
    if (chain_subnet_find(c, p->netuid))
        return err_set(e, ERR_INPUT, "add_subnet: subnet %u already exists", (unsigned)p->netuid);
    chain_subnet *s = calloc(1, sizeof *s);
    if (!s || subnet_reserve(s, p->max_allowed_uids) || subnet_adopt_params(c, s, p) ||
        VEC_PUSH(&s->bonds.rs, 0) || VEC_RESERVE(&c->subnets, c->subnets.len + 1)) {
        subnet_free(s);
        return err_set(e, ERR_NOMEM, "add_subnet: out of memory");
    }
    /* Added by an extrinsic in the current block: emission accrues from the next. */
    s->accrued_to = c->block;
    s->wcsr_dirty = true;
    size_t at = 0;
    while (at < c->subnets.len && c->subnets.v[at]->p.netuid < p->netuid)
        at++;
    memmove(c->subnets.v + at + 1, c->subnets.v + at, (c->subnets.len - at) * sizeof *c->subnets.v);
    c->subnets.v[at] = s;
    c->subnets.len++;
    return 0;
}

static void accrue(chain_subnet *s, uint64_t block);

int chain_subnet_set_params(chain *c, const chain_subnet_params *p, err *e)
{
    chain_subnet *s = chain_subnet_find(c, p->netuid);
    if (!s)
        return err_set(e, ERR_NOTFOUND, "set_params: subnet %u does not exist (SubnetNotExists)",
                       (unsigned)p->netuid);
    int rc = check_params(p, e);
    if (rc)
        return rc;
    if (p->max_allowed_uids < s->n)
        return err_set(e, ERR_INPUT,
                       "set_params: max_allowed_uids %u is below the %u registered neurons",
                       (unsigned)p->max_allowed_uids, (unsigned)s->n);
    /* Blocks so far accrued at the old rate. */
    accrue(s, c->block);
    if (subnet_reserve(s, p->max_allowed_uids) || subnet_adopt_params(c, s, p))
        return err_set(e, ERR_NOMEM, "set_params: out of memory");
    return 0;
}

int chain_subnet_totals_get(const chain *c, uint16_t netuid, chain_subnet_totals *out)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    if (!s)
        return ERR_NOTFOUND;
    *out = s->t;
    return 0;
}

uint64_t chain_last_epoch_block(const chain *c, uint16_t netuid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    return s ? s->last_epoch : 0;
}

/* ---------------------------------------------------------------- blocks */

uint64_t chain_block(const chain *c) { return c->block; }

/* Emission is the same every block, so accruing k blocks at once equals k
 * single blocks exactly (the truncation is per block either way). */
static void accrue(chain_subnet *s, uint64_t block)
{
    if (block <= s->accrued_to)
        return;
    uint64_t k = block - s->accrued_to;
    s->t.blocks += k;
    s->t.minted_owner += k * s->per_block_owner;
    s->t.minted_pending += k * s->per_block_pending;
    s->t.lost_block += k * (s->p.block_emission - s->per_block_owner - s->per_block_pending);
    s->t.pending_owner_cut += k * s->per_block_owner;
    s->t.pending_emission += k * s->per_block_pending;
    s->accrued_to = block;
}

uint64_t chain_next_epoch_block(const chain *c)
{
    uint64_t next = UINT64_MAX;
    for (size_t i = 0; i < c->subnets.len; i++)
        if (c->subnets.v[i]->next_epoch < next)
            next = c->subnets.v[i]->next_epoch;
    return next;
}

int chain_advance_to(chain *c, uint64_t block, err *e)
{
    for (;;) {
        uint64_t nb = chain_next_epoch_block(c);
        if (nb > block)
            break;
        c->block = nb;
        for (size_t i = 0; i < c->subnets.len; i++) {
            chain_subnet *s = c->subnets.v[i];
            if (s->next_epoch != nb)
                continue;
            accrue(s, nb);
            int rc = chain_run_epoch(c, s, e);
            if (rc)
                return rc;
            s->next_epoch = next_epoch_after(s, nb);
        }
    }
    if (block > c->block)
        c->block = block;
    for (size_t i = 0; i < c->subnets.len; i++)
        accrue(c->subnets.v[i], c->block);
    return 0;
}

/* --------------------------------------------------------------- queries */

chain_nstate *chain_nstate_of(const chain *c, const chain_subnet *s, const char *hotkey)
{
    uint32_t hk = chain_key_find(c, hotkey);
    uint64_t uid;
    if (hk == CHAIN_NO_KEY || !chain_map_get(&c->uid_of, chain_hk_net(hk, s->p.netuid), &uid))
        return NULL;
    return &s->nrn[uid];
}

uint16_t chain_subnet_n(const chain *c, uint16_t netuid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    return s ? s->n : 0;
}

const chain_neuron *chain_neuron_get(const chain *c, uint16_t netuid, uint16_t uid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    return s && uid < s->n ? &s->nrn[uid].pub : NULL;
}

int chain_uid_of(const chain *c, uint16_t netuid, const char *hotkey)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    chain_nstate *nr = s ? chain_nstate_of(c, s, hotkey) : NULL;
    return nr ? nr->pub.uid : -1;
}

uint64_t chain_neuron_stake(const chain *c, uint16_t netuid, uint16_t uid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    return s && uid < s->n ? c->stakes.v[s->nrn[uid].slot] : 0;
}

chain_row_view chain_weights_row(const chain *c, uint16_t netuid, uint16_t uid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    if (!s || uid >= s->n)
        return (chain_row_view){0};
    const chain_row *r = &s->nrn[uid].weights;
    return (chain_row_view){r->uid, r->val, r->len};
}

chain_row_view chain_bonds_row(const chain *c, uint16_t netuid, uint16_t uid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    if (!s || uid >= s->n)
        return (chain_row_view){0};
    const chain_csr *b = &s->bonds;
    uint32_t from = b->rs.v[uid];
    return (chain_row_view){b->col.v + from, b->val.v + from, b->rs.v[uid + 1] - from};
}
