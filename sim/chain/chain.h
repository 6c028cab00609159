/* chain: a deterministic, testnet-like Bittensor chain (SPEC.md §1): blocks,
 * subnets with their hyperparameters, accounts and stake, burned registration
 * with immunity and pruning, set_weights with the chain's validation,
 * commit-reveal, epoch scheduling, per-block emission with the owner cut, and
 * the Yuma epoch (sim/chain/yuma.h) with its results written back the way
 * subtensor keeps them (u16 proportions, rao).
 *
 * The chain knows nothing of the runtime: time is the block number, advanced
 * explicitly with chain_advance_to (sim/chain/chain_actor.c puts it on an rt
 * clock). Blocks are implicit: advancing over blocks where nothing is due costs
 * nothing, so a 30-day run (216,000 blocks) does work only at its epochs.
 *
 * Block semantics (as subtensor's on_initialize): when the chain "is at block
 * B", block B's coinbase and any epoch due at B have run; calls made now are
 * extrinsics included in block B. So an epoch at block B sees the weights set
 * in blocks < B, and weights set at B count from the next epoch.
 *
 * Sources (SPEC.md): opentensor/subtensor subnets/registration.rs
 * (get_neuron_to_prune), subnets/uids.rs (replace_neuron, clear_neuron),
 * subnets/weights.rs (do_set_weights, do_commit_weights, do_reveal_weights,
 * get_epoch_index), epoch/math.rs (vec_u16_max_upscale_to_u16),
 * coinbase/run_coinbase.rs (owner cut, PendingEmission, blocks_until_next_epoch,
 * drain_pending_emission).
 *
 * Errors are values: every call that can fail returns 0 or a negative ERR_*
 * (ERR_INPUT for a request the chain rejects, ERR_NOTFOUND for an unknown subnet
 * or key, ERR_BUSY for a rate limit, ERR_NOMEM) and fills `e` with a message
 * that names the call, the offending value and, in parentheses, the subtensor
 * error it stands for: "set_weights: uid 300 does not exist on subnet 1
 * (UidVecContainInvalidOne)". A failed call changes nothing.
 *
 * Not modelled (a testnet-like chain for one team's subnets, not the economy):
 * dynamic-TAO pools (stake is added 1:1, emission is a fixed alpha per block),
 * root stake and TAO weight, delegation, take and childkeys (all dividends land
 * on the validator's own hotkey), burn adjustment and registration intervals
 * (burn is fixed; an optional per-block limit), PoW registration, the serving
 * rate limit, mechanisms (sub-subnets), timelocked commit-reveal v3 (this is
 * the hash commit-reveal: validators reveal themselves). Commits live with the
 * uid (subtensor keys them by hotkey) and go when the uid is replaced. */
#ifndef SUBNETSIM_CHAIN_H
#define SUBNETSIM_CHAIN_H

#include "core/core.h"
#include "runtime/rt.h"

typedef struct chain chain;

#define CHAIN_RAO_PER_TAO 1000000000ULL
#define CHAIN_U16_MAX 65535u
/* The most commits one hotkey may hold unrevealed (weights.rs: "commits.len() < 10"). */
#define CHAIN_MAX_UNREVEALED 10

/* ------------------------------------------------------------ parameters */

typedef struct chain_params {
    uint64_t start_block;   /* the block the chain starts at (0); nothing of it has run */
} chain_params;

/* One subnet's hyperparameters, named as subtensor names them. The runner
 * copies its scenario values in; chain_subnet_params_default gives SPEC §1's
 * defaults (profile values live in the scenario's profile table, not here). */
typedef struct chain_subnet_params {
    uint16_t netuid;                 /* 1..65534 (0 is the root network) */
    uint16_t tempo;                  /* Tempo: 360; an epoch every tempo + 1 blocks
                                        (blocks_until_next_epoch); 0 = never runs */
    uint64_t block_emission;         /* rao per block into the subnet: 1e9 (1 alpha) */
    uint16_t owner_cut;              /* SubnetOwnerCut, u16 proportion: 11796 (18%) */

    /* registration */
    uint64_t burn;                   /* registration cost in rao (fixed: no burn adjustment) */
    uint16_t max_allowed_uids;       /* MaxAllowedUids: 256 */
    uint64_t immunity_period;        /* ImmunityPeriod, blocks: 5000 */
    uint16_t min_non_immune_uids;    /* MinNonImmuneUids: 10 */
    uint16_t immune_owner_uids_limit;/* ImmuneOwnerUidsLimit: 1 (the owner hotkey) */
    uint16_t max_regs_per_block;     /* MaxRegistrationsPerBlock; 0 = no limit (default) */

    /* weights */
    uint16_t max_allowed_validators; /* MaxAllowedValidators: 64 */
    uint16_t min_allowed_weights;    /* MinAllowedWeights: 1 */
    uint16_t max_weight_limit;       /* MaxWeightsLimit, u16 proportion: 65535 (no limit) */
    uint64_t weights_rate_limit;     /* WeightsSetRateLimit, blocks: 100 */
    uint64_t weights_version_key;    /* WeightsVersionKey: 0 accepts any version */
    uint64_t stake_threshold;        /* StakeThreshold, rao: to set weights and to count
                                        in the epoch's stake; 0 (testnet-like) */
    bool commit_reveal;              /* CommitRevealWeightsEnabled: true */
    uint32_t reveal_period_epochs;   /* RevealPeriodEpochs: 1 */

    /* Yuma (SPEC §1.4) */
    uint64_t activity_cutoff;        /* blocks: 5000 */
    uint16_t kappa;                  /* 32767 (/65535) */
    uint16_t bonds_penalty;          /* 65535 (/65535) */
    uint64_t bonds_moving_average;   /* 900000 (/1e6) */
    bool yuma3;                      /* Yuma3On: true */
    bool liquid_alpha;               /* LiquidAlphaOn: false */
    uint16_t alpha_low, alpha_high;  /* 45875, 58982 (/65535) */
    int32_t alpha_sigmoid_steepness; /* 1000 */

    /* The owner: their hotkey is never pruned (ImmuneOwnerUidsLimit) and
     * receives the owner cut. Copied; NULL = no owner (the cut is then unpaid). */
    const char *owner_coldkey;
    const char *owner_hotkey;
} chain_subnet_params;

void chain_subnet_params_default(chain_subnet_params *p, uint16_t netuid);

/* ---------------------------------------------------------------- state */

/* One neuron as the chain stores it (the metagraph row). Owned by the chain;
 * valid until the next call that changes the subnet. Strings stay valid for the
 * chain's lifetime (names are interned). */
typedef struct chain_neuron {
    uint16_t uid;
    const char *hotkey;
    const char *coldkey;
    uint32_t axon_ip;                /* IPv4, host order; 0 = not served */
    uint16_t axon_port;
    uint64_t registered_at;          /* BlockAtRegistration */
    uint64_t last_update;            /* LastUpdate: last set_weights (or commit) */
    bool validator_permit;           /* ValidatorPermit, from the last epoch */
    bool active;                     /* Active, from the last epoch */
    uint16_t consensus;              /* Consensus, u16 proportion */
    uint16_t incentive;              /* Incentive */
    uint16_t dividends;              /* Dividends */
    uint16_t validator_trust;        /* ValidatorTrust */
    uint64_t emission;               /* Emission, rao at the last epoch (pruning reads it) */
    uint64_t server_emission;        /* the part paid as incentive (not a chain field) */
    uint64_t validator_emission;     /* the part paid as dividends (not a chain field) */
} chain_neuron;

/* A sparse weight or bond row as the chain stores it: len (uid, u16 value)
 * pairs, uids strictly increasing. A view into the chain: valid until the next
 * call that changes the subnet. */
typedef struct chain_row_view {
    const uint16_t *uids;
    const uint16_t *values;
    uint32_t len;
} chain_row_view;

/* Rao accounting of one subnet since it was added. Invariants (tested):
 *   blocks * block_emission == minted_owner + minted_pending + lost_block
 *   minted_owner == paid_owner + unpaid_owner + pending owner cut
 *   minted_pending == paid_server + paid_validator + lost_epoch + pending emission
 * lost_block: the chain truncates the owner cut and the remainder to whole rao
 * separately each block, so up to 1 rao a block is never minted.
 * lost_epoch: per-uid emission is truncated to whole rao; what is left of the
 * drained emission (and all of it when no one can receive it) is not paid. */
typedef struct chain_subnet_totals {
    uint64_t blocks;
    uint64_t minted_owner, minted_pending, lost_block;
    uint64_t paid_owner, unpaid_owner;
    uint64_t paid_server, paid_validator, lost_epoch;
    uint64_t burned;                 /* registration burn (recycled) */
    uint64_t epochs;
    uint64_t registrations;          /* every registration so far (a new tenure) */
    uint64_t pending_emission, pending_owner_cut;   /* accrued, not yet drained */
} chain_subnet_totals;

/* ------------------------------------------------------------- observers */

typedef struct chain_reg_event {
    uint16_t netuid, uid;
    const char *hotkey, *coldkey;
    uint64_t block;
    uint64_t burn;                   /* rao burned */
    const char *replaced_hotkey;     /* the pruned neuron's hotkey; NULL when appended */
} chain_reg_event;

typedef struct chain_dereg_event {
    uint16_t netuid, uid;
    const char *hotkey;              /* leaving */
    const char *by_hotkey;           /* the registration that pruned it */
    uint64_t block;
    uint64_t emission;               /* its stored Emission when pruned */
    bool immune;                     /* pruned while still immune */
} chain_dereg_event;

typedef enum {
    CHAIN_WEIGHTS_SET,               /* set_weights (commit-reveal off) */
    CHAIN_WEIGHTS_COMMITTED,         /* commit_weights: only a hash, no values */
    CHAIN_WEIGHTS_REVEALED           /* reveal_weights: the row is now stored */
} chain_weights_kind;

typedef struct chain_weights_event {
    chain_weights_kind kind;
    uint16_t netuid, uid;
    const char *hotkey;
    uint64_t block;
    chain_row_view row;              /* the stored row (max-upscaled); empty on commit */
    uint64_t commit_block;           /* on reveal: the block of the commit revealed */
} chain_weights_event;

typedef struct chain_epoch_event {
    uint16_t netuid;
    uint64_t epoch;                  /* this subnet's epoch count, from 0 */
    uint64_t block;
    uint16_t n;
    const uint64_t *stake;           /* n stakes (rao) the epoch read, before payouts */
    uint64_t emission;               /* pending emission drained into the epoch (rao) */
    uint64_t owner_cut;              /* owner cut drained (rao) */
} chain_epoch_event;

/* Callbacks run synchronously inside the chain call that caused them; they may
 * read the chain (chain_neuron_get, chain_weights_row, ...) but must not change
 * it. Any callback may be NULL. */
typedef struct chain_observer {
    void *ctx;
    void (*on_register)(void *ctx, const chain *c, const chain_reg_event *ev);
    void (*on_deregister)(void *ctx, const chain *c, const chain_dereg_event *ev);
    void (*on_weights)(void *ctx, const chain *c, const chain_weights_event *ev);
    void (*on_epoch)(void *ctx, const chain *c, const chain_epoch_event *ev);
} chain_observer;

/* ------------------------------------------------------------ lifecycle */

/* Returns 0 and sets *out (free with chain_free), or an error. */
int chain_new(const chain_params *p, chain **out, err *e);
void chain_free(chain *c);
/* Observers are called in the order added; *o is copied. */
int chain_add_observer(chain *c, const chain_observer *o);

/* ---------------------------------------------------------------- blocks */

uint64_t chain_block(const chain *c);
/* Run every block up to and including `block` (no-op when not ahead): each
 * subnet's emission accrues per block and its epochs run at their blocks, all
 * in block order (subnets by netuid within a block). Work is done only where an
 * epoch is due. Fails only on out-of-memory. */
int chain_advance_to(chain *c, uint64_t block, err *e);
/* The next block after the current one at which some subnet runs its epoch;
 * UINT64_MAX when none will (no subnets, or tempo 0 everywhere). */
uint64_t chain_next_epoch_block(const chain *c);

/* subtensor's formulas (pure): blocks until netuid's next epoch at `block`
 * (0 = the epoch runs at this block; UINT64_MAX when tempo is 0), and the
 * epoch index commit-reveal counts in. */
uint64_t chain_blocks_until_next_epoch(uint16_t netuid, uint16_t tempo, uint64_t block);
uint64_t chain_epoch_index(uint16_t netuid, uint16_t tempo, uint64_t block);

/* --------------------------------------------------------------- subnets */

int chain_add_subnet(chain *c, const chain_subnet_params *p, err *e);
bool chain_has_subnet(const chain *c, uint16_t netuid);
/* NULL when the subnet does not exist. Owner strings point into the chain. */
const chain_subnet_params *chain_subnet_get_params(const chain *c, uint16_t netuid);
/* Change hyperparameters (sudo); netuid must match. max_allowed_uids may not
 * drop below the current neuron count (subtensor's trim is not modelled). */
int chain_subnet_set_params(chain *c, const chain_subnet_params *p, err *e);
int chain_subnet_totals_get(const chain *c, uint16_t netuid, chain_subnet_totals *out);
/* The block of the subnet's last epoch (LastMechanismStepBlock); 0 if none ran. */
uint64_t chain_last_epoch_block(const chain *c, uint16_t netuid);

/* -------------------------------------------------- accounts and stake */

/* Mint free balance to a coldkey (genesis, faucet). */
int chain_fund(chain *c, const char *coldkey, uint64_t rao, err *e);
uint64_t chain_balance(const chain *c, const char *coldkey);
/* Move rao from coldkey's free balance to hotkey's stake on netuid, 1:1 (no
 * AMM pool is modelled). A hotkey is owned by the first coldkey that stakes to
 * or registers it; staking someone else's hotkey is nominating and allowed. */
int chain_add_stake(chain *c, const char *coldkey, const char *hotkey, uint16_t netuid,
                    uint64_t rao, err *e);
/* Stake of a hotkey on a subnet (rao), registered or not. */
uint64_t chain_stake(const chain *c, const char *hotkey, uint16_t netuid);

/* ---------------------------------------------------------- registration */

/* Burned registration (do_burned_registration): the coldkey pays the subnet's
 * burn; the hotkey takes the next uid, or when the subnet is full the uid that
 * get_neuron_to_prune picks (SPEC §1.2). *uid_out may be NULL. */
int chain_register(chain *c, uint16_t netuid, const char *hotkey, const char *coldkey,
                   uint16_t *uid_out, err *e);
/* Publish an axon (ip host order, port). */
int chain_serve_axon(chain *c, uint16_t netuid, const char *hotkey, uint32_t ip,
                     uint16_t port, err *e);

/* --------------------------------------------------------------- weights */

/* set_weights as the extrinsic: refused while commit-reveal is on. Validation
 * in subtensor's order; values are stored max-upscaled. */
int chain_set_weights(chain *c, uint16_t netuid, const char *hotkey, const uint16_t *uids,
                      const uint16_t *values, size_t n, uint64_t version_key, err *e);
/* Commit a hash (chain_commit_hash) of the weights to reveal later. */
int chain_commit_weights(chain *c, uint16_t netuid, const char *hotkey, const uint8_t hash[32],
                         err *e);
/* Reveal: allowed only in the epoch index commit_epoch + RevealPeriodEpochs;
 * the weights then pass set_weights' validation and are stored. */
int chain_reveal_weights(chain *c, uint16_t netuid, const char *hotkey, const uint16_t *uids,
                         const uint16_t *values, size_t n, uint64_t salt, uint64_t version_key,
                         err *e);
/* The commit hash over (hotkey, netuid, uids, values, salt, version): a fast
 * 256-bit digest, not a cryptographic one (subtensor uses BLAKE2 over SCALE;
 * in the simulation no one searches for collisions, so the commitment only
 * has to show nothing and open with exactly the committed values). */
void chain_commit_hash(const char *hotkey, uint16_t netuid, const uint16_t *uids,
                       const uint16_t *values, size_t n, uint64_t salt, uint64_t version_key,
                       uint8_t out[32]);
/* vec_u16_max_upscale_to_u16: scale so the largest entry is 65535, rounded
 * half away from zero in I32F32 as the chain does. out may alias in. */
void chain_max_upscale_u16(const uint16_t *in, uint16_t *out, size_t n);

/* --------------------------------------------------------------- queries */

/* Neurons on the subnet (SubnetworkN); 0 for an unknown subnet. */
uint16_t chain_subnet_n(const chain *c, uint16_t netuid);
const chain_neuron *chain_neuron_get(const chain *c, uint16_t netuid, uint16_t uid);
/* The uid of a registered hotkey, or -1. */
int chain_uid_of(const chain *c, uint16_t netuid, const char *hotkey);
/* Stake of the neuron at uid on netuid (0 if none). */
uint64_t chain_neuron_stake(const chain *c, uint16_t netuid, uint16_t uid);
/* The stored weights row of uid: what anyone reading the chain sees. With
 * commit-reveal on this is only what was revealed, so a copier lags a full
 * reveal period. Empty for an unknown subnet or uid. */
chain_row_view chain_weights_row(const chain *c, uint16_t netuid, uint16_t uid);
/* The bonds row of uid as the last epoch stored it. */
chain_row_view chain_bonds_row(const chain *c, uint16_t netuid, uint16_t uid);
/* Unrevealed, unexpired commits of uid (at the current block). */
uint32_t chain_pending_commits(const chain *c, uint16_t netuid, uint16_t uid);

/* --------------------------------------------------------------- records */

/* The chain's record tables (rt_table; the store adds run_id first):
 *   neuron        one row per registration (a tenure starts)
 *   neuron_exit   one row per deregistration (a tenure ends: pruned)
 *   chain_epoch   one row per subnet epoch: emission drained and paid
 *   epoch_neuron  one row per uid per recorded epoch (cadence: epoch_every)
 *   weight_event  one row per set_weights, commit or reveal (no values)
 *   weight        weight rows as the epoch used them, every weights_every-th
 *                 epoch, only rows changed since last recorded: a blob of one
 *                 u16 per uid (chain_row_encode)
 *   bond          the same for bonds after the epoch (bonds_every)
 * Sizes for a 256-uid subnet over 7,200 epochs: tests/bench/RESULTS.md. */
extern const rt_table chain_table_neuron, chain_table_neuron_exit, chain_table_epoch,
    chain_table_epoch_neuron, chain_table_weight_event, chain_table_weight, chain_table_bond;
/* All of them, NULL-terminated (for a store that creates tables up front). */
extern const rt_table *const chain_tables[];

typedef struct chain_record_opts {
    uint32_t epoch_every;     /* epoch_neuron rows every k-th epoch of a subnet; 0 = never (1) */
    uint32_t weights_every;   /* weight snapshots every k-th epoch; 0 = never (20) */
    uint32_t bonds_every;     /* bond snapshots every k-th epoch; 0 = never (20) */
    bool weight_events;       /* weight_event rows (true) */
} chain_record_opts;

void chain_record_opts_default(chain_record_opts *o);

/* Turns chain events into rt_record-style rows on a sink (the runner passes
 * one that calls rt_record; tests collect in memory). */
typedef struct chain_recorder chain_recorder;

int chain_recorder_new(const chain_record_opts *o, rt_sink sink, chain_recorder **out);
void chain_recorder_free(chain_recorder *r);
/* Role ("miner", "validator", "owner"), scenario group and label (strategy or
 * policy) that the neuron table shows for a hotkey; registrations before this
 * show NULL. Any of role, group, label may be NULL. */
int chain_recorder_label(chain_recorder *r, const char *hotkey, const char *role,
                         const char *group, const char *label);
/* An observer for chain_add_observer that feeds this recorder. */
chain_observer chain_recorder_observer(chain_recorder *r);
/* The first error the sink returned (sticky), 0 if none; later events are
 * dropped once it is set. */
int chain_recorder_error(const chain_recorder *r);

/* Blob format of weight and bond rows: the store's u16 vector (store.h,
 * store_u16vec_encode), so the store's vector views list the entries: one
 * big-endian u16 per uid from uid 0, trailing zeros dropped (an explicit zero
 * weight and a missing one look the same here). encode writes at most
 * 2 * (last uid + 1) bytes and returns the length; decode fills v[0..n) and
 * returns the entries the blob held, or -1 if its length is odd or above n. */
size_t chain_row_encode(chain_row_view row, uint8_t *out);
long chain_row_decode(const void *blob, size_t len, uint16_t *v, size_t n);
/* A sink that writes through rt_record (records then go where the run's go). */
rt_sink chain_rt_sink(rt *r);

/* ------------------------------------------------------ the chain actor */

/* The chain as an actor on the runtime (sim/chain/chain_actor.c): it answers
 * the PROTO_CHAIN_* requests of sim/net/protocol.h and keeps the chain's block
 * on the runtime's clock, block = start block + (now - start time) / block_time,
 * advancing the chain before serving each request. Its only timers are the
 * epochs' blocks, so epochs (and their records) happen on time even when no one
 * calls; a reveal window needs no timer (expiry is lazy, and the commit reply
 * tells the validator its window). */
typedef struct chain_actor chain_actor;

typedef struct chain_actor_opts {
    const char *name;        /* actor name: "chain" when NULL */
    rt_time block_time;      /* RT_MS(12000) when 0 (SPEC §1.1) */
} chain_actor_opts;

/* Adds the actor to r (before rt_run). The chain stays the caller's; both must
 * outlive the run. */
int chain_actor_new(rt *r, chain *c, const chain_actor_opts *o, chain_actor **out, err *e);
void chain_actor_free(chain_actor *a);
rt_actor chain_actor_id(const chain_actor *a);
/* The block at time t, and the time block b starts. */
uint64_t chain_actor_block_at(const chain_actor *a, rt_time t);
rt_time chain_actor_time_of(const chain_actor *a, uint64_t block);
/* Bring the chain to the current time's block and re-arm the epoch timer: for
 * a runner that changed the chain directly (hyperparameters, genesis stake). */
int chain_actor_sync(chain_actor *a, err *e);

#endif
