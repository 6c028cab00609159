/* A run database for report tests and the report benchmark, made by the real
 * chain (sim/chain) and its recorder: validators stake and set weights that
 * favour miners by strategy, Yuma runs every epoch, and the recorder's rows go
 * into SQLite tables created from the chain's rt_table definitions the way the
 * store creates them (run_id first; indexes (run_id, ...)). The run table
 * follows the store's schema. Header-only (static inline) so a test and a
 * benchmark program can both include it.
 *
 * When the store is in main, fixture_sink can give way to the store's own
 * sink (and a real digest); the report reads the same tables either way. */
#ifndef SUBNETSIM_CHAIN_FIXTURE_H
#define SUBNETSIM_CHAIN_FIXTURE_H

#include "chain/chain.h"

#include <math.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fixture_opts {
    const char *scenario_name;   /* "fixture" */
    const char *scenario_text;   /* stored in the run row; NULL: "{}" */
    uint64_t seed;
    int epochs;                  /* epochs run (after one warm-up epoch) */
    int tempo;                   /* blocks per epoch (0: 99) */
    int validators, miners;      /* uids 0..validators-1 are validators */
    int weights_every;           /* epochs between weight sets (0: 1) */
    int snapshot_every;          /* weight/bond snapshot cadence (0: the chain's 20) */
    bool newcomer;               /* a "copier" registers halfway, pruning someone */
    int64_t run_id;              /* 0: 1 */
    double strategy_bias;        /* how strongly validators tell strategies apart (0: 1) */
} fixture_opts;

/* A scenario the scenario module accepts, with the groups of a fixture of 3
 * validators and 9 miners (what the report re-reads its thresholds from). */
#define FIXTURE_SMALL_SCENARIO(thresholds)                                                  \
    "{\"name\": \"core-small\", \"epochs\": 40,\n"                                          \
    " \"validators\": [{\"name\": \"validators\", \"count\": 3}],\n"                        \
    " \"miners\": [{\"name\": \"premium-focus\", \"count\": 3}, {\"name\": \"broad\", "     \
    "\"count\": 2},\n   {\"name\": \"tier-weighted\", \"count\": 2}, {\"name\": \"stale\", " \
    "\"count\": 2}],\n \"thresholds\": [" thresholds "]}\n"

static const char *const fixture_strategies[] = {"premium-focus", "broad", "tier-weighted",
                                                 "stale"};

/* The store's run table (schema 2, sim/store/schema.c). */
static const char fixture_run_schema[] =
    "CREATE TABLE IF NOT EXISTS run (run_id INTEGER PRIMARY KEY, scenario_name TEXT NOT NULL,"
    " scenario_text TEXT, seed INTEGER NOT NULL, mode TEXT NOT NULL, version TEXT NOT NULL,"
    " status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,"
    " simulated_seconds REAL, wall_seconds REAL, digest TEXT, scenario_json TEXT, error TEXT);"
    "CREATE TABLE IF NOT EXISTS run_param (run_id INTEGER NOT NULL, key TEXT NOT NULL,"
    " value TEXT, PRIMARY KEY (run_id, key));";

typedef struct fixture_sink {
    sqlite3 *db;
    int64_t run_id;
    const rt_table *tables[16];
    sqlite3_stmt *insert[16];
    int ntables;
    int failed;
} fixture_sink;

static inline int fixture_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* CREATE TABLE and its indexes from an rt_table, as the store does. */
static inline sqlite3_stmt *fixture_table(fixture_sink *s, const rt_table *t)
{
    static const char *const types[] = {"INTEGER", "REAL", "TEXT", "BLOB"};
    char sql[4096], ins[2048];
    int k = snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS \"%s\" (run_id INTEGER NOT NULL",
                     t->name);
    int j = snprintf(ins, sizeof ins, "INSERT INTO \"%s\" VALUES (?", t->name);
    for (int i = 0; i < t->ncolumns; i++) {
        k += snprintf(sql + k, sizeof sql - (size_t)k, ", \"%s\" %s", t->columns[i].name,
                      types[t->columns[i].type]);
        j += snprintf(ins + j, sizeof ins - (size_t)j, ", ?");
    }
    snprintf(sql + k, sizeof sql - (size_t)k, ");");
    snprintf(ins + j, sizeof ins - (size_t)j, ")");
    if (fixture_exec(s->db, sql))
        return NULL;
    for (int i = 0; t->indexes && t->indexes[i]; i++) {
        char name[256], idx[1024];
        snprintf(name, sizeof name, "%s__%s", t->name, t->indexes[i]);
        for (char *p = name; *p; p++)
            *p = (*p == ',' || *p == ' ') ? '_' : *p;
        snprintf(idx, sizeof idx, "CREATE INDEX IF NOT EXISTS \"%s\" ON \"%s\" (run_id, %s);", name,
                 t->name, t->indexes[i]);
        if (fixture_exec(s->db, idx))
            return NULL;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, ins, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(s->db));
        return NULL;
    }
    return st;
}

static inline int fixture_write(void *ctx, const rt_table *t, const rt_val *v)
{
    fixture_sink *s = ctx;
    int k = 0;
    while (k < s->ntables && s->tables[k] != t)
        k++;
    if (k == s->ntables) {
        if (k == 16 || !(s->insert[k] = fixture_table(s, t)))
            return s->failed = ERR_DB;
        s->tables[s->ntables++] = t;
    }
    sqlite3_stmt *st = s->insert[k];
    sqlite3_bind_int64(st, 1, s->run_id);
    for (int i = 0; i < t->ncolumns; i++) {
        if (v[i].null) {
            sqlite3_bind_null(st, i + 2);
            continue;
        }
        switch (t->columns[i].type) {
        case RT_COL_INT: sqlite3_bind_int64(st, i + 2, v[i].u.i); break;
        case RT_COL_REAL: sqlite3_bind_double(st, i + 2, v[i].u.d); break;
        case RT_COL_TEXT: sqlite3_bind_text(st, i + 2, v[i].u.s, -1, SQLITE_TRANSIENT); break;
        case RT_COL_BLOB:
            sqlite3_bind_blob(st, i + 2, v[i].u.b.p, (int)v[i].u.b.n, SQLITE_TRANSIENT);
            break;
        }
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fixture: %s: %s\n", t->name, sqlite3_errmsg(s->db));
        return s->failed = ERR_DB;
    }
    return 0;
}

static inline int fixture_run_row(sqlite3 *db, const fixture_opts *o, int64_t run, double sim)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO run (run_id, scenario_name, scenario_text, seed, mode,"
                           " version, status, started_at, finished_at, simulated_seconds,"
                           " wall_seconds, digest) VALUES (?1, ?2, ?3, ?4, 'virtual', '0.1.0',"
                           " 'complete', '2025-09-12T10:00:00Z', '2025-09-12T10:00:03Z', ?5, 3.25,"
                           " ?6)", -1, &st, NULL) != SQLITE_OK)
        return -1;
    char digest[65];
    for (int i = 0; i < 64; i++)
        digest[i] = "0123456789abcdef"[(o->seed * 31 + (uint64_t)i * 7 + (uint64_t)run) % 16];
    digest[64] = 0;
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, o->scenario_name ? o->scenario_name : "fixture", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, o->scenario_text ? o->scenario_text : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (int64_t)o->seed);
    sqlite3_bind_double(st, 5, sim);
    sqlite3_bind_text(st, 6, digest, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    sqlite3_finalize(st);
    return rc;
}

/* How much validators like a miner of a strategy (the "quality" they see). */
static inline double fixture_quality(int strategy, double bias)
{
    static const double q[5] = {1.6, 1.0, 1.3, 0.4, 0.3};   /* ..., stale, copier */
    return pow(q[strategy], bias > 0 ? bias : 1);
}

typedef struct fixture_world {
    chain *c;
    const fixture_opts *o;
    int n;
    int *strategy;                /* per uid: 0..3, 4 = copier */
    uint16_t *uids, *vals;
    rng r;
} fixture_world;

static inline int fixture_register(fixture_world *w, chain_recorder *rec, err *e)
{
    const fixture_opts *o = w->o;
    for (int i = 0; i < w->n; i++) {
        char hk[32];
        bool val = i < o->validators;
        snprintf(hk, sizeof hk, val ? "validator-%d" : "miner-%d", i);
        /* The scenario's group is named after the strategy here; the label is
         * the kind of policy or strategy. */
        const char *group = val ? "validators" : fixture_strategies[(i - o->validators) % 4];
        uint64_t stake = val ? (uint64_t)(1000 + 500 * i) * CHAIN_RAO_PER_TAO : 0;
        w->strategy[i] = val ? -1 : (i - o->validators) % 4;
        if (chain_recorder_label(rec, hk, val ? "validator" : "miner", group,
                                 val ? "honest" : "passive") ||
            chain_fund(w->c, "ck", stake + 10 * CHAIN_RAO_PER_TAO, e) ||
            chain_register(w->c, 1, hk, "ck", NULL, e) ||
            (stake && chain_add_stake(w->c, "ck", hk, 1, stake, e)))
            return -1;
    }
    return 0;
}

static inline int fixture_set_weights(fixture_world *w, err *e)
{
    const fixture_opts *o = w->o;
    int nm = w->n - o->validators;
    for (int v = 0; v < o->validators; v++) {
        char hk[32];
        snprintf(hk, sizeof hk, "validator-%d", v);
        if (chain_uid_of(w->c, 1, hk) < 0)
            continue;   /* pruned by the newcomer */
        for (int j = 0; j < nm; j++) {
            int uid = o->validators + j;
            w->uids[j] = (uint16_t)uid;
            double q = w->strategy[uid] < 0 ? 0 : fixture_quality(w->strategy[uid], o->strategy_bias);
            w->vals[j] = (uint16_t)(1000 + 20000 * q * (0.85 + 0.3 * rng_uniform(&w->r)));
        }
        if (chain_set_weights(w->c, 1, hk, w->uids, w->vals, (size_t)nm, 0, e))
            return -1;
    }
    return 0;
}

/* The newcomer takes the uid the chain prunes (lowest emission). */
static inline int fixture_newcomer(fixture_world *w, chain_recorder *rec, err *e)
{
    uint16_t uid = 0;
    if (chain_recorder_label(rec, "newcomer", "miner", "copier", "copier") ||
        chain_fund(w->c, "ck2", 10 * CHAIN_RAO_PER_TAO, e) ||
        chain_register(w->c, 1, "newcomer", "ck2", &uid, e))
        return -1;
    w->strategy[uid] = 4;
    return 0;
}

static inline int fixture_run_chain(fixture_world *w, chain_recorder *rec, err *e)
{
    const fixture_opts *o = w->o;
    int every = o->weights_every > 0 ? o->weights_every : 1;
    if (fixture_register(w, rec, e) || chain_advance_to(w->c, chain_next_epoch_block(w->c), e))
        return -1;   /* a warm-up epoch: permits */
    for (int k = 0; k < o->epochs; k++) {
        if (chain_advance_to(w->c, chain_block(w->c) + 1, e))
            return -1;
        if (o->newcomer && k == o->epochs / 2 && fixture_newcomer(w, rec, e))
            return -1;
        if (k % every == 0 && fixture_set_weights(w, e))
            return -1;
        if (chain_advance_to(w->c, chain_next_epoch_block(w->c), e))
            return -1;
    }
    return 0;
}

static inline int fixture_chain(sqlite3 *db, const fixture_opts *o, int64_t run)
{
    err e = {0};
    chain *c = NULL;
    chain_recorder *rec = NULL;
    fixture_sink s = {.db = db, .run_id = run};
    fixture_world w = {.o = o, .n = o->validators + o->miners};
    w.strategy = calloc((size_t)w.n, sizeof *w.strategy);
    w.uids = calloc((size_t)w.n, sizeof *w.uids);
    w.vals = calloc((size_t)w.n, sizeof *w.vals);
    rng_seed(&w.r, o->seed);
    chain_subnet_params p;
    chain_subnet_params_default(&p, 1);
    p.tempo = (uint16_t)(o->tempo > 0 ? o->tempo : 99);
    p.max_allowed_uids = (uint16_t)w.n;
    p.max_allowed_validators = (uint16_t)(o->validators > 0 ? o->validators : 1);
    p.commit_reveal = false;
    p.weights_rate_limit = 0;
    p.immunity_period = 0;
    p.min_non_immune_uids = 0;
    chain_record_opts ro;
    chain_record_opts_default(&ro);
    if (o->snapshot_every > 0)
        ro.weights_every = ro.bonds_every = (uint32_t)o->snapshot_every;
    int rc = chain_new(NULL, &c, &e) || chain_add_subnet(c, &p, &e) ||
             chain_recorder_new(&ro, (rt_sink){&s, fixture_write}, &rec) ? -1 : 0;
    if (!rc) {
        w.c = c;
        chain_observer ob = chain_recorder_observer(rec);
        rc = chain_add_observer(c, &ob) || fixture_run_chain(&w, rec, &e) || s.failed ? -1 : 0;
    }
    if (rc && e.msg[0])
        fprintf(stderr, "fixture: %s\n", e.msg);
    if (!rc)
        rc = fixture_run_row(db, o, run, (double)chain_block(c) * 12.0);
    for (int i = 0; i < s.ntables; i++)
        sqlite3_finalize(s.insert[i]);
    chain_recorder_free(rec);
    chain_free(c);
    free(w.strategy);
    free(w.uids);
    free(w.vals);
    return rc;
}

/* Add one run to the database at path (created when missing). 0 or -1. */
static inline int fixture_chain_db(const char *path, const fixture_opts *o)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    int64_t run = o->run_id > 0 ? o->run_id : 1;
    int rc = fixture_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;") ||
             fixture_exec(db, fixture_run_schema) || fixture_exec(db, "BEGIN");
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO run_param VALUES (%lld, 'tempo', '%d'), "
             "(%lld, 'validators', '%d')", (long long)run, o->tempo, (long long)run,
             o->validators);
    if (!rc)
        rc = fixture_chain(db, o, run) || fixture_exec(db, sql) || fixture_exec(db, "COMMIT");
    sqlite3_close(db);
    return rc ? -1 : 0;
}

#endif
