/* belay-execd: glue between libqb IPC and the lib/exec executor. */
#ifndef BELAY_EXECD_PRIVATE_H
#define BELAY_EXECD_PRIVATE_H

#include <glib.h>

#include <belay/exec.h>

typedef struct execd execd_t;

/*
 * Serves IPC NAME on CTX, running requests on EXEC with agents under OCF_ROOT (all
 * borrowed; they must outlive the server). Returns NULL with a message in *err.
 */
execd_t *execd_ipc_start(GMainContext *ctx, const char *name, bl_exec_t *exec, const char *ocf_root,
                         char **err);

/* Stops serving; the clients' calls are cancelled. */
void execd_ipc_stop(execd_t *execd);

#endif /* BELAY_EXECD_PRIVATE_H */
