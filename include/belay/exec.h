/*
 * lib/exec: the OCF runner. Runs one resource-agent action (fork/exec through
 * posix_spawn, no shell, a fresh process group, stdin from /dev/null, an environment
 * built from scratch), captures its output with a size bound, enforces its timeout on
 * the whole process group, and reports the OCF exit code or why there is none.
 *
 * Everything is driven by a glib main context: an executor (bl_exec_t) queues
 * requests, runs at most one action per resource and at most N in total, repeats
 * recurring monitors and calls a completion callback. bl_exec_run_sync() wraps that
 * for the CLI. Agent meta-data parsing and agent listing live here too.
 */
#ifndef BELAY_EXEC_H
#define BELAY_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* ------------------------------------------------------------ OCF codes */

#define BL_OCF_ROOT_DEFAULT "/usr/lib/ocf"

/* Exit codes of the OCF standard (1.1); they stay OCF's, never -errno. */
enum bl_ocf_rc {
    BL_OCF_SUCCESS = 0,
    BL_OCF_ERR_GENERIC = 1,
    BL_OCF_ERR_ARGS = 2,
    BL_OCF_ERR_UNIMPLEMENTED = 3,
    BL_OCF_ERR_PERM = 4,
    BL_OCF_ERR_INSTALLED = 5,
    BL_OCF_ERR_CONFIGURED = 6,
    BL_OCF_NOT_RUNNING = 7,
    BL_OCF_RUNNING_PROMOTED = 8,
    BL_OCF_FAILED_PROMOTED = 9,
    BL_OCF_DEGRADED = 190,
    BL_OCF_DEGRADED_PROMOTED = 191,
};

/*
 * Static meaning of RC for ACTION ("monitor" 7 is "not running", "start" 0 is "ok").
 * Codes outside the standard read "unknown exit code".
 */
const char *bl_ocf_rc_meaning(const char *action, int rc);

/*
 * True when RC means ACTION failed. Monitor's definite states (0, 7, 8, 190, 191) are
 * not failures (the caller compares them with what it expected); stop returning 7
 * ("already stopped") is not a failure either.
 */
bool bl_ocf_rc_is_failure(const char *action, int rc);

/* --------------------------------------------------------------- requests */

/* How an action ended. Only BL_EXEC_DONE carries an exit code from the agent. */
enum bl_exec_status {
    BL_EXEC_DONE = 0,  /* the agent exited; rc is its OCF exit code */
    BL_EXEC_TIMEOUT,   /* killed after its timeout; rc is BL_OCF_ERR_GENERIC */
    BL_EXEC_SIGNALED,  /* died of a signal it was not sent by us; rc generic */
    BL_EXEC_ERROR,     /* could not be run (not installed, bad request); rc says why */
    BL_EXEC_CANCELLED, /* cancelled before or while running */
};

/* Static name of STATUS ("done", "timeout", ...). */
const char *bl_exec_status_str(enum bl_exec_status status);

/*
 * One action to run. Build it with bl_exec_request_new() and the setters; free with
 * bl_exec_request_free(). Keys and values are copied.
 */
typedef struct bl_exec_request {
    char *rsc_id;   /* OCF_RESOURCE_INSTANCE; serialises actions */
    char *standard; /* only "ocf" for now */
    char *provider;
    char *type;
    char *action;
    char *ocf_root;       /* NULL: BL_OCF_ROOT_DEFAULT */
    GHashTable *params;   /* name -> value, become OCF_RESKEY_<name> */
    GHashTable *meta;     /* name -> value, become OCF_RESKEY_CRM_meta_<name> */
    uint64_t timeout_ms;  /* 0: 20 s, Pacemaker's default */
    uint64_t interval_ms; /* > 0 for a recurring monitor */
} bl_exec_request_t;

/*
 * New request for ACTION of the agent SPEC ("ocf:PROVIDER:TYPE") on resource RSC_ID
 * (non-empty). Returns 0 and *req, or BL_EPARSE/BL_EUNSUPPORTED with a message in *err
 * for a missing resource id, a malformed spec, a class other than ocf, or names that
 * are not safe path components.
 */
int bl_exec_request_new(const char *rsc_id, const char *spec, const char *action,
                        bl_exec_request_t **req, char **err);

/*
 * Adds parameter NAME=VALUE (meta when IS_META). Parameter names must be
 * [A-Za-z_][A-Za-z0-9_]*; meta names may also hold dashes (they become underscores).
 * Returns 0 or BL_EINVALID with a message in *err; *req is unchanged on error.
 */
int bl_exec_request_set(bl_exec_request_t *req, bool is_meta, const char *name, const char *value,
                        char **err);

/* Deep copy of REQ. */
bl_exec_request_t *bl_exec_request_copy(const bl_exec_request_t *req);

void bl_exec_request_free(bl_exec_request_t *req);

/*
 * The NULL-terminated environment the agent of REQ gets ("NAME=value" strings),
 * built from scratch: OCF_ROOT, OCF_RA_VERSION_MAJOR/MINOR, OCF_RESOURCE_INSTANCE/
 * TYPE/PROVIDER, OCF_RESKEY_<param>, OCF_RESKEY_CRM_meta_<meta> (timeout and interval
 * in ms), PATH and HA_LOGFACILITY=none (agents log to stderr, which we capture).
 * EXTRA ("NAME=value", NULL-terminated, may be NULL) replaces PATH/HA_* or adds.
 * Free with g_strfreev().
 */
char **bl_exec_request_env(const bl_exec_request_t *req, const char *const *extra);

/* ----------------------------------------------------------------- results */

typedef struct bl_exec_result {
    enum bl_exec_status status;
    int rc;    /* OCF exit code (synthesised when status != DONE) */
    int signo; /* signal that ended the agent (TIMEOUT, SIGNALED) */
    uint64_t duration_ms;
    char *out;          /* captured stdout (NUL-terminated, may be elided) */
    char *err;          /* captured stderr */
    size_t out_dropped; /* bytes dropped from the middle of stdout */
    size_t err_dropped;
    char *exit_reason; /* last "ocf-exit-reason:" line of stderr, or NULL */
    char *message;     /* why, for TIMEOUT/SIGNALED/ERROR/CANCELLED, or NULL */
} bl_exec_result_t;

/* Frees the members of RES (not RES itself) and zeroes it. */
void bl_exec_result_clear(bl_exec_result_t *res);

/* ---------------------------------------------------------------- executor */

typedef struct bl_exec bl_exec_t;

typedef struct bl_exec_options {
    unsigned max_parallel;        /* 0: 4 */
    uint64_t kill_grace_ms;       /* SIGTERM -> SIGKILL delay; 0: 5000 */
    size_t output_limit;          /* bytes kept of each stream (head + tail); 0: 64 KiB */
    const char *const *extra_env; /* NULL-terminated "NAME=value" added to every agent's
                                   * environment (HA_RSCTMP for tests...), or NULL */
    unsigned max_queued;          /* submissions waiting to start; more are refused; 0: 1000 */
    unsigned max_calls;           /* active calls (recurring ones included); 0: 10000 */
} bl_exec_options_t;

/*
 * Called when a call completes and, for a recurring monitor, whenever its result
 * (status or rc) changes. RES is borrowed for the duration of the callback. The call
 * is over (no more callbacks) when FINAL is true.
 */
typedef void (*bl_exec_done_fn)(uint64_t call_id, const bl_exec_request_t *req,
                                const bl_exec_result_t *res, bool final, void *user_data);

/*
 * New executor attached to CTX (NULL: the default context). OPTS may be NULL.
 * The options' strings are copied. Free with bl_exec_free(), which kills running
 * agents (their process groups) without calling their callbacks; never free it from
 * inside a callback. Callbacks may submit and cancel.
 */
bl_exec_t *bl_exec_new(GMainContext *ctx, const bl_exec_options_t *opts);
void bl_exec_free(bl_exec_t *exec);

/*
 * Queues REQ (the executor takes ownership) and returns its call id (> 0) in
 * *call_id. It starts once fewer than max_parallel actions run and no other action of
 * the same resource runs. With interval_ms > 0 it repeats every interval after each
 * completion until cancelled; DONE is called on the first result and on changes.
 * Returns 0, or -ENOBUFS with a message in *err (REQ freed, DONE never called) when
 * max_queued calls already wait to start or max_calls are active. A recurring call
 * coming back for its next run is never refused: it was admitted once.
 */
int bl_exec_submit(bl_exec_t *exec, bl_exec_request_t *req, bl_exec_done_fn done, void *user_data,
                   uint64_t *call_id, char **err);

/*
 * Reaps the calling process's exited children that are not agents of EXEC: in a daemon
 * that made itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), orphans of agents
 * (double-forked helpers, daemons an agent started) become its children and would stay
 * zombies. Never blocks. Returns how many were reaped.
 */
unsigned bl_exec_reap_orphans(const bl_exec_t *exec);

/*
 * Cancels CALL_ID: a queued or waiting call ends at once with BL_EXEC_CANCELLED; a
 * running one is killed (its process group) and reports CANCELLED. Returns 0, or
 * BL_ENOTFOUND when no such call is active.
 */
int bl_exec_cancel(bl_exec_t *exec, uint64_t call_id);

/*
 * Latest result of recurring call CALL_ID (for "report on request"): copies it into
 * *res (caller clears it). Returns 0, or BL_ENOTFOUND when the call is not known or
 * has no result yet.
 */
int bl_exec_last_result(bl_exec_t *exec, uint64_t call_id, bl_exec_result_t *res);

/* Number of calls queued or running (recurring calls count while active). */
unsigned bl_exec_active(const bl_exec_t *exec);

/*
 * Runs REQ (borrowed; run once, its interval only passed to the agent) to completion
 * in a private main context and fills *res. OPTS may be NULL.
 */
void bl_exec_run_sync(const bl_exec_request_t *req, const bl_exec_options_t *opts,
                      bl_exec_result_t *res);

/* ------------------------------------------------------------ wire format */

/*
 * belay-execd's messages are small XML documents: <exec-run> (a request), <exec-cancel>,
 * <exec-last>, <exec-reply> (the answer to a request; <exec-last> is answered by an
 * <exec-result> when there is one) and <exec-result> (an event: a call completed or
 * its recurring result changed). Agent output travels in attributes; bytes XML cannot
 * carry are replaced by '?' or U+FFFD. Every *_to_text result is the caller's to free().
 */

/* One result of one call, as belay-execd sends it to the client that submitted it. */
typedef struct bl_exec_event {
    uint64_t call_id;
    bool final; /* no more events for this call */
    bl_exec_result_t result;
} bl_exec_event_t;

/*
 * <exec-run> for REQ (its ocf_root is not sent: the daemon uses its own). Returns 0, or
 * BL_EINVALID with a message in *err when a value holds bytes XML cannot carry.
 */
int bl_exec_request_to_text(const bl_exec_request_t *req, char **text, char **err);

/* Parses <exec-run>; returns 0 and *req, or BL_EPARSE/BL_EINVALID with one sentence in *err. */
int bl_exec_request_from_text(const char *text, size_t len, bl_exec_request_t **req, char **err);

/* <exec-cancel call-id=N/> or <exec-last call-id=N/> (ELEMENT names which). */
char *bl_exec_call_to_text(const char *element, uint64_t call_id);
int bl_exec_call_from_text(const char *text, size_t len, const char *element, uint64_t *call_id,
                           char **err);

/* <exec-reply>: RC is 0 or a negative error of the request; MESSAGE may be NULL. */
char *bl_exec_reply_to_text(int rc, uint64_t call_id, const char *message);

/* Parses <exec-reply> into *reply_rc, *call_id and *message (may be NULL; free()). */
int bl_exec_reply_from_text(const char *text, size_t len, int *reply_rc, uint64_t *call_id,
                            char **message, char **err);

char *bl_exec_result_to_text(const bl_exec_event_t *event);

/* Parses <exec-result> into *event (clear event->result afterwards). */
int bl_exec_result_from_text(const char *text, size_t len, bl_exec_event_t *event, char **err);

/* ----------------------------------------------------- belay-execd client */

/* IPC service name; $BELAY_EXECD_IPC overrides it (tests run private daemons). */
#define BL_EXECD_IPC_NAME "belay-execd"
/*
 * The libqb buffer size of belay-execd's IPC. Requests, replies and results larger than a
 * frame's data (about half of this) travel as frames (see "IPC of any size" in
 * belay/common.h).
 */
#define BL_EXECD_MAX_MSG (1024 * 1024)

/* Request ids in the libqb header; the body is the XML text of the message. */
enum bl_execd_msg {
    BL_EXECD_MSG_RUN = 1,
    BL_EXECD_MSG_CANCEL = 2,
    BL_EXECD_MSG_LAST = 3, /* latest result of a recurring call, as <exec-result> */
};

/* The IPC name to use: $BELAY_EXECD_IPC when set, else BL_EXECD_IPC_NAME. Borrowed. */
const char *bl_execd_ipc_name(void);

typedef struct bl_exec_client bl_exec_client_t;

/*
 * Connects to belay-execd (NAME NULL: bl_execd_ipc_name()). Returns 0 and *client (free
 * with bl_exec_client_free()), or -errno with a message in *err.
 */
int bl_exec_client_connect(const char *name, bl_exec_client_t **client, char **err);
void bl_exec_client_free(bl_exec_client_t *client);

/*
 * Submits REQ (borrowed) and returns the daemon's call id in *call_id. Returns 0, the
 * daemon's error (BL_EINVALID...) or -errno, with a message in *err.
 */
int bl_exec_client_run(bl_exec_client_t *client, const bl_exec_request_t *req, uint64_t *call_id,
                       char **err);

/* Cancels CALL_ID; returns 0, BL_ENOTFOUND or -errno with a message in *err. */
int bl_exec_client_cancel(bl_exec_client_t *client, uint64_t call_id, char **err);

/*
 * Latest result of the client's recurring call CALL_ID ("report on request"): returns 0
 * and *res (clear it), BL_ENOTFOUND (no such call, or no result yet) or -errno.
 */
int bl_exec_client_last(bl_exec_client_t *client, uint64_t call_id, bl_exec_result_t *res,
                        char **err);

/*
 * Waits up to TIMEOUT_MS (-1: forever) for the next event. Returns 0 and *event (clear
 * event->result), -ETIMEDOUT, -ENOTCONN when the daemon went away, or BL_EPARSE.
 */
int bl_exec_client_next(bl_exec_client_t *client, int timeout_ms, bl_exec_event_t *event,
                        char **err);

/* File descriptor that polls readable when an event may be waiting (for main loops). */
int bl_exec_client_fd(const bl_exec_client_t *client);

/* --------------------------------------------------------------- meta-data */

typedef struct bl_agent_param {
    char *name;
    char *type;          /* content type: string, integer, boolean... */
    char *default_value; /* or NULL */
    char *shortdesc;     /* or NULL */
    bool required;
    bool unique;
} bl_agent_param_t;

typedef struct bl_agent_action {
    char *name;
    char *role;          /* or NULL */
    uint64_t timeout_ms; /* 0 when not given */
    uint64_t interval_ms;
    char *depth; /* or NULL */
} bl_agent_action_t;

typedef struct bl_agent_info {
    char *name;
    char *version;      /* or NULL */
    char *shortdesc;    /* or NULL */
    char *longdesc;     /* or NULL */
    GPtrArray *params;  /* of bl_agent_param_t *, in document order */
    GPtrArray *actions; /* of bl_agent_action_t * */
} bl_agent_info_t;

/*
 * Parses an agent's meta-data XML (TEXT, LEN bytes; NAME labels messages).
 * Returns 0 and *info (free with bl_agent_info_free()), or BL_EPARSE with one
 * sentence in *err naming the line and the element at fault.
 */
int bl_agent_info_parse(const char *text, size_t len, const char *name, bl_agent_info_t **info,
                        char **err);
void bl_agent_info_free(bl_agent_info_t *info);

/*
 * Lists the agents under OCF_ROOT/resource.d (OCF_ROOT NULL: the default), of
 * PROVIDER only when not NULL, as sorted "ocf:PROVIDER:TYPE" strings (executable
 * regular files; helpers starting with '.' skipped). Returns 0 and *agents (free with
 * g_ptr_array_unref()), or -errno with a message in *err.
 */
int bl_agent_list(const char *ocf_root, const char *provider, GPtrArray **agents, char **err);

#endif /* BELAY_EXEC_H */
