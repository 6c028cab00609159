/* Bonds and dividends, the reference: run_epoch.rs from `weights_for_bonds` to `dividends`,
 * both branches (Yuma 3 and the legacy bonds), sparse as the chain keeps them.
 *
 * Where explicit zeros matter: with bonds_penalty 0 or 65535 the weights for
 * bonds are the (clipped) weight rows themselves, zeros included, and with
 * liquid alpha the EMA is taken only over the columns of a validator's weight
 * row (mat_ema_alpha_sparse): an explicit zero weight decays the bond, a
 * missing one drops it. */
#include "chain/yuma_fast.h"

#include <string.h>

/* interpolate_sparse(W, Wc, n, penalty), as yuma_internal.h says. */
const ymat *yuma_weights_for_bonds(yuma_ws *ws, const yuma_params *p, uint32_t n)
{
    fx ratio = fx_u16_proportion(p->bonds_penalty);
    if (ratio == 0)
        return &ws->w;
    if (ratio == FX_ONE)
        return &ws->wc;
    const ymat *w = &ws->w, *wc = &ws->wc;
    ymat *wb = &ws->wb;
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        wb->row[i] = out;
        uint32_t q2 = wc->row[i], e2 = wc->row[i + 1];
        for (uint32_t q = w->row[i]; q < w->row[i + 1]; q++) {
            uint16_t j = w->col[q];
            fx v1 = w->val[q], v2 = 0;
            if (q2 < e2 && wc->col[q2] == j)   /* Wc's columns are a subset of W's */
                v2 = wc->val[q2++];
            fx v = fx_sat_add(v1, fx_mul(ratio, fx_sat_sub(v2, v1)));
            if (v > 0) {
                wb->col[out] = j;
                wb->val[out] = v;
                out++;
            }
        }
    }
    wb->row[n] = out;
    return wb;
}

uint64_t yuma_bond_cutoff(const yuma_params *p, const yuma_input *in)
{
    uint64_t lms = in->last_epoch_block;
    if (lms)
        return lms == UINT64_MAX ? lms : lms + 1;
    return in->block > p->tempo ? in->block - p->tempo : 0;
}

/* Stored bonds, as get_bonds_sparse (u16 as I32F32) or, for Yuma 3,
 * get_bonds_sparse_fixed_proportion (u16 / 65535), without the bonds to uids
 * registered since the last epoch (scalar_vec_mask_sparse_matrix). */
static void load_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    uint32_t n = in->n, out = 0;
    uint64_t last = yuma_bond_cutoff(p, in);
    const yuma_csr *B = &in->bonds;
    ymat *b = &ws->b;
    for (uint32_t i = 0; i < n; i++) {
        b->row[i] = out;
        for (uint32_t k = B->row_start[i]; k < B->row_start[i + 1]; k++) {
            uint16_t j = B->col[k];
            if (last <= in->registered_at[j])
                continue;
            b->col[out] = j;
            b->val[out] = p->yuma3 ? fx_u16_proportion(B->val[k]) : fx_from_int(B->val[k]);
            out++;
        }
    }
    b->row[n] = out;
}

fx yuma_disabled_alpha(const yuma_params *p)
{
    uint64_t bma = p->bonds_moving_average > (uint64_t)INT64_MAX ? (uint64_t)INT64_MAX
                                                                 : p->bonds_moving_average;
    u128 q = ((u128)bma << 64) / 1000000u;   /* I64F64 bits */
    q >>= 32;
    fx ratio = q > (u128)FX_MAX ? FX_MAX : (fx)q;
    return fx_sat_sub(FX_ONE, ratio);
}

/* mat_ema_sparse(new, old, alpha): alpha new + (1 - alpha) old over the union
 * of both rows' columns, entries > 0, in column order. */
static void ema_fixed(ymat *ema, const ymat *nw, const ymat *old, fx alpha, uint32_t n)
{
    fx keep = fx_sat_sub(FX_ONE, alpha);
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        ema->row[i] = out;
        uint32_t a = nw->row[i], ae = nw->row[i + 1];
        uint32_t b = old->row[i], be = old->row[i + 1];
        while (a < ae || b < be) {
            uint32_t ja = a < ae ? nw->col[a] : UINT32_MAX;
            uint32_t jb = b < be ? old->col[b] : UINT32_MAX;
            uint32_t j = ja < jb ? ja : jb;
            fx v = 0;
            if (ja == j)
                v = fx_sat_add(v, fx_mul(alpha, nw->val[a++]));
            if (jb == j)
                v = fx_sat_add(v, fx_mul(keep, old->val[b++]));
            if (v > 0) {
                ema->col[out] = (uint16_t)j;
                ema->val[out] = v;
                out++;
            }
        }
    }
    ema->row[n] = out;
}

/* compute_liquid_alpha_values_sparse + mat_ema_alpha_sparse: a per-bond alpha
 * from the sigmoid, the EMA over the columns of the weight row only, each
 * value min(1, (1 - a) b + max(a w, 0)). */
static void ema_liquid(yuma_ws *ws, const yuma_params *p, const ymat *wb, uint32_t n)
{
    const ymat *old = &ws->b;
    ymat *ema = &ws->ema;
    fx lo = fx_u16_proportion(p->alpha_low), hi = fx_u16_proportion(p->alpha_high);
    fx sdiv = yuma_steepness_div(p->alpha_sigmoid_steepness);
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        ema->row[i] = out;
        uint32_t b = old->row[i], be = old->row[i + 1];
        for (uint32_t a = wb->row[i]; a < wb->row[i + 1]; a++) {
            uint16_t j = wb->col[a];
            while (b < be && old->col[b] < j)
                b++;
            bool has_bond = b < be && old->col[b] == j;
            fx bond = has_bond ? old->val[b] : 0, w = wb->val[a];
            fx c = ws->consensus[j];
            fx alpha = p->fast_sigmoid ? yuma_alpha_sigmoid_fast(c, w, bond, lo, hi, sdiv)
                                       : yuma_alpha_sigmoid(c, w, bond, lo, hi, sdiv);
            fx decayed = has_bond ? fx_mul(fx_sat_sub(FX_ONE, alpha), bond) : 0;
            fx inc = fx_max(fx_mul(alpha, w), 0);
            fx v = fx_min(fx_sat_add(decayed, inc), FX_ONE);
            if (v > 0) {
                ema->col[out] = j;
                ema->val[out] = v;
                out++;
            }
        }
    }
    ema->row[n] = out;
}

static bool any_consensus(const yuma_ws *ws, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        if (ws->consensus[j] != 0)
            return true;
    return false;
}

/* Yuma 3: dividends_i = active_stake_i * sum_j colnorm(EMA)_ij incentive_j. */
static void yuma3(yuma_ws *ws, const yuma_params *p, const ymat *wb, uint32_t n)
{
    if (p->liquid_alpha && any_consensus(ws, n))
        ema_liquid(ws, p, wb, n);
    else
        ema_fixed(&ws->ema, wb, &ws->b, yuma_disabled_alpha(p), n);
    const ymat *ema = &ws->ema;
    fx *colsum = ws->col_acc;
    memset(colsum, 0, n * sizeof *colsum);
    for (uint32_t q = 0; q < ema->row[n]; q++)
        colsum[ema->col[q]] = fx_sat_add(colsum[ema->col[q]], ema->val[q]);
    for (uint32_t i = 0; i < n; i++) {
        fx total = 0;
        for (uint32_t q = ema->row[i]; q < ema->row[i + 1]; q++) {
            fx v = ema->val[q], s = colsum[ema->col[q]];
            if (s != 0)
                v = fx_safe_div(v, s);
            total += fx_mul(v, ws->incentive[ema->col[q]]);
        }
        fx d;   /* vec_mul: checked_mul or 0 */
        ws->dividends[i] = fx_mul_checked(total, ws->active_stake[i], &d) ? d : 0;
    }
    yuma_normalize(ws->dividends, n);
}

/* safe_div(v, s) for 0 <= v <= s, s > 0: at most 2^32, one 128-by-64-bit
 * division. */
static fx div_le(fx v, fx s)
{
    return (fx)udiv128((uint64_t)v >> 32, (uint64_t)v << 32, (uint64_t)s);
}

/* inplace_col_normalize_sparse for the fast core: the same sums, and each
 * quotient of an entry in [0, its column sum] by one 128-by-64-bit division
 * (at most 2^32, no saturation) instead of the general signed one. */
static void col_normalize_fast(ymat *m, uint32_t n, fx *col_acc)
{
    memset(col_acc, 0, n * sizeof *col_acc);
    uint32_t nnz = m->row[n];
    bool plain = true;   /* entries >= 0 whose sums fit: no saturation */
    for (uint32_t k = 0; k < nnz; k++) {
        fx *acc = &col_acc[m->col[k]];
        plain &= m->val[k] >= 0 && !__builtin_add_overflow(*acc, m->val[k], acc);
    }
    if (!plain) {
        ymat_col_normalize(m, n, col_acc);
        return;
    }
    for (uint32_t k = 0; k < nnz; k++) {
        fx v = m->val[k], s = col_acc[m->col[k]];
        if (s != 0)
            m->val[k] = div_le(v, s);
    }
}

/* Legacy bonds: column-normalised stake-weighted deltas, a fixed-alpha EMA,
 * dividends from the normalised EMA, the EMA stored column-max-upscaled.
 * fast: the fast core's column normalisation (same values). */
static void legacy(yuma_ws *ws, const yuma_params *p, const ymat *wb, uint32_t n, bool fast)
{
    void (*col_normalize)(ymat *, uint32_t, fx *) = fast ? col_normalize_fast : ymat_col_normalize;
    col_normalize(&ws->b, n, ws->col_acc);
    /* row_hadamard_sparse into ws->wc's storage, which is no longer needed
     * unless it is wb itself: then ws->wb is free. */
    ymat *delta = wb == &ws->wc ? &ws->wb : &ws->wc;
    for (uint32_t i = 0; i <= n; i++)
        delta->row[i] = wb->row[i];
    for (uint32_t q = 0; q < wb->row[n]; q++)
        delta->col[q] = wb->col[q];
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t q = wb->row[i]; q < wb->row[i + 1]; q++)
            delta->val[q] = fx_mul(wb->val[q], ws->active_stake[i]);
    col_normalize(delta, n, ws->col_acc);
    ema_fixed(&ws->ema, delta, &ws->b, yuma_disabled_alpha(p), n);
    ymat *ema = &ws->ema;
    col_normalize(ema, n, ws->col_acc);
    for (uint32_t i = 0; i < n; i++) {
        fx d = 0;
        for (uint32_t q = ema->row[i]; q < ema->row[i + 1]; q++)
            d += fx_mul(ws->incentive[ema->col[q]], ema->val[q]);
        ws->dividends[i] = d;
    }
    yuma_normalize(ws->dividends, n);
    /* inplace_col_max_upscale_sparse */
    fx *colmax = ws->col_acc;
    memset(colmax, 0, n * sizeof *colmax);
    for (uint32_t q = 0; q < ema->row[n]; q++)
        colmax[ema->col[q]] = fx_max(colmax[ema->col[q]], ema->val[q]);
    for (uint32_t q = 0; q < ema->row[n]; q++) {
        fx v = ema->val[q], m = colmax[ema->col[q]];
        if (m != 0)
            ema->val[q] = fast && v >= 0 && v <= m ? div_le(v, m) : fx_safe_div(v, m);
    }
}

static void bonds_dividends(yuma_ws *ws, const yuma_params *p, const yuma_input *in, bool fast)
{
    uint32_t n = in->n;
    const ymat *wb = yuma_weights_for_bonds(ws, p, n);
    load_bonds(ws, p, in);
    if (p->yuma3)
        yuma3(ws, p, wb, n);
    else
        legacy(ws, p, wb, n, fast);
}

void yuma_ref_bonds_dividends(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    bonds_dividends(ws, p, in, false);
}

void yuma_fast_ref_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    bonds_dividends(ws, p, in, true);
}
