/* The reference epoch core: run_epoch.rs from the weights to the dividends,
 * written to follow the chain's code line by line (sparse rows rebuilt at each
 * step, saturating arithmetic everywhere). It is the oracle the fast path in
 * yuma_fast*.c is tested against, and what runs when an input falls outside
 * the fast path's bounds. */
#include "chain/yuma_internal.h"

#include <string.h>

/* Weights as the chain reads and masks them, row-normalised into ws->w. */
static void ref_weights(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    uint32_t n = in->n, out = 0;
    const yuma_csr *W = &in->weights;
    ymat *w = &ws->w;
    for (uint32_t i = 0; i < n; i++) {
        w->row[i] = out;
        if (!in->validator_permit[i])
            continue;                         /* mask_rows_sparse */
        uint64_t updated = in->last_update[i];
        uint64_t committed = in->commit_block ? in->commit_block[i] : UINT64_MAX;
        uint64_t sum = 0;
        uint32_t start = out;
        for (uint32_t k = W->row_start[i]; k < W->row_start[i + 1]; k++) {
            uint16_t j = W->col[k];
            if (j == i && !(p->owner_uid >= 0 && (uint32_t)p->owner_uid == i))
                continue;                     /* mask_diag_sparse(_except_index) */
            uint64_t reg = in->registered_at[j];
            if (updated <= reg)
                continue;                     /* weights set before j registered */
            if (committed < reg)
                continue;                     /* commit-reveal column mask */
            w->col[out] = j;
            w->val[out] = (fx)W->val[k];      /* the integer, scaled below */
            sum += W->val[k];
            out++;
        }
        /* inplace_row_normalize_sparse: the I32F32 row sum is sum << 32, which
         * wraps past 2^31 (as the chain's release build does) and then leaves
         * the row unnormalised; else w / sum = trunc(w * 2^32 / sum). */
        fx sum_bits = (fx)(sum << FX_FRAC);
        for (uint32_t k = start; k < out; k++) {
            uint64_t v = (uint64_t)w->val[k];
            if (sum_bits > 0)
                w->val[k] = (fx)((v << FX_FRAC) / sum);
            else
                w->val[k] = (fx)(v << FX_FRAC);
        }
    }
    w->row[n] = out;
}

/* weighted_median_col_sparse: consensus per column. */
static int ref_consensus(yuma_ws *ws, const yuma_params *p, uint32_t n, err *e)
{
    uint32_t use = yuma_use_rows(ws, n);
    yuma_normalize(ws->use_stake, use);
    fx total = 0;
    for (uint32_t k = 0; k < use; k++)
        total += ws->use_stake[k];
    fx minority = fx_sat_sub(total, fx_u16_proportion(p->kappa));
    if (use == 0) {   /* no active stake: every median is of nothing, 0 */
        memset(ws->consensus, 0, n * sizeof *ws->consensus);
        return 0;
    }

    size_t cells = (size_t)use * n;
    if (cells > ws->colmat_cap) {
        if (!GROW(ws->colmat, cells))
            return err_set(e, ERR_NOMEM, "out of memory for %zu consensus cells", cells);
        ws->colmat_cap = cells;
    }
    memset(ws->colmat, 0, cells * sizeof *ws->colmat);
    const ymat *w = &ws->w;
    for (uint32_t k = 0; k < use; k++) {
        uint32_t i = ws->use_rows[k];
        for (uint32_t q = w->row[i]; q < w->row[i + 1]; q++)
            ws->colmat[(size_t)w->col[q] * use + k] = w->val[q];
    }
    for (uint32_t c = 0; c < n; c++) {
        const fx *col = ws->colmat + (size_t)c * use;
        memcpy(ws->med_v, col, use * sizeof *col);
        memcpy(ws->med_s, ws->use_stake, use * sizeof *ws->med_s);
        ws->consensus[c] = yuma_weighted_median(ws->med_v, ws->med_s, use, minority);
    }
    return 0;
}

/* col_clip_sparse, row_sum_sparse, matmul_sparse, vecdiv, inplace_normalize. */
static void ref_clip_rank(yuma_ws *ws, uint32_t n)
{
    const ymat *w = &ws->w;
    ymat *wc = &ws->wc;
    uint32_t out = 0;
    memset(ws->ranks, 0, n * sizeof *ws->ranks);
    memset(ws->preranks, 0, n * sizeof *ws->preranks);
    for (uint32_t i = 0; i < n; i++) {
        wc->row[i] = out;
        fx s = ws->active_stake[i], vt = 0;
        for (uint32_t q = w->row[i]; q < w->row[i + 1]; q++) {
            uint16_t j = w->col[q];
            fx v = w->val[q], th = ws->consensus[j];
            ws->preranks[j] += fx_mul(s, v);
            if (th < v) {
                if (th <= 0)
                    continue;   /* a zero consensus drops the entry */
                v = th;
            }
            wc->col[out] = j;
            wc->val[out] = v;
            out++;
            vt += v;
            ws->ranks[j] += fx_mul(s, v);
        }
        ws->vtrust[i] = vt;
    }
    wc->row[n] = out;
    for (uint32_t j = 0; j < n; j++)
        ws->trust[j] = ws->preranks[j] != 0 ? fx_safe_div(ws->ranks[j], ws->preranks[j]) : 0;
    memcpy(ws->incentive, ws->ranks, n * sizeof *ws->incentive);
    yuma_normalize(ws->incentive, n);
}


int yuma_ref_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e)
{
    ref_weights(ws, p, in);
    int r = ref_consensus(ws, p, in->n, e);
    if (r)
        return r;
    ref_clip_rank(ws, in->n);
    yuma_ref_bonds_dividends(ws, p, in);
    return 0;
}
