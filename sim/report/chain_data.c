/* Loading a subnet's epoch records into bucketed per-neuron sums, and grouping
 * neurons into chart lines. */
#include "report/chain_data.h"

#include <math.h>
#include <string.h>

static void nrec_free(chain_nrec *r)
{
    free(r->hotkey);
    free(r->role);
    free(r->label);
    free(r->group);
}

void chain_data_free(chain_data *d)
{
    for (size_t i = 0; i < d->nrec.len; i++)
        nrec_free(&d->nrec.v[i]);
    VEC_FREE(&d->nrec);
    free(d->first);
    free(d->block_of);
    free(d->acc);
    free(d->cnt);
    free(d->epochs);
    free(d->em_total);
    *d = (chain_data){0};
}

static int load_neurons(sqlite3 *db, int64_t run_id, chain_data *d, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_CHAIN_NEURONS, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, d->netuid);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        chain_nrec r = {.uid = sqlite3_column_int64(st, 0), .reg = sqlite3_column_int64(st, 4)};
        bool labelled = sqlite3_column_type(st, 3) != SQLITE_NULL;
        bool has_role = sqlite3_column_type(st, 2) != SQLITE_NULL;
        r.hotkey = report_col_strdup(st, 1);
        r.role = report_col_strdup(st, 2);
        r.label = labelled ? report_col_strdup(st, 3)
                           : strdup(has_role ? (const char *)sqlite3_column_text(st, 2)
                                             : "unlabelled");
        r.group = report_col_strdup(st, 3);
        r.validator = r.role && !strcmp(r.role, "validator");
        bool bad_uid = r.uid < 0 || r.uid > 1000000;
        if (!r.hotkey || !r.role || !r.label || !r.group || bad_uid || VEC_PUSH(&d->nrec, r)) {
            nrec_free(&r);
            sqlite3_finalize(st);
            if (bad_uid)
                return err_set(e, ERR_INPUT, "neuron table: uid %lld out of range",
                               (long long)r.uid);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        d->maxuid = r.uid > d->maxuid ? r.uid : d->maxuid;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return report_db_error(db, "cannot read the neuron table", e);
    d->first = malloc((size_t)(d->maxuid + 2) * sizeof *d->first);
    if (!d->first)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int64_t u = 0; u <= d->maxuid; u++)
        d->first[u] = -1;
    for (size_t i = d->nrec.len; i-- > 0;)
        d->first[d->nrec.v[i].uid] = (int64_t)i;
    return 0;
}

int64_t chain_data_neuron_at(const chain_data *d, int64_t uid, int64_t block)
{
    if (uid < 0 || uid > d->maxuid || d->first[uid] < 0)
        return -1;
    int64_t found = -1;
    for (size_t i = (size_t)d->first[uid]; i < d->nrec.len && d->nrec.v[i].uid == uid; i++) {
        if (d->nrec.v[i].reg >= block)
            break;   /* registered in or after the epoch's block: not yet */
        found = (int64_t)i;
    }
    return found >= 0 ? found : d->first[uid];
}

double chain_data_x(const chain_data *d, int b)
{
    return (double)d->lo + (double)b * (double)d->bw + (double)(d->bw - 1) / 2.0;
}

static int load_span(sqlite3 *db, int64_t run_id, chain_data *d, progress *bar, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_CHAIN_SPAN, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, d->netuid);
    rc = sqlite3_step(st);
    bool empty = rc != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL;
    if (!empty) {
        d->lo = sqlite3_column_int64(st, 0);
        d->hi = sqlite3_column_int64(st, 1);
        if (bar)
            bar->total = (double)(sqlite3_column_int64(st, 2) > 0 ? sqlite3_column_int64(st, 2) : 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return report_db_error(db, "cannot read epoch records", e);
    if (empty)
        return 0;
    if (d->hi - d->lo > 100000000)
        return err_set(e, ERR_INPUT, "epochs %lld..%lld: too many", (long long)d->lo,
                       (long long)d->hi);
    int64_t span = d->hi - d->lo + 1;
    d->nb = span < CHAIN_MAX_BUCKETS ? (int)span : CHAIN_MAX_BUCKETS;
    d->bw = (span + d->nb - 1) / d->nb;
    d->nb = (int)((span + d->bw - 1) / d->bw);
    size_t nn = d->nrec.len ? d->nrec.len : 1, nb = (size_t)d->nb;
    d->block_of = malloc((size_t)span * sizeof *d->block_of);
    d->acc = calloc(nb * nn * CM_COUNT, sizeof *d->acc);
    d->cnt = calloc(nb * nn, sizeof *d->cnt);
    d->epochs = calloc(nb, sizeof *d->epochs);
    d->em_total = calloc(nb, sizeof *d->em_total);
    if (!d->block_of || !d->acc || !d->cnt || !d->epochs || !d->em_total)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (int64_t i = 0; i < span; i++)
        d->block_of[i] = -1;
    return 0;
}

static int scan_rows(sqlite3 *db, int64_t run_id, chain_data *d, progress *bar, err *e)
{
    sqlite3_stmt *st;
    int rc = report_prepare(db, REPORT_Q_CHAIN_ROWS, &st, e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, d->netuid);
    size_t nn = d->nrec.len;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t epoch = sqlite3_column_int64(st, 0), block = sqlite3_column_int64(st, 1);
        int64_t uid = sqlite3_column_int64(st, 2);
        int64_t i = chain_data_neuron_at(d, uid, block);
        if (epoch < d->lo || epoch > d->hi)
            continue;
        int64_t b = (epoch - d->lo) / d->bw;
        if (d->block_of[epoch - d->lo] < 0) {
            d->block_of[epoch - d->lo] = block;
            d->epochs[b] += 1;
        }
        if (++d->rows % 65536 == 0 && bar)
            progress_update(bar, (double)d->rows);
        int64_t emi = sqlite3_column_int64(st, 6);
        double em = (double)emi;
        d->em_total[b] += em;
        d->em_sum += emi;
        if (i < 0) {
            d->skipped++;
            continue;
        }
        double *a = &d->acc[((size_t)b * nn + (size_t)i) * CM_COUNT];
        a[CM_CONSENSUS] += sqlite3_column_double(st, 3);
        a[CM_INCENTIVE] += sqlite3_column_double(st, 4);
        a[CM_DIVIDENDS] += sqlite3_column_double(st, 5);
        a[CM_EMISSION] += em;
        a[CM_VTRUST] += sqlite3_column_double(st, 7);
        d->nrec.v[i].permit |= sqlite3_column_int(st, 8) != 0;
        d->cnt[(size_t)b * nn + (size_t)i] += 1;
        d->nrec.v[i].emission += emi;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return report_db_error(db, "cannot read epoch records", e);
    /* Without roles from the scenario, validators are who held a permit. */
    for (size_t i = 0; i < nn; i++)
        if (!*d->nrec.v[i].role)
            d->nrec.v[i].validator = d->nrec.v[i].permit;
    if (d->skipped)
        log_warn("netuid %lld: %lld epoch rows name a uid the neuron table does not hold",
                 (long long)d->netuid, (long long)d->skipped);
    return 0;
}

int chain_data_load(sqlite3 *db, int64_t run_id, int64_t netuid, chain_data *d, progress *bar,
                    err *e)
{
    *d = (chain_data){.netuid = netuid, .maxuid = -1};
    int rc = load_neurons(db, run_id, d, e);
    if (!rc)
        rc = load_span(db, run_id, d, bar, e);
    if (!rc && d->nb > 0)
        rc = scan_rows(db, run_id, d, bar, e);
    if (rc)
        chain_data_free(d);
    return rc;
}

/* ------------------------------------------------------------ grouping */

void chain_groups_free(chain_groups *g)
{
    free(g->series);
    *g = (chain_groups){0};
}

static bool in_pop(const chain_nrec *r, chain_pop pop)
{
    return pop == CHAIN_POP_ALL || (pop == CHAIN_POP_VALIDATORS) == r->validator;
}

/* Distinct labels of a population, largest total emission first. */
typedef struct label_tot {
    const char *label;
    int64_t emission;
    int members;
} label_tot;

static int cmp_label(const void *a, const void *b)
{
    const label_tot *x = a, *y = b;
    if (x->emission != y->emission)
        return x->emission < y->emission ? 1 : -1;
    return strcmp(x->label, y->label);
}

static int cmp_index_by_emission(const void *a, const void *b, const chain_data *d)
{
    const chain_nrec *x = &d->nrec.v[*(const size_t *)a], *y = &d->nrec.v[*(const size_t *)b];
    if (x->emission != y->emission)
        return x->emission < y->emission ? 1 : -1;
    return x->uid != y->uid ? (x->uid < y->uid ? -1 : 1) : (x->reg < y->reg ? -1 : 1);
}

/* qsort has no context argument in C11: a small insertion sort does. */
static void sort_by_emission(size_t *idx, size_t n, const chain_data *d)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp_index_by_emission(&idx[j - 1], &idx[j], d) > 0; j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

static void name_neuron(const chain_data *d, const chain_nrec *r, bool one_label, char *out,
                        size_t n)
{
    bool moved = d->first[r->uid] >= 0 && &d->nrec.v[d->first[r->uid]] != r;
    /* "uid 3 validators" says nothing "uid 3" does not when all share it. */
    const char *label = one_label || !strcmp(r->label, r->role) ? "" : r->label;
    char from[48] = "";
    if (moved)
        snprintf(from, sizeof from, " (block %lld+)", (long long)r->reg);
    snprintf(out, n, "uid %lld%s%.60s%s", (long long)r->uid, *label ? " " : "", label, from);
}

static int groups_by_label(const chain_data *d, chain_pop pop, chain_groups *g, err *e)
{
    VEC(label_tot) labels = {0};
    for (size_t i = 0; i < d->nrec.len; i++) {
        const chain_nrec *r = &d->nrec.v[i];
        if (!in_pop(r, pop))
            continue;
        size_t k = 0;
        while (k < labels.len && strcmp(labels.v[k].label, r->label))
            k++;
        if (k == labels.len && VEC_PUSH(&labels, ((label_tot){r->label, 0, 0}))) {
            VEC_FREE(&labels);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        labels.v[k].emission += r->emission;
        labels.v[k].members++;
    }
    qsort(labels.v, labels.len, sizeof *labels.v, cmp_label);
    size_t keep = labels.len <= CHAIN_MAX_SERIES ? labels.len : CHAIN_MAX_SERIES - 1;
    g->n = (int)keep + (labels.len > keep);
    for (size_t k = 0; k < labels.len; k++) {
        int s = k < keep ? (int)k : (int)keep;
        g->members[s] += labels.v[k].members;
        g->others[s] = k >= keep;
        if (k < keep)
            snprintf(g->name[s], sizeof g->name[s], "%s", labels.v[k].label);
    }
    if (labels.len > keep)
        snprintf(g->name[keep], sizeof g->name[keep], "others");
    for (int s = 0; s < g->n; s++) {
        char tmp[96];
        snprintf(tmp, sizeof tmp, "%.80s (%d)", g->name[s], g->members[s]);
        memcpy(g->name[s], tmp, sizeof tmp);
    }
    for (size_t i = 0; i < d->nrec.len; i++) {
        const chain_nrec *r = &d->nrec.v[i];
        g->series[i] = -1;
        if (!in_pop(r, pop))
            continue;
        size_t k = 0;
        while (k < keep && strcmp(labels.v[k].label, r->label))
            k++;
        g->series[i] = (int)k;
    }
    VEC_FREE(&labels);
    g->how = "Lines: %s by group (how many in brackets).";
    return 0;
}

static int groups_by_neuron(const chain_data *d, chain_pop pop, chain_groups *g, err *e)
{
    size_t *idx = malloc((d->nrec.len ? d->nrec.len : 1) * sizeof *idx), n = 0;
    if (!idx)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < d->nrec.len; i++) {
        g->series[i] = -1;
        if (in_pop(&d->nrec.v[i], pop))
            idx[n++] = i;
    }
    bool top = n > CHAIN_MAX_SERIES, one_label = true;
    for (size_t k = 1; k < n && one_label; k++)
        one_label = !strcmp(d->nrec.v[idx[k]].label, d->nrec.v[idx[0]].label);
    if (top)
        sort_by_emission(idx, n, d);
    size_t keep = top ? CHAIN_MAX_SERIES - 1 : n;
    for (size_t k = 0; k < n; k++) {
        int s = k < keep ? (int)k : (int)keep;
        g->series[idx[k]] = s;
        g->members[s]++;
        if (k < keep)
            name_neuron(d, &d->nrec.v[idx[k]], one_label && n > 1, g->name[s], sizeof g->name[s]);
    }
    g->n = (int)keep + top;
    if (top) {
        snprintf(g->name[keep], sizeof g->name[keep], "others (mean of %d)", g->members[keep]);
        g->others[keep] = true;
        g->others_mean = true;
    }
    g->how = top ? "Lines: the top-earning %s, the rest averaged as \"others\"."
                 : "Lines: %s per uid.";
    free(idx);
    return 0;
}

int chain_groups_make(const chain_data *d, chain_pop pop, bool by_label, chain_groups *g, err *e)
{
    *g = (chain_groups){0};
    g->series = malloc((d->nrec.len ? d->nrec.len : 1) * sizeof *g->series);
    if (!g->series)
        return err_set(e, ERR_NOMEM, "out of memory");
    size_t members = 0, nlabels = 0;
    for (size_t i = 0; i < d->nrec.len; i++) {
        const chain_nrec *r = &d->nrec.v[i];
        if (!in_pop(r, pop))
            continue;
        members++;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = in_pop(&d->nrec.v[j], pop) && !strcmp(d->nrec.v[j].label, r->label);
        nlabels += !seen;
    }
    int rc;
    if (by_label || (members > CHAIN_MAX_SERIES && nlabels > 1 && nlabels <= CHAIN_MAX_SERIES))
        rc = groups_by_label(d, pop, g, e);
    else
        rc = groups_by_neuron(d, pop, g, e);
    if (rc)
        chain_groups_free(g);
    return rc;
}

double chain_value(const chain_data *d, const chain_groups *g, int s, int b, int metric,
                   chain_agg agg)
{
    size_t nn = d->nrec.len;
    double sum = 0, rows = 0, members = 0;
    for (size_t i = 0; i < nn; i++) {
        if (g->series[i] != s)
            continue;
        double c = d->cnt[(size_t)b * nn + i];
        if (c > 0) {
            sum += d->acc[((size_t)b * nn + i) * CM_COUNT + (size_t)metric];
            rows += c;
            members++;
        }
    }
    if (rows == 0 || d->epochs[b] == 0)
        return NAN;
    if (g->others_mean && g->others[s] && agg != CHAIN_MEAN_U16)
        sum /= members;   /* a mean member (a mean already divides by rows) */
    switch (agg) {
    case CHAIN_SHARE_U16: return sum / d->epochs[b] / 65535.0 * 100.0;
    case CHAIN_MEAN_U16: return sum / rows / 65535.0;
    case CHAIN_EMISSION_PCT: return d->em_total[b] > 0 ? sum / d->em_total[b] * 100.0 : NAN;
    }
    return NAN;
}
