/*
 * belay simulate: runs the scheduler on a CIB file and prints what it decided.
 * The normalized views (--placement, --actions, --scores) are the formats of the
 * scheduler conformance corpus; without them a summary for a person is printed.
 * -t/--time sets "now" (crm_simulate's syntax for the dates the corpus uses).
 * Not yet: --save-graph, --save-output, --node-up/--node-down/--fail injections.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "cli_simulate.h"

enum { SHOW_PLACEMENT = 1, SHOW_ACTIONS = 2, SHOW_SCORES = 4 };

static void
usage(FILE *out)
{
    fprintf(out, "Usage: simulate FILE.xml [--placement] [--actions] [--scores] [-t DATE]\n");
}

/* Stops and starts of one resource, from the normalized action lines. */
typedef struct rsc_moves {
    GPtrArray *stops; /* borrowed node names */
    GPtrArray *starts;
} rsc_moves_t;

static void
rsc_moves_free(gpointer data)
{
    rsc_moves_t *moves = data;

    g_ptr_array_free(moves->stops, true);
    g_ptr_array_free(moves->starts, true);
    g_free(moves);
}

static void
print_moves(const char *rsc, const rsc_moves_t *m)
{
    if (m->stops->len == 1 && m->starts->len == 1) {
        const char *from = g_ptr_array_index(m->stops, 0);
        const char *to = g_ptr_array_index(m->starts, 0);

        if (strcmp(from, to) == 0) {
            printf("  * Restart %s ( %s )\n", rsc, from);
        } else {
            printf("  * Move %s ( %s -> %s )\n", rsc, from, to);
        }
        return;
    }
    for (guint i = 0; i < m->stops->len; i++) {
        printf("  * Stop %s ( %s )\n", rsc, (const char *) g_ptr_array_index(m->stops, i));
    }
    for (guint i = 0; i < m->starts->len; i++) {
        printf("  * Start %s ( %s )\n", rsc, (const char *) g_ptr_array_index(m->starts, i));
    }
}

/* "start rsc node" lines -> "* Start rsc ( node )", "* Move rsc ( a -> b )", ... */
static void
print_summary(const char *actions)
{
    g_auto(GStrv) lines = g_strsplit(actions, "\n", -1);
    g_autoptr(GHashTable) by_rsc =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, rsc_moves_free);
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);

    printf("Transition Summary:\n");
    for (int i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        char **f = g_strsplit(lines[i], " ", 3);
        rsc_moves_t *m;

        g_ptr_array_add(fields, f);
        if (g_strv_length(f) != 3) {
            continue;
        }
        if (strcmp(f[0], "fence") == 0) {
            printf("  * Fence (%s) %s\n", f[2], f[1]);
            continue;
        }
        if (strcmp(f[0], "start") != 0 && strcmp(f[0], "stop") != 0) {
            printf("  * %c%s %s\n", g_ascii_toupper(f[0][0]), f[0] + 1, f[1]);
            continue;
        }
        m = g_hash_table_lookup(by_rsc, f[1]);
        if (m == NULL) {
            m = g_new0(rsc_moves_t, 1);
            m->stops = g_ptr_array_new();
            m->starts = g_ptr_array_new();
            g_hash_table_insert(by_rsc, f[1], m);
            g_ptr_array_add(order, f[1]);
        }
        g_ptr_array_add(strcmp(f[0], "stop") == 0 ? m->stops : m->starts, f[2]);
    }
    for (guint i = 0; i < order->len; i++) {
        const char *rsc = g_ptr_array_index(order, i);

        print_moves(rsc, g_hash_table_lookup(by_rsc, rsc));
    }
}

static int
parse_args(int argc, char **argv, unsigned *show, bl_sched_options_t *options)
{
    static const struct option longopts[] = {
        {"placement", no_argument, NULL, 'p'}, {"actions", no_argument, NULL, 'a'},
        {"scores", no_argument, NULL, 's'},    {"time", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0},
    };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "past:h", longopts, NULL)) != -1) {
        char *err = NULL;

        switch (opt) {
        case 'p':
            *show |= SHOW_PLACEMENT;
            break;
        case 'a':
            *show |= SHOW_ACTIONS;
            break;
        case 's':
            *show |= SHOW_SCORES;
            break;
        case 't':
            if (bl_sched_date_parse(optarg, &options->now, &err) != 0) {
                fprintf(stderr, "simulate: %s\n", err);
                free(err);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static void
print_result(const bl_sched_result_t *result, unsigned show)
{
    g_autofree char *placement = bl_sched_result_placement(result);
    g_autofree char *actions = bl_sched_result_actions(result);

    if (show == 0) {
        print_summary(actions);
        printf("\nPlacement after the transition:\n%s", placement);
        return;
    }
    if (show & SHOW_PLACEMENT) {
        fputs(placement, stdout);
    }
    if (show & SHOW_ACTIONS) {
        fputs(actions, stdout);
    }
    if (show & SHOW_SCORES) {
        g_autofree char *scores = bl_sched_result_scores(result);

        fputs(scores, stdout);
    }
}

int
bl_cli_simulate_main(int argc, char **argv)
{
    bl_sched_options_t options = {0};
    bl_sched_result_t *result = NULL;
    xmlDoc *doc = NULL;
    unsigned show = 0;
    char *err = NULL;
    int rc = parse_args(argc, argv, &show, &options);

    if (rc != 0) {
        return rc < 0 ? 0 : rc;
    }
    rc = bl_cib_load(argv[optind], &doc, &err);
    if (rc == 0) {
        rc = bl_sched_run(doc, &options, &result, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "simulate: %s: %s\n", argv[optind], err != NULL ? err : bl_strerror(rc));
        free(err);
        xmlFreeDoc(doc);
        return rc == BL_EUNSUPPORTED ? 3 : 1;
    }
    print_result(result, show);
    bl_sched_result_free(result);
    xmlFreeDoc(doc);
    return 0;
}
