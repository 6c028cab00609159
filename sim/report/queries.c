/* Every SQL statement the report and the chain family run, in one place, so
 * that following a change of the store's or the chain's columns is a change of
 * this file alone.
 *
 * What the statements assume (DESIGN.md's table sketch; every table has run_id):
 *   run(run_id, scenario_name, scenario_text, seed, mode, version, started,
 *       finished, status, sim_seconds, wall_seconds, digest)
 *   run_param(run_id, key, value)
 *   neuron(run_id, netuid, uid, hotkey, role, strategy, profile,
 *          registered_block, deregistered_block): one row per registration; a
 *          uid held by several hotkeys over the run has several rows
 *   epoch_neuron(run_id, netuid, epoch, block, uid, stake, consensus, incentive,
 *          dividends, emission, validator_trust, permit, active): consensus,
 *          incentive, dividends and validator trust as the chain stores them
 *          (u16 proportions of 65535); stake and emission in rao
 *   weight(run_id, netuid, block, validator, miner, value): a stored weights
 *          row (u16, max-upscaled), one row per entry, from `block` on
 *   bond(run_id, netuid, epoch, validator, miner, value): stored bonds (u16)
 */
#include "report/chain_data.h"

/* Stored u16 proportions and rao, as reals. */
#define U16 " / 65535.0"
#define RAO " / 1e9"

static const char *const sql[REPORT_Q_COUNT] = {
    [REPORT_Q_HAS_TABLE] =
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?1",
    [REPORT_Q_RUN] =
        "SELECT run_id, scenario_name, scenario_text, seed, mode, version, started, finished, "
        "status, sim_seconds, wall_seconds, digest FROM run WHERE run_id = ?1",
    [REPORT_Q_RUN_LATEST] = "SELECT max(run_id) FROM run",
    [REPORT_Q_RUN_IDS] = "SELECT run_id FROM run ORDER BY run_id",
    [REPORT_Q_RUN_SAME_NAME] =
        "SELECT count(*) FROM run WHERE scenario_name IS ?1 AND seed IS ?2",
    [REPORT_Q_RUN_PARAMS] = "SELECT key, value FROM run_param WHERE run_id = ?1 ORDER BY key",

    [REPORT_Q_CHAIN_PRESENT] = "SELECT 1 FROM epoch_neuron WHERE run_id = ?1 LIMIT 1",
    [REPORT_Q_CHAIN_NETUIDS] =
        "SELECT DISTINCT netuid FROM neuron WHERE run_id = ?1 ORDER BY netuid",
    [REPORT_Q_CHAIN_NEURONS] =
        "SELECT uid, hotkey, role, strategy, profile, registered_block, deregistered_block "
        "FROM neuron WHERE run_id = ?1 AND netuid = ?2 ORDER BY uid, registered_block",
    [REPORT_Q_CHAIN_SPAN] =
        "SELECT min(epoch), max(epoch), count(*) FROM epoch_neuron "
        "WHERE run_id = ?1 AND netuid = ?2",
    [REPORT_Q_CHAIN_ROWS] =
        "SELECT epoch, block, uid, stake, consensus, incentive, dividends, emission, "
        "validator_trust FROM epoch_neuron WHERE run_id = ?1 AND netuid = ?2",
    [REPORT_Q_CHAIN_EPOCH_BLOCK] =
        "SELECT block FROM epoch_neuron WHERE run_id = ?1 AND netuid = ?2 AND epoch = ?3 "
        "LIMIT 1",
    /* Weights that count at an epoch at block B were set before B. */
    [REPORT_Q_CHAIN_WEIGHT_LAST] =
        "SELECT max(block) FROM weight WHERE run_id = ?1 AND netuid = ?2 AND validator = ?3 "
        "AND block < ?4",
    [REPORT_Q_CHAIN_WEIGHT_ROW] =
        "SELECT miner, value FROM weight WHERE run_id = ?1 AND netuid = ?2 AND validator = ?3 "
        "AND block = ?4",
    [REPORT_Q_CHAIN_BONDS_AT] =
        "SELECT validator, total(value)" U16 " FROM bond WHERE run_id = ?1 AND netuid = ?2 "
        "AND epoch = ?3 GROUP BY validator",
    /* Earnings per registration, summed in C (report_top_earners): a join per
     * row would cost seconds on a long run. */
    [REPORT_Q_EARN_NEURONS] =
        "SELECT netuid, uid, hotkey, role, COALESCE(strategy, profile, ''), registered_block "
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
    "((:group IS NULL OR n.strategy = :group OR n.role = :group OR n.profile = :group) "    \
    "AND (:uid IS NULL OR n.uid = :uid) AND (:hotkey IS NULL OR n.hotkey = :hotkey) "       \
    "AND (:role IS NULL OR n.role = :role))"
#define ANY_SEL "(:group IS NOT NULL OR :uid IS NOT NULL OR :hotkey IS NOT NULL OR :role IS NOT NULL)"
#define PICK(dflt) "(CASE WHEN " ANY_SEL " THEN " SEL " ELSE (" dflt ") END)"

#define HOLDER(e)                                                                           \
    "n.run_id = " e ".run_id AND n.netuid = " e ".netuid AND n.uid = " e ".uid "            \
    "AND " e ".block >= n.registered_block "                                                \
    "AND (n.deregistered_block IS NULL OR " e ".block < n.deregistered_block)"

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
#define REG_COL                                                                             \
    ", CASE WHEN (e.netuid, e.uid) IN multi THEN (SELECT max(n.registered_block) "          \
    "FROM neuron n WHERE n.run_id = e.run_id AND n.netuid = e.netuid AND n.uid = e.uid "    \
    "AND n.registered_block <= e.block) END AS reg"

/* A selection's share of a column summed over the window; no data when the
 * selection matches no row (a misspelt group must not read as 0 %). `sel` is
 * written once per query: each mention costs its look-ups again on every row. */
#define SHARE(col)                                                                          \
    ROWS("1") "SELECT CASE WHEN s.n = 0 THEN NULL ELSE 100.0 * s.v / NULLIF(t.v, 0) END "  \
    "FROM (SELECT count(*) AS n, total(" col ") AS v FROM r WHERE sel) s, "                 \
    "(SELECT total(" col ") AS v FROM r) t"

#define NEEDS_SEL "group uid hotkey role"

static const report_metric chain_metrics[] = {
    {"emission_share", "%",
     "share of the subnet's emission earned by the selection (group, uid, hotkey, role)",
     NEEDS_SEL, SHARE("emission")},
    {"incentive_share", "%", "share of incentive held by the selection, summed over the window",
     NEEDS_SEL, SHARE("incentive")},
    {"dividends_share", "%", "share of dividends held by the selection, summed over the window",
     NEEDS_SEL, SHARE("dividends")},
    {"validator_trust_min", "",
     "lowest validator trust (0-1) of any permitted validator in the selection, each "
     "averaged over the window",
     NULL,
     ROWS_WITH("1", REG_COL) "SELECT min(m) FROM (SELECT avg(validator_trust)" U16 " AS m "
                             "FROM r WHERE permit AND sel GROUP BY netuid, uid, reg)"},
    {"validator_trust_mean", "", "mean validator trust (0-1) of permitted validators",
     NULL, ROWS("1") "SELECT avg(validator_trust)" U16 " FROM r WHERE permit AND sel"},
    {"consensus_mean", "", "mean consensus (0-1) of the selection; default all miners",
     NULL,
     ROWS("n.role = 'miner'") "SELECT avg(consensus)" U16 " FROM r WHERE sel"},
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
