/*
 * Allocation scores as crm_simulate -s prints them, recorded while resources are assigned
 * so that the lines can be compared one for one with Pacemaker's. Recording keeps numbers
 * only (a run on a large CIB must not pay for text nobody asks for); the text is made when
 * bl_sched_result_allocation_scores() is called.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

/* One resource's scores at one point of the assignment. */
typedef struct score_entry {
    const char *function; /* static string */
    char *rsc;
    GArray *scores; /* score_cell_t, nodes in name order, allowed nodes only */
} score_entry_t;

typedef struct score_cell {
    int node; /* index into the run's nodes */
    int score;
} score_cell_t;

struct bl_sched_score_log {
    GPtrArray *entries; /* score_entry_t * */
    GPtrArray *names;   /* node names (owned), by node index */
    int *by_name;       /* node indices in name order */
    int n_nodes;
};

static void
entry_free(gpointer data)
{
    score_entry_t *entry = data;

    g_free(entry->rsc);
    g_array_free(entry->scores, true);
    g_free(entry);
}

static bool
runs_on(const bl_srsc_t *rsc, const bl_snode_t *node)
{
    for (guint i = 0; i < rsc->running_on->len; i++) {
        if (g_ptr_array_index(rsc->running_on, i) == node) {
            return true;
        }
    }
    return false;
}

static gint
compare_names(gconstpointer a, gconstpointer b, gpointer data)
{
    bl_snode_t **nodes = data;

    return bl__sched_node_name_compare(nodes[*(const int *) a]->uname,
                                       nodes[*(const int *) b]->uname);
}

static struct bl_sched_score_log *
log_new(const bl_sched_t *s)
{
    struct bl_sched_score_log *log = g_new0(struct bl_sched_score_log, 1);

    log->entries = g_ptr_array_new_with_free_func(entry_free);
    log->names = g_ptr_array_new_with_free_func(g_free);
    log->by_name = g_new(int, (gsize) s->n_nodes + 1);
    log->n_nodes = s->n_nodes;
    for (int n = 0; n < s->n_nodes; n++) {
        g_ptr_array_add(log->names, g_strdup(s->nodes[n]->uname));
        log->by_name[n] = n;
    }
    g_qsort_with_data(log->by_name, s->n_nodes, sizeof(int), compare_names, s->nodes);
    return log;
}

/*
 * Scores as they stand, unavailable nodes included (they are filtered when a node is
 * chosen). An unmanaged resource stays where it runs: Pacemaker shows that as INFINITY.
 */
static void
log_one(bl_sched_t *s, const bl_srsc_t *rsc, const char *function)
{
    score_entry_t *entry;

    if (rsc->orphan) {
        return; /* stopped without being assigned */
    }
    entry = g_new0(score_entry_t, 1);
    entry->function = function;
    entry->rsc = g_strdup(rsc->id);
    entry->scores = g_array_sized_new(false, false, sizeof(score_cell_t), (guint) s->n_nodes);
    for (int i = 0; i < s->n_nodes; i++) {
        int n = s->score_log->by_name[i];
        score_cell_t cell = {.node = n, .score = rsc->scores[n]};

        if (!rsc->allowed[n]) {
            continue; /* not among the resource's allowed nodes (asymmetric cluster) */
        }
        if (rsc->kind == BL_RSC_PRIMITIVE && !rsc->managed && runs_on(rsc, s->nodes[n])) {
            cell.score = bl_score_add(cell.score, INF);
        }
        g_array_append_val(entry->scores, cell);
    }
    g_ptr_array_add(s->score_log->entries, entry);
}

void
bl__sched_scores_log(bl_sched_t *s, const bl_srsc_t *rsc, const char *function)
{
    if (!s->record_scores) {
        return;
    }
    if (s->score_log == NULL) {
        s->score_log = log_new(s);
    }
    log_one(s, rsc, function);
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        log_one(s, g_ptr_array_index(rsc->children, i), function);
    }
}

void
bl__sched_score_log_free(struct bl_sched_score_log *log)
{
    if (log == NULL) {
        return;
    }
    g_ptr_array_free(log->entries, true);
    g_ptr_array_free(log->names, true);
    g_free(log->by_name);
    g_free(log);
}

char *
bl_sched_result_allocation_scores(const bl_sched_result_t *result)
{
    const struct bl_sched_score_log *log = result->score_log;
    GString *out = g_string_new(NULL);
    char buf[BL_SCORE_BUFSZ];
    char *text;

    for (guint i = 0; log != NULL && i < log->entries->len; i++) {
        const score_entry_t *entry = g_ptr_array_index(log->entries, i);

        for (guint c = 0; c < entry->scores->len; c++) {
            const score_cell_t *cell = &g_array_index(entry->scores, score_cell_t, c);

            g_string_append_printf(out, "%s: %s allocation score on %s: %s\n", entry->function,
                                   entry->rsc,
                                   (const char *) g_ptr_array_index(log->names, cell->node),
                                   bl_score_format(cell->score, buf));
        }
    }
    text = bl_strdup(out->str);
    g_string_free(out, true);
    return text;
}
