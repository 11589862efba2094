/* Word splitting of crm lines: quotes, escapes, and the column of an unbalanced quote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/crm.h>

static char **
split_ok(const char *line, int expected_count)
{
    char **words = NULL;
    char *err = NULL;
    int count = -1;

    assert_int_equal(bl_crm_split(line, &words, &count, &err), 0);
    assert_null(err);
    assert_int_equal(count, expected_count);
    assert_null(words[count]);
    return words;
}

static void
test_plain_words_and_whitespace(void **state)
{
    char **w = split_ok("  primitive\tvip   IPaddr2 \n", 3);

    (void) state;
    assert_string_equal(w[0], "primitive");
    assert_string_equal(w[1], "vip");
    assert_string_equal(w[2], "IPaddr2");
    g_strfreev(w);
    w = split_ok("", 0);
    g_strfreev(w);
}

static void
test_quotes_join_and_keep_spaces(void **state)
{
    char **w = split_ok("params cmdline_options=\"-f http://x/\" a='b c'd \"\"", 4);

    (void) state;
    assert_string_equal(w[1], "cmdline_options=-f http://x/");
    assert_string_equal(w[2], "a=b cd");
    assert_string_equal(w[3], "");
    g_strfreev(w);
}

static void
test_escapes(void **state)
{
    /* outside quotes \ escapes anything; inside "…" only " \ $ `; inside '…' nothing */
    char **w = split_ok("a\\ b \"q\\\"r\\n\" 's\\t' \\#uname", 4);

    (void) state;
    assert_string_equal(w[0], "a b");
    assert_string_equal(w[1], "q\"r\\n");
    assert_string_equal(w[2], "s\\t");
    assert_string_equal(w[3], "#uname");
    g_strfreev(w);
}

static void
test_unbalanced_quote_names_column(void **state)
{
    char **words = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_crm_split("primitive p Dummy params x=\"abc", &words, NULL, &err),
                     BL_EPARSE);
    assert_null(words);
    assert_string_equal(err, "column 28: unbalanced \" quote");
    free(err);
    err = NULL;
    assert_int_equal(bl_crm_split("a 'b", &words, NULL, &err), BL_EPARSE);
    assert_string_equal(err, "column 3: unbalanced ' quote");
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_words_and_whitespace),
        cmocka_unit_test(test_quotes_join_and_keep_spaces),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_unbalanced_quote_names_column),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
