/* The generic binder, through a test family that has a field of every type:
 * values, defaults, ranges, wrong types, suggestions, variants, check hooks. */
#include "scenario/scenario.h"
#include "test.h"

typedef struct tsub {
    int64_t a;
} tsub;

typedef struct tcase {
    double w;
} tcase;

typedef struct tsec {
    bool b;
    int64_t i;
    double x;
    const char *s;
    int e;
    int64_t d;
    scenario_moment m;
    tsub o;
    SCENARIO_ARRAY(tsub) arr;
    scenario_ints ints;
    scenario_numbers nums;
    scenario_strings strs;
    scenario_map map;
    scenario_variant var;
    const scenario_kind *nm;
    const char *opt;
    int64_t req;
} tsec;

typedef struct troot {
    tsec t;
} troot;

static const char *const colors[] = {"red", "green", "blue", NULL};

/* Fails on a sub object's a == 99, at that a; on i == -7 at "i"; on s "boom"
 * at arr[0].a (which the file leaves to its default); on map {"seven": 7} at
 * that key. */
static int check_sec(scenario_ctx *c, void *obj)
{
    const tsec *t = obj;
    if (t->i == -7 && scenario_ctx_member(c, "i"))
        return scenario_fail(c, "i", "unlucky");
    for (size_t k = 0; k < t->arr.n; k++) {
        if (t->arr.v[k].a == 99) {
            char rel[32];
            snprintf(rel, sizeof rel, "arr[%zu].a", k);
            return scenario_fail(c, rel, "99 is taken");
        }
    }
    if (strcmp(t->s, "boom") == 0)
        return scenario_fail(c, "arr[0].a", "boom");
    if (t->map.n && t->map.v[0].value == 7)
        return scenario_fail_key(c, "map.seven", "no sevens");
    return 0;
}

static const scenario_field sub_fields[] = {
    SCENARIO_FIELD_INT(tsub, a, "a", "1", 0, 100, "a number"),
};
static const scenario_table sub_table = SCENARIO_TABLE("tsub", tsub, sub_fields, NULL, "sub");

static const scenario_field case_fields[] = {
    SCENARIO_FIELD_NUMBER(tcase, w, "w", "1.5", 0, 10, "a weight"),
};
static const scenario_table case_table = SCENARIO_TABLE("tcase", tcase, case_fields, NULL, NULL);

static const scenario_field sec_fields[] = {
    SCENARIO_FIELD_BOOL(tsec, b, "b", "true", "bool"),
    SCENARIO_FIELD_INT(tsec, i, "i", "5", -10, 10, "int"),
    SCENARIO_FIELD_NUMBER(tsec, x, "x", "0.25", 0, 1, "number"),
    SCENARIO_FIELD_STRING(tsec, s, "s", "\"hi\"", 8, "string"),
    SCENARIO_FIELD_ENUM(tsec, e, "e", "\"green\"", colors, "enum"),
    SCENARIO_FIELD_DURATION(tsec, d, "d", "\"5m\"", 1000, 86400e6, "duration"),
    SCENARIO_FIELD_MOMENT(tsec, m, "m", "\"2h\"", "moment"),
    SCENARIO_FIELD_OBJECT(tsec, o, "o", "{}", &sub_table, "object"),
    SCENARIO_FIELD_ARRAY(tsec, arr, "arr", "[{\"a\": 2}]", &sub_table, 3, "array"),
    SCENARIO_FIELD_INTS(tsec, ints, "ints", "[1, 2]", 0, 9, 4, "ints"),
    SCENARIO_FIELD_NUMBERS(tsec, nums, "nums", "[]", -1, 1, 0, "numbers"),
    SCENARIO_FIELD_STRINGS(tsec, strs, "strs", "[\"a\"]", 3, 0, "strings"),
    SCENARIO_FIELD_MAP(tsec, map, "map", "{}", 0, 100, 0, "map"),
    SCENARIO_FIELD_VARIANT(tsec, var, "var", "\"x\"", "test.var", "variant"),
    SCENARIO_FIELD_NAME(tsec, nm, "nm", "\"tm\"", "metric", "name"),
    SCENARIO_FIELD_STRING(tsec, opt, "opt", SCENARIO_ABSENT, 0, "optional"),
    SCENARIO_FIELD_INT(tsec, req, "req", SCENARIO_REQUIRED, 0, 100, "required"),
};
static const scenario_table sec_table =
    SCENARIO_TABLE("tsec", tsec, sec_fields, check_sec, "the test section");

static const scenario_field root_fields[] = {
    SCENARIO_FIELD_OBJECT(troot, t, "t", "{\"req\": 1}", &sec_table, "test section"),
};
/* A family's root check sees the whole core part of the scenario. */
static int check_root(scenario_ctx *c, void *obj)
{
    const troot *r = obj;
    if (r->t.req == 42 && scenario_ctx_scenario(c)->validators.n == 0)
        return scenario_fail(c, "t.req", "42 needs a validator");
    return 0;
}

static const scenario_table root_table =
    SCENARIO_TABLE("troot", troot, root_fields, check_root, NULL);

static const scenario_kind kinds[] = {
    {"test.var", "x", 1, &case_table, "has a weight"},
    {"test.var", "y", 2, NULL, "has nothing"},
    {"metric", "tm", 1, NULL, "a test metric"},
    {"validator.policy", "tpolicy", 1, &case_table, "a family's policy"},
};

static const scenario_default prof_values[] = {
    {"t.i", "7", "test"},
    {"subnets[].tempo", "99", "test"},
    {"t.var<x>.w", "2.5", "test"},
};
static const scenario_default child_values[] = {
    {"t.i", "8", "test"},
};
static const scenario_default bad_values[] = {
    {"t.x", "3", "test"},
};
static const scenario_default typo_values[] = {
    {"t.no_such", "3", "test"},
};
static const scenario_profile profiles[] = {
    {"t-prof", NULL, "test", prof_values, 3},
    {"t-child", "t-prof", "test", child_values, 1},
    {"t-bad", NULL, "test", bad_values, 1},
    {"t-typo", NULL, "test", typo_values, 1},
};

static const scenario_family tfam = {"test", &root_table, kinds, 4, profiles, 4};
static const scenario_family *const tfams[] = {&tfam};

static scenario *load(const char *text, err *e)
{
    scenario_opts o = {.families = tfams, .nfamilies = 1};
    scenario *s = NULL;
    int r = scenario_parse("t.json", text, strlen(text), &o, &s, e);
    ASSERT((r == 0) == (s != NULL));
    return s;
}

static const tsec *sec(const scenario *s)
{
    const troot *r = scenario_section(s, &tfam);
    ASSERT(r != NULL);
    return &r->t;
}

/* The error text for a document that must fail. */
static const char *fails(const char *text)
{
    static err e;
    scenario *s = load(text, &e);
    if (s)
        TEST_FAIL_("loaded, expected an error: %s", text);
    ASSERT_EQ_INT(e.code, ERR_INPUT);
    return e.msg;
}

TEST_IMPL(defaults_fill_every_type)
{
    err e;
    scenario *s = load("{}", &e);
    ASSERT(s);
    const tsec *t = sec(s);
    ASSERT(t->b);
    ASSERT_EQ_INT(t->i, 5);
    ASSERT_NEAR(t->x, 0.25, 0);
    ASSERT_STR_EQ(t->s, "hi");
    ASSERT_EQ_INT(t->e, 1);
    ASSERT_EQ_INT(t->d, 300000000);
    ASSERT(!t->m.at_block);
    ASSERT_EQ_INT(t->m.us, 7200000000LL);
    ASSERT_EQ_INT(t->o.a, 1);
    ASSERT_EQ_INT(t->arr.n, 1);
    ASSERT_EQ_INT(t->arr.v[0].a, 2);
    ASSERT_EQ_INT(t->ints.n, 2);
    ASSERT_EQ_INT(t->ints.v[1], 2);
    ASSERT_EQ_INT(t->nums.n, 0);
    ASSERT_STR_EQ(t->strs.v[0], "a");
    ASSERT_EQ_INT(t->map.n, 0);
    ASSERT_STR_EQ(t->var.kind->name, "x");
    ASSERT_NEAR(((const tcase *)t->var.cfg)->w, 1.5, 0);
    ASSERT_STR_EQ(t->nm->name, "tm");
    ASSERT(t->opt == NULL);
    ASSERT_EQ_INT(t->req, 1);
    scenario_free(s);
}

TEST_IMPL(values_of_every_type_are_stored)
{
    err e;
    scenario *s = load("{\"t\": {\"b\": false, \"i\": -10, \"x\": 1, \"s\": \"12345678\", \"e\": \"blue\","
                       " \"d\": \"1.5s\", \"m\": 360, \"o\": {\"a\": 100}, \"arr\": [{}, {\"a\": 0}],"
                       " \"ints\": [9, 0], \"nums\": [-1, 0.5], \"strs\": [], \"map\": {\"k\": 3, \"j\": 0.5},"
                       " \"var\": {\"kind\": \"x\", \"w\": 10}, \"nm\": \"incentive\", \"opt\": \"o\", \"req\": 100}}",
                       &e);
    ASSERT(s);
    const tsec *t = sec(s);
    ASSERT(!t->b);
    ASSERT_EQ_INT(t->i, -10);
    ASSERT_STR_EQ(t->s, "12345678");
    ASSERT_EQ_INT(t->e, 2);
    ASSERT_EQ_INT(t->d, 1500000);
    ASSERT(t->m.at_block);
    ASSERT_EQ_INT(t->m.block, 360);
    ASSERT_EQ_INT(t->o.a, 100);
    ASSERT_EQ_INT(t->arr.n, 2);
    ASSERT_EQ_INT(t->arr.v[0].a, 1);
    ASSERT_EQ_INT(t->arr.v[1].a, 0);
    ASSERT_EQ_INT(t->ints.v[0], 9);
    ASSERT_NEAR(t->nums.v[1], 0.5, 0);
    ASSERT_EQ_INT(t->strs.n, 0);
    ASSERT_EQ_INT(t->map.n, 2);
    ASSERT_STR_EQ(t->map.v[0].key, "k");   /* file order */
    ASSERT_NEAR(t->map.v[1].value, 0.5, 0);
    ASSERT_NEAR(((const tcase *)t->var.cfg)->w, 10, 0);
    ASSERT_STR_EQ(t->nm->name, "incentive");   /* a core metric: one slot, all families */
    ASSERT_STR_EQ(t->opt, "o");
    scenario_free(s);
}

TEST_IMPL(wrong_types_name_position_path_and_value)
{
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 1,\n  \"b\": \"yes\"}}"),
                  "t.json:2:8: t.b: expected true or false, got \"yes\"");
    ASSERT_STR_EQ(fails("{\"t\": {\"i\": \"lots\", \"req\": 1}}"),
                  "t.json:1:13: t.i: expected an integer between -10 and 10, got \"lots\"");
    ASSERT_STR_EQ(fails("{\"t\": {\"x\": [], \"req\": 1}}"),
                  "t.json:1:13: t.x: expected a number between 0 and 1, got an array");
    ASSERT_STR_EQ(fails("{\"t\": {\"s\": 5, \"req\": 1}}"),
                  "t.json:1:13: t.s: expected a string, got 5");
    ASSERT_STR_EQ(fails("{\"t\": {\"o\": 5, \"req\": 1}}"),
                  "t.json:1:13: t.o: expected an object, got 5");
    ASSERT_STR_EQ(fails("{\"t\": {\"arr\": {}, \"req\": 1}}"),
                  "t.json:1:15: t.arr: expected an array of objects, got an object");
    ASSERT_STR_EQ(fails("{\"t\": {\"arr\": [{}, 3], \"req\": 1}}"),
                  "t.json:1:20: t.arr[1]: expected an object, got 3");
    ASSERT_STR_EQ(fails("{\"t\": {\"map\": {\"k\": \"v\"}, \"req\": 1}}"),
                  "t.json:1:21: t.map.k: expected a number between 0 and 100, got \"v\"");
    ASSERT_STR_EQ(fails("{\"t\": {\"m\": true, \"req\": 1}}"),
                  "t.json:1:13: t.m: expected a block number or a duration such as \"2h\", got true");
    ASSERT_STR_EQ(fails("{\"t\": {\"m\": -1, \"req\": 1}}"),
                  "t.json:1:13: t.m: expected a block number (an integer >= 0) or a duration such as "
                  "\"2h\", got -1");
    ASSERT_STR_EQ(fails("{\"t\": {\"b\": null, \"req\": 1}}"),
                  "t.json:1:13: t.b: expected true or false, got null");
}

TEST_IMPL(ranges_are_enforced_for_scalars_and_elements)
{
    ASSERT_CONTAINS(fails("{\"t\": {\"i\": 11, \"req\": 1}}"), "t.i: expected an integer between -10 and 10, got 11");
    ASSERT_CONTAINS(fails("{\"t\": {\"i\": 2.5, \"req\": 1}}"), "got 2.5");
    ASSERT_CONTAINS(fails("{\"t\": {\"x\": 1e999, \"req\": 1}}"), "got a number too large to represent");
    ASSERT_CONTAINS(fails("{\"t\": {\"s\": \"123456789\", \"req\": 1}}"),
                    "t.s: expected a string of at most 8 characters, got 9");
    ASSERT_CONTAINS(fails("{\"t\": {\"ints\": [1, 10], \"req\": 1}}"),
                    "1:20: t.ints[1]: expected an integer between 0 and 9, got 10");
    ASSERT_CONTAINS(fails("{\"t\": {\"ints\": [1, 1, 1, 1, 1], \"req\": 1}}"),
                    "t.ints: has 5 elements, at most 4 allowed");
    ASSERT_CONTAINS(fails("{\"t\": {\"arr\": [{}, {}, {}, {}], \"req\": 1}}"), "has 4 elements, at most 3");
    ASSERT_CONTAINS(fails("{\"t\": {\"strs\": [\"abcd\"], \"req\": 1}}"),
                    "t.strs[0]: expected a string of at most 3 characters, got 4");
    ASSERT_CONTAINS(fails("{\"t\": {\"nums\": [2], \"req\": 1}}"), "expected a number between -1 and 1, got 2");
    ASSERT_CONTAINS(fails("{\"t\": {\"arr\": [{\"a\": 101}], \"req\": 1}}"), "t.arr[0].a: expected an integer between 0 and 100");
}

TEST_IMPL(durations_take_units_and_refuse_bare_numbers)
{
    err e;
    static const struct {
        const char *text;
        int64_t us;
    } ok[] = {{"250ms", 250000}, {"90s", 90000000}, {"5m", 300000000}, {"24h", 86400000000LL},
              {"1d", 86400000000LL}, {"1.5s", 1500000}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char doc[128];
        snprintf(doc, sizeof doc, "{\"t\": {\"d\": \"%s\", \"req\": 1}}", ok[i].text);
        scenario *s = load(doc, &e);
        ASSERT(s);
        ASSERT_EQ_INT(sec(s)->d, ok[i].us);
        scenario_free(s);
    }
    ASSERT_STR_EQ(fails("{\"t\": {\"d\": \"5 minutes\", \"req\": 1}}"),
                  "t.json:1:13: t.d: expected a duration such as \"250ms\", \"90s\", \"5m\", \"24h\" or "
                  "\"30d\", got \"5 minutes\"");
    ASSERT_STR_EQ(fails("{\"t\": {\"d\": 300, \"req\": 1}}"),
                  "t.json:1:13: t.d: expected a duration string such as \"90s\" (a bare number has no "
                  "unit), got 300");
    ASSERT_CONTAINS(fails("{\"t\": {\"d\": \"2d\", \"req\": 1}}"),
                    "t.d: expected a duration between 1ms and 1d, got \"2d\"");
    ASSERT_CONTAINS(fails("{\"t\": {\"d\": \"0s\", \"req\": 1}}"), "between 1ms and 1d");
    ASSERT_CONTAINS(fails("{\"t\": {\"d\": \"-5s\", \"req\": 1}}"), "expected a duration such as");
}

TEST_IMPL(unknown_keys_suggest_the_closest_name)
{
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 1, \"nmus\": []}}"),
                  "t.json:1:18: t: unknown key \"nmus\"; did you mean \"nums\"?");
    /* Nothing close: the keys that are allowed. */
    ASSERT_CONTAINS(fails("{\"t\": {\"req\": 1, \"zzzzzz\": 1}}"),
                    "t: unknown key \"zzzzzz\" (expected one of: b, i, x, s, e, d, m, o, arr,");
    /* Top level: core and family keys are one namespace. */
    ASSERT_STR_EQ(fails("{\n\"vaildators\": []}"),
                  "t.json:2:1: unknown key \"vaildators\"; did you mean \"validators\"?");
    ASSERT_CONTAINS(fails("{\"t\": {\"o\": {\"b\": 1}, \"req\": 1}}"), "1:14: t.o: unknown key \"b\"; did you mean \"a\"?");
}

TEST_IMPL(enums_and_names_list_their_choices)
{
    ASSERT_STR_EQ(fails("{\"t\": {\"e\": \"gren\", \"req\": 1}}"),
                  "t.json:1:13: t.e: unknown value \"gren\"; did you mean \"green\"? (one of: red, green, blue)");
    ASSERT_STR_EQ(fails("{\"t\": {\"e\": 1, \"req\": 1}}"),
                  "t.json:1:13: t.e: expected a string (expected one of: red, green, blue), got 1");
    ASSERT_CONTAINS(fails("{\"t\": {\"nm\": \"tn\", \"req\": 1}}"),
                    "t.nm: unknown metric \"tn\"; did you mean \"tm\"? (one of: incentive, dividends, "
                    "emission, consensus, validator_trust, stake, emission_share, tm)");
}

TEST_IMPL(missing_required_keys_point_at_their_object)
{
    ASSERT_STR_EQ(fails("{\"t\":\n  {\"i\": 1}}"), "t.json:2:3: t: missing required key \"req\"");
}

TEST_IMPL(variants_pick_their_table_by_kind)
{
    err e;
    scenario *s = load("{\"t\": {\"var\": \"y\", \"req\": 1}}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(sec(s)->var.kind->id, 2);
    ASSERT(sec(s)->var.cfg == NULL);
    scenario_free(s);
    s = load("{\"t\": {\"var\": {\"w\": 3, \"kind\": \"x\"}, \"req\": 1}}", &e);
    ASSERT(s);
    ASSERT_NEAR(((const tcase *)sec(s)->var.cfg)->w, 3, 0);
    scenario_free(s);
    ASSERT_STR_EQ(fails("{\"t\": {\"var\": {\"w\": 3}, \"req\": 1}}"),
                  "t.json:1:15: t.var: missing required key \"kind\" (expected one of: x, y)");
    ASSERT_STR_EQ(fails("{\"t\": {\"var\": {\"kind\": \"zzz\"}, \"req\": 1}}"),
                  "t.json:1:24: t.var.kind: unknown test.var \"zzz\" (expected one of: x, y)");
    ASSERT_STR_EQ(fails("{\"t\": {\"var\": \"xx\", \"req\": 1}}"),
                  "t.json:1:15: t.var: unknown test.var \"xx\"; did you mean \"x\"? (one of: x, y)");
    ASSERT_CONTAINS(fails("{\"t\": {\"var\": {\"kind\": \"y\", \"w\": 1}, \"req\": 1}}"),
                    "1:29: t.var: unknown key \"w\"");
    ASSERT_CONTAINS(fails("{\"t\": {\"var\": {\"kind\": \"x\", \"w\": 11}, \"req\": 1}}"),
                    "1:34: t.var.w: expected a number between 0 and 10, got 11");
    ASSERT_CONTAINS(fails("{\"t\": {\"var\": 5, \"req\": 1}}"),
                    "t.var: expected an object with a \"kind\", or a kind's name, got 5");
}

TEST_IMPL(families_add_kinds_to_core_slots)
{
    err e;
    scenario *s = load("{\"validators\": [{\"name\": \"v\", \"policy\": {\"kind\": \"tpolicy\", \"w\": 4}}],"
                       " \"thresholds\": [{\"metric\": \"tm\", \"op\": \">\", \"value\": 0}]}",
                       &e);
    ASSERT(s);
    ASSERT_STR_EQ(s->validators.v[0].policy.kind->name, "tpolicy");
    /* Its id is 1, as is the core's scripted: the family tells them apart. */
    ASSERT(scenario_kind_is(s->validators.v[0].policy.kind, &tfam, 1));
    ASSERT(!scenario_kind_is(s->validators.v[0].policy.kind, &scenario_core, SCENARIO_POLICY_SCRIPTED));
    ASSERT_NEAR(((const tcase *)s->validators.v[0].policy.cfg)->w, 4, 0);
    ASSERT_STR_EQ(s->thresholds.v[0].metric->name, "tm");
    scenario_free(s);
    /* Without the family, neither is known. */
    scenario *c = NULL;
    const char *doc = "{\"thresholds\": [{\"metric\": \"tm\", \"op\": \">\", \"value\": 0}]}";
    ASSERT_EQ_INT(scenario_parse("c.json", doc, strlen(doc), NULL, &c, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "unknown metric \"tm\"");
    ASSERT_EQ_INT(scenario_parse("c.json", "{\"t\": {}}", 9, NULL, &c, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "unknown key \"t\"");
}

TEST_IMPL(clashing_families_are_refused)
{
    const scenario_family *const twice[] = {&tfam, &tfam};
    scenario_opts o = {.families = twice, .nfamilies = 2};
    scenario *s;
    err e;
    ASSERT_EQ_INT(scenario_parse("c.json", "{}", 2, &o, &s, &e), ERR_INTERNAL);
    ASSERT_CONTAINS(e.msg, "family test is loaded twice");
    static const scenario_family other = {"other", &root_table, NULL, 0, NULL, 0};
    const scenario_family *const clash[] = {&tfam, &other};
    o.families = clash;
    ASSERT_EQ_INT(scenario_parse("c.json", "{}", 2, &o, &s, &e), ERR_INTERNAL);
    ASSERT_CONTAINS(e.msg, "families test and other both own key t");
}

TEST_IMPL(check_hooks_report_at_the_offending_member)
{
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 42}}"), "t.json:1:15: t.req: 42 needs a validator");
    err e;
    scenario *s = load("{\"t\": {\"req\": 42}, \"validators\": [{\"name\": \"v\"}]}", &e);
    ASSERT(s);
    scenario_free(s);
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 1,\n \"i\": -7}}"), "t.json:2:7: t.i: unlucky");
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 1, \"arr\": [{},\n {\"a\": 99}]}}"),
                  "t.json:2:8: t.arr[1].a: 99 is taken");
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 1, \"map\": {\n  \"seven\": 7}}}"),
                  "t.json:2:3: t.map.seven: no sevens");
    /* A value that came from a default reports at the object that lacks it. */
    ASSERT_STR_EQ(fails("{\"t\":\n {\"req\": 1, \"s\": \"boom\"}}"),
                  "t.json:2:2: t.arr[0].a: boom");
}

TEST_IMPL(profiles_set_defaults_the_file_can_override)
{
    err e;
    scenario *s = load("{\"profile\": \"t-prof\"}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(sec(s)->i, 7);
    ASSERT_EQ_INT(s->subnets.v[0].tempo, 99);   /* a family's profile reaches core fields */
    ASSERT_NEAR(((const tcase *)sec(s)->var.cfg)->w, 2.5, 0);
    scenario_free(s);
    s = load("{\"profile\": \"t-prof\", \"t\": {\"i\": 1, \"req\": 1}, \"subnets\": [{\"netuid\": 3, \"tempo\": 5}]}", &e);
    ASSERT(s);
    ASSERT_EQ_INT(sec(s)->i, 1);
    ASSERT_EQ_INT(s->subnets.v[0].tempo, 5);
    scenario_free(s);
    s = load("{\"profile\": \"t-child\"}", &e);   /* its own values over its base's */
    ASSERT(s);
    ASSERT_EQ_INT(sec(s)->i, 8);
    ASSERT_EQ_INT(s->subnets.v[0].tempo, 99);
    scenario_free(s);
    ASSERT_STR_EQ(fails("{\"profile\": \"t-porf\"}"),
                  "t.json:1:13: profile: unknown profile \"t-porf\"; did you mean \"t-prof\"? (one of: "
                  "localnet-fast, subtensor-mock, t-prof, t-child, t-bad, t-typo)");
    ASSERT_CONTAINS(fails("{\"profile\": \"t-bad\"}"),
                    "t.x: expected a number between 0 and 1, got 3 (from profile t-bad)");
}

TEST_IMPL(profile_paths_must_name_fields)
{
    scenario_opts o = {.families = tfams, .nfamilies = 1};
    scenario *s;
    err e;
    const char *doc = "{\"profile\": \"t-typo\"}";
    ASSERT_EQ_INT(scenario_parse("p.json", doc, strlen(doc), &o, &s, &e), ERR_INTERNAL);
    ASSERT_STR_EQ(e.msg, "profile t-typo: no field at t.no_such");
}

TEST_IMPL(optional_fields_stay_out_of_the_effective_json)
{
    err e;
    scenario *s = load("{}", &e);
    char *json;
    ASSERT_OK(scenario_to_json(s, &json, &e));
    ASSERT(!strstr(json, "\"opt\""));
    ASSERT(!strstr(json, "\"profile\""));
    ASSERT_CONTAINS(json, "\"req\": 1");
    ASSERT_CONTAINS(json, "\"var\": {\n      \"kind\": \"x\",\n      \"w\": 1.5\n    }");
    free(json);
    scenario_free(s);
}

TEST_IMPL(suggestions_come_from_edit_distance)
{
    ASSERT_EQ_INT(scenario_edit_distance("stake", "stake"), 0);
    ASSERT_EQ_INT(scenario_edit_distance("stkae", "stake"), 1);   /* a transposition */
    ASSERT_EQ_INT(scenario_edit_distance("stke", "stake"), 1);
    ASSERT_EQ_INT(scenario_edit_distance("", "abc"), 3);
    const char *names[] = {"tempo", "kappa", "yuma3"};
    ASSERT_STR_EQ(scenario_suggest("temp", names, 3), "tempo");
    ASSERT_STR_EQ(scenario_suggest("kapa", names, 3), "kappa");
    ASSERT(scenario_suggest("burn", names, 3) == NULL);
    ASSERT(scenario_suggest("x", names, 3) == NULL);
}

TEST_IMPL(the_size_cap_is_enforced_before_parsing)
{
    scenario_opts o = {.max_bytes = 10};
    scenario *s;
    err e;
    ASSERT_EQ_INT(scenario_parse("big.json", "{\"name\": \"x\"}", 13, &o, &s, &e), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "big.json: larger than the 10 bytes allowed for a scenario");
    char path[4200];
    snprintf(path, sizeof path, "%s/big.json", test_tmpdir());
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs("{\n  \"name\": \"a long name\"\n}\n", f);
    fclose(f);
    ASSERT_EQ_INT(scenario_load(path, &o, &s, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "big.json:2:9: the file goes on past 10 bytes, the limit for a scenario");
    ASSERT_EQ_INT(scenario_load("/nonexistent/x.json", NULL, &s, &e), ERR_NOTFOUND);
    ASSERT_CONTAINS(e.msg, "cannot open '/nonexistent/x.json'");
}

TEST_IMPL(errors_stay_on_one_line)
{
    ASSERT_STR_EQ(fails("{\"t\": {\"req\": 1, \"a\\nb\\t\": 1}}"),
                  "t.json:1:18: t: unknown key \"a\\nb\\x09\" (expected one of: b, i, x, s, e, d, m, o, "
                  "arr, ints, nums, strs, map, var, nm, opt, req)");
}
