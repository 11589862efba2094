/*
 * belay-based's IPC: a libqb service driven by the glib main loop. Requests are handed to
 * based_cib.c; a write's response is sent later, once the write is delivered and on disk.
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

struct based_ipc {
    qb_ipcs_service_t *service;
    based_request_fn on_request;
    based_closed_fn on_closed;
    void *user_data;
};

static based_ipc_t *current; /* libqb's poll handlers carry no user pointer */

void
based_ipc_reply(qb_ipcs_connection_t *c, const char *text)
{
    struct qb_ipc_response_header header = {0};
    size_t len = strlen(text) + 1;
    struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};
    ssize_t sent;

    header.size = (int32_t) (sizeof(header) + len);
    sent = qb_ipcs_response_sendv(c, iov, 2);
    if (sent < 0) {
        bl_warn("client: cannot send a reply of %zu bytes: %s", len, g_strerror((int) -sent));
    }
}

int
based_ipc_event(qb_ipcs_connection_t *c, const char *text)
{
    struct qb_ipc_response_header header = {0};
    size_t len = strlen(text) + 1;
    struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};
    ssize_t sent;

    header.size = (int32_t) (sizeof(header) + len);
    sent = qb_ipcs_event_sendv(c, iov, 2);
    if (sent == -EAGAIN || sent == -ENOBUFS || sent == -EMSGSIZE) {
        return -EAGAIN;
    }
    if (sent < 0) {
        bl_warn("client: cannot send a change notification of %zu bytes: %s", len,
                g_strerror((int) -sent));
        return (int) sent;
    }
    return 0;
}

static int32_t
on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    struct qb_ipc_request_header header;
    const char *body = (const char *) data + sizeof(header);

    if (size <= sizeof(header) || body[size - sizeof(header) - 1] != '\0') {
        char *text = bl_cib_reply_format(BL_EPARSE, "malformed request (no NUL-terminated body)",
                                         NULL, NULL);

        based_ipc_reply(c, text);
        free(text);
        return 0;
    }
    /* libqb's ring buffers do not keep the header aligned: copy it out. */
    memcpy(&header, data, sizeof(header));
    current->on_request(c, header.id, body, current->user_data);
    return 0;
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
        .msg_process = on_msg,
        .connection_closed = on_closed,
    };
    based_ipc_t *ipc = g_new0(based_ipc_t, 1);
    int rc;

    ipc->on_request = on_request;
    ipc->on_closed = closed;
    ipc->user_data = user_data;
    current = ipc;
    ipc->service = qb_ipcs_create(name, 0, QB_IPC_NATIVE, &handlers);
    bl_ipc_loop_attach(ipc->service, NULL);
    qb_ipcs_enforce_buffer_size(ipc->service, BL_CIB_MAX_MSG);
    rc = qb_ipcs_run(ipc->service);
    if (rc < 0) {
        bl_err_set(err, "cannot serve IPC '%s': %s", name, g_strerror(-rc));
        based_ipc_stop(ipc);
        return NULL;
    }
    return ipc;
}

void
based_ipc_stop(based_ipc_t *ipc)
{
    qb_ipcs_destroy(ipc->service);
    bl_ipc_loop_detach();
    g_free(ipc);
    current = NULL;
}
