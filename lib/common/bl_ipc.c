/*
 * IPC messages of any size over libqb: the frame format, reassembly, and the server's side
 * (lib/common/bl_ipc_client.c is the client's). libqb refuses a message larger than the
 * connection's buffer, and a buffer as large as the largest CIB would cost that much
 * shared memory three times per client, so large messages travel as frames instead:
 *   request  the client sends each frame as a request; the server acknowledges each but
 *            the last with an empty BL_IPC_MSG_CHUNK response, and answers the last one
 *            as it would the whole request;
 *   reply    the server sends the first frame as the response and keeps the rest; the
 *            client asks for each next one with BL_IPC_MSG_MORE. Each side thus waits
 *            for the other, so neither ever overruns the other's buffer;
 *   event    the server pushes frames while the client's buffer takes them, and the
 *            rest later (bl_ipc_conn_flush()). Events that come meanwhile wait behind it,
 *            up to one buffer's worth, and go out in order, so a client never sees two
 *            events' frames interleaved.
 */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qbipcs.h>

#include <belay/common.h>

#include "bl_ipc_private.h"

/* ------------------------------------------------------------------ frames */

size_t
bl__ipc_frame_data(size_t frame_max)
{
    /*
     * Half the buffer: libqb frees a message's room in the ring only once the reader is
     * done with it, so the next frame must fit beside the previous one.
     */
    return frame_max / 2 - BL__IPC_FRAME_OVERHEAD - BL__IPC_FRAME_HEADER;
}

uint32_t
bl__ipc_frame_count(size_t len, size_t frame_max)
{
    size_t data = bl__ipc_frame_data(frame_max);

    return (uint32_t) ((len + data - 1) / data);
}

void
bl__ipc_frame_encode(const bl__ipc_frame_t *frame, uint8_t out[BL__IPC_FRAME_HEADER])
{
    bl_le32_put(out, BL__IPC_FRAME_MAGIC);
    bl_le32_put(out + 4, frame->id);
    bl_le32_put(out + 8, frame->index);
    bl_le32_put(out + 12, frame->count);
}

bool
bl__ipc_frame_decode(const void *body, size_t len, bl__ipc_frame_t *frame)
{
    const uint8_t *bytes = body;

    if (len < BL__IPC_FRAME_HEADER || bl_le32_get(bytes) != BL__IPC_FRAME_MAGIC) {
        return false;
    }
    frame->id = bl_le32_get(bytes + 4);
    frame->index = bl_le32_get(bytes + 8);
    frame->count = bl_le32_get(bytes + 12);
    return frame->count > 0 && frame->index < frame->count;
}

void
bl__ipc_assembler_reset(bl__ipc_assembler_t *assembler)
{
    bl_free(&assembler->data);
    assembler->len = 0;
    assembler->size = 0;
}

/* Appends LEN bytes; false when the message would exceed BL_IPC_MAX_MSG. */
static bool
append(bl__ipc_assembler_t *assembler, const uint8_t *data, size_t len)
{
    if (assembler->len + len > BL_IPC_MAX_MSG) {
        return false;
    }
    if (assembler->len + len > assembler->size) {
        assembler->size = MAX(assembler->size * 2, assembler->len + len);
        assembler->data = bl_realloc(assembler->data, assembler->size);
    }
    memcpy(assembler->data + assembler->len, data, len);
    assembler->len += len;
    return true;
}

int
bl__ipc_assembler_add(bl__ipc_assembler_t *assembler, const void *body, size_t len, char **message,
                      size_t *message_len, char **err)
{
    bl__ipc_frame_t frame;
    const bl__ipc_frame_t *last = &assembler->last;

    if (!bl__ipc_frame_decode(body, len, &frame)) {
        bl__ipc_assembler_reset(assembler);
        bl_err_set(err, "malformed frame of %zu bytes", len);
        return BL_EPARSE;
    }
    if (frame.index == 0) {
        bl__ipc_assembler_reset(assembler);
    } else if (assembler->data == NULL || frame.index != last->index + 1
               || frame.count != last->count || frame.id != last->id) {
        bl__ipc_assembler_reset(assembler);
        bl_err_set(err, "frame %u of %u comes out of sequence", frame.index + 1, frame.count);
        return BL_EPARSE;
    }
    if (!append(assembler, (const uint8_t *) body + BL__IPC_FRAME_HEADER,
                len - BL__IPC_FRAME_HEADER)) {
        bl__ipc_assembler_reset(assembler);
        bl_err_set(err, "message larger than %d bytes", BL_IPC_MAX_MSG);
        return BL_EPARSE;
    }
    assembler->last = frame;
    if (frame.index + 1 < frame.count) {
        return 0;
    }
    if (assembler->len == 0 || assembler->data[assembler->len - 1] != '\0') {
        bl__ipc_assembler_reset(assembler);
        bl_err_set(err, "message of %u frames is not NUL-terminated text", frame.count);
        return BL_EPARSE;
    }
    *message = (char *) assembler->data;
    *message_len = assembler->len - 1;
    assembler->data = NULL;
    bl__ipc_assembler_reset(assembler);
    return 1;
}

/* ------------------------------------------------------------------ server */

/* A message going out frame by frame. */
typedef struct outgoing {
    char *text;    /* NULL when none */
    size_t len;    /* with the NUL */
    uint32_t next; /* index of the next frame */
    uint32_t count;
    bool framed; /* else sent whole, unframed */
} outgoing_t;

struct bl_ipc_conn {
    size_t frame_max;
    bl__ipc_assembler_t request;
    char *request_body; /* the last request put together from frames */
    outgoing_t reply;
    GQueue events;         /* outgoing_t *: the first one partly sent, the others waiting */
    size_t events_waiting; /* bytes of the events behind the first */
};

bl_ipc_conn_t *
bl_ipc_conn_new(size_t frame_max)
{
    bl_ipc_conn_t *conn = g_new0(bl_ipc_conn_t, 1);

    conn->frame_max = frame_max;
    return conn;
}

static void
outgoing_clear(outgoing_t *out)
{
    bl_free(&out->text);
    memset(out, 0, sizeof(*out));
}

static void
outgoing_free(gpointer data)
{
    outgoing_clear(data);
    g_free(data);
}

void
bl_ipc_conn_free(bl_ipc_conn_t *conn)
{
    if (conn == NULL) {
        return;
    }
    bl__ipc_assembler_reset(&conn->request);
    free(conn->request_body);
    outgoing_clear(&conn->reply);
    g_queue_clear_full(&conn->events, outgoing_free);
    g_free(conn);
}

/* Sends a response or event of LEN bytes of TEXT under libqb header id ID. */
static ssize_t
send_plain(qb_ipcs_connection_t *c, bool event, int32_t id, const char *text, size_t len)
{
    struct qb_ipc_response_header header = {.id = id};
    struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};

    header.size = (int32_t) (sizeof(header) + len);
    return event ? qb_ipcs_event_sendv(c, iov, len > 0 ? 2 : 1)
                 : qb_ipcs_response_sendv(c, iov, len > 0 ? 2 : 1);
}

/* Sends OUT's next frame; on success moves on, and clears OUT after its last frame. */
static ssize_t
send_frame(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, bool event, outgoing_t *out)
{
    size_t data = bl__ipc_frame_data(conn->frame_max);
    size_t offset = (size_t) out->next * data;
    size_t n = MIN(data, out->len - offset);
    bl__ipc_frame_t frame = {.id = 0, .index = out->next, .count = out->count};
    struct qb_ipc_response_header header = {.id = BL_IPC_MSG_CHUNK};
    uint8_t frame_header[BL__IPC_FRAME_HEADER];
    struct iovec iov[3] = {
        {&header, sizeof(header)},
        {frame_header, sizeof(frame_header)},
        {out->text + offset, n},
    };
    ssize_t sent;

    bl__ipc_frame_encode(&frame, frame_header);
    header.size = (int32_t) (sizeof(header) + sizeof(frame_header) + n);
    sent = event ? qb_ipcs_event_sendv(c, iov, 3) : qb_ipcs_response_sendv(c, iov, 3);
    if (sent >= 0 && ++out->next == out->count) {
        outgoing_clear(out);
    }
    return sent;
}

/* Sets OUT to a copy of TEXT, framed when it does not fit in one message. */
static void
outgoing_start(const bl_ipc_conn_t *conn, outgoing_t *out, const char *text)
{
    outgoing_clear(out);
    out->text = bl_strdup(text);
    out->len = strlen(text) + 1;
    out->framed = out->len > bl__ipc_frame_data(conn->frame_max);
    out->count = out->framed ? bl__ipc_frame_count(out->len, conn->frame_max) : 1;
}

/* Sends the next frame of event OUT, or OUT whole; clears OUT once all of it went out. */
static ssize_t
send_event(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, outgoing_t *out)
{
    ssize_t sent;

    if (out->framed) {
        return send_frame(conn, c, true, out);
    }
    sent = send_plain(c, true, 0, out->text, out->len);
    if (sent >= 0) {
        outgoing_clear(out);
    }
    return sent;
}

int
bl_ipc_conn_reply(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const char *text)
{
    ssize_t sent;

    if (strlen(text) >= BL_IPC_MAX_MSG) {
        return -EMSGSIZE;
    }
    if (strlen(text) + 1 > bl__ipc_frame_data(conn->frame_max)) {
        outgoing_start(conn, &conn->reply, text);
        sent = send_frame(conn, c, false, &conn->reply);
    } else {
        outgoing_clear(&conn->reply);
        sent = send_plain(c, false, 0, text, strlen(text) + 1);
    }
    if (sent < 0) {
        outgoing_clear(&conn->reply);
    }
    return sent < 0 ? (int) sent : 0;
}

bool
bl_ipc_conn_flush(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c)
{
    outgoing_t *out;

    while ((out = g_queue_peek_head(&conn->events)) != NULL) {
        ssize_t sent = send_event(conn, c, out);

        if (sent == -EAGAIN || sent == -ENOBUFS) {
            return false;
        }
        if (sent < 0) {
            /* the connection is failing: libqb closes it, nothing more can reach it */
            g_queue_clear_full(&conn->events, outgoing_free);
            conn->events_waiting = 0;
            return true;
        }
        if (out->text == NULL) {
            outgoing_free(g_queue_pop_head(&conn->events));
            out = g_queue_peek_head(&conn->events);
            conn->events_waiting -= out != NULL ? out->len : 0;
        }
    }
    return true;
}

int
bl_ipc_conn_event(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const char *text)
{
    size_t len = strlen(text) + 1;
    outgoing_t *out;
    ssize_t sent;

    if (len > BL_IPC_MAX_MSG) {
        return -EMSGSIZE;
    }
    if (!bl_ipc_conn_flush(conn, c)) {
        /* behind an event still going out: it waits, within one buffer's worth */
        if (conn->events_waiting + len > conn->frame_max) {
            return -EAGAIN;
        }
        out = g_new0(outgoing_t, 1);
        outgoing_start(conn, out, text);
        g_queue_push_tail(&conn->events, out);
        conn->events_waiting += len;
        return 0;
    }
    if (len <= bl__ipc_frame_data(conn->frame_max)) {
        sent = send_plain(c, true, 0, text, len);
        return sent == -EAGAIN || sent == -ENOBUFS ? -EAGAIN : (int) MIN(sent, 0);
    }
    out = g_new0(outgoing_t, 1);
    outgoing_start(conn, out, text);
    sent = send_event(conn, c, out);
    if (sent < 0) {
        outgoing_free(out);
        return sent == -EAGAIN || sent == -ENOBUFS ? -EAGAIN : (int) sent;
    }
    g_queue_push_tail(&conn->events, out);
    bl_ipc_conn_flush(conn, c);
    return 0;
}

/* A frame of a large request: acknowledged, or the whole request once it is complete. */
static int
receive_frame(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const char *payload, size_t len,
              int32_t *id, const char **body, char **err)
{
    bl__ipc_frame_t frame = {0};
    char *message = NULL;
    size_t message_len = 0;
    int rc;

    bl__ipc_frame_decode(payload, len, &frame);
    rc = bl__ipc_assembler_add(&conn->request, payload, len, &message, &message_len, err);
    if (rc < 0) {
        bl_err_prefix(err, "request");
        return rc;
    }
    if (rc == 0) {
        ssize_t sent = send_plain(c, false, BL_IPC_MSG_CHUNK, NULL, 0);

        return sent < 0 ? (int) sent : 0;
    }
    free(conn->request_body);
    conn->request_body = message;
    *id = (int32_t) frame.id;
    *body = message;
    return 1;
}

int
bl_ipc_conn_receive(bl_ipc_conn_t *conn, qb_ipcs_connection_t *c, const void *data, size_t size,
                    int32_t *id, const char **body, char **err)
{
    struct qb_ipc_request_header header;
    const char *payload = (const char *) data + sizeof(header);
    size_t len;

    if (size < sizeof(header)) {
        bl_err_set(err, "malformed request of %zu bytes", size);
        return BL_EPARSE;
    }
    len = size - sizeof(header);
    /* libqb's ring buffers do not keep the header aligned: copy it out. */
    memcpy(&header, data, sizeof(header));
    if (header.id == BL_IPC_MSG_MORE) {
        if (conn->reply.text == NULL) {
            /* nothing to continue: an empty answer, which the client reports */
            send_plain(c, false, BL_IPC_MSG_MORE, NULL, 0);
            return 0;
        }
        send_frame(conn, c, false, &conn->reply);
        return 0;
    }
    /* Any other request means the client gave up on the rest of a reply. */
    outgoing_clear(&conn->reply);
    if (header.id == BL_IPC_MSG_CHUNK) {
        return receive_frame(conn, c, payload, len, id, body, err);
    }
    if (len == 0 || payload[len - 1] != '\0') {
        bl_err_set(err, "malformed request (no NUL-terminated body)");
        return BL_EPARSE;
    }
    *id = header.id;
    *body = payload;
    return 1;
}

/* ---------------------------------------------------------------- service */

int
bl_ipc_server_start(const char *name, struct qb_ipcs_service_handlers *handlers, GMainContext *ctx,
                    size_t frame_max, qb_ipcs_service_t **service, char **err)
{
    qb_ipcs_service_t *created = qb_ipcs_create(name, 0, QB_IPC_NATIVE, handlers);
    int rc;

    bl_ipc_loop_attach(created, ctx);
    qb_ipcs_enforce_buffer_size(created, frame_max);
    rc = qb_ipcs_run(created);
    if (rc < 0) {
        bl_err_set(err, "cannot serve IPC '%s': %s", name, g_strerror(-rc));
        bl_ipc_server_stop(created);
        return rc;
    }
    *service = created;
    return 0;
}

void
bl_ipc_server_stop(qb_ipcs_service_t *service)
{
    if (service == NULL) {
        return;
    }
    qb_ipcs_destroy(service);
    bl_ipc_loop_detach();
}
