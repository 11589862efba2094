/* Clones seen through a whole run: how operation histories map to instances, what is
 * shown for anonymous and unique instances, what is promoted, and what is invalid. Expected
 * outcomes were checked against Pacemaker 2.1.5's crm_simulate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "sched_outcome.h"

#define HEAD                                                                                       \
    "<cib have-quorum='true' crm_feature_set='3.16.2'><configuration><crm_config>"                 \
    "<cluster_property_set id='o'><nvpair id='o1' name='stonith-enabled' value='false'/>"          \
    "</cluster_property_set></crm_config>"                                                         \
    "<nodes><node id='1' uname='n1'/><node id='2' uname='n2'/></nodes><resources>"
#define CLONE(meta)                                                                                \
    "<clone id='c'><meta_attributes id='m'>" meta "</meta_attributes>"                             \
    "<primitive id='r' class='ocf' provider='pacemaker' type='Dummy'/></clone>"
#define UP(id)                                                                                     \
    "<node_state id='" id "' uname='n" id "' in_ccm='true' crmd='online' join='member' "           \
    "expected='member'><lrm id='" id "'><lrm_resources>"
#define DOWN "</lrm_resources></lrm></node_state>"
/* a successful start recorded under history id RSC (digest of no parameters) */
#define STARTED(rsc, call)                                                                         \
    "<lrm_resource id='" rsc "' class='ocf' provider='pacemaker' type='Dummy'>"                    \
    "<lrm_rsc_op id='" rsc "_start_0' operation='start' interval='0' op-status='0' "               \
    "rc-code='0' call-id='" call "' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "                 \
    "transition-key='1:1:0:x'/></lrm_resource>"

/* node ID online with promotion score 5 for p, and no history */
#define PROMOTION_SCORE(id)                                                                        \
    "<node_state id='" id "' uname='n" id "' in_ccm='true' crmd='online' join='member' "           \
    "expected='member'><transient_attributes id='" id "'><instance_attributes id='t" id "'>"       \
    "<nvpair id='a" id "' name='master-p' value='5'/></instance_attributes>"                       \
    "</transient_attributes></node_state>"

static outcome_t
run(const char *resources, const char *states)
{
    char *text = NULL;

    assert_true(asprintf(&text,
                         HEAD "%s</resources><constraints/></configuration><status>%s"
                              "</status></cib>",
                         resources, states)
                > 0);
    return sched_outcome_of(text);
}

static void
test_anonymous_histories_match_instances(void **state)
{
    /* "r:5" names no configured instance and "r" none at all: both are anonymous
     * histories, matched to an instance each; nothing needs to change */
    outcome_t out = run(CLONE(""), UP("1") STARTED("r:5", "2") DOWN UP("2") STARTED("r", "3") DOWN);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n1\nr Started n2\n");
    assert_string_equal(out.actions, "");
    sched_outcome_free(&out);
}

static void
test_second_history_on_a_node_is_an_orphan(void **state)
{
    /* two instance histories active on n1 (the clone was unique once): the second is an
     * orphan that stops, and n2 gets the free instance */
    outcome_t out =
        run(CLONE(""), UP("1") STARTED("r:0", "2") STARTED("r:1", "3") DOWN UP("2") DOWN);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n1\nr Started n2\n");
    assert_string_equal(out.actions, "start r n2\nstop r n1\n");
    sched_outcome_free(&out);
}

static void
test_clone_max_zero_stops_everything(void **state)
{
    /* no instance is configured: the running one is an orphan and stops; the configured
     * primitive is listed as stopped (as the conformance corpus lists it) */
    outcome_t out = run(CLONE("<nvpair id='m1' name='clone-max' value='0'/>"),
                        UP("1") STARTED("r", "2") DOWN UP("2") DOWN);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Stopped -\n");
    assert_string_equal(out.actions, "stop r n1\n");
    sched_outcome_free(&out);
}

static void
test_unique_instances_keep_their_number(void **state)
{
    /* globally-unique instances are distinct resources, shown as r:N; a clone stopped
     * entirely is shown once */
    outcome_t out = run(CLONE("<nvpair id='m1' name='globally-unique' value='true'/>"
                              "<nvpair id='m2' name='target-role' value='Stopped'/>"),
                        UP("1") STARTED("r:1", "2") DOWN UP("2") DOWN);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Stopped -\n");
    assert_string_equal(out.actions, "stop r:1 n1\n");
    sched_outcome_free(&out);
}

static void
test_forced_anonymous_group_names_its_last_instance(void **state)
{
    /* globally-unique, but an LSB member cannot be unique: the clone is anonymous, yet
     * Pacemaker leaves the other members of its last instance unique, and names them so */
    outcome_t out = run("<clone id='c'><meta_attributes id='m'>"
                        "<nvpair id='m1' name='globally-unique' value='true'/>"
                        "<nvpair id='m2' name='clone-node-max' value='2'/></meta_attributes>"
                        "<group id='g'><primitive id='a' class='ocf' provider='pacemaker' "
                        "type='Dummy'/><primitive id='l' class='lsb' type='LSBDummy'/></group>"
                        "</clone>",
                        UP("1") DOWN UP("2") DOWN);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "a Started n1\na Started n2\nl Started n1\nl Started n2\n");
    assert_string_equal(out.actions, "start a n1\nstart a:1 n2\nstart l n1\nstart l n2\n");
    sched_outcome_free(&out);
}

static void
test_old_probe_that_found_it_running_still_counts(void **state)
{
    /* a probe result is where the resource is, however old: failure-timeout does not
     * make a probe that found it running (rc 0 where 7 was expected) expire */
    outcome_t out = run(
        "<primitive id='p' class='ocf' provider='pacemaker' type='Dummy'>"
        "<meta_attributes id='pm'><nvpair id='pm1' name='failure-timeout' "
        "value='10s'/></meta_attributes></primitive>",
        UP("1")
            DOWN UP("2") "<lrm_resource id='p' class='ocf' provider='pacemaker' type='Dummy'>"
                         "<lrm_rsc_op id='p_last_0' operation='monitor' interval='0' op-status='0' "
                         "rc-code='0' call-id='2' last-rc-change='1000' "
                         "op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' transition-key='1:1:7:x'/>"
                         "</lrm_resource>" DOWN);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "p Started n2\n");
    assert_string_equal(out.actions, "");
    sched_outcome_free(&out);
}

static void
test_clone_of_nothing_is_invalid(void **state)
{
    outcome_t out = run("<clone id='c'><meta_attributes id='m'/></clone>", "");

    (void) state;
    assert_int_equal(out.rc, BL_EINVALID);
    assert_non_null(strstr(out.err, "clone 'c'"));
    assert_null(out.placement);
    sched_outcome_free(&out);
}

static void
test_legacy_master_promotes_up_to_master_max(void **state)
{
    /* <master> is a promotable clone; master-max is the legacy promoted-max, and the
     * master-p node attributes are the promotion scores */
    outcome_t out = run("<master id='ms'><meta_attributes id='m'>"
                        "<nvpair id='m1' name='master-max' value='2'/></meta_attributes>"
                        "<primitive id='p' class='ocf' provider='pacemaker' type='Stateful'/>"
                        "</master>",
                        PROMOTION_SCORE("1") PROMOTION_SCORE("2"));

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "p Promoted n1\np Promoted n2\n");
    assert_string_equal(out.actions, "promote p n1\npromote p n2\nstart p n1\nstart p n2\n");
    sched_outcome_free(&out);
}

static void
test_cloned_id_defined_twice_is_invalid(void **state)
{
    outcome_t out =
        run("<primitive id='r' class='ocf' provider='pacemaker' type='Dummy'/>" CLONE(""), "");

    (void) state;
    assert_int_equal(out.rc, BL_EINVALID);
    assert_non_null(strstr(out.err, "r is defined twice"));
    sched_outcome_free(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anonymous_histories_match_instances),
        cmocka_unit_test(test_second_history_on_a_node_is_an_orphan),
        cmocka_unit_test(test_clone_max_zero_stops_everything),
        cmocka_unit_test(test_unique_instances_keep_their_number),
        cmocka_unit_test(test_forced_anonymous_group_names_its_last_instance),
        cmocka_unit_test(test_old_probe_that_found_it_running_still_counts),
        cmocka_unit_test(test_clone_of_nothing_is_invalid),
        cmocka_unit_test(test_legacy_master_promotes_up_to_master_max),
        cmocka_unit_test(test_cloned_id_defined_twice_is_invalid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
