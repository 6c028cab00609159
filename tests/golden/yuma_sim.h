/* A tiny stand-in for subtensor's test mock, enough to replay the chain's own
 * epoch tests: neurons with stake, weights set at a block (max-upscaled as
 * set_weights stores them), manual epochs whose permits and bonds feed the
 * next one. Header-only, for tests/golden/test_yuma_*.c; a ysim is large
 * (dense 512 x 512 state), so it lives on the heap. */
#ifndef SUBNETSIM_TEST_YUMA_SIM_H
#define SUBNETSIM_TEST_YUMA_SIM_H

#include "chain/yuma.h"
#include "core/core.h"
#include "test.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define YSIM_MAX 512

typedef struct ysim {
    uint32_t n;
    uint64_t block, last_epoch_block;
    uint64_t stake[YSIM_MAX], last_update[YSIM_MAX], reg[YSIM_MAX];
    bool permit[YSIM_MAX];
    int32_t w[YSIM_MAX][YSIM_MAX];   /* stored weight, -1 for none */
    int32_t b[YSIM_MAX][YSIM_MAX];   /* stored bond, -1 for none */
    yuma_params p;
    yuma_ws *ws;
    const yuma_output *out;
    /* CSR built for each epoch */
    uint32_t wr[YSIM_MAX + 1], br[YSIM_MAX + 1];
    uint16_t wc[YSIM_MAX * YSIM_MAX], wv[YSIM_MAX * YSIM_MAX];
    uint16_t bc[YSIM_MAX * YSIM_MAX], bv[YSIM_MAX * YSIM_MAX];
} ysim;

/* The subtensor test mock's hyperparameters (tests/mock.rs): Yuma 3 and
 * liquid alpha off, max validators 100, kappa 32767, bma 900000. */
static inline ysim *ysim_new(uint32_t n)
{
    ysim *s = calloc(1, sizeof *s);
    ASSERT(s != NULL && n <= YSIM_MAX);
    s->n = n;
    yuma_params_default(&s->p);
    s->p.yuma3 = false;
    s->p.max_allowed_validators = 100;
    for (uint32_t i = 0; i < YSIM_MAX; i++)
        for (uint32_t j = 0; j < YSIM_MAX; j++)
            s->w[i][j] = s->b[i][j] = -1;
    s->ws = yuma_ws_new();
    ASSERT(s->ws != NULL);
    return s;
}

static inline void ysim_free(ysim *s)
{
    yuma_ws_free(s->ws);
    free(s);
}

/* math.rs vec_u16_max_upscale_to_u16, as do_set_weights applies it. */
static inline void ysim_max_upscale(const uint16_t *in, uint16_t *out, uint32_t k)
{
    uint64_t max = 0;
    for (uint32_t i = 0; i < k; i++)
        max = in[i] > max ? in[i] : max;
    for (uint32_t i = 0; i < k; i++) {
        uint64_t e = in[i];
        if (max == 0) {
            out[i] = 0;
            continue;
        }
        u128 bits;   /* I32F32 result before round() */
        if (max > 32768) {
            uint64_t ratio = ((uint64_t)65535 << 32) / max;   /* u16_max / max */
            bits = (u128)e * ratio;              /* e * ratio, exact */
        } else {
            bits = ((u128)(e * 65535) << 32) / max;
        }
        uint64_t r = (uint64_t)((bits + ((uint64_t)1 << 31)) >> 32);   /* round */
        out[i] = r > 65535 ? 65535 : (uint16_t)r;
    }
}

/* set_weights(uid, cols, vals) at the current block. */
static inline void ysim_set_weights(ysim *s, uint32_t uid, uint32_t k, const uint16_t *cols,
                                    const uint16_t *vals)
{
    uint16_t up[YSIM_MAX];
    ysim_max_upscale(vals, up, k);
    for (uint32_t j = 0; j < YSIM_MAX; j++)
        s->w[uid][j] = -1;
    for (uint32_t q = 0; q < k; q++)
        s->w[uid][cols[q]] = up[q];
    s->last_update[uid] = s->block;
}

static inline void ysim_epoch(ysim *s, uint64_t emission)
{
    uint32_t nw = 0, nb = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        s->wr[i] = nw;
        s->br[i] = nb;
        for (uint32_t j = 0; j < s->n; j++) {
            if (s->w[i][j] >= 0)
                s->wc[nw] = (uint16_t)j, s->wv[nw++] = (uint16_t)s->w[i][j];
            if (s->b[i][j] >= 0)
                s->bc[nb] = (uint16_t)j, s->bv[nb++] = (uint16_t)s->b[i][j];
        }
    }
    s->wr[s->n] = nw;
    s->br[s->n] = nb;
    yuma_input in = {
        .n = s->n,
        .block = s->block,
        .last_epoch_block = s->last_epoch_block,
        .emission = emission,
        .stake = s->stake,
        .last_update = s->last_update,
        .registered_at = s->reg,
        .validator_permit = s->permit,
        .weights = {s->wr, s->wc, s->wv},
        .bonds = {s->br, s->bc, s->bv},
    };
    err e = {0};
    int r = yuma_epoch(s->ws, &s->p, &in, &s->out, &e);
    if (r)
        TEST_FAIL_("yuma_epoch: %s", e.msg);
    for (uint32_t i = 0; i < s->n; i++) {
        s->permit[i] = s->out->validator_permit[i];
        for (uint32_t j = 0; j < s->n; j++)
            s->b[i][j] = -1;
        for (uint32_t q = s->out->bonds.row_start[i]; q < s->out->bonds.row_start[i + 1]; q++)
            s->b[i][s->out->bonds.col[q]] = s->out->bonds.val[q];
    }
}

/* A stored bond, 0 when there is none (get_bonds reads a dense matrix). */
static inline uint16_t ysim_bond(const ysim *s, uint32_t i, uint32_t j)
{
    return s->b[i][j] < 0 ? 0 : (uint16_t)s->b[i][j];
}

#endif
