/* subnetsim report DB [--run ID] [-o DIR] [--format svg|png|both] [--quiet] */
#include "cli/cli.h"
#include "core/core.h"
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: subnetsim report DB [--run ID] [-o DIR] [--format svg|png|both] [--quiet]\n\n"
            "Render a run from its database into DIR (default reports/<scenario>-s<seed>/):\n"
            "index.html, the charts (with the .dat and .gp files behind each), summary.md\n"
            "and thresholds.xml (JUnit). Needs gnuplot (Debian package gnuplot-nox).\n\n"
            "  --run ID      the run to render when the file holds several (default: the latest)\n"
            "  -o DIR        output folder (replaced if it holds an earlier report)\n"
            "  --format F    svg (default), png, or both\n"
            "  --quiet       no progress bar\n\n"
            "exit status: 0 rendered, 2 bad input or gnuplot missing, 3 gnuplot failed\n");
}

int cli_parse_formats(const char *s, unsigned *out)
{
    if (!strcmp(s, "svg"))
        *out = REPORT_SVG;
    else if (!strcmp(s, "png"))
        *out = REPORT_PNG;
    else if (!strcmp(s, "both"))
        *out = REPORT_SVG | REPORT_PNG;
    else
        return ERR_INPUT;
    return 0;
}

int cli_report(int argc, char **argv)
{
    report_opts o = {.formats = REPORT_SVG};
    o.families = cli_report_families(&o.nfamilies);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--run") && has_val) {
            char *end;
            long long id = strtoll(argv[++i], &end, 10);
            if (*end || id <= 0) {
                fprintf(stderr, "subnetsim report: --run: expected a run id, got '%s'\n", argv[i]);
                return 2;
            }
            o.run_id = id;
        } else if (!strcmp(a, "-o") && has_val) {
            o.out_dir = argv[++i];
        } else if (!strcmp(a, "--format") && has_val) {
            if (cli_parse_formats(argv[++i], &o.formats)) {
                fprintf(stderr, "subnetsim report: --format: expected svg, png or both, got '%s'\n",
                        argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o.quiet = true;
        } else if (a[0] == '-' || o.db_path) {
            fprintf(stderr, "subnetsim report: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            o.db_path = a;
        }
    }
    if (!o.db_path) {
        usage(stderr);
        return 2;
    }
    err e = {0};
    report_outcome res;
    cli_threshold_source *src = cli_threshold_source_new(&o.thresholds);
    int rc = src ? report_render(&o, &res, &e) : err_set(&e, ERR_NOMEM, "out of memory");
    cli_threshold_source_free(src);
    if (rc) {
        fprintf(stderr, "subnetsim report: %s\n", e.msg);
        return err_exit_status(rc);
    }
    printf("%s/index.html: %zu charts", res.out_dir, res.charts);
    if (res.thresholds)
        printf(", thresholds: %zu pass, %zu fail", res.thresholds - res.failed, res.failed);
    printf("\n");
    return 0;
}
