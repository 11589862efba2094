/* The scheduler's entry point: one run from a CIB to a result, and the result's views. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched_private.h"

static void
action_free(gpointer data)
{
    bl_action_t *action = data;

    g_ptr_array_free(action->out, true);
    g_ptr_array_free(action->in, true);
    free(action);
}

void
bl__sched_free(bl_sched_t *s)
{
    if (s->actions != NULL) {
        g_ptr_array_free(s->actions, true);
    }
    if (s->edges != NULL) {
        g_ptr_array_free(s->edges, true);
    }
    if (s->colocs != NULL) {
        g_ptr_array_free(s->colocs, true);
    }
    if (s->all_rscs != NULL) {
        g_ptr_array_free(s->all_rscs, true);
    }
    if (s->assign_order != NULL) {
        g_ptr_array_free(s->assign_order, true);
    }
    bl__sched_score_log_free(s->score_log);
    g_ptr_array_free(s->resources, true);
    g_ptr_array_free(s->primitives, true);
    g_hash_table_destroy(s->rsc_by_id);
    g_hash_table_destroy(s->clone_of);
    if (s->rsc_defaults != NULL) {
        g_hash_table_destroy(s->rsc_defaults);
    }
    if (s->lrm_index != NULL) {
        g_hash_table_destroy(s->lrm_index);
    }
    bl__sched_nodes_free(s);
}

static int64_t
evaluation_time(const xmlDoc *cib, const bl_sched_options_t *options)
{
    const char *date = bl_xml_attr(xmlDocGetRootElement(cib), "execution-date");

    if (options != NULL && options->now != 0) {
        return options->now;
    }
    if (date != NULL && atoll(date) > 0) {
        return atoll(date);
    }
    return (int64_t) time(NULL);
}

/* Stickiness keeps a resource where it runs; migration-threshold bans where it failed. */
static void
apply_node_criteria(bl_sched_t *s)
{
    for (guint i = 0; i < s->primitives->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        if (rsc->managed && rsc->stickiness > 0 && rsc->running_on->len == 1) {
            bl_snode_t *node = g_ptr_array_index(rsc->running_on, 0);

            if (s->symmetric || rsc->allowed[node->index]) {
                bl__sched_rsc_location(rsc, node, rsc->stickiness, s->n_nodes);
            }
        }
        for (int n = 0; rsc->migration_threshold > 0 && !rsc->failure_ignored && n < s->n_nodes;
             n++) {
            int count = bl__sched_failcount(s, rsc, s->nodes[n]);

            if (count > 0 && count >= rsc->migration_threshold) {
                /* An anonymous instance's failures concern every instance there. */
                bl_srsc_t *clone = bl__sched_rsc_clone(rsc);
                bl_srsc_t *failed = clone != NULL && !clone->clone->unique ? clone : rsc;

                bl__sched_rsc_location(failed, s->nodes[n], -INF, s->n_nodes);
            }
        }
    }
}

static void
group_colocations(bl_sched_t *s)
{
    for (guint i = 0; i < s->all_rscs->len; i++) {
        bl_srsc_t *group = g_ptr_array_index(s->all_rscs, i);
        const char *colocated;

        if (group->kind != BL_RSC_GROUP) {
            continue;
        }
        colocated = g_hash_table_lookup(group->meta, "collocated");
        if (colocated != NULL && !bl__sched_true(colocated)) {
            continue;
        }
        for (guint m = 1; m < group->children->len; m++) {
            bl__sched_coloc_add(s, "group:internal_colocation",
                                g_ptr_array_index(group->children, m),
                                g_ptr_array_index(group->children, m - 1), INF);
        }
    }
}

static int
unpack_all(bl_sched_t *s)
{
    int rc = bl__sched_unpack_config(s);

    if (rc == 0) {
        rc = bl__sched_unpack_nodes(s);
    }
    if (rc == 0) {
        rc = bl__sched_unpack_resources(s);
    }
    if (rc == 0) {
        rc = bl__sched_unpack_utilization(s);
    }
    if (rc == 0) {
        rc = bl__sched_unpack_status(s);
    }
    if (rc == 0) {
        rc = bl__sched_unpack_locations(s);
    }
    if (rc == 0) {
        apply_node_criteria(s);
        rc = bl__sched_unpack_colocations(s);
    }
    return rc;
}

void
bl__sched_init(bl_sched_t *s, const xmlDoc *cib, const bl_sched_options_t *options, char **err)
{
    memset(s, 0, sizeof(*s));
    s->cib = cib;
    s->err = err;
    s->now = evaluation_time(cib, options);
    s->record_scores = options != NULL && options->scores;
    s->resources = g_ptr_array_new();
    s->primitives = g_ptr_array_new();
    s->rsc_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    s->clone_of = g_hash_table_new(g_str_hash, g_str_equal);
    s->all_rscs = g_ptr_array_new_with_free_func((GDestroyNotify) bl__sched_rsc_free);
    s->colocs = g_ptr_array_new_with_free_func(free);
    s->actions = g_ptr_array_new_with_free_func(action_free);
    s->edges = g_ptr_array_new_with_free_func(free);
}

int
bl_sched_run(const xmlDoc *cib, const bl_sched_options_t *options, bl_sched_result_t **result,
             char **err)
{
    bl_sched_t s;
    xmlNode *root = cib != NULL ? xmlDocGetRootElement(cib) : NULL;
    int rc;

    if (root == NULL || !bl_xml_is(root, "cib")) {
        bl_err_set(err, "not a CIB: the document's root element must be <cib>");
        return BL_EINVALID;
    }
    bl__sched_init(&s, cib, options, err);
    rc = unpack_all(&s);
    if (rc == 0) {
        group_colocations(&s);
        bl__sched_assign_all(&s);
        bl__sched_create_actions(&s);
        rc = bl__sched_unpack_orderings(&s);
    }
    if (rc == 0) {
        bl__sched_propagate(&s);
    }
    if (rc == 0) {
        *result = bl__sched_result_build(&s);
        if (options != NULL && options->state) {
            bl__sched_state_capture(&s, *result);
        }
        (*result)->score_log = s.score_log;
        s.score_log = NULL; /* now the result's */
        if (options != NULL && options->graph) {
            bl__sched_graph_build(&s, *result);
        }
    }
    bl__sched_free(&s);
    return rc;
}
