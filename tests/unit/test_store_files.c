/* The store and its files: migrations of the store's schema and of record
 * tables, refusal of files that are not ours (left untouched), and a run
 * killed with SIGKILL. */
#include "store_fixture.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
    char *data = NULL;
    err e = {0};
    if (file_read(path, (size_t)1 << 30, &data, len, &e))
        TEST_FAIL_("read %s: %s", path, e.msg);
    return data;
}

/* Open must fail with ERR_INPUT naming why, and leave the file as it was. */
static void refused(const char *path, store_mode mode, const char *why)
{
    size_t n0, n1;
    char *before = slurp(path, &n0);
    store *s = NULL;
    err e = {0};
    ASSERT_EQ_INT(store_open(path, mode, NULL, &s, &e), ERR_INPUT);
    ASSERT(s == NULL);
    ASSERT_CONTAINS(e.msg, path);
    ASSERT_CONTAINS(e.msg, why);
    ASSERT_EQ_INT(err_exit_status(e.code), 2);
    char *after = slurp(path, &n1);
    ASSERT_EQ_INT(n0, n1);
    ASSERT(!memcmp(before, after, n0));
    char side[4200];
    snprintf(side, sizeof side, "%s-wal", path);
    ASSERT(!fx_exists(side));
    free(before);
    free(after);
}

TEST_IMPL(store_refuses_files_that_are_not_its_own)
{
    const char *garbage = fx_path("garbage.db");
    char junk[8192];
    rng r;
    rng_seed(&r, 3);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)rng_u64(&r);
    ASSERT_OK(file_write_atomic(garbage, junk, sizeof junk, NULL));
    refused(garbage, STORE_WRITE, "is not a subnetsim database (not an SQLite file)");
    refused(garbage, STORE_READ, "not an SQLite file");

    const char *other = fx_path("other.db");
    fx_exec_file(other, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');");
    refused(other, STORE_WRITE, "an SQLite database of another program");

    const char *empty = fx_path("empty.db");
    ASSERT_OK(file_write_atomic(empty, "", 0, NULL));
    refused(empty, STORE_READ, "empty file");

    store *s = NULL;
    err e = {0};
    ASSERT_EQ_INT(store_open(fx_path("missing.db"), STORE_READ, NULL, &s, &e), ERR_NOTFOUND);
    ASSERT_EQ_INT(err_exit_status(e.code), 2);
    s = fx_open(empty, STORE_WRITE, NULL);   /* an empty file is an empty database */
    store_close(s);
    ASSERT_EQ_INT(fx_int_file(empty, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
}

TEST_IMPL(store_refuses_a_corrupt_file_without_changing_it)
{
    const char *path = fx_path("corrupt.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    fx_begin(s, 1);
    fx_rows(s, 0, 2000);
    fx_finish(s, NULL);
    store_close(s);
    /* Keep the header, scramble the schema page: SQLite cannot read the file. */
    size_t n;
    char *data = slurp(path, &n);
    ASSERT(n > 32768);
    for (size_t i = 100; i < 16384; i++)
        data[i] = (char)(i * 31 + 7);
    ASSERT_OK(file_write_atomic(path, data, n, NULL));
    free(data);
    refused(path, STORE_READ, "is not a subnetsim database (");
    refused(path, STORE_WRITE, "is not a subnetsim database (");
}

TEST_IMPL(store_refuses_a_file_from_a_newer_build)
{
    const char *path = fx_path("newer.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    store_close(s);
    fx_exec_file(path, "PRAGMA user_version = 99");
    char want[100];
    snprintf(want, sizeof want, "made by a newer subnetsim; schema 99 > %d", STORE_SCHEMA_VERSION);
    refused(path, STORE_WRITE, want);
    refused(path, STORE_READ, want);
}

/* A file as the first schema made it, written by hand: what an old build left. */
static void make_v1(const char *path)
{
    char app[64];
    snprintf(app, sizeof app, "PRAGMA application_id = %d;", STORE_APPLICATION_ID);
    fx_exec_file(path, app);
    fx_exec_file(path,
                 "PRAGMA journal_mode = WAL;"
                 "CREATE TABLE run (run_id INTEGER PRIMARY KEY, scenario_name TEXT NOT NULL,"
                 " scenario_text TEXT, seed INTEGER NOT NULL, mode TEXT NOT NULL,"
                 " version TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL,"
                 " finished_at TEXT, simulated_seconds REAL, wall_seconds REAL, digest TEXT);"
                 "CREATE TABLE run_param (run_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT,"
                 " PRIMARY KEY (run_id, key));"
                 "INSERT INTO run VALUES (1, 'old', '{}', 5, 'virtual', '0.0.9', 'complete',"
                 " '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.000Z', 60, 1, 'abc');"
                 "INSERT INTO run_param VALUES (1, 'k', 'v');"
                 "PRAGMA user_version = 1;");
}

TEST_IMPL(store_migrates_a_version_1_file)
{
    const char *path = fx_path("v1.db");
    make_v1(path);
    store *s = fx_open(path, STORE_WRITE, NULL);
    sqlite3 *db = store_db(s);
    ASSERT_EQ_INT(fx_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM store_seq"), 4096);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM run WHERE run_id = 1 AND error IS NULL"
                             " AND scenario_json IS NULL AND seed = 5"), 1);
    store_run r;
    err e = {0};
    ASSERT_OK(store_run_get(s, 1, &r, &e));
    ASSERT_STR_EQ(r.version, "0.0.9");
    ASSERT_STR_EQ(r.params[0].value, "v");
    store_run_free(&r);
    ASSERT_EQ_INT(fx_begin(s, 6), 2);   /* and it takes new runs */
    fx_rows(s, 0, 5);
    fx_finish(s, NULL);
    ASSERT_OK(store_run_verify(s, 2, NULL, &e));
    store_close(s);

    /* A reader brings an old file forward too. */
    const char *ro = fx_path("v1-read.db");
    make_v1(ro);
    s = fx_open(ro, STORE_READ, NULL);
    store_run *runs;
    size_t n;
    ASSERT_OK(store_runs(s, &runs, &n, &e));
    ASSERT_EQ_INT(n, 1);
    ASSERT(runs[0].error == NULL);
    store_runs_free(runs, n);
    store_close(s);
    ASSERT_EQ_INT(fx_int_file(ro, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
}

static const rt_column old_cols[] = {{"a", RT_COL_INT, "a"}};
static const rt_table old_t = {"grows", "a table that gains a column", old_cols, 1, NULL, NULL};
static const rt_column new_cols[] = {{"a", RT_COL_INT, "a"}, {"b", RT_COL_TEXT, "b, added later"}};
static const rt_table new_t = {"grows", "a table that gains a column", new_cols, 2, NULL, NULL};
static const rt_column real_cols[] = {{"a", RT_COL_REAL, "a"}};
static const rt_table real_t = {"grows", "a table whose column changed type", real_cols, 1, NULL, NULL};

TEST_IMPL(store_adds_a_column_a_later_build_defines)
{
    const char *path = fx_path("grow.db");
    store *s = fx_open(path, STORE_WRITE, NULL);
    fx_begin(s, 1);
    ASSERT_OK(store_write(s, &old_t, (rt_val[]){RT_I(1)}));
    fx_finish(s, NULL);
    store_close(s);

    s = fx_open(path, STORE_WRITE, NULL);   /* "the next build" */
    fx_begin(s, 2);
    ASSERT_OK(store_write(s, &new_t, (rt_val[]){RT_I(2), RT_S("two")}));
    fx_finish(s, NULL);
    sqlite3 *db = store_db(s);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM grows WHERE b IS NULL AND a = 1"), 1);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM grows WHERE b = 'two' AND a = 2"), 1);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM store_column WHERE table_name = 'grows'"), 2);
    err e = {0};
    ASSERT_OK(store_run_verify(s, 1, NULL, &e));   /* the old run still checks out */
    ASSERT_OK(store_run_verify(s, 2, NULL, &e));

    store_close(s);
    s = fx_open(path, STORE_WRITE, NULL);   /* a build that changed a column's type */
    db = store_db(s);
    fx_begin(s, 3);
    /* every is created in the same transaction, so the failure rolls it back */
    fx_rows(s, 0, 2);
    ASSERT_OK(store_write(s, &real_t, (rt_val[]){RT_D(0.5)}));
    ASSERT_EQ_INT(store_flush(s, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "record table 'grows' column 'a' is INTEGER in the file but REAL in "
                           "this build");
    ASSERT_EQ_INT(store_run_finish(s, STORE_COMPLETE, NULL, 0, 0, NULL, &e), ERR_INPUT);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM run WHERE run_id = 3 AND status = 'failed'"),
                  1);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM grows"), 2);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'every'"), 0);
    fx_begin(s, 4);   /* the same store: the table rolled back is made again */
    fx_rows(s, 0, 3);
    fx_finish(s, NULL);
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM every WHERE run_id = 4"), 3);
    store_close(s);
}

/* ------------------------------------------------------------- SIGKILL */

/* The child: write `committed` rows and make sure they are committed, then
 * `extra` more that no commit covers, say how many are safe, and wait (or, with
 * forever, keep writing) until killed. */
static void child_writes(const char *path, int committed, int extra, bool forever, int fd)
{
    store_options o;
    store_options_default(&o);
    o.commit_rows = forever ? 7 : 10;
    o.commit_interval = forever ? 0.001 : 3600;
    store *s = NULL;
    err e = {0};
    if (store_open(path, STORE_WRITE, &o, &s, &e))
        _exit(3);
    store_run_info info = {.scenario_name = "killed", .seed = 1, .mode = "virtual"};
    if (store_run_begin(s, &info, NULL, &e))
        _exit(4);
    for (int k = 0; k < committed; k++)
        if (store_write(s, &every_t, (rt_val[]){RT_I(k), RT_D(k), RT_S("row"), RT_NULL}))
            _exit(5);
    if (store_flush(s, &e))
        _exit(6);
    for (int k = committed; k < committed + extra; k++)
        if (store_write(s, &every_t, (rt_val[]){RT_I(k), RT_D(k), RT_S("row"), RT_NULL}))
            _exit(5);
    int32_t safe = committed;
    if (write(fd, &safe, sizeof safe) != sizeof safe)
        _exit(7);
    for (int k = committed + extra; forever; k++)
        if (store_write(s, &every_t, (rt_val[]){RT_I(k), RT_D(k), RT_S("row"), RT_NULL}))
            _exit(5);
    for (;;)
        pause();
}

static int32_t kill_writer(const char *path, int committed, int extra, bool forever)
{
    int fds[2];
    ASSERT_OK(pipe(fds));
    fflush(NULL);
    pid_t pid = fork();
    ASSERT(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child_writes(path, committed, extra, forever, fds[1]);
    }
    close(fds[1]);
    int32_t safe = -1;
    ASSERT_EQ_INT(read(fds[0], &safe, sizeof safe), sizeof safe);
    close(fds[0]);
    if (forever) {
        struct timespec ts = {0, 50 * 1000 * 1000};   /* let it write and commit meanwhile */
        nanosleep(&ts, NULL);
    }
    ASSERT_OK(kill(pid, SIGKILL));
    int st;
    ASSERT_EQ_INT(waitpid(pid, &st, 0), pid);
    ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    return safe;
}

static void assert_killed_run_is_sound(const char *path, int64_t min_rows, int64_t max_rows)
{
    store *s = fx_open(path, STORE_READ, NULL);
    err e = {0};
    ASSERT_OK(store_check(s, &e));
    store_run *runs;
    size_t n;
    ASSERT_OK(store_runs(s, &runs, &n, &e));
    ASSERT_EQ_INT(n, 1);
    ASSERT_STR_EQ(runs[0].status, "incomplete");
    ASSERT(runs[0].digest == NULL && runs[0].finished_at == NULL);
    store_runs_free(runs, n);
    sqlite3 *db = store_db(s);
    int64_t rows = fx_int(db, "SELECT count(*) FROM every");
    ASSERT(rows >= min_rows && rows <= max_rows);
    /* Every record up to the last commit, in order, and nothing else. */
    ASSERT_EQ_INT(fx_int(db, "SELECT count(*) FROM every WHERE i = rowid - 1 AND d = i"), rows);
    ASSERT_EQ_INT(store_run_verify(s, 1, NULL, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "incomplete and has no digest");
    store_close(s);
}

TEST_IMPL(store_sigkill_keeps_every_committed_row)
{
    const char *path = fx_path("killed.db");
    int32_t safe = kill_writer(path, 1000, 5, false);
    ASSERT_EQ_INT(safe, 1000);
    /* Exactly the committed rows: the 5 after the last commit are gone. */
    assert_killed_run_is_sound(path, 1000, 1000);
    /* The file takes the next run as usual, and gets the indexes the killed
     * run never built. */
    static const char idx[] = "SELECT count(*) FROM sqlite_schema WHERE type = 'index'"
                              " AND tbl_name = 'every'";
    ASSERT_EQ_INT(fx_int_file(path, idx), 0);
    store *s = fx_open(path, STORE_WRITE, NULL);
    ASSERT_EQ_INT(fx_int(store_db(s), idx), 1);
    ASSERT_EQ_INT(fx_begin(s, 2), 2);
    fx_rows(s, 0, 3);
    fx_finish(s, NULL);
    err e = {0};
    ASSERT_OK(store_check(s, &e));
    store_close(s);
}

TEST_IMPL(store_sigkill_while_writing_leaves_a_sound_prefix)
{
    const char *path = fx_path("killed-busy.db");
    int32_t safe = kill_writer(path, 500, 0, true);
    assert_killed_run_is_sound(path, safe, INT64_MAX);
}
