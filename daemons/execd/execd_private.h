/* belay-execd: glue between libqb IPC and the lib/exec executor. */
#ifndef BELAY_EXECD_PRIVATE_H
#define BELAY_EXECD_PRIVATE_H

#include <glib.h>

#include <belay/exec.h>

typedef struct execd execd_t;

/* Unread results a client may have waiting in the daemon before it is evicted. */
#define EXECD_MAX_CLIENT_EVENTS 500

typedef struct execd_ipc_options {
    const char *name;           /* IPC service name */
    const char *ocf_root;       /* agents are under it */
    unsigned max_client_events; /* 0: EXECD_MAX_CLIENT_EVENTS */
} execd_ipc_options_t;

/*
 * Serves IPC OPTS->name on CTX, running requests on EXEC (borrowed; must outlive the
 * server). Returns NULL with a message in *err.
 */
execd_t *execd_ipc_start(GMainContext *ctx, const execd_ipc_options_t *opts, bl_exec_t *exec,
                         char **err);

/* Stops serving; the clients' calls are cancelled. */
void execd_ipc_stop(execd_t *execd);

#endif /* BELAY_EXECD_PRIVATE_H */
