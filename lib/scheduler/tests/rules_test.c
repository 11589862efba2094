/* Rules: node attribute expressions (types, defined/not_defined, and/or, nesting),
 * date expressions and the date parser behind -t. */
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
    "<cib have-quorum='true'><configuration><crm_config/>"
    "<nodes>"
    "<node id='n1' uname='alpha'><instance_attributes id='a1'>"
    "<nvpair id='a1-1' name='ram' value='64'/><nvpair id='a1-2' name='site' value='Paris'/>"
    "<nvpair id='a1-3' name='ver' value='2.10.1'/></instance_attributes></node>"
    "<node id='n2' uname='beta'><instance_attributes id='a2'>"
    "<nvpair id='a2-1' name='ram' value='128'/><nvpair id='a2-3' name='ver' value='2.9'/>"
    "</instance_attributes></node>"
    "</nodes><resources/><constraints/></configuration><status/></cib>";

typedef struct fixture {
    xmlDoc *cib;
    bl_sched_t s;
    char *err;
} fixture_t;

static int
setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    bl_sched_options_t options = {.now = 1700000000}; /* 2023-11-14T22:13:20Z */

    assert_int_equal(bl_cib_parse(cib_text, strlen(cib_text), "test", &f->cib, NULL), 0);
    bl__sched_init(&f->s, f->cib, &options, &f->err);
    assert_int_equal(bl__sched_unpack_config(&f->s), 0);
    assert_int_equal(bl__sched_unpack_nodes(&f->s), 0);
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

/* Evaluates RULE (XML text) on the node named UNAME; fails the test on error. */
static bool
eval(fixture_t *f, const char *uname, const char *rule_text)
{
    xmlDoc *doc = NULL;
    bool matched = false;

    assert_int_equal(bl_xml_parse(rule_text, strlen(rule_text), "rule", &doc, NULL), 0);
    assert_int_equal(bl__sched_rule_eval(&f->s, xmlDocGetRootElement(doc),
                                         bl__sched_node_find(&f->s, uname), &matched),
                     0);
    xmlFreeDoc(doc);
    return matched;
}

static void
test_builtin_attributes(void **state)
{
    fixture_t *f = *state;
    const char *rule = "<rule id='r'><expression id='e' attribute='#uname' operation='eq' "
                       "value='alpha'/></rule>";

    assert_true(eval(f, "alpha", rule));
    assert_false(eval(f, "beta", rule));
    assert_true(eval(f, "beta",
                     "<rule id='r'><expression id='e' attribute='#id' "
                     "operation='eq' value='n2'/></rule>"));
}

static void
test_numeric_versus_string_comparison(void **state)
{
    fixture_t *f = *state;

    /* As numbers 128 > 64; as strings "128" < "64". */
    assert_true(eval(f, "beta",
                     "<rule id='r'><expression id='e' attribute='ram' "
                     "operation='gt' value='64' type='integer'/></rule>"));
    assert_false(eval(f, "beta",
                      "<rule id='r'><expression id='e' attribute='ram' "
                      "operation='gt' value='64' type='string'/></rule>"));
    /* type=integer reads the leading integer, as Pacemaker does: 2.10.1 is 2 */
    assert_true(eval(f, "alpha",
                     "<rule id='r'><expression id='e' attribute='ver' "
                     "operation='eq' value='2.9' type='integer'/></rule>"));
    assert_false(eval(f, "alpha",
                      "<rule id='r'><expression id='e' attribute='ver' "
                      "operation='eq' value='2.9' type='number'/></rule>"));
    /* lt/gt default to numbers */
    assert_true(eval(f, "beta",
                     "<rule id='r'><expression id='e' attribute='ram' "
                     "operation='gte' value='100'/></rule>"));
    /* versions compare field by field: 2.10.1 > 2.9 */
    assert_true(eval(f, "alpha",
                     "<rule id='r'><expression id='e' attribute='ver' "
                     "operation='gt' value='2.9' type='version'/></rule>"));
    /* strings compare without case */
    assert_true(eval(f, "alpha",
                     "<rule id='r'><expression id='e' attribute='site' "
                     "operation='eq' value='paris'/></rule>"));
}

static void
test_defined_and_missing_attributes(void **state)
{
    fixture_t *f = *state;

    assert_true(eval(f, "alpha",
                     "<rule id='r'><expression id='e' attribute='site' "
                     "operation='defined'/></rule>"));
    assert_true(eval(f, "beta",
                     "<rule id='r'><expression id='e' attribute='site' "
                     "operation='not_defined'/></rule>"));
    /* a missing attribute is "not equal" to anything, and never less or greater */
    assert_true(eval(f, "beta",
                     "<rule id='r'><expression id='e' attribute='site' "
                     "operation='ne' value='Paris'/></rule>"));
    assert_false(eval(f, "beta",
                      "<rule id='r'><expression id='e' attribute='site' "
                      "operation='lt' value='Z'/></rule>"));
}

static void
test_boolean_ops_and_nesting(void **state)
{
    fixture_t *f = *state;
    const char *either = "<rule id='r' boolean-op='or'>"
                         "<expression id='e1' attribute='#uname' operation='eq' value='alpha'/>"
                         "<rule id='r2'><expression id='e2' attribute='ram' operation='gt' "
                         "value='100'/></rule></rule>";
    const char *both = "<rule id='r' boolean-op='and'>"
                       "<expression id='e1' attribute='#uname' operation='eq' value='alpha'/>"
                       "<expression id='e2' attribute='ram' operation='gt' value='100'/></rule>";

    assert_true(eval(f, "alpha", either));
    assert_true(eval(f, "beta", either));
    assert_false(eval(f, "alpha", both));
    assert_false(eval(f, "beta", both));
    /* an empty "and" rule holds, an empty "or" rule does not (as in Pacemaker) */
    assert_true(eval(f, "alpha", "<rule id='r'/>"));
    assert_false(eval(f, "alpha", "<rule id='r' boolean-op='or'/>"));
}

static void
test_date_expressions(void **state)
{
    fixture_t *f = *state;

    assert_true(eval(f, "alpha",
                     "<rule id='r'><date_expression id='d' operation='in_range' "
                     "start='2023-11-01' end='2023-11-30'/></rule>"));
    assert_false(eval(f, "alpha",
                      "<rule id='r'><date_expression id='d' operation='in_range' "
                      "start='2023-12-01'/></rule>"));
    assert_true(eval(f, "alpha",
                     "<rule id='r'><date_expression id='d' operation='gt' "
                     "start='2023-11-14T22:13:19Z'/></rule>"));
    assert_false(eval(f, "alpha",
                      "<rule id='r'><date_expression id='d' operation='lt' "
                      "end='2023-11-14T22:13:20Z'/></rule>"));
}

static void
test_unsupported_is_refused(void **state)
{
    fixture_t *f = *state;
    xmlDoc *doc = NULL;
    const char *text = "<rule id='r'><date_expression id='d' operation='date_spec'/></rule>";
    bool matched = false;

    assert_int_equal(bl_xml_parse(text, strlen(text), "rule", &doc, NULL), 0);
    assert_int_equal(bl__sched_rule_eval(&f->s, xmlDocGetRootElement(doc), NULL, &matched),
                     BL_EUNSUPPORTED);
    assert_non_null(strstr(f->err, "date_spec"));
    xmlFreeDoc(doc);
}

static void
test_date_parse(void **state)
{
    int64_t when = 0;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_sched_date_parse("1970-01-02", &when, NULL), 0);
    assert_int_equal(when, 86400);
    assert_int_equal(bl_sched_date_parse("2014-05-07 00:28:00", &when, NULL), 0);
    assert_int_equal(when, 1399422480);
    assert_int_equal(bl_sched_date_parse("2014-05-07T02:28:00+02:00", &when, NULL), 0);
    assert_int_equal(when, 1399422480);
    assert_int_equal(bl_sched_date_parse("2005-020", &when, NULL), 0); /* ordinal */
    assert_int_equal(when, 1106179200);                                /* 2005-01-20 */
    assert_int_equal(bl_sched_date_parse("@42", &when, NULL), 0);
    assert_int_equal(when, 42);
    assert_int_equal(bl_sched_date_parse("yesterday", &when, &err), BL_EPARSE);
    assert_non_null(strstr(err, "yesterday"));
    free(err);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_builtin_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numeric_versus_string_comparison, setup, teardown),
        cmocka_unit_test_setup_teardown(test_defined_and_missing_attributes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_boolean_ops_and_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_date_expressions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsupported_is_refused, setup, teardown),
        cmocka_unit_test(test_date_parse),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
