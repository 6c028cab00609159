/* The chain family's data (private to sim/report): a subnet's epoch records
 * read in one pass into per-neuron sums over epoch buckets, so that a 7,200-epoch
 * run draws a few hundred points per line, and any grouping of neurons (per uid,
 * per group, top earners and "others") is computed from those sums without
 * reading the database again. */
#ifndef SUBNETSIM_REPORT_CHAIN_DATA_H
#define SUBNETSIM_REPORT_CHAIN_DATA_H

#include "chain/chain.h"
#include "report/report_internal.h"

/* Points per line at most: more than a 1200-pixel chart can show apart. */
#define CHAIN_MAX_BUCKETS 400
/* Lines per chart at most, "others" included. */
#define CHAIN_MAX_SERIES 12

enum { CM_CONSENSUS, CM_INCENTIVE, CM_DIVIDENDS, CM_EMISSION, CM_VTRUST, CM_COUNT };

/* One registration: a hotkey holding a uid from the epochs after block reg
 * until the uid's next registration. */
typedef struct chain_nrec {
    int64_t uid, reg;
    char *hotkey, *role;       /* role "" when the scenario did not say */
    char *label;               /* the scenario's group, else its label, else the role */
    char *group;               /* the label, else "" (the summary's column) */
    bool validator;            /* role validator; without a role, ever had a permit */
    bool permit;               /* had a validator permit at some recorded epoch */
    int64_t emission;          /* rao over the run */
} chain_nrec;

typedef struct chain_data {
    int64_t netuid;
    int64_t lo, hi;            /* epochs */
    int64_t rows;
    int nb;                    /* buckets */
    int64_t bw;                /* epochs per bucket */
    VEC(chain_nrec) nrec;      /* sorted by uid, then registration */
    int64_t maxuid;
    int64_t *first;            /* [maxuid + 1]: first nrec index of a uid, -1 none */
    int64_t *block_of;         /* [hi - lo + 1]: the block of each epoch, -1 unseen */
    double *acc;               /* [nb][nrec][CM_COUNT] sums */
    double *cnt;               /* [nb][nrec] rows */
    double *epochs;            /* [nb] epochs seen */
    double *em_total;          /* [nb] emission of everyone */
    int64_t em_sum;            /* rao paid over the run, every row counted */
    int64_t skipped;           /* rows of a uid no neuron row explains */
} chain_data;

/* Load netuid of run_id. A subnet without epoch rows loads with nb == 0. bar
 * (may be NULL), already started, gets the row count as total and moves. */
int chain_data_load(sqlite3 *db, int64_t run_id, int64_t netuid, chain_data *d, progress *bar,
                    err *e);
void chain_data_free(chain_data *d);
/* The registration holding uid at an epoch at block (the last registered
 * before it; the first for an earlier row), or -1. */
int64_t chain_data_neuron_at(const chain_data *d, int64_t uid, int64_t block);
double chain_data_x(const chain_data *d, int b);   /* a bucket's middle epoch */

/* A grouping of neurons into lines: series[i] for nrec i (-1 = not drawn). */
typedef struct chain_groups {
    int n;
    char name[CHAIN_MAX_SERIES][96];
    int members[CHAIN_MAX_SERIES];
    bool others[CHAIN_MAX_SERIES];   /* the grey "others" line */
    /* "others" of the top earners is drawn per member (a mean), so that it is
     * on the scale of the lines beside it rather than their sum. */
    bool others_mean;
    int *series;
    const char *how;           /* a sentence saying how, with %s for the population */
} chain_groups;

typedef enum { CHAIN_POP_MINERS, CHAIN_POP_VALIDATORS, CHAIN_POP_ALL } chain_pop;

/* Lines for a population: one per neuron when few, else one per label when the
 * labels are few and more than one, else the top earners and "others".
 * by_label forces labels (emission by group). */
int chain_groups_make(const chain_data *d, chain_pop pop, bool by_label, chain_groups *g, err *e);
void chain_groups_free(chain_groups *g);

/* How a metric aggregates over a line's members and a bucket's epochs. */
typedef enum {
    CHAIN_SHARE_U16,    /* sum per epoch of u16 proportions, as % */
    CHAIN_MEAN_U16,     /* mean of u16 proportions, 0-1 */
    CHAIN_EMISSION_PCT  /* % of all emission in the bucket */
} chain_agg;

/* The value of line s at bucket b (NAN when no member had a row). */
double chain_value(const chain_data *d, const chain_groups *g, int s, int b, int metric,
                   chain_agg agg);

/* A chart of g's lines over epochs (chain.c): the .dat's header line, the
 * plot command, and the setup with x spanning the run's epochs after the
 * chart's own settings. */
void chain_dat_header(sbuf *dat, const chain_groups *g);
void chain_plot_lines(sbuf *plot, const chain_groups *g, const char *style);
void chain_x_range(const chain_data *d, const char *setup, char *out, size_t n);

/* The family's parts (chain.c, chain_charts.c, chain_compare.c); the
 * descriptor that ties them to the metric table is in queries.c. */
int chain_detect(sqlite3 *db, int64_t run_id, bool *present, err *e);
int chain_render(report_ctx *c, err *e);
int chain_compare(sqlite3 *db, int64_t run_id, report_measures *measures,
                  report_series_list *series, err *e);
int chain_netuids(sqlite3 *db, int64_t run_id, int64_t **out, size_t *n, err *e);
int chain_bonds_chart(report_ctx *c, const chain_data *d, const char *suffix, const char *where,
                      err *e);
int chain_weights_chart(report_ctx *c, const chain_data *d, const char *suffix, const char *where,
                        err *e);

#endif
