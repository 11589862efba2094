/* Recording a transition's results (bl_sched_result_apply) the way the controller and
 * crm_simulate record them, so that scheduling the result again finds nothing to do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/xpath.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "sched_outcome.h"

#define NOW 1700000000

#define HEAD                                                                                       \
    "<cib have-quorum='true' crm_feature_set='3.16.1'><configuration><crm_config>"                 \
    "<cluster_property_set id='o'><nvpair id='o1' name='stonith-enabled' value='false'/>"          \
    "</cluster_property_set></crm_config>"                                                         \
    "<nodes><node id='1' uname='n1'/><node id='2' uname='n2'/></nodes><resources>"

/* An anonymous clone nowhere known yet (probed stopped on n2 under its configured id) and
 * a history under an instance number on n1 that shows it stopped. */
static const char *const CLONE_CIB = HEAD
    "<clone id='web-clone'><primitive id='web' class='ocf' provider='pacemaker' "
    "type='Dummy'/></clone></resources><constraints/></configuration><status>"
    "<node_state id='1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<lrm id='1'><lrm_resources><lrm_resource id='web:1' class='ocf' provider='pacemaker' "
    "type='Dummy'><lrm_rsc_op id='web:1_last_0' operation='stop' interval='0' op-status='0' "
    "rc-code='0' call-id='4' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "
    "transition-key='1:1:0:x'/></lrm_resource></lrm_resources></lrm></node_state>"
    "<node_state id='2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<lrm id='2'><lrm_resources><lrm_resource id='web' class='ocf' provider='pacemaker' "
    "type='Dummy'><lrm_rsc_op id='web_last_0' operation='monitor' interval='0' op-status='0' "
    "rc-code='7' call-id='2' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "
    "transition-key='1:1:7:x'/></lrm_resource></lrm_resources></lrm></node_state></status></cib>";

/* db failed to start on n1 under an older definition (another digest): its fail count is
 * cleared, and it runs on n2. */
static const char *const FAILED_CIB = HEAD
    "<primitive id='db' class='ocf' provider='pacemaker' type='Dummy'><instance_attributes "
    "id='db-p'><nvpair id='db-p1' name='fake' value='2'/></instance_attributes></primitive>"
    "</resources><constraints><rsc_location id='l' rsc='db' node='n2' score='10'/>"
    "</constraints></configuration><status>"
    "<node_state id='1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<transient_attributes id='1'><instance_attributes id='s1'>"
    "<nvpair id='s1-f' name='fail-count-db#start_0' value='INFINITY'/>"
    "<nvpair id='s1-l' name='last-failure-db#start_0' value='1699999000'/>"
    "</instance_attributes></transient_attributes><lrm id='1'><lrm_resources>"
    "<lrm_resource id='db' class='ocf' provider='pacemaker' type='Dummy'>"
    "<lrm_rsc_op id='db_last_failure_0' operation='start' interval='0' op-status='0' "
    "rc-code='1' call-id='3' op-digest='0123456789abcdef0123456789abcdef' "
    "transition-key='1:1:0:x'/><lrm_rsc_op id='db_last_0' operation='stop' interval='0' "
    "op-status='0' rc-code='0' call-id='4' op-digest='0123456789abcdef0123456789abcdef' "
    "transition-key='2:1:0:x'/></lrm_resource></lrm_resources></lrm></node_state>"
    "<node_state id='2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'>"
    "</node_state></status></cib>";

/* db runs on n1, where it is now banned: its last result there is followed by a monitor's. */
static const char *const MOVED_CIB = HEAD
    "<primitive id='db' class='ocf' provider='pacemaker' type='Dummy'/></resources><constraints>"
    "<rsc_location id='l' rsc='db' node='n1' score='-INFINITY'/></constraints></configuration>"
    "<status><node_state id='1' uname='n1' in_ccm='true' crmd='online' join='member' "
    "expected='member'><lrm id='1'><lrm_resources>"
    "<lrm_resource id='db' class='ocf' provider='pacemaker' type='Dummy'>"
    "<lrm_rsc_op id='db_last_0' operation='start' interval='0' op-status='0' rc-code='0' "
    "call-id='3' exit-reason='stale' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "
    "transition-key='1:1:0:x'/><lrm_rsc_op id='db_monitor_0' operation='monitor' interval='0' "
    "op-status='0' rc-code='7' call-id='2' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "
    "transition-key='1:1:7:x'/></lrm_resource></lrm_resources></lrm></node_state>"
    "<node_state id='2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'>"
    "</node_state></status></cib>";

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = NULL;

    assert_int_equal(bl_cib_parse(text, strlen(text), "test", &doc, NULL), 0);
    return doc;
}

/* Schedules DOC and records the transition's results in it. */
static void
run_and_apply(xmlDoc *doc)
{
    bl_sched_options_t options = {.now = NOW, .graph = true};
    bl_sched_result_t *result = NULL;
    char *err = NULL;

    assert_int_equal(bl_sched_run(doc, &options, &result, &err), 0);
    assert_int_equal(bl_sched_result_apply(result, doc, &err), 0);
    assert_null(err);
    bl_sched_result_free(result);
}

/* Schedules DOC again: the graph must hold nothing. */
static void
assert_steady(const xmlDoc *doc)
{
    bl_sched_options_t options = {.now = NOW, .graph = true};
    bl_sched_result_t *result = NULL;
    char *err = NULL;

    assert_int_equal(bl_sched_run(doc, &options, &result, &err), 0);
    assert_int_equal(sched_xpath_count(bl_sched_result_graph(result), "//synapse"), 0);
    bl_sched_result_free(result);
}

/* An instance starting where no history names it is recorded under the configured id
 * (as the controller registers it); one that has a history under its instance number keeps
 * using it. Either way the next run finds it running, its monitors and all. */
static void
test_instance_results_under_the_history_that_names_it(void **state)
{
    xmlDoc *doc = parse(CLONE_CIB);

    (void) state;
    run_and_apply(doc);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n2']//lrm_resource[@id='web']/lrm_rsc_op["
                               "@operation='start' and @rc-code='0']"),
        1);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n1']//lrm_resource[@id='web:1']/lrm_rsc_op["
                               "@operation='start' and @rc-code='0']"),
        1);
    assert_int_equal(sched_xpath_count(doc, "//lrm_resource[@id='web:0']"), 0);
    assert_int_equal(sched_xpath_count(doc, "//node_state[@uname='n1']//lrm_resource"), 1);
    assert_int_equal(sched_xpath_count(doc, "//node_state[@uname='n2']//lrm_resource"), 1);
    assert_steady(doc);
    xmlFreeDoc(doc);
}

/* Clearing a fail count removes the node's fail-count and last-failure attributes of the
 * resource and the record of its last failure, as the controller does; nothing is left
 * that would clear it again. */
static void
test_cleared_failure_is_forgotten(void **state)
{
    xmlDoc *doc = parse(FAILED_CIB);

    (void) state;
    run_and_apply(doc);
    assert_int_equal(sched_xpath_count(doc, "//nvpair[starts-with(@name,'fail-count-db')]"), 0);
    assert_int_equal(sched_xpath_count(doc, "//nvpair[starts-with(@name,'last-failure-db')]"), 0);
    assert_int_equal(sched_xpath_count(doc, "//lrm_rsc_op[@id='db_last_failure_0']"), 0);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n1']//lrm_rsc_op[@id='db_last_0']"), 1);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n2']//lrm_rsc_op[@operation='start']"), 1);
    assert_steady(doc);
    xmlFreeDoc(doc);
}

/* A result replaces the record of the same id where it stands, without its attributes: the
 * order of records breaks ties between pending and simulated ones when they are sorted. */
static void
test_record_replaced_in_place(void **state)
{
    xmlDoc *doc = parse(MOVED_CIB);

    (void) state;
    run_and_apply(doc);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n1']//lrm_resource[@id='db']/lrm_rsc_op"), 2);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n1']//lrm_resource[@id='db']/lrm_rsc_op[1]"
                               "[@id='db_last_0' and @operation='stop']"),
        1);
    assert_int_equal(sched_xpath_count(doc, "//lrm_rsc_op[@exit-reason]"), 0);
    assert_steady(doc);
    xmlFreeDoc(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_instance_results_under_the_history_that_names_it),
        cmocka_unit_test(test_cleared_failure_is_forgotten),
        cmocka_unit_test(test_record_replaced_in_place),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
