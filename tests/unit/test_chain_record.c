/* The chain's record tables: what the recorder writes for each chain event. */
#include "chain_fixture.h"
#include "store/store.h"

#include <string.h>

/* An in-memory sink: rows per table, and a copy of a few columns. */
typedef struct mem {
    int rows[8];
    int fail_after;                 /* 0 = never; else fail the write after this many */
    int writes;
    char neuron_label[4][32];
    char neuron_replaced[4][32];
    int nneuron;
    long weight_n[16];
    size_t weight_len[16];
    uint64_t weight_epoch[16];
    uint8_t weight_blob[16][64];
    int nweight;
    char kinds[16][8];
    int nkinds;
} mem;

static int table_index(const rt_table *t)
{
    for (int i = 0; chain_tables[i]; i++)
        if (chain_tables[i] == t)
            return i;
    return 7;
}

static int mem_write(void *ctx, const rt_table *t, const rt_val *v)
{
    mem *m = ctx;
    m->writes++;
    if (m->fail_after && m->writes > m->fail_after)
        return ERR_IO;
    m->rows[table_index(t)]++;
    if (t == &chain_table_neuron && m->nneuron < 4) {
        snprintf(m->neuron_label[m->nneuron], 32, "%s", v[6].null ? "(null)" : v[6].u.s);
        snprintf(m->neuron_replaced[m->nneuron], 32, "%s", v[9].null ? "(null)" : v[9].u.s);
        m->nneuron++;
    }
    if (t == &chain_table_weight && m->nweight < 16) {
        m->weight_n[m->nweight] = (long)v[4].u.i;
        m->weight_epoch[m->nweight] = (uint64_t)v[1].u.i;
        m->weight_len[m->nweight] = v[5].u.b.n;
        memcpy(m->weight_blob[m->nweight], v[5].u.b.p, v[5].u.b.n < 64 ? v[5].u.b.n : 64);
        m->nweight++;
    }
    if (t == &chain_table_weight_event && m->nkinds < 16)
        snprintf(m->kinds[m->nkinds++], 8, "%s", v[3].u.s);
    return 0;
}

static chain *setup(mem *m, const chain_record_opts *o, chain_recorder **rec)
{
    err e;
    chain_subnet_params p = cfx_params(false);
    p.max_allowed_uids = 3;
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    chain *c = cfx_chain(&p);
    ASSERT_OK(chain_recorder_new(o, (rt_sink){m, mem_write}, rec));
    chain_observer ob = chain_recorder_observer(*rec);
    ASSERT_OK(chain_add_observer(c, &ob));
    ASSERT_OK(chain_recorder_label(*rec, "v", "validator", "v", "honest"));
    cfx_advance(c, 1);
    ASSERT_OK(chain_fund(c, "ck", 10 * TAO, &e));
    ASSERT_OK(chain_register(c, 1, "v", "ck", NULL, &e));
    ASSERT_OK(chain_register(c, 1, "m1", "ck", NULL, &e));
    ASSERT_OK(chain_add_stake(c, "ck", "v", 1, 10 * TAO, &e));
    return c;
}

TEST_IMPL(neuron_rows_carry_labels_and_the_pruned_hotkey)
{
    mem m = {0};
    chain_recorder *rec;
    chain *c = setup(&m, NULL, &rec);
    err e;
    ASSERT_OK(chain_register(c, 1, "m2", "ck", NULL, &e));
    cfx_advance(c, 9);
    ASSERT_OK(chain_register(c, 1, "m3", "ck", NULL, &e));   /* full: prunes m1 */
    ASSERT_EQ_INT(m.rows[0], 4);   /* neuron */
    ASSERT_EQ_INT(m.rows[1], 1);   /* neuron_exit */
    ASSERT_STR_EQ(m.neuron_label[0], "honest");
    ASSERT_STR_EQ(m.neuron_label[1], "(null)");
    ASSERT_STR_EQ(m.neuron_replaced[2], "(null)");
    ASSERT_STR_EQ(m.neuron_replaced[3], "m1");
    ASSERT_EQ_INT(chain_recorder_error(rec), 0);
    chain_free(c);
    chain_recorder_free(rec);
}

TEST_IMPL(epoch_rows_follow_the_cadence)
{
    mem m = {0};
    chain_record_opts o;
    chain_record_opts_default(&o);
    o.epoch_every = 2;
    chain_recorder *rec;
    chain *c = setup(&m, &o, &rec);
    cfx_advance(c, 8 + 11 * 9);   /* 10 epochs: 0..9 */
    ASSERT_EQ_INT(m.rows[2], 10);       /* chain_epoch: every epoch */
    ASSERT_EQ_INT(m.rows[3], 5 * 2);    /* epoch_neuron: epochs 0, 2, 4, 6, 8 x 2 uids */
    chain_free(c);
    chain_recorder_free(rec);
}

TEST_IMPL(weight_rows_are_recorded_when_changed)
{
    mem m = {0};
    chain_record_opts o;
    chain_record_opts_default(&o);
    o.weights_every = 1;
    o.bonds_every = 0;
    chain_recorder *rec;
    chain *c = setup(&m, &o, &rec);
    err e;
    cfx_advance(c, 9);                  /* epoch 0 at 8 gives v its permit */
    uint16_t u[] = {1}, w[] = {5};
    ASSERT_OK(chain_set_weights(c, 1, "v", u, w, 1, 0, &e));
    cfx_advance(c, 8 + 11 * 3);         /* epochs 1..3: one snapshot (epoch 1) */
    ASSERT_EQ_INT(m.nweight, 1);
    ASSERT_EQ_U64(m.weight_epoch[0], 1);
    ASSERT_EQ_INT(m.weight_n[0], 1);
    uint16_t row[2];
    ASSERT_EQ_INT(m.weight_len[0], 4);
    ASSERT_EQ_INT(chain_row_decode(m.weight_blob[0], 4, row, 2), 2);
    ASSERT_EQ_INT(row[0], 0);
    ASSERT_EQ_INT(row[1], 65535);
    uint16_t u2[] = {0, 1}, w2[] = {1, 1};
    ASSERT_OK(chain_set_weights(c, 1, "v", u2, w2, 2, 0, &e));
    cfx_advance(c, 8 + 11 * 5);
    ASSERT_EQ_INT(m.nweight, 2);
    ASSERT_EQ_U64(m.weight_epoch[1], 4);
    ASSERT_EQ_INT(m.weight_n[1], 2);
    ASSERT_EQ_INT(m.nkinds, 2);
    ASSERT_STR_EQ(m.kinds[0], "set");
    chain_free(c);
    chain_recorder_free(rec);
}

TEST_IMPL(a_failing_sink_is_sticky)
{
    mem m = {.fail_after = 3};
    chain_recorder *rec;
    chain *c = setup(&m, NULL, &rec);   /* 2 neuron rows */
    cfx_advance(c, 8 + 11 * 3);
    ASSERT_EQ_INT(chain_recorder_error(rec), ERR_IO);
    ASSERT_EQ_INT(m.writes, 4);         /* nothing written after the failure */
    chain_free(c);
    chain_recorder_free(rec);
}

TEST_IMPL(row_codec_is_the_stores_u16_vector)
{
    /* store.h store_u16vec_encode: a big-endian u16 per uid, trailing zeros
     * dropped; an explicit zero is just a zero. */
    uint16_t u[4] = {1, 3, 4, 300}, v[4] = {0x1234, 65535, 7, 0};
    uint8_t b[602];
    size_t len = chain_row_encode((chain_row_view){u, v, 4}, b);
    ASSERT_EQ_INT(len, 10);
    uint8_t want[10] = {0, 0, 0x12, 0x34, 0, 0, 0xff, 0xff, 0, 7};
    ASSERT(!memcmp(b, want, 10));
    /* The store's encoder gives the same bytes for the dense row. */
    uint16_t dense[301] = {0};
    for (int i = 0; i < 4; i++)
        dense[u[i]] = v[i];
    uint8_t sb[602];
    ASSERT_EQ_INT(store_u16vec_encode(dense, 301, sb), len);
    ASSERT(!memcmp(sb, b, len));
    uint16_t out[8];
    ASSERT_EQ_INT(chain_row_decode(b, len, out, 8), 5);
    ASSERT_EQ_INT(out[1], 0x1234);
    ASSERT_EQ_INT(out[3], 65535);
    ASSERT_EQ_INT(out[4], 7);
    ASSERT_EQ_INT(out[7], 0);
    ASSERT_EQ_INT(chain_row_decode(b, 9, out, 8), -1);
    ASSERT_EQ_INT(chain_row_decode(b, 10, out, 4), -1);
    ASSERT_EQ_INT(chain_row_encode((chain_row_view){u, v, 0}, b), 0);
}
