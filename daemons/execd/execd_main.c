/*
 * belay-execd: runs resource-agent actions for belay-controld (and for `belay agent`
 * authors' tools) over libqb IPC. Standalone for now: `belay-execd [options]` runs in
 * the foreground until SIGTERM or SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>

#include <belay/common.h>

#include "execd_private.h"

#define EXIT_USAGE 64

typedef struct options {
    const char *ipc_name;
    const char *ocf_root;
    unsigned max_parallel;
} options_t;

static const char usage_text[] =
    "usage: belay-execd [--ipc NAME] [--ocf-root DIR] [--max-parallel N]\n";

static int
parse_args(int argc, char **argv, options_t *opts)
{
    for (int i = 1; i < argc; i += 2) {
        char *end = NULL;

        if (i + 1 >= argc) {
            fprintf(stderr, "belay-execd: option '%s' needs a value\n%s", argv[i], usage_text);
            return EXIT_USAGE;
        }
        if (strcmp(argv[i], "--ipc") == 0) {
            opts->ipc_name = argv[i + 1];
        } else if (strcmp(argv[i], "--ocf-root") == 0) {
            opts->ocf_root = argv[i + 1];
        } else if (strcmp(argv[i], "--max-parallel") == 0) {
            unsigned long n = strtoul(argv[i + 1], &end, 10);

            if (*end != '\0' || n == 0 || n > 1024) {
                fprintf(stderr, "belay-execd: --max-parallel %s: expected 1 to 1024\n",
                        argv[i + 1]);
                return EXIT_USAGE;
            }
            opts->max_parallel = (unsigned) n;
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

int
main(int argc, char **argv)
{
    const char *env_root = getenv("OCF_ROOT");
    options_t opts = {
        .ipc_name = bl_execd_ipc_name(),
        .ocf_root = env_root != NULL && *env_root != '\0' ? env_root : BL_OCF_ROOT_DEFAULT,
    };
    bl_exec_options_t exec_opts = {0};
    GMainLoop *loop;
    bl_exec_t *exec;
    execd_t *execd;
    char *err = NULL;
    int rc = parse_args(argc, argv, &opts);

    if (rc != 0) {
        return rc;
    }
    signal(SIGPIPE, SIG_IGN);
    bl_log_init("belay-execd", true);
    loop = g_main_loop_new(NULL, FALSE);
    exec_opts.max_parallel = opts.max_parallel;
    exec = bl_exec_new(NULL, &exec_opts);
    execd = execd_ipc_start(NULL, opts.ipc_name, exec, opts.ocf_root, &err);
    if (execd == NULL) {
        bl_err("%s", err);
        rc = EXIT_FAILURE;
        goto done;
    }
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_unix_signal_add(SIGINT, on_signal, loop);
    bl_notice("belay-execd: serving IPC '%s', agents under %s", opts.ipc_name, opts.ocf_root);
    g_main_loop_run(loop);
    bl_notice("belay-execd: stopping");
    execd_ipc_stop(execd);
done:
    free(err);
    bl_exec_free(exec);
    g_main_loop_unref(loop);
    bl_log_fini();
    return rc;
}
