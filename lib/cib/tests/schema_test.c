/*
 * The CIB schema: real CIBs pass (crmsh's output and Pacemaker's scheduler regression
 * inputs, from $SHARED_DIR), and each kind of fault is refused with a message that
 * names the element and its line.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include <belay/cib.h>

/* ----------------------------------------------------------------- helpers */

static const char *
shared_dir(void)
{
    const char *dir = getenv("SHARED_DIR");

    /* CI always has the corpus: its absence is a broken setup, not a reason to skip. */
    if (dir == NULL || !g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        fail_msg("SHARED_DIR is not set or not a directory (make check exports it)");
    }
    return dir;
}

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    if (bl_cib_parse(text, strlen(text), "t.xml", &doc, &err) != 0) {
        fail_msg("test document does not parse: %s", err);
    }
    return doc;
}

/* A CIB whose <resources> holds RESOURCES and <constraints> holds CONSTRAINTS. */
static char *
cib_text(const char *resources, const char *constraints)
{
    return bl_asprintf("<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\">\n"
                       "  <configuration>\n"
                       "    <crm_config/>\n"
                       "    <nodes>\n"
                       "      <node id=\"1\" uname=\"node1\"/>\n"
                       "    </nodes>\n"
                       "    <resources>\n%s    </resources>\n"
                       "    <constraints>\n%s    </constraints>\n"
                       "  </configuration>\n"
                       "  <status/>\n"
                       "</cib>\n",
                       resources, constraints);
}

/* Line 8 is the first line inside <resources> in cib_text(). */
#define RESOURCES_LINE 8

/* Validates TEXT against the schema; returns the message (caller frees) or NULL. */
static char *
schema_error(const char *text)
{
    xmlDoc *doc = parse(text);
    char *err = NULL;
    int rc = bl_cib_validate_schema(doc, &err);

    xmlFreeDoc(doc);
    if (rc == 0) {
        assert_null(err);
        return NULL;
    }
    assert_int_equal(rc, BL_ESCHEMA);
    assert_non_null(err);
    return err;
}

static void
assert_refused(const char *resources, const char *constraints, const char *expected)
{
    char *text = cib_text(resources, constraints);
    char *err = schema_error(text);

    if (err == NULL || strcmp(err, expected) != 0) {
        fail_msg("expected \"%s\", got \"%s\"", expected, err != NULL ? err : "(accepted)");
    }
    free(err);
    free(text);
}

static void
assert_accepted(const char *resources, const char *constraints)
{
    char *text = cib_text(resources, constraints);
    char *err = schema_error(text);

    if (err != NULL) {
        fail_msg("refused: %s", err);
    }
    free(text);
}

/* A corpus file Pacemaker itself refuses, with the reason we must give. */
struct known_invalid {
    const char *file;
    const char *error;
};

/*
 * Pacemaker's regression suite also feeds the scheduler CIBs that crm_verify rejects,
 * to check the scheduler copes. We refuse those too, for the same reason.
 */
static const struct known_invalid known_invalid[] = {
    /* crm_verify: "Operation rsc1-monitor-unpromoted-5 is duplicate of ..." (exit 78) */
    {"promoted-asymmetrical-order.xml",
     "line 18: op 'rsc1-monitor-unpromoted-5' of primitive 'rsc1' has the same name and interval as op 'rsc1-monitor-promoted-5' at line 17"},
    {NULL, NULL},
};

static const struct known_invalid *
find_known_invalid(const char *name)
{
    for (const struct known_invalid *k = known_invalid; k->file != NULL; k++) {
        if (strcmp(k->file, name) == 0) {
            return k;
        }
    }
    return NULL;
}

/* Validates (schema and semantics) every *SUFFIX file in DIR; returns how many failed. */
static int
validate_dir(const char *dir, const char *suffix, int *count)
{
    GDir *entries = g_dir_open(dir, 0, NULL);
    const char *name;
    int failed = 0;

    assert_non_null(entries);
    while ((name = g_dir_read_name(entries)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        const struct known_invalid *known = find_known_invalid(name);
        xmlDoc *doc = NULL;
        char *err = NULL;
        bool valid;

        if (!g_str_has_suffix(name, suffix)) {
            continue;
        }
        (*count)++;
        valid = bl_cib_load(path, &doc, &err) == 0 && bl_cib_validate(doc, &err) == 0;
        if (known != NULL ? valid || strstr(err, known->error) == NULL : !valid) {
            print_message("# %s: %s\n", name, valid ? "accepted" : err);
            failed++;
        }
        free(err);
        xmlFreeDoc(doc);
    }
    g_dir_close(entries);
    return failed;
}

/* -------------------------------------------------------- positive corpus */

static void
test_scheduler_tier1_and_tier2_validate(void **state)
{
    const char *tiers[] = {"tier1", "tier2"};

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(tiers); i++) {
        g_autofree char *dir =
            g_build_filename(shared_dir(), "conformance", "scheduler", tiers[i], NULL);
        int count = 0;

        assert_int_equal(validate_dir(dir, ".xml", &count), 0);
        /* The corpus has about a hundred CIBs per tier: an empty folder is a failure. */
        assert_true(count >= 50);
    }
}

static void
test_crm_cli_cibs_validate(void **state)
{
    g_autofree char *dir = g_build_filename(shared_dir(), "conformance", "crm-cli", NULL);
    g_autofree char *examples = g_build_filename(dir, "status-examples", NULL);
    int count = 0;

    (void) state;
    assert_int_equal(validate_dir(dir, "base-cib.xml", &count), 0);
    assert_int_equal(validate_dir(examples, ".cib.xml", &count), 0);
    assert_int_equal(count, 3);
}

/* Puts the <configuration> of file PATH into a copy of BASE. */
static xmlDoc *
wrap_configuration(const xmlDoc *base, const char *path)
{
    xmlDoc *fragment = NULL;
    xmlDoc *doc = xmlCopyDoc((xmlDoc *) base, 1);
    xmlNode *configuration;
    char *err = NULL;

    if (bl_xml_parse_file(path, &fragment, &err) != 0) {
        fail_msg("%s", err);
    }
    configuration = xmlDocCopyNode(xmlDocGetRootElement(fragment), doc, 1);
    xmlFreeNode(xmlReplaceNode(bl_cib_section(doc, "configuration"), configuration));
    xmlFreeDoc(fragment);
    return doc;
}

static void
test_crm_cli_configurations_validate(void **state)
{
    g_autofree char *dir = g_build_filename(shared_dir(), "conformance", "crm-cli", NULL);
    g_autofree char *base_path = g_build_filename(dir, "base-cib.xml", NULL);
    GDir *entries = g_dir_open(dir, 0, NULL);
    xmlDoc *base = NULL;
    const char *name;
    int count = 0;
    int failed = 0;

    (void) state;
    assert_non_null(entries);
    assert_int_equal(bl_cib_load(base_path, &base, NULL), 0);
    while ((name = g_dir_read_name(entries)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        xmlDoc *doc;
        char *err = NULL;

        if (!g_ascii_isdigit(name[0]) || !g_str_has_suffix(name, ".xml")) {
            continue;
        }
        doc = wrap_configuration(base, path);
        count++;
        if (bl_cib_validate(doc, &err) != 0) {
            print_message("# %s: %s\n", name, err);
            failed++;
        }
        free(err);
        xmlFreeDoc(doc);
    }
    g_dir_close(entries);
    xmlFreeDoc(base);
    assert_int_equal(failed, 0);
    assert_true(count >= 20);
}

static void
test_examples_validate(void **state)
{
    const char *top = getenv("top_srcdir");
    g_autofree char *dir = NULL;
    int count = 0;

    (void) state;
    if (top == NULL) {
        fail_msg("top_srcdir is not set (make check exports it)");
    }
    dir = g_build_filename(top, "xml", "examples", NULL);
    assert_int_equal(validate_dir(dir, ".xml", &count), 0);
    assert_true(count >= 3);
}

static void
test_new_empty_cib_validates(void **state)
{
    xmlDoc *doc = bl_cib_new_empty();
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_validate(doc, &err), 0);
    assert_null(err);
    xmlFreeDoc(doc);
}

/* Counts ERR's reason ("line N: " varies per file; the rest says why). */
static void
count_reason(GHashTable *reasons, const char *err)
{
    const char *colon = strchr(err, ':');
    const char *reason = colon != NULL ? colon + 2 : err;
    int seen = GPOINTER_TO_INT(g_hash_table_lookup(reasons, reason));

    g_hash_table_replace(reasons, g_strdup(reason), GINT_TO_POINTER(seen + 1));
}

static void
print_reasons(GHashTable *reasons)
{
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init(&iter, reasons);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        print_message("# tier3 refused %dx: %s\n", GPOINTER_TO_INT(value), (char *) key);
    }
}

/*
 * Tier 3 holds features Belay refuses (bundles, tickets, ...). Nothing is asserted
 * about how many pass; every CIB must be handled without crashing, and the count and
 * reasons are printed for the record.
 */
static void
test_scheduler_tier3_survey(void **state)
{
    g_autofree char *dir =
        g_build_filename(shared_dir(), "conformance", "scheduler", "tier3", NULL);
    g_autoptr(GHashTable) reasons = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GDir *entries = g_dir_open(dir, 0, NULL);
    const char *name;
    int count = 0;
    int valid = 0;

    (void) state;
    assert_non_null(entries);
    while ((name = g_dir_read_name(entries)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        xmlDoc *doc = NULL;
        char *err = NULL;

        if (!g_str_has_suffix(name, ".xml")) {
            continue;
        }
        count++;
        if (bl_cib_load(path, &doc, &err) == 0 && bl_cib_validate(doc, &err) == 0) {
            valid++;
        } else {
            count_reason(reasons, err);
        }
        free(err);
        xmlFreeDoc(doc);
    }
    g_dir_close(entries);
    print_message("# tier3: %d of %d CIBs validate\n", valid, count);
    print_reasons(reasons);
    assert_true(count >= 100);
}

/* ------------------------------------------------- refused with a message */

static void
test_unknown_element(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n"
        "        <widget id=\"w\"/>\n"
        "      </primitive>\n",
        "",
        "line 9: element 'widget' is not allowed in 'primitive' (expected operations, meta_attributes, instance_attributes or utilization)");
}

static void
test_bundle_is_out_of_scope(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n"
        "      <bundle id=\"httpd-bundle\">\n"
        "        <docker image=\"pcmk:http\"/>\n"
        "      </bundle>\n",
        "",
        "line 9: element 'bundle' is not allowed in 'resources' (Belay does not support bundles)");
}

static void
test_template_is_out_of_scope(void **state)
{
    (void) state;
    assert_refused(
        "      <template id=\"t\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n", "",
        "line 8: element 'template' is not allowed in 'resources' (Belay does not support resource templates)");
    assert_refused(
        "      <primitive id=\"a\" template=\"t\"/>\n", "",
        "line 8: primitive 'a': attribute 'template' is not allowed (Belay does not support resource templates)");
}

static void
test_ticket_is_out_of_scope(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n",
        "      <rsc_ticket id=\"a-needs-t\" rsc=\"a\" ticket=\"t\"/>\n",
        "line 11: element 'rsc_ticket' is not allowed in 'constraints' (Belay does not support tickets)");
}

static void
test_acls_alerts_tags_are_out_of_scope(void **state)
{
    const char *sections[][2] = {
        {"<acls/>",
         "line 3: element 'acls' is not allowed in 'configuration' (Belay does not support ACLs)"},
        {"<alerts/>",
         "line 3: element 'alerts' is not allowed in 'configuration' (Belay does not support alerts)"},
        {"<tags/>",
         "line 3: element 'tags' is not allowed in 'configuration' (Belay does not support tags)"},
    };

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
        char *text = bl_asprintf("<cib>\n<configuration>\n%s\n<crm_config/><nodes/><resources/>"
                                 "<constraints/></configuration></cib>",
                                 sections[i][0]);
        char *err = schema_error(text);

        assert_non_null(err);
        assert_string_equal(err, sections[i][1]);
        free(err);
        free(text);
    }
}

static void
test_rule_inside_attribute_set_is_out_of_scope(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n"
        "        <meta_attributes id=\"a-meta\">\n"
        "          <nvpair id=\"a-meta-x\" name=\"target-role\" value=\"Started\"/>\n"
        "          <rule id=\"r\" score=\"0\">\n"
        "            <expression id=\"e\" attribute=\"#uname\" operation=\"eq\" value=\"n\"/>\n"
        "          </rule>\n"
        "        </meta_attributes>\n"
        "      </primitive>\n",
        "",
        "line 11: element 'rule' is not allowed in 'meta_attributes' (Belay does not support rules inside attribute sets)");
}

static void
test_missing_required_attribute(void **state)
{
    (void) state;
    assert_refused("      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\"/>\n", "",
                   "line 8: primitive 'web' lacks the required attribute 'type'");
    assert_refused(
        "      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">\n"
        "        <operations>\n"
        "          <op id=\"web-monitor\" name=\"monitor\"/>\n"
        "        </operations>\n"
        "      </primitive>\n",
        "", "line 10: op 'web-monitor' lacks the required attribute 'interval'");
}

static void
test_unknown_attribute(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n",
        "      <rsc_colocation id=\"c\" rsc=\"a\" with=\"a\" score=\"INFINITY\"/>\n",
        "line 11: rsc_colocation 'c': attribute 'with' is not allowed on rsc_colocation");
}

static void
test_missing_required_child(void **state)
{
    char *err = schema_error("<cib>\n<configuration>\n<crm_config/>\n<nodes/>\n<resources/>\n"
                             "</configuration>\n</cib>\n");

    (void) state;
    assert_non_null(err);
    assert_string_equal(err,
                        "line 2: element 'configuration' lacks a required 'constraints' element");
    free(err);
    assert_refused("      <group id=\"g\"/>\n", "",
                   "line 8: group 'g' lacks a required 'primitive' element");
}

static void
test_sections_at_most_once(void **state)
{
    char *err = schema_error("<cib>\n<configuration>\n<crm_config/>\n<nodes/>\n<resources/>\n"
                             "<constraints/>\n<nodes/>\n</configuration>\n</cib>\n");

    (void) state;
    assert_non_null(err);
    assert_string_equal(
        err,
        "line 7: element 'nodes' may appear only once in 'configuration' (the first is at line 4)");
    free(err);
    err = schema_error(
        "<cib><configuration><crm_config/><nodes/><resources/><constraints/>"
        "</configuration>\n<status>\n<node_state id=\"1\">\n<lrm id=\"1\"/>\n"
        "<transient_attributes id=\"1\"/>\n<lrm id=\"1\"/>\n</node_state></status></cib>");
    assert_non_null(err);
    assert_string_equal(
        err, "line 6: element 'lrm' may appear only once in 'node_state' (the first is at line 4)");
    free(err);
}

static void
test_text_inside_element(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">oops</primitive>\n",
        "", "line 8: element 'primitive' must not contain text");
}

static void
test_group_inside_group(void **state)
{
    (void) state;
    assert_refused(
        "      <group id=\"outer\">\n"
        "        <group id=\"inner\">\n"
        "          <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n"
        "        </group>\n"
        "      </group>\n",
        "",
        "line 9: element 'group' is not allowed in 'group' (expected meta_attributes, instance_attributes or primitive)");
}

/* Choices in the schema: the message explains the nearest valid form. */
static void
test_conflicting_attributes(void **state)
{
    (void) state;
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n",
        "      <rsc_location id=\"loc\" rsc=\"a\" rsc-pattern=\"a.*\" node=\"node1\" score=\"10\"/>\n",
        "line 11: rsc_location 'loc': attribute 'rsc-pattern' cannot be combined with the other attributes or elements here");
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n",
        "      <rsc_location id=\"loc\" rsc=\"a\" node=\"node1\"/>\n",
        "line 11: rsc_location 'loc' lacks the required attribute 'score'");
    assert_refused(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n",
        "      <rsc_location id=\"loc\" rsc=\"a\" node=\"node1\" score=\"1\">\n"
        "        <rule id=\"r\" score=\"1\"><expression id=\"e\" attribute=\"a\" operation=\"defined\"/></rule>\n"
        "      </rsc_location>\n",
        "line 12: element 'rule' cannot be combined with the other attributes or elements of rsc_location 'loc'");
}

static void
test_repeated_single_child(void **state)
{
    (void) state;
    assert_refused(
        "      <clone id=\"c\">\n"
        "        <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n"
        "        <primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n"
        "      </clone>\n",
        "",
        "line 10: element 'primitive' may appear only once in clone 'c' (the first is at line 9)");
}

/* Faults the explanation cannot see (element order) fall back to libxml2's verdict. */
static void
test_libxml2_fallback(void **state)
{
    char *err = schema_error("<cib>\n<status/>\n<configuration><crm_config/><nodes/><resources/>"
                             "<constraints/></configuration>\n</cib>\n");

    (void) state;
    assert_non_null(err);
    assert_string_equal(
        err,
        "line 2: element 'status' is not allowed here (out of place, or repeated where only one may appear)");
    free(err);
}

static void
test_root_must_be_cib(void **state)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_xml_parse("<configuration/>", 16, "t.xml", &doc, NULL), 0);
    assert_int_equal(bl_cib_validate_schema(doc, &err), BL_ESCHEMA);
    assert_string_equal(err, "line 1: the root element is 'configuration', expected 'cib'");
    free(err);
    xmlFreeDoc(doc);
}

/* ------------------------------------------------------------ accepted */

static void
test_supported_features_accepted(void **state)
{
    (void) state;
    assert_accepted(
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\" description=\"x\">\n"
        "        <instance_attributes id-ref=\"shared\"/>\n"
        "        <operations>\n"
        "          <op id=\"a-mon\" name=\"monitor\" interval=\"10s\" role=\"Promoted\">\n"
        "            <instance_attributes id=\"a-mon-ia\"><nvpair id-ref=\"p\"/></instance_attributes>\n"
        "          </op>\n"
        "        </operations>\n"
        "      </primitive>\n"
        "      <master id=\"ms\">\n"
        "        <primitive id=\"b\" class=\"lsb\" type=\"b\"/>\n"
        "      </master>\n",
        "      <rsc_location id=\"l\" rsc-pattern=\"^a\" resource-discovery=\"never\">\n"
        "        <rule id=\"r\" score-attribute=\"pingd\" boolean-op=\"or\">\n"
        "          <rule id=\"r2\"><expression id=\"e\" attribute=\"x\" operation=\"defined\"/></rule>\n"
        "          <date_expression id=\"d\" operation=\"date_spec\">\n"
        "            <date_spec id=\"ds\" hours=\"9-16\" weekdays=\"1-5\"/>\n"
        "          </date_expression>\n"
        "        </rule>\n"
        "      </rsc_location>\n"
        "      <rsc_order id=\"o\" kind=\"Serialize\" require-all=\"false\">\n"
        "        <resource_set id=\"o-0\" sequential=\"false\" action=\"promote\">\n"
        "          <resource_ref id=\"a\"/><resource_ref id=\"ms\"/>\n"
        "        </resource_set>\n"
        "      </rsc_order>\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduler_tier1_and_tier2_validate),
        cmocka_unit_test(test_crm_cli_cibs_validate),
        cmocka_unit_test(test_crm_cli_configurations_validate),
        cmocka_unit_test(test_examples_validate),
        cmocka_unit_test(test_new_empty_cib_validates),
        cmocka_unit_test(test_scheduler_tier3_survey),
        cmocka_unit_test(test_unknown_element),
        cmocka_unit_test(test_bundle_is_out_of_scope),
        cmocka_unit_test(test_template_is_out_of_scope),
        cmocka_unit_test(test_ticket_is_out_of_scope),
        cmocka_unit_test(test_acls_alerts_tags_are_out_of_scope),
        cmocka_unit_test(test_rule_inside_attribute_set_is_out_of_scope),
        cmocka_unit_test(test_missing_required_attribute),
        cmocka_unit_test(test_unknown_attribute),
        cmocka_unit_test(test_missing_required_child),
        cmocka_unit_test(test_sections_at_most_once),
        cmocka_unit_test(test_text_inside_element),
        cmocka_unit_test(test_group_inside_group),
        cmocka_unit_test(test_conflicting_attributes),
        cmocka_unit_test(test_repeated_single_child),
        cmocka_unit_test(test_libxml2_fallback),
        cmocka_unit_test(test_root_must_be_cib),
        cmocka_unit_test(test_supported_features_accepted),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
