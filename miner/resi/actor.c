/* The miner actor: construction, its loops' start and restart, flaky
 * restarts, and the activity and coverage records. */
#include "miner/resi/resi_internal.h"

#include <math.h>
#include <string.h>

/* ---------------------------------------------------------------- records */

static const rt_column activity_cols[] = {
    {"time_us", RT_COL_INT, "start of the hour the row counts"},
    {"miner", RT_COL_INT, "the miner (actor.actor)"},
    {"calls", RT_COL_INT, "listings API calls answered or failed in the hour"},
    {"ok", RT_COL_INT, "answered 200"},
    {"http_429", RT_COL_INT, "refused 429: quota spent, rate limit or injected"},
    {"http_404", RT_COL_INT, "answered 404"},
    {"http_5xx", RT_COL_INT, "answered 5xx"},
    {"timeout", RT_COL_INT, "no answer within 30 s"},
    {"other", RT_COL_INT, "any other failure"},
    {"listings", RT_COL_INT, "listings received"},
    {"stored", RT_COL_INT, "listings stored that it did not hold"},
    {"refreshed", RT_COL_INT, "listings stored that replaced an older copy"},
    {"altered", RT_COL_INT, "fabricator: listings stored with altered fields"},
    {"invented", RT_COL_INT, "fabricator: made-up listings stored"},
    {"duplicated", RT_COL_INT, "duplicator: second copies stored"},
    {"copied", RT_COL_INT, "copier: entities taken from its target"},
    {"index_served", RT_COL_INT, "index requests answered"},
    {"buckets_served", RT_COL_INT, "bucket requests answered"},
    {"dropped", RT_COL_INT, "flaky: requests ignored (the caller times out)"},
    {"uploads", RT_COL_INT, "files uploaded to the object store"},
    {"upload_failed", RT_COL_INT, "uploads that failed (retried with the next file)"},
    {"restarts", RT_COL_INT, "flaky: restarts"},
    {"entities", RT_COL_INT, "entities held when the row was written"},
    {"buckets", RT_COL_INT, "buckets held when the row was written"},
    {"bytes", RT_COL_INT, "claimed bytes held when the row was written"},
};
static const char *const activity_idx[] = {"miner, time_us", NULL};
const rt_table resi_activity_table = {"miner_activity",
                                      "resi miners: API calls, storage and serving per hour",
                                      activity_cols, 25, activity_idx, NULL};

static const rt_column coverage_cols[] = {
    {"time_us", RT_COL_INT, "when the snapshot was taken (every coverage period)"},
    {"miner", RT_COL_INT, "the miner (actor.actor)"},
    {"zip", RT_COL_TEXT, "a zipcode the miner holds listings of"},
    {"listings", RT_COL_INT, "entities it holds for the zip"},
    {"fresh", RT_COL_INT, "of those, scraped (or copied) within the last period"},
    {"bytes", RT_COL_INT, "claimed bytes it holds for the zip"},
};
static const char *const coverage_idx[] = {"miner, time_us", "zip", NULL};
const rt_table resi_coverage_table = {"coverage", "resi miners: listings held per zip over time",
                                      coverage_cols, 6, coverage_idx, NULL};

void rs_activity_flush(resi_miner *m)
{
    bool any = false;
    for (int k = 0; k < ACT_COUNT; k++)
        any |= m->act[k] != 0;
    if (!any)
        return;
    rt_val v[25] = {RT_I(m->act_hour), RT_I(m->me)};
    for (int k = 0; k < ACT_COUNT; k++)
        v[2 + k] = RT_I(m->act[k]);
    v[22] = RT_I(m->st.entities);
    v[23] = RT_I(m->st.order.len);
    v[24] = RT_I(m->st.bytes);
    rt_record(m->r, &resi_activity_table, v);
    memset(m->act, 0, sizeof m->act);
}

/* Once an hour: the row of the hour that ended, and buckets past retention. */
static void hour_roll(resi_miner *m, int64_t hour)
{
    rs_activity_flush(m);
    m->act_hour = hour;
    if (m->cfg->retention_us > 0) {
        rt_time cut = rt_now(m->r) - m->cfg->retention_us;
        if (cut > 0)
            rs_store_expire(&m->st, rs_hour(&m->st, (uint32_t)(cut / 1000000)));
    }
}

void rs_count(resi_miner *m, int what, int64_t n)
{
    rt_time now = rt_now(m->r);
    int64_t hour = now - now % RT_HOUR(1);
    if (hour != m->act_hour)
        hour_roll(m, hour);
    m->act[what] += n;
    m->total[what] += n;
}

/* Rows per zip held: buckets are in (zip, hour) order, so a zip's are adjacent. */
static void coverage_rows(resi_miner *m, uint32_t fresh_from)
{
    const rs_store *s = &m->st;
    rt_time now = rt_now(m->r);
    for (size_t k = 0; k < s->order.len;) {
        const rs_bucket *first = &s->b.v[s->order.v[k]];
        int64_t listings = 0, fresh = 0, bytes = 0;
        for (; k < s->order.len; k++) {
            const rs_bucket *b = &s->b.v[s->order.v[k]];
            if (memcmp(b->id.zip, first->id.zip, 5))
                break;
            listings += b->n;
            bytes += b->bytes;
            for (uint32_t i = 0; i < b->n; i++)
                fresh += b->e[i].t >= fresh_from;
        }
        rt_val v[] = {RT_I(now), RT_I(m->me), RT_S(first->id.zip), RT_I(listings), RT_I(fresh),
                      RT_I(bytes)};
        rt_record(m->r, &resi_coverage_table, v);
    }
}

void rs_coverage_tick(void *arg)
{
    resi_miner *m = arg;
    m->coverage_timer = 0;
    int64_t every = m->env.coverage_every_us;
    rt_time from = rt_now(m->r) - every;
    coverage_rows(m, from > 0 ? (uint32_t)(from / 1000000) : 0);
    rs_coverage_schedule(m);
}

/* At every multiple of the period, so restarts do not shift the rows. */
void rs_coverage_schedule(resi_miner *m)
{
    int64_t every = m->env.coverage_every_us;
    if (every <= 0)
        return;
    rt_time now = rt_now(m->r), next = (now / every + 1) * every;
    if (rt_timer_start(m->r, m->me, next - now, rs_coverage_tick, m, &m->coverage_timer))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule its coverage rows", m->hotkey);
}

/* ------------------------------------------------------------ life cycle */

static void begin(resi_miner *m)
{
    rs_scrape_schedule(m);
    rs_upload_schedule(m);
    rs_learn_schedule(m, m->env.block_time);   /* the baseline read */
    rs_copy_schedule(m, m->phase - m->start);
    rs_coverage_schedule(m);
}

static void on_start_timer(void *arg) { begin(arg); }

static void schedule_restart(resi_miner *m);

static void come_back(void *arg)
{
    resi_miner *m = arg;
    rt_actor_start(m->r, m->me);   /* on_start resumes the loops */
    schedule_restart(m);
}

static void go_down(void *arg)
{
    resi_miner *m = arg;
    m->restart_timer = 0;
    rs_count(m, ACT_RESTARTS, 1);
    rt_actor_stop(m->r, m->me);
    if (rt_timer_start(m->r, m->env.supervisor, m->cfg->downtime_us, come_back, m, NULL))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule its restart", m->hotkey);
}

/* Restarts come from the supervisor's timers: a stopped actor has none. */
static void schedule_restart(resi_miner *m)
{
    if (m->kind != RESI_STRATEGY_FLAKY || m->cfg->restart_every_us <= 0 ||
        m->env.supervisor == RT_NO_ACTOR)
        return;
    rt_time d = (rt_time)llround(rng_exponential(&m->r_flaky, (double)m->cfg->restart_every_us));
    if (rt_timer_start(m->r, m->env.supervisor, d, go_down, m, &m->restart_timer))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule a restart", m->hotkey);
}

static void on_stop(void *self)
{
    resi_miner *m = self;
    rs_scrape_stop(m);
    rs_upload_stop(m);
    rs_copy_stop(m);
    m->learn.timer = 0;
    m->coverage_timer = 0;
    rs_ignored_free(m);
    if (m->kind == RESI_STRATEGY_FLAKY && m->cfg->lose_state) {
        rs_store_clear(&m->st);
        for (int j = 0; j < m->njobs; j++)
            m->jobs[j].done = 0;
    }
}

static void on_start(void *self)
{
    resi_miner *m = self;
    begin(m);
}

static const rt_actor_def miner_def = {"miner", rs_on_request, on_stop, on_start};

/* ----------------------------------------------------------- construction */

static int select_of(const resi_miner *m)
{
    switch (m->kind) {
    case RESI_STRATEGY_PREMIUM_FOCUS: return RESI_SELECT_PREMIUM;
    case RESI_STRATEGY_REGIONAL: return RESI_SELECT_REGIONAL;
    case RESI_STRATEGY_BROAD: return RESI_SELECT_BROAD;
    case RESI_STRATEGY_TIER_WEIGHTED: return RESI_SELECT_TIER_WEIGHTED;
    case RESI_STRATEGY_ORGANIC: return -1;
    default: return m->cfg->select;
    }
}

static int schedule_of(resi_miner *m, err *e)
{
    const resi_miner_cfg *c = m->cfg;
    if (c->plan < 0 || c->plan >= WORLD_PLAN_COUNT)
        return err_set(e, ERR_INPUT, "%s: unknown plan %d", m->hotkey, c->plan);
    const resi_plan_schedule *p = &m->env.plans[c->plan];
    m->scrape_every = c->scrape_every_us > 0 ? c->scrape_every_us : p->scrape_every_us;
    int64_t entities = c->entities > 0 ? c->entities : p->entities;
    int ps = m->env.page_size > 0 ? m->env.page_size : 41;
    if (m->scrape_every <= 0 || entities <= 0)
        return err_set(e, ERR_INPUT, "%s: the plan's scrape period and entities must be > 0",
                       m->hotkey);
    m->calls_per_scrape = (int)((entities + ps - 1) / ps);
    size_t bad;
    int bits = resi_alter_bits(&c->alter, &bad);
    if (bits < 0)
        return err_set(e, ERR_INPUT, "%s: unknown alteration '%s'", m->hotkey, c->alter.v[bad]);
    m->alter_bits = (uint16_t)bits;
    return 0;
}

static int build(resi_miner *m, rt *r, const resi_miner_env *env, const char *hotkey,
                 const scenario_variant *strategy, err *e)
{
    m->r = r;
    m->env = *env;
    m->cfg = strategy->cfg;
    m->kind = strategy->kind->id;
    m->cur_zi = -1;
    m->target = RT_NO_ACTOR;
    if (m->kind < RESI_STRATEGY_PREMIUM_FOCUS || m->kind > RESI_STRATEGY_FLAKY)
        return err_set(e, ERR_INPUT, "%s: '%s' is not a resi miner strategy", hotkey,
                       strategy->kind->name);
    if (!proto_key_set(m->hotkey, hotkey))
        return err_set(e, ERR_INPUT, "hotkey '%s' is too long", hotkey);
    int rc = schedule_of(m, e);
    if (rc)
        return rc;
    rs_store_init(&m->st, world_get_params(env->w)->epoch_unix_s);
    rng rs;
    rt_rng(r, hotkey, "select", &rs);
    int arms = m->kind == RESI_STRATEGY_ORGANIC ? m->cfg->arms : -1;
    if ((rc = rs_select_init(&m->sel, env->w, m->cfg, select_of(m), arms, &rs, e)))
        return err_prefix(e, "%s", hotkey);
    rt_rng(r, hotkey, "cheat", &m->r_cheat);
    rt_rng(r, hotkey, "serve", &m->r_serve);
    rt_rng(r, hotkey, "flaky", &m->r_flaky);
    if (rs_upload_init(m) || rs_learn_init(m))
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((rc = rt_actor_add(r, m->hotkey, &miner_def, m, &m->me)))
        return err_set(e, rc, "cannot add the miner actor '%s'", hotkey);
    if (world_api_set_caller(env->api, m->me, (world_plan)m->cfg->plan, 0))
        return err_set(e, ERR_INTERNAL, "%s: the listings api refused its plan", hotkey);
    return 0;
}

int resi_miner_new(rt *r, const resi_miner_env *env, const char *hotkey,
                   const scenario_variant *strategy, rt_time start, resi_miner **out, err *e)
{
    *out = NULL;
    resi_miner *m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = build(m, r, env, hotkey, strategy, e);
    if (rc) {
        resi_miner_free(m);
        return rc;
    }
    /* identical miners must not move in lockstep: a random first scrape */
    rng rs;
    rt_rng(r, hotkey, "start", &rs);
    m->start = start;
    m->phase = start + (rt_time)rng_below(&rs, (uint64_t)m->scrape_every);
    if (m->kind == RESI_STRATEGY_COPIER)
        m->target = rt_actor_find(r, m->cfg->target);
    if (rt_timer_start(r, m->me, start > rt_now(r) ? start - rt_now(r) : 0, on_start_timer, m,
                       NULL)) {
        resi_miner_free(m);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    schedule_restart(m);
    *out = m;
    return 0;
}

void resi_miner_free(resi_miner *m)
{
    if (!m)
        return;
    rs_ignored_free(m);
    rs_store_clear(&m->st);
    rs_select_free(&m->sel);
    rs_learn_free(&m->learn);
    free(m->jobs);
    proto_resi_index_release(m->copy_prev);
    VEC_FREE(&m->copy_queue);
    free(m);
}

rt_actor resi_miner_actor(const resi_miner *m) { return m->me; }

void resi_miner_flush(resi_miner *m) { rs_activity_flush(m); }

void resi_miner_stats_get(const resi_miner *m, resi_miner_stats *o)
{
    const int64_t *t = m->total;
    size_t zips = 0;
    for (size_t k = 0; k < m->st.order.len; k++)
        zips += !k || memcmp(m->st.b.v[m->st.order.v[k]].id.zip,
                             m->st.b.v[m->st.order.v[k - 1]].id.zip, 5);
    *o = (resi_miner_stats){
        .entities = m->st.entities, .buckets = m->st.order.len, .zips = zips,
        .bytes = m->st.bytes, .calls = t[ACT_CALLS],
        .calls_ok = t[ACT_OK], .stored = t[ACT_STORED], .refreshed = t[ACT_REFRESHED],
        .altered = t[ACT_ALTERED], .invented = t[ACT_INVENTED], .duplicated = t[ACT_DUPLICATED],
        .copied = t[ACT_COPIED], .index_served = t[ACT_INDEX], .buckets_served = t[ACT_BUCKET],
        .dropped = t[ACT_DROPPED], .restarts = t[ACT_RESTARTS], .uploads = t[ACT_UPLOADS],
        .uploads_failed = t[ACT_UPLOAD_FAILED], .memory = rs_store_memory(&m->st)};
    o->calls_failed = o->calls - o->calls_ok;
}

proto_resi_index *resi_miner_index(resi_miner *m) { return rs_store_index(&m->st); }

size_t resi_miner_arms(const resi_miner *m, const double **values, size_t *current)
{
    *values = m->learn.on ? m->learn.value : NULL;
    *current = m->learn.arm;
    return m->learn.on ? m->learn.narms : 0;
}
