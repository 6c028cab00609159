/* The report families built into subnetsim, in the order their sections
 * appear. A subnet family adds its descriptor here; the report module keeps no
 * registry of its own. */
#include "cli/cli.h"
#include "report/report.h"

static const report_family *const families[] = {
    &report_family_chain,
    &report_family_resi,
};

const report_family *const *cli_report_families(size_t *n)
{
    *n = sizeof families / sizeof families[0];
    return families;
}
