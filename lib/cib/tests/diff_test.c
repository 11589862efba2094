/*
 * CIB diff and patch: patch(old, diff(old, new)) == new over thousands of random edits,
 * chains of diffs, small diffs for small edits, refusals that leave the CIB untouched.
 *
 * The random tests use a GRand seeded with a fixed value (override with
 * BELAY_TEST_SEED=N) and print it, so a failure reproduces.
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

/* Random steps per run: enough to hit every edit kind hundreds of times, and still
 * a few seconds under valgrind. */
#define RANDOM_STEPS 1200
#define CHAIN_LENGTH 40

static GRand *rng;
static int next_id;

static xmlDoc *
parse(const char *text)
{
    xmlDoc *doc = NULL;
    char *err = NULL;

    assert_int_equal(bl_xml_parse(text, strlen(text), "t.xml", &doc, &err), 0);
    assert_null(err);
    return doc;
}

static int
pick(int n)
{
    return g_rand_int_range(rng, 0, n);
}

/* ---------------------------------------------------------- random trees */

static const char *const element_names[] = {
    "primitive", "group", "nvpair", "op", "meta_attributes", "rule", "expression",
};
static const char *const attr_names[] = {
    "class", "type", "value", "name", "interval", "score", "provider", "role",
};
static const char *const attr_values[] = {
    "a",    "b",          "1",         "INFINITY", "b&c",         "<x>",        "\"q\"",
    "it's", "two\nlines", "tab\there", "",         "caf\xc3\xa9", "  spaced  ",
};

static void
set_random_id(xmlNode *node)
{
    int r = pick(100);
    char buf[32];

    /* Mostly unique ids (the CIB's norm), some duplicates, some unusable, some none. */
    if (r < 70) {
        snprintf(buf, sizeof(buf), "id-%d", next_id++);
    } else if (r < 80) {
        snprintf(buf, sizeof(buf), "dup-%d", pick(3));
    } else if (r < 84) {
        snprintf(buf, sizeof(buf), "q'%d]/x", pick(3));
    } else if (r < 87) {
        snprintf(buf, sizeof(buf), "a/b[%d]@c", next_id++); /* usable, path characters */
    } else {
        bl_xml_set_attr(node, "id", NULL);
        return;
    }
    bl_xml_set_attr(node, "id", buf);
}

static void
set_random_attr(xmlNode *node)
{
    bl_xml_set_attr(node, attr_names[pick(G_N_ELEMENTS(attr_names))],
                    attr_values[pick(G_N_ELEMENTS(attr_values))]);
}

static xmlNode *
random_tree(xmlDoc *doc, int depth)
{
    const char *name = element_names[pick(G_N_ELEMENTS(element_names))];
    xmlNode *node = xmlNewDocNode(doc, NULL, (const xmlChar *) name, NULL);
    int attrs = pick(4);
    int children = depth > 0 ? pick(5) : 0;

    set_random_id(node);
    for (int i = 0; i < attrs; i++) {
        set_random_attr(node);
    }
    for (int i = 0; i < children; i++) {
        xmlAddChild(node, random_tree(doc, depth - 1));
    }
    if (pick(100) < 3) {
        xmlNodeAddContent(node, (const xmlChar *) "some text");
    }
    return node;
}

static xmlDoc *
random_cib(void)
{
    xmlDoc *doc = bl_cib_new_empty();
    const char *sections[] = {"resources", "constraints", "crm_config", "status"};

    for (size_t s = 0; s < G_N_ELEMENTS(sections); s++) {
        xmlNode *section = bl_cib_section(doc, sections[s]);
        int count = pick(s < 2 ? 8 : 3);

        for (int i = 0; i < count; i++) {
            xmlAddChild(section, random_tree(doc, 1 + pick(3)));
        }
    }
    return doc;
}

/* ---------------------------------------------------------- random edits */

static void
collect_elements(xmlNode *node, GPtrArray *all)
{
    for (xmlNode *child = bl_xml_first_child(node, NULL); child != NULL;
         child = bl_xml_next(child, NULL)) {
        g_ptr_array_add(all, child);
        collect_elements(child, all);
    }
}

static bool
is_ancestor_or_self(const xmlNode *ancestor, const xmlNode *node)
{
    for (; node != NULL; node = node->parent) {
        if (node == ancestor) {
            return true;
        }
    }
    return false;
}

/* Links NODE (unlinked) under PARENT at a random place among its element children. */
static void
place(xmlNode *parent, xmlNode *node)
{
    int count = 0;
    int index;
    xmlNode *before;

    for (xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        count++;
    }
    index = pick(count + 1);
    before = bl_xml_first_child(parent, NULL);
    for (int i = 0; i < index; i++) {
        before = bl_xml_next(before, NULL);
    }
    if (before != NULL) {
        xmlAddPrevSibling(before, node);
    } else {
        xmlAddChild(parent, node);
    }
}

static void
shuffle_children(xmlNode *parent)
{
    GPtrArray *children = g_ptr_array_new();

    for (xmlNode *c = bl_xml_first_child(parent, NULL); c != NULL; c = bl_xml_next(c, NULL)) {
        g_ptr_array_add(children, c);
    }
    for (guint i = children->len; i > 1; i--) {
        guint j = (guint) pick((int) i);
        gpointer tmp = children->pdata[i - 1];

        children->pdata[i - 1] = children->pdata[j];
        children->pdata[j] = tmp;
    }
    for (guint i = 0; i < children->len; i++) {
        xmlNode *c = g_ptr_array_index(children, i);

        xmlUnlinkNode(c);
        xmlAddChild(parent, c);
    }
    g_ptr_array_free(children, TRUE);
}

static void
edit_structure(xmlDoc *doc, GPtrArray *all, xmlNode *node, int kind)
{
    xmlNode *other = g_ptr_array_index(all, pick(all->len));

    switch (kind) {
    case 0: /* insert a new subtree */
        place(node, random_tree(doc, pick(3)));
        break;
    case 1: /* delete */
        bl_xml_remove(node);
        break;
    case 2: /* reorder among siblings */
        other = node->parent;
        xmlUnlinkNode(node);
        place(other, node);
        break;
    case 3: /* move under another parent */
        if (!is_ancestor_or_self(node, other)) {
            xmlUnlinkNode(node);
            place(other, node);
        }
        break;
    default:
        shuffle_children(node->parent);
        break;
    }
}

/* Adds text to NODE or takes all its text away (the CIB has none; the format copes). */
static void
edit_text(xmlNode *node)
{
    xmlNode *next;

    if (pick(2) == 0) {
        xmlAddChild(node, xmlNewDocText(node->doc, (const xmlChar *) "changed"));
        return;
    }
    for (xmlNode *child = node->children; child != NULL; child = next) {
        next = child->next;
        if (child->type == XML_TEXT_NODE) {
            bl_xml_remove(child);
        }
    }
}

static void
random_edit(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    GPtrArray *all = g_ptr_array_new();
    xmlNode *node;
    int kind = pick(10);

    collect_elements(root, all);
    node = all->len > 0 ? g_ptr_array_index(all, pick(all->len)) : NULL;
    if (node == NULL || kind == 9) {
        const char *values[] = {"true", "false", NULL};

        bl_xml_set_attr(root, pick(2) ? "have-quorum" : "dc-uuid", values[pick(3)]);
    } else if (kind < 2) {
        set_random_attr(node);
    } else if (kind == 2 && node->properties != NULL) {
        xmlRemoveProp(node->properties);
    } else if (kind == 3) {
        set_random_id(node);
    } else if (kind == 4) {
        edit_text(node);
    } else {
        edit_structure(doc, all, node, kind - 5);
    }
    g_ptr_array_free(all, TRUE);
}

/* ----------------------------------------------------------------- checks */

static char *
format_doc(const xmlDoc *doc)
{
    return bl_xml_format(xmlDocGetRootElement(doc));
}

static xmlDoc *
diff_through_text(const xmlDoc *old_doc, const xmlDoc *new_doc)
{
    xmlDoc *diff = NULL;
    char *err = NULL;
    char *text;
    xmlDoc *parsed;

    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, &err), 0);
    assert_null(err);
    /* Replication ships text: the diff must survive serialisation exactly. */
    text = format_doc(diff);
    parsed = parse(text);
    free(text);
    xmlFreeDoc(diff);
    return parsed;
}

/* Applies DIFF to a copy of DOC: a refusal leaves it as it was, byte for byte. */
static int
patch_copy_expect_unchanged_on_error(const xmlDoc *doc, const xmlDoc *diff, xmlDoc **result)
{
    xmlDoc *copy = xmlCopyDoc((xmlDoc *) doc, 1);
    char *before = format_doc(copy);
    char *err = NULL;
    int rc = bl_cib_patch(copy, diff, &err);

    if (rc != 0) {
        char *after = format_doc(copy);

        assert_non_null(err);
        assert_string_equal(before, after);
        free(after);
        free(err);
    } else {
        assert_null(err);
    }
    free(before);
    if (result != NULL && rc == 0) {
        *result = copy;
    } else {
        xmlFreeDoc(copy);
    }
    return rc;
}

static xmlNode *
nth_change(xmlDoc *diff, int n)
{
    xmlNode *change = bl_xml_next(bl_xml_first_child(xmlDocGetRootElement(diff), "version"), NULL);

    for (int i = 0; i < n && change != NULL; i++) {
        change = bl_xml_next(change, NULL);
    }
    return change;
}

static int
count_changes(xmlDoc *diff)
{
    int n = 0;

    while (nth_change(diff, n) != NULL) {
        n++;
    }
    return n;
}

/* Garbles one attribute of one change: the patch must refuse or still reach NEW's config. */
static void
check_corrupted(const xmlDoc *replica, const xmlDoc *diff, const xmlDoc *new_doc)
{
    xmlDoc *bad = xmlCopyDoc((xmlDoc *) diff, 1);
    xmlNode *change = nth_change(bad, pick(count_changes(bad)));
    const char *attrs[] = {"path", "value", "position", "name"};
    const char *garbage[] = {"/cib/nowhere", "zz", "999", "7", "", "/cib/configuration[2]"};
    xmlDoc *result = NULL;
    char expected[BL_DIGEST_HEXLEN + 1];
    char actual[BL_DIGEST_HEXLEN + 1];

    bl_xml_set_attr(change, attrs[pick(4)], garbage[pick(G_N_ELEMENTS(garbage))]);
    if (patch_copy_expect_unchanged_on_error(replica, bad, &result) == 0) {
        bl_cib_digest(new_doc, expected);
        bl_cib_digest(result, actual);
        assert_string_equal(actual, expected);
        xmlFreeDoc(result);
    }
    xmlFreeDoc(bad);
}

static void
check_wrong_digest_rolls_back(const xmlDoc *replica, const xmlDoc *diff)
{
    xmlDoc *bad = xmlCopyDoc((xmlDoc *) diff, 1);
    xmlNode *version = bl_xml_first_child(xmlDocGetRootElement(bad), "version");

    /* Every change applies, then the digest check fails: the undo log must restore all. */
    bl_xml_set_attr(version, "digest",
                    "0000000000000000000000000000000000000000000000000000000000000000");
    assert_int_equal(patch_copy_expect_unchanged_on_error(replica, bad, NULL), BL_EDIGEST);
    xmlFreeDoc(bad);
}

static void
random_step(xmlDoc **old_doc, xmlDoc *replica, int step)
{
    xmlDoc *new_doc = xmlCopyDoc(*old_doc, 1);
    int edits = 1 + pick(4);
    xmlDoc *diff;
    char *err = NULL;

    for (int i = 0; i < edits; i++) {
        random_edit(new_doc);
    }
    if (pick(4) > 0) {
        bl_cib_version_bump(new_doc, pick(2) == 0);
    }
    diff = diff_through_text(*old_doc, new_doc);
    if (step % 4 == 0) {
        check_wrong_digest_rolls_back(replica, diff);
    }
    if (step % 4 == 1 && count_changes(diff) > 0) {
        check_corrupted(replica, diff, new_doc);
    }
    assert_int_equal(bl_cib_patch(replica, diff, &err), 0);
    assert_null(err);
    if (!bl_cib_equal(replica, new_doc)) {
        char *a = format_doc(*old_doc);
        char *b = format_doc(new_doc);
        char *c = format_doc(diff);

        print_message("# step %d\n# old:\n%s\n# new:\n%s\n# diff:\n%s\n", step, a, b, c);
        fail_msg("patch(old, diff(old, new)) != new at step %d", step);
    }
    xmlFreeDoc(diff);
    xmlFreeDoc(*old_doc);
    *old_doc = new_doc;
}

static void
test_random_edits_round_trip(void **state)
{
    xmlDoc *old_doc = NULL;
    xmlDoc *replica = NULL;

    (void) state;
    for (int step = 0; step < RANDOM_STEPS; step++) {
        /* Chains: a replica follows CHAIN_LENGTH diffs applied one after the other. */
        if (step % CHAIN_LENGTH == 0) {
            xmlFreeDoc(old_doc);
            xmlFreeDoc(replica);
            old_doc = random_cib();
            replica = xmlCopyDoc(old_doc, 1);
        }
        random_step(&old_doc, replica, step);
    }
    xmlFreeDoc(old_doc);
    xmlFreeDoc(replica);
}

static void
test_identity_diff_is_empty(void **state)
{
    (void) state;
    for (int i = 0; i < 50; i++) {
        xmlDoc *doc = random_cib();
        xmlDoc *diff = NULL;
        xmlNode *version;

        assert_int_equal(bl_cib_diff(doc, doc, &diff, NULL), 0);
        version = bl_xml_first_child(xmlDocGetRootElement(diff), NULL);
        assert_true(bl_xml_is(version, "version"));
        assert_null(bl_xml_next(version, NULL));
        assert_int_equal(bl_cib_patch(doc, diff, NULL), 0);
        xmlFreeDoc(diff);
        xmlFreeDoc(doc);
    }
}

/* ------------------------------------------------------ targeted cases */

/* A CIB of COUNT primitives, each with instance attributes and an op. */
static xmlDoc *
big_cib(int count)
{
    xmlDoc *doc = bl_cib_new_empty();
    xmlNode *resources = bl_cib_section(doc, "resources");

    for (int i = 0; i < count; i++) {
        char *id = bl_asprintf("rsc%d", i);
        char *sub = bl_asprintf("rsc%d-ip", i);
        xmlNode *primitive = bl_xml_add_child(resources, "primitive");
        xmlNode *attrs = bl_xml_add_child(primitive, "instance_attributes");
        xmlNode *nvpair = bl_xml_add_child(attrs, "nvpair");

        bl_xml_set_attr(primitive, "id", id);
        bl_xml_set_attr(primitive, "class", "ocf");
        bl_xml_set_attr(primitive, "provider", "heartbeat");
        bl_xml_set_attr(primitive, "type", "IPaddr2");
        bl_xml_set_attr(attrs, "id", sub);
        bl_xml_set_attr(nvpair, "id", sub);
        bl_xml_set_attr(nvpair, "name", "ip");
        bl_xml_set_attr(nvpair, "value", "192.168.0.1");
        free(id);
        free(sub);
    }
    return doc;
}

static void
test_small_edit_small_diff(void **state)
{
    xmlDoc *old_doc = big_cib(2000);
    xmlDoc *new_doc = xmlCopyDoc(old_doc, 1);
    xmlNode *nvpair = bl_xml_find_id(bl_cib_section(new_doc, "resources"), "rsc1234-ip");
    xmlDoc *diff = NULL;
    char *text;

    (void) state;
    nvpair = bl_xml_first_child(nvpair, "nvpair");
    bl_xml_set_attr(nvpair, "value", "10.0.0.9");
    bl_cib_version_bump(new_doc, true);
    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, NULL), 0);
    text = format_doc(diff);
    /* One <set> for the value and one for the epoch, addressed by ids. */
    assert_int_equal(count_changes(diff), 2);
    assert_non_null(strstr(
        text,
        "<set path=\"/cib/configuration/resources/primitive[@id='rsc1234']/instance_attributes[@id='rsc1234-ip']/nvpair[@id='rsc1234-ip']\" name=\"value\" value=\"10.0.0.9\"/>"));
    assert_true(strlen(text) < 600);
    assert_int_equal(bl_cib_patch(old_doc, diff, NULL), 0);
    assert_true(bl_cib_equal(old_doc, new_doc));
    free(text);
    xmlFreeDoc(diff);
    xmlFreeDoc(old_doc);
    xmlFreeDoc(new_doc);
}

static const char group_cib[] =
    "<cib admin_epoch=\"0\" epoch=\"3\" num_updates=\"0\"><configuration><resources>"
    "<group id=\"g\"><primitive id=\"a\"/><primitive id=\"b\"/><primitive id=\"c\"/>"
    "<primitive id=\"d\"/><primitive id=\"e\"/></group></resources></configuration>"
    "<status/></cib>";

static void
test_reorder_is_one_move(void **state)
{
    xmlDoc *old_doc = parse(group_cib);
    xmlDoc *new_doc = xmlCopyDoc(old_doc, 1);
    xmlNode *group = bl_xml_find_id(xmlDocGetRootElement(new_doc), "g");
    xmlNode *e = bl_xml_find_id(group, "e");
    xmlDoc *diff = NULL;
    xmlNode *change;

    (void) state;
    /* Start order a b c d e becomes e a b c d: one move, not five. */
    xmlUnlinkNode(e);
    xmlAddPrevSibling(bl_xml_first_child(group, NULL), e);
    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, NULL), 0);
    assert_int_equal(count_changes(diff), 1);
    change = nth_change(diff, 0);
    assert_true(bl_xml_is(change, "move"));
    assert_string_equal(bl_xml_attr(change, "path"),
                        "/cib/configuration/resources/group[@id='g']/primitive[@id='e']");
    assert_string_equal(bl_xml_attr(change, "position"), "0");
    assert_int_equal(bl_cib_patch(old_doc, diff, NULL), 0);
    assert_true(bl_cib_equal(old_doc, new_doc));
    xmlFreeDoc(diff);
    xmlFreeDoc(old_doc);
    xmlFreeDoc(new_doc);
}

static void
test_wrong_base_refused(void **state)
{
    xmlDoc *old_doc = parse(group_cib);
    xmlDoc *new_doc = xmlCopyDoc(old_doc, 1);
    xmlDoc *other = xmlCopyDoc(old_doc, 1);
    xmlDoc *diff = NULL;
    char *before;
    char *after;
    char *err = NULL;

    (void) state;
    bl_xml_set_attr(bl_xml_find_id(xmlDocGetRootElement(new_doc), "c"), "type", "Dummy");
    bl_cib_version_bump(new_doc, true);
    bl_cib_version_bump(other, false); /* 0.3.1: not the diff's source 0.3.0 */
    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, NULL), 0);
    before = format_doc(other);
    assert_int_equal(bl_cib_patch(other, diff, &err), BL_EVERSION);
    assert_string_equal(err,
                        "cib-diff: the CIB is at version 0.3.1 but the diff's source is 0.3.0");
    after = format_doc(other);
    assert_string_equal(before, after);
    free(err);
    free(before);
    free(after);
    xmlFreeDoc(diff);
    xmlFreeDoc(old_doc);
    xmlFreeDoc(new_doc);
    xmlFreeDoc(other);
}

static void
test_diverged_content_refused(void **state)
{
    xmlDoc *old_doc = parse(group_cib);
    xmlDoc *new_doc = xmlCopyDoc(old_doc, 1);
    xmlDoc *diverged = xmlCopyDoc(old_doc, 1);
    xmlDoc *diff = NULL;
    char *err = NULL;

    (void) state;
    /* Same version, different content: a replica that missed an update. */
    bl_xml_set_attr(bl_xml_find_id(xmlDocGetRootElement(new_doc), "a"), "type", "Dummy");
    bl_cib_version_bump(new_doc, true);
    bl_xml_set_attr(bl_xml_find_id(xmlDocGetRootElement(diverged), "b"), "type", "Stateful");
    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, NULL), 0);
    assert_int_equal(patch_copy_expect_unchanged_on_error(diverged, diff, NULL), BL_EDIGEST);
    bl_xml_remove(bl_xml_find_id(xmlDocGetRootElement(diverged), "a"));
    assert_int_equal(bl_cib_patch(diverged, diff, &err), BL_EDIGEST);
    assert_string_equal(
        err,
        "cib-diff change 2 (set): no element '/cib/configuration/resources/group[@id='g']/primitive[@id='a']' in this CIB: it differs from the diff's source");
    free(err);
    xmlFreeDoc(diff);
    xmlFreeDoc(old_doc);
    xmlFreeDoc(new_doc);
    xmlFreeDoc(diverged);
}

static const char *const source_version = "<version source=\"0.3.0\" target=\"0.3.0\" digest=\"";

/* Each malformed diff is refused with BL_EPARSE, a message saying what, DOC untouched. */
static void
test_malformed_diffs_refused(void **state)
{
    static const struct {
        const char *body;
        const char *message;
    } cases[] = {
        {"<cib-diff format=\"2\"/>", "format '2' is not supported"},
        {"<cib-diff format=\"1\"><set path=\"/cib\" name=\"x\" value=\"1\"/></cib-diff>",
         "the first element must be <version>"},
        {"<cib-diff format=\"1\"><version source=\"0.3\" target=\"0.3.0\" digest=\"x\"/></cib-diff>",
         "<version> needs source and target"},
        {"<cib-diff format=\"1\"><version source=\"0.3.0\" target=\"0.3.0\" digest=\"x\"/></cib-diff>",
         "needs a digest of 64 lowercase hex digits"},
        {"@<frobnicate path=\"/cib\"/>", "unknown change <frobnicate>"},
        {"@<set path=\"cib\" name=\"x\" value=\"1\"/>", "does not start with '/'"},
        {"@<set path=\"/cib/configuration[0]\" name=\"x\" value=\"1\"/>",
         "malformed step at 'configuration[0]'"},
        {"@<set path=\"/cib/configuration[@id='x\" name=\"x\" value=\"1\"/>", "malformed step"},
        {"@<set path=\"/cib\" name=\"x\"/>", "attribute 'value' is missing"},
        {"@<set path=\"/cib\" name=\"a b\" value=\"1\"/>", "'a b' is not an attribute name"},
        {"@<insert path=\"/cib\" position=\"0\"/>", "expected exactly one element to insert"},
        {"@<insert path=\"/cib\" position=\"-1\"><x/></insert>",
         "position '-1' is not a non-negative integer"},
        {"@<move path=\"/cib/status\" position=\"1x\"/>", "position '1x'"},
        {"@<delete path=\"/cib\"/>", "the root element cannot be deleted or moved"},
    };
    xmlDoc *doc = parse(group_cib);
    char digest[BL_DIGEST_HEXLEN + 1];

    (void) state;
    bl_cib_digest(doc, digest);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *text =
            cases[i].body[0] == '@' ? bl_asprintf(
                "<cib-diff format=\"1\">%s%s\"/><set path=\"/cib\" name=\"ok\" value=\"1\"/>%s</cib-diff>",
                source_version, digest, cases[i].body + 1)
                                    : bl_strdup(cases[i].body);
        xmlDoc *diff = parse(text);
        xmlDoc *copy = xmlCopyDoc(doc, 1);
        char *err = NULL;

        assert_int_equal(bl_cib_patch(copy, diff, &err), BL_EPARSE);
        if (strstr(err, cases[i].message) == NULL) {
            fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].message);
        }
        assert_true(bl_cib_equal(copy, doc));
        assert_null(bl_xml_attr(xmlDocGetRootElement(copy), "ok"));
        free(err);
        free(text);
        xmlFreeDoc(copy);
        xmlFreeDoc(diff);
    }
    xmlFreeDoc(doc);
}

static void
test_root_attributes_and_versions(void **state)
{
    xmlDoc *old_doc = parse(group_cib);
    xmlDoc *new_doc = xmlCopyDoc(old_doc, 1);
    xmlDoc *diff = NULL;
    xmlNode *version;
    bl_cib_version_t counters;

    (void) state;
    bl_xml_set_attr(xmlDocGetRootElement(new_doc), "have-quorum", "1");
    bl_xml_set_attr(xmlDocGetRootElement(new_doc), "dc-uuid", "node1");
    bl_xml_set_attr(xmlDocGetRootElement(new_doc), "admin_epoch", "2");
    assert_int_equal(bl_cib_diff(old_doc, new_doc, &diff, NULL), 0);
    version = bl_xml_first_child(xmlDocGetRootElement(diff), "version");
    assert_string_equal(bl_xml_attr(version, "target"), "2.3.0");
    assert_int_equal(bl_cib_patch(old_doc, diff, NULL), 0);
    assert_true(bl_cib_equal(old_doc, new_doc));
    bl_cib_version_get(old_doc, &counters, NULL);
    assert_int_equal(counters.admin_epoch, 2);
    xmlFreeDoc(diff);
    xmlFreeDoc(old_doc);
    xmlFreeDoc(new_doc);
}

static int
setup_rng(void **state)
{
    const char *env = getenv("BELAY_TEST_SEED");
    guint32 seed = env != NULL ? (guint32) strtoul(env, NULL, 10) : 20261123u;

    (void) state;
    printf("# diff_test seed %u (set BELAY_TEST_SEED to change)\n", seed);
    rng = g_rand_new_with_seed(seed);
    return 0;
}

static int
teardown_rng(void **state)
{
    (void) state;
    g_rand_free(rng);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_edits_round_trip),
        cmocka_unit_test(test_identity_diff_is_empty),
        cmocka_unit_test(test_small_edit_small_diff),
        cmocka_unit_test(test_reorder_is_one_move),
        cmocka_unit_test(test_wrong_base_refused),
        cmocka_unit_test(test_diverged_content_refused),
        cmocka_unit_test(test_malformed_diffs_refused),
        cmocka_unit_test(test_root_attributes_and_versions),
    };

    return cmocka_run_group_tests(tests, setup_rng, teardown_rng);
}
