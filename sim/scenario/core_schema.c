/* The Core scenario schema: the chain, its subnets, validator and miner groups,
 * thresholds and what to record. Defaults are the values of the real chain
 * (SPEC.md section 1, opentensor/subtensor 14bc6f9f), each with its source;
 * profiles (core_profiles.c) swap sets of them. Cross-field rules are in
 * core_check.c. */
#include "scenario/core_schema.h"

#include <math.h>

#define TAO_SUPPLY 21e6                      /* Bittensor's cap: no stake is larger */
#define BIG 1e15                             /* rao amounts: far above any real one */
#define FOREVER (3650.0 * 86400 * 1e6)       /* ten years, in microseconds */
#define NAME_MAX_LEN 64

const char *const scenario_op_names[] = {">=", ">", "<=", "<", "==", "!=", NULL};
const char *const scenario_agg_names[] = {"sum", "mean", "min", "max", NULL};
const char *const scenario_over_names[] = {"last", "mean", "min", "max", NULL};

/* ------------------------------------------------------------- chain */

static const scenario_field chain_fields[] = {
    /* SPEC 1.1: one block every 12000 ms */
    SCENARIO_FIELD_DURATION(scenario_chain, block_time_us, "block_time", "\"12s\"", 1000, 3600e6,
                            "time between blocks (localnet fast blocks: 250ms)"),
    /* SPEC 1.1: 1 alpha = 1e9 rao per block per subnet */
    SCENARIO_FIELD_INT(scenario_chain, block_emission_rao, "block_emission_rao", "1000000000", 0,
                       BIG, "emission per block per subnet, in rao (1e9 rao = 1 alpha)"),
    /* SPEC 1.4 step 12: owner 18% = 11796/65535 */
    SCENARIO_FIELD_INT(scenario_chain, owner_cut, "owner_cut", "11796", 0, 65535,
                       "subnet owner's cut of each block's emission, of 65535 (11796 = 18%)"),
};
static const scenario_table chain_table =
    SCENARIO_TABLE("chain", scenario_chain, chain_fields, NULL, "The chain every subnet runs on.");

/* ------------------------------------------------------------ subnets */

static const scenario_field subnet_fields[] = {
    SCENARIO_FIELD_INT(scenario_subnet, netuid, "netuid", SCENARIO_REQUIRED, 1, 65535,
                       "the subnet's id, unique in the scenario"),
    /* SPEC 1.1: tempo 360 */
    SCENARIO_FIELD_INT(scenario_subnet, tempo, "tempo", "360", 1, 65535,
                       "blocks between epochs"),
    /* SPEC 1.2: MaxAllowedUids 256 */
    SCENARIO_FIELD_INT(scenario_subnet, max_allowed_uids, "max_allowed_uids", "256", 1, 65535,
                       "uid slots; registering into a full subnet replaces a neuron"),
    /* SPEC 1.2: MaxAllowedValidators 64 for new subnets */
    SCENARIO_FIELD_INT(scenario_subnet, max_allowed_validators, "max_allowed_validators", "64", 1,
                       65535, "validator permits: the top stakes get one"),
    /* SPEC 1.2: ImmunityPeriod 5000 */
    SCENARIO_FIELD_INT(scenario_subnet, immunity_period, "immunity_period", "5000", 0, 65535,
                       "blocks after registration during which a neuron is not pruned"),
    /* SPEC 1.2: MinAllowedWeights 1 */
    SCENARIO_FIELD_INT(scenario_subnet, min_allowed_weights, "min_allowed_weights", "1", 0, 65535,
                       "fewest non-zero weights a set_weights may carry"),
    /* SPEC 1.3: WeightsSetRateLimit 100 blocks */
    SCENARIO_FIELD_INT(scenario_subnet, weights_rate_limit, "weights_rate_limit", "100", 0, 1e9,
                       "blocks a hotkey waits between two set_weights"),
    /* SPEC 1.4: kappa 32767/65535 */
    SCENARIO_FIELD_INT(scenario_subnet, kappa, "kappa", "32767", 0, 65535,
                       "stake share that must support a weight for consensus, of 65535"),
    /* SPEC 1.4: bonds_moving_average 900000 (/1e6) */
    SCENARIO_FIELD_INT(scenario_subnet, bonds_moving_average, "bonds_moving_average", "900000", 0,
                       1000000, "bonds EMA keep-rate, of 1e6"),
    /* SPEC 1.4: bonds_penalty 65535 (/65535) */
    SCENARIO_FIELD_INT(scenario_subnet, bonds_penalty, "bonds_penalty", "65535", 0, 65535,
                       "how far bonds follow clipped rather than raw weights, of 65535"),
    /* SPEC 1.2: Yuma 3 on for new subnets */
    SCENARIO_FIELD_BOOL(scenario_subnet, yuma3, "yuma3", "true",
                        "Yuma Consensus 3 bonds (false: the legacy bonds)"),
    /* SPEC 1.4 step 10: liquid alpha is opt-in */
    SCENARIO_FIELD_BOOL(scenario_subnet, liquid_alpha, "liquid_alpha", "false",
                        "per-entry bond EMA rate between alpha_low and alpha_high"),
    /* SPEC 1.4: liquid alpha (lo, hi) = (45875, 58982)/65535 */
    SCENARIO_FIELD_INT(scenario_subnet, alpha_low, "alpha_low", "45875", 0, 65535,
                       "liquid alpha's lowest rate, of 65535"),
    SCENARIO_FIELD_INT(scenario_subnet, alpha_high, "alpha_high", "58982", 0, 65535,
                       "liquid alpha's highest rate, of 65535"),
    /* SPEC 1.4: alpha sigmoid steepness 1000 */
    SCENARIO_FIELD_INT(scenario_subnet, alpha_sigmoid_steepness, "alpha_sigmoid_steepness", "1000",
                       0, 1000000, "steepness of liquid alpha's sigmoid"),
    /* SPEC 1.4: activity cutoff 5000 blocks */
    SCENARIO_FIELD_INT(scenario_subnet, activity_cutoff, "activity_cutoff", "5000", 0, 1e9,
                       "blocks without weights after which a validator counts as inactive"),
    /* SPEC 1.3: commit-reveal on by default on mainnet since 2025 */
    SCENARIO_FIELD_BOOL(scenario_subnet, commit_reveal, "commit_reveal", "true",
                        "weights are committed as a hash and revealed later"),
    /* SPEC 1.3: RevealPeriodEpochs 1 */
    SCENARIO_FIELD_INT(scenario_subnet, reveal_period_epochs, "reveal_period_epochs", "1", 1, 1000,
                       "epochs between a commit and its reveal"),
    /* subtensor runtime: SubtensorInitialBurn = 1 TAO (later versions start lower) */
    SCENARIO_FIELD_INT(scenario_subnet, burn_rao, "burn_rao", "1000000000", 0, BIG,
                       "registration cost, in rao"),
    /* SPEC 1.2: MinNonImmuneUids 10 */
    SCENARIO_FIELD_INT(scenario_subnet, min_non_immune_uids, "min_non_immune_uids", "10", 0, 65535,
                       "pruning takes an immune uid once fewer non-immune uids remain"),
    /* SPEC 1.2: data subnet's code: 10000 (testnet 428: 300) */
    SCENARIO_FIELD_NUMBER(scenario_subnet, validator_permit_stake, "validator_permit_stake",
                          "10000", 0, TAO_SUPPLY,
                          "TAO from which the subnet's own code treats a neuron as a validator "
                          "(chain permits go by max_allowed_validators)"),
    SCENARIO_FIELD_STRING(scenario_subnet, owner, "owner", SCENARIO_ABSENT, NAME_MAX_LEN,
                          "hotkey of the owner's neuron, never pruned (none by default)"),
};
static const scenario_table subnet_table =
    SCENARIO_TABLE("subnet", scenario_subnet, subnet_fields, scn_core_check_subnet,
                   "One subnet: its hyperparameters.");

/* -------------------------------------------------- validator policies */

static const scenario_field step_fields[] = {
    SCENARIO_FIELD_INT(scenario_weights_step, from_epoch, "from_epoch", SCENARIO_REQUIRED, 0,
                       SCENARIO_INT_LIMIT, "first epoch these weights are set in"),
    SCENARIO_FIELD_MAP(scenario_weights_step, weights, "weights", SCENARIO_REQUIRED, 0, 1e9, 0,
                       "target -> relative weight; a target is a hotkey, a group or a uid"),
};
static const scenario_table step_table =
    SCENARIO_TABLE("weights_step", scenario_weights_step, step_fields, NULL,
                   "Weights a scripted validator sets from one epoch on.");

static const scenario_field scripted_fields[] = {
    SCENARIO_FIELD_ARRAY(scenario_policy_scripted, schedule, "schedule", SCENARIO_REQUIRED,
                         &step_table, 10000, "weights by epoch, in ascending from_epoch"),
};
static const scenario_table scripted_table =
    SCENARIO_TABLE("policy_scripted", scenario_policy_scripted, scripted_fields,
                   scn_core_check_scripted, NULL);

static const scenario_field honest_fields[] = {
    SCENARIO_FIELD_NUMBER(scenario_policy_honest, noise, "noise", "0.05", 0, 1,
                          "standard deviation of the Gaussian error on each measured quality"),
};
static const scenario_table honest_table =
    SCENARIO_TABLE("policy_honest", scenario_policy_honest, honest_fields, NULL, NULL);

const char *const scenario_copy_names[] = {"weights", "consensus", NULL};

static const scenario_field copier_fields[] = {
    SCENARIO_FIELD_NUMBER(scenario_policy_copier, noise, "noise", "0", 0, 1,
                          "standard deviation of the noise added to the copied weights"),
    SCENARIO_FIELD_ENUM(scenario_policy_copier, source, "source", "\"weights\"",
                        scenario_copy_names,
                        "weights: the stake-weighted rows other validators have on chain now; "
                        "consensus: the last epoch's consensus"),
    SCENARIO_FIELD_INT(scenario_policy_copier, late_blocks, "late_blocks", "2", 1, 1000000,
                       "acts this many blocks before the next epoch, to copy the freshest rows"),
};
static const scenario_table copier_table =
    SCENARIO_TABLE("policy_copier", scenario_policy_copier, copier_fields, NULL, NULL);

static const scenario_field lazy_fields[] = {
    SCENARIO_FIELD_INT(scenario_policy_lazy, every_epochs, "every_epochs", "4", 1, 1000000,
                       "sets weights once in this many epochs"),
    SCENARIO_FIELD_INT(scenario_policy_lazy, first_epoch, "first_epoch", "0", 0,
                       SCENARIO_INT_LIMIT, "epoch of its first weights"),
    SCENARIO_FIELD_INT(scenario_policy_lazy, delay_blocks, "delay_blocks", "0", 0, 1000000,
                       "blocks after the epoch before it sets them (a late mover)"),
    SCENARIO_FIELD_NUMBER(scenario_policy_lazy, noise, "noise", "0.05", 0, 1,
                          "as for honest"),
};
static const scenario_table lazy_table =
    SCENARIO_TABLE("policy_lazy", scenario_policy_lazy, lazy_fields, NULL, NULL);

static const scenario_field deviate_fields[] = {
    SCENARIO_FIELD_NUMBER(scenario_policy_deviate, noise, "noise", "0.05", 0, 1,
                          "as for honest, on the other epochs"),
    SCENARIO_FIELD_INTS(scenario_policy_deviate, at_epochs, "at_epochs", SCENARIO_REQUIRED, 0,
                        SCENARIO_INT_LIMIT, 10000, "epochs on which it deviates"),
    SCENARIO_FIELD_MAP(scenario_policy_deviate, weights, "weights", SCENARIO_REQUIRED, 0, 1e9, 0,
                       "the weights it sets on those epochs (targets as in scripted)"),
};
static const scenario_table deviate_table =
    SCENARIO_TABLE("policy_deviate", scenario_policy_deviate, deviate_fields, NULL, NULL);

/* ---------------------------------------------------------- validators */

static const scenario_field validator_fields[] = {
    SCENARIO_FIELD_STRING(scenario_validator, name, "name", SCENARIO_REQUIRED, NAME_MAX_LEN,
                          "group name: the hotkey when count is 1, else NAME-0, NAME-1, ..."),
    SCENARIO_FIELD_INT(scenario_validator, count, "count", "1", 1, 65535, "neurons in the group"),
    SCENARIO_FIELD_NUMBER(scenario_validator, stake, "stake", "10000", 0, TAO_SUPPLY,
                          "stake of each, in TAO"),
    SCENARIO_FIELD_INT(scenario_validator, subnet, "subnet", SCENARIO_ABSENT, 1, 65535,
                       "netuid it registers on (default: the first subnet)"),
    SCENARIO_FIELD_STRING(scenario_validator, coldkey, "coldkey", SCENARIO_ABSENT, NAME_MAX_LEN,
                          "coldkey shared by the group (default: one per neuron)"),
    SCENARIO_FIELD_MOMENT(scenario_validator, register_at, "register_at", "0",
                          "block number, or time after the start (\"2h\"), of registration"),
    SCENARIO_FIELD_VARIANT(scenario_validator, policy, "policy", "{\"kind\": \"honest\"}",
                           "validator.policy", "how it sets weights"),
};
static const scenario_table validator_table =
    SCENARIO_TABLE("validator_group", scenario_validator, validator_fields,
                   scn_core_check_validator, "A group of validators alike but for their hotkeys.");

/* -------------------------------------------------------------- miners */

static const scenario_field change_fields[] = {
    SCENARIO_FIELD_INT(scenario_quality_change, from_epoch, "from_epoch", SCENARIO_REQUIRED, 0,
                       SCENARIO_INT_LIMIT, "epoch the new quality starts"),
    SCENARIO_FIELD_NUMBER(scenario_quality_change, quality, "quality", SCENARIO_REQUIRED, 0, 1,
                          "the quality from then on"),
};
static const scenario_table change_table =
    SCENARIO_TABLE("quality_change", scenario_quality_change, change_fields, NULL,
                   "A change of a miner group's true quality.");

static const scenario_field miner_fields[] = {
    SCENARIO_FIELD_STRING(scenario_miner, name, "name", SCENARIO_REQUIRED, NAME_MAX_LEN,
                          "group name: the hotkey when count is 1, else NAME-0, NAME-1, ..."),
    SCENARIO_FIELD_INT(scenario_miner, count, "count", "1", 1, 65535, "neurons in the group"),
    SCENARIO_FIELD_NUMBER(scenario_miner, stake, "stake", "0", 0, TAO_SUPPLY,
                          "stake of each, in TAO"),
    SCENARIO_FIELD_INT(scenario_miner, subnet, "subnet", SCENARIO_ABSENT, 1, 65535,
                       "netuid it registers on (default: the first subnet)"),
    SCENARIO_FIELD_STRING(scenario_miner, coldkey, "coldkey", SCENARIO_ABSENT, NAME_MAX_LEN,
                          "coldkey shared by the group (default: one per neuron)"),
    SCENARIO_FIELD_MOMENT(scenario_miner, register_at, "register_at", "0",
                          "block number, or time after the start (\"2h\"), of registration"),
    SCENARIO_FIELD_NUMBER(scenario_miner, quality, "quality", "0.5", 0, 1,
                          "true quality of its work: what honest validators measure"),
    SCENARIO_FIELD_NUMBER(scenario_miner, quality_spread, "quality_spread", "0", 0, 1,
                          "members' qualities spread evenly over quality +- spread/2 (clipped to 0..1)"),
    SCENARIO_FIELD_NUMBER(scenario_miner, quality_jitter, "quality_jitter", "0", 0, 1,
                          "sd of each member's quality from epoch to epoch (what every validator "
                          "measures alike)"),
    SCENARIO_FIELD_ARRAY(scenario_miner, quality_changes, "quality_changes", "[]", &change_table,
                         10000, "later changes of quality, in ascending from_epoch"),
    SCENARIO_FIELD_VARIANT(scenario_miner, strategy, "strategy", "{\"kind\": \"passive\"}",
                           "miner.strategy", "what it does; families add strategies"),
};
static const scenario_table miner_table =
    SCENARIO_TABLE("miner_group", scenario_miner, miner_fields, scn_core_check_miner,
                   "A group of miners alike but for their hotkeys.");

/* ---------------------------------------------------------- thresholds */

static const scenario_field where_fields[] = {
    SCENARIO_FIELD_STRING(scenario_where, group, "group", SCENARIO_ABSENT, NAME_MAX_LEN,
                          "only this validator or miner group"),
    SCENARIO_FIELD_STRING(scenario_where, hotkey, "hotkey", SCENARIO_ABSENT, NAME_MAX_LEN + 8,
                          "only this neuron"),
    SCENARIO_FIELD_INT(scenario_where, netuid, "netuid", SCENARIO_ABSENT, 1, 65535,
                       "only this subnet"),
    SCENARIO_FIELD_STRING(scenario_where, strategy, "strategy", SCENARIO_ABSENT, NAME_MAX_LEN,
                          "only neurons whose strategy (miners) or policy (validators) is this kind"),
    SCENARIO_FIELD_STRING(scenario_where, tier, "tier", SCENARIO_ABSENT, 16,
                          "metrics over zipcodes (real estate): only zips of this class, premium "
                          "or tier1..tier4"),
};
static const scenario_table where_table =
    SCENARIO_TABLE("where", scenario_where, where_fields, NULL,
                   "Which neurons a threshold looks at (default: all).");

static const scenario_field threshold_fields[] = {
    SCENARIO_FIELD_STRING(scenario_threshold, name, "name", SCENARIO_ABSENT, 128,
                          "label in reports (default: made from the fields)"),
    SCENARIO_FIELD_NAME(scenario_threshold, metric, "metric", SCENARIO_REQUIRED, "metric",
                        "what is measured; families add metrics"),
    SCENARIO_FIELD_OBJECT(scenario_threshold, where, "where", "{}", &where_table,
                          "which neurons"),
    SCENARIO_FIELD_ENUM(scenario_threshold, neurons, "neurons", "\"sum\"", scenario_agg_names,
                        "how the matching neurons' values combine"),
    SCENARIO_FIELD_ENUM(scenario_threshold, epochs, "epochs", "\"last\"", scenario_over_names,
                        "how the epochs from from_epoch on combine"),
    SCENARIO_FIELD_INT(scenario_threshold, from_epoch, "from_epoch", "0", 0, SCENARIO_INT_LIMIT,
                       "first epoch looked at"),
    SCENARIO_FIELD_ENUM(scenario_threshold, op, "op", SCENARIO_REQUIRED, scenario_op_names,
                        "comparison that must hold"),
    SCENARIO_FIELD_NUMBER(scenario_threshold, value, "value", SCENARIO_REQUIRED, -INFINITY,
                          INFINITY, "what the measure is compared with"),
};
static const scenario_table threshold_table =
    SCENARIO_TABLE("threshold", scenario_threshold, threshold_fields, NULL,
                   "A pass/fail check on the run's results (exit 1 when one fails).");

/* -------------------------------------------------------------- record */

static const scenario_field record_fields[] = {
    SCENARIO_FIELD_BOOL(scenario_record, epochs, "epochs", "true",
                        "each epoch's stake, consensus, incentive, dividends, emission per neuron"),
    SCENARIO_FIELD_INT(scenario_record, weights_every_epochs, "weights_every_epochs", "1", 0,
                       1000000, "record the weight matrix every this many epochs (0: never)"),
    SCENARIO_FIELD_INT(scenario_record, bonds_every_epochs, "bonds_every_epochs", "0", 0, 1000000,
                       "record the bond matrix every this many epochs (0: never)"),
};
static const scenario_table record_table =
    SCENARIO_TABLE("record", scenario_record, record_fields, NULL,
                   "What the run writes to its database.");

/* ---------------------------------------------------------------- root */

static const scenario_field root_fields[] = {
    SCENARIO_FIELD_STRING(scenario, schema, "$schema", SCENARIO_ABSENT, 4096,
                          "path or URL of scenario.schema.json, for editors; ignored"),
    SCENARIO_FIELD_STRING(scenario, name, "name", SCENARIO_ABSENT, 128,
                          "the scenario's name (default: the file's name without .json)"),
    SCENARIO_FIELD_STRING(scenario, description, "description", "\"\"", 4096,
                          "what the scenario shows"),
    SCENARIO_FIELD_INT(scenario, seed, "seed", "42", 0, SCENARIO_INT_LIMIT,
                       "seed of every random stream (--seed overrides)"),
    SCENARIO_FIELD_STRING(scenario, profile, "profile", SCENARIO_ABSENT, 128,
                          "named defaults from a real system, e.g. localnet-fast"),
    SCENARIO_FIELD_DURATION(scenario, duration_us, "duration", SCENARIO_ABSENT, 1000, FOREVER,
                            "simulated time (default 1d unless epochs is given)"),
    SCENARIO_FIELD_INT(scenario, epochs, "epochs", SCENARIO_ABSENT, 1, 1e9,
                       "run this many epochs of the first subnet instead of a duration"),
    SCENARIO_FIELD_OBJECT(scenario, chain, "chain", "{}", &chain_table, "the chain"),
    SCENARIO_FIELD_ARRAY(scenario, subnets, "subnets", "[{\"netuid\": 1}]", &subnet_table, 1024,
                         "the subnets"),
    SCENARIO_FIELD_ARRAY(scenario, validators, "validators", "[]", &validator_table, 4096,
                         "validator groups"),
    SCENARIO_FIELD_ARRAY(scenario, miners, "miners", "[]", &miner_table, 4096, "miner groups"),
    SCENARIO_FIELD_ARRAY(scenario, thresholds, "thresholds", "[]", &threshold_table, 1000,
                         "pass/fail checks on the results"),
    SCENARIO_FIELD_OBJECT(scenario, record, "record", "{}", &record_table, "what to record"),
};
static const scenario_table root_table =
    SCENARIO_TABLE("scenario", scenario, root_fields, scn_core_check_root,
                   "A subnetsim scenario: JSON with // and /* */ comments.");

/* ---------------------------------------------------------------- kinds */

static const scenario_kind core_kinds[] = {
    {"validator.policy", "scripted", SCENARIO_POLICY_SCRIPTED, &scripted_table,
     "sets the weights a schedule gives, epoch by epoch"},
    {"validator.policy", "honest", SCENARIO_POLICY_HONEST, &honest_table,
     "weights = each miner's quality plus Gaussian noise from its own seeded stream, "
     "clipped at 0, every epoch"},
    {"validator.policy", "copier", SCENARIO_POLICY_COPIER, &copier_table,
     "copies what it can read on chain late in each tempo: other validators' weight rows "
     "(stake-weighted) or the last consensus (what commit-reveal defeats)"},
    {"validator.policy", "lazy", SCENARIO_POLICY_LAZY, &lazy_table,
     "honest, but sets weights only every few epochs and possibly late"},
    {"validator.policy", "deviate", SCENARIO_POLICY_DEVIATE, &deviate_table,
     "honest, but sets other weights on given epochs"},
    {"miner.strategy", "passive", SCENARIO_STRATEGY_PASSIVE, NULL,
     "does nothing but exist: its quality is what honest validators measure"},
    {"metric", "incentive", SCENARIO_METRIC_INCENTIVE, NULL,
     "incentive per epoch (a share, 0..1: summed, the neurons' share of miner emission)"},
    {"metric", "dividends", SCENARIO_METRIC_DIVIDENDS, NULL,
     "dividends per epoch (a share, 0..1)"},
    {"metric", "emission", SCENARIO_METRIC_EMISSION, NULL, "emission per epoch, in rao"},
    {"metric", "consensus", SCENARIO_METRIC_CONSENSUS, NULL, "consensus weight per epoch, 0..1"},
    {"metric", "validator_trust", SCENARIO_METRIC_VALIDATOR_TRUST, NULL,
     "validator trust per epoch, 0..1"},
    {"metric", "stake", SCENARIO_METRIC_STAKE, NULL, "stake, in TAO"},
    {"metric", "emission_share", SCENARIO_METRIC_EMISSION_SHARE, NULL,
     "share of the epoch's emission, 0..1 (miners' and validators' alike)"},
};

const scenario_family scenario_core = {
    .name = "core",
    .root = &root_table,
    .kinds = core_kinds,
    .nkinds = sizeof core_kinds / sizeof *core_kinds,
    .profiles = scn_core_profiles,
    .nprofiles = SCN_CORE_NPROFILES,
};
