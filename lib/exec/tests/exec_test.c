/*
 * The OCF runner: environment, hostile values, timeouts on process groups, bounded
 * output, exit codes, and the executor's queue (parallelism, per-resource order,
 * recurring monitors, cancel).
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <belay/common.h>
#include <belay/exec.h>

#include "../exec_private.h"

static char *ocf_root; /* temporary OCF_ROOT: test agents, ours, heartbeat's */
static char *work;     /* temporary directory for state, logs, dumps */

static void
link_into(const char *target, const char *link)
{
    g_autofree char *path = g_build_filename(ocf_root, link, NULL);

    assert_int_equal(symlink(target, path), 0);
}

static int
setup_root(void **state)
{
    const char *srcdir = getenv("top_srcdir") != NULL ? getenv("top_srcdir") : ".";
    g_autofree char *tests = g_build_filename(srcdir, "lib/exec/tests/agents", NULL);
    g_autofree char *ours = g_build_filename(srcdir, "agents/ocf/belay", NULL);
    g_autofree char *abs_tests = g_canonicalize_filename(tests, NULL);
    g_autofree char *abs_ours = g_canonicalize_filename(ours, NULL);
    g_autofree char *rd = NULL;

    (void) state;
    ocf_root = g_dir_make_tmp("belay-ocf-XXXXXX", NULL);
    work = g_dir_make_tmp("belay-exec-XXXXXX", NULL);
    rd = g_build_filename(ocf_root, "resource.d", NULL);
    assert_int_equal(mkdir(rd, 0755), 0);
    link_into(abs_tests, "resource.d/test");
    link_into(abs_ours, "resource.d/belay");
    link_into(BL_OCF_ROOT_DEFAULT "/resource.d/heartbeat", "resource.d/heartbeat");
    link_into(BL_OCF_ROOT_DEFAULT "/lib", "lib");
    return 0;
}

static int
teardown_root(void **state)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s' '%s'", ocf_root, work);

    (void) state;
    assert_int_equal(system(cmd), 0);
    g_free(ocf_root);
    g_free(work);
    return 0;
}

static char *
work_path(const char *name)
{
    return g_build_filename(work, name, NULL);
}

static bl_exec_request_t *
request(const char *rsc, const char *spec, const char *action)
{
    bl_exec_request_t *req = NULL;
    char *err = NULL;

    assert_int_equal(bl_exec_request_new(rsc, spec, action, &req, &err), 0);
    assert_null(err);
    req->ocf_root = g_strdup(ocf_root);
    req->timeout_ms = 10000;
    return req;
}

static void
param(bl_exec_request_t *req, const char *name, const char *value)
{
    assert_int_equal(bl_exec_request_set(req, false, name, value, NULL), 0);
}

/* Dead: no such process, or a zombie (some container inits never reap orphans). */
static bool
pid_dead(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
    g_autofree char *stat = NULL;
    const char *paren;

    if (kill(pid, 0) != 0 && errno == ESRCH) {
        return true;
    }
    if (!g_file_get_contents(path, &stat, NULL, NULL)) {
        return true;
    }
    paren = strrchr(stat, ')');
    return paren != NULL && (paren[2] == 'Z' || paren[2] == 'X');
}

static bool
pid_gone(pid_t pid)
{
    /* The group was signalled; give the kernel a moment to deliver. */
    for (int i = 0; i < 200; i++) {
        if (pid_dead(pid)) {
            return true;
        }
        g_usleep(10000);
    }
    return false;
}

static pid_t
read_pid(const char *path)
{
    g_autofree char *text = NULL;

    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return (pid_t) atoi(text);
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The environment envdump saw, sorted, as one "A=1\nB=2\n" string. */
static char *
dumped_env(const char *dump)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    GPtrArray *entries = g_ptr_array_new();
    GString *out = g_string_new("");

    assert_true(g_file_get_contents(dump, &data, &len, NULL));
    for (gsize i = 0; i < len; i += strlen(data + i) + 1) {
        g_ptr_array_add(entries, data + i);
    }
    g_ptr_array_sort(entries, compare_strings);
    for (guint i = 0; i < entries->len; i++) {
        g_string_append_printf(out, "%s\n", (char *) entries->pdata[i]);
    }
    g_ptr_array_unref(entries);
    return g_string_free(out, FALSE);
}

static void
test_env_exact(void **state)
{
    g_autofree char *dump = work_path("env.dump");
    bl_exec_request_t *req = request("web-1", "ocf:test:envdump", "monitor");
    bl_exec_result_t res = {0};
    g_autofree char *got = NULL;
    g_autofree char *expected = NULL;

    (void) state;
    setenv("BELAY_MUST_NOT_LEAK", "1", 1);
    param(req, "dump", dump);
    param(req, "alpha", "1");
    assert_int_equal(bl_exec_request_set(req, true, "target-role", "Started", NULL), 0);
    assert_int_equal(bl_exec_request_set(req, true, "clone-max", "2", NULL), 0);
    req->timeout_ms = 5000;
    req->interval_ms = 30000;
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.status, BL_EXEC_DONE);
    assert_int_equal(res.rc, 0);
    got = dumped_env(dump);
    expected = g_strdup_printf("HA_LOGFACILITY=none\n"
                               "OCF_RA_VERSION_MAJOR=1\n"
                               "OCF_RA_VERSION_MINOR=1\n"
                               "OCF_RESKEY_CRM_meta_clone_max=2\n"
                               "OCF_RESKEY_CRM_meta_interval=30000\n"
                               "OCF_RESKEY_CRM_meta_target_role=Started\n"
                               "OCF_RESKEY_CRM_meta_timeout=5000\n"
                               "OCF_RESKEY_alpha=1\n"
                               "OCF_RESKEY_dump=%s\n"
                               "OCF_RESOURCE_INSTANCE=web-1\n"
                               "OCF_RESOURCE_PROVIDER=test\n"
                               "OCF_RESOURCE_TYPE=envdump\n"
                               "OCF_ROOT=%s\n"
                               "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n",
                               dump, ocf_root);
    assert_string_equal(got, expected);
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

static void
test_env_extra(void **state)
{
    g_autofree char *dump = work_path("env-extra.dump");
    bl_exec_request_t *req = request("x", "ocf:test:envdump", "start");
    const char *extra[] = {"PATH=/opt/bin:/usr/bin:/bin", "HA_RSCTMP=/tmp/rsc", NULL};
    bl_exec_options_t opts = {.extra_env = extra};
    bl_exec_result_t res = {0};
    g_autofree char *got = NULL;

    (void) state;
    param(req, "dump", dump);
    req->timeout_ms = 0;
    bl_exec_run_sync(req, &opts, &res);
    assert_int_equal(res.rc, 0);
    got = dumped_env(dump);
    assert_non_null(strstr(got, "\nPATH=/opt/bin:/usr/bin:/bin\n"));
    assert_null(strstr(got, "PATH=/usr/sbin"));
    assert_non_null(strstr(got, "\nHA_RSCTMP=/tmp/rsc\n"));
    /* No timeout given: Pacemaker's 20 s default is enforced and announced. */
    assert_non_null(strstr(got, "\nOCF_RESKEY_CRM_meta_timeout=20000\n"));
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

static void
test_hostile_values(void **state)
{
    g_autofree char *marker = work_path("marker");
    g_autofree char *dump = work_path("hostile.dump");
    g_autofree char *big = g_strnfill(64 * 1024, 'A');
    g_autofree char *got = NULL;
    char *values[9];
    bl_exec_request_t *req = request("h", "ocf:test:envdump", "start");
    bl_exec_result_t res = {0};

    (void) state;
    values[0] = g_strdup_printf("$(touch %s)", marker);
    values[1] = g_strdup_printf("`touch %s`", marker);
    values[2] = g_strdup_printf("x; touch %s", marker);
    values[3] = g_strdup_printf("' ; touch %s ; '", marker);
    values[4] = g_strdup_printf("\" ; touch %s ; \"", marker);
    values[5] = g_strdup_printf("line1\nline2\n$(touch %s)\n", marker);
    values[6] = g_strdup_printf("%s$(touch %s)", big, marker);
    values[7] = g_strdup("a=b=c");
    values[8] = NULL;
    param(req, "dump", dump);
    for (int i = 0; values[i] != NULL; i++) {
        g_autofree char *name = g_strdup_printf("v%d", i);

        param(req, name, values[i]);
    }
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.rc, 0);
    got = dumped_env(dump);
    for (int i = 0; values[i] != NULL; i++) {
        g_autofree char *entry = g_strdup_printf("\nOCF_RESKEY_v%d=%s\n", i, values[i]);

        if (strchr(values[i], '\n') == NULL) {
            assert_non_null(strstr(got, entry));
        } else {
            assert_non_null(strstr(got, entry + 1));
        }
        g_free(values[i]);
    }
    assert_false(g_file_test(marker, G_FILE_TEST_EXISTS));
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

/* Our Dummy writes `fake` to its state file: the value arrives intact and runs nothing. */
static void
test_hostile_through_dummy(void **state)
{
    g_autofree char *marker = work_path("marker2");
    g_autofree char *state_file = work_path("hostile-dummy.state");
    g_autofree char *value = g_strdup_printf("$(touch %s)`touch %s`'\";\n", marker, marker);
    g_autofree char *expected = g_strdup_printf("fake=%s\n", value);
    g_autofree char *content = NULL;
    bl_exec_request_t *req = request("d", "ocf:belay:Dummy", "start");
    bl_exec_result_t res = {0};

    (void) state;
    param(req, "state", state_file);
    param(req, "fake", value);
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.status, BL_EXEC_DONE);
    assert_int_equal(res.rc, 0);
    assert_true(g_file_get_contents(state_file, &content, NULL, NULL));
    assert_string_equal(content, expected);
    assert_false(g_file_test(marker, G_FILE_TEST_EXISTS));
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

static void
run_sleeper(const char *pidfile, bool ignore_term, bl_exec_result_t *res)
{
    bl_exec_request_t *req = request("s", "ocf:test:sleeper", "start");
    bl_exec_options_t opts = {.kill_grace_ms = ignore_term ? 300 : 5000};

    param(req, "pidfile", pidfile);
    param(req, "ignore_term", ignore_term ? "1" : "0");
    req->timeout_ms = 300;
    bl_exec_run_sync(req, &opts, res);
    bl_exec_request_free(req);
}

static void
test_timeout_kills_group(void **state)
{
    g_autofree char *pidfile = work_path("sleep.pid");
    bl_exec_result_t res = {0};

    (void) state;
    run_sleeper(pidfile, false, &res);
    assert_int_equal(res.status, BL_EXEC_TIMEOUT);
    assert_int_equal(res.signo, SIGTERM);
    assert_int_equal(res.rc, BL_OCF_ERR_GENERIC);
    assert_non_null(strstr(res.message, "timed out after 300 ms"));
    assert_in_range(res.duration_ms, 300, 4000);
    assert_true(pid_gone(read_pid(pidfile)));
    bl_exec_result_clear(&res);
}

static void
test_sigterm_ignored_gets_sigkill(void **state)
{
    g_autofree char *pidfile = work_path("stubborn.pid");
    bl_exec_result_t res = {0};

    (void) state;
    run_sleeper(pidfile, true, &res);
    assert_int_equal(res.status, BL_EXEC_TIMEOUT);
    assert_int_equal(res.signo, SIGKILL);
    assert_non_null(strstr(res.message, "SIGKILL"));
    assert_in_range(res.duration_ms, 600, 4500);
    assert_true(pid_gone(read_pid(pidfile)));
    bl_exec_result_clear(&res);
}

/* Own process group, stdin from /dev/null, none of the caller's descriptors. */
static void
test_process_setup(void **state)
{
    bl_exec_request_t *req = request("p", "ocf:test:procinfo", "monitor");
    bl_exec_result_t res = {0};
    int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: as a careless daemon would */
    int pid = 0;
    int pgid = -1;

    (void) state;
    assert_true(fd >= 0);
    assert_int_equal(dup2(fd, 50), 50);
    close(fd);
    param(req, "fd", "50");
    bl_exec_run_sync(req, NULL, &res);
    close(50);
    assert_int_equal(res.rc, 0);
    assert_int_equal(sscanf(res.out, "pid=%d pgid=%d", &pid, &pgid), 2);
    assert_int_equal(pid, pgid);
    assert_int_not_equal(pgid, getpgrp());
    assert_non_null(strstr(res.out, "\nstdin=/dev/null\n"));
    assert_non_null(strstr(res.out, "\nleaked=no\n"));
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

/* Completion follows the agent's exit, not EOF: a daemon it left may hold the pipe. */
static void
test_leftover_child_does_not_block(void **state)
{
    g_autofree char *pidfile = work_path("daemon.pid");
    bl_exec_request_t *req = request("dm", "ocf:test:daemonizer", "start");
    bl_exec_result_t res = {0};
    pid_t pid;

    (void) state;
    param(req, "pidfile", pidfile);
    req->timeout_ms = 5000;
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.status, BL_EXEC_DONE);
    assert_int_equal(res.rc, 0);
    assert_true(res.duration_ms < 2000);
    assert_string_equal(res.out, "started\n");
    /* A successful action's processes are the service: they are left alone. */
    pid = read_pid(pidfile);
    assert_false(pid_dead(pid));
    kill(pid, SIGKILL);
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

static long
rss_kib(void)
{
    g_autofree char *status = NULL;
    const char *line;

    assert_true(g_file_get_contents("/proc/self/status", &status, NULL, NULL));
    line = strstr(status, "VmRSS:");
    assert_non_null(line);
    return atol(line + strlen("VmRSS:"));
}

static void
test_flood_is_bounded(void **state)
{
    bl_exec_request_t *req = request("f", "ocf:test:flood", "start");
    bl_exec_options_t opts = {.output_limit = 64 * 1024};
    bl_exec_result_t res = {0};
    long before;
    long after;
    const char *marker;
    const char *marker_end;
    size_t kept;

    (void) state;
    param(req, "bytes", "100000000");
    req->timeout_ms = 60000;
    before = rss_kib();
    bl_exec_run_sync(req, &opts, &res);
    after = rss_kib();
    assert_int_equal(res.status, BL_EXEC_DONE);
    assert_int_equal(res.rc, 0);
    /* 100 MB went through; the runner kept 32 KiB of it (plus noise). */
    assert_true(after - before < 8 * 1024);
    assert_true(strlen(res.out) < 65 * 1024);
    assert_true(g_str_has_prefix(res.out, "0123456789abcdef\n0123456789abcdef\n"));
    assert_true(g_str_has_suffix(res.out, "\nTHE-END-OF-STDOUT\n"));
    assert_non_null(strstr(res.out, " bytes dropped ...]"));
    marker = strstr(res.out, "\n[... ");
    marker_end = strstr(marker, "dropped ...]\n") + strlen("dropped ...]\n");
    kept = strlen(res.out) - (size_t) (marker_end - marker);
    assert_int_equal(kept + res.out_dropped, 100000000 + strlen("\nTHE-END-OF-STDOUT\n"));
    assert_string_equal(res.exit_reason, "flooded");
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

static void
test_capture_keeps_head_and_tail(void **state)
{
    bl_capture_t cap;
    size_t dropped = 0;
    char *text;
    GString *all = g_string_new("");

    (void) state;
    bl__capture_init(&cap, 64); /* 16 bytes of head, 48 of tail */
    for (int i = 0; i < 100; i++) {
        g_autofree char *chunk = g_strdup_printf("<%d>", i);

        g_string_append(all, chunk);
        bl__capture_add(&cap, chunk, strlen(chunk));
    }
    text = bl__capture_finish(&cap, &dropped);
    assert_int_equal(dropped, all->len - 64);
    assert_true(g_str_has_prefix(text, "<0><1><2><3><4><"));
    assert_true(g_str_has_suffix(text, all->str + all->len - 48));
    assert_non_null(strstr(text, "\n[... "));
    g_free(text);
    /* Under the limit nothing is dropped and no marker is added. */
    bl__capture_init(&cap, 64);
    bl__capture_add(&cap, "short", 5);
    bl__capture_add(&cap, " and more than sixteen bytes", 28);
    text = bl__capture_finish(&cap, &dropped);
    assert_int_equal(dropped, 0);
    assert_string_equal(text, "short and more than sixteen bytes");
    g_free(text);
    g_string_free(all, TRUE);
}

static void
run_exitcode(const char *action, const char *rc, const char *signal, bl_exec_result_t *res)
{
    bl_exec_request_t *req = request("e", "ocf:test:exitcode", action);

    param(req, "rc", rc);
    if (signal != NULL) {
        param(req, "signal", signal);
    }
    bl_exec_run_sync(req, NULL, res);
    bl_exec_request_free(req);
}

static void
test_exit_codes(void **state)
{
    static const int codes[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191};
    bl_exec_result_t res = {0};

    (void) state;
    for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
        g_autofree char *rc = g_strdup_printf("%d", codes[i]);

        run_exitcode("monitor", rc, NULL, &res);
        assert_int_equal(res.status, BL_EXEC_DONE);
        assert_int_equal(res.rc, codes[i]);
        assert_null(res.message);
        assert_string_equal(res.out, "action monitor\n");
        bl_exec_result_clear(&res);
    }
    run_exitcode("start", "42", NULL, &res);
    assert_int_equal(res.status, BL_EXEC_DONE);
    assert_int_equal(res.rc, BL_OCF_ERR_GENERIC);
    assert_non_null(strstr(res.message, "exit code 42 is not an OCF code"));
    bl_exec_result_clear(&res);
    run_exitcode("start", "0", "SEGV", &res);
    assert_int_equal(res.status, BL_EXEC_SIGNALED);
    assert_int_equal(res.signo, SIGSEGV);
    assert_int_equal(res.rc, BL_OCF_ERR_GENERIC);
    bl_exec_result_clear(&res);
}

static void
test_rc_meaning_per_action(void **state)
{
    (void) state;
    assert_string_equal(bl_ocf_rc_meaning("monitor", 0), "running");
    assert_string_equal(bl_ocf_rc_meaning("monitor", 7), "not running");
    assert_string_equal(bl_ocf_rc_meaning("monitor", 8), "running (promoted)");
    assert_string_equal(bl_ocf_rc_meaning("monitor", 9), "failed (promoted)");
    assert_string_equal(bl_ocf_rc_meaning("start", 0), "ok");
    assert_string_equal(bl_ocf_rc_meaning("start", 2), "invalid arguments");
    assert_string_equal(bl_ocf_rc_meaning("start", 3), "unimplemented action");
    assert_string_equal(bl_ocf_rc_meaning("start", 4), "insufficient privileges");
    assert_string_equal(bl_ocf_rc_meaning("start", 5), "not installed");
    assert_string_equal(bl_ocf_rc_meaning("start", 6), "not configured");
    assert_string_equal(bl_ocf_rc_meaning("stop", 7), "not running (already stopped)");
    assert_string_equal(bl_ocf_rc_meaning("start", 77), "unknown exit code");
    assert_false(bl_ocf_rc_is_failure("monitor", 7));
    assert_false(bl_ocf_rc_is_failure("monitor", 8));
    assert_false(bl_ocf_rc_is_failure("monitor", 190));
    assert_true(bl_ocf_rc_is_failure("monitor", 9));
    assert_true(bl_ocf_rc_is_failure("monitor", 1));
    assert_true(bl_ocf_rc_is_failure("start", 7));
    assert_false(bl_ocf_rc_is_failure("stop", 7));
    assert_true(bl_ocf_rc_is_failure("promote", 8));
    for (int rc = 1; rc <= 6; rc++) {
        assert_true(bl_ocf_rc_is_failure("start", rc));
        assert_true(bl_ocf_rc_is_failure("monitor", rc));
    }
}

static void
test_not_installed(void **state)
{
    bl_exec_request_t *req = request("n", "ocf:test:missing", "start");
    bl_exec_result_t res = {0};

    (void) state;
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.status, BL_EXEC_ERROR);
    assert_int_equal(res.rc, BL_OCF_ERR_INSTALLED);
    assert_non_null(strstr(res.message, "ocf:test:missing: agent not installed"));
    assert_non_null(strstr(res.message, "resource.d/test/missing"));
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
    req = request("n", "ocf:test:noexec", "start");
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.status, BL_EXEC_ERROR);
    assert_int_equal(res.rc, BL_OCF_ERR_INSTALLED);
    assert_non_null(strstr(res.message, "is not an executable file"));
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
}

static void
expect_bad_spec(const char *spec, const char *action, int code, const char *text)
{
    bl_exec_request_t *req = NULL;
    char *err = NULL;

    assert_int_equal(bl_exec_request_new("r", spec, action, &req, &err), code);
    assert_null(req);
    assert_non_null(strstr(err, text));
    free(err);
}

static void
test_bad_requests(void **state)
{
    bl_exec_request_t *req = request("r", "ocf:test:exitcode", "start");
    char *err = NULL;

    (void) state;
    expect_bad_spec("ocf:test:../../bin/sh", "start", BL_EPARSE, "may not start with a dot");
    expect_bad_spec("ocf:te/st:x", "start", BL_EPARSE, "provider and type");
    expect_bad_spec("ocf:x", "start", BL_EPARSE, "expected ocf:PROVIDER:TYPE");
    expect_bad_spec("lsb:nginx", "start", BL_EUNSUPPORTED, "class 'lsb' is not supported");
    expect_bad_spec("systemd:a:b", "start", BL_EUNSUPPORTED, "class 'systemd'");
    expect_bad_spec("ocf:a:b", "st art", BL_EPARSE, "invalid action name");
    {
        bl_exec_request_t *none = NULL;
        char *why = NULL;

        assert_int_equal(bl_exec_request_new("", "ocf:a:b", "start", &none, &why), BL_EPARSE);
        assert_non_null(strstr(why, "a resource id is required"));
        free(why);
    }
    assert_int_equal(bl_exec_request_set(req, false, "a=b", "1", &err), BL_EINVALID);
    assert_non_null(strstr(err, "parameter 'a=b'"));
    bl_free(&err);
    assert_int_equal(bl_exec_request_set(req, false, "target-role", "x", &err), BL_EINVALID);
    bl_free(&err);
    assert_int_equal(bl_exec_request_set(req, false, "CRM_meta_timeout", "1", &err), BL_EINVALID);
    assert_non_null(strstr(err, "reserved for meta attributes"));
    bl_free(&err);
    assert_int_equal(bl_exec_request_set(req, true, "target-role", "x", &err), 0);
    assert_int_equal(g_hash_table_size(req->params), 0);
    bl_exec_request_free(req);
}

static int
run_rc(const char *spec, const char *action, const char *const *params)
{
    bl_exec_request_t *req = request("rsc", spec, action);
    bl_exec_result_t res = {0};
    int rc;

    for (int i = 0; params[i] != NULL; i += 2) {
        param(req, params[i], params[i + 1]);
    }
    bl_exec_run_sync(req, NULL, &res);
    assert_int_equal(res.status, BL_EXEC_DONE);
    rc = res.rc;
    bl_exec_result_clear(&res);
    bl_exec_request_free(req);
    return rc;
}

static void
test_heartbeat_dummy(void **state)
{
    g_autofree char *state_file = work_path("hb-dummy.state");
    const char *params[] = {"state", state_file, NULL};

    (void) state;
    if (!g_file_test(BL_OCF_ROOT_DEFAULT "/resource.d/heartbeat/Dummy", G_FILE_TEST_EXISTS)) {
        skip();
    }
    assert_int_equal(run_rc("ocf:heartbeat:Dummy", "monitor", params), 7);
    assert_int_equal(run_rc("ocf:heartbeat:Dummy", "start", params), 0);
    assert_int_equal(run_rc("ocf:heartbeat:Dummy", "monitor", params), 0);
    assert_int_equal(run_rc("ocf:heartbeat:Dummy", "stop", params), 0);
    assert_int_equal(run_rc("ocf:heartbeat:Dummy", "monitor", params), 7);
}

static void
test_belay_dummy_injection(void **state)
{
    g_autofree char *state_file = work_path("inject.state");
    const char *plain[] = {"state", state_file, NULL};
    const char *fail_start[] = {"state", state_file, "fail_start", "true", NULL};
    const char *fail_monitor[] = {"state", state_file, "fail_monitor", "9", NULL};
    const char *bad_sleep[] = {"state", state_file, "op_sleep", "soon", NULL};

    (void) state;
    assert_int_equal(run_rc("ocf:belay:Dummy", "start", fail_start), 1);
    assert_int_equal(run_rc("ocf:belay:Dummy", "monitor", plain), 7);
    assert_int_equal(run_rc("ocf:belay:Dummy", "start", plain), 0);
    assert_int_equal(run_rc("ocf:belay:Dummy", "monitor", fail_monitor), 9);
    assert_int_equal(run_rc("ocf:belay:Dummy", "validate-all", bad_sleep), 6);
    assert_int_equal(run_rc("ocf:belay:Dummy", "stop", plain), 0);
    assert_int_equal(run_rc("ocf:belay:Dummy", "stop", plain), 0);
    assert_int_equal(run_rc("ocf:belay:Dummy", "frobnicate", plain), 3);
}

/* ------------------------------------------------------------- executor */

typedef struct collected {
    unsigned reports;
    unsigned finals;
    bl_exec_result_t last;
} collected_t;

static void
collect(uint64_t call_id, const bl_exec_request_t *req, const bl_exec_result_t *res, bool final,
        void *user_data)
{
    collected_t *c = user_data;

    (void) call_id;
    (void) req;
    c->reports++;
    c->finals += final ? 1 : 0;
    bl_exec_result_clear(&c->last);
    bl__exec_result_copy(&c->last, res);
}

/* Runs CTX until every one of the N collectors got its final report (10 s at most). */
static void
wait_finals(GMainContext *ctx, collected_t *c, size_t n)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    bool all;

    do {
        all = true;
        for (size_t i = 0; i < n; i++) {
            all = all && c[i].finals > 0;
        }
        if (!all) {
            g_main_context_iteration(ctx, FALSE);
            g_usleep(1000);
        }
    } while (!all && g_get_monotonic_time() < deadline);
    assert_true(all);
}

/* Highest number of counter agents running at once according to LOG. */
static int
max_overlap(const char *log)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    int now = 0;
    int max = 0;

    assert_true(g_file_get_contents(log, &text, NULL, NULL));
    lines = g_strsplit(text, "\n", -1);
    /* Lines are appended in time order (O_APPEND), so a running count suffices. */
    for (int i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        now += lines[i][0] == '+' ? 1 : -1;
        max = MAX(max, now);
    }
    return max;
}

static void
submit_counter(bl_exec_t *exec, const char *rsc, const char *log, collected_t *c)
{
    bl_exec_request_t *req = request(rsc, "ocf:test:counter", "start");

    param(req, "log", log);
    param(req, "pause", "0.2");
    assert_int_equal(bl_exec_submit(exec, req, collect, c, NULL, NULL), 0);
}

static void
test_parallel_bound(void **state)
{
    g_autofree char *log = work_path("parallel.log");
    GMainContext *ctx = g_main_context_new();
    bl_exec_options_t opts = {.max_parallel = 2};
    bl_exec_t *exec = bl_exec_new(ctx, &opts);
    collected_t c[6] = {0};

    (void) state;
    for (int i = 0; i < 6; i++) {
        g_autofree char *rsc = g_strdup_printf("r%d", i);

        submit_counter(exec, rsc, log, &c[i]);
    }
    assert_int_equal(bl_exec_active(exec), 6);
    wait_finals(ctx, c, 6);
    assert_int_equal(max_overlap(log), 2);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(c[i].reports, 1);
        assert_int_equal(c[i].last.rc, 0);
        bl_exec_result_clear(&c[i].last);
    }
    assert_int_equal(bl_exec_active(exec), 0);
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}

static void
test_one_action_per_resource(void **state)
{
    g_autofree char *log = work_path("serial.log");
    GMainContext *ctx = g_main_context_new();
    bl_exec_options_t opts = {.max_parallel = 8};
    bl_exec_t *exec = bl_exec_new(ctx, &opts);
    collected_t c[4] = {0};

    (void) state;
    for (int i = 0; i < 4; i++) {
        submit_counter(exec, "same", log, &c[i]);
    }
    wait_finals(ctx, c, 4);
    assert_int_equal(max_overlap(log), 1);
    for (int i = 0; i < 4; i++) {
        bl_exec_result_clear(&c[i].last);
    }
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}

static unsigned
count_runs(const char *log)
{
    g_autofree char *text = NULL;
    unsigned runs = 0;

    if (!g_file_get_contents(log, &text, NULL, NULL)) {
        return 0;
    }
    for (const char *p = text; (p = strchr(p, '+')) != NULL; p++) {
        runs++;
    }
    return runs;
}

/* Iterates CTX until *VALUE >= MIN or (when FILE) FILE has MIN runs; 10 s at most. */
static void
spin_until(GMainContext *ctx, const unsigned *value, const char *log, unsigned min)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while ((value != NULL ? *value : count_runs(log)) < min) {
        assert_true(g_get_monotonic_time() < deadline);
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
}

static void
test_recurring_reports_changes(void **state)
{
    g_autofree char *log = work_path("recurring.log");
    g_autofree char *rcfile = work_path("recurring.rc");
    GMainContext *ctx = g_main_context_new();
    bl_exec_t *exec = bl_exec_new(ctx, NULL);
    bl_exec_request_t *req = request("rec", "ocf:test:counter", "monitor");
    bl_exec_result_t last = {0};
    collected_t c = {0};
    uint64_t id = 0;
    unsigned runs;

    (void) state;
    assert_true(g_file_set_contents(rcfile, "7", -1, NULL));
    param(req, "log", log);
    param(req, "rcfile", rcfile);
    req->interval_ms = 30;
    assert_int_equal(bl_exec_submit(exec, req, collect, &c, &id, NULL), 0);
    assert_int_equal(bl_exec_last_result(exec, id, &last), BL_ENOTFOUND);
    spin_until(ctx, NULL, log, 5);
    assert_int_equal(c.reports, 1);
    assert_int_equal(c.last.rc, 7);
    assert_true(g_file_set_contents(rcfile, "0", -1, NULL));
    spin_until(ctx, &c.reports, NULL, 2);
    assert_int_equal(c.last.rc, 0);
    assert_int_equal(c.finals, 0);
    runs = count_runs(log);
    spin_until(ctx, NULL, log, runs + 4);
    assert_int_equal(c.reports, 2);
    assert_int_equal(bl_exec_last_result(exec, id, &last), 0);
    assert_int_equal(last.rc, 0);
    bl_exec_result_clear(&last);
    assert_int_equal(bl_exec_cancel(exec, id), 0);
    spin_until(ctx, &c.finals, NULL, 1);
    assert_int_equal(c.last.status, BL_EXEC_CANCELLED);
    assert_int_equal(bl_exec_cancel(exec, id), BL_ENOTFOUND);
    assert_int_equal(bl_exec_active(exec), 0);
    /* Cancelled means no more runs. */
    runs = count_runs(log);
    for (int i = 0; i < 100; i++) {
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
    assert_int_equal(count_runs(log), runs);
    bl_exec_result_clear(&c.last);
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}

static uint64_t
submit_sleeper(bl_exec_t *exec, const char *pidfile, collected_t *c)
{
    bl_exec_request_t *req = request("sl", "ocf:test:sleeper", "start");
    uint64_t id = 0;

    param(req, "pidfile", pidfile);
    assert_int_equal(bl_exec_submit(exec, req, collect, c, &id, NULL), 0);
    return id;
}

static void
wait_file(GMainContext *ctx, const char *path)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        assert_true(g_get_monotonic_time() < deadline);
        g_main_context_iteration(ctx, FALSE);
        g_usleep(1000);
    }
}

static void
test_cancel(void **state)
{
    g_autofree char *pidfile = work_path("cancel.pid");
    g_autofree char *pidfile2 = work_path("cancel2.pid");
    GMainContext *ctx = g_main_context_new();
    bl_exec_t *exec = bl_exec_new(ctx, NULL);
    collected_t running = {0};
    collected_t queued = {0};
    uint64_t first = submit_sleeper(exec, pidfile, &running);
    uint64_t second = submit_sleeper(exec, pidfile2, &queued);

    (void) state;
    wait_file(ctx, pidfile);
    /* Same resource: the second call waits behind the first; cancelling it is immediate. */
    assert_int_equal(bl_exec_cancel(exec, second), 0);
    assert_int_equal(queued.finals, 1);
    assert_int_equal(queued.last.status, BL_EXEC_CANCELLED);
    assert_int_equal(bl_exec_cancel(exec, first), 0);
    wait_finals(ctx, &running, 1);
    assert_int_equal(running.last.status, BL_EXEC_CANCELLED);
    assert_true(pid_gone(read_pid(pidfile)));
    assert_false(g_file_test(pidfile2, G_FILE_TEST_EXISTS));
    bl_exec_result_clear(&running.last);
    bl_exec_result_clear(&queued.last);
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}

static void
test_free_kills_running(void **state)
{
    g_autofree char *pidfile = work_path("free.pid");
    GMainContext *ctx = g_main_context_new();
    bl_exec_t *exec = bl_exec_new(ctx, NULL);
    collected_t c = {0};

    (void) state;
    submit_sleeper(exec, pidfile, &c);
    wait_file(ctx, pidfile);
    bl_exec_free(exec);
    assert_int_equal(c.reports, 0);
    assert_true(pid_gone(read_pid(pidfile)));
    g_main_context_unref(ctx);
}

/* Admission is bounded: queued submissions, then active calls; a refusal frees the request. */
static void
test_admission_bounds(void **state)
{
    g_autofree char *log = work_path("admission.log");
    GMainContext *ctx = g_main_context_new();
    bl_exec_options_t opts = {.max_queued = 2, .max_calls = 3};
    bl_exec_t *exec = bl_exec_new(ctx, &opts);
    collected_t c[3] = {0};
    bl_exec_request_t *req;
    char *err = NULL;

    (void) state;
    submit_counter(exec, "a1", log, &c[0]);
    submit_counter(exec, "a2", log, &c[1]);
    /* Nothing started yet (no iteration): two wait, the queue is full. */
    req = request("a3", "ocf:test:counter", "start");
    assert_int_equal(bl_exec_submit(exec, req, collect, &c[2], NULL, &err), -ENOBUFS);
    assert_string_equal(
        err, "executor queue full: 2 calls already wait to start (max_queued 2); try again later");
    bl_free(&err);
    /* One pass of the loop starts both (an idle kick): no longer queued, still active. */
    for (int i = 0; i < 5; i++) {
        g_main_context_iteration(ctx, FALSE);
    }
    submit_counter(exec, "a3", log, &c[2]);
    req = request("a4", "ocf:test:counter", "start");
    assert_int_equal(bl_exec_submit(exec, req, collect, &c[2], NULL, &err), -ENOBUFS);
    assert_string_equal(err,
                        "too many active calls: 3 (max_calls 3); cancel some or try again later");
    bl_free(&err);
    wait_finals(ctx, c, 3);
    assert_int_equal(bl_exec_active(exec), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(c[i].finals, 1);
        bl_exec_result_clear(&c[i].last);
    }
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}

/*
 * In a child subreaper, the orphan an agent leaves (a daemon it started) becomes our
 * child; when it dies, bl_exec_reap_orphans() reaps it. Runs last: the subreaper flag
 * stays with the test process.
 */
static void
test_reap_orphans(void **state)
{
    g_autofree char *pidfile = work_path("orphan.pid");
    g_autofree char *proc = NULL;
    GMainContext *ctx = g_main_context_new();
    bl_exec_t *exec = bl_exec_new(ctx, NULL);
    bl_exec_request_t *req = request("orphan", "ocf:test:doublefork", "start");
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    collected_t c = {0};
    unsigned reaped = 0;
    pid_t orphan;

    (void) state;
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
    param(req, "pidfile", pidfile);
    assert_int_equal(bl_exec_submit(exec, req, collect, &c, NULL, NULL), 0);
    wait_finals(ctx, &c, 1);
    assert_int_equal(c.last.rc, 0);
    orphan = read_pid(pidfile);
    proc = g_strdup_printf("/proc/%d", (int) orphan);
    assert_int_equal(bl_exec_reap_orphans(exec), 0); /* alive: nothing to reap */
    assert_int_equal(kill(orphan, SIGKILL), 0);
    while (reaped == 0 && g_get_monotonic_time() < deadline) {
        g_usleep(10000);
        reaped = bl_exec_reap_orphans(exec);
    }
    assert_int_equal(reaped, 1);
    assert_false(g_file_test(proc, G_FILE_TEST_EXISTS));
    bl_exec_result_clear(&c.last);
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_exact),
        cmocka_unit_test(test_env_extra),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_hostile_through_dummy),
        cmocka_unit_test(test_timeout_kills_group),
        cmocka_unit_test(test_sigterm_ignored_gets_sigkill),
        cmocka_unit_test(test_process_setup),
        cmocka_unit_test(test_leftover_child_does_not_block),
        cmocka_unit_test(test_flood_is_bounded),
        cmocka_unit_test(test_capture_keeps_head_and_tail),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_rc_meaning_per_action),
        cmocka_unit_test(test_not_installed),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_heartbeat_dummy),
        cmocka_unit_test(test_belay_dummy_injection),
        cmocka_unit_test(test_parallel_bound),
        cmocka_unit_test(test_one_action_per_resource),
        cmocka_unit_test(test_recurring_reports_changes),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_free_kills_running),
        cmocka_unit_test(test_admission_bounds),
        cmocka_unit_test(test_reap_orphans),
    };

    return cmocka_run_group_tests(tests, setup_root, teardown_root);
}
