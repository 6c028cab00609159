/* The real-estate section's tables: the premium zips (who reached each first,
 * who holds it at the end), the premium and tier-1 zips no miner holds at the
 * end, and duplicates made and caught per miner. */
#include "report/resi_data.h"

#include <math.h>
#include <string.h>

static void place(sbuf *h, const resi_zip *z)
{
    sbuf_puts(h, "<td><code>");
    report_html_escape(h, z->zip);
    sbuf_puts(h, "</code></td><td>");
    report_html_escape(h, z->city);
    sbuf_puts(h, ", ");
    report_html_escape(h, z->state);
    sbuf_puts(h, "</td>");
}

/* Premium zips: first holders (every miner at the first snapshot that shows
 * the zip held), and holders at the end. */
static void premium_table(resi_run *r)
{
    sbuf *h = report_ctx_html(r->c);
    sbuf_puts(h, "<table id=\"resi-premium\">\n<tr><th>premium zip</th><th>place</th>"
                 "<th>first held by</th><th class=\"num\">at</th>"
                 "<th class=\"num\">miners holding it at the end</th></tr>\n");
    for (size_t i = 0; i < r->uni.len; i++) {
        const resi_zip *z = &r->uni.v[i];
        if (!z->premium)
            continue;
        int p = z->premium - 1, k = 0;
        int64_t t0 = -1;
        for (int64_t a = 0; a <= r->max_actor; a++) {
            int64_t t = resi_pfirst(r, p, a);
            t0 = t >= 0 && (t0 < 0 || t < t0) ? t : t0;
        }
        sbuf_puts(h, "<tr>");
        place(h, z);
        sbuf_puts(h, "<td>");
        for (int64_t a = 0; t0 >= 0 && a <= r->max_actor; a++)
            if (resi_pfirst(r, p, a) == t0 && k++ < 4) {
                const resi_neuron *n = resi_neuron_of(r, a);
                sbuf_puts(h, k > 1 ? ", " : "");
                report_html_escape(h, n ? n->hotkey : "?");
            }
        if (k > 4)
            sbuf_printf(h, " and %d more", k - 4);
        if (t0 < 0) {
            sbuf_puts(h, "<span class=\"muted\">no miner</span></td><td class=\"num\">–</td>");
        } else {
            char t[32];
            report_fmt_duration(t, sizeof t, (double)t0 / 1e6);
            sbuf_printf(h, "</td><td class=\"num\" data-value=\"%lld\">%s</td>", (long long)t0,
                        t);
        }
        resi_td_num(h, resi_zip_holders(r, i), "");
        sbuf_puts(h, "</tr>\n");
    }
    sbuf_puts(h, "</table>\n");
}

static void uncovered_table(resi_run *r)
{
    sbuf rows;
    sbuf_init(&rows);
    int n = 0;
    for (size_t i = 0; i < r->uni.len; i++) {
        const resi_zip *z = &r->uni.v[i];
        if (z->klass > 1 || resi_zip_holders(r, i))
            continue;   /* premium and tier 1 only, held by nobody */
        n++;
        sbuf_puts(&rows, "<tr>");
        place(&rows, z);
        sbuf_printf(&rows, "<td>%s</td>", resi_class[z->klass]);
        resi_td_num(&rows, (double)z->rank, "");
        resi_td_num(&rows, round(z->listings_mean), "");
        sbuf_puts(&rows, "</tr>\n");
    }
    sbuf *h = report_ctx_html(r->c);
    int64_t total = r->class_zips[0] + r->class_zips[1];
    if (n == 0)
        sbuf_printf(h, "<p id=\"resi-uncovered\">Every premium and tier-1 zip (%lld) is held by "
                       "at least one miner at the end.</p>\n",
                    (long long)total);
    else
        sbuf_printf(h, "<details id=\"resi-uncovered\"%s><summary>%d of the %lld premium and "
                       "tier-1 zips are held by no miner at the end</summary>\n<table>\n"
                       "<tr><th>zip</th><th>place</th><th>class</th><th class=\"num\">rank</th>"
                       "<th class=\"num\">listings for sale (mean)</th></tr>\n%s</table>"
                       "</details>\n",
                    n <= 20 ? " open" : "", n, (long long)total, rows.s ? rows.s : "");
    sbuf_free(&rows);
}

int resi_premium_tables(resi_run *r, err *e)
{
    if (!r->cov.t.len) {
        report_note(r->c, "No coverage snapshots were recorded (resi.coverage_every is 0s?).");
        return 0;
    }
    premium_table(r);
    uncovered_table(r);
    return report_ctx_html(r->c)->oom ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

/* ------------------------------------------------------------ duplicates */

enum { D_MADE, D_EVALS, D_FAILED, D_SEEN, D_S3, D_S3DUP, D_N };
typedef struct dup_line {
    double v[D_N];
} dup_line;

/* Sum a (actor, value...) query into lines. */
static int dup_query(const resi_run *r, const char *sql, dup_line *d, int field, err *e)
{
    sqlite3_stmt *st;
    int rc = resi_prepare(r, sql, &st, e);
    if (rc)
        return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int l = resi_line_of(r, &r->miners, sqlite3_column_int64(st, 0));
        if (l < 0)
            continue;
        for (int k = 1; k < sqlite3_column_count(st) && field + k - 1 < D_N; k++)
            d[l].v[field + k - 1] += sqlite3_column_double(st, k);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : report_db_error(r->db, "resi duplicates", e);
}

int resi_duplicates_table(resi_run *r, err *e)
{
    dup_line d[RESI_MAX_LINES] = {0};
    int rc = 0;
    if (report_has_table(r->db, "miner_activity"))
        rc = dup_query(r, "SELECT miner, sum(duplicated) FROM miner_activity WHERE run_id = ?1 "
                          "GROUP BY miner", d, D_MADE, e);
    for (size_t i = 0; i < r->neurons.len; i++) {
        int l = r->miners.of[i];
        const resi_tot *t = &r->tot[r->neurons.v[i].actor];
        if (l < 0)
            continue;
        d[l].v[D_EVALS] += t->m.evals;
        d[l].v[D_FAILED] += t->reason[resi_reason_index("duplicates")];
        d[l].v[D_SEEN] += t->dup_seen;
    }
    if (!rc && report_has_table(r->db, "s3_validation"))
        rc = dup_query(r, "SELECT miner, count(*), sum(duplicates > 0) FROM s3_validation "
                          "WHERE run_id = ?1 GROUP BY miner", d, D_S3, e);
    if (rc)
        return rc;
    sbuf *h = report_ctx_html(r->c);
    sbuf_puts(h, "<table id=\"resi-duplicates\">\n<tr><th>miners</th>"
                 "<th class=\"num\">duplicates stored</th><th class=\"num\">evaluations</th>"
                 "<th class=\"num\">failed for duplicates</th>"
                 "<th class=\"num\">duplicates seen in buckets</th>"
                 "<th class=\"num\">S3 validations</th>"
                 "<th class=\"num\">S3 validations with duplicates</th></tr>\n");
    for (int l = 0; l < r->miners.n; l++) {
        sbuf_puts(h, "<tr><td>");
        report_html_escape(h, r->miners.name[l]);
        sbuf_puts(h, "</td>");
        for (int k = 0; k < D_N; k++)
            resi_td_num(h, d[l].v[k], "");
        sbuf_puts(h, "</tr>\n");
    }
    sbuf_puts(h, "</table>\n<p class=\"muted\">Duplicates caught: a duplicator stores second "
                 "copies of some listings (stored); a validator fails the whole evaluation when "
                 "the bucket it picked holds any (failed, seen), and an S3 validation fails on "
                 "a repeated row in the files it reads.</p>\n");
    return h->oom ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}
