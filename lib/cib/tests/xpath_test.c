/* XPath queries on a CIB: selected elements, no match, bad expressions, non-elements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>

static const char cib_text[] =
    "<cib admin_epoch=\"0\" epoch=\"3\" num_updates=\"0\" validate-with=\"pacemaker-3.9\">"
    "<configuration><crm_config/><nodes/><resources>"
    "<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"apache\"/>"
    "<primitive id=\"db\" class=\"ocf\" provider=\"heartbeat\" type=\"pgsql\"/>"
    "</resources><constraints/></configuration><status/></cib>";

static xmlDoc *
load(void)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    assert_int_equal(bl_cib_parse(cib_text, strlen(cib_text), "test", &doc, &err), 0);
    return doc;
}

static void
test_selects_elements(void **state)
{
    xmlDoc *doc = load();
    xmlDoc *result = NULL;
    char *err = NULL;
    const xmlNode *first;

    (void) state;
    assert_int_equal(bl_cib_xpath(doc, "//primitive[@type='pgsql']", &result, &err), 0);
    first = bl_xml_first_child(xmlDocGetRootElement(result), NULL);
    assert_string_equal(bl_xml_attr(first, "id"), "db");
    assert_null(bl_xml_next(first, NULL));
    xmlFreeDoc(result);
    assert_int_equal(bl_cib_xpath(doc, "/cib/configuration/resources/primitive", &result, &err), 0);
    assert_int_equal(xmlChildElementCount(xmlDocGetRootElement(result)), 2);
    xmlFreeDoc(result);
    xmlFreeDoc(doc);
}

static void
test_errors(void **state)
{
    xmlDoc *doc = load();
    xmlDoc *result = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_xpath(doc, "//primitive[@id='nope']", &result, &err), BL_ENOTFOUND);
    assert_null(result);
    assert_non_null(strstr(err, "no element matches"));
    bl_free(&err);
    assert_int_equal(bl_cib_xpath(doc, "//primitive[@id=", &result, &err), BL_EPARSE);
    assert_non_null(strstr(err, "invalid expression"));
    bl_free(&err);
    assert_int_equal(bl_cib_xpath(doc, "nosuchfunction(1)", &result, &err), BL_EPARSE);
    assert_non_null(strstr(err, "unknown function"));
    bl_free(&err);
    assert_int_equal(bl_cib_xpath(doc, "count(//primitive)", &result, &err), BL_EINVALID);
    bl_free(&err);
    assert_int_equal(bl_cib_xpath(doc, "//primitive/@id", &result, &err), BL_EINVALID);
    assert_non_null(strstr(err, "attribute"));
    assert_null(result);
    bl_free(&err);
    xmlFreeDoc(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selects_elements),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
