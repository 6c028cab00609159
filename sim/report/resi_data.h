/* The real-estate report family's private parts (sim/report/resi*.c): the
 * run's neurons by actor, lines (a neuron each, or a group each when many),
 * time buckets, and the pieces each chart file adds to the section.
 *
 * Tables read (all written by the family's actors, each row starting with
 * run_id; `subnetsim tables RUN.db` describes every column):
 *   zipcode (the universe: zip, class, tier, premium, state, city, lat, lon),
 *   coverage (miner x zip snapshots), evaluation, api_sample, s3_validation,
 *   miner_score, miner_activity, miner_learn, api_usage; from the chain:
 *   actor (a neuron's actor is named by its hotkey), neuron, epoch_neuron,
 *   chain_epoch. */
#ifndef SUBNETSIM_REPORT_RESI_DATA_H
#define SUBNETSIM_REPORT_RESI_DATA_H

#include "report/report_internal.h"

/* Lines per chart at most ("others" included), as the chain's. */
#define RESI_MAX_LINES 12
/* The zip classes, in the zipcode table's names. */
#define RESI_NCLASS 5
extern const char *const resi_class[RESI_NCLASS];   /* "premium", "tier1", ... */

typedef struct resi_neuron {
    int64_t actor, netuid, uid;
    char *hotkey, *group, *label, *role;   /* owned; "" when unknown */
    bool validator;
} resi_neuron;

/* How a population is drawn: a line per neuron (12 or fewer), else a line
 * per group (2..12 groups; the name says how many it holds), else the first
 * 11 groups and "others". */
typedef struct resi_lines {
    int n;
    char name[RESI_MAX_LINES][96];
    bool others[RESI_MAX_LINES];
    int members[RESI_MAX_LINES];
    int *of;                   /* [neurons.len]: a neuron's line, -1 not in it */
    bool by_group;
} resi_lines;

/* A matrix of (num, den) per time bucket and line: value = num / den per cell
 * (NAN where den is 0). */
typedef struct resi_grid {
    int nb, nl;
    double *num, *den;
} resi_grid;

/* Evaluation failure reasons as the evaluation table writes them; a reason
 * not listed counts as "other" (index RESI_NREASONS). */
#define RESI_NREASONS 6
extern const char *const resi_reasons[RESI_NREASONS];
int resi_reason_index(const char *reason);

/* An actor's totals over the run: the evaluations and API checks it took part
 * in, as the miner evaluated (m) and as the validator (v; a validator without
 * a permit is evaluated like a miner), and as the miner its failures by
 * reason. */
typedef struct resi_side {
    double evals, eval_ok, checks, answered, valid;
} resi_side;

typedef struct resi_tot {
    resi_side m, v;
    double reason[RESI_NREASONS + 1], dup_seen;
    int64_t last_eval;         /* as the miner evaluated; -1 never */
} resi_tot;

/* A zip of the universe (the zipcode table), with who holds it at the end. */
typedef struct resi_zip {
    char zip[6], state[3];
    char city[40];
    int klass;                 /* index in resi_class */
    int64_t rank;
    double lat, lon, listings_mean;
    int premium;               /* 1 + its index among the premium zips, 0 when not */
    int64_t last_t;            /* its latest coverage snapshot with a holder; -1 none */
    int last_holders;          /* miners holding it then */
} resi_zip;

/* Coverage by class at each snapshot: zips held by at least one miner. */
typedef struct resi_cov_point {
    int64_t n[RESI_NCLASS];
} resi_cov_point;

typedef struct resi_cov {
    VEC(int64_t) t;            /* snapshot times (us), ascending */
    VEC(resi_cov_point) held;
    VEC(uint8_t *) seen;       /* per snapshot: a bit per zip of the universe */
} resi_cov;

/* Emission of the family's subnet per epoch bucket and strategy (the
 * miners' strategies; validators as one): shares in %. Read once by
 * resi_scan; the chart, the findings and compare use it. */
typedef struct resi_strategies {
    int n;                     /* strategies (validators last, when any) */
    char name[RESI_MAX_LINES][64];
    int members[RESI_MAX_LINES];
    bool validators[RESI_MAX_LINES];
    int nb;
    int64_t lo, hi, bw;        /* epochs and epochs per bucket */
    double *em;                /* [nb][n] rao */
    double *total;             /* [nb] */
    double run_em[RESI_MAX_LINES], run_total;   /* over the run */
    double miner_total;        /* miners' emission over the run */
} resi_strategies;

typedef struct resi_run {
    report_ctx *c;             /* NULL when loaded for compare */
    sqlite3 *db;
    int64_t run_id;
    VEC(resi_neuron) neurons;
    int64_t max_actor;
    int *by_actor;             /* [max_actor + 1]: index in neurons, -1 */
    int64_t end_us;            /* simulated time */
    int64_t bucket_us;         /* time charts' bucket */
    int nb;                    /* buckets */
    double x_div;              /* us per x unit */
    const char *x_label;       /* "time (h)" */
    int64_t class_zips[RESI_NCLASS], zips;   /* the universe's sizes */
    VEC(resi_zip) uni;         /* the universe, by rank */
    int32_t *zip_at;           /* [100000]: zip number -> index in uni, -1 */
    int npremium;
    int64_t netuid;            /* the subnet of the family's neurons */
    resi_lines miners, validators;
    /* resi_scan's: totals by actor [max_actor + 1], and the time grids */
    resi_tot *tot;
    resi_grid cred, score;     /* miners: credibility, score (means) */
    resi_grid api_m, api_v;    /* API checks that passed, of answered: miners, validators */
    resi_grid api_made;        /* validators: answered, of all checks */
    resi_cov cov;              /* coverage snapshots */
    int64_t *pfirst;           /* [npremium][max_actor + 1]: first snapshot a miner held
                                * the premium zip, -1 never */
    resi_strategies strat;     /* the netuid's emission by strategy (nb 0: no epoch_neuron) */
} resi_run;

/* c may be NULL (compare: no section to write); groups: a line per group
 * however few the neurons. */
int resi_run_load(sqlite3 *db, int64_t run_id, double sim_seconds, report_ctx *c, bool groups,
                  resi_run *r, err *e);
void resi_run_free(resi_run *r);
/* The neuron behind an actor id, or NULL. */
const resi_neuron *resi_neuron_of(const resi_run *r, int64_t actor);
/* Its line in l, or -1. */
int resi_line_of(const resi_run *r, const resi_lines *l, int64_t actor);
int resi_class_index(const char *name);   /* -1 when none */
/* x of a bucket's middle, in x units. */
double resi_bucket_x(const resi_run *r, int b);
/* The bucket for people: "30 minutes", "an hour", "6 hours". */
void resi_fmt_bucket(const resi_run *r, char *out, size_t n);
/* "a line per miner" / "a line per group of miners (the count in brackets)". */
const char *resi_lines_how(const resi_lines *l);

/* One pass over coverage, evaluation, api_sample and miner_score into r->cov,
 * r->uni's holders, r->pfirst, r->tot and the grids, and over the netuid's
 * epoch_neuron into r->strat (resi_scan.c). */
int resi_scan(resi_run *r, err *e);
/* A statement over a run's rows of `table` by rowid range: ?1 run_id, ?2 and
 * ?3 its first and last rowid (sql says "WHERE rowid BETWEEN ?2 AND ?3 AND
 * +run_id = ?1"). */
int resi_prepare_rows(const resi_run *r, const char *table, const char *sql, sqlite3_stmt **st,
                      err *e);

int resi_grid_init(const resi_run *r, const resi_lines *l, resi_grid *g, err *e);
/* Add (num, den) at time t_us to actor's line (nothing when it has none). */
void resi_grid_add(const resi_run *r, const resi_lines *l, resi_grid *g, int64_t t_us,
                   int64_t actor, double num, double den);
void resi_grid_free(resi_grid *g);
double resi_grid_value(const resi_grid *g, int b, int line, double scale);

/* The .dat header line: "# x" then each line's name. */
void resi_dat_header(sbuf *dat, const char *x, const resi_lines *l);
/* plot dat using 1:2, 1:3 ... with `style`, one per line. */
void resi_plot_lines(sbuf *plot, const resi_lines *l, const char *style);
/* A prepared statement with ?1 = run_id bound. */
int resi_prepare(const resi_run *r, const char *sql, sqlite3_stmt **st, err *e);
/* A table cell: a number as report_fmt_num writes it, with data-value. */
void resi_td_num(sbuf *h, double v, const char *unit);

/* Snapshot i's coverage of class k (-1: all zips), % of the class. */
double resi_cov_pct(const resi_run *r, size_t i, int k);
/* Miners holding uni[i] at the last snapshot. */
int resi_zip_holders(const resi_run *r, size_t i);
/* The first snapshot time miner actor held premium zip p (0-based), or -1. */
int64_t resi_pfirst(const resi_run *r, int p, int64_t actor);

/* The parts (each adds charts, tables and notes to the open section). */
int resi_map_chart(resi_run *r, err *e);
int resi_premium_tables(resi_run *r, err *e);
int resi_coverage_chart(resi_run *r, err *e);
int resi_api_charts(resi_run *r, err *e);
int resi_evaluation_charts(resi_run *r, err *e);
int resi_duplicates_table(resi_run *r, err *e);
int resi_score_charts(resi_run *r, err *e);
int resi_strategy_chart(resi_run *r, err *e);
int resi_quota_chart(resi_run *r, err *e);
int resi_findings(resi_run *r, err *e);

/* The family's descriptor parts (resi.c, resi_compare.c). */
int resi_detect(sqlite3 *db, int64_t run_id, bool *present, err *e);
int resi_render(report_ctx *c, err *e);
int resi_compare(sqlite3 *db, int64_t run_id, report_measures *measures,
                 report_series_list *series, err *e);


int resi_strategies_load(sqlite3 *db, int64_t run_id, int64_t netuid, resi_strategies *s,
                         err *e);
/* The subnet of the family's validators: the first evaluation's validator's
 * (the lowest netuid of the run when none evaluated). */
int64_t resi_family_netuid(sqlite3 *db, int64_t run_id);
void resi_strategies_free(resi_strategies *s);

#endif
