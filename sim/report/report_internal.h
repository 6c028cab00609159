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
    REPORT_Q_CHAIN_WEIGHT_AT,
    REPORT_Q_CHAIN_WEIGHT_FIRST,
    REPORT_Q_CHAIN_BOND_ROWS,
    REPORT_Q_EARN_NEURONS,
    REPORT_Q_EARN_ROWS,
    REPORT_Q_COUNT
} report_query;

const char *report_sql(report_query q);
/* A threshold's query for metric m: binds :run_id, :netuid (when one_subnet),
 * :group, :hotkey, :strategy, :from_epoch, :everyone; a table metric's also
 * :tier and calls report_epoch(time_us) (metrics.c registers it). */
int report_metric_sql(const report_metric *m, const report_threshold *t, bool one_subnet,
                      sbuf *out);
/* by_rowid: the table has rowids, and the run's rows are :lo..:hi. */
int report_table_metric_sql(const report_metric *m, const report_threshold *t, bool one_subnet,
                            bool by_rowid, sbuf *out);
bool report_table_has_rowid(sqlite3 *db, const char *table);
/* The first and last rowid of run_id's rows of table (lo > hi when none). */
int report_rowid_range(sqlite3 *db, const char *table, int64_t run_id, int64_t *lo, int64_t *hi);
/* The neuron filter of a threshold's where, over a neuron row `n`. */
#define REPORT_PICK                                                                        \
    "((:group IS NULL OR n.group_name = :group) AND (:hotkey IS NULL OR n.hotkey = :hotkey) " \
    "AND (:strategy IS NULL OR n.label = :strategy))"

/* The run's epochs (one subnet's) as times, for report_epoch(): the SQL
 * function a table metric's query calls to put a row in its epoch. */
typedef struct report_clock {
    int64_t *t;                /* each epoch's time (us), ascending */
    int64_t *epoch;
    size_t n;
} report_clock;

/* Load netuid's epochs of run_id (netuid 0: the lowest netuid with epochs). */
int report_clock_load(sqlite3 *db, int64_t run_id, int64_t netuid, report_clock *c, err *e);
void report_clock_free(report_clock *c);
/* The epoch a time belongs to: the last at or before it, else the first. */
int64_t report_clock_epoch(const report_clock *c, int64_t t_us);
/* Register report_epoch(time_us) on db for c (which outlives the statements). */
int report_clock_register(sqlite3 *db, report_clock *c, err *e);
/* The run's block time in microseconds (run_param block_time_us; older runs:
 * simulated time over end_block; else 12 s). */
int64_t report_block_time_us(sqlite3 *db, int64_t run_id);

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

typedef struct report_finding_rec {
    char *question, *answer;   /* owned */
} report_finding_rec;

typedef VEC(report_finding_rec) report_findings;

struct report_ctx {
    sqlite3 *db;
    const report_run *run;
    char dir[4200];            /* the folder being written (DIR.tmp-PID) */
    unsigned formats;
    sbuf html;                 /* the sections, in order */
    bool in_section;
    VEC(report_section_rec) sections;
    VEC(char *) charts;        /* names of charts to draw, in order */
    report_findings findings;  /* the summary's questions and answers */
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
/* A muted note in the open section (plain text, escaped): why a chart is left out. */
void report_note(report_ctx *c, const char *text);

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
/* A chart of n lines, one a column after x: the .dat's header line ("# x" and
 * the quoted names), and the plot command (dat using 1:2, 1:3 ... with
 * `style`, an "others" line grey). */
void report_dat_header(sbuf *dat, const char *x, int n, const char (*name)[96]);
void report_plot_lines(sbuf *plot, int n, const char (*name)[96], const bool *others,
                       const char *style);
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
                            const report_earners *top, const report_findings *f, err *e);
int report_write_junit(const char *dir, const report_run *run, const report_checked *c, err *e);
/* The run facts, thresholds and top earners as HTML (index.html's top). */
void report_html_summary(sbuf *b, const report_run *run, const report_checked *c,
                         const report_earners *top, const report_findings *f);

#endif
