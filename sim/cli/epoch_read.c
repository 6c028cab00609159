/* Reading the input of `subnetsim epoch`: numbers from their text (exact to
 * 2^64 - 1; a stake in TAO to the rao), unknown keys refused with the closest
 * known one, every error one line with file:line:col and the JSON path. */
#include "cli/epoch_read.h"

#include "scenario/scenario.h"

#include <limits.h>
#include <string.h>

static int fail(epoch_doc *r, const cJSON *node, bool at_key, const char *path, const char *msg)
{
    return jdoc_errorf(r->doc, node, at_key, path, r->e, "%s", msg);
}

/* A JSON number's text times 10^scale as an exact integer below 2^64. */
static int read_decimal(epoch_doc *r, const cJSON *node, const char *path, int scale, uint64_t *out)
{
    char msg[160];
    if (!cJSON_IsNumber(node)) {
        char got[64];
        json_describe(node, got, sizeof got);
        snprintf(msg, sizeof msg, "expected a number, got %s", got);
        return fail(r, node, false, path, msg);
    }
    const char *s = jdoc_value_text(r->doc, node);
    if (*s == '-')
        return fail(r, node, false, path, "must not be negative");
    u128 digits = 0;
    int exp10 = 0, nd = 0;
    bool big = false;
    for (; *s >= '0' && *s <= '9'; s++, nd++)
        big |= (digits = digits * 10 + (u128)(*s - '0')) >> 100;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, nd++, exp10--)
            big |= (digits = digits * 10 + (u128)(*s - '0')) >> 100;
    if (*s == 'e' || *s == 'E') {
        int sign = 1, e = 0;
        s++;
        if (*s == '+' || *s == '-')
            sign = *s++ == '-' ? -1 : 1;
        for (; *s >= '0' && *s <= '9' && e < 10000; s++)
            e = e * 10 + (*s - '0');
        exp10 += sign * e;
    }
    exp10 += scale;
    for (; exp10 < 0 && digits != 0; exp10++) {
        if (digits % 10 != 0) {
            snprintf(msg, sizeof msg, "%s", scale ? "finer than 1 rao" : "expected an integer");
            return fail(r, node, false, path, msg);
        }
        digits /= 10;
    }
    for (; exp10 > 0 && digits != 0 && !big; exp10--)
        big |= (digits *= 10) >> 100;
    if (big || digits > UINT64_MAX || nd == 0)
        return fail(r, node, false, path, "too large (at most 2^64 - 1)");
    *out = (uint64_t)digits;
    return 0;
}

static int read_uint(epoch_doc *r, const cJSON *node, const char *path, uint64_t max, uint64_t *out)
{
    int rc = read_decimal(r, node, path, 0, out);
    if (rc)
        return rc;
    if (*out > max) {
        char msg[96];
        snprintf(msg, sizeof msg, "%llu is out of range 0..%llu", (unsigned long long)*out,
                 (unsigned long long)max);
        return fail(r, node, false, path, msg);
    }
    return 0;
}

static int read_bool(epoch_doc *r, const cJSON *node, const char *path, bool *out)
{
    if (!cJSON_IsBool(node)) {
        char got[64], msg[96];
        json_describe(node, got, sizeof got);
        snprintf(msg, sizeof msg, "expected true or false, got %s", got);
        return fail(r, node, false, path, msg);
    }
    *out = cJSON_IsTrue(node);
    return 0;
}

static int require_object(epoch_doc *r, const cJSON *node, const char *path)
{
    if (cJSON_IsObject(node))
        return 0;
    char got[64], msg[96];
    json_describe(node, got, sizeof got);
    snprintf(msg, sizeof msg, "expected an object, got %s", got);
    return fail(r, node, false, path, msg);
}

/* Refuse keys outside `known` (NULL-terminated), naming the closest. */
static int check_keys(epoch_doc *r, const cJSON *obj, const char *path, const char *const *known)
{
    size_t nknown = 0;
    while (known[nknown])
        nknown++;
    for (const cJSON *m = obj->child; m; m = m->next) {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = !strcmp(m->string, *k);
        if (ok)
            continue;
        const char *best = scenario_suggest(m->string, known, nknown);
        char where[160], msg[160];
        snprintf(where, sizeof where, "%s%s%s", path, *path ? "." : "", m->string);
        if (best)
            snprintf(msg, sizeof msg, "unknown key (did you mean \"%s\"?)", best);
        else
            snprintf(msg, sizeof msg, "unknown key");
        return fail(r, m, true, where, msg);
    }
    return 0;
}

/* ------------------------------------------------------------ the input */



void epoch_in_free(epoch_in *x)
{
    free(x->stake), free(x->last_update), free(x->reg), free(x->commit), free(x->permit);
    free(x->wr), free(x->br), free(x->wc), free(x->wv), free(x->bc), free(x->bv);
    free(x->node_of);
}

static int read_hyper(epoch_doc *r, const cJSON *h, yuma_params *p)
{
    static const char *const keys[] = {
        "kappa", "bonds_moving_average", "bonds_penalty", "yuma3", "liquid_alpha",
        "alpha_low", "alpha_high", "alpha_sigmoid_steepness", "activity_cutoff",
        "max_allowed_validators", "tempo", "stake_threshold", NULL};
    int rc = require_object(r, h, "hyperparameters");
    if (rc || (rc = check_keys(r, h, "hyperparameters", keys)))
        return rc;
    for (const cJSON *m = h->child; m; m = m->next) {
        char path[96];
        snprintf(path, sizeof path, "hyperparameters.%s", m->string);
        uint64_t v = 0;
        const char *k = m->string;
        if (!strcmp(k, "yuma3"))
            rc = read_bool(r, m, path, &p->yuma3);
        else if (!strcmp(k, "liquid_alpha"))
            rc = read_bool(r, m, path, &p->liquid_alpha);
        else if (!strcmp(k, "alpha_sigmoid_steepness")) {
            /* an i16 on chain; negative steepness is allowed there */
            if (!cJSON_IsNumber(m) || m->valuedouble != (double)(int64_t)m->valuedouble ||
                m->valuedouble < -32768 || m->valuedouble > 32767)
                rc = fail(r, m, false, path, "expected an integer -32768..32767");
            else
                p->alpha_sigmoid_steepness = (int16_t)m->valuedouble;
        } else if (!strcmp(k, "bonds_moving_average") || !strcmp(k, "activity_cutoff") ||
                   !strcmp(k, "stake_threshold")) {
            rc = read_uint(r, m, path, UINT64_MAX, &v);
            if (!rc)
                *(!strcmp(k, "bonds_moving_average") ? &p->bonds_moving_average
                  : !strcmp(k, "activity_cutoff")    ? &p->activity_cutoff
                                                     : &p->stake_threshold) = v;
        } else {
            rc = read_uint(r, m, path, 65535, &v);
            uint16_t *dst = !strcmp(k, "kappa")               ? &p->kappa
                            : !strcmp(k, "bonds_penalty")     ? &p->bonds_penalty
                            : !strcmp(k, "alpha_low")         ? &p->alpha_low
                            : !strcmp(k, "alpha_high")        ? &p->alpha_high
                            : !strcmp(k, "tempo")             ? &p->tempo
                                                              : &p->max_allowed_validators;
            if (!rc)
                *dst = (uint16_t)v;
        }
        if (rc)
            return rc;
    }
    return 0;
}

typedef struct entry {
    uint16_t col, val;
} entry;

static int cmp_entry(const void *a, const void *b)
{
    return (int)((const entry *)a)->col - (int)((const entry *)b)->col;
}

/* A sparse row {"uid": u16, ...} appended at *nnz, sorted by uid. */
static int read_row(epoch_doc *r, const cJSON *obj, const char *path, uint32_t n, uint16_t *cols,
                    uint16_t *vals, uint32_t *nnz)
{
    int rc = require_object(r, obj, path);
    if (rc)
        return rc;
    uint32_t start = *nnz, k = 0;
    entry *tmp = malloc((size_t)cJSON_GetArraySize(obj) * sizeof *tmp + 1);
    if (!tmp)
        return err_set(r->e, ERR_NOMEM, "out of memory");
    for (const cJSON *m = obj->child; m; m = m->next) {
        char where[160];
        snprintf(where, sizeof where, "%s.%s", path, m->string);
        const char *s = m->string;
        bool canon = *s && (s[0] != '0' || !s[1]) && strspn(s, "0123456789") == strlen(s);
        unsigned long uid = canon && strlen(s) < 7 ? strtoul(s, NULL, 10) : ULONG_MAX;
        if (uid >= n) {
            char msg[96];
            snprintf(msg, sizeof msg, canon ? "no neuron has uid %s (uids are 0..%u)"
                                            : "\"%s\" is not a uid (0..%u)",
                     s, n - 1);
            free(tmp);
            return fail(r, m, true, where, msg);
        }
        uint64_t v;
        if ((rc = read_uint(r, m, where, 65535, &v))) {
            free(tmp);
            return rc;
        }
        tmp[k++] = (entry){(uint16_t)uid, (uint16_t)v};
    }
    qsort(tmp, k, sizeof *tmp, cmp_entry);
    for (uint32_t q = 0; q < k; q++)
        cols[start + q] = tmp[q].col, vals[start + q] = tmp[q].val;
    *nnz = start + k;
    free(tmp);
    return 0;
}

/* The uid a neuron object speaks for (its position when it names none). */
static int read_uid(epoch_doc *r, const cJSON *nd, uint32_t idx, epoch_in *x, uint32_t *idx_of)
{
    static const char *const keys[] = {
        "uid", "stake", "stake_rao", "validator_permit", "last_update", "registered_at",
        "weights", "bonds", "commit_block", NULL};
    char path[64], where[96];
    snprintf(path, sizeof path, "neurons[%u]", idx);
    int rc = require_object(r, nd, path);
    if (rc || (rc = check_keys(r, nd, path, keys)))
        return rc;
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(nd, "uid");
    uint64_t uid = idx;
    snprintf(where, sizeof where, "%s.uid", path);
    if (u && (rc = read_uint(r, u, where, x->in.n - 1, &uid)))
        return rc;
    if (x->node_of[uid]) {
        char msg[96];
        snprintf(msg, sizeof msg, "uid %llu already given by neurons[%u]",
                 (unsigned long long)uid, idx_of[uid]);
        return fail(r, u ? u : nd, false, u ? where : path, msg);
    }
    x->node_of[uid] = nd;
    idx_of[uid] = idx;
    return 0;
}

/* Fill the arrays of one uid from its neuron object (uids in order, so the
 * CSR rows are appended in order). */
static int read_fields(epoch_doc *r, const cJSON *nd, uint32_t uid, uint32_t idx, epoch_in *x,
                       uint32_t *nw, uint32_t *nb)
{
    char path[64], where[96];
    snprintf(path, sizeof path, "neurons[%u]", idx);
    int rc = 0;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(nd, "stake");
    const cJSON *sr = cJSON_GetObjectItemCaseSensitive(nd, "stake_rao");
    if (st && sr) {
        snprintf(where, sizeof where, "%s.stake_rao", path);
        return fail(r, sr, true, where, "give stake (TAO) or stake_rao, not both");
    }
    if (st) {
        snprintf(where, sizeof where, "%s.stake", path);
        rc = read_decimal(r, st, where, 9, &x->stake[uid]);
    } else if (sr) {
        snprintf(where, sizeof where, "%s.stake_rao", path);
        rc = read_uint(r, sr, where, UINT64_MAX, &x->stake[uid]);
    }
    const cJSON *f;
    if (!rc && (f = cJSON_GetObjectItemCaseSensitive(nd, "validator_permit"))) {
        snprintf(where, sizeof where, "%s.validator_permit", path);
        rc = read_bool(r, f, where, &x->permit[uid]);
    }
    if (!rc && (f = cJSON_GetObjectItemCaseSensitive(nd, "last_update"))) {
        snprintf(where, sizeof where, "%s.last_update", path);
        rc = read_uint(r, f, where, UINT64_MAX, &x->last_update[uid]);
    }
    if (!rc && (f = cJSON_GetObjectItemCaseSensitive(nd, "registered_at"))) {
        snprintf(where, sizeof where, "%s.registered_at", path);
        rc = read_uint(r, f, where, UINT64_MAX, &x->reg[uid]);
    }
    if (!rc && (f = cJSON_GetObjectItemCaseSensitive(nd, "commit_block"))) {
        snprintf(where, sizeof where, "%s.commit_block", path);
        rc = read_uint(r, f, where, UINT64_MAX, &x->commit[uid]);
        x->in.commit_block = x->commit;
    }
    x->wr[uid] = *nw;
    x->br[uid] = *nb;
    if (!rc && (f = cJSON_GetObjectItemCaseSensitive(nd, "weights"))) {
        snprintf(where, sizeof where, "%s.weights", path);
        rc = read_row(r, f, where, x->in.n, x->wc, x->wv, nw);
    }
    if (!rc && (f = cJSON_GetObjectItemCaseSensitive(nd, "bonds"))) {
        snprintf(where, sizeof where, "%s.bonds", path);
        rc = read_row(r, f, where, x->in.n, x->bc, x->bv, nb);
    }
    return rc;
}

static bool alloc_arrays(epoch_in *x, uint32_t n, size_t nw, size_t nb)
{
    x->stake = calloc(n, sizeof *x->stake);
    x->last_update = calloc(n, sizeof *x->last_update);
    x->reg = calloc(n, sizeof *x->reg);
    x->commit = malloc(n * sizeof *x->commit);
    x->permit = calloc(n, sizeof *x->permit);
    x->wr = calloc((size_t)n + 1, sizeof *x->wr);
    x->br = calloc((size_t)n + 1, sizeof *x->br);
    x->wc = malloc(nw * sizeof *x->wc + 1), x->wv = malloc(nw * sizeof *x->wv + 1);
    x->bc = malloc(nb * sizeof *x->bc + 1), x->bv = malloc(nb * sizeof *x->bv + 1);
    x->node_of = calloc(n, sizeof *x->node_of);
    if (!x->stake || !x->last_update || !x->reg || !x->commit || !x->permit || !x->wr ||
        !x->br || !x->wc || !x->wv || !x->bc || !x->bv || !x->node_of)
        return false;
    for (uint32_t i = 0; i < n; i++)
        x->commit[i] = UINT64_MAX;
    return true;
}

static size_t count_entries(const cJSON *neurons, const char *key)
{
    size_t total = 0;
    for (const cJSON *nd = neurons->child; nd; nd = nd->next) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(nd, key);
        total += cJSON_IsObject(o) ? (size_t)cJSON_GetArraySize(o) : 0;
    }
    return total;
}

static int read_input(epoch_doc *r, epoch_in *x);

/* An error is one line: keys and texts from the input may hold control
 * characters, which err_oneline escapes. */
int epoch_read_input(epoch_doc *r, epoch_in *x)
{
    int rc = read_input(r, x);
    if (rc)
        err_oneline(r->e);
    return rc;
}

static int read_input(epoch_doc *r, epoch_in *x)
{
    static const char *const keys[] = {"block", "emission_rao", "last_epoch_block",
                                       "owner_uid", "hyperparameters", "neurons", NULL};
    const cJSON *root = jdoc_root(r->doc);
    int rc = require_object(r, root, "");
    if (rc || (rc = check_keys(r, root, "", keys)))
        return rc;
    yuma_params_default(&x->p);
    x->in.emission = 1000000000;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "block");
    if (!f)
        return fail(r, root, false, "block", "missing (the block of the epoch)");
    if ((rc = read_uint(r, f, "block", UINT64_MAX, &x->in.block)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "emission_rao")) &&
        (rc = read_uint(r, f, "emission_rao", UINT64_MAX, &x->in.emission)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "last_epoch_block")) &&
        (rc = read_uint(r, f, "last_epoch_block", UINT64_MAX, &x->in.last_epoch_block)))
        return rc;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "hyperparameters")) &&
        (rc = read_hyper(r, f, &x->p)))
        return rc;
    const cJSON *neurons = cJSON_GetObjectItemCaseSensitive(root, "neurons");
    if (!neurons)
        return fail(r, root, false, "neurons", "missing (an array of neurons)");
    int count = cJSON_GetArraySize(neurons);
    if (!cJSON_IsArray(neurons) || count < 1 || count > (int)YUMA_MAX_UIDS)
        return fail(r, neurons, false, "neurons", "expected an array of 1 to 65535 neurons");
    uint32_t n = (uint32_t)count;
    x->in.n = n;
    if ((f = cJSON_GetObjectItemCaseSensitive(root, "owner_uid")) && !cJSON_IsNull(f)) {
        uint64_t owner;
        if ((rc = read_uint(r, f, "owner_uid", n - 1, &owner)))
            return rc;
        x->p.owner_uid = (int32_t)owner;
    }
    size_t nw_cap = count_entries(neurons, "weights"), nb_cap = count_entries(neurons, "bonds");
    uint32_t *idx_of = malloc(n * sizeof *idx_of);
    if (!idx_of || !alloc_arrays(x, n, nw_cap, nb_cap)) {
        free(idx_of);
        return err_set(r->e, ERR_NOMEM, "out of memory for %u neurons", n);
    }
    uint32_t idx = 0, nw = 0, nb = 0;
    for (const cJSON *nd = neurons->child; nd && !rc; nd = nd->next, idx++)
        rc = read_uid(r, nd, idx, x, idx_of);
    /* n objects, n distinct uids below n: every uid is there */
    for (uint32_t uid = 0; uid < n && !rc; uid++)
        rc = read_fields(r, x->node_of[uid], uid, idx_of[uid], x, &nw, &nb);
    free(idx_of);
    if (rc)
        return rc;
    x->wr[n] = nw;
    x->br[n] = nb;
    u128 sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += x->stake[i];
    if (sum >= (u128)1 << 63)
        return fail(r, neurons, false, "neurons", "total stake must be below 2^63 rao");
    x->in.stake = x->stake;
    x->in.last_update = x->last_update;
    x->in.registered_at = x->reg;
    x->in.validator_permit = x->permit;
    x->in.weights = (yuma_csr){x->wr, x->wc, x->wv};
    x->in.bonds = (yuma_csr){x->br, x->bc, x->bv};
    return 0;
}

