/* A one-line progress bar on stderr, drawn only when stderr is a terminal. */
#include "core.h"

#include <time.h>
#include <unistd.h>

double clock_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

double clock_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_start(progress *p, const char *label, double total, bool quiet)
{
    *p = (progress){0};
    p->on = !quiet && isatty(STDERR_FILENO);
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->started = clock_monotonic();
    p->last_draw = -1;
}

static void draw(progress *p, double done)
{
    enum { BAR = 30 };
    double f = done / p->total;
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    int fill = (int)(f * BAR + 0.5);
    char bar[BAR + 1];
    for (int i = 0; i < BAR; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[BAR] = 0;
    double el = clock_monotonic() - p->started;
    double eta = f > 0.001 ? el / f - el : 0;
    int w = fprintf(stderr, "\r%s [%s] %5.1f%%  %.0fs elapsed, ~%.0fs left", p->label, bar,
                    f * 100, el, eta);
    for (int i = w; i < p->last_width; i++)
        fputc(' ', stderr);
    p->last_width = w;
    fflush(stderr);
}

void progress_update(progress *p, double done)
{
    if (!p->on)
        return;
    double now = clock_monotonic();
    if (p->last_draw >= 0 && now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    draw(p, done);
}

void progress_finish(progress *p)
{
    if (!p->on)
        return;
    draw(p, p->total);
    fputc('\n', stderr);
    p->on = false;
}
