/* The test harness: one TEST_IMPL(name) per behaviour. Tests register
 * themselves; CMake reads the TEST_IMPL lines and makes each one a ctest of its
 * own, run as `test_file NAME`. Assertions are never compiled out and print both
 * sides when they fail. */
#ifndef SUBNETSIM_TEST_H
#define SUBNETSIM_TEST_H

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
/* Where the sources and the built binary are, for tests that read files or run
 * the CLI. */
const char *test_source_dir(void);
const char *test_binary(void);
/* A fresh empty directory under the build tree for this test's files. */
const char *test_tmpdir(void);
/* Run a shell command; returns its exit status, and its stdout+stderr in *out
 * (caller frees) when out is not NULL. */
int test_run(const char *cmd, char **out);

#define TEST_IMPL(name)                                                        \
    static void test_##name(void);                                             \
    __attribute__((constructor)) static void test_reg_##name(void)            \
    {                                                                          \
        test_register(#name, test_##name);                                     \
    }                                                                          \
    static void test_##name(void)

#define TEST_FAIL_(...)                                                        \
    do {                                                                       \
        fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);                        \
        fprintf(stderr, __VA_ARGS__);                                          \
        fputc('\n', stderr);                                                   \
        exit(1);                                                               \
    } while (0)

#define ASSERT(c)                                                              \
    do {                                                                       \
        if (!(c))                                                              \
            TEST_FAIL_("assertion failed: %s", #c);                            \
    } while (0)

#define ASSERT_OK(expr)                                                        \
    do {                                                                       \
        long long r_ = (long long)(expr);                                      \
        if (r_ != 0)                                                           \
            TEST_FAIL_("%s returned %lld, expected 0", #expr, r_);             \
    } while (0)

#define ASSERT_EQ_INT(a, b)                                                    \
    do {                                                                       \
        long long a_ = (long long)(a), b_ = (long long)(b);                    \
        if (a_ != b_)                                                          \
            TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);              \
    } while (0)

#define ASSERT_EQ_U64(a, b)                                                    \
    do {                                                                       \
        unsigned long long a_ = (unsigned long long)(a),                       \
                           b_ = (unsigned long long)(b);                       \
        if (a_ != b_)                                                          \
            TEST_FAIL_("%s == %s: %llu != %llu", #a, #b, a_, b_);              \
    } while (0)

#define ASSERT_NEAR(a, b, tol)                                                 \
    do {                                                                       \
        double a_ = (double)(a), b_ = (double)(b), t_ = (double)(tol);         \
        if (!(fabs(a_ - b_) <= t_))                                            \
            TEST_FAIL_("%s ~= %s: %.17g vs %.17g (tolerance %g)", #a, #b, a_,  \
                       b_, t_);                                                \
    } while (0)

#define ASSERT_STR_EQ(a, b)                                                    \
    do {                                                                       \
        const char *a_ = (a), *b_ = (b);                                       \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                 \
            TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", \
                       b_ ? b_ : "(null)");                                    \
    } while (0)

#define ASSERT_CONTAINS(hay, needle)                                           \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (!h_ || !strstr(h_, n_))                                            \
            TEST_FAIL_("%s does not contain \"%s\": \"%s\"", #hay, n_,         \
                       h_ ? h_ : "(null)");                                    \
    } while (0)

#endif
