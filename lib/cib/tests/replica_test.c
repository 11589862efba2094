/*
 * The CIB replica of belay-based: what a write must pass before it is multicast (version,
 * validity, quorum for configuration changes), applying delivered diffs in order with
 * each one persisted, and loading a state directory (empty, intact, damaged).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include <belay/cib.h>

#include "test_dirs.h"

static bl_cib_replica_t *
open_replica(const char *dir, char **note)
{
    bl_cib_replica_t *replica = NULL;
    char *err = NULL;

    assert_int_equal(bl_cib_replica_open(dir, 5, &replica, note, &err), 0);
    assert_null(err);
    return replica;
}

/* A copy of BASE with element XML added under section SECTION and the version bumped. */
static xmlDoc *
edited(const xmlDoc *base, const char *section, const char *xml, bool configuration)
{
    xmlDoc *doc = xmlCopyDoc((xmlDoc *) base, 1);
    xmlDoc *fragment = NULL;
    char *err = NULL;

    assert_int_equal(bl_xml_parse(xml, strlen(xml), "fragment", &fragment, &err), 0);
    xmlAddChild(bl_cib_section(doc, section),
                xmlDocCopyNode(xmlDocGetRootElement(fragment), doc, 1));
    xmlFreeDoc(fragment);
    bl_cib_version_bump(doc, configuration);
    return doc;
}

static xmlDoc *
diff_of(const xmlDoc *old_doc, const xmlDoc *new_doc)
{
    xmlDoc *diff = NULL;
    char *err = NULL;

    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, &err), 0);
    return diff;
}

static const char primitive[] =
    "<primitive id=\"p1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";

/* prepare, then apply what prepare returned; returns prepare's rc. */
static int
write_doc(bl_cib_replica_t *replica, const xmlDoc *next, bool quorate, char **err)
{
    xmlDoc *payload = diff_of(bl_cib_replica_doc(replica), next);
    xmlDoc *diff = NULL;
    bool configuration = false;
    int rc = bl_cib_replica_prepare(replica, payload, false, quorate, &diff, &configuration, err);

    if (rc == 0) {
        assert_int_equal(bl_cib_replica_apply(replica, diff, err), 0);
    }
    xmlFreeDoc(diff);
    xmlFreeDoc(payload);
    return rc;
}

static void
test_empty_dir_then_persisted_write(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *next = edited(bl_cib_replica_doc(replica), "resources", primitive, true);
    bl_cib_replica_t *again;

    (void) state;
    assert_non_null(strstr(note, "starting with an empty one"));
    bl_free(&note);
    assert_int_equal(write_doc(replica, next, true, &err), 0);
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), next));
    /* what a restart finds is what was acknowledged: replayed from the journal */
    again = open_replica(dir, &note);
    assert_non_null(strstr(note, "replayed 1 journaled write(s)"));
    assert_true(bl_cib_equal(bl_cib_replica_doc(again), next));
    bl_free(&note);
    bl_cib_replica_free(again);
    /* which the restart folded into cib.xml */
    again = open_replica(dir, &note);
    assert_non_null(strstr(note, "loaded"));
    assert_null(strstr(note, "replayed"));
    assert_true(bl_cib_equal(bl_cib_replica_doc(again), next));
    bl_free(&note);
    bl_cib_replica_free(again);
    bl_cib_replica_free(replica);
    xmlFreeDoc(next);
    test_dir_remove(dir);
}

/* Two writes prepared against the same version: the second one delivered is refused. */
static void
test_stale_diff_refused(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *base = xmlCopyDoc((xmlDoc *) bl_cib_replica_doc(replica), 1);
    xmlDoc *first = edited(base, "resources", primitive, true);
    xmlDoc *second =
        edited(base, "resources",
               "<primitive id=\"p2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>", true);
    xmlDoc *first_diff = diff_of(base, first);
    xmlDoc *second_diff = diff_of(base, second);

    (void) state;
    assert_int_equal(bl_cib_replica_apply(replica, first_diff, &err), 0);
    assert_int_equal(bl_cib_replica_apply(replica, second_diff, &err), BL_EVERSION);
    assert_non_null(err);
    bl_free(&err);
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), first));
    /* and a client's diff against the old version is refused before it is multicast */
    assert_int_equal(write_doc(replica, second, true, &err), BL_EVERSION);
    bl_free(&err);
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), first));
    xmlFreeDoc(first_diff);
    xmlFreeDoc(second_diff);
    xmlFreeDoc(first);
    xmlFreeDoc(second);
    xmlFreeDoc(base);
    free(note);
    bl_cib_replica_free(replica);
    test_dir_remove(dir);
}

static void
test_invalid_and_unbumped_refused(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *before = xmlCopyDoc((xmlDoc *) bl_cib_replica_doc(replica), 1);
    xmlDoc *invalid = edited(before, "constraints",
                             "<rsc_colocation id=\"c\" rsc=\"nosuch\" with-rsc=\"other\" "
                             "score=\"INFINITY\"/>",
                             true);
    xmlDoc *unbumped = edited(before, "resources", primitive, true);

    (void) state;
    assert_int_equal(write_doc(replica, invalid, true, &err), BL_EINVALID);
    assert_non_null(strstr(err, "nosuch"));
    bl_free(&err);
    bl_cib_version_set(unbumped, &(bl_cib_version_t){0, 0, 0});
    assert_int_equal(write_doc(replica, unbumped, true, &err), BL_EVERSION);
    assert_non_null(strstr(err, "not newer"));
    bl_free(&err);
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), before));
    xmlFreeDoc(invalid);
    xmlFreeDoc(unbumped);
    xmlFreeDoc(before);
    free(note);
    bl_cib_replica_free(replica);
    test_dir_remove(dir);
}

/* Without quorum the configuration is frozen; the status section is not. */
static void
test_quorum_guards_configuration_only(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *config = edited(bl_cib_replica_doc(replica), "resources", primitive, true);
    xmlDoc *status =
        edited(bl_cib_replica_doc(replica), "status", "<node_state id=\"1\" uname=\"n1\"/>", false);
    xmlDoc *payload = diff_of(bl_cib_replica_doc(replica), status);
    xmlDoc *diff = NULL;
    bool configuration = true;

    (void) state;
    assert_int_equal(write_doc(replica, config, false, &err), -EPERM);
    assert_non_null(strstr(err, "quorum"));
    bl_free(&err);
    assert_int_equal(
        bl_cib_replica_prepare(replica, payload, false, false, &diff, &configuration, &err), 0);
    assert_false(configuration);
    assert_int_equal(bl_cib_replica_apply(replica, diff, &err), 0);
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), status));
    xmlFreeDoc(diff);
    xmlFreeDoc(payload);
    /*
     * A configuration change whose diff claims the old configuration digest (as if only
     * the status changed) slips past the quorum check, but no node applies it.
     */
    xmlFreeDoc(config);
    config = edited(bl_cib_replica_doc(replica), "resources", primitive, false);
    payload = diff_of(bl_cib_replica_doc(replica), config);
    bl_xml_set_attr(bl_xml_first_child(xmlDocGetRootElement(payload), "version"), "digest",
                    bl_cib_replica_digest(replica));
    assert_int_equal(
        bl_cib_replica_prepare(replica, payload, false, false, &diff, &configuration, &err), 0);
    assert_false(configuration);
    assert_int_equal(bl_cib_replica_apply(replica, diff, &err), BL_EDIGEST);
    bl_free(&err);
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), status));
    xmlFreeDoc(diff);
    xmlFreeDoc(payload);
    xmlFreeDoc(config);
    xmlFreeDoc(status);
    free(note);
    bl_cib_replica_free(replica);
    test_dir_remove(dir);
}

static void
test_replace_must_be_newer(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *next = edited(bl_cib_replica_doc(replica), "resources", primitive, true);
    xmlDoc *diff = NULL;
    bool configuration = false;

    (void) state;
    assert_int_equal(bl_cib_replica_prepare(replica, next, true, true, &diff, &configuration, &err),
                     0);
    assert_true(configuration);
    assert_int_equal(bl_cib_replica_apply(replica, diff, &err), 0);
    xmlFreeDoc(diff);
    diff = NULL;
    /* the same document again is not newer than what is there now */
    assert_int_equal(bl_cib_replica_prepare(replica, next, true, true, &diff, &configuration, &err),
                     BL_EVERSION);
    assert_null(diff);
    bl_free(&err);
    xmlFreeDoc(next);
    free(note);
    bl_cib_replica_free(replica);
    test_dir_remove(dir);
}

/* A damaged cib.xml is refused and the newest intact archive taken, saying which. */
static void
test_damaged_file_falls_back_to_archive(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *first = edited(bl_cib_replica_doc(replica), "resources", primitive, true);
    xmlDoc *second;
    char *path = g_build_filename(dir, "cib.xml", NULL);
    FILE *f;

    (void) state;
    assert_int_equal(write_doc(replica, first, true, &err), 0);
    assert_int_equal(bl_cib_replica_checkpoint(replica, &err), 0);
    second =
        edited(first, "resources",
               "<primitive id=\"p2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>", true);
    assert_int_equal(write_doc(replica, second, true, &err), 0);
    assert_true(bl_cib_replica_dirty(replica));
    assert_int_equal(bl_cib_replica_checkpoint(replica, &err), 0);
    assert_false(bl_cib_replica_dirty(replica));
    bl_cib_replica_free(replica);
    bl_free(&note);
    f = fopen(path, "a");
    assert_non_null(f);
    fputs("<!-- tampered -->", f);
    fclose(f);
    replica = open_replica(dir, &note);
    assert_non_null(strstr(note, "refused the damaged"));
    assert_non_null(strstr(note, "loaded the archive"));
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), first));
    g_free(path);
    free(note);
    xmlFreeDoc(first);
    xmlFreeDoc(second);
    bl_cib_replica_free(replica);
    test_dir_remove(dir);
}

/* Appends TEXT to FILE in DIR. */
static void
append_file(const char *dir, const char *file, const char *text)
{
    char *path = g_build_filename(dir, file, NULL);
    FILE *f = fopen(path, "a");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    g_free(path);
}

/*
 * Two writes share one flush (group commit); a record torn by a crash during an append
 * (never acknowledged) is ignored on replay, the complete ones are kept.
 */
static void
test_journal_group_commit_and_torn_record(void **state)
{
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    char *err = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    xmlDoc *first = edited(bl_cib_replica_doc(replica), "resources", primitive, true);
    xmlDoc *second =
        edited(first, "resources",
               "<primitive id=\"p2\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>", true);
    xmlDoc *diff = NULL;

    (void) state;
    assert_int_equal(bl_cib_diff(first, second, &diff, &err), 0);
    {
        xmlDoc *d1 = NULL;

        assert_int_equal(bl_cib_diff(bl_cib_replica_doc(replica), first, &d1, &err), 0);
        assert_int_equal(bl_cib_replica_apply_deferred(replica, d1, NULL, 0, &err), 0);
        xmlFreeDoc(d1);
    }
    assert_int_equal(bl_cib_replica_apply_deferred(replica, diff, NULL, 0, &err), 0);
    assert_int_equal(bl_cib_replica_flush(replica, &err), 0);
    bl_cib_replica_free(replica);
    bl_free(&note);
    append_file(dir, "cib.journal", "diff 500\n<cib-diff format=\"1\"><vers");
    replica = open_replica(dir, &note);
    assert_non_null(strstr(note, "replayed 2 journaled write(s)"));
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), second));
    bl_free(&note);
    bl_cib_replica_free(replica);
    /* a crash between a checkpoint and emptying the journal: its records are older */
    replica = open_replica(dir, &note);
    bl_free(&note);
    assert_int_equal(bl_cib_replica_apply_deferred(replica, diff, NULL, 0, &err), BL_EVERSION);
    bl_free(&err);
    bl_cib_replica_free(replica);
    {
        char *text = bl_xml_format(xmlDocGetRootElement(diff));
        char *record = bl_asprintf("diff %zu\n%s\n", strlen(text), text);

        append_file(dir, "cib.journal", record);
        free(record);
        free(text);
    }
    replica = open_replica(dir, &note);
    assert_null(strstr(note, "replayed"));
    assert_true(bl_cib_equal(bl_cib_replica_doc(replica), second));
    bl_free(&note);
    bl_cib_replica_free(replica);
    xmlFreeDoc(diff);
    xmlFreeDoc(first);
    xmlFreeDoc(second);
    test_dir_remove(dir);
}

/*
 * A change for the batch tests: adds the element DATA (XML text) to resources (constraints
 * for an rsc_* element); NULL fails.
 */
static int
add_resource(xmlDoc *doc, void *data, char **err)
{
    xmlDoc *fragment = NULL;
    int rc;

    if (data == NULL) {
        bl_err_set(err, "no element to add");
        return BL_EPARSE;
    }
    if (*(const char *) data == '\0') {
        return 0; /* changes nothing */
    }
    rc = bl_xml_parse(data, strlen(data), "fragment", &fragment, err);
    if (rc == 0) {
        xmlNode *root = xmlDocGetRootElement(fragment);
        bool constraint = g_str_has_prefix((const char *) root->name, "rsc_");

        xmlAddChild(bl_cib_section(doc, constraint ? "constraints" : "resources"),
                    xmlDocCopyNode(root, doc, 1));
    }
    xmlFreeDoc(fragment);
    return rc;
}

/*
 * A batch gives each change the outcome, diff and journal record that applying them one by
 * one gives, and the same CIB: all valid (one validation), and with bad ones among them
 * (refused exactly as alone: invalid, failing, without quorum; a no-op is no write).
 */
static void
check_batch_matches_one_by_one(const char *const *changes, const bool *quorate, size_t n)
{
    char *dirs[2] = {test_dir_make("belay-replica"), test_dir_make("belay-replica")};
    char *note = NULL;
    bl_cib_replica_t *batch = open_replica(dirs[0], &note);
    bl_cib_replica_t *single;
    bl_cib_batch_item_t *items = g_new0(bl_cib_batch_item_t, n);
    char *err = NULL;

    bl_free(&note);
    single = open_replica(dirs[1], &note);
    bl_free(&note);
    for (size_t i = 0; i < n; i++) {
        items[i].data = (void *) changes[i];
        items[i].quorate = quorate[i];
    }
    bl_cib_replica_change_batch_deferred(batch, add_resource, items, n);
    for (size_t i = 0; i < n; i++) {
        char *diff = NULL;
        int rc = bl_cib_replica_change_deferred(single, add_resource, (void *) changes[i],
                                                quorate[i], &diff, &err);

        assert_int_equal(items[i].rc, rc);
        assert_true((items[i].err == NULL) == (err == NULL));
        assert_string_equal(items[i].diff != NULL ? items[i].diff : "-", diff != NULL ? diff : "-");
        bl_free(&err);
        free(diff);
        bl_free(&items[i].err);
        bl_free(&items[i].diff);
    }
    assert_true(bl_cib_equal(bl_cib_replica_doc(batch), bl_cib_replica_doc(single)));
    assert_string_equal(bl_cib_replica_digest(batch), bl_cib_replica_digest(single));
    assert_int_equal(bl_cib_replica_flush(batch, &err), 0);
    assert_int_equal(bl_cib_replica_flush(single, &err), 0);
    bl_cib_replica_free(batch);
    /* what the batch journaled replays to the same CIB */
    batch = open_replica(dirs[0], &note);
    bl_free(&note);
    assert_true(bl_cib_equal(bl_cib_replica_doc(batch), bl_cib_replica_doc(single)));
    bl_cib_replica_free(batch);
    bl_cib_replica_free(single);
    g_free(items);
    test_dir_remove(dirs[0]);
    test_dir_remove(dirs[1]);
}

#define DUMMY(id) "<primitive id=\"" id "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>"

/* Every result valid (one validation), with changes that fail or change nothing among them. */
static void
test_batch_all_valid(void **state)
{
    static const char *const changes[] = {DUMMY("b1"), DUMMY("b2"), "",
                                          NULL,        DUMMY("b3"), DUMMY("b4")};
    static const bool quorate[] = {true, true, true, true, false, true};

    (void) state;
    check_batch_matches_one_by_one(changes, quorate, G_N_ELEMENTS(changes));
}

/* An invalid result among them: each change is applied and validated alone. */
static void
test_batch_refuses_exactly_the_bad_ones(void **state)
{
    static const char *const changes[] = {
        DUMMY("b1"), "<bogus id=\"x\"/>", NULL, DUMMY("b2"), DUMMY("b1"), "", DUMMY("b3"),
    };
    static const bool quorate[] = {true, true, true, false, true, true, true};

    (void) state;
    check_batch_matches_one_by_one(changes, quorate, G_N_ELEMENTS(changes));
}

/*
 * A change invalid alone is refused even when a later change of the same batch would make
 * the CIB valid again: outcomes never depend on how writes were batched.
 */
static void
test_batch_no_later_repair(void **state)
{
    static const char *const changes[] = {
        "<rsc_location id=\"prefers\" rsc=\"later\" node=\"node1\" score=\"100\"/>",
        DUMMY("later"),
    };
    static const bool quorate[] = {true, true};
    char *dir = test_dir_make("belay-replica");
    char *note = NULL;
    bl_cib_replica_t *replica = open_replica(dir, &note);
    bl_cib_batch_item_t items[2] = {{.data = (void *) changes[0], .quorate = true},
                                    {.data = (void *) changes[1], .quorate = true}};

    (void) state;
    bl_free(&note);
    bl_cib_replica_change_batch_deferred(replica, add_resource, items, 2);
    assert_int_not_equal(items[0].rc, 0);
    assert_non_null(strstr(items[0].err, "later"));
    assert_int_equal(items[1].rc, 0);
    for (size_t i = 0; i < 2; i++) {
        bl_free(&items[i].err);
        bl_free(&items[i].diff);
    }
    bl_cib_replica_free(replica);
    test_dir_remove(dir);
    check_batch_matches_one_by_one(changes, quorate, G_N_ELEMENTS(changes));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_dir_then_persisted_write),
        cmocka_unit_test(test_stale_diff_refused),
        cmocka_unit_test(test_invalid_and_unbumped_refused),
        cmocka_unit_test(test_quorum_guards_configuration_only),
        cmocka_unit_test(test_replace_must_be_newer),
        cmocka_unit_test(test_damaged_file_falls_back_to_archive),
        cmocka_unit_test(test_journal_group_commit_and_torn_record),
        cmocka_unit_test(test_batch_all_valid),
        cmocka_unit_test(test_batch_refuses_exactly_the_bad_ones),
        cmocka_unit_test(test_batch_no_later_repair),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
