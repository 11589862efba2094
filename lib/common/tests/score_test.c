/* Scores: parsing (strict), saturating addition with Pacemaker's rules, formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <belay/common.h>

#define INF BL_SCORE_INFINITY

static int
parse_ok(const char *text)
{
    int score = 12345;
    char *err = NULL;

    assert_int_equal(bl_score_parse(text, &score, &err), 0);
    assert_null(err);
    return score;
}

static void
test_parse_integers(void **state)
{
    (void) state;
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("100"), 100);
    assert_int_equal(parse_ok("-100"), -100);
    assert_int_equal(parse_ok("+42"), 42);
    assert_int_equal(parse_ok("999999"), 999999);
}

static void
test_parse_infinity_spellings(void **state)
{
    (void) state;
    assert_int_equal(parse_ok("INFINITY"), INF);
    assert_int_equal(parse_ok("+INFINITY"), INF);
    assert_int_equal(parse_ok("-INFINITY"), -INF);
    assert_int_equal(parse_ok("inf"), INF);
    assert_int_equal(parse_ok("+inf"), INF);
    assert_int_equal(parse_ok("-inf"), -INF);
    assert_int_equal(parse_ok("Infinity"), INF);
}

static void
test_parse_clamps(void **state)
{
    (void) state;
    assert_int_equal(parse_ok("1000000"), INF);
    assert_int_equal(parse_ok("5000000"), INF);
    assert_int_equal(parse_ok("-5000000"), -INF);
    assert_int_equal(parse_ok("99999999999999999999999"), INF);
}

static void
test_parse_rejects_garbage(void **state)
{
    const char *bad[] = {"", "abc", "10x", "1.5", "--1", "+", "-", " 1", "infinit", "1 ", NULL};

    (void) state;
    for (int i = 0; bad[i] != NULL; i++) {
        int score = 7;
        char *err = NULL;

        assert_int_equal(bl_score_parse(bad[i], &score, &err), BL_EPARSE);
        assert_non_null(err);
        assert_int_equal(score, 7); /* untouched on error */
        assert_false(bl_score_valid(bad[i]));
        free(err);
    }
}

static void
test_add_saturates(void **state)
{
    (void) state;
    assert_int_equal(bl_score_add(1, 2), 3);
    assert_int_equal(bl_score_add(-5, 2), -3);
    assert_int_equal(bl_score_add(999999, 999999), INF);
    assert_int_equal(bl_score_add(-999999, -999999), -INF);
    assert_int_equal(bl_score_add(INF, 5), INF);
    assert_int_equal(bl_score_add(INF, INF), INF);
    assert_int_equal(bl_score_add(-INF, 5), -INF);
}

static void
test_add_minus_infinity_wins(void **state)
{
    (void) state;
    assert_int_equal(bl_score_add(INF, -INF), -INF);
    assert_int_equal(bl_score_add(-INF, INF), -INF);
    assert_int_equal(bl_score_add(-INF, -INF), -INF);
}

static void
test_format(void **state)
{
    char buf[BL_SCORE_BUFSZ];

    (void) state;
    assert_string_equal(bl_score_format(INF, buf), "INFINITY");
    assert_string_equal(bl_score_format(-INF, buf), "-INFINITY");
    assert_string_equal(bl_score_format(0, buf), "0");
    assert_string_equal(bl_score_format(-250, buf), "-250");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_integers), cmocka_unit_test(test_parse_infinity_spellings),
        cmocka_unit_test(test_parse_clamps),   cmocka_unit_test(test_parse_rejects_garbage),
        cmocka_unit_test(test_add_saturates),  cmocka_unit_test(test_add_minus_infinity_wins),
        cmocka_unit_test(test_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
