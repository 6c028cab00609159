/* bench_report: `subnetsim report` of a 30-day, 256-uid run (7,200 epochs at
 * tempo 30, 12 s blocks: 216,000 blocks). Target: under 10 s.
 *
 *   bench_report [DB [OUT]]     (defaults: bench-report.db, bench-report-out)
 *
 * The database is made by the real chain and its recorder (tests/support/
 * chain_fixture.h), bench_chain's workload: 64 validators and 192 miners in four
 * strategies, weights set every 4th epoch, a newcomer halfway, the recorder's
 * default cadence (epoch_neuron every epoch: 1.84M rows; weight and bond
 * snapshots every 20th epoch when changed). It is made once and reused. */
#include "../support/chain_fixture.h"
#include "core/core.h"
#include "report/report.h"

#include <sys/resource.h>
#include <unistd.h>

/* CPU seconds of this process and its finished children (gnuplot). */
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

static const char scenario[] =
    "{\"name\": \"bench-30d\", \"thresholds\": [\n"
    "  {\"metric\": \"emission_share\", \"where\": {\"group\": \"premium-focus\"}, \"op\": \">=\","
    " \"value\": 10},\n"
    "  {\"metric\": \"validator_trust_min\", \"op\": \">=\", \"value\": 0.5},\n"
    "  {\"metric\": \"consensus_mean\", \"where\": {\"last_epochs\": 720}, \"op\": \">\", \"value\": 0}\n"
    "]}\n";

int main(int argc, char **argv)
{
    const char *db = argc > 1 ? argv[1] : "bench-report.db";
    const char *out = argc > 2 ? argv[2] : "bench-report-out";
    if (access(db, F_OK) != 0) {
        fixture_opts o = {.scenario_name = "bench-30d", .scenario_text = scenario, .seed = 7,
                          .epochs = 7200, .tempo = 29, .validators = 64, .miners = 192,
                          .weights_every = 4, .newcomer = true};
        double t0 = clock_monotonic();
        if (fixture_chain_db(db, &o)) {
            fprintf(stderr, "bench_report: cannot make %s\n", db);
            return 1;
        }
        printf("made %s in %.1f s\n", db, clock_monotonic() - t0);
    }
    log_set_level(LOG_DEBUG);   /* stage times */
    static const report_family *const fams[] = {&report_family_chain};
    unsigned formats[2] = {REPORT_SVG, REPORT_SVG | REPORT_PNG};
    const char *names[2] = {"svg", "svg+png"};
    for (int k = 0; k < 2; k++) {
        report_opts o = {.db_path = db, .out_dir = out, .formats = formats[k], .quiet = true,
                         .families = fams, .nfamilies = 1};
        report_outcome res;
        err e = {0};
        double t0 = clock_monotonic(), c0 = cpu_seconds();
        if (report_render(&o, &res, &e)) {
            fprintf(stderr, "bench_report: %s\n", e.msg);
            return 1;
        }
        printf("report (%s): %.2f s wall, %.2f s cpu, %zu charts, %zu thresholds (%zu failed)\n",
               names[k], clock_monotonic() - t0, cpu_seconds() - c0, res.charts, res.thresholds,
               res.failed);
        fflush(stdout);
    }
    return 0;
}
