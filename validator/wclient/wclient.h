/* wclient: a validator's weights on the chain, as a client of the chain actor.
 * A validator hands it the metagraph it just read and the weights it wants to
 * set; the client sets them (commit-reveal off) or commits them and keeps the
 * commit to reveal once the chain's reveal window for it opens (on), revealing
 * the previous commit first at every turn. A commit whose window passed
 * without a reveal is dropped: it never counts (SPEC 1.3).
 *
 * Shared by every validator model that sets weights (the weights family and
 * the resi validators), so commit-reveal behaves the same for all of them.
 *
 * Ownership: the caller owns the wclient struct (embed it); wclient_free
 * releases what it holds. One turn at a time per client. */
#ifndef SUBNETSIM_VALIDATOR_WCLIENT_H
#define SUBNETSIM_VALIDATOR_WCLIENT_H

#include "core/core.h"
#include "net/protocol.h"
#include "runtime/rt.h"

/* ok: the chain accepted this turn's weights (set or committed). */
typedef void (*wclient_done_cb)(void *arg, bool ok);

typedef struct wclient {
    rt *r;
    rt_actor me, chain;
    uint16_t netuid;
    char hotkey[PROTO_KEY_MAX];
    rng salts;                       /* commit salts: rt_rng(hotkey, "salt") */
    rt_time timeout;                 /* per chain call */
    proto_chain_weights *pending;    /* committed, waiting for its reveal */
    uint64_t reveal_first, reveal_last;
    /* the turn in progress */
    proto_chain_weights *next;
    bool commit_reveal;
    wclient_done_cb done;
    void *arg;
} wclient;

/* ERR_INPUT when the hotkey does not fit a key field. */
int wclient_init(wclient *c, rt *r, rt_actor me, rt_actor chain, uint16_t netuid,
                 const char *hotkey, err *e);
void wclient_free(wclient *c);

/* A weights message from this client for n (uid, value) pairs, values as the
 * chain takes them (u16, max-upscaled by the caller). NULL: no memory. */
proto_chain_weights *wclient_weights_new(const wclient *c, const uint16_t *uids,
                                         const uint16_t *values, size_t n);

/* One turn, with the metagraph the caller just read: reveal the pending commit
 * when mg->block lies in its window (drop it once the window has passed), then
 * set w or commit it as mg->commit_reveal says. w may be NULL (reveal only);
 * the client takes it in every case. Returns 0 when done(arg, ok) will run
 * exactly once later, 1 when there was nothing to send (done never runs), or
 * ERR_NOMEM (done never runs). */
int wclient_turn(wclient *c, const proto_chain_metagraph *mg, proto_chain_weights *w,
                 wclient_done_cb done, void *arg);

#endif
