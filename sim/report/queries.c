/* Every SQL statement the report and the chain family run, in one place, so
 * that following a change of the store's or the chain's columns is a change of
 * this file alone.
 *
 * The tables read (every record table starts with run_id):
 *   run, run_param: the store's (sim/store/schema.c)
 *   neuron(netuid, uid, hotkey, coldkey, role, group_name, label, registered_block,
 *          ...): role miner/validator/owner, group_name the scenario's group,
 *          label the kind of strategy or policy;
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
        "SELECT run_id, scenario_name, scenario_text, seed, mode, version, started_at, "
        "finished_at, status, simulated_seconds, wall_seconds, digest, error, scenario_json "
        "FROM run WHERE run_id = ?1",
    [REPORT_Q_RUN_LATEST] = "SELECT max(run_id) FROM run",
    [REPORT_Q_RUN_IDS] = "SELECT run_id FROM run ORDER BY run_id",
    [REPORT_Q_RUN_SAME_NAME] =
        "SELECT count(*) FROM run WHERE scenario_name IS ?1 AND seed IS ?2",
    [REPORT_Q_RUN_PARAMS] = "SELECT key, value FROM run_param WHERE run_id = ?1 ORDER BY key",

    [REPORT_Q_CHAIN_PRESENT] = "SELECT 1 FROM epoch_neuron WHERE run_id = ?1 LIMIT 1",
    [REPORT_Q_CHAIN_NETUIDS] =
        "SELECT DISTINCT netuid FROM neuron WHERE run_id = ?1 ORDER BY netuid",
    [REPORT_Q_CHAIN_NEURONS] =
        "SELECT uid, hotkey, role, COALESCE(group_name, label), registered_block FROM neuron "
        "WHERE run_id = ?1 AND netuid = ?2 ORDER BY uid, registered_block",
    [REPORT_Q_CHAIN_SPAN] =
        "SELECT min(epoch), max(epoch), count(*) FROM epoch_neuron "
        "WHERE run_id = ?1 AND netuid = ?2",
    [REPORT_Q_CHAIN_ROWS] =
        "SELECT epoch, block, uid, consensus, incentive, dividends, emission, "
        "validator_trust, permit FROM epoch_neuron WHERE run_id = ?1 AND netuid = ?2",
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
        "SELECT netuid, uid, hotkey, COALESCE(role, ''), COALESCE(group_name, label, ''), "
        "registered_block "
        "FROM neuron WHERE run_id = ?1 ORDER BY netuid, uid, registered_block",
    [REPORT_Q_EARN_ROWS] =
        "SELECT netuid, uid, block, emission FROM epoch_neuron WHERE run_id = ?1",
};

const char *report_sql(report_query q)
{
    return q >= 0 && q < REPORT_Q_COUNT ? sql[q] : NULL;
}

/* ---------------------------------------------------------- metrics */

/* The chain's metrics: a value per neuron per epoch (the scenario's "metric"
 * kinds, with the units its reference gives). */
#define EPOCH_METRIC(n, u, d, v) {.name = (n), .unit = (u), .doc = (d), .value = (v)}
static const report_metric chain_metrics[] = {
    EPOCH_METRIC("incentive", "", "incentive per epoch, a share 0..1 (summed over a group: its share)",
     "e.incentive / 65535.0"),
    EPOCH_METRIC("dividends", "", "dividends per epoch, a share 0..1", "e.dividends / 65535.0"),
    EPOCH_METRIC("emission", "rao", "emission per epoch, in rao", "e.emission"),
    EPOCH_METRIC("consensus", "", "consensus per epoch, 0..1", "e.consensus / 65535.0"),
    EPOCH_METRIC("validator_trust", "", "validator trust per epoch, 0..1", "e.validator_trust / 65535.0"),
    EPOCH_METRIC("stake", "TAO", "stake the epoch read, in TAO", "e.stake / 1e9"),
    /* chain_epoch's total (an index look-up) rather than a sum over the
     * epoch's rows per row: they differ by rounding dust, a few rao */
    EPOCH_METRIC("emission_share", "",
     "share of the epoch's emission (chain_epoch.emission), 0..1: miners' and validators' alike",
     "e.emission * 1.0 / NULLIF((SELECT c.emission FROM chain_epoch c WHERE c.run_id = e.run_id "
     "AND c.netuid = e.netuid AND c.epoch = e.epoch), 0)"),
};

/* A threshold's query: the metric's value for the matching neurons at each
 * epoch from :from_epoch, combined across neurons per epoch (`per`), then
 * across epochs. `last` reads the last epoch alone, through the (run_id,
 * netuid, epoch) index.
 *
 * Matching a row to the neuron that held its uid costs a look-up per row
 * (seconds on a 30-day run), so it is decided per uid where it can be: `whole`
 * holds the uids all of whose registrations match, `part` those where only some
 * do, and only rows of `part` uids look their holder up (its last registration
 * before the epoch's block: the epoch runs before the block's extrinsics). */
#define PICK REPORT_PICK
#define HOLDER_REG(e)                                                                       \
    "COALESCE((SELECT max(m.registered_block) FROM neuron m WHERE m.run_id = " e ".run_id " \
    "AND m.netuid = " e ".netuid AND m.uid = " e ".uid AND m.registered_block < " e ".block), " \
    "(SELECT min(m.registered_block) FROM neuron m WHERE m.run_id = " e ".run_id "           \
    "AND m.netuid = " e ".netuid AND m.uid = " e ".uid))"

static const char *across_neurons(report_neurons a)
{
    static const char *const f[] = {"total", "avg", "min", "max"};
    return a >= REPORT_N_SUM && a <= REPORT_N_MAX ? f[a] : "total";
}

static const char *across_epochs(report_epochs a)
{
    /* last: `per` holds the last epoch alone, and max() of one value is it */
    static const char *const f[] = {"max", "avg", "min", "max"};
    return a >= REPORT_E_LAST && a <= REPORT_E_MAX ? f[a] : "max";
}

int report_metric_sql(const report_metric *m, const report_threshold *t, bool one_subnet,
                      sbuf *out)
{
    if (m->kind != REPORT_M_EPOCH)
        return report_table_metric_sql(m, t, one_subnet, false, out);
    const char *net = one_subnet ? "netuid = :netuid" : "1";
    const char *enet = one_subnet ? "e.netuid = :netuid" : "1";
    sbuf_printf(out,
                "WITH nr AS (SELECT n.netuid, n.uid, " PICK " AS sel FROM neuron n "
                "  WHERE n.run_id = :run_id AND %s), "
                "whole AS (SELECT netuid, uid FROM nr GROUP BY netuid, uid HAVING min(sel) = 1), "
                "part AS (SELECT netuid, uid FROM nr GROUP BY netuid, uid "
                "  HAVING min(sel) = 0 AND max(sel) = 1), "
                "per AS (SELECT e.epoch, %s(%s) AS v FROM epoch_neuron e "
                "  WHERE e.run_id = :run_id AND %s AND e.epoch >= :from_epoch ",
                net, across_neurons(t->neurons), m->value, enet);
    if (t->epochs == REPORT_E_LAST)
        sbuf_printf(out, "AND e.epoch = (SELECT max(epoch) FROM epoch_neuron "
                         "WHERE run_id = :run_id AND %s) ", net);
    sbuf_puts(out, "AND (:everyone OR (e.netuid, e.uid) IN whole OR ((e.netuid, e.uid) IN part "
                   "AND EXISTS (SELECT 1 FROM neuron n WHERE n.run_id = e.run_id "
                   "AND n.netuid = e.netuid AND n.uid = e.uid AND n.registered_block = "
                   HOLDER_REG("e") " AND " PICK "))) GROUP BY e.epoch) ");
    sbuf_printf(out, "SELECT %s(v) FROM per", across_epochs(t->epochs));
    return out->oom ? ERR_NOMEM : 0;
}

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
