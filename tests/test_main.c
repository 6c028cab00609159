/* The runner behind every test executable: `test_x` runs all its tests,
 * `test_x NAME` runs one (what ctest does), `test_x --list` names them. */
#include "test.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TESTS 512

static struct {
    const char *name;
    test_fn fn;
} tests[MAX_TESTS];
static int ntests;
static const char *current = "all";

void test_register(const char *name, test_fn fn)
{
    if (ntests == MAX_TESTS) {
        fprintf(stderr, "too many tests in one file\n");
        exit(1);
    }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

const char *test_source_dir(void) { return SUBNETSIM_SOURCE_DIR; }
const char *test_binary(void) { return SUBNETSIM_BINARY; }

const char *test_tmpdir(void)
{
    static char dir[4096];
    static const char *made_for;
    if (made_for != current) {
        made_for = current;
        snprintf(dir, sizeof dir, "%s/%s.%s", SUBNETSIM_TEST_TMP, TEST_FILE_NAME, current);
        char cmd[8400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "cannot make %s\n", dir);
            exit(1);
        }
    }
    return dir;
}

int test_run(const char *cmd, char **out)
{
    size_t fn = strlen(cmd) + 16;
    char *full = malloc(fn);
    if (!full)
        return -1;
    snprintf(full, fn, "(%s) 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    if (!p)
        return -1;
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    int st = pclose(p);
    if (buf)
        buf[len] = 0;
    if (out)
        *out = buf;
    else
        free(buf);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < ntests; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    int ran = 0;
    for (int i = 0; i < ntests; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
            continue;
        current = tests[i].name;
        tests[i].fn();
        printf("ok %s\n", tests[i].name);
        ran++;
    }
    if (ran == 0) {
        fprintf(stderr, "no test named %s\n", argc > 1 ? argv[1] : "(any)");
        return 1;
    }
    return 0;
}
