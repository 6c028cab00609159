/* A synthetic run database for report tests and the report benchmark: the
 * tables of DESIGN.md's sketch (as sim/report/queries.c reads them) filled with
 * plausible chain records. Header-only (static functions) so both a test and a
 * benchmark program can include it.
 *
 * Until the store and the chain write real runs this is how the report is fed;
 * once they do, the schema half of this file is the part to keep in step. */
#ifndef SUBNETSIM_CHAIN_FIXTURE_H
#define SUBNETSIM_CHAIN_FIXTURE_H

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
    int epochs;                  /* epochs recorded */
    int tempo;                   /* blocks per epoch */
    int validators, miners;      /* uids 0..validators-1 are validators */
    int weights_every;           /* epochs between weight sets (0: 1) */
    int bonds_per_validator;     /* bonds kept per validator (0: all miners) */
    bool reregister_last;        /* the last uid changes hands halfway */
    int64_t run_id;              /* 0: 1 */
    double strategy_bias;        /* how strongly the strategies differ (0: 1) */
} fixture_opts;

static const char *const fixture_strategies[] = {"premium-focus", "broad", "tier-weighted",
                                                 "stale"};

static const char fixture_schema[] =
    "CREATE TABLE IF NOT EXISTS run(run_id INTEGER PRIMARY KEY, scenario_name TEXT, "
    "  scenario_text TEXT, seed INTEGER, mode TEXT, version TEXT, started TEXT, finished TEXT, "
    "  status TEXT, sim_seconds REAL, wall_seconds REAL, digest TEXT);"
    "CREATE TABLE IF NOT EXISTS run_param(run_id INTEGER, key TEXT, value TEXT);"
    "CREATE TABLE IF NOT EXISTS neuron(run_id INTEGER, netuid INTEGER, uid INTEGER, "
    "  hotkey TEXT, role TEXT, strategy TEXT, profile TEXT, registered_block INTEGER, "
    "  deregistered_block INTEGER);"
    "CREATE INDEX IF NOT EXISTS neuron_uid ON neuron(run_id, netuid, uid);"
    "CREATE TABLE IF NOT EXISTS epoch_neuron(run_id INTEGER, netuid INTEGER, epoch INTEGER, "
    "  block INTEGER, uid INTEGER, stake INTEGER, consensus INTEGER, incentive INTEGER, "
    "  dividends INTEGER, emission INTEGER, validator_trust INTEGER, permit INTEGER, "
    "  active INTEGER);"
    "CREATE INDEX IF NOT EXISTS epoch_neuron_epoch ON epoch_neuron(run_id, netuid, epoch);"
    "CREATE TABLE IF NOT EXISTS weight(run_id INTEGER, netuid INTEGER, block INTEGER, "
    "  validator INTEGER, miner INTEGER, value INTEGER);"
    "CREATE INDEX IF NOT EXISTS weight_by_validator ON weight(run_id, netuid, validator, block);"
    "CREATE TABLE IF NOT EXISTS bond(run_id INTEGER, netuid INTEGER, epoch INTEGER, "
    "  validator INTEGER, miner INTEGER, value INTEGER);"
    "CREATE INDEX IF NOT EXISTS bond_epoch ON bond(run_id, netuid, epoch);";

/* A small deterministic generator (splitmix64): fixtures must not move. */
static inline uint64_t fixture_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double fixture_unif(uint64_t *s) { return (fixture_next(s) >> 11) * 0x1.0p-53; }

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

static inline int fixture_step(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fixture: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

static inline int fixture_neurons(sqlite3 *db, const fixture_opts *o, int64_t run, int half_block)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "INSERT INTO neuron VALUES(?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           -1, &st, NULL))
        return -1;
    int n = o->validators + o->miners, rc = 0;
    for (int uid = 0; uid < n && !rc; uid++) {
        char hk[32];
        bool val = uid < o->validators;
        snprintf(hk, sizeof hk, "%s-%d", val ? "validator" : "miner", uid);
        sqlite3_bind_int64(st, 1, run);
        sqlite3_bind_int(st, 2, uid);
        sqlite3_bind_text(st, 3, hk, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, val ? "validator" : "miner", -1, SQLITE_STATIC);
        if (val)
            sqlite3_bind_null(st, 5);
        else
            sqlite3_bind_text(st, 5, fixture_strategies[(uid - o->validators) % 4], -1,
                              SQLITE_STATIC);
        sqlite3_bind_text(st, 6, "resi-2025-09", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 7, 0);
        bool moves = o->reregister_last && uid == n - 1;
        if (moves)
            sqlite3_bind_int(st, 8, half_block);
        else
            sqlite3_bind_null(st, 8);
        rc = fixture_step(db, st);
        if (moves && !rc) {
            snprintf(hk, sizeof hk, "newcomer-%d", uid);
            sqlite3_bind_text(st, 3, hk, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5, "copier", -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 7, half_block);
            sqlite3_bind_null(st, 8);
            rc = fixture_step(db, st);
        }
    }
    sqlite3_finalize(st);
    return rc;
}

/* Quality of a miner by strategy: what its incentive follows. */
static inline double fixture_quality(const fixture_opts *o, int uid, int epoch, int half)
{
    double bias = o->strategy_bias > 0 ? o->strategy_bias : 1;
    int n = o->validators + o->miners;
    if (o->reregister_last && uid == n - 1 && epoch >= half)
        return 0.3;
    static const double q[4] = {1.6, 1.0, 1.3, 0.4};
    double base = q[(uid - o->validators) % 4];
    return pow(base, bias) * (1 + 0.1 * sin(uid * 1.7 + epoch * 0.01));
}

static inline int fixture_epochs(sqlite3 *db, const fixture_opts *o, int64_t run, uint64_t *rs)
{
    sqlite3_stmt *en, *w, *b;
    if (sqlite3_prepare_v2(db, "INSERT INTO epoch_neuron VALUES(?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, "
                           "?8, ?9, ?10, ?11, 1)", -1, &en, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO weight VALUES(?1, 1, ?2, ?3, ?4, ?5)", -1, &w, NULL) ||
        sqlite3_prepare_v2(db, "INSERT INTO bond VALUES(?1, 1, ?2, ?3, ?4, ?5)", -1, &b, NULL))
        return -1;
    int nv = o->validators, nm = o->miners, n = nv + nm, half = o->epochs / 2, rc = 0;
    int tempo = o->tempo > 0 ? o->tempo : 360, every = o->weights_every > 0 ? o->weights_every : 1;
    double *stake = calloc((size_t)n, sizeof *stake), *q = calloc((size_t)n, sizeof *q);
    for (int v = 0; v < nv; v++)
        stake[v] = 1000e9 * (1 + v);
    for (int m = nv; m < n; m++)
        stake[m] = 1e9;
    const double epoch_emission = tempo * 1e9 * 0.82;   /* 18 % owner cut left out */
    for (int ep = 0; ep < o->epochs && !rc; ep++) {
        int64_t block = (int64_t)(ep + 1) * tempo;
        double qsum = 0, ssum = 0;
        for (int m = nv; m < n; m++)
            qsum += q[m] = fixture_quality(o, m, ep, half) * (0.9 + 0.2 * fixture_unif(rs));
        for (int v = 0; v < nv; v++)
            ssum += stake[v];
        for (int uid = 0; uid < n && !rc; uid++) {
            bool val = uid < nv;
            double inc = val ? 0 : q[uid] / qsum, div = val ? stake[uid] / ssum : 0;
            double em = (inc + div) * epoch_emission / 2;
            double cons = val ? 0 : fmin(1, inc * nm * 0.5);
            double vt = val ? 0.97 - 0.02 * uid / (nv ? nv : 1) - 0.03 * fixture_unif(rs) : 0;
            int64_t vals[10] = {run, ep, block, uid, (int64_t)stake[uid],
                                (int64_t)floor(cons * 65535), (int64_t)floor(inc * 65535),
                                (int64_t)floor(div * 65535), (int64_t)em,
                                (int64_t)floor(vt * 65535)};
            for (int k = 0; k < 10; k++)
                sqlite3_bind_int64(en, k + 1, vals[k]);
            sqlite3_bind_int(en, 11, val);
            rc = fixture_step(db, en);
            stake[uid] += em;
        }
        for (int v = 0; v < nv && !rc; v++) {
            int keep = o->bonds_per_validator > 0 && o->bonds_per_validator < nm
                           ? o->bonds_per_validator : nm;
            for (int k = 0; k < nm && !rc; k++) {
                int m = nv + k;
                if (ep % every == 0) {
                    int64_t wv[5] = {run, block - 1, v, m,
                                     (int64_t)floor(65535 * q[m] / 2.2)};
                    for (int c = 0; c < 5; c++)
                        sqlite3_bind_int64(w, c + 1, wv[c]);
                    rc = fixture_step(db, w);
                }
                if (!rc && (k + v) % nm < keep) {
                    int64_t bv[5] = {run, ep, v, m,
                                     (int64_t)floor(65535 * fmin(1, q[m] / 2) *
                                                    (1 - exp(-0.2 * (ep + 1))))};
                    for (int c = 0; c < 5; c++)
                        sqlite3_bind_int64(b, c + 1, bv[c]);
                    rc = fixture_step(db, b);
                }
            }
        }
    }
    free(stake);
    free(q);
    sqlite3_finalize(en);
    sqlite3_finalize(w);
    sqlite3_finalize(b);
    return rc;
}

/* Add one run to the database at path (created when missing). 0 or -1. */
static inline int fixture_chain_db(const char *path, const fixture_opts *o)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    int64_t run = o->run_id > 0 ? o->run_id : 1;
    uint64_t rs = o->seed * 7919 + 17;
    int tempo = o->tempo > 0 ? o->tempo : 360;
    int rc = fixture_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;") ||
             fixture_exec(db, fixture_schema) || fixture_exec(db, "BEGIN");
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = sqlite3_prepare_v2(db, "INSERT INTO run VALUES(?1, ?2, ?3, ?4, 'virtual', '0.1.0', "
                                "'2025-09-12T10:00:00Z', '2025-09-12T10:00:03Z', 'complete', "
                                "?5, 3.25, ?6)", -1, &st, NULL) != SQLITE_OK;
    if (!rc) {
        char digest[65];
        for (int i = 0; i < 64; i++)
            digest[i] = "0123456789abcdef"[(o->seed * 31 + (uint64_t)i * 7 + (uint64_t)run) % 16];
        digest[64] = 0;
        sqlite3_bind_int64(st, 1, run);
        sqlite3_bind_text(st, 2, o->scenario_name ? o->scenario_name : "fixture", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(st, 3, o->scenario_text ? o->scenario_text : "{}", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (int64_t)o->seed);
        sqlite3_bind_double(st, 5, (double)o->epochs * tempo * 12);
        sqlite3_bind_text(st, 6, digest, -1, SQLITE_TRANSIENT);
        rc = fixture_step(db, st);
        sqlite3_finalize(st);
    }
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO run_param VALUES(%lld, 'tempo', '%d'),"
             "(%lld, 'validators', '%d')", (long long)run, tempo, (long long)run, o->validators);
    if (!rc)
        rc = fixture_exec(db, sql);
    if (!rc)
        rc = fixture_neurons(db, o, run, (o->epochs / 2 + 1) * tempo - tempo / 2);
    if (!rc)
        rc = fixture_epochs(db, o, run, &rs);
    if (!rc)
        rc = fixture_exec(db, "COMMIT");
    sqlite3_close(db);
    return rc ? -1 : 0;
}

#endif
