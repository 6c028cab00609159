/* --set PATH=VALUE and --seed: edits before binding, errors that name them. */
#include "scenario/scenario.h"
#include "test.h"

static const char *base = "{\n"
                          "  \"validators\": [\n"
                          "    {\"name\": \"v\", \"stake\": 100},\n"
                          "    {\"name\": \"w\", \"policy\": \"honest\"}\n"
                          "  ],\n"
                          "  \"miners\": [{\"name\": \"m\", \"count\": 3}]\n"
                          "}\n";

static int load_with(const char *text, const char *const *sets, size_t n, scenario **s, err *e)
{
    scenario_opts o = {.sets = sets, .nsets = n};
    return scenario_parse("x.json", text, strlen(text), &o, s, e);
}

static scenario *set_ok(const char *const *sets, size_t n)
{
    scenario *s;
    err e;
    if (load_with(base, sets, n, &s, &e))
        TEST_FAIL_("%s", e.msg);
    return s;
}

static const char *set_fails(const char *spec)
{
    static err e;
    scenario *s;
    const char *sets[] = {spec};
    if (load_with(base, sets, 1, &s, &e) == 0)
        TEST_FAIL_("--set %s loaded", spec);
    ASSERT_EQ_INT(e.code, ERR_INPUT);
    return e.msg;
}

TEST_IMPL(values_replace_what_the_file_says)
{
    const char *sets[] = {"validators[1].stake=500", "subnets[0].yuma3=false", "duration=2d",
                          "name=run-7", "description=\"quoted\"", "validators[0].stake=7",
                          "miners[0]={\"name\": \"n\"}"};
    scenario *s = set_ok(sets, 7);
    ASSERT_NEAR(s->validators.v[1].stake, 500, 0);
    ASSERT_NEAR(s->validators.v[0].stake, 7, 0);
    ASSERT_STR_EQ(s->validators.v[0].name, "v");
    ASSERT_EQ_INT(s->validators.n, 2);
    ASSERT_EQ_INT(s->miners.n, 1);
    ASSERT_STR_EQ(s->miners.v[0].name, "n");
    ASSERT(!s->subnets.v[0].yuma3);                /* "subnets" was absent: its default, then this */
    ASSERT_EQ_INT(s->subnets.v[0].netuid, 1);
    ASSERT_EQ_INT(s->duration_us, 2LL * 86400 * 1000000);
    ASSERT_STR_EQ(s->name, "run-7");               /* not JSON: a string */
    ASSERT_STR_EQ(s->description, "quoted");       /* JSON: its value */
    ASSERT(memcmp(s->text, base, strlen(base)) == 0);   /* the file as read, for the run */
    scenario_free(s);
}

TEST_IMPL(paths_reach_into_variants_and_maps)
{
    const char *sets[] = {"validators[1].policy.noise=0.2", "validators[0].policy={\"kind\":\"lazy\"}",
                          "validators[0].policy.every_epochs=9", "chain.block_time=250ms"};
    scenario *s = set_ok(sets, 4);
    ASSERT_NEAR(((const scenario_policy_honest *)s->validators.v[1].policy.cfg)->noise, 0.2, 0);
    ASSERT_STR_EQ(s->validators.v[0].policy.kind->name, "lazy");
    ASSERT_EQ_INT(((const scenario_policy_lazy *)s->validators.v[0].policy.cfg)->every_epochs, 9);
    ASSERT_EQ_INT(s->chain.block_time_us, 250000);
    scenario_free(s);
    const char *sets2[] = {"validators[0].policy={\"kind\":\"scripted\",\"schedule\":[{\"from_epoch\":0,\"weights\":{\"m\":1}}]}",
                           "validators[0].policy.schedule[0].weights.m-2=3"};
    s = set_ok(sets2, 2);
    const scenario_policy_scripted *p = s->validators.v[0].policy.cfg;
    ASSERT_EQ_INT(p->schedule.v[0].weights.n, 2);
    ASSERT_STR_EQ(p->schedule.v[0].weights.v[1].key, "m-2");
    ASSERT_NEAR(p->schedule.v[0].weights.v[1].value, 3, 0);
    scenario_free(s);
}

TEST_IMPL(elements_append_and_null_removes)
{
    const char *sets[] = {"miners[1]={\"name\": \"new\", \"register_at\": \"3h\"}",
                          "validators[0]=null", "miners[0].quality=null"};
    scenario *s = set_ok(sets, 3);
    ASSERT_EQ_INT(s->miners.n, 2);
    ASSERT_STR_EQ(s->miners.v[1].name, "new");
    ASSERT_EQ_INT(s->validators.n, 1);
    ASSERT_STR_EQ(s->validators.v[0].name, "w");
    ASSERT_NEAR(s->miners.v[0].quality, 0.5, 0);
    scenario_free(s);
    const char *sets2[] = {"miners[1].name=late", "miners[1].register_at=100"};
    s = set_ok(sets2, 2);
    ASSERT_EQ_INT(s->miners.n, 2);
    ASSERT(s->miners.v[1].register_at.at_block && s->miners.v[1].register_at.block == 100);
    scenario_free(s);
}

TEST_IMPL(bad_paths_name_the_set_and_suggest)
{
    ASSERT_STR_EQ(set_fails("validators[1].stke=5"),
                  "--set validators[1].stke=5: validators[1]: unknown key \"stke\"; did you mean \"stake\"?");
    ASSERT_STR_EQ(set_fails("subnets[0].yuam3=false"),
                  "--set subnets[0].yuam3=false: subnets[0]: unknown key \"yuam3\"; did you mean \"yuma3\"?");
    ASSERT_STR_EQ(set_fails("validators[5].stake=1"),
                  "--set validators[5].stake=1: validators: has 2 elements: [5] is past the end (use [2] "
                  "to add one)");
    ASSERT_STR_EQ(set_fails("seed.x=1"), "--set seed.x=1: seed: is not an object");
    ASSERT_STR_EQ(set_fails("miners.name=1"), "--set miners.name=1: miners: is not an object");
    ASSERT_STR_EQ(set_fails("chain[0]=1"), "--set chain[0]=1: chain: is not an array");
    ASSERT_CONTAINS(set_fails("stake"), "--set stake: expected PATH=VALUE");
    ASSERT_CONTAINS(set_fails("=5"), "--set =5: expected PATH=VALUE");
    ASSERT_CONTAINS(set_fails("a..b=1"), "bad path \"a..b\": expected a key at character 3");
    ASSERT_CONTAINS(set_fails("a[x]=1"), "bad path \"a[x]\": expected [INDEX] at character 2");
    ASSERT_CONTAINS(set_fails("validators[0].policy.kind=nope"),
                    "--set validators[0].policy.kind=nope: validators[0].policy.kind: unknown "
                    "validator.policy \"nope\"");
    ASSERT_CONTAINS(set_fails("validators[0].policy.every_epochs=2"),
                    "validators[0].policy: unknown key \"every_epochs\"");
}

TEST_IMPL(bad_values_name_the_set)
{
    ASSERT_STR_EQ(set_fails("validators[1].stake=lots"),
                  "--set validators[1].stake=lots: validators[1].stake: expected a number between 0 and "
                  "21000000, got \"lots\"");
    ASSERT_STR_EQ(set_fails("duration=5 minutes"),
                  "--set duration=5 minutes: duration: expected a duration such as \"250ms\", \"90s\", "
                  "\"5m\", \"24h\" or \"30d\", got \"5 minutes\"");
    ASSERT_STR_EQ(set_fails("validators[0]={\"name\": \"z\", \"cnt\": 2}"),
                  "--set validators[0]={\"name\": \"z\", \"cnt\": 2}: validators[0]: unknown key \"cnt\"; did "
                  "you mean \"count\"?");
    /* A rule across fields that the --set broke names the --set too. */
    ASSERT_STR_EQ(set_fails("validators[1].count=64"),
                  "--set validators[1].count=64: validators[1].count: subnet 1 would have 65 validators, "
                  "more than its 64 validator slots (max_allowed_validators)");
}

TEST_IMPL(the_profile_is_set_before_the_rest)
{
    /* subnets[0] is written from defaults by the first --set; they must be the profile's. */
    const char *sets[] = {"subnets[0].kappa=100", "profile=localnet-fast"};
    scenario *s = set_ok(sets, 2);
    ASSERT_EQ_INT(s->subnets.v[0].tempo, 10);
    ASSERT_EQ_INT(s->subnets.v[0].kappa, 100);
    ASSERT_STR_EQ(s->profile, "localnet-fast");
    scenario_free(s);
    ASSERT_CONTAINS(set_fails("profile=localnet-fats"),
                    "--set profile=localnet-fats: profile: unknown profile \"localnet-fats\"; did you mean "
                    "\"localnet-fast\"?");
}

TEST_IMPL(seed_overrides_the_file)
{
    scenario_opts o = {.has_seed = true, .seed = 7};
    scenario *s;
    err e;
    const char *doc = "{\"seed\": 3}";
    ASSERT_OK(scenario_parse("x.json", doc, strlen(doc), &o, &s, &e));
    ASSERT_EQ_INT(s->seed, 7);
    scenario_free(s);
    o.seed = -1;
    ASSERT_EQ_INT(scenario_parse("x.json", doc, strlen(doc), &o, &s, &e), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "--seed -1: seed: expected an integer >= 0, got -1");
}

TEST_IMPL(file_errors_keep_their_positions_beside_sets)
{
    scenario *s;
    err e;
    const char *sets[] = {"validators[0].stake=5"};
    const char *doc = "{\"validators\": [{\"name\": \"v\"}],\n \"miners\": [{\"name\": \"m\", \"quality\": 2}]}";
    ASSERT_EQ_INT(load_with(doc, sets, 1, &s, &e), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "x.json:2:38: miners[0].quality: expected a number between 0 and 1, got 2");
}

TEST_IMPL(a_replaced_value_keeps_its_place_in_the_file)
{
    /* Errors come in file order: the --set value stands where "seed" stood,
     * before the unknown key, so its error is the one reported. */
    scenario *s;
    err e;
    const char *sets[] = {"seed=lots"};
    ASSERT_EQ_INT(load_with("{\"seed\": 3, \"zz\": 1}", sets, 1, &s, &e), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "--set seed=lots: seed: expected an integer >= 0, got \"lots\"");
    ASSERT_EQ_INT(load_with("{\"a\": 0, \"seed\": 3}", sets, 1, &s, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "x.json:1:2: unknown key \"a\"");
    const char *sets2[] = {"miners[1]={\"name\": \"b\", \"zz\": 1}"};
    ASSERT_EQ_INT(load_with("{\"miners\": [{\"name\": \"a\"}, {\"name\": \"c\"}, {\"qq\": 1}]}", sets2, 1, &s, &e),
                  ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "--set miners[1]={\"name\": \"b\", \"zz\": 1}: miners[1]: unknown key \"zz\"");
}
