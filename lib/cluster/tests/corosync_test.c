/*
 * lib/cluster against a real corosync: one node on loopback, started by this test in a
 * private network and mount namespace (its own lo, /run and /dev/shm), so it never
 * meets another corosync on the machine. Needs root; skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <glib.h>

#include <belay/cluster.h>
#include <belay/common.h>

#define GROUP "belay-test"
#define N_MESSAGES 1000
#define WAIT_MS 30000

/* ---------------------------------------------------------------- corosync */

static char workdir[] = "/tmp/bl-corosync-test-XXXXXX";
static pid_t corosync_pid = -1;

static const char config_fmt[] =
    "totem {\n  version: 2\n  cluster_name: belaytest\n  transport: knet\n"
    "  crypto_cipher: none\n  crypto_hash: none\n}\n"
    "nodelist {\n"
    "  node {\n    name: solo\n    nodeid: 1\n    ring0_addr: 127.0.0.1\n  }\n"
    /* a second, unnamed node without votes: names fall back to ring0_addr */
    "  node {\n    nodeid: 2\n    ring0_addr: 127.0.0.2\n    quorum_votes: 0\n  }\n"
    "}\n"
    "quorum {\n  provider: corosync_votequorum\n}\n"
    "system {\n  state_dir: %s\n}\n"
    "logging {\n  to_logfile: yes\n  logfile: %s/corosync.log\n  to_syslog: no\n"
    "  to_stderr: no\n  timestamp: hires\n}\n";

static void
lo_up(void)
{
    struct ifreq ifr;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    assert_true(fd >= 0);
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
    ifr.ifr_flags |= IFF_UP;
    assert_int_equal(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
    close(fd);
}

/* A private network (only lo) and private /run and /dev/shm for corosync's IPC. */
static void
enter_namespaces(void)
{
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) != 0) {
        fprintf(stderr, "# unshare(CLONE_NEWNET | CLONE_NEWNS): %s\n", strerror(errno));
        fail();
    }
    assert_int_equal(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0);
    assert_int_equal(mount("belay-test", "/run", "tmpfs", 0, "mode=0755"), 0);
    assert_int_equal(mount("belay-test", "/dev/shm", "tmpfs", 0, "mode=1777"), 0);
    lo_up();
}

static void
corosync_start(void)
{
    char *conf = bl_asprintf("%s/corosync.conf", workdir);

    corosync_pid = fork();
    assert_true(corosync_pid >= 0);
    if (corosync_pid == 0) {
        char *out = bl_asprintf("%s/corosync.out", workdir);
        int fd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600);

        /* a test that dies half-way must not leave corosync behind */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execlp("corosync", "corosync", "-f", "-c", conf, (char *) NULL);
        _exit(127);
    }
    free(conf);
}

static void
corosync_stop(int signal)
{
    int status;

    if (corosync_pid <= 0) {
        return;
    }
    kill(corosync_pid, signal);
    for (int i = 0; i < 100; i++) {
        if (waitpid(corosync_pid, &status, WNOHANG) == corosync_pid) {
            corosync_pid = -1;
            return;
        }
        g_usleep(100000);
    }
    kill(corosync_pid, SIGKILL);
    waitpid(corosync_pid, &status, 0);
    corosync_pid = -1;
}

static void
show_corosync_log(void)
{
    char *path = bl_asprintf("%s/corosync.log", workdir);
    char *text = NULL;
    size_t len;

    if (bl_file_read(path, &text, &len, NULL) == 0) {
        fprintf(stderr, "# corosync.log:\n%s\n", text);
    }
    free(text);
    free(path);
}

/* ------------------------------------------------------------ main loop help */

static gboolean
tick(gpointer data)
{
    (void) data;
    return G_SOURCE_CONTINUE;
}

/* Runs the default main context until DONE() or WAIT_MS have passed. */
static bool
run_until(bool (*done)(void))
{
    gint64 deadline = g_get_monotonic_time() + (gint64) WAIT_MS * 1000;
    guint ticker = g_timeout_add(20, tick, NULL);
    bool ok;

    while (!(ok = done()) && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_source_remove(ticker);
    if (!ok) {
        show_corosync_log();
    }
    return ok;
}

/* ------------------------------------------------------------ what we observe */

static struct {
    bl_cpg_t *cpg;
    bl_quorum_t *quorum;
    unsigned delivered; /* messages received in sequence */
    unsigned out_of_order;
    bool self_member; /* last membership had this process, named "solo" */
    unsigned memberships;
    int cpg_lost_rc;
    int quorum_lost_rc;
    bool quorate;
    size_t max_queued;
} seen;

/* Message I: sequence number, then a payload whose size and bytes derive from I. */
static size_t
payload_size(uint32_t i)
{
    return (i * 7919u) % 16384u;
}

static void
on_deliver(bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const void *msg, size_t len,
           void *user_data)
{
    const unsigned char *bytes = msg;
    uint32_t seq;
    bool ok;

    (void) cpg;
    (void) user_data;
    assert_true(len >= sizeof(seq));
    memcpy(&seq, msg, sizeof(seq));
    ok = nodeid == 1 && pid == (uint32_t) getpid() && seq == seen.delivered + 1
         && len == sizeof(seq) + payload_size(seq);
    for (size_t i = sizeof(seq); ok && i < len; i++) {
        ok = bytes[i] == (unsigned char) seq;
    }
    if (ok) {
        seen.delivered++;
    } else {
        seen.out_of_order++;
    }
}

static void
on_membership(bl_cpg_t *cpg, const bl_cpg_membership_t *change, void *user_data)
{
    (void) cpg;
    (void) user_data;
    seen.memberships++;
    seen.self_member = false;
    for (size_t i = 0; i < change->n_members; i++) {
        const bl_cpg_member_t *m = &change->members[i];

        if (m->nodeid == 1 && m->pid == (uint32_t) getpid()) {
            seen.self_member = g_strcmp0(m->name, "solo") == 0;
        }
    }
}

static void
on_cpg_lost(bl_cpg_t *cpg, int rc, void *user_data)
{
    (void) cpg;
    (void) user_data;
    seen.cpg_lost_rc = rc;
}

static void
on_quorum(bl_quorum_t *quorum, const bl_quorum_view_t *view, void *user_data)
{
    (void) quorum;
    (void) user_data;
    seen.quorate = view->quorate;
}

static void
on_quorum_lost(bl_quorum_t *quorum, int rc, void *user_data)
{
    (void) quorum;
    (void) user_data;
    seen.quorum_lost_rc = rc;
    seen.quorate = false;
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

static bool
is_quorate(void)
{
    return seen.quorate;
}

static bool
is_member(void)
{
    return seen.self_member;
}

static bool
all_delivered(void)
{
    return seen.delivered + seen.out_of_order >= N_MESSAGES;
}

static bool
both_lost(void)
{
    return seen.cpg_lost_rc != 0 && seen.quorum_lost_rc != 0;
}

/* ---------------------------------------------------------------- fixture */

/* corosync takes a moment to accept clients after it starts: retry for a while. */
static int
connect_quorum(void)
{
    int rc = -ENOTCONN;

    for (int i = 0; i < 100 && rc != 0; i++) {
        rc = bl_quorum_connect(&quorum_callbacks, NULL, &seen.quorum);
        if (rc != 0) {
            g_usleep(100000);
        }
    }
    return rc;
}

static int
setup(void **state)
{
    char *conf_text;
    char *conf_path;

    (void) state;
    enter_namespaces();
    assert_non_null(mkdtemp(workdir));
    conf_text = bl_asprintf(config_fmt, workdir, workdir);
    conf_path = bl_asprintf("%s/corosync.conf", workdir);
    assert_int_equal(bl_file_write_atomic(conf_path, conf_text, strlen(conf_text), NULL), 0);
    free(conf_text);
    free(conf_path);
    corosync_start();
    assert_int_equal(connect_quorum(), 0);
    assert_true(run_until(is_quorate));
    return 0;
}

static int
teardown(void **state)
{
    char *cmd;

    (void) state;
    bl_quorum_free(&seen.quorum);
    bl_cpg_free(&seen.cpg);
    corosync_stop(SIGTERM);
    cmd = bl_asprintf("rm -rf '%s'", workdir);
    if (system(cmd) != 0) {
        fprintf(stderr, "# could not remove %s\n", workdir);
    }
    free(cmd);
    return 0;
}

/* ------------------------------------------------------------------ tests */

static void
test_nodelist(void **state)
{
    bl_cluster_nodelist_t *list = NULL;

    (void) state;
    assert_int_equal(bl_cluster_nodelist_load(&list), 0);
    assert_int_equal(list->n_nodes, 2);
    assert_int_equal(list->nodes[0].id, 1);
    assert_string_equal(list->nodes[0].name, "solo");
    assert_string_equal(list->nodes[0].ring0_addr, "127.0.0.1");
    assert_int_equal(list->nodes[1].id, 2);
    assert_string_equal(list->nodes[1].name, "127.0.0.2");
    assert_string_equal(bl_cluster_nodelist_name(list, 1), "solo");
    assert_int_equal(bl_cluster_nodelist_id(list, "solo"), 1);
    bl_cluster_nodelist_free(&list);
    assert_null(list);
}

static void
test_quorum(void **state)
{
    const bl_quorum_view_t *view = bl_quorum_view(seen.quorum);

    (void) state;
    assert_non_null(view);
    assert_true(view->quorate);
    assert_int_equal(view->local_nodeid, 1);
    assert_int_equal(view->votes, 1);
    assert_int_equal(view->expected_votes, 1);
    assert_int_equal(view->total_votes, 1);
    assert_int_equal(view->quorum, 1);
    assert_int_equal(view->n_nodes, 1);
    assert_int_equal(view->nodes[0].id, 1);
    assert_true(view->nodes[0].member);
    assert_string_equal(view->nodes[0].name, "solo");
}

static void
send_all(void)
{
    unsigned char *buf = bl_malloc(sizeof(uint32_t) + 16384);

    for (uint32_t i = 1; i <= N_MESSAGES; i++) {
        memcpy(buf, &i, sizeof(i));
        memset(buf + sizeof(i), (unsigned char) i, payload_size(i));
        assert_int_equal(bl_cpg_send(seen.cpg, buf, sizeof(i) + payload_size(i)), 0);
        seen.max_queued = MAX(seen.max_queued, bl_cpg_queued(seen.cpg));
    }
    free(buf);
}

/* 1,000 messages sent without waiting come back complete and in order, flow control or not. */
static void
test_cpg_order(void **state)
{
    (void) state;
    assert_int_equal(bl_cpg_join(GROUP, &cpg_callbacks, NULL, &seen.cpg), 0);
    assert_int_equal(bl_cpg_local_nodeid(seen.cpg), 1);
    assert_true(run_until(is_member));
    /* a stopped corosync cannot drain its IPC buffer: flow control must kick in */
    assert_int_equal(kill(corosync_pid, SIGSTOP), 0);
    send_all();
    assert_int_equal(kill(corosync_pid, SIGCONT), 0);
    assert_true(run_until(all_delivered));
    assert_int_equal(seen.out_of_order, 0);
    assert_int_equal(seen.delivered, N_MESSAGES);
    assert_int_equal(bl_cpg_queued(seen.cpg), 0);
    /* 8 MB is far more than corosync's IPC buffer holds: the queue carried most of it */
    assert_true(seen.max_queued > N_MESSAGES / 2);
}

static struct {
    size_t len;
    bool intact;
} big;

static void
on_big_deliver(bl_cpg_t *cpg, uint32_t nodeid, uint32_t pid, const void *msg, size_t len,
               void *user_data)
{
    const unsigned char *bytes = msg;

    (void) cpg;
    (void) nodeid;
    (void) pid;
    (void) user_data;
    big.len = len;
    big.intact = true;
    for (size_t i = 0; i < len && big.intact; i++) {
        big.intact = bytes[i] == (unsigned char) (i % 251);
    }
}

static bool
big_delivered(void)
{
    return big.len != 0;
}

/* The largest message the API promises to carry arrives whole; one byte more is refused. */
static void
test_big_message(void **state)
{
    bl_cpg_callbacks_t callbacks = {.deliver = on_big_deliver};
    bl_cpg_t *cpg = NULL;
    unsigned char *msg = bl_malloc(BL_CPG_MAX_MSG + 1);

    (void) state;
    for (size_t i = 0; i <= BL_CPG_MAX_MSG; i++) {
        msg[i] = (unsigned char) (i % 251);
    }
    assert_int_equal(bl_cpg_join(GROUP "-big", &callbacks, NULL, &cpg), 0);
    assert_int_equal(bl_cpg_send(cpg, msg, BL_CPG_MAX_MSG + 1), -EMSGSIZE);
    assert_int_equal(bl_cpg_send(cpg, msg, BL_CPG_MAX_MSG), 0);
    assert_true(run_until(big_delivered));
    assert_int_equal(big.len, BL_CPG_MAX_MSG);
    assert_true(big.intact);
    bl_cpg_free(&cpg);
    assert_null(cpg);
    free(msg);
}

static gboolean
try_reconnect(gpointer data)
{
    (void) data;
    if (bl_cpg_reconnect(seen.cpg) == 0 && bl_quorum_reconnect(seen.quorum) == 0) {
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static bool
back_and_quorate(void)
{
    return bl_cpg_connected(seen.cpg) && seen.self_member && seen.quorate;
}

static bool
one_more_delivered(void)
{
    return seen.delivered + seen.out_of_order > N_MESSAGES;
}

/*
 * corosync dies without a goodbye (SIGKILL): both connections say so; it comes back: the
 * reconnect helpers work.
 */
static void
test_reconnect(void **state)
{
    uint32_t seq = N_MESSAGES + 1;
    unsigned char msg[sizeof(seq) + 16384];

    (void) state;
    corosync_stop(SIGKILL);
    assert_true(run_until(both_lost));
    assert_int_equal(seen.cpg_lost_rc, -ENOTCONN);
    assert_int_equal(seen.quorum_lost_rc, -ENOTCONN);
    assert_false(bl_cpg_connected(seen.cpg));
    assert_null(bl_quorum_view(seen.quorum));
    assert_int_equal(bl_cpg_send(seen.cpg, "x", 1), -ENOTCONN);
    assert_int_equal(bl_cpg_reconnect(seen.cpg), -ENOTCONN);
    assert_int_equal(bl_quorum_reconnect(seen.quorum), -ENOTCONN);

    seen.self_member = false;
    corosync_start();
    g_timeout_add(100, try_reconnect, NULL);
    assert_true(run_until(back_and_quorate));
    memcpy(msg, &seq, sizeof(seq));
    memset(msg + sizeof(seq), (unsigned char) seq, payload_size(seq));
    assert_int_equal(bl_cpg_send(seen.cpg, msg, sizeof(seq) + payload_size(seq)), 0);
    assert_true(run_until(one_more_delivered));
    assert_int_equal(seen.out_of_order, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodelist),  cmocka_unit_test(test_quorum),
        cmocka_unit_test(test_cpg_order), cmocka_unit_test(test_big_message),
        cmocka_unit_test(test_reconnect),
    };

    if (geteuid() != 0) {
        printf("1..0 # SKIP needs root for a private network namespace and corosync\n");
        return 0;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
