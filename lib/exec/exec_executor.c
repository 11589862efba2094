/*
 * The executor: a queue of calls run with bounded concurrency, at most one action per
 * resource at a time, recurring monitors repeated at their interval, cancellation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <belay/common.h>

#include "exec_private.h"

#define DEFAULT_PARALLEL 4
#define DEFAULT_GRACE_MS 5000
#define DEFAULT_OUTPUT_LIMIT (64 * 1024)
#define DEFAULT_MAX_QUEUED 1000
#define DEFAULT_MAX_CALLS 10000

typedef struct call {
    bl_exec_t *exec;
    uint64_t id;
    bl_exec_request_t *req;
    bl_exec_done_fn done;
    void *user_data;
    bl_child_t *child;       /* while running */
    GSource *interval_timer; /* while waiting for the next recurring run */
    bool queued;
    bool once; /* run once even with an interval (sync runs) */
    bool has_last;
    bl_exec_result_t last; /* latest result of a recurring call */
} call_t;

struct bl_exec {
    GMainContext *ctx;
    unsigned max_parallel;
    unsigned max_queued;
    unsigned max_calls;
    uint64_t kill_grace_ms;
    size_t output_limit;
    char **extra_env;
    GQueue pending;    /* of call_t *, in submission order */
    GHashTable *calls; /* id -> call_t *, every active call (owns them) */
    GHashTable *busy;  /* rsc_id -> call_t * running for that resource */
    unsigned running;
    uint64_t next_id;
    GSource *kick;
};

static void schedule_kick(bl_exec_t *exec);

void
bl__exec_result_copy(bl_exec_result_t *to, const bl_exec_result_t *from)
{
    *to = *from;
    to->out = g_strdup(from->out);
    to->err = g_strdup(from->err);
    to->exit_reason = g_strdup(from->exit_reason);
    to->message = g_strdup(from->message);
}

void
bl_exec_result_clear(bl_exec_result_t *res)
{
    g_free(res->out);
    g_free(res->err);
    g_free(res->exit_reason);
    g_free(res->message);
    memset(res, 0, sizeof(*res));
}

static void
call_free(gpointer data)
{
    call_t *call = data;

    bl__child_free(call->child);
    if (call->interval_timer != NULL) {
        g_source_destroy(call->interval_timer);
        g_source_unref(call->interval_timer);
    }
    bl_exec_result_clear(&call->last);
    bl_exec_request_free(call->req);
    g_free(call);
}

bl_exec_t *
bl_exec_new(GMainContext *ctx, const bl_exec_options_t *opts)
{
    bl_exec_t *exec = g_new0(bl_exec_t, 1);
    bl_exec_options_t none = {0};

    opts = opts != NULL ? opts : &none;
    exec->ctx = ctx != NULL ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
    exec->max_parallel = opts->max_parallel > 0 ? opts->max_parallel : DEFAULT_PARALLEL;
    exec->max_queued = opts->max_queued > 0 ? opts->max_queued : DEFAULT_MAX_QUEUED;
    exec->max_calls = opts->max_calls > 0 ? opts->max_calls : DEFAULT_MAX_CALLS;
    exec->kill_grace_ms = opts->kill_grace_ms > 0 ? opts->kill_grace_ms : DEFAULT_GRACE_MS;
    exec->output_limit = opts->output_limit > 0 ? opts->output_limit : DEFAULT_OUTPUT_LIMIT;
    exec->extra_env = g_strdupv((char **) opts->extra_env);
    g_queue_init(&exec->pending);
    exec->calls = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, call_free);
    exec->busy = g_hash_table_new(g_str_hash, g_str_equal);
    return exec;
}

void
bl_exec_free(bl_exec_t *exec)
{
    if (exec == NULL) {
        return;
    }
    if (exec->kick != NULL) {
        g_source_destroy(exec->kick);
        g_source_unref(exec->kick);
    }
    g_queue_clear(&exec->pending);
    g_hash_table_destroy(exec->busy);
    g_hash_table_destroy(exec->calls);
    g_strfreev(exec->extra_env);
    g_main_context_unref(exec->ctx);
    g_free(exec);
}

/* Reports RES for CALL and, when FINAL, forgets the call. */
static void
report(call_t *call, const bl_exec_result_t *res, bool final)
{
    bl_exec_t *exec = call->exec;

    if (final) {
        /* Out of the table first so the callback may submit or cancel freely. */
        g_hash_table_steal(exec->calls, &call->id);
    }
    call->done(call->id, call->req, res, final, call->user_data);
    if (final) {
        call_free(call);
    }
}

static bool
result_changed(const call_t *call, const bl_exec_result_t *res)
{
    return !call->has_last || call->last.status != res->status || call->last.rc != res->rc;
}

static gboolean
on_interval(gpointer data)
{
    call_t *call = data;

    g_source_unref(call->interval_timer);
    call->interval_timer = NULL;
    call->queued = true;
    g_queue_push_tail(&call->exec->pending, call);
    schedule_kick(call->exec);
    return G_SOURCE_REMOVE;
}

/* A recurring call that ran: report changes only, then wait for the next interval. */
static void
recur(call_t *call, bl_exec_result_t *res)
{
    bool changed = result_changed(call, res);

    bl_exec_result_clear(&call->last);
    bl__exec_result_copy(&call->last, res);
    call->has_last = true;
    call->interval_timer = g_timeout_source_new(call->req->interval_ms);
    g_source_set_callback(call->interval_timer, on_interval, call, NULL);
    g_source_attach(call->interval_timer, call->exec->ctx);
    if (changed) {
        report(call, res, false);
    }
}

static void
complete(call_t *call, bl_exec_result_t *res)
{
    bool final = call->once || call->req->interval_ms == 0 || res->status == BL_EXEC_CANCELLED;

    if (final) {
        report(call, res, true);
    } else {
        recur(call, res);
    }
    bl_exec_result_clear(res);
}

static void
on_child_done(bl_child_t *child, bl_exec_result_t *res, void *user_data)
{
    call_t *call = user_data;
    bl_exec_t *exec = call->exec;

    g_hash_table_remove(exec->busy, call->req->rsc_id);
    exec->running--;
    call->child = NULL;
    bl__child_free(child);
    complete(call, res);
    schedule_kick(exec);
}

static void
start(call_t *call)
{
    bl_exec_t *exec = call->exec;
    bl_exec_result_t res = {0};
    bl_child_params_t params = {
        .ctx = exec->ctx,
        .kill_grace_ms = exec->kill_grace_ms,
        .output_limit = exec->output_limit,
        .extra_env = (const char *const *) exec->extra_env,
        .done = on_child_done,
        .user_data = call,
    };

    call->child = bl__child_start(call->req, &params, &res);
    if (call->child == NULL) {
        complete(call, &res);
        return;
    }
    exec->running++;
    g_hash_table_insert(exec->busy, call->req->rsc_id, call);
}

/* First queued call whose resource is idle, or NULL. */
static GList *
next_startable(bl_exec_t *exec)
{
    for (GList *link = exec->pending.head; link != NULL; link = link->next) {
        call_t *call = link->data;

        if (!g_hash_table_contains(exec->busy, call->req->rsc_id)) {
            return link;
        }
    }
    return NULL;
}

static gboolean
on_kick(gpointer data)
{
    bl_exec_t *exec = data;
    GList *link;

    g_source_unref(exec->kick);
    exec->kick = NULL;
    while (exec->running < exec->max_parallel && (link = next_startable(exec)) != NULL) {
        call_t *call = link->data;

        g_queue_delete_link(&exec->pending, link);
        call->queued = false;
        start(call);
    }
    return G_SOURCE_REMOVE;
}

/* Starts queued calls from the main loop, never from inside a caller's call. */
static void
schedule_kick(bl_exec_t *exec)
{
    if (exec->kick != NULL) {
        return;
    }
    exec->kick = g_idle_source_new();
    g_source_set_callback(exec->kick, on_kick, exec, NULL);
    g_source_attach(exec->kick, exec->ctx);
}

static call_t *
submit(bl_exec_t *exec, bl_exec_request_t *req, bl_exec_done_fn done, void *user_data)
{
    call_t *call = g_new0(call_t, 1);

    call->exec = exec;
    call->id = ++exec->next_id;
    call->req = req;
    call->done = done;
    call->user_data = user_data;
    call->queued = true;
    g_hash_table_insert(exec->calls, &call->id, call);
    g_queue_push_tail(&exec->pending, call);
    schedule_kick(exec);
    return call;
}

/* A daemon's memory must not grow with what clients throw at it: admission is bounded. */
static int
admit(const bl_exec_t *exec, char **err)
{
    if (g_queue_get_length((GQueue *) &exec->pending) >= exec->max_queued) {
        bl_err_set(
            err,
            "executor queue full: %u calls already wait to start (max_queued %u); try again later",
            g_queue_get_length((GQueue *) &exec->pending), exec->max_queued);
        return -ENOBUFS;
    }
    if (g_hash_table_size(exec->calls) >= exec->max_calls) {
        bl_err_set(err, "too many active calls: %u (max_calls %u); cancel some or try again later",
                   g_hash_table_size(exec->calls), exec->max_calls);
        return -ENOBUFS;
    }
    return 0;
}

int
bl_exec_submit(bl_exec_t *exec, bl_exec_request_t *req, bl_exec_done_fn done, void *user_data,
               uint64_t *call_id, char **err)
{
    call_t *call;
    int rc = admit(exec, err);

    if (rc != 0) {
        bl_exec_request_free(req);
        return rc;
    }
    call = submit(exec, req, done, user_data);
    if (call_id != NULL) {
        *call_id = call->id;
    }
    return 0;
}

static bool
is_agent(const bl_exec_t *exec, pid_t pid)
{
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, exec->busy);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const call_t *call = value;

        if (call->child != NULL && bl__child_pid(call->child) == pid) {
            return true;
        }
    }
    return false;
}

/* Reaps the exited children listed in the "children" file PATH that are not agents. */
static unsigned
reap_listed(const bl_exec_t *exec, const char *path)
{
    g_autofree char *text = NULL;
    unsigned reaped = 0;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return 0;
    }
    for (char *p = text; *p != '\0';) {
        char *end = NULL;
        long pid = strtol(p, &end, 10);

        if (end == p) {
            break;
        }
        p = end;
        /* An agent is the executor's to reap (its exit status is the result). */
        if (pid > 0 && !is_agent(exec, (pid_t) pid) && waitpid((pid_t) pid, NULL, WNOHANG) > 0) {
            reaped++;
        }
    }
    return reaped;
}

unsigned
bl_exec_reap_orphans(const bl_exec_t *exec)
{
    GDir *dir = g_dir_open("/proc/self/task", 0, NULL);
    const char *tid;
    unsigned reaped = 0;

    if (dir == NULL) {
        return 0;
    }
    /* Orphans are handed to one thread of the subreaper: look at every thread's list. */
    while ((tid = g_dir_read_name(dir)) != NULL) {
        g_autofree char *path = g_strdup_printf("/proc/self/task/%s/children", tid);

        reaped += reap_listed(exec, path);
    }
    g_dir_close(dir);
    return reaped;
}

int
bl_exec_cancel(bl_exec_t *exec, uint64_t call_id)
{
    call_t *call = g_hash_table_lookup(exec->calls, &call_id);
    bl_exec_result_t res = {.status = BL_EXEC_CANCELLED, .rc = BL_OCF_ERR_GENERIC};

    if (call == NULL) {
        return BL_ENOTFOUND;
    }
    if (call->child != NULL) {
        bl__child_cancel(call->child);
        return 0;
    }
    if (call->queued) {
        g_queue_remove(&exec->pending, call);
    }
    res.out = g_strdup("");
    res.err = g_strdup("");
    res.message = g_strdup("cancelled");
    report(call, &res, true);
    bl_exec_result_clear(&res);
    return 0;
}

int
bl_exec_last_result(bl_exec_t *exec, uint64_t call_id, bl_exec_result_t *res)
{
    call_t *call = g_hash_table_lookup(exec->calls, &call_id);

    if (call == NULL || !call->has_last) {
        return BL_ENOTFOUND;
    }
    bl__exec_result_copy(res, &call->last);
    return 0;
}

unsigned
bl_exec_active(const bl_exec_t *exec)
{
    return g_hash_table_size(exec->calls);
}

typedef struct sync_state {
    bool over;
    bl_exec_result_t *res;
} sync_state_t;

static void
on_sync_done(uint64_t call_id, const bl_exec_request_t *req, const bl_exec_result_t *res,
             bool final, void *user_data)
{
    sync_state_t *state = user_data;

    (void) call_id;
    (void) req;
    (void) final;
    bl__exec_result_copy(state->res, res);
    state->over = true;
}

void
bl_exec_run_sync(const bl_exec_request_t *req, const bl_exec_options_t *opts, bl_exec_result_t *res)
{
    GMainContext *ctx = g_main_context_new();
    bl_exec_t *exec = bl_exec_new(ctx, opts);
    sync_state_t state = {.over = false, .res = res};

    /* The interval still reaches the agent (it may check more deeply when recurring). */
    submit(exec, bl_exec_request_copy(req), on_sync_done, &state)->once = true;
    while (!state.over) {
        g_main_context_iteration(ctx, TRUE);
    }
    bl_exec_free(exec);
    g_main_context_unref(ctx);
}
