/* Resource sets expanded into colocations (within and between sets, "listed" ordering,
 * anti-colocation, bad references) and utilization (capacities, bans, node comparison). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "../sched_private.h"

#define NODE(ID, CPU, MEM)                                                                       \
    "<node id='" ID "' uname='" ID "'><utilization id='" ID "-u'>"                               \
    "<nvpair id='" ID "-u1' name='cpu' value='" CPU "'/>"                                        \
    "<nvpair id='" ID "-u2' name='mem' value='" MEM "'/></utilization></node>"
#define RSC(ID, UTIL)                                                                            \
    "<primitive id='" ID "' class='ocf' provider='pacemaker' type='Dummy'>" UTIL "</primitive>"
#define STATE(ID)                                                                                \
    "<node_state id='" ID "' uname='" ID "' in_ccm='true' crmd='online' join='member' "        \
    "expected='member'/>"

static const char *const cib_text =
    "<cib have-quorum='true'><configuration><crm_config><cluster_property_set id='o'>"
    "<nvpair id='o1' name='stonith-enabled' value='false'/>"
    "<nvpair id='o2' name='placement-strategy' value='balanced'/></cluster_property_set>"
    "</crm_config><nodes>" NODE("n1", "4", "1000") NODE("n2", "2", "4000")
    "<node id='n3' uname='n3'/></nodes><resources>"
    RSC("a", "<utilization id='a-u'><nvpair id='a-u1' name='cpu' value='2'/></utilization>")
    RSC("b", "<utilization id='b-u'><nvpair id='b-u1' name='cpu' value='3'/></utilization>")
    RSC("c", "<utilization id='c-u'><nvpair id='c-u1' name='mem' value='lots'/></utilization>")
    RSC("d", "") RSC("e", "") RSC("f", "") RSC("g", "")
    "</resources><constraints>"
    "<rsc_colocation id='chain' score='INFINITY'>"
    "<resource_set id='s1'><resource_ref id='a'/><resource_ref id='b'/></resource_set>"
    "<resource_set id='s2'><resource_ref id='c'/><resource_ref id='d'/></resource_set>"
    "</rsc_colocation>"
    "<rsc_colocation id='listed' score='50'><resource_set id='s3' ordering='listed'>"
    "<resource_ref id='e'/><resource_ref id='f'/></resource_set></rsc_colocation>"
    "<rsc_colocation id='anti' score='-INFINITY'><resource_set id='s4'>"
    "<resource_ref id='e'/><resource_ref id='f'/><resource_ref id='g'/></resource_set>"
    "</rsc_colocation>"
    "<rsc_colocation id='unknown' score='INFINITY'><resource_set id='s5'>"
    "<resource_ref id='g'/><resource_ref id='nosuch'/></resource_set></rsc_colocation>"
    "</constraints></configuration><status>" STATE("n1") STATE("n2") STATE("n3")
    "</status></cib>";

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
    assert_int_equal(bl__sched_unpack_utilization(&f->s), 0);
    assert_int_equal(bl__sched_unpack_status(&f->s), 0);
    assert_int_equal(bl__sched_unpack_colocations(&f->s), 0);
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

/* The score of the colocation "DEPENDENT with PRIMARY", 0 when there is none. */
static int
coloc_score(fixture_t *f, const char *dependent, const char *primary)
{
    bl_srsc_t *rsc = bl__sched_rsc_find(&f->s, dependent);

    for (guint i = 0; i < rsc->this_with->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(rsc->this_with, i);

        if (strcmp(coloc->primary->id, primary) == 0) {
            return coloc->score;
        }
    }
    return 0;
}

static void
test_colocation_sets(void **state)
{
    fixture_t *f = *state;

    /* within a set, each member with the previous one */
    assert_int_equal(coloc_score(f, "b", "a"), INF);
    assert_int_equal(coloc_score(f, "d", "c"), INF);
    assert_int_equal(coloc_score(f, "a", "b"), 0);
    /* between sets, the earlier set's first member with the later set's last member */
    assert_int_equal(coloc_score(f, "a", "d"), INF);
    assert_int_equal(coloc_score(f, "d", "a"), 0);
    assert_int_equal(coloc_score(f, "b", "d"), 0);
    /* ordering="listed": the previous one with the next */
    assert_int_equal(coloc_score(f, "e", "f"), 50);
    /* anti-colocation: every member away from every member listed before it */
    assert_int_equal(coloc_score(f, "f", "e"), -INF);
    assert_int_equal(coloc_score(f, "g", "e"), -INF);
    assert_int_equal(coloc_score(f, "g", "f"), -INF);
    assert_int_equal(coloc_score(f, "e", "g"), 0);
}

static void
test_unknown_member_drops_constraint(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *g = bl__sched_rsc_find(&f->s, "g");

    /* 'unknown' names no resource 'nosuch': nothing of it applies, and no error */
    for (guint i = 0; i < g->this_with->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(g->this_with, i);

        assert_string_not_equal(coloc->id, "unknown");
    }
}

static void
test_bad_id_ref(void **state)
{
    fixture_t *f = *state;
    xmlDoc *doc = xmlCopyDoc(f->cib, 1);
    xmlNode *set = bl_xml_find_id(xmlDocGetRootElement(doc), "s2");
    xmlNode *constraint = set->parent;
    bl_sched_t s;
    char *err = NULL;

    xmlUnlinkNode(set);
    xmlFreeNode(set);
    set = bl_xml_add_child(constraint, "resource_set");
    bl_xml_set_attr(set, "id-ref", "chain");
    bl__sched_init(&s, doc, NULL, &err);
    assert_int_equal(bl__sched_unpack_config(&s), 0);
    assert_int_equal(bl__sched_unpack_nodes(&s), 0);
    assert_int_equal(bl__sched_unpack_resources(&s), 0);
    assert_int_equal(bl__sched_unpack_colocations(&s), BL_EINVALID);
    assert_non_null(strstr(err, "id-ref 'chain'"));
    bl__sched_free(&s);
    xmlFreeDoc(doc);
    free(err);
}

static void
test_utilization_vectors(void **state)
{
    fixture_t *f = *state;
    bl_snode_t *n1 = bl__sched_node_find(&f->s, "n1");
    bl_snode_t *n2 = bl__sched_node_find(&f->s, "n2");
    bl_snode_t *n3 = bl__sched_node_find(&f->s, "n3");
    bl_srsc_t *c = bl__sched_rsc_find(&f->s, "c");

    assert_int_equal(f->s.placement, BL_PLACE_BALANCED);
    assert_int_equal(f->s.n_util, 2);
    /* n1 has more cpu, n2 more mem: neither is roomier */
    assert_int_equal(bl__sched_util_compare(&f->s, n1, n2), 0);
    /* a node without utilization has no capacity at all */
    assert_true(bl__sched_util_compare(&f->s, n1, n3) < 0);
    assert_true(bl__sched_util_compare(&f->s, n3, n2) > 0);
    /* a value that is not an integer counts as 0; no demand for an unset name */
    assert_non_null(c->utilization);
    assert_int_equal(bl__sched_rsc_find(&f->s, "d")->utilization, NULL);
    bl__sched_util_consume(&f->s, bl__sched_rsc_find(&f->s, "a"), n1);
    assert_int_equal(bl__sched_util_compare(&f->s, n1, n2), 1);
}

static void
test_utilization_bans(void **state)
{
    fixture_t *f = *state;
    bl_srsc_t *a = bl__sched_rsc_find(&f->s, "a");
    bl_srsc_t *d = bl__sched_rsc_find(&f->s, "d");

    /* a, b (cpu 2 + 3) and c, d are one colocated chain: no node holds 5 cpu, so a is
     * only kept off nodes that cannot hold a alone (n3), and the roomiest node is
     * preferred: n1 and n2 tie, the first wins */
    assert_ptr_equal(bl__sched_util_ban(&f->s, a), bl__sched_node_find(&f->s, "n1"));
    assert_int_equal(a->scores[2], -INF);
    assert_int_equal(a->scores[0], 0);
    assert_int_equal(a->scores[1], 0);
    /* d (no demand, chain still 5 cpu) is banned from nothing new */
    assert_non_null(bl__sched_util_ban(&f->s, d));
    assert_int_equal(d->scores[2], 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_colocation_sets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_member_drops_constraint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_id_ref, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utilization_vectors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utilization_bans, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
