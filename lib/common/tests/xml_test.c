/* XML helpers: parse errors with lines, canonical form and digest stability, atomic files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <belay/common.h>

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    assert_int_equal(bl_xml_parse(text, strlen(text), "t.xml", &doc, &err), 0);
    assert_null(err);
    return doc;
}

static void
test_parse_error_names_file_and_line(void **state)
{
    const char *text = "<a>\n<b>\n</a>\n";
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(bl_xml_parse(text, strlen(text), "t.xml", &doc, &err), BL_EPARSE);
    assert_null(doc);
    assert_non_null(strstr(err, "t.xml line 3"));
    free(err);
}

/*
 * A status section as a saved CIB has it: one node's COUNT histories, indented, one
 * probe result each; about 530 bytes a history, so over 11 MB for 22,000. (libxml2 only
 * fails on such a document when it looks ahead near its end, past 10 MB: a flat list of
 * small elements does not show the problem.)
 */
static GString *
big_document(int count)
{
    GString *text = g_string_new("<status>\n    <node_state id=\"1\" uname=\"node1\">\n"
                                 "      <lrm id=\"1\">\n        <lrm_resources>\n");

    for (int i = 0; i < count; i++) {
        g_string_append_printf(
            text,
            "          <lrm_resource id=\"r%d\" class=\"ocf\" provider=\"pacemaker\" "
            "type=\"Dummy\">\n"
            "            <lrm_rsc_op id=\"r%d_last_0\" operation_key=\"r%d_monitor_0\" "
            "operation=\"monitor\" crm-debug-origin=\"belay-simulate\" "
            "transition-key=\"%d:-1:7:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" "
            "transition-magic=\"0:7;%d:-1:7:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx\" "
            "call-id=\"%d\" rc-code=\"7\" op-status=\"0\" interval=\"0\" "
            "last-rc-change=\"1795478400\" exec-time=\"0\" queue-time=\"0\" "
            "op-digest=\"f2317cad3d54cec5d7d7aa7d0bf35cf8\"/>\n"
            "          </lrm_resource>\n",
            i, i, i, i, i, i);
    }
    g_string_append(text,
                    "        </lrm_resources>\n      </lrm>\n    </node_state>\n  </status>\n");
    return text;
}

/* The lrm_resources element of a document made by big_document(). */
static xmlNode *
big_histories(xmlDoc *doc)
{
    xmlNode *state = bl_xml_first_child(xmlDocGetRootElement(doc), "node_state");

    return bl_xml_first_child(bl_xml_first_child(state, "lrm"), "lrm_resources");
}

/* libxml2 refuses documents over 10 MB by default ("Huge input lookup"): a saved CIB of
 * a few thousand resources is larger, and must read back. */
static void
test_parse_huge_document(void **state)
{
    g_autoptr(GString) text = big_document(22000);
    xmlDoc *doc = NULL;
    char *err = NULL;
    xmlNode *last;

    (void) state;
    assert_true(text->len > 11 * 1000 * 1000);
    assert_int_equal(bl_xml_parse(text->str, text->len, "big.xml", &doc, &err), 0);
    assert_null(err);
    assert_int_equal(xmlChildElementCount(big_histories(doc)), 22000);
    last = xmlLastElementChild(big_histories(doc));
    assert_string_equal(bl_xml_attr(last, "id"), "r21999");
    assert_string_equal(bl_xml_attr(xmlFirstElementChild(last), "op-digest"),
                        "f2317cad3d54cec5d7d7aa7d0bf35cf8");
    xmlFreeDoc(doc);
}

/* Lifting the size limit keeps the parser strict: an error near the end of a large
 * document is still refused, at its line. */
static void
test_parse_huge_document_stays_strict(void **state)
{
    g_autoptr(GString) text = big_document(22000);
    const char *end = "      </lrm>\n    </node_state>\n  </status>\n";
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    /* the closing lrm_resources tag is gone: its element is never closed */
    g_string_truncate(text, text->len - strlen(end) - strlen("        </lrm_resources>\n"));
    g_string_append(text, end);
    assert_int_equal(bl_xml_parse(text->str, text->len, "big.xml", &doc, &err), BL_EPARSE);
    assert_null(doc);
    assert_non_null(strstr(err, "big.xml line 66005"));
    free(err);
}

static void
test_attr_and_children(void **state)
{
    xmlDoc *doc = parse("<a x=\"1\"><b id=\"one\"/><c/><b id=\"two\"><d id=\"deep\"/></b></a>");
    xmlNode *root = xmlDocGetRootElement(doc);

    (void) state;
    assert_string_equal(bl_xml_attr(root, "x"), "1");
    assert_null(bl_xml_attr(root, "y"));
    assert_string_equal(bl_xml_attr(bl_xml_first_child(root, "b"), "id"), "one");
    assert_string_equal(bl_xml_attr(bl_xml_next(bl_xml_first_child(root, "b"), "b"), "id"), "two");
    assert_true(bl_xml_is(bl_xml_child_by_id(root, "b", "two"), "b"));
    assert_true(bl_xml_is(bl_xml_find_id(root, "deep"), "d"));
    assert_null(bl_xml_find_id(root, "nope"));
    bl_xml_set_attr(root, "x", "2");
    assert_string_equal(bl_xml_attr(root, "x"), "2");
    bl_xml_set_attr(root, "x", NULL);
    assert_null(bl_xml_attr(root, "x"));
    xmlFreeDoc(doc);
}

static void
test_canonical_ignores_attr_order_and_whitespace(void **state)
{
    xmlDoc *a = parse("<r b=\"2\" a=\"1\">\n  <c z=\"&amp;\" y=\"q\"/>\n</r>");
    xmlDoc *b = parse("<r a=\"1\" b=\"2\"><c y=\"q\" z=\"&amp;\"/></r>");
    xmlDoc *c = parse("<r a=\"1\" b=\"3\"><c y=\"q\" z=\"&amp;\"/></r>");
    char *ca = bl_xml_canonical(xmlDocGetRootElement(a));
    char da[BL_DIGEST_HEXLEN + 1], db[BL_DIGEST_HEXLEN + 1], dc[BL_DIGEST_HEXLEN + 1];

    (void) state;
    assert_string_equal(ca, "<r a=\"1\" b=\"2\"><c y=\"q\" z=\"&amp;\"></c></r>");
    bl_xml_digest(xmlDocGetRootElement(a), da);
    bl_xml_digest(xmlDocGetRootElement(b), db);
    bl_xml_digest(xmlDocGetRootElement(c), dc);
    assert_string_equal(da, db);
    assert_string_not_equal(da, dc);
    assert_int_equal(strlen(da), BL_DIGEST_HEXLEN);
    free(ca);
    xmlFreeDoc(a);
    xmlFreeDoc(b);
    xmlFreeDoc(c);
}

static void
test_atomic_write_and_read(void **state)
{
    char dir[] = "/tmp/bl-xml-test-XXXXXX";
    char *path;
    char *data = NULL;
    size_t len = 0;
    char *err = NULL;

    (void) state;
    assert_non_null(mkdtemp(dir));
    path = bl_asprintf("%s/f.xml", dir);
    assert_int_equal(bl_file_write_atomic(path, "hello", 5, &err), 0);
    assert_int_equal(bl_file_write_atomic(path, "world!", 6, &err), 0);
    assert_int_equal(bl_file_read(path, &data, &len, &err), 0);
    assert_int_equal(len, 6);
    assert_string_equal(data, "world!");
    free(data);
    unlink(path);
    assert_true(bl_file_read(path, &data, &len, &err) < 0);
    assert_non_null(strstr(err, path));
    free(err);
    free(path);
    rmdir(dir);
}

static void
test_edit_distance(void **state)
{
    (void) state;
    assert_int_equal(bl_edit_distance("webserver", "webserverr", 3), 1);
    assert_int_equal(bl_edit_distance("abc", "abc", 3), 0);
    assert_int_equal(bl_edit_distance("kitten", "sitting", 5), 3);
    assert_int_equal(bl_edit_distance("a", "completely", 2), 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_error_names_file_and_line),
        cmocka_unit_test(test_parse_huge_document),
        cmocka_unit_test(test_parse_huge_document_stays_strict),
        cmocka_unit_test(test_attr_and_children),
        cmocka_unit_test(test_canonical_ignores_attr_order_and_whitespace),
        cmocka_unit_test(test_atomic_write_and_read),
        cmocka_unit_test(test_edit_distance),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
