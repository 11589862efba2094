/* Client of belay-execd: submit and cancel calls over libqb IPC, receive their results. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qbipcc.h>

#include <belay/common.h>
#include <belay/exec.h>

/* How long a request waits for the daemon's reply. */
#define REPLY_TIMEOUT_MS 30000

struct bl_exec_client {
    qb_ipcc_connection_t *conn;
    char *buffer; /* BL_EXECD_MAX_MSG bytes for replies and events */
};

const char *
bl_execd_ipc_name(void)
{
    const char *name = getenv("BELAY_EXECD_IPC");

    return name != NULL && *name != '\0' ? name : BL_EXECD_IPC_NAME;
}

int
bl_exec_client_connect(const char *name, bl_exec_client_t **client, char **err)
{
    qb_ipcc_connection_t *conn;
    bl_exec_client_t *c;

    name = name != NULL ? name : bl_execd_ipc_name();
    conn = qb_ipcc_connect(name, BL_EXECD_MAX_MSG);
    if (conn == NULL) {
        int rc = -errno;

        bl_err_set(err, "cannot connect to belay-execd (IPC '%s'): %s", name, g_strerror(errno));
        return rc < 0 ? rc : -ENOTCONN;
    }
    c = g_new0(bl_exec_client_t, 1);
    c->conn = conn;
    c->buffer = bl_malloc(BL_EXECD_MAX_MSG);
    *client = c;
    return 0;
}

void
bl_exec_client_free(bl_exec_client_t *client)
{
    if (client == NULL) {
        return;
    }
    qb_ipcc_disconnect(client->conn);
    free(client->buffer);
    g_free(client);
}

/* Sends message ID with body TEXT; *body gets the reply's XML (inside client->buffer). */
static int
exchange(bl_exec_client_t *client, int32_t id, const char *text, const char **body, char **err)
{
    struct qb_ipc_request_header header = {.id = id};
    size_t len = strlen(text) + 1;
    struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};
    ssize_t got;

    header.size = (int32_t) (sizeof(header) + len);
    got = qb_ipcc_sendv_recv(client->conn, iov, 2, client->buffer, BL_EXECD_MAX_MSG,
                             REPLY_TIMEOUT_MS);
    if (got < 0) {
        bl_err_set(err, "belay-execd: %s", g_strerror((int) -got));
        return (int) got;
    }
    if ((size_t) got <= sizeof(struct qb_ipc_response_header) || client->buffer[got - 1] != '\0') {
        bl_err_set(err, "belay-execd: malformed reply of %zd bytes", got);
        return BL_EPARSE;
    }
    *body = client->buffer + sizeof(struct qb_ipc_response_header);
    return 0;
}

/* The rc of an <exec-reply> BODY, its message in *err when not 0. */
static int
reply_rc(const char *body, uint64_t *call_id, char **err)
{
    g_autofree char *message = NULL;
    int rc = 0;

    if (bl_exec_reply_from_text(body, strlen(body), &rc, call_id, &message, err) != 0) {
        return BL_EPARSE;
    }
    if (rc != 0) {
        bl_err_set(err, "belay-execd: %s", message != NULL ? message : bl_strerror(rc));
    }
    return rc;
}

/* Sends message ID with body TEXT and parses the <exec-reply>. */
static int
request(bl_exec_client_t *client, int32_t id, const char *text, uint64_t *call_id, char **err)
{
    const char *body = NULL;
    int rc = exchange(client, id, text, &body, err);

    return rc != 0 ? rc : reply_rc(body, call_id, err);
}

int
bl_exec_client_run(bl_exec_client_t *client, const bl_exec_request_t *req, uint64_t *call_id,
                   char **err)
{
    g_autofree char *text = NULL;
    int rc = bl_exec_request_to_text(req, &text, err);

    if (rc != 0) {
        return rc;
    }
    return request(client, BL_EXECD_MSG_RUN, text, call_id, err);
}

int
bl_exec_client_cancel(bl_exec_client_t *client, uint64_t call_id, char **err)
{
    g_autofree char *text = bl_exec_call_to_text("exec-cancel", call_id);
    uint64_t ignored = 0;

    return request(client, BL_EXECD_MSG_CANCEL, text, &ignored, err);
}

int
bl_exec_client_last(bl_exec_client_t *client, uint64_t call_id, bl_exec_result_t *res, char **err)
{
    g_autofree char *text = bl_exec_call_to_text("exec-last", call_id);
    const char *body = NULL;
    bl_exec_event_t event = {0};
    uint64_t ignored = 0;
    int rc = exchange(client, BL_EXECD_MSG_LAST, text, &body, err);

    if (rc != 0) {
        return rc;
    }
    if (!g_str_has_prefix(body, "<exec-result")) {
        return reply_rc(body, &ignored, err);
    }
    rc = bl_exec_result_from_text(body, strlen(body), &event, err);
    if (rc == 0) {
        *res = event.result;
    }
    return rc;
}

int
bl_exec_client_next(bl_exec_client_t *client, int timeout_ms, bl_exec_event_t *event, char **err)
{
    const struct qb_ipc_response_header *header = (const void *) client->buffer;
    const char *body = client->buffer + sizeof(*header);
    ssize_t got = qb_ipcc_event_recv(client->conn, client->buffer, BL_EXECD_MAX_MSG, timeout_ms);

    if (got == -ETIMEDOUT || got == -EAGAIN) {
        return -ETIMEDOUT;
    }
    if (got < 0) {
        bl_err_set(err, "belay-execd: %s", g_strerror((int) -got));
        return -ENOTCONN;
    }
    if ((size_t) got <= sizeof(*header) || client->buffer[got - 1] != '\0') {
        bl_err_set(err, "belay-execd: malformed event of %zd bytes", got);
        return BL_EPARSE;
    }
    return bl_exec_result_from_text(body, strlen(body), event, err);
}

int
bl_exec_client_fd(const bl_exec_client_t *client)
{
    int32_t fd = -1;

    qb_ipcc_fd_get(client->conn, &fd);
    return fd;
}
