#include "core.h"

/* The one piece of global mutable state CONVENTIONS.md allows. */
static log_level g_level = LOG_WARN;

void log_set_level(log_level level) { g_level = level; }
log_level log_get_level(void) { return g_level; }

void log_msg(log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > g_level)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "subnetsim: %s: ", names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
