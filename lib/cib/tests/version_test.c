/* CIB versions: reading, comparing, which change bumps which counter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>

static xmlDoc *
cib_with(const char *attrs)
{
    char *text = bl_asprintf("<cib %s><configuration/><status/></cib>", attrs);
    xmlDoc *doc = NULL;
    char *err = NULL;

    assert_int_equal(bl_cib_parse(text, strlen(text), "v.xml", &doc, &err), 0);
    free(text);
    return doc;
}

static void
test_get_and_missing_counts_as_zero(void **state)
{
    xmlDoc *doc = cib_with("admin_epoch=\"1\" epoch=\"7\"");
    bl_cib_version_t v;

    (void) state;
    assert_int_equal(bl_cib_version_get(doc, &v, NULL), 0);
    assert_int_equal(v.admin_epoch, 1);
    assert_int_equal(v.epoch, 7);
    assert_int_equal(v.num_updates, 0);
    xmlFreeDoc(doc);
}

static void
test_get_rejects_garbage(void **state)
{
    xmlDoc *doc = cib_with("admin_epoch=\"0\" epoch=\"x7\" num_updates=\"0\"");
    bl_cib_version_t v;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_cib_version_get(doc, &v, &err), BL_EPARSE);
    assert_non_null(strstr(err, "epoch"));
    free(err);
    xmlFreeDoc(doc);
}

static void
test_compare_is_lexicographic(void **state)
{
    bl_cib_version_t a = {0, 5, 100};
    bl_cib_version_t b = {0, 6, 0};
    bl_cib_version_t c = {1, 0, 0};

    (void) state;
    assert_true(bl_cib_version_compare(&a, &b) < 0);
    assert_true(bl_cib_version_compare(&b, &c) < 0);
    assert_true(bl_cib_version_compare(&c, &a) > 0);
    assert_int_equal(bl_cib_version_compare(&a, &a), 0);
}

static void
test_bump(void **state)
{
    xmlDoc *doc = cib_with("admin_epoch=\"2\" epoch=\"5\" num_updates=\"3\"");
    bl_cib_version_t v;
    char *text;

    (void) state;
    bl_cib_version_bump(doc, false);
    bl_cib_version_get(doc, &v, NULL);
    text = bl_cib_version_format(&v);
    assert_string_equal(text, "2.5.4");
    free(text);
    bl_cib_version_bump(doc, true);
    bl_cib_version_get(doc, &v, NULL);
    text = bl_cib_version_format(&v);
    assert_string_equal(text, "2.6.0");
    free(text);
    xmlFreeDoc(doc);
}

static void
test_new_empty_has_sections(void **state)
{
    xmlDoc *doc = bl_cib_new_empty();
    const char *sections[] = {"configuration", "crm_config", "nodes", "resources",
                              "constraints",   "status",     NULL};

    (void) state;
    for (int i = 0; sections[i] != NULL; i++) {
        assert_non_null(bl_cib_section(doc, sections[i]));
    }
    assert_null(bl_cib_section(doc, "rsc_defaults"));
    xmlFreeDoc(doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_and_missing_counts_as_zero),
        cmocka_unit_test(test_get_rejects_garbage),
        cmocka_unit_test(test_compare_is_lexicographic),
        cmocka_unit_test(test_bump),
        cmocka_unit_test(test_new_empty_has_sections),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
