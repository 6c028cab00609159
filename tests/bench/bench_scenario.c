/* How fast scenario files load (parse, bind, check), by shape of file:
 *   groups   many validator and miner groups, pretty-printed
 *   weights  scripted schedules: many small weight maps, on one line
 *   wide     one weight map of N keys: shows how cost grows with an object's size
 * Usage: bench_scenario [REPEATS]. Figures go to tests/bench/RESULTS.md. */
#include "scenario/scenario.h"

#include <string.h>

static char *make_groups(int groups)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_printf(&b, "{\n  \"subnets\": [{\"netuid\": 1, \"max_allowed_uids\": 65535, "
                    "\"max_allowed_validators\": 4096}],\n  \"validators\": [\n");
    for (int i = 0; i < groups / 16; i++)
        sbuf_printf(&b, "    {\"name\": \"v%d\", \"stake\": %d, \"policy\": {\"kind\": \"honest\", "
                        "\"noise\": 0.0%d}},\n", i, 1000 + i, i % 10);
    sbuf_printf(&b, "    {\"name\": \"last\"}\n  ],\n  \"miners\": [\n");
    for (int i = 0; i < groups; i++)
        sbuf_printf(&b, "    {\"name\": \"m%d\", \"count\": 2, \"quality\": 0.%d, \"register_at\": \"%dm\"},\n",
                    i, i % 10, i % 60);
    sbuf_printf(&b, "    {\"name\": \"end\"}\n  ]\n}\n");
    return sbuf_take(&b);
}

static char *make_weights(int steps, int keys)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_printf(&b, "{\"miners\": [{\"name\": \"m\", \"count\": 250}], \"validators\": [{\"name\": \"v\", "
                    "\"policy\": {\"kind\": \"scripted\", \"schedule\": [");
    for (int s = 0; s < steps; s++) {
        sbuf_printf(&b, "%s{\"from_epoch\": %d, \"weights\": {", s ? ", " : "", s);
        for (int k = 0; k < keys; k++)
            sbuf_printf(&b, "%s\"m-%d\": %d", k ? ", " : "", (s + k) % 250, k + 1);
        sbuf_puts(&b, "}}");
    }
    sbuf_puts(&b, "]}}]}");
    return sbuf_take(&b);
}

static char *make_wide(int keys)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_printf(&b, "{\"subnets\": [{\"netuid\": 1, \"max_allowed_uids\": 65535}], \"miners\": "
                    "[{\"name\": \"m\", \"count\": %d}], \"validators\": [{\"name\": \"v\", \"policy\": "
                    "{\"kind\": \"deviate\", \"at_epochs\": [1], \"weights\": {", keys);
    for (int k = 0; k < keys; k++)
        sbuf_printf(&b, "%s\"m-%d\": 1", k ? ", " : "", k);
    sbuf_puts(&b, "}}}]}");
    return sbuf_take(&b);
}

static void run(const char *label, char *text, int repeats)
{
    size_t len = strlen(text);
    double best = 1e300;
    for (int r = 0; r < repeats; r++) {
        scenario *s;
        err e;
        double t0 = clock_monotonic();
        if (scenario_parse("bench.json", text, len, NULL, &s, &e)) {
            fprintf(stderr, "%s: %s\n", label, e.msg);
            exit(1);
        }
        double t = clock_monotonic() - t0;
        scenario_free(s);
        if (t < best)
            best = t;
    }
    printf("%-22s %9.2f MB %10.1f ms %8.1f MB/s\n", label, len / 1e6, best * 1e3, len / 1e6 / best);
    free(text);
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    printf("%-22s %12s %13s %13s  (best of %d)\n", "file", "size", "load", "rate", repeats);
    run("groups 4000", make_groups(4000), repeats);
    run("weights 2000x100", make_weights(2000, 100), repeats);
    for (int keys = 2500; keys <= 20000; keys *= 2) {
        char label[32];
        snprintf(label, sizeof label, "wide %d keys", keys);
        run(label, make_wide(keys), repeats);
    }
    return 0;
}
