/* bench_report: `subnetsim report` of a 30-day, 256-uid run. Target: under 10 s.
 *
 *   bench_report [DB [OUT]]     (defaults: bench-report.db, bench-report-out)
 *
 * The run is the Core issue's scale scenario, scenarios/bench/month-256.json
 * (64 validators, 192 miners, 7,200 epochs), with three thresholds set on it,
 * made by the runner once, on first use, then reused.
 * The report is timed as `subnetsim report` renders it, stage times at debug
 * level, for SVG and for SVG + PNG. */
#include "cli/cli.h"
#include "core/core.h"
#include "report/report.h"
#include "runner/runner.h"

#include <sys/resource.h>
#include <unistd.h>

/* CPU seconds of this process's threads and its finished children (gnuplot). */
static double cpu_seconds(void)
{
    struct rusage self, kids;
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
                    kids.ru_stime.tv_sec) +
           (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
                    kids.ru_stime.tv_usec) * 1e-6;
}

/* Thresholds of the three kinds of cost: every epoch, the last epoch, a window. */
static const char *const sets[] = {
    "thresholds=["
    "{\"metric\": \"incentive\", \"where\": {\"group\": \"m\"}, \"epochs\": \"mean\", "
    "\"op\": \">=\", \"value\": 0.9},"
    "{\"metric\": \"validator_trust\", \"where\": {\"group\": \"v\"}, \"neurons\": \"min\", "
    "\"op\": \">=\", \"value\": 0.5},"
    "{\"metric\": \"consensus\", \"where\": {\"group\": \"m\"}, \"neurons\": \"mean\", "
    "\"epochs\": \"mean\", \"from_epoch\": 6480, \"op\": \">\", \"value\": 0}]",
};

static int make_run(const char *db, err *e)
{
    scenario_opts so = {.families = cli_families, .nfamilies = cli_nfamilies, .sets = sets,
                        .nsets = 1};
    scenario *s;
    /* The source tree is the data folder's parent. */
    int rc = scenario_load(SUBNETSIM_DATA_DIR "/../scenarios/bench/month-256.json", &so, &s, e);
    if (rc)
        return rc;
    runner_opts ro = {.db_path = db, .quiet = true};
    runner_result res;
    double t0 = clock_monotonic();
    rc = runner_run(s, &ro, &res, e);
    if (!rc)
        printf("made %s in %.1f s\n", db, clock_monotonic() - t0);
    scenario_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    const char *db = argc > 1 ? argv[1] : "bench-report.db";
    const char *out = argc > 2 ? argv[2] : "bench-report-out";
    err e = {0};
    if (access(db, F_OK) != 0 && make_run(db, &e)) {
        fprintf(stderr, "bench_report: %s\n", e.msg);
        return 1;
    }
    log_set_level(LOG_DEBUG);   /* stage times */
    unsigned formats[2] = {REPORT_SVG, REPORT_SVG | REPORT_PNG};
    const char *names[2] = {"svg", "svg+png"};
    for (int k = 0; k < 2; k++) {
        report_opts o = {.db_path = db, .out_dir = out, .formats = formats[k], .quiet = true};
        o.families = cli_report_families(&o.nfamilies);
        cli_threshold_source *src = cli_threshold_source_new(&o.thresholds);
        report_outcome res;
        double t0 = clock_monotonic(), c0 = cpu_seconds();
        int rc = report_render(&o, &res, &e);
        double wall = clock_monotonic() - t0, cpu = cpu_seconds() - c0;
        cli_threshold_source_free(src);
        if (rc) {
            fprintf(stderr, "bench_report: %s\n", e.msg);
            return 1;
        }
        printf("report (%s): %.2f s wall, %.2f s cpu, %zu charts, %zu thresholds (%zu failed)\n",
               names[k], wall, cpu, res.charts, res.thresholds, res.failed);
        fflush(stdout);
    }
    return 0;
}
