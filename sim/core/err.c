#include "core.h"

#include <string.h>

int err_set(err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int err_prefix(err *e, const char *fmt, ...)
{
    if (!e)
        return ERR_INTERNAL;
    char head[ERR_MSG_MAX], old[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    /* Built with explicit lengths: the result is cut at ERR_MSG_MAX on purpose. */
    size_t hn = strlen(head), on = strlen(old), cap = sizeof e->msg - 1, k = 0;
    memcpy(e->msg, head, hn < cap ? hn : cap);
    k = hn < cap ? hn : cap;
    for (const char *sep = ": "; *sep && k < cap; sep++)
        e->msg[k++] = *sep;
    size_t take = on < cap - k ? on : cap - k;
    memcpy(e->msg + k, old, take);
    e->msg[k + take] = 0;
    return e->code;
}

void err_oneline(err *e)
{
    char buf[ERR_MSG_MAX];
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)e->msg; *p && k + 5 < sizeof buf; p++) {
        if (*p >= 0x20 && *p != 0x7f)
            buf[k++] = (char)*p;
        else if (*p == '\n')
            k += (size_t)snprintf(buf + k, sizeof buf - k, "\\n");
        else
            k += (size_t)snprintf(buf + k, sizeof buf - k, "\\x%02x", *p);
    }
    buf[k] = 0;
    memcpy(e->msg, buf, k + 1);
}

const char *err_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_NOMEM: return "out of memory";
    case ERR_INPUT: return "bad input";
    case ERR_IO: return "i/o error";
    case ERR_NOTFOUND: return "not found";
    case ERR_TIMEOUT: return "timeout";
    case ERR_CANCELED: return "canceled";
    case ERR_DB: return "database error";
    case ERR_DEPENDENCY: return "missing dependency";
    case ERR_EXTERNAL: return "external program failed";
    case ERR_REFUSED: return "refused";
    case ERR_PROTOCOL: return "protocol error";
    case ERR_BUSY: return "busy";
    case ERR_INTERNAL: return "internal error";
    }
    return "unknown error";
}

int err_exit_status(int code)
{
    switch (code) {
    case ERR_OK: return 0;
    case ERR_INPUT:
    case ERR_DEPENDENCY:
    case ERR_NOTFOUND: return 2;
    case ERR_EXTERNAL: return 3;
    default: return 4;
    }
}
