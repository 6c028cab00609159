/* The scrape loop: on every tick of the plan's period, a scrape of
 * calls_per_scrape search calls (one page each), one at a time and at most two
 * a second (resi's scraper: MAX_REQUESTS_PER_SECOND = 2). A zip's pages are
 * read in order (up to pages_per_zip) before the strategy picks the next zip.
 * Each listing is stored as the strategy stores it (rs_ingest). */
#include "miner/resi/resi_internal.h"

#include <string.h>

/* model: the scraper's HTTP client gives up after 30 s */
#define SEARCH_TIMEOUT RT_SEC(30)
/* resi rapid_zillow_scraper.py: MAX_REQUESTS_PER_SECOND = 2 */
#define CALL_SPACING RT_MS(500)

static void next_call(resi_miner *m);

/* ----------------------------------------------------------------- ingest */

static void put(resi_miner *m, uint16_t zi, const rs_entity *e, bool mapped, int what)
{
    bool replaced;
    int rc = rs_store_put(&m->st, zi, world_zip_at(m->env.w, zi)->zip, e, mapped, &replaced);
    if (rc) {
        rt_fail(m->r, rc, "%s: cannot store an entity (%s)", m->hotkey, err_name(rc));
        return;
    }
    rs_count(m, replaced ? ACT_REFRESHED : what, 1);
}

/* The entity's content size, measured from the listing as of its second.
 * Content the miner did not alter measures what the listing does. */
static void measure(resi_miner *m, rs_entity *e, const proto_resi_listing *l)
{
    if (!(e->alter & PROTO_RESI_ALTER_CONTENT)) {
        e->size = (uint16_t)resi_sizes_get(m->env.sizes, l);
        return;
    }
    proto_resi_entity w;
    rs_wire(&m->st, e, &w);
    proto_resi_entity_measure(&w, l);
    e->size = (uint16_t)w.content_size;
}

/* A duplicator's second copy: the same entity, or the listing re-scraped a
 * second apart within the same hour (other content, same URI). */
static void duplicate(resi_miner *m, uint16_t zi, const rs_entity *e)
{
    rs_entity d = *e;
    if (m->cfg->dup_mode == RESI_DUP_RESCRAPE) {
        d.t = rs_hour(&m->st, e->t + 1) == rs_hour(&m->st, e->t) ? e->t + 1 : e->t - 1;
        proto_resi_listing l;
        if (world_lookup(m->env.w, d.zpid, RT_SEC(d.t), &l))
            return;
        measure(m, &d, &l);
    }
    put(m, zi, &d, false, ACT_DUPLICATED);
}

void rs_ingest(resi_miner *m, uint16_t zi, const proto_resi_listing *l)
{
    int64_t unix_s = l->scraped_at_ms / 1000;
    if (unix_s < m->st.epoch_s)
        return;
    proto_resi_listing c = *l;
    rs_entity e = {.zpid = l->zpid, .t = (uint32_t)(unix_s - m->st.epoch_s)};
    c.scraped_at_ms = unix_s * 1000;
    bool fab = m->kind == RESI_STRATEGY_FABRICATOR;
    if (fab && m->alter_bits && rng_chance(&m->r_cheat, m->cfg->p_alter)) {
        e.alter = m->alter_bits;
        rs_count(m, ACT_ALTERED, 1);
    }
    measure(m, &e, &c);
    put(m, zi, &e, true, ACT_STORED);
    if (fab && rng_chance(&m->r_cheat, m->cfg->p_invent)) {
        rs_entity inv = {.zpid = l->zpid, .t = e.t, .alter = PROTO_RESI_ALTER_INVENTED};
        measure(m, &inv, &c);
        put(m, zi, &inv, false, ACT_INVENTED);
    }
    if (m->kind == RESI_STRATEGY_DUPLICATOR && rng_chance(&m->r_cheat, m->cfg->p_duplicate))
        duplicate(m, zi, &e);
}

/* ------------------------------------------------------------------ calls */

static int classify(int result, int status)
{
    if (result == ERR_TIMEOUT)
        return ACT_TIMEOUT;
    if (result)
        return ACT_OTHER;
    return status == RT_OK ? ACT_OK : status == RT_TOO_MANY ? ACT_429
         : status == RT_NOT_FOUND ? ACT_404 : status >= 500 ? ACT_5XX : ACT_OTHER;
}

static void on_search(void *arg, int result, int status, const rt_msg *reply)
{
    resi_miner *m = arg;
    int what = classify(result, status);
    rs_count(m, ACT_CALLS, 1);
    rs_count(m, what, 1);
    if (what == ACT_OK && reply && reply->type == PROTO_RESI_SEARCH_REPLY) {
        const proto_resi_search_reply *s = reply->body;
        for (int i = 0; i < s->n; i++) {
            rs_store_prefetch(&m->st, s->props[i].zpid);
            resi_sizes_prefetch(m->env.sizes, s->props[i].zpid);
        }
        for (int i = 0; i < s->n; i++)
            rs_ingest(m, (uint16_t)m->call_zi, &s->props[i]);
        rs_count(m, ACT_LISTINGS, s->n);
        int last = m->call_zi == m->cur_zi ? s->total_pages : 0;
        if (m->cfg->pages_per_zip > 0 && last > m->cfg->pages_per_zip)
            last = (int)m->cfg->pages_per_zip;
        m->cur_last = last;
    } else if (m->call_zi == m->cur_zi) {
        m->cur_last = 0;   /* move on to another zip */
    }
    next_call(m);
}

static void send_call(void *arg)
{
    resi_miner *m = arg;
    if (m->cur_zi >= 0 && m->cur_page < m->cur_last) {
        m->cur_page++;
    } else {
        m->cur_zi = rs_select_next(&m->sel);
        m->cur_page = 1;
        m->cur_last = 1;
        if (m->cur_zi < 0) {
            m->scraping = false;
            return;
        }
    }
    proto_resi_search_req *q = proto_resi_search_new(world_zip_at(m->env.w, (size_t)m->cur_zi)->zip,
                                                     m->cur_page);
    if (!q) {
        rt_fail(m->r, ERR_NOMEM, "%s: out of memory", m->hotkey);
        return;
    }
    rt_msg msg = {PROTO_RESI_SEARCH, q, NULL, proto_resi_wire_bytes(PROTO_RESI_SEARCH, q)};
    rt_call_opts o = {.timeout = SEARCH_TIMEOUT, .kind = "search", .attempt = 1};
    m->calls_left--;
    m->call_zi = m->cur_zi;
    m->last_call = rt_now(m->r);
    if (rt_call(m->r, m->me, world_api_actor(m->env.api), msg, &o, on_search, m, NULL))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot call the listings api", m->hotkey);
}

static void next_call(resi_miner *m)
{
    if (m->calls_left <= 0) {
        m->scraping = false;
        return;
    }
    rt_time wait = m->last_call + CALL_SPACING - rt_now(m->r);
    if (wait <= 0) {
        send_call(m);
    } else if (rt_timer_start(m->r, m->me, wait, send_call, m, NULL)) {
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule a call", m->hotkey);
    }
}

/* ------------------------------------------------------------------ ticks */

static bool stale_stopped(const resi_miner *m, rt_time at)
{
    return m->kind == RESI_STRATEGY_STALE && at >= m->start + m->cfg->stop_after_us;
}

static void tick(void *arg)
{
    resi_miner *m = arg;
    m->scrape_timer = 0;
    if (!m->scraping && !stale_stopped(m, rt_now(m->r))) {
        m->scraping = true;
        m->calls_left = m->calls_per_scrape;
        m->last_call = rt_now(m->r) - CALL_SPACING;
        next_call(m);
    }
    rs_scrape_schedule(m);
}

void rs_scrape_schedule(resi_miner *m)
{
    if (m->kind == RESI_STRATEGY_COPIER && !m->cfg->also_scrape)
        return;
    rt_time now = rt_now(m->r), next = m->phase;
    if (now >= next)
        next += ((now - next) / m->scrape_every + 1) * m->scrape_every;
    if (stale_stopped(m, next))
        return;   /* a stale miner stops refreshing for good */
    if (rt_timer_start(m->r, m->me, next - now, tick, m, &m->scrape_timer))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule its scrape", m->hotkey);
}

/* The actor stopped: its timers and calls are gone; so is the scrape. */
void rs_scrape_stop(resi_miner *m)
{
    m->scrape_timer = 0;
    m->scraping = false;
    m->calls_left = 0;
    m->cur_zi = -1;
}
