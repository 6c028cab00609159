/* A bump allocator: a scenario's strings, arrays and structs, freed together. */
#include "scenario/internal.h"

#include <string.h>

#define ARENA_BLOCK 65536
#define ARENA_ALIGN 16

typedef struct block {
    struct block *next;
    size_t used, cap;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} block;

struct arena {
    block *head;
};

arena *arena_new(void) { return calloc(1, sizeof(arena)); }

void arena_free(arena *a)
{
    if (!a)
        return;
    for (block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (n == 0)
        n = ARENA_ALIGN;
    block *b = a->head;
    if (!b || b->cap - b->used < n) {
        /* Large requests get a block of their own, placed behind the current
         * one so the current block's free space is not lost. */
        size_t cap = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        block *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->cap = cap;
        if (b && cap != ARENA_BLOCK) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_memdup(arena *a, const void *p, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    if (s) {
        if (n)
            memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

char *arena_strdup(arena *a, const char *s) { return arena_memdup(a, s, strlen(s)); }
