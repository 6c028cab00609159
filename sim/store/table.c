/* Record tables in the file: created on first use from their rt_table, new
 * columns added to old files, documented in the registry, filled through one
 * cached INSERT each. */
#include "store/store_internal.h"

#include <string.h>

static bool ident_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64 || !((*s >= 'a' && *s <= 'z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static bool reserved(const char *name)
{
    return !strcmp(name, "run") || !strcmp(name, "run_param") || !strcmp(name, "run_table") ||
           !strncmp(name, "store_", 6) || !strncmp(name, "sqlite_", 7);
}

static int column_of(const rt_table *t, const char *name, size_t n)
{
    for (int i = 0; i < t->ncolumns; i++)
        if (strlen(t->columns[i].name) == n && !strncmp(t->columns[i].name, name, n))
            return i;
    return -1;
}

/* An index is "col, col": names of the table's columns, run_id implied first. */
static int check_index(const rt_table *t, const char *idx, err *e)
{
    const char *p = idx;
    int ncols = 0;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ')
            p++;
        size_t n = (size_t)(p - start);
        if (!(n == 6 && !strncmp(start, "run_id", 6)) && column_of(t, start, n) < 0)
            return err_set(e, ERR_INTERNAL, "record table '%s': index '%s' names no column",
                           t->name, idx);
        ncols++;
        while (*p == ' ')
            p++;
        if (*p == ',')
            p++;
    }
    if (!ncols)
        return err_set(e, ERR_INTERNAL, "record table '%s': empty index", t->name);
    return 0;
}

int store__check_table_def(const rt_table *t, err *e)
{
    if (!t || !ident_ok(t->name) || reserved(t->name))
        return err_set(e, ERR_INTERNAL, "record table name '%s' is not allowed (lower case, "
                                        "digits, _; not run, run_param, run_table, store_*)",
                       t && t->name ? t->name : "(null)");
    if (t->ncolumns < 1 || t->ncolumns > STORE_MAX_COLUMNS || !t->columns)
        return err_set(e, ERR_INTERNAL, "record table '%s': %d columns", t->name, t->ncolumns);
    for (int i = 0; i < t->ncolumns; i++) {
        const char *c = t->columns[i].name;
        if (!ident_ok(c) || !strcmp(c, "run_id") || column_of(t, c, strlen(c)) != i)
            return err_set(e, ERR_INTERNAL, "record table '%s': column name '%s' is not allowed",
                           t->name, c ? c : "(null)");
        if (t->columns[i].type > RT_COL_BLOB)
            return err_set(e, ERR_INTERNAL, "record table '%s': column '%s' has no type", t->name,
                           c);
    }
    for (const char *const *ix = t->indexes; ix && *ix; ix++) {
        int rc = check_index(t, *ix, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------- the file's side */

static int exec_sql(store *s, sbuf *sql, err *e)
{
    if (sql->oom)
        return err_set(e, ERR_NOMEM, "out of memory");
    return store__exec(s, sql->s, e);
}

static int create_table(store *s, const rt_table *t, err *e)
{
    sbuf q;
    sbuf_init(&q);
    sbuf_printf(&q, "CREATE TABLE \"%s\" (run_id INTEGER NOT NULL", t->name);
    for (int i = 0; i < t->ncolumns; i++)
        sbuf_printf(&q, ", \"%s\" %s", t->columns[i].name, store__type_sql(t->columns[i].type));
    if (t->key)
        sbuf_printf(&q, ", PRIMARY KEY (run_id, %s)) WITHOUT ROWID", t->key);
    else
        sbuf_puts(&q, ")");
    int rc = exec_sql(s, &q, e);
    sbuf_free(&q);
    return rc;
}

/* Bring an existing table up to this build's columns: add what is missing,
 * refuse a column whose type changed (old rows would no longer mean the same). */
static int migrate_table(store *s, const rt_table *t, sqlite3_stmt *info, err *e)
{
    bool have[STORE_MAX_COLUMNS] = {0};
    int rc;
    while ((rc = sqlite3_step(info)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(info, 1);
        const char *type = (const char *)sqlite3_column_text(info, 2);
        int i = name ? column_of(t, name, strlen(name)) : -1;
        if (i < 0)
            continue;   /* dropped from the build: old rows keep it, new rows get NULL */
        have[i] = true;
        const char *want = store__type_sql(t->columns[i].type);
        if (!type || sqlite3_stricmp(type, want) != 0)
            return err_set(e, ERR_INPUT, "%s: record table '%s' column '%s' is %s in the file but "
                                         "%s in this build", s->path, t->name, name,
                           type ? type : "untyped", want);
    }
    if (rc != SQLITE_DONE)
        return store__sqlerr(s->db, rc, e, "%s: table '%s'", s->path, t->name);
    for (int i = 0; i < t->ncolumns; i++) {
        if (have[i])
            continue;
        sbuf q;
        sbuf_init(&q);
        sbuf_printf(&q, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", t->name, t->columns[i].name,
                    store__type_sql(t->columns[i].type));
        rc = exec_sql(s, &q, e);
        sbuf_free(&q);
        if (rc)
            return rc;
        log_info("%s: added column %s.%s", s->path, t->name, t->columns[i].name);
    }
    return 0;
}

static int ensure_table(store *s, const rt_table *t, err *e)
{
    sbuf q;
    sbuf_init(&q);
    sbuf_printf(&q, "PRAGMA table_info(\"%s\")", t->name);
    sqlite3_stmt *info;
    int rc = q.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(s->db, q.s, -1, &info, NULL);
    sbuf_free(&q);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: table '%s'", s->path, t->name);
    bool exists = sqlite3_step(info) == SQLITE_ROW;
    sqlite3_reset(info);
    rc = exists ? migrate_table(s, t, info, e) : create_table(s, t, e);
    sqlite3_finalize(info);
    return rc;
}

/* CREATE INDEX "t__a_b" ON "t" (run_id, a, b) for the list "a, b" (n bytes). */
static int create_index(store *s, const char *table, const char *cols, size_t n, err *e)
{
    while (n && *cols == ' ')
        cols++, n--;
    while (n && cols[n - 1] == ' ')
        n--;
    if (!n)
        return 0;
    sbuf q;
    sbuf_init(&q);
    sbuf_printf(&q, "CREATE INDEX IF NOT EXISTS \"%s__", table);
    for (size_t i = 0; i < n; i++)
        if (cols[i] != ' ')
            sbuf_add(&q, cols[i] == ',' ? "_" : cols + i, 1);
    bool leads = n >= 6 && !strncmp(cols, "run_id", 6);
    sbuf_printf(&q, "\" ON \"%s\" (%s%.*s)", table, leads ? "" : "run_id, ", (int)n, cols);
    int rc = exec_sql(s, &q, e);
    sbuf_free(&q);
    return rc;
}

/* Indexes are built after a run's rows are in (at finish, and on opening a
 * file for writing, for a run that was killed): a sorted bulk build, where
 * keeping an index out of write order during the inserts took about four times
 * the CPU (15-17 s against 4.3 s, tests/bench/RESULTS.md). The registry holds
 * each table's index lists. */
int store__create_indexes(store *s, err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(s->db, "SELECT name, indexes FROM store_table"
                                       " WHERE indexes IS NOT NULL ORDER BY name", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: indexes", s->path);
    int res = 0;
    while (!res && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *list = (const char *)sqlite3_column_text(st, 1);
        for (const char *p = list; !res && p && *p;) {
            size_t n = strcspn(p, ";");
            res = create_index(s, name, p, n, e);
            p += n + (p[n] == ';');
        }
    }
    sqlite3_finalize(st);
    if (!res && rc != SQLITE_DONE)
        res = store__sqlerr(s->db, rc, e, "%s: indexes", s->path);
    return res;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v)
{
    return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
}

static int step_done(store *s, sqlite3_stmt *st, err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : store__sqlerr(s->db, rc, e, "%s: table registry", s->path);
}

/* Column docs under `owner` (a record table, or a view made from one). */
int store__register_columns(store *s, const char *owner, const rt_column *cols, int n, err *e)
{
    sqlite3_stmt *col;
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO store_column (table_name, name, type, doc) "
                                "VALUES (?, ?, ?, ?) ON CONFLICT (table_name, name) DO UPDATE "
                                "SET type = excluded.type, doc = excluded.doc", -1, &col, NULL);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: table registry", s->path);
    rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        bind_text(col, 1, owner);
        bind_text(col, 2, cols[i].name);
        bind_text(col, 3, store__type_sql(cols[i].type));
        bind_text(col, 4, cols[i].doc);
        rc = step_done(s, col, e);
    }
    sqlite3_finalize(col);
    return rc;
}

static int register_table(store *s, const rt_table *t, err *e)
{
    sqlite3_stmt *tab;
    sbuf idx;
    sbuf_init(&idx);
    for (const char *const *ix = t->indexes; ix && *ix; ix++)
        sbuf_printf(&idx, "%s%s", idx.len ? "; " : "", *ix);
    int rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO store_table (name, doc, indexes) VALUES (?, ?, ?) "
                                "ON CONFLICT (name) DO UPDATE SET doc = excluded.doc, "
                                "indexes = excluded.indexes", -1, &tab, NULL);
    if (rc != SQLITE_OK) {
        sbuf_free(&idx);
        return store__sqlerr(s->db, rc, e, "%s: table registry", s->path);
    }
    bind_text(tab, 1, t->name);
    bind_text(tab, 2, t->doc);
    bind_text(tab, 3, idx.len ? idx.s : NULL);
    rc = step_done(s, tab, e);
    sqlite3_finalize(tab);
    sbuf_free(&idx);
    return rc ? rc : store__register_columns(s, t->name, t->columns, t->ncolumns, e);
}

/* INSERT INTO t (run_id, cols) VALUES (?1, ?2, ...), (?1, ...), ...: run_id is
 * ?1 in every row, bound once per run. */
static int prepare_insert(store *s, const rt_table *t, int rows, sqlite3_stmt **out, err *e)
{
    sbuf q;
    sbuf_init(&q);
    sbuf_printf(&q, "INSERT INTO \"%s\" (run_id", t->name);
    for (int i = 0; i < t->ncolumns; i++)
        sbuf_printf(&q, ", \"%s\"", t->columns[i].name);
    sbuf_puts(&q, ") VALUES ");
    for (int r = 0, p = 2; r < rows; r++) {
        sbuf_printf(&q, "%s(?1", r ? ", " : "");
        for (int i = 0; i < t->ncolumns; i++)
            sbuf_printf(&q, ", ?%d", p++);
        sbuf_puts(&q, ")");
    }
    int rc = q.oom ? SQLITE_NOMEM
                   : sqlite3_prepare_v3(s->db, q.s, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    sbuf_free(&q);
    if (rc != SQLITE_OK)
        return store__sqlerr(s->db, rc, e, "%s: table '%s'", s->path, t->name);
    return 0;
}

static int prepare_inserts(store *s, store_slot *sl, err *e)
{
    int vars = sqlite3_limit(s->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    int many = (vars - 1) / sl->t->ncolumns;
    sl->many = many < 1 ? 1 : many > STORE_MANY ? STORE_MANY : many;
    sl->nqueued = 0;
    sl->bound_run = 0;
    int rc = prepare_insert(s, sl->t, 1, &sl->insert, e);
    if (!rc && sl->many > 1)
        rc = prepare_insert(s, sl->t, sl->many, &sl->insert_many, e);
    return rc;
}

void store__finalize_slot(store_slot *sl)
{
    sqlite3_finalize(sl->insert);
    sqlite3_finalize(sl->insert_many);
    sl->insert = sl->insert_many = NULL;
    sl->nqueued = 0;
}

int store__ensure_table(store *s, const rt_table *t, err *e)
{
    int rc = ensure_table(s, t, e);
    return rc ? rc : register_table(s, t, e);
}

/* Runs inside the writer's transaction: a table is never half-made. */
int store__prepare_slot(store *s, store_slot *sl, err *e)
{
    int rc = ensure_table(s, sl->t, e);
    if (!rc)
        rc = register_table(s, sl->t, e);
    if (!rc)
        rc = prepare_inserts(s, sl, e);
    if (!rc)
        sl->prepared = true;
    return rc;
}

/* Bind one encoded row to parameters base.. (values point into the batch,
 * which outlives the step). */
static void bind_row(sqlite3_stmt *st, int base, const rt_table *t, const uint8_t *p)
{
    for (int i = 0; i < t->ncolumns; i++) {
        uint8_t tag = *p++;
        uint64_t u = 0;
        int col = base + i;
        if (tag == ENC_INT || tag == ENC_TEXT || tag == ENC_BLOB) {
            const uint8_t *varint_end = p + 10;   /* our own encoding: well formed */
            store__unvarint(&p, varint_end, &u);
        }
        switch (tag) {
        case ENC_NULL: sqlite3_bind_null(st, col); break;
        case ENC_INT: sqlite3_bind_int64(st, col, (int64_t)(u >> 1) ^ -(int64_t)(u & 1)); break;
        case ENC_REAL: {
            uint64_t bits = 0;
            for (int k = 0; k < 8; k++)
                bits |= (uint64_t)p[k] << (8 * k);
            double d;
            memcpy(&d, &bits, 8);
            sqlite3_bind_double(st, col, d);
            p += 8;
            break;
        }
        case ENC_TEXT:
            sqlite3_bind_text(st, col, (const char *)p, (int)u, SQLITE_STATIC);
            p += u;
            break;
        case ENC_BLOB:
            sqlite3_bind_blob(st, col, p, (int)u, SQLITE_STATIC);
            p += u;
            break;
        }
    }
}

static int step(store *s, store_slot *sl, sqlite3_stmt *st, err *e)
{
    if (sl->bound_run != s->run_id) {
        sqlite3_bind_int64(sl->insert, 1, s->run_id);
        if (sl->insert_many)
            sqlite3_bind_int64(sl->insert_many, 1, s->run_id);
        sl->bound_run = s->run_id;
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store__sqlerr(s->db, rc, e, "%s: cannot insert into '%s'", s->path, sl->t->name);
    return 0;
}

int store__queue_row(store *s, store_slot *sl, const uint8_t *row, err *e)
{
    sl->queued[sl->nqueued++] = row;
    if (sl->nqueued < sl->many)
        return 0;
    sqlite3_stmt *st = sl->many > 1 ? sl->insert_many : sl->insert;
    for (int r = 0; r < sl->nqueued; r++)
        bind_row(st, 2 + r * sl->t->ncolumns, sl->t, sl->queued[r]);
    sl->nqueued = 0;
    return step(s, sl, st, e);
}

int store__drain_slot(store *s, store_slot *sl, err *e)
{
    int rc = 0;
    for (int r = 0; r < sl->nqueued && !rc; r++) {
        bind_row(sl->insert, 2, sl->t, sl->queued[r]);
        rc = step(s, sl, sl->insert, e);
    }
    sl->nqueued = 0;
    return rc;
}
