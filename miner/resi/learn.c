/* The organic miner's learner: an epsilon-greedy bandit with a constant step
 * size (so it tracks a reward that moves as other miners move).
 *
 * Arms are zip pools: the five classes (premium, tier1..tier4) or the states.
 * A round scrapes only the current arm's zips. At the end of a round the miner
 * reads the metagraph (what any miner can see on chain) and takes its signal:
 *   incentive  its own incentive (u16 / 65535) after the epoch; rounds end one
 *              block after every epochs_per_round-th epoch, when it changed;
 *   weights    the stake-weighted mean, over validators with weights on chain,
 *              of the share of each validator's weights row that names it;
 *              rounds last `round`.
 * The arm's reward is the signal's change over the round: what the round's
 * scraping added (or lost) relative to everyone else, since both signals are
 * shares. value[arm] += learning_rate * (reward - value[arm]) (the first pull
 * sets it). The next arm is uniform with probability epsilon, else the best
 * value (ties at random). Untried arms hold 0, so a positive first reward
 * keeps a miner where it started until exploration finds better: identical
 * miners part ways through their own random streams. */
#include "miner/resi/resi_internal.h"

#include <string.h>

static const rt_column learn_cols[] = {
    {"time_us", RT_COL_INT, "end of the round (simulated microseconds)"},
    {"miner", RT_COL_INT, "the miner (actor.actor)"},
    {"round", RT_COL_INT, "rounds completed, from 1 (0: the baseline read)"},
    {"arm", RT_COL_TEXT, "the arm the round played: premium, tier1..tier4, or a state"},
    {"signal", RT_COL_REAL, "incentive share, or stake-weighted weight share, at the end"},
    {"reward", RT_COL_REAL, "signal change over the round"},
    {"value", RT_COL_REAL, "the arm's learned value after the update"},
    {"next_arm", RT_COL_TEXT, "the arm of the next round"},
    {"explored", RT_COL_INT, "1 when the next arm was an exploration draw"},
};
static const char *const learn_idx[] = {"miner, time_us", NULL};
const rt_table resi_learn_table = {"miner_learn", "organic miners: one row per learning round",
                                   learn_cols, 9, learn_idx, NULL};

static void play(resi_miner *m, size_t arm)
{
    m->learn.arm = arm;
    for (size_t i = 0; i < m->sel.npools; i++)
        m->sel.pools[i].weight = i == arm ? 1 : 0;
    m->cur_zi = -1;   /* the next call leaves the old arm's zip (one in flight still lands) */
}

int rs_learn_init(resi_miner *m)
{
    rs_learn *l = &m->learn;
    memset(l, 0, sizeof *l);
    if (m->kind != RESI_STRATEGY_ORGANIC)
        return 0;
    l->on = true;
    l->narms = m->sel.npools;
    l->value = calloc(l->narms + 1, sizeof *l->value);
    l->pulls = calloc(l->narms + 1, sizeof *l->pulls);
    if (!l->value || !l->pulls)
        return ERR_NOMEM;
    rt_rng(m->r, m->hotkey, "learn", &l->r);
    play(m, (size_t)rng_below(&l->r, l->narms));
    return 0;
}

void rs_learn_free(rs_learn *l)
{
    free(l->value);
    free(l->pulls);
    memset(l, 0, sizeof *l);
}

static const proto_chain_neuron *self_row(const resi_miner *m, const proto_chain_metagraph *mg)
{
    for (uint16_t i = 0; i < mg->n; i++)
        if (!strcmp(mg->neurons[i].hotkey, m->hotkey))
            return &mg->neurons[i];
    return NULL;
}

static double weights_signal(const proto_chain_metagraph *mg, uint16_t uid)
{
    if (!mg->row_start)
        return 0;
    double num = 0, den = 0;
    for (uint16_t i = 0; i < mg->n; i++) {
        double sum = 0, mine = 0;
        for (uint32_t k = mg->row_start[i]; k < mg->row_start[i + 1]; k++) {
            sum += mg->weights[k].value;
            if (mg->weights[k].uid == uid)
                mine = mg->weights[k].value;
        }
        if (sum > 0) {
            double stake = (double)mg->neurons[i].stake;
            num += stake * mine / sum;
            den += stake;
        }
    }
    return den > 0 ? num / den : 0;
}

static double signal_of(const resi_miner *m, const proto_chain_metagraph *mg)
{
    const proto_chain_neuron *me = self_row(m, mg);
    if (!me)
        return 0;
    if (m->cfg->signal == RESI_SIGNAL_WEIGHTS)
        return weights_signal(mg, me->uid);
    return me->incentive / 65535.0;
}

static size_t next_arm(resi_miner *m, bool *explored)
{
    rs_learn *l = &m->learn;
    *explored = rng_chance(&l->r, m->cfg->epsilon);
    if (*explored)
        return (size_t)rng_below(&l->r, l->narms);
    size_t best = 0, ties = 0;
    for (size_t a = 0; a < l->narms; a++) {
        if (a && l->value[a] < l->value[best])
            continue;
        if (!a || l->value[a] > l->value[best]) {
            best = a;
            ties = 1;
        } else if (rng_below(&l->r, ++ties) == 0) {   /* reservoir over equal values */
            best = a;
        }
    }
    return best;
}

static void record(resi_miner *m, double sig, double reward, size_t arm, size_t next, bool expl)
{
    rs_learn *l = &m->learn;
    rt_val v[] = {RT_I(rt_now(m->r)), RT_I(m->me), RT_I(l->round),
                  RT_S(m->sel.pools[arm].name), RT_D(sig), RT_D(reward), RT_D(l->value[arm]),
                  RT_S(m->sel.pools[next].name), RT_I(expl)};
    rt_record(m->r, &resi_learn_table, v);
}

/* When the next round ends. */
static rt_time round_delay(const resi_miner *m, const proto_chain_metagraph *mg)
{
    if (m->cfg->signal == RESI_SIGNAL_WEIGHTS || mg->next_epoch_block == UINT64_MAX)
        return m->cfg->round_us > 0 ? m->cfg->round_us : RT_MIN(72);
    uint64_t b = mg->next_epoch_block + (uint64_t)(m->cfg->epochs_per_round - 1) * mg->tempo + 1;
    rt_time d = (rt_time)b * m->env.block_time - rt_now(m->r);
    return d > 0 ? d : m->env.block_time;
}

static void on_metagraph(void *arg, int result, int status, const rt_msg *reply)
{
    resi_miner *m = arg;
    rs_learn *l = &m->learn;
    if (result || status != RT_OK || !reply) {
        rs_learn_schedule(m, RT_MIN(1));   /* the chain did not answer: ask again */
        return;
    }
    const proto_chain_metagraph *mg = reply->body;
    double sig = signal_of(m, mg);
    if (l->have_start) {
        size_t arm = l->arm;
        double reward = sig - l->start_signal;
        l->value[arm] = l->pulls[arm]++ ? l->value[arm] + m->cfg->learning_rate *
                                                              (reward - l->value[arm])
                                        : reward;
        l->round++;
        bool expl;
        size_t next = next_arm(m, &expl);
        record(m, sig, reward, arm, next, expl);
        play(m, next);
    }
    l->start_signal = sig;
    l->have_start = true;
    rs_learn_schedule(m, round_delay(m, mg));
}

static void round_end(void *arg)
{
    resi_miner *m = arg;
    m->learn.timer = 0;
    proto_chain_metagraph_req *q = calloc(1, sizeof *q);
    if (!q) {
        rt_fail(m->r, ERR_NOMEM, "%s: out of memory", m->hotkey);
        return;
    }
    q->netuid = m->env.netuid;
    q->with_weights = m->cfg->signal == RESI_SIGNAL_WEIGHTS;
    rt_msg msg = {PROTO_CHAIN_METAGRAPH, q, NULL, proto_chain_wire_bytes(PROTO_CHAIN_METAGRAPH, q)};
    rt_call_opts o = {.timeout = RT_SEC(60), .kind = "metagraph", .attempt = 1};
    if (rt_call(m->r, m->me, m->env.chain, msg, &o, on_metagraph, m, NULL))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot ask for the metagraph", m->hotkey);
}

void rs_learn_schedule(resi_miner *m, rt_time delay)
{
    if (!m->learn.on)
        return;
    if (rt_timer_start(m->r, m->me, delay, round_end, m, &m->learn.timer))
        rt_fail(m->r, ERR_NOMEM, "%s: cannot schedule its learning round", m->hotkey);
}
