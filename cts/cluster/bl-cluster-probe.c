/*
 * bl-cluster-probe: a tiny daemon on lib/cluster for the multi-node tests.
 *
 *   bl-cluster-probe watch
 *       joins CPG group "belay-probe" and tracks votequorum; prints one "view ..." line
 *       whenever this node's view of quorum or group membership changes, answers pings,
 *       and reconnects (every 500 ms) when corosync goes away, as a daemon would. It also
 *       digests every storm message in delivery order and prints "storm n=N digest=D
 *       fifo=ok" every 500 of them: equal digests on all nodes mean the same order.
 *   bl-cluster-probe ping COUNT PEERS [SIZE]
 *       waits until PEERS other nodes have a watcher in the group, then multicasts COUNT
 *       pings of SIZE bytes (default 16) one after another and prints the latency of
 *       (a) the ping's own delivery back to the sender (agreed order over all nodes) and
 *       (b) the round trip until every peer's answer is delivered: median and p99, in ms.
 *   bl-cluster-probe storm COUNT [SIZE]
 *       multicasts COUNT messages of SIZE bytes at once (flow control queues them), waits
 *       until all are delivered back and prints the rate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>

#include <belay/cluster.h>
#include <belay/common.h>

#define GROUP "belay-probe"
#define RECONNECT_MS 500
#define PING_TIMEOUT_S 60

enum { MSG_PING = 1, MSG_PONG = 2, MSG_STORM = 3 };

#define STORM_REPORT 500

/* On the wire (all nodes run the same build on one machine: host byte order is fine). */
typedef struct probe_msg {
    uint32_t kind;
    uint32_t seq;
    uint32_t origin_nodeid; /* who sent the ping */
    uint32_t origin_pid;
} probe_msg_t;

static struct {
    GMainLoop *loop;
    bl_cpg_t *cpg;
    bl_quorum_t *quorum;
    guint reconnect_timer;
    char *group_line;  /* distinct node names in the CPG group */
    char *quorum_line; /* quorum part of the view */
    char *last_view;
    /* ping mode */
    bool pinging;
    unsigned peers; /* other nodes with a watcher in the group */
    unsigned wanted_peers;
    uint32_t seq;
    gint64 sent_at;
    unsigned pongs;
    GHashTable *answered; /* node ids that answered the current ping */
    bool self_seen;
    GArray *self_ms;
    GArray *rtt_ms;
    unsigned count;
    unsigned char *buffer; /* a ping: the message, then padding up to size */
    size_t size;
    int status;
    /* watch mode: what the storm looked like here */
    GChecksum *storm_digest;
    GHashTable *storm_last; /* sender (nodeid << 32 | pid) -> last seq + 1 */
    unsigned storm_delivered;
    bool storm_fifo;
    /* storm mode */
    bool storming;
    gint64 storm_start;
} probe;

static void
print_view(void)
{
    char *view;

    if (probe.group_line == NULL || probe.quorum_line == NULL) {
        return;
    }
    view = bl_asprintf("view %s group=%s", probe.quorum_line, probe.group_line);
    if (g_strcmp0(view, probe.last_view) != 0) {
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_autofree char *stamp = g_date_time_format(now, "%H:%M:%S.%f");

        printf("%.12s %s\n", stamp, view);
        fflush(stdout);
        free(probe.last_view);
        probe.last_view = view;
    } else {
        free(view);
    }
}

static void
on_quorum(bl_quorum_t *quorum, const bl_quorum_view_t *view, void *user_data)
{
    GString *line = g_string_new(NULL);
    bool first = true;

    (void) quorum;
    (void) user_data;
    g_string_append_printf(line, "quorate=%s votes=%u expected=%u total=%u quorum=%u nodes=",
                           view->quorate ? "yes" : "no", view->votes, view->expected_votes,
                           view->total_votes, view->quorum);
    for (size_t i = 0; i < view->n_nodes; i++) {
        if (view->nodes[i].member) {
            g_string_append_printf(line, "%s%s", first ? "" : ",",
                                   view->nodes[i].name != NULL ? view->nodes[i].name : "?");
            first = false;
        }
    }
    free(probe.quorum_line);
    probe.quorum_line = bl_strdup(line->str);
    g_string_free(line, TRUE);
    print_view();
}

/* Distinct node names of the group's members (members are sorted by node id). */
static void
on_membership(bl_cpg_t *cpg, const bl_cpg_membership_t *change, void *user_data)
{
    GString *line = g_string_new(NULL);
    uint32_t previous = 0;

    (void) user_data;
    probe.peers = 0;
    for (size_t i = 0; i < change->n_members; i++) {
        const bl_cpg_member_t *m = &change->members[i];

        if (m->nodeid == previous) {
            continue;
        }
        g_string_append_printf(line, "%s%s", previous == 0 ? "" : ",",
                               m->name != NULL ? m->name : "?");
        previous = m->nodeid;
        if (m->nodeid != bl_cpg_local_nodeid(cpg)) {
            probe.peers++;
        }
    }
    free(probe.group_line);
    probe.group_line = bl_strdup(line->str);
    g_string_free(line, TRUE);
    if (!probe.pinging) {
        print_view();
    }
}

static double
ms_since(gint64 start)
{
    return (double) (g_get_monotonic_time() - start) / 1000.0;
}

static void send_ping(void);

static void
ping_delivered(const probe_msg_t *msg, uint32_t nodeid, uint32_t pid)
{
    bool mine = msg->origin_nodeid == bl_cpg_local_nodeid(probe.cpg)
                && msg->origin_pid == (uint32_t) getpid() && msg->seq == probe.seq;
    double ms = ms_since(probe.sent_at);

    if (!mine) {
        return;
    }
    if (msg->kind == MSG_PING && nodeid == msg->origin_nodeid && pid == msg->origin_pid) {
        probe.self_seen = true;
        g_array_append_val(probe.self_ms, ms);
    } else if (msg->kind == MSG_PONG && nodeid != msg->origin_nodeid) {
        /* one answer per peer node counts; a watcher on this node answers too */
        if (g_hash_table_add(probe.answered, GUINT_TO_POINTER(nodeid))) {
            probe.pongs++;
        }
    } else {
        return;
    }
    if (probe.self_seen && probe.pongs == probe.wanted_peers) {
        /* a later answer from an extra peer must not count this ping twice */
        probe.pongs++;
        g_array_append_val(probe.rtt_ms, ms);
        if (probe.rtt_ms->len >= probe.count) {
            g_main_loop_quit(probe.loop);
        } else {
            send_ping();
        }
    }
}

/* Watch mode: a storm message, digested in delivery order. */
static void
storm_seen(const probe_msg_t *msg, uint32_t nodeid, uint32_t pid)
{
    guint64 sender = ((guint64) nodeid << 32) | pid;
    guint64 *expected = g_hash_table_lookup(probe.storm_last, &sender);
    uint32_t record[3] = {nodeid, pid, msg->seq};

    /* corosync keeps each sender's messages in the order it sent them */
    if (expected == NULL) {
        expected = g_new(guint64, 2);
        expected[0] = sender;
        expected[1] = 1;
        g_hash_table_insert(probe.storm_last, &expected[0], expected);
    }
    if (msg->seq != expected[1]) {
        probe.storm_fifo = false;
    }
    expected[1] = (guint64) msg->seq + 1;
    g_checksum_update(probe.storm_digest, (const guchar *) record, sizeof(record));
    if (++probe.storm_delivered % STORM_REPORT == 0) {
        GChecksum *copy = g_checksum_copy(probe.storm_digest);

        printf("storm n=%u digest=%.16s fifo=%s\n", probe.storm_delivered,
               g_checksum_get_string(copy), probe.storm_fifo ? "ok" : "broken");
        fflush(stdout);
        g_checksum_free(copy);
    }
}

/* Storm mode: our own messages coming back. */
static void
storm_returned(const probe_msg_t *msg, uint32_t nodeid, uint32_t pid)
{
    double ms;

    if (nodeid != bl_cpg_local_nodeid(probe.cpg) || pid != (uint32_t) getpid()) {
        return;
    }
    if (msg->seq != ++probe.seq) {
        fprintf(stderr, "bl-cluster-probe: storm: got message %u, expected %u\n", msg->seq,
                probe.seq);
        probe.status = 1;
    }
    if (probe.seq == probe.count) {
        ms = (double) (g_get_monotonic_time() - probe.storm_start) / 1000.0;
        printf("storm: %u messages of %zu bytes delivered back in %.1f ms (%.0f/s)\n", probe.count,
               probe.size, ms, probe.count * 1000.0 / ms);
        g_main_loop_quit(probe.loop);
    }
}

static void
on_deliver(bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const void *data, size_t len,
           void *user_data)
{
    probe_msg_t msg;

    (void) user_data;
    if (len < sizeof(msg)) {
        return;
    }
    memcpy(&msg, data, sizeof(msg));
    if (probe.pinging) {
        ping_delivered(&msg, nodeid, pid);
    } else if (probe.storming) {
        if (msg.kind == MSG_STORM) {
            storm_returned(&msg, nodeid, pid);
        }
    } else if (msg.kind == MSG_PING) {
        msg.kind = MSG_PONG;
        bl_cpg_send(cpg, &msg, sizeof(msg));
    } else if (msg.kind == MSG_STORM) {
        storm_seen(&msg, nodeid, pid);
    }
}

static gboolean
try_reconnect(gpointer data)
{
    (void) data;
    if (bl_cpg_reconnect(probe.cpg) == 0 && bl_quorum_reconnect(probe.quorum) == 0) {
        printf("corosync: connected again\n");
        fflush(stdout);
        probe.reconnect_timer = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
lost(int rc)
{
    printf("corosync: connection lost (%s), retrying every %d ms\n", bl_strerror(rc), RECONNECT_MS);
    fflush(stdout);
    bl_free(&probe.last_view);
    if (probe.pinging) {
        probe.status = 1;
        g_main_loop_quit(probe.loop);
    } else if (probe.reconnect_timer == 0) {
        probe.reconnect_timer = g_timeout_add(RECONNECT_MS, try_reconnect, NULL);
    }
}

static void
on_cpg_lost(bl_cpg_t *cpg, int rc, void *user_data)
{
    (void) cpg;
    (void) user_data;
    lost(rc);
}

static void
on_quorum_lost(bl_quorum_t *quorum, int rc, void *user_data)
{
    (void) quorum;
    (void) user_data;
    lost(rc);
}

static const bl_cpg_callbacks_t cpg_callbacks = {
    .deliver = on_deliver,
    .membership = on_membership,
    .disconnected = on_cpg_lost,
};
static const bl_quorum_callbacks_t quorum_callbacks = {
    .changed = on_quorum,
    .disconnected = on_quorum_lost,
};

static void
send_ping(void)
{
    probe_msg_t msg = {
        .kind = MSG_PING,
        .seq = ++probe.seq,
        .origin_nodeid = bl_cpg_local_nodeid(probe.cpg),
        .origin_pid = (uint32_t) getpid(),
    };
    int rc;

    memcpy(probe.buffer, &msg, sizeof(msg));

    probe.pongs = 0;
    g_hash_table_remove_all(probe.answered);
    probe.self_seen = false;
    probe.sent_at = g_get_monotonic_time();
    rc = bl_cpg_send(probe.cpg, probe.buffer, probe.size);
    if (rc != 0) {
        fprintf(stderr, "bl-cluster-probe: send: %s\n", bl_strerror(rc));
        probe.status = 1;
        g_main_loop_quit(probe.loop);
    }
}

static gboolean
start_pings(gpointer data)
{
    (void) data;
    send_ping();
    return G_SOURCE_REMOVE;
}

/* In ping mode the membership callback only waits for the peers to be there. */
static void
on_ping_membership(bl_cpg_t *cpg, const bl_cpg_membership_t *change, void *user_data)
{
    on_membership(cpg, change, user_data);
    if (probe.seq == 0 && probe.peers >= probe.wanted_peers) {
        g_idle_add(start_pings, NULL);
    }
}

static gboolean
ping_timeout(gpointer data)
{
    (void) data;
    if (probe.storming) {
        fprintf(stderr, "bl-cluster-probe: storm: only %u of %u messages back within %d s\n",
                probe.seq, probe.count, PING_TIMEOUT_S);
    } else {
        fprintf(stderr, "bl-cluster-probe: ping: no answer from %u peer(s) within %d s\n",
                probe.wanted_peers, PING_TIMEOUT_S);
    }
    probe.status = 1;
    g_main_loop_quit(probe.loop);
    return G_SOURCE_REMOVE;
}

static int
compare_double(const void *a, const void *b)
{
    double x = *(const double *) a;
    double y = *(const double *) b;

    return (x > y) - (x < y);
}

static void
print_stats(const char *what, GArray *ms)
{
    double *v = (double *) ms->data;
    size_t p99;

    if (ms->len == 0) {
        return;
    }
    qsort(v, ms->len, sizeof(*v), compare_double);
    p99 = (ms->len * 99 + 99) / 100 - 1;
    printf("%s: n=%u median=%.3f ms p99=%.3f ms max=%.3f ms\n", what, ms->len, v[ms->len / 2],
           v[p99], v[ms->len - 1]);
}

static gboolean
on_signal(gpointer data)
{
    (void) data;
    g_main_loop_quit(probe.loop);
    return G_SOURCE_REMOVE;
}

static int
run_watch(void)
{
    int rc = bl_cpg_join(GROUP, &cpg_callbacks, NULL, &probe.cpg);

    if (rc == 0) {
        rc = bl_quorum_connect(&quorum_callbacks, NULL, &probe.quorum);
    }
    if (rc != 0) {
        fprintf(stderr, "bl-cluster-probe: cannot connect to corosync: %s\n", bl_strerror(rc));
        return 1;
    }
    probe.storm_digest = g_checksum_new(G_CHECKSUM_SHA256);
    probe.storm_last = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
    probe.storm_fifo = true;
    printf("probe: node id %u, pid %d\n", bl_cpg_local_nodeid(probe.cpg), (int) getpid());
    fflush(stdout);
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGINT, on_signal, NULL);
    g_main_loop_run(probe.loop);
    return probe.status;
}

static int
run_ping(unsigned count, unsigned peers, size_t size)
{
    bl_cpg_callbacks_t callbacks = cpg_callbacks;
    int rc;

    callbacks.membership = on_ping_membership;
    probe.pinging = true;
    probe.count = count;
    probe.size = MAX(size, sizeof(probe_msg_t));
    probe.buffer = bl_calloc(1, probe.size);
    probe.wanted_peers = peers;
    rc = bl_cpg_join(GROUP, &callbacks, NULL, &probe.cpg);
    if (rc != 0) {
        fprintf(stderr, "bl-cluster-probe: cannot join %s: %s\n", GROUP, bl_strerror(rc));
        free(probe.buffer);
        return 1;
    }
    /* callbacks only run from the main loop, so these are in place before any delivery */
    probe.self_ms = g_array_new(FALSE, FALSE, sizeof(double));
    probe.rtt_ms = g_array_new(FALSE, FALSE, sizeof(double));
    probe.answered = g_hash_table_new(NULL, NULL);
    g_timeout_add_seconds(PING_TIMEOUT_S, ping_timeout, NULL);
    g_main_loop_run(probe.loop);
    print_stats("self-delivery", probe.self_ms);
    print_stats("round-trip", probe.rtt_ms);
    g_array_free(probe.self_ms, TRUE);
    g_array_free(probe.rtt_ms, TRUE);
    g_hash_table_destroy(probe.answered);
    free(probe.buffer);
    return probe.status;
}

static int
run_storm(unsigned count, size_t size)
{
    probe_msg_t msg = {.kind = MSG_STORM};
    int rc;

    probe.storming = true;
    probe.count = count;
    probe.size = MAX(size, sizeof(probe_msg_t));
    probe.buffer = bl_calloc(1, probe.size);
    rc = bl_cpg_join(GROUP, &cpg_callbacks, NULL, &probe.cpg);
    msg.origin_nodeid = bl_cpg_local_nodeid(probe.cpg);
    msg.origin_pid = (uint32_t) getpid();
    probe.storm_start = g_get_monotonic_time();
    for (uint32_t i = 1; rc == 0 && i <= count; i++) {
        msg.seq = i;
        memcpy(probe.buffer, &msg, sizeof(msg));
        rc = bl_cpg_send(probe.cpg, probe.buffer, probe.size);
    }
    if (rc == 0) {
        g_timeout_add_seconds(PING_TIMEOUT_S, ping_timeout, NULL);
        g_main_loop_run(probe.loop);
    } else {
        fprintf(stderr, "bl-cluster-probe: storm: %s\n", bl_strerror(rc));
        probe.status = 1;
    }
    free(probe.buffer);
    return probe.status;
}

static int
usage(void)
{
    fprintf(stderr,
            "usage: bl-cluster-probe watch | ping COUNT PEERS [SIZE] | storm COUNT [SIZE]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    int status;

    probe.loop = g_main_loop_new(NULL, FALSE);
    if (argc == 2 && strcmp(argv[1], "watch") == 0) {
        status = run_watch();
    } else if ((argc == 4 || argc == 5) && strcmp(argv[1], "ping") == 0 && atoi(argv[2]) > 0
               && atoi(argv[3]) >= 0 && (argc == 4 || atoi(argv[4]) > 0)) {
        size_t size = argc == 5 ? (size_t) atoi(argv[4]) : 0;

        status = run_ping((unsigned) atoi(argv[2]), (unsigned) atoi(argv[3]), size);
    } else if ((argc == 3 || argc == 4) && strcmp(argv[1], "storm") == 0 && atoi(argv[2]) > 0
               && (argc == 3 || atoi(argv[3]) > 0)) {
        status = run_storm((unsigned) atoi(argv[2]), argc == 4 ? (size_t) atoi(argv[3]) : 0);
    } else {
        status = usage();
    }
    if (probe.reconnect_timer != 0) {
        g_source_remove(probe.reconnect_timer);
    }
    bl_cpg_free(&probe.cpg);
    bl_quorum_free(&probe.quorum);
    free(probe.group_line);
    free(probe.quorum_line);
    free(probe.last_view);
    if (probe.storm_digest != NULL) {
        g_checksum_free(probe.storm_digest);
        g_hash_table_destroy(probe.storm_last);
    }
    g_main_loop_unref(probe.loop);
    return status;
}
