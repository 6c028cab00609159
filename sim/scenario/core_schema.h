/* Private to sim/scenario: what the Core tables (core_schema.c) share with
 * their check hooks (core_check.c) and profiles (core_profiles.c). */
#ifndef SUBNETSIM_SCENARIO_CORE_SCHEMA_H
#define SUBNETSIM_SCENARIO_CORE_SCHEMA_H

#include "scenario/internal.h"

/* Without duration or epochs, a run lasts this long. */
#define SCN_DEFAULT_DURATION_US (86400LL * 1000000)

int scn_core_check_root(scenario_ctx *c, void *obj);
int scn_core_check_subnet(scenario_ctx *c, void *obj);
int scn_core_check_validator(scenario_ctx *c, void *obj);
int scn_core_check_miner(scenario_ctx *c, void *obj);
int scn_core_check_scripted(scenario_ctx *c, void *obj);

#define SCN_CORE_NPROFILES 2
extern const scenario_profile scn_core_profiles[SCN_CORE_NPROFILES];

#endif
