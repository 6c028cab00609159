#include "core/core.h"
#include "test.h"

TEST_IMPL(evq_orders_by_time_then_sequence)
{
    evq q;
    evq_init(&q);
    static int order[8];
    static int n;
    n = 0;
    struct { int64_t t; int id; } in[] = {{5, 0}, {1, 1}, {5, 2}, {3, 3}, {1, 4}, {5, 5}};
    for (int i = 0; i < 6; i++)
        ASSERT_OK(evq_push(&q, in[i].t, NULL, (void *)(intptr_t)in[i].id));
    evq_event ev;
    while (evq_pop(&q, &ev))
        order[n++] = (int)(intptr_t)ev.arg;
    int want[] = {1, 4, 3, 0, 2, 5};
    ASSERT_EQ_INT(n, 6);
    for (int i = 0; i < 6; i++)
        ASSERT_EQ_INT(order[i], want[i]);
    evq_free(&q);
}

TEST_IMPL(evq_many_random_events_come_out_sorted)
{
    evq q;
    evq_init(&q);
    rng r;
    rng_seed(&r, 7);
    for (int i = 0; i < 10000; i++)
        ASSERT_OK(evq_push(&q, (int64_t)rng_below(&r, 1000), NULL, NULL));
    evq_event ev, prev = {0};
    int count = 0;
    while (evq_pop(&q, &ev)) {
        if (count)
            ASSERT(prev.time < ev.time || (prev.time == ev.time && prev.seq < ev.seq));
        prev = ev;
        count++;
    }
    ASSERT_EQ_INT(count, 10000);
    evq_free(&q);
}

TEST_IMPL(rng_streams_are_independent_of_other_actors)
{
    rng a, b, c;
    rng_stream(&a, 42, "miner-1", "scrape");
    rng_stream(&b, 42, "miner-1", "scrape");
    rng_stream(&c, 42, "miner-2", "scrape");
    uint64_t xa = rng_u64(&a), xb = rng_u64(&b), xc = rng_u64(&c);
    ASSERT_EQ_U64(xa, xb);
    ASSERT(xa != xc);
    rng_stream(&c, 43, "miner-1", "scrape");
    ASSERT(rng_u64(&c) != xa);
}

TEST_IMPL(rng_below_is_in_range_and_roughly_uniform)
{
    rng r;
    rng_seed(&r, 1);
    int counts[10] = {0};
    for (int i = 0; i < 100000; i++) {
        uint64_t x = rng_below(&r, 10);
        ASSERT(x < 10);
        counts[x]++;
    }
    for (int i = 0; i < 10; i++)
        ASSERT_NEAR(counts[i], 10000, 500);
    double s = 0;
    for (int i = 0; i < 100000; i++)
        s += rng_normal(&r, 2.0, 3.0);
    ASSERT_NEAR(s / 100000, 2.0, 0.05);
}

TEST_IMPL(sha256_known_vectors)
{
    uint8_t d[32];
    char hex[65];
    sha256 c;
    sha256_init(&c);
    sha256_update(&c, "abc", 3);
    sha256_final(&c, d);
    sha256_hex(d, hex);
    ASSERT_STR_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* 1,000,000 'a' fed in odd-sized pieces exercises the buffering. */
    sha256_init(&c);
    char a[997];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    while (left) {
        size_t k = left < sizeof a ? left : sizeof a;
        sha256_update(&c, a, k);
        left -= k;
    }
    sha256_final(&c, d);
    sha256_hex(d, hex);
    ASSERT_STR_EQ(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_IMPL(duration_parse_accepts_units_and_rejects_prose)
{
    int64_t us;
    err e;
    ASSERT_OK(duration_parse("250ms", &us, &e));
    ASSERT_EQ_INT(us, 250000);
    ASSERT_OK(duration_parse("90s", &us, &e));
    ASSERT_EQ_INT(us, 90000000);
    ASSERT_OK(duration_parse("5m", &us, &e));
    ASSERT_EQ_INT(us, 300000000);
    ASSERT_OK(duration_parse("24h", &us, &e));
    ASSERT_EQ_INT(us, 86400000000LL);
    ASSERT_OK(duration_parse("30d", &us, &e));
    ASSERT_EQ_INT(us, 30LL * 86400000000LL);
    ASSERT_OK(duration_parse("1.5s", &us, &e));
    ASSERT_EQ_INT(us, 1500000);
    ASSERT_EQ_INT(duration_parse("5 minutes", &us, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "\"5 minutes\"");
    ASSERT_EQ_INT(duration_parse("-5s", &us, &e), ERR_INPUT);
    ASSERT_EQ_INT(duration_parse("", &us, &e), ERR_INPUT);
    ASSERT_EQ_INT(duration_parse("5", &us, &e), ERR_INPUT);
    char buf[32];
    duration_format(300000000, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "5m");
    duration_format(1500000, buf, sizeof buf);
    ASSERT_STR_EQ(buf, "1500ms");
}

TEST_IMPL(sbuf_and_vec_grow)
{
    sbuf b;
    sbuf_init(&b);
    for (int i = 0; i < 1000; i++)
        ASSERT_OK(sbuf_printf(&b, "%d,", i));
    ASSERT(strncmp(b.s, "0,1,2,", 6) == 0);
    ASSERT_EQ_INT(b.len, strlen(b.s));
    char *s = sbuf_take(&b);
    free(s);
    VEC(int) v = {0};
    for (int i = 0; i < 1000; i++)
        ASSERT_OK(VEC_PUSH(&v, i * 2));
    ASSERT_EQ_INT(v.len, 1000);
    ASSERT_EQ_INT(v.v[999], 1998);
    VEC_FREE(&v);
}

TEST_IMPL(err_codes_map_to_exit_statuses)
{
    err e;
    ASSERT_EQ_INT(err_set(&e, ERR_INPUT, "bad %s", "x"), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "bad x");
    err_prefix(&e, "cannot load '%s'", "a.json");
    ASSERT_STR_EQ(e.msg, "cannot load 'a.json': bad x");
    ASSERT_EQ_INT(err_exit_status(ERR_INPUT), 2);
    ASSERT_EQ_INT(err_exit_status(ERR_EXTERNAL), 3);
    ASSERT_EQ_INT(err_exit_status(ERR_OK), 0);
}

/* The ziggurat normal: moments and tails of a standard normal. */
TEST_IMPL(rng_normal_has_normal_moments_and_tails)
{
    rng r;
    rng_seed(&r, 11);
    enum { N = 2000000 };
    double s1 = 0, s2 = 0, s4 = 0;
    int beyond2 = 0, beyond3 = 0, beyond4 = 0;
    for (int i = 0; i < N; i++) {
        double x = rng_normal(&r, 0, 1);
        s1 += x;
        s2 += x * x;
        s4 += x * x * x * x;
        beyond2 += fabs(x) > 2;
        beyond3 += fabs(x) > 3;
        beyond4 += fabs(x) > 4;
    }
    ASSERT_NEAR(s1 / N, 0, 0.003);
    ASSERT_NEAR(s2 / N, 1, 0.004);
    ASSERT_NEAR(s4 / N, 3, 0.03);
    /* P(|x|>2) = 0.0455, P(|x|>3) = 0.0027, P(|x|>4) = 6.3e-5 */
    ASSERT_NEAR(beyond2, 0.04550 * N, 5 * sqrt(0.0455 * N));
    ASSERT_NEAR(beyond3, 0.0026998 * N, 5 * sqrt(0.0027 * N));
    ASSERT_NEAR(beyond4, 6.334e-5 * N, 5 * sqrt(6.334e-5 * N));
    /* scale and shift */
    double m = 0;
    for (int i = 0; i < 100000; i++)
        m += rng_normal(&r, 5, 2);
    ASSERT_NEAR(m / 100000, 5, 0.02);
}

/* The batch form gives rng_normal's values bit for bit, in order, and leaves
 * the stream where n single draws would (tails and wedges included: about
 * 2.8 % of the tries fall outside their block's rectangle). */
TEST_IMPL(rng_normal_fill_matches_single_draws)
{
    rng a, b;
    rng_seed(&a, 99);
    rng_seed(&b, 99);
    enum { N = 200000 };
    static double got[N];
    size_t done = 0;
    for (size_t chunk = 1; done < N; chunk = chunk * 3 % 1001 + 1) {
        size_t n = chunk < N - done ? chunk : N - done;
        rng_normal_fill(&b, 1.5, 0.25, got + done, n);
        done += n;
    }
    for (size_t i = 0; i < N; i++) {
        double want = rng_normal(&a, 1.5, 0.25);
        if (memcmp(&want, &got[i], sizeof want))
            TEST_FAIL_("draw %zu: %.17g from the batch, %.17g single", i, got[i], want);
    }
    ASSERT_EQ_U64(rng_u64(&a), rng_u64(&b));
    rng_normal_fill(&b, 0, 1, got, 0);   /* an empty batch draws nothing */
    ASSERT_EQ_U64(rng_u64(&a), rng_u64(&b));
}

/* Both compression functions agree on random blocks and chained states (on a
 * machine without SHA-NI both sides are the portable code). */
TEST_IMPL(sha256_accelerated_path_matches_the_portable_one)
{
    rng r;
    rng_seed(&r, 5);
    uint8_t buf[64 * 7];
    for (int trial = 0; trial < 2000; trial++) {
        uint32_t a[8], b[8];
        for (int i = 0; i < 8; i++)
            a[i] = b[i] = (uint32_t)rng_u64(&r);
        size_t nb = 1 + rng_below(&r, 7);
        for (size_t i = 0; i < nb * 64; i++)
            buf[i] = (uint8_t)rng_u64(&r);
        sha256_compress(a, buf, nb, false);
        sha256_compress(b, buf, nb, true);
        ASSERT(memcmp(a, b, sizeof a) == 0);
    }
    /* and through the whole hash, at every length around the padding edges */
    for (size_t len = 0; len < 200; len++) {
        sha256 c;
        uint8_t d[32];
        sha256_init(&c);
        sha256_update(&c, buf, len);
        sha256_final(&c, d);
        uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
        uint8_t pad[256] = {0};
        memcpy(pad, buf, len);
        pad[len] = 0x80;
        size_t total = (len + 9 + 63) / 64 * 64;
        uint64_t bits = (uint64_t)len * 8;
        for (int i = 0; i < 8; i++)
            pad[total - 8 + i] = (uint8_t)(bits >> (56 - 8 * i));
        sha256_compress(h, pad, total / 64, true);
        for (int i = 0; i < 8; i++)
            ASSERT_EQ_U64(h[i], (uint32_t)d[4 * i] << 24 | (uint32_t)d[4 * i + 1] << 16 |
                                    (uint32_t)d[4 * i + 2] << 8 | d[4 * i + 3]);
    }
    printf("sha256: %s path\n", sha256_accelerated() ? "SHA-NI" : "portable");
}
