/*
 * belay-execd end to end: a private daemon (its own IPC name and OCF_ROOT) runs real
 * agents for clients, reports recurring results on change, cancels on request and on
 * disconnect, survives flooding, hanging and crashing agents, bounds its queue and what a
 * slow client may leave unread, reaps what agents leave behind, and exits cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <belay/common.h>
#include <belay/exec.h>

static char *ocf_root;
static char *work;
static char *ipc_name;
static GPid daemon_pid;
static bl_exec_client_t *client;

static void
link_into(const char *target, const char *link)
{
    g_autofree char *path = g_build_filename(ocf_root, link, NULL);
    g_autofree char *abs = g_canonicalize_filename(target, NULL);

    assert_int_equal(symlink(abs, path), 0);
}

static void
make_root(void)
{
    const char *srcdir = getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".";
    g_autofree char *tests = g_build_filename(srcdir, "lib/exec/tests/agents", NULL);
    g_autofree char *ours = g_build_filename(srcdir, "agents/ocf/belay", NULL);
    g_autofree char *rd = NULL;

    ocf_root = g_dir_make_tmp("belay-execd-ocf-XXXXXX", NULL);
    work = g_dir_make_tmp("belay-execd-XXXXXX", NULL);
    rd = g_build_filename(ocf_root, "resource.d", NULL);
    assert_int_equal(mkdir(rd, 0755), 0);
    link_into(tests, "resource.d/test");
    link_into(ours, "resource.d/belay");
}

static int
setup(void **state)
{
    const char *builddir = getenv("top_builddir") != NULL ? getenv("top_builddir") : ".";
    g_autofree char *daemon = g_build_filename(builddir, "daemons/execd/belay-execd", NULL);
    g_autofree char *log = NULL;
    char *argv[] = {daemon, "--ipc",        NULL, "--ocf-root",          NULL, "--max-parallel",
                    "4",    "--max-queued", "64", "--max-client-events", "32", NULL};
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    GError *error = NULL;
    int fd;

    (void) state;
    make_root();
    /* ASan keeps freed memory in quarantine; without it the daemon's RSS follows its live
     * memory, which the bounds tests measure. */
    {
        const char *asan = getenv("ASAN_OPTIONS");
        g_autofree char *opts =
            g_strdup_printf("%s%squarantine_size_mb=0", asan ? asan : "", asan && *asan ? ":" : "");

        g_setenv("ASAN_OPTIONS", opts, TRUE);
    }
    ipc_name = g_strdup_printf("belay-execd-test-%d", (int) getpid());
    argv[2] = ipc_name;
    argv[4] = ocf_root;
    log = g_build_filename(work, "execd.log", NULL);
    fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(g_spawn_async_with_fds(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                       &daemon_pid, -1, fd, fd, &error));
    close(fd);
    while (bl_exec_client_connect(ipc_name, &client, NULL) != 0) {
        assert_true(g_get_monotonic_time() < deadline);
        g_usleep(20000);
    }
    return 0;
}

static int
teardown(void **state)
{
    int status = -1;
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s' '%s'", ocf_root, work);

    (void) state;
    bl_exec_client_free(client);
    kill(daemon_pid, SIGTERM);
    assert_int_equal(waitpid(daemon_pid, &status, 0), daemon_pid);
    /* A clean exit also means no leak: the daemon is built with LeakSanitizer in CI. */
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_autofree char *show = g_strdup_printf("cat '%s/execd.log' >&2", work);

        assert_int_equal(system(show), 0);
        fail_msg("belay-execd exited with status %d", status);
    }
    assert_int_equal(system(cmd), 0);
    g_free(ocf_root);
    g_free(work);
    g_free(ipc_name);
    return 0;
}

static bl_exec_request_t *
request(const char *rsc, const char *spec, const char *action)
{
    bl_exec_request_t *req = NULL;

    assert_int_equal(bl_exec_request_new(rsc, spec, action, &req, NULL), 0);
    req->timeout_ms = 20000;
    return req;
}

static void
param(bl_exec_request_t *req, const char *name, const char *value)
{
    assert_int_equal(bl_exec_request_set(req, false, name, value, NULL), 0);
}

static uint64_t
submit(bl_exec_client_t *c, bl_exec_request_t *req)
{
    uint64_t id = 0;
    char *err = NULL;

    if (bl_exec_client_run(c, req, &id, &err) != 0) {
        fail_msg("submit: %s", err);
    }
    bl_exec_request_free(req);
    assert_true(id > 0);
    return id;
}

/* Next event, which must come within 20 s. */
static void
next_event(bl_exec_client_t *c, bl_exec_event_t *event)
{
    char *err = NULL;
    int rc = bl_exec_client_next(c, 20000, event, &err);

    if (rc != 0) {
        fail_msg("no event: %d %s", rc, err);
    }
}

static int
run_rc(const char *action, const char *state_file)
{
    bl_exec_request_t *req = request("d1", "ocf:belay:Dummy", action);
    bl_exec_event_t event = {0};
    uint64_t id;
    int rc;

    param(req, "state", state_file);
    id = submit(client, req);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_true(event.final);
    assert_int_equal(event.result.status, BL_EXEC_DONE);
    rc = event.result.rc;
    bl_exec_result_clear(&event.result);
    return rc;
}

static void
test_lifecycle(void **state)
{
    g_autofree char *state_file = g_build_filename(work, "d1.state", NULL);

    (void) state;
    assert_int_equal(run_rc("monitor", state_file), 7);
    assert_int_equal(run_rc("start", state_file), 0);
    assert_int_equal(run_rc("monitor", state_file), 0);
    assert_int_equal(run_rc("stop", state_file), 0);
    assert_int_equal(run_rc("monitor", state_file), 7);
}

static void
test_refuses_bad_requests(void **state)
{
    bl_exec_request_t *req = request("r", "ocf:belay:Dummy", "start");
    uint64_t id = 0;
    char *err = NULL;

    (void) state;
    /* Bypass the client-side check: the daemon must validate on its own. */
    g_hash_table_insert(req->params, g_strdup("a b"), g_strdup("1"));
    assert_int_equal(bl_exec_client_run(client, req, &id, &err), BL_EINVALID);
    assert_non_null(strstr(err, "parameter 'a b'"));
    bl_free(&err);
    assert_int_equal(bl_exec_client_cancel(client, 999999, &err), BL_ENOTFOUND);
    bl_free(&err);
    bl_exec_request_free(req);
    /* A missing agent is a result, not a refusal. */
    req = request("r", "ocf:belay:Missing", "start");
    id = submit(client, req);
    {
        bl_exec_event_t event = {0};

        next_event(client, &event);
        assert_int_equal(event.call_id, id);
        assert_int_equal(event.result.status, BL_EXEC_ERROR);
        assert_int_equal(event.result.rc, BL_OCF_ERR_INSTALLED);
        assert_non_null(strstr(event.result.message, "agent not installed"));
        bl_exec_result_clear(&event.result);
    }
}

static unsigned
count_runs(const char *log)
{
    g_autofree char *text = NULL;
    unsigned runs = 0;

    if (g_file_get_contents(log, &text, NULL, NULL)) {
        for (const char *p = text; (p = strchr(p, '+')) != NULL; p++) {
            runs++;
        }
    }
    return runs;
}

static void
wait_runs(const char *log, unsigned min)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (count_runs(log) < min) {
        assert_true(g_get_monotonic_time() < deadline);
        g_usleep(10000);
    }
}

static uint64_t
submit_recurring(bl_exec_client_t *c, const char *rsc, const char *log, const char *rcfile)
{
    bl_exec_request_t *req = request(rsc, "ocf:test:counter", "monitor");

    param(req, "log", log);
    param(req, "rcfile", rcfile);
    req->interval_ms = 40;
    return submit(c, req);
}

static void
test_recurring_reports_changes(void **state)
{
    g_autofree char *log = g_build_filename(work, "rec.log", NULL);
    g_autofree char *rcfile = g_build_filename(work, "rec.rc", NULL);
    bl_exec_event_t event = {0};
    uint64_t id;
    char *err = NULL;

    (void) state;
    assert_true(g_file_set_contents(rcfile, "7", -1, NULL));
    id = submit_recurring(client, "rec", log, rcfile);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_false(event.final);
    assert_int_equal(event.result.rc, 7);
    bl_exec_result_clear(&event.result);
    wait_runs(log, 5);
    /* Unchanged results are not reported. */
    assert_int_equal(bl_exec_client_next(client, 0, &event, NULL), -ETIMEDOUT);
    assert_true(g_file_set_contents(rcfile, "0", -1, NULL));
    next_event(client, &event);
    assert_int_equal(event.result.rc, 0);
    assert_false(event.final);
    bl_exec_result_clear(&event.result);
    /* Report on request: the latest result, without waiting for a change. */
    {
        bl_exec_result_t last = {0};

        assert_int_equal(bl_exec_client_last(client, id, &last, &err), 0);
        assert_int_equal(last.status, BL_EXEC_DONE);
        assert_int_equal(last.rc, 0);
        bl_exec_result_clear(&last);
        assert_int_equal(bl_exec_client_last(client, id + 1000, &last, &err), BL_ENOTFOUND);
        assert_non_null(strstr(err, "no such recurring call"));
        bl_free(&err);
    }
    assert_int_equal(bl_exec_client_cancel(client, id, &err), 0);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_true(event.final);
    assert_int_equal(event.result.status, BL_EXEC_CANCELLED);
    bl_exec_result_clear(&event.result);
}

static void
test_disconnect_cancels(void **state)
{
    g_autofree char *log = g_build_filename(work, "disc.log", NULL);
    g_autofree char *rcfile = g_build_filename(work, "disc.rc", NULL);
    bl_exec_client_t *other = NULL;
    unsigned runs;

    (void) state;
    assert_int_equal(bl_exec_client_connect(ipc_name, &other, NULL), 0);
    submit_recurring(other, "disc", log, rcfile);
    wait_runs(log, 3);
    bl_exec_client_free(other);
    g_usleep(300000);
    runs = count_runs(log);
    g_usleep(500000);
    assert_int_equal(count_runs(log), runs);
}

static long
daemon_rss_kib(void)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int) daemon_pid);
    g_autofree char *status = NULL;
    const char *line;

    assert_true(g_file_get_contents(path, &status, NULL, NULL));
    line = strstr(status, "VmRSS:");
    assert_non_null(line);
    return atol(line + strlen("VmRSS:"));
}

static unsigned
daemon_fds(void)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) daemon_pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    unsigned n = 0;

    assert_non_null(dir);
    while (g_dir_read_name(dir) != NULL) {
        n++;
    }
    g_dir_close(dir);
    return n;
}

static void
test_survives_hostile_agents(void **state)
{
    g_autofree char *pidfile = g_build_filename(work, "hang.pid", NULL);
    g_autofree char *state_file = g_build_filename(work, "calm.state", NULL);
    bl_exec_request_t *flood = request("flood", "ocf:test:flood", "start");
    bl_exec_request_t *hang = request("hang", "ocf:test:sleeper", "start");
    bl_exec_request_t *crash = request("crash", "ocf:test:exitcode", "start");
    bl_exec_request_t *calm = request("calm", "ocf:belay:Dummy", "monitor");
    uint64_t ids[4];
    bool seen[4] = {false};
    long before = daemon_rss_kib();
    unsigned fds_before = daemon_fds();
    long after;

    (void) state;
    param(flood, "bytes", "100000000");
    param(hang, "pidfile", pidfile);
    hang->timeout_ms = 500;
    param(crash, "rc", "0");
    param(crash, "signal", "SEGV");
    param(calm, "state", state_file);
    ids[0] = submit(client, flood);
    ids[1] = submit(client, hang);
    ids[2] = submit(client, crash);
    ids[3] = submit(client, calm);
    for (int n = 0; n < 4; n++) {
        bl_exec_event_t event = {0};
        const bl_exec_result_t *res = &event.result;

        next_event(client, &event);
        assert_true(event.final);
        if (event.call_id == ids[0]) {
            assert_int_equal(res->status, BL_EXEC_DONE);
            assert_true(res->out_dropped > 99000000);
            assert_true(g_str_has_suffix(res->out, "THE-END-OF-STDOUT\n"));
            seen[0] = true;
        } else if (event.call_id == ids[1]) {
            assert_int_equal(res->status, BL_EXEC_TIMEOUT);
            seen[1] = true;
        } else if (event.call_id == ids[2]) {
            assert_int_equal(res->status, BL_EXEC_SIGNALED);
            assert_int_equal(res->signo, SIGSEGV);
            seen[2] = true;
        } else {
            assert_int_equal(event.call_id, ids[3]);
            assert_int_equal(res->rc, 7);
            seen[3] = true;
        }
        bl_exec_result_clear(&event.result);
    }
    assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
    after = daemon_rss_kib();
    /* 100 MB went through the daemon; it may keep a few buffers, not the flood. */
    assert_true(after - before < 16 * 1024);
    assert_int_equal(run_rc("monitor", state_file), 7);
    /* Every pipe of every agent was closed (the last child watch closes right after the
     * result is sent, hence the short wait). */
    for (int i = 0; i < 100 && daemon_fds() != fds_before; i++) {
        g_usleep(10000);
    }
    assert_int_equal(daemon_fds(), fds_before);
}

/* Output that doubles in size with every XML escape still reaches the client whole. */
static void
test_worst_case_output(void **state)
{
    bl_exec_request_t *req = request("quotes", "ocf:test:flood", "start");
    bl_exec_event_t event = {0};
    uint64_t id;

    (void) state;
    param(req, "bytes", "1000000");
    param(req, "line", "\"<&>\"");
    param(req, "both", "1");
    id = submit(client, req);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_int_equal(event.result.status, BL_EXEC_DONE);
    assert_null(event.result.message);
    assert_true(g_str_has_prefix(event.result.out, "\"<&>\"\n\"<&>\"\n"));
    assert_true(g_str_has_suffix(event.result.out, "THE-END-OF-STDOUT\n"));
    assert_true(strlen(event.result.err) > 60000);
    assert_string_equal(event.result.exit_reason, "flooded");
    bl_exec_result_clear(&event.result);
}

/* Sets N parameters p0..pN-1 of SIZE bytes each, p<i> made of the letter 'a' + i % 26. */
static void
big_params(bl_exec_request_t *req, int n, size_t size)
{
    for (int i = 0; i < n; i++) {
        g_autofree char *name = g_strdup_printf("p%d", i);
        g_autofree char *value = g_malloc(size + 1);

        memset(value, 'a' + i % 26, size);
        value[size] = '\0';
        param(req, name, value);
    }
}

/*
 * A parameter set larger than one IPC frame (half the 1 MiB buffer) reaches the agent
 * whole: the client sends it as frames and the daemon puts them together.
 */
static void
test_request_larger_than_a_frame(void **state)
{
    g_autofree char *dump = g_build_filename(work, "big.env", NULL);
    g_autofree char *env = NULL;
    bl_exec_request_t *req = request("big", "ocf:test:envdump", "start");
    bl_exec_event_t event = {0};
    size_t len = 0;
    uint64_t id;

    (void) state;
    /* 12 x 100 kB: over a frame, under the kernel's 128 kB per variable and 2 MB in all */
    big_params(req, 12, 100000);
    param(req, "dump", dump);
    id = submit(client, req);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_int_equal(event.result.status, BL_EXEC_DONE);
    assert_int_equal(event.result.rc, 0);
    bl_exec_result_clear(&event.result);
    assert_true(g_file_get_contents(dump, &env, &len, NULL));
    for (int i = 0; i < 12; i++) {
        g_autofree char *name = g_strdup_printf("OCF_RESKEY_p%d=", i);
        const char *value = NULL;

        for (const char *p = env; p < env + len; p += strlen(p) + 1) {
            value = g_str_has_prefix(p, name) ? p + strlen(name) : value;
        }
        assert_non_null(value);
        assert_int_equal(strlen(value), 100000);
        assert_int_equal(strspn(value, (char[]){(char) ('a' + i), '\0'}), 100000);
    }
}

/*
 * A request of several MB is taken too; the agent cannot be started with that much
 * environment, which comes back as the call's result, not as a broken connection.
 */
static void
test_request_of_megabytes(void **state)
{
    bl_exec_request_t *req = request("huge", "ocf:test:envdump", "start");
    bl_exec_event_t event = {0};
    uint64_t id;

    (void) state;
    /* 8 MB: over what any stack limit lets execve take (at most 6 MB of arguments) */
    big_params(req, 80, 100000);
    param(req, "dump", "/dev/null");
    id = submit(client, req);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_int_equal(event.result.status, BL_EXEC_ERROR);
    assert_non_null(strstr(event.result.message, "Argument list too long"));
    bl_exec_result_clear(&event.result);
    assert_int_equal(run_rc("monitor", "/nonexistent/after-huge.state"), 7);
}

/* True when TEXT starts with over 16,000 double quotes and newlines (the head of a flood). */
static bool
starts_with_quotes(const char *text)
{
    return strspn(text, "\"\n") > 16000;
}

/*
 * A result whose XML is larger than one frame (64 KiB per stream of characters that XML
 * escapes six-fold) arrives whole, as an event and as the reply to "report on request".
 */
static void
test_results_larger_than_a_frame(void **state)
{
    bl_exec_request_t *req = request("quotes", "ocf:test:flood", "monitor");
    bl_exec_event_t event = {0};
    bl_exec_result_t last = {0};
    g_autofree char *text = NULL;
    char *err = NULL;
    uint64_t id;

    (void) state;
    param(req, "bytes", "1000000");
    param(req, "line", "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"");
    param(req, "both", "1");
    req->interval_ms = 60000;
    id = submit(client, req);
    next_event(client, &event);
    assert_int_equal(event.call_id, id);
    assert_int_equal(event.result.rc, 0);
    assert_null(event.result.message);
    text = bl_exec_result_to_text(&event);
    assert_true(strlen(text) > BL_EXECD_MAX_MSG / 2);
    assert_true(strlen(event.result.out) > 60000 && strlen(event.result.err) > 60000);
    assert_true(g_str_has_suffix(event.result.out, "THE-END-OF-STDOUT\n"));
    assert_true(starts_with_quotes(event.result.err));
    bl_exec_result_clear(&event.result);
    assert_int_equal(bl_exec_client_last(client, id, &last, &err), 0);
    assert_string_equal(last.exit_reason, "flooded");
    assert_true(strlen(last.err) > 60000 && starts_with_quotes(last.err));
    bl_exec_result_clear(&last);
    assert_int_equal(bl_exec_client_cancel(client, id, &err), 0);
    next_event(client, &event);
    assert_int_equal(event.result.status, BL_EXEC_CANCELLED);
    bl_exec_result_clear(&event.result);
}

/* Agents run as root: other users may not connect. */
static void
test_refuses_other_users(void **state)
{
    pid_t pid;
    int status = -1;

    (void) state;
    if (geteuid() != 0) {
        skip();
    }
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        bl_exec_client_t *other = NULL;

        if (setgid(65534) != 0 || setuid(65534) != 0) {
            _exit(2);
        }
        _exit(bl_exec_client_connect(ipc_name, &other, NULL) == 0 ? 1 : 0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static gboolean
pid_file_ready(const char *path, pid_t *pid)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return FALSE;
    }
    *pid = (pid_t) atol(text);
    return *pid > 0;
}

/* Waits (10 s at most) for the pid in PATH. */
static pid_t
wait_pid_file(const char *path)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    pid_t pid = 0;

    while (!pid_file_ready(path, &pid)) {
        assert_true(g_get_monotonic_time() < deadline);
        g_usleep(10000);
    }
    return pid;
}

/* Field 3 (state) and 4 (ppid) of /proc/PID/stat; false when PID does not exist. */
static bool
proc_stat(pid_t pid, char *state, pid_t *ppid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *text = NULL;
    const char *p;
    int parent = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return false;
    }
    p = strrchr(text, ')');
    assert_non_null(p);
    assert_int_equal(sscanf(p + 2, "%c %d", state, &parent), 2);
    *ppid = (pid_t) parent;
    return true;
}

/* PID is gone entirely (exited and reaped, not a zombie) within 5 s. */
static bool
reaped_in_time(pid_t pid)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    char state;
    pid_t ppid;

    while (proc_stat(pid, &state, &ppid)) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        g_usleep(20000);
    }
    return true;
}

static unsigned
daemon_zombies(void)
{
    g_autofree char *path =
        g_strdup_printf("/proc/%d/task/%d/children", (int) daemon_pid, (int) daemon_pid);
    g_autofree char *text = NULL;
    unsigned zombies = 0;

    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    for (char *p = text, *end = NULL; *p != '\0'; p = end) {
        long pid = strtol(p, &end, 10);
        char state = 0;
        pid_t ppid;

        if (end == p) {
            break;
        }
        if (proc_stat((pid_t) pid, &state, &ppid) && state == 'Z') {
            zombies++;
        }
    }
    return zombies;
}

/* An agent's orphan becomes the daemon's child (subreaper) and is reaped, never a zombie. */
static void
test_orphans_reaped(void **state)
{
    g_autofree char *pidfile = g_build_filename(work, "orphan.pid", NULL);
    bl_exec_request_t *req = request("orphan", "ocf:test:doublefork", "start");
    bl_exec_event_t event = {0};
    pid_t sleeper;
    pid_t ppid = 0;
    char st = 0;

    (void) state;
    /* 1: the agent hangs and times out; its group, the orphan included, is killed. */
    param(req, "pidfile", pidfile);
    param(req, "hang", "1");
    req->timeout_ms = 1000;
    submit(client, req);
    sleeper = wait_pid_file(pidfile);
    assert_true(proc_stat(sleeper, &st, &ppid));
    assert_int_equal(ppid, daemon_pid);
    next_event(client, &event);
    assert_int_equal(event.result.status, BL_EXEC_TIMEOUT);
    bl_exec_result_clear(&event.result);
    assert_true(reaped_in_time(sleeper));
    /* 2: the agent exits at once, leaving its orphan running (as a daemon it started);
     * when that one dies later, the daemon reaps it too. */
    unlink(pidfile);
    req = request("orphan", "ocf:test:doublefork", "start");
    param(req, "pidfile", pidfile);
    submit(client, req);
    next_event(client, &event);
    assert_int_equal(event.result.status, BL_EXEC_DONE);
    assert_int_equal(event.result.rc, 0);
    bl_exec_result_clear(&event.result);
    sleeper = wait_pid_file(pidfile);
    assert_true(proc_stat(sleeper, &st, &ppid));
    assert_int_equal(ppid, daemon_pid);
    assert_true(st != 'Z');
    kill(sleeper, SIGKILL);
    assert_true(reaped_in_time(sleeper));
    assert_int_equal(daemon_zombies(), 0);
}

/* Submissions beyond --max-queued are refused with a clear error; the queue drains. */
static void
test_queue_bound(void **state)
{
    g_autofree char *pidfile = g_build_filename(work, "hold.pid", NULL);
    g_autofree char *state_file = g_build_filename(work, "q.state", NULL);
    bl_exec_request_t *hold = request("q", "ocf:test:sleeper", "start");
    bl_exec_request_t *req;
    uint64_t hold_id;
    uint64_t id = 0;
    char *err = NULL;
    unsigned cancelled = 0;
    unsigned monitors = 0;

    (void) state;
    param(hold, "pidfile", pidfile);
    hold_id = submit(client, hold);
    wait_pid_file(pidfile); /* running, so no longer queued */
    for (int i = 0; i < 64; i++) {
        req = request("q", "ocf:belay:Dummy", "monitor");
        param(req, "state", state_file);
        submit(client, req);
    }
    req = request("q", "ocf:belay:Dummy", "monitor");
    param(req, "state", state_file);
    assert_int_equal(bl_exec_client_run(client, req, &id, &err), -ENOBUFS);
    assert_non_null(
        strstr(err, "executor queue full: 64 calls already wait to start (max_queued 64)"));
    bl_free(&err);
    assert_int_equal(bl_exec_client_cancel(client, hold_id, &err), 0);
    for (int n = 0; n < 65; n++) {
        bl_exec_event_t event = {0};

        next_event(client, &event);
        assert_true(event.final);
        if (event.call_id == hold_id) {
            assert_int_equal(event.result.status, BL_EXEC_CANCELLED);
            cancelled++;
        } else {
            assert_int_equal(event.result.rc, 7);
            monitors++;
        }
        bl_exec_result_clear(&event.result);
    }
    assert_int_equal(cancelled, 1);
    assert_int_equal(monitors, 64);
    /* Drained: accepted again. */
    assert_int_equal(run_rc("monitor", state_file), 7);
    bl_exec_request_free(req);
}

static bool
log_has(const char *needle)
{
    g_autofree char *path = g_build_filename(work, "execd.log", NULL);
    g_autofree char *text = NULL;

    return g_file_get_contents(path, &text, NULL, NULL) && strstr(text, needle) != NULL;
}

/* A client that reads late still gets every result, in full, even those its ring could
 * not hold when they came: they waited in the daemon. */
static void
test_late_reader_gets_everything(void **state)
{
    bl_exec_client_t *late = NULL;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    bool seen[24] = {false};
    uint64_t ids[24];
    bool all_ran = false;

    (void) state;
    assert_int_equal(bl_exec_client_connect(ipc_name, &late, NULL), 0);
    for (int i = 0; i < 24; i++) {
        g_autofree char *rsc = g_strdup_printf("late%d", i);
        bl_exec_request_t *req = request(rsc, "ocf:test:flood", "start");

        param(req, "bytes", "200000");
        ids[i] = submit(late, req);
    }
    while (!all_ran) {
        assert_true(g_get_monotonic_time() < deadline);
        g_usleep(50000);
        all_ran = true;
        for (int i = 0; i < 24 && all_ran; i++) {
            g_autofree char *line = g_strdup_printf("late%d: start returned 0", i);

            all_ran = log_has(line);
        }
    }
    for (int n = 0; n < 24; n++) {
        bl_exec_event_t event = {0};

        next_event(late, &event);
        for (int i = 0; i < 24; i++) {
            seen[i] = seen[i] || event.call_id == ids[i];
        }
        assert_true(g_str_has_suffix(event.result.out, "THE-END-OF-STDOUT\n"));
        bl_exec_result_clear(&event.result);
    }
    for (int i = 0; i < 24; i++) {
        assert_true(seen[i]);
    }
    bl_exec_client_free(late);
}

/* Submits flood calls on SLOW until a submission fails for another reason than a full queue. */
static unsigned
submit_until_refused(bl_exec_client_t *slow)
{
    unsigned accepted = 0;

    for (int i = 0; i < 1000; i++) {
        g_autofree char *rsc = g_strdup_printf("slow%d", i);
        bl_exec_request_t *req = request(rsc, "ocf:test:flood", "start");
        uint64_t id = 0;
        char *err = NULL;
        int rc;

        param(req, "bytes", "200000");
        while ((rc = bl_exec_client_run(slow, req, &id, &err)) == -ENOBUFS) {
            bl_free(&err);
            g_usleep(20000);
        }
        bl_free(&err);
        bl_exec_request_free(req);
        if (rc != 0) {
            break;
        }
        accepted++;
    }
    return accepted;
}

/*
 * A client that never reads its results is evicted (disconnected, its calls cancelled)
 * before the daemon grows with them; the others go on being served.
 */
static void
test_slow_client_evicted(void **state)
{
    g_autofree char *needle =
        g_strdup_printf("client pid %d: evicted: 33 results unread", (int) getpid());
    g_autofree char *state_file = g_build_filename(work, "after-slow.state", NULL);
    bl_exec_client_t *slow = NULL;
    long before = daemon_rss_kib();
    unsigned accepted;

    (void) state;
    assert_int_equal(bl_exec_client_connect(ipc_name, &slow, NULL), 0);
    /* Each result carries 64 KiB of output: the 1 MiB ring takes ~15, the queue 32 more;
     * without the bound the daemon would hold all 1,000. */
    accepted = submit_until_refused(slow);
    assert_true(accepted < 1000);
    assert_true(log_has(needle));
    bl_exec_client_free(slow);
    print_message("# slow client: %u calls accepted before eviction; daemon RSS grew %ld KiB\n",
                  accepted, daemon_rss_kib() - before);
    assert_true(daemon_rss_kib() - before < 16 * 1024);
    assert_int_equal(run_rc("monitor", state_file), 7);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle),
        cmocka_unit_test(test_refuses_bad_requests),
        cmocka_unit_test(test_recurring_reports_changes),
        cmocka_unit_test(test_disconnect_cancels),
        cmocka_unit_test(test_survives_hostile_agents),
        cmocka_unit_test(test_worst_case_output),
        cmocka_unit_test(test_request_larger_than_a_frame),
        cmocka_unit_test(test_request_of_megabytes),
        cmocka_unit_test(test_results_larger_than_a_frame),
        cmocka_unit_test(test_refuses_other_users),
        cmocka_unit_test(test_orphans_reaped),
        cmocka_unit_test(test_queue_bound),
        cmocka_unit_test(test_late_reader_gets_everything),
        cmocka_unit_test(test_slow_client_evicted),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
