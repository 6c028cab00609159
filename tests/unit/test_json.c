#include "json/json.h"
#include "test.h"

static int parse(const char *text, jdoc **d, err *e)
{
    return jdoc_parse("x.json", text, strlen(text), d, e);
}

TEST_IMPL(positions_of_values_and_keys)
{
    const char *t = "{\n  // a comment\n  \"a\": 1,\n  /* block\n comment */ \"b\": [true, \"x\"],\n"
                    "  \"c\": {\"d\": null}\n}\n";
    jdoc *d;
    err e;
    ASSERT_OK(parse(t, &d, &e));
    cJSON *root = jdoc_root(d);
    int line, col;
    cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "a");
    jdoc_pos(d, a, &line, &col);
    ASSERT_EQ_INT(line, 3);
    ASSERT_EQ_INT(col, 8);
    jdoc_key_pos(d, a, &line, &col);
    ASSERT_EQ_INT(col, 3);
    cJSON *b = cJSON_GetObjectItemCaseSensitive(root, "b");
    jdoc_pos(d, cJSON_GetArrayItem(b, 1), &line, &col);
    ASSERT_EQ_INT(line, 5);
    ASSERT_EQ_INT(col, 25);
    cJSON *dd = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "c"), "d");
    jdoc_pos(d, dd, &line, &col);
    ASSERT_EQ_INT(line, 6);
    ASSERT_EQ_INT(col, 14);
    /* a value's text is where it starts, digits as written */
    ASSERT_STR_EQ(jdoc_value_text(d, dd), "null}\n}\n");
    ASSERT(strncmp(jdoc_value_text(d, cJSON_GetArrayItem(b, 1)), "\"x\"]", 4) == 0);
    ASSERT_STR_EQ(jdoc_value_text(d, NULL), "");
    jdoc_errorf(d, dd, false, "c.d", &e, "expected a number, got %s", "null");
    ASSERT_STR_EQ(e.msg, "x.json:6:14: c.d: expected a number, got null");
    jdoc_free(d);
}

TEST_IMPL(comment_markers_inside_strings_are_text)
{
    jdoc *d;
    err e;
    ASSERT_OK(parse("{\"url\": \"http://x/*y*/\"}", &d, &e));
    ASSERT_STR_EQ(cJSON_GetObjectItemCaseSensitive(jdoc_root(d), "url")->valuestring, "http://x/*y*/");
    jdoc_free(d);
}

TEST_IMPL(syntax_errors_name_line_and_column)
{
    jdoc *d;
    err e;
    ASSERT_EQ_INT(parse("{\n  \"a\": 1,\n  \"b\" 2\n}", &d, &e), ERR_INPUT);
    ASSERT(d == NULL);
    ASSERT_CONTAINS(e.msg, "x.json:3:");
    ASSERT_EQ_INT(parse("", &d, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "x.json:1:1: empty document");
    ASSERT_EQ_INT(parse("  \n // only a comment\n", &d, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "empty document");
    ASSERT_EQ_INT(parse("{\"a\": 1 /* open", &d, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "x.json:1:9: unterminated /* comment");
    ASSERT_EQ_INT(parse("{\"a\": [1, 2", &d, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "unexpected end of input");
}

TEST_IMPL(duplicate_keys_are_errors)
{
    jdoc *d;
    err e;
    ASSERT_EQ_INT(parse("{\"a\": 1,\n \"a\": 2}", &d, &e), ERR_INPUT);
    ASSERT_STR_EQ(e.msg, "x.json:2:2: duplicate key \"a\"");
}

TEST_IMPL(deep_nesting_is_refused_without_recursing)
{
    size_t n = 100000;
    char *t = malloc(2 * n + 1);
    memset(t, '[', n);
    memset(t + n, ']', n);
    t[2 * n] = 0;
    jdoc *d;
    err e;
    ASSERT_EQ_INT(jdoc_parse("deep.json", t, 2 * n, &d, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "deep.json:1:65: nested deeper than 64 levels");
    free(t);
}

TEST_IMPL(utf8_columns_count_characters)
{
    jdoc *d;
    err e;
    ASSERT_OK(parse("{\"é\": \"ü\", \"z\": 1}", &d, &e));
    int line, col;
    jdoc_pos(d, cJSON_GetObjectItemCaseSensitive(jdoc_root(d), "z"), &line, &col);
    ASSERT_EQ_INT(col, 17);
    jdoc_free(d);
}

/* A number's text, found by offset: a non-ASCII comment earlier on the line
 * once put `subnetsim epoch` a few bytes off (its column, counted over the
 * blanked comment, was walked over the original text). */
TEST_IMPL(value_text_is_exact_after_a_utf8_comment)
{
    jdoc *d;
    err e;
    ASSERT_OK(parse("{/* été */ \"n\": 18446744073709551615, \"s\": \"ü\"}", &d, &e));
    ASSERT(strncmp(jdoc_value_text(d, cJSON_GetObjectItemCaseSensitive(jdoc_root(d), "n")),
                   "18446744073709551615,", 21) == 0);
    jdoc_free(d);
}

TEST_IMPL(large_objects_parse_and_find_late_duplicates)
{
    /* 100,000 keys: linear work (a pairwise check would be 5e9 comparisons). */
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "{");
    for (int i = 0; i < 100000; i++)
        sbuf_printf(&b, "%s\"k%d\": %d", i ? "," : "", i, i);
    sbuf_puts(&b, "}");
    jdoc *d;
    err e;
    ASSERT_OK(jdoc_parse("big.json", b.s, b.len, &d, &e));
    ASSERT_EQ_INT(cJSON_GetArraySize(jdoc_root(d)), 100000);
    jdoc_free(d);
    b.len--; /* drop the closing brace: repeat the first key at the end */
    sbuf_puts(&b, ",\n\"k0\": 1}");
    ASSERT_EQ_INT(jdoc_parse("big.json", b.s, b.len, &d, &e), ERR_INPUT);
    ASSERT_CONTAINS(e.msg, "big.json:2:1: duplicate key \"k0\"");
    sbuf_free(&b);
}
