/* The Yuma 3 epoch core for dense subnets: the rows that carry weights or
 * bonds held as contiguous n-wide arrays (ABSENT marks an entry the chain's
 * sparse row does not have), so each step is a straight loop over columns and
 * the steps after consensus fuse into one pass per row. Same values as the
 * reference, bit for bit (test_yuma_fast.c); used when the rows are dense
 * enough that n-wide arrays cost less than sparse bookkeeping. */
#include "chain/yuma_fast.h"

#include <string.h>

#define GROW(ptr, count) yuma_grow((void **)&(ptr), (count), sizeof(*(ptr)))
#define ABSENT ((fx)-1)

static inline fx present_or_zero(fx v) { return v & ~(v >> 63); }   /* ABSENT -> 0 */

/* The uids whose rows matter: a weight row that counts, or any bond. */
static uint32_t pick_rows(yuma_ws *ws, const yuma_input *in)
{
    uint32_t r = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        bool w = in->validator_permit[i] && in->weights.row_start[i + 1] > in->weights.row_start[i];
        bool b = in->bonds.row_start[i + 1] > in->bonds.row_start[i];
        ws->d_row_of[i] = w || b ? (int32_t)r : -1;
        if (w || b)
            ws->d_uid[r++] = i;
    }
    return r;
}

/* Masked, row-normalised weights: floor(w * 2^32 / sum) as (w * m) >> L with
 * m = ceil(2^(32+L) / sum): for w <= sum < 2^31, 2^L >= 2^16 * sum makes the
 * rounding of m too small to reach the next integer (Granlund-Montgomery). */
static int dense_weights(yuma_ws *ws, const yuma_params *p, const yuma_input *in, uint32_t rows)
{
    uint32_t n = in->n;
    const yuma_csr *W = &in->weights;
    uint32_t owner = p->owner_uid >= 0 ? (uint32_t)p->owner_uid : UINT32_MAX;
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t i = ws->d_uid[r];
        fx *wr = ws->d_w + (size_t)r * n;
        memset(wr, 0xff, n * sizeof *wr);   /* ABSENT */
        if (!in->validator_permit[i])
            continue;
        uint64_t upd = in->last_update[i];
        uint64_t cb = in->commit_block ? in->commit_block[i] : UINT64_MAX;
        uint32_t self = i == owner ? UINT32_MAX : i, a = W->row_start[i], b = W->row_start[i + 1];
        uint64_t sum = 0;
        if (b - a == n && ws->avx2) {   /* a full row: column k is entry k */
            sum = yuma_avx2_mask_row(W->val + a, in->registered_at, upd, cb, self, n, wr);
        } else if (b - a == n) {
            const uint16_t *v = W->val + a;
            for (uint32_t j = 0; j < n; j++) {
                uint64_t reg = in->registered_at[j];
                bool keep = (j != self) & (upd > reg) & (cb >= reg);
                wr[j] = keep ? v[j] : ABSENT;
                sum += keep ? v[j] : 0;
            }
        } else {
            for (uint32_t k = a; k < b; k++) {
                uint32_t j = W->col[k];
                uint64_t reg = in->registered_at[j];
                bool keep = (j != self) & (upd > reg) & (cb >= reg);
                wr[j] = keep ? W->val[k] : ABSENT;
                sum += keep ? W->val[k] : 0;
            }
        }
        if (sum >= ((uint64_t)1 << 31))
            return YUMA_FAST_DECLINED;
        if (sum == 0)
            continue;
        if (sum == 1) {   /* one weight of 1: it becomes 1 */
            for (uint32_t j = 0; j < n; j++)
                wr[j] = wr[j] >= 0 ? wr[j] << 32 : ABSENT;
            continue;
        }
        /* L >= 16 + log2(sum) makes it exact; L >= 32 lets the kernel split m */
        unsigned L = 16 + 64 - (unsigned)__builtin_clzll(sum - 1);
        L = L < 32 ? 32 : L;
        uint64_t m = (uint64_t)((((u128)1 << (32 + L)) + sum - 1) / sum);
        if (ws->avx2) {
            yuma_avx2_scale_row(wr, n, m, L);
        } else {
            for (uint32_t j = 0; j < n; j++) {
                fx v = wr[j];
                wr[j] = v >= 0 ? (fx)(((u128)(uint64_t)v * m) >> L) : ABSENT;
            }
        }
    }
    return 0;
}

/* Consensus: keys (value << 8 | slot) of the rows with active stake,
 * column-major, then the weighted selection per column. */
static int dense_consensus(yuma_ws *ws, const yuma_params *p, uint32_t n, uint32_t rows)
{
    uint32_t use = 0;
    for (uint32_t i = 0; i < n; i++)
        if (ws->active_stake[i] > 0) {
            if (ws->d_row_of[i] < 0) {   /* stake but no row: all zeros */
                ws->use_rows[use] = UINT32_MAX;
            } else {
                ws->use_rows[use] = (uint32_t)ws->d_row_of[i];
            }
            ws->use_stake[use++] = ws->active_stake[i];
        }
    (void)rows;
    if (use == 0) {
        memset(ws->consensus, 0, n * sizeof *ws->consensus);
        return 0;
    }
    if (use > 255)
        return YUMA_FAST_DECLINED;
    fast_normalize(ws->use_stake, use);
    fx total = 0;
    for (uint32_t k = 0; k < use; k++)
        total += ws->use_stake[k];
    fx minority = total - fx_u16_proportion(p->kappa);
    if (ws->avx2) {
        for (uint32_t k = 0; k < use; k++)
            ws->use_ptr[k] = ws->use_rows[k] == UINT32_MAX ? ws->zero_row
                                                            : ws->d_w + (size_t)ws->use_rows[k] * n;
        yuma_avx2_consensus(ws->use_ptr, ws->use_stake, use, n, minority, ws->sel_scratch,
                            ws->consensus);
        return 0;
    }
    size_t cells = (size_t)use * n;
    if (cells > ws->keymat_cap) {
        if (!GROW(ws->keymat, cells))
            return ERR_NOMEM;
        ws->keymat_cap = cells;
    }
    uint64_t *km = ws->keymat;
    for (uint32_t k = 0; k < use; k++) {
        uint32_t r = ws->use_rows[k];
        if (r == UINT32_MAX) {
            for (uint32_t j = 0; j < n; j++)
                km[(size_t)j * use + k] = k;
            continue;
        }
        const fx *wr = ws->d_w + (size_t)r * n;
        for (uint32_t j = 0; j < n; j++)
            km[(size_t)j * use + k] = ((uint64_t)present_or_zero(wr[j]) << 8) | k;
    }
    for (uint32_t j = 0; j < n; j++)
        ws->consensus[j] =
            (fx)(yuma_select_key(km + (size_t)j * use, ws->keytmp, use, ws->use_stake, minority) >> 8);
    return 0;
}

/* The bonds of uid i as u16 / 65535 (2^32 = 65535 * 65537 + 1, so that is
 * b * 65537 plus one for b = 65535), masked for recent registrations. */
static void bond_row(const yuma_ws *ws, const yuma_input *in, uint32_t i, uint64_t last, fx *br)
{
    const yuma_csr *B = &in->bonds;
    uint32_t a = B->row_start[i], b = B->row_start[i + 1];
    memset(br, 0xff, in->n * sizeof *br);
    if (ws->avx2) {
        yuma_avx2_bond_row(B->col + a, B->val + a, b - a, in->registered_at, last, br);
        return;
    }
    for (uint32_t k = B->row_start[i]; k < B->row_start[i + 1]; k++) {
        uint16_t j = B->col[k];
        if (last > in->registered_at[j])
            br[j] = (fx)((uint64_t)B->val[k] * 65537u + (B->val[k] == 65535));   /* b * 2^32 / 65535 */
    }
}

/* The liquid-alpha EMA of one row: alpha per bond from the sigmoid. A bond
 * whose weight sits at or under consensus and not under the bond has d = 0,
 * so they all share alpha0 (computed once per epoch); the others' exps run
 * in batches, one per run of equal arguments. */
static void liquid_row(yuma_ws *ws, const yuma_params *p, fx alpha0, const fx *wb, const fx *br,
                       fx *er, uint32_t n)
{
    fx lo = fx_u16_proportion(p->alpha_low), hi = fx_u16_proportion(p->alpha_high);
    fx sdiv = yuma_steepness_div(p->alpha_sigmoid_steepness);
    uint32_t todo = 0, cnt = 0;
    fx last_x = FX_MIN;
    for (uint32_t j = 0; j < n; j++) {
        fx w = wb[j];
        if (w < 0)
            continue;
        fx bb = present_or_zero(br[j]), c = ws->consensus[j];
        fx d = w >= bb ? fx_clamp(w - c, 0, FX_ONE) : fx_clamp(bb - w, 0, FX_ONE);
        ws->lq_idx[cnt] = j;
        if (d == 0) {
            ws->lq_x[cnt++] = FX_MIN;   /* alpha0 */
            continue;
        }
        fx x = fx_mul(sdiv, d - FX_HALF);
        ws->lq_x[cnt] = x;
        if (x != last_x)
            ws->lq_b[todo++] = cnt, last_x = x;   /* where a run of equal x starts */
        cnt++;
    }
    fx *xs = ws->lq_e;
    for (uint32_t t = 0; t < todo; t++)
        xs[t] = ws->lq_x[ws->lq_b[t]];
    if (p->fast_sigmoid) {
        for (uint32_t t = 0; t < todo; t++)
            xs[t] = yuma_exp_libm(xs[t]);
    } else {
        yuma_exp_batch(xs, xs, todo);
    }
    /* alphas, run by run, into lq_x (the arguments are no longer needed) */
    for (uint32_t t = todo; t-- > 0;) {
        uint32_t from = (uint32_t)ws->lq_b[t], to = t + 1 < todo ? (uint32_t)ws->lq_b[t + 1] : cnt;
        fx alpha = yuma_alpha_from_exp(xs[t], lo, hi);
        for (uint32_t q = from; q < to; q++)   /* skipping the d = 0 bonds between */
            if (ws->lq_x[q] != FX_MIN)
                ws->lq_x[q] = alpha;
    }
    memset(er, 0, n * sizeof *er);
    for (uint32_t t = 0; t < cnt; t++) {
        uint32_t j = ws->lq_idx[t];
        fx alpha = ws->lq_x[t] == FX_MIN ? alpha0 : ws->lq_x[t], bond = br[j];
        fx decayed = bond >= 0 ? (fx)mul32((uint64_t)(FX_ONE - alpha), (uint64_t)bond) : 0;
        fx v = decayed + (fx)mul32((uint64_t)alpha, (uint64_t)wb[j]);
        er[j] = v < FX_ONE ? v : FX_ONE;
    }
}

/* Ranks before and after clipping at consensus; returns the row's validator
 * trust (the portable twin of yuma_avx2_rank_row). */
static uint64_t rank_row(const fx *wr, const fx *cons, uint64_t s, uint32_t n, fx *pre, fx *ranks)
{
    uint64_t vt = 0;
    for (uint32_t j = 0; j < n; j++) {
        uint64_t v = (uint64_t)present_or_zero(wr[j]), th = (uint64_t)cons[j];
        uint64_t c = v < th ? v : th;
        if (s) {
            pre[j] += (fx)mul32(s, v);
            ranks[j] += (fx)mul32(s, c);
        }
        vt += c;
    }
    return vt;
}

/* col_clip_sparse: min(w, consensus), dropped where a zero consensus clips. */
static void clip_row(const fx *wr, const fx *cons, uint32_t n, fx *wb)
{
    for (uint32_t j = 0; j < n; j++) {
        fx v = wr[j], th = cons[j];
        bool keep = v >= 0 && (v <= th || th != 0);
        wb[j] = keep ? (v < th ? v : th) : ABSENT;
    }
}

/* interpolate_sparse(W, Wc, ratio): W + ratio (Wc - W) where W has an entry
 * and the result is > 0. */
static void interp_row(const fx *wr, const fx *cons, fx ratio, uint32_t n, fx *wb)
{
    for (uint32_t j = 0; j < n; j++) {
        fx v = wr[j], th = cons[j];
        bool cp = v >= 0 && (v <= th || th != 0);
        fx v2 = cp ? (v < th ? v : th) : 0, it = v + fx_mul(ratio, v2 - v);
        wb[j] = v >= 0 && it > 0 ? it : ABSENT;
    }
}

/* Per row: ranks, validator trust, the weights for bonds and the bond EMA. */
static void dense_rows_pass(yuma_ws *ws, const yuma_params *p, const yuma_input *in,
                            uint32_t rows)
{
    uint32_t n = in->n;
    const fx *cons = ws->consensus;
    fx *pre = ws->preranks, *ranks = ws->ranks, *wb = ws->d_wb, *br = ws->d_b;
    memset(pre, 0, n * sizeof *pre);
    memset(ranks, 0, n * sizeof *ranks);
    memset(ws->vtrust, 0, n * sizeof *ws->vtrust);
    fx ratio = fx_u16_proportion(p->bonds_penalty);
    uint64_t lms = in->last_epoch_block;
    uint64_t last = lms ? (lms == UINT64_MAX ? lms : lms + 1)
                        : (in->block > p->tempo ? in->block - p->tempo : 0);
    uint64_t bma = (uint64_t)((((u128)p->bonds_moving_average << 64) / 1000000u) >> 32);
    uint64_t alpha = (uint64_t)FX_ONE - bma, keep = bma;
    bool liquid = false;
    if (p->liquid_alpha)
        for (uint32_t j = 0; j < n && !liquid; j++)
            liquid = cons[j] != 0;
    fx alpha0 = 0;
    if (liquid) {   /* the alpha of d = 0 */
        fx e0, x0 = fx_mul(yuma_steepness_div(p->alpha_sigmoid_steepness), -FX_HALF);
        if (p->fast_sigmoid)
            e0 = yuma_exp_libm(x0);
        else if (!yuma_exp(x0, &e0))
            e0 = 0;
        alpha0 = yuma_alpha_from_exp(e0, fx_u16_proportion(p->alpha_low),
                                     fx_u16_proportion(p->alpha_high));
    }
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t i = ws->d_uid[r];
        const fx *wr = ws->d_w + (size_t)r * n;
        fx *er = ws->d_e + (size_t)r * n;
        uint64_t s = (uint64_t)ws->active_stake[i], vt = 0;
        const fx *wbr = wb;
        if (ws->avx2 && ratio != 0 && ratio != FX_ONE) {
            vt = yuma_avx2_rank_row(wr, cons, s, n, pre, ranks, NULL);
            interp_row(wr, cons, ratio, n, wb);
        } else if (ws->avx2) {
            vt = yuma_avx2_rank_row(wr, cons, s, n, pre, ranks, ratio == 0 ? NULL : wb);
            wbr = ratio == 0 ? wr : wb;
        } else {
            vt = rank_row(wr, cons, s, n, pre, ranks);
            if (ratio == 0)
                wbr = wr;
            else if (ratio == FX_ONE)
                clip_row(wr, cons, n, wb);
            else
                interp_row(wr, cons, ratio, n, wb);
        }
        ws->vtrust[i] = (fx)vt;
        bond_row(ws, in, i, last, br);
        if (liquid) {
            liquid_row(ws, p, alpha0, wbr, br, er, n);
        } else if (ws->avx2) {
            yuma_avx2_ema_row(wbr, br, alpha, keep, n, er);
        } else {
            for (uint32_t j = 0; j < n; j++)
                er[j] = (fx)(mul32(alpha, (uint64_t)present_or_zero(wbr[j])) +
                             mul32(keep, (uint64_t)present_or_zero(br[j])));
        }
    }
}

/* Trust, incentive, dividends through column-normalised EMA bonds, and the
 * bonds to store (entries > 0 of rows with the new permit, as u16: for x in
 * [0, 2^32], floor(x * 65535 / 2^32) is ((x << 16) - x) >> 32). */
static void dense_finish(yuma_ws *ws, uint32_t n, uint32_t rows)
{
    for (uint32_t j = 0; j < n; j++) {   /* ranks <= preranks <= 1 */
        uint64_t rk = (uint64_t)ws->ranks[j], q = (uint64_t)ws->preranks[j];
        ws->trust[j] = q == 0 ? 0 : rk < ((uint64_t)1 << 32) ? (fx)((rk << 32) / q)
                                                              : fx_safe_div((fx)rk, (fx)q);
    }
    memcpy(ws->incentive, ws->ranks, n * sizeof *ws->ranks);
    fast_normalize(ws->incentive, n);
    uint64_t *colsum = (uint64_t *)ws->col_acc;
    memset(colsum, 0, n * sizeof *colsum);
    if (ws->avx2) {
        yuma_avx2_colsum(ws->d_e, rows, n, colsum);
    } else {
        for (uint32_t r = 0; r < rows; r++) {
            const fx *er = ws->d_e + (size_t)r * n;
            for (uint32_t j = 0; j < n; j++)
                colsum[j] += (uint64_t)er[j];
        }
    }
    for (uint32_t j = 0; j < n; j++) {
        ydiv d = colsum[j] && ws->incentive[j] ? ydiv_make(colsum[j]) : (ydiv){0, 0, 0, false};
        ws->cdiv[j] = d;
        ws->d_m[j] = d.m, ws->d_sh1[j] = d.sh1, ws->d_sh2[j] = d.sh2, ws->d_pow2[j] = d.pow2;
    }
    memset(ws->dividends, 0, n * sizeof *ws->dividends);
    uint32_t out = 0, r = 0;
    for (uint32_t i = 0; i < n; i++) {
        ws->ob_row[i] = out;
        if (r >= rows || ws->d_uid[r] != i)
            continue;
        const fx *er = ws->d_e + (size_t)r * n;
        uint64_t s = (uint64_t)ws->active_stake[i], total = 0;
        if (s && ws->avx2) {
            total = yuma_avx2_bond_total(er, ws->incentive, ws->d_m, ws->d_sh1, ws->d_sh2,
                                         ws->d_pow2, n);
        } else if (s) {
            for (uint32_t j = 0; j < n; j++) {
                fx v = er[j];
                uint64_t inc = (uint64_t)ws->incentive[j];
                if (v > 0 && inc)
                    total += mul32((uint64_t)ydiv_fx(ws->cdiv[j], (uint64_t)v), inc);
            }
        }
        ws->dividends[i] = (fx)mul32(total, s);
        if (ws->permit[i] && ws->avx2) {
            out += yuma_avx2_store_row(er, n, ws->ob_col + out, ws->ob_val + out);
        } else if (ws->permit[i]) {
            for (uint32_t j = 0; j < n; j++) {
                uint64_t v = (uint64_t)er[j];
                ws->ob_col[out] = (uint16_t)j;
                ws->ob_val[out] = (uint16_t)(((v << 16) - v) >> 32);
                out += er[j] > 0;
            }
        }
        r++;
    }
    ws->ob_row[n] = out;
    ws->bonds_stored = true;
    fast_normalize(ws->dividends, n);
}

int yuma_dense_core(yuma_ws *ws, const yuma_params *p, const yuma_input *in, err *e)
{
    uint32_t n = in->n;
    if (!p->yuma3 || p->bonds_moving_average > 1000000)
        return YUMA_FAST_DECLINED;
    uint32_t rows = pick_rows(ws, in);
    size_t cells = (size_t)rows * n;
    size_t nnz = (size_t)in->weights.row_start[n] + in->bonds.row_start[n];
    if (cells > 4 * nnz + 4 * (size_t)n || cells > ((size_t)1 << 26))
        return YUMA_FAST_DECLINED;   /* sparse enough for the row lists */
    if (cells > ws->dense_cap) {
        if (!GROW(ws->d_w, cells) || !GROW(ws->d_e, cells))
            return err_set(e, ERR_NOMEM, "out of memory for %zu dense cells", cells);
        ws->dense_cap = cells;
    }
    if (ws->ob_cap < cells) {   /* the stored bonds are written from the dense rows */
        if (!GROW(ws->ob_col, cells) || !GROW(ws->ob_val, cells))
            return err_set(e, ERR_NOMEM, "out of memory for %zu bonds", cells);
        ws->ob_cap = cells;
    }
    int r = dense_weights(ws, p, in, rows);
    if (!r)
        r = dense_consensus(ws, p, n, rows);
    if (r == ERR_NOMEM)
        return err_set(e, ERR_NOMEM, "out of memory for the consensus of %u uids", n);
    if (r)
        return r;
    dense_rows_pass(ws, p, in, rows);
    dense_finish(ws, n, rows);
    return 0;
}
