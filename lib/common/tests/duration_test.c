/* Durations: the units Pacemaker accepts for intervals and timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include <belay/common.h>

static uint64_t
ms_of(const char *text)
{
    uint64_t ms = 0;
    char *err = NULL;

    assert_int_equal(bl_duration_parse_ms(text, &ms, &err), 0);
    assert_null(err);
    return ms;
}

static void
test_units(void **state)
{
    (void) state;
    assert_int_equal(ms_of("0"), 0);
    assert_int_equal(ms_of("30"), 30000);
    assert_int_equal(ms_of("30s"), 30000);
    assert_int_equal(ms_of("30sec"), 30000);
    assert_int_equal(ms_of("500ms"), 500);
    assert_int_equal(ms_of("500msec"), 500);
    assert_int_equal(ms_of("1min"), 60000);
    assert_int_equal(ms_of("2m"), 120000);
    assert_int_equal(ms_of("1h"), 3600000);
    assert_int_equal(ms_of("2hr"), 7200000);
    assert_int_equal(ms_of("1500us"), 2);
}

static void
test_iso8601(void **state)
{
    (void) state;
    assert_int_equal(ms_of("PT30S"), 30000);
    assert_int_equal(ms_of("PT1M30S"), 90000);
    assert_int_equal(ms_of("P1D"), 86400000);
    assert_int_equal(ms_of("P1DT1H"), 90000000);
    /* Pacemaker accepts these (tier3 regression inputs use P10S). */
    assert_int_equal(ms_of("P10S"), 10000);
    assert_int_equal(ms_of("P2H"), 7200000);
}

static void
test_rejects(void **state)
{
    const char *bad[] = {"",   "s",     "-5s",  "10 parsecs", "1.5s",
                         "PT", "P1M1X", "PTXS", "10x",        "99999999999999999999h",
                         NULL};

    (void) state;
    for (int i = 0; bad[i] != NULL; i++) {
        uint64_t ms = 99;
        char *err = NULL;

        assert_int_equal(bl_duration_parse_ms(bad[i], &ms, &err), BL_EPARSE);
        assert_non_null(err);
        assert_int_equal(ms, 99);
        free(err);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_rejects),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
