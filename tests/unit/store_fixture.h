/* Shared by the store tests: a table of every type, and short ways to open a
 * store, run it and query it. */
#ifndef SUBNETSIM_STORE_FIXTURE_H
#define SUBNETSIM_STORE_FIXTURE_H

#include "store/store.h"
#include "test.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>

static const rt_column every_cols[] = {
    {"i", RT_COL_INT, "an integer"},
    {"d", RT_COL_REAL, "a real"},
    {"s", RT_COL_TEXT, "a text"},
    {"b", RT_COL_BLOB, "a blob"},
};
static const char *const every_idx[] = {"i", NULL};
static const rt_table every_t = {"every", "one value of each type", every_cols, 4, every_idx, NULL};

static inline const char *fx_path(const char *name)
{
    static char p[8][4096];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", test_tmpdir(), name);
    return p[k];
}

static inline store *fx_open(const char *path, store_mode mode, const store_options *o)
{
    store *s = NULL;
    err e = {0};
    int rc = store_open(path, mode, o, &s, &e);
    if (rc)
        TEST_FAIL_("store_open %s: %d %s", path, rc, e.msg);
    return s;
}

static inline int64_t fx_begin(store *s, uint64_t seed)
{
    store_param params[] = {{"chain.tempo", "360"}, {"a.key", "a value"}};
    store_run_info info = {.scenario_name = "fixture", .scenario_text = "{ \"seed\": 1 }",
                           .scenario_json = "{\"seed\":1}", .seed = seed, .mode = "virtual",
                           .params = params, .nparams = 2};
    int64_t id = 0;
    err e = {0};
    if (store_run_begin(s, &info, &id, &e))
        TEST_FAIL_("store_run_begin: %s", e.msg);
    return id;
}

static inline void fx_finish(store *s, char digest[STORE_DIGEST_HEX])
{
    err e = {0};
    if (store_run_finish(s, STORE_COMPLETE, NULL, 60.0, 0.5, digest, &e))
        TEST_FAIL_("store_run_finish: %s", e.msg);
}

/* An integer from a query on an open connection. */
static inline int64_t fx_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        TEST_FAIL_("prepare %s: %s", sql, sqlite3_errmsg(db));
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        TEST_FAIL_("step %s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The same, on a connection of its own (another reader of the file). */
static inline int64_t fx_int_file(const char *path, const char *sql)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        TEST_FAIL_("open %s", path);
    int64_t v = fx_int(db, sql);
    sqlite3_close(db);
    return v;
}

static inline void fx_exec_file(const char *path, const char *sql)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        TEST_FAIL_("open %s", path);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        TEST_FAIL_("exec %s: %s", sql, msg);
    sqlite3_close(db);
}

/* Write n rows of `every` whose values follow from k. */
static inline void fx_rows(store *s, int from, int n)
{
    for (int k = from; k < from + n; k++) {
        char text[32];
        snprintf(text, sizeof text, "row %d", k);
        uint8_t blob[3] = {(uint8_t)k, 0, (uint8_t)(k >> 8)};
        rt_val v[] = {RT_I(k), RT_D(k * 0.5), RT_S(text), RT_B(blob, sizeof blob)};
        ASSERT_OK(store_write(s, &every_t, v));
    }
}

static inline bool fx_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#endif
