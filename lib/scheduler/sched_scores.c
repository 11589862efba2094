/*
 * Allocation scores as crm_simulate -s prints them, logged while resources are assigned,
 * so that the lines can be compared one for one with Pacemaker's.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static gint
compare_unames(gconstpointer a, gconstpointer b)
{
    return strcmp((*(bl_snode_t *const *) a)->uname, (*(bl_snode_t *const *) b)->uname);
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

/*
 * Scores as they stand, unavailable nodes included (they are filtered when a node is
 * chosen). An unmanaged resource stays where it runs: Pacemaker shows that as INFINITY.
 */
static void
log_one(bl_sched_t *s, const bl_srsc_t *rsc, const char *function, GPtrArray *nodes)
{
    char buf[BL_SCORE_BUFSZ];

    if (rsc->orphan) {
        return; /* stopped without being assigned */
    }
    for (guint i = 0; i < nodes->len; i++) {
        const bl_snode_t *node = g_ptr_array_index(nodes, i);
        int score = rsc->scores[node->index];

        if (!rsc->allowed[node->index]) {
            continue; /* not among the resource's allowed nodes (asymmetric cluster) */
        }
        if (rsc->kind == BL_RSC_PRIMITIVE && !rsc->managed && runs_on(rsc, node)) {
            score = bl_score_add(score, INF);
        }
        g_string_append_printf(s->score_log, "%s: %s allocation score on %s: %s\n", function,
                               rsc->id, node->uname, bl_score_format(score, buf));
    }
}

void
bl__sched_scores_log(bl_sched_t *s, const bl_srsc_t *rsc, const char *function)
{
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();

    if (s->score_log == NULL) {
        s->score_log = g_string_new(NULL);
    }
    for (int n = 0; n < s->n_nodes; n++) {
        g_ptr_array_add(nodes, s->nodes[n]);
    }
    g_ptr_array_sort(nodes, compare_unames);
    log_one(s, rsc, function, nodes);
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        log_one(s, g_ptr_array_index(rsc->children, i), function, nodes);
    }
}

char *
bl_sched_result_allocation_scores(const bl_sched_result_t *result)
{
    return bl_strdup(result->score_log);
}
