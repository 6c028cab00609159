/* The resi validator's main loop (neurons/validator.py run and
 * vali_utils/miner_evaluator.py run_next_eval_batch):
 *
 *   loop: refresh the metagraph when stale; peek the iterator's next uid; if
 *         its last index is younger than the evaluation period, sleep until
 *         it is due; else evaluate the next batch_size uids concurrently and
 *         wait for them (at most batch_wait). Either way the iteration counts
 *         as an evaluation cycle; once cycles >= 15 and the last weights are
 *         more than 20 minutes old, set weights, then sleep and loop again.
 *
 * The 60 s health watchdog of the real validator is not modelled: it only
 * exits a validator that stopped evaluating. */
#include "validator/resi/internal.h"

#include <math.h>
#include <string.h>

static void loop(void *arg);

static void on_request(void *self, rt_request *req, const rt_msg *msg)
{
    resi_validator *v = self;
    (void)msg;
    rt_reply(v->r, req, RT_NOT_FOUND, (rt_msg){0});   /* a validator serves no data */
}

static const rt_actor_def validator_def = {"validator", on_request, NULL, NULL};

int64_t rv_block_now(const resi_validator *v)
{
    return rt_now(v->r) / v->cfg.block_time;
}

int64_t rv_unix_ms(const resi_validator *v) { return world_unix_ms(v->cfg.w, rt_now(v->r)); }

void rv_fail_nomem(resi_validator *v) { rt_fail(v->r, ERR_NOMEM, "%s: out of memory", v->hotkey); }

static void sleep_then_loop(resi_validator *v, rt_time delay)
{
    if (rt_timer_start(v->r, v->me, delay > 0 ? delay : 0, loop, v, &v->timer))
        rv_fail_nomem(v);
}

/* ------------------------------------------------------------ metagraph */

static bool is_validator(const resi_validator *v, const proto_chain_neuron *n)
{
    return n->validator_permit && (double)n->stake / 1e9 >= v->cfg.permit_stake_tao;
}

/* MinerIterator.set_miner_uids: keep the next uid, or the first after it. */
static void iterator_update(resi_validator *v, const uint16_t *uids, size_t n)
{
    size_t it = 0;
    if (!v->it_started && n) {
        it = (size_t)rng_below(&v->r_iter, n);   /* random.randint(0, len - 1) */
        v->it_started = true;
    } else if (v->uids.len) {
        uint16_t next = v->uids.v[v->it];
        while (it < n && uids[it] < next)
            it++;
        if (it >= n)
            it = 0;
    }
    v->uids.len = 0;
    for (size_t i = 0; i < n; i++)
        VEC_PUSH(&v->uids, uids[i]);   /* reserved by the caller */
    v->it = it;
}

static int apply_metagraph(resi_validator *v, proto_chain_metagraph *mg)
{
    if (VEC_RESERVE(&v->miners, mg->n) || VEC_RESERVE(&v->uids, mg->n))
        return ERR_NOMEM;
    uint16_t *uids = malloc((mg->n + 1u) * sizeof *uids);
    if (!uids)
        return ERR_NOMEM;
    while (v->miners.len < mg->n) {
        rv_miner m = {.actor = RT_NO_ACTOR, .last_index = -1, .last_s3_block = -1};
        resi_score_init(&m.sc, v->p);
        v->miners.v[v->miners.len++] = m;
    }
    v->self_uid = -1;
    size_t nu = 0;
    for (uint16_t u = 0; u < mg->n; u++) {
        const proto_chain_neuron *ne = &mg->neurons[u];
        rv_miner *m = &v->miners.v[u];
        if (strcmp(m->hotkey, ne->hotkey)) {
            if (m->hotkey[0]) {
                /* the uid changed hands: MinerScorer.reset, storage.delete_miner */
                resi_score_reset(&m->sc, v->p);
                if (resi_book_set(v->book, u, NULL)) {
                    free(uids);
                    return ERR_NOMEM;
                }
            }
            m->last_index = -1;
            m->last_s3_block = -1;
            memcpy(m->hotkey, ne->hotkey, sizeof m->hotkey);
            m->actor = rt_actor_find(v->r, m->hotkey);
        }
        if (!strcmp(ne->hotkey, v->hotkey))
            v->self_uid = u;
    }
    for (uint16_t u = 0; u < mg->n; u++)
        if (u != v->self_uid && !is_validator(v, &mg->neurons[u]))
            uids[nu++] = u;
    iterator_update(v, uids, nu);
    free(uids);
    free(v->mg);
    v->mg = mg;
    v->mg_at = rt_now(v->r);
    return 0;
}

/* Why the metagraph is being read: to go on with the loop, or to set weights. */
enum { MG_LOOP, MG_WEIGHTS };

static void on_metagraph(void *arg, int result, int status, const rt_msg *reply);

static void fetch_metagraph(resi_validator *v, int purpose)
{
    proto_chain_metagraph_req *q = calloc(1, sizeof *q);
    if (!q) {
        rv_fail_nomem(v);
        return;
    }
    q->netuid = v->cfg.netuid;
    v->mg_purpose = purpose;
    rt_msg m = {PROTO_CHAIN_METAGRAPH, q, NULL, proto_chain_wire_bytes(PROTO_CHAIN_METAGRAPH, q)};
    rt_call_opts o = {.timeout = RT_SEC(60), .kind = "metagraph", .attempt = 1};
    if (rt_call(v->r, v->me, v->cfg.chain, m, &o, on_metagraph, v, NULL))
        on_metagraph(v, ERR_REFUSED, 0, NULL);
}

/* ---------------------------------------------------------------- weights */

static void iteration_end(resi_validator *v);

static void record_scores(resi_validator *v, const double *w, double total)
{
    rt_time now = rt_now(v->r);
    if (v->last_snapshot >= 0 && now - v->last_snapshot < v->p->score_snapshot_us)
        return;
    v->last_snapshot = now;
    for (size_t i = 0; i < v->uids.len; i++) {
        uint16_t u = v->uids.v[i];
        const rv_miner *m = &v->miners.v[u];
        rt_val vals[] = {
            RT_I(rt_now(v->r)),
            RT_I(v->me),
            RT_I(u),
            m->actor == RT_NO_ACTOR ? RT_NULL : RT_I(m->actor),
            RT_D(m->sc.score),
            RT_D(m->sc.cred),
            RT_D(m->sc.raw_prev),
            RT_D(m->sc.s3_boost),
            RT_D(m->sc.s3_cred),
            RT_D(total > 0 ? w[u] / total : 0),
        };
        rt_record(v->r, &resi_table_miner_score, vals);
    }
}

/* weights = normalised scores over every uid (set_weights); all zero: every
 * uid alike, as bittensor's process_weights_for_netuid does. Max-upscaled to
 * u16, zeros and self dropped. */
static proto_chain_weights *weights_msg(resi_validator *v)
{
    const proto_chain_metagraph *mg = v->mg;
    double *w = calloc(mg->n + 1u, sizeof *w), total = 0, max = 0;
    uint16_t *uids = malloc((mg->n + 1u) * sizeof *uids), *vals = malloc((mg->n + 1u) * sizeof *vals);
    proto_chain_weights *msg = NULL;
    if (!w || !uids || !vals) {
        rv_fail_nomem(v);
    } else {
        for (uint16_t u = 0; u < mg->n; u++)
            total += w[u] = v->miners.v[u].sc.score > 0 ? v->miners.v[u].sc.score : 0;
        for (uint16_t u = 0; u < mg->n; u++) {
            if (total <= 0)
                w[u] = 1;
            max = w[u] > max ? w[u] : max;
        }
        record_scores(v, w, total > 0 ? total : mg->n);
        size_t n = 0;
        for (uint16_t u = 0; u < mg->n && max > 0; u++) {
            uint16_t x = (uint16_t)lround(w[u] / max * 65535.0);
            if (u == v->self_uid || !x)
                continue;
            uids[n] = u;
            vals[n++] = x;
        }
        if (n && !(msg = wclient_weights_new(&v->chainw, uids, vals, n)))
            rv_fail_nomem(v);
    }
    free(w);
    free(uids);
    free(vals);
    return msg;
}

static void on_weights_done(void *arg, bool ok)
{
    resi_validator *v = arg;
    (void)ok;
    sleep_then_loop(v, v->next_delay);
}

static void set_weights(resi_validator *v)
{
    proto_chain_weights *w = weights_msg(v);
    int rc = wclient_turn(&v->chainw, v->mg, w, on_weights_done, v);
    if (rc == 1)
        sleep_then_loop(v, v->next_delay);
    else if (rc)
        rv_fail_nomem(v);
}

static void on_metagraph(void *arg, int result, int status, const rt_msg *reply)
{
    resi_validator *v = arg;
    bool ok = !result && status == RT_OK && reply && reply->body;
    if (ok && apply_metagraph(v, rt_take_body(reply))) {
        rv_fail_nomem(v);
        return;
    }
    if (v->mg_purpose == MG_WEIGHTS) {
        if (ok)
            set_weights(v);
        else
            sleep_then_loop(v, v->next_delay);   /* no chain: no weights this time */
        return;
    }
    if (!v->mg) {
        sleep_then_loop(v, v->cfg.block_time);   /* not even one metagraph yet: retry */
        return;
    }
    v->mg_at = rt_now(v->r);   /* a failed refresh is retried at the next interval */
    loop(v);
}

/* _on_eval_batch_complete, then should_set_weights: 15 cycles, and the last
 * weights more than weights_interval ago. */
static void iteration_end(resi_validator *v)
{
    v->cycles++;
    if (v->cycles >= v->p->weights_after_batches &&
        rt_now(v->r) - v->last_weights > v->p->weights_interval_us) {
        v->last_weights = rt_now(v->r);
        fetch_metagraph(v, MG_WEIGHTS);
        return;
    }
    sleep_then_loop(v, v->next_delay);
}

/* ---------------------------------------------------------------- batches */

static void batch_end(resi_validator *v)
{
    rt_timer_stop(v->r, v->batch_timer);
    v->batch_timer = 0;
    v->batch_open = false;
    v->next_delay = 0;   /* "Run the next evaluation batch immediately." */
    iteration_end(v);
}

static void batch_timeout(void *arg)
{
    resi_validator *v = arg;
    v->batch_timer = 0;
    if (v->batch_open)
        batch_end(v);   /* the stragglers finish on their own */
}

void rv_eval_finished(resi_validator *v, rv_eval *ev)
{
    if (v->batch_open && ev->batch == v->batch && --v->batch_left == 0)
        batch_end(v);
}

static void run_batch(resi_validator *v)
{
    size_t k = (size_t)v->p->batch_size, n = 0;
    uint16_t *pick = malloc((k < v->uids.len ? k : v->uids.len) * sizeof *pick + 1);
    if (!pick) {
        rv_fail_nomem(v);
        return;
    }
    /* {next(iterator) for _ in range(15)}: a set, so fewer miners are each
     * evaluated once */
    for (size_t t = 0; t < k; t++) {
        uint16_t u = v->uids.v[v->it];
        v->it = (v->it + 1) % v->uids.len;
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = pick[j] == u;
        if (!seen)
            pick[n++] = u;
    }
    v->batch++;
    v->batch_open = true;
    v->batch_left = (int)n + 1;   /* +1 until every evaluation has started */
    if (rt_timer_start(v->r, v->me, v->p->batch_wait_us, batch_timeout, v, &v->batch_timer)) {
        free(pick);
        rv_fail_nomem(v);
        return;
    }
    uint64_t b = v->batch;
    for (size_t j = 0; j < n; j++)
        if (rv_eval_start(v, pick[j], b)) {
            free(pick);
            rv_fail_nomem(v);
            return;
        }
    free(pick);
    if (v->batch_open && v->batch == b && --v->batch_left == 0)
        batch_end(v);
}

static void loop(void *arg)
{
    resi_validator *v = arg;
    v->timer = 0;
    if (!v->mg || rt_now(v->r) - v->mg_at >= v->p->metagraph_refresh_us) {
        fetch_metagraph(v, MG_LOOP);
        return;
    }
    if (!v->uids.len) {
        /* the real iterator raises on an empty list and the loop retries at
         * once; here the next try waits a watchdog period */
        sleep_then_loop(v, RT_SEC(60));
        return;
    }
    const rv_miner *m = &v->miners.v[v->uids.v[v->it]];
    rt_time due = m->last_index < 0 ? 0 : m->last_index + v->p->eval_period_us;
    if (due > rt_now(v->r)) {
        v->next_delay = due - rt_now(v->r);
        iteration_end(v);
        return;
    }
    run_batch(v);
}

static void start(void *arg)
{
    resi_validator *v = arg;
    v->timer = 0;
    v->last_weights = rt_now(v->r);   /* last_weights_set_time = utcnow() at start */
    loop(v);
}

/* ----------------------------------------------------------- lifecycle */

static int32_t job_weight(void *ctx, const proto_resi_bucket_id *id)
{
    const resi_validator *v = ctx;
    int zi = world_zip_find(v->cfg.w, id->zip);
    return zi < 0 ? v->wm_default : v->zip_wm[zi];
}

static int add_job(resi_validator *v, const char *fmt, const char *arg)
{
    char buf[PROTO_RESI_JOB_MAX];
    snprintf(buf, sizeof buf, fmt, arg);
    char *s = strdup(buf);
    if (!s || VEC_PUSH(&v->jobs, s)) {
        free(s);
        return ERR_NOMEM;
    }
    return 0;
}

/* The S3 jobs the desirability list names: the premium zips, the four tier
 * jobs and the policy's extra jobs (dynamic_desirability/default.json). */
static int build_jobs(resi_validator *v)
{
    const uint32_t *prem;
    size_t np = world_premium(v->cfg.w, &prem);
    int rc = 0;
    for (size_t i = 0; i < np && !rc; i++)
        rc = add_job(v, "zip:%s", world_zip_at(v->cfg.w, prem[i])->zip);
    for (int t = 1; t <= 4 && !rc; t++) {
        char d[2] = {(char)('0' + t), 0};
        rc = add_job(v, "tier:%s", d);
    }
    for (size_t i = 0; i < v->p->jobs.n && !rc; i++)
        rc = add_job(v, "%s", v->p->jobs.v[i].key);
    return rc;
}

static int setup(resi_validator *v, err *e)
{
    const world *w = v->cfg.w;
    v->zip_wm = calloc(world_zip_count(w) + 1, sizeof *v->zip_wm);
    if (!v->zip_wm)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = resi_jobs_build(v->p, w, v->zip_wm, &v->wm_default, e);
    if (rc)
        return err_prefix(e, "%s: policy", v->hotkey);
    if (build_jobs(v))
        return err_set(e, ERR_NOMEM, "out of memory");
    resi_book_opts bo = {job_weight, v, v->p->max_age_hours, v->p->source_weight};
    if (resi_book_new(&bo, &v->book))
        return err_set(e, ERR_NOMEM, "out of memory");
    rt_rng(v->r, v->hotkey, "iterator", &v->r_iter);
    rt_rng(v->r, v->hotkey, "bucket", &v->r_bucket);
    rt_rng(v->r, v->hotkey, "entities", &v->r_entities);
    rt_rng(v->r, v->hotkey, "s3", &v->r_s3);
    if ((rc = rt_actor_add(v->r, v->hotkey, &validator_def, v, &v->me)))
        return err_set(e, rc, "cannot add validator '%s' (a duplicate name?)", v->hotkey);
    if ((rc = wclient_init(&v->chainw, v->r, v->me, v->cfg.chain, v->cfg.netuid, v->hotkey, e)))
        return rc;
    if (v->cfg.api && world_api_set_caller(v->cfg.api, v->me, (world_plan)v->p->api_plan, 0))
        return err_set(e, ERR_NOMEM, "out of memory");
    rt_time at = (rt_time)v->cfg.first_block * v->cfg.block_time - rt_now(v->r);
    if (rt_timer_start(v->r, v->me, at > 0 ? at : 0, start, v, &v->timer))
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int resi_validator_new(rt *r, const resi_validator_cfg *cfg, resi_validator **out, err *e)
{
    resi_validator *v = calloc(1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    v->r = r;
    v->cfg = *cfg;
    v->p = cfg->params;
    v->self_uid = -1;
    v->last_snapshot = -1;
    int rc = proto_key_set(v->hotkey, cfg->hotkey)
                 ? setup(v, e)
                 : err_set(e, ERR_INPUT, "hotkey '%s' is too long", cfg->hotkey);
    if (rc) {
        resi_validator_free(v);
        return rc;
    }
    v->cfg.hotkey = v->hotkey;
    *out = v;
    return 0;
}

void resi_validator_free(resi_validator *v)
{
    if (!v)
        return;
    while (v->live) {
        rv_eval *ev = v->live;
        v->live = ev->next;
        rv_eval_free(ev);
    }
    rv_checks_free(v);
    resi_book_free(v->book);
    wclient_free(&v->chainw);
    free(v->mg);
    free(v->zip_wm);
    for (size_t i = 0; i < v->jobs.len; i++)
        free(v->jobs.v[i]);
    VEC_FREE(&v->jobs);
    VEC_FREE(&v->miners);
    VEC_FREE(&v->uids);
    free(v);
}
