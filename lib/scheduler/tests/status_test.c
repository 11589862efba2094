/* Status unpacking seen through a whole run: what operation histories mean for where a
 * resource runs and what recovery it gets; unsupported input is refused cleanly. */
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
    "%s</cluster_property_set></crm_config>"                                                       \
    "<nodes><node id='1' uname='n1'/><node id='2' uname='n2'/></nodes>"                            \
    "<resources><primitive id='r' class='ocf' provider='pacemaker' type='Dummy'/>"                 \
    "</resources><constraints/></configuration><status>"
#define UP(id)                                                                                     \
    "<node_state id='" id "' uname='n" id "' in_ccm='true' crmd='online' join='member' "           \
    "expected='member'>"
/* op-digest: the digest of no parameters, so the history matches the definition */
#define OP(rsc, task, interval, rc, target, call)                                                  \
    "<lrm_resource id='" rsc "' class='ocf' provider='pacemaker' type='Dummy'>"                    \
    "<lrm_rsc_op id='" rsc "_" task "_" interval "' operation='" task "' interval='" interval      \
    "' op-status='0' rc-code='" rc "' call-id='" call "' "                                         \
    "op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' transition-key='1:1:" target                     \
    ":x'/></lrm_resource>"

static outcome_t
run(const char *options, const char *states)
{
    char *text = NULL;

    assert_true(asprintf(&text, HEAD "%s</status></cib>", options, states) > 0);
    return sched_outcome_of(text);
}

static void
test_probe_finds_resource_running(void **state)
{
    /* a probe expecting "not running" (7) that returns 0: active, nothing to do */
    outcome_t out = run("", UP("1") "<lrm id='1'><lrm_resources>" OP(
                                "r", "monitor", "0", "0", "7",
                                "1") "</lrm_resources></lrm></node_state>" UP("2") "</node_state>");

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n1\n");
    assert_string_equal(out.actions, "");
    sched_outcome_free(&out);
}

static void
test_failed_monitor_restarts_in_place(void **state)
{
    outcome_t out = run(
        "", UP("1") "<lrm id='1'><lrm_resources>"
                    "<lrm_resource id='r' class='ocf' provider='pacemaker' type='Dummy'>"
                    "<lrm_rsc_op id='r_start_0' operation='start' interval='0' "
                    "op-status='0' rc-code='0' call-id='2' transition-key='1:1:0:x'/>"
                    "<lrm_rsc_op id='r_monitor_10000' operation='monitor' interval='10000' "
                    "op-status='4' rc-code='1' call-id='3' transition-key='2:1:0:x'/>"
                    "</lrm_resource></lrm_resources></lrm></node_state>" UP("2") "</node_state>");

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n1\n");
    assert_string_equal(out.actions, "start r n1\nstop r n1\n");
    sched_outcome_free(&out);
}

static void
test_failed_stop_without_fencing_blocks(void **state)
{
    outcome_t out = run(
        "", UP("1") "<lrm id='1'><lrm_resources>"
                    "<lrm_resource id='r' class='ocf' provider='pacemaker' type='Dummy'>"
                    "<lrm_rsc_op id='r_start_0' operation='start' interval='0' "
                    "op-status='0' rc-code='0' call-id='2' transition-key='1:1:0:x'/>"
                    "<lrm_rsc_op id='r_stop_0' operation='stop' interval='0' "
                    "op-status='4' rc-code='1' call-id='3' transition-key='2:1:0:x'/>"
                    "</lrm_resource></lrm_resources></lrm></node_state>" UP("2") "</node_state>");

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n1\n");
    assert_string_equal(out.actions, "");
    sched_outcome_free(&out);
}

static void
test_active_on_two_nodes_is_recovered(void **state)
{
    outcome_t out = run(
        "",
        UP("1") "<lrm id='1'><lrm_resources>" OP("r", "start", "0", "0", "0", "2") "</lrm_resources></lrm></node_state>" UP(
            "2") "<lrm id='2'><lrm_resources>" OP("r", "start", "0", "0", "0",
                                                  "2") "</lrm_resources></lrm></node_state>");

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n1\n");
    assert_string_equal(out.actions, "start r n1\nstop r n1\nstop r n2\n");
    sched_outcome_free(&out);
}

static void
test_orphans(void **state)
{
    const char *states = UP("1") "<lrm id='1'><lrm_resources>" OP(
        "gone", "start", "0", "0", "0",
        "2") "</lrm_resources></lrm></node_state>" UP("2") "</node_state>";
    outcome_t out = run("", states);

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.actions, "start r n1\nstop gone n1\n");
    assert_string_equal(out.placement, "r Started n1\n");
    sched_outcome_free(&out);

    /* kept, unmanaged; placed after the configured resources, so it does not push r away */
    out = run("<nvpair id='o2' name='stop-orphan-resources' value='false'/>", states);
    assert_string_equal(out.actions, "start r n1\n");
    assert_string_equal(out.placement, "gone Started n1\nr Started n1\n");
    sched_outcome_free(&out);
}

static void
test_offline_node_history_ignored_without_fencing(void **state)
{
    outcome_t out =
        run("", "<node_state id='1' uname='n1' in_ccm='false' crmd='offline' "
                "join='down' expected='down'><lrm id='1'><lrm_resources>" OP(
                    "r", "start", "0", "0", "0", "2") "</lrm_resources></lrm>"
                                                      "</node_state>" UP("2") "</node_state>");

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n2\n");
    assert_string_equal(out.actions, "start r n2\n");
    sched_outcome_free(&out);
}

static void
test_migration_threshold(void **state)
{
    const char *fail =
        UP("1") "<transient_attributes id='1'><instance_attributes id='t'>"
                "<nvpair id='f' name='fail-count-r#monitor_10000' value='3'/>"
                "</instance_attributes></transient_attributes><lrm id='1'>"
                "<lrm_resources>" OP(
                    "r", "start", "0", "0", "0",
                    "2") "</lrm_resources></lrm></node_state>" UP("2") "</node_state>";
    outcome_t out = run("", fail);

    (void) state;
    /* default threshold (INFINITY) is not reached: stays */
    assert_string_equal(out.placement, "r Started n1\n");
    sched_outcome_free(&out);
}

static void
test_failed_probe_not_installed_bans_node(void **state)
{
    /* rc 5 (not installed) from a probe: not running there, and never started there */
    outcome_t out = run("", UP("1") "<lrm id='1'><lrm_resources>" OP(
                                "r", "monitor", "0", "5", "7",
                                "1") "</lrm_resources></lrm></node_state>" UP("2") "</node_state>");

    (void) state;
    assert_int_equal(out.rc, 0);
    assert_string_equal(out.placement, "r Started n2\n");
    assert_string_equal(out.actions, "start r n2\n");
    sched_outcome_free(&out);
}

static void
test_freeze_without_quorum_starts_nothing(void **state)
{
    const char *text = "<cib have-quorum='false'><configuration><crm_config>"
                       "<cluster_property_set id='o'><nvpair id='o1' name='stonith-enabled' "
                       "value='false'/><nvpair id='o2' name='no-quorum-policy' value='freeze'/>"
                       "</cluster_property_set></crm_config><nodes><node id='1' uname='n1'/>"
                       "</nodes><resources><primitive id='r' class='ocf' provider='pacemaker' "
                       "type='Dummy'/></resources><constraints/></configuration><status>" UP(
                           "1") "</node_state></status></cib>";
    xmlDoc *doc = NULL;
    bl_sched_result_t *result = NULL;
    char *placement;

    (void) state;
    assert_int_equal(bl_cib_parse(text, strlen(text), "test", &doc, NULL), 0);
    assert_int_equal(bl_sched_run(doc, NULL, &result, NULL), 0);
    placement = bl_sched_result_placement(result);
    assert_string_equal(placement, "r Stopped -\n");
    free(placement);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

static void
test_failure_under_old_definition_is_forgotten(void **state)
{
    /* r failed to start on n1 with other parameters: the fail count no longer bans n1 */
    const char *states_fmt =
        UP("1") "<transient_attributes id='1'><instance_attributes id='t'>"
                "<nvpair id='f' name='fail-count-r#start_0' value='INFINITY'/>"
                "</instance_attributes></transient_attributes><lrm id='1'>"
                "<lrm_resources><lrm_resource id='r' class='ocf' "
                "provider='pacemaker' type='Dummy'><lrm_rsc_op "
                "id='r_last_failure_0' operation='start' interval='0' "
                "op-status='4' rc-code='1' call-id='2' transition-key='1:1:0:x' "
                "op-digest='%s'/><lrm_rsc_op id='r_last_0' operation='stop' "
                "interval='0' op-status='0' rc-code='0' call-id='3' "
                "transition-key='2:1:0:x'/></lrm_resource></lrm_resources></lrm>"
                "</node_state>";
    char *states = NULL;
    outcome_t out;

    (void) state;
    /* same definition (no parameters): the failure still bans n1 */
    assert_true(asprintf(&states, states_fmt, "f2317cad3d54cec5d7d7aa7d0bf35cf8") > 0);
    out = run("", states);
    assert_string_equal(out.placement, "r Stopped -\n");
    sched_outcome_free(&out);
    free(states);
    /* another definition: forgotten */
    assert_true(asprintf(&states, states_fmt, "0123456789abcdef0123456789abcdef") > 0);
    out = run("", states);
    assert_string_equal(out.placement, "r Started n1\n");
    sched_outcome_free(&out);
    free(states);
}

static void
test_unsupported_elements_are_named(void **state)
{
    const char *text = "<cib><configuration><crm_config/><nodes/><resources>"
                       "<bundle id='web-bundle'><docker image='web'/><primitive id='web' "
                       "class='ocf' provider='heartbeat' type='apache'/></bundle></resources>"
                       "<constraints/></configuration><status/></cib>";
    xmlDoc *doc = NULL;
    bl_sched_result_t *result = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_parse(text, strlen(text), "test", &doc, NULL), 0);
    assert_int_equal(bl_sched_run(doc, NULL, &result, &err), BL_EUNSUPPORTED);
    assert_null(result);
    assert_non_null(strstr(err, "bundle 'web-bundle'"));
    free(err);
    xmlFreeDoc(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_finds_resource_running),
        cmocka_unit_test(test_failed_monitor_restarts_in_place),
        cmocka_unit_test(test_failed_stop_without_fencing_blocks),
        cmocka_unit_test(test_active_on_two_nodes_is_recovered),
        cmocka_unit_test(test_orphans),
        cmocka_unit_test(test_offline_node_history_ignored_without_fencing),
        cmocka_unit_test(test_migration_threshold),
        cmocka_unit_test(test_failed_probe_not_installed_bans_node),
        cmocka_unit_test(test_freeze_without_quorum_starts_nothing),
        cmocka_unit_test(test_failure_under_old_definition_is_forgotten),
        cmocka_unit_test(test_unsupported_elements_are_named),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
