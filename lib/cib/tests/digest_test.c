/* Configuration digest: stable under attribute order and whitespace, sensitive to edits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>

static const char base[] =
    "<cib admin_epoch=\"0\" epoch=\"4\" num_updates=\"2\"><configuration><crm_config/>"
    "<nodes/><resources><group id=\"g\"><primitive id=\"a\" class=\"ocf\" type=\"Dummy\"/>"
    "<primitive id=\"b\" class=\"ocf\" type=\"Dummy\"/></group></resources><constraints/>"
    "</configuration><status><node_state id=\"1\"/></status></cib>";

static void
digest_of(const char *text, char out[BL_DIGEST_HEXLEN + 1])
{
    xmlDoc *doc = NULL;

    assert_int_equal(bl_cib_parse(text, strlen(text), "d.xml", &doc, NULL), 0);
    bl_cib_digest(doc, out);
    xmlFreeDoc(doc);
}

static void
test_stable_under_attribute_order_and_whitespace(void **state)
{
    const char *reformatted =
        "<cib num_updates=\"2\" epoch=\"4\" admin_epoch=\"0\">\n"
        "  <configuration>\n    <crm_config/>\n    <nodes></nodes>\n    <resources>\n"
        "      <group id=\"g\">\n"
        "        <primitive type=\"Dummy\" class=\"ocf\" id=\"a\"/>\n"
        "        <primitive class=\"ocf\"   id=\"b\" type=\"Dummy\" />\n"
        "      </group>\n    </resources>\n    <constraints/>\n  </configuration>\n"
        "  <status><node_state id=\"1\"/></status>\n</cib>\n";
    char a[BL_DIGEST_HEXLEN + 1];
    char b[BL_DIGEST_HEXLEN + 1];

    (void) state;
    digest_of(base, a);
    digest_of(reformatted, b);
    assert_string_equal(a, b);
    assert_int_equal(strlen(a), BL_DIGEST_HEXLEN);
    assert_int_equal(strspn(a, "0123456789abcdef"), BL_DIGEST_HEXLEN);
}

/* Replaces the first FROM in base by TO and returns the digest of the result. */
static void
digest_edited(const char *from, const char *to, char out[BL_DIGEST_HEXLEN + 1])
{
    const char *at = strstr(base, from);
    char *text;

    assert_non_null(at);
    text = bl_asprintf("%.*s%s%s", (int) (at - base), base, to, at + strlen(from));
    digest_of(text, out);
    free(text);
}

static void
test_configuration_edits_change_it(void **state)
{
    static const char *const edits[][2] = {
        {"type=\"Dummy\"", "type=\"Stateful\""},                 /* a value */
        {"class=\"ocf\" type", "class=\"ocf\" extra=\"\" type"}, /* an empty attribute */
        {"<primitive id=\"a\" class=\"ocf\" type=\"Dummy\"/><primitive id=\"b\" class=\"ocf\" type=\"Dummy\"/>",
         "<primitive id=\"b\" class=\"ocf\" type=\"Dummy\"/><primitive id=\"a\" class=\"ocf\" type=\"Dummy\"/>"},
        {"<constraints/>",
         "<constraints><rsc_order id=\"o\" first=\"a\" then=\"b\"/></constraints>"},
        {"<nodes/>", ""},
    };
    char original[BL_DIGEST_HEXLEN + 1];
    char edited[BL_DIGEST_HEXLEN + 1];

    (void) state;
    digest_of(base, original);
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        digest_edited(edits[i][0], edits[i][1], edited);
        if (strcmp(original, edited) == 0) {
            fail_msg("edit %zu did not change the digest", i);
        }
    }
}

static void
test_status_and_versions_do_not_count(void **state)
{
    char original[BL_DIGEST_HEXLEN + 1];
    char edited[BL_DIGEST_HEXLEN + 1];

    (void) state;
    digest_of(base, original);
    digest_edited("<node_state id=\"1\"/>", "<node_state id=\"1\" crmd=\"online\"/>", edited);
    assert_string_equal(original, edited);
    digest_edited("epoch=\"4\"", "epoch=\"5\" have-quorum=\"1\"", edited);
    assert_string_equal(original, edited);
}

static void
test_without_configuration(void **state)
{
    char digest[BL_DIGEST_HEXLEN + 1];

    (void) state;
    digest_of("<cib><status/></cib>", digest);
    /* SHA-256 of no bytes. */
    assert_string_equal(digest, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stable_under_attribute_order_and_whitespace),
        cmocka_unit_test(test_configuration_edits_change_it),
        cmocka_unit_test(test_status_and_versions_do_not_count),
        cmocka_unit_test(test_without_configuration),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
