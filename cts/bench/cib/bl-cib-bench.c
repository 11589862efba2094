/*
 * bl-cib-bench: the Belay side of cts/bench/cib/bench.sh. Its twin pcmk-cib-bench.c does the
 * same against Pacemaker's CIB, with the same arguments and output, so that the script
 * treats both alike.
 *
 *   write ID SECONDS MAX GAP_MS [WINDOW]
 *       sets the cluster property bench-ID (nvpair cib-bootstrap-options-bench-ID) to
 *       "bv-ID-K", K = 0, 1, ..., as `belay cib modify` and `cibadmin --modify` do (an edit
 *       of the nvpair by id, applied by the daemon; with BL_BENCH_DIFF=1 in the environment,
 *       the older way instead: fetch the CIB, edit a copy, send the diff, retry a lost race):
 *       one acknowledged write after the other, for SECONDS or MAX writes, whichever comes
 *       first, sleeping GAP_MS between writes; with WINDOW > 1, WINDOW writes in flight at
 *       once (bl_cib_client_submit()/collect()). One untimed write first creates the nvpair,
 *       so that every timed write is the same kind of change: one attribute of an existing
 *       element. Prints "acked VALUE SENT ACKED" per write, then
 *       "# writes N seconds S rate R".
 *   watch QUIET_S
 *       subscribes to change notifications, prints "subscribed clock_res_ns R" (the
 *       clock's resolution), then "seen VALUE TIME" for every bench value a notification
 *       carries, until QUIET_S seconds pass without one.
 *
 * Times are CLOCK_MONOTONIC microseconds; every lab node is a namespace of one machine, so
 * they compare across nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include <belay/cib.h>

/* A write that loses a race with another writer is tried again, this often. */
#define MAX_TRIES 200

typedef struct {
    const char *id;
    double seconds;
    long max;
    long gap_ms;
    long window;
} bench_write_t;

/* The property bench-ID in cib-bootstrap-options, created (with the set) if missing. */
static xmlNode *
bench_nvpair(xmlDoc *doc, const char *id)
{
    xmlNode *config = bl_cib_section(doc, "crm_config");
    xmlNode *set = bl_xml_child_by_id(config, "cluster_property_set", "cib-bootstrap-options");
    char *nvpair_id = bl_asprintf("cib-bootstrap-options-bench-%s", id);
    xmlNode *nvpair;

    if (set == NULL) {
        set = bl_xml_add_child(config, "cluster_property_set");
        bl_xml_set_attr(set, "id", "cib-bootstrap-options");
    }
    nvpair = bl_xml_child_by_id(set, "nvpair", nvpair_id);
    if (nvpair == NULL) {
        char *name = bl_asprintf("bench-%s", id);

        nvpair = bl_xml_add_child(set, "nvpair");
        bl_xml_set_attr(nvpair, "id", nvpair_id);
        bl_xml_set_attr(nvpair, "name", name);
        free(name);
    }
    free(nvpair_id);
    return nvpair;
}

/* Fetch, edit, diff, send: how every Belay client writes. */
static int
write_once(bl_cib_client_t *client, const char *id, const char *value, char **err)
{
    xmlDoc *base = NULL;
    xmlDoc *next = NULL;
    xmlDoc *diff = NULL;
    int rc = bl_cib_client_query(client, NULL, &base, err);

    if (rc == 0) {
        next = xmlCopyDoc(base, 1);
        bl_xml_set_attr(bench_nvpair(next, id), "value", value);
        bl_cib_version_bump(next, true);
        rc = bl_cib_diff(base, next, &diff, err);
    }
    if (rc == 0) {
        rc = bl_cib_client_patch(client, diff, err);
    }
    xmlFreeDoc(diff);
    xmlFreeDoc(next);
    xmlFreeDoc(base);
    return rc;
}

/*
 * <cib-edit><modify section="crm_config" create="true"><nvpair .../></modify></cib-edit>,
 * the nvpair inside its set when it may not exist yet (the first write).
 */
static xmlDoc *
bench_edit(const char *id, const char *value)
{
    bool first = g_str_has_suffix(value, "-init");
    xmlDoc *edit = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewDocNode(edit, NULL, (const xmlChar *) "cib-edit", NULL);
    xmlNode *modify;
    xmlNode *nvpair;
    char *text;

    xmlDocSetRootElement(edit, root);
    modify = bl_xml_add_child(root, "modify");
    bl_xml_set_attr(modify, "section", "crm_config");
    bl_xml_set_attr(modify, "create", "true");
    if (first) {
        modify = bl_xml_add_child(modify, "cluster_property_set");
        bl_xml_set_attr(modify, "id", "cib-bootstrap-options");
    }
    nvpair = bl_xml_add_child(modify, "nvpair");
    text = bl_asprintf("cib-bootstrap-options-bench-%s", id);
    bl_xml_set_attr(nvpair, "id", text);
    free(text);
    text = bl_asprintf("bench-%s", id);
    bl_xml_set_attr(nvpair, "name", text);
    free(text);
    bl_xml_set_attr(nvpair, "value", value);
    return edit;
}

static int
edit_once(bl_cib_client_t *client, const char *id, const char *value, char **err)
{
    xmlDoc *edit = bench_edit(id, value);
    int rc = bl_cib_client_edit(client, edit, err);

    xmlFreeDoc(edit);
    return rc;
}

static bool
use_diffs(void)
{
    return g_strcmp0(getenv("BL_BENCH_DIFF"), "1") == 0;
}

static int
write_value(bl_cib_client_t *client, const char *id, const char *value)
{
    char *err = NULL;
    int rc = BL_EVERSION;

    for (int tries = 0; tries < MAX_TRIES && (rc == BL_EVERSION || rc == -EAGAIN); tries++) {
        bl_free(&err);
        rc = use_diffs() ? write_once(client, id, value, &err) : edit_once(client, id, value, &err);
        if (rc == -EAGAIN) {
            g_usleep(20000);
        }
    }
    if (rc != 0) {
        fprintf(stderr, "bl-cib-bench: %s: %s\n", value, err != NULL ? err : bl_strerror(rc));
    }
    free(err);
    return rc;
}

static int
run_writes(bl_cib_client_t *client, const bench_write_t *bench)
{
    char *value = bl_asprintf("bv-%s-init", bench->id);
    int rc = write_value(client, bench->id, value);
    gint64 start = g_get_monotonic_time();
    gint64 end = start + (gint64) (bench->seconds * 1e6);
    long done = 0;

    free(value);
    while (rc == 0 && done < bench->max && g_get_monotonic_time() < end) {
        gint64 sent = g_get_monotonic_time();

        value = bl_asprintf("bv-%s-%ld", bench->id, done);
        rc = write_value(client, bench->id, value);
        if (rc == 0) {
            printf("acked %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", value, sent,
                   g_get_monotonic_time());
            done++;
        }
        free(value);
        if (bench->gap_ms > 0) {
            g_usleep(bench->gap_ms * 1000);
        }
    }
    double seconds = (double) (g_get_monotonic_time() - start) / 1e6;
    printf("# writes %ld seconds %.3f rate %.1f\n", done, seconds, done / seconds);
    return rc;
}

/* Collects the oldest write in flight and prints it; VALUES and SENT hold what was sent. */
static int
collect_one(bl_cib_client_t *client, GQueue *values, GQueue *sent)
{
    char *err = NULL;
    char *value = g_queue_pop_head(values);
    gint64 *when = g_queue_pop_head(sent);
    int rc = bl_cib_client_collect(client, -1, &err);

    if (rc == 0) {
        printf("acked %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", value, *when,
               g_get_monotonic_time());
    } else {
        fprintf(stderr, "bl-cib-bench: %s: %s\n", value, err != NULL ? err : bl_strerror(rc));
    }
    free(err);
    g_free(value);
    g_free(when);
    return rc;
}

/* WINDOW writes in flight at once; acknowledgements come back in order. */
static int
run_pipelined(bl_cib_client_t *client, const bench_write_t *bench)
{
    char *value = bl_asprintf("bv-%s-init", bench->id);
    int rc = write_value(client, bench->id, value);
    gint64 start = g_get_monotonic_time();
    gint64 end = start + (gint64) (bench->seconds * 1e6);
    GQueue values = G_QUEUE_INIT;
    GQueue sent = G_QUEUE_INIT;
    long submitted = 0;
    long done = 0;

    free(value);
    while (rc == 0 && submitted < bench->max && g_get_monotonic_time() < end) {
        xmlDoc *edit;
        char *err = NULL;

        if (bl_cib_client_in_flight(client) >= (unsigned) bench->window) {
            rc = collect_one(client, &values, &sent);
            done += rc == 0;
            continue;
        }
        value = g_strdup_printf("bv-%s-%ld", bench->id, submitted);
        edit = bench_edit(bench->id, value);
        g_queue_push_tail(&sent, g_memdup2(&(gint64){g_get_monotonic_time()}, sizeof(gint64)));
        g_queue_push_tail(&values, value);
        rc = bl_cib_client_submit(client, edit, &err);
        xmlFreeDoc(edit);
        if (rc != 0) {
            fprintf(stderr, "bl-cib-bench: submit: %s\n", err);
        }
        free(err);
        submitted++;
    }
    while (bl_cib_client_in_flight(client) > 0) {
        int collected = collect_one(client, &values, &sent);

        done += collected == 0;
        rc = rc != 0 ? rc : collected;
    }
    g_queue_clear_full(&values, g_free);
    g_queue_clear_full(&sent, g_free);
    double seconds = (double) (g_get_monotonic_time() - start) / 1e6;
    printf("# writes %ld seconds %.3f rate %.1f\n", done, seconds, done / seconds);
    return rc;
}

/* Prints every distinct bench value ("bv-...") in EVENT with the time it came. */
static void
print_values(const xmlDoc *event)
{
    gint64 now = g_get_monotonic_time();
    char *text = bl_xml_format(xmlDocGetRootElement(event));
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

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

/* The resolution of the clock behind g_get_monotonic_time(), for the report. */
static long
clock_resolution_ns(void)
{
    struct timespec res = {0, 0};

    clock_getres(CLOCK_MONOTONIC, &res);
    return res.tv_sec * 1000000000L + res.tv_nsec;
}

static int
run_watch(bl_cib_client_t *client, long quiet_s)
{
    char *err = NULL;
    int rc = bl_cib_client_subscribe(client, &err);

    if (rc == 0) {
        printf("subscribed clock_res_ns %ld\n", clock_resolution_ns());
        fflush(stdout);
    }
    while (rc == 0) {
        xmlDoc *event = NULL;

        rc = bl_cib_client_event(client, (int) quiet_s * 1000, &event, &err);
        if (rc == 0) {
            print_values(event);
        }
        xmlFreeDoc(event);
    }
    if (rc != -ETIMEDOUT) {
        fprintf(stderr, "bl-cib-bench: %s\n", err != NULL ? err : bl_strerror(rc));
    }
    free(err);
    return rc == -ETIMEDOUT ? 0 : rc;
}

static int
usage(void)
{
    fprintf(stderr, "usage: bl-cib-bench write ID SECONDS MAX GAP_MS [WINDOW] | watch QUIET_S\n");
    return 64;
}

int
main(int argc, char **argv)
{
    bl_cib_client_t *client = NULL;
    char *err = NULL;
    bool write = (argc == 6 || argc == 7) && strcmp(argv[1], "write") == 0;
    bool watch = argc == 3 && strcmp(argv[1], "watch") == 0;
    int rc;

    if (!write && !watch) {
        return usage();
    }
    if (bl_cib_client_connect(NULL, &client, &err) != 0) {
        fprintf(stderr, "bl-cib-bench: %s\n", err);
        free(err);
        return 1;
    }
    if (write) {
        bench_write_t bench = {argv[2], strtod(argv[3], NULL), strtol(argv[4], NULL, 10),
                               strtol(argv[5], NULL, 10),
                               argc == 7 ? strtol(argv[6], NULL, 10) : 1};

        rc = bench.window > 1 && !use_diffs() ? run_pipelined(client, &bench)
                                              : run_writes(client, &bench);
    } else {
        rc = run_watch(client, strtol(argv[2], NULL, 10));
    }
    bl_cib_client_free(client);
    return rc == 0 ? 0 : 1;
}
