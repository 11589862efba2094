/*
 * belay-execd's IPC: a libqb service driven by the glib main loop. Each connection owns
 * the calls it submitted; results go back to it as events, and its calls are cancelled
 * when it disconnects (a controller that reconnects submits its monitors again).
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <qb/qbipcs.h>

#include <belay/common.h>

#include "execd_private.h"

struct execd {
    GMainContext *ctx;
    bl_exec_t *exec;
    char *ocf_root;
    qb_ipcs_service_t *service;
    GHashTable *owners; /* call id -> qb_ipcs_connection_t *, calls still active */
};

static execd_t *current; /* libqb's poll handlers carry no user pointer */

static void
send_message(qb_ipcs_connection_t *c, bool event, const char *text)
{
    struct qb_ipc_response_header header = {0};
    size_t len = strlen(text) + 1;
    struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};
    ssize_t sent;

    header.size = (int32_t) (sizeof(header) + len);
    sent = event ? qb_ipcs_event_sendv(c, iov, 2) : qb_ipcs_response_sendv(c, iov, 2);
    if (sent < 0) {
        bl_warn("client: cannot send %s of %zu bytes: %s", event ? "event" : "reply", len,
                g_strerror((int) -sent));
    }
}

static void
reply(qb_ipcs_connection_t *c, int rc, uint64_t call_id, const char *message)
{
    g_autofree char *text = bl_exec_reply_to_text(rc, call_id, message);

    send_message(c, false, text);
}

/*
 * The executor bounds output to 64 KiB per stream, which fits a message even when every
 * byte needs escaping; should a result still not fit, the client gets it without output
 * rather than never.
 */
static void
send_event(qb_ipcs_connection_t *c, uint64_t call_id, const bl_exec_result_t *res, bool final)
{
    bl_exec_event_t event = {.call_id = call_id, .final = final, .result = *res};
    g_autofree char *text = bl_exec_result_to_text(&event);

    if (strlen(text) + sizeof(struct qb_ipc_response_header) >= BL_EXECD_MAX_MSG) {
        g_free(text);
        event.result.out = "";
        event.result.err = "";
        event.result.message = "output too large for IPC; dropped";
        text = bl_exec_result_to_text(&event);
    }
    send_message(c, true, text);
}

static void
log_result(const bl_exec_request_t *req, const bl_exec_result_t *res)
{
    if (res->status == BL_EXEC_DONE) {
        bl_notice("%s: %s returned %d (%s) in %" G_GUINT64_FORMAT " ms", req->rsc_id, req->action,
                  res->rc, bl_ocf_rc_meaning(req->action, res->rc), res->duration_ms);
    } else {
        bl_warn("%s: %s %s: %s", req->rsc_id, req->action, bl_exec_status_str(res->status),
                res->message != NULL ? res->message : "");
    }
}

static void
on_done(uint64_t call_id, const bl_exec_request_t *req, const bl_exec_result_t *res, bool final,
        void *user_data)
{
    execd_t *execd = user_data;
    qb_ipcs_connection_t *c = g_hash_table_lookup(execd->owners, &call_id);

    log_result(req, res);
    if (c != NULL) {
        send_event(c, call_id, res, final);
    }
    if (final) {
        g_hash_table_remove(execd->owners, &call_id);
    }
}

static void
handle_run(execd_t *execd, qb_ipcs_connection_t *c, const char *body)
{
    bl_exec_request_t *req = NULL;
    char *err = NULL;
    uint64_t call_id = 0;
    int rc = bl_exec_request_from_text(body, strlen(body), &req, &err);

    if (rc != 0) {
        reply(c, rc, 0, err);
        free(err);
        return;
    }
    req->ocf_root = g_strdup(execd->ocf_root);
    bl_info("%s: %s queued (ocf:%s:%s, interval %" G_GUINT64_FORMAT " ms)", req->rsc_id,
            req->action, req->provider, req->type, req->interval_ms);
    /* The executor never calls back from inside submit, so the owner is known in time. */
    bl_exec_submit(execd->exec, req, on_done, execd, &call_id);
    g_hash_table_insert(execd->owners, g_memdup2(&call_id, sizeof(call_id)), c);
    reply(c, 0, call_id, NULL);
}

static void
handle_cancel(execd_t *execd, qb_ipcs_connection_t *c, const char *body)
{
    uint64_t call_id = 0;
    char *err = NULL;
    int rc = bl_exec_call_from_text(body, strlen(body), "exec-cancel", &call_id, &err);

    if (rc != 0) {
        reply(c, rc, 0, err);
        free(err);
        return;
    }
    /* A client may cancel only its own calls. */
    if (g_hash_table_lookup(execd->owners, &call_id) != c) {
        reply(c, BL_ENOTFOUND, call_id, "no such call");
        return;
    }
    reply(c, bl_exec_cancel(execd->exec, call_id), call_id, NULL);
}

/* Latest result of a recurring call, answered as an <exec-result> (report on request). */
static void
handle_last(execd_t *execd, qb_ipcs_connection_t *c, const char *body)
{
    uint64_t call_id = 0;
    char *err = NULL;
    bl_exec_event_t event = {0};
    g_autofree char *text = NULL;
    int rc = bl_exec_call_from_text(body, strlen(body), "exec-last", &call_id, &err);

    if (rc != 0) {
        reply(c, rc, 0, err);
        free(err);
        return;
    }
    if (g_hash_table_lookup(execd->owners, &call_id) != c
        || bl_exec_last_result(execd->exec, call_id, &event.result) != 0) {
        reply(c, BL_ENOTFOUND, call_id, "no such recurring call, or no result yet");
        return;
    }
    event.call_id = call_id;
    text = bl_exec_result_to_text(&event);
    bl_exec_result_clear(&event.result);
    send_message(c, false, text);
}

static int32_t
on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    struct qb_ipc_request_header header;
    const char *body = (const char *) data + sizeof(header);

    if (size <= sizeof(header) || body[size - sizeof(header) - 1] != '\0') {
        reply(c, BL_EPARSE, 0, "malformed message (no NUL-terminated body)");
        return 0;
    }
    /* libqb's ring buffers do not keep the header aligned: copy it out. */
    memcpy(&header, data, sizeof(header));
    if (header.id == BL_EXECD_MSG_RUN) {
        handle_run(current, c, body);
    } else if (header.id == BL_EXECD_MSG_CANCEL) {
        handle_cancel(current, c, body);
    } else if (header.id == BL_EXECD_MSG_LAST) {
        handle_last(current, c, body);
    } else {
        reply(c, BL_EPARSE, 0, "unknown message id");
    }
    return 0;
}

/* Agents run as the daemon's user: only that user and root may ask for them. */
static int32_t
on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
    (void) c;
    (void) gid;
    if (uid != 0 && uid != geteuid()) {
        bl_warn("client: refused connection of uid %u", (unsigned) uid);
        return -EACCES;
    }
    return 0;
}

static int32_t
on_closed(qb_ipcs_connection_t *c)
{
    GHashTableIter iter;
    gpointer key;
    gpointer value;
    GArray *calls = g_array_new(FALSE, FALSE, sizeof(uint64_t));

    g_hash_table_iter_init(&iter, current->owners);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (value == c) {
            g_array_append_val(calls, *(uint64_t *) key);
            g_hash_table_iter_remove(&iter);
        }
    }
    for (guint i = 0; i < calls->len; i++) {
        bl_exec_cancel(current->exec, g_array_index(calls, uint64_t, i));
    }
    if (calls->len > 0) {
        bl_info("client: disconnected; %u of its calls cancelled", calls->len);
    }
    g_array_free(calls, TRUE);
    return 0;
}

execd_t *
execd_ipc_start(GMainContext *ctx, const char *name, bl_exec_t *exec, const char *ocf_root,
                char **err)
{
    static struct qb_ipcs_service_handlers handlers = {
        .connection_accept = on_accept,
        .msg_process = on_msg,
        .connection_closed = on_closed,
    };
    execd_t *execd = g_new0(execd_t, 1);
    int rc;

    execd->ctx = ctx;
    execd->exec = exec;
    execd->ocf_root = g_strdup(ocf_root);
    execd->owners = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    current = execd;
    execd->service = qb_ipcs_create(name, 0, QB_IPC_NATIVE, &handlers);
    bl_ipc_loop_attach(execd->service, execd->ctx);
    qb_ipcs_enforce_buffer_size(execd->service, BL_EXECD_MAX_MSG);
    rc = qb_ipcs_run(execd->service);
    if (rc < 0) {
        bl_err_set(err, "cannot serve IPC '%s': %s", name, g_strerror(-rc));
        execd_ipc_stop(execd);
        return NULL;
    }
    return execd;
}

void
execd_ipc_stop(execd_t *execd)
{
    qb_ipcs_destroy(execd->service);
    bl_ipc_loop_detach();
    g_hash_table_destroy(execd->owners);
    g_free(execd->ocf_root);
    g_free(execd);
    current = NULL;
}
