/* The sync rule: which member's CIB everyone takes after a membership change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>

static bl_cib_offer_t
offer(uint32_t nodeid, bool minority, int64_t epoch, int64_t num_updates, char digest_char)
{
    bl_cib_offer_t o = {.nodeid = nodeid, .pid = 100 + nodeid, .minority = minority};

    o.version.epoch = epoch;
    o.version.num_updates = num_updates;
    memset(o.digest, digest_char, BL_DIGEST_HEXLEN);
    o.digest[BL_DIGEST_HEXLEN] = '\0';
    return o;
}

/* Every order of the same offers gives the same winner (members see them in any order). */
static size_t
pick_all_orders(const bl_cib_offer_t *offers, size_t n, bool *all_same)
{
    bl_cib_offer_t turned[8];
    uint32_t winner = 0;

    for (size_t shift = 0; shift < n; shift++) {
        size_t best;

        for (size_t i = 0; i < n; i++) {
            turned[i] = offers[(i + shift) % n];
        }
        best = bl_cib_offer_pick(turned, n, all_same);
        assert_true(shift == 0 || turned[best].nodeid == winner);
        winner = turned[best].nodeid;
    }
    for (size_t i = 0; i < n; i++) {
        if (offers[i].nodeid == winner) {
            return i;
        }
    }
    fail();
    return 0;
}

/* node3, cut off, wrote status (0.5.5); the majority wrote once (0.5.1): the majority wins. */
static void
test_minority_loses_despite_higher_version(void **state)
{
    bl_cib_offer_t offers[] = {offer(1, false, 5, 1, 'a'), offer(2, false, 5, 1, 'a'),
                               offer(3, true, 5, 5, 'b')};
    bool all_same = true;

    (void) state;
    assert_int_equal(offers[pick_all_orders(offers, 3, &all_same)].nodeid, 1);
    assert_false(all_same);
}

/* Without minority marks the newest version wins, even when one node holds it. */
static void
test_newest_version_wins(void **state)
{
    bl_cib_offer_t offers[] = {offer(1, false, 5, 0, 'a'), offer(2, false, 5, 0, 'a'),
                               offer(3, false, 6, 0, 'b')};
    bool all_same = true;

    (void) state;
    assert_int_equal(offers[pick_all_orders(offers, 3, &all_same)].nodeid, 3);
    offers[0].minority = offers[1].minority = offers[2].minority = true;
    assert_int_equal(offers[pick_all_orders(offers, 3, &all_same)].nodeid, 3);
}

/* Equal versions, different contents: the CIB more members hold, then the lowest id. */
static void
test_equal_versions_different_digests(void **state)
{
    bl_cib_offer_t offers[] = {offer(1, false, 5, 2, 'z'), offer(2, false, 5, 2, 'c'),
                               offer(3, false, 5, 2, 'c')};
    bl_cib_offer_t pair[] = {offer(4, false, 5, 2, 'z'), offer(2, false, 5, 2, 'c')};
    bool all_same = true;

    (void) state;
    assert_int_equal(offers[pick_all_orders(offers, 3, &all_same)].nodeid, 2);
    assert_false(all_same);
    assert_int_equal(pair[pick_all_orders(pair, 2, &all_same)].nodeid, 2);
}

static void
test_all_same(void **state)
{
    bl_cib_offer_t offers[] = {offer(2, false, 5, 2, 'a'), offer(1, true, 5, 2, 'a')};
    bool all_same = false;

    (void) state;
    assert_int_equal(offers[bl_cib_offer_pick(offers, 2, &all_same)].nodeid, 2);
    assert_true(all_same);
    assert_int_equal(bl_cib_offer_pick(offers, 1, &all_same), 0);
    assert_true(all_same);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minority_loses_despite_higher_version),
        cmocka_unit_test(test_newest_version_wins),
        cmocka_unit_test(test_equal_versions_different_digests),
        cmocka_unit_test(test_all_same),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
