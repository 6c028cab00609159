/* The canonical encoding of records (store.h): what the digest covers and what
 * travels from rt_record to the writer thread. */
#include "store/store_internal.h"

#include <math.h>
#include <string.h>

/* SQLite's default SQLITE_MAX_LENGTH: a longer value could not be stored. */
#define VALUE_MAX ((size_t)1000000000)

size_t store__varint(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    out[n++] = (uint8_t)v;
    return n;
}

int store__unvarint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return ERR_INTERNAL;
}

int store__buf_reserve(store_buf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < b->len + more)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return ERR_NOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Bound on one value's encoding beyond its bytes: tag and a 10-byte varint. */
#define HEAD_MAX 11

static size_t put_real(uint8_t *o, double d)
{
    if (d == 0)
        d = 0;   /* -0.0 as +0.0: SQLite keeps an integral REAL as an integer */
    uint64_t bits;
    memcpy(&bits, &d, 8);
    o[0] = ENC_REAL;
    for (int i = 0; i < 8; i++)
        o[1 + i] = (uint8_t)(bits >> (8 * i));
    return 9;
}

static int put_value(store_buf *b, rt_coltype type, const rt_val *v)
{
    const void *data = NULL;
    size_t n = 0;
    if (!v->null && type == RT_COL_TEXT && v->u.s) {
        data = v->u.s;
        n = strlen(v->u.s);
    } else if (!v->null && type == RT_COL_BLOB) {
        if (!v->u.b.p && v->u.b.n)
            return ERR_INTERNAL;
        data = v->u.b.p;
        n = v->u.b.n;
    }
    if (n > VALUE_MAX)
        return ERR_INPUT;
    if (store__buf_reserve(b, HEAD_MAX + n))
        return ERR_NOMEM;
    uint8_t *o = b->p + b->len;
    if (v->null || (type == RT_COL_TEXT && !v->u.s) || (type == RT_COL_REAL && isnan(v->u.d))) {
        o[0] = ENC_NULL;
        b->len += 1;
        return 0;
    }
    switch (type) {
    case RT_COL_INT: {
        uint64_t u = (uint64_t)v->u.i;
        o[0] = ENC_INT;
        b->len += 1 + store__varint(o + 1, (u << 1) ^ (uint64_t)-(int64_t)(u >> 63));
        return 0;
    }
    case RT_COL_REAL:
        b->len += put_real(o, v->u.d);
        return 0;
    case RT_COL_TEXT:
    case RT_COL_BLOB:
        o[0] = type == RT_COL_TEXT ? ENC_TEXT : ENC_BLOB;
        size_t k = 1 + store__varint(o + 1, n);
        if (n)
            memcpy(o + k, data, n);
        b->len += k + n;
        return 0;
    }
    return ERR_INTERNAL;
}

int store__encode_row(const rt_table *t, const rt_val *vals, store_buf *b)
{
    for (int i = 0; i < t->ncolumns; i++) {
        int rc = put_value(b, t->columns[i].type, &vals[i]);
        if (rc)
            return rc;
    }
    return 0;
}

void store__hash_string(sha256 *h, const char *s, size_t n)
{
    uint8_t len[10];
    sha256_update(h, len, store__varint(len, n));
    sha256_update(h, s, n);
}

static uint8_t type_byte(rt_coltype t)
{
    switch (t) {
    case RT_COL_INT: return ENC_INT;
    case RT_COL_REAL: return ENC_REAL;
    case RT_COL_TEXT: return ENC_TEXT;
    case RT_COL_BLOB: return ENC_BLOB;
    }
    return 0;
}

void store__hash_header(sha256 *h, const rt_table *t)
{
    uint8_t v[10];
    store__hash_string(h, t->name, strlen(t->name));
    sha256_update(h, v, store__varint(v, (uint64_t)t->ncolumns));
    for (int i = 0; i < t->ncolumns; i++) {
        uint8_t type = type_byte(t->columns[i].type);
        store__hash_string(h, t->columns[i].name, strlen(t->columns[i].name));
        sha256_update(h, &type, 1);
    }
}

size_t store_u16vec_encode(const uint16_t *v, size_t n, uint8_t *out)
{
    while (n > 0 && v[n - 1] == 0)
        n--;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)(v[i] >> 8);
        out[2 * i + 1] = (uint8_t)v[i];
    }
    return 2 * n;
}

long store_u16vec_decode(const void *blob, size_t len, uint16_t *v, size_t n)
{
    const uint8_t *b = blob;
    if (len % 2 || len / 2 > n)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = i < len / 2 ? (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]) : 0;
    return (long)(len / 2);
}

void store__set_add(uint8_t sum[32], const uint8_t *row, size_t n)
{
    sha256 h;
    uint8_t d[32];
    sha256_init(&h);
    sha256_update(&h, row, n);
    sha256_final(&h, d);
    unsigned carry = 0;
    for (int i = 0; i < 32; i++) {
        carry += (unsigned)sum[i] + d[i];
        sum[i] = (uint8_t)carry;
        carry >>= 8;
    }
}
