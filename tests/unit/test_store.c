/* The store: values round trip, tables appear on first use, batching, the run's
 * lifecycle, and the digest. */
#include "store_fixture.h"

#include <float.h>
#include <string.h>

static const char utf8[] = "Z\xc3\xbcrich \xe2\x80\x93 \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x9a\x80";
static const char quoted[] = "it's \"quoted\"; DROP TABLE run; --";

TEST_IMPL(store_round_trips_every_value_type)
{
    const char *path = fx_path("rt.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    int64_t id = fx_begin(s, 7);
    ASSERT_EQ_INT(id, 1);
    uint8_t zeros[4] = {0, 1, 0, 255}, big[1000];
    for (int i = 0; i < 1000; i++)
        big[i] = (uint8_t)(i * 7);
    rt_val rows[][4] = {
        {RT_NULL, RT_NULL, RT_NULL, RT_NULL},
        {RT_I(INT64_MIN), RT_D(-0.0), RT_S(""), RT_B(zeros, 0)},
        {RT_I(INT64_MAX), RT_D(DBL_MAX), RT_S(quoted), RT_B(zeros, 4)},
        {RT_I(0), RT_D(5e-324), RT_S(utf8), RT_B(big, 1000)},
        {RT_I(-1), RT_D(INFINITY), RT_S(NULL), RT_B(zeros, 1)},
        {RT_I(1), RT_D(NAN), RT_S("a\nb\tc"), RT_NULL},
        {RT_I(42), RT_D(-1.0 / 3), RT_S("x"), RT_B(big, 1)},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        ASSERT_OK(store_write(s, &every_t, rows[r]));
    char digest[STORE_DIGEST_HEX];
    fx_finish(s, digest);

    sqlite3 *db = store_db(s);
    sqlite3_stmt *st;
    ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT run_id, i, d, s, b FROM every ORDER BY rowid", -1,
                                     &st, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);   /* all NULL */
    ASSERT_EQ_INT(sqlite3_column_int64(st, 0), 1);
    for (int c = 1; c <= 4; c++)
        ASSERT_EQ_INT(sqlite3_column_type(st, c), SQLITE_NULL);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    ASSERT(sqlite3_column_int64(st, 1) == INT64_MIN);
    ASSERT(sqlite3_column_double(st, 2) == 0 && !signbit(sqlite3_column_double(st, 2)));
    ASSERT_EQ_INT(sqlite3_column_type(st, 3), SQLITE_TEXT);
    ASSERT_EQ_INT(sqlite3_column_bytes(st, 3), 0);
    ASSERT_EQ_INT(sqlite3_column_type(st, 4), SQLITE_BLOB);   /* empty, not NULL */
    ASSERT_EQ_INT(sqlite3_column_bytes(st, 4), 0);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    ASSERT(sqlite3_column_int64(st, 1) == INT64_MAX);
    ASSERT(sqlite3_column_double(st, 2) == DBL_MAX);
    ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 3), quoted);
    ASSERT_EQ_INT(sqlite3_column_bytes(st, 4), 4);
    ASSERT(!memcmp(sqlite3_column_blob(st, 4), zeros, 4));
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    ASSERT_EQ_INT(sqlite3_column_int64(st, 1), 0);
    ASSERT(sqlite3_column_double(st, 2) == 5e-324);
    ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 3), utf8);
    ASSERT_EQ_INT(sqlite3_column_bytes(st, 4), 1000);
    ASSERT(!memcmp(sqlite3_column_blob(st, 4), big, 1000));
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    ASSERT_EQ_INT(sqlite3_column_int64(st, 1), -1);
    ASSERT(isinf(sqlite3_column_double(st, 2)) && sqlite3_column_double(st, 2) > 0);
    ASSERT_EQ_INT(sqlite3_column_type(st, 3), SQLITE_NULL);   /* a NULL char * */
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    ASSERT_EQ_INT(sqlite3_column_type(st, 2), SQLITE_NULL);   /* NaN, as SQLite keeps it */
    ASSERT_STR_EQ((const char *)sqlite3_column_text(st, 3), "a\nb\tc");
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_ROW);
    ASSERT(sqlite3_column_double(st, 2) == -1.0 / 3);
    ASSERT_EQ_INT(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);

    /* The digest describes exactly what the file holds. */
    char again[STORE_DIGEST_HEX];
    err e = {0};
    ASSERT_OK(store_run_verify(s, id, again, &e));
    ASSERT_STR_EQ(again, digest);
    store_close(s);
}

TEST_IMPL(store_creates_a_table_on_first_use_with_run_id_first)
{
    const char *path = fx_path("first.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    sqlite3 *db = store_db(s);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'every'"), 0);
    fx_begin(s, 1);
    fx_rows(s, 0, 3);
    err e = {0};
    ASSERT_OK(store_flush(s, &e));
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM every"), 3);
    ASSERT_EQ_INT(fx_int(db, "SELECT cid FROM pragma_table_info('every') WHERE name = 'run_id'"),
                  0);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM pragma_table_info('every')"), 5);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM store_table WHERE name = 'every'"
                             " AND doc = 'one value of each type' AND indexes = 'i'"), 1);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM store_column WHERE table_name = 'every'"
                             " AND name = 'd' AND type = 'REAL' AND doc = 'a real'"), 1);
    /* Indexes are built once the rows are in. */
    static const char idx[] = "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                              " AND tbl_name = 'every' AND sql LIKE '%(run_id, i)'";
    ASSERT_EQ_INT(fx_int(db, idx), 0);
    fx_finish(s, NULL);
    ASSERT_EQ_INT(fx_int(db, idx), 1);
    store_close(s);
}

TEST_IMPL(store_commits_every_commit_rows_when_synchronous)
{
    const char *path = fx_path("batch.db");
    store_options o;
    store_options_default(&o);
    o.synchronous = true;
    o.commit_rows = 5;
    o.commit_interval = 3600;
    store *s = fx_open(path, STORE_WRITE, &o);
    fx_begin(s, 1);
    fx_rows(s, 0, 12);
    /* Another reader sees the two full batches, not the two rows pending. */
    ASSERT_EQ_INT(fx_int_file(path, "SELECT count(*) FROM every"), 10);
    err e = {0};
    ASSERT_OK(store_flush(s, &e));
    ASSERT_EQ_INT(fx_int_file(path, "SELECT count(*) FROM every"), 12);
    fx_rows(s, 12, 3);
    fx_finish(s, NULL);
    ASSERT_EQ_INT(fx_int_file(path, "SELECT count(*) FROM every"), 15);
    store_close(s);
}

TEST_IMPL(store_writer_thread_commits_after_commit_interval)
{
    const char *path = fx_path("interval.db");
    store_options o;
    store_options_default(&o);
    o.commit_rows = 1000000;
    o.commit_interval = 0.02;
    store *s = fx_open(path, STORE_WRITE, &o);
    fx_begin(s, 1);
    fx_rows(s, 0, 3);
    /* Nothing asks for a commit: the interval alone must bring the rows in. */
    int64_t seen = 0;
    for (int tries = 0; tries < 1000 && seen < 3; tries++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        if (fx_int_file(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'every'"))
            seen = fx_int_file(path, "SELECT count(*) FROM every");
    }
    ASSERT_EQ_INT(seen, 3);
    fx_finish(s, NULL);
    store_close(s);
}

TEST_IMPL(store_run_is_incomplete_until_finished)
{
    const char *path = fx_path("life.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    int64_t id = fx_begin(s, 42);
    ASSERT_EQ_INT(fx_int_file(path, "SELECT count(*) FROM run WHERE status = 'incomplete'"
                                    " AND digest IS NULL AND finished_at IS NULL"), 1);
    fx_rows(s, 0, 10);
    err e = {0};
    store_run *runs;
    size_t n;
    /* The writer thread owns this store's connection; a reader opens its own. */
    ASSERT_EQ_INT(store_runs(s, &runs, &n, &e), ERR_INTERNAL);
    ASSERT_OK(store_flush(s, &e));
    store *reader = fx_open(path, STORE_READ, NULL);
    ASSERT_OK(store_runs(reader, &runs, &n, &e));
    ASSERT_EQ_INT(n, 1);
    ASSERT_STR_EQ(runs[0].status, "incomplete");
    store_runs_free(runs, n);
    ASSERT_EQ_INT(fx_int(store_db(reader), "SELECT count(*) FROM every"), 10);
    store_close(reader);
    char digest[STORE_DIGEST_HEX];
    ASSERT_OK(store_run_finish(s, STORE_FAILED, "validator crashed", 3600, 1.5, digest, &e));
    ASSERT_EQ_INT(strlen(digest), 64);
    store_run r;
    ASSERT_OK(store_run_get(s, id, &r, &e));
    ASSERT_STR_EQ(r.status, "failed");
    ASSERT_STR_EQ(r.error, "validator crashed");
    ASSERT_STR_EQ(r.digest, digest);
    ASSERT_STR_EQ(r.scenario_name, "fixture");
    ASSERT_STR_EQ(r.scenario_json, "{\"seed\":1}");
    ASSERT_STR_EQ(r.version, SUBNETSIM_VERSION);
    ASSERT_EQ_U64(r.seed, 42);
    ASSERT_NEAR(r.simulated_seconds, 3600, 0);
    ASSERT(r.finished_at && strlen(r.started_at) == 24);
    ASSERT_EQ_INT(r.nparams, 2);
    ASSERT_STR_EQ(r.params[0].key, "a.key");
    ASSERT_STR_EQ(r.params[1].value, "360");
    store_run_free(&r);
    store_close(s);
}

TEST_IMPL(store_keeps_two_runs_in_one_file_apart)
{
    const char *path = fx_path("two.db");
    char d1[STORE_DIGEST_HEX], d2[STORE_DIGEST_HEX];
    store *s = fx_open(path, STORE_WRITE, NULL);
    ASSERT_EQ_INT(fx_begin(s, 1), 1);
    fx_rows(s, 0, 20);
    fx_finish(s, d1);
    store_close(s);
    s = fx_open(path, STORE_WRITE, NULL);
    ASSERT_EQ_INT(fx_begin(s, (uint64_t)-1), 2);
    fx_rows(s, 0, 20);
    fx_finish(s, d2);
    ASSERT_STR_EQ(d1, d2);   /* same records, same digest, whatever the run_id */
    store_close(s);

    s = fx_open(path, STORE_READ, NULL);
    store_run *runs;
    size_t n;
    err e = {0};
    ASSERT_OK(store_runs(s, &runs, &n, &e));
    ASSERT_EQ_INT(n, 2);
    ASSERT_EQ_INT(runs[1].id, 2);
    ASSERT_EQ_U64(runs[1].seed, UINT64_MAX);
    ASSERT_STR_EQ(runs[0].status, "complete");
    ASSERT(runs[0].scenario_text == NULL);   /* summaries only */
    store_runs_free(runs, n);
    ASSERT_EQ_INT(fx_int(store_db(s), "SELECT count(*) FROM every WHERE run_id = 2"), 20);
    ASSERT_OK(store_run_verify(s, 1, NULL, &e));
    ASSERT_OK(store_run_verify(s, 2, NULL, &e));
    ASSERT_EQ_INT(store_run_begin(s, &(store_run_info){0}, NULL, &e), ERR_INTERNAL);
    store_close(s);
}

/* The same writes with a given batching; returns the digest. */
static void digest_of(const char *name, int64_t commit_rows, bool sync, int flip_row,
                      char out[STORE_DIGEST_HEX])
{
    store_options o;
    store_options_default(&o);
    o.commit_rows = commit_rows;
    o.synchronous = sync;
    store *s = fx_open(fx_path(name), STORE_WRITE, &o);
    fx_begin(s, 9);
    for (int k = 0; k < 500; k++) {
        double d = k * 0.25;
        if (k == flip_row) {
            uint64_t bits;
            memcpy(&bits, &d, 8);
            bits ^= 1;   /* one bit of the mantissa */
            memcpy(&d, &bits, 8);
        }
        rt_val v[] = {RT_I(k), RT_D(d), RT_S(k % 3 ? "x" : NULL), RT_B("ab", (size_t)(k % 3))};
        ASSERT_OK(store_write(s, &every_t, v));
    }
    fx_finish(s, out);
    err e = {0};
    ASSERT_OK(store_run_verify(s, 1, NULL, &e));
    store_close(s);
}

TEST_IMPL(store_digest_is_independent_of_batching_and_threads)
{
    char a[STORE_DIGEST_HEX], b[STORE_DIGEST_HEX], c[STORE_DIGEST_HEX], d[STORE_DIGEST_HEX];
    digest_of("a.db", 1, true, -1, a);
    digest_of("b.db", 7, false, -1, b);
    digest_of("c.db", 1000000, false, -1, c);
    digest_of("d.db", 13, true, -1, d);
    ASSERT_STR_EQ(a, b);
    ASSERT_STR_EQ(a, c);
    ASSERT_STR_EQ(a, d);
}

TEST_IMPL(store_digest_changes_with_one_bit)
{
    char a[STORE_DIGEST_HEX], b[STORE_DIGEST_HEX], c[STORE_DIGEST_HEX];
    digest_of("a.db", 100, false, -1, a);
    digest_of("b.db", 100, false, 250, b);
    digest_of("c.db", 100, false, 499, c);
    ASSERT(strcmp(a, b) != 0);
    ASSERT(strcmp(a, c) != 0);
    ASSERT(strcmp(b, c) != 0);
}

/* The encoding is part of the file format: pin it with bytes built by hand. */
TEST_IMPL(store_digest_follows_the_documented_encoding)
{
    static const rt_column cols[] = {{"a", RT_COL_INT, ""}, {"b", RT_COL_REAL, ""},
                                     {"c", RT_COL_TEXT, ""}, {"d", RT_COL_BLOB, ""}};
    static const rt_table t = {"t", "", cols, 4, NULL, NULL};
    store *s = fx_open(fx_path("enc.db"), STORE_WRITE, NULL);
    fx_begin(s, 1);
    uint8_t ff = 0xff;
    rt_val v[] = {RT_I(-3), RT_D(1.5), RT_S("hi"), RT_B(&ff, 1)};
    ASSERT_OK(store_write(s, &t, v));
    rt_val w[] = {RT_I(300), RT_NULL, RT_S(NULL), RT_NULL};
    ASSERT_OK(store_write(s, &t, w));
    char digest[STORE_DIGEST_HEX];
    fx_finish(s, digest);

    static const uint8_t stream[] = {
        1, 't', 4, 1, 'a', 1, 1, 'b', 2, 1, 'c', 3, 1, 'd', 4,           /* header */
        1, 5, 2, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 3, 2, 'h', 'i', 4, 1, 0xff, /* row 1 */
        1, 0xd8, 0x04, 0, 0, 0,                                            /* row 2 */
    };
    uint8_t table[32], run[32];
    char hex[65];
    sha256 h;
    sha256_init(&h);
    sha256_update(&h, stream, sizeof stream);
    sha256_final(&h, table);
    sha256_hex(table, hex);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM run_table WHERE table_name = 't'"
                              " AND rows = 2 AND digest = '%s'", hex);
    ASSERT_EQ_INT(fx_int(store_db(s), sql), 1);
    sha256_init(&h);
    sha256_update(&h, "\x01t\x02", 3);
    sha256_update(&h, table, 32);
    sha256_final(&h, run);
    sha256_hex(run, hex);
    ASSERT_STR_EQ(digest, hex);
    store_close(s);
}

TEST_IMPL(store_verify_finds_a_changed_record)
{
    const char *path = fx_path("tamper.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    fx_begin(s, 1);
    fx_rows(s, 0, 50);
    fx_finish(s, NULL);
    store_close(s);
    fx_exec_file(path, "UPDATE every SET d = d + 1e-9 WHERE i = 17");
    s = fx_open(path, STORE_READ, NULL);
    err e = {0};
    ASSERT_EQ_INT(store_run_verify(s, 1, NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "records differ from its digest: table 'every'");
    store_close(s);
    fx_exec_file(path, "DELETE FROM every WHERE i = 49");
    s = fx_open(path, STORE_READ, NULL);
    ASSERT_EQ_INT(store_run_verify(s, 1, NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "holds 49 rows, 50 were written");
    store_close(s);
}

TEST_IMPL(store_refuses_bad_table_definitions_and_fails_the_run)
{
    static const rt_column cols[] = {{"x", RT_COL_INT, ""}};
    static const rt_table bad = {"run", "", cols, 1, NULL, NULL};
    static const rt_column cols2[] = {{"x", RT_COL_REAL, ""}};
    static const rt_table twin = {"every", "", cols2, 1, NULL, NULL};
    store *s = fx_open(fx_path("bad.db"), STORE_WRITE, NULL);
    fx_begin(s, 1);
    fx_rows(s, 0, 2);
    rt_val v[] = {RT_I(1)};
    ASSERT_EQ_INT(store_write(s, &bad, v), ERR_INTERNAL);
    ASSERT_CONTAINS(store_write_error(s), "record table name 'run' is not allowed");
    ASSERT_EQ_INT(store_write(s, &every_t, (rt_val[]){RT_I(1), RT_D(1), RT_S(""), RT_NULL}),
                  ERR_INTERNAL);   /* sticky */
    err e = {0};
    char digest[STORE_DIGEST_HEX];
    ASSERT_EQ_INT(store_run_finish(s, STORE_COMPLETE, NULL, 1, 1, digest, &e), ERR_INTERNAL);
    ASSERT_STR_EQ(digest, "");
    ASSERT_EQ_INT(fx_int(store_db(s), "SELECT count(*) FROM run WHERE status = 'failed'"
                                      " AND error LIKE '%not allowed%' AND digest IS NULL"), 1);
    fx_begin(s, 2);   /* the next run starts clean */
    fx_rows(s, 0, 1);
    ASSERT_EQ_INT(store_write(s, &twin, v), ERR_INTERNAL);
    ASSERT_CONTAINS(store_write_error(s), "two different definitions");
    store_close(s);
}

TEST_IMPL(store_u16_vectors_decode_in_a_view)
{
    static const rt_column cols[] = {
        {"block", RT_COL_INT, "block"},
        {"validator", RT_COL_INT, "uid"},
        {"weights", RT_COL_BLOB, "u16 per miner uid"},
    };
    static const rt_table wt = {"weight_vec", "weights as set", cols, 3, NULL, NULL};
    uint16_t v[8] = {0, 65535, 1, 256, 4096, 0, 0x1234, 0}, back[8];
    uint8_t blob[16];
    size_t n = store_u16vec_encode(v, 8, blob);
    ASSERT_EQ_INT(n, 14);   /* the trailing zero is dropped */
    ASSERT_EQ_INT(store_u16vec_decode(blob, n, back, 8), 7);
    ASSERT(!memcmp(v, back, sizeof v));
    ASSERT_EQ_INT(store_u16vec_decode(blob, 3, back, 8), -1);

    store *s = fx_open(fx_path("vec.db"), STORE_WRITE, NULL);
    err e = {0};
    ASSERT_OK(store_vector_view(s, &wt, "weights", "weight", "miner", &e));
    ASSERT_EQ_INT(store_vector_view(s, &wt, "block", "w2", "miner", &e), ERR_INTERNAL);
    ASSERT_EQ_INT(store_vector_view(s, &wt, "weights", "w3", "block", &e), ERR_INTERNAL);
    /* Usable, and described, before any row is recorded. */
    ASSERT_EQ_INT(fx_int(store_db(s), "SELECT count(*) FROM weight"), 0);
    sbuf md;
    sbuf_init(&md);
    ASSERT_OK(store_describe_markdown(s, &md, &e));
    ASSERT_CONTAINS(md.s, "#### `weight`\n\nevery non-zero entry of weight_vec.weights, one row "
                          "each.\n\n| column | type | meaning |\n|---|---|---|\n| `run_id` |");
    ASSERT_CONTAINS(md.s, "| `validator` | INTEGER | uid |\n"
                          "| `miner` | INTEGER | index of the entry in weights (a uid) |\n"
                          "| `value` | INTEGER | the entry, u16 (> 0): u16 per miner uid |");
    sbuf_free(&md);
    fx_begin(s, 1);
    rt_val r1[] = {RT_I(100), RT_I(3), RT_B(blob, n)};
    ASSERT_OK(store_write(s, &wt, r1));
    rt_val r2[] = {RT_I(200), RT_I(4), RT_B(blob, 4)};
    ASSERT_OK(store_write(s, &wt, r2));
    fx_finish(s, NULL);
    sqlite3 *db = store_db(s);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM weight"), 5 + 1);
    ASSERT_EQ_INT(fx_int(db, "SELECT value FROM weight WHERE validator = 3 AND miner = 1"), 65535);
    ASSERT_EQ_INT(fx_int(db, "SELECT value FROM weight WHERE validator = 3 AND miner = 3"), 256);
    ASSERT_EQ_INT(fx_int(db, "SELECT value FROM weight WHERE validator = 3 AND miner = 4"), 4096);
    ASSERT_EQ_INT(fx_int(db, "SELECT value FROM weight WHERE validator = 3 AND miner = 6"),
                  0x1234);
    ASSERT_EQ_INT(fx_int(db, "SELECT sum(miner) FROM weight WHERE block = 100"), 1 + 2 + 3 + 4 + 6);
    ASSERT_EQ_INT(fx_int(db, "SELECT block * 1000 + value FROM weight WHERE validator = 4"),
                  200 * 1000 + 65535);
    store_close(s);
}

TEST_IMPL(store_creates_listed_tables_up_front)
{
    static const rt_column cols[] = {{"k", RT_COL_INT, "k"}};
    static const rt_table quiet = {"quiet", "a table no run writes to", cols, 1, NULL, NULL};
    static const rt_table bad = {"store_x", "", cols, 1, NULL, NULL};
    const rt_table *const tabs[] = {&every_t, &quiet, NULL};
    const rt_table *const bads[] = {&quiet, &bad, NULL};
    store *s = fx_open(fx_path("upfront.db"), STORE_WRITE, NULL);
    err e = {0};
    ASSERT_OK(store_create_tables(s, tabs, &e));
    sqlite3 *db = store_db(s);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM quiet"), 0);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM store_table"), 2);
    fx_begin(s, 1);
    fx_rows(s, 0, 4);   /* the tables made up front take rows as usual */
    fx_finish(s, NULL);
    ASSERT_OK(store_run_verify(s, 1, NULL, &e));
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM run_table"), 1);   /* quiet had no rows */
    ASSERT_EQ_INT(store_create_tables(s, bads, &e), ERR_INTERNAL);
    ASSERT_CONTAINS(e.msg, "'store_x' is not allowed");
    store_close(s);
}

TEST_IMPL(store_describes_its_tables_in_markdown)
{
    store *s = fx_open(fx_path("doc.db"), STORE_WRITE, NULL);
    fx_begin(s, 1);
    fx_rows(s, 0, 1);
    fx_finish(s, NULL);
    sbuf md;
    sbuf_init(&md);
    err e = {0};
    ASSERT_OK(store_describe_markdown(s, &md, &e));
    ASSERT_CONTAINS(md.s, "#### `run`\n\none row per run.");
    ASSERT_CONTAINS(md.s, "| `status` | TEXT | incomplete (running, or killed), complete");
    ASSERT_CONTAINS(md.s, "#### `every`\n\none value of each type.\n\nIndexed by run_id then: i.");
    ASSERT_CONTAINS(md.s, "| `run_id` | INTEGER | the run (`run.run_id`) |\n| `i` | INTEGER | an "
                          "integer |");
    sbuf_free(&md);
    store_close(s);

    char *out = NULL;
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "'%s' tables '%s'", test_binary(), fx_path("doc.db"));
    ASSERT_EQ_INT(test_run(cmd, &out), 0);
    ASSERT_CONTAINS(out, "| `b` | BLOB | a blob |");
    free(out);
    snprintf(cmd, sizeof cmd, "'%s' tables '%s'", test_binary(), fx_path("missing.db"));
    ASSERT_EQ_INT(test_run(cmd, &out), 2);
    ASSERT_CONTAINS(out, "missing.db");
    free(out);
}

/* Rows of several tables interleaved, tables appearing mid-run, commits every
 * few rows: each table keeps its own order (multi-row inserts are per table). */
TEST_IMPL(store_keeps_each_tables_order_when_tables_interleave)
{
    static const rt_column cols[] = {{"k", RT_COL_INT, "row number"}};
    static const rt_table a = {"ta", "", cols, 1, NULL, NULL}, b = {"tb", "", cols, 1, NULL, NULL},
                          c = {"tc", "", cols, 1, NULL, NULL};
    const rt_table *tabs[] = {&a, &b, &c};
    store_options o;
    store_options_default(&o);
    o.commit_rows = 5;
    store *s = fx_open(fx_path("mix.db"), STORE_WRITE, &o);
    int64_t id = fx_begin(s, 1);
    int64_t next[3] = {0};
    rng r;
    rng_seed(&r, 11);
    for (int i = 0; i < 3000; i++) {
        int t = i < 100 ? 0 : (int)rng_below(&r, i < 1000 ? 2 : 3);
        ASSERT_OK(store_write(s, tabs[t], (rt_val[]){RT_I(next[t]++)}));
    }
    fx_finish(s, NULL);
    sqlite3 *db = store_db(s);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM ta"), next[0]);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM tb"), next[1]);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM tc"), next[2]);
    ASSERT(next[2] > 500);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM (SELECT k, row_number() OVER"
                             " (ORDER BY rowid) - 1 AS n FROM tc) WHERE k <> n"), 0);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM (SELECT k, row_number() OVER"
                             " (ORDER BY rowid) - 1 AS n FROM tb) WHERE k <> n"), 0);
    err e = {0};
    ASSERT_OK(store_run_verify(s, id, NULL, &e));
    store_close(s);
}

/* A table with a key is clustered on (run_id, key) WITHOUT ROWID, and a second
 * row with the same key is a write error that fails the run's finish. */
TEST_IMPL(store_keyed_tables_are_clustered_and_unique)
{
    static const rt_column cols[] = {{"epoch", RT_COL_INT, "epoch"}, {"uid", RT_COL_INT, "uid"},
                                     {"x", RT_COL_REAL, "a value"}};
    static const rt_table keyed = {"keyed", "", cols, 3, NULL, "epoch, uid"};
    const char *path = fx_path("keyed.db");
    store_options o;
    store_options_default(&o);
    o.synchronous = true;
    store *s = fx_open(path, STORE_WRITE, &o);
    fx_begin(s, 1);
    for (int ep = 0; ep < 3; ep++)
        for (int u = 0; u < 4; u++) {
            rt_val v[] = {RT_I(ep), RT_I(u), RT_D(ep + u / 10.0)};
            ASSERT_OK(store_write(s, &keyed, v));
        }
    char digest[STORE_DIGEST_HEX];
    fx_finish(s, digest);
    sqlite3 *db = store_db(s);
    sqlite3_stmt *q;
    ASSERT_EQ_INT(sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE name = 'keyed'", -1,
                                     &q, NULL), SQLITE_OK);
    ASSERT_EQ_INT(sqlite3_step(q), SQLITE_ROW);
    ASSERT_CONTAINS((const char *)sqlite3_column_text(q, 0), "PRIMARY KEY (run_id, epoch, uid)) WITHOUT ROWID");
    sqlite3_finalize(q);
    /* a duplicate key in a second run of the same file */
    fx_begin(s, 2);
    rt_val v[] = {RT_I(0), RT_I(0), RT_D(1)};
    ASSERT_OK(store_write(s, &keyed, v));
    store_write(s, &keyed, v);
    err e;
    ASSERT(store_run_finish(s, STORE_COMPLETE, NULL, 1, 1, digest, &e) != 0);
    ASSERT_CONTAINS(e.msg, "keyed");
    store_close(s);
}

/* A keyed table is a set: the same rows written in another order give the same
 * digest, and store_run_verify recomputes it from the file. */
static void keyed_run(const char *name, bool reverse, char digest[STORE_DIGEST_HEX])
{
    static const rt_column cols[] = {{"epoch", RT_COL_INT, "epoch"}, {"uid", RT_COL_INT, "uid"}};
    static const rt_table keyed = {"keyed2", "", cols, 2, NULL, "epoch, uid"};
    store *s = fx_open(fx_path(name), STORE_WRITE, NULL);
    int64_t id = fx_begin(s, 1);
    for (int k = 0; k < 50; k++) {
        int i = reverse ? 49 - k : k;
        rt_val v[] = {RT_I(i / 5), RT_I(i % 5)};
        ASSERT_OK(store_write(s, &keyed, v));
    }
    fx_finish(s, digest);
    char again[STORE_DIGEST_HEX];
    err e;
    ASSERT_OK(store_run_verify(s, id, again, &e));
    ASSERT_STR_EQ(again, digest);
    store_close(s);
}

TEST_IMPL(store_keyed_tables_have_an_order_free_digest_verified_from_the_file)
{
    char a[STORE_DIGEST_HEX], b[STORE_DIGEST_HEX];
    keyed_run("fwd.db", false, a);
    keyed_run("rev.db", true, b);
    ASSERT_STR_EQ(a, b);
}
