/* The store's own tables and their migrations.
 *
 * The schema version lives in PRAGMA user_version. A new file runs every step
 * from 0, so the steps that bring an old file forward are the ones every new
 * file is built with, and cannot rot. Steps are never edited once released: a
 * change is a new step (and STORE_SCHEMA_VERSION + 1). Record tables are not
 * versioned here: they follow their rt_table (table.c adds new columns). */
#include "store/store_internal.h"

/* Step 1 (0.1.0 development): runs and their parameters. */
static const char step1[] =
    "CREATE TABLE run ("
    " run_id INTEGER PRIMARY KEY,"
    " scenario_name TEXT NOT NULL,"
    " scenario_text TEXT,"
    " seed INTEGER NOT NULL,"
    " mode TEXT NOT NULL,"
    " version TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " started_at TEXT NOT NULL,"
    " finished_at TEXT,"
    " simulated_seconds REAL,"
    " wall_seconds REAL,"
    " digest TEXT);"
    "CREATE TABLE run_param ("
    " run_id INTEGER NOT NULL,"
    " key TEXT NOT NULL,"
    " value TEXT,"
    " PRIMARY KEY (run_id, key));";

/* Step 2: the effective scenario and the failure message of a run; the record
 * table registry (docs for `subnetsim tables`); per-table digests so a file can
 * be verified against its runs' digests; integers for decoding vector views. */
static const char step2[] =
    "ALTER TABLE run ADD COLUMN scenario_json TEXT;"
    "ALTER TABLE run ADD COLUMN error TEXT;"
    "CREATE TABLE store_table ("
    " name TEXT PRIMARY KEY,"
    " doc TEXT,"
    " indexes TEXT);"
    "CREATE TABLE store_column ("
    " table_name TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " doc TEXT,"
    " PRIMARY KEY (table_name, name));"
    "CREATE TABLE run_table ("
    " run_id INTEGER NOT NULL,"
    " table_name TEXT NOT NULL,"
    " columns TEXT NOT NULL,"
    " rows INTEGER NOT NULL,"
    " digest TEXT NOT NULL,"
    " PRIMARY KEY (run_id, table_name));"
    "CREATE TABLE store_seq (i INTEGER PRIMARY KEY);"
    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4095)"
    " INSERT INTO store_seq SELECT i FROM n;";

static const char *const steps[STORE_SCHEMA_VERSION] = {step1, step2};

int store__schema_version(sqlite3 *db, int *version, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK)
        return store__sqlerr(db, rc, e, "cannot read the schema version");
    return 0;
}

static int run_step(sqlite3 *db, const char *path, int to, err *e)
{
    char *msg = NULL;
    char tail[64];
    snprintf(tail, sizeof tail, "PRAGMA user_version=%d; COMMIT;", to);
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, steps[to - 1], NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, tail, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_DB, "%s: cannot migrate to schema %d: %s", path, to,
                msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return ERR_DB;
    }
    return 0;
}

int store__migrate(sqlite3 *db, const char *path, int from, err *e)
{
    /* Another process may have migrated the file since it was probed: read the
     * version again and let each step's BEGIN IMMEDIATE serialise writers. */
    int now = from;
    int rc = store__schema_version(db, &now, e);
    for (int v = now + 1; !rc && v <= STORE_SCHEMA_VERSION; v++) {
        rc = run_step(db, path, v, e);
        if (rc && store__schema_version(db, &now, NULL) == 0 && now >= v)
            rc = 0;   /* someone else ran this step first */
    }
    if (!rc && from > 0)
        log_info("%s: migrated from schema %d to %d", path, from, STORE_SCHEMA_VERSION);
    return rc;
}

/* --------------------------------------------- docs for the store's tables */

static const rt_column run_cols[] = {
    {"run_id", RT_COL_INT, "the run; every record table's first column refers to it"},
    {"scenario_name", RT_COL_TEXT, "the scenario's name"},
    {"scenario_text", RT_COL_TEXT, "the scenario file as written"},
    {"seed", RT_COL_INT, "the seed (its 64-bit pattern; above 2^63 it reads negative)"},
    {"mode", RT_COL_TEXT, "virtual or live"},
    {"version", RT_COL_TEXT, "subnetsim version that made the run"},
    {"status", RT_COL_TEXT, "incomplete (running, or killed), complete, or failed"},
    {"started_at", RT_COL_TEXT, "wall clock, UTC, ISO 8601"},
    {"finished_at", RT_COL_TEXT, "wall clock, UTC, ISO 8601; NULL while incomplete"},
    {"simulated_seconds", RT_COL_REAL, "simulated time covered"},
    {"wall_seconds", RT_COL_REAL, "wall time the run took"},
    {"digest", RT_COL_TEXT, "SHA-256 of every record (hex); equal digests, equal records"},
    {"scenario_json", RT_COL_TEXT, "the effective scenario, defaults applied"},
    {"error", RT_COL_TEXT, "why the run failed"},
};
static const rt_table run_def = {"run", "one row per run", run_cols, 14, NULL};

static const rt_column run_param_cols[] = {
    {"run_id", RT_COL_INT, "the run"},
    {"key", RT_COL_TEXT, "a parameter's name, e.g. a scenario path"},
    {"value", RT_COL_TEXT, "its value as text"},
};
static const rt_table run_param_def = {"run_param", "the parameters a run was made with",
                                       run_param_cols, 3, NULL};

static const rt_column run_table_cols[] = {
    {"run_id", RT_COL_INT, "the run"},
    {"table_name", RT_COL_TEXT, "a record table the run wrote"},
    {"columns", RT_COL_TEXT, "the columns it wrote, `name:type` in order"},
    {"rows", RT_COL_INT, "rows the run wrote to it"},
    {"digest", RT_COL_TEXT, "SHA-256 of those rows (hex)"},
};
static const rt_table run_table_def = {
    "run_table", "per finished run, each record table it wrote, with its row count and digest",
    run_table_cols, 5, NULL};

static const rt_column store_table_cols[] = {
    {"name", RT_COL_TEXT, "a record table"},
    {"doc", RT_COL_TEXT, "what a row is"},
    {"indexes", RT_COL_TEXT, "its indexes (column lists after run_id, `;` between)"},
};
static const rt_table store_table_def = {"store_table", "the record tables in this file",
                                         store_table_cols, 3, NULL};

static const rt_column store_column_cols[] = {
    {"table_name", RT_COL_TEXT, "a record table or view"},
    {"name", RT_COL_TEXT, "a column"},
    {"type", RT_COL_TEXT, "INTEGER, REAL, TEXT or BLOB"},
    {"doc", RT_COL_TEXT, "what it holds, with its unit"},
};
static const rt_table store_column_def = {
    "store_column", "the columns of the record tables and views", store_column_cols, 4, NULL};

static const rt_column store_seq_cols[] = {
    {"i", RT_COL_INT, "0 to 4095"},
};
static const rt_table store_seq_def = {"store_seq", "integers, for the views that decode vectors",
                                       store_seq_cols, 1, NULL};

static const rt_table *const own_tables[] = {&run_def, &run_param_def, &run_table_def,
                                             &store_table_def, &store_column_def, &store_seq_def};

int store__own_tables(const rt_table *const **tables)
{
    *tables = own_tables;
    return (int)(sizeof own_tables / sizeof own_tables[0]);
}
