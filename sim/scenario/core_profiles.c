/* Core profiles: named sets of defaults from one real setup, each value with
 * its source. A scenario picks one with "profile" and still overrides single
 * values; families add their own (resi-2025-09, gen404-ema, ...). */
#include "scenario/core_schema.h"

static const scenario_default localnet_fast[] = {
    {"chain.block_time", "\"250ms\"", "SPEC 1.1: subtensor localnet \"fast blocks\" use 250 ms"},
    {"subnets[].tempo", "10", "SPEC 1.1: localnet fast blocks run tempo 10"},
};

static const scenario_default subtensor_mock[] = {
    {"chain.owner_cut", "0", "SPEC 1.4 checks: the chain's test mock takes no owner cut"},
    {"subnets[].kappa", "32767", "SPEC 1.4 checks: mock kappa 32767"},
    {"subnets[].bonds_moving_average", "900000", "SPEC 1.4 checks: mock bma 900000"},
    {"subnets[].commit_reveal", "false", "SPEC 1.4 checks: the tests set weights directly"},
};

const scenario_profile scn_core_profiles[SCN_CORE_NPROFILES] = {
    {"localnet-fast", NULL, "a local subtensor with fast blocks: 250 ms blocks, tempo 10",
     localnet_fast, sizeof localnet_fast / sizeof *localnet_fast},
    {"subtensor-mock", NULL,
     "the subtensor test mock that SPEC 1.4's checks use (its 1e9 rao per epoch is the "
     "tests' own input, not a block emission)",
     subtensor_mock, sizeof subtensor_mock / sizeof *subtensor_mock},
};
