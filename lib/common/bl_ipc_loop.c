/*
 * libqb IPC services driven by a glib main loop: libqb asks for its descriptors and jobs
 * to be watched through poll handlers, which we map onto GSources.
 *
 * libqb's poll handlers carry no user pointer, so the descriptor table is per process.
 * That is sound: descriptors are unique within a process, and a daemon serves its IPC
 * from one main context.
 */
#include <errno.h>

#include <glib-unix.h>

#include <belay/common.h>

typedef struct watch {
    void *data;
    qb_ipcs_dispatch_fn_t fn;
} watch_t;

typedef struct job {
    void *data;
    qb_loop_job_dispatch_fn fn;
} job_t;

static GMainContext *loop_context;
static GHashTable *loop_sources; /* fd -> GSource * */
static unsigned loop_users;

static gboolean
on_fd(gint fd, GIOCondition cond, gpointer data)
{
    watch_t *w = data;

    return w->fn(fd, (int32_t) cond, w->data) < 0 ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static int32_t
dispatch_add(enum qb_loop_priority prio, int32_t fd, int32_t events, void *data,
             qb_ipcs_dispatch_fn_t fn)
{
    GSource *source = g_unix_fd_source_new(fd, (GIOCondition) events);
    watch_t *w = g_new0(watch_t, 1);

    (void) prio;
    w->data = data;
    w->fn = fn;
    g_source_set_callback(source, G_SOURCE_FUNC(on_fd), w, g_free);
    g_source_attach(source, loop_context);
    g_hash_table_replace(loop_sources, GINT_TO_POINTER(fd), source);
    return 0;
}

static int32_t
dispatch_del(int32_t fd)
{
    return g_hash_table_remove(loop_sources, GINT_TO_POINTER(fd)) ? 0 : -ENOENT;
}

static int32_t
dispatch_mod(enum qb_loop_priority prio, int32_t fd, int32_t events, void *data,
             qb_ipcs_dispatch_fn_t fn)
{
    dispatch_del(fd);
    return dispatch_add(prio, fd, events, data, fn);
}

static gboolean
on_job(gpointer data)
{
    job_t *job = data;

    job->fn(job->data);
    return G_SOURCE_REMOVE;
}

static int32_t
job_add(enum qb_loop_priority prio, void *data, qb_loop_job_dispatch_fn fn)
{
    GSource *source = g_idle_source_new();
    job_t *job = g_new0(job_t, 1);

    (void) prio;
    job->data = data;
    job->fn = fn;
    g_source_set_callback(source, on_job, job, g_free);
    g_source_attach(source, loop_context);
    g_source_unref(source);
    return 0;
}

static void
drop_source(gpointer data)
{
    g_source_destroy(data);
    g_source_unref(data);
}

void
bl_ipc_loop_attach(qb_ipcs_service_t *service, GMainContext *ctx)
{
    static struct qb_ipcs_poll_handlers handlers = {
        .job_add = job_add,
        .dispatch_add = dispatch_add,
        .dispatch_mod = dispatch_mod,
        .dispatch_del = dispatch_del,
    };

    if (loop_users++ == 0) {
        loop_context = ctx;
        loop_sources = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, drop_source);
    }
    qb_ipcs_poll_handlers_set(service, &handlers);
}

void
bl_ipc_loop_detach(void)
{
    if (loop_users > 0 && --loop_users == 0) {
        g_hash_table_destroy(loop_sources);
        loop_sources = NULL;
        loop_context = NULL;
    }
}
