/* The Yuma Consensus epoch: subtensor's epoch_mechanism (sparse path), step by
 * step, on explicit state. The steps and their names follow run_epoch.rs:
 *
 *   active        last_update + activity_cutoff >= block
 *   stake         I64F64 normalise (after the stake threshold), to I32F32
 *   permits       is_topk_nonzero(stake, max_allowed_validators)
 *   active stake  stake masked by inactive and by no *previous* permit, normalised
 *   weights       rows of previous permit holders, no diagonal (but the owner's),
 *                 no weights set before the target registered (nor, with
 *                 commit-reveal, committed before it), row-normalised
 *   consensus     stake-weighted median per column at kappa
 *   clip          min(w, consensus); validator trust = clipped row sums
 *   ranks         sum_i active_stake_i * clipped_ij; trust = ranks / preranks;
 *                 incentive = normalise(ranks)
 *   bonds         yuma_bonds.c
 *   emission      incentive and dividends over their joint sum (or stake when
 *                 both are zero) times the rao to distribute, floored
 *
 * This file holds the API, the workspace, validation and the steps around the
 * core; the core (weights to dividends) is computed by the dense core
 * (yuma_dense.c, yuma_dense_rows.c: Yuma 3, fixed or liquid alpha, rows held
 * n wide, AVX2 kernels in yuma_avx2*.c chosen at run time, exact scalar
 * loops otherwise; the liquid sigmoid by yuma_liquid.c) or, for sparse
 * subnets and legacy bonds, yuma_fast.c / yuma_fast_bonds.c, falling back
 * to yuma_ref.c / yuma_bonds.c, the line-by-line reference, outside their
 * bounds. All give the same bits (tests/unit/test_yuma_fast.c,
 * test_yuma_liquid.c).
 *
 * Where this differs from the chain: nowhere known in the values. Inputs the
 * chain would never hold (unsorted or duplicate columns, uids >= n) are
 * refused instead of being reproduced. */
#include "chain/yuma_fast.h"

#include <string.h>

void yuma_params_default(yuma_params *p)
{
    /* SPEC.md §1.4; subtensor's defaults for a new subnet. */
    *p = (yuma_params){
        .kappa = 32767,
        .bonds_moving_average = 900000,
        .bonds_penalty = 65535,
        .yuma3 = true,
        .liquid_alpha = false,
        .alpha_low = 45875,
        .alpha_high = 58982,
        .alpha_sigmoid_steepness = 1000,
        .activity_cutoff = 5000,
        .max_allowed_validators = 64,
        .tempo = 360,
        .stake_threshold = 0,
        .owner_uid = -1,
        .fast_sigmoid = false,
    };
}

/* ------------------------------------------------------------ workspace */

yuma_ws *yuma_ws_new(void)
{
    yuma_ws *ws = calloc(1, sizeof(yuma_ws));
    if (ws)
        ws->avx2 = yuma_have_avx2();
    return ws;
}

void yuma_ws_allow_simd(yuma_ws *ws, bool on) { ws->avx2 = on && yuma_have_avx2(); }

void yuma_ws_force_reference(yuma_ws *ws, bool on) { ws->force_reference = on; }

static void ymat_free(ymat *m)
{
    free(m->row);
    free(m->col);
    free(m->val);
}

void yuma_ws_free(yuma_ws *ws)
{
    if (!ws)
        return;
    void *per_uid[] = {ws->active, ws->permit, ws->stake, ws->active_stake,
                       ws->consensus, ws->vtrust, ws->ranks, ws->preranks,
                       ws->trust, ws->incentive, ws->dividends, ws->col_acc,
                       ws->keys, ws->o_stake, ws->o_rank, ws->o_trust,
                       ws->o_consensus, ws->o_incentive, ws->o_dividends,
                       ws->o_vtrust, ws->o_server, ws->o_validator, ws->o_emission,
                       ws->use_rows, ws->use_stake, ws->med_v, ws->med_s,
                       ws->colmat, ws->ob_row, ws->ob_col, ws->ob_val, ws->keymat,
                       ws->keytmp, ws->lq_x, ws->lq_e, ws->lq_b, ws->lq_idx, ws->cdiv};
    for (size_t i = 0; i < sizeof per_uid / sizeof per_uid[0]; i++)
        free(per_uid[i]);
    yuma_dense_free(ws->dense);
    ymat_free(&ws->w);
    ymat_free(&ws->wc);
    ymat_free(&ws->wb);
    ymat_free(&ws->b);
    ymat_free(&ws->ema);
    free(ws);
}

bool yuma_grow(void **p, size_t count, size_t size)
{
    void *q = realloc(*p, count ? count * size : 1);
    if (!q)
        return false;
    *p = q;
    return true;
}

static bool ymat_reserve(ymat *m, uint32_t n, size_t nnz, bool rows)
{
    if (rows && !GROW(m->row, (size_t)n + 1))
        return false;
    if (nnz > m->cap) {
        if (!GROW(m->col, nnz) || !GROW(m->val, nnz))
            return false;
        m->cap = nnz;
    }
    return true;
}

static int ws_reserve(yuma_ws *ws, uint32_t n, size_t nnz, err *e)
{
    bool ok = true;
    if (n > ws->n_cap) {
        size_t c = (size_t)n;
        ok = GROW(ws->active, c) && GROW(ws->permit, c) && GROW(ws->stake, c) &&
             GROW(ws->active_stake, c) && GROW(ws->consensus, c) &&
             GROW(ws->vtrust, c) && GROW(ws->ranks, c) && GROW(ws->preranks, c) &&
             GROW(ws->trust, c) && GROW(ws->incentive, c) && GROW(ws->dividends, c) &&
             GROW(ws->col_acc, c) && GROW(ws->keys, c) && GROW(ws->o_stake, c) &&
             GROW(ws->o_rank, c) && GROW(ws->o_trust, c) && GROW(ws->o_consensus, c) &&
             GROW(ws->o_incentive, c) && GROW(ws->o_dividends, c) &&
             GROW(ws->o_vtrust, c) && GROW(ws->o_server, c) &&
             GROW(ws->o_validator, c) && GROW(ws->o_emission, c) &&
             GROW(ws->use_rows, c) && GROW(ws->use_stake, c) && GROW(ws->med_v, c) &&
             GROW(ws->med_s, c) && GROW(ws->ob_row, c + 1) && GROW(ws->keytmp, c) &&
             GROW(ws->lq_x, c) && GROW(ws->lq_e, c) && GROW(ws->lq_b, c) &&
             GROW(ws->lq_idx, c) && GROW(ws->cdiv, c);
        ok = ok && ymat_reserve(&ws->w, n, 0, true) && ymat_reserve(&ws->wc, n, 0, true) &&
             ymat_reserve(&ws->wb, n, 0, true) && ymat_reserve(&ws->b, n, 0, true) &&
             ymat_reserve(&ws->ema, n, 0, true);
        if (!ok)
            return err_set(e, ERR_NOMEM, "out of memory for an epoch of %u uids", n);
        ws->n_cap = n;
    }
    if (nnz > ws->nnz_cap) {
        ok = ymat_reserve(&ws->w, n, nnz, false) && ymat_reserve(&ws->wc, n, nnz, false) &&
             ymat_reserve(&ws->wb, n, nnz, false) && ymat_reserve(&ws->b, n, nnz, false) &&
             ymat_reserve(&ws->ema, n, nnz, false);
        if (ok && nnz > ws->ob_cap) {
            ok = GROW(ws->ob_col, nnz) && GROW(ws->ob_val, nnz);
            ws->ob_cap = ok ? nnz : ws->ob_cap;
        }
        if (!ok)
            return err_set(e, ERR_NOMEM, "out of memory for %zu matrix entries", nnz);
        ws->nnz_cap = nnz;
    }
    return 0;
}

/* ------------------------------------------------------------ validation */

typedef uint16_t u16x8 __attribute__((vector_size(16)));

/* Whether c[1..cnt) each exceed the one before, eight at a time. */
static bool increasing(const uint16_t *c, uint32_t cnt)
{
    u16x8 acc = {0};
    uint32_t k = 1;
    for (; k + 8 <= cnt; k += 8) {
        u16x8 cur, prev;
        memcpy(&cur, c + k, sizeof cur);
        memcpy(&prev, c + k - 1, sizeof prev);
        acc |= (u16x8)(cur <= prev);
    }
    bool ok = true;
    for (int t = 0; t < 8; t++)
        ok &= !acc[t];
    for (; k < cnt; k++)
        ok &= c[k] > c[k - 1];
    return ok;
}

/* Offsets that never fall, columns strictly increasing and below n in
 * every row: one branch-free sweep (it runs on every epoch's input; the
 * AVX2 one where it may), then, only for a bad matrix, the loops that name
 * the fault. */
static int check_csr(const yuma_csr *m, uint32_t n, bool avx2, const char *what, err *e)
{
    if (!m->row_start)
        return err_set(e, ERR_INPUT, "%s: no row offsets", what);
    if (m->row_start[0] != 0)
        return err_set(e, ERR_INPUT, "%s: row offsets must start at 0", what);
    if (m->row_start[n] > 0 && (!m->col || !m->val))
        return err_set(e, ERR_INPUT, "%s: entries without columns or values", what);
    if (avx2 && yuma_avx2_csr_ok(m->row_start, m->col, n, n))
        return 0;
    bool bad = false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = m->row_start[i], b = m->row_start[i + 1];
        if (b < a || b > m->row_start[n])
            return err_set(e, ERR_INPUT, "%s: row %u ends before it starts", what, i);
        if (a == b)
            continue;
        bad |= m->col[b - 1] >= n;   /* increasing: the last is the largest */
        bad |= !increasing(m->col + a, b - a);
    }
    if (!bad)
        return 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = m->row_start[i], b = m->row_start[i + 1];
        for (uint32_t k = a; k < b; k++) {
            if (k > a && m->col[k] <= m->col[k - 1])
                return err_set(e, ERR_INPUT,
                               "%s: row %u: columns must be strictly increasing (%u after %u)",
                               what, i, m->col[k], m->col[k - 1]);
            if (m->col[k] >= n)
                return err_set(e, ERR_INPUT, "%s: row %u names uid %u of a subnet of %u",
                               what, i, m->col[k], n);
        }
    }
    return 0;
}

static int check_input(const yuma_params *p, const yuma_input *in, bool avx2, err *e)
{
    if (in->n == 0 || in->n > YUMA_MAX_UIDS)
        return err_set(e, ERR_INPUT, "a subnet has 1 to %u uids, not %u", YUMA_MAX_UIDS,
                       in->n);
    if (!in->stake || !in->last_update || !in->registered_at || !in->validator_permit)
        return err_set(e, ERR_INPUT, "missing per-uid input");
    if (p->owner_uid >= (int32_t)in->n)
        return err_set(e, ERR_INPUT, "owner uid %d is not in a subnet of %u", p->owner_uid,
                       in->n);
    u128 sum = 0;
    for (uint32_t i = 0; i < in->n; i++)
        sum += in->stake[i];
    if (sum >= (u128)1 << 63)
        return err_set(e, ERR_INPUT, "total stake must be below 2^63 rao");
    int r = check_csr(&in->weights, in->n, avx2, "weights", e);
    return r ? r : check_csr(&in->bonds, in->n, avx2, "bonds", e);
}

/* ------------------------------------------------------------ helpers */

/* inplace_normalize: x / sum(x), unless the sum is 0. */
void yuma_normalize(fx *x, uint32_t n)
{
    fx sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += x[i];
    if (sum == 0)
        return;
    for (uint32_t i = 0; i < n; i++)
        x[i] = fx_safe_div(x[i], sum);
}

uint32_t yuma_use_rows(yuma_ws *ws, uint32_t n)
{
    uint32_t use = 0;
    for (uint32_t i = 0; i < n; i++)
        if (ws->active_stake[i] > 0) {
            ws->use_rows[use] = i;
            ws->use_stake[use] = ws->active_stake[i];
            use++;
        }
    return use;
}

/* inplace_col_normalize_sparse. */
void ymat_col_normalize(ymat *m, uint32_t n, fx *col_acc)
{
    memset(col_acc, 0, n * sizeof *col_acc);
    uint32_t nnz = m->row[n];
    for (uint32_t k = 0; k < nnz; k++)
        col_acc[m->col[k]] = fx_sat_add(col_acc[m->col[k]], m->val[k]);
    for (uint32_t k = 0; k < nnz; k++) {
        fx s = col_acc[m->col[k]];
        if (s != 0)
            m->val[k] = fx_safe_div(m->val[k], s);
    }
}

/* --------------------------------------------------------------- steps */

/* get_stake_weights_for_network, the stake threshold, inplace_normalize_64 and
 * the conversion to I32F32: floor(floor(s * 2^64 / total) / 2^32), which is
 * floor(s * 2^32 / total), one 128-by-64-bit division (s <= total). total:
 * the stake at or above the threshold (below 2^63: check_input). */
static void stake_weights(yuma_ws *ws, const yuma_params *p, const yuma_input *in, uint64_t total)
{
    for (uint32_t i = 0; i < in->n; i++) {
        uint64_t s = in->stake[i] >= p->stake_threshold ? in->stake[i] : 0;
        ws->stake[i] = s ? (fx)udiv128(s >> 32, s << 32, total) : 0;
    }
}

/* safe_div(x, sum) for 0 <= x <= sum: the shared reciprocal where x fits
 * its 64-bit numerator. */
static fx share(ydiv v, fx x, fx sum)
{
    if (x == 0)
        return 0;
    return x <= FX_ONE ? ydiv_fx(v, (uint64_t)x) : fx_safe_div(x, sum);
}

/* fixed_proportion_to_u16; for x in [0, 1], floor(x * 65535 / 2^32) is
 * ((x << 16) - x) >> 32. */
static uint16_t to_u16(fx x)
{
    return (uint64_t)x <= (uint64_t)FX_ONE ? (uint16_t)((((uint64_t)x << 16) - (uint64_t)x) >> 32)
                                           : fx_to_u16_proportion(x);
}

/* Emission shares and rao, then everything converted as the chain stores it. */
static void emission(yuma_ws *ws, const yuma_input *in)
{
    uint32_t n = in->n;
    fx sum = 0, active_sum = 0;
    bool unit = true;   /* every incentive and dividend in [0, 1]: no saturation */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t inc = (uint64_t)ws->incentive[i], div = (uint64_t)ws->dividends[i];
        unit &= (inc <= (uint64_t)FX_ONE) & (div <= (uint64_t)FX_ONE);
        sum += (fx)(inc + div);
        active_sum += ws->active_stake[i];
    }
    if (!unit) {
        sum = 0;
        for (uint32_t i = 0; i < n; i++)
            sum += fx_sat_add(ws->incentive[i], ws->dividends[i]);
    }
    ydiv v = sum > 0 ? ydiv_make((uint64_t)sum) : (ydiv){0, 0, 0, false};
    uint32_t i = 0;
    if (ws->avx2 && sum >= 2)
        i = yuma_avx2_emission(ws, in->emission, v, n & ~3u);
    for (; i < n; i++) {
        fx inc = ws->incentive[i], div = ws->dividends[i];
        fx combined = fx_sat_add(inc, div);
        fx nse = inc, nve = div, nce = combined;
        if (sum != 0) {   /* inc, div <= combined <= sum */
            nse = share(v, inc, sum);
            nve = share(v, div, sum);
            nce = share(v, combined, sum);
        } else {
            /* no weights, outdated weights or self-weights only */
            nve = nce = active_sum == 0 ? ws->stake[i] : ws->active_stake[i];
        }
        ws->o_server[i] = fx_mul_rao(nse, in->emission);
        ws->o_validator[i] = fx_mul_rao(nve, in->emission);
        ws->o_emission[i] = fx_mul_rao(nce, in->emission);
        ws->o_stake[i] = to_u16(ws->stake[i]);
        ws->o_rank[i] = to_u16(ws->incentive[i]);
        ws->o_trust[i] = to_u16(ws->trust[i]);
        ws->o_consensus[i] = to_u16(ws->consensus[i]);
        ws->o_incentive[i] = to_u16(inc);
        ws->o_dividends[i] = to_u16(div);
        ws->o_vtrust[i] = to_u16(ws->vtrust[i]);
    }
}

/* Bonds to store: a new permit keeps its EMA row, anyone else stores none. */
static void store_bonds(yuma_ws *ws, uint32_t n)
{
    const ymat *m = &ws->ema;
    uint32_t out = 0;
    for (uint32_t i = 0; i < n; i++) {
        ws->ob_row[i] = out;
        if (!ws->permit[i])
            continue;
        for (uint32_t q = m->row[i]; q < m->row[i + 1]; q++) {
            ws->ob_col[out] = m->col[q];
            ws->ob_val[out] = fx_to_u16_proportion(m->val[q]);
            out++;
        }
    }
    ws->ob_row[n] = out;
}

int yuma_epoch(yuma_ws *ws, const yuma_params *p, const yuma_input *in,
               const yuma_output **out, err *e)
{
    int r = check_input(p, in, ws->avx2, e);
    if (r)
        return r;
    uint32_t n = in->n;
    size_t nnz = (size_t)in->weights.row_start[n] + in->bonds.row_start[n];
    if ((r = ws_reserve(ws, n, nnz, e)))
        return r;

    uint64_t total = 0;   /* the stake that counts */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t reach = in->last_update[i] > UINT64_MAX - p->activity_cutoff
                             ? UINT64_MAX
                             : in->last_update[i] + p->activity_cutoff;
        ws->active[i] = !(reach < in->block);
        total += in->stake[i] >= p->stake_threshold ? in->stake[i] : 0;
    }
    stake_weights(ws, p, in, total);
    yuma_topk_nonzero(ws->stake, n, p->max_allowed_validators, ws->keys, ws->permit);
    uint64_t active_sum = 0;   /* stakes are in [0, 1] */
    for (uint32_t i = 0; i < n; i++) {
        fx s = ws->active[i] && in->validator_permit[i] ? ws->stake[i] : 0;
        ws->active_stake[i] = s;
        active_sum += (uint64_t)s;
    }
    yuma_divide_ws(ws, ws->active_stake, n, active_sum);   /* inplace_normalize */

    r = ws->force_reference ? YUMA_FAST_DECLINED : yuma_fast_core(ws, p, in, e);
    if (r == YUMA_FAST_DECLINED) {
        ws->ran = YUMA_CORE_REFERENCE;
        r = yuma_ref_core(ws, p, in, e);
    }
    if (r)
        return r;
    emission(ws, in);
    if (ws->ran != YUMA_CORE_DENSE)   /* the dense core stored them */
        store_bonds(ws, n);

    ws->out = (yuma_output){
        .n = n,
        .active = ws->active,
        .validator_permit = ws->permit,
        .stake_weight = ws->o_stake,
        .rank = ws->o_rank,
        .trust = ws->o_trust,
        .consensus = ws->o_consensus,
        .incentive = ws->o_incentive,
        .dividends = ws->o_dividends,
        .validator_trust = ws->o_vtrust,
        .server_emission = ws->o_server,
        .validator_emission = ws->o_validator,
        .emission = ws->o_emission,
        .bonds = {.row_start = ws->ob_row, .col = ws->ob_col, .val = ws->ob_val},
        .bonds_nnz = ws->ob_row[n],
    };
    *out = &ws->out;
    return 0;
}
