/* set_weights, commit-reveal and the u16 max-upscale (SPEC §1.3; subtensor
 * subnets/weights.rs do_set_weights, do_commit_weights, do_reveal_weights,
 * check_rate_limit, is_reveal_block_range, is_commit_expired; epoch/math.rs
 * vec_max_upscale_to_u16, check_vec_max_limited). */
#include "chain/chain_internal.h"

#include <string.h>

/* ------------------------------------------------------------ fixed point */

/* I32F32 values as int64 with 32 fraction bits; all inputs here are
 * non-negative, so the fixed crate's truncating division is a floor and
 * round() (half away from zero) is floor(x + 1/2). */
#define FX_ONE ((uint64_t)1 << 32)

static uint16_t fx_round_u16(uint64_t fx)
{
    uint64_t r = (fx + (FX_ONE >> 1)) >> 32;
    return r > CHAIN_U16_MAX ? CHAIN_U16_MAX : (uint16_t)r;
}

void chain_max_upscale_u16(const uint16_t *in, uint16_t *out, size_t n)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (in[i] > max)
            max = in[i];
    if (max == 0) {
        for (size_t i = 0; i < n; i++)
            out[i] = 0;
        return;
    }
    if (max == CHAIN_U16_MAX) {
        /* The quotient below is exactly 1 << 32: every entry maps to itself (the
         * usual case: clients send rows already upscaled). */
        memmove(out, in, n * sizeof *in);
        return;
    }
    if (max > 32768) {
        /* e * (65535 / max): the quotient first, as the chain does above 32768. */
        uint64_t q = ((uint64_t)CHAIN_U16_MAX << 32) / max;
        for (size_t i = 0; i < n; i++)
            out[i] = fx_round_u16((uint64_t)in[i] * q);
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = fx_round_u16((((uint64_t)in[i] * CHAIN_U16_MAX) << 32) / max);
}

/* check_vec_max_limited: after normalising the row to sum 1, its largest entry
 * may not exceed limit/65535 (both in I32F32). */
static bool max_weight_ok(const uint16_t *w, size_t n, uint16_t limit)
{
    uint64_t sum = 0, max = 0;
    for (size_t i = 0; i < n; i++) {
        sum += w[i];
        if (w[i] > max)
            max = w[i];
    }
    if (n == 0)
        return true;
    uint64_t lim_fx = ((uint64_t)limit << 32) / CHAIN_U16_MAX;
    uint64_t max_fx = sum ? (max << 32) / sum : max << 32;
    return max_fx <= lim_fx;
}

/* ------------------------------------------------------------------ rows */

void chain_row_free(chain_row *r)
{
    free(r->uid);
    free(r->val);
    *r = (chain_row){0};
}

static int row_reserve(chain_row *r, uint32_t n)
{
    if (n <= r->cap)
        return 0;
    uint16_t *u = realloc(r->uid, (size_t)n * sizeof *u);
    if (!u)
        return ERR_NOMEM;
    r->uid = u;
    uint16_t *v = realloc(r->val, (size_t)n * sizeof *v);
    if (!v)
        return ERR_NOMEM;
    r->val = v;
    r->cap = n;
    return 0;
}

/* Store (uid, value) pairs sorted by uid (the order carries no meaning on
 * chain; yuma wants rows sorted). */
int chain_row_set(chain_row *r, const uint16_t *uids, const uint16_t *values, size_t n)
{
    if (row_reserve(r, (uint32_t)n))
        return ERR_NOMEM;
    bool sorted = true;   /* the usual case: clients send rows sorted by uid */
    for (size_t i = 1; i < n; i++)
        sorted &= uids[i - 1] <= uids[i];
    if (sorted && n) {
        memcpy(r->uid, uids, n * sizeof *uids);
        memcpy(r->val, values, n * sizeof *values);
        r->len = (uint32_t)n;
        return 0;
    }
    r->len = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t at = r->len;
        while (at > 0 && r->uid[at - 1] > uids[i]) {
            r->uid[at] = r->uid[at - 1];
            r->val[at] = r->val[at - 1];
            at--;
        }
        r->uid[at] = uids[i];
        r->val[at] = values[i];
        r->len++;
    }
    return 0;
}

void chain_csr_free(chain_csr *m)
{
    VEC_FREE(&m->rs);
    VEC_FREE(&m->col);
    VEC_FREE(&m->val);
}

int chain_csr_push_row(chain_csr *m)
{
    uint32_t end = m->rs.v[m->rs.len - 1];
    return VEC_PUSH(&m->rs, end);
}

void chain_csr_clear_row(chain_csr *m, uint16_t i)
{
    uint32_t from = m->rs.v[i], to = m->rs.v[i + 1], k = to - from;
    if (!k)
        return;
    size_t tail = m->rs.v[m->rs.len - 1] - to;
    memmove(m->col.v + from, m->col.v + to, tail * sizeof *m->col.v);
    memmove(m->val.v + from, m->val.v + to, tail * sizeof *m->val.v);
    for (size_t j = (size_t)i + 1; j < m->rs.len; j++)
        m->rs.v[j] -= k;
    m->col.len -= k;
    m->val.len -= k;
}

/* ------------------------------------------------------------ validation */

static bool is_self_weight(uint16_t uid, const uint16_t *uids, size_t n)
{
    return n == 1 && uids[0] == uid;
}

static bool check_rate_limit(const chain_subnet *s, const chain_nstate *nr, uint64_t block)
{
    uint64_t last = nr->pub.last_update;
    if (last == 0)
        return true;   /* storage default: never set */
    return (block > last ? block - last : 0) >= s->p.weights_rate_limit;
}

/* The checks of do_set_weights after the commit-reveal gate, in subtensor's
 * order; on success `up` holds the max-upscaled values. */
static int validate_weights(const chain *c, const chain_subnet *s, const chain_nstate *nr,
                            const char *what, const uint16_t *uids, const uint16_t *values,
                            size_t n, uint64_t version_key, uint16_t *up, err *e)
{
    unsigned net = s->p.netuid;
    if (n > s->n)
        return err_set(e, ERR_INPUT, "%s: %zu uids but subnet %u has %u neurons "
                       "(UidsLengthExceedUidsInSubNet)", what, n, net, (unsigned)s->n);
    uint64_t stake = c->stakes.v[nr->slot];
    if (stake < s->p.stake_threshold)
        return err_set(e, ERR_INPUT, "%s: hotkey '%s' has %llu rao staked, %llu needed "
                       "(NotEnoughStakeToSetWeights)", what, nr->pub.hotkey,
                       (unsigned long long)stake, (unsigned long long)s->p.stake_threshold);
    if (s->p.weights_version_key && version_key < s->p.weights_version_key)
        return err_set(e, ERR_INPUT, "%s: version key %llu is below the subnet's %llu "
                       "(IncorrectWeightVersionKey)", what, (unsigned long long)version_key,
                       (unsigned long long)s->p.weights_version_key);
    if (!s->p.commit_reveal && !check_rate_limit(s, nr, c->block))
        return err_set(e, ERR_BUSY, "%s: uid %u set weights at block %llu, the rate limit is %llu "
                       "blocks (SettingWeightsTooFast)", what, (unsigned)nr->pub.uid,
                       (unsigned long long)nr->pub.last_update,
                       (unsigned long long)s->p.weights_rate_limit);
    bool self = is_self_weight(nr->pub.uid, uids, n);
    if (!self && !nr->pub.validator_permit)
        return err_set(e, ERR_INPUT, "%s: uid %u has no validator permit (NeuronNoValidatorPermit)",
                       what, (unsigned)nr->pub.uid);
    /* Uids in increasing order (as clients send them) hold no duplicate and
     * end with the largest; any other order takes a bitmap over the uids
     * present (the chain's check is quadratic). */
    bool increasing = true;
    for (size_t i = 1; i < n; i++)
        increasing &= uids[i - 1] < uids[i];
    uint16_t top = n ? uids[n - 1] : 0;
    if (!increasing) {
        uint64_t seen[1024];
        for (size_t i = 0; i < n; i++)
            top = uids[i] > top ? uids[i] : top;
        memset(seen, 0, ((size_t)top / 64 + 1) * sizeof *seen);
        for (size_t i = 0; i < n; i++) {
            uint64_t bit = (uint64_t)1 << (uids[i] & 63);
            if (seen[uids[i] >> 6] & bit)
                return err_set(e, ERR_INPUT, "%s: uid %u appears twice (DuplicateUids)", what,
                               (unsigned)uids[i]);
            seen[uids[i] >> 6] |= bit;
        }
    }
    for (size_t i = 0; top >= s->n && i < n; i++)
        if (uids[i] >= s->n)
            return err_set(e, ERR_INPUT, "%s: uid %u does not exist on subnet %u "
                           "(UidVecContainInvalidOne)", what, (unsigned)uids[i], net);
    size_t min = s->p.min_allowed_weights < s->n ? s->p.min_allowed_weights : s->n;
    if (!self && n < min)
        return err_set(e, ERR_INPUT, "%s: %zu weights, subnet %u needs at least %zu "
                       "(WeightVecLengthIsLow)", what, n, net, min);
    chain_max_upscale_u16(values, up, n);
    if (!self && s->p.max_weight_limit != CHAIN_U16_MAX &&
        !max_weight_ok(up, n, s->p.max_weight_limit))
        return err_set(e, ERR_INPUT, "%s: a weight exceeds the limit %u/65535 (MaxWeightExceeded)",
                       what, (unsigned)s->p.max_weight_limit);
    return 0;
}

/* Common front of every weights call: the subnet, the lengths, the neuron. */
static int weights_target(const chain *c, uint16_t netuid, const char *hotkey, const char *what,
                          size_t nuids, size_t nvalues, chain_subnet **s, chain_nstate **nr,
                          err *e)
{
    *s = chain_subnet_find(c, netuid);
    if (!*s)
        return err_set(e, ERR_NOTFOUND, "%s: subnet %u does not exist (SubnetNotExists)", what,
                       (unsigned)netuid);
    if (nuids != nvalues)
        return err_set(e, ERR_INPUT, "%s: %zu uids but %zu values (WeightVecNotEqualSize)", what,
                       nuids, nvalues);
    *nr = hotkey ? chain_nstate_of(c, *s, hotkey) : NULL;
    if (!*nr)
        return err_set(e, ERR_INPUT, "%s: hotkey '%s' is not registered on subnet %u "
                       "(HotKeyNotRegisteredInSubNet)", what, hotkey ? hotkey : "",
                       (unsigned)netuid);
    return 0;
}

static int store_weights(chain *c, chain_subnet *s, chain_nstate *nr, chain_weights_kind kind,
                         const uint16_t *uids, const uint16_t *up, size_t n, uint64_t commit_block)
{
    if (chain_row_set(&nr->weights, uids, up, n))
        return ERR_NOMEM;
    s->wcsr_dirty = true;
    if (!s->p.commit_reveal)
        nr->pub.last_update = c->block;
    chain_weights_event ev = {
        .kind = kind, .netuid = s->p.netuid, .uid = nr->pub.uid, .hotkey = nr->pub.hotkey,
        .block = c->block, .row = {nr->weights.uid, nr->weights.val, nr->weights.len},
        .commit_block = commit_block,
    };
    CHAIN_EMIT(c, on_weights, &ev);
    return 0;
}

int chain_set_weights(chain *c, uint16_t netuid, const char *hotkey, const uint16_t *uids,
                      const uint16_t *values, size_t n, uint64_t version_key, err *e)
{
    chain_subnet *s;
    chain_nstate *nr;
    int rc = weights_target(c, netuid, hotkey, "set_weights", n, n, &s, &nr, e);
    if (rc)
        return rc;
    if (s->p.commit_reveal)
        return err_set(e, ERR_INPUT, "set_weights: subnet %u uses commit-reveal; commit and reveal "
                       "instead (CommitRevealEnabled)", (unsigned)netuid);
    uint16_t *up = malloc((n ? n : 1) * sizeof *up);
    if (!up)
        return err_set(e, ERR_NOMEM, "set_weights: out of memory");
    rc = validate_weights(c, s, nr, "set_weights", uids, values, n, version_key, up, e);
    if (!rc && store_weights(c, s, nr, CHAIN_WEIGHTS_SET, uids, up, n, 0))
        rc = err_set(e, ERR_NOMEM, "set_weights: out of memory");
    free(up);
    return rc;
}

/* ---------------------------------------------------------- commit-reveal */

/* A 256-bit digest of every field in four 64-bit multiply-xorshift lanes.
 * Fast on purpose (64 validators committing 200 weights each epoch for a
 * simulated month would otherwise spend seconds in SHA-256) and not a
 * cryptographic commitment: in the simulation no one searches for collisions;
 * what is modelled is that the hash shows nothing and only the committed
 * weights, salt and version open it. */
typedef struct lanes {
    uint64_t h[4];
    uint64_t k;
} lanes;

static uint64_t lane_mix(uint64_t h, uint64_t w, uint64_t k)
{
    h = (h ^ (w + k * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
}

static void lanes_add(lanes *l, uint64_t w)
{
    l->h[l->k & 3] = lane_mix(l->h[l->k & 3], w, l->k);
    l->k++;
}

/* Four u16s from p as one word, the first in the low bits (one load on a
 * little-endian machine, the same word on any). */
static uint64_t four_u16(const uint16_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 32 | (uint64_t)p[3] << 48;
}

void chain_commit_hash(const char *hotkey, uint16_t netuid, const uint16_t *uids,
                       const uint16_t *values, size_t n, uint64_t salt, uint64_t version_key,
                       uint8_t out[32])
{
    lanes l = {{0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                0x082efa98ec4e6c89ULL}, 0};
    lanes_add(&l, hash64_str(hotkey));
    lanes_add(&l, (uint64_t)netuid << 32 | (uint32_t)n);
    lanes_add(&l, salt);
    lanes_add(&l, version_key);
    /* Then four uids a word and their four values the next; the length above
     * fixes where a last, partial group ends. Eight entries (four words, one
     * a lane) at a time, so the four chains run side by side in registers. */
    size_t k = 0;
    uint64_t h0 = l.h[0], h1 = l.h[1], h2 = l.h[2], h3 = l.h[3];
    for (; k + 8 <= n; k += 8, l.k += 4) {
        h0 = lane_mix(h0, four_u16(uids + k), l.k);
        h1 = lane_mix(h1, four_u16(values + k), l.k + 1);
        h2 = lane_mix(h2, four_u16(uids + k + 4), l.k + 2);
        h3 = lane_mix(h3, four_u16(values + k + 4), l.k + 3);
    }
    l.h[0] = h0, l.h[1] = h1, l.h[2] = h2, l.h[3] = h3;
    for (; k < n; k += 4) {
        uint16_t u[4] = {0}, v[4] = {0};
        for (size_t i = 0; i < 4 && k + i < n; i++)
            u[i] = uids[k + i], v[i] = values[k + i];
        lanes_add(&l, four_u16(u));
        lanes_add(&l, four_u16(v));
    }
    uint64_t all = hash64_mix(hash64_mix(l.h[0], l.h[1]), hash64_mix(l.h[2], l.h[3]));
    for (int i = 0; i < 4; i++) {
        uint64_t v = hash64_mix(all, l.h[i] ^ (uint64_t)i);
        for (int b = 0; b < 8; b++)
            out[8 * i + b] = (uint8_t)(v >> (8 * b));
    }
}

static bool commit_expired(const chain_subnet *s, uint64_t commit_block, uint64_t block)
{
    uint64_t ce = chain_epoch_index(s->p.netuid, s->p.tempo, commit_block);
    return chain_epoch_index(s->p.netuid, s->p.tempo, block) > ce + s->p.reveal_period_epochs;
}

/* How many commits at the front of the queue have expired by `block`. */
static uint32_t expired_front(const chain_subnet *s, const chain_commits *q, uint64_t block)
{
    uint32_t k = 0;
    while (k < q->len && commit_expired(s, q->v[k].block, block))
        k++;
    return k;
}

static void drop_front(chain_commits *q, uint32_t k)
{
    memmove(q->v, q->v + k, (q->len - k) * sizeof *q->v);
    q->len -= k;
}

uint64_t chain_earliest_commit(const chain_subnet *s, const chain_nstate *nr, uint64_t block)
{
    const chain_commits *q = &nr->commits;
    uint32_t k = expired_front(s, q, block);
    return k < q->len ? q->v[k].block : UINT64_MAX;
}

uint32_t chain_pending_commits(const chain *c, uint16_t netuid, uint16_t uid)
{
    chain_subnet *s = chain_subnet_find(c, netuid);
    if (!s || uid >= s->n)
        return 0;
    const chain_commits *q = &s->nrn[uid].commits;
    uint32_t live = 0;
    for (uint32_t i = 0; i < q->len; i++)
        live += !commit_expired(s, q->v[i].block, c->block);
    return live;
}

int chain_commit_weights(chain *c, uint16_t netuid, const char *hotkey, const uint8_t hash[32],
                         err *e)
{
    chain_subnet *s;
    chain_nstate *nr;
    int rc = weights_target(c, netuid, hotkey, "commit_weights", 0, 0, &s, &nr, e);
    if (rc)
        return rc;
    if (!s->p.commit_reveal)
        return err_set(e, ERR_INPUT, "commit_weights: commit-reveal is off on subnet %u "
                       "(CommitRevealDisabled)", (unsigned)netuid);
    if (!check_rate_limit(s, nr, c->block))
        return err_set(e, ERR_BUSY, "commit_weights: uid %u committed at block %llu, the rate "
                       "limit is %llu blocks (CommittingWeightsTooFast)", (unsigned)nr->pub.uid,
                       (unsigned long long)nr->pub.last_update,
                       (unsigned long long)s->p.weights_rate_limit);
    chain_commits *q = &nr->commits;
    uint32_t gone = expired_front(s, q, c->block);
    if (q->len - gone >= CHAIN_MAX_UNREVEALED)
        return err_set(e, ERR_BUSY, "commit_weights: uid %u already has %d unrevealed commits "
                       "(TooManyUnrevealedCommits)", (unsigned)nr->pub.uid, CHAIN_MAX_UNREVEALED);
    drop_front(q, gone);
    memcpy(q->v[q->len].hash, hash, 32);
    q->v[q->len].block = c->block;
    q->len++;
    nr->pub.last_update = c->block;   /* the commit is the activity under commit-reveal */
    chain_weights_event ev = {
        .kind = CHAIN_WEIGHTS_COMMITTED, .netuid = netuid, .uid = nr->pub.uid,
        .hotkey = nr->pub.hotkey, .block = c->block,
    };
    CHAIN_EMIT(c, on_weights, &ev);
    return 0;
}

/* Which commit a reveal matches, or the error the chain gives. */
static int reveal_find(const chain *c, const chain_subnet *s, const chain_nstate *nr,
                       const uint8_t hash[32], uint32_t *pos, err *e)
{
    const chain_commits *q = &nr->commits;
    unsigned uid = nr->pub.uid;
    if (q->len == 0)
        return err_set(e, ERR_INPUT, "reveal_weights: uid %u has no commit (NoWeightsCommitFound)",
                       uid);
    uint32_t gone = expired_front(s, q, c->block);
    for (uint32_t i = gone; i < q->len; i++)
        if (!memcmp(q->v[i].hash, hash, 32)) {
            *pos = i;
            uint64_t ce = chain_epoch_index(s->p.netuid, s->p.tempo, q->v[i].block);
            uint64_t now = chain_epoch_index(s->p.netuid, s->p.tempo, c->block);
            if (now != ce + s->p.reveal_period_epochs)
                return err_set(e, ERR_INPUT, "reveal_weights: uid %u committed at block %llu "
                               "(epoch %llu); reveals are allowed only in epoch %llu, now %llu "
                               "(RevealTooEarly)", uid, (unsigned long long)q->v[i].block,
                               (unsigned long long)ce,
                               (unsigned long long)(ce + s->p.reveal_period_epochs),
                               (unsigned long long)now);
            return 0;
        }
    for (uint32_t i = 0; i < gone; i++)
        if (!memcmp(q->v[i].hash, hash, 32))
            return err_set(e, ERR_INPUT, "reveal_weights: uid %u's commit at block %llu has "
                           "expired (ExpiredWeightCommit)", uid,
                           (unsigned long long)q->v[i].block);
    if (gone == q->len)
        return err_set(e, ERR_INPUT, "reveal_weights: uid %u has no unexpired commit "
                       "(NoWeightsCommitFound)", uid);
    return err_set(e, ERR_INPUT, "reveal_weights: uid %u: no commit matches these weights, salt "
                   "and version (InvalidRevealCommitHashNotMatch)", uid);
}

int chain_reveal_weights(chain *c, uint16_t netuid, const char *hotkey, const uint16_t *uids,
                         const uint16_t *values, size_t n, uint64_t salt, uint64_t version_key,
                         err *e)
{
    chain_subnet *s;
    chain_nstate *nr;
    int rc = weights_target(c, netuid, hotkey, "reveal_weights", n, n, &s, &nr, e);
    if (rc)
        return rc;
    if (!s->p.commit_reveal)
        return err_set(e, ERR_INPUT, "reveal_weights: commit-reveal is off on subnet %u "
                       "(CommitRevealDisabled)", (unsigned)netuid);
    uint8_t hash[32];
    chain_commit_hash(nr->pub.hotkey, netuid, uids, values, n, salt, version_key, hash);
    uint32_t pos = 0;
    rc = reveal_find(c, s, nr, hash, &pos, e);
    if (rc)
        return rc;
    uint16_t *up = malloc((n ? n : 1) * sizeof *up);
    if (!up)
        return err_set(e, ERR_NOMEM, "reveal_weights: out of memory");
    /* The extrinsic is transactional: if set_weights' checks fail, the commit
     * stays where it was. */
    rc = validate_weights(c, s, nr, "reveal_weights", uids, values, n, version_key, up, e);
    if (!rc) {
        uint64_t commit_block = nr->commits.v[pos].block;
        drop_front(&nr->commits, pos + 1);   /* this commit and every older one */
        if (store_weights(c, s, nr, CHAIN_WEIGHTS_REVEALED, uids, up, n, commit_block))
            rc = err_set(e, ERR_NOMEM, "reveal_weights: out of memory");
    }
    free(up);
    return rc;
}
