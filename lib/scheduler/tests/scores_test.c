/* Score vectors: location arithmetic (saturation, -INFINITY wins), colocation merging
 * (scaling, rounding, no double negatives, rollback) and node choice tie-breaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "../sched_private.h"

static const char *const cib_text =
    "<cib have-quorum='true'><configuration><crm_config><cluster_property_set id='o'>"
    "<nvpair id='o1' name='stonith-enabled' value='false'/></cluster_property_set>"
    "</crm_config><nodes><node id='1' uname='n1'/><node id='2' uname='n2'/>"
    "<node id='3' uname='n3'/></nodes>"
    "<resources><primitive id='vip' class='ocf' provider='heartbeat' type='IPaddr2'/>"
    "<primitive id='web' class='ocf' provider='heartbeat' type='apache'/>"
    "<group id='g'><primitive id='m1' class='ocf' provider='pacemaker' type='Dummy'/>"
    "<primitive id='m2' class='ocf' provider='pacemaker' type='Dummy'/></group></resources>"
    "<constraints/></configuration><status>"
    "<node_state id='1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'/>"
    "<node_state id='2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'/>"
    "<node_state id='3' uname='n3' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<transient_attributes id='3'><instance_attributes id='t3'>"
    "<nvpair id='t3-1' name='standby' value='on'/></instance_attributes>"
    "</transient_attributes></node_state></status></cib>";

typedef struct fixture {
    xmlDoc *cib;
    bl_sched_t s;
    char *err;
} fixture_t;

static int
setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));

    assert_int_equal(bl_cib_parse(cib_text, strlen(cib_text), "test", &f->cib, NULL), 0);
    bl__sched_init(&f->s, f->cib, NULL, &f->err);
    assert_int_equal(bl__sched_unpack_config(&f->s), 0);
    assert_int_equal(bl__sched_unpack_nodes(&f->s), 0);
    assert_int_equal(bl__sched_unpack_resources(&f->s), 0);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    fixture_t *f = *state;

    bl__sched_free(&f->s);
    xmlFreeDoc(f->cib);
    free(f->err);
    free(f);
    return 0;
}

static void
test_location_saturates(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *vip = bl__sched_rsc_find(&f->s, "vip");
    bl_snode_t *n1 = bl__sched_node_find(&f->s, "n1");

    bl__sched_rsc_location(vip, n1, 600000, f->s.n_nodes);
    bl__sched_rsc_location(vip, n1, 600000, f->s.n_nodes);
    assert_int_equal(vip->scores[0], INF);
    /* -INFINITY wins over +INFINITY whatever the order */
    bl__sched_rsc_location(vip, n1, -INF, f->s.n_nodes);
    bl__sched_rsc_location(vip, n1, INF, f->s.n_nodes);
    assert_int_equal(vip->scores[0], -INF);
    /* NULL node: every node */
    bl__sched_rsc_location(vip, NULL, 5, f->s.n_nodes);
    assert_int_equal(vip->scores[1], 5);
    assert_int_equal(vip->scores[2], 5);
}

static void
test_group_location_reaches_members(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *group = bl__sched_rsc_find(&f->s, "g");

    bl__sched_rsc_location(group, bl__sched_node_find(&f->s, "n2"), 7, f->s.n_nodes);
    assert_int_equal(bl__sched_rsc_find(&f->s, "m1")->scores[1], 7);
    assert_int_equal(bl__sched_rsc_find(&f->s, "m2")->scores[1], 7);
}

static void
test_merge_scales_and_rounds(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *web = bl__sched_rsc_find(&f->s, "web");
    int work[3] = {0, 0, 0};
    bool allowed[3] = {true, true, true};

    web->scores[0] = 100;
    web->scores[1] = 3;
    /* factor 0.5: 100 -> 50; 3 -> 1.5 rounds to 2; n3 is in standby: -INFINITY scaled */
    bl__sched_coloc_merge(&f->s, web, work, allowed, NULL, 0.5, false, false);
    assert_int_equal(work[0], 50);
    assert_int_equal(work[1], 2);
    assert_int_equal(work[2], -500000);

    /* a tiny factor never wipes out a non-zero preference */
    memset(work, 0, sizeof(work));
    bl__sched_coloc_merge(&f->s, web, work, allowed, NULL, 0.001, false, false);
    assert_int_equal(work[1], 1);
}

static void
test_merge_refuses_double_negative_and_rolls_back(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *web = bl__sched_rsc_find(&f->s, "web");
    int work[3] = {10, 10, 10};
    bool allowed[3] = {true, true, true};

    web->scores[0] = -50;
    web->scores[1] = 40;
    /* anti-colocation: web's dislike of n1 must not become a liking */
    bl__sched_coloc_merge(&f->s, web, work, allowed, NULL, -1.0, false, false);
    assert_int_equal(work[0], 10);
    assert_int_equal(work[1], -30);

    /* a preference that would leave no node available is dropped entirely */
    int before[3] = {10, 10, 10};

    memcpy(work, before, sizeof(work));
    web->scores[0] = INF;
    web->scores[1] = INF;
    bl__sched_coloc_merge(&f->s, web, work, allowed, NULL, -1.0, false, false);
    assert_memory_equal(work, before, sizeof(work));
}

static void
test_assignment_tie_breaks(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *vip = bl__sched_rsc_find(&f->s, "vip");
    bl_srsc_t *web = bl__sched_rsc_find(&f->s, "web");

    /* equal scores: the node with fewer resources, then the lower name; never standby */
    vip->scores[2] = 1000;
    assert_ptr_equal(bl__sched_assign(&f->s, vip), bl__sched_node_find(&f->s, "n1"));
    assert_ptr_equal(bl__sched_assign(&f->s, web), bl__sched_node_find(&f->s, "n2"));
}

/* Scores list nodes as crm_simulate -s does: digits by value, letters without case. */
static void
test_node_name_order(void **state)
{
    static const char *const sorted[] = {
        "node1",   "node2",   "node9", "node10", "node12",      "node012",      "Node13",
        "node13a", "node100", "nodeA", "nodeb",  "rack2-node3", "rack10-node1",
    };

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(sorted); i++) {
        assert_int_equal(bl__sched_node_name_compare(sorted[i], sorted[i]), 0);
        for (size_t j = i + 1; j < G_N_ELEMENTS(sorted); j++) {
            assert_int_equal(bl__sched_node_name_compare(sorted[i], sorted[j]), -1);
            assert_int_equal(bl__sched_node_name_compare(sorted[j], sorted[i]), 1);
        }
    }
    /* names equal but for case are told apart byte-wise; runs longer than a long count */
    assert_int_equal(bl__sched_node_name_compare("Node1", "node1"), -1);
    assert_int_equal(
        bl__sched_node_name_compare("n99999999999999999999999", "n100000000000000000000000"), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_location_saturates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_location_reaches_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_scales_and_rounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_merge_refuses_double_negative_and_rolls_back, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_assignment_tie_breaks, setup, teardown),
        cmocka_unit_test(test_node_name_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
