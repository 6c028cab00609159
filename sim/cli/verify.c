/* subnetsim verify-determinism FILE [--seed N] [--set PATH=VALUE]...
 * Runs the scenario twice into fresh databases and compares the digests of
 * their records (each also re-verified from the rows in its file). Exit 0 when
 * identical, 1 when not, 2 on bad input. */
#include "cli/cli.h"

#include "runner/runner.h"

#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: subnetsim verify-determinism FILE [--seed N] [--set PATH=VALUE]... [--keep]\n"
    "  runs FILE twice and compares the digests of all records\n"
    "  --keep   keep the two databases (their paths are printed)\n";

static int one_run(const scenario *s, const char *path, runner_result *res, err *e)
{
    unlink(path);
    runner_opts o = {.db_path = path, .quiet = true};
    int rc = runner_run(s, &o, res, e);
    if (rc)
        return rc;
    store *st;
    if ((rc = store_open(path, STORE_READ, NULL, &st, e)))
        return rc;
    char again[STORE_DIGEST_HEX];
    rc = store_run_verify(st, res->run_id, again, e);
    store_close(st);
    return rc;
}

static int verify_option(void *keep, int argc, char **argv, int *i, err *e)
{
    (void)argc;
    if (strcmp(argv[*i], "--keep"))
        return err_set(e, ERR_INPUT, "verify-determinism: unknown option '%s'", argv[*i]);
    *(bool *)keep = true;
    return 0;
}

int cli_verify_determinism(int argc, char **argv)
{
    bool keep = false;
    err e = {0};
    scenario *s = NULL;
    int r = cli_scenario_parse(argc, argv, usage, verify_option, &keep, &s, &e);
    if (r == CLI_HELP)
        return 0;
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/subnetsim-verify-%ld-a.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    snprintf(p2, sizeof p2, "%s/subnetsim-verify-%ld-b.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    runner_result r1, r2;
    if (r >= 0)
        r = one_run(s, p1, &r1, &e);
    if (r >= 0)
        r = one_run(s, p2, &r2, &e);
    int status;
    if (r < 0) {
        fprintf(stderr, "subnetsim: %s\n", e.msg);
        status = err_exit_status(r);
    } else if (strcmp(r1.digest, r2.digest)) {
        printf("%s: NOT deterministic: digests %s and %s differ\n", s->name, r1.digest, r2.digest);
        status = 1;
    } else {
        printf("%s: deterministic: both runs give digest %s (%llu events each)\n", s->name,
               r1.digest, (unsigned long long)r1.events);
        status = 0;
    }
    if (keep && r >= 0)
        printf("  %s\n  %s\n", p1, p2);
    else
        for (int i = 0; i < 2; i++) {
            const char *p = i ? p2 : p1;
            char side[4200];
            unlink(p);
            snprintf(side, sizeof side, "%s-wal", p);
            unlink(side);
            snprintf(side, sizeof side, "%s-shm", p);
            unlink(side);
        }
    scenario_free(s);
    return status;
}
