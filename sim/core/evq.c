/* The event queue: a 4-ary min-heap keyed by (time, seq). Four children a
 * node halve the depth of a binary heap, and a node's children share a cache
 * line or two, so a pop (the hot operation: every event is popped once) touches
 * fewer lines. */
#include "core.h"

static bool before(const evq_event *a, const evq_event *b)
{
    return a->time < b->time || (a->time == b->time && a->seq < b->seq);
}

void evq_init(evq *q) { *q = (evq){0}; }

void evq_free(evq *q)
{
    free(q->heap);
    *q = (evq){0};
}

int evq_push(evq *q, int64_t time, evq_cb cb, void *arg)
{
    if (vec_grow_((void **)&q->heap, &q->cap, q->len + 1, sizeof *q->heap))
        return ERR_NOMEM;
    evq_event ev = {time, q->next_seq++, cb, arg};
    size_t i = q->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 4;
        if (!before(&ev, &q->heap[parent]))
            break;
        q->heap[i] = q->heap[parent];
        i = parent;
    }
    q->heap[i] = ev;
    return 0;
}

bool evq_pop(evq *q, evq_event *out)
{
    if (q->len == 0)
        return false;
    *out = q->heap[0];
    evq_event last = q->heap[--q->len];
    size_t i = 0, n = q->len;
    for (;;) {
        size_t first = 4 * i + 1;
        if (first >= n)
            break;
        size_t c = first, end = first + 4 < n ? first + 4 : n;
        for (size_t k = first + 1; k < end; k++)
            if (before(&q->heap[k], &q->heap[c]))
                c = k;
        if (!before(&q->heap[c], &last))
            break;
        q->heap[i] = q->heap[c];
        i = c;
    }
    if (n > 0)
        q->heap[i] = last;
    return true;
}

bool evq_peek_time(const evq *q, int64_t *time)
{
    if (q->len == 0)
        return false;
    *time = q->heap[0].time;
    return true;
}

size_t evq_len(const evq *q) { return q->len; }
