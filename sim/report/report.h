/* report: what a person or a CI job sees of a run, rendered from the database
 * alone (DESIGN.md, "Data flows one way"): charts drawn by gnuplot, an
 * index.html that needs nothing but its own folder, summary.md for CI job
 * summaries, thresholds.xml (JUnit), and `compare` for several runs side by side.
 *
 * Families. Each subnet family (the chain, real estate, 3D, live requests)
 * describes itself with a report_family: how to tell whether a run holds its
 * records, how to render its section, the named metrics thresholds can use,
 * and the key measures and series `compare` puts side by side. The caller passes
 * an array of them; there is no global registry, so a family is added without
 * touching the others (sim/cli/families.c lists the built-in ones).
 *
 * Thresholds. A scenario's `thresholds` list names metrics from the families'
 * tables of SQL measures, and says how to combine them:
 *     {"metric": "incentive", "where": {"group": "premium"}, "neurons": "sum",
 *      "epochs": "mean", "from_epoch": 100, "op": ">=", "value": 0.3}
 * report_thresholds_evaluate measures each one on a run; `subnetsim run` exits 1
 * when any fails, and the report shows each with its measured value.
 *
 * Output folders are written to DIR.tmp-PID and renamed into place at the end:
 * a report that failed halfway never looks finished. */
#ifndef SUBNETSIM_REPORT_H
#define SUBNETSIM_REPORT_H

#include "core/core.h"

#include <sqlite3.h>

/* ------------------------------------------------------------- the run */

/* One row of the run table. Strings are owned (report_run_free). */
typedef struct report_run {
    int64_t id;
    char *name;            /* "<scenario>-s<seed>": the default report folder name */
    char *scenario_name;
    char *scenario_text;   /* the scenario file as written ("" if not stored) */
    char *scenario_json;   /* the effective scenario, overrides applied ("" if none) */
    char *mode, *version, *status, *digest, *started, *finished;
    char *error;           /* why a failed run failed ("" when none) */
    int64_t seed;
    double sim_seconds, wall_seconds;
} report_run;

/* Open a run database read-only. A file that is not a subnetsim database is
 * ERR_INPUT naming the file. */
int report_db_open(const char *path, sqlite3 **out, err *e);
/* Load a run; run_id 0 = the latest run in the file. */
int report_run_load(sqlite3 *db, int64_t run_id, report_run *out, err *e);
void report_run_free(report_run *r);
/* The ids of every run in the file, ascending. Caller frees *ids. */
int report_run_ids(sqlite3 *db, int64_t **ids, size_t *n, err *e);

/* ------------------------------------------------------------- metrics */

/* A metric thresholds can name. The names are the scenario's "metric" kinds
 * (sim/scenario: incentive, dividends, ...; families add theirs).
 *
 * REPORT_M_EPOCH (the chain's): a value per neuron per epoch, an SQL
 * expression over a row `e` of epoch_neuron.
 *
 * The others read a family's record table, whose rows name neurons by actor
 * (a neuron's actor is named after its hotkey) and carry a time; a row counts
 * for the epoch at or before its time (rows before the first epoch, for the
 * first), so `epochs` and `from_epoch` read as they do for the chain:
 *   REPORT_M_RATE: a neuron's value at an epoch is sum(value) / sum(den) over
 *     its rows; neurons "sum" pools the rows of all matching neurons (each row
 *     once), as a group's rate;
 *   REPORT_M_ZIPS: the share of the zipcode table's zips (of where.tier) with
 *     a row where value holds; neurons "sum" is the union: held by any.
 * A metric with a `zip` column takes where.tier (a class of the zipcode
 * table: premium, tier1..tier4). */
typedef enum { REPORT_M_EPOCH, REPORT_M_RATE, REPORT_M_ZIPS } report_metric_kind;

typedef struct report_metric {
    const char *name;      /* "incentive" */
    const char *unit;      /* "" for 0..1 shares, "rao", "TAO" */
    const char *doc;       /* one line for the README's metric reference */
    const char *value;     /* "e.incentive / 65535.0"; a table's: "e.outcome = 'ok'" */
    report_metric_kind kind;
    const char *table;     /* the record table (NULL: epoch_neuron) */
    const char *actors[2]; /* its columns naming the neurons a row counts for */
    const char *den;       /* REPORT_M_RATE: a row's denominator ("1") */
    const char *zip;       /* its column holding a zip, or NULL */
    const char *time;      /* its column holding the time (us); NULL: time_us */
} report_metric;

/* ----------------------------------------------------------- thresholds */

typedef enum { REPORT_GE, REPORT_GT, REPORT_LE, REPORT_LT, REPORT_EQ, REPORT_NE } report_op;
/* How values combine: across the matching neurons at an epoch, then across the
 * epochs from from_epoch. Zero is the default of each (the scenario's too). */
typedef enum { REPORT_N_SUM, REPORT_N_MEAN, REPORT_N_MIN, REPORT_N_MAX } report_neurons;
typedef enum { REPORT_E_LAST, REPORT_E_MEAN, REPORT_E_MIN, REPORT_E_MAX } report_epochs;

/* A threshold as the scenario states it (scenario_threshold, converted by the
 * caller so this module needs no scenario code). */
typedef struct report_threshold {
    const char *name;      /* the scenario's label, or NULL: made from the fields */
    const char *metric;
    const char *group;     /* where.group: a validator or miner group, or NULL */
    const char *hotkey;    /* where.hotkey, or NULL */
    int64_t netuid;        /* where.netuid; 0: every subnet */
    const char *strategy;  /* where.strategy: neuron.label, or NULL */
    const char *tier;      /* where.tier: a zipcode class, or NULL (zip metrics only) */
    report_neurons neurons;
    report_epochs epochs;
    int64_t from_epoch;
    report_op op;
    double value;
    const char *origin;    /* where it was written ("x.json: thresholds[2]"), or NULL */
} report_threshold;

typedef struct report_threshold_result {
    char label[256];       /* the name, or incentive{group=premium, epochs=mean} >= 0.3 */
    const char *unit;      /* the metric's */
    bool has_value;        /* false: nothing matched (a failure) */
    double measured;
    bool pass;
} report_threshold_result;

const char *report_op_str(report_op op);
const char *report_neurons_str(report_neurons a);
const char *report_epochs_str(report_epochs a);

typedef struct report_family report_family;

/* Check a threshold against the families' metric tables without a database:
 * an unknown metric, an unknown aggregation or a value that is not a number is
 * ERR_INPUT naming the threshold (its origin first). */
int report_threshold_check(const report_family *const *fams, size_t nfam,
                           const report_threshold *t, err *e);
/* Measure every threshold on run_id: results[i] gets the measured value and
 * pass/fail. Returns 0 when all were measured (pass or fail), ERR_INPUT for a
 * threshold that does not check, ERR_DB when SQLite refuses. *failed (may be
 * NULL) counts the failures. */
int report_thresholds_evaluate(sqlite3 *db, int64_t run_id, const report_family *const *fams,
                               size_t nfam, const report_threshold *t, size_t n,
                               report_threshold_result *results, size_t *failed, err *e);
/* One threshold's measure (has_value false when nothing matched). */
int report_metric_measure(sqlite3 *db, int64_t run_id, const report_metric *m,
                          const report_threshold *t, bool *has_value, double *value, err *e);
/* One line per threshold on out, for `run`: "threshold failed: LABEL: measured
 * 0.12 (origin)" for failures, and "threshold passed: ..." lines too when all.
 * Returns the number of failures. */
size_t report_threshold_results_print(FILE *out, const report_threshold *t,
                                      const report_threshold_result *r, size_t n, bool all);

/* Where a report gets a run's thresholds: the caller reads them from the
 * run's stored scenario (with the scenario module and its families). The array
 * stays the source's until report_render returns. */
typedef struct report_threshold_source {
    void *ctx;
    int (*load)(void *ctx, const report_run *run, const report_threshold **out, size_t *n,
                err *e);
} report_threshold_source;

/* -------------------------------------------------------- the families */

typedef struct report_ctx report_ctx;   /* one report being written */

/* A chart: the driver writes NAME.dat (data), NAME.gp (a script that re-plots
 * on its own in the report folder) and the images. The script gets the common
 * style, the title and axis labels (all required: a chart without them is a
 * bug), `dat = 'NAME.dat'`, then `setup`, then `plot` once per image format. */
typedef struct report_chart {
    const char *name;      /* file stem, [a-z0-9-]: "chain-incentive-n1" */
    const char *title;
    const char *xlabel, *ylabel;   /* with units: "epoch", "emission share (%)" */
    const char *caption;   /* plain text shown under the chart, or NULL */
    int width, height;     /* pixels; 0 = 1200 x 520 */
    /* Many cells drawn as a bitmap (heatmaps): SVG viewers blur a bitmap
     * inside an SVG, so the PNG is always drawn and is what the page shows. */
    bool raster;
    const char *setup;     /* gnuplot settings (trusted: written by the family) */
    const char *plot;      /* the plot command(s), reading the file `dat` */
    const char *data;      /* the .dat text */
} report_chart;

/* Key measures and series for `compare`. */
typedef struct report_measure {
    char name[96];         /* "emission share: premium-focus" */
    char unit[16];
    double value;
} report_measure;

typedef VEC(report_measure) report_measures;

typedef struct report_series {
    char name[96];         /* "validator trust (mean)" */
    char ylabel[96];
    char xlabel[32];
    VEC(double) x;
    VEC(double) y;
} report_series;

typedef VEC(report_series) report_series_list;
void report_series_list_free(report_series_list *l);

struct report_family {
    const char *name;      /* "chain": section ids and file names start with it */
    const char *title;     /* "Chain" */
    /* Whether run_id holds this family's records. */
    int (*detect)(sqlite3 *db, int64_t run_id, bool *present, err *e);
    /* Add the family's sections and charts to the report. */
    int (*render)(report_ctx *ctx, err *e);
    const report_metric *metrics;
    size_t nmetrics;
    /* For compare (may be NULL): append the run's key measures and the time
     * series to overlay (one call, so a family reads its records once). */
    int (*compare)(sqlite3 *db, int64_t run_id, report_measures *measures,
                   report_series_list *series, err *e);
};

/* The chain's family: incentive, dividends, emission, consensus, validator
 * trust and bonds over epochs, weights heatmaps, emission by group. */
extern const report_family report_family_chain;
/* The real-estate family (SPEC 2): coverage map, coverage by tier,
 * evaluations, API checks, credibility and score, emission by strategy, API
 * quota; metrics coverage, evaluation_success, api_check_success,
 * api_check_made. */
extern const report_family report_family_resi;

/* What a family's render sees. */
sqlite3 *report_ctx_db(const report_ctx *c);
const report_run *report_ctx_run(const report_ctx *c);
/* Open a section (closing the previous one); it gets a table-of-contents entry. */
int report_section(report_ctx *c, const char *id, const char *title, err *e);
/* A finding for the summary (index.html's Summary, summary.md): a question
 * the run answers and its answer, plain text. */
int report_finding(report_ctx *c, const char *question, const char *answer, err *e);
/* The page being written: append trusted HTML; escape data with report_html_escape. */
sbuf *report_ctx_html(report_ctx *c);
int report_chart_add(report_ctx *c, const report_chart *ch, err *e);
/* A progress bar for a long step of the family's (drawn only on a terminal,
 * never with --quiet): the context's one bar, restarted with this label and
 * total; move it with progress_update. It is finished with the section. */
progress *report_ctx_progress(report_ctx *c, const char *label, double total);
/* Escaping: text for HTML (also attributes), and a gnuplot single-quoted string
 * with its quotes (control characters dropped, so data cannot end the string). */
void report_html_escape(sbuf *b, const char *s);
void report_gp_quote(sbuf *b, const char *s);

/* ----------------------------------------------------------- rendering */

enum { REPORT_SVG = 1, REPORT_PNG = 2 };

typedef struct report_opts {
    const char *db_path;
    int64_t run_id;                 /* 0: the latest run */
    const char *out_dir;            /* NULL: reports/<run name> */
    unsigned formats;               /* REPORT_SVG | REPORT_PNG; 0 = SVG */
    bool quiet;                     /* no progress bar */
    const report_family *const *families;
    size_t nfamilies;
    report_threshold_source thresholds;   /* load NULL: the run has none */
} report_opts;

typedef struct report_outcome {
    char out_dir[4096];
    size_t charts;
    size_t thresholds, failed;
} report_outcome;

/* Render one run. ERR_DEPENDENCY when gnuplot is missing, ERR_EXTERNAL when it
 * fails (its message in e), ERR_INPUT for a bad database or run id. On error no
 * output folder is left (an earlier report at out_dir stays as it was). */
int report_render(const report_opts *o, report_outcome *res, err *e);

/* Where gnuplot is: PATH search, or ERR_DEPENDENCY naming the package. */
int report_gnuplot_find(char *path, size_t n, err *e);

/* ------------------------------------------------------------- compare */

typedef struct report_compare_input {
    const char *db_path;
    const char *label;     /* the arm; NULL: the run's scenario name */
} report_compare_input;

typedef struct report_compare_opts {
    const report_compare_input *inputs;   /* every run of each file takes part */
    size_t ninputs;
    const char *out_dir;                  /* NULL: reports/compare */
    unsigned formats;
    bool quiet;
    const report_family *const *families;
    size_t nfamilies;
} report_compare_opts;

int report_compare(const report_compare_opts *o, report_outcome *res, err *e);

/* ---------------------------------------------------------- statistics */

/* Two-sided Student t quantile: t such that P(|T_df| <= t) = level. */
double report_t_quantile(double level, double df);
/* Welch's t-test of two samples' means (each n >= 2): the two-sided p-value
 * (1 when both are constant and equal, 0 when constant and different). */
double report_welch_p(const double *a, size_t na, const double *b, size_t nb);
/* Mean and half-width of the 95 % confidence interval (t distribution); the
 * half-width is NAN when n < 2. */
void report_mean_ci95(const double *v, size_t n, double *mean, double *half);

#endif
