/* `subnetsim epoch`'s input reader, and the epoch itself, on arbitrary bytes.
 * It must never crash, leak or trip a sanitizer; a refusal must be one line of
 * ERR_INPUT naming the file; whatever it accepts must run through yuma_epoch
 * (which may refuse with ERR_INPUT too, e.g. a state the chain could not hold)
 * and give outputs that respect the chain's invariants. */
#include "chain/yuma.h"
#include "cli/epoch_read.h"

#include <string.h>

static void check_refusal(const err *e)
{
    if (e->code != ERR_INPUT || strchr(e->msg, '\n') || strncmp(e->msg, "fuzz.json", 9) != 0)
        abort();
}

/* Incentive and dividends are shares: their u16 sums stay within rounding of 1. */
static void check_output(const yuma_output *o)
{
    uint64_t inc = 0, div = 0;
    for (uint32_t i = 0; i < o->n; i++) {
        inc += o->incentive[i];
        div += o->dividends[i];
    }
    if (inc > 65535 + o->n || div > 65535 + o->n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;   /* the reader's own size limit is tested elsewhere; keep runs fast */
    err e = {0};
    epoch_doc r = {.e = &e};
    epoch_in x = {0};
    int rc = jdoc_parse("fuzz.json", (const char *)data, size, &r.doc, &e);
    if (!rc)
        rc = epoch_read_input(&r, &x);
    if (rc == ERR_INPUT)
        check_refusal(&e);
    if (!rc && x.in.n <= 512) {
        yuma_ws *ws = yuma_ws_new();
        const yuma_output *o = NULL;
        if (ws) {
            rc = yuma_epoch(ws, &x.p, &x.in, &o, &e);
            if (rc && rc != ERR_INPUT && rc != ERR_NOMEM)
                abort();
            if (!rc)
                check_output(o);
            yuma_ws_free(ws);
        }
    }
    epoch_in_free(&x);
    jdoc_free(r.doc);
    return 0;
}
