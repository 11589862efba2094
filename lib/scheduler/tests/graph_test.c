/* The transition graph, the state before a run, recording a transition's results and
 * injected events: what `belay simulate` and a controller rely on. */
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

/* A group g (a, b) stopped, a primitive c running on n1, both nodes up, c probed on n2. */
static const char *const CIB =
    "<cib have-quorum='true' crm_feature_set='3.16.2'><configuration><crm_config>"
    "<cluster_property_set id='o'><nvpair id='o1' name='stonith-enabled' value='false'/>"
    "</cluster_property_set></crm_config>"
    "<nodes><node id='1' uname='n1'/><node id='2' uname='n2'/></nodes><resources>"
    "<group id='g'><primitive id='a' class='ocf' provider='pacemaker' type='Dummy'>"
    "<instance_attributes id='a-p'><nvpair id='a-p1' name='state' value='/tmp/a'/>"
    "</instance_attributes><operations><op id='a-m' name='monitor' interval='10s' "
    "timeout='30s'/></operations></primitive>"
    "<primitive id='b' class='ocf' provider='pacemaker' type='Dummy'/></group>"
    "<primitive id='c' class='ocf' provider='pacemaker' type='Dummy'/></resources>"
    "<constraints><rsc_location id='l' rsc='g' node='n2' score='100'/></constraints>"
    "</configuration><status>"
    "<node_state id='1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<lrm id='1'><lrm_resources><lrm_resource id='c' class='ocf' provider='pacemaker' "
    "type='Dummy'><lrm_rsc_op id='c_last_0' operation='start' interval='0' op-status='0' "
    "rc-code='0' call-id='3' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "
    "transition-key='1:1:0:x'/></lrm_resource></lrm_resources></lrm></node_state>"
    "<node_state id='2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<lrm id='2'><lrm_resources><lrm_resource id='c' class='ocf' provider='pacemaker' "
    "type='Dummy'><lrm_rsc_op id='c_last_0' operation='monitor' interval='0' op-status='0' "
    "rc-code='7' call-id='2' transition-key='1:1:7:x'/></lrm_resource></lrm_resources></lrm>"
    "</node_state></status></cib>";

static xmlDoc *
parse(void)
{
    xmlDoc *doc = NULL;

    assert_int_equal(bl_cib_parse(CIB, strlen(CIB), "test", &doc, NULL), 0);
    return doc;
}

static bl_sched_result_t *
run(const xmlDoc *doc, bool graph)
{
    bl_sched_options_t options = {.now = 1700000000, .graph = graph, .state = true};
    bl_sched_result_t *result = NULL;
    char *err = NULL;

    assert_int_equal(bl_sched_run(doc, &options, &result, &err), 0);
    assert_null(err);
    return result;
}

static void
test_graph_holds_actions_probes_monitors_and_edges(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result = run(doc, true);
    const xmlDoc *graph = bl_sched_result_graph(result);

    (void) state;
    assert_non_null(graph);
    /* starts of both members on n2, a's monitor after its start */
    assert_int_equal(
        sched_xpath_count(graph,
                          "//action_set/rsc_op[@operation_key='a_start_0' and @on_node='n2']"),
        1);
    assert_int_equal(
        sched_xpath_count(graph,
                          "//action_set/rsc_op[@operation_key='b_start_0' and @on_node='n2']"),
        1);
    assert_int_equal(
        sched_xpath_count(graph, "//synapse[action_set/rsc_op[@operation_key='a_monitor_10000']]"
                                 "/inputs/trigger/rsc_op[@operation_key='a_start_0']"),
        1);
    /* b starts after a; the group is running after both */
    assert_int_equal(sched_xpath_count(graph,
                                       "//synapse[action_set/rsc_op[@operation_key='b_start_0']]"
                                       "/inputs/trigger/rsc_op[@operation_key='a_start_0']"),
                     1);
    assert_int_equal(sched_xpath_count(graph, "//synapse[action_set/pseudo_event[@operation_key="
                                              "'g_running_0']]/inputs/trigger/rsc_op"),
                     2);
    /* probes where the state is unknown (a, b on both nodes; c nowhere: known on both) */
    assert_int_equal(sched_xpath_count(graph, "//action_set/rsc_op[@operation='monitor' and "
                                              "@operation_key!='a_monitor_10000']"),
                     4);
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[starts-with(@operation_key,'c_')]"), 0);
    assert_int_equal(sched_xpath_count(graph,
                                       "//synapse[action_set/rsc_op[@operation_key='a_start_0']]"
                                       "/inputs/trigger/rsc_op[@operation_key='a_monitor_0']"),
                     2);
    /* the agent, its parameters and the operation's timeout travel with the action */
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[@operation_key='a_monitor_10000']/attributes["
                                 "@CRM_meta_timeout='30000' and @CRM_meta_interval='10000' "
                                 "and @state='/tmp/a' and @CRM_meta_on_node='n2']"),
        1);
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[@operation_key='a_monitor_0']/attributes["
                                 "@CRM_meta_op_target_rc='7' and @CRM_meta_timeout='30000']"),
        2);
    assert_int_equal(
        sched_xpath_count(graph,
                          "//action_set/rsc_op[@operation_key='a_start_0']/primitive[@class='ocf' "
                          "and @provider='pacemaker' and @type='Dummy']"),
        1);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

static void
test_no_graph_unless_asked(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result = run(doc, false);
    char *err = NULL;

    (void) state;
    assert_null(bl_sched_result_graph(result));
    assert_int_equal(bl_sched_result_apply(result, doc, &err), BL_EINVALID);
    assert_non_null(err);
    free(err);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

/* State and scores cost time on large CIBs: a run keeps them only when asked. */
static void
test_no_state_or_scores_unless_asked(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_options_t options = {.now = 1700000000};
    bl_sched_result_t *result = NULL;
    char *scores;

    (void) state;
    assert_int_equal(bl_sched_run(doc, &options, &result, NULL), 0);
    assert_null(bl_sched_result_state(result));
    scores = bl_sched_result_allocation_scores(result);
    assert_string_equal(scores, "");
    free(scores);
    bl_sched_result_free(result);
    options.scores = true;
    assert_int_equal(bl_sched_run(doc, &options, &result, NULL), 0);
    assert_null(bl_sched_result_state(result));
    scores = bl_sched_result_allocation_scores(result);
    assert_non_null(strstr(scores, "pcmk__primitive_assign: a allocation score on n2: 100\n"));
    free(scores);
    scores = bl_sched_result_scores(result);
    assert_non_null(strstr(scores, "a n2 100\n"));
    free(scores);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

static void
test_state_before_the_transition(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result = run(doc, false);
    const bl_sched_state_t *st = bl_sched_result_state(result);

    (void) state;
    assert_int_equal(st->n_nodes, 2);
    assert_string_equal(st->nodes[1].name, "n2");
    assert_true(st->nodes[1].online);
    assert_int_equal(st->n_resources, 4); /* g, a, b, c */
    assert_true(st->resources[0].is_group);
    assert_string_equal(st->resources[1].id, "a");
    assert_string_equal(st->resources[1].group, "g");
    assert_string_equal(st->resources[1].role, "Stopped");
    assert_null(st->resources[1].nodes[0]);
    assert_string_equal(st->resources[3].agent, "ocf:pacemaker:Dummy");
    assert_string_equal(st->resources[3].nodes[0], "n1");
    assert_null(st->resources[3].nodes[1]);
    assert_int_equal(st->n_failures, 0);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

/* The results recorded by apply make the next run a steady state. */
static void
test_applied_results_are_a_steady_state(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result = run(doc, true);
    bl_sched_result_t *again;
    char *placement;
    char *actions;

    (void) state;
    assert_int_equal(bl_sched_result_apply(result, doc, NULL), 0);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n2']//lrm_resource[@id='a']/lrm_rsc_op["
                               "@operation='monitor' and @interval='10000' and "
                               "@rc-code='0']"),
        1);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n1']//lrm_resource[@id='a']/lrm_rsc_op["
                               "@operation='monitor' and @interval='0' and @rc-code='7']"),
        1);
    again = run(doc, false);
    actions = bl_sched_result_actions(again);
    placement = bl_sched_result_placement(again);
    assert_string_equal(actions, "");
    assert_string_equal(placement, "a Started n2\nb Started n2\nc Started n1\n");
    free(actions);
    free(placement);
    bl_sched_result_free(again);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

static void
test_inject_node_down_and_up(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result;
    char *err = NULL;
    char *actions;

    (void) state;
    assert_int_equal(bl_sched_inject_node(doc, "n3", false, &err), BL_ENOTFOUND);
    assert_non_null(strstr(err, "'n3'"));
    free(err);
    assert_int_equal(bl_sched_inject_node(doc, "n1", false, NULL), 0);
    assert_int_equal(sched_xpath_count(doc, "//node_state[@uname='n1' and @in_ccm='false' and "
                                            "@crmd='offline']"),
                     1);
    result = run(doc, false);
    actions = bl_sched_result_actions(result);
    assert_non_null(strstr(actions, "start c n2"));
    free(actions);
    bl_sched_result_free(result);
    assert_int_equal(bl_sched_inject_node(doc, "1", true, NULL), 0);
    assert_int_equal(sched_xpath_count(doc, "//node_state[@uname='n1' and @in_ccm='true']"), 1);
    xmlFreeDoc(doc);
}

static void
test_inject_failed_monitor(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result;
    char *actions;

    (void) state;
    assert_int_equal(bl_sched_inject_op(doc, "c_monitor_10000@n1=7", 1700000000, NULL), 0);
    assert_int_equal(sched_xpath_count(doc, "//node_state[@uname='n1']//nvpair[@name="
                                            "'fail-count-c#monitor_10000' and @value='1']"),
                     1);
    assert_int_equal(sched_xpath_count(doc,
                                       "//node_state[@uname='n1']//nvpair[@name="
                                       "'last-failure-c#monitor_10000' and @value='1700000000']"),
                     1);
    assert_int_equal(bl_sched_inject_op(doc, "c_monitor_10000@n1=7", 1700000000, NULL), 0);
    assert_int_equal(
        sched_xpath_count(doc, "//nvpair[@name='fail-count-c#monitor_10000' and @value='2']"), 1);
    result = run(doc, false);
    actions = bl_sched_result_actions(result);
    assert_string_equal(strstr(actions, "start c n1"), "start c n1\nstop c n1\n");
    free(actions);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

/* An injected result carries today's digest: finding a resource running is no reason to
 * restart it for a "definition change". */
static void
test_injected_probe_finds_running_without_restart(void **state)
{
    xmlDoc *doc = parse();
    bl_sched_result_t *result;
    char *actions;

    (void) state;
    assert_int_equal(bl_sched_inject_op(doc, "a_monitor_0@n2=0", 1700000000, NULL), 0);
    assert_int_equal(
        sched_xpath_count(doc, "//node_state[@uname='n2']//lrm_rsc_op[@operation='monitor' and "
                               "@rc-code='0' and string-length(@op-digest)=32]"),
        1);
    assert_int_equal(sched_xpath_count(doc, "//nvpair[starts-with(@name,'fail-count-')]"), 0);
    result = run(doc, false);
    actions = bl_sched_result_actions(result);
    assert_string_equal(actions, "start b n2\n");
    free(actions);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

static void
test_inject_op_refuses_bad_specs(void **state)
{
    static const char *const bad[] = {
        "c_monitor_10000@n1",   "c_monitor_10000n1=7",  "c_monitor@n1=7",     "c_monitor_x@n1=7",
        "c_monitor_10000@=7",   "c_monitor_10000@n1=",  "c_monitor_1@n1=300", "c_bogus_0@n1=1",
        "d_monitor_10000@n1=7", "c_monitor_10000@n9=7", "g_start_0@n1=1",
    };
    xmlDoc *doc = parse();
    char *before = NULL;
    int size = 0;

    (void) state;
    xmlDocDumpMemory(doc, (xmlChar **) &before, &size);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *err = NULL;
        char *after = NULL;
        int rc = bl_sched_inject_op(doc, bad[i], 1700000000, &err);

        assert_true(rc == BL_EPARSE || rc == BL_ENOTFOUND);
        assert_non_null(err);
        assert_null(strchr(err, '\n'));
        free(err);
        xmlDocDumpMemory(doc, (xmlChar **) &after, &size);
        assert_string_equal(before, after);
        xmlFree(after);
    }
    xmlFree(before);
    xmlFreeDoc(doc);
}

/*
 * A clone c (p, notify=true, clone-max=2) running p:0 on n1, with "after" ordered after
 * it: p:1 starts on n2 (its probe there found nothing). Outcomes checked against
 * crm_simulate (Pacemaker 2.1.5).
 */
static const char *const NOTIFY_CIB =
    "<cib have-quorum='true' crm_feature_set='3.16.2' validate-with='pacemaker-3.7' "
    "epoch='1' num_updates='0' admin_epoch='0'>"
    "<configuration><crm_config><cluster_property_set id='o'>"
    "<nvpair id='o1' name='stonith-enabled' value='false'/></cluster_property_set>"
    "</crm_config><nodes><node id='1' uname='n1'/><node id='2' uname='n2'/></nodes>"
    "<resources><clone id='c'><meta_attributes id='c-m'>"
    "<nvpair id='c-m1' name='notify' value='true'/>"
    "<nvpair id='c-m2' name='clone-max' value='2'/></meta_attributes>"
    "<primitive id='p' class='ocf' provider='pacemaker' type='Dummy'><operations>"
    "<op id='p-m' name='monitor' interval='10s'/></operations></primitive></clone>"
    "<primitive id='after' class='ocf' provider='pacemaker' type='Dummy'/></resources>"
    "<constraints><rsc_order id='o-c-after' first='c' then='after'/></constraints>"
    "</configuration><status>"
    "<node_state id='1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<lrm id='1'><lrm_resources>"
    "<lrm_resource id='p:0' class='ocf' provider='pacemaker' type='Dummy'>"
    "<lrm_rsc_op id='p:0_last_0' operation_key='p:0_start_0' operation='start' interval='0' "
    "op-status='0' rc-code='0' call-id='3' op-digest='f2317cad3d54cec5d7d7aa7d0bf35cf8' "
    "transition-key='1:1:0:x' transition-magic='0:0;1:1:0:x'/>"
    "<lrm_rsc_op id='p:0_monitor_10000' operation_key='p:0_monitor_10000' operation='monitor' "
    "interval='10000' op-status='0' rc-code='0' call-id='4' "
    "op-digest='4811cef7f7f94e3a35a70be7916cb2fd' transition-key='2:1:0:x' "
    "transition-magic='0:0;2:1:0:x'/>"
    "</lrm_resource><lrm_resource id='after' class='ocf' provider='pacemaker' type='Dummy'>"
    "<lrm_rsc_op id='after_last_0' operation_key='after_monitor_0' operation='monitor' "
    "interval='0' op-status='0' rc-code='7' call-id='1' transition-key='3:1:7:x' "
    "transition-magic='0:7;3:1:7:x'/>"
    "</lrm_resource></lrm_resources></lrm></node_state>"
    "<node_state id='2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'>"
    "<lrm id='2'><lrm_resources>"
    "<lrm_resource id='p:0' class='ocf' provider='pacemaker' type='Dummy'>"
    "<lrm_rsc_op id='p:0_last_0' operation_key='p:0_monitor_0' operation='monitor' "
    "interval='0' op-status='0' rc-code='7' call-id='1' transition-key='4:1:7:x' "
    "transition-magic='0:7;4:1:7:x'/>"
    "</lrm_resource><lrm_resource id='after' class='ocf' provider='pacemaker' type='Dummy'>"
    "<lrm_rsc_op id='after_last_0' operation_key='after_monitor_0' operation='monitor' "
    "interval='0' op-status='0' rc-code='7' call-id='2' transition-key='5:1:7:x' "
    "transition-magic='0:7;5:1:7:x'/>"
    "</lrm_resource></lrm_resources></lrm></node_state></status></cib>";

static xmlDoc *
parse_text(const char *text)
{
    xmlDoc *doc = NULL;

    assert_int_equal(bl_cib_parse(text, strlen(text), "test", &doc, NULL), 0);
    return doc;
}

/* NOTIFY_CIB with FROM replaced by TO (once). */
static char *
notify_cib_with(const char *from, const char *to)
{
    const char *at = strstr(NOTIFY_CIB, from);
    size_t head = (size_t) (at - NOTIFY_CIB);
    char *text = malloc(strlen(NOTIFY_CIB) + strlen(to) + 1);

    assert_non_null(at);
    memcpy(text, NOTIFY_CIB, head);
    strcpy(text + head, to);
    strcat(text, at + strlen(from));
    return text;
}

/* Does the synapse of KEY (on NODE unless NULL) wait for the action keyed FIRST? */
static int
waits_for(const xmlDoc *graph, const char *key, const char *node, const char *first)
{
    char xpath[512];

    snprintf(xpath, sizeof(xpath),
             "//synapse[action_set/*[@operation_key='%s'%s%s%s]]"
             "/inputs/trigger/*[@operation_key='%s']",
             key, node != NULL ? " and @on_node='" : "", node != NULL ? node : "",
             node != NULL ? "'" : "", first);
    return sched_xpath_count(graph, xpath);
}

static void
test_clone_start_is_notified(void **state)
{
    xmlDoc *doc = parse_text(NOTIFY_CIB);
    bl_sched_result_t *result = run(doc, true);
    const xmlDoc *graph = bl_sched_result_graph(result);
    static const char *const events[] = {
        "c_start_0",
        "c_running_0",
        "c_pre_notify_start_0",
        "c_confirmed-pre_notify_start_0",
        "c_post_notify_running_0",
        "c_confirmed-post_notify_running_0",
    };

    (void) state;
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        char xpath[128];

        snprintf(xpath, sizeof(xpath), "//action_set/pseudo_event[@operation_key='%s']", events[i]);
        assert_int_equal(sched_xpath_count(graph, xpath), 1);
    }
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/pseudo_event[contains(@operation_key,'stop')]"), 0);
    /* the running instance hears before and after; the starting one only after */
    assert_int_equal(sched_xpath_count(graph, "//action_set/rsc_op[@operation='notify']"), 3);
    assert_int_equal(
        sched_xpath_count(
            graph, "//action_set/rsc_op[@operation_key='p:0_pre_notify_start_0' and "
                   "@on_node='n1']/attributes[@CRM_meta_notify_type='pre' and "
                   "@CRM_meta_notify_operation='start' and "
                   "@CRM_meta_notify_start_resource='p:1' and @CRM_meta_notify_start_uname='n2' "
                   "and @CRM_meta_notify_active_resource='p:0' and "
                   "@CRM_meta_notify_active_uname='n1' and "
                   "@CRM_meta_notify_inactive_resource='p:1' and "
                   "@CRM_meta_notify_stop_resource=' ' and "
                   "@CRM_meta_notify_available_uname='n1 n2' and @CRM_meta_clone='0']"),
        1);
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[@operation_key='p:1_post_notify_start_0' "
                                 "and @on_node='n2']/attributes[@CRM_meta_notify_type='post' "
                                 "and @CRM_meta_notify_key_operation='running']"),
        1);
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[@operation_key='p:1_pre_notify_start_0']"),
        0);
    /* the start itself carries the lists too */
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[@operation_key='p:1_start_0']/attributes["
                                 "@CRM_meta_notify_start_resource='p:1' and "
                                 "@CRM_meta_clone_max='2']"),
        1);
    /* pre-notifications, then the clone's start, then the instance's */
    assert_int_equal(
        waits_for(graph, "c_confirmed-pre_notify_start_0", NULL, "p:0_pre_notify_start_0"), 1);
    assert_int_equal(waits_for(graph, "c_start_0", NULL, "c_confirmed-pre_notify_start_0"), 1);
    assert_int_equal(waits_for(graph, "p:1_start_0", "n2", "c_start_0"), 1);
    assert_int_equal(waits_for(graph, "c_running_0", NULL, "p:1_start_0"), 1);
    assert_int_equal(waits_for(graph, "c_post_notify_running_0", NULL, "c_running_0"), 1);
    assert_int_equal(waits_for(graph, "p:0_post_notify_start_0", "n1", "c_post_notify_running_0"),
                     1);
    assert_int_equal(
        waits_for(graph, "c_confirmed-post_notify_running_0", NULL, "p:1_post_notify_start_0"), 1);
    /* what is ordered after the clone, and the new monitor, wait for the notifications */
    assert_int_equal(waits_for(graph, "after_start_0", "n1", "c_confirmed-post_notify_running_0"),
                     1);
    assert_int_equal(
        waits_for(graph, "p:1_monitor_10000", "n2", "c_confirmed-post_notify_running_0"), 1);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
}

/* n1 in standby: p:0 stops there and an instance starts on n2, all stops first. */
static void
test_clone_stop_then_start_is_notified(void **state)
{
    char *text =
        notify_cib_with("<node id='1' uname='n1'/>",
                        "<node id='1' uname='n1'><instance_attributes id='n1-a'><nvpair id='n1-a1' "
                        "name='standby' value='on'/></instance_attributes></node>");
    xmlDoc *doc = parse_text(text);
    bl_sched_result_t *result = run(doc, true);
    const xmlDoc *graph = bl_sched_result_graph(result);

    (void) state;
    assert_int_equal(sched_xpath_count(graph,
                                       "//action_set/rsc_op[@operation_key='p:0_pre_notify_stop_0' "
                                       "and @on_node='n1']/attributes[@CRM_meta_notify_type='pre' "
                                       "and @CRM_meta_notify_operation='stop' and "
                                       "@CRM_meta_notify_stop_resource='p:0' and "
                                       "@CRM_meta_notify_stop_uname='n1']"),
                     1);
    /* the stopping instance is told before, not after */
    assert_int_equal(
        sched_xpath_count(graph, "//action_set/rsc_op[@operation_key='p:0_post_notify_stop_0']"),
        0);
    assert_int_equal(waits_for(graph, "c_stop_0", NULL, "c_confirmed-pre_notify_stop_0"), 1);
    assert_int_equal(waits_for(graph, "c_stopped_0", NULL, "p:0_stop_0"), 1);
    /* every instance stopped and the stop notifications confirmed before any start */
    assert_int_equal(waits_for(graph, "c_start_0", NULL, "c_stopped_0"), 1);
    assert_int_equal(
        waits_for(graph, "c_pre_notify_start_0", NULL, "c_confirmed-post_notify_stopped_0"), 1);
    assert_int_equal(waits_for(graph, "p:0_start_0", "n2", "c_start_0"), 1);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
    free(text);
}

/* Without notify=true: the clone's pseudo-events, no notifications. */
static void
test_clone_without_notify(void **state)
{
    char *text =
        notify_cib_with("value='true'/><nvpair id='c-m2'", "value='false'/><nvpair id='c-m2'");
    xmlDoc *doc = parse_text(text);
    bl_sched_result_t *result = run(doc, true);
    const xmlDoc *graph = bl_sched_result_graph(result);

    (void) state;
    assert_int_equal(sched_xpath_count(graph, "//*[@operation='notify' or @operation='notified']"),
                     0);
    assert_int_equal(waits_for(graph, "p:1_start_0", "n2", "c_start_0"), 1);
    assert_int_equal(waits_for(graph, "c_running_0", NULL, "p:1_start_0"), 1);
    assert_int_equal(waits_for(graph, "after_start_0", "n1", "c_running_0"), 1);
    assert_int_equal(
        sched_xpath_count(graph,
                          "//action_set/rsc_op[@operation_key='p:1_start_0']/attributes["
                          "@CRM_meta_notify='false' and not(@CRM_meta_notify_start_resource)]"),
        1);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_holds_actions_probes_monitors_and_edges),
        cmocka_unit_test(test_no_graph_unless_asked),
        cmocka_unit_test(test_no_state_or_scores_unless_asked),
        cmocka_unit_test(test_state_before_the_transition),
        cmocka_unit_test(test_applied_results_are_a_steady_state),
        cmocka_unit_test(test_inject_node_down_and_up),
        cmocka_unit_test(test_inject_failed_monitor),
        cmocka_unit_test(test_injected_probe_finds_running_without_restart),
        cmocka_unit_test(test_inject_op_refuses_bad_specs),
        cmocka_unit_test(test_clone_start_is_notified),
        cmocka_unit_test(test_clone_stop_then_start_is_notified),
        cmocka_unit_test(test_clone_without_notify),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
