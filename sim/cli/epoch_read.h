/* epoch_read: the input of `subnetsim epoch` read from its JSON, with every
 * number exact (private to sim/cli/epoch*.c). */
#ifndef SUBNETSIM_CLI_EPOCH_READ_H
#define SUBNETSIM_CLI_EPOCH_READ_H

#include "chain/yuma.h"
#include "json/json.h"

typedef struct epoch_doc {   /* a document, and where its errors go */
    jdoc *doc;
    err *e;
} epoch_doc;

/* The parsed input; arrays owned here, freed by epoch_in_free. */
typedef struct epoch_in {
    yuma_params p;
    yuma_input in;
    uint64_t *stake, *last_update, *reg, *commit;
    bool *permit;
    uint32_t *wr, *br;
    uint16_t *wc, *wv, *bc, *bv;
    const cJSON **node_of;   /* the neuron object of each uid */
} epoch_in;

/* Fill x from r->doc; 0 or ERR_INPUT ("file:line:col: path: what") or ERR_NOMEM. */
int epoch_read_input(epoch_doc *r, epoch_in *x);
void epoch_in_free(epoch_in *x);

#endif
