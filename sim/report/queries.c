/* Every SQL statement the report and the chain family run, in one place, so
 * that following a change of the store's or the chain's columns is a change of
 * this file alone.
 *
 * The tables read (every record table starts with run_id):
 *   run, run_param: the store's (sim/store/schema.c)
 *   neuron(netuid, uid, hotkey, coldkey, role, label, registered_block, ...):
 *          one row per registration (sim/chain/chain_record.c); a uid held by
 *          several hotkeys over a run has several rows. The holder of a uid at
 *          an epoch at block B is its last registration before B: the epoch
 *          runs first in its block, extrinsics (registrations) after.
 *   epoch_neuron(netuid, epoch, block, uid, stake, consensus, incentive,
 *          dividends, emission, ..., validator_trust, permit, active): u16
 *          proportions of 65535, stake and emission in rao
 *   weight, bond(netuid, epoch, block, uid, n, data): rows as the chain's u16
 *          vector blobs (chain_row_decode), snapshot when changed: the row in
 *          force at an epoch is the last one recorded at or before it
 */
#include "report/chain_data.h"

/* Stored u16 proportions and rao, as reals. */
#define U16 " / 65535.0"
#define RAO " / 1e9"

static const char *const sql[REPORT_Q_COUNT] = {
    [REPORT_Q_HAS_TABLE] =
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1",
    [REPORT_Q_RUN] =
        "SELECT run_id, scenario_name, COALESCE(scenario_text, scenario_json, ''), seed, mode, "
        "version, started_at, finished_at, status, simulated_seconds, wall_seconds, digest, "
        "error FROM run WHERE run_id = ?1",
    [REPORT_Q_RUN_LATEST] = "SELECT max(run_id) FROM run",
    [REPORT_Q_RUN_IDS] = "SELECT run_id FROM run ORDER BY run_id",
    [REPORT_Q_RUN_SAME_NAME] =
        "SELECT count(*) FROM run WHERE scenario_name IS ?1 AND seed IS ?2",
    [REPORT_Q_RUN_PARAMS] = "SELECT key, value FROM run_param WHERE run_id = ?1 ORDER BY key",

    [REPORT_Q_CHAIN_PRESENT] = "SELECT 1 FROM epoch_neuron WHERE run_id = ?1 LIMIT 1",
    [REPORT_Q_CHAIN_NETUIDS] =
        "SELECT DISTINCT netuid FROM neuron WHERE run_id = ?1 ORDER BY netuid",
    [REPORT_Q_CHAIN_NEURONS] =
        "SELECT uid, hotkey, role, label, registered_block FROM neuron "
        "WHERE run_id = ?1 AND netuid = ?2 ORDER BY uid, registered_block",
    [REPORT_Q_CHAIN_SPAN] =
        "SELECT min(epoch), max(epoch), count(*) FROM epoch_neuron "
        "WHERE run_id = ?1 AND netuid = ?2",
    [REPORT_Q_CHAIN_ROWS] =
        "SELECT epoch, block, uid, stake, consensus, incentive, dividends, emission, "
        "validator_trust, permit FROM epoch_neuron WHERE run_id = ?1 AND netuid = ?2",
    [REPORT_Q_CHAIN_EPOCH_BLOCK] =
        "SELECT block FROM epoch_neuron WHERE run_id = ?1 AND netuid = ?2 AND epoch = ?3 "
        "LIMIT 1",
    /* A validator's weights row in force at an epoch: the last snapshot. */
    [REPORT_Q_CHAIN_WEIGHT_AT] =
        "SELECT block, data FROM weight WHERE run_id = ?1 AND netuid = ?2 AND uid = ?3 "
        "AND epoch <= ?4 ORDER BY epoch DESC LIMIT 1",
    [REPORT_Q_CHAIN_WEIGHT_FIRST] =
        "SELECT min(epoch) FROM weight WHERE run_id = ?1 AND netuid = ?2 AND n > 0",
    /* Bond snapshots in order, carried forward by the reader. */
    [REPORT_Q_CHAIN_BOND_ROWS] =
        "SELECT epoch, block, uid, data FROM bond WHERE run_id = ?1 AND netuid = ?2 "
        "ORDER BY epoch",
    /* Earnings per registration, summed in C (report_top_earners): a join per
     * row would cost seconds on a long run. */
    [REPORT_Q_EARN_NEURONS] =
        "SELECT netuid, uid, hotkey, COALESCE(role, ''), COALESCE(label, ''), registered_block "
        "FROM neuron WHERE run_id = ?1 ORDER BY netuid, uid, registered_block",
    [REPORT_Q_EARN_ROWS] =
        "SELECT netuid, uid, block, emission FROM epoch_neuron WHERE run_id = ?1",
};

const char *report_sql(report_query q)
{
    return q >= 0 && q < REPORT_Q_COUNT ? sql[q] : NULL;
}

/* ------------------------------------------------------ chain metrics */

/* The rows a chain metric reads: each epoch row of the window, with `sel`
 * telling whether the `where` keys pick the neuron that held the uid then.
 * Window: from_epoch..to_epoch and/or the last_epochs epochs; default the run.
 * (Written as conditions that hold when unset rather than a range join: the
 * planner then scans the table once instead of probing an index per row.)
 *
 * Joining every row to its neuron costs a lookup per row (seconds on a 30-day
 * run), so the selection is decided per uid where it can be: `whole` holds the
 * uids all of whose registrations are picked, `part` those where only some are,
 * and only rows of `part` uids look their registration up. DFLT is who is
 * picked when no where key names neurons. */
#define SEL                                                                                 \
    "((:group IS NULL OR n.label = :group OR n.role = :group) "                             \
    "AND (:uid IS NULL OR n.uid = :uid) AND (:hotkey IS NULL OR n.hotkey = :hotkey) "       \
    "AND (:role IS NULL OR n.role = :role))"
#define ANY_SEL "(:group IS NOT NULL OR :uid IS NOT NULL OR :hotkey IS NOT NULL OR :role IS NOT NULL)"
#define PICK(dflt) "(CASE WHEN " ANY_SEL " THEN " SEL " ELSE (" dflt ") END)"

/* The registration block of e's holder: its uid's last registration before
 * e's block (or its first, for a row before any). */
#define HOLDER_REG(e)                                                                       \
    "COALESCE((SELECT max(m.registered_block) FROM neuron m WHERE m.run_id = " e ".run_id " \
    "AND m.netuid = " e ".netuid AND m.uid = " e ".uid AND m.registered_block < " e ".block), " \
    "(SELECT min(m.registered_block) FROM neuron m WHERE m.run_id = " e ".run_id "           \
    "AND m.netuid = " e ".netuid AND m.uid = " e ".uid))"
#define HOLDER(e)                                                                           \
    "n.run_id = " e ".run_id AND n.netuid = " e ".netuid AND n.uid = " e ".uid "            \
    "AND n.registered_block = " HOLDER_REG(e)

#define ROWS_WITH(dflt, extra)                                                              \
    "WITH last AS (SELECT max(epoch) AS hi FROM epoch_neuron "                              \
    "  WHERE run_id = :run_id AND (:netuid IS NULL OR netuid = :netuid)), "                 \
    "nr AS (SELECT n.netuid, n.uid, " PICK(dflt) " AS sel FROM neuron n "                   \
    "  WHERE n.run_id = :run_id AND (:netuid IS NULL OR n.netuid = :netuid)), "             \
    "whole AS (SELECT netuid, uid FROM nr GROUP BY netuid, uid HAVING min(sel) = 1), "      \
    "part AS (SELECT netuid, uid FROM nr GROUP BY netuid, uid "                             \
    "  HAVING min(sel) = 0 AND max(sel) = 1), "                                             \
    "multi AS (SELECT netuid, uid FROM nr GROUP BY netuid, uid HAVING count(*) > 1), "      \
    "r AS NOT MATERIALIZED (SELECT e.epoch, e.netuid, e.uid, e.stake, e.consensus, "        \
    "  e.incentive, e.dividends, e.emission, e.validator_trust, e.permit, "                 \
    "  CASE WHEN (e.netuid, e.uid) IN whole THEN 1 "                                        \
    "       WHEN (e.netuid, e.uid) IN part THEN EXISTS (SELECT 1 FROM neuron n WHERE "      \
    HOLDER("e") " AND " PICK(dflt) ") "                                                     \
    "       ELSE 0 END AS sel" extra " "                                                    \
    "  FROM epoch_neuron e "                                                                \
    "  WHERE e.run_id = :run_id AND (:netuid IS NULL OR e.netuid = :netuid) "               \
    "  AND (:from_epoch IS NULL OR e.epoch >= :from_epoch) "                                \
    "  AND (:to_epoch IS NULL OR e.epoch <= :to_epoch) "                                    \
    "  AND (:last_epochs IS NULL OR e.epoch > (SELECT hi FROM last) - :last_epochs)) "
/* The window's last epoch. */
#define WINDOW_END "min(COALESCE(:to_epoch, (SELECT hi FROM last)), (SELECT hi FROM last))"
#define ROWS(dflt) ROWS_WITH(dflt, "")
/* The registration a row belongs to, for uids registered more than once
 * (NULL for the others, whose uid says it all). */
#define REG_COL ", CASE WHEN (e.netuid, e.uid) IN multi THEN " HOLDER_REG("e") " END AS reg"

/* A selection's share of a column summed over the window; no data when the
 * selection matches no row (a misspelt group must not read as 0 %). `sel` is
 * written once per query: each mention costs its look-ups again on every row. */
#define SHARE(col)                                                                          \
    ROWS("1") "SELECT CASE WHEN s.n = 0 THEN NULL ELSE 100.0 * s.v / NULLIF(t.v, 0) END "  \
    "FROM (SELECT count(*) AS n, total(" col ") AS v FROM r WHERE sel) s, "                 \
    "(SELECT total(" col ") AS v FROM r) t"

#define NEEDS_SEL "group uid hotkey role"
/* Who counts as a validator by default: a miner that earned its way to a
 * permit sets no weights, and its trust of 0 says nothing about validators. */
#define VALIDATORS "COALESCE(n.role, 'validator') = 'validator'"

static const report_metric chain_metrics[] = {
    {"emission_share", "%",
     "share of the subnet's emission earned by the selection (group, uid, hotkey, role)",
     NEEDS_SEL, SHARE("emission")},
    {"incentive_share", "%", "share of incentive held by the selection, summed over the window",
     NEEDS_SEL, SHARE("incentive")},
    {"dividends_share", "%", "share of dividends held by the selection, summed over the window",
     NEEDS_SEL, SHARE("dividends")},
    {"validator_trust_min", "",
     "lowest validator trust (0-1) of the selection's validators (default: every neuron the "
     "scenario calls a validator), each averaged over the epochs it held a permit",
     NULL,
     ROWS_WITH(VALIDATORS, REG_COL) "SELECT min(m) FROM (SELECT avg(validator_trust)" U16 " AS m "
                             "FROM r WHERE permit AND sel GROUP BY netuid, uid, reg)"},
    {"validator_trust_mean", "",
     "mean validator trust (0-1) of the selection's validators over the epochs they held a "
     "permit (default: every neuron the scenario calls a validator)",
     NULL, ROWS(VALIDATORS) "SELECT avg(validator_trust)" U16 " FROM r WHERE permit AND sel"},
    {"consensus_mean", "", "mean consensus (0-1) of the selection; default all miners",
     NULL,
     ROWS("COALESCE(n.role, 'miner') = 'miner'") "SELECT avg(consensus)" U16 " FROM r WHERE sel"},
    {"emission_total", "α", "emission earned by the selection (default all) over the window",
     NULL,
     ROWS("1") "SELECT CASE WHEN count(*) = 0 THEN NULL ELSE total(emission)" RAO " END "
               "FROM r WHERE sel"},
    {"final_stake", "α", "stake of the selection at the window's last epoch", NEEDS_SEL,
     ROWS("1") "SELECT CASE WHEN count(*) = 0 THEN NULL ELSE total(stake)" RAO " END FROM r "
               "WHERE sel AND epoch = " WINDOW_END},
};

/* The chain family's descriptor sits beside its metric table so the table's
 * size is a constant here. */
const report_family report_family_chain = {
    .name = "chain",
    .title = "Chain",
    .detect = chain_detect,
    .render = chain_render,
    .metrics = chain_metrics,
    .nmetrics = sizeof chain_metrics / sizeof chain_metrics[0],
    .compare = chain_compare,
};
