/* The coverage map: the zipcode universe on a US map, each zip a dot, grey
 * where no miner holds its listings at the end of the run, else coloured and
 * sized by how many miners do; premium zips circled and labelled with their
 * holder counts. State outlines come from data/us_states.dat (lon,lat rings).
 *
 * Projection: Albers equal-area conic, the US Geological Survey's choice for
 * the contiguous states (standard parallels 29.5 and 45.5 N, origin 37.5 N
 * 96 W), in km. Alaska, Hawaii and Puerto Rico (with the Virgin Islands) are
 * drawn as insets, each in a conic of its own, as US atlases do: Alaska at
 * 35 % scale, Hawaii at full scale, Puerto Rico at twice, since it holds 87
 * of the universe's zips in 180 km. Guam, the Northern Marianas and American
 * Samoa are left out: no zip of the universe lies there. */
#include "report/resi_data.h"
#include "world/world.h"

#include <math.h>
#include <string.h>

#define R_EARTH_KM 6371.0
#define DEG (M_PI / 180.0)

typedef struct conic {
    double n, c, rho0, lon0;   /* Snyder's Albers: n, C, rho0 (unit sphere) */
    double scale, dx, dy;      /* then km, scaled and moved into place */
} conic;

enum { REG_L48, REG_AK, REG_HI, REG_PR, REG_NONE, REG_COUNT = REG_NONE };

static conic conic_make(double lat1, double lat2, double lat0, double lon0, double scale,
                        double dx, double dy)
{
    conic p = {.lon0 = lon0, .scale = scale, .dx = dx, .dy = dy};
    p.n = (sin(lat1 * DEG) + sin(lat2 * DEG)) / 2;
    p.c = cos(lat1 * DEG) * cos(lat1 * DEG) + 2 * p.n * sin(lat1 * DEG);
    p.rho0 = sqrt(p.c - 2 * p.n * sin(lat0 * DEG)) / p.n;
    return p;
}

static void conic_xy(const conic *p, double lat, double lon, double *x, double *y)
{
    double rho = sqrt(p->c - 2 * p->n * sin(lat * DEG)) / p->n;
    double th = p->n * (lon - p->lon0) * DEG;
    *x = rho * sin(th) * R_EARTH_KM * p->scale + p->dx;
    *y = (p->rho0 - rho * cos(th)) * R_EARTH_KM * p->scale + p->dy;
}

/* Where each region is drawn, in the contiguous states' km: the insets sit in
 * the Pacific south-west of California, and in the Atlantic east of Florida. */
typedef struct mapproj {
    conic p[REG_COUNT];
} mapproj;

static void mapproj_init(mapproj *m)
{
    m->p[REG_L48] = conic_make(29.5, 45.5, 37.5, -96, 1, 0, 0);
    m->p[REG_AK] = conic_make(55, 65, 50, -154, 0.35, -1700, -1620);
    m->p[REG_HI] = conic_make(8, 18, 3, -157, 1, -700, -3420);
    m->p[REG_PR] = conic_make(8, 18, 18, -66, 2, 1900, -1780);
}

static int region_of(double lat, double lon)
{
    if (lat < 0 || (lon > 0 && lat < 40))
        return REG_NONE;   /* American Samoa, Guam, the Marianas */
    if (lat > 50 || lon > 0 || lon < -129)
        return lat < 30 ? REG_HI : REG_AK;   /* the Aleutians cross 180 */
    if (lat < 30 && lon < -150)
        return REG_HI;
    if (lat < 19.5 && lon > -68)
        return REG_PR;
    return REG_L48;
}

static bool project(const mapproj *m, double lat, double lon, int reg, double *x, double *y)
{
    if (reg == REG_NONE)
        return false;
    if (reg == REG_AK && lon > 0)
        lon -= 360;
    conic_xy(&m->p[reg], lat, lon, x, y);
    return true;
}

/* ------------------------------------------------------------ outlines */

typedef struct box {
    double x0, y0, x1, y1;
    bool any;
} box;

static void box_add(box *b, double x, double y)
{
    if (!b->any) {
        *b = (box){x, y, x, y, true};
        return;
    }
    b->x0 = fmin(b->x0, x);
    b->x1 = fmax(b->x1, x);
    b->y0 = fmin(b->y0, y);
    b->y1 = fmax(b->y1, y);
}

/* The outlines, projected, as gnuplot's first data block; the insets' extents
 * into boxes. Returns 0 with *found false when the file is missing. */
static int outlines(const mapproj *m, sbuf *dat, box *boxes, bool *found, err *e)
{
    char path[4200];
    *found = false;
    int rc = world_data_path(NULL, "us_states.dat", path, sizeof path, e);
    if (rc)
        return rc;
    size_t len;
    char *text = NULL;
    if (file_read(path, 16 << 20, &text, &len, NULL))
        return 0;
    *found = true;
    sbuf_puts(dat, "# state outlines (km, projected), rings apart by a blank line\n");
    int reg = -1;
    bool blank = true;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        double lon, lat;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%lf,%lf", &lon, &lat) != 2) {
            if (!blank)
                sbuf_puts(dat, "\n");
            blank = true;
            reg = -1;
            continue;
        }
        if (reg < 0)
            reg = region_of(lat, lon);
        double x, y;
        if (!project(m, lat, lon, reg, &x, &y))
            continue;
        box_add(&boxes[reg], x, y);
        sbuf_printf(dat, "%.1f %.1f\n", x, y);
        blank = false;
    }
    free(text);
    return 0;
}

/* Frames around the insets, a little larger than what they hold. */
static void frames(sbuf *dat, const box *boxes)
{
    sbuf_puts(dat, "\n\n# inset frames\n");
    for (int r = REG_AK; r < REG_COUNT; r++) {
        if (!boxes[r].any)
            continue;
        double m = 60, x0 = boxes[r].x0 - m, x1 = boxes[r].x1 + m, y0 = boxes[r].y0 - m,
               y1 = boxes[r].y1 + m;
        sbuf_printf(dat, "%.0f %.0f\n%.0f %.0f\n%.0f %.0f\n%.0f %.0f\n%.0f %.0f\n\n", x0, y0, x1,
                    y0, x1, y1, x0, y1, x0, y0);
    }
    sbuf_puts(dat, "NaN NaN\n");   /* never an empty block: gnuplot counts blocks written */
}

/* ------------------------------------------------------------ the zips */

typedef struct mzip {
    char zip[8];
    double x, y;
    int holders;
    bool premium;
} mzip;

typedef VEC(mzip) mzips;

static int by_holders(const void *a, const void *b)
{
    const mzip *p = a, *q = b;
    if (p->holders != q->holders)
        return (p->holders > q->holders) - (p->holders < q->holders);
    return strcmp(p->zip, q->zip);
}

/* The universe with each zip's holders at the last coverage snapshot. */
static int load_zips(const resi_run *r, const mapproj *m, mzips *out, int *max_holders,
                     err *e)
{
    *max_holders = 0;
    for (size_t i = 0; i < r->uni.len; i++) {
        const resi_zip *u = &r->uni.v[i];
        mzip z = {.premium = u->premium != 0, .holders = resi_zip_holders(r, i)};
        memcpy(z.zip, u->zip, sizeof u->zip);
        if (!project(m, u->lat, u->lon, region_of(u->lat, u->lon), &z.x, &z.y))
            continue;
        if (VEC_PUSH(out, z))
            return err_set(e, ERR_NOMEM, "out of memory");
        *max_holders = z.holders > *max_holders ? z.holders : *max_holders;
    }
    qsort(out->v, out->len, sizeof *out->v, by_holders);   /* the most held drawn last */
    return 0;
}

/* ------------------------------------------------------------ labels */

/* Premium labels: zips within 260 km of each other share a stack of lines
 * ("77494 (3)", two a line when more than three), each joined by a leader. Each stack
 * takes the spot around its centre, of 8 directions at 3 distances, that
 * overlaps least the stacks already placed, the premium zips, the insets and
 * the plot's edge, leaning outward from the middle of the map. Sizes in km
 * at the map's scale (about 5.7 km a pixel): a line of the SVG's 14-point text
 * is about 100 km high and a character 48 km wide (the PNG's 11-point text in
 * 1200 pixels, a little less). */
#define LABEL_LH 100.0
#define LABEL_CW 48.0
#define MAXP 32

typedef struct place {
    box *placed;
    int nplaced;
    const box *avoid;          /* inset frames, and the plot (bounds: the last) */
    int navoid;
    const mzips *z;
} place;

static double overlap(box a, box b)
{
    double dx = fmin(a.x1, b.x1) - fmax(a.x0, b.x0), dy = fmin(a.y1, b.y1) - fmax(a.y0, b.y0);
    return dx > 0 && dy > 0 ? dx * dy : 0;
}

static box label_box(double ax, double ay, bool east, double w, double h)
{
    box b = {east ? ax + 20 : ax - 20 - w, ay - h / 2, east ? ax + 20 + w : ax - 20, ay + h / 2,
             true};
    return b;
}

static double spot_cost(const place *p, box b, double out_dot, double rad)
{
    const box *bounds = &p->avoid[p->navoid - 1];
    double area = (b.x1 - b.x0) * (b.y1 - b.y0), cost = rad * 40 - out_dot * 30000;
    for (int i = 0; i < p->nplaced; i++)
        cost += 20 * overlap(b, p->placed[i]);
    for (int i = 0; i < p->navoid - 1; i++)
        cost += 10 * overlap(b, p->avoid[i]);
    cost += 50 * (area - overlap(b, *bounds));   /* off the plot */
    for (size_t i = 0; i < p->z->len; i++)
        if (p->z->v[i].premium && p->z->v[i].x > b.x0 - 40 && p->z->v[i].x < b.x1 + 40 &&
            p->z->v[i].y > b.y0 - 40 && p->z->v[i].y < b.y1 + 40)
            cost += 1e6;
    return cost;
}

/* One stack: its zips are idx[0..k). */
static void place_stack(place *p, const int *idx, int k, sbuf *west, sbuf *east, sbuf *leaders)
{
    const mzip *v = p->z->v;
    double cx = 0, cy = 0;
    for (int i = 0; i < k; i++) {
        cx += v[idx[i]].x / k;
        cy += v[idx[i]].y / k;
    }
    int per = k > 3 ? 2 : 1, lines = (k + per - 1) / per;
    char text[MAXP][64];
    size_t longest = 0;
    for (int l = 0; l < lines; l++) {
        size_t len = 0;
        text[l][0] = 0;
        for (int i = l * per; i < (l + 1) * per && i < k; i++)
            len += (size_t)snprintf(text[l] + len, sizeof text[l] - len, "%s%s (%d)",
                                    i > l * per ? "   " : "", v[idx[i]].zip, v[idx[i]].holders);
        longest = len > longest ? len : longest;
    }
    double w = (double)longest * LABEL_CW, h = lines * LABEL_LH;
    const box *bounds = &p->avoid[p->navoid - 1];
    double ox = cx - (bounds->x0 + bounds->x1) / 2, oy = cy - (bounds->y0 + bounds->y1) / 2;
    double on = hypot(ox, oy) > 0 ? hypot(ox, oy) : 1;
    double best = INFINITY, bx = cx, by = cy;
    bool beast = true;
    for (int d = 0; d < 8; d++)
        for (int rr = 0; rr < 3; rr++) {
            double a = d * M_PI / 4, rad = 180 + rr * 120;
            double ax = cx + cos(a) * rad, ay = cy + sin(a) * rad;
            bool e = cos(a) > -0.1;
            double c = spot_cost(p, label_box(ax, ay, e, w, h),
                                 (cos(a) * ox + sin(a) * oy) / on, rad);
            if (c < best) {
                best = c;
                bx = ax;
                by = ay;
                beast = e;
            }
        }
    p->placed[p->nplaced++] = label_box(bx, by, beast, w, h);
    for (int i = 0; i < k; i++)   /* a leader from each zip to the stack */
        sbuf_printf(leaders, "%.0f %.0f\n%.0f %.0f\n\n", v[idx[i]].x, v[idx[i]].y, bx, by);
    for (int l = 0; l < lines; l++)
        sbuf_printf(beast ? east : west, "%.0f %.0f \"%s\"\n", bx + (beast ? 20 : -20),
                    by + h / 2 - LABEL_LH / 2 - l * LABEL_LH, text[l]);
}

static void labels(sbuf *west, sbuf *east, sbuf *leaders, const mzips *z, const box *avoid,
                   int navoid)
{
    int idx[MAXP], np = 0, cluster[MAXP];
    for (size_t i = 0; i < z->len && np < MAXP; i++)
        if (z->v[i].premium)
            idx[np++] = (int)i;
    for (int i = 0; i < np; i++) {
        cluster[i] = i;
        for (int j = 0; j < i; j++)
            if (hypot(z->v[idx[i]].x - z->v[idx[j]].x, z->v[idx[i]].y - z->v[idx[j]].y) < 260) {
                cluster[i] = cluster[j];
                break;
            }
    }
    box placed[MAXP];
    place p = {placed, 0, avoid, navoid, z};
    /* the biggest stacks first: they are the hardest to fit */
    for (int size = np; size > 0; size--)
        for (int c = 0; c < np; c++) {
            int members[MAXP], k = 0;
            for (int i = 0; i < np; i++)
                if (cluster[i] == c)
                    members[k++] = idx[i];
            if (k == size)
                place_stack(&p, members, k, west, east, leaders);
        }
}

static void zip_blocks(sbuf *dat, const mzips *z)
{
    sbuf_puts(dat, "\n\n# zips no miner holds (x y zip)\n");
    for (size_t i = 0; i < z->len; i++)
        if (!z->v[i].holders)
            sbuf_printf(dat, "%.1f %.1f %s\n", z->v[i].x, z->v[i].y, z->v[i].zip);
    sbuf_puts(dat, "NaN NaN -\n\n\n# zips held (x y miners point-size zip)\n");
    for (size_t i = 0; i < z->len; i++)
        if (z->v[i].holders)
            sbuf_printf(dat, "%.1f %.1f %d %.2f %s\n", z->v[i].x, z->v[i].y, z->v[i].holders,
                        0.5 + 0.32 * log2(z->v[i].holders), z->v[i].zip);
    sbuf_puts(dat, "NaN NaN NaN NaN -\n\n\n# premium zips (x y miners zip)\n");
    for (size_t i = 0; i < z->len; i++)
        if (z->v[i].premium)
            sbuf_printf(dat, "%.1f %.1f %d %s\n", z->v[i].x, z->v[i].y, z->v[i].holders,
                        z->v[i].zip);
    sbuf_puts(dat, "NaN NaN NaN -\n");
}

static void map_setup(sbuf *s, int max_holders, const box *all)
{
    sbuf_printf(s, "unset border\nunset xtics\nunset ytics\nunset grid\nset size ratio -1\n"
                   "set xrange [%.0f:%.0f]\nset yrange [%.0f:%.0f]\nset offsets 0,0,0,0\n"
                   "set lmargin at screen 0.01\nset rmargin at screen 0.79\n"
                   "set tmargin at screen 0.93\nset bmargin at screen 0.07\n"
                   "set key at screen 0.80, screen 0.92 left top Left reverse samplen 1 "
                   "spacing 1.4\nset style textbox opaque noborder margins 1,1\n",
                all->x0, all->x1, all->y0, all->y1);
    int top = max_holders > 1 ? max_holders : 2;
    sbuf_printf(s, "set cbrange [1:%d]\nset cblabel 'miners holding the zip' offset 1,0\n"
                   "set colorbox user origin screen 0.84, screen 0.12 size screen 0.025, "
                   "screen 0.45\n",
                top);
    if (top > 8)
        sbuf_puts(s, "set logscale cb 2\nset cbtics 2\n");
    else
        sbuf_printf(s, "set cbtics 1\nset palette maxcolors %d\n", top);
    /* light to dark: more holders, more ink */
    sbuf_puts(s, "set palette defined (0 '#fdae61', 0.35 '#f46d43', 0.7 '#d73027', "
                 "1 '#67001f')\n");
}

static const char map_plot[] =
    "plot dat index 0 using 1:2 with lines lc rgb '#8a8f99' lw 0.6 notitle, \\\n"
    "     dat index 1 using 1:2 with lines lc rgb '#c3c7cf' lw 1 dt 2 notitle, \\\n"
    "     dat index 2 using 1:2 with points pt 7 ps 0.22 lc rgb '#c9ccd3' "
    "title 'held by no miner', \\\n"
    "     dat index 3 using 1:2:4:3 with points pt 7 ps variable lc palette "
    "title 'held (colour: how many)', \\\n"
    "     dat index 4 using 1:2 with points pt 6 ps 2.2 lw 1.6 lc rgb '#111111' "
    "title 'premium zip (holders)', \\\n"
    "     dat index 5 using 1:2 with lines lc rgb '#555555' lw 0.8 notitle, \\\n"
    "     dat index 6 using 1:2:(stringcolumn(3)) with labels right boxed "
    "tc rgb '#111111' notitle, \\\n"
    "     dat index 7 using 1:2:(stringcolumn(3)) with labels left boxed "
    "tc rgb '#111111' notitle";

int resi_map_chart(resi_run *r, err *e)
{
    mapproj m;
    mapproj_init(&m);
    mzips z = {0};
    int max_holders = 0;
    int rc = load_zips(r, &m, &z, &max_holders, e);
    sbuf dat, leaders, labs, rlabs, setup;
    sbuf_init(&dat);
    sbuf_init(&leaders);
    sbuf_init(&labs);
    sbuf_init(&rlabs);
    sbuf_init(&setup);
    box boxes[REG_COUNT] = {0};
    bool found = false;
    if (!rc)
        rc = outlines(&m, &dat, boxes, &found, e);
    if (!rc && !found)
        sbuf_puts(&dat, "# no state outlines (data/us_states.dat not found)\nNaN NaN\n");
    box all = {0};
    for (int k = 0; k < REG_COUNT; k++)
        if (boxes[k].any) {
            box_add(&all, boxes[k].x0, boxes[k].y0);
            box_add(&all, boxes[k].x1, boxes[k].y1);
        }
    for (size_t i = 0; i < z.len; i++)
        box_add(&all, z.v[i].x, z.v[i].y);
    frames(&dat, boxes);
    zip_blocks(&dat, &z);
    box avoid[REG_COUNT + 1];
    int navoid = 0;
    for (int k = REG_AK; k < REG_COUNT; k++)
        if (boxes[k].any)
            avoid[navoid++] = (box){boxes[k].x0 - 60, boxes[k].y0 - 60, boxes[k].x1 + 60,
                                    boxes[k].y1 + 60, true};
    all.x0 -= 120;   /* room for labels: a little in the Pacific, more in the Atlantic */
    all.x1 += 420;
    all.y0 -= 80;
    all.y1 += 80;
    avoid[navoid++] = all;
    labels(&labs, &rlabs, &leaders, &z, avoid, navoid);
    sbuf_printf(&dat, "\n\n# label leaders\n%sNaN NaN\n\n\n# premium labels west (x y text)\n%s"
                      "NaN NaN \"\"\n\n\n# premium labels east\n%sNaN NaN \"\"\n",
                leaders.s ? leaders.s : "", labs.s ? labs.s : "", rlabs.s ? rlabs.s : "");
    map_setup(&setup, max_holders, &all);
    int covered = 0;
    for (size_t i = 0; i < z.len; i++)
        covered += z.v[i].holders > 0;
    char cap[700];
    snprintf(cap, sizeof cap,
             "Each dot is a zip of the universe; coloured when a miner held listings of it at "
             "the last coverage snapshot (%d of %zu zips), its colour and size by how many did. "
             "Circled: the premium zips, labelled with how many miners hold each.%s",
             covered, z.len, found ? "" : " The state outlines were not found (data/us_states.dat).");
    report_chart ch = {
        .name = "resi-map", .title = "Where miners hold listings at the end of the run",
        .xlabel = "Albers equal-area projection; Alaska (35 % scale), Hawaii and Puerto Rico "
                  "(2× scale) inset",
        .ylabel = "", .caption = cap, .width = 1200, .height = 780, .setup = setup.s,
        .plot = map_plot, .data = dat.s};
    if (!rc && (dat.oom || setup.oom || labs.oom || rlabs.oom || leaders.oom))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (!rc)
        rc = report_chart_add(r->c, &ch, e);
    sbuf_free(&dat);
    sbuf_free(&leaders);
    sbuf_free(&labs);
    sbuf_free(&rlabs);
    sbuf_free(&setup);
    VEC_FREE(&z);
    return rc;
}
