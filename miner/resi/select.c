/* Which zip a miner scrapes next: pools of zips (a region, a class, a state,
 * everything), each shuffled once from the miner's own stream and then
 * cycled (or drawn from), and a weighted choice between pools. */
#include "miner/resi/resi_internal.h"

#include <string.h>

const char *const resi_class_names[] = {"premium", "tier1", "tier2", "tier3", "tier4", NULL};

int rs_zip_class(const world *w, size_t zi)
{
    const world_zip *z = world_zip_at(w, zi);
    return z->premium ? RESI_CLASS_PREMIUM : RESI_CLASS_TIER1 + z->tier - 1;
}

static rs_pool *pool_add(rs_select *sel, const char *name, double weight, size_t room)
{
    rs_pool *np = realloc(sel->pools, (sel->npools + 1) * sizeof *np);
    if (!np)
        return NULL;
    sel->pools = np;
    rs_pool *p = &sel->pools[sel->npools];
    *p = (rs_pool){.weight = weight};
    snprintf(p->name, sizeof p->name, "%s", name);
    if (room && !(p->z = malloc(room * sizeof *p->z)))
        return NULL;
    sel->npools++;
    return p;
}

static void shuffle(rs_pool *p, rng *r)
{
    for (uint32_t i = p->n; i > 1; i--) {
        uint32_t j = (uint32_t)rng_below(r, i);
        uint16_t t = p->z[i - 1];
        p->z[i - 1] = p->z[j];
        p->z[j] = t;
    }
}

/* One pool per class; weights from the map (class name -> weight) or all 0. */
static int class_pools(rs_select *sel, const world *w, const scenario_map *weights)
{
    size_t n = world_zip_count(w);
    for (int c = 0; c < RESI_NCLASSES; c++) {
        double wt = 0;
        for (size_t k = 0; weights && k < weights->n; k++)
            if (!strcmp(weights->v[k].key, resi_class_names[c]))
                wt = weights->v[k].value;
        if (!pool_add(sel, resi_class_names[c], wt, n))
            return ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        rs_pool *p = &sel->pools[rs_zip_class(w, i)];
        p->z[p->n++] = (uint16_t)i;
    }
    return 0;
}

static int state_pools(rs_select *sel, const world *w)
{
    for (size_t s = 0; s < world_state_count(w); s++) {
        const uint32_t *idx;
        size_t n = world_state_zips(w, world_state_at(w, s), &idx);
        rs_pool *p = pool_add(sel, world_state_at(w, s), 0, n);
        if (!p)
            return ERR_NOMEM;
        for (size_t i = 0; i < n; i++)
            p->z[p->n++] = (uint16_t)idx[i];
    }
    return 0;
}

static void mark(rs_pool *p, bool *seen, size_t zi)
{
    if (!seen[zi]) {
        seen[zi] = true;
        p->z[p->n++] = (uint16_t)zi;
    }
}

static int region_pool(rs_select *sel, const world *w, const resi_miner_cfg *cfg, err *e)
{
    size_t n = world_zip_count(w);
    rs_pool *p = pool_add(sel, "region", 1, n);
    bool *seen = calloc(n, sizeof *seen);
    if (!p || !seen) {
        free(seen);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; !rc && i < cfg->zips.n; i++) {
        int zi = world_zip_find(w, cfg->zips.v[i]);
        if (zi < 0)
            rc = err_set(e, ERR_INPUT, "zip '%s' is not in the universe", cfg->zips.v[i]);
        else
            mark(p, seen, (size_t)zi);
    }
    for (size_t i = 0; !rc && i < cfg->states.n; i++) {
        const uint32_t *idx;
        size_t k = world_state_zips(w, cfg->states.v[i], &idx);
        if (!k)
            rc = err_set(e, ERR_INPUT, "state '%s' has no zips in the universe", cfg->states.v[i]);
        for (size_t j = 0; j < k; j++)
            mark(p, seen, idx[j]);
    }
    free(seen);
    return rc;
}

static int premium_pools(rs_select *sel, const world *w, double share)
{
    const uint32_t *idx;
    size_t np = world_premium(w, &idx), n = world_zip_count(w);
    rs_pool *p = pool_add(sel, "premium", share, np);
    if (!p)
        return ERR_NOMEM;
    for (size_t i = 0; i < np; i++)
        p->z[p->n++] = (uint16_t)idx[i];
    if (share >= 1)
        return 0;
    if (!(p = pool_add(sel, "other", 1 - share, n)))
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!world_zip_at(w, i)->premium)
            p->z[p->n++] = (uint16_t)i;
    return 0;
}

static int all_pool(rs_select *sel, const world *w)
{
    size_t n = world_zip_count(w);
    rs_pool *p = pool_add(sel, "all", 1, n);
    if (!p)
        return ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        p->z[p->n++] = (uint16_t)i;
    return 0;
}

int rs_select_init(rs_select *sel, const world *w, const resi_miner_cfg *cfg, int select,
                   int arms, const rng *r, err *e)
{
    memset(sel, 0, sizeof *sel);
    sel->r = *r;
    sel->order = cfg->order;
    if (world_zip_count(w) > UINT16_MAX)
        return err_set(e, ERR_INPUT, "miners index at most 65535 zips (the universe has %zu)",
                       world_zip_count(w));
    int rc;
    if (arms == RESI_ARMS_TIERS)
        rc = class_pools(sel, w, NULL);
    else if (arms == RESI_ARMS_STATES)
        rc = state_pools(sel, w);
    else if (select == RESI_SELECT_PREMIUM)
        rc = premium_pools(sel, w, cfg->premium_share);
    else if (select == RESI_SELECT_REGIONAL)
        rc = region_pool(sel, w, cfg, e);
    else if (select == RESI_SELECT_TIER_WEIGHTED)
        rc = class_pools(sel, w, &cfg->class_weights);
    else
        rc = all_pool(sel, w);
    if (rc == ERR_NOMEM)
        err_set(e, rc, "out of memory");
    for (size_t i = 0; !rc && i < sel->npools; i++)
        shuffle(&sel->pools[i], &sel->r);
    return rc;
}

void rs_select_free(rs_select *sel)
{
    for (size_t i = 0; i < sel->npools; i++)
        free(sel->pools[i].z);
    free(sel->pools);
    memset(sel, 0, sizeof *sel);
}

int rs_select_next(rs_select *sel)
{
    double total = 0;
    for (size_t i = 0; i < sel->npools; i++)
        if (sel->pools[i].n)
            total += sel->pools[i].weight;
    if (!(total > 0))
        return -1;
    rs_pool *p = NULL;
    double u = rng_uniform(&sel->r) * total;
    for (size_t i = 0; i < sel->npools; i++) {
        if (!sel->pools[i].n || !(sel->pools[i].weight > 0))
            continue;
        p = &sel->pools[i];
        if (u < p->weight)
            break;
        u -= p->weight;
    }
    if (sel->order == RESI_ORDER_RANDOM)
        return p->z[rng_below(&sel->r, p->n)];
    return p->z[p->cur++ % p->n];
}
