/* report's private parts, shared by its files only. */
#ifndef SUBNETSIM_REPORT_INTERNAL_H
#define SUBNETSIM_REPORT_INTERNAL_H

#include "report/report.h"

/* ------------------------------------------------------------ queries */

typedef enum {
    REPORT_Q_HAS_TABLE,
    REPORT_Q_RUN,
    REPORT_Q_RUN_LATEST,
    REPORT_Q_RUN_IDS,
    REPORT_Q_RUN_SAME_NAME,
    REPORT_Q_RUN_PARAMS,
    REPORT_Q_CHAIN_PRESENT,
    REPORT_Q_CHAIN_NETUIDS,
    REPORT_Q_CHAIN_NEURONS,
    REPORT_Q_CHAIN_SPAN,
    REPORT_Q_CHAIN_ROWS,
    REPORT_Q_CHAIN_EPOCH_BLOCK,
    REPORT_Q_CHAIN_WEIGHT_AT,
    REPORT_Q_CHAIN_WEIGHT_FIRST,
    REPORT_Q_CHAIN_BOND_ROWS,
    REPORT_Q_EARN_NEURONS,
    REPORT_Q_EARN_ROWS,
    REPORT_Q_COUNT
} report_query;

const char *report_sql(report_query q);
/* A threshold's query for metric m (queries.c): binds :run_id, :netuid (when
 * one_subnet), :group, :hotkey, :from_epoch, :everyone. */
int report_metric_sql(const report_metric *m, const report_threshold *t, bool one_subnet,
                      sbuf *out);

/* Prepare a statement of the table; ERR_DB with SQLite's message. */
int report_prepare(sqlite3 *db, report_query q, sqlite3_stmt **st, err *e);
int report_db_error(sqlite3 *db, const char *what, err *e);
/* Whether a table or view exists. */
bool report_has_table(sqlite3 *db, const char *name);
/* A column as an owned string ("" for NULL); NULL only when out of memory. */
char *report_col_strdup(sqlite3_stmt *st, int col);

/* One registration's earnings over the run (the summary's top earners). */
typedef struct report_earner {
    int64_t netuid, uid;
    char *hotkey, *role, *group;
    int64_t emission_rao;
    double share;              /* % of all emission in the run */
} report_earner;

typedef VEC(report_earner) report_earners;

/* -------------------------------------------------------- the context */

typedef struct report_section_rec {
    char id[64];
    char title[160];
} report_section_rec;

struct report_ctx {
    sqlite3 *db;
    const report_run *run;
    char dir[4200];            /* the folder being written (DIR.tmp-PID) */
    unsigned formats;
    sbuf html;                 /* the sections, in order */
    bool in_section;
    VEC(report_section_rec) sections;
    VEC(char *) charts;        /* names of charts to draw, in order */
    /* Every registration's earnings, when the chain family has read them (the
     * summary's top earners then cost no second read of the records). */
    report_earners earnings;
    int64_t emission_total;
    bool earnings_known;
    bool quiet;
    progress bar;              /* report_ctx_progress's */
};

void report_ctx_init(report_ctx *c, sqlite3 *db, const report_run *run, const char *dir,
                     unsigned formats, bool quiet);
void report_ctx_free(report_ctx *c);
/* Close the open section, if any. */
void report_ctx_end_section(report_ctx *c);

/* ------------------------------------------------------------ gnuplot */

/* Draw every chart (NAME.gp in dir), several per gnuplot process, with a
 * progress bar labelled `label` unless quiet. */
int report_gnuplot_run(const char *gnuplot, const char *dir, char *const *charts, size_t n,
                       bool quiet, const char *label, err *e);
/* The whole .gp text of a chart. */
int report_gp_script(sbuf *out, const report_chart *ch, unsigned formats);
/* A legend entry: quoted as report_gp_quote, cut to max_chars characters. */
void report_gp_key(sbuf *b, const char *s, size_t max_chars);
#define REPORT_KEY_CHARS 28
/* Palette entries shared by all charts (the 13th is grey, for "others"). */
#define REPORT_NCOLORS 12
#define REPORT_OTHERS_LT 13

/* ------------------------------------------------------------- folders */

/* Make DIR.tmp-PID (emptied first if a dead run left it) beside out_dir, whose
 * parent is created. Fails when out_dir exists and is not a report. */
int report_dir_begin(const char *out_dir, char *tmp, size_t n, err *e);
/* Move tmp into place, replacing an earlier report at out_dir. */
int report_dir_commit(const char *tmp, const char *out_dir, err *e);
/* Remove a folder and all it holds (best effort). */
void report_dir_remove(const char *path);
/* Write `text` to dir/name. */
int report_write_file(const char *dir, const char *name, const char *text, size_t len, err *e);
/* The marker that says "this folder is a subnetsim report" (safe to replace). */
#define REPORT_MARKER ".subnetsim-report"

/* ---------------------------------------------------------------- html */

/* The page's head (with its style sheet) and foot. */
void report_html_begin(sbuf *b, const char *title);
void report_html_end(sbuf *b);
/* Numbers for people: 12.3 %, 1,234.5 α, 0.912. */
void report_fmt_num(char *out, size_t n, double v, const char *unit);
/* A duration in seconds as "2d 3h", "4m 10s", "1.2 s". */
void report_fmt_duration(char *out, size_t n, double seconds);

/* ------------------------------------------------------ run summaries */


int report_top_earners(sqlite3 *db, int64_t run_id, int limit, report_earners *out, err *e);
/* The top `limit` of all (which it empties), shares of `total` rao. */
int report_earners_top(report_earners *all, int64_t total, int limit, report_earners *out, err *e);
void report_earners_free(report_earners *v);

/* Thresholds of a run, measured: what index.html, summary.md and
 * thresholds.xml show. */
typedef struct report_checked {
    const report_threshold *t;      /* the source's */
    size_t n, failed;
    report_threshold_result *results;
    char error[ERR_MSG_MAX];        /* why the thresholds could not be read; "" if they were */
} report_checked;

/* Read the run's thresholds from the source and check them (ERR_INPUT names a
 * bad one). A source that cannot read them leaves a note in error, and none. */
int report_check_load(const report_threshold_source *src, const report_run *run,
                      const report_family *const *fams, size_t nfam, report_checked *out,
                      err *e);
/* Measure them (results, failed). */
int report_check_measure(sqlite3 *db, const report_run *run, const report_family *const *fams,
                         size_t nfam, report_checked *c, err *e);
void report_checked_free(report_checked *c);

int report_write_summary_md(const char *dir, const report_run *run, const report_checked *c,
                            const report_earners *top, err *e);
int report_write_junit(const char *dir, const report_run *run, const report_checked *c, err *e);
/* The run facts, thresholds and top earners as HTML (index.html's top). */
void report_html_summary(sbuf *b, const report_run *run, const report_checked *c,
                         const report_earners *top);

#endif
