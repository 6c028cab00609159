/* The epoch core, fast: the values of yuma_ref.c (the tests hold every output
 * to the reference's, bit for bit) computed with branch-free loops, reciprocal
 * multiplications instead of divisions and a weighted selection on packed keys
 * instead of rebuilding sparse rows at each step.
 *
 * Its bounds, outside which it declines and the reference runs: every weight
 * row sums below 2^31 (the chain's I32F32 row sum would wrap), at most 255
 * validators with active stake, bonds_moving_average at most 1e6. */
#include "chain/yuma_fast.h"

#include <string.h>

/* Weights: previous permit holders' rows, masked, row-normalised. */
static int fast_weights(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    uint32_t n = in->n, out = 0;
    const yuma_csr *W = &in->weights;
    ymat *w = &ws->w;
    uint32_t owner = p->owner_uid >= 0 ? (uint32_t)p->owner_uid : UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        w->row[i] = out;
        if (!in->validator_permit[i])
            continue;
        uint64_t updated = in->last_update[i];
        uint64_t committed = in->commit_block ? in->commit_block[i] : UINT64_MAX;
        uint32_t start = out, self = i == owner ? UINT32_MAX : i;
        uint64_t sum = 0;
        for (uint32_t k = W->row_start[i]; k < W->row_start[i + 1]; k++) {
            uint32_t j = W->col[k];
            uint64_t reg = in->registered_at[j];
            bool keep = (j != self) & (updated > reg) & (committed >= reg);
            w->col[out] = (uint16_t)j;
            w->val[out] = W->val[k];
            sum += keep ? W->val[k] : 0;
            out += keep;
        }
        if (sum >= ((uint64_t)1 << 31))
            return YUMA_FAST_DECLINED;   /* the chain's row sum wraps */
        if (sum == 0)
            continue;                    /* all zero: nothing to divide */
        ydiv v = ydiv_make(sum);
        for (uint32_t q = start; q < out; q++)
            w->val[q] = (fx)ydiv_u64(v, (uint64_t)w->val[q] << 32);
    }
    w->row[n] = out;
    return 0;
}

/* weighted_median_col_sparse over the rows with active stake. */
static int fast_consensus(yuma_ws *ws, const yuma_params *p, uint32_t n)
{
    uint32_t use = yuma_use_rows(ws, n);
    if (use == 0) {
        memset(ws->consensus, 0, n * sizeof *ws->consensus);
        return 0;
    }
    if (use > 255)
        return YUMA_FAST_DECLINED;   /* keys hold the row in 8 bits */
    fast_normalize(ws->use_stake, use);
    fx total = 0;
    for (uint32_t k = 0; k < use; k++)
        total += ws->use_stake[k];
    fx minority = total - fx_u16_proportion(p->kappa);

    size_t cells = (size_t)use * n;
    if (cells > ws->keymat_cap) {
        if (!GROW(ws->keymat, cells))
            return ERR_NOMEM;
        ws->keymat_cap = cells;
    }
    uint64_t *km = ws->keymat;
    const ymat *w = &ws->w;
    /* column j's keys at km[j * use ...]: a row's missing entries are zeros */
    for (uint32_t k = 0; k < use; k++) {
        uint32_t i = ws->use_rows[k];
        for (uint32_t j = 0; j < n; j++)
            km[(size_t)j * use + k] = k;
        for (uint32_t q = w->row[i]; q < w->row[i + 1]; q++)
            km[(size_t)w->col[q] * use + k] = ((uint64_t)w->val[q] << 8) | k;
    }
    for (uint32_t j = 0; j < n; j++) {
        uint64_t key = yuma_select_key(km + (size_t)j * use, ws->keytmp, use, ws->use_stake,
                                       minority);
        ws->consensus[j] = (fx)(key >> 8);
    }
    return 0;
}

/* Clipping at consensus, validator trust, ranks before and after clipping,
 * trust, incentive. */
static void fast_clip_rank(yuma_ws *ws, uint32_t n)
{
    const ymat *w = &ws->w;
    ymat *wc = &ws->wc;
    const fx *cons = ws->consensus;
    fx *ranks = ws->ranks, *pre = ws->preranks;
    memset(ranks, 0, n * sizeof *ranks);
    memset(pre, 0, n * sizeof *pre);
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        wc->row[i] = out;
        uint64_t s = (uint64_t)ws->active_stake[i], vt = 0;
        uint32_t a = w->row[i], e = w->row[i + 1];
        if (s == 0) {   /* no stake: only the clipped row and its sum */
            for (uint32_t q = a; q < e; q++) {
                uint32_t j = w->col[q];
                fx v = w->val[q], th = cons[j];
                fx c = th < v ? th : v;
                wc->col[out] = (uint16_t)j;
                wc->val[out] = c;
                out += !(th < v && th <= 0);
                vt += (uint64_t)c;
            }
        } else {
            for (uint32_t q = a; q < e; q++) {
                uint32_t j = w->col[q];
                fx v = w->val[q], th = cons[j];
                fx c = th < v ? th : v;
                pre[j] += (fx)mul32(s, (uint64_t)v);
                ranks[j] += (fx)mul32(s, (uint64_t)c);
                wc->col[out] = (uint16_t)j;
                wc->val[out] = c;
                out += !(th < v && th <= 0);   /* clipped to a zero consensus: dropped */
                vt += (uint64_t)c;
            }
        }
        ws->vtrust[i] = (fx)vt;
    }
    wc->row[n] = out;
    for (uint32_t j = 0; j < n; j++) {   /* ranks <= preranks <= 1 */
        uint64_t r = (uint64_t)ranks[j], q = (uint64_t)pre[j];
        ws->trust[j] = q == 0 ? 0 : r < ((uint64_t)1 << 32) ? (fx)((r << 32) / q)
                                                             : fx_safe_div((fx)r, (fx)q);
    }
    memcpy(ws->incentive, ranks, n * sizeof *ranks);
    fast_normalize(ws->incentive, n);
}

int yuma_fast_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e)
{
    int r = yuma_dense_core(ws, p, in, e);
    if (r != YUMA_FAST_DECLINED) {
        ws->ran = YUMA_CORE_DENSE;
        return r;
    }
    r = fast_weights(ws, p, in);
    if (!r)
        r = fast_consensus(ws, p, in->n);
    if (r == ERR_NOMEM)
        return err_set(e, ERR_NOMEM, "out of memory for the consensus of %u uids", in->n);
    if (r)
        return r;
    fast_clip_rank(ws, in->n);
    ws->ran = YUMA_CORE_SPARSE;
    if (p->yuma3 && yuma_fast_bonds(ws, p, in) == 0)
        return 0;
    yuma_fast_ref_bonds(ws, p, in);
    return 0;
}
