/* The dense core's rows (yuma_dense.c): weights and bonds loaded n wide,
 * which weights each row has, and the careful rows, those the u32 kernels
 * cannot hold exactly, done one entry at a time in 64-bit arithmetic. */
#include "chain/yuma_fast.h"

#include <string.h>

/* One pass over the uids: the rows that matter (a weight row that counts,
 * or any bond), the consensus slots (uids with active stake, into
 * ws->use_rows; returns their count in *use) and the latest registration
 * (*max_reg). Returns the rows. */
uint32_t yuma_dense_pick_rows(yuma_ws *ws, struct ydense_store *st, const yuma_input *in,
                              uint32_t *use, uint64_t *max_reg)
{
    /* in locals: the stores below may alias any of it */
    const uint32_t *wr = in->weights.row_start, *br = in->bonds.row_start, n = in->n;
    const bool *permit = in->validator_permit;
    const fx *active = ws->active_stake;
    const uint64_t *registered = in->registered_at;
    int32_t *row_of = st->row_of;
    uint32_t *uid = st->uid, *slot = ws->use_rows, r = 0, u = 0;
    uint64_t reg = 0;
    for (uint32_t i = 0; i < n; i++) {
        bool has = (permit[i] & (wr[i + 1] > wr[i])) | (br[i + 1] > br[i]);
        row_of[i] = has ? (int32_t)r : -1;
        uid[r] = i;   /* kept only where the row counts */
        r += has;
        slot[u] = i;
        u += active[i] > 0;
        reg = registered[i] > reg ? registered[i] : reg;
    }
    *use = u, *max_reg = reg;
    return r;
}

static uint64_t sum16(const yuma_ws *ws, const uint16_t *v, uint32_t n, uint16_t *max)
{
    if (ws->avx2)
        return yuma_avx2_sum16(v, n, max);
    uint64_t s = 0;
    uint16_t m = 0;
    for (uint32_t j = 0; j < n; j++) {
        s += v[j];
        m = v[j] > m ? v[j] : m;
    }
    *max = m;
    return s;
}

static uint16_t max16(const yuma_ws *ws, const uint16_t *v, uint32_t n)
{
    if (ws->avx2)
        return yuma_avx2_max16(v, n);
    uint16_t m = 0;
    for (uint32_t j = 0; j < n; j++)
        m = v[j] > m ? v[j] : m;
    return m;
}

/* dst[0..len) = src[0..len); returns their largest (0 for none). */
static uint16_t copy_max(const uint16_t *src, uint32_t len, uint16_t *dst)
{
    uint16_t m = 0;
    for (uint32_t j = 0; j < len; j++) {
        dst[j] = src[j];
        m = src[j] > m ? src[j] : m;
    }
    return m;
}

/* The end of the run of consecutive columns that starts at col[k]: the
 * first q > k with col[q] - q != col[k] - k, or cnt. Columns are strictly
 * increasing, so col[q] - q never falls and a binary search finds it. */
static uint32_t run_end(const uint16_t *col, uint32_t k, uint32_t cnt)
{
    uint32_t c = col[k], lo = k + 1, hi = cnt;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (col[mid] - mid == c - k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A nearly full CSR row (at most 8 columns missing) into a dense row,
 * zeros between: its runs of consecutive columns (run_end) copied whole,
 * their largest value into *max; `gap` guesses the column missing from a
 * row that lacks one. Returns false (nothing written) for sparser rows. */
static bool expand_row(const yuma_ws *ws, const uint16_t *col, const uint16_t *val, uint32_t cnt,
                       uint32_t n, uint32_t stride, uint32_t gap, uint16_t *out, uint16_t *max)
{
    if (cnt + 8 < n)
        return false;
    if (cnt + 1 == n) {   /* one column missing, a validator's own usually */
        uint32_t lo = 0, hi = cnt;   /* the first k with col[k] != k */
        if (gap < cnt && col[gap] == gap + 1 && (gap == 0 || col[gap - 1] == gap - 1))
            lo = hi = gap;   /* the guess holds */
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (col[mid] == mid)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (ws->avx2 && cnt >= 32) {
            *max = yuma_avx2_expand_gap(val, lo, cnt, out);
        } else {
            uint16_t m0 = copy_max(val, lo, out), m1 = copy_max(val + lo, cnt - lo, out + lo + 1);
            out[lo] = 0;
            *max = m0 > m1 ? m0 : m1;
        }
        memset(out + n, 0, (stride - n) * sizeof *out);
        return true;
    }
    uint32_t k = 0, j = 0;
    uint16_t m = 0;
    while (k < cnt) {
        uint32_t c = col[k], lo = run_end(col, k, cnt);   /* the run is [k, lo) */
        memset(out + j, 0, (c - j) * sizeof *out);
        uint16_t run = copy_max(val + k, lo - k, out + c);
        m = run > m ? run : m;
        j = c + (lo - k), k = lo;
    }
    memset(out + j, 0, (stride - j) * sizeof *out);
    *max = m;
    return true;
}

/* A weight row by plain division; for rows holding a weight of 1. */
static void weights_exact(const uint16_t *src, uint32_t stride, uint32_t self, uint64_t sum,
                          uint32_t *wr)
{
    for (uint32_t j = 0; j < stride; j++) {
        uint64_t q = j == self ? 0 : ((uint64_t)src[j] << 32) / sum;
        wr[j] = q >= ((uint64_t)1 << 32) ? YW_ONE : (uint32_t)q;
    }
}

/* floor(w * 2^32 / sum) as (w * m) >> L with m = ceil(2^(32+L) / sum): for
 * w < 2^16, 2^L >= 2^16 * sum makes the rounding of m too small to reach
 * the next integer (Granlund-Montgomery); L >= 32 lets the kernel split m.
 * The weight at self (if below stride) is then zeroed. Returns whether the
 * row sums to exactly 1, which the kernels cannot hold: sum is the row's
 * without self, so that is when every floor is exact, when sum divides
 * each w 2^32; then sum's odd part divides each w. An odd part above 65535
 * divides no weight but 0 (and not every weight is 0): the sum is not
 * even taken. */
static bool weights_scaled(const yuma_ws *ws, const uint16_t *src, uint32_t stride,
                           uint64_t sum, uint32_t self, uint32_t *wr)
{
    unsigned L = 16 + 64 - (unsigned)__builtin_clzll(sum - 1);
    L = L < 32 ? 32 : L;
    uint64_t m = (uint64_t)((((u128)1 << (32 + L)) + sum - 1) / sum);
    bool may_be_one = (sum >> __builtin_ctzll(sum)) <= 65535;
    uint64_t total = 0;
    if (ws->avx2) {
        total = yuma_avx2_scale_row(src, stride, m, L, wr, may_be_one);
    } else {
        for (uint32_t j = 0; j < stride; j++)
            total += wr[j] = (uint32_t)(((u128)src[j] * m) >> L);
    }
    if (self < stride) {
        total -= may_be_one ? wr[self] : 0;   /* (total is 0 where not taken) */
        wr[self] = 0;
    }
    return may_be_one && total >= (uint64_t)FX_ONE;
}

/* Masked, row-normalised weights of every row. A row whose weights were all
 * set after every uid registered (and committed after) loses only its
 * diagonal: it is read in place; others are masked into wsrc first. */
int yuma_dense_weights(yuma_ws *ws, struct ydense_store *st, const yuma_params *p,
                       const yuma_input *in, uint64_t max_reg)
{
    ydense *d = &st->d;
    uint32_t n = in->n, stride = d->stride;
    const yuma_csr *W = &in->weights;
    uint32_t owner = p->owner_uid >= 0 ? (uint32_t)p->owner_uid : UINT32_MAX;
    for (uint32_t r = 0; r < d->rows; r++) {
        uint32_t i = st->uid[r], a = W->row_start[i], b = W->row_start[i + 1];
        uint32_t *wr = d->w + (size_t)r * stride;
        d->rowmax[r] = 0;
        if (!in->validator_permit[i] || a == b) {
            memset(wr, 0, stride * sizeof *wr);
            continue;
        }
        uint64_t upd = in->last_update[i];
        uint64_t cb = in->commit_block ? in->commit_block[i] : UINT64_MAX;
        uint32_t self = i == owner ? UINT32_MAX : i;
        const uint16_t *src = W->val + a;
        uint16_t max;
        uint64_t sum;
        if (b - a == n && n == stride && upd > max_reg && cb >= max_reg) {
            sum = sum16(ws, src, n, &max) - (self < n ? src[self] : 0);
        } else if (upd > max_reg && cb >= max_reg) {
            /* only the diagonal is masked: the row scattered as it is (a
             * validator weighing the miners only, say) */
            if (!expand_row(ws, W->col + a, W->val + a, b - a, n, stride, i, st->wsrc, &max)) {
                memset(st->wsrc, 0, stride * sizeof *st->wsrc);
                for (uint32_t k = a; k < b; k++)
                    st->wsrc[W->col[k]] = W->val[k];
            }
            src = st->wsrc;
            sum = sum16(ws, src, stride, &max) - (self < n ? src[self] : 0);
        } else {
            uint16_t *m = st->wsrc;
            memset(m, 0, stride * sizeof *m);
            sum = 0;
            for (uint32_t k = a; k < b; k++) {
                uint32_t j = W->col[k];
                uint64_t reg = in->registered_at[j];
                if ((j != self) & (upd > reg) & (cb >= reg))
                    m[j] = W->val[k], sum += W->val[k];
            }
            src = m, self = UINT32_MAX;
            sum16(ws, m, stride, &max);
        }
        if (sum >= ((uint64_t)1 << 31))
            return YUMA_FAST_DECLINED;   /* the chain's I32F32 row sum wraps */
        if (sum == 0) {
            memset(wr, 0, stride * sizeof *wr);
        } else if (max >= sum) {         /* one weight holds the row: a 1 */
            d->careful[r] = 1;
            weights_exact(src, stride, self, sum, wr);
        } else {
            if (weights_scaled(ws, src, stride, sum, self, wr))
                d->careful[r] = 1;   /* every floor exact: the row sums to 1 */
            d->rowmax[r] = ((uint64_t)max << 32) / sum;   /* at least its largest weight */
        }
    }
    return 0;
}

/* Each row's stored bonds, without those to uids registered since the last
 * epoch: read in place when nothing is masked, else copied. */
void yuma_dense_bonds(yuma_ws *ws, struct ydense_store *st, const yuma_params *p,
                      const yuma_input *in, uint64_t max_reg)
{
    ydense *d = &st->d;
    uint32_t n = in->n, stride = d->stride;
    const yuma_csr *B = &in->bonds;
    uint64_t last = yuma_bond_cutoff(p, in);
    bool masked = last <= max_reg;
    for (uint32_t r = 0; r < d->rows; r++) {
        uint32_t i = st->uid[r], a = B->row_start[i], b = B->row_start[i + 1];
        if (a == b) {
            d->b[r] = st->zero16;
            continue;
        }
        uint16_t *buf = d->bbuf + (size_t)r * stride, max = 0;
        if (!masked && b - a == n && n == stride) {
            d->b[r] = B->val + a;
            max = max16(ws, d->b[r], stride);
        } else if (!masked) {
            if (!expand_row(ws, B->col + a, B->val + a, b - a, n, stride, i, buf, &max)) {
                memset(buf, 0, stride * sizeof *buf);
                for (uint32_t k = a; k < b; k++) {
                    buf[B->col[k]] = B->val[k];
                    max = B->val[k] > max ? B->val[k] : max;
                }
            }
            d->b[r] = buf;
        } else {
            memset(buf, 0, stride * sizeof *buf);
            for (uint32_t k = a; k < b; k++)
                if (last > in->registered_at[B->col[k]]) {
                    buf[B->col[k]] = B->val[k];
                    max = B->val[k] > max ? B->val[k] : max;
                }
            d->b[r] = buf;
        }
        if (max == 65535)
            d->careful[r] = 1;           /* a bond of exactly 1 */
        uint64_t bmax = yb_fx(max);
        d->rowmax[r] = bmax > d->rowmax[r] ? bmax : d->rowmax[r];
    }
}

/* The bits of a clean row's columns (no registration masks them), but its
 * own: all of them for a full row; for a nearly full one, all but the
 * missing columns (between run_end's runs); else one column at a time. */
static void presence_clean(const uint16_t *col, uint32_t cnt, uint32_t n, uint32_t self,
                           uint8_t *pr)
{
    if (cnt + 8 >= n) {
        memset(pr, 0xff, n / 8);
        if (n % 8)
            pr[n / 8] = (uint8_t)((1u << (n % 8)) - 1);
        uint32_t k = 0, j = 0;   /* clear the columns between runs */
        while (k < cnt) {
            uint32_t c = col[k], lo = run_end(col, k, cnt);
            for (; j < c; j++)
                pr[j / 8] &= (uint8_t)~(1u << (j % 8));
            j = c + (lo - k), k = lo;
        }
        for (; j < n; j++)
            pr[j / 8] &= (uint8_t)~(1u << (j % 8));
    } else {
        for (uint32_t k = 0; k < cnt; k++)
            pr[col[k] / 8] |= (uint8_t)(1u << (col[k] % 8));
    }
    if (self < n)
        pr[self / 8] &= (uint8_t)~(1u << (self % 8));
}

/* Which weights each row has (liquid alpha tells an absent weight from a
 * zero one): the entries kept by the same masks as the weights, 8 a byte. */
void yuma_dense_presence(struct ydense_store *st, const yuma_params *p, const yuma_input *in,
                         uint64_t max_reg)
{
    ydense *d = &st->d;
    uint32_t groups = d->stride / 8;
    const yuma_csr *W = &in->weights;
    uint32_t owner = p->owner_uid >= 0 ? (uint32_t)p->owner_uid : UINT32_MAX;
    for (uint32_t r = 0; r < d->rows; r++) {
        uint32_t i = st->uid[r], a = W->row_start[i], b = W->row_start[i + 1];
        uint8_t *pr = d->pres + (size_t)r * groups;
        memset(pr, 0, groups);
        if (!in->validator_permit[i] || a == b)
            continue;
        uint64_t upd = in->last_update[i];
        uint64_t cb = in->commit_block ? in->commit_block[i] : UINT64_MAX;
        uint32_t self = i == owner ? UINT32_MAX : i;
        if (upd > max_reg && cb >= max_reg) {
            presence_clean(W->col + a, b - a, in->n, self, pr);
            continue;
        }
        for (uint32_t k = a; k < b; k++) {
            uint32_t j = W->col[k];
            uint64_t reg = in->registered_at[j];
            if ((j != self) & (upd > reg) & (cb >= reg))
                pr[j / 8] |= (uint8_t)(1u << (j % 8));
        }
    }
}

/* The EMA bond of a careful row's entry: the fixed alpha's, or with liquid
 * alpha (wb present, or no entry) the bond's own alpha's. */
static uint64_t careful_ema(const ydense *d, uint64_t wb, bool present, uint64_t cons,
                            uint64_t bond)
{
    const yliq *L = d->liq;
    if (!L)
        return mul32(d->alpha, wb) + mul32(d->keep, bond);
    if (!present)
        return 0;
    fx dd = yuma_liquid_d((fx)cons, (fx)wb, (fx)bond);
    fx alpha = dd == 0 ? L->alpha0 : yuma_liquid_alpha(L, fx_mul(L->sdiv, dd - FX_HALF));
    uint64_t v = mul32((uint64_t)(FX_ONE - alpha), bond) + mul32((uint64_t)alpha, wb);
    return v < (uint64_t)FX_ONE ? v : (uint64_t)FX_ONE;
}

/* Whether weight j is among a liquid row's weights for bonds: it is among
 * its weights, and neither clipped to a consensus of 0 (mode 1) nor
 * interpolated to 0 (mode 2). */
static bool careful_present(const ydense *d, uint32_t r, uint32_t j, uint64_t w, uint64_t cons,
                            uint64_t wb)
{
    const uint8_t *pr = d->pres + (size_t)r * (d->stride / 8);
    bool has = (pr[j / 8] >> (j % 8)) & 1;
    if (d->wb_mode == 1)
        return has && !(cons == 0 && w > 0);
    if (d->wb_mode == 2)
        return has && wb > 0;
    return has;
}

/* A careful row, one entry at a time: what the row kernels compute, in
 * 64-bit arithmetic, added to the column sums they wrote. */
void yuma_dense_careful_row(const ydense *d, uint32_t r)
{
    const uint32_t *wr = d->w + (size_t)r * d->stride;
    const uint16_t *br = d->b[r];
    uint64_t *er = d->e64 + (size_t)r * d->stride, s = d->s[r], vt = 0;
    for (uint32_t j = 0; j < d->n; j++) {
        uint64_t w = yw_decode(wr[j]), cn = yw_decode(d->cons[j]), c = w < cn ? w : cn;
        uint64_t wb = d->wb_mode == 0 ? w : d->wb_mode == 1 ? c
                          : (uint64_t)((fx)w + fx_mul((fx)d->ratio, (fx)c - (fx)w));
        if (s) {
            d->pre[j] += mul32(s, w);
            d->ranks[j] += mul32(s, c);
        }
        vt += c;
        bool present = d->liq && careful_present(d, r, j, w, cn, wb);
        uint64_t e = careful_ema(d, wb, present, cn, yb_fx(br[j]));
        er[j] = e;
        d->cs[j] += e;
        uint32_t e32 = e > UINT32_MAX ? UINT32_MAX : (uint32_t)e;
        d->emax[j] = e32 > d->emax[j] ? e32 : d->emax[j];
    }
    d->vt_careful[r] = vt;
}

