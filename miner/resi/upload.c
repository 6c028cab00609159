/* Uploads to the object store: every upload period, one file per
 * desirability job holding the entities scraped since the job's last
 * successful upload (resi's S3 partitioned uploader: offset-based, one
 * folder per job id). As deployed only the premium zips' jobs match any
 * bucket; as designed the tier jobs take every other zip of their tier. */
#include "miner/resi/resi_internal.h"

#include <string.h>

/* model: an S3 PUT through the presigned-URL service */
#define UPLOAD_TIMEOUT RT_SEC(120)

int rs_upload_init(resi_miner *m)
{
    const uint32_t *prem;
    size_t np = world_premium(m->env.w, &prem);
    m->njobs = (int)np + (m->env.as_designed ? WORLD_TIERS : 0);
    m->jobs = calloc((size_t)m->njobs + 1, sizeof *m->jobs);
    if (!m->jobs)
        return ERR_NOMEM;
    for (int j = 0; j < m->njobs; j++) {
        m->jobs[j].m = m;
        if ((size_t)j < np)
            proto_resi_label(world_zip_at(m->env.w, prem[j])->zip, m->jobs[j].name,
                             sizeof m->jobs[j].name);
        else
            snprintf(m->jobs[j].name, sizeof m->jobs[j].name, "tier:%d", j - (int)np + 1);
    }
    return 0;
}

int rs_job_of(const resi_miner *m, size_t zi)
{
    const world_zip *z = world_zip_at(m->env.w, zi);
    if (z->premium) {
        const uint32_t *prem;
        size_t np = world_premium(m->env.w, &prem);
        for (size_t j = 0; j < np; j++)
            if (prem[j] == zi)
                return (int)j;
        return -1;
    }
    if (!m->env.as_designed)
        return -1;
    const uint32_t *prem;
    return (int)world_premium(m->env.w, &prem) + z->tier - 1;
}

static void on_uploaded(void *arg, int result, int status, const rt_msg *reply)
{
    rs_job *j = arg;
    (void)reply;
    j->in_flight = false;
    if (!result && status == RT_OK) {
        j->done = j->pending;
        rs_count(j->m, ACT_UPLOADS, 1);
    } else {
        rs_count(j->m, ACT_UPLOAD_FAILED, 1);   /* the same rows go with the next file */
    }
}

/* A job's next file. */
typedef struct file_acc {
    uint32_t rows;
    uint64_t bytes;
    proto_resi_entity head[PROTO_RESI_S3_HEAD_ROWS];
} file_acc;

static void collect(resi_miner *m, file_acc *acc, uint32_t upto)
{
    const rs_store *s = &m->st;
    for (size_t k = 0; k < s->order.len; k++) {
        const rs_bucket *b = &s->b.v[s->order.v[k]];
        int j = b->zi == UINT16_MAX ? -1 : rs_job_of(m, b->zi);
        if (j < 0 || m->jobs[j].in_flight)
            continue;
        int64_t bucket_end = ((int64_t)b->id.hour + 1) * 3600 - s->epoch_s;
        if (bucket_end <= (int64_t)m->jobs[j].done)
            continue;
        for (uint32_t i = 0; i < b->n; i++) {
            const rs_entity *e = &b->e[i];
            if (e->t < m->jobs[j].done || e->t >= upto)
                continue;
            file_acc *a = &acc[j];
            if (a->rows < PROTO_RESI_S3_HEAD_ROWS)
                rs_wire(s, e, &a->head[a->rows]);
            a->rows++;
            a->bytes += e->size;
        }
    }
}

static void send_file(resi_miner *m, int j, const file_acc *a, uint32_t upto)
{
    uint32_t nh = a->rows < PROTO_RESI_S3_HEAD_ROWS ? a->rows : PROTO_RESI_S3_HEAD_ROWS;
    proto_resi_s3_upload *u = proto_resi_s3_upload_new(m->jobs[j].name, nh);
    if (!u) {
        rt_fail(m->r, ERR_NOMEM, "%s: out of memory", m->hotkey);
        return;
    }
    u->rows = a->rows;
    u->size_bytes = a->bytes;
    memcpy(u->head, a->head, nh * sizeof *u->head);
    rt_msg msg = {PROTO_RESI_S3_UPLOAD, u, NULL, proto_resi_wire_bytes(PROTO_RESI_S3_UPLOAD, u)};
    rt_call_opts o = {.timeout = UPLOAD_TIMEOUT, .kind = "s3_upload", .attempt = 1};
    m->jobs[j].pending = upto;
    m->jobs[j].in_flight = true;
    if (rt_call(m->r, m->me, m->env.s3, msg, &o, on_uploaded, &m->jobs[j], NULL))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot upload", m->hotkey);
}

static void upload_tick(void *arg)
{
    resi_miner *m = arg;
    m->upload_timer = 0;
    uint32_t upto = (uint32_t)(rt_now(m->r) / 1000000);
    file_acc *acc = calloc((size_t)m->njobs + 1, sizeof *acc);
    if (!acc) {
        rt_fail(m->r, ERR_NOMEM, "%s: out of memory", m->hotkey);
        return;
    }
    collect(m, acc, upto);
    for (int j = 0; j < m->njobs; j++)
        if (acc[j].rows)
            send_file(m, j, &acc[j], upto);
    free(acc);
    rs_upload_schedule(m);
}

void rs_upload_schedule(resi_miner *m)
{
    int64_t every = m->cfg->upload_every_us;
    if (every <= 0 || !m->njobs)
        return;
    rt_time now = rt_now(m->r), next = m->start + every;
    if (now >= next)
        next += ((now - next) / every + 1) * every;
    if (rt_timer_start(m->r, m->me, next - now, upload_tick, m, &m->upload_timer))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule its upload", m->hotkey);
}

void rs_upload_stop(resi_miner *m)
{
    m->upload_timer = 0;
    for (int j = 0; j < m->njobs; j++)
        m->jobs[j].in_flight = false;
}
