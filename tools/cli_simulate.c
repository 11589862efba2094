/*
 * belay simulate: runs the scheduler on a CIB file and prints what it decided.
 * The normalized views (--placement, --actions, --scores) are the formats of the
 * scheduler conformance corpus; without them the current status, the transition summary
 * and the revised status are printed for a person. -t/--time sets "now" (crm_simulate's
 * syntax for the dates the corpus uses). --node-up/--node-down/--fail change the status
 * of an in-memory copy before the run; --save-graph writes the transition graph and
 * --save-output the CIB with the transition's results recorded. The input file is never
 * written.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include <belay/cib.h>
#include <belay/scheduler.h>

#include "cli_simulate.h"

enum { SHOW_PLACEMENT = 1, SHOW_ACTIONS = 2, SHOW_SCORES = 4 };

static void
usage(FILE *out)
{
    fprintf(out, "Usage: simulate FILE.xml [--placement] [--actions] [--scores] [-t DATE]\n"
                 "         [--node-up NODE] [--node-down NODE] [--fail RSC_TASK_INTERVAL@NODE=RC]\n"
                 "         [--save-graph FILE] [--save-output FILE]\n");
}

/* One event to inject before the run, in command-line order. */
typedef struct injection {
    int kind; /* 'u' node up, 'd' node down, 'f' operation result */
    const char *arg;
} injection_t;

typedef struct sim_args {
    unsigned show;
    bl_sched_options_t options;
    const char *save_graph;
    const char *save_output;
    GArray *injections; /* injection_t */
} sim_args_t;

/* Stops, starts, role changes and migrations of one resource, from the normalized action
 * lines (borrowed node names, indexed by move_kind_t). */
typedef enum move_kind {
    MOVE_STOP,
    MOVE_START,
    MOVE_PROMOTE,
    MOVE_DEMOTE,
    MOVE_FROM,
    MOVE_N
} move_kind_t;

typedef struct rsc_moves {
    GPtrArray *on[MOVE_N];
} rsc_moves_t;

static void
rsc_moves_free(gpointer data)
{
    rsc_moves_t *moves = data;

    for (int k = 0; k < MOVE_N; k++) {
        g_ptr_array_free(moves->on[k], true);
    }
    g_free(moves);
}

static bool
failed(const bl_sched_state_t *state, const char *rsc)
{
    for (size_t i = 0; i < state->n_resources; i++) {
        if (strcmp(state->resources[i].id, rsc) == 0) {
            return state->resources[i].failed;
        }
    }
    return false;
}

/* Removes NODE from the moves of kind K; was it there? */
static bool
take(rsc_moves_t *m, move_kind_t k, const char *node)
{
    for (guint i = 0; i < m->on[k]->len; i++) {
        if (strcmp(g_ptr_array_index(m->on[k], i), node) == 0) {
            g_ptr_array_remove_index(m->on[k], i);
            return true;
        }
    }
    return false;
}

/* A live migration (migrate_from on the target, the source's stop) reads as one line, as
 * do a start with its promotion and a demotion with its stop. */
static void
print_role_moves(const bl_sched_state_t *state, const char *rsc, rsc_moves_t *m)
{
    while (m->on[MOVE_FROM]->len > 0 && m->on[MOVE_STOP]->len > 0) {
        const char *to = g_ptr_array_index(m->on[MOVE_FROM], 0);
        const char *from = g_ptr_array_index(m->on[MOVE_STOP], 0);

        printf("  * Migrate %s ( %s -> %s )\n", rsc, from, to);
        g_ptr_array_remove_index(m->on[MOVE_FROM], 0);
        g_ptr_array_remove_index(m->on[MOVE_STOP], 0);
        take(m, MOVE_START, to);
    }
    while (m->on[MOVE_PROMOTE]->len > 0) {
        const char *node = g_ptr_array_index(m->on[MOVE_PROMOTE], 0);
        bool started = take(m, MOVE_START, node);

        if (started && take(m, MOVE_STOP, node)) {
            take(m, MOVE_DEMOTE, node);
            printf("  * %s %s ( Promoted %s )\n", failed(state, rsc) ? "Recover" : "Restart", rsc,
                   node);
        } else {
            const char *was = started ? "Stopped" : "Unpromoted";

            printf("  * Promote %s ( %s -> Promoted %s )\n", rsc, was, node);
        }
        g_ptr_array_remove_index(m->on[MOVE_PROMOTE], 0);
    }
    while (m->on[MOVE_DEMOTE]->len > 0) {
        const char *node = g_ptr_array_index(m->on[MOVE_DEMOTE], 0);

        if (take(m, MOVE_STOP, node)) {
            printf("  * Stop %s ( Promoted %s )\n", rsc, node);
        } else {
            printf("  * Demote %s ( Promoted -> Unpromoted %s )\n", rsc, node);
        }
        g_ptr_array_remove_index(m->on[MOVE_DEMOTE], 0);
    }
}

static void
print_moves(const bl_sched_state_t *state, const char *rsc, rsc_moves_t *m)
{
    GPtrArray *stops = m->on[MOVE_STOP];
    GPtrArray *starts = m->on[MOVE_START];

    print_role_moves(state, rsc, m);
    if (stops->len == 1 && starts->len == 1) {
        const char *from = g_ptr_array_index(stops, 0);
        const char *to = g_ptr_array_index(starts, 0);

        if (strcmp(from, to) == 0) {
            printf("  * %s %s ( %s )\n", failed(state, rsc) ? "Recover" : "Restart", rsc, from);
        } else {
            printf("  * Move %s ( %s -> %s )\n", rsc, from, to);
        }
        return;
    }
    for (guint i = 0; i < stops->len; i++) {
        printf("  * Stop %s ( %s )\n", rsc, (const char *) g_ptr_array_index(stops, i));
    }
    for (guint i = 0; i < starts->len; i++) {
        printf("  * Start %s ( %s )\n", rsc, (const char *) g_ptr_array_index(starts, i));
    }
}

static int
move_kind(const char *task)
{
    static const char *const tasks[MOVE_N] = {"stop", "start", "promote", "demote", "migrate_from"};

    for (int k = 0; k < MOVE_N; k++) {
        if (strcmp(task, tasks[k]) == 0) {
            return k;
        }
    }
    /* the source's migrate_to goes with the target's migrate_from */
    return strcmp(task, "migrate_to") == 0 ? MOVE_N : -1;
}

/* "start rsc node" lines -> "* Start rsc ( node )", "* Move rsc ( a -> b )", ... */
static void
print_summary(const bl_sched_state_t *state, const char *actions)
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
        int kind;

        g_ptr_array_add(fields, f);
        if (g_strv_length(f) != 3) {
            continue;
        }
        if (strcmp(f[0], "fence") == 0) {
            printf("  * Fence (%s) %s\n", f[2], f[1]);
            continue;
        }
        kind = move_kind(f[0]);
        if (kind < 0) {
            printf("  * %c%s %s\n", g_ascii_toupper(f[0][0]), f[0] + 1, f[1]);
            continue;
        }
        m = g_hash_table_lookup(by_rsc, f[1]);
        if (m == NULL) {
            m = g_new0(rsc_moves_t, 1);
            for (int k = 0; k < MOVE_N; k++) {
                m->on[k] = g_ptr_array_new();
            }
            g_hash_table_insert(by_rsc, f[1], m);
            g_ptr_array_add(order, f[1]);
        }
        if (kind < MOVE_N) {
            g_ptr_array_add(m->on[kind], f[2]);
        }
    }
    for (guint i = 0; i < order->len; i++) {
        const char *rsc = g_ptr_array_index(order, i);

        print_moves(state, rsc, g_hash_table_lookup(by_rsc, rsc));
    }
}

static int
parse_option(int opt, sim_args_t *args)
{
    char *err = NULL;
    injection_t injection = {.kind = opt, .arg = optarg};

    switch (opt) {
    case 'p':
        args->show |= SHOW_PLACEMENT;
        return 0;
    case 'a':
        args->show |= SHOW_ACTIONS;
        return 0;
    case 's':
        args->show |= SHOW_SCORES;
        return 0;
    case 't':
        if (bl_sched_date_parse(optarg, &args->options.now, &err) != 0) {
            fprintf(stderr, "simulate: %s\n", err);
            free(err);
            return 2;
        }
        return 0;
    case 'G':
        args->save_graph = optarg;
        return 0;
    case 'O':
        args->save_output = optarg;
        return 0;
    case 'u':
    case 'd':
    case 'f':
        g_array_append_val(args->injections, injection);
        return 0;
    case 'h':
        usage(stdout);
        return -1;
    default:
        usage(stderr);
        return 2;
    }
}

static int
parse_args(int argc, char **argv, sim_args_t *args)
{
    static const struct option longopts[] = {
        {"placement", no_argument, NULL, 'p'},
        {"actions", no_argument, NULL, 'a'},
        {"scores", no_argument, NULL, 's'},
        {"time", required_argument, NULL, 't'},
        {"save-graph", required_argument, NULL, 'G'},
        {"save-output", required_argument, NULL, 'O'},
        {"node-up", required_argument, NULL, 'u'},
        {"node-down", required_argument, NULL, 'd'},
        {"fail", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "past:G:O:u:d:f:h", longopts, NULL)) != -1) {
        int rc = parse_option(opt, args);

        if (rc != 0) {
            return rc;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    return 0;
}

/* The status after the transition: the results recorded in a copy, scheduled again. */
static void
print_revised(const bl_sched_options_t *options, const xmlDoc *after)
{
    bl_sched_options_t again = *options;
    bl_sched_result_t *result = NULL;
    char *err = NULL;

    again.graph = false;
    again.scores = false;
    again.state = true;
    if (bl_sched_run(after, &again, &result, &err) != 0) {
        printf("\nRevised Cluster Status: not available: %s\n", err);
        free(err);
        return;
    }
    printf("\n");
    bl_cli_simulate_print_state("Revised Cluster Status", bl_sched_result_state(result));
    bl_sched_result_free(result);
}

static void
print_result(const bl_sched_result_t *result, const sim_args_t *args, const xmlDoc *after)
{
    g_autofree char *placement = bl_sched_result_placement(result);
    g_autofree char *actions = bl_sched_result_actions(result);

    if (args->show == 0) {
        bl_cli_simulate_print_state("Current cluster status", bl_sched_result_state(result));
        printf("\n");
        print_summary(bl_sched_result_state(result), actions);
        print_revised(&args->options, after);
        return;
    }
    if (args->show & SHOW_PLACEMENT) {
        fputs(placement, stdout);
    }
    if (args->show & SHOW_ACTIONS) {
        fputs(actions, stdout);
    }
    if (args->show & SHOW_SCORES) {
        g_autofree char *scores = bl_sched_result_allocation_scores(result);

        fputs(scores, stdout);
    }
}

/* Events injected before the run, in command-line order, into DOC (our copy). */
static int
inject(xmlDoc *doc, const sim_args_t *args, char **err)
{
    int64_t now = args->options.now != 0 ? args->options.now : (int64_t) time(NULL);

    for (guint i = 0; i < args->injections->len; i++) {
        const injection_t *in = &g_array_index(args->injections, injection_t, i);
        int rc = in->kind == 'f' ? bl_sched_inject_op(doc, in->arg, now, err)
                                 : bl_sched_inject_node(doc, in->arg, in->kind == 'u', err);

        if (rc != 0) {
            bl_err_prefix(err, "--%s",
                          in->kind == 'f'   ? "fail"
                          : in->kind == 'u' ? "node-up"
                                            : "node-down");
            return rc;
        }
    }
    return 0;
}

/* Refuses an output path that cannot be written before anything is written. */
static int
check_writable(const char *path, char **err)
{
    g_autofree char *dir = NULL;
    struct stat st;

    if (path == NULL) {
        return 0;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        bl_err_set(err, "cannot write '%s': %s", path, strerror(EISDIR));
        return -EISDIR;
    }
    dir = g_path_get_dirname(path);
    if (access(dir, W_OK) != 0) {
        int errsv = errno;

        bl_err_set(err, "cannot write '%s': %s", path, strerror(errsv));
        return -errsv;
    }
    return 0;
}

static int
save_files(const bl_sched_result_t *result, const sim_args_t *args, const xmlDoc *after, char **err)
{
    int rc = 0;

    if (args->save_graph != NULL) {
        char *text = bl_xml_format(xmlDocGetRootElement(bl_sched_result_graph(result)));

        rc = bl_file_write_atomic(args->save_graph, text, strlen(text), err);
        free(text);
    }
    if (rc == 0 && args->save_output != NULL) {
        rc = bl_cib_save(args->save_output, after, err);
    }
    return rc;
}

/* Loads, injects, schedules and records; *after is the CIB with the results applied. */
static int
simulate(const char *path, sim_args_t *args, bl_sched_result_t **result, xmlDoc **after, char **err)
{
    xmlDoc *doc = NULL;
    int rc = bl_cib_load(path, &doc, err);

    if (rc == 0) {
        rc = inject(doc, args, err);
    }
    if (rc == 0) {
        rc = check_writable(args->save_graph, err);
    }
    if (rc == 0) {
        rc = check_writable(args->save_output, err);
    }
    if (rc != 0) {
        goto done;
    }
    /* Ask only for what the output needs: each costs time on large CIBs. */
    args->options.graph = args->save_graph != NULL || args->save_output != NULL || args->show == 0;
    args->options.state = args->show == 0;
    args->options.scores = (args->show & SHOW_SCORES) != 0;
    rc = bl_sched_run(doc, &args->options, result, err);
    if (rc == 0 && args->options.graph) {
        *after = xmlCopyDoc(doc, 1);
        rc = bl_sched_result_apply(*result, *after, err);
    }
    if (rc == 0) {
        rc = save_files(*result, args, *after, err);
    }
done:
    xmlFreeDoc(doc);
    return rc;
}

int
bl_cli_simulate_main(int argc, char **argv)
{
    sim_args_t args = {.injections = g_array_new(false, false, sizeof(injection_t))};
    bl_sched_result_t *result = NULL;
    xmlDoc *after = NULL;
    char *err = NULL;
    int rc = parse_args(argc, argv, &args);

    if (rc == 0) {
        rc = simulate(argv[optind], &args, &result, &after, &err);
        if (rc != 0) {
            fprintf(stderr, "simulate: %s: %s\n", argv[optind],
                    err != NULL ? err : bl_strerror(rc));
            rc = rc == BL_EUNSUPPORTED ? 3 : 1;
        } else {
            print_result(result, &args, after);
        }
    } else {
        rc = rc < 0 ? 0 : rc;
    }
    free(err);
    bl_sched_result_free(result);
    if (after != NULL) {
        xmlFreeDoc(after);
    }
    g_array_free(args.injections, true);
    return rc;
}
