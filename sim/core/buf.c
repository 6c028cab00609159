/* Growable arrays and strings. */
#include "core.h"

#include <string.h>

int vec_grow_(void **v, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            return ERR_NOMEM;
        n *= 2;
    }
    void *p = realloc(*v, n * elem);
    if (!p)
        return ERR_NOMEM;
    *v = p;
    *cap = n;
    return 0;
}

void sbuf_init(sbuf *b) { *b = (sbuf){0}; }

void sbuf_free(sbuf *b)
{
    free(b->s);
    *b = (sbuf){0};
}

int sbuf_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom || vec_grow_((void **)&b->s, &b->cap, b->len + n + 1, 1)) {
        b->oom = true;
        return ERR_NOMEM;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
    return 0;
}

int sbuf_puts(sbuf *b, const char *s) { return sbuf_add(b, s, strlen(s)); }

int sbuf_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || b->oom || vec_grow_((void **)&b->s, &b->cap, b->len + (size_t)n + 1, 1)) {
        b->oom = true;
        return ERR_NOMEM;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = sbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

char *sbuf_take(sbuf *b)
{
    char *s = b->s;
    if (!s)
        s = calloc(1, 1);
    *b = (sbuf){0};
    return s;
}
