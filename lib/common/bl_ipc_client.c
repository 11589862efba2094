/*
 * The client side of Belay's libqb IPC, shared by the CIB and executor clients: connect,
 * a request and its reply, events — each of any size (the frames are described in
 * lib/common/bl_ipc.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qbipcc.h>

#include <belay/common.h>

#include "bl_ipc_private.h"

struct bl_ipc_client {
    qb_ipcc_connection_t *conn;
    char *daemon;              /* names the server in messages */
    size_t frame_max;          /* the connection's buffer size */
    bool chunked;              /* the server puts large requests together */
    char *buffer;              /* frame_max bytes for replies and events */
    bl__ipc_assembler_t event; /* an event that came in part */
};

#define RESPONSE_HEADER sizeof(struct qb_ipc_response_header)

int
bl_ipc_client_connect(const char *name, const char *daemon, size_t frame_max, bool chunked,
                      bl_ipc_client_t **client, char **err)
{
    qb_ipcc_connection_t *conn;
    bl_ipc_client_t *c;

    errno = 0;
    conn = qb_ipcc_connect(name, frame_max);
    if (conn == NULL) {
        int rc = errno != 0 ? -errno : -ENOTCONN;

        bl_err_set(err, "cannot connect to %s (IPC '%s'): %s; is it running?", daemon, name,
                   g_strerror(-rc));
        return rc;
    }
    c = g_new0(bl_ipc_client_t, 1);
    c->conn = conn;
    c->daemon = bl_strdup(daemon);
    /* The server may insist on larger buffers than asked for: its frames are that large. */
    c->frame_max = MAX(frame_max, (size_t) MAX(qb_ipcc_get_buffer_size(conn), 0));
    c->chunked = chunked;
    c->buffer = bl_malloc(c->frame_max);
    *client = c;
    return 0;
}

void
bl_ipc_client_free(bl_ipc_client_t *client)
{
    if (client == NULL) {
        return;
    }
    qb_ipcc_disconnect(client->conn);
    bl__ipc_assembler_reset(&client->event);
    free(client->buffer);
    free(client->daemon);
    g_free(client);
}

/* Milliseconds left until DEADLINE (monotonic µs; -1: none), for libqb's timeouts. */
static int
remaining_ms(gint64 deadline)
{
    gint64 left;

    if (deadline < 0) {
        return -1;
    }
    left = deadline - g_get_monotonic_time();
    return left > 0 ? (int) ((left + 999) / 1000) : 0;
}

static gint64
deadline_of(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : g_get_monotonic_time() + (gint64) timeout_ms * 1000;
}

/*
 * Sends IOV as one request and waits for the response; returns its size or -errno. The
 * server frees a request's room in the ring only after handling it, so the next frame may
 * find the ring full for a moment: nothing was sent then, and it is tried again.
 */
static ssize_t
transact(bl_ipc_client_t *client, const struct iovec *iov, size_t n, int timeout_ms)
{
    gint64 deadline = deadline_of(timeout_ms);
    ssize_t got;

    while ((got = qb_ipcc_sendv(client->conn, iov, n)) == -EAGAIN && remaining_ms(deadline) != 0) {
        g_usleep(1000);
    }
    if (got < 0) {
        return got;
    }
    do {
        got = qb_ipcc_recv(client->conn, client->buffer, client->frame_max, remaining_ms(deadline));
    } while (got == -EAGAIN && remaining_ms(deadline) != 0);
    return got == -EAGAIN ? -ETIMEDOUT : got;
}

/* The libqb header id of the response or event in the buffer. */
static int32_t
header_id(const bl_ipc_client_t *client)
{
    struct qb_ipc_response_header header;

    memcpy(&header, client->buffer, sizeof(header));
    return header.id;
}

/* Sends the frames of a large request; returns the size of the server's final answer. */
static ssize_t
send_frames(bl_ipc_client_t *client, int32_t id, const char *text, size_t len, int timeout_ms)
{
    size_t data = bl__ipc_frame_data(client->frame_max);
    bl__ipc_frame_t frame = {.id = (uint32_t) id};
    ssize_t got = -EINVAL;

    frame.count = bl__ipc_frame_count(len, client->frame_max);
    for (frame.index = 0; frame.index < frame.count; frame.index++) {
        size_t offset = (size_t) frame.index * data;
        size_t n = MIN(data, len - offset);
        struct qb_ipc_request_header header = {.id = BL_IPC_MSG_CHUNK};
        uint8_t frame_header[BL__IPC_FRAME_HEADER];
        struct iovec iov[3] = {
            {&header, sizeof(header)},
            {frame_header, sizeof(frame_header)},
            {(void *) (text + offset), n},
        };

        bl__ipc_frame_encode(&frame, frame_header);
        header.size = (int32_t) (sizeof(header) + sizeof(frame_header) + n);
        got = transact(client, iov, 3, timeout_ms);
        /* anything but an acknowledgement ends the request (the server refused it) */
        if (got < 0 || (size_t) got != RESPONSE_HEADER || header_id(client) != BL_IPC_MSG_CHUNK) {
            break;
        }
    }
    return got;
}

/* Asks for the next frame of a reply; returns its size. */
static ssize_t
ask_more(bl_ipc_client_t *client, int timeout_ms)
{
    struct qb_ipc_request_header header = {.id = BL_IPC_MSG_MORE, .size = sizeof(header)};
    struct iovec iov[1] = {{&header, sizeof(header)}};

    return transact(client, iov, 1, timeout_ms);
}

/* A whole unframed message of GOT bytes in the buffer, copied into *text. */
static int
take_plain(bl_ipc_client_t *client, ssize_t got, const char *what, char **text, size_t *len,
           char **err)
{
    if ((size_t) got <= RESPONSE_HEADER || client->buffer[got - 1] != '\0') {
        bl_err_set(err, "%s: malformed %s of %zd bytes", client->daemon, what, got);
        return BL_EPARSE;
    }
    *len = strlen(client->buffer + RESPONSE_HEADER);
    *text = bl_strndup(client->buffer + RESPONSE_HEADER, *len);
    return 0;
}

/* The reply whose first frame or whole message (GOT bytes) is in the buffer. */
static int
receive_reply(bl_ipc_client_t *client, ssize_t got, int timeout_ms, char **reply, size_t *len,
              char **err)
{
    bl__ipc_assembler_t assembler = {0};
    int rc = 0;

    if (header_id(client) != BL_IPC_MSG_CHUNK || (size_t) got == RESPONSE_HEADER) {
        return take_plain(client, got, "reply", reply, len, err);
    }
    while (rc == 0) {
        rc = bl__ipc_assembler_add(&assembler, client->buffer + RESPONSE_HEADER,
                                   (size_t) got - RESPONSE_HEADER, reply, len, err);
        if (rc != 0) {
            break;
        }
        got = ask_more(client, timeout_ms);
        if (got < 0) {
            bl_err_set(err, "%s: %s", client->daemon, g_strerror((int) -got));
            rc = (int) got;
        } else if (header_id(client) != BL_IPC_MSG_CHUNK || (size_t) got == RESPONSE_HEADER) {
            bl_err_set(err, "ended after %u of %u frames", assembler.last.index + 1,
                       assembler.last.count);
            rc = BL_EPARSE;
        }
    }
    bl__ipc_assembler_reset(&assembler);
    if (rc == BL_EPARSE) {
        bl_err_prefix(err, "%s: reply", client->daemon);
    }
    return rc < 0 ? rc : 0;
}

int
bl_ipc_client_request(bl_ipc_client_t *client, int32_t id, const char *text, int timeout_ms,
                      char **reply, size_t *reply_len, char **err)
{
    size_t len = strlen(text) + 1;
    /* a message of at most a frame's data travels unframed, as before frames existed */
    size_t whole = bl__ipc_frame_data(client->frame_max);
    ssize_t got;

    if (len > BL_IPC_MAX_MSG || (!client->chunked && len > whole)) {
        bl_err_set(err, "%s: request of %zu bytes is larger than it accepts", client->daemon, len);
        return -EMSGSIZE;
    }
    if (len <= whole) {
        struct qb_ipc_request_header header = {.id = id};
        struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};

        header.size = (int32_t) (sizeof(header) + len);
        got = transact(client, iov, 2, timeout_ms);
    } else {
        got = send_frames(client, id, text, len, timeout_ms);
    }
    if (got < 0) {
        bl_err_set(err, "%s: %s", client->daemon, g_strerror((int) -got));
        return (int) got;
    }
    return receive_reply(client, got, timeout_ms, reply, reply_len, err);
}

int
bl_ipc_client_send(bl_ipc_client_t *client, int32_t id, const char *text, char **err)
{
    size_t len = strlen(text) + 1;
    struct qb_ipc_request_header header = {.id = id};
    struct iovec iov[2] = {{&header, sizeof(header)}, {(void *) text, len}};
    ssize_t sent;

    /* frames wait for an answer each, so only a one-frame request can be left in flight */
    if (len > bl__ipc_frame_data(client->frame_max)) {
        bl_err_set(err, "%s: request of %zu bytes is too large to send without waiting",
                   client->daemon, len);
        return -EMSGSIZE;
    }
    header.size = (int32_t) (sizeof(header) + len);
    sent = qb_ipcc_sendv(client->conn, iov, 2);
    if (sent < 0 && sent != -EAGAIN) {
        bl_err_set(err, "%s: %s", client->daemon, g_strerror((int) -sent));
    }
    return sent < 0 ? (int) sent : 0;
}

int
bl_ipc_client_recv(bl_ipc_client_t *client, int timeout_ms, char **reply, size_t *reply_len,
                   char **err)
{
    ssize_t got = qb_ipcc_recv(client->conn, client->buffer, client->frame_max, timeout_ms);

    if (got == -ETIMEDOUT || got == -EAGAIN) {
        return -ETIMEDOUT;
    }
    if (got < 0) {
        bl_err_set(err, "%s: %s", client->daemon, g_strerror((int) -got));
        return (int) got;
    }
    if (header_id(client) == BL_IPC_MSG_CHUNK) {
        /* the next frame would have to be asked for between other replies */
        bl_err_set(err, "%s: a framed reply to a request sent without waiting", client->daemon);
        return BL_EPARSE;
    }
    return take_plain(client, got, "reply", reply, reply_len, err);
}

int
bl_ipc_client_event(bl_ipc_client_t *client, int timeout_ms, char **event, size_t *event_len,
                    char **err)
{
    gint64 deadline = deadline_of(timeout_ms);

    for (;;) {
        ssize_t got = qb_ipcc_event_recv(client->conn, client->buffer, client->frame_max,
                                         remaining_ms(deadline));
        int rc;

        if (got == -ETIMEDOUT || got == -EAGAIN) {
            return -ETIMEDOUT;
        }
        if (got < 0) {
            bl_err_set(err, "%s: %s", client->daemon, g_strerror((int) -got));
            return (int) got;
        }
        if (header_id(client) != BL_IPC_MSG_CHUNK) {
            bl__ipc_assembler_reset(&client->event);
            return take_plain(client, got, "event", event, event_len, err);
        }
        rc = bl__ipc_assembler_add(&client->event, client->buffer + RESPONSE_HEADER,
                                   (size_t) got - RESPONSE_HEADER, event, event_len, err);
        if (rc != 0) {
            if (rc < 0) {
                bl_err_prefix(err, "%s: event", client->daemon);
            }
            return rc < 0 ? rc : 0;
        }
    }
}

int
bl_ipc_client_fd(const bl_ipc_client_t *client)
{
    int32_t fd = -1;

    qb_ipcc_fd_get(client->conn, &fd);
    return fd;
}
