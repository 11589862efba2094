/* Client of belay-execd: submit and cancel calls over libqb IPC, receive their results. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <belay/common.h>
#include <belay/exec.h>

/* How long a request waits for the daemon's reply. */
#define REPLY_TIMEOUT_MS 30000

struct bl_exec_client {
    bl_ipc_client_t *ipc;
    char *body; /* the last reply */
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
    bl_ipc_client_t *ipc = NULL;
    /* belay-execd puts large requests together (a parameter set may hold megabytes) */
    int rc = bl_ipc_client_connect(name != NULL ? name : bl_execd_ipc_name(), "belay-execd",
                                   BL_EXECD_MAX_MSG, true, &ipc, err);

    if (rc == 0) {
        *client = g_new0(bl_exec_client_t, 1);
        (*client)->ipc = ipc;
    }
    return rc;
}

void
bl_exec_client_free(bl_exec_client_t *client)
{
    if (client == NULL) {
        return;
    }
    bl_ipc_client_free(client->ipc);
    free(client->body);
    g_free(client);
}

/* Sends message ID with body TEXT; *body gets the reply's XML (valid until the next call). */
static int
exchange(bl_exec_client_t *client, int32_t id, const char *text, const char **body, char **err)
{
    size_t len = 0;
    int rc;

    bl_free(&client->body);
    rc = bl_ipc_client_request(client->ipc, id, text, REPLY_TIMEOUT_MS, &client->body, &len, err);
    *body = client->body;
    return rc;
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
    g_autofree char *body = NULL;
    size_t len = 0;
    int rc = bl_ipc_client_event(client->ipc, timeout_ms, &body, &len, err);

    if (rc == -ETIMEDOUT || rc == BL_EPARSE) {
        return rc;
    }
    if (rc < 0) {
        return -ENOTCONN;
    }
    return bl_exec_result_from_text(body, len, event, err);
}

int
bl_exec_client_fd(const bl_exec_client_t *client)
{
    return bl_ipc_client_fd(client->ipc);
}
