/* The world's life cycle, its data files and its clock. */
#include "world/world_internal.h"

#include <string.h>

#ifndef SUBNETSIM_DATA_DIR
#define SUBNETSIM_DATA_DIR "data"
#endif

const char *world_data_dir(const char *override_dir)
{
    if (override_dir && *override_dir)
        return override_dir;
    const char *env = getenv("SUBNETSIM_DATA");
    return env && *env ? env : SUBNETSIM_DATA_DIR;
}

int world_data_path(const char *override_dir, const char *file, char *out, size_t n, err *e)
{
    int len = file[0] == '/' ? snprintf(out, n, "%s", file)
                             : snprintf(out, n, "%s/%s", world_data_dir(override_dir), file);
    if (len < 0 || (size_t)len >= n)
        return err_set(e, ERR_INPUT, "data path for '%s' is too long", file);
    return 0;
}

int world_new(const world_params *p, uint64_t seed, world **out, err *e)
{
    *out = NULL;
    int rc = world_params_check(p, e);
    if (rc)
        return rc;
    char path[4096];
    if ((rc = world_data_path(p->data_dir, p->zip_file ? p->zip_file : "us_zipcodes.csv", path,
                              sizeof path, e)))
        return rc;
    world *w = calloc(1, sizeof *w);
    if (!w)
        return err_set(e, ERR_NOMEM, "out of memory");
    w->p = *p;
    w->p.data_dir = w->p.zip_file = NULL;   /* the caller's strings: not kept */
    w->seed = seed;
    rc = world_zips_load(w, path, e);
    if (!rc)
        rc = world_listings_init(w, e);
    if (rc) {
        world_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

void world_free(world *w)
{
    if (!w)
        return;
    world_listings_free(w);
    free(w->zips);
    free(w->by_zipnum);
    free(w->states);
    free(w->state_start);
    free(w->state_idx);
    free(w);
}

const world_params *world_get_params(const world *w) { return &w->p; }
uint64_t world_seed(const world *w) { return w->seed; }

/* Floor division keeps times before the epoch on the right millisecond. */
int64_t world_unix_ms(const world *w, rt_time t)
{
    int64_t ms = t >= 0 ? t / 1000 : -((-t + 999) / 1000);
    return w->p.epoch_unix_s * 1000 + ms;
}

rt_time world_rt_time(const world *w, int64_t unix_ms)
{
    return (unix_ms - w->p.epoch_unix_s * 1000) * 1000;
}

/* ------------------------------------------------------------- records */

static const rt_column zip_cols[] = {
    {"zip", RT_COL_TEXT, "the zipcode (5 digits)"},
    {"rank", RT_COL_INT, "population rank, 1 = most populous (ties by zip)"},
    {"class", RT_COL_TEXT, "premium, else tier1..tier4 by rank: the classes partition the universe"},
    {"tier", RT_COL_INT, "tier by rank, 1..4 (a premium zip has one too)"},
    {"premium", RT_COL_INT, "1 for the premium zips"},
    {"weight", RT_COL_REAL, "the premium weight, else the tier's"},
    {"state", RT_COL_TEXT, "two-letter state or territory"},
    {"city", RT_COL_TEXT, "city name from the zipcode data"},
    {"lat", RT_COL_REAL, "latitude of the zip's centre (degrees)"},
    {"lon", RT_COL_REAL, "longitude (degrees)"},
    {"population", RT_COL_INT, "residents (0 where the data has none)"},
    {"listings_mean", RT_COL_REAL, "listings for sale at any time, on average"},
};
const rt_table world_zipcode_table = {"zipcode", "the real-estate zipcode universe, one row per zip",
                                      zip_cols, 12, NULL, "zip"};

int world_record_zips(const world *w, rt *r)
{
    static const char *const classes[] = {"premium", "tier1", "tier2", "tier3", "tier4"};
    for (size_t i = 0; i < w->nzips; i++) {
        const world_zip *z = &w->zips[i];
        rt_val v[12] = {RT_S(z->zip), RT_I(z->rank), RT_S(classes[z->premium ? 0 : z->tier]),
                        RT_I(z->tier), RT_I(z->premium), RT_D(z->weight), RT_S(z->state),
                        RT_S(z->city), RT_D(z->lat), RT_D(z->lon), RT_I(z->population),
                        RT_D(z->listings_mean)};
        int rc = rt_record(r, &world_zipcode_table, v);
        if (rc)
            return rc;
    }
    return 0;
}
