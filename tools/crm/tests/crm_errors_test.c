/*
 * Bad input to the configure grammar: each error is one line naming the command, the object
 * and the problem, the function fails, and the document is left exactly as it was.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <belay/cib.h>
#include <belay/crm.h>

static const char *const setup_script = "property stonith-enabled=false\n"
                                        "primitive vip IPaddr2 params ip=10.0.0.1\n"
                                        "primitive webserver apache\n"
                                        "primitive db ocf:pacemaker:Stateful\n"
                                        "group web-group vip webserver\n"
                                        "location loc-db db 100: node1\n"
                                        "node 1: node1\n";

static int
setup(void **state)
{
    xmlDoc *doc = bl_cib_new_empty();
    char *err = NULL;

    assert_int_equal(bl_crm_configure_script(doc, setup_script, "setup", NULL, &err), 0);
    *state = doc;
    return 0;
}

static int
teardown(void **state)
{
    xmlFreeDoc(*state);
    return 0;
}

/* Runs LINE as one command; checks rc, the exact message, and that nothing changed. */
static void
expect_error(xmlDoc *doc, const char *line, int rc, const char *message)
{
    char *before = bl_xml_canonical(xmlDocGetRootElement(doc));
    char *after;
    char **words = NULL;
    char *err = NULL;
    int count = 0;

    assert_int_equal(bl_crm_split(line, &words, &count, &err), 0);
    assert_int_equal(bl_crm_configure(doc, count, words, NULL, &err), rc);
    assert_non_null(err);
    assert_string_equal(err, message);
    assert_null(strchr(err, '\n'));
    after = bl_xml_canonical(xmlDocGetRootElement(doc));
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(err);
    g_strfreev(words);
}

static void
test_unknown_verb_and_keyword(void **state)
{
    expect_error(*state, "frobnicate x", BL_EUSAGE, "configure: unknown command 'frobnicate'");
    expect_error(*state, "primitive p Dummy parms x=1", BL_EPARSE,
                 "primitive p: unknown keyword 'parms' (expected params, meta, utilization or op)");
    expect_error(*state, "group g db metta x=1", BL_ENOTFOUND, "group g: no resource 'metta'");
    expect_error(*state, "location l db rule 10: date during 2025", BL_EPARSE,
                 "location l: unknown date operation 'during' (expected in, gt, lt or spec)");
    expect_error(*state, "order o db vip symmetric=false", BL_EPARSE,
                 "order o: unknown attribute 'symmetric' (expected symmetrical=)");
}

static void
test_bad_scores(void **state)
{
    expect_error(*state, "location l db lots: node1", BL_EPARSE,
                 "location l: bad score 'lots' (expected an integer, inf or -inf)");
    expect_error(*state, "colocation c 1.5: db vip", BL_EPARSE,
                 "colocation c: bad score '1.5' (expected an integer, inf or -inf)");
    expect_error(*state, "colocation c db vip web-group", BL_EPARSE,
                 "colocation c: expected a score such as 'inf:' before the resources, got 'db'");
    expect_error(
        *state, "order o Sometimes: db vip", BL_EPARSE,
        "order o: bad kind 'Sometimes' (expected Mandatory, Optional, Serialize or a score)");
}

static void
test_missing_and_duplicate_ids(void **state)
{
    expect_error(
        *state, "primitive", BL_EUSAGE,
        "primitive: usage: primitive ID [CLASS:[PROVIDER:]]TYPE [params K=V…] [meta K=V…] [op NAME K=V…]…");
    expect_error(*state, "primitive vip Dummy", BL_EEXISTS,
                 "primitive vip: id 'vip' is already in use");
    expect_error(*state, "location web-group db 100: node1", BL_EEXISTS,
                 "location web-group: id 'web-group' is already in use");
    expect_error(
        *state, "primitive 9lives Dummy", BL_EPARSE,
        "primitive: '9lives' is not a valid id (a letter or '_' first, then letters, digits, '.', '-' or '_')");
    expect_error(*state, "delete nothing-here", BL_ENOTFOUND,
                 "delete nothing-here: no such object");
    expect_error(*state, "rename db vip", BL_EEXISTS, "rename db: 'vip' is already in use");
}

static void
test_missing_resource_suggests(void **state)
{
    expect_error(*state, "colocation web-with-vip inf: webserverr vip", BL_ENOTFOUND,
                 "colocation web-with-vip: no resource 'webserverr' (did you mean 'webserver'?)");
    expect_error(*state, "order o Mandatory: vip ( db nosuch )", BL_ENOTFOUND,
                 "order o: no resource 'nosuch'");
    expect_error(*state, "location l dbb 10: node1", BL_ENOTFOUND,
                 "location l: no resource 'dbb' (did you mean 'db'?)");
    expect_error(*state, "clone c web-grop", BL_ENOTFOUND,
                 "clone c: no resource 'web-grop' (did you mean 'web-group'?)");
}

static void
test_membership(void **state)
{
    expect_error(*state, "group g2 db vip", BL_EINVALID,
                 "group g2: primitive 'vip' is already in group 'web-group'");
    expect_error(*state, "group g2 db web-group", BL_EINVALID,
                 "group g2: 'web-group' is a group; a group can only contain primitives");
    expect_error(*state, "group g2 db db", BL_EINVALID, "group g2: 'db' is listed twice");
    expect_error(*state, "clone c db vip", BL_EUSAGE,
                 "clone c: expected exactly one resource to clone");
}

static void
test_constraint_syntax(void **state)
{
    expect_error(
        *state, "colocation c inf: db:Boss vip", BL_EPARSE,
        "colocation c: bad role 'Boss' for 'db' (expected Started, Stopped, Promoted or Unpromoted)");
    expect_error(*state, "order o inf: db:begin vip", BL_EPARSE,
                 "order o: bad action 'begin' for 'db' (expected start, stop, promote or demote)");
    expect_error(*state, "order o inf: ( db vip", BL_EPARSE, "order o: missing ')'");
    expect_error(*state, "order o inf: ( db ( vip ) )", BL_EPARSE,
                 "order o: resource sets cannot be nested ('(' inside a set)");
    expect_error(*state, "colocation c inf: db", BL_EUSAGE,
                 "colocation c: needs at least two resources");
    expect_error(
        *state, "colocation c inf:", BL_EUSAGE,
        "colocation: usage: colocation ID SCORE: RSC[:ROLE] RSC[:ROLE]… [node-attribute=NAME]");
    expect_error(
        *state, "location l db rule 10: a eq 1 and b eq 2 or c eq 3", BL_EPARSE,
        "location l: a rule uses one boolean operator; use several rules to mix 'and' and 'or'");
    expect_error(
        *state, "location l db rule 10: a like 1", BL_EPARSE,
        "location l: bad operator 'like' in rule (expected [TYPE:]lt, gt, lte, gte, eq or ne)");
    /* found by the fuzzer: "id=false" replaced the duration's id */
    expect_error(*state, "location l db rule 10: date in start=2025-01-01 id=false", BL_EPARSE,
                 "location l: unknown date range field 'id'");
    expect_error(*state, "location l db rule 10: date spec hour=9", BL_EPARSE,
                 "location l: unknown date spec field 'hour'");
    expect_error(*state, "location l db rule 10: defined", BL_EPARSE,
                 "location l: rule ends early (expected an attribute name)");
}

static void
test_unbalanced_quote_in_script(void **state)
{
    xmlDoc *doc = *state;
    char *before = bl_xml_canonical(xmlDocGetRootElement(doc));
    char *after;
    char *err = NULL;

    /* the first line succeeds, the third fails: the whole script is undone; the column
     * counts in the logical line, continuation joined with a space */
    assert_int_equal(bl_crm_configure_script(doc,
                                             "primitive extra Dummy\n# comment\n"
                                             "primitive q Dummy \\\n  params x=\"open\n",
                                             "upd.crm", NULL, &err),
                     BL_EPARSE);
    assert_string_equal(err, "upd.crm line 3: column 31: unbalanced \" quote");
    after = bl_xml_canonical(xmlDocGetRootElement(doc));
    assert_string_equal(before, after);
    free(err);
    err = NULL;
    assert_int_equal(bl_crm_configure_script(doc,
                                             "primitive extra Dummy\n\norder o inf: extra nope\n",
                                             "s", NULL, &err),
                     BL_ENOTFOUND);
    assert_string_equal(err, "s line 3: order o: no resource 'nope'");
    free(after);
    after = bl_xml_canonical(xmlDocGetRootElement(doc));
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(err);
}

static void
test_load_and_filter_failures(void **state)
{
    expect_error(*state, "load update /nonexistent/x.crm", -ENOENT,
                 "load: /nonexistent/x.crm: cannot read: No such file or directory");
    expect_error(*state, "load merge x", BL_EUSAGE, "load: usage: load update|replace FILE|-");
    expect_error(*state, "filter false db", BL_EINVALID,
                 "filter: command 'false' failed (exit status 1)");
    expect_error(
        *state, "filter 'sed s/100:/many:/' loc-db", BL_EPARSE,
        "filter output line 1: location loc-db: bad score 'many' (expected an integer, inf or -inf)");
    expect_error(*state, "show nothing", BL_ENOTFOUND, "show: no object 'nothing'");
}

/* Found by the fuzzer: two nodes with one name made show → load lose one. */
static void
test_nodes(void **state)
{
    expect_error(*state, "node 2: node1", BL_EEXISTS,
                 "node node1: the name already belongs to node id 1");
    expect_error(*state, "node 1: other", BL_EEXISTS,
                 "node other: node id 1 already belongs to 'node1'");
    expect_error(*state, "node 1: node1 attributes standby", BL_EPARSE,
                 "node node1: expected NAME=VALUE, got 'standby'");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_verb_and_keyword, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_scores, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_and_duplicate_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_resource_suggests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_membership, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unbalanced_quote_in_script, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_and_filter_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nodes, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
