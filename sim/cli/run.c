/* subnetsim run FILE [--db PATH] [--seed N] [--set PATH=VALUE]... [--quiet]
 *                    [--print-db] [--record-requests]
 * Runs a scenario into SQLite and prints a short summary read back from the
 * database (epochs, top incentives, digest). Exit 0, 1 when a threshold
 * fails, 2 on bad input, 4 on other errors. */
#include "cli/cli.h"

#include "runner/runner.h"

#include <sqlite3.h>
#include <string.h>

static const char usage[] =
    "usage: subnetsim run FILE [--db PATH] [--seed N] [--set PATH=VALUE]... [--quiet]\n"
    "  --db PATH          database to write (default runs/<name>-s<seed>.db, replaced;\n"
    "                     an explicit PATH gains a run beside those it holds)\n"
    "  --seed N           the seed of every random stream\n"
    "  --set PATH=VALUE   override a scenario field, e.g. subnets[0].yuma3=false\n"
    "  --quiet            no progress bar, no summary\n"
    "  --print-db         print only the database path on stdout (summary to stderr)\n"
    "  --record-requests  a `request` row for every call between actors\n";

/* The summary comes from the database, like every other output. */
static void print_summary(FILE *out, const runner_result *res, const scenario *sc)
{
    sqlite3 *db;
    if (sqlite3_open_v2(res->db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return;
    }
    fprintf(out, "%s: %s, seed %lld, run %lld\n", sc->name, res->db_path, (long long)sc->seed,
            (long long)res->run_id);
    sqlite3_stmt *q;
    const char *sql_epochs = "SELECT COUNT(*) FROM chain_epoch WHERE run_id = ?1";
    if (sqlite3_prepare_v2(db, sql_epochs, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, res->run_id);
        if (sqlite3_step(q) == SQLITE_ROW)
            fprintf(out, "  %lld epochs, %.0f simulated s in %.2f s wall, %llu events\n",
                    (long long)sqlite3_column_int64(q, 0), res->simulated_seconds,
                    res->wall_seconds, (unsigned long long)res->events);
    }
    sqlite3_finalize(q);
    const char *sql_top =
        "SELECT en.uid, n.hotkey, n.group_name, en.incentive / 65535.0, en.dividends / 65535.0 "
        "FROM epoch_neuron en JOIN neuron n ON n.run_id = en.run_id AND n.netuid = en.netuid "
        " AND n.uid = en.uid AND n.registered_block <= en.block "
        " AND NOT EXISTS (SELECT 1 FROM neuron n2 WHERE n2.run_id = n.run_id AND n2.netuid = n.netuid"
        "   AND n2.uid = n.uid AND n2.registered_block > n.registered_block"
        "   AND n2.registered_block <= en.block) "
        "WHERE en.run_id = ?1 AND en.epoch = (SELECT MAX(epoch) FROM epoch_neuron WHERE run_id = ?1) "
        "ORDER BY en.incentive DESC, en.uid LIMIT 5";
    if (sqlite3_prepare_v2(db, sql_top, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, res->run_id);
        fprintf(out, "  top incentive at the last epoch:\n");
        while (sqlite3_step(q) == SQLITE_ROW)
            fprintf(out, "    uid %-4lld %-24s %-12s incentive %.4f  dividends %.4f\n",
                    (long long)sqlite3_column_int64(q, 0),
                    (const char *)sqlite3_column_text(q, 1),
                    sqlite3_column_text(q, 2) ? (const char *)sqlite3_column_text(q, 2) : "-",
                    sqlite3_column_double(q, 3), sqlite3_column_double(q, 4));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    fprintf(out, "  digest %s\n", res->digest);
}

typedef struct run_args {
    runner_opts o;
    bool print_db;
} run_args;

static int run_option(void *ctx, int argc, char **argv, int *i, err *e)
{
    run_args *a = ctx;
    if (!strcmp(argv[*i], "--quiet"))
        a->o.quiet = true;
    else if (!strcmp(argv[*i], "--print-db"))
        a->print_db = true;
    else if (!strcmp(argv[*i], "--record-requests"))
        a->o.record_requests = true;
    else if (!strcmp(argv[*i], "--db")) {
        if (*i + 1 >= argc)
            return err_set(e, ERR_INPUT, "run: --db needs a path");
        a->o.db_path = argv[++*i];
    } else
        return err_set(e, ERR_INPUT, "run: unknown option '%s' (see --help)", argv[*i]);
    return 0;
}

int cli_run(int argc, char **argv)
{
    run_args a = {0};
    err e = {0};
    scenario *s = NULL;
    int r = cli_scenario_parse(argc, argv, usage, run_option, &a, &s, &e);
    if (r == CLI_HELP)
        return 0;
    runner_result res;
    if (r >= 0)
        r = runner_run(s, &a.o, &res, &e);
    if (r < 0) {
        fprintf(stderr, "subnetsim: %s\n", e.msg);
        scenario_free(s);
        return err_exit_status(r);
    }
    FILE *out = a.print_db ? stderr : stdout;
    if (a.print_db)
        printf("%s\n", res.db_path);
    if (!a.o.quiet)
        print_summary(out, &res, s);
    int status = cli_thresholds_after_run(&res, s, a.o.quiet, out);
    scenario_free(s);
    return status;
}
