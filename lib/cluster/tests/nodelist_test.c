/* lib/cluster without corosync: cmap key parsing, lookups, error mapping. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <corosync/corotypes.h>

#include <belay/cluster.h>
#include <belay/common.h>

static void
test_key_parse(void **state)
{
    unsigned index = 99;
    const char *field = NULL;
    const char *bad[] = {"nodelist.local_node_pos", "nodelist.node.",
                         "nodelist.node.x.name",    "nodelist.node.1",
                         "nodelist.node.1.",        "nodelist.node.-1.name",
                         "nodelist.node.1024.name", "totem.nodeid",
                         "nodelist.node.1name",     NULL};

    (void) state;
    assert_true(bl_cluster_nodelist_key_parse("nodelist.node.0.nodeid", &index, &field));
    assert_int_equal(index, 0);
    assert_string_equal(field, "nodeid");
    assert_true(bl_cluster_nodelist_key_parse("nodelist.node.12.ring0_addr", &index, &field));
    assert_int_equal(index, 12);
    assert_string_equal(field, "ring0_addr");
    for (int i = 0; bad[i] != NULL; i++) {
        index = 99;
        assert_false(bl_cluster_nodelist_key_parse(bad[i], &index, &field));
        assert_int_equal(index, 99);
    }
    assert_false(bl_cluster_nodelist_key_parse(NULL, &index, &field));
}

static void
test_lookup(void **state)
{
    bl_cluster_node_t nodes[] = {
        {.id = 1, .name = "alpha", .ring0_addr = "10.0.0.1"},
        {.id = 2, .name = "beta", .ring0_addr = "10.0.0.2"},
        {.id = 7, .name = "10.0.0.7", .ring0_addr = "10.0.0.7"},
    };
    bl_cluster_nodelist_t list = {.nodes = nodes, .n_nodes = 3};

    (void) state;
    assert_string_equal(bl_cluster_nodelist_name(&list, 1), "alpha");
    assert_string_equal(bl_cluster_nodelist_name(&list, 7), "10.0.0.7");
    assert_null(bl_cluster_nodelist_name(&list, 3));
    assert_null(bl_cluster_nodelist_name(NULL, 1));
    assert_int_equal(bl_cluster_nodelist_id(&list, "beta"), 2);
    assert_int_equal(bl_cluster_nodelist_id(&list, "10.0.0.1"), 1);
    assert_int_equal(bl_cluster_nodelist_id(&list, "gamma"), 0);
    assert_int_equal(bl_cluster_nodelist_id(NULL, "beta"), 0);
}

static void
test_rc(void **state)
{
    (void) state;
    assert_int_equal(bl_cluster_rc(CS_OK), 0);
    assert_int_equal(bl_cluster_rc(CS_ERR_TRY_AGAIN), -EAGAIN);
    assert_int_equal(bl_cluster_rc(CS_ERR_BAD_HANDLE), -ENOTCONN);
    assert_int_equal(bl_cluster_rc(CS_ERR_LIBRARY), -ENOTCONN);
    assert_int_equal(bl_cluster_rc(CS_ERR_ACCESS), -EACCES);
    assert_int_equal(bl_cluster_rc(CS_ERR_TOO_BIG), -EMSGSIZE);
    assert_int_equal(bl_cluster_rc(CS_ERR_MESSAGE_ERROR), -EIO);
}

/* Without a corosync to talk to, the API reports it rather than crashing. */
static void
test_not_connected(void **state)
{
    (void) state;
    assert_int_equal(bl_cpg_send(NULL, "x", 1), -ENOTCONN);
    assert_false(bl_cpg_connected(NULL));
    assert_int_equal(bl_cpg_local_nodeid(NULL), 0);
    assert_int_equal(bl_cpg_queued(NULL), 0);
    assert_null(bl_quorum_view(NULL));
}

static void
test_bad_group_name(void **state)
{
    bl_cpg_callbacks_t callbacks = {0};
    bl_cpg_t *cpg = NULL;
    char long_name[200];

    (void) state;
    memset(long_name, 'g', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_int_equal(bl_cpg_join("", &callbacks, NULL, &cpg), -EINVAL);
    assert_int_equal(bl_cpg_join(long_name, &callbacks, NULL, &cpg), -EINVAL);
    assert_null(cpg);
}

/*
 * Node 3 is cut off: CPG on node 1 reports it gone (NODEDOWN). A votequorum view that
 * still lists it as a member is from before the partition and must not count.
 */
static void
test_quorum_view_agrees(void **state)
{
    bl_cpg_member_t members[] = {{1, 100, BL_CPG_REASON_NONE, NULL},
                                 {2, 200, BL_CPG_REASON_NONE, NULL}};
    bl_cpg_member_t left[] = {{3, 300, BL_CPG_REASON_NODEDOWN, NULL}};
    bl_cpg_membership_t cut = {.members = members, .n_members = 2, .left = left, .n_left = 1};
    bl_quorum_node_t before[] = {{1, true, NULL}, {2, true, NULL}, {3, true, NULL}};
    bl_quorum_node_t after[] = {{1, true, NULL}, {2, true, NULL}, {3, false, NULL}};
    bl_quorum_node_t lonely[] = {{1, true, NULL}, {2, false, NULL}, {3, false, NULL}};
    bl_quorum_view_t view = {.quorate = true, .nodes = before, .n_nodes = 3};
    bl_cpg_membership_t *copy;

    (void) state;
    assert_false(bl_quorum_view_agrees(&view, &cut));
    view.nodes = after;
    assert_true(bl_quorum_view_agrees(&view, &cut));
    /* a member's node missing from the view (votequorum has not seen node 2 join) */
    view.nodes = lonely;
    assert_false(bl_quorum_view_agrees(&view, &cut));
    view.n_nodes = 0;
    assert_false(bl_quorum_view_agrees(&view, &cut));
    /* a process leaving (its node stays) is no reason to wait */
    left[0].reason = BL_CPG_REASON_PROCDOWN;
    view.nodes = before;
    view.n_nodes = 3;
    assert_true(bl_quorum_view_agrees(&view, &cut));
    assert_false(bl_cpg_membership_nodes_changed(&cut));
    left[0].reason = BL_CPG_REASON_NODEDOWN;
    assert_true(bl_cpg_membership_nodes_changed(&cut));
    /* the copy outlives the arrays it came from */
    copy = bl_cpg_membership_copy(&cut);
    left[0].nodeid = 99;
    members[1].nodeid = 98;
    assert_int_equal(copy->n_members, 2);
    assert_int_equal(copy->members[1].nodeid, 2);
    assert_int_equal(copy->n_left, 1);
    assert_int_equal(copy->left[0].nodeid, 3);
    assert_int_equal(copy->left[0].reason, BL_CPG_REASON_NODEDOWN);
    assert_int_equal(copy->n_joined, 0);
    view.nodes = after;
    assert_true(bl_quorum_view_agrees(&view, copy));
    bl_cpg_membership_free(copy);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_rc),
        cmocka_unit_test(test_not_connected),
        cmocka_unit_test(test_bad_group_name),
        cmocka_unit_test(test_quorum_view_agrees),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
