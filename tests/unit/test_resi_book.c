/* The book: uniqueness per (source, label, hour) across two and three holders,
 * raw scores with job weights and age, the bucket choice, and the incremental
 * sums against a brute-force recomputation over random index histories. */
#include "validator/resi/resi.h"
#include "test.h"

#define H0 490000   /* a unix hour (late 2025) */

/* 4.0 for 77494 (premium), 0.3 elsewhere. */
static int32_t job(void *ctx, const proto_resi_bucket_id *id)
{
    (void)ctx;
    return strcmp(id->zip, "77494") ? 300 : 4000;
}

static resi_book *book(void)
{
    resi_book_opts o = {job, NULL, 720, 1.0};
    resi_book *b;
    ASSERT_OK(resi_book_new(&o, &b));
    return b;
}

typedef struct row {
    const char *zip;
    int32_t hour;
    uint32_t size;
} row;

/* An index snapshot from rows given in key order. */
static proto_resi_index *index_of(const row *r, uint32_t n)
{
    proto_resi_index *x = proto_resi_index_new(n);
    for (uint32_t i = 0; i < n; i++) {
        ASSERT(proto_resi_bucket_id_set(&x->b[i].id, PROTO_RESI_SOURCE_ZILLOW, r[i].zip, r[i].hour));
        x->b[i].size_bytes = r[i].size;
        x->total_bytes += r[i].size;
    }
    return x;
}

/* Hand the book a snapshot and drop ours, as the validator does. */
static int set(resi_book *b, uint32_t m, const row *r, uint32_t n)
{
    proto_resi_index *x = index_of(r, n);
    int rc = resi_book_set(b, m, x);
    proto_resi_index_release(x);
    return rc;
}

static proto_resi_bucket_id bid(const char *zip, int32_t hour)
{
    proto_resi_bucket_id id;
    proto_resi_bucket_id_set(&id, PROTO_RESI_SOURCE_ZILLOW, zip, hour);
    return id;
}

TEST_IMPL(resi_uniqueness_two_holders_share_a_bucket)
{
    resi_book *b = book();
    row a[] = {{"77494", H0, 300}}, c[] = {{"77494", H0, 100}};
    ASSERT_OK(set(b, 0, a, 1));
    /* alone: size^2/size = size */
    ASSERT_EQ_INT(resi_book_scorable(b, 0, 0), 300);
    ASSERT_NEAR(resi_book_raw(b, 0, H0), 4.0 * 300, 1e-9);
    ASSERT_OK(set(b, 1, c, 1));
    /* total 400: 300^2/400 = 225 and 100^2/400 = 25 */
    proto_resi_bucket_id id = bid("77494", H0);
    ASSERT_EQ_U64(resi_book_bucket_total(b, &id), 400);
    ASSERT_EQ_INT(resi_book_scorable(b, 0, 0), 225);
    ASSERT_EQ_INT(resi_book_scorable(b, 1, 0), 25);
    ASSERT_NEAR(resi_book_raw(b, 0, H0), 900, 1e-9);
    ASSERT_NEAR(resi_book_raw(b, 1, H0), 100, 1e-9);
    /* equal holders split the bucket's value evenly */
    row c2[] = {{"77494", H0, 300}};
    ASSERT_OK(set(b, 1, c2, 1));
    ASSERT_EQ_INT(resi_book_scorable(b, 0, 0), 150);
    ASSERT_EQ_INT(resi_book_scorable(b, 1, 0), 150);
    resi_book_free(b);
}

TEST_IMPL(resi_uniqueness_three_holders_then_one_leaves)
{
    resi_book *b = book();
    row r0[] = {{"10001", H0, 300}}, r1[] = {{"10001", H0, 100}}, r2[] = {{"10001", H0, 600}};
    ASSERT_OK(set(b, 0, r0, 1));
    ASSERT_OK(set(b, 1, r1, 1));
    ASSERT_OK(set(b, 2, r2, 1));
    /* total 1000: 90, 10, 360 */
    ASSERT_EQ_INT(resi_book_scorable(b, 0, 0), 90);
    ASSERT_EQ_INT(resi_book_scorable(b, 1, 0), 10);
    ASSERT_EQ_INT(resi_book_scorable(b, 2, 0), 360);
    ASSERT_NEAR(resi_book_raw(b, 2, H0), 0.3 * 360, 1e-9);
    /* miner 1 drops the bucket: total 900: 100 and 400 */
    ASSERT_OK(resi_book_set(b, 1, NULL));
    ASSERT_EQ_INT(resi_book_scorable(b, 0, 0), 100);
    ASSERT_EQ_INT(resi_book_scorable(b, 2, 0), 400);
    ASSERT_EQ_U64(resi_book_scorable_total(b, 1), 0);
    /* sizes 100 and 200: floor(10000/300) = 33, floor(40000/300) = 133 */
    row s0[] = {{"10001", H0, 100}}, s2[] = {{"10001", H0, 200}};
    ASSERT_OK(set(b, 0, s0, 1));
    ASSERT_OK(set(b, 2, s2, 1));
    ASSERT_EQ_INT(resi_book_scorable(b, 0, 0), 33);
    ASSERT_EQ_INT(resi_book_scorable(b, 2, 0), 133);
    ASSERT_EQ_INT(resi_book_bucket_count(b), 1);
    ASSERT_OK(resi_book_set(b, 0, NULL));
    ASSERT_OK(resi_book_set(b, 2, NULL));
    ASSERT_EQ_INT(resi_book_bucket_count(b), 0);
    resi_book_free(b);
}

TEST_IMPL(resi_raw_score_weights_age_and_far_buckets)
{
    resi_book *b = book();
    /* premium now (age 0), ordinary 360 h old, one 721 h old, one from the future */
    row r[] = {{"10001", H0 - 721, 5000}, {"10001", H0 - 360, 1000}, {"10001", H0 + 2, 100},
               {"77494", H0, 200}};
    ASSERT_OK(set(b, 0, r, 4));
    /* 0.3*1000*0.75 + 0 + 0.3*100*1 + 4*200*1 */
    ASSERT_NEAR(resi_book_raw(b, 0, H0), 225 + 30 + 800, 1e-9);
    /* a window where every bucket is in range uses the summed form */
    row q[] = {{"10001", H0 - 720, 1000}, {"77494", H0, 200}};
    ASSERT_OK(set(b, 0, q, 2));
    ASSERT_NEAR(resi_book_raw(b, 0, H0), 0.3 * 1000 * 0.5 + 800, 1e-9);
    ASSERT_NEAR(resi_book_raw(b, 0, H0 + 1), 0 + 4.0 * 200 * (1 - 1.0 / 1440), 1e-9);
    resi_book_free(b);
}

TEST_IMPL(resi_bucket_choice_is_proportional_to_scorable_bytes)
{
    resi_book *b = book();
    row r[] = {{"10001", H0, 100}, {"10002", H0, 300}, {"10003", H0, 600}};
    ASSERT_OK(set(b, 0, r, 3));
    ASSERT_EQ_U64(resi_book_scorable_total(b, 0), 1000);
    ASSERT_EQ_INT(resi_book_pick(b, 0, 0.0), 0);
    ASSERT_EQ_INT(resi_book_pick(b, 0, 0.0999), 0);
    ASSERT_EQ_INT(resi_book_pick(b, 0, 0.1), 1);     /* cumulative must exceed the byte */
    ASSERT_EQ_INT(resi_book_pick(b, 0, 0.3999), 1);
    ASSERT_EQ_INT(resi_book_pick(b, 0, 0.4), 2);
    ASSERT_EQ_INT(resi_book_pick(b, 0, 0.9999999999), 2);
    ASSERT_EQ_U64(resi_book_pick(b, 1, 0.5), SIZE_MAX);
    resi_book_free(b);
}

TEST_IMPL(resi_book_refuses_unsorted_indexes_and_keeps_the_old)
{
    resi_book *b = book();
    row ok[] = {{"10001", H0, 100}};
    ASSERT_OK(set(b, 0, ok, 1));
    row unsorted[] = {{"10002", H0, 100}, {"10001", H0, 100}};
    ASSERT_EQ_INT(set(b, 0, unsorted, 2), ERR_INPUT);
    row dup[] = {{"10001", H0, 100}, {"10001", H0, 50}};
    ASSERT_EQ_INT(set(b, 0, dup, 2), ERR_INPUT);
    ASSERT_EQ_INT(resi_book_index(b, 0)->n, 1);
    resi_book_free(b);
}

/* ---------------------------------------------- against brute force */

#define M 6
#define K 40   /* distinct keys */

static const char *zips[] = {"77494", "10001", "10002", "30301"};

static double brute_raw(proto_resi_index *const *x, uint32_t m, int32_t hour)
{
    double num = 0;
    for (uint32_t i = 0; x[m] && i < x[m]->n; i++) {
        const proto_resi_index_entry *e = &x[m]->b[i];
        uint64_t total = 0;
        for (uint32_t j = 0; j < M; j++) {
            const proto_resi_index_entry *o = x[j] ? proto_resi_index_find(x[j], &e->id) : NULL;
            total += o ? o->size_bytes : 0;
        }
        uint64_t sb = (uint64_t)e->size_bytes * e->size_bytes / total;
        int64_t age = hour - e->id.hour;
        age = age < 0 ? 0 : age;
        if (age <= 720)
            num += (double)job(NULL, &e->id) * (double)sb * (double)(1440 - age);
    }
    return num / (1440.0 * 1000.0);
}

/* A random index over the K keys: each key present with probability 1/2. */
static proto_resi_index *random_index(rng *r)
{
    row rows[K];
    uint32_t n = 0;
    for (int z = 0; z < 4; z++)
        for (int h = 0; h < K / 4; h++)
            if (rng_chance(r, 0.5))
                rows[n++] = (row){zips[z], H0 - 700 + h * 80, 1 + (uint32_t)rng_below(r, 5000)};
    /* zips[] is not in key order: sort rows by (zip, hour) */
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0; j--) {
            int c = strcmp(rows[j - 1].zip, rows[j].zip);
            if (c < 0 || (c == 0 && rows[j - 1].hour < rows[j].hour))
                break;
            row t = rows[j];
            rows[j] = rows[j - 1];
            rows[j - 1] = t;
        }
    return index_of(rows, n);
}

TEST_IMPL(resi_book_incremental_sums_equal_brute_force)
{
    rng r;
    rng_seed(&r, 7);
    resi_book *b = book();
    proto_resi_index *x[M] = {0};
    for (int step = 0; step < 400; step++) {
        uint32_t m = (uint32_t)rng_below(&r, M);
        proto_resi_index *nx = rng_chance(&r, 0.1) ? NULL : random_index(&r);
        ASSERT_OK(resi_book_set(b, m, nx));
        proto_resi_index_release(x[m]);
        x[m] = nx;
        for (uint32_t j = 0; j < M; j++) {
            int32_t hour = H0 + (int32_t)rng_below(&r, 100) - 20;
            ASSERT_NEAR(resi_book_raw(b, j, hour), brute_raw(x, j, hour),
                        1e-9 * (1 + brute_raw(x, j, hour)));
            uint64_t s = 0;
            for (uint32_t i = 0; x[j] && i < x[j]->n; i++)
                s += resi_book_scorable(b, j, i);
            ASSERT_EQ_U64(resi_book_scorable_total(b, j), s);
        }
    }
    for (uint32_t j = 0; j < M; j++) {
        ASSERT_OK(resi_book_set(b, j, NULL));
        proto_resi_index_release(x[j]);
    }
    ASSERT_EQ_INT(resi_book_bucket_count(b), 0);
    resi_book_free(b);
}
