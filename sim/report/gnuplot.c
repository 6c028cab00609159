/* The gnuplot driver: one .gp script per chart, which re-plots on its own in the
 * report folder, and a few gnuplot processes that draw them all (one process per
 * chart would cost a start-up each; two share the work on a multi-core machine).
 * gnuplot says it finished a chart by printing a line, which moves the progress
 * bar; on an error it stops and its message becomes ours (ERR_EXTERNAL). */
#include "report/report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define GP_MISSING "gnuplot not found: install the Debian package gnuplot-nox"

int report_gnuplot_find(char *out, size_t n, err *e)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return err_set(e, ERR_DEPENDENCY, GP_MISSING " (PATH is empty)");
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 0) {
            snprintf(out, n, "./gnuplot");
        } else {
            snprintf(out, n, "%.*s/gnuplot", (int)len, p);
        }
        struct stat sb;
        if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode) && access(out, X_OK) == 0)
            return 0;
        p += len;
        if (*p == ':')
            p++;
    }
    return err_set(e, ERR_DEPENDENCY, GP_MISSING);
}

/* ------------------------------------------------------------ scripts */

void report_gp_quote(sbuf *b, const char *s)
{
    report_gp_key(b, s, SIZE_MAX);
}

void report_gp_key(sbuf *b, const char *s, size_t max_chars)
{
    sbuf_puts(b, "'");
    size_t chars = 0;
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            continue;
        bool starts_char = (c & 0xc0) != 0x80;   /* not a UTF-8 continuation byte */
        if (starts_char && ++chars > max_chars) {
            sbuf_puts(b, "…");
            break;
        }
        sbuf_add(b, *s == '\'' ? "''" : s, *s == '\'' ? 2 : 1);
    }
    sbuf_puts(b, "'");
}

void report_dat_header(sbuf *dat, const char *x, int n, const char (*name)[96])
{
    sbuf_printf(dat, "# %s", x);
    for (int s = 0; s < n; s++)
        sbuf_printf(dat, "\t\"%s\"", name[s]);
    sbuf_puts(dat, "\n");
}

void report_plot_lines(sbuf *plot, int n, const char (*name)[96], const bool *others,
                       const char *style)
{
    sbuf_puts(plot, "plot ");
    for (int s = 0; s < n; s++) {
        sbuf_printf(plot, "%s%s using 1:%d with %s lt %d title ", s ? ", \\\n     " : "",
                    s ? "''" : "dat", s + 2, style, others[s] ? REPORT_OTHERS_LT : s + 1);
        report_gp_key(plot, name[s], REPORT_KEY_CHARS);
    }
}

/* A palette that stays apart for the colour-blind (Tableau 10, with dark blue,
 * brick and olive added) and grey for "others"; lines thick enough to follow. */
static const char *const palette[REPORT_NCOLORS] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
};

static void gp_style(sbuf *b)
{
    sbuf_puts(b, "set encoding utf8\n"
                 "set border 3 lc rgb '#666666'\n"
                 "set tics nomirror textcolor rgb '#333333'\n"
                 "set grid xtics ytics lc rgb '#e4e4e4' lw 1 dt 1\n"
                 /* The same plot area in every chart, whatever its legend: the
                  * legend sits right of it (never over the data) and its names
                  * are cut to REPORT_KEY_CHARS to fit. */
                 "set rmargin at screen 0.72\n"
                 "set key at screen 0.74, graph 1 left top vertical Left reverse samplen 2.5 "
                 "spacing 1.25\n"
                 "set autoscale xfix\n"
                 "set offsets 0, 0, graph 0.05, 0\n"
                 "set title font ',16' offset 0,-0.3\n"
                 "set style fill solid 0.85 noborder\n"
                 "set datafile missing 'NaN'\n");
    for (int i = 0; i < REPORT_NCOLORS; i++)
        sbuf_printf(b, "set linetype %d lc rgb '%s' lw 2 pt 7 ps 0.6 dt 1\n", i + 1, palette[i]);
    sbuf_printf(b, "set linetype %d lc rgb '#9e9e9e' lw 2 pt 7 ps 0.6 dt 1\n", REPORT_OTHERS_LT);
    sbuf_printf(b, "set linetype cycle %d\n", REPORT_OTHERS_LT);
}

int report_gp_script(sbuf *b, const report_chart *ch, unsigned formats)
{
    if (!ch->name || !ch->title || !ch->xlabel || !ch->ylabel || !ch->plot || !ch->data)
        return ERR_INTERNAL;   /* every chart has a title and labelled axes */
    int w = ch->width > 0 ? ch->width : 1200, h = ch->height > 0 ? ch->height : 520;
    if (ch->raster)
        formats |= REPORT_PNG;
    sbuf_printf(b, "# %s: drawn by subnetsim %s.\n# Re-plot with `gnuplot %s.gp` in this "
                   "folder; the data are in %s.dat.\n",
                ch->name, SUBNETSIM_VERSION, ch->name, ch->name);
    sbuf_printf(b, "dat = '%s.dat'\n", ch->name);
    gp_style(b);
    sbuf_puts(b, "set title ");
    report_gp_quote(b, ch->title);
    sbuf_puts(b, "\nset xlabel ");
    report_gp_quote(b, ch->xlabel);
    sbuf_puts(b, "\nset ylabel ");
    report_gp_quote(b, ch->ylabel);
    sbuf_puts(b, "\n");
    if (ch->setup)
        sbuf_printf(b, "%s%s", ch->setup, ch->setup[strlen(ch->setup) - 1] == '\n' ? "" : "\n");
    /* noenhanced: group names with _ or ^ print as written. The SVG is
     * `dynamic` so the page can scale it to the window. */
    if (formats & REPORT_SVG)
        sbuf_printf(b, "\nset terminal svg size %d,%d dynamic noenhanced font 'DejaVu Sans,14' "
                       "background rgb 'white'\nset output '%s.svg'\n%s\nunset output\n",
                    w, h, ch->name, ch->plot);
    if (formats & REPORT_PNG)
        sbuf_printf(b, "\nset terminal pngcairo size %d,%d noenhanced font 'DejaVu Sans,11' "
                       "background rgb 'white'\nset output '%s.png'\n%s\nunset output\n",
                    w, h, ch->name, ch->plot);
    return b->oom ? ERR_NOMEM : 0;
}

/* ------------------------------------------------------------ running */

typedef struct gp_proc {
    pid_t pid;
    int out;                 /* read end of its stdout; -1 once closed */
    char errpath[4200];      /* its stderr, in a file */
    char line[256];
    size_t linelen;
} gp_proc;

/* Start gnuplot on dir/driver (a script that loads the charts and prints a
 * line after each). stdout is ours to read; stderr goes to a file. */
static int gp_start(const char *gnuplot, const char *dir, const char *driver, gp_proc *p, err *e)
{
    int fds[2];
    if (pipe(fds))
        return err_set(e, ERR_IO, "cannot start gnuplot: %s", strerror(errno));
    snprintf(p->errpath, sizeof p->errpath, "%s/%s.err", dir, driver);
    int errfd = open(p->errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (errfd < 0) {
        close(fds[0]);
        close(fds[1]);
        return err_set(e, ERR_IO, "cannot create '%s': %s", p->errpath, strerror(errno));
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        close(errfd);
        return err_set(e, ERR_IO, "cannot start gnuplot: %s", strerror(errno));
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(errfd, STDERR_FILENO);
        close(fds[0]);
        if (chdir(dir) == 0)
            execl(gnuplot, "gnuplot", driver, (char *)NULL);
        fprintf(stderr, "cannot run %s: %s\n", gnuplot, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    close(errfd);
    p->pid = pid;
    p->out = fds[0];
    p->linelen = 0;
    return 0;
}

/* Read what is there; count the finished charts. */
static void gp_read(gp_proc *p, size_t *done)
{
    char buf[4096];
    ssize_t k = read(p->out, buf, sizeof buf);
    if (k <= 0) {
        if (k == 0 || errno != EINTR) {
            close(p->out);
            p->out = -1;
        }
        return;
    }
    for (ssize_t i = 0; i < k; i++) {
        if (buf[i] != '\n') {
            if (p->linelen + 1 < sizeof p->line)
                p->line[p->linelen++] = buf[i];
            continue;
        }
        p->line[p->linelen] = 0;
        if (!strncmp(p->line, "subnetsim-drawn ", 16))
            (*done)++;
        p->linelen = 0;
    }
}

/* Wait for a process; its stderr becomes the error message when it failed,
 * and a log warning when it succeeded with something to say. */
static int gp_finish(gp_proc *p, err *e)
{
    int st = 0;
    while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
        ;
    char *msg = NULL;
    size_t len = 0;
    if (file_read(p->errpath, 1 << 20, &msg, &len, NULL))
        msg = NULL;
    unlink(p->errpath);
    while (msg && len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        msg[--len] = 0;
    int rc = 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        const char *text = msg && *msg ? msg : "no message";
        if (WIFSIGNALED(st))
            rc = err_set(e, ERR_EXTERNAL, "gnuplot was killed by signal %d: %s", WTERMSIG(st),
                         text);
        else
            rc = err_set(e, ERR_EXTERNAL, "gnuplot failed (exit %d): %s", WEXITSTATUS(st), text);
    } else if (msg && *msg) {
        log_warn("gnuplot: %s", msg);
    }
    free(msg);
    return rc;
}

/* Write the driver script for charts[from..to). */
static int gp_driver(const char *dir, const char *name, char *const *charts, size_t from,
                     size_t to, err *e)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "set print '-'\n");
    for (size_t i = from; i < to; i++)
        sbuf_printf(&b, "reset session\nload '%s.gp'\nprint 'subnetsim-drawn %s'\n", charts[i],
                    charts[i]);
    int rc = b.oom ? err_set(e, ERR_NOMEM, "out of memory")
                   : report_write_file(dir, name, b.s, b.len, e);
    sbuf_free(&b);
    return rc;
}

static long cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

int report_gnuplot_run(const char *gnuplot, const char *dir, char *const *charts, size_t n,
                       bool quiet, const char *label, err *e)
{
    if (n == 0)
        return 0;
    enum { MAXP = 4 };
    size_t np = (size_t)cpu_count();
    np = np > MAXP ? MAXP : np;
    np = np > (n + 3) / 4 ? (n + 3) / 4 : np;   /* a process is worth about four charts */
    gp_proc procs[MAXP];
    char names[MAXP][32];
    size_t started = 0, named = 0, done = 0;
    int rc = 0;
    for (size_t k = 0; k < np && !rc; k++) {
        /* Interleaved shares: neighbouring charts are often alike in cost. */
        VEC(char *) mine = {0};
        for (size_t i = k; i < n; i += np)
            if (VEC_PUSH(&mine, charts[i]))
                rc = err_set(e, ERR_NOMEM, "out of memory");
        snprintf(names[k], sizeof names[k], ".draw-%zu.gp", k);
        named++;
        if (!rc)
            rc = gp_driver(dir, names[k], mine.v, 0, mine.len, e);
        VEC_FREE(&mine);
        if (!rc && !(rc = gp_start(gnuplot, dir, names[k], &procs[k], e)))
            started++;
    }
    progress bar;
    progress_start(&bar, label, (double)n, quiet);
    for (;;) {
        struct pollfd pf[MAXP];
        nfds_t npf = 0;
        for (size_t k = 0; k < started; k++)
            if (procs[k].out >= 0)
                pf[npf++] = (struct pollfd){.fd = procs[k].out, .events = POLLIN};
        if (npf == 0)
            break;
        if (poll(pf, npf, -1) < 0 && errno != EINTR)
            break;
        for (size_t k = 0; k < started; k++)
            for (nfds_t j = 0; j < npf; j++)
                if (pf[j].fd == procs[k].out && (pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
                    gp_read(&procs[k], &done);
        progress_update(&bar, (double)done);
    }
    for (size_t k = 0; k < started; k++) {
        if (procs[k].out >= 0)
            close(procs[k].out);
        err e2 = {0};
        int r = gp_finish(&procs[k], &e2);
        if (r && !rc) {
            rc = r;
            if (e)
                *e = e2;
        }
    }
    for (size_t k = 0; k < named; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    if (!rc)
        progress_finish(&bar);
    else if (bar.on)
        fputc('\n', stderr);
    return rc;
}
