/*
 * belay-execd's IPC: a libqb service driven by the glib main loop. Each connection owns
 * the calls it submitted; results go back to it as events, and its calls are cancelled
 * when it disconnects (a controller that reconnects submits its monitors again).
 *
 * Events wait in a per-client queue while the client's ring buffer is full. A client that
 * stops reading would make that queue, and the daemon, grow without end, so past
 * max_client_events (or MAX_CLIENT_BYTES) unread results the client is evicted: it is
 * disconnected and its calls cancelled, as when it goes away by itself.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <qb/qbipcs.h>

#include <belay/common.h>

#include "execd_private.h"

/* Bytes of unread events a client may hold in the daemon, whatever their number. */
#define MAX_CLIENT_BYTES (32 * 1024 * 1024)
#define RETRY_MS 50

struct execd {
    GMainContext *ctx;
    bl_exec_t *exec;
    char *ocf_root;
    unsigned max_client_events;
    qb_ipcs_service_t *service;
    GHashTable *owners; /* call id -> qb_ipcs_connection_t *, calls still active */
};

/*
 * One connection: its framing state (requests, replies and events of any size travel as
 * frames, lib/common/bl_ipc.c) and the events that libqb could not take yet (its ring
 * buffer was full, or an earlier event is still going out frame by frame).
 */
typedef struct client {
    qb_ipcs_connection_t *c;
    bl_ipc_conn_t *conn;
    GQueue events; /* of char *, XML text, oldest first */
    size_t bytes;
    GSource *retry;
    bool evicted;
} client_t;

static execd_t *current; /* libqb's poll handlers carry no user pointer */

static pid_t
client_pid(qb_ipcs_connection_t *c)
{
    struct qb_ipcs_connection_stats stats = {0};

    qb_ipcs_connection_stats_get(c, &stats, QB_FALSE);
    return stats.client_pid;
}

static void
drop_retry(client_t *client)
{
    if (client->retry != NULL) {
        g_source_destroy(client->retry);
        g_source_unref(client->retry);
        client->retry = NULL;
    }
}

static void
client_clear(client_t *client)
{
    drop_retry(client);
    g_queue_clear_full(&client->events, g_free);
    client->bytes = 0;
}

static gboolean on_retry(gpointer data);

/*
 * Hands queued events to the framing layer while the client's buffer takes them; retries
 * later when it is full or a large event still has frames to go. Only one event is ever
 * partly sent, so the queue here, which the eviction bounds, holds all the others.
 */
static void
flush(client_t *client)
{
    bool idle = bl_ipc_conn_flush(client->conn, client->c);
    char *text;

    while (idle && (text = g_queue_peek_head(&client->events)) != NULL) {
        int rc = bl_ipc_conn_event(client->conn, client->c, text);

        if (rc == -EAGAIN) {
            break;
        }
        if (rc < 0) {
            bl_warn("client pid %d: cannot send a result of %zu bytes: %s",
                    (int) client_pid(client->c), strlen(text), g_strerror(-rc));
        }
        client->bytes -= strlen(text);
        g_free(g_queue_pop_head(&client->events));
        idle = bl_ipc_conn_flush(client->conn, client->c);
    }
    if ((!idle || !g_queue_is_empty(&client->events)) && client->retry == NULL) {
        client->retry = g_timeout_source_new(RETRY_MS);
        g_source_set_callback(client->retry, on_retry, client, NULL);
        g_source_attach(client->retry, current->ctx);
    }
}

static gboolean
on_retry(gpointer data)
{
    client_t *client = data;

    g_source_unref(client->retry);
    client->retry = NULL;
    flush(client);
    return G_SOURCE_REMOVE;
}

/* Disconnecting from inside a send would pull the connection from under the caller. */
static gboolean
on_evict(gpointer data)
{
    qb_ipcs_connection_t *c = data;

    qb_ipcs_disconnect(c);
    qb_ipcs_connection_unref(c);
    return G_SOURCE_REMOVE;
}

static void
evict(client_t *client)
{
    GSource *idle = g_idle_source_new();

    bl_warn(
        "client pid %d: evicted: %u results unread (%zu bytes; at most %u results or %d bytes wait for a client); its calls are cancelled",
        (int) client_pid(client->c), g_queue_get_length(&client->events), client->bytes,
        current->max_client_events, MAX_CLIENT_BYTES);
    client->evicted = true;
    client_clear(client);
    qb_ipcs_connection_ref(client->c);
    g_source_set_callback(idle, on_evict, client->c, NULL);
    g_source_attach(idle, current->ctx);
    g_source_unref(idle);
}

/* Queues event TEXT (taken) for C, sends what it can, evicts a client that does not read. */
static void
queue_event(qb_ipcs_connection_t *c, char *text)
{
    client_t *client = qb_ipcs_context_get(c);

    if (client == NULL || client->evicted) {
        g_free(text);
        return;
    }
    client->bytes += strlen(text);
    g_queue_push_tail(&client->events, text);
    flush(client);
    if (g_queue_get_length(&client->events) > current->max_client_events
        || client->bytes > MAX_CLIENT_BYTES) {
        evict(client);
    }
}

/* Sends TEXT as the answer to C's request, framed when it is larger than one frame. */
static void
send_reply(qb_ipcs_connection_t *c, const char *text)
{
    client_t *client = qb_ipcs_context_get(c);
    int rc = bl_ipc_conn_reply(client->conn, c, text);

    if (rc < 0) {
        bl_warn("client pid %d: cannot send a reply of %zu bytes: %s", (int) client_pid(c),
                strlen(text), g_strerror(-rc));
    }
}

static void
reply(qb_ipcs_connection_t *c, int rc, uint64_t call_id, const char *message)
{
    g_autofree char *text = bl_exec_reply_to_text(rc, call_id, message);

    send_reply(c, text);
}

static void
send_event(qb_ipcs_connection_t *c, uint64_t call_id, const bl_exec_result_t *res, bool final)
{
    bl_exec_event_t event = {.call_id = call_id, .final = final, .result = *res};

    queue_event(c, bl_exec_result_to_text(&event));
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
    bl_info("%s: %s submitted (ocf:%s:%s, interval %" G_GUINT64_FORMAT " ms)", req->rsc_id,
            req->action, req->provider, req->type, req->interval_ms);
    /* The executor never calls back from inside submit, so the owner is known in time. */
    rc = bl_exec_submit(execd->exec, req, on_done, execd, &call_id, &err);
    if (rc != 0) {
        bl_warn("client pid %d: request refused: %s", (int) client_pid(c), err);
        reply(c, rc, 0, err);
        free(err);
        return;
    }
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
    send_reply(c, text);
}

static void
dispatch(qb_ipcs_connection_t *c, int32_t id, const char *body)
{
    if (id == BL_EXECD_MSG_RUN) {
        handle_run(current, c, body);
    } else if (id == BL_EXECD_MSG_CANCEL) {
        handle_cancel(current, c, body);
    } else if (id == BL_EXECD_MSG_LAST) {
        handle_last(current, c, body);
    } else {
        reply(c, BL_EPARSE, 0, "unknown message id");
    }
}

static int32_t
on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    client_t *client = qb_ipcs_context_get(c);
    const char *body = NULL;
    char *err = NULL;
    int32_t id = 0;
    int rc = bl_ipc_conn_receive(client->conn, c, data, size, &id, &body, &err);

    /* 0 means a frame was acknowledged, or the next frame of a reply went out */
    if (rc < 0) {
        reply(c, BL_EPARSE, 0, err);
    } else if (rc == 1) {
        dispatch(c, id, body);
    }
    free(err);
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

static void
on_created(qb_ipcs_connection_t *c)
{
    client_t *client = g_new0(client_t, 1);

    client->c = c;
    client->conn = bl_ipc_conn_new(BL_EXECD_MAX_MSG);
    g_queue_init(&client->events);
    qb_ipcs_context_set(c, client);
}

static void
on_destroyed(qb_ipcs_connection_t *c)
{
    client_t *client = qb_ipcs_context_get(c);

    if (client != NULL) {
        client_clear(client);
        bl_ipc_conn_free(client->conn);
        g_free(client);
        qb_ipcs_context_set(c, NULL);
    }
}

static int32_t
on_closed(qb_ipcs_connection_t *c)
{
    client_t *client = qb_ipcs_context_get(c);
    GHashTableIter iter;
    gpointer key;
    gpointer value;
    GArray *calls = g_array_new(FALSE, FALSE, sizeof(uint64_t));

    if (client != NULL) {
        client_clear(client);
        client->evicted = true; /* nothing more is queued for it */
    }
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
execd_ipc_start(GMainContext *ctx, const execd_ipc_options_t *opts, bl_exec_t *exec, char **err)
{
    static struct qb_ipcs_service_handlers handlers = {
        .connection_accept = on_accept,
        .connection_created = on_created,
        .msg_process = on_msg,
        .connection_closed = on_closed,
        .connection_destroyed = on_destroyed,
    };
    execd_t *execd = g_new0(execd_t, 1);
    int rc;

    execd->ctx = ctx;
    execd->exec = exec;
    execd->ocf_root = g_strdup(opts->ocf_root);
    execd->max_client_events =
        opts->max_client_events > 0 ? opts->max_client_events : EXECD_MAX_CLIENT_EVENTS;
    execd->owners = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    current = execd;
    rc = bl_ipc_server_start(opts->name, &handlers, execd->ctx, BL_EXECD_MAX_MSG, &execd->service,
                             err);
    if (rc < 0) {
        execd_ipc_stop(execd);
        return NULL;
    }
    return execd;
}

void
execd_ipc_stop(execd_t *execd)
{
    bl_ipc_server_stop(execd->service);
    g_hash_table_destroy(execd->owners);
    g_free(execd->ocf_root);
    g_free(execd);
    current = NULL;
}
