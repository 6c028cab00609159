/* subnetsim compare DB... [--label NAME DB...]... [-o DIR] [--format svg|png|both] */
#include "cli/cli.h"
#include "core/core.h"
#include "report/report.h"

#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: subnetsim compare [--label NAME] DB... [--label NAME DB...]... [-o DIR]\n"
            "                         [--format svg|png|both] [--quiet]\n\n"
            "Put runs side by side: key measures (mean and 95 %% confidence interval over\n"
            "each arm's seeds, marked where an arm differs from the first beyond noise) and\n"
            "their series over time. Every run in each file takes part. Runs are grouped into\n"
            "arms by scenario name, or by the --label given before their files.\n\n"
            "  --label NAME  the arm of the files that follow (until the next --label)\n"
            "  -o DIR        output folder (default reports/compare)\n"
            "  --format F    svg (default), png, or both\n"
            "  --quiet       no progress bar\n");
}

int cli_compare(int argc, char **argv)
{
    report_compare_opts o = {.formats = REPORT_SVG};
    o.families = cli_report_families(&o.nfamilies);
    report_compare_input *in = calloc((size_t)argc + 1, sizeof *in);
    if (!in)
        return 4;
    const char *label = NULL;
    int status = -1;
    for (int i = 0; i < argc && status < 0; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            status = 0;
        } else if (!strcmp(a, "--label") && has_val) {
            label = argv[++i];
        } else if (!strcmp(a, "-o") && has_val) {
            o.out_dir = argv[++i];
        } else if (!strcmp(a, "--format") && has_val) {
            if (cli_parse_formats(argv[++i], &o.formats)) {
                fprintf(stderr, "subnetsim compare: --format: expected svg, png or both, got '%s'\n",
                        argv[i]);
                status = 2;
            }
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            o.quiet = true;
        } else if (a[0] == '-') {
            fprintf(stderr, "subnetsim compare: unexpected argument '%s'\n", a);
            usage(stderr);
            status = 2;
        } else {
            in[o.ninputs++] = (report_compare_input){.db_path = a, .label = label};
        }
    }
    if (status < 0 && o.ninputs == 0) {
        usage(stderr);
        status = 2;
    }
    if (status < 0) {
        o.inputs = in;
        err e = {0};
        report_outcome res;
        int rc = report_compare(&o, &res, &e);
        if (rc)
            fprintf(stderr, "subnetsim compare: %s\n", e.msg);
        else
            printf("%s/index.html: %zu charts\n", res.out_dir, res.charts);
        status = err_exit_status(rc);
    }
    free(in);
    return status;
}
