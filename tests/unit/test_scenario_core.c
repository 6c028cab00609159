/* The Core schema: SPEC section 1's values as defaults, and the rules that
 * span fields (slots, names, hotkeys, references). */
#include "scenario/scenario.h"
#include "test.h"

static scenario *load(const char *text, err *e)
{
    scenario *s = NULL;
    int r = scenario_parse("x.json", text, strlen(text), NULL, &s, e);
    ASSERT((r == 0) == (s != NULL));
    return s;
}

static const char *fails(const char *text)
{
    static err e;
    scenario *s = load(text, &e);
    if (s)
        TEST_FAIL_("loaded, expected an error: %s", text);
    return e.msg;
}

TEST_IMPL(defaults_are_the_chain_values_of_spec_section_1)
{
    err e;
    scenario *s = load("{}", &e);
    ASSERT(s);
    ASSERT_STR_EQ(s->name, "x");
    ASSERT_EQ_INT(s->seed, 42);
    ASSERT(s->profile == NULL);
    ASSERT_EQ_INT(s->duration_us, 86400LL * 1000000);
    ASSERT_EQ_INT(s->epochs, 0);
    ASSERT_EQ_INT(s->chain.block_time_us, 12000000);
    ASSERT_EQ_INT(s->chain.block_emission_rao, 1000000000);
    ASSERT_EQ_INT(s->chain.owner_cut, 11796);
    ASSERT_EQ_INT(s->subnets.n, 1);
    const scenario_subnet *n = &s->subnets.v[0];
    ASSERT_EQ_INT(n->netuid, 1);
    ASSERT_EQ_INT(n->tempo, 360);
    ASSERT_EQ_INT(n->max_allowed_uids, 256);
    ASSERT_EQ_INT(n->max_allowed_validators, 64);
    ASSERT_EQ_INT(n->immunity_period, 5000);
    ASSERT_EQ_INT(n->min_allowed_weights, 1);
    ASSERT_EQ_INT(n->weights_rate_limit, 100);
    ASSERT_EQ_INT(n->kappa, 32767);
    ASSERT_EQ_INT(n->bonds_moving_average, 900000);
    ASSERT_EQ_INT(n->bonds_penalty, 65535);
    ASSERT(n->yuma3);
    ASSERT(!n->liquid_alpha);
    ASSERT_EQ_INT(n->alpha_low, 45875);
    ASSERT_EQ_INT(n->alpha_high, 58982);
    ASSERT_EQ_INT(n->alpha_sigmoid_steepness, 1000);
    ASSERT_EQ_INT(n->activity_cutoff, 5000);
    ASSERT(n->commit_reveal);
    ASSERT_EQ_INT(n->reveal_period_epochs, 1);
    ASSERT_EQ_INT(n->min_non_immune_uids, 10);
    ASSERT_NEAR(n->validator_permit_stake, 10000, 0);
    ASSERT(n->owner == NULL);
    ASSERT(s->record.epochs);
    ASSERT_EQ_INT(s->record.weights_every_epochs, 1);
    ASSERT_EQ_INT(s->record.bonds_every_epochs, 0);
    scenario_free(s);
}

TEST_IMPL(groups_default_their_subnet_policy_and_strategy)
{
    err e;
    scenario *s = load("{\"subnets\": [{\"netuid\": 7}, {\"netuid\": 9}],"
                       " \"validators\": [{\"name\": \"v\", \"count\": 2}],"
                       " \"miners\": [{\"name\": \"m\", \"subnet\": 9, \"register_at\": \"1h\"}]}",
                       &e);
    ASSERT(s);
    const scenario_validator *v = &s->validators.v[0];
    ASSERT_EQ_INT(v->subnet, 7);
    ASSERT_NEAR(v->stake, 10000, 0);
    ASSERT(v->register_at.at_block && v->register_at.block == 0);
    ASSERT(v->coldkey == NULL);
    ASSERT_STR_EQ(v->policy.kind->name, "honest");
    ASSERT(scenario_kind_is(v->policy.kind, &scenario_core, SCENARIO_POLICY_HONEST));
    ASSERT_NEAR(((const scenario_policy_honest *)v->policy.cfg)->noise, 0.05, 0);
    const scenario_miner *m = &s->miners.v[0];
    ASSERT_EQ_INT(m->subnet, 9);
    ASSERT(!m->register_at.at_block && m->register_at.us == 3600000000LL);
    ASSERT_NEAR(m->quality, 0.5, 0);
    ASSERT_EQ_INT(m->strategy.kind->id, SCENARIO_STRATEGY_PASSIVE);
    scenario_free(s);
}

TEST_IMPL(every_policy_kind_binds)
{
    err e;
    scenario *s = load(
        "{\"miners\": [{\"name\": \"m\", \"count\": 3}, {\"name\": \"solo\"}],"
        " \"validators\": ["
        "  {\"name\": \"a\", \"policy\": {\"kind\": \"scripted\", \"schedule\": ["
        "     {\"from_epoch\": 0, \"weights\": {\"m\": 1}},"
        "     {\"from_epoch\": 5, \"weights\": {\"m-2\": 1, \"solo\": 2, \"17\": 0.5}}]}},"
        "  {\"name\": \"b\", \"policy\": \"copier\"},"
        "  {\"name\": \"c\", \"policy\": {\"kind\": \"lazy\", \"every_epochs\": 3, \"delay_blocks\": 200}},"
        "  {\"name\": \"d\", \"policy\": {\"kind\": \"deviate\", \"at_epochs\": [4, 9], \"weights\": {\"solo\": 1}}}]}",
        &e);
    ASSERT(s);
    const scenario_policy_scripted *sc = s->validators.v[0].policy.cfg;
    ASSERT_EQ_INT(sc->schedule.n, 2);
    ASSERT_EQ_INT(sc->schedule.v[1].from_epoch, 5);
    ASSERT_STR_EQ(sc->schedule.v[1].weights.v[2].key, "17");
    ASSERT_EQ_INT(s->validators.v[1].policy.kind->id, SCENARIO_POLICY_COPIER);
    ASSERT_NEAR(((const scenario_policy_copier *)s->validators.v[1].policy.cfg)->noise, 0, 0);
    const scenario_policy_lazy *lz = s->validators.v[2].policy.cfg;
    ASSERT_EQ_INT(lz->every_epochs, 3);
    ASSERT_EQ_INT(lz->delay_blocks, 200);
    ASSERT_EQ_INT(lz->first_epoch, 0);
    const scenario_policy_deviate *dv = s->validators.v[3].policy.cfg;
    ASSERT_EQ_INT(dv->at_epochs.n, 2);
    ASSERT_EQ_INT(dv->at_epochs.v[1], 9);
    scenario_free(s);
}

TEST_IMPL(hotkeys_and_targets)
{
    char hk[64];
    scenario_hotkey("m", 3, 2, hk, sizeof hk);
    ASSERT_STR_EQ(hk, "m-2");
    scenario_hotkey("solo", 1, 0, hk, sizeof hk);
    ASSERT_STR_EQ(hk, "solo");
    err e;
    scenario *s = load("{\"validators\": [{\"name\": \"v\"}], \"miners\": [{\"name\": \"m\", \"count\": 12},"
                       " {\"name\": \"m-x\"}]}",
                       &e);
    ASSERT(s);
    scenario_target t;
    ASSERT_OK(scenario_target_find(s, "m-11", &t));
    ASSERT(t.kind == SCENARIO_TARGET_HOTKEY && t.is_miner && t.group == 0 && t.member == 11);
    ASSERT_OK(scenario_target_find(s, "m", &t));
    ASSERT(t.kind == SCENARIO_TARGET_GROUP);
    ASSERT_OK(scenario_target_find(s, "v", &t));
    ASSERT(t.kind == SCENARIO_TARGET_HOTKEY && !t.is_miner && t.member == 0);
    ASSERT_OK(scenario_target_find(s, "m-x", &t));
    ASSERT(t.kind == SCENARIO_TARGET_HOTKEY && t.group == 1);
    ASSERT_OK(scenario_target_find(s, "200", &t));
    ASSERT(t.kind == SCENARIO_TARGET_UID && t.uid == 200);
    ASSERT_EQ_INT(scenario_target_find(s, "m-12", &t), ERR_NOTFOUND);
    ASSERT_EQ_INT(scenario_target_find(s, "m-01", &t), ERR_NOTFOUND);
    ASSERT_EQ_INT(scenario_target_find(s, "v-0", &t), ERR_NOTFOUND);
    scenario_free(s);
}

TEST_IMPL(more_validators_than_slots_is_an_error_at_the_group)
{
    ASSERT_STR_EQ(fails("{\"validators\": [{\"name\": \"a\", \"count\": 60},\n"
                        "  {\"name\": \"b\", \"count\": 5}]}"),
                  "x.json:2:26: validators[1].count: subnet 1 would have 65 validators, more than its "
                  "64 validator slots (max_allowed_validators)");
    /* A bigger max makes room; other subnets do not count. */
    err e;
    scenario *s = load("{\"subnets\": [{\"netuid\": 1, \"max_allowed_validators\": 65}, {\"netuid\": 2}],"
                       " \"validators\": [{\"name\": \"a\", \"count\": 60}, {\"name\": \"b\", \"count\": 5},"
                       " {\"name\": \"c\", \"count\": 64, \"subnet\": 2}]}",
                       &e);
    ASSERT(s);
    scenario_free(s);
}

TEST_IMPL(more_neurons_at_the_start_than_uids_is_an_error)
{
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"a\", \"count\": 250}, {\"name\": \"b\", \"count\": 7}]}"),
                    "x.json:1:65: miners[1].count: subnet 1 would start with 257 neurons, more than its "
                    "256 uid slots (max_allowed_uids)");
    /* Registering later is how a subnet fills up and replaces neurons. */
    err e;
    scenario *s = load("{\"miners\": [{\"name\": \"a\", \"count\": 256}, {\"name\": \"late\", \"register_at\": 100},"
                       " {\"name\": \"later\", \"register_at\": \"1h\"}]}",
                       &e);
    ASSERT(s);
    scenario_free(s);
    ASSERT_CONTAINS(fails("{\"subnets\": [{\"netuid\": 1, \"max_allowed_uids\": 10}]}"),
                    "subnets[0].max_allowed_validators: more validator permits (64) than uid slots");
}

TEST_IMPL(group_names_are_unique_and_hotkeys_do_not_collide)
{
    ASSERT_STR_EQ(fails("{\"validators\": [{\"name\": \"a\"}], \"miners\": [{\"name\": \"a\"}]}"),
                  "x.json:1:53: miners[0].name: name \"a\" is taken by validators[0]");
    ASSERT_STR_EQ(fails("{\"miners\": [{\"name\": \"m\", \"count\": 4}, {\"name\": \"m-3\"}]}"),
                  "x.json:1:49: miners[1].name: hotkey \"m-3\" is also a member of group \"m\" (miners[0])");
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"9m\"}]}"), "miners[0].name: a group name starts with a letter");
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"a.b\"}]}"),
                    "a group name holds letters, digits, '_' and '-' only, got \"a.b\"");
    err e;
    scenario *s = load("{\"miners\": [{\"name\": \"m\", \"count\": 4}, {\"name\": \"m-4\"}, {\"name\": \"m-03\"}]}", &e);
    ASSERT(s);
    scenario_free(s);
}

TEST_IMPL(references_must_name_what_exists)
{
    ASSERT_STR_EQ(fails("{\"miners\": [{\"name\": \"m\", \"subnet\": 3}]}"),
                  "x.json:1:37: miners[0].subnet: no subnet has netuid 3");
    ASSERT_STR_EQ(fails("{\"subnets\": [{\"netuid\": 1}, {\"netuid\": 1}]}"),
                  "x.json:1:40: subnets[1].netuid: netuid 1 is already subnets[0]'s");
    ASSERT_CONTAINS(fails("{\"subnets\": []}"), "subnets: a scenario needs at least one subnet");
    ASSERT_STR_EQ(fails("{\"subnets\": [{\"netuid\": 1, \"owner\": \"ownr\"}], \"validators\": [{\"name\": \"owner\"}]}"),
                  "x.json:1:37: subnets[0].owner: no neuron is called \"ownr\"; did you mean \"owner\"?");
    ASSERT_CONTAINS(fails("{\"thresholds\": [{\"metric\": \"stake\", \"where\": {\"group\": \"nope\"}, \"op\": \">\", \"value\": 1}]}"),
                    "thresholds[0].where.group: no validator or miner group is called \"nope\"");
    ASSERT_CONTAINS(fails("{\"thresholds\": [{\"metric\": \"stake\", \"where\": {\"netuid\": 2}, \"op\": \">\", \"value\": 1}]}"),
                    "thresholds[0].where.netuid: no subnet has netuid 2");
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"m\"}], \"thresholds\": [{\"metric\": \"stake\","
                          " \"where\": {\"group\": \"m\", \"hotkey\": \"m\"}, \"op\": \">\", \"value\": 1}]}"),
                    "where.hotkey: give group or hotkey, not both");
}

TEST_IMPL(weight_targets_are_checked_at_their_keys)
{
    const char *head = "{\"subnets\": [{\"netuid\": 1}, {\"netuid\": 2}], \"miners\": [{\"name\": \"m\", \"count\": 3},"
                       " {\"name\": \"far\", \"subnet\": 2}], \"validators\": [{\"name\": \"v\", \"policy\":"
                       " {\"kind\": \"scripted\", \"schedule\": [{\"from_epoch\": 0, \"weights\": {\n";
    char doc[1024];
    snprintf(doc, sizeof doc, "%s  \"m-3\": 1}}]}}]}", head);
    ASSERT_STR_EQ(fails(doc), "x.json:2:3: validators[0].policy.schedule[0].weights.m-3: group \"m\" has 3 "
                              "members: m-0 .. m-2");
    snprintf(doc, sizeof doc, "%s  \"far\": 1}}]}}]}", head);
    ASSERT_CONTAINS(fails(doc), "2:3: validators[0].policy.schedule[0].weights.far: \"far\" is in subnet 2, not 1");
    snprintf(doc, sizeof doc, "%s  \"256\": 1}}]}}]}", head);
    ASSERT_CONTAINS(fails(doc), "weights.256: uid 256 is past subnet 1's 256 uid slots");
    snprintf(doc, sizeof doc, "%s  \"mm\": 1}}]}}]}", head);
    ASSERT_CONTAINS(fails(doc), "weights.mm: no neuron, group or uid is called \"mm\"; did you mean \"m\"?");
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"m\"}], \"validators\": [{\"name\": \"v\", \"policy\": {\"kind\": \"deviate\","
                          " \"at_epochs\": [1], \"weights\": {\"q\": 1}}}]}"),
                    "validators[0].policy.weights.q: no neuron, group or uid is called \"q\"");
}

TEST_IMPL(schedules_run_forward)
{
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"m\"}], \"validators\": [{\"name\": \"v\", \"policy\": {\"kind\": \"scripted\","
                          " \"schedule\": [{\"from_epoch\": 3, \"weights\": {\"m\": 1}}, {\"from_epoch\": 3, \"weights\": {\"m\": 2}}]}}]}"),
                    "validators[0].policy.schedule[1].from_epoch: must come after the step before it (from_epoch 3)");
    ASSERT_CONTAINS(fails("{\"miners\": [{\"name\": \"m\", \"quality_changes\": [{\"from_epoch\": 5, \"quality\": 0.1},"
                          " {\"from_epoch\": 2, \"quality\": 0.9}]}]}"),
                    "miners[0].quality_changes[1].from_epoch: must come after the change before it (from_epoch 5)");
}

TEST_IMPL(duration_or_epochs_not_both)
{
    err e;
    scenario *s = load("{\"epochs\": 30}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(s->epochs, 30);
    ASSERT_EQ_INT(s->duration_us, 0);
    scenario_free(s);
    s = load("{\"duration\": \"30d\"}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(s->duration_us, 30LL * 86400 * 1000000);
    scenario_free(s);
    ASSERT_STR_EQ(fails("{\"duration\": \"30d\",\n \"epochs\": 3}"),
                  "x.json:2:12: epochs: give duration or epochs, not both");
}

TEST_IMPL(the_name_defaults_to_the_file_name)
{
    err e;
    scenario *s = NULL;
    ASSERT_OK(scenario_parse("scenarios/copier-vs-cr.json", "{}", 2, NULL, &s, &e));
    ASSERT_STR_EQ(s->name, "copier-vs-cr");
    ASSERT_STR_EQ(s->path, "scenarios/copier-vs-cr.json");
    ASSERT_EQ_INT(s->text_len, 2);
    ASSERT(memcmp(s->text, "{}", 2) == 0);
    scenario_free(s);
    ASSERT_OK(scenario_parse("x", "{\"name\": \"given\"}", 17, NULL, &s, &e));
    ASSERT_STR_EQ(s->name, "given");
    scenario_free(s);
    /* Runs are stored under it: a plain file name, made one when derived. */
    ASSERT_OK(scenario_parse("dir/my run (2).json", "{}", 2, NULL, &s, &e));
    ASSERT_STR_EQ(s->name, "my_run__2_");
    scenario_free(s);
    ASSERT_STR_EQ(fails("{\"name\": \"../x\"}"),
                  "x.json:1:10: name: a scenario name holds letters, digits, '_', '-' and '.' only (and "
                  "does not start with '.'), got \"../x\"");
    ASSERT_CONTAINS(fails("{\"name\": \"\"}"), "name: the name is empty");
}

TEST_IMPL(core_profiles_load_and_yield_to_the_file)
{
    err e;
    scenario *s = load("{\"profile\": \"localnet-fast\", \"subnets\": [{\"netuid\": 1}, {\"netuid\": 2, \"tempo\": 50}]}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(s->chain.block_time_us, 250000);
    ASSERT_EQ_INT(s->subnets.v[0].tempo, 10);
    ASSERT_EQ_INT(s->subnets.v[1].tempo, 50);
    ASSERT_STR_EQ(s->profile, "localnet-fast");
    scenario_free(s);
    s = load("{\"profile\": \"subtensor-mock\"}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(s->chain.owner_cut, 0);
    ASSERT(!s->subnets.v[0].commit_reveal);
    scenario_free(s);
    scenario_free(NULL);
}

TEST_IMPL(the_op_and_aggregate_names_match_their_enums)
{
    ASSERT_STR_EQ(scenario_op_names[SCENARIO_OP_GE], ">=");
    ASSERT_STR_EQ(scenario_op_names[SCENARIO_OP_NE], "!=");
    ASSERT_STR_EQ(scenario_agg_names[SCENARIO_AGG_MEAN], "mean");
    ASSERT_STR_EQ(scenario_over_names[SCENARIO_OVER_MAX], "max");
    err e;
    scenario *s = load("{\"miners\": [{\"name\": \"m\"}], \"thresholds\": [{\"metric\": \"incentive\","
                       " \"where\": {\"hotkey\": \"m\"}, \"neurons\": \"mean\", \"epochs\": \"min\","
                       " \"from_epoch\": 4, \"op\": \"<\", \"value\": -0.5}]}",
                       &e);
    ASSERT(s);
    const scenario_threshold *t = &s->thresholds.v[0];
    ASSERT_EQ_INT(t->metric->id, SCENARIO_METRIC_INCENTIVE);
    ASSERT_STR_EQ(t->where.hotkey, "m");
    ASSERT_EQ_INT(t->neurons, SCENARIO_AGG_MEAN);
    ASSERT_EQ_INT(t->epochs, SCENARIO_OVER_MIN);
    ASSERT_EQ_INT(t->op, SCENARIO_OP_LT);
    ASSERT_NEAR(t->value, -0.5, 0);
    scenario_free(s);
}
