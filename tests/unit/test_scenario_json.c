/* The effective scenario as canonical JSON: load -> to_json -> load gives the
 * same scenario, so a run can store it and be reproduced from it exactly. */
#include "scenario/scenario.h"
#include "test.h"

static const char *rich =
    "{\n"
    "  \"$schema\": \"scenario.schema.json\",\n"
    "  /* every kind of value the core has */\n"
    "  \"description\": \"tabs\\tand \\\"quotes\\\" and \\u00e9\",\n"
    "  \"seed\": 9007199254740992,\n"
    "  \"profile\": \"localnet-fast\",\n"
    "  \"epochs\": 40,\n"
    "  \"chain\": {\"block_time\": \"1500ms\", \"owner_cut\": 0},\n"
    "  \"subnets\": [{\"netuid\": 3, \"owner\": \"own\", \"liquid_alpha\": true}, {\"netuid\": 4}],\n"
    "  \"validators\": [\n"
    "    {\"name\": \"own\", \"stake\": 0.1, \"coldkey\": \"ck\"},\n"
    "    {\"name\": \"s\", \"register_at\": \"90s\", \"policy\": {\"kind\": \"scripted\", \"schedule\": [\n"
    "      {\"from_epoch\": 0, \"weights\": {\"m\": 1, \"q-1\": 1e-7}},\n"
    "      {\"from_epoch\": 10, \"weights\": {\"7\": 123456.789}}]}},\n"
    "    {\"name\": \"d\", \"subnet\": 4, \"policy\": {\"kind\": \"deviate\", \"at_epochs\": [3, 1], \"weights\": {\"z\": 1}}},\n"
    "    {\"name\": \"l\", \"policy\": \"lazy\"}\n"
    "  ],\n"
    "  \"miners\": [\n"
    "    {\"name\": \"m\", \"count\": 5, \"quality\": 0.3333333333333333, \"quality_spread\": 0.2,\n"
    "     \"quality_changes\": [{\"from_epoch\": 5, \"quality\": 0}]},\n"
    "    {\"name\": \"q\", \"count\": 2, \"register_at\": 7200},\n"
    "    {\"name\": \"z\", \"subnet\": 4}\n"
    "  ],\n"
    "  \"thresholds\": [{\"metric\": \"dividends\", \"where\": {\"group\": \"s\"}, \"op\": \"!=\", \"value\": -1e300},\n"
    "                 {\"name\": \"t2\", \"metric\": \"stake\", \"where\": {\"hotkey\": \"q-0\", \"netuid\": 3},\n"
    "                  \"epochs\": \"mean\", \"op\": \"<\", \"value\": 5}],\n"
    "  \"record\": {\"bonds_every_epochs\": 10}\n"
    "}\n";

static char *effective(const char *name, const char *text, const scenario_opts *o, scenario **keep)
{
    scenario *s;
    err e;
    if (scenario_parse(name, text, strlen(text), o, &s, &e))
        TEST_FAIL_("%s", e.msg);
    char *json;
    ASSERT_OK(scenario_to_json(s, &json, &e));
    if (keep)
        *keep = s;
    else
        scenario_free(s);
    return json;
}

TEST_IMPL(load_to_json_load_is_a_fixed_point)
{
    scenario *a, *b;
    char *j1 = effective("rich.json", rich, NULL, &a);
    char *j2 = effective("other-name.json", j1, NULL, &b);
    ASSERT_STR_EQ(j2, j1);
    /* Field by field, the values survive the trip. */
    ASSERT_EQ_U64(b->seed, 9007199254740992ULL);
    ASSERT_STR_EQ(b->name, "rich");
    ASSERT_STR_EQ(b->description, a->description);
    ASSERT_EQ_INT(b->epochs, 40);
    ASSERT_EQ_INT(b->duration_us, 0);
    ASSERT_EQ_INT(b->chain.block_time_us, 1500000);
    ASSERT_EQ_INT(b->subnets.v[0].tempo, 10);   /* from the profile, now explicit */
    ASSERT(b->subnets.v[0].liquid_alpha);
    ASSERT_NEAR(b->validators.v[0].stake, 0.1, 0);
    ASSERT_STR_EQ(b->validators.v[0].coldkey, "ck");
    ASSERT_EQ_INT(b->validators.v[1].register_at.us, 90000000);
    const scenario_policy_scripted *p = b->validators.v[1].policy.cfg;
    ASSERT_NEAR(p->schedule.v[0].weights.v[1].value, 1e-7, 0);
    ASSERT_NEAR(p->schedule.v[1].weights.v[0].value, 123456.789, 0);
    ASSERT_NEAR(b->miners.v[0].quality, 1.0 / 3, 0);
    ASSERT(b->miners.v[1].register_at.at_block && b->miners.v[1].register_at.block == 7200);
    ASSERT_NEAR(b->thresholds.v[0].value, -1e300, 0);
    ASSERT_EQ_INT(b->thresholds.v[1].epochs, SCENARIO_OVER_MEAN);
    ASSERT_EQ_INT(b->record.bonds_every_epochs, 10);
    free(j1);
    free(j2);
    scenario_free(a);
    scenario_free(b);
}

TEST_IMPL(canonical_form_is_stable_and_readable)
{
    char *j = effective("rich.json", rich, NULL, NULL);
    const char *head = "{\n  \"$schema\": \"scenario.schema.json\",\n  \"name\": \"rich\",\n";
    ASSERT(strncmp(j, head, strlen(head)) == 0);
    ASSERT_CONTAINS(j, "\"description\": \"tabs\\tand \\\"quotes\\\" and \xc3\xa9\"");
    ASSERT_CONTAINS(j, "\"seed\": 9007199254740992,");
    ASSERT_CONTAINS(j, "\"epochs\": 40,");
    ASSERT(!strstr(j, "\"duration\""));   /* epochs given: no duration */
    ASSERT_CONTAINS(j, "\"block_time\": \"1500ms\"");
    ASSERT_CONTAINS(j, "\"stake\": 0.1,");
    ASSERT_CONTAINS(j, "\"quality\": 0.3333333333333333,");
    ASSERT_CONTAINS(j, "\"q-1\": 1e-07");
    ASSERT_CONTAINS(j, "\"at_epochs\": [3, 1],");
    ASSERT_CONTAINS(j, "\"register_at\": \"90s\"");
    ASSERT_CONTAINS(j, "\"value\": -1e+300");
    ASSERT_CONTAINS(j, "\"policy\": {\n        \"kind\": \"lazy\",\n        \"every_epochs\": 4,");
    ASSERT(j[strlen(j) - 1] == '\n');
    free(j);
}

TEST_IMPL(overrides_are_part_of_the_effective_scenario)
{
    const char *sets[] = {"validators[0].stake=5", "subnets[1].kappa=1"};
    scenario_opts o = {.sets = sets, .nsets = 2, .has_seed = true, .seed = 11};
    char *j1 = effective("rich.json", rich, &o, NULL);
    char *j2 = effective("again.json", j1, NULL, NULL);
    ASSERT_STR_EQ(j2, j1);
    ASSERT_CONTAINS(j1, "\"seed\": 11,");
    ASSERT_CONTAINS(j1, "\"kappa\": 1,");
    free(j1);
    free(j2);
}

TEST_IMPL(defaults_round_trip_too)
{
    char *j1 = effective("min.json", "{}", NULL, NULL);
    char *j2 = effective("min2.json", j1, NULL, NULL);
    ASSERT_STR_EQ(j2, j1);
    ASSERT_CONTAINS(j1, "\"duration\": \"1d\"");
    ASSERT_CONTAINS(j1, "\"validators\": [],");
    free(j1);
    free(j2);
}
