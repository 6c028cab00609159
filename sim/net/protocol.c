/* Helpers for the protocol's message bodies. */
#include "net/protocol.h"

#include <stdlib.h>
#include <string.h>

proto_chain_weights *proto_chain_weights_new(uint32_t n)
{
    proto_chain_weights *w = calloc(1, sizeof *w + 2 * (size_t)n * sizeof w->data[0]);
    if (w)
        w->n = n;
    return w;
}

bool proto_key_set(char dst[PROTO_KEY_MAX], const char *src)
{
    size_t n = strlen(src);
    if (n >= PROTO_KEY_MAX)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

size_t proto_chain_wire_bytes(int type, const void *body)
{
    switch (type) {
    case PROTO_CHAIN_REGISTER: return sizeof(proto_chain_register);
    case PROTO_CHAIN_SERVE_AXON: return sizeof(proto_chain_axon);
    case PROTO_CHAIN_ADD_STAKE: return sizeof(proto_chain_stake);
    case PROTO_CHAIN_SET_WEIGHTS:
    case PROTO_CHAIN_REVEAL_WEIGHTS: {
        const proto_chain_weights *w = body;
        return sizeof *w + 2 * (size_t)w->n * sizeof w->data[0];
    }
    case PROTO_CHAIN_COMMIT_WEIGHTS: return sizeof(proto_chain_commit);
    case PROTO_CHAIN_METAGRAPH: return sizeof(proto_chain_metagraph_req);
    case PROTO_CHAIN_RESULT: return sizeof(proto_chain_result);
    case PROTO_CHAIN_METAGRAPH_REPLY: {
        const proto_chain_metagraph *m = body;
        size_t b = sizeof *m + (m->neurons ? (size_t)m->n * sizeof *m->neurons : 0);
        if (m->row_start)
            b += ((size_t)m->n + 1) * sizeof *m->row_start +
                 (size_t)m->row_start[m->n] * sizeof *m->weights;
        return b;
    }
    }
    return 0;
}
