/*
 * belay-based: the CIB daemon. Holds the CIB of $BELAY_STATE_DIR (default
 * /var/lib/belay), serves it over libqb IPC ($BELAY_CIB_IPC, default "belay-based") and
 * replicates every write over the CPG group "belay-cib". Runs in the foreground until
 * SIGTERM or SIGINT, with its pid in $BELAY_RUN_DIR/belay-based.pid (default /run/belay);
 * logs to $BELAY_LOG_FILE or syslog.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include <belay/common.h>

#include "based_private.h"

#define CPG_GROUP "belay-cib"
#define STATE_DIR_DEFAULT "/var/lib/belay"
#define RUN_DIR_DEFAULT "/run/belay"
#define RECONNECT_MS 1000

static const char *
env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);

    return value != NULL && *value != '\0' ? value : fallback;
}

static void
on_membership(bl_cpg_t *cpg, const bl_cpg_membership_t *change, void *user_data)
{
    based_t *based = user_data;

    (void) cpg;
    bl_notice("CIB group membership: %zu member(s), %zu joined, %zu left", change->n_members,
              change->n_joined, change->n_left);
    for (size_t i = 0; i < change->n_left; i++) {
        bl_cpg_assembler_forget(based->assembly, change->left[i].nodeid, change->left[i].pid);
    }
    based_quorum_membership(based, change);
    based_sync_membership(based, change);
}

static gboolean reconnect(gpointer data);

void
based_reconnect_later(based_t *based)
{
    if (based->reconnect_timer == 0) {
        based->reconnect_timer = g_timeout_add(RECONNECT_MS, reconnect, based);
    }
}

static void
on_cpg_gone(bl_cpg_t *cpg, int rc, void *user_data)
{
    based_t *based = user_data;

    (void) cpg;
    bl_err("lost the connection to corosync (CPG): %s; writes are refused until it is back",
           bl_strerror(rc));
    based_cib_fail_pending(
        based, -ENOTCONN,
        "corosync went away before the write came back; it may or may not have been applied");
    based_reconnect_later(based);
}

/* Connects what is not connected; true when both are. */
static bool
connect_corosync(based_t *based)
{
    static const bl_cpg_callbacks_t cpg_callbacks = {
        .deliver = based_cib_deliver,
        .membership = on_membership,
        .disconnected = on_cpg_gone,
    };
    static const bl_quorum_callbacks_t quorum_callbacks = {
        .changed = based_quorum_on_view,
        .disconnected = based_quorum_on_gone,
    };
    int cpg_rc = based->cpg == NULL ? bl_cpg_join(CPG_GROUP, &cpg_callbacks, based, &based->cpg)
                                    : bl_cpg_reconnect(based->cpg);
    int quorum_rc = based->quorum == NULL
                        ? bl_quorum_connect(&quorum_callbacks, based, &based->quorum)
                        : bl_quorum_reconnect(based->quorum);

    if (cpg_rc == 0 && quorum_rc == 0) {
        bl_notice("connected to corosync (CPG group %s, votequorum)", CPG_GROUP);
        return true;
    }
    return false;
}

static gboolean
reconnect(gpointer data)
{
    based_t *based = data;

    if (!connect_corosync(based)) {
        return G_SOURCE_CONTINUE;
    }
    based->reconnect_timer = 0;
    return G_SOURCE_REMOVE;
}

static gboolean
on_signal(gpointer data)
{
    g_main_loop_quit(data);
    return G_SOURCE_CONTINUE;
}

static int
open_replica(based_t *based, const char *dir)
{
    char *note = NULL;
    char *err = NULL;
    int rc = 0;

    if (g_mkdir_with_parents(dir, 0750) != 0) {
        bl_err("cannot create the state directory %s: %s", dir, g_strerror(errno));
        return -errno;
    }
    rc = bl_cib_replica_open(dir, BASED_KEEP_ARCHIVES, &based->replica, &note, &err);
    if (rc != 0) {
        bl_err("cannot load the CIB: %s", err);
    } else {
        bl_notice("%s", note);
    }
    free(note);
    free(err);
    return rc;
}

/* The pid file lets belayd and scripts find the daemon; NULL when it cannot be written. */
static char *
write_pid_file(void)
{
    const char *dir = env_or("BELAY_RUN_DIR", RUN_DIR_DEFAULT);
    char *path = bl_asprintf("%s/belay-based.pid", dir);
    char *text = bl_asprintf("%ld\n", (long) getpid());
    char *err = NULL;

    if (g_mkdir_with_parents(dir, 0755) != 0
        || bl_file_write_atomic(path, text, strlen(text), &err) != 0) {
        bl_warn("cannot write the pid file %s: %s", path, err != NULL ? err : g_strerror(errno));
        bl_free(&path);
    }
    free(err);
    free(text);
    return path;
}

static void
stop(based_t *based)
{
    if (based->reconnect_timer != 0) {
        g_source_remove(based->reconnect_timer);
    }
    if (based->resync_timer != 0) {
        g_source_remove(based->resync_timer);
    }
    if (based->replica != NULL) {
        char *err = NULL;

        /* A clean stop leaves cib.xml current and the journal empty. */
        based_cib_flush(based);
        if (bl_cib_replica_checkpoint(based->replica, &err) != 0) {
            bl_err("cannot write the CIB to disk: %s", err);
        }
        free(err);
    }
    if (based->checkpoint_timer != 0) {
        g_source_remove(based->checkpoint_timer);
    }
    if (based->ipc != NULL) {
        based_ipc_stop(based->ipc);
    }
    based_cib_stop(based);
    bl_cpg_free(&based->cpg);
    bl_quorum_free(&based->quorum);
    g_hash_table_destroy(based->pending);
    g_hash_table_destroy(based->subscribers);
    g_queue_clear_full(&based->undurable, free);
    based_quorum_free(based);
    based_sync_free(based);
    bl_cpg_assembler_free(based->assembly);
    bl_cib_replica_free(based->replica);
    free(based->state_dir);
}

int
main(int argc, char **argv)
{
    const char *dir = env_or("BELAY_STATE_DIR", STATE_DIR_DEFAULT);
    based_t based = {0};
    GMainLoop *loop;
    char *err = NULL;
    char *pid_file = NULL;
    int rc = EXIT_SUCCESS;

    if (argc > 1) {
        fprintf(stderr, "belay-based: unexpected argument '%s'\n", argv[1]);
        fprintf(stderr, "usage: belay-based (configured by BELAY_STATE_DIR, BELAY_RUN_DIR, "
                        "BELAY_LOG_FILE and BELAY_CIB_IPC)\n");
        return 64;
    }
    signal(SIGPIPE, SIG_IGN);
    bl_log_init("belay-based", true);
    xmlInitParser();
    loop = g_main_loop_new(NULL, FALSE);
    based.pending = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    based.subscribers = g_hash_table_new(g_direct_hash, g_direct_equal);
    based.assembly = bl_cpg_assembler_new();
    based.state_dir = bl_strdup(dir);
    if (open_replica(&based, dir) != 0) {
        rc = EXIT_FAILURE;
        goto done;
    }
    based_sync_load_minority(&based);
    based_quorum_init(&based);
    based.ipc = based_ipc_start(bl_cib_ipc_name(), based_cib_request, based_cib_client_closed,
                                &based, &err);
    if (based.ipc == NULL) {
        bl_err("%s", err);
        rc = EXIT_FAILURE;
        goto done;
    }
    if (!connect_corosync(&based)) {
        bl_warn("corosync is not reachable yet; retrying every second, writes refused meanwhile");
        based_reconnect_later(&based);
    }
    pid_file = write_pid_file();
    g_unix_signal_add(SIGTERM, on_signal, loop);
    g_unix_signal_add(SIGINT, on_signal, loop);
    bl_notice("serving the CIB of %s on IPC '%s'", dir, bl_cib_ipc_name());
    g_main_loop_run(loop);
    bl_notice("stopping");
done:
    if (pid_file != NULL) {
        unlink(pid_file);
        free(pid_file);
    }
    stop(&based);
    free(err);
    g_main_loop_unref(loop);
    xmlCleanupParser();
    bl_log_fini();
    return rc;
}
