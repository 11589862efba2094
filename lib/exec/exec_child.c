/*
 * One agent process: spawn it without a shell in its own process group, capture its
 * output, enforce its timeout on the whole group, and turn its wait status into a
 * result.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include <belay/common.h>

#include "exec_private.h"

#define READ_CHUNK 65536
/* After the agent exited, read what is left but not forever (a grandchild may write). */
#define DRAIN_MAX_READS 64

typedef struct stream {
    int fd;
    GSource *source;
    bl_capture_t cap;
} stream_t;

struct bl_child {
    bl_child_params_t params;
    pid_t pid;
    gint64 started_us;
    uint64_t timeout_ms;
    stream_t out;
    stream_t err;
    GSource *watch;
    GSource *timer;
    GSource *kill_timer;
    bool timed_out;
    bool cancelled;
    bool sent_kill;
    bool reaped;
};

static void
fail_result(bl_exec_result_t *res, int rc, char *message)
{
    memset(res, 0, sizeof(*res));
    res->status = BL_EXEC_ERROR;
    res->rc = rc;
    res->message = message;
    res->out = g_strdup("");
    res->err = g_strdup("");
}

static int
errno_to_ocf(int err)
{
    switch (err) {
    case ENOENT:
    case ENOTDIR:
        return BL_OCF_ERR_INSTALLED;
    case EACCES:
    case EPERM:
        return BL_OCF_ERR_PERM;
    default:
        return BL_OCF_ERR_GENERIC;
    }
}

/* A clear "not installed" before spawning: posix_spawn's ENOENT alone says little. */
static bool
check_agent(const char *path, const bl_exec_request_t *req, bl_exec_result_t *res)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fail_result(res, errno_to_ocf(errno),
                    g_strdup_printf("ocf:%s:%s: agent not installed (%s: %s)", req->provider,
                                    req->type, path, g_strerror(errno)));
        return false;
    }
    if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) {
        fail_result(res, BL_OCF_ERR_INSTALLED,
                    g_strdup_printf("ocf:%s:%s: agent not installed (%s is not an executable file)",
                                    req->provider, req->type, path));
        return false;
    }
    return true;
}

static int
spawn(const char *path, const char *action, char **env, int out_fd, int err_fd, pid_t *pid)
{
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t all;
    sigset_t none;
    char *argv[] = {(char *) path, (char *) action, NULL};
    int rc;

    sigfillset(&all);
    sigemptyset(&none);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    /* Nothing of the daemon (IPC sockets, pipes of other agents) leaks into agents. */
    posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK
                                        | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    rc = posix_spawn(pid, path, &actions, &attr, argv, env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc;
}

static void
stream_close(stream_t *stream)
{
    if (stream->source != NULL) {
        g_source_destroy(stream->source);
        g_source_unref(stream->source);
        stream->source = NULL;
    }
    if (stream->fd >= 0) {
        close(stream->fd);
        stream->fd = -1;
    }
}

/* Reads once; false at end of stream or on error. */
static bool
stream_read(stream_t *stream)
{
    char buf[READ_CHUNK];
    ssize_t n = read(stream->fd, buf, sizeof(buf));

    if (n > 0) {
        bl__capture_add(&stream->cap, buf, (size_t) n);
        return true;
    }
    return n < 0 && (errno == EINTR || errno == EAGAIN);
}

static gboolean
on_readable(gint fd, GIOCondition cond, gpointer data)
{
    stream_t *stream = data;

    (void) fd;
    (void) cond;
    if (stream_read(stream)) {
        return G_SOURCE_CONTINUE;
    }
    /* EOF: keep the fd open (closed at completion) but stop watching it. */
    g_source_unref(stream->source);
    stream->source = NULL;
    return G_SOURCE_REMOVE;
}

static void
stream_drain(stream_t *stream)
{
    for (int i = 0; stream->fd >= 0 && i < DRAIN_MAX_READS; i++) {
        char buf[READ_CHUNK];
        ssize_t n = read(stream->fd, buf, sizeof(buf));

        if (n <= 0) {
            break;
        }
        bl__capture_add(&stream->cap, buf, (size_t) n);
    }
    stream_close(stream);
}

static void
stream_open(bl_child_t *child, stream_t *stream, int fd)
{
    stream->fd = fd;
    bl__capture_init(&stream->cap, child->params.output_limit);
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    stream->source = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(stream->source, G_SOURCE_FUNC(on_readable), stream, NULL);
    g_source_attach(stream->source, child->params.ctx);
}

static void
drop_source(GSource **source)
{
    if (*source != NULL) {
        g_source_destroy(*source);
        g_source_unref(*source);
        *source = NULL;
    }
}

static gboolean
on_kill_grace(gpointer data)
{
    bl_child_t *child = data;

    child->sent_kill = true;
    kill(-child->pid, SIGKILL);
    g_source_unref(child->kill_timer);
    child->kill_timer = NULL;
    return G_SOURCE_REMOVE;
}

/* SIGTERM to the whole group (the agent's children too), SIGKILL after the grace. */
static void
terminate(bl_child_t *child)
{
    if (child->kill_timer != NULL || child->sent_kill) {
        return;
    }
    kill(-child->pid, SIGTERM);
    child->kill_timer = g_timeout_source_new(child->params.kill_grace_ms);
    g_source_set_callback(child->kill_timer, on_kill_grace, child, NULL);
    g_source_attach(child->kill_timer, child->params.ctx);
}

static gboolean
on_timeout(gpointer data)
{
    bl_child_t *child = data;

    child->timed_out = true;
    g_source_unref(child->timer);
    child->timer = NULL;
    terminate(child);
    return G_SOURCE_REMOVE;
}

static bool
is_ocf_code(int code)
{
    return (code >= BL_OCF_SUCCESS && code <= BL_OCF_FAILED_PROMOTED) || code == BL_OCF_DEGRADED
           || code == BL_OCF_DEGRADED_PROMOTED;
}

static void
set_status(const bl_child_t *child, int wait_status, bl_exec_result_t *res)
{
    int signo = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;

    res->signo = signo;
    res->rc = BL_OCF_ERR_GENERIC;
    if (child->cancelled) {
        res->status = BL_EXEC_CANCELLED;
        res->message = g_strdup("cancelled");
    } else if (child->timed_out) {
        res->status = BL_EXEC_TIMEOUT;
        const char *how = child->sent_kill ? " (killed with SIGKILL: it outlived SIGTERM)" : "";

        res->message =
            g_strdup_printf("timed out after %" G_GUINT64_FORMAT " ms%s", child->timeout_ms, how);
    } else if (signo != 0) {
        res->status = BL_EXEC_SIGNALED;
        res->message = g_strdup_printf("killed by signal %d (%s)", signo, g_strsignal(signo));
    } else if (!is_ocf_code(WEXITSTATUS(wait_status))) {
        res->status = BL_EXEC_DONE;
        res->message = g_strdup_printf("exit code %d is not an OCF code; treated as generic error",
                                       WEXITSTATUS(wait_status));
    } else {
        res->status = BL_EXEC_DONE;
        res->rc = WEXITSTATUS(wait_status);
    }
}

/* The last "ocf-exit-reason:" line, as Pacemaker shows it to users. */
static char *
find_exit_reason(const char *text)
{
    static const char prefix[] = "ocf-exit-reason:";
    const char *found = NULL;

    for (const char *p = strstr(text, prefix); p != NULL; p = strstr(p + 1, prefix)) {
        if (p == text || p[-1] == '\n') {
            found = p + sizeof(prefix) - 1;
        }
    }
    if (found == NULL) {
        return NULL;
    }
    return g_strndup(found, strcspn(found, "\n"));
}

static void
on_child_exit(GPid pid, gint wait_status, gpointer data)
{
    bl_child_t *child = data;
    bl_exec_result_t res = {0};

    (void) pid;
    child->reaped = true;
    stream_drain(&child->out);
    stream_drain(&child->err);
    drop_source(&child->timer);
    drop_source(&child->kill_timer);
    if (child->timed_out || child->cancelled) {
        /* Children that survived SIGTERM while the agent died still belong to the run. */
        kill(-child->pid, SIGKILL);
    }
    set_status(child, wait_status, &res);
    res.duration_ms = (uint64_t) (g_get_monotonic_time() - child->started_us) / 1000;
    res.out = bl__capture_finish(&child->out.cap, &res.out_dropped);
    res.err = bl__capture_finish(&child->err.cap, &res.err_dropped);
    res.exit_reason = find_exit_reason(res.err);
    child->params.done(child, &res, child->params.user_data);
}

static bl_child_t *
child_new(const bl_exec_request_t *req, const bl_child_params_t *params, pid_t pid)
{
    bl_child_t *child = g_new0(bl_child_t, 1);

    child->params = *params;
    child->pid = pid;
    child->started_us = g_get_monotonic_time();
    child->timeout_ms = bl__exec_timeout(req);
    child->out.fd = -1;
    child->err.fd = -1;
    return child;
}

bl_child_t *
bl__child_start(const bl_exec_request_t *req, const bl_child_params_t *params,
                bl_exec_result_t *res)
{
    g_autofree char *path =
        g_build_filename(bl__exec_root(req), "resource.d", req->provider, req->type, NULL);
    g_auto(GStrv) env = NULL;
    int out[2];
    int err[2];
    pid_t pid = 0;
    int rc;
    bl_child_t *child;

    if (!check_agent(path, req, res)) {
        return NULL;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        fail_result(res, BL_OCF_ERR_GENERIC, g_strdup_printf("pipe: %s", g_strerror(errno)));
        return NULL;
    }
    if (pipe2(err, O_CLOEXEC) != 0) {
        fail_result(res, BL_OCF_ERR_GENERIC, g_strdup_printf("pipe: %s", g_strerror(errno)));
        close(out[0]);
        close(out[1]);
        return NULL;
    }
    env = bl_exec_request_env(req, params->extra_env);
    rc = spawn(path, req->action, env, out[1], err[1], &pid);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(out[0]);
        close(err[0]);
        fail_result(res, errno_to_ocf(rc),
                    g_strdup_printf("ocf:%s:%s: cannot run %s: %s", req->provider, req->type, path,
                                    g_strerror(rc)));
        return NULL;
    }
    child = child_new(req, params, pid);
    stream_open(child, &child->out, out[0]);
    stream_open(child, &child->err, err[0]);
    child->watch = g_child_watch_source_new(pid);
    g_source_set_callback(child->watch, G_SOURCE_FUNC(on_child_exit), child, NULL);
    g_source_attach(child->watch, params->ctx);
    child->timer = g_timeout_source_new(child->timeout_ms);
    g_source_set_callback(child->timer, on_timeout, child, NULL);
    g_source_attach(child->timer, params->ctx);
    return child;
}

pid_t
bl__child_pid(const bl_child_t *child)
{
    return child->pid;
}

void
bl__child_cancel(bl_child_t *child)
{
    if (!child->reaped) {
        child->cancelled = true;
        terminate(child);
    }
}

void
bl__child_free(bl_child_t *child)
{
    if (child == NULL) {
        return;
    }
    drop_source(&child->watch);
    if (!child->reaped) {
        /* Still running: the executor is going away; nothing may outlive it unseen. */
        kill(-child->pid, SIGKILL);
        waitpid(child->pid, NULL, 0);
    }
    if (child->out.cap.head != NULL || child->out.fd >= 0) {
        size_t dropped;

        stream_close(&child->out);
        stream_close(&child->err);
        g_free(bl__capture_finish(&child->out.cap, &dropped));
        g_free(bl__capture_finish(&child->err.cap, &dropped));
    }
    drop_source(&child->timer);
    drop_source(&child->kill_timer);
    g_free(child);
}
