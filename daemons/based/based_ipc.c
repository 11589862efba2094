/*
 * belay-based's IPC: a libqb service driven by the glib main loop. Requests are handed to
 * based_cib.c; a write's response is sent later, once the write is delivered and on disk.
 * Messages of any size: each connection has its framing state (bl_ipc_conn_t), and events
 * that did not fit in a subscriber's buffer at once are pushed on from a timer.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <qb/qbipcs.h>

#include <belay/common.h>

#include "based_private.h"

/* How often the rest of a large event is offered to a subscriber that has not read it. */
#define EVENT_RETRY_MS 5

struct based_ipc {
    qb_ipcs_service_t *service;
    based_request_fn on_request;
    based_closed_fn on_closed;
    void *user_data;
    GHashTable *sending; /* connections with an event partly sent */
    guint sending_timer;
};

static based_ipc_t *current; /* libqb's poll handlers carry no user pointer */

static bl_ipc_conn_t *
conn_of(qb_ipcs_connection_t *c)
{
    return qb_ipcs_context_get(c);
}

void
based_ipc_reply(qb_ipcs_connection_t *c, const char *text)
{
    int rc = bl_ipc_conn_reply(conn_of(c), c, text);

    if (rc < 0) {
        bl_warn("client: cannot send a reply of %zu bytes: %s", strlen(text), g_strerror(-rc));
    }
}

static gboolean
push_events(gpointer data)
{
    based_ipc_t *ipc = data;
    GHashTableIter iter;
    gpointer c;

    g_hash_table_iter_init(&iter, ipc->sending);
    while (g_hash_table_iter_next(&iter, &c, NULL)) {
        if (bl_ipc_conn_flush(conn_of(c), c)) {
            g_hash_table_iter_remove(&iter);
        }
    }
    if (g_hash_table_size(ipc->sending) > 0) {
        return G_SOURCE_CONTINUE;
    }
    ipc->sending_timer = 0;
    return G_SOURCE_REMOVE;
}

int
based_ipc_event(qb_ipcs_connection_t *c, const char *text)
{
    bl_ipc_conn_t *conn = conn_of(c);
    int rc = bl_ipc_conn_event(conn, c, text);

    if (rc == -EAGAIN) {
        return rc;
    }
    if (rc < 0) {
        bl_warn("client: cannot send a change notification of %zu bytes: %s", strlen(text),
                g_strerror(-rc));
        return rc;
    }
    if (!bl_ipc_conn_flush(conn, c)) {
        /* the rest goes out as the subscriber reads; later events wait for it */
        g_hash_table_add(current->sending, c);
        if (current->sending_timer == 0) {
            current->sending_timer = g_timeout_add(EVENT_RETRY_MS, push_events, current);
        }
    }
    return 0;
}

static int32_t
on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    const char *body = NULL;
    char *err = NULL;
    int32_t id = 0;
    int rc = bl_ipc_conn_receive(conn_of(c), c, data, size, &id, &body, &err);

    if (rc < 0) {
        char *text = bl_cib_reply_format(BL_EPARSE, err, NULL, NULL);

        based_ipc_reply(c, text);
        free(text);
    } else if (rc == 1) {
        current->on_request(c, id, body, current->user_data);
    }
    free(err);
    return 0;
}

static void
on_created(qb_ipcs_connection_t *c)
{
    int32_t size = qb_ipcs_connection_get_buffer_size(c);

    /* Each client chose its buffer size (at least BL_CIB_MIN_MSG): frames are that large. */
    qb_ipcs_context_set(c, bl_ipc_conn_new(size > 0 ? (size_t) size : BL_CIB_MIN_MSG));
}

static void
on_destroyed(qb_ipcs_connection_t *c)
{
    if (current != NULL) {
        g_hash_table_remove(current->sending, c);
    }
    bl_ipc_conn_free(conn_of(c));
    qb_ipcs_context_set(c, NULL);
}

/* True when UID (primary group GID) is a member of the group haclient. */
static bool
in_admin_group(uid_t uid, gid_t gid)
{
    const struct group *group = getgrnam(BASED_ADMIN_GROUP);
    const struct passwd *user;
    gid_t groups[256];
    int n = G_N_ELEMENTS(groups);

    if (group == NULL) {
        return false;
    }
    if (gid == group->gr_gid) {
        return true;
    }
    user = getpwuid(uid);
    if (user == NULL || getgrouplist(user->pw_name, user->pw_gid, groups, &n) < 0) {
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (groups[i] == group->gr_gid) {
            return true;
        }
    }
    return false;
}

/*
 * Root, the daemon's own user and members of haclient may read and write the CIB; every
 * other user is refused outright, reads included: the CIB holds secrets (passwords in
 * resource parameters).
 */
static int32_t
on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
    (void) c;
    if (uid != 0 && uid != geteuid() && !in_admin_group(uid, gid)) {
        bl_warn("client: refused connection of uid %u (not root and not in group %s)",
                (unsigned) uid, BASED_ADMIN_GROUP);
        return -EACCES;
    }
    return 0;
}

static int32_t
on_closed(qb_ipcs_connection_t *c)
{
    current->on_closed(c, current->user_data);
    return 0;
}

based_ipc_t *
based_ipc_start(const char *name, based_request_fn on_request, based_closed_fn closed,
                void *user_data, char **err)
{
    static struct qb_ipcs_service_handlers handlers = {
        .connection_accept = on_accept,
        .connection_created = on_created,
        .msg_process = on_msg,
        .connection_closed = on_closed,
        .connection_destroyed = on_destroyed,
    };
    based_ipc_t *ipc = g_new0(based_ipc_t, 1);
    int rc;

    ipc->on_request = on_request;
    ipc->on_closed = closed;
    ipc->user_data = user_data;
    ipc->sending = g_hash_table_new(g_direct_hash, g_direct_equal);
    current = ipc;
    rc = bl_ipc_server_start(name, &handlers, NULL, BL_CIB_MIN_MSG, &ipc->service, err);
    if (rc < 0) {
        based_ipc_stop(ipc);
        return NULL;
    }
    return ipc;
}

void
based_ipc_stop(based_ipc_t *ipc)
{
    bl_ipc_server_stop(ipc->service);
    if (ipc->sending_timer != 0) {
        g_source_remove(ipc->sending_timer);
    }
    g_hash_table_destroy(ipc->sending);
    g_free(ipc);
    current = NULL;
}
