/* Private to sim/runner. */
#ifndef SUBNETSIM_RUNNER_INTERNAL_H
#define SUBNETSIM_RUNNER_INTERNAL_H

#include "runner/runner.h"

typedef struct runner_state runner_state;

typedef struct runner_neuron {
    runner_state *st;
    char hotkey[64], coldkey[80];
    uint16_t netuid;
    double stake_tao;
    uint64_t block;      /* registration block */
} runner_neuron;

/* Room for each family's state; families.c checks its table fits at compile time. */
#define RUNNER_MAX_FAMILIES 16

struct runner_state {
    runner_ctx ctx;
    store *db;
    chain_recorder *rec;
    VEC(runner_neuron *) neurons;
    void *fam_state[RUNNER_MAX_FAMILIES];
};

int runner_add_subnets(runner_state *st, err *e);
int runner_register_all(runner_state *st, err *e);

#endif
