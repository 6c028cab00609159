/* The chain's record tables and the recorder that turns chain events into rows. */
#include "chain/chain_internal.h"
#include "store/store.h"

#include <string.h>

static const rt_column neuron_cols[] = {
    {"netuid", RT_COL_INT, "subnet"},
    {"uid", RT_COL_INT, "uid taken (a pruned uid is reused)"},
    {"hotkey", RT_COL_TEXT, "the neuron's hotkey"},
    {"coldkey", RT_COL_TEXT, "the coldkey that registered it"},
    {"role", RT_COL_TEXT, "miner, validator or owner, as the scenario says (NULL if unknown)"},
    {"group_name", RT_COL_TEXT, "the scenario's validator or miner group (NULL if unknown)"},
    {"label", RT_COL_TEXT, "strategy or policy from the scenario (NULL if none)"},
    {"registered_block", RT_COL_INT, "block of the registration (BlockAtRegistration)"},
    {"burn", RT_COL_INT, "rao burned to register"},
    {"replaced_hotkey", RT_COL_TEXT, "hotkey pruned to make room, NULL when the uid was new"},
};
static const char *const neuron_idx[] = {"netuid, uid", "hotkey", NULL};
const rt_table chain_table_neuron = {"neuron", "one row per registration: a neuron's tenure starts",
                                     neuron_cols, 10, neuron_idx, NULL};

static const rt_column exit_cols[] = {
    {"netuid", RT_COL_INT, "subnet"},
    {"uid", RT_COL_INT, "uid the neuron held"},
    {"hotkey", RT_COL_TEXT, "the pruned neuron's hotkey"},
    {"deregistered_block", RT_COL_INT, "block it was pruned"},
    {"by_hotkey", RT_COL_TEXT, "the registration that took its uid"},
    {"emission", RT_COL_INT, "its stored Emission (rao) when pruned: why it was chosen"},
    {"immune", RT_COL_INT, "1 when it was pruned inside its immunity period"},
};
static const char *const exit_idx[] = {"netuid, uid", NULL};
const rt_table chain_table_neuron_exit = {"neuron_exit",
                                          "one row per deregistration: a neuron's tenure ends",
                                          exit_cols, 7, exit_idx, NULL};

static const rt_column epoch_cols[] = {
    {"netuid", RT_COL_INT, "subnet"},
    {"epoch", RT_COL_INT, "the subnet's epoch count, from 0"},
    {"block", RT_COL_INT, "block the epoch ran at"},
    {"n", RT_COL_INT, "neurons on the subnet"},
    {"emission", RT_COL_INT, "rao drained into the epoch (miners and validators)"},
    {"owner_cut", RT_COL_INT, "rao paid to the owner for these blocks"},
    {"paid_server", RT_COL_INT, "rao paid as incentive"},
    {"paid_validator", RT_COL_INT, "rao paid as dividends"},
};
static const char *const epoch_idx[] = {"netuid, epoch", NULL};
const rt_table chain_table_epoch = {"chain_epoch", "one row per subnet epoch", epoch_cols, 8,
                                    epoch_idx, NULL};

static const rt_column en_cols[] = {
    {"netuid", RT_COL_INT, "subnet"},
    {"epoch", RT_COL_INT, "the subnet's epoch count, from 0"},
    {"block", RT_COL_INT, "block the epoch ran at"},
    {"uid", RT_COL_INT, "uid"},
    {"stake", RT_COL_INT, "stake (rao) the epoch read"},
    {"consensus", RT_COL_INT, "Consensus, u16 proportion (/65535)"},
    {"incentive", RT_COL_INT, "Incentive, u16 proportion"},
    {"dividends", RT_COL_INT, "Dividends, u16 proportion"},
    {"emission", RT_COL_INT, "Emission (rao), combined, as stored"},
    {"server_emission", RT_COL_INT, "rao paid to the uid as a miner"},
    {"validator_emission", RT_COL_INT, "rao paid to the uid as a validator"},
    {"validator_trust", RT_COL_INT, "ValidatorTrust, u16 proportion"},
    {"permit", RT_COL_INT, "1 with a validator permit for the next epoch"},
    {"active", RT_COL_INT, "1 when active (weights within activity_cutoff)"},
};
/* Clustered on (netuid, epoch, uid): the rows arrive in that order, and reports
 * read them by epoch, so the table is its own index. */
const rt_table chain_table_epoch_neuron = {"epoch_neuron", "per uid results of each recorded epoch",
                                           en_cols, 14, NULL, "netuid, epoch, uid"};

static const rt_column we_cols[] = {
    {"netuid", RT_COL_INT, "subnet"},
    {"block", RT_COL_INT, "block of the extrinsic"},
    {"uid", RT_COL_INT, "the validator's uid"},
    {"kind", RT_COL_TEXT, "set, commit or reveal"},
    {"n", RT_COL_INT, "entries stored (0 for a commit)"},
    {"commit_block", RT_COL_INT, "on a reveal: block of the commit revealed"},
};
const rt_table chain_table_weight_event = {"weight_event", "every accepted weights extrinsic",
                                           we_cols, 6, NULL, NULL};

static const rt_column row_cols[] = {
    {"netuid", RT_COL_INT, "subnet"},
    {"epoch", RT_COL_INT, "the subnet's epoch count at the snapshot"},
    {"block", RT_COL_INT, "block of the epoch"},
    {"uid", RT_COL_INT, "the validator's uid (row)"},
    {"n", RT_COL_INT, "entries in the row as stored (explicit zeros included)"},
    {"data", RT_COL_BLOB, "one big-endian u16 per uid from 0, trailing zeros dropped (/65535)"},
};
static const char *const row_idx[] = {"netuid, epoch", NULL};
const rt_table chain_table_weight = {"weight",
                                     "weight rows the epoch used, when changed since last recorded",
                                     row_cols, 6, row_idx, NULL};
const rt_table chain_table_bond = {"bond", "bond rows after the epoch, when changed since last "
                                   "recorded", row_cols, 6, row_idx, NULL};

const rt_table *const chain_tables[] = {
    &chain_table_neuron, &chain_table_neuron_exit, &chain_table_epoch, &chain_table_epoch_neuron,
    &chain_table_weight_event, &chain_table_weight, &chain_table_bond, NULL,
};

void chain_record_opts_default(chain_record_opts *o)
{
    *o = (chain_record_opts){.epoch_every = 1, .weights_every = 20, .bonds_every = 20,
                             .weight_events = true};
}

/* ------------------------------------------------------------ row codec */

size_t chain_row_encode(chain_row_view row, uint8_t *out)
{
    size_t len = 0, next = 0;
    for (uint32_t i = 0; i < row.len; i++) {
        if (!row.values[i])
            continue;
        for (; next < row.uids[i]; next++)
            out[2 * next] = out[2 * next + 1] = 0;
        out[2 * next] = (uint8_t)(row.values[i] >> 8);
        out[2 * next + 1] = (uint8_t)row.values[i];
        next++;
        len = 2 * next;
    }
    return len;
}

/* The blob is the store's u16 vector: its decoder reads it. */
long chain_row_decode(const void *blob, size_t len, uint16_t *v, size_t n)
{
    return store_u16vec_decode(blob, len, v, n);
}

/* ------------------------------------------------------------- recorder */

typedef struct label {
    char *hotkey, *role, *group, *label;
} label;

struct chain_recorder {
    chain_record_opts o;
    rt_sink sink;
    int error;
    VEC(label) labels;
    chain_map last_w, last_b;   /* (netuid << 16 | uid) -> hash of the last recorded row */
    VEC(uint8_t) blob;
};

int chain_recorder_new(const chain_record_opts *o, rt_sink sink, chain_recorder **out)
{
    chain_recorder *r = calloc(1, sizeof *r);
    if (!r)
        return ERR_NOMEM;
    if (o)
        r->o = *o;
    else
        chain_record_opts_default(&r->o);
    r->sink = sink;
    *out = r;
    return 0;
}

void chain_recorder_free(chain_recorder *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->labels.len; i++) {
        free(r->labels.v[i].hotkey);
        free(r->labels.v[i].role);
        free(r->labels.v[i].group);
        free(r->labels.v[i].label);
    }
    VEC_FREE(&r->labels);
    chain_map_free(&r->last_w);
    chain_map_free(&r->last_b);
    VEC_FREE(&r->blob);
    free(r);
}

int chain_recorder_error(const chain_recorder *r) { return r->error; }

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

int chain_recorder_label(chain_recorder *r, const char *hotkey, const char *role,
                         const char *group, const char *lbl)
{
    label l = {strdup(hotkey), dup_or_null(role), dup_or_null(group), dup_or_null(lbl)};
    if (!l.hotkey || (role && !l.role) || (group && !l.group) || (lbl && !l.label) ||
        VEC_PUSH(&r->labels, l)) {
        free(l.hotkey);
        free(l.role);
        free(l.group);
        free(l.label);
        return ERR_NOMEM;
    }
    return 0;
}

static const label *label_of(const chain_recorder *r, const char *hotkey)
{
    /* Latest wins; registrations are rare enough for a scan. */
    for (size_t i = r->labels.len; i-- > 0;)
        if (!strcmp(r->labels.v[i].hotkey, hotkey))
            return &r->labels.v[i];
    return NULL;
}

static void put(chain_recorder *r, const rt_table *t, const rt_val *vals)
{
    if (r->error || !r->sink.write)
        return;
    int rc = r->sink.write(r->sink.ctx, t, vals);
    if (rc)
        r->error = rc;
}

static rt_val text_or_null(const char *s) { return s ? RT_S(s) : RT_NULL; }

static void on_register(void *ctx, const chain *c, const chain_reg_event *ev)
{
    (void)c;
    chain_recorder *r = ctx;
    const label *l = label_of(r, ev->hotkey);
    rt_val v[10] = {
        RT_I(ev->netuid), RT_I(ev->uid), RT_S(ev->hotkey), RT_S(ev->coldkey),
        text_or_null(l ? l->role : NULL), text_or_null(l ? l->group : NULL),
        text_or_null(l ? l->label : NULL), RT_I(ev->block),
        RT_I(ev->burn), text_or_null(ev->replaced_hotkey),
    };
    put(r, &chain_table_neuron, v);
    /* A new occupant: its rows are new even if equal to the old one's. */
    chain_map_del(&r->last_w, chain_hk_net(ev->netuid, ev->uid));
    chain_map_del(&r->last_b, chain_hk_net(ev->netuid, ev->uid));
}

static void on_deregister(void *ctx, const chain *c, const chain_dereg_event *ev)
{
    (void)c;
    rt_val v[7] = {
        RT_I(ev->netuid), RT_I(ev->uid), RT_S(ev->hotkey), RT_I(ev->block),
        text_or_null(ev->by_hotkey), RT_I(ev->emission), RT_I(ev->immune),
    };
    put(ctx, &chain_table_neuron_exit, v);
}

static void on_weights(void *ctx, const chain *c, const chain_weights_event *ev)
{
    (void)c;
    chain_recorder *r = ctx;
    if (!r->o.weight_events)
        return;
    static const char *const kinds[] = {"set", "commit", "reveal"};
    rt_val v[6] = {
        RT_I(ev->netuid), RT_I(ev->block), RT_I(ev->uid), RT_S(kinds[ev->kind]), RT_I(ev->row.len),
        ev->kind == CHAIN_WEIGHTS_REVEALED ? RT_I(ev->commit_block) : RT_NULL,
    };
    put(r, &chain_table_weight_event, v);
}

static uint64_t row_hash(chain_row_view row)
{
    uint64_t h = hash64_mix(0x6a09e667f3bcc908ULL, row.len);
    for (uint32_t i = 0; i < row.len; i++)
        h = hash64_mix(h, (uint64_t)row.uids[i] << 16 | row.values[i]);
    return h;
}

/* Write uid's row if it differs from the one last recorded for that uid. */
static void snapshot_row(chain_recorder *r, const rt_table *t, chain_map *last,
                         const chain_epoch_event *ev, uint16_t uid, chain_row_view row)
{
    uint32_t n = row.len;
    uint64_t key = chain_hk_net(ev->netuid, uid), h = row_hash(row), prev;
    bool had = chain_map_get(last, key, &prev);
    if (had ? prev == h : n == 0)
        return;
    size_t cap = n ? 2 * ((size_t)row.uids[n - 1] + 1) : 1;
    if (VEC_RESERVE(&r->blob, cap) || chain_map_put(last, key, h)) {
        r->error = ERR_NOMEM;
        return;
    }
    size_t len = chain_row_encode(row, r->blob.v);
    rt_val v[6] = {RT_I(ev->netuid), RT_I(ev->epoch), RT_I(ev->block), RT_I(uid), RT_I(n),
                   RT_B(r->blob.v, len)};
    put(r, t, v);
}

static void record_epoch_neurons(chain_recorder *r, const chain *c, const chain_epoch_event *ev)
{
    for (uint16_t u = 0; u < ev->n; u++) {
        const chain_neuron *nr = chain_neuron_get(c, ev->netuid, u);
        rt_val v[14] = {
            RT_I(ev->netuid), RT_I(ev->epoch), RT_I(ev->block), RT_I(u),
            RT_I(ev->stake[u]), RT_I(nr->consensus), RT_I(nr->incentive), RT_I(nr->dividends),
            RT_I(nr->emission), RT_I(nr->server_emission), RT_I(nr->validator_emission),
            RT_I(nr->validator_trust), RT_I(nr->validator_permit), RT_I(nr->active),
        };
        put(r, &chain_table_epoch_neuron, v);
    }
}

static void on_epoch(void *ctx, const chain *c, const chain_epoch_event *ev)
{
    chain_recorder *r = ctx;
    uint64_t srv = 0, val = 0;
    for (uint16_t u = 0; u < ev->n; u++) {
        const chain_neuron *nr = chain_neuron_get(c, ev->netuid, u);
        srv += nr->server_emission;
        val += nr->validator_emission;
    }
    rt_val v[8] = {RT_I(ev->netuid), RT_I(ev->epoch), RT_I(ev->block), RT_I(ev->n),
                   RT_I(ev->emission), RT_I(ev->owner_cut), RT_I(srv), RT_I(val)};
    put(r, &chain_table_epoch, v);
    if (r->o.epoch_every && ev->epoch % r->o.epoch_every == 0)
        record_epoch_neurons(r, c, ev);
    bool w = r->o.weights_every && ev->epoch % r->o.weights_every == 0;
    bool b = r->o.bonds_every && ev->epoch % r->o.bonds_every == 0;
    for (uint16_t u = 0; u < ev->n && (w || b); u++) {
        if (w)
            snapshot_row(r, &chain_table_weight, &r->last_w, ev, u,
                         chain_weights_row(c, ev->netuid, u));
        if (b)
            snapshot_row(r, &chain_table_bond, &r->last_b, ev, u, chain_bonds_row(c, ev->netuid, u));
    }
}

chain_observer chain_recorder_observer(chain_recorder *r)
{
    return (chain_observer){r, on_register, on_deregister, on_weights, on_epoch};
}
