/*
 * belay-execd: runs resource-agent actions for belay-controld (and for `belay agent`
 * authors' tools) over libqb IPC. `belay-execd [options]` runs in the foreground until
 * SIGTERM or SIGINT; belayd starts it.
 *
 * It is a child subreaper: what an agent leaves behind (a double-forked helper, the daemon
 * a start action launched) becomes its child rather than init's, and is reaped here when
 * it exits, so a long-running executor collects no zombies.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib-unix.h>

#include <belay/common.h>

#include "execd_private.h"

#define EXIT_USAGE 64
#define REAP_INTERVAL_MS 500

typedef struct options {
    const char *ipc_name;
    const char *ocf_root;
    unsigned max_parallel;
    unsigned max_queued;
    unsigned max_calls;
    unsigned max_client_events;
} options_t;

static const char usage_text[] =
    "usage: belay-execd [--ipc NAME] [--ocf-root DIR] [--max-parallel N] [--max-queued N] [--max-calls N] [--max-client-events N]\n";

typedef struct count_option {
    const char *name;
    size_t offset;
    unsigned long max;
} count_option_t;

static const count_option_t count_options[] = {
    {"--max-parallel", offsetof(options_t, max_parallel), 1024},
    {"--max-queued", offsetof(options_t, max_queued), 1000000},
    {"--max-calls", offsetof(options_t, max_calls), 1000000},
    {"--max-client-events", offsetof(options_t, max_client_events), 1000000},
};

/* Sets a numeric option; 0 when NAME is not one, 1 when set, -1 on a bad value. */
static int
parse_count(const char *name, const char *value, options_t *opts)
{
    for (size_t i = 0; i < G_N_ELEMENTS(count_options); i++) {
        const count_option_t *opt = &count_options[i];
        char *end = NULL;
        unsigned long n;

        if (strcmp(name, opt->name) != 0) {
            continue;
        }
        n = strtoul(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end != '\0' || n == 0 || n > opt->max) {
            fprintf(stderr, "belay-execd: %s %s: expected 1 to %lu\n", name, value, opt->max);
            return -1;
        }
        *(unsigned *) ((char *) opts + opt->offset) = (unsigned) n;
        return 1;
    }
    return 0;
}

static int
parse_args(int argc, char **argv, options_t *opts)
{
    for (int i = 1; i < argc; i += 2) {
        int counted;

        if (i + 1 >= argc) {
            fprintf(stderr, "belay-execd: option '%s' needs a value\n%s", argv[i], usage_text);
            return EXIT_USAGE;
        }
        counted = parse_count(argv[i], argv[i + 1], opts);
        if (counted < 0) {
            return EXIT_USAGE;
        }
        if (counted > 0) {
            continue;
        }
        if (strcmp(argv[i], "--ipc") == 0) {
            opts->ipc_name = argv[i + 1];
        } else if (strcmp(argv[i], "--ocf-root") == 0) {
            opts->ocf_root = argv[i + 1];
        } else {
            fprintf(stderr, "belay-execd: unknown option '%s'\n%s", argv[i], usage_text);
            return EXIT_USAGE;
        }
    }
    return 0;
}

static gboolean
on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

static gboolean
on_reap(gpointer data)
{
    unsigned reaped = bl_exec_reap_orphans(data);

    if (reaped > 0) {
        bl_info("reaped %u process(es) left behind by agents", reaped);
    }
    return G_SOURCE_CONTINUE;
}

static bl_exec_t *
new_executor(const options_t *opts)
{
    bl_exec_options_t exec_opts = {
        .max_parallel = opts->max_parallel,
        .max_queued = opts->max_queued,
        .max_calls = opts->max_calls,
    };

    return bl_exec_new(NULL, &exec_opts);
}

int
main(int argc, char **argv)
{
    const char *env_root = getenv("OCF_ROOT");
    options_t opts = {
        .ipc_name = bl_execd_ipc_name(),
        .ocf_root = env_root != NULL && *env_root != '\0' ? env_root : BL_OCF_ROOT_DEFAULT,
    };
    execd_ipc_options_t ipc_opts = {0};
    GMainLoop *loop;
    bl_exec_t *exec;
    execd_t *execd;
    guint reaper;
    char *err = NULL;
    int rc = parse_args(argc, argv, &opts);

    if (rc != 0) {
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);
    bl_log_init("belay-execd", true);
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        bl_warn("cannot become a child subreaper (%s): orphans of agents go to init",
                g_strerror(errno));
    }
    loop = g_main_loop_new(NULL, FALSE);
    exec = new_executor(&opts);
    ipc_opts.name = opts.ipc_name;
    ipc_opts.ocf_root = opts.ocf_root;
    ipc_opts.max_client_events = opts.max_client_events;
    execd = execd_ipc_start(NULL, &ipc_opts, exec, &err);
    if (execd == NULL) {
        bl_err("%s", err);
        rc = EXIT_FAILURE;
        goto done;
    }
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_unix_signal_add(SIGINT, on_signal, loop);
    reaper = g_timeout_add(REAP_INTERVAL_MS, on_reap, exec);
    bl_notice("belay-execd: serving IPC '%s', agents under %s", opts.ipc_name, opts.ocf_root);
    g_main_loop_run(loop);
    bl_notice("belay-execd: stopping");
    g_source_remove(reaper);
    execd_ipc_stop(execd);
done:
    free(err);
    bl_exec_free(exec);
    g_main_loop_unref(loop);
    bl_log_fini();
    return rc;
}
