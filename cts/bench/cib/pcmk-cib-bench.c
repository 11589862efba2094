/*
 * pcmk-cib-bench: the Pacemaker side of cts/bench/cib/bench.sh, twin of bl-cib-bench.c
 * (same arguments, same output), written against Pacemaker 2.1's libcib. bench.sh builds it
 * with pkg-config pacemaker-cib when it compares against Pacemaker; Belay never links it.
 *
 *   write ID SECONDS MAX GAP_MS [WINDOW]
 *       sets the cluster property bench-ID (nvpair cib-bootstrap-options-bench-ID, which
 *       bench.sh created) to "bv-ID-K" with cib modify calls on one connection, as
 *       bl-cib-bench does through Belay's client: synchronous calls, one after the other,
 *       or with WINDOW > 1 asynchronous calls (libcib's callbacks), WINDOW of them in flight.
 *       Prints "acked VALUE SENT ACKED" per write, then "# writes N seconds S rate R".
 *   watch QUIET_S
 *       registers for diff notifications, prints "subscribed clock_res_ns R" (the
 *       clock's resolution), then "seen VALUE TIME" for every bench value a notification
 *       carries, until QUIET_S seconds pass without one.
 *   promote
 *       makes the local CIB daemon the primary instance (the controller does this on the DC;
 *       bench.sh runs the CIB daemons alone).
 *
 * Times are CLOCK_MONOTONIC microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include <crm/cib.h>
#include <crm/common/xml.h>
#include <crm/crm.h>

typedef struct {
    const char *id;
    double seconds;
    long max;
    long gap_ms;
    long window;
} bench_write_t;

/* The asynchronous writer's state. */
typedef struct {
    cib_t *cib;
    const bench_write_t *bench;
    gint64 start;
    gint64 end;
    long sent;
    long done;
    long in_flight;
    int rc;
} pipeline_t;

/* One asynchronous write, until its callback. */
typedef struct {
    pipeline_t *pipe;
    char *value;
    gint64 sent;
} call_t;

static GMainLoop *loop;
static gint64 last_event;
static long quiet_s;

/* Sends the modify call; with cib_sync_call its outcome, else the call id. */
static int
modify_value(cib_t *cib, const char *id, const char *value, int options)
{
    xmlNode *nvpair = create_xml_node(NULL, "nvpair");
    char *nvpair_id = g_strdup_printf("cib-bootstrap-options-bench-%s", id);
    char *name = g_strdup_printf("bench-%s", id);
    int rc;

    crm_xml_add(nvpair, "id", nvpair_id);
    crm_xml_add(nvpair, "name", name);
    crm_xml_add(nvpair, "value", value);
    rc = cib->cmds->modify(cib, "crm_config", nvpair, options);
    if (rc < 0) {
        fprintf(stderr, "pcmk-cib-bench: %s: %s\n", value, pcmk_strerror(rc));
    }
    free_xml(nvpair);
    g_free(nvpair_id);
    g_free(name);
    return rc;
}

static int
write_value(cib_t *cib, const char *id, const char *value)
{
    int rc = modify_value(cib, id, value, cib_sync_call);

    return rc < 0 ? rc : 0;
}

static void submit(pipeline_t *pipe);

static void
on_written(xmlNode *msg, int call_id, int rc, xmlNode *output, void *user_data)
{
    call_t *call = user_data;
    pipeline_t *pipe = call->pipe;

    (void) msg;
    (void) call_id;
    (void) output;
    pipe->in_flight--;
    if (rc < 0) {
        fprintf(stderr, "pcmk-cib-bench: %s: %s\n", call->value, pcmk_strerror(rc));
        pipe->rc = rc;
    } else {
        printf("acked %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", call->value, call->sent,
               g_get_monotonic_time());
        pipe->done++;
    }
    submit(pipe);
    if (pipe->in_flight == 0) {
        g_main_loop_quit(loop);
    }
}

static void
call_free(void *data)
{
    call_t *call = data;

    g_free(call->value);
    g_free(call);
}

/* Keeps WINDOW writes in flight until the time or the count is up. */
static void
submit(pipeline_t *pipe)
{
    while (pipe->rc == 0 && pipe->in_flight < pipe->bench->window && pipe->sent < pipe->bench->max
           && g_get_monotonic_time() < pipe->end) {
        call_t *call = g_new0(call_t, 1);
        int id;

        call->pipe = pipe;
        call->value = g_strdup_printf("bv-%s-%ld", pipe->bench->id, pipe->sent);
        call->sent = g_get_monotonic_time();
        id = modify_value(pipe->cib, pipe->bench->id, call->value, cib_none);
        if (id < 0) {
            pipe->rc = id;
            call_free(call);
            return;
        }
        pipe->cib->cmds->register_callback_full(pipe->cib, id, 120, FALSE, call, "bench",
                                                on_written, call_free);
        pipe->sent++;
        pipe->in_flight++;
    }
}

static int
run_pipelined(cib_t *cib, const bench_write_t *bench)
{
    char *value = g_strdup_printf("bv-%s-init", bench->id);
    pipeline_t pipe = {.cib = cib, .bench = bench, .rc = write_value(cib, bench->id, value)};

    g_free(value);
    pipe.start = g_get_monotonic_time();
    pipe.end = pipe.start + (gint64) (bench->seconds * 1e6);
    loop = g_main_loop_new(NULL, FALSE);
    submit(&pipe);
    if (pipe.in_flight > 0) {
        g_main_loop_run(loop);
    }
    g_main_loop_unref(loop);
    loop = NULL;
    double seconds = (double) (g_get_monotonic_time() - pipe.start) / 1e6;
    printf("# writes %ld seconds %.3f rate %.1f\n", pipe.done, seconds, pipe.done / seconds);
    return pipe.rc;
}

static int
run_writes(cib_t *cib, const bench_write_t *bench)
{
    char *value = g_strdup_printf("bv-%s-init", bench->id);
    int rc = write_value(cib, bench->id, value);
    gint64 start = g_get_monotonic_time();
    gint64 end = start + (gint64) (bench->seconds * 1e6);
    long done = 0;

    g_free(value);
    while (rc == 0 && done < bench->max && g_get_monotonic_time() < end) {
        gint64 sent = g_get_monotonic_time();

        value = g_strdup_printf("bv-%s-%ld", bench->id, done);
        rc = write_value(cib, bench->id, value);
        if (rc == 0) {
            printf("acked %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", value, sent,
                   g_get_monotonic_time());
            done++;
        }
        g_free(value);
        if (bench->gap_ms > 0) {
            g_usleep(bench->gap_ms * 1000);
        }
    }
    double seconds = (double) (g_get_monotonic_time() - start) / 1e6;
    printf("# writes %ld seconds %.3f rate %.1f\n", done, seconds, done / seconds);
    return rc;
}

/* Prints every distinct bench value ("bv-...") in the notification with the time it came. */
static void
on_diff(const char *event, xmlNode *msg)
{
    gint64 now = g_get_monotonic_time();
    char *text = dump_xml_unformatted(msg);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    (void) event;
    last_event = now;
    for (const char *p = strstr(text, "\"bv-"); p != NULL; p = strstr(p + 1, "\"bv-")) {
        char *value = g_strndup(p + 1, strcspn(p + 1, "\""));

        if (g_hash_table_add(seen, value)) {
            printf("seen %s %" G_GINT64_FORMAT "\n", value, now);
        }
    }
    fflush(stdout);
    g_hash_table_destroy(seen);
    free(text);
}

static gboolean
check_quiet(gpointer data)
{
    (void) data;
    if (g_get_monotonic_time() - last_event > quiet_s * G_USEC_PER_SEC) {
        g_main_loop_quit(loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void
on_destroy(gpointer data)
{
    (void) data;
    if (loop != NULL) { /* else it is our own signoff after the watch */
        fprintf(stderr, "pcmk-cib-bench: the CIB daemon went away\n");
        g_main_loop_quit(loop);
    }
}

/* The resolution of the clock behind g_get_monotonic_time(), for the report. */
static long
clock_resolution_ns(void)
{
    struct timespec res = {0, 0};

    clock_getres(CLOCK_MONOTONIC, &res);
    return res.tv_sec * 1000000000L + res.tv_nsec;
}

static int
run_watch(cib_t *cib)
{
    int rc = cib->cmds->add_notify_callback(cib, T_CIB_DIFF_NOTIFY, on_diff);

    if (rc == pcmk_ok) {
        rc = cib->cmds->set_connection_dnotify(cib, on_destroy);
    }
    if (rc != pcmk_ok) {
        fprintf(stderr, "pcmk-cib-bench: cannot subscribe: %s\n", pcmk_strerror(rc));
        return rc;
    }
    printf("subscribed clock_res_ns %ld\n", clock_resolution_ns());
    fflush(stdout);
    loop = g_main_loop_new(NULL, FALSE);
    last_event = g_get_monotonic_time();
    g_timeout_add(100, check_quiet, NULL);
    g_main_loop_run(loop);
    g_main_loop_unref(loop);
    loop = NULL;
    return 0;
}

static int
usage(void)
{
    fprintf(
        stderr,
        "usage: pcmk-cib-bench write ID SECONDS MAX GAP_MS [WINDOW] | watch QUIET_S | promote\n");
    return 64;
}

int
main(int argc, char **argv)
{
    bool write = (argc == 6 || argc == 7) && strcmp(argv[1], "write") == 0;
    bool watch = argc == 3 && strcmp(argv[1], "watch") == 0;
    bool promote = argc == 2 && strcmp(argv[1], "promote") == 0;
    cib_t *cib;
    int rc;

    if (!write && !watch && !promote) {
        return usage();
    }
    cib = cib_new();
    rc = cib->cmds->signon(cib, "pcmk-cib-bench", watch ? cib_query : cib_command);
    if (rc != pcmk_ok) {
        fprintf(stderr, "pcmk-cib-bench: cannot connect to the CIB: %s\n", pcmk_strerror(rc));
        cib_delete(cib);
        return 1;
    }
    if (write) {
        bench_write_t bench = {argv[2], strtod(argv[3], NULL), strtol(argv[4], NULL, 10),
                               strtol(argv[5], NULL, 10),
                               argc == 7 ? strtol(argv[6], NULL, 10) : 1};

        rc = bench.window > 1 ? run_pipelined(cib, &bench) : run_writes(cib, &bench);
    } else if (watch) {
        quiet_s = strtol(argv[2], NULL, 10);
        rc = run_watch(cib);
    } else {
        rc = cib->cmds->set_primary(cib, cib_scope_local | cib_sync_call);
        if (rc < 0) {
            fprintf(stderr, "pcmk-cib-bench: promote: %s\n", pcmk_strerror(rc));
        }
    }
    cib->cmds->signoff(cib);
    cib_delete(cib);
    return rc < 0 ? 1 : 0;
}
