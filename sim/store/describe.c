/* The file's table reference in Markdown (README "Database", `subnetsim
 * tables`), and the views that decode vector columns for SQL users. */
#include "store/store_internal.h"

#include <string.h>

static void cell(sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            sbuf_puts(out, "\\|");
        else if (*s == '\n')
            sbuf_puts(out, " ");
        else
            sbuf_add(out, s, 1);
    }
}

static void row(sbuf *out, const char *name, const char *type, const char *doc)
{
    sbuf_puts(out, "| `");
    cell(out, name);
    sbuf_puts(out, "` | ");
    cell(out, type);
    sbuf_puts(out, " | ");
    cell(out, doc);
    sbuf_puts(out, " |\n");
}

static const char table_head[] = "| column | type | meaning |\n|---|---|---|\n";

static void own_tables(sbuf *out)
{
    const rt_table *const *tabs;
    int n = store__own_tables(&tabs);
    sbuf_puts(out, "### The store's tables\n\n");
    for (int i = 0; i < n; i++) {
        sbuf_printf(out, "#### `%s`\n\n%s.\n\n%s", tabs[i]->name, tabs[i]->doc, table_head);
        for (int c = 0; c < tabs[i]->ncolumns; c++)
            row(out, tabs[i]->columns[c].name, store__type_sql(tabs[i]->columns[c].type),
                tabs[i]->columns[c].doc);
        sbuf_puts(out, "\n");
    }
}

static int columns_of(store *s, const char *name, sbuf *out, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT p.name, coalesce(nullif(p.type, ''), c.type, ''), c.doc"
                                " FROM pragma_table_info(?1) p"
                                " LEFT JOIN store_column c ON c.table_name = ?1 AND c.name = p.name"
                                " ORDER BY p.cid", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: describe", s->path);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sbuf_puts(out, table_head);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *col = (const char *)sqlite3_column_text(st, 0);
        const char *doc = (const char *)sqlite3_column_text(st, 2);
        if (col && !doc && !strcmp(col, "run_id"))
            doc = "the run (`run.run_id`)";
        row(out, col, (const char *)sqlite3_column_text(st, 1), doc);
    }
    sqlite3_finalize(st);
    sbuf_puts(out, "\n");
    return rc == SQLITE_DONE ? 0 : store__sqlerr(s->db, rc, e, "%s: describe", s->path);
}

static int record_tables(store *s, sbuf *out, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT name, doc, indexes FROM store_table ORDER BY name",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: describe", s->path);
    sbuf_puts(out, "### Record tables\n\n");
    int res = 0;
    while (!res && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *doc = (const char *)sqlite3_column_text(st, 1);
        const char *idx = (const char *)sqlite3_column_text(st, 2);
        sbuf_printf(out, "#### `%s`\n\n", name ? name : "?");
        if (doc) {
            cell(out, doc);
            sbuf_puts(out, ".\n\n");
        }
        if (idx)
            sbuf_printf(out, "Indexed by run_id then: %s.\n\n", idx);
        res = columns_of(s, name ? name : "", out, e);
    }
    sqlite3_finalize(st);
    if (!res && rc != SQLITE_DONE)
        res = store__sqlerr(s->db, rc, e, "%s: describe", s->path);
    return res;
}

/* A view's doc is the comment its SQL opens with. */
static void view_doc(sbuf *out, const char *sql)
{
    const char *a = sql ? strstr(sql, "/*") : NULL;
    const char *b = a ? strstr(a, "*/") : NULL;
    if (!b)
        return;
    for (a += 2; a < b && *a == ' '; a++)
        ;
    while (b > a && b[-1] == ' ')
        b--;
    sbuf_add(out, a, (size_t)(b - a));
    sbuf_puts(out, ".\n\n");
}

static int views(store *s, sbuf *out, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT name, sql FROM sqlite_schema WHERE type = 'view'"
                                       " ORDER BY name", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: describe", s->path);
    int res = 0, n = 0;
    while (!res && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        if (!n++)
            sbuf_puts(out, "### Views\n\n");
        sbuf_printf(out, "#### `%s`\n\n", name ? name : "?");
        view_doc(out, (const char *)sqlite3_column_text(st, 1));
        res = columns_of(s, name ? name : "", out, e);
    }
    sqlite3_finalize(st);
    if (!res && rc != SQLITE_DONE)
        res = store__sqlerr(s->db, rc, e, "%s: describe", s->path);
    return res;
}

int store_describe_markdown(store *s, sbuf *out, err *e)
{
    int rc = store__idle(s, e);
    if (rc)
        return rc;
    own_tables(out);
    rc = record_tables(s, out, e);
    if (!rc)
        rc = views(s, out, e);
    if (!rc && out->oom)
        rc = err_set(e, ERR_NOMEM, "out of memory");
    return rc;
}

/* ------------------------------------------------------------ vector views */

/* The view joins each vector row to the integers below its length. CROSS JOIN
 * keeps the vector table as the outer loop (SQLite never reorders it): left to
 * itself the planner scanned the vector table once per integer, 20 us an entry.
 * A byte becomes its value in plain SQL (no extension, so the sqlite3 shell
 * reads it) as its position in a blob of all 256 bytes, less one: instr()
 * compares blobs bytewise: 1.3 us an entry (tests/bench/RESULTS.md). */
#define SEQ "__store_i"   /* the entry's index inside the view's subquery */

static void byte_sql(sbuf *q, const char *col, int k)
{
    sbuf_puts(q, "(instr(X'");
    for (int b = 0; b < 256; b++)
        sbuf_printf(q, "%02X", b);
    sbuf_printf(q, "', substr(\"%s\", 2 * " SEQ " + %d, 1)) - 1)", col, k);
}

static int vector_sql(const rt_table *t, int vec, const char *view, const char *index_name,
                      sbuf *q)
{
    const char *col = t->columns[vec].name;
    sbuf_printf(q, "CREATE VIEW \"%s\" AS /* every non-zero entry of %s.%s, one row each */"
                   " SELECT run_id", view, t->name, col);
    for (int i = 0; i < t->ncolumns; i++)
        if (i != vec)
            sbuf_printf(q, ", \"%s\"", t->columns[i].name);
    sbuf_printf(q, ", " SEQ " AS \"%s\", ", index_name);
    byte_sql(q, col, 1);
    sbuf_puts(q, " * 256 + ");
    byte_sql(q, col, 2);
    sbuf_puts(q, " AS value FROM (SELECT t.*, s.i AS " SEQ);
    sbuf_printf(q, " FROM \"%s\" t CROSS JOIN store_seq s ON s.i < length(t.\"%s\") / 2)"
                   " WHERE substr(\"%s\", 2 * " SEQ " + 1, 2) <> X'0000'", t->name, col, col);
    return q->oom ? ERR_NOMEM : 0;
}

int store_create_tables(store *s, const rt_table *const *tables, err *e)
{
    if (s->mode != STORE_WRITE || s->in_run)
        return err_set(e, ERR_INTERNAL, "%s: tables are made outside a run, in write mode",
                       s->path);
    int rc = store__exec(s, "BEGIN IMMEDIATE", e);
    for (const rt_table *const *t = tables; !rc && t && *t; t++)
        if (!(rc = store__check_table_def(*t, e)))
            rc = store__ensure_table(s, *t, e);
    if (!rc)
        rc = store__exec(s, "COMMIT", e);
    else
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* The view's columns say what they are: t's own docs, then the entry's. */
static int view_docs(store *s, const rt_table *t, int vec, const char *view,
                     const char *index_name, err *e)
{
    rt_column cols[STORE_MAX_COLUMNS + 1];
    int n = 0;
    for (int i = 0; i < t->ncolumns; i++)
        if (i != vec)
            cols[n++] = t->columns[i];
    char idx_doc[200], value_doc[200];
    snprintf(idx_doc, sizeof idx_doc, "index of the entry in %s (a uid)", t->columns[vec].name);
    snprintf(value_doc, sizeof value_doc, "the entry, u16 (> 0): %s", t->columns[vec].doc
             ? t->columns[vec].doc : "");
    cols[n++] = (rt_column){index_name, RT_COL_INT, idx_doc};
    cols[n++] = (rt_column){"value", RT_COL_INT, value_doc};
    return store__register_columns(s, view, cols, n, e);
}

int store_vector_view(store *s, const rt_table *t, const char *column, const char *view,
                      const char *index_name, err *e)
{
    if (s->mode != STORE_WRITE || s->in_run)
        return err_set(e, ERR_INTERNAL, "%s: views are made outside a run, in write mode",
                       s->path);
    int rc = store__check_table_def(t, e);
    if (rc)
        return rc;
    int vec = -1;
    for (int i = 0; i < t->ncolumns; i++)
        if (!strcmp(t->columns[i].name, column) && t->columns[i].type == RT_COL_BLOB)
            vec = i;
    rt_column probe[] = {{view, RT_COL_INT, NULL}, {index_name, RT_COL_INT, NULL}};
    rt_table names = {"v", NULL, probe, 2, NULL, NULL};
    bool clash = !strcmp(view, t->name) || !strcmp(index_name, "value");
    for (int i = 0; i < t->ncolumns; i++)
        clash = clash || !strcmp(t->columns[i].name, index_name) ||
                !strcmp(t->columns[i].name, SEQ) || !strcmp(t->columns[i].name, "value");
    if (vec < 0 || clash || store__check_table_def(&names, NULL))
        return err_set(e, ERR_INTERNAL, "vector view '%s' of %s.%s: bad names", view, t->name,
                       column);
    /* The table is made now, so that the view works (and `subnetsim tables`
     * describes it) even when a run records no row in it. */
    if ((rc = store__exec(s, "BEGIN IMMEDIATE", e)))
        return rc;
    sbuf q;
    sbuf_init(&q);
    sbuf_printf(&q, "DROP VIEW IF EXISTS \"%s\"; ", view);
    rc = store__ensure_table(s, t, e);
    if (!rc && !(rc = vector_sql(t, vec, view, index_name, &q)))
        rc = q.oom ? err_set(e, ERR_NOMEM, "out of memory") : store__exec(s, q.s, e);
    if (!rc)
        rc = view_docs(s, t, vec, view, index_name, e);
    if (!rc)
        rc = store__exec(s, "COMMIT", e);
    if (rc)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sbuf_free(&q);
    return rc;
}
