/* "did you mean": edit distance over the names a place allows. */
#include "scenario/internal.h"

#include <string.h>

#define SUGGEST_MAX_LEN 64

size_t scenario_edit_distance(const char *a, const char *b)
{
    /* Optimal string alignment: insertions, deletions, substitutions and
     * adjacent transpositions ("stkae" -> "stake") each cost one. Long words
     * are cut: nothing a scenario names is longer. */
    size_t n = strlen(a), m = strlen(b);
    if (n > SUGGEST_MAX_LEN)
        n = SUGGEST_MAX_LEN;
    if (m > SUGGEST_MAX_LEN)
        m = SUGGEST_MAX_LEN;
    size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* "cnt" in "count": the letters of word, in order, within cand. */
static bool abbreviates(const char *word, const char *cand)
{
    for (; *cand && *word; cand++)
        if (*cand == *word)
            word++;
    return !*word;
}

const char *scenario_suggest(const char *word, const char *const *cands, size_t n)
{
    /* Close enough to be a typo: a third of the word's letters, at least one;
     * or an abbreviation of three letters or more. The closest wins. */
    size_t len = strlen(word);
    if (len == 0)
        return NULL;
    size_t limit = len / 3 > 1 ? len / 3 : 1;
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = scenario_edit_distance(word, cands[i]);
        bool close = d <= limit || (len >= 3 && abbreviates(word, cands[i]));
        if (close && d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

static void append(char *buf, size_t n, const char *s)
{
    size_t k = strlen(buf);
    if (k + 1 < n)
        snprintf(buf + k, n - k, "%s", s);
}

void scn_hint(const char *word, const char *const *names, size_t n, bool list_all, char *buf,
              size_t bufn)
{
    const char *s = scenario_suggest(word, names, n);
    if (s) {
        append(buf, bufn, "; did you mean \"");
        append(buf, bufn, s);
        append(buf, bufn, "\"?");
    }
    if (!list_all && s)
        return;
    /* Name the choices while the list stays readable. */
    char list[400] = "";
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (strlen(list) + strlen(names[i]) + 8 >= sizeof list)
            break;
        append(list, sizeof list, shown ? ", " : "");
        append(list, sizeof list, names[i]);
        shown++;
    }
    if (shown == 0)
        return;
    append(buf, bufn, s ? " (one of: " : " (expected one of: ");
    append(buf, bufn, list);
    append(buf, bufn, shown < n ? ", ...)" : ")");
}
