/* The resi scorer's rules with hand-computed values: credibility EMA, "prove
 * it", S3 boost and credibility, the S3 percentage, the age scalar and the
 * desirability modes (rewards/miner_scorer.py, data_value_calculator.py,
 * vali_utils/s3_utils.py, dynamic_desirability). */
#include "validator/resi/resi.h"
#include "test.h"

static resi_val_params params(void)
{
    resi_val_params p;
    resi_val_params_default(&p);
    return p;
}

TEST_IMPL(resi_profile_defaults_are_the_spec_values)
{
    resi_val_params p = params();
    ASSERT_EQ_INT(p.eval_period_us, 3600000000LL);
    ASSERT_EQ_INT(p.batch_size, 15);
    ASSERT_EQ_INT(p.index_timeout_us, 120000000);
    ASSERT_EQ_INT(p.bucket_timeout_us, 140000000);
    ASSERT_EQ_INT(p.weights_interval_us, 1200000000);
    ASSERT_EQ_INT(p.weights_after_batches, 15);
    ASSERT_EQ_INT(p.spot_checks, 2);
    ASSERT(p.count_429_valid && p.count_errors_valid);
    ASSERT_NEAR(p.cred_alpha, 0.15, 0);
    ASSERT_NEAR(p.cred_exp, 2.5, 0);
    ASSERT_NEAR(p.s3.max_boost, 20e6, 0);
    ASSERT_NEAR(p.s3.cred_start, 0.375, 0);
    ASSERT_EQ_INT(p.s3.every_blocks, 2550);
    ASSERT_EQ_INT(p.s3.min_size_bytes, 10485760);
    ASSERT_EQ_INT(p.tol.size_bytes, 50);
    ASSERT_EQ_INT(p.tol.days_on_market, 7);
    ASSERT_EQ_INT(p.max_age_hours, 720);
    ASSERT_NEAR(p.default_scale_factor, 0.3, 0);
}

TEST_IMPL(resi_credibility_ema_from_zero)
{
    resi_val_params p = params();
    resi_val_score s;
    resi_score_init(&s, &p);
    ASSERT_NEAR(s.cred, 0, 0);
    ASSERT_NEAR(s.s3_cred, 0.375, 0);
    /* 300 of 400 bytes valid: cred = 0.15 * 0.75 = 0.1125; score = 1000 * 0.1125^2.5 */
    resi_score_evaluated(&s, &p, true, 1000, 300, 400);
    ASSERT_NEAR(s.cred, 0.1125, 1e-15);
    ASSERT_NEAR(s.score, 4.245035301034756, 1e-12);
    ASSERT_NEAR(s.raw_prev, 1000, 0);
    /* all valid, same raw: cred = 0.15 + 0.85 * 0.1125 = 0.245625 */
    resi_score_evaluated(&s, &p, true, 1000, 400, 400);
    ASSERT_NEAR(s.cred, 0.245625, 1e-15);
    ASSERT_NEAR(s.score, 29.90070438319692, 1e-11);
}

TEST_IMPL(resi_prove_it_scales_credibility_before_the_ema)
{
    resi_val_params p = params();
    resi_val_score s;
    resi_score_init(&s, &p);
    resi_score_evaluated(&s, &p, true, 1000, 300, 400);
    resi_score_evaluated(&s, &p, true, 1000, 400, 400);
    /* raw rises 1000 -> 4000: cred *= (1/4)^(1/2.5) = 0.141074516723...,
     * then the EMA: 0.15 + 0.85 * that */
    resi_score_evaluated(&s, &p, true, 4000, 400, 400);
    ASSERT_NEAR(s.cred, 0.26991333921461236, 1e-14);
    ASSERT_NEAR(s.score, 151.39825219676032, 1e-10);
    /* falling raw: no scaling, just the EMA */
    double before = s.cred;
    resi_score_evaluated(&s, &p, true, 2000, 400, 400);
    ASSERT_NEAR(s.cred, 0.15 + 0.85 * before, 1e-15);
}

TEST_IMPL(resi_failed_evaluations_decay_credibility_and_no_index_leaves_it)
{
    resi_val_params p = params();
    resi_val_score s;
    resi_score_init(&s, &p);
    s.cred = 0.8;
    s.raw_prev = 500;
    /* a failed check: one result of 0 bytes, so the sample is 0 */
    resi_score_evaluated(&s, &p, true, 500, 0, 0);
    ASSERT_NEAR(s.cred, 0.68, 1e-15);
    ASSERT_NEAR(s.score, 500 * pow(0.68, 2.5), 1e-9);
    /* no index: score 0, credibility and raw_prev untouched */
    resi_score_evaluated(&s, &p, false, 0, 0, 0);
    ASSERT_NEAR(s.score, 0, 0);
    ASSERT_NEAR(s.cred, 0.68, 1e-15);
    ASSERT_NEAR(s.raw_prev, 500, 0);
    /* reset keeps raw_prev as MinerScorer.reset does */
    resi_score_reset(&s, &p);
    ASSERT_NEAR(s.cred, 0, 0);
    ASSERT_NEAR(s.s3_cred, 0.375, 0);
    ASSERT_NEAR(s.raw_prev, 500, 0);
}

TEST_IMPL(resi_s3_boost_and_credibility)
{
    resi_val_params p = params();
    resi_val_score s;
    resi_score_init(&s, &p);
    resi_score_s3(&s, &p, 80);
    ASSERT_NEAR(s.s3_boost, 16e6, 1e-6);
    ASSERT_NEAR(s.s3_cred, 0.46, 1e-15);   /* 0.2 * 0.8 + 0.8 * 0.375 */
    resi_score_s3(&s, &p, 200);             /* a size bonus can take pct past 100 */
    ASSERT_NEAR(s.s3_cred, 0.768, 1e-15);   /* 0.2 * 2 + 0.8 * 0.46 */
    resi_score_s3(&s, &p, 500);
    ASSERT_NEAR(s.s3_cred, 1.0, 0);         /* capped at 1 */
    ASSERT_NEAR(s.s3_boost, 100e6, 1e-6);
    /* the boost enters the score before credibility: (raw + boost * s3_cred) cred^2.5 */
    resi_score_s3(&s, &p, 50);
    double s3c = s.s3_cred;
    ASSERT_NEAR(s3c, 0.9, 1e-15);           /* 0.2 * 0.5 + 0.8 */
    s.cred = 0.5;
    resi_score_evaluated(&s, &p, true, 1000, 1, 1);
    ASSERT_NEAR(s.cred, 0.575, 1e-15);
    ASSERT_NEAR(s.score, (1000 + 10e6 * 0.9) * pow(0.575, 2.5), 1e-6);
}

TEST_IMPL(resi_s3_pct_formula)
{
    resi_val_params p = params();
    const uint64_t MiB = 1024 * 1024;
    ASSERT_NEAR(resi_s3_pct(&p.s3, false, 80, 5 * MiB), 90, 1e-12);
    ASSERT_NEAR(resi_s3_pct(&p.s3, false, 60, 10 * MiB), 80, 1e-12);   /* bonus starts at 0 */
    ASSERT_NEAR(resi_s3_pct(&p.s3, true, 100, 100 * MiB), 70, 1e-12);  /* 0 + 50 + 20 */
    ASSERT_NEAR(resi_s3_pct(&p.s3, false, 100, 20 * MiB), 106.02059991327963, 1e-12);
    ASSERT_NEAR(resi_s3_pct(&p.s3, false, 0, 10 * MiB - 1), 50, 0);
    ASSERT(resi_s3_passed(&p.s3, false, 60));
    ASSERT(!resi_s3_passed(&p.s3, false, 59.999));
    ASSERT(!resi_s3_passed(&p.s3, true, 100));
}

TEST_IMPL(resi_age_scalar_edges)
{
    resi_val_params p = params();
    ASSERT_NEAR(resi_age_scalar(&p, 0), 1.0, 0);
    ASSERT_NEAR(resi_age_scalar(&p, 360), 0.75, 0);
    ASSERT_NEAR(resi_age_scalar(&p, 720), 0.5, 0);
    ASSERT_NEAR(resi_age_scalar(&p, 721), 0.0, 0);
    ASSERT_NEAR(resi_age_scalar(&p, -3), 1.0, 0);   /* future data counts as new */
}

static world *load_world(void)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/data", test_source_dir());
    world_params wp = world_profile_find("resi-2025-09")->world;
    wp.data_dir = dir;
    world *w;
    err e;
    if (world_new(&wp, 42, &w, &e))
        TEST_FAIL_("world_new: %s", e.msg);
    return w;
}

static int32_t wm_of(const world *w, const int32_t *wm, const char *zip)
{
    int i = world_zip_find(w, zip);
    ASSERT(i >= 0);
    return wm[i];
}

TEST_IMPL(resi_desirability_modes)
{
    world *w = load_world();
    size_t n = world_zip_count(w);
    int32_t *wm = calloc(n, sizeof *wm), deflt;
    resi_val_params p = params();
    err e;
    /* as deployed: only the ten premium jobs match; everything else 0.3 */
    ASSERT_OK(resi_jobs_build(&p, w, wm, &deflt, &e));
    ASSERT_EQ_INT(deflt, 300);
    ASSERT_EQ_INT(wm_of(w, wm, "77494"), 4000);
    ASSERT_EQ_INT(wm_of(w, wm, "77433"), 4000);
    size_t premium = 0;
    for (size_t i = 0; i < n; i++) {
        ASSERT(wm[i] == 4000 || wm[i] == 300);
        premium += wm[i] == 4000;
    }
    ASSERT_EQ_INT(premium, 10);
    /* as designed: tiers by rank (rank 1 is tier 1: 3.0), premium 4.0 */
    p.desirability = RESI_DESIRABILITY_AS_DESIGNED;
    ASSERT_OK(resi_jobs_build(&p, w, wm, &deflt, &e));
    ASSERT_EQ_INT(wm_of(w, wm, "77494"), 4000);
    ASSERT_EQ_INT(wm[0], world_zip_at(w, 0)->premium ? 4000 : 3000);
    const world_zip *last = world_zip_at(w, n - 1);
    ASSERT_EQ_INT(wm[n - 1], last->premium ? 4000 : 1000);
    for (size_t i = 0; i < n; i++) {
        const world_zip *z = world_zip_at(w, i);
        ASSERT_EQ_INT(wm[i], z->premium ? 4000 : z->tier == 1 ? 3000 : z->tier == 2 ? 2000
                                                 : z->tier == 3 ? 1500 : 1000);
    }
    free(wm);
    world_free(w);
}

TEST_IMPL(resi_extra_jobs_replace_and_the_aggregate_floor_gives_0_31)
{
    world *w = load_world();
    int32_t *wm = calloc(world_zip_count(w), sizeof *wm), deflt;
    resi_val_params p = params();
    /* two ordinary zips (ranks 3000 and 5000) and a premium one */
    char a[10], b[10];
    snprintf(a, sizeof a, "zip:%s", world_zip_at(w, 2999)->zip);
    snprintf(b, sizeof b, "zip:%s", world_zip_at(w, 4999)->zip);
    scenario_map_entry jobs[] = {{a, 2.5}, {"zip:77494", 0.1}, {b, -1}};
    p.jobs.v = jobs;
    p.jobs.n = 3;
    err e;
    ASSERT_OK(resi_jobs_build(&p, w, wm, &deflt, &e));
    ASSERT_EQ_INT(wm[2999], 2500);
    ASSERT_EQ_INT(wm_of(w, wm, "77494"), 310);   /* below 0.3: floored to 0.31 */
    ASSERT_EQ_INT(wm[4999], 310);
    ASSERT_EQ_INT(wm[3999], 300);                /* not listed: the default */
    ASSERT_EQ_INT(wm_of(w, wm, "77449"), 4000);
    scenario_map_entry bad[] = {{"zip:00000", 1}};
    p.jobs.v = bad;
    p.jobs.n = 1;
    ASSERT_EQ_INT(resi_jobs_build(&p, w, wm, &deflt, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "outside the universe");
    free(wm);
    world_free(w);
}
