/* Thresholds after a run: evaluated from the database by the reports module.
 * Until it is merged, a run with thresholds says so instead of guessing. */
#include "cli/cli.h"

int cli_thresholds_after_run(const struct runner_result *res, const scenario *s, bool quiet, FILE *out)
{
    (void)res;
    if (s->thresholds.n && !quiet)
        fprintf(out, "  (%zu thresholds not evaluated: the reports module is not linked yet)\n",
                s->thresholds.n);
    return 0;
}
