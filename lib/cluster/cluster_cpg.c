/*
 * CPG groups: join, multicast with corosync's flow control, and ordered delivery of
 * messages and membership changes from the glib main loop.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <corosync/cpg.h>
#include <glib-unix.h>
#include <glib.h>

#include <belay/cluster.h>
#include <belay/common.h>

#include "cluster_private.h"

/* Flow-control retry: start soon, back off to at most this many ms between tries. */
#define RETRY_FIRST_MS 1
#define RETRY_MAX_MS 32
/* cpg_join may return TRY_AGAIN while corosync synchronises; bounded wait for that. */
#define JOIN_TRIES 50
#define JOIN_WAIT_US 20000

struct bl_cpg {
    char *group;
    bl_cpg_callbacks_t callbacks;
    void *user_data;
    cpg_handle_t handle;
    bool connected;
    uint32_t nodeid;
    guint fd_source;
    guint retry_source;
    guint retry_ms;
    GQueue queue; /* GBytes waiting for flow control, oldest first */
    bl_cluster_nodelist_t *nodes;
};

static void cpg_lost(bl_cpg_t *cpg, int rc);

static bl_cpg_t *
cpg_of(cpg_handle_t handle)
{
    void *context = NULL;

    cpg_context_get(handle, &context);
    return context;
}

static void
on_deliver(cpg_handle_t handle, const struct cpg_name *group, uint32_t nodeid, uint32_t pid,
           void *msg, size_t len)
{
    bl_cpg_t *cpg = cpg_of(handle);

    (void) group;
    if (cpg != NULL && cpg->callbacks.deliver != NULL) {
        cpg->callbacks.deliver(cpg, nodeid, pid, msg, len, cpg->user_data);
    }
}

static int
compare_members(const void *a, const void *b)
{
    const bl_cpg_member_t *x = a;
    const bl_cpg_member_t *y = b;

    if (x->nodeid != y->nodeid) {
        return (x->nodeid > y->nodeid) - (x->nodeid < y->nodeid);
    }
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Converts corosync's addresses into members with names; OUT has room for N. */
static void
convert_members(bl_cpg_t *cpg, const struct cpg_address *list, size_t n, bl_cpg_member_t *out)
{
    for (size_t i = 0; i < n; i++) {
        out[i].nodeid = list[i].nodeid;
        out[i].pid = list[i].pid;
        out[i].reason = (bl_cpg_reason_t) list[i].reason;
        out[i].name = bl_cluster_nodelist_name(cpg->nodes, list[i].nodeid);
    }
    qsort(out, n, sizeof(*out), compare_members);
}

static void
refresh_names(bl_cpg_t *cpg, const struct cpg_address *members, size_t n_members,
              const struct cpg_address *joined, size_t n_joined)
{
    uint32_t ids[CPG_MEMBERS_MAX * 2];
    size_t n = 0;

    /* left nodes need no refresh: they were members before, so they are known */
    for (size_t i = 0; i < n_members && n < G_N_ELEMENTS(ids); i++) {
        ids[n++] = members[i].nodeid;
    }
    for (size_t i = 0; i < n_joined && n < G_N_ELEMENTS(ids); i++) {
        ids[n++] = joined[i].nodeid;
    }
    bl__cluster_nodelist_refresh(&cpg->nodes, ids, n);
}

static void
on_confchg(cpg_handle_t handle, const struct cpg_name *group, const struct cpg_address *members,
           size_t n_members, const struct cpg_address *left, size_t n_left,
           const struct cpg_address *joined, size_t n_joined)
{
    bl_cpg_t *cpg = cpg_of(handle);
    bl_cpg_membership_t change = {0};
    bl_cpg_member_t *all;

    (void) group;
    if (cpg == NULL || cpg->callbacks.membership == NULL) {
        return;
    }
    refresh_names(cpg, members, n_members, joined, n_joined);
    all = g_new0(bl_cpg_member_t, n_members + n_left + n_joined + 1);
    convert_members(cpg, members, n_members, all);
    convert_members(cpg, left, n_left, all + n_members);
    convert_members(cpg, joined, n_joined, all + n_members + n_left);
    change.members = all;
    change.n_members = n_members;
    change.left = all + n_members;
    change.n_left = n_left;
    change.joined = all + n_members + n_left;
    change.n_joined = n_joined;
    cpg->callbacks.membership(cpg, &change, cpg->user_data);
    g_free(all);
}

bl_cpg_membership_t *
bl_cpg_membership_copy(const bl_cpg_membership_t *change)
{
    size_t n = change->n_members + change->n_left + change->n_joined;
    bl_cpg_membership_t *copy = g_new0(bl_cpg_membership_t, 1);
    bl_cpg_member_t *all = g_new0(bl_cpg_member_t, n + 1);

    for (size_t i = 0; i < change->n_members; i++) {
        all[i] = change->members[i];
    }
    for (size_t i = 0; i < change->n_left; i++) {
        all[change->n_members + i] = change->left[i];
    }
    for (size_t i = 0; i < change->n_joined; i++) {
        all[change->n_members + change->n_left + i] = change->joined[i];
    }
    for (size_t i = 0; i < n; i++) {
        all[i].name = NULL;
    }
    copy->members = all;
    copy->n_members = change->n_members;
    copy->left = all + change->n_members;
    copy->n_left = change->n_left;
    copy->joined = all + change->n_members + change->n_left;
    copy->n_joined = change->n_joined;
    return copy;
}

void
bl_cpg_membership_free(bl_cpg_membership_t *change)
{
    if (change != NULL) {
        g_free((void *) change->members);
        g_free(change);
    }
}

bool
bl_cpg_membership_nodes_changed(const bl_cpg_membership_t *change)
{
    for (size_t i = 0; i < change->n_left; i++) {
        if (change->left[i].reason == BL_CPG_REASON_NODEDOWN) {
            return true;
        }
    }
    for (size_t i = 0; i < change->n_joined; i++) {
        if (change->joined[i].reason == BL_CPG_REASON_NODEUP) {
            return true;
        }
    }
    return false;
}

static gboolean
on_fd(int fd, GIOCondition condition, gpointer data)
{
    bl_cpg_t *cpg = data;
    cs_error_t rc;

    (void) fd;
    rc = cpg_dispatch(cpg->handle, CS_DISPATCH_ALL);
    if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN) {
        cpg->fd_source = 0;
        cpg_lost(cpg, bl_cluster_rc(rc));
        return G_SOURCE_REMOVE;
    }
    if ((condition & (G_IO_HUP | G_IO_ERR)) != 0) {
        cpg->fd_source = 0;
        cpg_lost(cpg, -ENOTCONN);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static cs_error_t
mcast(bl_cpg_t *cpg, GBytes *bytes)
{
    struct iovec iov;
    gsize len;

    iov.iov_base = (void *) g_bytes_get_data(bytes, &len);
    iov.iov_len = len;
    return cpg_mcast_joined(cpg->handle, CPG_TYPE_AGREED, &iov, 1);
}

static gboolean on_retry(gpointer data);

static void
arm_retry(bl_cpg_t *cpg)
{
    if (cpg->retry_source == 0) {
        cpg->retry_source = g_timeout_add(cpg->retry_ms, on_retry, cpg);
    }
}

/* Sends queued messages until corosync pushes back again or the queue is empty. */
static gboolean
on_retry(gpointer data)
{
    bl_cpg_t *cpg = data;
    bool progress = false;

    cpg->retry_source = 0;
    while (!g_queue_is_empty(&cpg->queue)) {
        cs_error_t rc = mcast(cpg, g_queue_peek_head(&cpg->queue));

        if (rc == CS_ERR_TRY_AGAIN) {
            /* back off only while corosync accepts nothing at all */
            cpg->retry_ms = progress ? RETRY_FIRST_MS : MIN(cpg->retry_ms * 2, RETRY_MAX_MS);
            arm_retry(cpg);
            return G_SOURCE_REMOVE;
        }
        if (rc != CS_OK) {
            /* the connection is failing; dispatch will see it and report it */
            return G_SOURCE_REMOVE;
        }
        g_bytes_unref(g_queue_pop_head(&cpg->queue));
        progress = true;
    }
    cpg->retry_ms = RETRY_FIRST_MS;
    return G_SOURCE_REMOVE;
}

int
bl_cpg_send(bl_cpg_t *cpg, const void *data, size_t len)
{
    GBytes *bytes;
    cs_error_t rc;

    if (cpg == NULL || !cpg->connected) {
        return -ENOTCONN;
    }
    if (len > BL_CPG_MAX_MSG) {
        return -EMSGSIZE;
    }
    bytes = g_bytes_new(data, len);
    if (!g_queue_is_empty(&cpg->queue)) {
        /* keep the order: this one goes after those already waiting */
        g_queue_push_tail(&cpg->queue, bytes);
        return 0;
    }
    rc = mcast(cpg, bytes);
    if (rc == CS_ERR_TRY_AGAIN) {
        g_queue_push_tail(&cpg->queue, bytes);
        arm_retry(cpg);
        return 0;
    }
    g_bytes_unref(bytes);
    return bl_cluster_rc(rc);
}

size_t
bl_cpg_queued(const bl_cpg_t *cpg)
{
    return cpg != NULL ? g_queue_get_length((GQueue *) &cpg->queue) : 0;
}

uint32_t
bl_cpg_local_nodeid(const bl_cpg_t *cpg)
{
    return cpg != NULL && cpg->connected ? cpg->nodeid : 0;
}

bool
bl_cpg_connected(const bl_cpg_t *cpg)
{
    return cpg != NULL && cpg->connected;
}

static void
drop_queue(bl_cpg_t *cpg)
{
    GBytes *bytes;

    while ((bytes = g_queue_pop_head(&cpg->queue)) != NULL) {
        g_bytes_unref(bytes);
    }
    if (cpg->retry_source != 0) {
        g_source_remove(cpg->retry_source);
        cpg->retry_source = 0;
    }
    cpg->retry_ms = RETRY_FIRST_MS;
}

/* Tears the connection down without a callback. */
static void
cpg_close(bl_cpg_t *cpg, bool leave)
{
    drop_queue(cpg);
    if (cpg->fd_source != 0) {
        g_source_remove(cpg->fd_source);
        cpg->fd_source = 0;
    }
    if (cpg->connected) {
        if (leave) {
            struct cpg_name name = {.length = strlen(cpg->group)};

            memcpy(name.value, cpg->group, name.length);
            cpg_leave(cpg->handle, &name);
        }
        cpg_finalize(cpg->handle);
        cpg->connected = false;
    }
}

static void
cpg_lost(bl_cpg_t *cpg, int rc)
{
    cpg_close(cpg, false);
    if (cpg->callbacks.disconnected != NULL) {
        cpg->callbacks.disconnected(cpg, rc < 0 ? rc : -ENOTCONN, cpg->user_data);
    }
}

static cs_error_t
join_group(bl_cpg_t *cpg)
{
    struct cpg_name name = {.length = strlen(cpg->group)};
    cs_error_t rc = CS_ERR_TRY_AGAIN;

    memcpy(name.value, cpg->group, name.length);
    for (int i = 0; i < JOIN_TRIES && rc == CS_ERR_TRY_AGAIN; i++) {
        if (i > 0) {
            g_usleep(JOIN_WAIT_US);
        }
        rc = cpg_join(cpg->handle, &name);
    }
    return rc;
}

static int
cpg_open(bl_cpg_t *cpg)
{
    cpg_model_v1_data_t model = {
        .model = CPG_MODEL_V1,
        .cpg_deliver_fn = on_deliver,
        .cpg_confchg_fn = on_confchg,
    };
    cs_error_t rc;
    int fd = -1;

    rc = cpg_model_initialize(&cpg->handle, CPG_MODEL_V1, (cpg_model_data_t *) &model, cpg);
    if (rc != CS_OK) {
        return bl_cluster_rc(rc);
    }
    rc = cpg_local_get(cpg->handle, &cpg->nodeid);
    if (rc == CS_OK) {
        rc = join_group(cpg);
    }
    if (rc == CS_OK) {
        rc = cpg_fd_get(cpg->handle, &fd);
    }
    if (rc != CS_OK) {
        cpg_finalize(cpg->handle);
        return bl_cluster_rc(rc);
    }
    cpg->connected = true;
    cpg->fd_source = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_fd, cpg);
    return 0;
}

int
bl_cpg_join(const char *group, const bl_cpg_callbacks_t *callbacks, void *user_data, bl_cpg_t **out)
{
    bl_cpg_t *cpg;
    int rc;

    if (group == NULL || *group == '\0' || strlen(group) >= CPG_MAX_NAME_LENGTH) {
        return -EINVAL;
    }
    cpg = g_new0(bl_cpg_t, 1);
    cpg->group = bl_strdup(group);
    cpg->callbacks = *callbacks;
    cpg->user_data = user_data;
    cpg->retry_ms = RETRY_FIRST_MS;
    g_queue_init(&cpg->queue);
    rc = cpg_open(cpg);
    if (rc != 0) {
        bl_cpg_free(&cpg);
        return rc;
    }
    *out = cpg;
    return 0;
}

int
bl_cpg_reconnect(bl_cpg_t *cpg)
{
    if (cpg->connected) {
        return 0;
    }
    /* corosync may come back with another configuration: read the nodelist afresh */
    bl_cluster_nodelist_free(&cpg->nodes);
    return cpg_open(cpg);
}

void
bl_cpg_free(bl_cpg_t **cpg)
{
    if (cpg == NULL || *cpg == NULL) {
        return;
    }
    cpg_close(*cpg, true);
    bl_cluster_nodelist_free(&(*cpg)->nodes);
    free((*cpg)->group);
    g_free(*cpg);
    *cpg = NULL;
}
