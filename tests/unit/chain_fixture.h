/* Shared by the chain's unit tests: subnet 1 as most of them set it up, a new
 * chain holding it, and advancing that chain. */
#ifndef SUBNETSIM_TEST_CHAIN_FIXTURE_H
#define SUBNETSIM_TEST_CHAIN_FIXTURE_H

#include "chain/chain.h"
#include "test.h"

#define TAO CHAIN_RAO_PER_TAO

/* Subnet 1 with SPEC §1's defaults but tempo 10 (epochs at 8 + 11 k, epoch
 * index (b + 2) / 11) and no weights rate limit. */
static inline chain_subnet_params cfx_params(bool commit_reveal)
{
    chain_subnet_params p;
    chain_subnet_params_default(&p, 1);
    p.tempo = 10;
    p.commit_reveal = commit_reveal;
    p.weights_rate_limit = 0;
    return p;
}

/* A new chain at block 0 holding subnet p (no subnet when p is NULL). */
static inline chain *cfx_chain(const chain_subnet_params *p)
{
    chain *c;
    err e;
    ASSERT_OK(chain_new(NULL, &c, &e));
    if (p && chain_add_subnet(c, p, &e))
        TEST_FAIL_("add_subnet %u: %s", (unsigned)p->netuid, e.msg);
    return c;
}

static inline void cfx_advance(chain *c, uint64_t block)
{
    err e;
    if (chain_advance_to(c, block, &e))
        TEST_FAIL_("advance to %llu: %s", (unsigned long long)block, e.msg);
}

#endif
