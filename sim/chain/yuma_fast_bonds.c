/* Yuma 3 bonds and dividends, fast: the values of yuma_bonds.c's Yuma 3 branch
 * with merged row walks, reciprocal column normalisation and the liquid-alpha
 * sigmoid's exp computed four at a time (the Taylor series with the chain's
 * rounding, unrolled, so the terms' divisions are multiplications and four
 * independent series overlap in the pipeline). */
#include "chain/yuma_fast.h"

#include <string.h>

/* Stored bonds as u16 / 65535, without those to uids registered since the
 * last epoch. */
static void fast_load_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    uint32_t n = in->n, out = 0;
    uint64_t last = yuma_bond_cutoff(p, in);
    const yuma_csr *B = &in->bonds;
    ymat *b = &ws->b;
    for (uint32_t i = 0; i < n; i++) {
        b->row[i] = out;
        for (uint32_t k = B->row_start[i]; k < B->row_start[i + 1]; k++) {
            uint16_t j = B->col[k];
            b->col[out] = j;
            b->val[out] = (fx)(((uint64_t)B->val[k] << 32) / 65535u);
            out += last > in->registered_at[j];
        }
    }
    b->row[n] = out;
}

/* mat_ema_sparse: alpha w + (1 - alpha) b over the union of columns, > 0. */
static void fast_ema_fixed(yuma_ws *ws, const ymat *wb, uint64_t alpha, uint32_t n)
{
    const ymat *old = &ws->b;
    ymat *ema = &ws->ema;
    uint64_t keep = (uint64_t)FX_ONE - alpha;
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        ema->row[i] = out;
        uint32_t a = wb->row[i], ae = wb->row[i + 1], b = old->row[i], be = old->row[i + 1];
        while (a < ae && b < be) {
            uint32_t ja = wb->col[a], jb = old->col[b];
            uint64_t v;
            uint32_t j;
            if (ja == jb) {
                v = mul32(alpha, (uint64_t)wb->val[a++]) + mul32(keep, (uint64_t)old->val[b++]);
                j = ja;
            } else if (ja < jb) {
                v = mul32(alpha, (uint64_t)wb->val[a++]);
                j = ja;
            } else {
                v = mul32(keep, (uint64_t)old->val[b++]);
                j = jb;
            }
            ema->col[out] = (uint16_t)j;
            ema->val[out] = (fx)v;
            out += v > 0;
        }
        for (; a < ae; a++) {
            uint64_t v = mul32(alpha, (uint64_t)wb->val[a]);
            ema->col[out] = wb->col[a];
            ema->val[out] = (fx)v;
            out += v > 0;
        }
        for (; b < be; b++) {
            uint64_t v = mul32(keep, (uint64_t)old->val[b]);
            ema->col[out] = old->col[b];
            ema->val[out] = (fx)v;
            out += v > 0;
        }
    }
    ema->row[n] = out;
}

/* Four of the chain's exp series at once, for 0 <= x <= 16 (nothing
 * overflows there): result = 1 + x + sum over i = 2..31 of the term, each
 * term the previous times x (floored) divided by i (truncated). */
#define EXP_TERM(i)                                                          \
    for (int l = 0; l < 4; l++) {                                            \
        t[l] = (uint64_t)(((u128)t[l] * ax[l]) >> 32) / (i);                 \
        r[l] += t[l];                                                        \
    }

static void exp4(const uint64_t ax[4], uint64_t r[4])
{
    uint64_t t[4];
    for (int l = 0; l < 4; l++)
        t[l] = ax[l], r[l] = ax[l] + ((uint64_t)1 << 32);
    EXP_TERM(2) EXP_TERM(3) EXP_TERM(4) EXP_TERM(5) EXP_TERM(6) EXP_TERM(7)
    EXP_TERM(8) EXP_TERM(9) EXP_TERM(10) EXP_TERM(11) EXP_TERM(12) EXP_TERM(13)
    EXP_TERM(14) EXP_TERM(15) EXP_TERM(16) EXP_TERM(17) EXP_TERM(18) EXP_TERM(19)
    EXP_TERM(20) EXP_TERM(21) EXP_TERM(22) EXP_TERM(23) EXP_TERM(24) EXP_TERM(25)
    EXP_TERM(26) EXP_TERM(27) EXP_TERM(28) EXP_TERM(29) EXP_TERM(30) EXP_TERM(31)
}

#define EXP_FAST_MAX ((fx)16 << 32)

/* safe_exp of each x: the batched series where it applies, the reference
 * for exp(1) (a constant in the chain), for |x| > 16 and the tail. */
void yuma_exp_batch(const fx *x, fx *e, uint32_t cnt)
{
    uint32_t i = 0;
    for (; i + 4 <= cnt; i += 4) {
        uint64_t ax[4], r[4];
        for (int l = 0; l < 4; l++) {
            fx v = x[i + l] < 0 ? -x[i + l] : x[i + l];
            ax[l] = (uint64_t)(v > EXP_FAST_MAX ? 0 : v);
        }
        exp4(ax, r);
        for (int l = 0; l < 4; l++) {
            fx v = x[i + l];
            if (v == FX_ONE || v > EXP_FAST_MAX || v < -EXP_FAST_MAX) {
                if (!yuma_exp(v, &e[i + l]))
                    e[i + l] = 0;
            } else if (v < 0) {
                e[i + l] = (fx)udiv128(1, 0, r[l]);   /* 1 / exp(-x), r >= 1 */
            } else {
                e[i + l] = (fx)r[l];
            }
        }
    }
    for (; i < cnt; i++)
        if (!yuma_exp(x[i], &e[i]))
            e[i] = 0;
}

/* Liquid alpha: per bond, alpha from the sigmoid of how far the weight
 * strays; the EMA over the weight row's columns only. */
static void fast_ema_liquid(yuma_ws *ws, const yuma_params *p, const ymat *wb, uint32_t n)
{
    const ymat *old = &ws->b;
    ymat *ema = &ws->ema;
    fx lo = fx_u16_proportion(p->alpha_low), hi = fx_u16_proportion(p->alpha_high);
    fx sdiv = yuma_steepness_div(p->alpha_sigmoid_steepness);
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        ema->row[i] = out;
        uint32_t a0 = wb->row[i], len = wb->row[i + 1] - a0;
        uint32_t b = old->row[i], be = old->row[i + 1], todo = 0;
        fx last_x = FX_MIN;
        /* the bond under each weight, each exp argument, and which exps are new */
        for (uint32_t q = 0; q < len; q++) {
            uint16_t j = wb->col[a0 + q];
            while (b < be && old->col[b] < j)
                b++;
            bool has = b < be && old->col[b] == j;
            fx bond = has ? old->val[b] : -1;   /* -1: no bond entry */
            ws->lq_b[q] = bond;
            fx w = wb->val[a0 + q], c = ws->consensus[j], bb = has ? bond : 0;
            fx d = w >= bb ? fx_clamp(w - c, 0, FX_ONE) : fx_clamp(bb - w, 0, FX_ONE);
            fx x = fx_mul(sdiv, d - FX_HALF);
            ws->lq_x[q] = x;
            if (x != last_x)
                ws->lq_idx[todo++] = q, last_x = x;
        }
        if (p->fast_sigmoid) {
            for (uint32_t q = 0; q < len; q++)
                ws->lq_e[q] = yuma_exp_libm(ws->lq_x[q]);
        } else {
            /* gather the distinct runs, exp them in batches, spread back */
            fx *xs = ws->lq_e;   /* reuse as scratch: todo <= len */
            for (uint32_t t = 0; t < todo; t++)
                xs[t] = ws->lq_x[ws->lq_idx[t]];
            yuma_exp_batch(xs, xs, todo);
            for (uint32_t t = todo; t-- > 0;) {
                uint32_t from = ws->lq_idx[t], to = t + 1 < todo ? ws->lq_idx[t + 1] : len;
                fx ev = xs[t];
                for (uint32_t q = from; q < to; q++)
                    ws->lq_e[q] = ev;
            }
        }
        for (uint32_t q = 0; q < len; q++) {
            fx alpha = yuma_alpha_from_exp(ws->lq_e[q], lo, hi);
            fx bond = ws->lq_b[q], w = wb->val[a0 + q];
            fx decayed = bond >= 0 ? fx_mul(FX_ONE - alpha, bond) : 0;
            fx inc = fx_max(fx_mul(alpha, w), 0);
            fx v = fx_min(decayed + inc, FX_ONE);
            ema->col[out] = wb->col[a0 + q];
            ema->val[out] = v;
            out += v > 0;
        }
    }
    ema->row[n] = out;
}

int yuma_fast_bonds(yuma_ws *ws, const yuma_params *p, const yuma_input *in)
{
    uint32_t n = in->n;
    if (p->bonds_moving_average > 1000000)
        return YUMA_FAST_DECLINED;   /* alpha below 0: values leave [0, 1] */
    const ymat *wb = yuma_weights_for_bonds(ws, p, n);
    fast_load_bonds(ws, p, in);
    bool liquid = false;
    if (p->liquid_alpha)
        for (uint32_t j = 0; j < n && !liquid; j++)
            liquid = ws->consensus[j] != 0;
    if (liquid) {
        fast_ema_liquid(ws, p, wb, n);
    } else {
        fast_ema_fixed(ws, wb, (uint64_t)yuma_disabled_alpha(p), n);
    }
    /* dividends: active stake times the incentive through column-normalised bonds */
    const ymat *ema = &ws->ema;
    uint64_t *colsum = (uint64_t *)ws->col_acc;
    memset(colsum, 0, n * sizeof *colsum);
    for (uint32_t q = 0; q < ema->row[n]; q++)
        colsum[ema->col[q]] += (uint64_t)ema->val[q];
    for (uint32_t j = 0; j < n; j++)
        if (colsum[j] && ws->incentive[j])
            ws->cdiv[j] = ydiv_make(colsum[j]);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t total = 0;
        for (uint32_t q = ema->row[i]; q < ema->row[i + 1]; q++) {
            uint32_t j = ema->col[q];
            uint64_t inc = (uint64_t)ws->incentive[j];
            if (inc)
                total += mul32((uint64_t)ydiv_fx(ws->cdiv[j], (uint64_t)ema->val[q]), inc);
        }
        ws->dividends[i] = (fx)mul32(total, (uint64_t)ws->active_stake[i]);
    }
    fast_normalize(ws->dividends, n);
    return 0;
}
