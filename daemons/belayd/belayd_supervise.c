/*
 * belayd's supervisor: starts belay-based, then belay-execd once belay-based's IPC accepts
 * connections; respawns a daemon that dies, with a delay that doubles with each recent
 * exit, and gives up (stopping the others) when one exits more than respawn_max times
 * within respawn_window: a daemon in a crash loop would otherwise burn the node forever
 * while looking alive. On stop, the daemons go in reverse order, each TERM then KILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include <belay/cib.h>
#include <belay/common.h>
#include <belay/exec.h>

#include "belayd_private.h"

#define READY_POLL_MS 100
#define N_PROCS 2

enum state {
    ST_DOWN,     /* not started (yet), or stopped */
    ST_STARTING, /* spawned; its IPC does not accept connections yet */
    ST_RUNNING,  /* ready */
    ST_STOPPING, /* sent SIGTERM; waiting for it to exit */
    ST_WAITING,  /* exited; respawn timer running */
    ST_FAILED,   /* gave up on it */
};

typedef struct proc {
    belayd_t *belayd;
    const char *name;
    char **argv;     /* argv[0] is the binary's path */
    char *ipc;       /* IPC service whose accepting connections means ready */
    size_t ipc_size; /* buffer size to connect with */
    enum state state;
    pid_t pid;
    guint watch;
    guint timer; /* readiness poll, respawn delay or kill grace */
    gint64 started_us;
    unsigned spawns;
    GArray *exits; /* gint64 monotonic times of its unexpected exits within the window */
} proc_t;

struct belayd {
    const belayd_conf_t *conf;
    GMainLoop *loop;
    proc_t procs[N_PROCS];
    bool stopping;
    bool all_ready_said;
    int exit_code;
};

static void start_next(belayd_t *belayd);
static void stop_next(belayd_t *belayd);

static void
proc_init(proc_t *proc, belayd_t *belayd, const char *name, char **argv, const char *ipc,
          size_t ipc_size)
{
    proc->belayd = belayd;
    proc->name = name;
    proc->argv = argv;
    proc->ipc = g_strdup(ipc);
    proc->ipc_size = ipc_size;
    proc->exits = g_array_new(FALSE, FALSE, sizeof(gint64));
}

/* belay-execd's command line: its agents' root and the limits belay.conf sets. */
static char **
execd_argv(const belayd_conf_t *conf)
{
    const struct {
        const char *option;
        unsigned value;
    } limits[] = {
        {"--max-parallel", conf->execd_max_parallel},
        {"--max-queued", conf->execd_max_queued},
        {"--max-calls", conf->execd_max_calls},
        {"--max-client-events", conf->execd_max_client_events},
    };
    GPtrArray *argv = g_ptr_array_new();

    g_ptr_array_add(argv, g_build_filename(conf->daemon_dir, "belay-execd", NULL));
    g_ptr_array_add(argv, g_strdup("--ocf-root"));
    g_ptr_array_add(argv, g_strdup(conf->ocf_root));
    for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
        /* an unset limit is left to belay-execd's own default */
        if (limits[i].value > 0) {
            g_ptr_array_add(argv, g_strdup(limits[i].option));
            g_ptr_array_add(argv, g_strdup_printf("%u", limits[i].value));
        }
    }
    g_ptr_array_add(argv, NULL);
    return (char **) g_ptr_array_free(argv, FALSE);
}

belayd_t *
belayd_new(const belayd_conf_t *conf, GMainLoop *loop)
{
    belayd_t *belayd = g_new0(belayd_t, 1);
    char **based = g_new0(char *, 2);
    char **execd = execd_argv(conf);

    belayd->conf = conf;
    belayd->loop = loop;
    based[0] = g_build_filename(conf->daemon_dir, "belay-based", NULL);
    proc_init(&belayd->procs[0], belayd, "belay-based", based, bl_cib_ipc_name(), BL_CIB_MAX_MSG);
    proc_init(&belayd->procs[1], belayd, "belay-execd", execd, bl_execd_ipc_name(),
              BL_EXECD_MAX_MSG);
    return belayd;
}

static void
drop_timer(proc_t *proc)
{
    if (proc->timer != 0) {
        g_source_remove(proc->timer);
        proc->timer = 0;
    }
}

void
belayd_free(belayd_t *belayd)
{
    for (int i = 0; i < N_PROCS; i++) {
        proc_t *proc = &belayd->procs[i];

        drop_timer(proc);
        if (proc->watch != 0) {
            g_source_remove(proc->watch);
        }
        g_strfreev(proc->argv);
        g_free(proc->ipc);
        g_array_free(proc->exits, TRUE);
    }
    g_free(belayd);
}

/* The child side of spawn(): only async-signal-safe calls until exec. */
static void
exec_child(const proc_t *proc, pid_t parent, int report_fd)
{
    sigset_t none;
    int err;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    /* Its own group: a Ctrl-C meant for belayd must not hit the daemons out of order. */
    setpgid(0, 0);
    /* Should belayd be killed outright, its daemons go too rather than linger unwatched. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) {
        _exit(127);
    }
    execv(proc->argv[0], proc->argv);
    err = errno;
    if (write(report_fd, &err, sizeof(err)) < 0) {
        _exit(127);
    }
    _exit(127);
}

/* Forks and execs PROC; *exec_errno gets why exec failed (0 when it did not). */
static pid_t
spawn(const proc_t *proc, int *exec_errno)
{
    pid_t parent = getpid();
    int report[2];
    pid_t pid;

    *exec_errno = 0;
    if (pipe2(report, O_CLOEXEC) != 0) {
        return -1;
    }
    pid = fork();
    if (pid == 0) {
        close(report[0]);
        exec_child(proc, parent, report[1]);
    }
    close(report[1]);
    /* A successful exec closes the pipe; a failed one writes its errno first. */
    if (pid > 0 && read(report[0], exec_errno, sizeof(*exec_errno)) != sizeof(*exec_errno)) {
        *exec_errno = 0;
    }
    close(report[0]);
    return pid;
}

/* Connecting to the daemon's IPC and leaving again is the proof it serves. */
static bool
ipc_accepts(const proc_t *proc)
{
    qb_ipcc_connection_t *conn = qb_ipcc_connect(proc->ipc, proc->ipc_size);

    if (conn == NULL) {
        return false;
    }
    qb_ipcc_disconnect(conn);
    return true;
}

static uint64_t
uptime_ms(const proc_t *proc)
{
    return (uint64_t) (g_get_monotonic_time() - proc->started_us) / 1000;
}

static gboolean
on_kill_grace(gpointer data)
{
    proc_t *proc = data;

    proc->timer = 0;
    bl_warn("%s: pid %d still runs %" PRIu64 " ms after SIGTERM; sending SIGKILL", proc->name,
            (int) proc->pid, proc->belayd->conf->stop_timeout_ms);
    /* To its whole process group: a helper it forked must not outlive it. */
    kill(-proc->pid, SIGKILL);
    return G_SOURCE_REMOVE;
}

static void
terminate(proc_t *proc)
{
    drop_timer(proc);
    proc->state = ST_STOPPING;
    kill(proc->pid, SIGTERM);
    proc->timer = g_timeout_add(proc->belayd->conf->stop_timeout_ms, on_kill_grace, proc);
}

static gboolean
on_ready_poll(gpointer data)
{
    proc_t *proc = data;
    const belayd_conf_t *conf = proc->belayd->conf;

    if (ipc_accepts(proc)) {
        proc->timer = 0;
        proc->state = ST_RUNNING;
        bl_notice("%s: ready in %" PRIu64 " ms (IPC '%s' accepts connections)", proc->name,
                  uptime_ms(proc), proc->ipc);
        start_next(proc->belayd);
        return G_SOURCE_REMOVE;
    }
    if (uptime_ms(proc) >= conf->start_timeout_ms) {
        proc->timer = 0;
        bl_err("%s: not ready after %" PRIu64 " ms (IPC '%s' refuses connections); stopping it",
               proc->name, conf->start_timeout_ms, proc->ipc);
        terminate(proc);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void on_exit_status(GPid pid, gint status, gpointer data);
static void respawn_or_give_up(proc_t *proc);

static void
start_proc(proc_t *proc)
{
    int exec_errno = 0;
    pid_t pid = spawn(proc, &exec_errno);

    if (pid < 0) {
        /* Without a process there is no exit to wait for: count it as one. */
        bl_err("%s: cannot fork: %s", proc->name, g_strerror(errno));
        respawn_or_give_up(proc);
        return;
    }
    proc->pid = pid;
    proc->state = ST_STARTING;
    proc->started_us = g_get_monotonic_time();
    proc->spawns++;
    proc->watch = g_child_watch_add(pid, on_exit_status, proc);
    if (exec_errno != 0) {
        bl_err("%s: cannot run %s: %s", proc->name, proc->argv[0], g_strerror(exec_errno));
        return;
    }
    bl_notice("%s: %s (pid %d)", proc->name, proc->spawns > 1 ? "respawned" : "started", (int) pid);
    proc->timer = g_timeout_add(READY_POLL_MS, on_ready_poll, proc);
}

/* Starts the first daemon not running, once all before it are ready. */
static void
start_next(belayd_t *belayd)
{
    if (belayd->stopping) {
        return;
    }
    for (int i = 0; i < N_PROCS; i++) {
        proc_t *proc = &belayd->procs[i];

        if (proc->state == ST_RUNNING) {
            continue;
        }
        if (proc->state == ST_DOWN) {
            start_proc(proc);
        }
        return;
    }
    if (!belayd->all_ready_said) {
        belayd->all_ready_said = true;
        bl_notice("all daemons are ready");
    }
}

static gboolean
on_respawn(gpointer data)
{
    proc_t *proc = data;

    proc->timer = 0;
    start_proc(proc);
    return G_SOURCE_REMOVE;
}

/* Forgets exits older than the window; returns how many are left. */
static unsigned
recent_exits(proc_t *proc, gint64 now)
{
    gint64 window_us = (gint64) proc->belayd->conf->respawn_window_ms * 1000;

    while (proc->exits->len > 0 && now - g_array_index(proc->exits, gint64, 0) > window_us) {
        g_array_remove_index(proc->exits, 0);
    }
    return proc->exits->len;
}

static void
respawn_or_give_up(proc_t *proc)
{
    const belayd_conf_t *conf = proc->belayd->conf;
    gint64 now = g_get_monotonic_time();
    uint64_t delay = conf->respawn_delay_ms;
    unsigned exits;

    g_array_append_val(proc->exits, now);
    exits = recent_exits(proc, now);
    if (exits > conf->respawn_max) {
        bl_err("%s: gave up: it exited %u times within %" PRIu64
               " s (respawn_max = %u); stopping the other daemons",
               proc->name, exits, conf->respawn_window_ms / 1000, conf->respawn_max);
        proc->state = ST_FAILED;
        proc->belayd->exit_code = 1;
        belayd_stop(proc->belayd);
        return;
    }
    for (unsigned i = 1; i < exits && delay < conf->respawn_delay_max_ms; i++) {
        delay *= 2;
    }
    delay = MIN(delay, conf->respawn_delay_max_ms);
    bl_notice("%s: respawning in %" PRIu64 " ms (exit %u of %u tolerated within %" PRIu64 " s)",
              proc->name, delay, exits, conf->respawn_max, conf->respawn_window_ms / 1000);
    proc->state = ST_WAITING;
    proc->timer = g_timeout_add(delay, on_respawn, proc);
}

static char *
describe_status(gint status)
{
    if (WIFSIGNALED(status)) {
        return g_strdup_printf("killed by signal %d (%s)", WTERMSIG(status),
                               g_strsignal(WTERMSIG(status)));
    }
    return g_strdup_printf("exited with status %d", WEXITSTATUS(status));
}

static void
on_exit_status(GPid pid, gint status, gpointer data)
{
    proc_t *proc = data;
    belayd_t *belayd = proc->belayd;
    g_autofree char *how = describe_status(status);

    g_spawn_close_pid(pid);
    proc->watch = 0;
    proc->pid = 0;
    drop_timer(proc);
    if (belayd->stopping) {
        bl_notice("%s: stopped (pid %d %s)", proc->name, (int) pid, how);
        proc->state = ST_DOWN;
        stop_next(belayd);
        return;
    }
    bl_err("%s: pid %d %s after %" PRIu64 " ms", proc->name, (int) pid, how, uptime_ms(proc));
    respawn_or_give_up(proc);
}

void
belayd_start(belayd_t *belayd)
{
    start_next(belayd);
}

/* Stops the last daemon still alive; the next one goes when it has exited. */
static void
stop_next(belayd_t *belayd)
{
    for (int i = N_PROCS - 1; i >= 0; i--) {
        proc_t *proc = &belayd->procs[i];

        if (proc->pid == 0) {
            continue;
        }
        if (proc->state != ST_STOPPING) {
            bl_notice("%s: stopping (SIGTERM to pid %d)", proc->name, (int) proc->pid);
            terminate(proc);
        }
        return;
    }
    bl_notice("all daemons are stopped");
    g_main_loop_quit(belayd->loop);
}

void
belayd_stop(belayd_t *belayd)
{
    if (belayd->stopping) {
        return;
    }
    belayd->stopping = true;
    for (int i = 0; i < N_PROCS; i++) {
        proc_t *proc = &belayd->procs[i];

        if (proc->state == ST_WAITING || proc->state == ST_STARTING) {
            drop_timer(proc);
        }
        if (proc->state == ST_WAITING) {
            proc->state = ST_DOWN;
        }
    }
    stop_next(belayd);
}

int
belayd_exit_code(const belayd_t *belayd)
{
    return belayd->exit_code;
}
