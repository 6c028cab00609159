/* bench_world: the real-estate world under the scale benchmark's load.
 *
 *   bench_world [--hours H] [--miners M] [--validators V] [--eval-min E] [--cache-mb MB]
 *
 * 1. cold: every zip of the universe built at t = 0 (world_zip_for_sale);
 * 2. day: H simulated hours (default 24) of the scale scenario's load on the
 *    world directly: M miners (default 192; a third premium-focus, a third
 *    broad, a third tier-weighted; premium-plan miners page 9 x 41 every
 *    120 s, basic-plan ones one page every 200 s, SPEC 2.2) and V validators
 *    (default 64) each checking every miner every E minutes (default 5) with
 *    two look-ups of listings miners were shown (some hours old, so some 404);
 * 3. api: calls through the listings API actor on the virtual runtime.
 * Prints wall time, rates and memory; figures go to tests/bench/RESULTS.md. */
#include "net/net.h"
#include "world/world.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* CPU seconds of this process: on a shared machine, wall time measures the
 * neighbours too. Rates below are per CPU second. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static rt_msg search_msg(const char *zip, int page)
{
    proto_resi_search_req *q = proto_resi_search_new(zip, page);
    return (rt_msg){PROTO_RESI_SEARCH, q, NULL, proto_resi_wire_bytes(PROTO_RESI_SEARCH, q)};
}

static rt_msg lookup_msg(uint64_t zpid)
{
    proto_resi_lookup_req *q = proto_resi_lookup_new(zpid);
    return (rt_msg){PROTO_RESI_LOOKUP, q, NULL, proto_resi_wire_bytes(PROTO_RESI_LOOKUP, q)};
}

static double rss_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024.0;
}

static void die(const char *what, const err *e)
{
    fprintf(stderr, "bench_world: %s: %s\n", what, e ? e->msg : "failed");
    exit(1);
}

typedef struct opts {
    double hours;
    int miners, validators, eval_min;
    double cache_mb;
} opts;

/* zpids shown to miners lately, for validators to check */
#define SEEN 65536
typedef struct seen {
    uint64_t zpid[SEEN];
    size_t n;
} seen;

typedef struct miner {
    int strategy;        /* 0 premium-focus, 1 broad, 2 tier-weighted */
    bool premium_plan;
    rt_time next;
} miner;

static size_t pick_zip(world *w, int strategy, rng *r, const double *cum)
{
    const uint32_t *prem;
    size_t np = world_premium(w, &prem);
    size_t nz = world_zip_count(w);
    if (strategy == 0)
        return prem[rng_below(r, np)];
    if (strategy == 1)
        return (size_t)rng_below(r, nz);
    double u = rng_uniform(r) * cum[nz - 1];
    size_t lo = 0, hi = nz - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cum[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

typedef struct tally {
    long searches, listings, lookups, found;
} tally;

static void scrape(world *w, miner *m, rng *r, const double *cum, seen *s, rt_time t, tally *c)
{
    const world_zip *z = world_zip_at(w, pick_zip(w, m->strategy, r, cum));
    int pages = m->premium_plan ? 9 : 1;
    for (int p = 1; p <= pages; p++) {
        proto_resi_listing page[41];
        world_page pg;
        if (world_search(w, z->zip, p, t, page, &pg))
            die("search", NULL);
        c->searches++;
        c->listings += pg.n;
        if (pg.n)   /* keep one a page: the ring then spans hours, so some are gone */
            s->zpid[s->n++ % SEEN] = page[rng_below(r, (uint64_t)pg.n)].zpid;
        if (pg.n < 41)
            break;
    }
    m->next = t + (m->premium_plan ? RT_SEC(120) : RT_SEC(200));
}

static void day(world *w, const opts *o)
{
    size_t nz = world_zip_count(w);
    double *cum = malloc(nz * sizeof *cum);
    miner *ms = calloc((size_t)o->miners, sizeof *ms);
    seen *s = calloc(1, sizeof *s);
    if (!cum || !ms || !s)
        die("out of memory", NULL);
    for (size_t i = 0; i < nz; i++)
        cum[i] = (i ? cum[i - 1] : 0) + world_zip_at(w, i)->weight;
    rng r;
    rng_seed(&r, 99);
    for (int i = 0; i < o->miners; i++)
        ms[i] = (miner){i % 3, i % 2 == 0, (rt_time)rng_below(&r, RT_SEC(120))};
    rt_time end = (rt_time)(o->hours * 3600) * RT_SEC(1);
    long per_sec_checks = (long)o->validators * o->miners * 2 / (o->eval_min * 60);
    tally c = {0};
    double t0 = clock_monotonic(), c0 = cpu(), search_s = 0, lookup_s = 0;
    for (rt_time t = 0; t < end; t += RT_SEC(1)) {
        double a = cpu();
        for (int i = 0; i < o->miners; i++)
            if (ms[i].next <= t)
                scrape(w, &ms[i], &r, cum, s, t, &c);
        double b = cpu();
        size_t have = s->n < SEEN ? s->n : SEEN;
        for (long k = 0; k < per_sec_checks && have; k++) {
            proto_resi_listing l;
            c.lookups++;
            c.found += !world_lookup(w, s->zpid[rng_below(&r, have)], t, &l);
        }
        search_s += b - a;
        lookup_s += cpu() - b;
    }
    double wall = clock_monotonic() - t0;
    printf("day: %.0f h simulated, %d miners, %d validators (every %d min): %.2f s cpu, %.2f s wall\n",
           o->hours, o->miners, o->validators, o->eval_min, cpu() - c0, wall);
    printf("  searches %ld (%.0f/s, %.2f us a listing), listings served %ld\n", c.searches,
           c.searches / search_s, search_s / (double)c.listings * 1e6, c.listings);
    printf("  lookups %ld (%.0f/s), found %.1f%%\n", c.lookups, c.lookups / lookup_s,
           100.0 * c.found / (double)(c.lookups ? c.lookups : 1));
    printf("  world memory %.1f MB, peak RSS %.1f MB\n", world_memory(w) / 1e6, rss_mb());
    free(cum);
    free(ms);
    free(s);
}

/* The same kinds of calls through rt and the API actor (unlimited plan, so
 * every call is served): the overhead of the actor path. */
typedef struct client {
    rt *r;
    rt_actor me, api;
    uint64_t zpid;
    int left;
    long done;
} client;

static void on_reply(void *arg, int result, int status, const rt_msg *m);

static void send_next(client *c)
{
    if (c->left-- <= 0)
        return;
    rt_msg m = c->left % 10 ? lookup_msg(c->zpid) : search_msg("77494", 1 + c->left % 7);
    if (rt_call(c->r, c->me, c->api, m, &(rt_call_opts){.timeout = RT_SEC(15)}, on_reply, c, NULL))
        die("rt_call", NULL);
}

static void on_reply(void *arg, int result, int status, const rt_msg *m)
{
    client *c = arg;
    (void)result, (void)status, (void)m;
    c->done++;
    send_next(c);
}

static void api(world *w, int nclients, int calls_each)
{
    static const rt_actor_def def = {"validator", NULL, NULL, NULL};
    err e;
    rt *r;
    if (rt_virtual_new(&(rt_virtual_opts){.seed = 1}, &r, &e))
        die("rt", &e);
    world_api_params ap = world_profile_find("resi-2025-09")->api;
    ap.default_plan = WORLD_PLAN_UNLIMITED;
    world_api *a;
    if (world_api_new(r, w, &ap, &a, &e))
        die("api", &e);
    proto_resi_listing page[41];
    world_page pg;
    world_search(w, "77494", 1, 0, page, &pg);
    client *cs = calloc((size_t)nclients, sizeof *cs);
    for (int i = 0; i < nclients; i++) {
        char name[32];
        snprintf(name, sizeof name, "v%d", i);
        cs[i] = (client){r, 0, world_api_actor(a), page[i % pg.n].zpid, calls_each, 0};
        if (rt_actor_add(r, name, &def, NULL, &cs[i].me))
            die("actor", NULL);
    }
    for (int i = 0; i < nclients; i++)
        send_next(&cs[i]);
    double t0 = cpu();
    if (rt_run(r, INT64_MAX, &e))
        die("run", &e);
    double wall = cpu() - t0;
    long done = 0;
    for (int i = 0; i < nclients; i++)
        done += cs[i].done;
    printf("api: %ld calls (1 in 10 a search) from %d clients through rt: %.2f s cpu, %.0f calls/s\n",
           done, nclients, wall, done / wall);
    world_api_flush(a);
    rt_free(r);
    world_api_free(a);
    free(cs);
}

int main(int argc, char **argv)
{
    world_params wp = world_profile_find("resi-2025-09")->world;
    opts o = {24, 192, 64, 5, wp.cache_mb};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--hours"))
            o.hours = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--miners"))
            o.miners = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--validators"))
            o.validators = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--eval-min"))
            o.eval_min = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cache-mb"))
            o.cache_mb = atof(argv[i + 1]);
    }
    if (o.hours <= 0 || o.miners < 1 || o.validators < 0 || o.eval_min < 1) {
        fprintf(stderr, "usage: bench_world [--hours H] [--miners M] [--validators V] "
                        "[--eval-min E] [--cache-mb MB]\n");
        return 2;
    }
    err e;
    world *w;
    double t0 = cpu();
    wp.cache_mb = o.cache_mb;
    if (world_new(&wp, 42, &w, &e))
        die("world_new", &e);
    printf("load: %zu zips in %.3f s cpu\n", world_zip_count(w), cpu() - t0);
    t0 = cpu();
    long n = 0;
    for (size_t i = 0; i < world_zip_count(w); i++)
        n += world_zip_for_sale(w, i, 0);
    printf("cold: %ld listings for sale across the universe built in %.3f s cpu; world memory %.1f MB\n",
           n, cpu() - t0, world_memory(w) / 1e6);
    day(w, &o);
    world_free(w);
    if (world_new(&world_profile_find("resi-2025-09")->world, 42, &w, &e))
        die("world_new", &e);
    api(w, 64, 4000);
    world_free(w);
    printf("peak RSS %.1f MB\n", rss_mb());
    return 0;
}
