/* Burned registration, immunity and pruning (SPEC §1.2; subtensor
 * registration.rs do_burned_registration, get_neuron_to_prune,
 * get_immune_owner_tuples; uids.rs append_neuron, replace_neuron, clear_neuron). */
#include "chain/chain_internal.h"

#include <string.h>

bool chain_is_immune(const chain_subnet *s, const chain_nstate *nr, uint64_t block)
{
    uint64_t age = block > nr->pub.registered_at ? block - nr->pub.registered_at : 0;
    return age < s->p.immunity_period;
}

/* The owner's immortal uids: hotkeys of the owner coldkey by registration block
 * then uid, the owner hotkey put first, cut to ImmuneOwnerUidsLimit. */
static size_t immortal_uids(const chain *c, const chain_subnet *s, uint16_t *out, size_t cap)
{
    (void)c;
    size_t limit = s->p.immune_owner_uids_limit < cap ? s->p.immune_owner_uids_limit : cap;
    size_t k = 0;
    if (s->owner_ck != CHAIN_NO_KEY) {
        /* Insertion into a sorted list of at most `limit` (<= 10 on the chain). */
        for (uint16_t u = 0; u < s->n; u++) {
            if (s->nrn[u].ck != s->owner_ck)
                continue;
            size_t at = k;
            while (at > 0 && s->nrn[out[at - 1]].pub.registered_at > s->nrn[u].pub.registered_at)
                at--;
            if (at >= limit)
                continue;
            size_t move = (k < limit ? k : limit - 1) - at;
            memmove(out + at + 1, out + at, move * sizeof *out);
            out[at] = u;
            if (k < limit)
                k++;
        }
    }
    if (s->owner_hk != CHAIN_NO_KEY && limit > 0) {
        for (uint16_t u = 0; u < s->n; u++) {
            if (s->nrn[u].hk != s->owner_hk)
                continue;
            bool present = false;
            for (size_t i = 0; i < k; i++)
                present |= out[i] == u;
            if (!present) {
                size_t move = k < limit ? k : limit - 1;
                memmove(out + 1, out, move * sizeof *out);
                out[0] = u;
                if (k < limit)
                    k++;
            }
            break;
        }
    }
    return k;
}

typedef struct prune_best {
    bool have;
    uint64_t emission, reg;
    uint16_t uid;
} prune_best;

static void prune_consider(prune_best *b, const chain_nstate *nr)
{
    uint64_t em = nr->pub.emission, reg = nr->pub.registered_at;
    bool better = !b->have || em < b->emission ||
                  (em == b->emission && (reg < b->reg || (reg == b->reg && nr->pub.uid < b->uid)));
    if (better)
        *b = (prune_best){true, em, reg, nr->pub.uid};
}

int chain_prune_pick(const chain *c, const chain_subnet *s, uint16_t *uid)
{
    uint16_t immortal[16];
    size_t nim = immortal_uids(c, s, immortal, 16);
    prune_best free_best = {0}, immune_best = {0};
    uint32_t free_count = 0;
    for (uint16_t u = 0; u < s->n; u++) {
        bool skip = false;
        for (size_t i = 0; i < nim; i++)
            skip |= immortal[i] == u;
        if (skip)
            continue;
        if (chain_is_immune(s, &s->nrn[u], c->block)) {
            prune_consider(&immune_best, &s->nrn[u]);
        } else {
            free_count++;
            prune_consider(&free_best, &s->nrn[u]);
        }
    }
    /* Prefer a non-immune uid while more than MinNonImmuneUids are non-immune. */
    if (free_count > s->p.min_non_immune_uids && free_best.have) {
        *uid = free_best.uid;
        return 0;
    }
    if (immune_best.have) {
        *uid = immune_best.uid;
        return 0;
    }
    return ERR_NOTFOUND;
}

/* clear_neuron: zero what the old occupant earned; weights to the uid drop to
 * 0 in every row, the uid's own weights, bonds and commits go. */
static void clear_neuron(chain_subnet *s, uint16_t uid)
{
    for (uint16_t i = 0; i < s->n; i++) {
        chain_row *r = &s->nrn[i].weights;
        for (uint32_t k = 0; k < r->len; k++)
            if (r->uid[k] == uid)
                r->val[k] = 0;
    }
    chain_nstate *nr = &s->nrn[uid];
    nr->weights.len = 0;
    nr->commits.len = 0;
    chain_csr_clear_row(&s->bonds, uid);
    s->wcsr_dirty = true;
}

static void fill_neuron(chain *c, chain_nstate *nr, uint16_t uid, uint32_t hk, uint32_t ck,
                        uint32_t slot)
{
    chain_row w = nr->weights;
    memset(nr, 0, sizeof *nr);
    nr->weights = w;
    nr->slot = slot;
    nr->hk = hk;
    nr->ck = ck;
    nr->pub.uid = uid;
    nr->pub.hotkey = c->keys.v[hk].name;
    nr->pub.coldkey = c->keys.v[ck].name;
    nr->pub.registered_at = c->block;
    nr->pub.last_update = c->block;   /* append_neuron, and replace_neuron since 2025 */
    nr->pub.active = true;
}

static int check_register(chain *c, chain_subnet *s, const char *hotkey, const char *coldkey,
                          err *e)
{
    unsigned net = s->p.netuid;
    uint16_t regs = s->regs_block == c->block ? s->regs_this_block : 0;
    if (s->p.max_regs_per_block && regs >= s->p.max_regs_per_block)
        return err_set(e, ERR_BUSY,
                       "register: %u registrations on subnet %u this block already "
                       "(TooManyRegistrationsThisBlock)", (unsigned)regs, net);
    if (chain_nstate_of(c, s, hotkey))
        return err_set(e, ERR_INPUT,
                       "register: hotkey '%s' is already registered on subnet %u "
                       "(HotKeyAlreadyRegisteredInSubNet)", hotkey, net);
    uint64_t have = chain_balance(c, coldkey);
    if (have < s->p.burn)
        return err_set(e, ERR_INPUT,
                       "register: coldkey '%s' has %llu rao, the burn is %llu "
                       "(NotEnoughBalanceToStake)", coldkey, (unsigned long long)have,
                       (unsigned long long)s->p.burn);
    uint32_t hk = chain_key_find(c, hotkey), ck = chain_key_find(c, coldkey);
    if (hk != CHAIN_NO_KEY && c->keys.v[hk].owner != CHAIN_NO_KEY && c->keys.v[hk].owner != ck)
        return err_set(e, ERR_INPUT,
                       "register: hotkey '%s' belongs to coldkey '%s', not '%s' (NonAssociatedColdKey)",
                       hotkey, c->keys.v[c->keys.v[hk].owner].name, coldkey);
    if (s->p.max_allowed_uids == 0)
        return err_set(e, ERR_INPUT, "register: subnet %u allows no uids (NoNeuronIdAvailable)", net);
    return 0;
}

static void emit_dereg(chain *c, chain_subnet *s, uint16_t uid, const char *by)
{
    chain_nstate *old = &s->nrn[uid];
    chain_dereg_event ev = {
        .netuid = s->p.netuid, .uid = uid, .hotkey = old->pub.hotkey, .by_hotkey = by,
        .block = c->block, .emission = old->pub.emission,
        .immune = chain_is_immune(s, old, c->block),
    };
    CHAIN_EMIT(c, on_deregister, &ev);
}

int chain_register(chain *c, uint16_t netuid, const char *hotkey, const char *coldkey,
                   uint16_t *uid_out, err *e)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    if (!s)
        return err_set(e, ERR_NOTFOUND, "register: subnet %u does not exist (SubnetNotExists)",
                       (unsigned)netuid);
    if (!hotkey || !*hotkey || !coldkey || !*coldkey)
        return err_set(e, ERR_INPUT, "register: empty hotkey or coldkey");
    int rc = check_register(c, s, hotkey, coldkey, e);
    if (rc)
        return rc;
    uint16_t uid = s->n;
    bool replace = s->n >= s->p.max_allowed_uids;
    if (replace && chain_prune_pick(c, s, &uid))
        return err_set(e, ERR_INPUT,
                       "register: subnet %u is full and every uid is protected (NoNeuronIdAvailable)",
                       (unsigned)netuid);
    uint32_t hk, ck, slot;
    if (chain_key_intern(c, hotkey, &hk) || chain_key_intern(c, coldkey, &ck) ||
        chain_stake_slot(c, hk, netuid, &slot) || (!replace && chain_csr_push_row(&s->bonds)) ||
        chain_map_put(&c->uid_of, chain_hk_net(hk, netuid), uid))
        return err_set(e, ERR_NOMEM, "register: out of memory");
    if (c->keys.v[hk].owner == CHAIN_NO_KEY)
        c->keys.v[hk].owner = ck;
    c->keys.v[ck].balance -= s->p.burn;
    s->t.burned += s->p.burn;

    const char *replaced = NULL;
    if (replace) {
        chain_nstate *old = &s->nrn[uid];
        replaced = old->pub.hotkey;
        emit_dereg(c, s, uid, c->keys.v[hk].name);
        chain_map_del(&c->uid_of, chain_hk_net(old->hk, netuid));
        clear_neuron(s, uid);
    } else {
        s->n++;
        s->wcsr_dirty = true;
    }
    fill_neuron(c, &s->nrn[uid], uid, hk, ck, slot);
    if (s->regs_block != c->block) {
        s->regs_block = c->block;
        s->regs_this_block = 0;
    }
    s->regs_this_block++;
    s->t.registrations++;
    if (uid_out)
        *uid_out = uid;
    chain_reg_event ev = {
        .netuid = netuid, .uid = uid, .hotkey = c->keys.v[hk].name,
        .coldkey = c->keys.v[ck].name, .block = c->block, .burn = s->p.burn,
        .replaced_hotkey = replaced,
    };
    CHAIN_EMIT(c, on_register, &ev);
    return 0;
}

int chain_serve_axon(chain *c, uint16_t netuid, const char *hotkey, uint32_t ip, uint16_t port,
                     err *e)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    if (!s)
        return err_set(e, ERR_NOTFOUND, "serve_axon: subnet %u does not exist (SubnetNotExists)",
                       (unsigned)netuid);
    chain_nstate *nr = chain_nstate_of(c, s, hotkey);
    if (!nr)
        return err_set(e, ERR_INPUT,
                       "serve_axon: hotkey '%s' is not registered on subnet %u "
                       "(HotKeyNotRegisteredInNetwork)", hotkey, (unsigned)netuid);
    if (port == 0)
        return err_set(e, ERR_INPUT, "serve_axon: port 0 is not a port (InvalidPort)");
    nr->pub.axon_ip = ip;
    nr->pub.axon_port = port;
    return 0;
}
