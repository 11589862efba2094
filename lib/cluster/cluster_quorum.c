/* Quorum from votequorum: quorate or not, votes, and notification on every change. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/votequorum.h>
#include <glib-unix.h>
#include <glib.h>

#include <belay/cluster.h>
#include <belay/common.h>

#include "cluster_private.h"

struct bl_quorum {
    bl_quorum_callbacks_t callbacks;
    void *user_data;
    votequorum_handle_t handle;
    bool connected;
    guint fd_source;
    bool have_view;
    bl_quorum_view_t view;
    bl_quorum_node_t *nodes; /* view.nodes */
    bl_cluster_nodelist_t *names;
};

static bl_quorum_t *
quorum_of(votequorum_handle_t handle)
{
    void *context = NULL;

    votequorum_context_get(handle, &context);
    return context;
}

static int
compare_nodes(const void *a, const void *b)
{
    const bl_quorum_node_t *x = a;
    const bl_quorum_node_t *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

/* Replaces the node array of the view with corosync's list. */
static void
set_nodes(bl_quorum_t *quorum, uint32_t n, const votequorum_node_t *list)
{
    uint32_t *ids = g_new0(uint32_t, n + 1);

    for (uint32_t i = 0; i < n; i++) {
        ids[i] = list[i].nodeid;
    }
    bl__cluster_nodelist_refresh(&quorum->names, ids, n);
    g_free(ids);
    g_free(quorum->nodes);
    quorum->nodes = g_new0(bl_quorum_node_t, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        quorum->nodes[i].id = list[i].nodeid;
        quorum->nodes[i].member = list[i].state == VOTEQUORUM_NODESTATE_MEMBER;
        quorum->nodes[i].name = bl_cluster_nodelist_name(quorum->names, list[i].nodeid);
    }
    qsort(quorum->nodes, n, sizeof(*quorum->nodes), compare_nodes);
    quorum->view.nodes = quorum->nodes;
    quorum->view.n_nodes = n;
}

/* Reads this node's votes and the cluster's expected votes into the view. */
static void
read_info(bl_quorum_t *quorum)
{
    struct votequorum_info info;

    memset(&info, 0, sizeof(info));
    /* node id 0 asks votequorum about the local node */
    if (votequorum_getinfo(quorum->handle, 0, &info) != CS_OK) {
        return;
    }
    quorum->view.local_nodeid = info.node_id;
    quorum->view.votes = info.node_votes;
    quorum->view.expected_votes = info.node_expected_votes;
    quorum->view.total_votes = info.total_votes;
    quorum->view.quorum = info.quorum;
}

static void
notify(bl_quorum_t *quorum)
{
    quorum->have_view = true;
    if (quorum->callbacks.changed != NULL) {
        quorum->callbacks.changed(quorum, &quorum->view, quorum->user_data);
    }
}

static void
on_quorum(votequorum_handle_t handle, uint64_t context, uint32_t quorate, uint32_t n_nodes,
          votequorum_node_t nodes[])
{
    bl_quorum_t *quorum = quorum_of(handle);

    (void) context;
    if (quorum == NULL) {
        return;
    }
    quorum->view.quorate = quorate != 0;
    set_nodes(quorum, n_nodes, nodes);
    read_info(quorum);
    notify(quorum);
}

static void
on_expected(votequorum_handle_t handle, uint64_t context, uint32_t expected_votes)
{
    bl_quorum_t *quorum = quorum_of(handle);

    (void) context;
    (void) expected_votes;
    if (quorum == NULL || !quorum->have_view) {
        return;
    }
    read_info(quorum);
    notify(quorum);
}

static void
quorum_close(bl_quorum_t *quorum)
{
    if (quorum->fd_source != 0) {
        g_source_remove(quorum->fd_source);
        quorum->fd_source = 0;
    }
    if (quorum->connected) {
        votequorum_finalize(quorum->handle);
        quorum->connected = false;
    }
    quorum->have_view = false;
}

static void
quorum_lost(bl_quorum_t *quorum, int rc)
{
    quorum_close(quorum);
    if (quorum->callbacks.disconnected != NULL) {
        quorum->callbacks.disconnected(quorum, rc < 0 ? rc : -ENOTCONN, quorum->user_data);
    }
}

static gboolean
on_fd(int fd, GIOCondition condition, gpointer data)
{
    bl_quorum_t *quorum = data;
    cs_error_t rc;

    (void) fd;
    rc = votequorum_dispatch(quorum->handle, CS_DISPATCH_ALL);
    if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN) {
        quorum->fd_source = 0;
        quorum_lost(quorum, bl_cluster_rc(rc));
        return G_SOURCE_REMOVE;
    }
    if ((condition & (G_IO_HUP | G_IO_ERR)) != 0) {
        quorum->fd_source = 0;
        quorum_lost(quorum, -ENOTCONN);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static int
quorum_open(bl_quorum_t *quorum)
{
    votequorum_callbacks_t callbacks = {
        .votequorum_quorum_notify_fn = on_quorum,
        .votequorum_expectedvotes_notify_fn = on_expected,
    };
    cs_error_t rc;
    int fd = -1;

    rc = votequorum_initialize(&quorum->handle, &callbacks);
    if (rc != CS_OK) {
        return bl_cluster_rc(rc);
    }
    rc = votequorum_context_set(quorum->handle, quorum);
    if (rc == CS_OK) {
        /* CURRENT makes votequorum send the present state at once, CHANGES the rest */
        rc = votequorum_trackstart(quorum->handle, 0, CS_TRACK_CURRENT | CS_TRACK_CHANGES);
    }
    if (rc == CS_OK) {
        rc = votequorum_fd_get(quorum->handle, &fd);
    }
    if (rc != CS_OK) {
        votequorum_finalize(quorum->handle);
        return bl_cluster_rc(rc);
    }
    quorum->connected = true;
    quorum->fd_source = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_fd, quorum);
    return 0;
}

int
bl_quorum_connect(const bl_quorum_callbacks_t *callbacks, void *user_data, bl_quorum_t **out)
{
    bl_quorum_t *quorum = g_new0(bl_quorum_t, 1);
    int rc;

    quorum->callbacks = *callbacks;
    quorum->user_data = user_data;
    rc = quorum_open(quorum);
    if (rc != 0) {
        bl_quorum_free(&quorum);
        return rc;
    }
    *out = quorum;
    return 0;
}

/* True when node ID is a member of VIEW's partition. */
static bool
view_has_member(const bl_quorum_view_t *view, uint32_t id)
{
    for (size_t i = 0; i < view->n_nodes; i++) {
        if (view->nodes[i].id == id) {
            return view->nodes[i].member;
        }
    }
    return false;
}

bool
bl_quorum_view_agrees(const bl_quorum_view_t *view, const bl_cpg_membership_t *change)
{
    for (size_t i = 0; i < change->n_members; i++) {
        if (!view_has_member(view, change->members[i].nodeid)) {
            return false;
        }
    }
    for (size_t i = 0; i < change->n_left; i++) {
        if (change->left[i].reason == BL_CPG_REASON_NODEDOWN
            && view_has_member(view, change->left[i].nodeid)) {
            return false;
        }
    }
    return true;
}

const bl_quorum_view_t *
bl_quorum_view(const bl_quorum_t *quorum)
{
    return quorum != NULL && quorum->connected && quorum->have_view ? &quorum->view : NULL;
}

int
bl_quorum_reconnect(bl_quorum_t *quorum)
{
    if (quorum->connected) {
        return 0;
    }
    /* corosync may come back with another configuration: read the nodelist afresh */
    bl_cluster_nodelist_free(&quorum->names);
    return quorum_open(quorum);
}

void
bl_quorum_free(bl_quorum_t **quorum)
{
    if (quorum == NULL || *quorum == NULL) {
        return;
    }
    quorum_close(*quorum);
    g_free((*quorum)->nodes);
    bl_cluster_nodelist_free(&(*quorum)->names);
    g_free(*quorum);
    *quorum = NULL;
}
