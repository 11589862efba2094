/*
 * Executor overhead: N monitors of ocf:belay:Dummy run directly (posix_spawn + waitpid,
 * same environment, output discarded) and through lib/exec (one at a time, synchronously;
 * queued on one executor; in parallel over several resources). Prints figures only.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <belay/common.h>
#include <belay/exec.h>

static bl_exec_request_t *
monitor_request(const char *root, const char *rsc, const char *state)
{
    bl_exec_request_t *req = NULL;
    char *err = NULL;

    if (bl_exec_request_new(rsc, "ocf:belay:Dummy", "monitor", &req, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    req->ocf_root = g_strdup(root);
    bl_exec_request_set(req, false, "state", state, NULL);
    return req;
}

static double
run_direct(const bl_exec_request_t *req, int n)
{
    g_autofree char *path = g_build_filename(req->ocf_root, "resource.d/belay/Dummy", NULL);
    g_auto(GStrv) env = bl_exec_request_env(req, NULL);
    char *argv[] = {path, "monitor", NULL};
    posix_spawn_file_actions_t actions;
    gint64 start = g_get_monotonic_time();

    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < n; i++) {
        pid_t pid;
        int status;

        if (posix_spawn(&pid, path, &actions, NULL, argv, env) != 0
            || waitpid(pid, &status, 0) != pid || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "direct run %d failed\n", i);
            exit(1);
        }
    }
    posix_spawn_file_actions_destroy(&actions);
    return (double) (g_get_monotonic_time() - start) / 1e6;
}

static double
run_sync(const bl_exec_request_t *req, int n)
{
    gint64 start = g_get_monotonic_time();

    for (int i = 0; i < n; i++) {
        bl_exec_result_t res = {0};

        bl_exec_run_sync(req, NULL, &res);
        if (res.status != BL_EXEC_DONE || res.rc != 0) {
            fprintf(stderr, "sync run %d failed: %s\n", i, res.message);
            exit(1);
        }
        bl_exec_result_clear(&res);
    }
    return (double) (g_get_monotonic_time() - start) / 1e6;
}

static void
count_done(uint64_t call_id, const bl_exec_request_t *req, const bl_exec_result_t *res, bool final,
           void *user_data)
{
    int *left = user_data;

    (void) call_id;
    (void) req;
    (void) final;
    if (res->status != BL_EXEC_DONE || res->rc != 0) {
        fprintf(stderr, "queued run failed: %s\n", res->message);
        exit(1);
    }
    (*left)--;
}

/* N monitors queued at once over RESOURCES resources, at most PARALLEL running. */
static double
run_queued(const char *root, const char *state, int n, int resources, unsigned parallel)
{
    GMainContext *ctx = g_main_context_new();
    /* Every call is submitted up front: the queue must hold them all. */
    bl_exec_options_t opts = {
        .max_parallel = parallel, .max_queued = (unsigned) n, .max_calls = (unsigned) n};
    bl_exec_t *exec = bl_exec_new(ctx, &opts);
    int left = n;
    gint64 start = g_get_monotonic_time();

    for (int i = 0; i < n; i++) {
        g_autofree char *rsc = g_strdup_printf("d%d", i % resources);

        bl_exec_submit(exec, monitor_request(root, rsc, state), count_done, &left, NULL, NULL);
    }
    while (left > 0) {
        g_main_context_iteration(ctx, TRUE);
    }
    bl_exec_free(exec);
    g_main_context_unref(ctx);
    return (double) (g_get_monotonic_time() - start) / 1e6;
}

/* N monitors through belay-execd: one at a time, or all submitted then collected. */
static double
run_execd(const char *ipc, const char *state, int n, bool pipelined)
{
    bl_exec_client_t *client = NULL;
    char *err = NULL;
    gint64 start;
    int pending = 0;

    if (bl_exec_client_connect(ipc, &client, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    start = g_get_monotonic_time();
    for (int i = 0; i < n || pending > 0; i++) {
        if (i < n) {
            g_autofree char *rsc = g_strdup_printf("d%d", pipelined ? i % 16 : 0);
            bl_exec_request_t *req = monitor_request("", rsc, state);
            uint64_t id = 0;

            if (bl_exec_client_run(client, req, &id, &err) != 0) {
                fprintf(stderr, "%s\n", err);
                exit(1);
            }
            bl_exec_request_free(req);
            pending++;
        }
        while (pending > 0 && (!pipelined || i >= n - 1)) {
            bl_exec_event_t event = {0};

            if (bl_exec_client_next(client, 30000, &event, &err) != 0 || event.result.rc != 0) {
                fprintf(stderr, "execd run failed: %s\n", err ? err : event.result.message);
                exit(1);
            }
            bl_exec_result_clear(&event.result);
            pending--;
        }
    }
    bl_exec_client_free(client);
    return (double) (g_get_monotonic_time() - start) / 1e6;
}

/* The modes measured; each runs in every round so that load changes hit them all. */
enum mode {
    DIRECT,
    SYNC,
    QUEUED_SERIAL,
    QUEUED_PARALLEL,
    EXECD_SERIAL,
    EXECD_PIPELINED,
    N_MODES,
};

#define ROUNDS 5

typedef struct bench {
    const char *root;
    const char *state;
    const char *ipc; /* NULL: no belay-execd figures */
    bl_exec_request_t *req;
    unsigned cpus;
} bench_t;

static double
run_mode(const bench_t *b, enum mode mode, int n)
{
    switch (mode) {
    case DIRECT:
        return run_direct(b->req, n);
    case SYNC:
        return run_sync(b->req, n);
    case QUEUED_SERIAL:
        return run_queued(b->root, b->state, n, 1, 1);
    case QUEUED_PARALLEL:
        return run_queued(b->root, b->state, n, 16, b->cpus);
    case EXECD_SERIAL:
        return run_execd(b->ipc, b->state, n, false);
    case EXECD_PIPELINED:
    case N_MODES:
        break;
    }
    return run_execd(b->ipc, b->state, n, true);
}

/* CPU seconds used by this process (not its children) plus belay-execd's, if any. */
static double
cpu_seconds(const char *daemon_pid)
{
    struct rusage usage;
    double total;
    g_autofree char *path = NULL;
    g_autofree char *stat = NULL;

    getrusage(RUSAGE_SELF, &usage);
    total = (double) usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
            + (double) usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
    path = g_strdup_printf("/proc/%s/stat", daemon_pid != NULL ? daemon_pid : "");
    if (daemon_pid != NULL && g_file_get_contents(path, &stat, NULL, NULL)) {
        unsigned long utime = 0;
        unsigned long stime = 0;

        /* Fields 14 and 15 (after the parenthesised command name) are utime and stime. */
        if (sscanf(strrchr(stat, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                   &utime, &stime)
            == 2) {
            total += (double) (utime + stime) / (double) sysconf(_SC_CLK_TCK);
        }
    }
    return total;
}

static void
print_rss(const char *label, const char *pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%s/status", pid);
    g_autofree char *status = NULL;
    const char *rss;
    const char *hwm;

    if (!g_file_get_contents(path, &status, NULL, NULL)) {
        return;
    }
    rss = strstr(status, "VmRSS:");
    hwm = strstr(status, "VmHWM:");
    printf("%s RSS:%.*s, peak:%.*s\n", label, (int) strcspn(rss + 6, "\n"), rss + 6,
           (int) strcspn(hwm + 6, "\n"), hwm + 6);
}

int
main(int argc, char **argv)
{
    static const char *const names[N_MODES] = {
        "direct (posix_spawn + waitpid)",  "lib/exec bl_exec_run_sync, one at a time",
        "lib/exec executor, one resource", "lib/exec executor, 16 resources, parallel",
        "belay-execd, one at a time",      "belay-execd, all queued, 16 resources",
    };
    int n = argc > 3 ? atoi(argv[3]) : 1000;
    double best[N_MODES];
    double cpu[N_MODES] = {0};
    bench_t b = {0};
    int modes;

    if (argc < 3 || n < ROUNDS) {
        fprintf(stderr, "usage: bench_exec OCF_ROOT STATE_FILE [N >= %d]\n", ROUNDS);
        return 2;
    }
    b.root = argv[1];
    b.state = argv[2];
    b.ipc = getenv("BENCH_EXECD_IPC");
    b.req = monitor_request(argv[1], "d", argv[2]);
    b.cpus = (unsigned) sysconf(_SC_NPROCESSORS_ONLN);
    modes = b.ipc != NULL ? N_MODES : EXECD_SERIAL;
    /* Per mode, the best of ROUNDS rounds of N/ROUNDS operations: the machine may be busy. */
    for (int m = 0; m < modes; m++) {
        best[m] = 1e9;
    }
    for (int r = 0; r < ROUNDS; r++) {
        for (int m = 0; m < modes; m++) {
            const char *pid = m >= EXECD_SERIAL ? getenv("BENCH_EXECD_PID") : NULL;
            double cpu_start = cpu_seconds(pid);

            best[m] = MIN(best[m], run_mode(&b, (enum mode) m, n / ROUNDS) / (n / ROUNDS));
            cpu[m] += cpu_seconds(pid) - cpu_start;
        }
    }
    printf("%d operations per mode, best of %d rounds; %u CPUs\n", n, ROUNDS, b.cpus);
    for (int m = 0; m < modes; m++) {
        /* CPU of the runner (and daemon) itself, agents excluded: what Belay adds. */
        printf("%-44s %7.3f ms/op  %7.0f ops/s  runner CPU %.3f ms/op", names[m], best[m] * 1000,
               1 / best[m], cpu[m] * 1000 / (n / ROUNDS * ROUNDS));
        if (m == SYNC || m == QUEUED_SERIAL || m == EXECD_SERIAL) {
            printf("  wall overhead %+.3f ms/op", (best[m] - best[DIRECT]) * 1000);
        }
        printf("\n");
    }
    if (b.ipc != NULL) {
        print_rss("belay-execd", getenv("BENCH_EXECD_PID"));
    }
    print_rss("bench process", "self");
    bl_exec_request_free(b.req);
    return 0;
}
