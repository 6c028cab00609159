/* The Yuma 3 epoch core for dense subnets: the reference's values (bit for
 * bit, test_yuma_fast.c, test_yuma_liquid.c) with the rows that carry
 * weights or bonds held `stride` wide (n rounded up to 8, zero padded) as
 * u32 weights and EMA bonds and u16 stored bonds, so every step is a
 * straight loop eight or sixteen columns at a time.
 *
 *   rows       (yuma_dense_rows.c) weights masked and row-normalised by a
 *              reciprocal multiply; bonds read in place or copied; for
 *              liquid alpha, which weights each row has
 *   consensus  per sixteen columns, by counted cuts (yuma_avx2_cons.c)
 *   rows pass  per eight or sixteen columns, every row's clipping, ranks,
 *              validator trust, EMA bond (fixed alpha, or each bond's own:
 *              yuma_avx2_liquid.c, yuma_liquid.c) and the column sums
 *   careful    rows the u32 lanes cannot hold exactly (a weight, bond or
 *              stake of exactly 1; every row without AVX2, or where the
 *              kernels' bounds do not hold): one entry at a time in 64-bit
 *              arithmetic (yuma_dense_rows.c)
 *   dividends  per row: each EMA bond over its column sum (multipliers),
 *              times the incentive; and the bonds to store
 *
 * Used for Yuma 3 when the rows are dense enough that n-wide arrays cost
 * less than the sparse core's row lists. */
#include "chain/yuma_fast.h"

#include <string.h>

void yuma_dense_free(struct ydense_store *st)
{
    if (!st)
        return;
    ydense *d = &st->d;
    void *all[] = {st->row_of, st->uid, st->wsrc, st->zero32, st->zero16, st->iota,
                   (void *)d->use_w, d->use_st, d->w, (void *)d->b, d->bbuf, d->s,
                   d->careful, d->live, d->vt_careful, d->e, d->e64, d->vt, d->pres,
                   d->rowmax, d->cons, d->pre, d->ranks, d->cs,
                   d->emax, d->gm_hi, d->gm_lo, d->gm_sh, d->inc, d->lists};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]);
    free(st);
}

static bool store_reserve(struct ydense_store *st, uint32_t n, uint32_t stride, size_t cells)
{
    ydense *d = &st->d;
    if (n > st->uids) {
        size_t c = n;
        if (!GROW(st->row_of, c) || !GROW(st->uid, c) || !GROW(d->use_w, c) ||
            !GROW(d->use_st, c) || !GROW(d->s, c) || !GROW(d->careful, c) ||
            !GROW(d->b, c) || !GROW(d->vt, 8 * c) || !GROW(d->live, c) ||
            !GROW(d->vt_careful, c) || !GROW(d->rowmax, c))
            return false;
        st->uids = n;
    }
    if (stride > st->cols) {
        size_t c = stride;
        if (!GROW(st->wsrc, c) || !GROW(st->zero32, c) || !GROW(st->zero16, c) ||
            !GROW(st->iota, c + 16) || !GROW(d->cons, c) || !GROW(d->pre, c) ||
            !GROW(d->ranks, c) || !GROW(d->cs, c) || !GROW(d->emax, c) || !GROW(d->gm_hi, c) ||
            !GROW(d->gm_lo, c) || !GROW(d->gm_sh, c) || !GROW(d->inc, c))
            return false;
        memset(st->zero32, 0, c * sizeof *st->zero32);
        memset(st->zero16, 0, c * sizeof *st->zero16);
        for (uint32_t j = 0; j < stride + 16; j++)
            st->iota[j] = (uint16_t)j;
        st->cols = stride;
    }
    if (cells > st->cells) {
        if (!GROW(d->w, cells) || !GROW(d->e, cells) || !GROW(d->e64, cells) ||
            !GROW(d->bbuf, cells) || !GROW(d->pres, cells / 8 + 1))
            return false;
        st->cells = cells;
    }
    if (!d->lists && !GROW(d->lists, 33 * 256))
        return false;
    return true;
}

/* The consensus slots (the uids with active stake, ws->use_rows), their
 * stakes normalised, and where the kernel cannot run, the consensus
 * itself. Returns whether the per-block consensus is still to do. */
static bool consensus_setup(yuma_ws *ws, struct ydense_store *st, const yuma_params *p,
                            fx *minority)
{
    ydense *d = &st->d;
    uint32_t use = d->use;
    for (uint32_t k = 0; k < use; k++) {
        uint32_t i = ws->use_rows[k];
        d->use_w[k] = st->row_of[i] < 0 ? st->zero32 : d->w + (size_t)st->row_of[i] * d->stride;
        ws->use_stake[k] = ws->active_stake[i];
    }
    yuma_normalize_ws(ws, ws->use_stake, use);
    uint64_t total = 0;
    for (uint32_t k = 0; k < use; k++) {
        total += (uint64_t)ws->use_stake[k];
        d->use_st[k] = (uint32_t)ws->use_stake[k];   /* below 2^32: use >= 2 where read */
    }
    fx kappa = fx_u16_proportion(p->kappa);
    d->total = total;
    d->k1 = kappa ? (uint32_t)(kappa - 1) : 0;
    *minority = (fx)total - kappa;
    if (use == 0) {
        memset(d->cons, 0, d->stride * sizeof *d->cons);
    } else if (use == 1) {   /* one slot holds all the stake */
        memcpy(d->cons, d->use_w[0], d->stride * sizeof *d->cons);
    } else if (kappa == 0) { /* no stake ever exceeds the minority: the largest */
        memcpy(d->cons, d->use_w[0], d->stride * sizeof *d->cons);
        for (uint32_t k = 1; k < use; k++)
            for (uint32_t j = 0; j < d->stride; j++)
                d->cons[j] = d->use_w[k][j] > d->cons[j] ? d->use_w[k][j] : d->cons[j];
    } else {
        return true;
    }
    return false;
}

/* The consensus of columns j..j+7 without AVX2: the sparse core's selection. */
static void consensus_scalar(yuma_ws *ws, const ydense *d, uint32_t j, fx minority)
{
    for (uint32_t c = j; c < j + 8; c++) {
        for (uint32_t k = 0; k < d->use; k++)
            ws->keytmp[k] = (yw_decode(d->use_w[k][c]) << 8) | k;
        uint64_t key = yuma_select_key(ws->keytmp, ws->keys, d->use, ws->use_stake, minority);
        d->cons[c] = (key >> 8) >= (uint64_t)FX_ONE ? YW_ONE : (uint32_t)(key >> 8);
    }
}

/* floor(a 2^32 / b) for a < 2^32, a <= b: a double estimate, off by at
 * most one (its error is below 2^-19), corrected by the exact remainder;
 * cheaper than a 128-bit division. */
static uint64_t div32(uint64_t a, uint64_t b)
{
    uint64_t q = (uint64_t)((double)a * 4294967296.0 / (double)b);
    i128 r = ((i128)a << 32) - (i128)q * (i128)b;
    if (r < 0)
        q--;
    else if (r >= (i128)b)
        q++;
    return q;
}

/* Consensus as I32F32, trust and incentive from the ranks; validator
 * trust per uid. */
static void dense_trust(yuma_ws *ws, struct ydense_store *st)
{
    const ydense *d = &st->d;
    uint32_t n = d->n;
    uint64_t sum = 0;   /* the ranks: at most 1 each */
    uint32_t j = ws->avx2 ? yuma_avx2_trust(d, ws->consensus, ws->trust, ws->incentive, n & ~3u, &sum) : 0;
    for (; j < n; j++) {   /* ranks <= preranks <= 1 */
        uint64_t rk = d->ranks[j], q = d->pre[j];
        ws->consensus[j] = (fx)yw_decode(d->cons[j]);
        ws->trust[j] = q == 0 ? 0 : rk < ((uint64_t)1 << 32) ? (fx)div32(rk, q)
                                                              : fx_safe_div((fx)rk, (fx)q);
        ws->incentive[j] = (fx)rk;
        sum += rk;
    }
    yuma_divide_ws(ws, ws->incentive, n, sum);   /* inplace_normalize */
    memset(ws->vtrust, 0, n * sizeof *ws->vtrust);
    for (uint32_t r = 0; r < d->rows; r++) {
        const uint32_t *v = d->vt + 8 * (size_t)r;
        uint64_t t = d->vt_careful[r];
        for (int l = 0; l < 8; l++)
            t += v[l];
        ws->vtrust[st->uid[r]] = (fx)t;
    }
}

/* The column reciprocals; false where some quotient or incentive is 1 (a
 * column whose bonds one row holds, a miner with all the incentive), which
 * the vector path cannot multiply. */
static bool dense_reciprocals(yuma_ws *ws, ydense *d)
{
    uint32_t n = d->n, j = ws->avx2 ? n & ~3u : 0;
    uint64_t big = 0;
    bool vec = j == 0 || yuma_avx2_columns(d, ws->incentive, j, &big);
    for (; j < d->stride; j++) {
        uint64_t cs = j < n ? d->cs[j] : 0, inc = j < n ? (uint64_t)ws->incentive[j] : 0;
        uint32_t em = d->emax[j];
        uint64_t top = em > d->live_max ? em : d->live_max;
        vec &= !((inc != 0) & (cs != 0) & ((inc >= (uint64_t)FX_ONE) | (top >= cs) | (em == UINT32_MAX)));
        big |= top;
        d->inc[j] = inc;
    }
    /* Every EMA bond below 2^31 makes the numerator e 2^32 below 2^63, and
     * then the round-up method (Granlund and Montgomery, section 4) needs
     * one multiplier: m = ceil(2^(63+l) / cs), 2^l >= cs, fits 64 bits and
     * floor(e 2^32 / cs) = floor(floor(m e / 2^32) / 2^(l-1)), the error
     * term being below 2^-l <= 1/cs. Else ydiv's 65-bit one. Columns
     * summing below 2 (none, or only padding) get none. */
    d->gm_short = big < ((uint64_t)1 << 31);
    for (j = 0; j < n; j++) {
        uint64_t cs = d->cs[j], m = 0, sh = 0;
        if (cs >= 2 && d->gm_short) {
            unsigned l = 64 - (unsigned)__builtin_clzll(cs - 1);   /* 2^(l-1) < cs <= 2^l */
            uint64_t rem;   /* 2^(63+l) / cs, rounded up; l >= 1 */
            m = udiv128r((uint64_t)1 << (l - 1), 0, cs, &rem);
            m += rem != 0;
            sh = l - 1;
        } else if (cs >= 2) {
            ydiv v = ydiv_make(cs);
            m = v.m, sh = v.sh2;
        }
        d->gm_hi[j] = m >> 32, d->gm_lo[j] = m & 0xffffffffu, d->gm_sh[j] = sh;
    }
    for (; j < d->stride; j++)
        d->gm_hi[j] = d->gm_lo[j] = d->gm_sh[j] = 0;
    return vec;
}

/* The scalar path's divisors (careful rows, or columns the vector path
 * cannot take). */
static void scalar_reciprocals(yuma_ws *ws, const ydense *d)
{
    for (uint32_t j = 0; j < d->n; j++)
        ws->cdiv[j] = d->cs[j] ? ydiv_make(d->cs[j]) : (ydiv){0, 0, 0, false};
}

static uint64_t bond_total_scalar(const yuma_ws *ws, const ydense *d, uint32_t r)
{
    const uint32_t *e = d->e + (size_t)r * d->stride;
    const uint64_t *e64 = d->e64 + (size_t)r * d->stride;
    uint64_t total = 0;
    for (uint32_t j = 0; j < d->n; j++) {
        uint64_t v = d->careful[r] ? e64[j] : e[j], inc = (uint64_t)ws->incentive[j];
        if (v && inc)
            total += mul32((uint64_t)ydiv_fx(ws->cdiv[j], v), inc);
    }
    return total;
}

/* Dividends (EMA bonds over their column sums, times incentive, times
 * stake) and the bonds to store: entries > 0 of rows with the new permit,
 * floor(e * 65535 / 2^32) = ((e << 16) - e) >> 32 for e <= 2^32. */
static void dense_dividends(yuma_ws *ws, struct ydense_store *st, bool vec)
{
    const ydense *d = &st->d;
    uint32_t n = d->n, out = 0, i0 = 0;   /* uids below i0 have their offsets */
    uint64_t dividend_sum = 0;            /* each at most 1 (totals and stakes are) */
    memset(ws->dividends, 0, n * sizeof *ws->dividends);
    for (uint32_t r = 0; r < d->rows; r++) {   /* uids without a row store nothing */
        uint32_t i = st->uid[r];
        for (; i0 <= i; i0++)
            ws->ob_row[i0] = out;
        const uint32_t *e = d->e + (size_t)r * d->stride;
        bool fast = ws->avx2 && !d->careful[r];
        uint64_t s = (uint64_t)ws->active_stake[i], total = 0;
        bool vtotal = s && fast && vec, vstore = ws->permit[i] && fast && n % 8 == 0;
        uint32_t stored = 0;
        if (vtotal || vstore)
            total = yuma_avx2_row_out(d, e, vtotal, ws->ob_col + out,
                                      vstore ? ws->ob_val + out : NULL, &stored);
        if (s && !vtotal)
            total = bond_total_scalar(ws, d, r);
        ws->dividends[i] = (fx)mul32(total, s);
        dividend_sum += (uint64_t)ws->dividends[i];
        out += stored;
        if (!ws->permit[i] || vstore)
            continue;
        const uint64_t *e64 = d->e64 + (size_t)r * d->stride;
        for (uint32_t j = 0; j < n; j++) {
            uint64_t v = d->careful[r] ? e64[j] : e[j];
            ws->ob_col[out] = (uint16_t)j;
            ws->ob_val[out] = (uint16_t)(((v << 16) - v) >> 32);
            out += v > 0;
        }
    }
    for (; i0 <= n; i0++)
        ws->ob_row[i0] = out;
    yuma_divide_ws(ws, ws->dividends, n, dividend_sum);   /* inplace_normalize */
}

/* Per row: stake; the EMA's coefficients. */
static void rows_setup(yuma_ws *ws, struct ydense_store *st, const yuma_params *p)
{
    ydense *d = &st->d;
    d->alpha = (uint64_t)yuma_disabled_alpha(p);   /* in [0, 1]: bma <= 1e6 here */
    d->keep = (uint64_t)FX_ONE - d->alpha;
    fx ratio = fx_u16_proportion(p->bonds_penalty);
    d->wb_mode = ratio == 0 ? 0 : ratio == FX_ONE ? 1 : 2;
    d->ratio = (uint64_t)ratio;
    for (uint32_t r = 0; r < d->rows; r++) {
        d->s[r] = (uint64_t)ws->active_stake[st->uid[r]];
        d->careful[r] = d->s[r] >= (uint64_t)FX_ONE;   /* the kernels take stakes below 1 */
        memset(d->vt + 8 * (size_t)r, 0, 8 * sizeof *d->vt);
        d->vt_careful[r] = 0;
    }
}

/* Whether the kernels can run the EMA at all: they multiply by alpha and
 * keep (a fixed alpha), or by each bond's alpha and one minus it (liquid),
 * as 32-bit numbers; the liquid kernel needs a whole steepness divisor and
 * its bracket, which fast_sigmoid (libm's exp) has not. */
static bool kernels_apply(const yuma_ws *ws, const ydense *d)
{
    if (!ws->avx2)
        return false;
    const yliq *L = d->liq;
    if (!L)
        return d->alpha < (uint64_t)FX_ONE && d->keep < (uint64_t)FX_ONE;
    return L->whole && L->bracket && L->lo > 0 && L->hi < FX_ONE;
}

/* The consensus of every column (the liquid EMA needs to know first
 * whether any is above 0). */
static void dense_consensus(yuma_ws *ws, struct ydense_store *st, const yuma_params *p)
{
    ydense *d = &st->d;
    fx minority;
    if (!consensus_setup(ws, st, p, &minority))
        return;
    for (uint32_t j = 0; j < d->stride;) {   /* 32 columns a sweep, the last ones fewer */
        uint32_t left = d->stride - j, w = left >= 32 ? 32 : left >= 16 ? 16 : 8;
        if (ws->avx2 && w == 32)
            yuma_avx2_consensus32(d, j);
        else if (ws->avx2 && w == 16)
            yuma_avx2_consensus16(d, j);
        else if (ws->avx2)
            yuma_avx2_consensus8(d, j);
        else
            for (uint32_t h = j; h < j + w; h += 8)
                consensus_scalar(ws, d, h, minority);
        j += w;
    }
}

/* Clipping, ranks, validator trust and EMA bonds of every row: the kernels
 * for the live rows, careful_row for the rest. */
static void dense_rows(yuma_ws *ws, struct ydense_store *st)
{
    ydense *d = &st->d;
    uint32_t stride = d->stride, groups = stride / 8;
    bool kernels = kernels_apply(ws, d);
    uint64_t bound = 0;   /* every live EMA bond is at most this */
    d->nlive = 0;
    for (uint32_t r = 0; r < d->rows; r++) {
        d->careful[r] |= !kernels;
        if (d->careful[r])
            continue;
        d->live[d->nlive++] = (yrow){d->w + (size_t)r * stride, d->b[r],
                                     d->pres + (size_t)r * groups, d->e + (size_t)r * stride,
                                     d->vt + 8 * (size_t)r, d->s[r]};
        bound = d->rowmax[r] > bound ? d->rowmax[r] : bound;
    }
    if (!kernels) {
        memset(d->pre, 0, stride * sizeof *d->pre);
        memset(d->ranks, 0, stride * sizeof *d->ranks);
        memset(d->cs, 0, stride * sizeof *d->cs);
        memset(d->emax, 0, stride * sizeof *d->emax);
    }
    /* an EMA bond is at most the larger of its weight and bond */
    bool narrow = !d->liq && (u128)bound * d->nlive < ((u128)1 << 32);
    d->live_max = narrow ? bound : 0;
    for (uint32_t j = 0; j < stride && kernels; j += 8) {
        if (d->liq)
            yuma_avx2_rows8_liquid(d, j);
        else if (narrow && j + 16 <= stride)
            yuma_avx2_rows16(d, j), j += 8;
        else
            yuma_avx2_rows8(d, j);
    }
    for (uint32_t r = 0; r < d->rows; r++)
        if (d->careful[r])
            yuma_dense_careful_row(d, r);
}

int yuma_dense_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e)
{
    uint32_t n = in->n, stride = (n + 7) & ~7u;
    if (!p->yuma3 || p->bonds_moving_average > 1000000)
        return YUMA_FAST_DECLINED;
    if (!ws->dense && !(ws->dense = calloc(1, sizeof *ws->dense)))
        return err_set(e, ERR_NOMEM, "out of memory for the dense epoch");
    struct ydense_store *st = ws->dense;
    ydense *d = &st->d;
    if (!store_reserve(st, n, stride, 0))
        return err_set(e, ERR_NOMEM, "out of memory for the dense epoch of %u uids", n);
    uint32_t use;
    uint64_t max_reg;
    uint32_t rows = yuma_dense_pick_rows(ws, st, in, &use, &max_reg);
    size_t cells = (size_t)rows * stride;
    size_t nnz = (size_t)in->weights.row_start[n] + in->bonds.row_start[n];
    if (use > 255 || cells > 4 * nnz + 4 * (size_t)n || cells > ((size_t)1 << 26))
        return YUMA_FAST_DECLINED;   /* too many slots for the keys; sparse enough for lists */
    if (!store_reserve(st, n, stride, cells))
        return err_set(e, ERR_NOMEM, "out of memory for %zu dense cells", cells);
    if (ws->ob_cap < cells + 16) {   /* the stored bonds, 16 at a time from the dense rows */
        if (!GROW(ws->ob_col, cells + 16) || !GROW(ws->ob_val, cells + 16))
            return err_set(e, ERR_NOMEM, "out of memory for %zu bonds", cells);
        ws->ob_cap = cells + 16;
    }
    d->n = n, d->stride = stride, d->rows = rows, d->use = use, d->iota = st->iota;

    rows_setup(ws, st, p);
    if (yuma_dense_weights(ws, st, p, in, max_reg))
        return YUMA_FAST_DECLINED;
    yuma_dense_bonds(ws, st, p, in, max_reg);
    dense_consensus(ws, st, p);
    d->liq = NULL;
    for (uint32_t j = 0; j < stride && p->liquid_alpha && !d->liq; j++)
        if (d->cons[j] != 0) {   /* liquid alpha needs a consensus above 0 somewhere */
            yuma_liquid_setup(&st->liq, p);
            d->liq = &st->liq;
            yuma_dense_presence(st, p, in, max_reg);
        }
    dense_rows(ws, st);
    dense_trust(ws, st);
    bool vec = dense_reciprocals(ws, d);
    bool scalar = !vec || !ws->avx2;
    for (uint32_t r = 0; r < rows && !scalar; r++)
        scalar = d->careful[r] != 0;
    if (scalar)
        scalar_reciprocals(ws, d);
    dense_dividends(ws, st, vec);
    return 0;
}
