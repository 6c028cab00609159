/* Durations as scenario files write them: "250ms", "90s", "5m", "24h", "30d". */
#include "core.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

static const struct {
    const char *suffix;
    int64_t us;
} units[] = {
    {"us", 1}, {"ms", 1000}, {"s", 1000000}, {"m", 60000000},
    {"h", 3600000000LL}, {"d", 86400000000LL}, {"w", 604800000000LL},
};

int duration_parse(const char *s, int64_t *out_us, err *e)
{
    const char *p = s;
    if (!isdigit((unsigned char)*p) && *p != '.')
        goto bad;
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v) || v < 0)
        goto bad;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (strcmp(end, units[i].suffix) == 0) {
            double us = v * (double)units[i].us;
            if (us > 9.2e18)
                return err_set(e, ERR_INPUT, "duration \"%s\" is too long", s);
            if (us != floor(us))
                return err_set(e, ERR_INPUT, "duration \"%s\" is finer than a microsecond", s);
            *out_us = (int64_t)us;
            return 0;
        }
    }
bad:
    return err_set(e, ERR_INPUT,
                   "expected a duration such as \"250ms\", \"90s\", \"5m\", \"24h\" or \"30d\", got \"%s\"",
                   s);
}

void duration_format(int64_t us, char *out, size_t n)
{
    for (int i = (int)(sizeof units / sizeof *units) - 1; i >= 0; i--) {
        if (us != 0 && us % units[i].us == 0) {
            snprintf(out, n, "%lld%s", (long long)(us / units[i].us), units[i].suffix);
            return;
        }
    }
    snprintf(out, n, "%lldus", (long long)us);
}
