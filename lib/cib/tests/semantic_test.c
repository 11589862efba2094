/*
 * Semantic checks of a CIB: one test per rule, each asserting the exact message (so
 * the object, its line and the fix are named), plus what must stay accepted and a
 * large CIB.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>

#include <belay/cib.h>

/* Lines 8 and on hold RESOURCES; CONSTRAINTS follow them, then STATUS. */
static char *
cib_text(const char *resources, const char *constraints, const char *status)
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
                       "  <status>\n%s  </status>\n"
                       "</cib>\n",
                       resources, constraints, status);
}

/* Two primitives on lines 8 and 9: constraints start on line 12. */
#define TWO_PRIMITIVES                                                                             \
    "      <primitive id=\"webserver\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\"/>\n"   \
    "      <primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"/>\n"

/* Full validation (schema, then semantics); returns the message or NULL. */
static char *
validate(const char *resources, const char *constraints, const char *status, int *rc)
{
    char *text = cib_text(resources, constraints, status);
    xmlDoc *doc = NULL;
    char *err = NULL;

    if (bl_cib_parse(text, strlen(text), "t.xml", &doc, &err) != 0) {
        fail_msg("test document does not parse: %s", err);
    }
    *rc = bl_cib_validate(doc, &err);
    xmlFreeDoc(doc);
    free(text);
    return err;
}

static void
assert_invalid_status(const char *resources, const char *constraints, const char *status,
                      const char *expected)
{
    int rc;
    char *err = validate(resources, constraints, status, &rc);

    if (rc != BL_EINVALID || err == NULL || strcmp(err, expected) != 0) {
        fail_msg("expected \"%s\", got rc %d \"%s\"", expected, rc,
                 err != NULL ? err : "(accepted)");
    }
    free(err);
}

static void
assert_invalid(const char *resources, const char *constraints, const char *expected)
{
    assert_invalid_status(resources, constraints, "", expected);
}

static void
assert_valid(const char *resources, const char *constraints)
{
    int rc;
    char *err = validate(resources, constraints, "", &rc);

    if (rc != 0) {
        fail_msg("refused: %s", err);
    }
    assert_null(err);
}

/* ----------------------------------------------------------------- ids */

static void
test_duplicate_id(void **state)
{
    (void) state;
    assert_invalid(
        "      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">\n"
        "        <meta_attributes id=\"web\"/>\n"
        "      </primitive>\n",
        "", "line 9: meta_attributes: id 'web' is already used by the primitive at line 8");
    assert_invalid(TWO_PRIMITIVES,
                   "      <rsc_location id=\"vip\" rsc=\"vip\" node=\"node1\" score=\"10\"/>\n",
                   "line 12: rsc_location: id 'vip' is already used by the primitive at line 9");
}

static void
test_duplicate_node(void **state)
{
    int rc;
    const char *text = "<cib><configuration><crm_config/><nodes>\n"
                       "<node id=\"1\" uname=\"node1\"/>\n"
                       "<node id=\"2\" uname=\"node1\"/>\n"
                       "</nodes><resources/><constraints/></configuration></cib>";
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_parse(text, strlen(text), "t.xml", &doc, NULL), 0);
    rc = bl_cib_validate(doc, &err);
    assert_int_equal(rc, BL_EINVALID);
    assert_string_equal(err, "line 3: node: uname 'node1' is already used by the node at line 2");
    free(err);
    xmlFreeDoc(doc);
}

static void
test_node_and_resource_may_share_an_id(void **state)
{
    (void) state;
    /* Node ids are their own space in Pacemaker: node "1" and resources never clash. */
    assert_valid(
        "      <primitive id=\"node1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n",
        "");
}

static void
test_invalid_id(void **state)
{
    (void) state;
    assert_invalid(
        "      <primitive id=\"1web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\"/>\n", "",
        "line 8: primitive: id '1web' is not a valid id (it must start with a letter or '_' and contain only letters, digits, '-', '_' and '.')");
}

/* ---------------------------------------------------------- references */

static void
test_dangling_reference_with_hint(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_colocation id=\"web-with-vip\" rsc=\"vip\" with-rsc=\"webserverr\" score=\"INFINITY\"/>\n",
        "line 12: rsc_colocation 'web-with-vip': with-rsc 'webserverr' does not exist (did you mean 'webserver'?)");
    assert_invalid(TWO_PRIMITIVES, "      <rsc_order id=\"o\" first=\"vpi\" then=\"webserver\"/>\n",
                   "line 12: rsc_order 'o': first 'vpi' does not exist (did you mean 'vip'?)");
}

static void
test_dangling_reference_without_hint(void **state)
{
    (void) state;
    assert_invalid(TWO_PRIMITIVES,
                   "      <rsc_location id=\"l\" rsc=\"database\" node=\"node1\" score=\"10\"/>\n",
                   "line 12: rsc_location 'l': rsc 'database' does not exist");
}

static void
test_resource_set_reference(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_order id=\"o\">\n"
        "        <resource_set id=\"o-0\">\n"
        "          <resource_ref id=\"vip\"/>\n"
        "          <resource_ref id=\"webservr\"/>\n"
        "        </resource_set>\n"
        "      </rsc_order>\n",
        "line 15: resource_ref 'webservr': id 'webservr' does not exist (did you mean 'webserver'?)");
}

static void
test_reference_to_non_resource(void **state)
{
    (void) state;
    assert_invalid(
        "      <primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">\n"
        "        <meta_attributes id=\"vip-meta\"/>\n"
        "      </primitive>\n",
        "      <rsc_colocation id=\"c\" rsc=\"vip\" with-rsc=\"vip-meta\" score=\"10\"/>\n",
        "line 13: rsc_colocation 'c': with-rsc 'vip-meta' is not a resource (it names the meta_attributes at line 9)");
    assert_invalid(TWO_PRIMITIVES, "      <rsc_order id=\"o\" first=\"vip\" then=\"1\"/>\n",
                   "line 12: rsc_order 'o': then '1' is not a resource (it names a node)");
}

static void
test_constraints_on_group_members_and_unknown_nodes(void **state)
{
    (void) state;
    /* Pacemaker allows location constraints on nodes not (yet) in the configuration. */
    assert_valid(
        "      <group id=\"g\">\n"
        "        <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n"
        "      </group>\n"
        "      <clone id=\"c\">\n"
        "        <primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>\n"
        "      </clone>\n",
        "      <rsc_location id=\"l\" rsc=\"a\" node=\"node9\" score=\"-INFINITY\"/>\n"
        "      <rsc_colocation id=\"co\" rsc=\"g\" with-rsc=\"c\" score=\"INFINITY\"/>\n"
        "      <rsc_order id=\"o\" first=\"c\" then=\"a\"/>\n");
}

static void
test_id_ref(void **state)
{
    const char *shared =
        "      <primitive id=\"a\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n"
        "        <instance_attributes id=\"common\">\n"
        "          <nvpair id=\"common-ip\" name=\"ip\" value=\"192.0.2.1\"/>\n"
        "        </instance_attributes>\n"
        "      </primitive>\n";
    g_autofree char *good = bl_asprintf(
        "%s%s", shared,
        "      <primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n"
        "        <instance_attributes id-ref=\"common\"/>\n"
        "        <meta_attributes id=\"b-meta\"><nvpair id-ref=\"common-ip\"/></meta_attributes>\n"
        "      </primitive>\n");
    g_autofree char *missing = bl_asprintf(
        "%s%s", shared,
        "      <primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n"
        "        <instance_attributes id-ref=\"comon\"/>\n"
        "      </primitive>\n");
    g_autofree char *wrong_kind = bl_asprintf(
        "%s%s", shared,
        "      <primitive id=\"b\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">\n"
        "        <meta_attributes id-ref=\"common\"/>\n"
        "      </primitive>\n");

    (void) state;
    assert_valid(good, "");
    assert_invalid(
        missing, "",
        "line 14: instance_attributes (id-ref 'comon'): id-ref 'comon' does not exist (did you mean 'common'?)");
    assert_invalid(
        wrong_kind, "",
        "line 14: meta_attributes (id-ref 'common'): the id names the instance_attributes at line 9, not a meta_attributes");
}

static void
test_rule_reference_cannot_nest(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc=\"vip\">\n"
        "        <rule id=\"r\" score=\"10\">\n"
        "          <rule id-ref=\"r\"/>\n"
        "        </rule>\n"
        "      </rsc_location>\n",
        "line 14: rule (id-ref 'r'): the rule it names refers to other rules itself (a referenced rule must be written out in full)");
}

/* -------------------------------------------------------------- values */

static void
test_bad_score(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc=\"vip\" node=\"node1\" score=\"lots\"/>\n",
        "line 12: rsc_location 'l': score: invalid score 'lots' (expected an integer, INFINITY or -INFINITY)");
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_colocation id=\"c\" rsc=\"vip\" with-rsc=\"webserver\" score=\"1.5\"/>\n",
        "line 12: rsc_colocation 'c': score: invalid score '1.5' (expected an integer, INFINITY or -INFINITY)");
}

static void
test_score_and_score_attribute(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc=\"vip\">\n"
        "        <rule id=\"l-rule\" score=\"10\" score-attribute=\"pingd\">\n"
        "          <expression id=\"l-e\" attribute=\"pingd\" operation=\"defined\"/>\n"
        "        </rule>\n"
        "      </rsc_location>\n",
        "line 13: rule 'l-rule' has both score and score-attribute (use one: a fixed score, or the node attribute that holds it)");
}

static void
test_location_rule_needs_score(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc=\"vip\">\n"
        "        <rule id=\"l-rule\">\n"
        "          <expression id=\"l-e\" attribute=\"pingd\" operation=\"defined\"/>\n"
        "        </rule>\n"
        "      </rsc_location>\n",
        "line 13: rule 'l-rule' in a location constraint needs a score or a score-attribute");
}

static void
test_bad_interval_and_timeout(void **state)
{
    (void) state;
    assert_invalid(
        "      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">\n"
        "        <operations>\n"
        "          <op id=\"web-monitor\" name=\"monitor\" interval=\"10x\"/>\n"
        "        </operations>\n"
        "      </primitive>\n",
        "",
        "line 10: op 'web-monitor': interval: invalid duration '10x' (expected a number with an optional unit: ms, s, min, h; e.g. 30s)");
    assert_invalid(
        "      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">\n"
        "        <operations>\n"
        "          <op id=\"web-start\" name=\"start\" interval=\"0\" timeout=\"soon\"/>\n"
        "        </operations>\n"
        "      </primitive>\n",
        "",
        "line 10: op 'web-start': timeout: invalid duration 'soon' (expected a number with an optional unit: ms, s, min, h; e.g. 30s)");
}

static void
test_duplicate_op(void **state)
{
    (void) state;
    /* 10s and 10000ms are the same interval: Pacemaker keys operations by it. */
    assert_invalid(
        "      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">\n"
        "        <operations>\n"
        "          <op id=\"web-monitor-a\" name=\"monitor\" interval=\"10s\"/>\n"
        "          <op id=\"web-start\" name=\"start\" interval=\"0\"/>\n"
        "          <op id=\"web-monitor-b\" name=\"monitor\" interval=\"10000ms\" timeout=\"5s\"/>\n"
        "        </operations>\n"
        "      </primitive>\n",
        "",
        "line 12: op 'web-monitor-b' of primitive 'web' has the same name and interval as op 'web-monitor-a' at line 10 ('monitor' every 10000ms); Pacemaker refuses two such operations");
    assert_valid(
        "      <primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\">\n"
        "        <operations>\n"
        "          <op id=\"web-monitor-a\" name=\"monitor\" interval=\"10s\"/>\n"
        "          <op id=\"web-monitor-b\" name=\"monitor\" interval=\"11s\"/>\n"
        "          <op id=\"web-start\" name=\"start\" interval=\"0\"/>\n"
        "        </operations>\n"
        "      </primitive>\n",
        "");
}

static void
test_enumerations(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_order id=\"o\" first=\"vip\" then=\"webserver\" kind=\"mandatory\"/>\n",
        "line 12: rsc_order 'o': kind 'mandatory' is not valid (expected Mandatory, Optional or Serialize; did you mean 'Mandatory'?)");
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_colocation id=\"c\" rsc=\"vip\" with-rsc=\"webserver\" score=\"10\" with-rsc-role=\"Primary\"/>\n",
        "line 12: rsc_colocation 'c': with-rsc-role 'Primary' is not valid (expected Started, Stopped, Promoted, Unpromoted, Master or Slave)");
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_order id=\"o\" first=\"vip\" then=\"webserver\" symmetrical=\"maybe\"/>\n",
        "line 12: rsc_order 'o': symmetrical 'maybe' is not valid (expected true, false, yes, no, on, off, y, n, 1 or 0)");
    assert_invalid(
        "      <primitive id=\"a\" class=\"ofc\" provider=\"heartbeat\" type=\"Dummy\"/>\n", "",
        "line 8: primitive 'a': class 'ofc' is not valid (expected ocf, lsb, service, systemd, stonith, heartbeat, upstart or nagios; did you mean 'ocf'?)");
}

static void
test_remote_nodes_unsupported(void **state)
{
    int rc;
    const char *text = "<cib><configuration><crm_config/><nodes>\n"
                       "<node id=\"r1\" uname=\"remote1\" type=\"remote\"/>\n"
                       "</nodes><resources/><constraints/></configuration></cib>";
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_parse(text, strlen(text), "t.xml", &doc, NULL), 0);
    rc = bl_cib_validate(doc, &err);
    assert_int_equal(rc, BL_EINVALID);
    assert_string_equal(
        err,
        "line 2: node 'r1': type 'remote' is not supported (Belay does not support remote nodes)");
    free(err);
    xmlFreeDoc(doc);
}

static void
test_provider(void **state)
{
    (void) state;
    assert_invalid(
        "      <primitive id=\"a\" class=\"ocf\" type=\"Dummy\"/>\n", "",
        "line 8: primitive 'a': class 'ocf' needs a provider (e.g. provider=\"heartbeat\")");
    assert_invalid(
        "      <primitive id=\"a\" class=\"systemd\" provider=\"heartbeat\" type=\"sshd\"/>\n", "",
        "line 8: primitive 'a': provider 'heartbeat' is only allowed with class 'ocf', not 'systemd'");
}

/* --------------------------------------------------------- constraints */

static void
test_self_colocation(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_colocation id=\"c\" rsc=\"vip\" with-rsc=\"vip\" score=\"INFINITY\"/>\n",
        "line 12: rsc_colocation 'c': resource 'vip' cannot be colocated with itself (rsc and with-rsc name the same resource)");
}

static void
test_self_order(void **state)
{
    (void) state;
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_order id=\"o\" first=\"vip\" then=\"vip\" then-action=\"start\"/>\n",
        "line 12: rsc_order 'o': resource 'vip' cannot be ordered after itself (first and then name the same resource)");
    /* Between different actions it makes sense: demote, then promote (Pacemaker's corpus). */
    assert_valid(
        TWO_PRIMITIVES,
        "      <rsc_order id=\"o\" first=\"vip\" first-action=\"demote\" then=\"vip\" then-action=\"promote\"/>\n");
}

static void
test_rsc_pattern(void **state)
{
    int rc;
    char *err = validate(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc-pattern=\"web(\" node=\"node1\" score=\"10\"/>\n", "",
        &rc);

    (void) state;
    assert_int_equal(rc, BL_EINVALID);
    assert_non_null(err);
    assert_true(g_str_has_prefix(
        err, "line 12: rsc_location 'l': rsc-pattern 'web(' is not a valid regular expression ("));
    free(err);
    assert_valid(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc-pattern=\"^web\" node=\"node1\" score=\"10\"/>\n");
}

static void
test_rule_expressions(void **state)
{
    (void) state;
    assert_invalid(TWO_PRIMITIVES,
                   "      <rsc_location id=\"l\" rsc=\"vip\">\n"
                   "        <rule id=\"l-rule\" score=\"10\">\n"
                   "          <expression id=\"l-e\" attribute=\"rack\" operation=\"eq\"/>\n"
                   "        </rule>\n"
                   "      </rsc_location>\n",
                   "line 14: expression 'l-e': operation 'eq' needs a value to compare with");
    assert_invalid(TWO_PRIMITIVES,
                   "      <rsc_location id=\"l\" rsc=\"vip\">\n"
                   "        <rule id=\"l-rule\" score=\"10\">\n"
                   "          <date_expression id=\"l-d\" operation=\"gt\" end=\"2026-01-01\"/>\n"
                   "        </rule>\n"
                   "      </rsc_location>\n",
                   "line 14: date_expression 'l-d': operation 'gt' needs start");
    assert_invalid(
        TWO_PRIMITIVES,
        "      <rsc_location id=\"l\" rsc=\"vip\">\n"
        "        <rule id=\"l-rule\" score=\"10\">\n"
        "          <date_expression id=\"l-d\" operation=\"date_spec\">\n"
        "            <date_spec id=\"l-s\" hours=\"9-\"/>\n"
        "          </date_expression>\n"
        "        </rule>\n"
        "      </rsc_location>\n",
        "line 15: date_spec 'l-s': hours '9-' is not valid (expected a number or a range such as 9-17)");
}

/* -------------------------------------------------------------- status */

static void
test_status_duplicates(void **state)
{
    (void) state;
    assert_invalid_status(
        TWO_PRIMITIVES, "",
        "    <node_state id=\"1\" uname=\"node1\"/>\n"
        "    <node_state id=\"1\" uname=\"node1\"/>\n",
        "line 16: node_state: id '1' is already used by the node_state at line 15");
    assert_invalid_status(
        TWO_PRIMITIVES, "",
        "    <node_state id=\"1\" uname=\"node1\">\n"
        "      <lrm id=\"1\"><lrm_resources>\n"
        "        <lrm_resource id=\"vip\" class=\"ocf\" type=\"IPaddr2\"/>\n"
        "        <lrm_resource id=\"vip\" class=\"ocf\" type=\"IPaddr2\"/>\n"
        "      </lrm_resources></lrm>\n"
        "    </node_state>\n",
        "line 18: lrm_resource: id 'vip' is already used by the lrm_resource at line 17");
}

static void
test_status_ids_are_separate(void **state)
{
    int rc;
    /* lrm_resource ids name configured resources, node_state ids name nodes. */
    char *err =
        validate(TWO_PRIMITIVES, "",
                 "    <node_state id=\"1\" uname=\"node1\">\n"
                 "      <transient_attributes id=\"1\"/>\n"
                 "      <lrm id=\"1\"><lrm_resources>\n"
                 "        <lrm_resource id=\"vip\" class=\"ocf\" type=\"IPaddr2\">\n"
                 "          <lrm_rsc_op id=\"vip_last_0\" operation=\"start\" any-thing=\"x\"/>\n"
                 "        </lrm_resource>\n"
                 "      </lrm_resources></lrm>\n"
                 "    </node_state>\n",
                 &rc);

    (void) state;
    if (rc != 0) {
        fail_msg("refused: %s", err);
    }
}

/* -------------------------------------------------------- robustness */

/* bl_cib_validate_semantics() is public: it must not trust the schema to have run. */
static void
test_semantics_without_schema(void **state)
{
    const char *text = "<cib><configuration><resources><primitive/><group><primitive id=\"a\"/>"
                       "<operations><op/><op name=\"x\"/></operations></group></resources>"
                       "<constraints><rsc_colocation/><rsc_colocation rsc=\"nothere\"/>"
                       "<rsc_order first=\"a\"/><rsc_location/>"
                       "<resource_ref/><nvpair id-ref=\"\"/><rule/><expression/><date_expression/>"
                       "</constraints></configuration><status><node_state/><node_state>"
                       "<lrm><lrm_resources><lrm_resource/></lrm_resources></lrm></node_state>"
                       "</status></cib>";
    xmlDoc *doc = NULL;
    char *err = NULL;
    int rc;

    (void) state;
    assert_int_equal(bl_cib_parse(text, strlen(text), "t.xml", &doc, NULL), 0);
    rc = bl_cib_validate_semantics(doc, &err);
    assert_int_equal(rc, BL_EINVALID);
    /* The hint search must skip the primitive without an id (found by fuzzing). */
    assert_string_equal(err, "line 1: element 'rsc_colocation': rsc 'nothere' does not exist");
    free(err);
    xmlFreeDoc(doc);
}

/* ---------------------------------------------------------------- scale */

/*
 * A CIB of 2,000 primitives with three constraints each: every id distinct, every
 * reference good, so nothing may be reported. (lib/cib/tests/validate_bench prints
 * the time for 10,000; here the size keeps the valgrind run short.)
 */
static void
test_many_primitives(void **state)
{
    GString *text = g_string_new("<cib><configuration><crm_config/><nodes>"
                                 "<node id=\"1\" uname=\"node1\"/></nodes><resources>\n");
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    for (int i = 0; i < 2000; i++) {
        g_string_append_printf(
            text,
            "<primitive id=\"r%d\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
            "<operations><op id=\"r%d-monitor\" name=\"monitor\" interval=\"10s\"/>"
            "<op id=\"r%d-start\" name=\"start\" interval=\"0\"/></operations></primitive>\n",
            i, i, i);
    }
    g_string_append(text, "</resources><constraints>\n");
    for (int i = 1; i < 2000; i++) {
        g_string_append_printf(
            text,
            "<rsc_colocation id=\"c%d\" rsc=\"r%d\" with-rsc=\"r%d\" score=\"100\"/>"
            "<rsc_order id=\"o%d\" first=\"r%d\" then=\"r%d\"/>"
            "<rsc_location id=\"l%d\" rsc=\"r%d\" node=\"node1\" score=\"INFINITY\"/>\n",
            i, i, i - 1, i, i - 1, i, i, i);
    }
    /* One bad reference at the very end: found, and named with its line. */
    g_string_append(text, "<rsc_order id=\"last\" first=\"r1999\" then=\"r2000\"/>\n"
                          "</constraints></configuration></cib>\n");
    assert_int_equal(bl_cib_parse(text->str, text->len, "big.xml", &doc, NULL), 0);
    assert_int_equal(bl_cib_validate(doc, &err), BL_EINVALID);
    assert_string_equal(
        err, "line 4002: rsc_order 'last': then 'r2000' does not exist (did you mean 'r200'?)");
    free(err);
    xmlFreeDoc(doc);
    g_string_free(text, TRUE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_id),
        cmocka_unit_test(test_duplicate_node),
        cmocka_unit_test(test_node_and_resource_may_share_an_id),
        cmocka_unit_test(test_invalid_id),
        cmocka_unit_test(test_dangling_reference_with_hint),
        cmocka_unit_test(test_dangling_reference_without_hint),
        cmocka_unit_test(test_resource_set_reference),
        cmocka_unit_test(test_reference_to_non_resource),
        cmocka_unit_test(test_constraints_on_group_members_and_unknown_nodes),
        cmocka_unit_test(test_id_ref),
        cmocka_unit_test(test_rule_reference_cannot_nest),
        cmocka_unit_test(test_bad_score),
        cmocka_unit_test(test_score_and_score_attribute),
        cmocka_unit_test(test_location_rule_needs_score),
        cmocka_unit_test(test_bad_interval_and_timeout),
        cmocka_unit_test(test_duplicate_op),
        cmocka_unit_test(test_enumerations),
        cmocka_unit_test(test_remote_nodes_unsupported),
        cmocka_unit_test(test_provider),
        cmocka_unit_test(test_self_colocation),
        cmocka_unit_test(test_self_order),
        cmocka_unit_test(test_rsc_pattern),
        cmocka_unit_test(test_rule_expressions),
        cmocka_unit_test(test_status_duplicates),
        cmocka_unit_test(test_status_ids_are_separate),
        cmocka_unit_test(test_semantics_without_schema),
        cmocka_unit_test(test_many_primitives),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
