/*
 * belayd: the launcher of a node's Belay daemons. Reads /etc/belay/belay.conf (or
 * --config FILE / $BELAY_CONFIG), starts belay-based and then belay-execd, respawns a
 * daemon that dies and stops them all, in reverse order, on SIGTERM or SIGINT. Runs in
 * the foreground (systemd's Type=simple) with its pid in $BELAY_RUN_DIR/belayd.pid, which
 * it also holds locked so that a second belayd refuses to start.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib-unix.h>

#include <belay/common.h>

#include "belayd_private.h"

#ifndef BL_SBINDIR
#define BL_SBINDIR "/usr/sbin"
#endif

#define EXIT_USAGE 64
#define EXIT_CONFIG 78

static const char usage_text[] =
    "usage: belayd [--config FILE]\n"
    "Starts and watches belay-based and belay-execd; SIGTERM stops them.\n"
    "FILE defaults to $BELAY_CONFIG or " BELAYD_CONFIG_DEFAULT
    "; BELAY_STATE_DIR, BELAY_RUN_DIR and BELAY_LOG_FILE override its keys.\n";

/* Sets *config; returns -1 to go on, else the exit code. */
static int
parse_args(int argc, char **argv, const char **config, bool *required)
{
    const char *env = getenv("BELAY_CONFIG");

    *required = env != NULL && *env != '\0';
    *config = *required ? env : BELAYD_CONFIG_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_text, stdout);
            return EXIT_SUCCESS;
        }
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            *config = argv[++i];
            *required = true;
        } else {
            fprintf(stderr, "belayd: unexpected argument '%s'\n%s", argv[i], usage_text);
            return EXIT_USAGE;
        }
    }
    return -1;
}

/*
 * Creates and locks RUN_DIR/belayd.pid; the lock, not the file's existence, says a belayd
 * runs, so a pid file left by a crash does not block a restart. Returns the locked fd
 * (kept open for the process's life) or -1 after logging why.
 */
static int
lock_pid_file(const char *run_dir, char **path)
{
    char text[32];
    ssize_t len;
    int fd;

    *path = g_build_filename(run_dir, "belayd.pid", NULL);
    if (g_mkdir_with_parents(run_dir, 0755) != 0
        || (fd = open(*path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
        bl_err("cannot create the pid file %s: %s", *path, g_strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        len = pread(fd, text, sizeof(text) - 1, 0);
        text[len > 0 ? len : 0] = '\0';
        bl_err("already running (pid %s in %s); not starting a second belayd", g_strchomp(text),
               *path);
        close(fd);
        return -1;
    }
    len = snprintf(text, sizeof(text), "%ld\n", (long) getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t) len, 0) != len) {
        bl_warn("cannot write the pid file %s: %s", *path, g_strerror(errno));
    }
    return fd;
}

static gboolean
on_sigterm(gpointer data)
{
    bl_notice("received SIGTERM; stopping the daemons in reverse order");
    belayd_stop(data);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint(gpointer data)
{
    bl_notice("received SIGINT; stopping the daemons in reverse order");
    belayd_stop(data);
    return G_SOURCE_CONTINUE;
}

static int
run(const belayd_conf_t *conf, const char *config)
{
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    belayd_t *belayd = belayd_new(conf, loop);
    guint term = g_unix_signal_add(SIGTERM, on_sigterm, belayd);
    guint intr = g_unix_signal_add(SIGINT, on_sigint, belayd);
    int rc;

    bl_notice("starting (config %s, state %s, run %s, daemons from %s)", config, conf->state_dir,
              conf->run_dir, conf->daemon_dir);
    belayd_start(belayd);
    g_main_loop_run(loop);
    rc = belayd_exit_code(belayd);
    bl_notice("exiting with status %d", rc);
    g_source_remove(term);
    g_source_remove(intr);
    belayd_free(belayd);
    g_main_loop_unref(loop);
    return rc;
}

int
main(int argc, char **argv)
{
    belayd_conf_t conf;
    const char *config = NULL;
    bool required = false;
    char *err = NULL;
    char *pid_path = NULL;
    int pid_fd;
    int rc = parse_args(argc, argv, &config, &required);

    if (rc >= 0) {
        return rc;
    }
    belayd_conf_defaults(&conf, BL_SBINDIR);
    if (belayd_conf_load(config, required, &conf, &err) != 0) {
        /* Before logging is set up: the log file may be what is misconfigured. */
        fprintf(stderr, "belayd: %s\n", err);
        free(err);
        belayd_conf_clear(&conf);
        return EXIT_CONFIG;
    }
    belayd_conf_export(&conf);
    signal(SIGPIPE, SIG_IGN);
    bl_log_init("belayd", true);
    pid_fd = lock_pid_file(conf.run_dir, &pid_path);
    if (pid_fd < 0) {
        rc = EXIT_FAILURE;
    } else {
        rc = run(&conf, config);
        unlink(pid_path);
        close(pid_fd);
    }
    g_free(pid_path);
    belayd_conf_clear(&conf);
    bl_log_fini();
    return rc;
}
