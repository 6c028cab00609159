/* The object store (S3) as an rt actor: per-hotkey partitions of uploaded
 * files, listed and read by validators. */
#include "world/world_internal.h"

#include <math.h>
#include <string.h>

typedef struct partition {
    bool ready;
    rng r;                          /* this caller's service times */
    VEC(world_s3_file) files;       /* upload order; file_id = index + 1 */
    uint64_t bytes;
} partition;

/* An answer waiting out its service time (doubly linked so stopping the
 * actor can free them). */
typedef struct s3_pending {
    struct s3_pending *prev, *next;
    world_s3 *s;
    rt_request *req;
    int status;
    rt_msg msg;
} s3_pending;

struct world_s3 {
    rt *r;
    const world *w;
    world_s3_params p;
    char *name;
    rt_actor me;
    VEC(partition) parts;           /* by actor id: callers and uploaders */
    s3_pending *live;
};

int world_s3_params_check(const world_s3_params *p, err *e)
{
    if (!p->name || !*p->name)
        return err_set(e, ERR_INPUT, "s3.name must not be empty");
    if (p->latency_us < 0 || !(p->latency_sigma >= 0 && p->latency_sigma <= 3))
        return err_set(e, ERR_INPUT, "s3.latency must not be negative, latency_sigma 0..3");
    return 0;
}

static partition *part_get(world_s3 *s, rt_actor a)
{
    if (a == RT_NO_ACTOR)
        return NULL;
    if (a >= s->parts.len) {
        size_t old = s->parts.len;
        if (VEC_RESERVE(&s->parts, (size_t)a + 1))
            return NULL;
        memset(s->parts.v + old, 0, ((size_t)a + 1 - old) * sizeof *s->parts.v);
        s->parts.len = (size_t)a + 1;
    }
    partition *pt = &s->parts.v[a];
    if (!pt->ready) {
        pt->ready = true;
        rt_rng(s->r, rt_actor_name(s->r, a), s->name, &pt->r);
    }
    return pt;
}

/* The partition of a hotkey named in a request, or NULL when it has none. */
static const partition *part_named(const world_s3 *s, const char *hotkey)
{
    char hk[PROTO_KEY_MAX];
    memcpy(hk, hotkey, sizeof hk);
    hk[sizeof hk - 1] = 0;
    rt_actor a = rt_actor_find(s->r, hk);
    if (a == RT_NO_ACTOR || a >= s->parts.len || !s->parts.v[a].ready)
        return NULL;
    return &s->parts.v[a];
}

/* --------------------------------------------------------------- answers */

static void answer_now(void *arg)
{
    s3_pending *pd = arg;
    DLIST_UNLINK(&pd->s->live, pd);
    rt_reply(pd->s->r, pd->req, pd->status, pd->msg);
    free(pd);
}

static void answer(world_s3 *s, rt_request *req, int status, rt_msg msg, rt_time delay)
{
    s3_pending *pd = malloc(sizeof *pd);
    if (!pd) {
        free(msg.body);
        rt_fail(s->r, ERR_NOMEM, "s3: out of memory");
        return;
    }
    *pd = (s3_pending){.s = s, .req = req, .status = status, .msg = msg};
    DLIST_PUSH(&s->live, pd);
    if (delay <= 0 || rt_timer_start(s->r, s->me, delay, answer_now, pd, NULL))
        answer_now(pd);
}

static void drop_pending(world_s3 *s)
{
    while (s->live) {
        s3_pending *pd = s->live;
        s->live = pd->next;
        free(pd->msg.body);
        free(pd);
    }
}

/* -------------------------------------------------------------- requests */

static int upload(world_s3 *s, partition *pt, const proto_resi_s3_upload *u)
{
    world_s3_file f = {0};
    memcpy(f.info.job, u->job, sizeof f.info.job);
    f.info.job[sizeof f.info.job - 1] = 0;
    f.info.file_id = (uint32_t)pt->files.len + 1;
    f.info.uploaded_ms = world_unix_ms(s->w, rt_now(s->r));
    f.info.rows = u->rows;
    f.info.size_bytes = u->size_bytes;
    f.nhead = u->nhead < PROTO_RESI_S3_HEAD_ROWS ? u->nhead : PROTO_RESI_S3_HEAD_ROWS;
    if (f.nhead > u->rows)
        f.nhead = u->rows;
    memcpy(f.head, u->head, f.nhead * sizeof f.head[0]);
    if (VEC_PUSH(&pt->files, f))
        return ERR_NOMEM;
    pt->bytes += u->size_bytes;
    return 0;
}

/* Jobs in name order, newest first within a job. */
static int info_cmp(const void *a, const void *b)
{
    const proto_resi_s3_file_info *x = a, *y = b;
    int c = strcmp(x->job, y->job);
    if (c)
        return c;
    if (x->uploaded_ms != y->uploaded_ms)
        return x->uploaded_ms > y->uploaded_ms ? -1 : 1;
    return x->file_id > y->file_id ? -1 : x->file_id < y->file_id;
}

static proto_resi_s3_list_reply *list(const world_s3 *s, const proto_resi_s3_list_req *q)
{
    const partition *pt = part_named(s, q->hotkey);
    size_t n = 0, total = pt ? pt->files.len : 0;
    for (size_t i = 0; i < total; i++)
        n += pt->files.v[i].info.uploaded_ms >= q->newer_than_ms;
    proto_resi_s3_list_reply *l = calloc(1, sizeof *l + n * sizeof l->f[0]);
    if (!l)
        return NULL;
    l->total_files = (uint32_t)total;
    l->total_bytes = pt ? pt->bytes : 0;
    for (size_t i = 0; i < total; i++)
        if (pt->files.v[i].info.uploaded_ms >= q->newer_than_ms)
            l->f[l->n++] = pt->files.v[i].info;
    qsort(l->f, l->n, sizeof l->f[0], info_cmp);
    return l;
}

static int read_file(const world_s3 *s, const proto_resi_s3_read_req *q, proto_resi_s3_file **out)
{
    *out = NULL;
    const partition *pt = part_named(s, q->hotkey);
    if (!pt || q->file_id < 1 || q->file_id > pt->files.len)
        return ERR_NOTFOUND;
    const world_s3_file *f = &pt->files.v[q->file_id - 1];
    proto_resi_s3_file *r = calloc(1, sizeof *r + f->nhead * sizeof r->rows[0]);
    if (!r)
        return ERR_NOMEM;
    r->info = f->info;
    r->n = f->nhead;
    memcpy(r->rows, f->head, f->nhead * sizeof r->rows[0]);
    *out = r;
    return 0;
}

/* Serve one request: the status and reply body (NULL: a bare status). */
static int serve(world_s3 *s, rt_actor from, const rt_msg *m, int *status, rt_msg *out)
{
    *out = (rt_msg){0};
    *status = RT_BAD_REQUEST;
    if (!m->body)
        return 0;
    if (m->type == PROTO_RESI_S3_UPLOAD) {
        if (upload(s, part_get(s, from), m->body))
            return ERR_NOMEM;
        *status = RT_OK;
    } else if (m->type == PROTO_RESI_S3_LIST) {
        proto_resi_s3_list_reply *l = list(s, m->body);
        if (!l)
            return ERR_NOMEM;
        *out = (rt_msg){PROTO_RESI_S3_LIST_REPLY, l, NULL,
                        proto_resi_wire_bytes(PROTO_RESI_S3_LIST_REPLY, l)};
        *status = RT_OK;
    } else if (m->type == PROTO_RESI_S3_READ) {
        proto_resi_s3_file *f;
        int rc = read_file(s, m->body, &f);
        if (rc == ERR_NOMEM)
            return rc;
        *status = rc ? RT_NOT_FOUND : RT_OK;
        if (f)
            *out = (rt_msg){PROTO_RESI_S3_READ_REPLY, f, NULL,
                            proto_resi_wire_bytes(PROTO_RESI_S3_READ_REPLY, f)};
    }
    return 0;
}

static void on_request(void *self, rt_request *req, const rt_msg *msg)
{
    world_s3 *s = self;
    rt_actor from = rt_request_from(req);
    partition *pt = part_get(s, from);
    if (!pt) {
        rt_fail(s->r, ERR_NOMEM, "s3: out of memory");
        return;
    }
    rt_time delay = (rt_time)llround(rng_lognormal(&pt->r, (double)s->p.latency_us,
                                                   s->p.latency_sigma));
    int status;
    rt_msg out;
    if (serve(s, from, msg, &status, &out)) {
        rt_fail(s->r, ERR_NOMEM, "s3: out of memory");
        return;
    }
    answer(s, req, status, out, delay);
}

static void on_stop(void *self) { drop_pending(self); }

static const rt_actor_def s3_def = {"s3", on_request, on_stop, NULL};

/* ------------------------------------------------------------- interface */

int world_s3_new(rt *r, const world *w, const world_s3_params *p, world_s3 **out, err *e)
{
    *out = NULL;
    int rc = world_s3_params_check(p, e);
    if (rc)
        return rc;
    world_s3 *s = calloc(1, sizeof *s);
    if (!s || !(s->name = strdup(p->name))) {
        free(s);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    s->r = r;
    s->w = w;
    s->p = *p;
    s->p.name = s->name;
    if ((rc = rt_actor_add(r, s->name, &s3_def, s, &s->me))) {
        world_s3_free(s);
        return err_set(e, rc, "cannot add the object store actor '%s'%s", p->name,
                       rc == ERR_INPUT ? ": the name is taken" : "");
    }
    *out = s;
    return 0;
}

void world_s3_free(world_s3 *s)
{
    if (!s)
        return;
    drop_pending(s);
    for (size_t i = 0; i < s->parts.len; i++)
        VEC_FREE(&s->parts.v[i].files);
    VEC_FREE(&s->parts);
    free(s->name);
    free(s);
}

rt_actor world_s3_actor(const world_s3 *s) { return s->me; }

size_t world_s3_files(const world_s3 *s, const char *hotkey, const world_s3_file **out)
{
    *out = NULL;
    if (!hotkey)
        return 0;
    rt_actor a = rt_actor_find(s->r, hotkey);
    if (a == RT_NO_ACTOR || a >= s->parts.len || !s->parts.v[a].ready)
        return 0;
    *out = s->parts.v[a].files.v;
    return s->parts.v[a].files.len;
}
