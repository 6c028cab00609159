/* Private to sim/chain: the chain's state and the helpers its files share. */
#ifndef SUBNETSIM_CHAIN_INTERNAL_H
#define SUBNETSIM_CHAIN_INTERNAL_H

#include "chain/chain.h"

#define CHAIN_NO_KEY UINT32_MAX

/* An open-addressing map from a non-zero-free u64 key to a u64 value (linear
 * probing, power-of-two capacity). Keys are stored +1 so 0 marks empty. */
typedef struct chain_map {
    uint64_t *keys;
    uint64_t *vals;
    size_t cap, len;
} chain_map;

void chain_map_free(chain_map *m);
bool chain_map_get(const chain_map *m, uint64_t key, uint64_t *val);
int chain_map_put(chain_map *m, uint64_t key, uint64_t val);
/* Remove a key; harmless when absent. */
void chain_map_del(chain_map *m, uint64_t key);

/* An account name (hotkey or coldkey), interned: ids are dense from 0. */
typedef struct chain_key {
    char *name;
    uint32_t owner;     /* for a hotkey: the coldkey id that owns it, or CHAIN_NO_KEY */
    uint64_t balance;   /* for a coldkey: free balance in rao */
} chain_key;

/* One weights row: uids strictly increasing, values max-upscaled. */
typedef struct chain_row {
    uint16_t *uid, *val;
    uint32_t len, cap;
} chain_row;

typedef VEC(uint32_t) chain_vec_u32;
typedef VEC(uint16_t) chain_vec_u16;

/* A sparse matrix in yuma's CSR layout: row i is [rs[i], rs[i+1]). */
typedef struct chain_csr {
    chain_vec_u32 rs;           /* n + 1 offsets */
    chain_vec_u16 col, val;
} chain_csr;

typedef struct chain_commit {
    uint8_t hash[32];
    uint64_t block;
} chain_commit;

typedef struct chain_commits {
    chain_commit v[CHAIN_MAX_UNREVEALED];
    uint32_t len;       /* oldest first */
} chain_commits;

typedef struct chain_nstate {
    chain_neuron pub;
    uint32_t hk, ck;    /* key ids */
    uint32_t slot;      /* the hotkey's stake on this subnet: chain.stakes.v[slot] */
    chain_row weights;
    chain_commits commits;
} chain_nstate;

typedef struct chain_subnet {
    chain_subnet_params p;      /* owner strings point at interned names */
    uint32_t owner_hk, owner_ck;
    uint16_t n;
    chain_nstate *nrn;          /* capacity max_allowed_uids */
    uint16_t cap;
    uint64_t per_block_owner;   /* rao accrued per block to the owner cut */
    uint64_t per_block_pending; /* rao accrued per block to PendingEmission */
    uint64_t accrued_to;        /* last block whose emission has accrued */
    uint64_t next_epoch;        /* block of the next epoch; UINT64_MAX never */
    uint64_t last_epoch;        /* LastMechanismStepBlock */
    uint64_t regs_block;        /* block of regs_this_block */
    uint16_t regs_this_block;
    chain_subnet_totals t;
    chain_csr bonds;            /* Bonds as the last epoch stored them */
    chain_csr wcsr;             /* the weights rows packed for yuma, rebuilt when dirty */
    bool wcsr_dirty;
} chain_subnet;

struct chain {
    uint64_t block;
    VEC(chain_key) keys;
    chain_map key_ids;          /* name hash -> chain of ids (see chain_keys.c) */
    chain_map stake;            /* (hotkey id << 16 | netuid) -> index into stakes */
    VEC(uint64_t) stakes;       /* rao; slots never move, so neurons keep theirs */
    chain_map uid_of;           /* (hotkey id << 16 | netuid) -> uid */
    VEC(chain_subnet *) subnets;/* ascending netuid */
    VEC(chain_observer) obs;
    /* The epoch's workspace and input buffers (chain_epoch.c): allocated at
     * the first epoch, reused after, so epochs allocate nothing once warm. */
    struct chain_epoch_ws *ep;
};

/* chain_keys.c */
int chain_key_intern(chain *c, const char *name, uint32_t *id);
uint32_t chain_key_find(const chain *c, const char *name);   /* CHAIN_NO_KEY if unknown */
static inline uint64_t chain_hk_net(uint32_t hk, uint16_t netuid)
{
    return ((uint64_t)hk << 16) | netuid;
}
uint64_t chain_stake_of(const chain *c, uint32_t hk, uint16_t netuid);
/* The stake slot of (hotkey, subnet), created at 0 when absent. */
int chain_stake_slot(chain *c, uint32_t hk, uint16_t netuid, uint32_t *slot);
int chain_stake_add(chain *c, uint32_t hk, uint16_t netuid, uint64_t rao);
static inline void chain_slot_add(chain *c, uint32_t slot, uint64_t rao)
{
    uint64_t *v = &c->stakes.v[slot];
    *v = rao > UINT64_MAX - *v ? UINT64_MAX : *v + rao;   /* saturating, as balances are */
}

/* chain.c */
chain_subnet *chain_subnet_find(const chain *c, uint16_t netuid);
chain_nstate *chain_nstate_of(const chain *c, const chain_subnet *s, const char *hotkey);

/* chain_register.c */
bool chain_is_immune(const chain_subnet *s, const chain_nstate *nr, uint64_t block);
int chain_prune_pick(const chain *c, const chain_subnet *s, uint16_t *uid);

/* chain_weights.c */
int chain_row_set(chain_row *r, const uint16_t *uids, const uint16_t *values, size_t n);
void chain_row_free(chain_row *r);
void chain_csr_free(chain_csr *m);
/* Append an empty row (a new uid); drop row i's entries (a replaced uid). */
int chain_csr_push_row(chain_csr *m);
void chain_csr_clear_row(chain_csr *m, uint16_t i);
/* Block of the uid's earliest commit neither revealed nor expired at `block`;
 * UINT64_MAX when none. */
uint64_t chain_earliest_commit(const chain_subnet *s, const chain_nstate *nr, uint64_t block);

/* chain_epoch.c */
int chain_run_epoch(chain *c, chain_subnet *s, err *e);
void chain_epoch_ws_free(struct chain_epoch_ws *ep);

/* Observer fan-out: call `cb` (on_register, on_deregister, on_weights or
 * on_epoch) of every observer that has one, in the order they were added. */
#define CHAIN_EMIT(c, cb, ev)                                                  \
    do {                                                                       \
        for (size_t i_ = 0; i_ < (c)->obs.len; i_++)                           \
            if ((c)->obs.v[i_].cb)                                             \
                (c)->obs.v[i_].cb((c)->obs.v[i_].ctx, (c), (ev));              \
    } while (0)

#endif
