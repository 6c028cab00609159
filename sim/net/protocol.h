/* protocol: the messages actors exchange (rt_msg.type and body). Miners and
 * validators share only this header (DESIGN.md). In virtual time a body travels
 * as the struct below; the live runtime will encode it with JSON codecs kept
 * next to these definitions (not written yet).
 *
 * Ownership: every body here is one malloc'd block (flexible arrays and any
 * internal pointers point inside it), released with free(), so rt_msg.free_body
 * stays NULL. Families add their own message ranges below.
 *
 * Message type ranges: 100-199 chain; 200-299 resi (net/protocol_resi.h). */
#ifndef SUBNETSIM_PROTOCOL_H
#define SUBNETSIM_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest hotkey or coldkey name a message carries, NUL included. */
#define PROTO_KEY_MAX 64
/* Longest error text in a chain reply, NUL included. */
#define PROTO_MSG_MAX 240

/* ------------------------------------------------------------ the chain */

enum {
    /* requests to the chain actor */
    PROTO_CHAIN_REGISTER = 100,  /* proto_chain_register -> proto_chain_result */
    PROTO_CHAIN_SERVE_AXON,      /* proto_chain_axon -> proto_chain_result */
    PROTO_CHAIN_ADD_STAKE,       /* proto_chain_stake -> proto_chain_result */
    PROTO_CHAIN_SET_WEIGHTS,     /* proto_chain_weights -> proto_chain_result */
    PROTO_CHAIN_COMMIT_WEIGHTS,  /* proto_chain_commit -> proto_chain_result (reveal window) */
    PROTO_CHAIN_REVEAL_WEIGHTS,  /* proto_chain_weights (with salt) -> proto_chain_result */
    PROTO_CHAIN_METAGRAPH,       /* proto_chain_metagraph_req -> proto_chain_metagraph */
    /* replies */
    PROTO_CHAIN_RESULT = 150,
    PROTO_CHAIN_METAGRAPH_REPLY
};

/* Reply statuses (rt reply `status`): RT_OK when the extrinsic was included;
 * RT_BAD_REQUEST when the chain rejected it (code ERR_INPUT), RT_NOT_FOUND for
 * an unknown subnet (ERR_NOTFOUND), RT_TOO_MANY for a rate limit (ERR_BUSY),
 * RT_SERVER_ERROR for anything else; message says why, naming the subtensor
 * error in parentheses. */

typedef struct proto_chain_register {
    uint16_t netuid;
    char hotkey[PROTO_KEY_MAX];
    char coldkey[PROTO_KEY_MAX];
} proto_chain_register;

typedef struct proto_chain_axon {
    uint16_t netuid;
    char hotkey[PROTO_KEY_MAX];
    uint32_t ip;        /* IPv4, host order */
    uint16_t port;
} proto_chain_axon;

typedef struct proto_chain_stake {
    uint16_t netuid;
    char hotkey[PROTO_KEY_MAX];
    char coldkey[PROTO_KEY_MAX];
    uint64_t rao;
} proto_chain_stake;

/* set_weights and reveal_weights (salt is ignored by set_weights). data holds
 * n uids then n values. Build with proto_chain_weights_new. */
typedef struct proto_chain_weights {
    uint16_t netuid;
    char hotkey[PROTO_KEY_MAX];
    uint64_t version_key;
    uint64_t salt;
    uint32_t n;
    uint16_t data[];
} proto_chain_weights;

typedef struct proto_chain_commit {
    uint16_t netuid;
    char hotkey[PROTO_KEY_MAX];
    uint8_t hash[32];   /* chain_commit_hash(hotkey, netuid, uids, values, n, salt, version) */
} proto_chain_commit;

typedef struct proto_chain_result {
    int code;                   /* 0 or the ERR_* the chain returned */
    uint64_t block;             /* the block the extrinsic went into */
    uint16_t uid;               /* register: the uid taken */
    /* commit: the blocks in which the reveal will be accepted (inclusive) */
    uint64_t reveal_first_block, reveal_last_block;
    char message[PROTO_MSG_MAX];
} proto_chain_result;

typedef struct proto_chain_metagraph_req {
    uint16_t netuid;
    bool with_weights;          /* include every stored weights row (a copier reads these) */
    bool header_only;           /* no neuron rows: the block, epochs and registrations only */
} proto_chain_metagraph_req;

/* One row of the metagraph, as bittensor's metagraph shows it. */
typedef struct proto_chain_neuron {
    uint16_t uid;
    char hotkey[PROTO_KEY_MAX];
    char coldkey[PROTO_KEY_MAX];
    uint64_t stake;             /* rao */
    uint32_t axon_ip;
    uint16_t axon_port;
    uint64_t registered_at, last_update;
    bool validator_permit, active;
    uint16_t consensus, incentive, dividends, validator_trust;   /* /65535 */
    uint64_t emission;          /* rao, last epoch */
} proto_chain_neuron;

typedef struct proto_chain_went {
    uint16_t uid, value;
} proto_chain_went;

typedef struct proto_chain_metagraph {
    uint16_t netuid;
    uint64_t block;
    uint16_t tempo;
    uint64_t next_epoch_block;
    uint64_t last_epoch_block;
    uint64_t epochs;            /* epochs this subnet has run: the next one is number `epochs` */
    uint64_t registrations;     /* registrations so far: unchanged = the same neurons */
    bool commit_reveal;
    uint16_t n;
    proto_chain_neuron *neurons;    /* n rows (inside this body); NULL when header_only */
    /* With with_weights: row i is weights[row_start[i] .. row_start[i+1]);
     * otherwise both NULL. Inside this body. */
    uint32_t *row_start;
    proto_chain_went *weights;
} proto_chain_metagraph;

/* A weights message for n entries (zeroed but for n), or NULL on no memory.
 * uids are data[0..n), values data[n..2n). */
proto_chain_weights *proto_chain_weights_new(uint32_t n);
/* Bytes a chain message takes on the wire (for the link model): its body size. */
size_t proto_chain_wire_bytes(int type, const void *body);
/* Copy a name into a fixed key field; false when it does not fit. */
bool proto_key_set(char dst[PROTO_KEY_MAX], const char *src);

#endif
