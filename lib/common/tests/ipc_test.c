/*
 * IPC messages of any size (lib/common/bl_ipc.c, bl_ipc_client.c): a server in a child
 * process with buffers of 64 KiB, so that messages of a few hundred kB already travel as
 * many frames, and the frame reassembly on its own.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <glib-unix.h>

#include <belay/common.h>

#include "bl_ipc_private.h"

#define FRAME_MAX (64 * 1024)
#define TIMEOUT_MS 10000

/* Requests of the test server. */
enum {
    ECHO = 1,   /* replies with the body */
    SIZED = 2,  /* body N: replies with N bytes of text */
    EVENT = 3,  /* body N: sends an event of N bytes of text, then replies "sent" */
    EVENTS = 4, /* body N: sends an event of N bytes, then "<small/>"; replies "sent" */
};

static char service[64];
static pid_t server_pid;

/* N bytes of text that differ along the way (so a frame put in the wrong place shows). */
static char *
pattern(size_t n)
{
    char *text = bl_malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        text[i] = (char) ('a' + (i * 7 + i / 4096) % 26);
    }
    text[n] = '\0';
    return text;
}

/* ------------------------------------------------------------------ server */

static GHashTable *sending;

static gboolean
push(gpointer data)
{
    GHashTableIter iter;
    gpointer c;

    (void) data;
    g_hash_table_iter_init(&iter, sending);
    while (g_hash_table_iter_next(&iter, &c, NULL)) {
        if (bl_ipc_conn_flush(qb_ipcs_context_get(c), c)) {
            g_hash_table_iter_remove(&iter);
        }
    }
    return G_SOURCE_CONTINUE;
}

static void
handle(qb_ipcs_connection_t *c, bl_ipc_conn_t *conn, int32_t id, const char *body)
{
    char *text = NULL;

    if (id == ECHO) {
        bl_ipc_conn_reply(conn, c, body);
        return;
    }
    text = pattern(strtoul(body, NULL, 10));
    if (id == SIZED) {
        bl_ipc_conn_reply(conn, c, text);
    } else if (bl_ipc_conn_event(conn, c, text) == 0
               && (id == EVENT || bl_ipc_conn_event(conn, c, "<small/>") == 0)) {
        if (!bl_ipc_conn_flush(conn, c)) {
            g_hash_table_add(sending, c);
        }
        bl_ipc_conn_reply(conn, c, "sent");
    } else {
        bl_ipc_conn_reply(conn, c, "busy");
    }
    free(text);
}

static int32_t
on_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
    bl_ipc_conn_t *conn = qb_ipcs_context_get(c);
    const char *body = NULL;
    char *err = NULL;
    int32_t id = 0;
    int rc = bl_ipc_conn_receive(conn, c, data, size, &id, &body, &err);

    if (rc < 0) {
        g_autofree char *text = g_strdup_printf("error: %s", err);

        bl_ipc_conn_reply(conn, c, text);
    } else if (rc == 1) {
        handle(c, conn, id, body);
    }
    free(err);
    return 0;
}

static void
on_created(qb_ipcs_connection_t *c)
{
    qb_ipcs_context_set(c, bl_ipc_conn_new(FRAME_MAX));
}

static void
on_destroyed(qb_ipcs_connection_t *c)
{
    g_hash_table_remove(sending, c);
    bl_ipc_conn_free(qb_ipcs_context_get(c));
}

static int32_t
on_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
    (void) c;
    (void) uid;
    (void) gid;
    return 0;
}

static gboolean
on_term(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void
run_server(void)
{
    static struct qb_ipcs_service_handlers handlers = {
        .connection_accept = on_accept,
        .connection_created = on_created,
        .msg_process = on_msg,
        .connection_destroyed = on_destroyed,
    };
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    qb_ipcs_service_t *srv = qb_ipcs_create(service, 0, QB_IPC_NATIVE, &handlers);

    sending = g_hash_table_new(g_direct_hash, g_direct_equal);
    bl_ipc_loop_attach(srv, NULL);
    qb_ipcs_enforce_buffer_size(srv, FRAME_MAX);
    if (qb_ipcs_run(srv) != 0) {
        _exit(2);
    }
    g_timeout_add(5, push, NULL);
    g_unix_signal_add(SIGTERM, on_term, loop);
    g_main_loop_run(loop);
    qb_ipcs_destroy(srv);
    bl_ipc_loop_detach();
    _exit(0);
}

/* ------------------------------------------------------------------ client */

static bl_ipc_client_t *
connect_client(bool chunked)
{
    bl_ipc_client_t *client = NULL;
    char *err = NULL;

    for (int i = 0; i < 200; i++) {
        if (bl_ipc_client_connect(service, "test-server", FRAME_MAX, chunked, &client, &err) == 0) {
            return client;
        }
        bl_free(&err);
        g_usleep(20000);
    }
    fail_msg("cannot connect to the test server");
    return NULL;
}

static int
setup(void **state)
{
    (void) state;
    snprintf(service, sizeof(service), "bl-ipc-test-%ld", (long) getpid());
    server_pid = fork();
    if (server_pid == 0) {
        run_server();
    }
    return server_pid > 0 ? 0 : -1;
}

static int
teardown(void **state)
{
    int status = 0;

    (void) state;
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Sends TEXT as request ID and returns the reply (caller frees). */
static char *
request(bl_ipc_client_t *client, int32_t id, const char *text)
{
    char *reply = NULL;
    char *err = NULL;
    size_t len = 0;
    int rc = bl_ipc_client_request(client, id, text, TIMEOUT_MS, &reply, &len, &err);

    if (rc != 0) {
        fail_msg("request failed: %s", err);
    }
    assert_int_equal(len, strlen(reply));
    return reply;
}

static void
test_small_messages_unframed(void **state)
{
    bl_ipc_client_t *client = connect_client(true);
    g_autofree char *reply = request(client, ECHO, "<hello/>");

    (void) state;
    assert_string_equal(reply, "<hello/>");
    bl_ipc_client_free(client);
}

static void
test_large_request_and_reply(void **state)
{
    bl_ipc_client_t *client = connect_client(true);
    /* 1 MB: 17 frames each way; then one byte more and less than a frame's data */
    size_t sizes[] = {1000000, bl__ipc_frame_data(FRAME_MAX), bl__ipc_frame_data(FRAME_MAX) + 1,
                      2 * bl__ipc_frame_data(FRAME_MAX) - 1};

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        g_autofree char *text = pattern(sizes[i] - 1); /* with its NUL: sizes[i] bytes */
        g_autofree char *reply = request(client, ECHO, text);

        assert_int_equal(strlen(reply), strlen(text));
        assert_true(strcmp(reply, text) == 0);
    }
    bl_ipc_client_free(client);
}

static void
test_large_reply_to_small_request(void **state)
{
    bl_ipc_client_t *client = connect_client(true);
    g_autofree char *reply = request(client, SIZED, "3000000");
    g_autofree char *want = pattern(3000000);
    g_autofree char *after = request(client, ECHO, "next");

    (void) state;
    assert_true(strcmp(reply, want) == 0);
    /* the connection is in step again after the frames */
    assert_string_equal(after, "next");
    bl_ipc_client_free(client);
}

static void
test_large_events(void **state)
{
    bl_ipc_client_t *client = connect_client(true);
    g_autofree char *want = pattern(700000);
    char *event = NULL;
    char *err = NULL;
    size_t len = 0;

    (void) state;
    for (int i = 0; i < 3; i++) {
        g_autofree char *sent = request(client, EVENT, "700000");

        assert_string_equal(sent, "sent");
        assert_int_equal(bl_ipc_client_event(client, TIMEOUT_MS, &event, &len, &err), 0);
        assert_int_equal(len, 700000);
        assert_true(strcmp(event, want) == 0);
        bl_free(&event);
    }
    /* nothing else comes */
    assert_int_equal(bl_ipc_client_event(client, 100, &event, &len, &err), -ETIMEDOUT);
    bl_ipc_client_free(client);
}

/* An event that comes while a large one is still going out waits for it, in order. */
static void
test_event_behind_large_one(void **state)
{
    bl_ipc_client_t *client = connect_client(true);
    g_autofree char *want = pattern(700000);
    g_autofree char *sent = request(client, EVENTS, "700000");
    char *event = NULL;
    char *err = NULL;
    size_t len = 0;

    (void) state;
    assert_string_equal(sent, "sent");
    assert_int_equal(bl_ipc_client_event(client, TIMEOUT_MS, &event, &len, &err), 0);
    assert_true(strcmp(event, want) == 0);
    bl_free(&event);
    assert_int_equal(bl_ipc_client_event(client, TIMEOUT_MS, &event, &len, &err), 0);
    assert_string_equal(event, "<small/>");
    bl_free(&event);
    bl_ipc_client_free(client);
}

static void
test_unchunked_client_refuses_large_request(void **state)
{
    bl_ipc_client_t *client = connect_client(false);
    g_autofree char *text = pattern(FRAME_MAX);
    char *reply = NULL;
    char *err = NULL;
    size_t len = 0;

    (void) state;
    assert_int_equal(bl_ipc_client_request(client, ECHO, text, TIMEOUT_MS, &reply, &len, &err),
                     -EMSGSIZE);
    assert_non_null(strstr(err, "test-server: request of 65537 bytes is larger than it accepts"));
    bl_free(&err);
    /* up to a frame's data it goes through, unframed */
    text[bl__ipc_frame_data(FRAME_MAX) - 1] = '\0';
    assert_int_equal(bl_ipc_client_request(client, ECHO, text, TIMEOUT_MS, &reply, &len, &err), 0);
    assert_int_equal(len, bl__ipc_frame_data(FRAME_MAX) - 1);
    bl_free(&reply);
    assert_null(reply);
    free(err);
    bl_ipc_client_free(client);
}

/* Frame BODY number INDEX of COUNT with DATA. */
static GByteArray *
frame(uint32_t index, uint32_t count, const char *data, size_t len)
{
    bl__ipc_frame_t header = {.id = 7, .index = index, .count = count};
    uint8_t bytes[BL__IPC_FRAME_HEADER];
    GByteArray *out = g_byte_array_new();

    bl__ipc_frame_encode(&header, bytes);
    g_byte_array_append(out, bytes, sizeof(bytes));
    g_byte_array_append(out, (const guint8 *) data, (guint) len);
    return out;
}

static int
add(bl__ipc_assembler_t *assembler, GByteArray *body, char **message, char **err)
{
    size_t len = 0;
    int rc = bl__ipc_assembler_add(assembler, body->data, body->len, message, &len, err);

    g_byte_array_unref(body);
    return rc;
}

static void
test_assembler_refuses_bad_sequences(void **state)
{
    bl__ipc_assembler_t assembler = {0};
    char *message = NULL;
    char *err = NULL;

    (void) state;
    assert_int_equal(add(&assembler, frame(0, 2, "ab", 2), &message, &err), 0);
    assert_int_equal(add(&assembler, frame(1, 2, "c", 2), &message, &err), 1);
    assert_string_equal(message, "abc");
    bl_free(&message);
    /* a frame that does not follow the previous one drops the message */
    assert_int_equal(add(&assembler, frame(0, 3, "ab", 2), &message, &err), 0);
    assert_int_equal(add(&assembler, frame(2, 3, "c", 2), &message, &err), BL_EPARSE);
    assert_string_equal(err, "frame 3 of 3 comes out of sequence");
    bl_free(&err);
    assert_int_equal(add(&assembler, frame(1, 3, "c", 2), &message, &err), BL_EPARSE);
    bl_free(&err);
    /* the whole message must be text */
    assert_int_equal(add(&assembler, frame(0, 2, "ab", 2), &message, &err), 0);
    assert_int_equal(add(&assembler, frame(1, 2, "cd", 2), &message, &err), BL_EPARSE);
    assert_string_equal(err, "message of 2 frames is not NUL-terminated text");
    bl_free(&err);
    /* not a frame at all */
    assert_int_equal(bl__ipc_assembler_add(&assembler, "xyz", 3, &message, &(size_t){0}, &err),
                     BL_EPARSE);
    bl_free(&err);
    assert_null(message);
    bl__ipc_assembler_reset(&assembler);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_messages_unframed),
        cmocka_unit_test(test_large_request_and_reply),
        cmocka_unit_test(test_large_reply_to_small_request),
        cmocka_unit_test(test_large_events),
        cmocka_unit_test(test_event_behind_large_one),
        cmocka_unit_test(test_unchunked_client_refuses_large_request),
        cmocka_unit_test(test_assembler_refuses_bad_sequences),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
