/*
 * The grammar beyond the corpus, checked against what crmsh 4.4.1 writes and shows for the
 * same commands (recorded from crmsh run on a CIB file): resource sets, kinds, roles and
 * actions, rules, ops, ms, property sets, delete/rename/load/filter, show's quoting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <belay/cib.h>
#include <belay/crm.h>

static xmlDoc *
run(const char *script)
{
    xmlDoc *doc = bl_cib_new_empty();
    char *err = NULL;

    if (bl_crm_configure_script(doc, script, "t", NULL, &err) != 0) {
        fail_msg("%s", err);
    }
    return doc;
}

static void
assert_element(xmlDoc *doc, const char *id, const char *expected)
{
    xmlNode *node = bl_xml_find_id(bl_cib_section(doc, "configuration"), id);
    char *canonical;

    assert_non_null(node);
    canonical = bl_xml_canonical(node);
    assert_string_equal(canonical, expected);
    free(canonical);
}

static void
assert_show(xmlDoc *doc, const char *id, const char *expected)
{
    char *const ids[] = {(char *) id, NULL};
    char *err = NULL;
    char *text = bl_crm_show(doc, id != NULL ? ids : NULL, &err);

    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

static const char *const abc = "primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\n";

static void
test_order_kinds_and_sets(void **state)
{
    g_autofree char *script = g_strconcat(abc,
                                          "order o1 a b c\n"
                                          "order o2 0: a b\n"
                                          "order o3 serialize: a ( b c ) symmetrical=false\n"
                                          "order o4 inf: [ a b ] c\n"
                                          "order o5 inf: a:start b:promote\n"
                                          "order o6 ( a b sequential=true require-all=true ) c\n",
                                          NULL);
    xmlDoc *doc = run(script);

    (void) state;
    assert_element(
        doc, "o1",
        "<rsc_order id=\"o1\"><resource_set id=\"o1-0\"><resource_ref id=\"a\"></resource_ref><resource_ref id=\"b\"></resource_ref><resource_ref id=\"c\"></resource_ref></resource_set></rsc_order>");
    assert_element(doc, "o2",
                   "<rsc_order first=\"a\" id=\"o2\" kind=\"Optional\" then=\"b\"></rsc_order>");
    assert_element(
        doc, "o3",
        "<rsc_order id=\"o3\" kind=\"Serialize\" symmetrical=\"false\"><resource_set id=\"o3-0\"><resource_ref id=\"a\"></resource_ref></resource_set><resource_set id=\"o3-1\" sequential=\"false\"><resource_ref id=\"b\"></resource_ref><resource_ref id=\"c\"></resource_ref></resource_set></rsc_order>");
    assert_element(
        doc, "o4",
        "<rsc_order id=\"o4\" kind=\"Mandatory\"><resource_set id=\"o4-0\" require-all=\"false\" sequential=\"false\"><resource_ref id=\"a\"></resource_ref><resource_ref id=\"b\"></resource_ref></resource_set><resource_set id=\"o4-1\"><resource_ref id=\"c\"></resource_ref></resource_set></rsc_order>");
    assert_element(
        doc, "o5",
        "<rsc_order first=\"a\" first-action=\"start\" id=\"o5\" kind=\"Mandatory\" then=\"b\" then-action=\"promote\"></rsc_order>");
    assert_show(doc, "o3", "order o3 Serialize: a ( b c ) symmetrical=false\n");
    assert_show(doc, "o4", "order o4 Mandatory: [ a b ] c\n");
    assert_show(doc, "o5", "order o5 Mandatory: a:start b:promote\n");
    /* attributes the brackets do not imply are spelled out, so they load back */
    assert_show(doc, "o6", "order o6 ( a b sequential=true require-all=true ) c\n");
    xmlFreeDoc(doc);
}

static void
test_colocation_roles_and_node_attribute(void **state)
{
    g_autofree char *script = g_strconcat(abc,
                                          "colocation c1 inf: a:Started b:Promoted\n"
                                          "collocation c2 100: a b node-attribute=rack\n",
                                          NULL);
    xmlDoc *doc = run(script);

    (void) state;
    assert_element(
        doc, "c1",
        "<rsc_colocation id=\"c1\" rsc=\"a\" rsc-role=\"Started\" score=\"INFINITY\" with-rsc=\"b\" with-rsc-role=\"Promoted\"></rsc_colocation>");
    assert_element(
        doc, "c2",
        "<rsc_colocation id=\"c2\" node-attribute=\"rack\" rsc=\"a\" score=\"100\" with-rsc=\"b\"></rsc_colocation>");
    assert_show(doc, "c1", "colocation c1 inf: a:Started b:Promoted\n");
    assert_show(doc, "c2", "colocation c2 100: a b node-attribute=rack\n");
    xmlFreeDoc(doc);
}

static void
test_primitive_sections_and_ops(void **state)
{
    xmlDoc *doc = run(
        "primitive b Dummy description=\"my desc\" meta target-role=Stopped utilization cpu=2 params x=\"a b\" y='q\"r' z=\"\" op start timeout=20s op monitor interval=5 timeout=10s on-fail=restart depth=0\n");

    (void) state;
    assert_element(
        doc, "b",
        "<primitive class=\"ocf\" description=\"my desc\" id=\"b\" provider=\"heartbeat\" type=\"Dummy\"><meta_attributes id=\"b-meta_attributes\"><nvpair id=\"b-meta_attributes-target-role\" name=\"target-role\" value=\"Stopped\"></nvpair></meta_attributes><utilization id=\"b-utilization\"><nvpair id=\"b-utilization-cpu\" name=\"cpu\" value=\"2\"></nvpair></utilization><instance_attributes id=\"b-instance_attributes\"><nvpair id=\"b-instance_attributes-x\" name=\"x\" value=\"a b\"></nvpair><nvpair id=\"b-instance_attributes-y\" name=\"y\" value=\"q&quot;r\"></nvpair><nvpair id=\"b-instance_attributes-z\" name=\"z\" value=\"\"></nvpair></instance_attributes><operations><op id=\"b-start-0\" interval=\"0\" name=\"start\" timeout=\"20s\"></op><op id=\"b-monitor-5\" interval=\"5\" name=\"monitor\" on-fail=\"restart\" timeout=\"10s\"><instance_attributes id=\"b-monitor-5-instance_attributes\"><nvpair id=\"b-monitor-5-instance_attributes-depth\" name=\"depth\" value=\"0\"></nvpair></instance_attributes></op></operations></primitive>");
    assert_show(
        doc, "b",
        "primitive b Dummy \\\n\tdescription=\"my desc\" \\\n\tmeta target-role=Stopped \\\n\tutilization cpu=2 \\\n\tparams x=\"a b\" y=\"q\\\"r\" z=\"\" \\\n\top start timeout=20s interval=0 \\\n\top monitor interval=5 timeout=10s on-fail=restart \\\n\top_params depth=0\n");
    xmlFreeDoc(doc);
}

static void
test_location_rules(void **state)
{
    xmlDoc *doc = run(
        "primitive a Dummy\n"
        "location l1 a role=Started resource-discovery=never 100: node1\n"
        "location l2 a rule $id=myrule $role=Promoted 50: #uname eq node1 rule date gt 2025-01-01 rule 10: date date_spec hours=9-17 weekdays=1-5 rule pingd: defined pingd rule 5: foo number:gt 5 or bar version:lt 1.2\n"
        "location l4 a rule 5: date in start=2025-01-01 years=1\n"
        "location l5 a rule 5: foo gt integer:5\n");

    (void) state;
    assert_element(
        doc, "l1",
        "<rsc_location id=\"l1\" node=\"node1\" resource-discovery=\"never\" role=\"Started\" rsc=\"a\" score=\"100\"></rsc_location>");
    assert_element(
        doc, "l2",
        "<rsc_location id=\"l2\" rsc=\"a\"><rule id=\"myrule\" role=\"Promoted\" score=\"50\"><expression attribute=\"#uname\" id=\"myrule-expression\" operation=\"eq\" value=\"node1\"></expression></rule><rule id=\"l2-rule\" score=\"INFINITY\"><date_expression id=\"l2-rule-expression\" operation=\"gt\" start=\"2025-01-01\"></date_expression></rule><rule id=\"l2-rule-0\" score=\"10\"><date_expression id=\"l2-rule-0-expression\" operation=\"date_spec\"><date_spec hours=\"9-17\" id=\"l2-rule-0-expression-date_spec\" weekdays=\"1-5\"></date_spec></date_expression></rule><rule id=\"l2-rule-1\" score-attribute=\"pingd\"><expression attribute=\"pingd\" id=\"l2-rule-1-expression\" operation=\"defined\"></expression></rule><rule boolean-op=\"or\" id=\"l2-rule-2\" score=\"5\"><expression attribute=\"foo\" id=\"l2-rule-2-expression\" operation=\"gt\" type=\"number\" value=\"5\"></expression><expression attribute=\"bar\" id=\"l2-rule-2-expression-0\" operation=\"lt\" type=\"version\" value=\"1.2\"></expression></rule></rsc_location>");
    assert_element(
        doc, "l4",
        "<rsc_location id=\"l4\" rsc=\"a\"><rule id=\"l4-rule\" score=\"5\"><date_expression id=\"l4-rule-expression\" operation=\"in_range\" start=\"2025-01-01\"><duration id=\"l4-rule-expression-duration\" years=\"1\"></duration></date_expression></rule></rsc_location>");
    /* Belay reads a TYPE: prefix on the value as the value's type (crmsh keeps it literal) */
    assert_element(
        doc, "l5",
        "<rsc_location id=\"l5\" rsc=\"a\"><rule id=\"l5-rule\" score=\"5\"><expression attribute=\"foo\" id=\"l5-rule-expression\" operation=\"gt\" type=\"integer\" value=\"5\"></expression></rule></rsc_location>");
    assert_show(doc, "l1", "location l1 a role=Started resource-discovery=never 100: node1\n");
    /* crmsh omits $id=myrule; Belay prints ids that differ from the generated ones */
    assert_show(
        doc, "l2",
        "location l2 a \\\n\trule $id=myrule $role=Promoted 50: #uname eq node1 \\\n\trule date gt 2025-01-01 \\\n\trule 10: date spec hours=9-17 weekdays=1-5 \\\n\trule pingd: defined pingd \\\n\trule 5: foo number:gt 5 or bar version:lt 1.2\n");
    assert_show(doc, "l4", "location l4 a \\\n\trule 5: date in start=2025-01-01 years=1\n");
    xmlFreeDoc(doc);
}

static void
test_containers_go_last_and_roles_split_sets(void **state)
{
    xmlDoc *doc = run("primitive a Dummy\nprimitive b Dummy\nprimitive c Dummy\n"
                      "primitive d Dummy\nprimitive e Dummy\ngroup g a b\nclone cl c\n"
                      "colocation c1 inf: d:Promoted e:Promoted a\n");
    char *resources = bl_xml_canonical(bl_cib_section(doc, "resources"));

    (void) state;
    /* as crmsh: new groups and clones are appended, members move inside */
    assert_string_equal(
        resources,
        "<resources><primitive class=\"ocf\" id=\"d\" provider=\"heartbeat\" type=\"Dummy\"></primitive><primitive class=\"ocf\" id=\"e\" provider=\"heartbeat\" type=\"Dummy\"></primitive><group id=\"g\"><primitive class=\"ocf\" id=\"a\" provider=\"heartbeat\" type=\"Dummy\"></primitive><primitive class=\"ocf\" id=\"b\" provider=\"heartbeat\" type=\"Dummy\"></primitive></group><clone id=\"cl\"><primitive class=\"ocf\" id=\"c\" provider=\"heartbeat\" type=\"Dummy\"></primitive></clone></resources>");
    free(resources);
    /* a change of role starts a new set */
    assert_element(
        doc, "c1",
        "<rsc_colocation id=\"c1\" score=\"INFINITY\"><resource_set id=\"c1-0\" role=\"Promoted\"><resource_ref id=\"d\"></resource_ref><resource_ref id=\"e\"></resource_ref></resource_set><resource_set id=\"c1-1\"><resource_ref id=\"a\"></resource_ref></resource_set></rsc_colocation>");
    assert_show(doc, "c1", "colocation c1 inf: d:Promoted e:Promoted a\n");
    xmlFreeDoc(doc);
}

static void
test_ms_writes_promotable_clone(void **state)
{
    xmlDoc *doc = run("primitive db ocf:pacemaker:Stateful\nms db-ms db meta notify=true\n");

    (void) state;
    assert_element(
        doc, "db-ms",
        "<clone id=\"db-ms\"><meta_attributes id=\"db-ms-meta_attributes\"><nvpair id=\"db-ms-meta_attributes-promotable\" name=\"promotable\" value=\"true\"></nvpair><nvpair id=\"db-ms-meta_attributes-notify\" name=\"notify\" value=\"true\"></nvpair></meta_attributes><primitive class=\"ocf\" id=\"db\" provider=\"pacemaker\" type=\"Stateful\"></primitive></clone>");
    assert_show(doc, "db-ms", "clone db-ms db \\\n\tmeta promotable=true notify=true\n");
    xmlFreeDoc(doc);
}

static void
test_legacy_master_is_shown_as_ms(void **state)
{
    const char *xml =
        "<cib><configuration><crm_config/><nodes/><resources>"
        "<master id=\"old\"><meta_attributes id=\"old-meta_attributes\"><nvpair id=\"old-meta_attributes-notify\" name=\"notify\" value=\"true\"/></meta_attributes>"
        "<primitive id=\"s\" class=\"ocf\" provider=\"pacemaker\" type=\"Stateful\"/></master>"
        "<clone id=\"cl\"><primitive id=\"p\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></clone>"
        "</resources><constraints/></configuration><status/></cib>";
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_parse(xml, strlen(xml), "t", &doc, &err), 0);
    /* ms sort before clones, as in crmsh */
    assert_show(
        doc, NULL,
        "primitive p Dummy\nprimitive s ocf:pacemaker:Stateful\nms old s \\\n\tmeta notify=true\nclone cl p\n");
    /* and a legacy master can be deleted, taking its child along */
    assert_int_equal(bl_crm_configure_script(doc, "delete s\n", "t", NULL, &err), 0);
    assert_null(bl_xml_find_id(bl_cib_section(doc, "configuration"), "old"));
    xmlFreeDoc(doc);
}

static void
test_property_sets_update_in_place(void **state)
{
    xmlDoc *doc = run("property stonith-enabled=false no-quorum-policy=stop\n"
                      "property no-quorum-policy=ignore\n"
                      "property my-set: cluster-name=x\n"
                      "rsc_defaults resource-stickiness=100 migration-threshold=3\n"
                      "rsc_defaults resource-stickiness=200\n"
                      "op_defaults timeout=60s\n");

    (void) state;
    assert_element(
        doc, "cib-bootstrap-options",
        "<cluster_property_set id=\"cib-bootstrap-options\"><nvpair id=\"cib-bootstrap-options-stonith-enabled\" name=\"stonith-enabled\" value=\"false\"></nvpair><nvpair id=\"cib-bootstrap-options-no-quorum-policy\" name=\"no-quorum-policy\" value=\"ignore\"></nvpair></cluster_property_set>");
    assert_element(
        doc, "my-set",
        "<cluster_property_set id=\"my-set\"><nvpair id=\"my-set-cluster-name\" name=\"cluster-name\" value=\"x\"></nvpair></cluster_property_set>");
    assert_element(
        doc, "rsc-options",
        "<meta_attributes id=\"rsc-options\"><nvpair id=\"rsc-options-resource-stickiness\" name=\"resource-stickiness\" value=\"200\"></nvpair><nvpair id=\"rsc-options-migration-threshold\" name=\"migration-threshold\" value=\"3\"></nvpair></meta_attributes>");
    assert_show(
        doc, NULL,
        "property cib-bootstrap-options: \\\n\tstonith-enabled=false \\\n\tno-quorum-policy=ignore\nproperty my-set: \\\n\tcluster-name=x\nrsc_defaults rsc-options: \\\n\tresource-stickiness=200 \\\n\tmigration-threshold=3\nop_defaults op-options: \\\n\ttimeout=60s\n");
    xmlFreeDoc(doc);
}

static void
test_delete_group_drops_member_constraints(void **state)
{
    g_autofree char *script = g_strconcat(abc,
                                          "primitive d Dummy\n"
                                          "group g a b\n"
                                          "location la a 10: node1\n"
                                          "colocation cs inf: c d b\n"
                                          "order od Mandatory: d c\n"
                                          "delete g\n",
                                          NULL);
    xmlDoc *doc = run(script);

    (void) state;
    assert_null(bl_xml_find_id(bl_cib_section(doc, "configuration"), "a"));
    assert_null(bl_xml_find_id(bl_cib_section(doc, "configuration"), "la"));
    /* one set with c d left: crmsh turns it into the simple form, swapped */
    assert_element(
        doc, "cs",
        "<rsc_colocation id=\"cs\" rsc=\"d\" score=\"INFINITY\" with-rsc=\"c\"></rsc_colocation>");
    assert_element(doc, "od",
                   "<rsc_order first=\"d\" id=\"od\" kind=\"Mandatory\" then=\"c\"></rsc_order>");
    xmlFreeDoc(doc);
}

static void
test_delete_last_member_removes_group(void **state)
{
    xmlDoc *doc = run("primitive a Dummy\ngroup g a\nlocation lg g 5: node1\ndelete a\n");

    (void) state;
    assert_null(bl_xml_find_id(bl_cib_section(doc, "configuration"), "g"));
    assert_null(bl_xml_find_id(bl_cib_section(doc, "configuration"), "lg"));
    xmlFreeDoc(doc);
}

static void
test_rename_updates_references(void **state)
{
    g_autofree char *script = g_strconcat(abc,
                                          "primitive x Dummy params p=1\n"
                                          "colocation cx inf: x a\n"
                                          "order ox Mandatory: a x c\n"
                                          "location lx x rule 5: defined foo\n"
                                          "rename x y\n"
                                          "rename lx ly\n",
                                          NULL);
    xmlDoc *doc = run(script);

    (void) state;
    assert_element(
        doc, "cx",
        "<rsc_colocation id=\"cx\" rsc=\"y\" score=\"INFINITY\" with-rsc=\"a\"></rsc_colocation>");
    assert_element(
        doc, "ox-0",
        "<resource_set id=\"ox-0\"><resource_ref id=\"a\"></resource_ref><resource_ref id=\"y\"></resource_ref><resource_ref id=\"c\"></resource_ref></resource_set>");
    /* child ids stay; show names them so that a reload gives the same ids */
    assert_show(doc, "y", "primitive y Dummy \\\n\tparams $id=x-instance_attributes p=1\n");
    assert_show(doc, "ly", "location ly y \\\n\trule $id=lx-rule 5: defined foo\n");
    xmlFreeDoc(doc);
    /* a renamed set keeps its nvpair ids: show names them with crmsh's $ID: prefix */
    doc = run("property my-set: a=1\nrename my-set other\n");
    assert_show(doc, "other", "property other: \\\n\t$my-set-a:a=1\n");
    xmlFreeDoc(doc);
}

static void
test_load_replace_and_filter(void **state)
{
    g_autofree char *path = g_build_filename(g_get_tmp_dir(), "crm-features-load.crm", NULL);
    const char *content =
        "primitive n Dummy \\\n\top monitor interval=10s\nproperty stonith-enabled=true\n";
    g_autofree char *script =
        g_strdup_printf("%sload replace %s\nfilter 'sed s/10s/11s/' n\n", abc, path);
    char *err = NULL;
    xmlDoc *doc;

    (void) state;
    assert_int_equal(bl_file_write_atomic(path, content, strlen(content), &err), 0);
    doc = run(script);
    unlink(path);
    assert_null(bl_xml_find_id(bl_cib_section(doc, "configuration"), "a"));
    assert_show(
        doc, NULL,
        "primitive n Dummy \\\n\top monitor interval=11s\nproperty cib-bootstrap-options: \\\n\tstonith-enabled=true\n");
    xmlFreeDoc(doc);
}

static void
test_filter_deletes_what_it_drops(void **state)
{
    g_autofree char *script = g_strconcat(abc,
                                          "order o Mandatory: a b c\n"
                                          "property stonith-enabled=false\n"
                                          "filter cat\n"
                                          "filter \"grep -v '^primitive b'\" a b\n",
                                          NULL);
    xmlDoc *doc = run(script);

    (void) state;
    /* cat changed nothing; dropping b deleted it and shrank the order as delete does */
    assert_show(doc, NULL,
                "primitive a Dummy\nprimitive c Dummy\norder o Mandatory: a c\n"
                "property cib-bootstrap-options: \\\n\tstonith-enabled=false\n");
    xmlFreeDoc(doc);
}

static void
test_filter_replaces_containers(void **state)
{
    g_autofree char *script = g_strconcat(abc,
                                          "group g a b meta target-role=Stopped\n"
                                          "clone cl c\n"
                                          "filter cat\n"
                                          "filter \"sed 's/g a b/g b a/'\" g\n"
                                          "filter 'sed s/Stopped/Started/' g a b\n",
                                          NULL);
    xmlDoc *doc = run(script);

    (void) state;
    /* a replaced group takes its members back in the new order, ids unchanged */
    assert_element(
        doc, "g",
        "<group id=\"g\"><meta_attributes id=\"g-meta_attributes\"><nvpair id=\"g-meta_attributes-target-role\" name=\"target-role\" value=\"Started\"></nvpair></meta_attributes><primitive class=\"ocf\" id=\"b\" provider=\"heartbeat\" type=\"Dummy\"></primitive><primitive class=\"ocf\" id=\"a\" provider=\"heartbeat\" type=\"Dummy\"></primitive></group>");
    assert_show(doc, "cl", "clone cl c\n");
    xmlFreeDoc(doc);
}

static void
test_show_xml_and_quoting(void **state)
{
    xmlDoc *doc = run(
        "primitive q Dummy params a=\"x y\" b=\"say \\\"hi\\\"\" c=\"back\\\\slash\" d=plain.v-1\n");
    GString *out = g_string_new(NULL);
    char *const show_xml[] = {"show", "xml", "q", NULL};
    char *err = NULL;
    char *text;

    (void) state;
    assert_show(
        doc, "q",
        "primitive q Dummy \\\n\tparams a=\"x y\" b=\"say \\\"hi\\\"\" c=\"back\\\\slash\" d=plain.v-1\n");
    assert_int_equal(bl_crm_configure(doc, 3, show_xml, out, &err), 0);
    assert_true(g_str_has_prefix(
        out->str,
        "<primitive id=\"q\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n  <instance_attributes"));
    g_string_free(out, TRUE);
    /* what show prints loads back to the same values */
    text = bl_crm_show(doc, NULL, &err);
    xmlFreeDoc(doc);
    doc = run(text);
    assert_show(doc, "q", text);
    free(text);
    xmlFreeDoc(doc);
}

/* configure run one word list at a time, as the CLI does */
static int
configure_words(xmlDoc *doc, const char *line, GString *out, char **err)
{
    g_auto(GStrv) words = NULL;
    int count = 0;

    assert_int_equal(bl_crm_split(line, &words, &count, err), 0);
    return bl_crm_configure(doc, count, words, out, err);
}

static void
test_load_update_from_stdin_and_noops(void **state)
{
    xmlDoc *doc = run("primitive a Dummy params x=1\n");
    const char *script = "primitive a Dummy params x=2\nprimitive b Dummy\n";
    FILE *in = tmpfile();
    int saved = dup(STDIN_FILENO);
    char *err = NULL;

    (void) state;
    assert_non_null(in);
    fputs(script, in);
    fflush(in);
    rewind(in);
    dup2(fileno(in), STDIN_FILENO);
    /* update replaces a and adds b */
    assert_int_equal(configure_words(doc, "load update -", NULL, &err), 0);
    dup2(saved, STDIN_FILENO);
    close(saved);
    fclose(in);
    assert_show(doc, NULL, "primitive a Dummy \\\n\tparams x=2\nprimitive b Dummy\n");
    assert_int_equal(configure_words(doc, "verify", NULL, &err), 0);
    assert_int_equal(configure_words(doc, "commit", NULL, &err), 0);
    assert_int_equal(configure_words(doc, "up", NULL, &err), 0);
    assert_int_equal(configure_words(doc, "end now", NULL, &err), BL_EUSAGE);
    assert_string_equal(err, "end: takes no arguments");
    free(err);
    xmlFreeDoc(doc);
}

static void
test_show_selected_objects(void **state)
{
    xmlDoc *doc = run("node 1: node1\nprimitive b Dummy\nprimitive a Dummy\n"
                      "location la a 5: node1\n");
    GString *out = g_string_new(NULL);
    char *err = NULL;

    (void) state;
    /* in crmsh's order whatever the order asked; nodes by name too */
    assert_int_equal(configure_words(doc, "show la node1 b", out, &err), 0);
    assert_string_equal(out->str, "node 1: node1\nprimitive b Dummy\nlocation la a 5: node1\n");
    g_string_free(out, TRUE);
    xmlFreeDoc(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_kinds_and_sets),
        cmocka_unit_test(test_colocation_roles_and_node_attribute),
        cmocka_unit_test(test_primitive_sections_and_ops),
        cmocka_unit_test(test_location_rules),
        cmocka_unit_test(test_containers_go_last_and_roles_split_sets),
        cmocka_unit_test(test_ms_writes_promotable_clone),
        cmocka_unit_test(test_legacy_master_is_shown_as_ms),
        cmocka_unit_test(test_property_sets_update_in_place),
        cmocka_unit_test(test_delete_group_drops_member_constraints),
        cmocka_unit_test(test_delete_last_member_removes_group),
        cmocka_unit_test(test_rename_updates_references),
        cmocka_unit_test(test_load_replace_and_filter),
        cmocka_unit_test(test_filter_deletes_what_it_drops),
        cmocka_unit_test(test_filter_replaces_containers),
        cmocka_unit_test(test_show_xml_and_quoting),
        cmocka_unit_test(test_load_update_from_stdin_and_noops),
        cmocka_unit_test(test_show_selected_objects),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
