/* subnetsim epoch FILE.json: one Yuma Consensus epoch of one subnet, from the
 * state in a JSON file to the values the chain would store, as JSON on stdout.
 *
 * Numbers are read from their text, not through a double: integers are exact
 * up to 2^64 - 1 and a stake in TAO becomes rao exactly (a decimal with at most
 * nine fraction digits; "0.1" is 100000000 rao, "1e-9" is 1 rao, and anything
 * finer than a rao is refused). */
#include "chain/yuma.h"
#include "cli/cli.h"
#include "cli/epoch_read.h"

#include <limits.h>
#include <string.h>

#define EPOCH_MAX_BYTES (256u << 20)

static const char *const EPOCH_HELP =
    "usage: subnetsim epoch [--next] [--fast-sigmoid] FILE.json\n"
    "\n"
    "Run one Yuma Consensus epoch (subtensor's epoch, fixed-point exact) on the\n"
    "state in FILE.json and print what the chain would store:\n"
    "\n"
    "  {\"block\": 5002, \"emission_rao\": 1000000000, \"last_epoch_block\": 0,\n"
    "   \"owner_uid\": null,\n"
    "   \"hyperparameters\": {\"kappa\": 32767, \"bonds_moving_average\": 900000,\n"
    "     \"bonds_penalty\": 65535, \"yuma3\": true, \"liquid_alpha\": false,\n"
    "     \"alpha_low\": 45875, \"alpha_high\": 58982, \"alpha_sigmoid_steepness\": 1000,\n"
    "     \"activity_cutoff\": 5000, \"max_allowed_validators\": 64, \"tempo\": 360,\n"
    "     \"stake_threshold\": 0},\n"
    "   \"neurons\": [{\"uid\": 0, \"stake\": 1.0, \"validator_permit\": true,\n"
    "     \"last_update\": 1, \"registered_at\": 0,\n"
    "     \"weights\": {\"2\": 32767, \"3\": 32767}, \"bonds\": {\"2\": 65535}}]}\n"
    "\n"
    "Every key but block and neurons is optional (defaults as above: SPEC.md §1.4).\n"
    "neurons[i].uid must be 0..n-1, each once. stake is TAO (exact to the rao);\n"
    "stake_rao gives rao instead. weights and bonds are as the chain stores them\n"
    "(u16; weights row-max-upscaled; explicit zeros are kept). last_epoch_block is\n"
    "LastMechanismStepBlock (0: none). commit_block (per neuron, optional) is the\n"
    "block of an unrevealed commit under commit-reveal.\n"
    "\n"
    "Output: {\"neurons\": [{\"uid\", \"active\", \"validator_permit\", \"stake_weight\",\n"
    "\"rank\", \"trust\", \"consensus\", \"incentive\", \"dividends\", \"validator_trust\",\n"
    "\"emission_rao\", \"server_emission_rao\", \"validator_emission_rao\", \"bonds\"}]}:\n"
    "u16 values as stored; emission_rao is the combined Emission. validator_permit\n"
    "and bonds are what the next epoch takes.\n"
    "\n"
    "  --next          print the input for the next epoch instead: permits and\n"
    "                  bonds replaced, last_epoch_block = block, block += tempo + 1\n"
    "  --fast-sigmoid  liquid alpha with libm exp (not exact, not faster: for\n"
    "                  reproducing earlier runs made with it)\n"
    "\n"
    "Exit status: 0 ok, 2 bad input (one line: file:line:col: path: what).\n";

/* ------------------------------------------------------------ output */

static void print_bonds(sbuf *b, const yuma_output *o, uint32_t i)
{
    sbuf_puts(b, "{");
    for (uint32_t q = o->bonds.row_start[i]; q < o->bonds.row_start[i + 1]; q++)
        sbuf_printf(b, "%s\"%u\": %u", q > o->bonds.row_start[i] ? ", " : "", o->bonds.col[q],
                    o->bonds.val[q]);
    sbuf_puts(b, "}");
}

static void print_output(sbuf *b, const yuma_output *o)
{
    sbuf_puts(b, "{\"neurons\": [\n");
    for (uint32_t i = 0; i < o->n; i++) {
        sbuf_printf(b,
                    "  {\"uid\": %u, \"active\": %s, \"validator_permit\": %s, "
                    "\"stake_weight\": %u, \"rank\": %u, \"trust\": %u, \"consensus\": %u, "
                    "\"incentive\": %u, \"dividends\": %u, \"validator_trust\": %u, "
                    "\"emission_rao\": %llu, \"server_emission_rao\": %llu, "
                    "\"validator_emission_rao\": %llu, \"bonds\": ",
                    i, o->active[i] ? "true" : "false", o->validator_permit[i] ? "true" : "false",
                    o->stake_weight[i], o->rank[i], o->trust[i], o->consensus[i],
                    o->incentive[i], o->dividends[i], o->validator_trust[i],
                    (unsigned long long)o->emission[i],
                    (unsigned long long)o->server_emission[i],
                    (unsigned long long)o->validator_emission[i]);
        print_bonds(b, o, i);
        sbuf_puts(b, i + 1 < o->n ? "},\n" : "}\n");
    }
    sbuf_puts(b, "]}\n");
}

/* Numbers keep their exact text (cJSON would print them through a double). */
static void keep_number_texts(epoch_doc *r, cJSON *node)
{
    for (cJSON *c = node->child; c; c = c->next) {
        if (cJSON_IsNumber(c)) {
            const char *s = jdoc_value_text(r->doc, c);
            size_t len = strspn(s, "-+.eE0123456789");
            char *raw = strndup(s, len);
            if (raw) {
                c->type = cJSON_Raw;
                c->valuestring = raw;
            }
        } else {
            keep_number_texts(r, c);
        }
    }
}

static void set_raw(cJSON *obj, const char *key, const char *text)
{
    cJSON *v = cJSON_CreateRaw(text);
    if (cJSON_GetObjectItemCaseSensitive(obj, key))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, key, v);
    else
        cJSON_AddItemToObject(obj, key, v);
}

/* The input of the next epoch: this one's with permits, bonds and blocks moved on. */
static char *next_input(epoch_doc *r, const epoch_in *x, const yuma_output *o)
{
    cJSON *root = jdoc_root(r->doc);
    keep_number_texts(r, root);
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)x->in.block);
    set_raw(root, "last_epoch_block", num);
    snprintf(num, sizeof num, "%llu", (unsigned long long)(x->in.block + x->p.tempo + 1));
    set_raw(root, "block", num);
    for (uint32_t i = 0; i < o->n; i++) {
        cJSON *nd = (cJSON *)x->node_of[i];
        set_raw(nd, "validator_permit", o->validator_permit[i] ? "true" : "false");
        sbuf b;
        sbuf_init(&b);
        print_bonds(&b, o, i);
        set_raw(nd, "bonds", b.oom ? "{}" : b.s);
        sbuf_free(&b);
    }
    return cJSON_Print(root);
}

/* ------------------------------------------------------------ command */

int cli_epoch(int argc, char **argv)
{
    bool next = false, fast = false;
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(EPOCH_HELP, stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--next"))
            next = true;
        else if (!strcmp(argv[i], "--fast-sigmoid"))
            fast = true;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "subnetsim epoch: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        } else if (path) {
            fprintf(stderr, "subnetsim epoch: one file at a time\n");
            return 2;
        } else
            path = argv[i];
    }
    if (!path) {
        fputs("usage: subnetsim epoch [--next] [--fast-sigmoid] FILE.json (see --help)\n", stderr);
        return 2;
    }
    err e = {0};
    epoch_doc r = {.e = &e};
    epoch_in x = {0};
    char *printed = NULL;
    yuma_ws *ws = NULL;
    sbuf out;
    sbuf_init(&out);
    int rc = jdoc_load(path, EPOCH_MAX_BYTES, &r.doc, &e);
    if (!rc)
        rc = epoch_read_input(&r, &x);
    const yuma_output *o = NULL;
    if (!rc) {
        x.p.fast_sigmoid = fast;
        ws = yuma_ws_new();
        rc = ws ? yuma_epoch(ws, &x.p, &x.in, &o, &e) : err_set(&e, ERR_NOMEM, "out of memory");
        if (rc == ERR_INPUT)
            err_prefix(&e, "%s", path);
    }
    if (!rc) {
        if (next) {
            printed = next_input(&r, &x, o);
            rc = printed ? 0 : err_set(&e, ERR_NOMEM, "out of memory");
        } else {
            print_output(&out, o);
            rc = out.oom ? err_set(&e, ERR_NOMEM, "out of memory") : 0;
        }
    }
    if (rc) {
        err_oneline(&e);   /* also for errors from the epoch itself */
        fprintf(stderr, "%s\n", e.msg);
    } else
        fputs(next ? printed : out.s, stdout), next ? fputc('\n', stdout) : 0;
    free(printed);
    sbuf_free(&out);
    yuma_ws_free(ws);
    epoch_in_free(&x);
    jdoc_free(r.doc);
    return rc ? err_exit_status(rc) : 0;
}
