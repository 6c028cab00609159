/* One run, end to end. */
#include "runner/runner_internal.h"

#include <string.h>
#include <unistd.h>

bool runner_owns_kind(const runner_family *f, const scenario_kind *k)
{
    const scenario_family *sf = f->scenario;
    return k && sf && k >= sf->kinds && k < sf->kinds + sf->nkinds;
}

/* The run's last instant: its duration, or the block of the first subnet's
 * last epoch (epochs run at the blocks where blocks_until_next_epoch is 0). */
static rt_time end_time(const scenario *sc, rt_time block_time, uint64_t *end_block)
{
    if (!sc->epochs) {
        int64_t d = sc->duration_us ? sc->duration_us : RT_HOUR(24);
        *end_block = (uint64_t)(d / block_time);
        return d;
    }
    const scenario_subnet *s = &sc->subnets.v[0];
    uint64_t first = 1 + chain_blocks_until_next_epoch((uint16_t)s->netuid, (uint16_t)s->tempo, 1);
    *end_block = first + (uint64_t)(sc->epochs - 1) * (uint64_t)(s->tempo + 1);
    return (rt_time)*end_block * block_time;
}

static int default_db_path(const scenario *sc, char *out, size_t n, err *e)
{
    int rc = dir_make("runs", e);
    if (rc)
        return rc;
    snprintf(out, n, "runs/%s-s%lld.db", sc->name, (long long)sc->seed);
    /* Same scenario, same seed: the old file holds the same run; start afresh
     * rather than pile identical runs into it. */
    const char *sfx[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[4200];
        snprintf(p, sizeof p, "%s%s", out, sfx[i]);
        unlink(p);
    }
    return 0;
}

static int begin(runner_state *st, const scenario *sc, const runner_opts *o, runner_result *res,
                 err *e)
{
    int rc = o->db_path ? 0 : default_db_path(sc, res->db_path, sizeof res->db_path, e);
    if (rc)
        return rc;
    if (o->db_path)
        snprintf(res->db_path, sizeof res->db_path, "%s", o->db_path);
    if ((rc = store_open(res->db_path, STORE_WRITE, NULL, &st->db, e)))
        return rc;
    char *json = NULL;
    if ((rc = scenario_to_json(sc, &json, e)))
        return rc;
    char seed[32], end[32], bt[32];
    snprintf(seed, sizeof seed, "%lld", (long long)sc->seed);
    snprintf(end, sizeof end, "%llu", (unsigned long long)res->end_block);
    /* reports turn record times into blocks, hence epochs, with it */
    snprintf(bt, sizeof bt, "%lld", (long long)st->ctx.block_time);
    store_param params[] = {{"seed", seed},
                            {"end_block", end},
                            {"profile", sc->profile ? sc->profile : ""},
                            {"block_time_us", bt}};
    store_run_info info = {.scenario_name = sc->name, .scenario_text = sc->text,
                           .scenario_json = json, .seed = (uint64_t)sc->seed, .mode = "virtual",
                           .params = params, .nparams = 4};
    /* The chain's tables up front (so an empty run still has them) and the
     * views that decode weight and bond rows for the sqlite3 shell. */
    rc = store_create_tables(st->db, chain_tables, e);
    if (!rc)
        rc = store_vector_view(st->db, &chain_table_weight, "data", "weight_entry", "miner", e);
    if (!rc)
        rc = store_vector_view(st->db, &chain_table_bond, "data", "bond_entry", "miner", e);
    if (!rc)
        rc = store_run_begin(st->db, &info, &res->run_id, e);
    free(json);
    return rc;
}

static int build(runner_state *st, const scenario *sc, const runner_opts *o, err *e)
{
    rt_virtual_opts ro = {.seed = (uint64_t)sc->seed, .sink = store_sink(st->db),
                          .record_requests = o->record_requests};
    int rc = rt_virtual_new(&ro, &st->ctx.r, e);
    chain_params cp = {0};
    if (!rc)
        rc = chain_new(&cp, &st->ctx.c, e);
    chain_record_opts co;
    chain_record_opts_default(&co);
    co.epoch_every = sc->record.epochs ? 1 : 0;
    co.weights_every = (uint32_t)sc->record.weights_every_epochs;
    co.bonds_every = (uint32_t)sc->record.bonds_every_epochs;
    if (!rc && (rc = chain_recorder_new(&co, chain_rt_sink(st->ctx.r), &st->rec)))
        err_set(e, rc, "out of memory");
    if (!rc) {
        chain_observer obs = chain_recorder_observer(st->rec);
        if ((rc = chain_add_observer(st->ctx.c, &obs)))
            err_set(e, rc, "out of memory");
    }
    if (!rc)
        rc = runner_add_subnets(st, e);
    chain_actor_opts ao = {.block_time = st->ctx.block_time};
    if (!rc)
        rc = chain_actor_new(st->ctx.r, st->ctx.c, &ao, &st->ctx.ca, e);
    if (!rc)
        rc = runner_register_all(st, e);
    if (!rc)
        rc = chain_actor_sync(st->ctx.ca, e);
    for (size_t i = 0; !rc && i < runner_nfamilies; i++)
        if (runner_families[i]->setup)
            rc = runner_families[i]->setup(&st->ctx, &st->fam_state[i], e);
    return rc;
}

/* Run the clock to the end in slices, drawing progress between them: the bar
 * never schedules an event, so it cannot change the run. */
static int run_clock(runner_state *st, const runner_opts *o, err *e)
{
    progress p;
    progress_start(&p, "simulating", (double)st->ctx.end, o->quiet);
    rt_time slice = st->ctx.end / 200 + 1;
    int rc = 0;
    for (rt_time t = 0; !rc && t < st->ctx.end;) {
        t = t + slice < st->ctx.end ? t + slice : st->ctx.end;
        rc = rt_run(st->ctx.r, t, e);
        progress_update(&p, (double)t);
    }
    progress_finish(&p);
    if (!rc && chain_recorder_error(st->rec))
        rc = err_set(e, chain_recorder_error(st->rec), "cannot record the chain's events");
    return rc;
}

static void teardown(runner_state *st)
{
    for (size_t i = 0; i < runner_nfamilies; i++)
        if (runner_families[i]->teardown)
            runner_families[i]->teardown(st->fam_state[i]);
    rt_free(st->ctx.r);
    chain_actor_free(st->ctx.ca);
    chain_recorder_free(st->rec);
    chain_free(st->ctx.c);
    for (size_t i = 0; i < st->neurons.len; i++)
        free(st->neurons.v[i]);
    VEC_FREE(&st->neurons);
    store_close(st->db);
}

int runner_run(const scenario *sc, const runner_opts *o, runner_result *res, err *e)
{
    runner_state st = {0};
    memset(res, 0, sizeof *res);
    double wall0 = clock_monotonic();
    st.ctx.sc = sc;
    st.ctx.block_time = sc->chain.block_time_us;
    st.ctx.end = end_time(sc, st.ctx.block_time, &res->end_block);
    int rc = begin(&st, sc, o, res, e);
    if (!rc)
        rc = build(&st, sc, o, e);
    if (!rc)
        rc = run_clock(&st, o, e);
    for (size_t i = 0; !rc && i < runner_nfamilies; i++)
        if (runner_families[i]->finish)
            rc = runner_families[i]->finish(st.fam_state[i], e);
    res->events = st.ctx.r ? rt_events(st.ctx.r) : 0;
    res->simulated_seconds = (double)st.ctx.end / 1e6;
    res->wall_seconds = clock_monotonic() - wall0;
    if (st.db && res->run_id) {
        err fe;
        int frc = store_run_finish(st.db, rc ? STORE_FAILED : STORE_COMPLETE, rc ? e->msg : NULL,
                                   res->simulated_seconds, res->wall_seconds, res->digest, &fe);
        if (frc && !rc) {
            rc = frc;
            *e = fe;
        }
    }
    teardown(&st);
    return rc;
}
