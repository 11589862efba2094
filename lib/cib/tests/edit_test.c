/*
 * Edits by element (lib/cib/cib_edit.c) and the replica applying them
 * (bl_cib_replica_change_deferred()): what cibadmin --modify/--create/--replace/--delete
 * users rely on, and that a refused edit changes nothing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <belay/cib.h>

#include "test_dirs.h"

static const char base_xml[] =
    "<cib admin_epoch=\"0\" epoch=\"3\" num_updates=\"2\" validate-with=\"pacemaker-3.9\">"
    "<configuration><crm_config><cluster_property_set id=\"opts\">"
    "<nvpair id=\"opts-a\" name=\"a\" value=\"1\"/></cluster_property_set></crm_config>"
    "<nodes/><resources>"
    "<primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
    "<meta_attributes id=\"web-meta\"><nvpair id=\"web-meta-t\" name=\"target-role\" value=\"Started\"/>"
    "</meta_attributes></primitive></resources><constraints/></configuration><status/></cib>";

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    assert_int_equal(bl_xml_parse(text, strlen(text), "test", &doc, &err), 0);
    return doc;
}

/* Applies the edit EDIT_XML to a copy of the base CIB; returns its rc, the result in *doc. */
static int
edit(const char *edit_xml, xmlDoc **doc, char **err)
{
    xmlDoc *edit_doc = parse(edit_xml);
    int rc;

    *doc = parse(base_xml);
    rc = bl_cib_edit_apply(*doc, edit_doc, NULL, NULL, err);
    xmlFreeDoc(edit_doc);
    return rc;
}

static const char *
attr_of(const xmlDoc *doc, const char *id, const char *name)
{
    return bl_xml_attr(bl_xml_find_id(xmlDocGetRootElement(doc), id), name);
}

static void
test_modify_sets_attributes_by_id(void **state)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(edit("<cib-edit><modify section=\"crm_config\">"
                          "<nvpair id=\"opts-a\" value=\"2\"/></modify></cib-edit>",
                          &doc, &err),
                     0);
    assert_string_equal(attr_of(doc, "opts-a", "value"), "2");
    assert_string_equal(attr_of(doc, "opts-a", "name"), "a"); /* untouched */
    assert_int_equal(bl_cib_validate(doc, &err), 0);
    xmlFreeDoc(doc);
}

static void
test_modify_merges_children(void **state)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(edit("<cib-edit><modify section=\"resources\"><primitive id=\"web\">"
                          "<meta_attributes id=\"web-meta\">"
                          "<nvpair id=\"web-meta-t\" name=\"target-role\" value=\"Stopped\"/>"
                          "<nvpair id=\"web-meta-s\" name=\"is-managed\" value=\"false\"/>"
                          "</meta_attributes></primitive></modify></cib-edit>",
                          &doc, &err),
                     0);
    assert_string_equal(attr_of(doc, "web-meta-t", "value"), "Stopped");
    assert_string_equal(attr_of(doc, "web-meta-s", "value"), "false");
    assert_string_equal(attr_of(doc, "web", "type"), "Dummy");
    xmlFreeDoc(doc);
}

static void
test_modify_missing_is_refused_unless_create(void **state)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(edit("<cib-edit><modify section=\"crm_config\">"
                          "<nvpair id=\"opts-b\" name=\"b\" value=\"1\"/></modify></cib-edit>",
                          &doc, &err),
                     BL_ENOTFOUND);
    assert_string_equal(err, "modify: no nvpair 'opts-b' in crm_config");
    bl_free(&err);
    xmlFreeDoc(doc);
    assert_int_equal(edit("<cib-edit><modify section=\"crm_config\" create=\"true\">"
                          "<cluster_property_set id=\"opts\">"
                          "<nvpair id=\"opts-b\" name=\"b\" value=\"1\"/></cluster_property_set>"
                          "</modify></cib-edit>",
                          &doc, &err),
                     0);
    assert_string_equal(attr_of(doc, "opts-b", "value"), "1");
    assert_string_equal(attr_of(doc, "opts-a", "value"), "1");
    assert_int_equal(bl_cib_validate(doc, &err), 0);
    xmlFreeDoc(doc);
}

static void
test_create_adds_and_refuses_duplicates(void **state)
{
    static const char dummy[] =
        "<primitive id=\"%s\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";
    xmlDoc *doc = NULL;
    char *err = NULL;
    char *element = bl_asprintf(dummy, "db");
    char *text =
        bl_asprintf("<cib-edit><create section=\"resources\">%s</create></cib-edit>", element);

    (void) state;
    assert_int_equal(edit(text, &doc, &err), 0);
    assert_string_equal(attr_of(doc, "db", "type"), "Dummy");
    xmlFreeDoc(doc);
    free(text);
    free(element);
    element = bl_asprintf(dummy, "web");
    text = bl_asprintf("<cib-edit><create section=\"resources\">%s</create></cib-edit>", element);
    assert_int_equal(edit(text, &doc, &err), BL_EEXISTS);
    assert_string_equal(err, "create: primitive 'web' already exists in resources");
    bl_free(&err);
    xmlFreeDoc(doc);
    free(text);
    free(element);
    /* A missing configuration section is made, in Pacemaker's order. */
    assert_int_equal(edit("<cib-edit><create section=\"rsc_defaults\"><meta_attributes id=\"rd\"/>"
                          "</create></cib-edit>",
                          &doc, &err),
                     0);
    assert_true(bl_xml_is(bl_xml_next(bl_cib_section(doc, "constraints"), NULL), "rsc_defaults"));
    xmlFreeDoc(doc);
}

static void
test_replace_and_delete(void **state)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(
        edit("<cib-edit><replace><primitive id=\"web\" class=\"ocf\" provider=\"heartbeat\" "
             "type=\"apache\"/></replace></cib-edit>",
             &doc, &err),
        0);
    assert_string_equal(attr_of(doc, "web", "type"), "apache");
    assert_null(bl_xml_find_id(xmlDocGetRootElement(doc), "web-meta"));
    xmlFreeDoc(doc);
    /* As cibadmin --delete: the attributes given must match, else nothing is deleted. */
    assert_int_equal(
        edit("<cib-edit><delete><nvpair id=\"opts-a\" value=\"9\"/></delete></cib-edit>", &doc,
             &err),
        0);
    assert_string_equal(attr_of(doc, "opts-a", "value"), "1");
    xmlFreeDoc(doc);
    assert_int_equal(
        edit("<cib-edit><delete><nvpair id=\"opts-a\" value=\"1\"/></delete></cib-edit>", &doc,
             &err),
        0);
    assert_null(bl_xml_find_id(xmlDocGetRootElement(doc), "opts-a"));
    xmlFreeDoc(doc);
    assert_int_equal(
        edit("<cib-edit><delete><primitive id=\"web\"/></delete></cib-edit>", &doc, &err), 0);
    assert_null(bl_xml_find_id(xmlDocGetRootElement(doc), "web"));
    xmlFreeDoc(doc);
    /* Nothing to delete is not an error (cibadmin's too), and changes nothing. */
    {
        xmlDoc *base = parse(base_xml);
        g_autofree char *want = bl_xml_canonical(xmlDocGetRootElement(base));
        g_autofree char *got = NULL;

        xmlFreeDoc(base);
        assert_int_equal(
            edit("<cib-edit><delete><primitive id=\"gone\"/></delete>"
                 "<delete section=\"op_defaults\"><meta_attributes id=\"x\"/></delete></cib-edit>",
                 &doc, &err),
            0);
        assert_null(err);
        got = bl_xml_canonical(xmlDocGetRootElement(doc));
        assert_string_equal(got, want);
    }
    xmlFreeDoc(doc);
}

static void
test_malformed_edits(void **state)
{
    static const struct {
        const char *edit;
        const char *err;
    } cases[] = {
        {"<cib-edit/>", "edit: no operation (modify, create, replace, delete or crm)"},
        {"<cib-edit><frob/></cib-edit>",
         "edit: unknown operation 'frob' (modify, create, replace, delete or crm)"},
        {"<cib-edit><modify section=\"bogus\"><nvpair id=\"x\"/></modify></cib-edit>",
         "modify: unknown section 'bogus'"},
        {"<cib-edit><create><nvpair id=\"x\"/></create></cib-edit>",
         "create: needs a section (e.g. section=\"resources\")"},
        {"<cib-edit><modify/></cib-edit>", "modify: expected exactly one element to modify"},
        {"<cib-edit><modify><nvpair name=\"a\"/></modify></cib-edit>",
         "modify: element 'nvpair' has no id, so it names nothing to modify"},
        {"<cib-edit><create section=\"status\"><node_state id=\"1\"/></create>"
         "<delete><primitive/></delete></cib-edit>",
         "operation 2: delete: element 'primitive' has no id, so it names nothing to delete"},
        {"<cib-edit><delete section=\"resource\"><primitive id=\"x\"/></delete></cib-edit>",
         "delete: unknown section 'resource'"},
        {"<cib-diff/>", "edit: the root element is 'cib-diff', expected 'cib-edit'"},
    };

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        xmlDoc *doc = NULL;
        char *err = NULL;

        assert_int_not_equal(edit(cases[i].edit, &doc, &err), 0);
        assert_string_equal(err, cases[i].err);
        free(err);
        xmlFreeDoc(doc);
    }
}

/* --------------------------------------------------------------- replica */

static int
apply_edit_doc(xmlDoc *doc, void *data, char **err)
{
    return bl_cib_edit_apply(doc, data, NULL, NULL, err);
}

/* Applies EDIT_XML to REPLICA; returns its rc, the diff in *diff. */
static int
replica_edit(bl_cib_replica_t *replica, const char *edit_xml, bool quorate, char **diff, char **err)
{
    xmlDoc *edit_doc = parse(edit_xml);
    int rc = bl_cib_replica_change_deferred(replica, apply_edit_doc, edit_doc, quorate, diff, err);

    xmlFreeDoc(edit_doc);
    return rc;
}

static char *
version_of(const xmlDoc *doc)
{
    bl_cib_version_t version;

    assert_int_equal(bl_cib_version_get(doc, &version, NULL), 0);
    return bl_cib_version_format(&version);
}

static void
test_replica_applies_edits_to_its_current_cib(void **state)
{
    static const char prop[] = "<cib-edit><modify section=\"crm_config\" create=\"true\">"
                               "<cluster_property_set id=\"cib-bootstrap-options\">"
                               "<nvpair id=\"o-%d\" name=\"p%d\" value=\"v\"/>"
                               "</cluster_property_set></modify></cib-edit>";
    char *dir = test_dir_make("belay-edit");
    bl_cib_replica_t *replica = NULL;
    char *note = NULL;
    char *err = NULL;
    char *diff = NULL;
    char *version;

    (void) state;
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    /* Two edits written against the same version: both apply, in order (no race). */
    for (int i = 0; i < 2; i++) {
        char *text = bl_asprintf(prop, i, i);

        assert_int_equal(replica_edit(replica, text, true, &diff, &err), 0);
        assert_non_null(diff);
        free(diff);
        free(text);
    }
    version = version_of(bl_cib_replica_doc(replica));
    assert_string_equal(version, "0.2.0");
    free(version);
    /* A status change bumps num_updates, and is allowed without quorum. */
    assert_int_equal(replica_edit(replica,
                                  "<cib-edit><create section=\"status\"><node_state id=\"1\" "
                                  "uname=\"n1\"/></create></cib-edit>",
                                  false, &diff, &err),
                     0);
    free(diff);
    version = version_of(bl_cib_replica_doc(replica));
    assert_string_equal(version, "0.2.1");
    free(version);
    /* Nothing changed: no diff, no new version. */
    assert_int_equal(replica_edit(replica,
                                  "<cib-edit><modify><nvpair id=\"o-0\" value=\"v\"/></modify>"
                                  "</cib-edit>",
                                  true, &diff, &err),
                     0);
    assert_null(diff);
    assert_true(bl_cib_replica_dirty(replica));
    assert_int_equal(bl_cib_replica_flush(replica, &err), 0);
    bl_cib_replica_free(replica);
    free(note);
    note = NULL;
    /* The journal holds the edits' diffs: reopening replays them. */
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    assert_non_null(bl_xml_find_id(xmlDocGetRootElement(bl_cib_replica_doc(replica)), "o-1"));
    version = version_of(bl_cib_replica_doc(replica));
    assert_string_equal(version, "0.2.1");
    free(version);
    bl_cib_replica_free(replica);
    free(note);
    test_dir_remove(dir);
}

static void
test_replica_refusals_change_nothing(void **state)
{
    char *dir = test_dir_make("belay-edit");
    bl_cib_replica_t *replica = NULL;
    char *note = NULL;
    char *err = NULL;
    char *diff = NULL;
    char *before;
    char *after;

    (void) state;
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    before = bl_xml_canonical(xmlDocGetRootElement(bl_cib_replica_doc(replica)));
    /* Invalid result: a primitive without a type. */
    assert_int_equal(replica_edit(replica,
                                  "<cib-edit><create section=\"resources\"><primitive id=\"x\" "
                                  "class=\"ocf\" provider=\"heartbeat\"/></create></cib-edit>",
                                  true, &diff, &err),
                     BL_ESCHEMA);
    assert_non_null(strstr(err, "the resulting CIB is invalid, nothing was written"));
    bl_free(&err);
    /* A configuration change without quorum. */
    assert_int_equal(replica_edit(replica,
                                  "<cib-edit><create section=\"resources\"><primitive id=\"x\" "
                                  "class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></create>"
                                  "</cib-edit>",
                                  false, &diff, &err),
                     -EPERM);
    bl_free(&err);
    /* The first operation applies, the second fails: all or nothing. */
    assert_int_equal(replica_edit(replica,
                                  "<cib-edit><create section=\"resources\"><primitive id=\"y\" "
                                  "class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/></create>"
                                  "<modify><primitive id=\"nope\"/></modify></cib-edit>",
                                  true, &diff, &err),
                     BL_ENOTFOUND);
    bl_free(&err);
    assert_null(diff);
    after = bl_xml_canonical(xmlDocGetRootElement(bl_cib_replica_doc(replica)));
    assert_string_equal(before, after);
    assert_false(bl_cib_replica_dirty(replica));
    free(before);
    free(after);
    bl_cib_replica_free(replica);
    free(note);
    test_dir_remove(dir);
}

/* Property N as an edit, applied and flushed. */
static void
write_property(bl_cib_replica_t *replica, int n)
{
    char *text = bl_asprintf("<cib-edit><modify section=\"crm_config\" create=\"true\">"
                             "<cluster_property_set id=\"cib-bootstrap-options\">"
                             "<nvpair id=\"o-%d\" name=\"p%d\" value=\"v\"/>"
                             "</cluster_property_set></modify></cib-edit>",
                             n, n);
    char *diff = NULL;
    char *err = NULL;

    assert_int_equal(replica_edit(replica, text, true, &diff, &err), 0);
    assert_int_equal(bl_cib_replica_flush(replica, &err), 0);
    free(diff);
    free(text);
}

static bool
exists(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    bool found = g_file_test(path, G_FILE_TEST_EXISTS);

    g_free(path);
    return found;
}

static void
test_background_checkpoint(void **state)
{
    char *dir = test_dir_make("belay-edit");
    bl_cib_replica_t *replica = NULL;
    char *note = NULL;
    char *err = NULL;
    char *version;

    (void) state;
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    free(note);
    for (int i = 0; i < 3; i++) {
        write_property(replica, i);
    }
    assert_int_equal(bl_cib_replica_checkpoint_start(replica, &err), 0);
    assert_true(bl_cib_replica_dirty(replica)); /* until the thread is reaped */
    /* Writes go on into the new journal while cib.xml is written. */
    for (int i = 3; i < 5; i++) {
        write_property(replica, i);
    }
    bl_cib_replica_free(replica); /* waits for the thread, as a stop does */
    assert_false(exists(dir, "cib.journal.old"));
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    assert_non_null(strstr(note, "replayed 2 journaled write(s)"));
    version = version_of(bl_cib_replica_doc(replica));
    assert_string_equal(version, "0.5.0");
    free(version);
    bl_cib_replica_free(replica);
    free(note);
    test_dir_remove(dir);
}

/* A crash while a background checkpoint ran leaves cib.journal.old: replayed first. */
static void
test_leftover_rotated_journal_is_replayed(void **state)
{
    char *dir = test_dir_make("belay-edit");
    bl_cib_replica_t *replica = NULL;
    char *note = NULL;
    char *err = NULL;
    char *from = g_build_filename(dir, "cib.journal", NULL);
    char *to = g_build_filename(dir, "cib.journal.old", NULL);
    char *version;

    (void) state;
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    free(note);
    write_property(replica, 0);
    write_property(replica, 1);
    bl_cib_replica_free(replica);
    assert_int_equal(rename(from, to), 0);
    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, &note, &err), 0);
    assert_non_null(strstr(note, "replayed 2 journaled write(s)"));
    version = version_of(bl_cib_replica_doc(replica));
    assert_string_equal(version, "0.2.0");
    free(version);
    assert_false(exists(dir, "cib.journal.old"));
    bl_cib_replica_free(replica);
    free(note);
    g_free(from);
    g_free(to);
    test_dir_remove(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modify_sets_attributes_by_id),
        cmocka_unit_test(test_modify_merges_children),
        cmocka_unit_test(test_modify_missing_is_refused_unless_create),
        cmocka_unit_test(test_create_adds_and_refuses_duplicates),
        cmocka_unit_test(test_replace_and_delete),
        cmocka_unit_test(test_malformed_edits),
        cmocka_unit_test(test_replica_applies_edits_to_its_current_cib),
        cmocka_unit_test(test_replica_refusals_change_nothing),
        cmocka_unit_test(test_background_checkpoint),
        cmocka_unit_test(test_leftover_rotated_journal_is_replayed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
