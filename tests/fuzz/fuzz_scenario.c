/* The scenario loader on arbitrary bytes. It must never crash, leak or trip a
 * sanitizer; a refusal must be one line of ERR_INPUT that names the file or the
 * --set; and whatever it accepts must survive the canonical round trip (load ->
 * to_json -> load -> to_json gives the same text). Leading lines "#set PATH=VALUE"
 * become --set overrides, so the fuzzer reaches those too. */
#include "cli/cli.h"
#include "scenario/scenario.h"

#include <string.h>

#define MAX_SETS 8

static void check_refusal(const err *e)
{
    if (e->code != ERR_INPUT || strchr(e->msg, '\n') ||
        (strncmp(e->msg, "fuzz.json", 9) != 0 && strncmp(e->msg, "--set ", 6) != 0))
        abort();
}

static void round_trip(const scenario *s)
{
    /* every family this binary links (the real-estate section included) */
    scenario_opts fams = {.families = cli_families, .nfamilies = cli_nfamilies};
    err e;
    char *a = NULL, *b = NULL;
    scenario *t = NULL;
    if (scenario_to_json(s, &a, &e) || scenario_parse("fuzz.json", a, strlen(a), &fams, &t, &e) ||
        scenario_to_json(t, &b, &e) || strcmp(a, b) != 0)
        abort();
    free(a);
    free(b);
    scenario_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    const char *sets[MAX_SETS];
    size_t nsets = 0;
    char *p = buf, *end = buf + size;
    while (nsets < MAX_SETS && end - p > 5 && strncmp(p, "#set ", 5) == 0) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        *nl = 0;
        sets[nsets++] = p + 5;
        p = nl + 1;
    }
    scenario_opts o = {.sets = sets, .nsets = nsets, .families = cli_families,
                       .nfamilies = cli_nfamilies};
    scenario *s = NULL;
    err e;
    if (scenario_parse("fuzz.json", p, (size_t)(end - p), &o, &s, &e) == 0) {
        round_trip(s);
        scenario_free(s);
    } else {
        check_refusal(&e);
    }
    free(buf);
    return 0;
}
