/*
 * The transition graph: what a controller executes, in Pacemaker's transition_graph
 * format. One synapse per action (rsc_op for an agent call, pseudo_event for an ordering
 * point such as a group's "running", crm_event for the controller's own work: fencing,
 * shutdown) with the actions that must complete first as its inputs.
 *
 * Besides the run's starts and stops it holds what only the executor and the controller
 * need: probes (monitor_0 where the resource's state on a node is unknown), recurring
 * monitors (after a start, where one configured is not running or runs with old
 * parameters, and role=Stopped monitors where the resource will not run), cancels, reloads,
 * history deletes, fail count clears, reprobes, fencing and shutdowns. Every ordering edge
 * of the run whose two ends are in the graph becomes an input, pseudo-actions keep the
 * chains between them, and the orderings Pacemaker adds only for execution (probes before
 * starts and restarts, anti-colocation, fencing) are added here.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sched_graph.h"

/* The feature set written into each action, as the Pacemaker version we follow does. */
#define GRAPH_FEATURE_SET "3.16.1"
#define DEFAULT_TIMEOUT_MS 20000

static const char *const task_names[] = {
    [BL_TASK_STOP] = "stop",
    [BL_TASK_START] = "start",
    [BL_TASK_STOPPED] = "stopped",
    [BL_TASK_RUNNING] = "running",
    [BL_TASK_MIGRATE_TO] = "migrate_to",
    [BL_TASK_MIGRATE_FROM] = "migrate_from",
    [BL_TASK_PROMOTE] = "promote",
    [BL_TASK_DEMOTE] = "demote",
    [BL_TASK_PROMOTED] = "promoted",
    [BL_TASK_DEMOTED] = "demoted",
};

static void
gop_free(gpointer data)
{
    gop_t *op = data;

    g_free(op->key);
    g_free(op->history_suffix);
    g_array_free(op->inputs, true);
    if (op->input_ids != NULL) {
        g_hash_table_destroy(op->input_ids);
    }
    if (op->meta != NULL) {
        g_hash_table_destroy(op->meta);
    }
    g_free(op);
}

gop_t *
bl__graph_op_add(graph_t *g, gop_kind_t kind, const bl_srsc_t *rsc, const char *task,
                 const bl_snode_t *node, uint64_t interval_ms)
{
    gop_t *op = g_new0(gop_t, 1);

    op->id = (int) g->ops->len;
    op->kind = kind;
    op->task = task;
    op->rsc = rsc;
    op->node = node;
    op->interval_ms = interval_ms;
    op->inputs = g_array_new(false, false, sizeof(int));
    if (rsc != NULL) {
        GPtrArray *list = g_hash_table_lookup(g->ops_of, rsc);

        if (list == NULL) {
            list = g_ptr_array_new();
            g_hash_table_insert(g->ops_of, (gpointer) rsc, list);
        }
        g_ptr_array_add(list, op);
        op->key = g_strdup_printf("%s_%s_%" PRIu64, rsc->id, task, interval_ms);
    }
    g_ptr_array_add(g->ops, op);
    return op;
}

/* Past this many inputs an action looks them up in a set: a shutdown or a fencing waits
 * for every stop on its node, and a scan per input would make that quadratic. */
#define INPUT_SCAN_MAX 16

void
bl__graph_input(gop_t *then, const gop_t *first)
{
    if (first == NULL || then == NULL || first == then) {
        return;
    }
    if (then->input_ids != NULL) {
        if (!g_hash_table_add(then->input_ids, GINT_TO_POINTER(first->id))) {
            return;
        }
        g_array_append_val(then->inputs, first->id);
        return;
    }
    for (guint i = 0; i < then->inputs->len; i++) {
        if (g_array_index(then->inputs, int, i) == first->id) {
            return;
        }
    }
    g_array_append_val(then->inputs, first->id);
    if (then->inputs->len > INPUT_SCAN_MAX) {
        then->input_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
        for (guint i = 0; i < then->inputs->len; i++) {
            g_hash_table_add(then->input_ids, GINT_TO_POINTER(g_array_index(then->inputs, int, i)));
        }
    }
}

gop_t *
bl__graph_op_of(graph_t *g, const bl_action_t *action)
{
    return action != NULL ? g_hash_table_lookup(g->by_action, action) : NULL;
}

void
bl__graph_meta_set(gop_t *op, const char *name, const char *value)
{
    if (op->meta == NULL) {
        op->meta = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    g_hash_table_insert(op->meta, g_strdup(name), g_strdup(value));
}

/* --------------------------------------------------------------- which actions */

static bl_task_t
member_task(bl_task_t task)
{
    return task == BL_TASK_RUNNING ? BL_TASK_START : task == BL_TASK_STOPPED ? BL_TASK_STOP : task;
}

/*
 * A require-all=false set's "one-or-more:SET" pseudo-action (optional, runnable while a
 * member can act) is in the graph once a member's action is required and runnable, as
 * Pacemaker's implies-then-printed ordering from each member marks it.
 */
static bool
one_or_more_printed(const bl_action_t *action)
{
    if (!(action->flags & BL_ACT_REQUIRES_ANY) || !(action->flags & BL_ACT_PSEUDO)
        || !(action->flags & BL_ACT_RUNNABLE)) {
        return false;
    }
    for (guint i = 0; i < action->in->len; i++) {
        const bl_order_edge_t *edge = g_ptr_array_index(action->in, i);

        if ((edge->flags & BL_ORD_ONE_OR_MORE) && bl__sched_action_happens(edge->first)) {
            return true;
        }
    }
    return false;
}

static gop_t *
one_or_more_add(graph_t *g, const bl_action_t *action)
{
    gop_t *op = bl__graph_op_add(g, GOP_PSEUDO, NULL, NULL, NULL, 0);

    op->key = g_strdup(action->rsc->id);
    op->task = op->key;
    return op;
}

static void
add_primitive_actions(graph_t *g)
{
    for (guint i = 0; i < g->s->actions->len; i++) {
        bl_action_t *action = g_ptr_array_index(g->s->actions, i);
        gop_t *op = NULL;

        if (action->rsc->kind != BL_RSC_PRIMITIVE) {
            continue;
        }
        if (bl__sched_action_executes(action)) {
            op = bl__graph_op_add(g, GOP_RSC, action->rsc, task_names[action->task], action->node,
                                  0);
        } else if (bl__sched_action_happens(action) && (action->flags & BL_ACT_PSEUDO)) {
            op = bl__graph_op_add(g, GOP_PSEUDO, action->rsc, task_names[action->task],
                                  action->node, 0);
        } else if (one_or_more_printed(action)) {
            op = one_or_more_add(g, action);
        }
        if (op != NULL) {
            g_hash_table_insert(g->by_action, action, op);
        }
    }
}

/* A group's pseudo-action is in the graph when one of its members acts accordingly. */
static void
add_group_actions(graph_t *g)
{
    for (guint i = 0; i < g->s->actions->len; i++) {
        bl_action_t *action = g_ptr_array_index(g->s->actions, i);
        bl_task_t task = member_task(action->task);
        bool needed = false;

        if (action->rsc->kind != BL_RSC_GROUP) {
            continue;
        }
        for (guint m = 0; m < action->rsc->children->len && !needed; m++) {
            const bl_srsc_t *member = g_ptr_array_index(action->rsc->children, m);

            for (guint a = 0; a < member->actions->len && !needed; a++) {
                bl_action_t *ma = g_ptr_array_index(member->actions, a);

                needed = ma->task == task && g_hash_table_contains(g->by_action, ma);
            }
        }
        /* (a group is not running while one of its members cannot start) */
        if (needed
            && (action->task != BL_TASK_RUNNING
                || (bl__sched_action_flags(action) & BL_ACT_RUNNABLE))) {
            g_hash_table_insert(
                g->by_action, action,
                bl__graph_op_add(g, GOP_PSEUDO, action->rsc, task_names[action->task], NULL, 0));
        }
    }
}

static bool
has_utilization(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    for (int i = 0; rsc->utilization != NULL && i < s->n_util; i++) {
        if (rsc->utilization[i] != BL_UTIL_NONE) {
            return true;
        }
    }
    return false;
}

/*
 * Records the migrations' load orderings (migrate_to -> its load_stopped event, LOADED) in
 * the order their resources were assigned, which is the order Pacemaker creates their
 * actions in (break_load_loops() checks them from the last one).
 */
static void
load_migrations_record(graph_t *g, GHashTable *loaded)
{
    g_autoptr(GPtrArray) leaves = g_ptr_array_new();

    if (g_hash_table_size(loaded) == 0) {
        return;
    }
    for (guint i = 0; i < g->s->assign_order->len; i++) {
        g_ptr_array_set_size(leaves, 0);
        bl__graph_leaves(g_ptr_array_index(g->s->assign_order, i), leaves);
        for (guint l = 0; l < leaves->len; l++) {
            GPtrArray *ops = g_hash_table_lookup(g->ops_of, g_ptr_array_index(leaves, l));

            for (guint o = 0; ops != NULL && o < ops->len; o++) {
                const gop_t *op = g_ptr_array_index(ops, o);
                const gop_t *load = g_hash_table_lookup(loaded, op);

                if (load != NULL) {
                    g_array_append_val(g->load_migrations, op->id);
                    g_array_append_val(g->load_migrations, load->id);
                }
            }
        }
    }
}

/*
 * With a placement strategy, what stops on a node frees capacity that what starts there
 * may need: a "load_stopped_NODE" pseudo-event (one per node a resource with utilization
 * may use) comes after such resources' stops on NODE and before their starts there (and
 * their migrations towards it).
 */
static void
add_load_events(graph_t *g)
{
    bl_sched_t *s = g->s;
    g_autofree gop_t **load = NULL;
    g_autoptr(GHashTable) loaded = NULL;

    if (s->placement == BL_PLACE_DEFAULT) {
        return;
    }
    loaded = g_hash_table_new(g_direct_hash, g_direct_equal);
    load = bl_calloc((size_t) s->n_nodes + 1, sizeof(*load));
    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        for (int n = 0; has_utilization(s, rsc) && n < s->n_nodes; n++) {
            if (load[n] == NULL
                && (rsc->allowed[n] || g_ptr_array_find(rsc->running_on, s->nodes[n], NULL))) {
                load[n] = bl__graph_op_add(g, GOP_PSEUDO, NULL, "load_stopped", NULL, 0);
                load[n]->key = g_strdup_printf("load_stopped_%s", s->nodes[n]->uname);
                load[n]->task = load[n]->key;
            }
        }
    }
    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        for (guint a = 0; has_utilization(s, rsc) && a < rsc->actions->len; a++) {
            const bl_action_t *action = g_ptr_array_index(rsc->actions, a);
            gop_t *op = bl__graph_op_of(g, action);

            if (op == NULL || op->kind == GOP_CRM || action->node == NULL) {
                continue;
            }
            if (action->task == BL_TASK_STOP) {
                bl__graph_input(load[action->node->index], op);
            } else if (action->task == BL_TASK_START) {
                bl__graph_input(op, load[action->node->index]);
            } else if (action->task == BL_TASK_MIGRATE_TO && rsc->assigned != NULL) {
                bl__graph_input(op, load[rsc->assigned->index]);
                g_hash_table_insert(loaded, op, load[rsc->assigned->index]);
            }
        }
    }
    load_migrations_record(g, loaded);
}

/* True when FROM waits, directly or through others, for TARGET (SEEN: ids visited). */
static bool
waits_for(const graph_t *g, int from, int target, GArray *stack, bool *seen)
{
    g_array_set_size(stack, 0);
    g_array_append_val(stack, from);
    while (stack->len > 0) {
        const gop_t *op = g_ptr_array_index(g->ops, g_array_index(stack, int, stack->len - 1));

        g_array_set_size(stack, stack->len - 1);
        for (guint i = 0; i < op->inputs->len; i++) {
            int id = g_array_index(op->inputs, int, i);

            if (id == target) {
                return true;
            }
            if (!seen[id]) {
                seen[id] = true;
                g_array_append_val(stack, id);
            }
        }
    }
    return false;
}

/* Drops THEN's input FIRST. */
static void
input_drop(gop_t *then, int first)
{
    for (guint i = 0; i < then->inputs->len; i++) {
        if (g_array_index(then->inputs, int, i) == first) {
            g_array_remove_index(then->inputs, i);
            break;
        }
    }
    if (then->input_ids != NULL) {
        g_hash_table_remove(then->input_ids, GINT_TO_POINTER(first));
    }
}

/*
 * Two resources migrating towards each other's node would wait for each other through
 * the nodes' load_stopped events (A's migrate_to after load_stopped on B's node, after B's
 * stop there, after B's migration, after load_stopped on A's node, after A's stop, after
 * A's migration). As Pacemaker does, a migration's load ordering that closes such a loop
 * is dropped, in the order the migrations were added; the first one breaks the loop.
 */
static void
break_load_loops(graph_t *g)
{
    g_autoptr(GArray) stack = NULL;
    g_autofree bool *seen = NULL;

    if (g->load_migrations->len == 0) {
        return;
    }
    stack = g_array_new(false, false, sizeof(int));
    seen = bl_calloc(g->ops->len, sizeof(*seen));
    for (guint i = g->load_migrations->len; i >= 2; i -= 2) {
        int migrate = g_array_index(g->load_migrations, int, i - 2);
        int loaded = g_array_index(g->load_migrations, int, i - 1);

        memset(seen, 0, g->ops->len * sizeof(*seen));
        if (waits_for(g, loaded, migrate, stack, seen)) {
            input_drop(g_ptr_array_index(g->ops, migrate), loaded);
        }
    }
}

/* A changed definition is reloaded where the resource keeps running without a restart
 * (the "reload" lines of the normalized actions). */
static void
add_reloads(graph_t *g, GHashTable *reloads)
{
    for (guint i = 0; i < g->s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(g->s->primitives, i);

        for (guint n = 0; rsc->managed && n < rsc->reload_on->len; n++) {
            const bl_snode_t *node = g_ptr_array_index(rsc->reload_on, n);
            bl_action_t *stop = bl__sched_action_find(rsc, BL_TASK_STOP, node);
            gop_t *reload;

            if (rsc->assigned != node
                || (stop != NULL && g_hash_table_contains(g->by_action, stop))) {
                continue;
            }
            reload = bl__graph_op_add(g, GOP_RSC, rsc, "reload-agent", node, 0);
            g_hash_table_insert(reloads, g_strdup_printf("%s@%s", rsc->id, node->uname), reload);
        }
    }
}

/* ---------------------------------------------------------- history on a node */

/* The lrm_resource elements of NODE's node_state (the first matching its id or uname) by
 * id, the first of each id winning as in a scan; NULL when NODE has no node_state. */
static GHashTable *
node_histories(const bl_sched_t *s, const bl_snode_t *node)
{
    xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

    for (xmlNode *ns = bl_xml_first_child(status, "node_state"); ns != NULL;
         ns = bl_xml_next(ns, "node_state")) {
        const char *id = bl_xml_attr(ns, "id");
        const char *uname = bl_xml_attr(ns, "uname");
        xmlNode *list = bl_xml_first_child(bl_xml_first_child(ns, "lrm"), "lrm_resources");
        GHashTable *by_id;

        if (!((id != NULL && strcmp(id, node->id) == 0)
              || (uname != NULL && strcmp(uname, node->uname) == 0))) {
            continue;
        }
        by_id = g_hash_table_new(g_str_hash, g_str_equal);
        for (xmlNode *h = bl_xml_first_child(list, "lrm_resource"); h != NULL;
             h = bl_xml_next(h, "lrm_resource")) {
            const char *rsc_id = bl_xml_attr(h, "id");

            if (rsc_id != NULL && !g_hash_table_contains(by_id, rsc_id)) {
                g_hash_table_insert(by_id, (gpointer) rsc_id, h);
            }
        }
        return by_id;
    }
    return NULL;
}

/* The lrm_resource recording resource ID on NODE, or NULL. Looked up once per (resource,
 * node) and more: a scan per lookup made the graph quadratic in the resources. */
static const xmlNode *
lrm_resource(graph_t *g, const char *id, const bl_snode_t *node)
{
    GHashTable *by_id;

    if (!g_hash_table_lookup_extended(g->histories, node, NULL, (gpointer *) &by_id)) {
        by_id = node_histories(g->s, node);
        g_hash_table_insert(g->histories, (gpointer) node, by_id);
    }
    return by_id != NULL ? g_hash_table_lookup(by_id, id) : NULL;
}

/* The history of RSC on NODE; an anonymous instance known there may find it recorded under
 * another instance number (the controller's) or the configured id. */
static const xmlNode *
instance_history(graph_t *g, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    const xmlNode *history = NULL;
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    /* active on NODE: by the history that shows it active, which may be another instance
     * number's next to a stopped one under its own (the unpacker matched both to it) */
    if (rsc->history_id != NULL && g_ptr_array_find(rsc->running_on, node, NULL)) {
        history = lrm_resource(g, rsc->history_id, node);
    }
    history = history != NULL ? history : lrm_resource(g, rsc->id, node);

    if (history != NULL || clone == NULL || clone->clone->unique || rsc->base_id == NULL
        || !g_ptr_array_find(rsc->known_on, node, NULL)) {
        return history;
    }
    for (int i = 0; i <= clone->clone->clone_max + 8 && history == NULL; i++) {
        g_autofree char *id =
            i == 0 ? g_strdup(rsc->base_id) : g_strdup_printf("%s:%d", rsc->base_id, i - 1);

        history = lrm_resource(g, id, node);
    }
    return history;
}

/* The member of INSTANCE (or INSTANCE itself) configured as BASE, or NULL. */
static const bl_srsc_t *
instance_member(const bl_srsc_t *instance, const char *base)
{
    if (instance->kind == BL_RSC_PRIMITIVE) {
        return instance->base_id != NULL && strcmp(instance->base_id, base) == 0 ? instance : NULL;
    }
    for (guint i = 0; instance->children != NULL && i < instance->children->len; i++) {
        const bl_srsc_t *member = instance_member(g_ptr_array_index(instance->children, i), base);

        if (member != NULL) {
            return member;
        }
    }
    return NULL;
}

/* An anonymous clone is probed once per node, by the instance assigned there (else its
 * first instance), and not at all where any instance has a history. */
static bool
anonymous_probe_skipped(const bl_srsc_t *rsc, const bl_snode_t *node)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);
    const bl_srsc_t *chosen = NULL;

    if (clone == NULL || clone->clone->unique || rsc->base_id == NULL) {
        return false;
    }
    for (guint i = 0; i < clone->children->len; i++) {
        const bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
        const bl_srsc_t *member = instance_member(instance, rsc->base_id);

        if (member != NULL && g_ptr_array_find(member->known_on, node, NULL)) {
            return true;
        }
        if (chosen == NULL && bl__sched_instance_node(instance, false) == node) {
            chosen = member;
        }
    }
    if (chosen == NULL) {
        chosen = instance_member(g_ptr_array_index(clone->children, 0), rsc->base_id);
    }
    return chosen != rsc;
}

static int
call_id_of(const xmlNode *op)
{
    const char *value = bl_xml_attr(op, "call-id");

    return value != NULL ? atoi(value) : -1;
}

static gint
compare_ops(gconstpointer a, gconstpointer b)
{
    int x = call_id_of(*(const xmlNode *const *) a);
    int y = call_id_of(*(const xmlNode *const *) b);

    return (x < 0 || y < 0) ? (y < 0) - (x < 0) : (x > y) - (x < y);
}

static uint64_t
op_interval(const xmlNode *op)
{
    const char *value = bl_xml_attr(op, "interval");

    return value != NULL ? strtoull(value, NULL, 10) : 0;
}

/*
 * Recurring operations that run on NODE: those recorded since the last start (or since a
 * probe found it running), as Pacemaker's unpacker keeps them: "TASK_INTERVAL" -> its
 * lrm_rsc_op (borrowed).
 */
static GHashTable *
active_recurring(const xmlNode *history)
{
    GHashTable *active = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) ops = g_ptr_array_new();
    int start = -1;
    int stop = -1;
    int implied = -1;
    int role_change = -1;

    for (xmlNode *op = bl_xml_first_child(history, "lrm_rsc_op"); op != NULL;
         op = bl_xml_next(op, "lrm_rsc_op")) {
        if (bl_xml_attr(op, "operation") != NULL) {
            g_ptr_array_add(ops, op);
        }
    }
    g_ptr_array_sort(ops, compare_ops);
    for (guint i = 0; i < ops->len; i++) {
        const xmlNode *op = g_ptr_array_index(ops, i);
        const char *task = bl_xml_attr(op, "operation");
        const char *rc = bl_xml_attr(op, "rc-code");
        const char *status = bl_xml_attr(op, "op-status");

        if (strcmp(task, "stop") == 0 && status != NULL && strcmp(status, "0") == 0) {
            stop = (int) i;
        } else if (strcmp(task, "start") == 0 || strcmp(task, "migrate_from") == 0) {
            start = (int) i;
        } else if (implied <= stop && strcmp(task, "monitor") == 0 && rc != NULL
                   && (strcmp(rc, "0") == 0 || strcmp(rc, "8") == 0)) {
            implied = (int) i;
        } else if (strcmp(task, "promote") == 0 || strcmp(task, "demote") == 0) {
            role_change = (int) i;
        }
    }
    /* without a start, a promotion or demotion (else a monitor that found it running)
     * tells since when it runs, as Pacemaker's calculate_active_ops() */
    start = start != -1 ? start : role_change != -1 ? role_change : implied;
    for (guint i = 0; i < ops->len; i++) {
        const xmlNode *op = g_ptr_array_index(ops, i);
        const char *status = bl_xml_attr(op, "op-status");

        if ((start < stop && (int) i <= stop) || (int) i < start || op_interval(op) == 0
            || (status != NULL && strcmp(status, "-1") == 0)) {
            continue;
        }
        g_hash_table_insert(
            active, g_strdup_printf("%s_%" PRIu64, bl_xml_attr(op, "operation"), op_interval(op)),
            (gpointer) op);
    }
    return active;
}

/* ------------------------------------------------------------------ probes */

/* The "RSC NODE" pairs of the location constraints with resource-discovery=never. */
static GHashTable *
undiscovered_pairs(const bl_sched_t *s)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *constraints = bl_xml_first_child(config, "constraints");
    GHashTable *pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (xmlNode *c = bl_xml_first_child(constraints, "rsc_location"); c != NULL;
         c = bl_xml_next(c, "rsc_location")) {
        const char *target = bl_xml_attr(c, "rsc");
        const char *where = bl_xml_attr(c, "node");
        const char *discovery = bl_xml_attr(c, "resource-discovery");

        if (target != NULL && where != NULL && discovery != NULL
            && strcmp(discovery, "never") == 0) {
            g_hash_table_add(pairs, g_strdup_printf("%s %s", target, where));
        }
    }
    return pairs;
}

/* resource-discovery=never in a location constraint for RSC (or its group) on NODE. */
static bool
discovery_disabled(graph_t *g, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    g_autofree char *own = NULL;
    g_autofree char *parent = NULL;

    if (g->undiscovered == NULL) {
        g->undiscovered = undiscovered_pairs(g->s);
    }
    if (g_hash_table_size(g->undiscovered) == 0) {
        return false;
    }
    own = g_strdup_printf("%s %s", rsc->id, node->uname);
    parent = rsc->parent != NULL ? g_strdup_printf("%s %s", rsc->parent->id, node->uname) : NULL;
    return g_hash_table_contains(g->undiscovered, own)
           || (parent != NULL && g_hash_table_contains(g->undiscovered, parent));
}

/* A boolean cluster option the run does not keep (DEFAULT when unset). */
static bool
cluster_flag(const bl_sched_t *s, const char *option, bool fallback)
{
    xmlNode *config = bl_xml_first_child(xmlDocGetRootElement(s->cib), "configuration");
    xmlNode *crm_config = bl_xml_first_child(config, "crm_config");

    for (xmlNode *set = bl_xml_first_child(crm_config, "cluster_property_set"); set != NULL;
         set = bl_xml_next(set, "cluster_property_set")) {
        for (xmlNode *nv = bl_xml_first_child(set, "nvpair"); nv != NULL;
             nv = bl_xml_next(nv, "nvpair")) {
            const char *name = bl_xml_attr(nv, "name");

            if (name != NULL && strcmp(name, option) == 0) {
                return bl__sched_true(bl_xml_attr(nv, "value"));
            }
        }
    }
    return fallback;
}

/* Probes where the resource's state is unknown: no history on an online node. */
static void
add_probes(graph_t *g, GHashTable *probes)
{
    bl_sched_t *s = g->s;

    if (!cluster_flag(s, "enable-startup-probes", true) || s->maintenance_mode) {
        return;
    }
    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        for (int n = 0; !rsc->orphan && n < s->n_nodes; n++) {
            const bl_snode_t *node = s->nodes[n];
            gop_t *probe;

            /* (a node that has not joined yet cannot run one: Pacemaker leaves it out) */
            if (!node->online || node->unclean || node->maintenance || node->pending
                || lrm_resource(g, rsc->id, node) != NULL || discovery_disabled(g, rsc, node)
                || anonymous_probe_skipped(rsc, node)) {
                continue;
            }
            probe = bl__graph_op_add(g, GOP_RSC, rsc, "monitor", node, 0);
            probe->probe = true;
            g_hash_table_insert(probes, g_strdup_printf("%s@%s", rsc->id, node->uname), probe);
        }
    }
}

/* ------------------------------------------------------------ recurring monitors */

static gop_t *
rsc_op_on(graph_t *g, const bl_srsc_t *rsc, bl_task_t task, const bl_snode_t *node)
{
    bl_action_t *action = bl__sched_action_find(rsc, task, node);
    gop_t *op = action != NULL ? g_hash_table_lookup(g->by_action, action) : NULL;

    return op != NULL && op->kind == GOP_RSC ? op : NULL;
}

/* Where RSC runs once the transition is done (started there, or running and not stopped). */
static bool
runs_after(graph_t *g, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    if (rsc_op_on(g, rsc, BL_TASK_START, node) != NULL
        || rsc_op_on(g, rsc, BL_TASK_MIGRATE_FROM, node) != NULL) {
        return true;
    }
    if (rsc_op_on(g, rsc, BL_TASK_STOP, node) != NULL) {
        return false;
    }
    for (guint i = 0; i < rsc->running_on->len; i++) {
        if (g_ptr_array_index(rsc->running_on, i) == node) {
            return true;
        }
    }
    return false;
}

typedef struct monitor_config {
    uint64_t interval_ms;
    bool stopped_role;
    bl_role_t role; /* BL_ROLE_PROMOTED or _UNPROMOTED for a promotable's role monitor, else 0 */
} monitor_config_t;

/* Does a monitor for role ROLE (0: any) watch RSC in the role it has after the transition? */
static bool
role_matches(const bl_srsc_t *rsc, bl_role_t role)
{
    if (role == BL_ROLE_PROMOTED) {
        return rsc->next_role == BL_ROLE_PROMOTED;
    }
    return role != BL_ROLE_UNPROMOTED || rsc->next_role != BL_ROLE_PROMOTED;
}

/* Is the operation TASK with INTERVAL_MS configured more than once for RSC? Pacemaker
 * then schedules neither (one operation key cannot name two monitors). */
static bool
op_configured_twice(const bl_srsc_t *rsc, const char *task, uint64_t interval_ms)
{
    xmlNode *ops = rsc->xml != NULL ? bl_xml_first_child(rsc->xml, "operations") : NULL;
    int count = 0;

    for (xmlNode *op = bl_xml_first_child(ops, "op"); op != NULL && count < 2;
         op = bl_xml_next(op, "op")) {
        const char *name = bl_xml_attr(op, "name");
        const char *interval = bl_xml_attr(op, "interval");
        uint64_t ms = 0;

        if (name != NULL && strcmp(name, task) == 0
            && (interval == NULL || bl_duration_parse_ms(interval, &ms, NULL) == 0)
            && ms == interval_ms) {
            count++;
        }
    }
    return count > 1;
}

/* The enabled recurring monitors of RSC for role Started (or unset) and Stopped. */
static GArray *
monitors_of(const bl_srsc_t *rsc)
{
    GArray *list = g_array_new(false, false, sizeof(monitor_config_t));
    xmlNode *ops = rsc->xml != NULL ? bl_xml_first_child(rsc->xml, "operations") : NULL;

    for (xmlNode *op = bl_xml_first_child(ops, "op"); op != NULL; op = bl_xml_next(op, "op")) {
        const char *name = bl_xml_attr(op, "name");
        const char *interval = bl_xml_attr(op, "interval");
        const char *role = bl_xml_attr(op, "role");
        const char *enabled = bl_xml_attr(op, "enabled");
        monitor_config_t m = {0};

        if (name == NULL || strcmp(name, "monitor") != 0 || interval == NULL
            || bl_duration_parse_ms(interval, &m.interval_ms, NULL) != 0 || m.interval_ms == 0
            || (enabled != NULL && !bl__sched_true(enabled))
            || op_configured_twice(rsc, name, m.interval_ms)) {
            continue;
        }
        if (role != NULL && strcmp(role, "Stopped") != 0 && strcmp(role, "Started") != 0) {
            /* promoted/unpromoted monitors belong to promotable clones */
            if (bl__sched_rsc_clone(rsc) == NULL || !bl__sched_rsc_clone(rsc)->clone->promotable
                || !bl__sched_role_parse(role, &m.role)) {
                continue;
            }
        }
        if (role != NULL && strcmp(role, "Started") == 0 && bl__sched_rsc_clone(rsc) != NULL
            && bl__sched_rsc_clone(rsc)->clone->promotable) {
            continue; /* a promotable's instances are promoted or unpromoted, never "started" */
        }
        m.stopped_role = role != NULL && strcmp(role, "Stopped") == 0;
        if (m.role == 0 && !m.stopped_role && bl__sched_rsc_clone(rsc) != NULL
            && bl__sched_rsc_clone(rsc)->clone->promotable) {
            m.role = BL_ROLE_UNPROMOTED; /* as Pacemaker: not the promoted instance's */
        }
        g_array_append_val(list, m);
    }
    return list;
}

static uint64_t timeout_ms(bl_sched_t *s, const gop_t *op);

/* A running recurring monitor whose recorded parameters differ from today's is replaced. */
static bool
definition_changed(graph_t *g, const bl_srsc_t *rsc, const xmlNode *op, const monitor_config_t *m)
{
    const char *recorded = bl_xml_attr(op, "op-digest");
    gop_t probe = {.rsc = rsc, .task = "monitor", .interval_ms = m->interval_ms};
    g_autofree char *digest = NULL;

    if (recorded == NULL || m->stopped_role) {
        return false; /* unknown: leave it */
    }
    digest = bl__sched_recurring_digest(
        g->s, rsc, bl__sched_op_config(rsc, "monitor", m->interval_ms), timeout_ms(g->s, &probe));
    return strcmp(digest, recorded) != 0;
}

typedef struct side_ops {
    GHashTable *probes;  /* "RSC@NODE" -> probe */
    GHashTable *reloads; /* "RSC@NODE" -> reload-agent */
} side_ops_t;

static void
monitor_on(graph_t *g, const bl_srsc_t *rsc, const bl_snode_t *node, const monitor_config_t *m,
           const side_ops_t *side)
{
    g_autoptr(GHashTable) active = active_recurring(instance_history(g, rsc, node));
    g_autofree char *key = g_strdup_printf("monitor_%" PRIu64, m->interval_ms);
    g_autofree char *probe_key = g_strdup_printf("%s@%s", rsc->id, node->uname);
    gop_t *reload = g_hash_table_lookup(side->reloads, probe_key);
    gop_t *start = reload != NULL ? reload : rsc_op_on(g, rsc, BL_TASK_START, node);
    bl_action_t *pseudo_start = bl__sched_action_find(rsc, BL_TASK_START, node);
    gop_t *stop = rsc_op_on(g, rsc, BL_TASK_STOP, node);
    bool running = runs_after(g, rsc, node);
    gop_t *monitor;

    gop_t *role_change = rsc_op_on(g, rsc, BL_TASK_PROMOTE, node);

    if (start == NULL && pseudo_start != NULL && rsc_op_on(g, rsc, BL_TASK_MIGRATE_FROM, node)) {
        /* a migration's start is a pseudo-action after migrate_from */
        start = g_hash_table_lookup(g->by_action, pseudo_start);
    }

    if (running == m->stopped_role || (running && node != rsc->assigned)) {
        return; /* monitors follow the node it is assigned to (one of several if active twice) */
    }
    if (running && !role_matches(rsc, m->role)) {
        return; /* a promoted monitor watches only the promoted instance, and so on */
    }
    role_change = role_change != NULL ? role_change : rsc_op_on(g, rsc, BL_TASK_DEMOTE, node);
    if (start == NULL && stop == NULL && (m->role == 0 || role_change == NULL)
        && g_hash_table_contains(active, key)
        && !(bl__sched_node_available(node)
             && definition_changed(g, rsc, g_hash_table_lookup(active, key), m))) {
        /* already runs with this interval and these parameters (Pacemaker checks
         * parameters only where resources may run) */
        return;
    }
    monitor = bl__graph_op_add(g, GOP_RSC, rsc, "monitor", node, m->interval_ms);
    monitor->stopped_role = m->stopped_role;
    bl__graph_input(monitor, running ? start : stop);
    if (running && m->role != 0) {
        bl__graph_input(monitor, role_change);
    }
    if (m->stopped_role) {
        bl__graph_input(monitor, g_hash_table_lookup(side->probes, probe_key));
    }
}

static void
add_monitors(graph_t *g, const side_ops_t *side)
{
    bl_sched_t *s = g->s;

    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);
        g_autoptr(GArray) monitors = NULL;

        if (rsc->orphan || rsc->blocked
            || bl__sched_true(g_hash_table_lookup(rsc->meta, "maintenance"))
            || s->maintenance_mode) {
            continue;
        }
        monitors = monitors_of(rsc);
        for (int n = 0; monitors->len > 0 && n < s->n_nodes; n++) {
            const bl_snode_t *node = s->nodes[n];

            if (!node->online || node->unclean || node->maintenance) {
                continue;
            }
            for (guint m = 0; m < monitors->len; m++) {
                monitor_on(g, rsc, node, &g_array_index(monitors, monitor_config_t, m), side);
            }
        }
    }
}

/* --------------------------------------------------------------------- cancels */

/* Must the recurring operation OP, running on NODE, be cancelled? */
static bool
must_cancel(graph_t *g, const bl_srsc_t *rsc, const bl_snode_t *node, const xmlNode *op)
{
    const char *task = bl_xml_attr(op, "operation");
    const xmlNode *config = bl__sched_op_config(rsc, task, op_interval(op));
    const char *role = bl_xml_attr(config, "role");
    const char *enabled = bl_xml_attr(config, "enabled");
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);
    bl_role_t r;

    if (role == NULL && clone != NULL && clone->clone->promotable) {
        role = "Unpromoted"; /* a promotable's role-less monitor watches unpromoted ones */
    }
    if (config == NULL || (enabled != NULL && !bl__sched_true(enabled))) {
        /* no longer configured (stop-orphan-actions=false keeps it running) */
        return cluster_flag(g->s, "stop-orphan-actions", true);
    }
    if (g->s->maintenance_mode || bl__sched_true(g_hash_table_lookup(rsc->meta, "maintenance"))) {
        return true; /* in maintenance nothing is watched */
    }
    if (op_configured_twice(rsc, task, op_interval(op))) {
        return false; /* neither configuration is scheduled, so neither role counts */
    }
    /* a role=Stopped monitor stops where the resource comes to run; a role=Promoted one
     * where the instance is demoted, a role=Unpromoted one where it is promoted */
    if (role != NULL && bl__sched_role_parse(role, &r) && r >= BL_ROLE_UNPROMOTED
        && runs_after(g, rsc, node) && node == rsc->assigned) {
        return !role_matches(rsc, r);
    }
    return role != NULL && strcmp(role, "Stopped") == 0 && runs_after(g, rsc, node)
           && node == rsc->assigned;
}

static bool
stopped_role(const bl_srsc_t *rsc, const xmlNode *op)
{
    const xmlNode *config = bl__sched_op_config(rsc, bl_xml_attr(op, "operation"), op_interval(op));
    const char *role = bl_xml_attr(config, "role");

    return role != NULL && strcmp(role, "Stopped") == 0;
}

static void
cancel_on(graph_t *g, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    g_autoptr(GHashTable) active = active_recurring(instance_history(g, rsc, node));
    g_autoptr(GList) keys = g_list_sort(g_hash_table_get_keys(active), (GCompareFunc) strcmp);

    for (GList *iter = keys; iter != NULL; iter = iter->next) {
        const xmlNode *op = g_hash_table_lookup(active, iter->data);
        gop_t *cancel;

        if (!must_cancel(g, rsc, node, op)) {
            continue;
        }
        cancel = bl__graph_op_add(g, GOP_RSC, rsc, "cancel", node, op_interval(op));
        g_free(cancel->key);
        cancel->key = g_strdup_printf("%s_%s", rsc->id, (const char *) iter->data);
        cancel->cancelled = op;
        if (!stopped_role(rsc, op)) {
            bl__graph_input(cancel, rsc_op_on(g, rsc, BL_TASK_STOP, node));
        }
        /* a monitor of the role an instance leaves ends before its promotion or demotion */
        bl__graph_input(rsc_op_on(g, rsc, BL_TASK_PROMOTE, node), cancel);
        bl__graph_input(rsc_op_on(g, rsc, BL_TASK_DEMOTE, node), cancel);
        /* a role=Stopped monitor ends before the start there and the monitors that follow */
        for (guint i = 0; stopped_role(rsc, op) && rsc_op_on(g, rsc, BL_TASK_START, node) != NULL
                          && i < g->ops->len;
             i++) {
            gop_t *then = g_ptr_array_index(g->ops, i);

            if (then->rsc == rsc && then->node == node && then->kind == GOP_RSC
                && (strcmp(then->task, "start") == 0
                    || (strcmp(then->task, "monitor") == 0 && then->interval_ms > 0))) {
                bl__graph_input(then, cancel);
            }
        }
    }
}

static void
add_cancels(graph_t *g)
{
    for (guint i = 0; i < g->s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(g->s->primitives, i);

        for (int n = 0; !rsc->orphan && n < g->s->n_nodes; n++) {
            const bl_snode_t *node = g->s->nodes[n];

            /* as Pacemaker, only where resources may run (or maintenance stops watching) */
            if (node->maintenance || bl__sched_node_available(node)) {
                cancel_on(g, rsc, node);
            }
        }
    }
}

/* --------------------------------------------------------------------- deletes */

/* Does the history on a node name another agent than the configuration? */
static bool
agent_changed(const bl_srsc_t *rsc, const xmlNode *history)
{
    static const char *const names[] = {"class", "provider", "type"};

    for (size_t i = 0; rsc->xml != NULL && i < G_N_ELEMENTS(names); i++) {
        const char *configured = bl_xml_attr(rsc->xml, names[i]);
        const char *recorded = bl_xml_attr(history, names[i]);

        if ((configured == NULL) != (recorded == NULL)
            || (configured != NULL && strcmp(configured, recorded) != 0)) {
            return true;
        }
    }
    return false;
}

/* An instance of an anonymous clone beyond clone-max: Pacemaker leaves its history (and
 * fail counts) alone, the history may serve another instance number later. */
static bool
anonymous_orphan(const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    return rsc->orphan && clone != NULL && !clone->clone->unique;
}

/* A history delete comes after RSC's stops and before its starts. */
static void
delete_edges(graph_t *g, const bl_srsc_t *rsc, gop_t *del)
{
    GPtrArray *ops = g_hash_table_lookup(g->ops_of, rsc);

    for (guint j = 0; j < ops->len; j++) {
        gop_t *op = g_ptr_array_index(ops, j);

        if (op->kind == GOP_RSC && strcmp(op->task, "stop") == 0) {
            bl__graph_input(del, op);
        } else if (op->kind == GOP_RSC && strcmp(op->task, "start") == 0) {
            bl__graph_input(op, del);
        }
    }
}

/*
 * The controller forgets a resource's history on a node (operation "delete") when the
 * resource was removed from the configuration (once stopped), or when the configuration
 * now names another agent (between the old agent's stop and the new one's start; not on
 * a node that is leaving).
 */
static void
add_deletes(graph_t *g)
{
    bl_sched_t *s = g->s;

    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        for (int n = 0; rsc->managed && !rsc->failed && n < s->n_nodes; n++) {
            const bl_snode_t *node = s->nodes[n];
            const xmlNode *history = lrm_resource(g, rsc->id, node);
            gop_t *del;

            if (history == NULL || !node->online || node->unclean || anonymous_orphan(rsc)
                || !(rsc->orphan || (agent_changed(rsc, history) && !node->shutdown))) {
                continue;
            }
            del = bl__graph_op_add(g, GOP_RSC, rsc, "delete", node, 0);
            delete_edges(g, rsc, del);
        }
    }
}

/* ------------------------------------------------------------------ reprobes */

/* A node whose probe_complete attribute is "false" asks for its resources to be probed
 * again: the controller forgets the node's history, and the next run probes everything. */
static void
add_reprobes(graph_t *g)
{
    for (int n = 0; n < g->s->n_nodes; n++) {
        const bl_snode_t *node = g->s->nodes[n];
        const char *complete = bl__sched_node_attr(node, "probe_complete");
        gop_t *reprobe;

        if (!node->online || node->unclean || complete == NULL || bl__sched_true(complete)) {
            continue;
        }
        reprobe = bl__graph_op_add(g, GOP_RSC, NULL, "probe_again", node, 0);
        reprobe->key = g_strdup_printf("probe_again-%s", node->uname);
    }
}

/* ------------------------------------------------------------ fail count clearing */

/* Does NODE hold fail-count-RSC (or fail-count-RSC#OP_INTERVAL) attributes? */
static bool
has_failcount(const bl_srsc_t *rsc, const bl_snode_t *node)
{
    g_autofree char *prefix = g_strdup_printf("fail-count-%s", rsc->id);
    GHashTableIter iter;
    gpointer name;

    g_hash_table_iter_init(&iter, node->attrs);
    while (g_hash_table_iter_next(&iter, &name, NULL)) {
        const char *rest =
            g_str_has_prefix(name, prefix) ? (const char *) name + strlen(prefix) : NULL;

        if (rest != NULL && (*rest == '\0' || *rest == '#')) {
            return true;
        }
    }
    return false;
}

/*
 * The controller clears fail counts that no longer mean anything: those of a resource
 * removed from the configuration (before its stop and the deletion of its history), and
 * those of failures under an older definition of the resource.
 */
static void
add_failcount_clears(graph_t *g)
{
    bl_sched_t *s = g->s;

    for (guint i = 0; i < s->primitives->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        for (int n = 0; rsc->managed && n < s->n_nodes; n++) {
            const bl_snode_t *node = s->nodes[n];
            bool stale = g_ptr_array_find(rsc->fail_cleared_on, node, NULL);
            gop_t *clear;

            if (!node->online || node->unclean || anonymous_orphan(rsc)
                || !(stale || (rsc->orphan && has_failcount(rsc, node)))) {
                continue;
            }
            clear = bl__graph_op_add(g, GOP_CRM, rsc, "clear_failcount", node, 0);
            for (guint j = 0; rsc->orphan && j < g->ops->len; j++) {
                gop_t *op = g_ptr_array_index(g->ops, j);

                if (op->rsc == rsc && op->kind == GOP_RSC
                    && (strcmp(op->task, "stop") == 0 || strcmp(op->task, "delete") == 0)) {
                    bl__graph_input(op, clear);
                }
            }
        }
    }
}

/* ------------------------------------------------------------------ the controller's */

/* A stop on NODE that cannot happen (a blocked resource) keeps the node up. */
static bool
in_maintenance(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    return s->maintenance_mode || bl__sched_true(g_hash_table_lookup(rsc->meta, "maintenance"));
}

static bool
stop_blocked(const bl_sched_t *s, const bl_snode_t *node)
{
    for (guint i = 0; i < s->actions->len; i++) {
        const bl_action_t *action = g_ptr_array_index(s->actions, i);

        /* resources and nodes in maintenance are left alone: they never hold it up */
        if (action->node == node && action->task == BL_TASK_STOP && !in_maintenance(s, action->rsc)
            && !node->maintenance && (action->rsc->managed || action->rsc->blocked)
            && !(action->flags & BL_ACT_RUNNABLE)) {
            return true;
        }
    }
    return false;
}

/* A node shutting down is shut down after everything there has stopped. */
static void
add_shutdowns(graph_t *g)
{
    bl_sched_t *s = g->s;

    for (int n = 0; n < s->n_nodes; n++) {
        bl_snode_t *node = s->nodes[n];
        gop_t *shutdown;

        if (!node->online || !node->shutdown || node->unclean || stop_blocked(s, node)) {
            continue;
        }
        shutdown = bl__graph_op_add(g, GOP_CRM, NULL, "do_shutdown", node, 0);
        shutdown->key = g_strdup_printf("do_shutdown-%s", node->uname);
        for (guint i = 0; i < g->ops->len; i++) {
            gop_t *op = g_ptr_array_index(g->ops, i);

            if (op->node == node && op->kind == GOP_RSC && strcmp(op->task, "stop") == 0) {
                bl__graph_input(shutdown, op);
            }
        }
    }
}

/*
 * Does START wait for the fencing of NODE? Resources that require fencing (the default
 * when fencing is enabled) start nowhere before an unclean node is fenced; those that
 * require only quorum wait when their state on that node is unknown (they may run there).
 */
static bool
start_waits_for_fence(graph_t *g, const gop_t *start, const bl_snode_t *node)
{
    const char *requires;
    const char *class;

    if (start->kind != GOP_RSC || start->rsc == NULL || strcmp(start->task, "start") != 0) {
        return false;
    }
    requires = g_hash_table_lookup(start->rsc->meta, "requires");
    class = start->rsc->xml != NULL ? bl_xml_attr(start->rsc->xml, "class") : NULL;
    if (requires == NULL) {
        requires = (class != NULL && strcmp(class, "stonith") == 0) || !g->s->stonith_enabled
                       ? "quorum"
                       : "fencing";
    }
    if (strcmp(requires, "fencing") == 0 || strcmp(requires, "unfencing") == 0) {
        return true;
    }
    return strcmp(requires, "quorum") == 0 && start->rsc->allowed[node->index]
           && lrm_resource(g, start->rsc->id, node) == NULL;
}

/* An unclean node is fenced first; the stops it implies (pseudo) and the starts that
 * could conflict with what may still run there wait for it. */
static void
add_fencing(graph_t *g)
{
    bl_sched_t *s = g->s;
    bool concurrent = cluster_flag(s, "concurrent-fencing", false);
    g_autoptr(GPtrArray) fences = g_ptr_array_new();
    gop_t *dc_fence = NULL;

    for (int n = 0; n < s->n_nodes; n++) {
        bl_snode_t *node = s->nodes[n];
        GPtrArray *after;
        gop_t *fence;

        if (!node->unclean || !bl__sched_can_fence_node(s, node)) {
            continue;
        }
        fence = bl__graph_op_add(g, GOP_CRM, NULL, "stonith", node, 0);
        fence->key = g_strdup_printf("stonith-%s-%s", node->uname, s->fence_action);
        after = g->after_fence != NULL ? g_hash_table_lookup(g->after_fence, node) : NULL;
        for (guint i = 0; after != NULL && i < after->len; i++) {
            bl__graph_input(g_ptr_array_index(after, i), fence);
        }
        for (guint i = 0; i < g->ops->len; i++) {
            gop_t *op = g_ptr_array_index(g->ops, i);

            if ((op->node == node && op->kind == GOP_PSEUDO)
                || start_waits_for_fence(g, op, node)) {
                bl__graph_input(op, fence);
            }
        }
        if (s->dc_uuid != NULL && strcmp(node->id, s->dc_uuid) == 0) {
            dc_fence = fence;
        } else {
            /* one at a time unless concurrent-fencing=true */
            if (!concurrent && fences->len > 0) {
                bl__graph_input(fence, g_ptr_array_index(fences, fences->len - 1));
            }
            g_ptr_array_add(fences, fence);
        }
    }
    /* the DC is fenced last: it is the one that fences the others */
    for (guint i = 0; dc_fence != NULL && i < fences->len; i++) {
        bl__graph_input(dc_fence, g_ptr_array_index(fences, i));
    }
}

/* ------------------------------------------------------------------ orderings */

static bool
is_inside(const bl_srsc_t *rsc, const bl_srsc_t *ancestor)
{
    for (const bl_srsc_t *p = rsc->parent; p != NULL; p = p->parent) {
        if (p == ancestor) {
            return true;
        }
    }
    return false;
}

/* Another resource waiting for a group's or a clone's start, stop, promote or demote
 * waits for its completion (running, stopped, promoted, demoted). */
static bl_action_t *
ordering_first(bl_action_t *first, const bl_action_t *then)
{
    bl_task_t mapped;

    if (first->rsc->kind == BL_RSC_PRIMITIVE || first->rsc == then->rsc
        || is_inside(then->rsc, first->rsc)) {
        return first;
    }
    mapped = first->task == BL_TASK_START     ? BL_TASK_RUNNING
             : first->task == BL_TASK_STOP    ? BL_TASK_STOPPED
             : first->task == BL_TASK_PROMOTE ? BL_TASK_PROMOTED
             : first->task == BL_TASK_DEMOTE  ? BL_TASK_DEMOTED
                                              : first->task;
    if (first->rsc->kind == BL_RSC_GROUP && mapped != BL_TASK_RUNNING
        && mapped != BL_TASK_STOPPED) {
        return first;
    }
    return bl__sched_action_find(first->rsc, mapped, NULL);
}

/* The graph action THEN waits for when the ordering names FIRST: a completion, and for
 * a clone that notifies, the confirmation of the notifications that follow it. */
static gop_t *
ordering_first_op(graph_t *g, bl_action_t *first, const bl_action_t *then)
{
    bl_action_t *mapped = ordering_first(first, then);

    if (mapped == NULL) {
        return NULL;
    }
    if (mapped != first && g_hash_table_contains(g->notified, mapped)) {
        return g_hash_table_lookup(g->notified, mapped);
    }
    return bl__graph_op_of(g, mapped);
}

/* ---------------------------------------------------------- clone pseudo-events */

void
bl__graph_leaves(const bl_srsc_t *rsc, GPtrArray *out)
{
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        g_ptr_array_add(out, (gpointer) rsc);
        return;
    }
    for (guint i = 0; i < rsc->children->len; i++) {
        bl__graph_leaves(g_ptr_array_index(rsc->children, i), out);
    }
}

/* Does an ordering with implies-then make ACTION required (what comes first happens)? */
static bool
required_by_first(const bl_action_t *action)
{
    for (guint i = 0; i < action->in->len; i++) {
        const bl_order_edge_t *edge = g_ptr_array_index(action->in, i);
        bl_action_t *first = ordering_first(edge->first, action);

        if ((edge->flags & BL_ORD_IMPLIES_THEN) && first != NULL
            && first->rsc->kind == BL_RSC_PRIMITIVE && bl__sched_action_happens(first)) {
            return true;
        }
    }
    return false;
}

/*
 * Does an ordering count CLONE's started instances (clone-min, or require-all=false on
 * a plain order)? Pacemaker then orders each instance's start, creating it where the
 * instance has none; an instance that stops must "restart", so that start is required
 * though it cannot run, and it makes the clone's start and running required too.
 */
static bool
counts_started_instances(const bl_srsc_t *clone)
{
    const bl_action_t *start = bl__sched_action_find(clone, BL_TASK_START, NULL);

    for (guint i = 0; start != NULL && i < start->out->len; i++) {
        const bl_order_edge_t *edge = g_ptr_array_index(start->out, i);

        /* (a resource set's require-all=false orders the clone itself, not instances) */
        if (clone->clone->clone_min > 0
            || ((edge->flags & BL_ORD_ONE_OR_MORE) && !(edge->then->flags & BL_ACT_REQUIRES_ANY))) {
            return true;
        }
    }
    return false;
}

/* Is LEAF, an instance without a start, stopping (its stop required)? */
static bool
stops_without_start(const bl_srsc_t *leaf)
{
    bool stops = false;

    for (guint a = 0; a < leaf->actions->len; a++) {
        const bl_action_t *la = g_ptr_array_index(leaf->actions, a);

        if (la->task == BL_TASK_START) {
            return false;
        }
        stops = stops || (la->task == BL_TASK_STOP && !(la->flags & BL_ACT_OPTIONAL));
    }
    return stops;
}

/*
 * A clone's pseudo-action is in the graph when it is runnable (an instance can do the
 * task) and required (an instance must do it,
 * or what is ordered first with implies-then happens), as Pacemaker summarizes a clone's
 * action from its instances'.
 */
static bool
clone_event_needed(const bl_action_t *action)
{
    g_autoptr(GPtrArray) leaves = g_ptr_array_new();
    bl_task_t task = bl__sched_instance_task(action->task);
    bool counted = task == BL_TASK_START && counts_started_instances(action->rsc);
    bool required = false;
    bool runnable = false;

    bl__graph_leaves(action->rsc, leaves);
    for (guint i = 0; i < leaves->len; i++) {
        const bl_srsc_t *leaf = g_ptr_array_index(leaves, i);

        if (counted && leaf->parent == action->rsc && leaf->managed && stops_without_start(leaf)) {
            required = true;
        }

        for (guint a = 0; a < leaf->actions->len; a++) {
            const bl_action_t *la = g_ptr_array_index(leaf->actions, a);

            if (la->task == task && la->node != NULL) {
                required = required || (!(la->flags & BL_ACT_OPTIONAL) && leaf->managed);
                runnable = runnable || (la->flags & BL_ACT_RUNNABLE);
            }
        }
    }
    return runnable && (required || required_by_first(action));
}

static bool
is_completion(bl_task_t task)
{
    return task == BL_TASK_RUNNING || task == BL_TASK_STOPPED || task == BL_TASK_PROMOTED
           || task == BL_TASK_DEMOTED;
}

/* The start, running, stop, stopped (and promote ... demoted) pseudo-events of clones. */
static void
add_clone_actions(graph_t *g)
{
    for (guint i = 0; i < g->s->actions->len; i++) {
        bl_action_t *action = g_ptr_array_index(g->s->actions, i);
        gop_t *op;

        if (action->rsc->kind != BL_RSC_CLONE || action->node != NULL
            || !clone_event_needed(action)) {
            continue;
        }
        op = bl__graph_op_add(g, GOP_PSEUDO, action->rsc, task_names[action->task], NULL, 0);
        op->priority = is_completion(action->task) ? BL_SCORE_INFINITY : 0;
        g_hash_table_insert(g->by_action, action, op);
    }
}

/* The graph actions of INSTANCE for TASK: a primitive's (one per node), or those of a
 * group's members for promote and demote, else the group's pseudo-event; with DONE,
 * a group's completion (running, stopped) instead of its start or stop. */
static void
instance_ops(graph_t *g, const bl_srsc_t *instance, bl_task_t task, bool done, GPtrArray *out)
{
    if (instance->kind == BL_RSC_GROUP && (task == BL_TASK_START || task == BL_TASK_STOP)) {
        bl_task_t completion = task == BL_TASK_START ? BL_TASK_RUNNING : BL_TASK_STOPPED;
        gop_t *op =
            bl__graph_op_of(g, bl__sched_action_find(instance, done ? completion : task, NULL));

        if (op != NULL) {
            g_ptr_array_add(out, op);
        }
        return;
    }
    for (guint i = 0; instance->children != NULL && i < instance->children->len; i++) {
        instance_ops(g, g_ptr_array_index(instance->children, i), task, done, out);
    }
    for (guint i = 0; instance->kind == BL_RSC_PRIMITIVE && i < instance->actions->len; i++) {
        const bl_action_t *action = g_ptr_array_index(instance->actions, i);
        gop_t *op = action->task == task ? bl__graph_op_of(g, action) : NULL;

        if (op != NULL) {
            g_ptr_array_add(out, op);
        }
    }
}

static void
order_all(GPtrArray *thens, GPtrArray *firsts)
{
    for (guint t = 0; t < thens->len; t++) {
        for (guint f = 0; f < firsts->len; f++) {
            bl__graph_input(g_ptr_array_index(thens, t), g_ptr_array_index(firsts, f));
        }
    }
}

/* The probes of INSTANCE's primitives, in OUT (emptied first). */
static GPtrArray *
instance_probes(graph_t *g, const bl_srsc_t *instance, GPtrArray *out)
{
    g_autoptr(GPtrArray) leaves = g_ptr_array_new();

    g_ptr_array_set_size(out, 0);
    bl__graph_leaves(instance, leaves);
    for (guint i = 0; i < leaves->len; i++) {
        GPtrArray *probes = g_hash_table_lookup(g->probes_of, g_ptr_array_index(leaves, i));

        for (guint p = 0; probes != NULL && p < probes->len; p++) {
            g_ptr_array_add(out, g_ptr_array_index(probes, p));
        }
    }
    return out;
}

/* Orders the clone's TASK before each instance's, and each instance's completion of it
 * before the clone's COMPLETION. An ordered clone starts and promotes its instances one
 * after the other, and stops and demotes them in the reverse order. */
static void
clone_instance_edges(graph_t *g, const bl_srsc_t *clone, bl_task_t task, bl_task_t completion)
{
    gop_t *begin = bl__graph_op_of(g, bl__sched_action_find(clone, task, NULL));
    gop_t *end = bl__graph_op_of(g, bl__sched_action_find(clone, completion, NULL));
    bool ordered = bl__sched_true(g_hash_table_lookup(clone->meta, "ordered"));
    bool forward = task == BL_TASK_START || task == BL_TASK_PROMOTE;
    g_autoptr(GPtrArray) last_thens = g_ptr_array_new();
    g_autoptr(GPtrArray) last_dones = g_ptr_array_new();
    g_autoptr(GPtrArray) probes = g_ptr_array_new();

    for (guint i = 0; i < clone->children->len; i++) {
        const bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
        GPtrArray *thens = g_ptr_array_new();
        GPtrArray *dones = g_ptr_array_new();

        instance_ops(g, instance, task, false, thens);
        instance_ops(g, instance, task, true, dones);
        for (guint t = 0; t < thens->len; t++) {
            bl__graph_input(g_ptr_array_index(thens, t), begin);
        }
        for (guint d = 0; d < dones->len; d++) {
            bl__graph_input(end, g_ptr_array_index(dones, d));
        }
        if (ordered && forward) {
            order_all(thens, last_dones);
        } else if (ordered) {
            order_all(last_thens, dones);
            /* (its probes may find it running: they come first too) */
            order_all(last_thens, instance_probes(g, instance, probes));
        }
        g_ptr_array_free(last_thens, true);
        g_ptr_array_free(last_dones, true);
        last_thens = thens;
        last_dones = dones;
    }
}

/*
 * A clone starts its instances after its start and is running once they are; it stops
 * them after its stop and is stopped once they are; it starts only once stopped (so all
 * instances stop before any starts again). A promotable clone also demotes before it
 * stops or promotes, and promotes once running.
 */
static void
clone_edges(graph_t *g, const bl_srsc_t *clone)
{
    gop_t *op[BL_TASK_DEMOTED + 1] = {0};
    static const bl_task_t order[][2] = {
        {BL_TASK_START, BL_TASK_RUNNING},   {BL_TASK_STOP, BL_TASK_STOPPED},
        {BL_TASK_STOPPED, BL_TASK_START},   {BL_TASK_DEMOTED, BL_TASK_STOP},
        {BL_TASK_RUNNING, BL_TASK_PROMOTE}, {BL_TASK_STOPPED, BL_TASK_PROMOTE},
        {BL_TASK_DEMOTED, BL_TASK_START},   {BL_TASK_DEMOTED, BL_TASK_PROMOTE},
        {BL_TASK_DEMOTE, BL_TASK_DEMOTED},
    };

    for (int t = 0; t <= BL_TASK_DEMOTED; t++) {
        op[t] = bl__graph_op_of(g, bl__sched_action_find(clone, (bl_task_t) t, NULL));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        bl__graph_input(op[order[i][1]], op[order[i][0]]);
    }
    clone_instance_edges(g, clone, BL_TASK_START, BL_TASK_RUNNING);
    clone_instance_edges(g, clone, BL_TASK_STOP, BL_TASK_STOPPED);
    clone_instance_edges(g, clone, BL_TASK_PROMOTE, BL_TASK_PROMOTED);
    clone_instance_edges(g, clone, BL_TASK_DEMOTE, BL_TASK_DEMOTED);
}

/* A probe of a clone's instance comes before the clone starts anything, and (it may find
 * the instance running) before the instance counts as stopped. */
static void
clone_probe_edges(graph_t *g)
{
    for (guint i = 0; i < g->ops->len; i++) {
        gop_t *probe = g_ptr_array_index(g->ops, i);
        bl_srsc_t *clone = probe->probe ? bl__sched_rsc_clone(probe->rsc) : NULL;
        const bl_srsc_t *parent = clone != NULL ? probe->rsc->parent : NULL;

        if (clone == NULL) {
            continue;
        }
        bl__graph_input(bl__graph_op_of(g, bl__sched_action_find(clone, BL_TASK_START, NULL)),
                        probe);
        bl__graph_input(bl__graph_op_of(g, bl__sched_action_find(parent, BL_TASK_STOPPED, NULL)),
                        probe);
    }
}

static gop_t *
gop_of(graph_t *g, const bl_srsc_t *rsc, bl_task_t task, const bl_snode_t *node)
{
    bl_action_t *action = bl__sched_action_find(rsc, task, node);

    return action != NULL ? g_hash_table_lookup(g->by_action, action) : NULL;
}

/* A group starts its members after its start and is running once they all are;
 * it is stopped once they all are; a group stops before it starts again. */
static void
group_edges(graph_t *g, const bl_srsc_t *group)
{
    gop_t *start = gop_of(g, group, BL_TASK_START, NULL);
    gop_t *running = gop_of(g, group, BL_TASK_RUNNING, NULL);
    gop_t *stop = gop_of(g, group, BL_TASK_STOP, NULL);
    gop_t *stopped = gop_of(g, group, BL_TASK_STOPPED, NULL);

    bl__graph_input(running, start);
    bl__graph_input(stopped, stop);
    bl__graph_input(start, stopped);
    for (guint m = 0; m < group->children->len; m++) {
        const bl_srsc_t *member = g_ptr_array_index(group->children, m);

        for (guint a = 0; a < member->actions->len; a++) {
            bl_action_t *action = g_ptr_array_index(member->actions, a);
            gop_t *op = g_hash_table_lookup(g->by_action, action);

            if (op == NULL) {
                continue;
            }
            if (action->task == BL_TASK_START) {
                bl__graph_input(op, start);
                bl__graph_input(running, op);
            } else if (action->task == BL_TASK_STOP) {
                bl__graph_input(op, stop);
                bl__graph_input(stopped, op);
            }
        }
    }
}

/* All graph actions of RSC for TASK (probes: task "monitor" with probe set). */
static void
graph_actions_of(graph_t *g, const bl_srsc_t *rsc, const char *task, bool probe, GPtrArray *out)
{
    GPtrArray *ops = g_hash_table_lookup(g->ops_of, rsc);

    for (guint i = 0; ops != NULL && i < ops->len; i++) {
        gop_t *op = g_ptr_array_index(ops, i);

        if (op->kind != GOP_CRM && op->probe == probe && strcmp(op->task, task) == 0
            && (probe || op->interval_ms == 0)) {
            g_ptr_array_add(out, op);
        }
    }
}

/*
 * Two resources that must not share a node: one stops on a node before the other starts
 * there (Pacemaker's anti-colocation orderings, which only bind actions on one node).
 * And since a probe may find the first one running there, its probes come first too.
 */
static void
anti_colocation_edges(graph_t *g, const bl_srsc_t *first, const bl_srsc_t *then)
{
    g_autoptr(GPtrArray) stops = g_ptr_array_new();
    g_autoptr(GPtrArray) starts = g_ptr_array_new();

    graph_actions_of(g, first, "stop", false, stops);
    graph_actions_of(g, first, "monitor", true, stops);
    graph_actions_of(g, then, "start", false, starts);
    for (guint i = 0; i < stops->len; i++) {
        gop_t *stop = g_ptr_array_index(stops, i);

        for (guint j = 0; j < starts->len; j++) {
            gop_t *start = g_ptr_array_index(starts, j);

            if (stop->node == start->node) {
                bl__graph_input(start, stop);
            }
        }
    }
}

static void
colocation_edges(graph_t *g)
{
    for (guint i = 0; i < g->s->colocs->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(g->s->colocs, i);

        if (coloc->score > -INF || coloc->dependent->kind != BL_RSC_PRIMITIVE
            || coloc->primary->kind != BL_RSC_PRIMITIVE) {
            continue;
        }
        anti_colocation_edges(g, coloc->dependent, coloc->primary);
        anti_colocation_edges(g, coloc->primary, coloc->dependent);
    }
}

/*
 * An ordering "R stops, then X" also waits for R's probes: one may find R running where
 * it has to be stopped first.
 */
static void
probe_before_stop_edges(graph_t *g, const bl_order_edge_t *edge)
{
    g_autoptr(GPtrArray) probes = g_ptr_array_new();
    GPtrArray *thens = g_ptr_array_new();
    bl_srsc_t *rsc = edge->first->rsc;

    if (edge->first->task != BL_TASK_STOP || rsc == edge->then->rsc) {
        g_ptr_array_free(thens, true);
        return;
    }
    if (rsc->kind == BL_RSC_GROUP) {
        for (guint m = 0; m < rsc->children->len; m++) {
            graph_actions_of(g, g_ptr_array_index(rsc->children, m), "monitor", true, probes);
        }
    } else {
        graph_actions_of(g, rsc, "monitor", true, probes);
    }
    for (guint i = 0; i < probes->len; i++) {
        bl__graph_input(g_hash_table_lookup(g->by_action, edge->then),
                        g_ptr_array_index(probes, i));
    }
    g_ptr_array_free(thens, true);
}

/*
 * A probe may find its resource running where it must not: that resource restarts, and
 * so does whatever starts after it. So a probe comes before the stops of the resources
 * whose starts follow its resource's start.
 */
static GPtrArray *
restarted_stops(graph_t *g, const bl_srsc_t *rsc)
{
    GPtrArray *stops = g_ptr_array_new();
    g_autoptr(GPtrArray) queue = g_ptr_array_new();
    g_autoptr(GHashTable) seen = g_hash_table_new(g_direct_hash, g_direct_equal);

    for (guint i = 0; i < rsc->actions->len; i++) {
        bl_action_t *action = g_ptr_array_index(rsc->actions, i);

        if (action->task == BL_TASK_START) {
            g_ptr_array_add(queue, action);
        }
    }
    while (queue->len > 0) {
        bl_action_t *start = g_ptr_array_steal_index(queue, queue->len - 1);

        if (!g_hash_table_add(seen, start)) {
            continue;
        }
        if (start->rsc->kind == BL_RSC_PRIMITIVE && start->rsc != rsc) {
            graph_actions_of(g, start->rsc, "stop", false, stops);
        }
        for (guint i = 0; i < start->out->len; i++) {
            const bl_order_edge_t *edge = g_ptr_array_index(start->out, i);

            if ((edge->flags & BL_ORD_IMPLIES_THEN)
                && (edge->then->task == BL_TASK_START || edge->then->task == BL_TASK_RUNNING)) {
                g_ptr_array_add(queue, edge->then);
            }
        }
    }
    return stops;
}

/* (the stops depend on the probe's resource only: RESTARTS keeps them per resource, as
 * a resource has a probe per node and a chain of orderings makes each walk long) */
static void
probe_restart_edges(graph_t *g, const gop_t *probe, GHashTable *restarts)
{
    GPtrArray *stops = g_hash_table_lookup(restarts, probe->rsc);

    if (stops == NULL) {
        stops = restarted_stops(g, probe->rsc);
        g_hash_table_insert(restarts, (gpointer) probe->rsc, stops);
    }
    for (guint i = 0; i < stops->len; i++) {
        bl__graph_input(g_ptr_array_index(stops, i), probe);
    }
}

static void
add_edges(graph_t *g, GHashTable *probes)
{
    bl_sched_t *s = g->s;
    g_autoptr(GHashTable) restarts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);

    for (guint i = 0; i < g->ops->len; i++) {
        gop_t *op = g_ptr_array_index(g->ops, i);
        GPtrArray *list = op->probe ? g_hash_table_lookup(g->probes_of, op->rsc) : NULL;

        if (op->probe && list == NULL) {
            list = g_ptr_array_new();
            g_hash_table_insert(g->probes_of, (gpointer) op->rsc, list);
        }
        if (list != NULL) {
            g_ptr_array_add(list, op);
        }
    }
    for (guint i = 0; i < s->edges->len; i++) {
        const bl_order_edge_t *edge = g_ptr_array_index(s->edges, i);
        gop_t *then = g_hash_table_lookup(g->by_action, edge->then);

        if (then != NULL && ordering_first(edge->first, edge->then) != NULL) {
            bl__graph_input(then, ordering_first_op(g, edge->first, edge->then));
            probe_before_stop_edges(g, edge);
        }
    }
    colocation_edges(g);
    for (guint i = 0; i < g->ops->len; i++) {
        const gop_t *op = g_ptr_array_index(g->ops, i);

        if (op->probe) {
            probe_restart_edges(g, op, restarts);
        }
    }
    for (guint i = 0; i < s->all_rscs->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(s->all_rscs, i);

        if (rsc->kind == BL_RSC_GROUP) {
            group_edges(g, rsc);
        } else if (rsc->kind == BL_RSC_CLONE) {
            clone_edges(g, rsc);
        }
    }
    clone_probe_edges(g);
    /* A resource starts once its state is known everywhere; a migration stands for the
     * start it replaces. */
    for (guint i = 0; i < g->ops->len; i++) {
        gop_t *start = g_ptr_array_index(g->ops, i);
        bool starts =
            start->kind == GOP_RSC
            && (strcmp(start->task, "start") == 0 || strcmp(start->task, "migrate_to") == 0);

        for (int n = 0; starts && n < s->n_nodes; n++) {
            g_autofree char *key = g_strdup_printf("%s@%s", start->rsc->id, s->nodes[n]->uname);

            bl__graph_input(start, g_hash_table_lookup(probes, key));
        }
    }
}

/* -------------------------------------------------------------------- XML */

static void
set_uint(xmlNode *xml, const char *name, uint64_t value)
{
    char buf[32];

    snprintf(buf, sizeof(buf), "%" PRIu64, value);
    bl_xml_set_attr(xml, name, buf);
}

/* The element that names an action: in its synapse and in the inputs of others. */
static xmlNode *
action_element(xmlNode *parent, const gop_t *op)
{
    static const char *const tags[] = {
        [GOP_RSC] = "rsc_op",
        [GOP_PSEUDO] = "pseudo_event",
        [GOP_CRM] = "crm_event",
    };
    xmlNode *xml = bl_xml_add_child(parent, tags[op->kind]);

    const bl_srsc_t *rsc = op->rsc != NULL && op->rsc->kind == BL_RSC_PRIMITIVE ? op->rsc : NULL;

    set_uint(xml, "id", (uint64_t) op->id);
    bl_xml_set_attr(xml, "operation", op->task);
    /* The controller knows an anonymous instance by the name its history has; a stopped
     * instance keeps only a name without an instance number (older histories named
     * instances "RSC:N", which Pacemaker forgets for stopped ones). */
    if (rsc != NULL && rsc->history_id != NULL
        && (rsc->running_on->len > 0 || strchr(rsc->history_id, ':') == NULL)
        && strcmp(rsc->history_id, rsc->id) != 0 && g_str_has_prefix(op->key, rsc->id)) {
        g_autofree char *key = g_strdup_printf(
            "%s%s", rsc->history_id,
            op->history_suffix != NULL ? op->history_suffix : op->key + strlen(rsc->id));

        bl_xml_set_attr(xml, "operation_key", key);
        bl_xml_set_attr(xml, "internal_operation_key", op->key);
    } else {
        bl_xml_set_attr(xml, "operation_key", op->key);
    }
    if (op->node != NULL) {
        bl_xml_set_attr(xml, "on_node", op->node->uname);
        bl_xml_set_attr(xml, "on_node_uuid", op->node->id);
    }
    return xml;
}

/* The shortest recurring monitor's timeout stands for a probe's unless one is set. */
static const char *
probe_timeout(bl_sched_t *s, const bl_srsc_t *rsc)
{
    const char *timeout = bl__sched_op_meta(s, rsc, "monitor", 0, "timeout");
    g_autoptr(GArray) monitors = NULL;
    uint64_t shortest = 0;

    if (bl__sched_op_config(rsc, "monitor", 0) != NULL) {
        return timeout;
    }
    monitors = monitors_of(rsc);
    for (guint i = 0; i < monitors->len; i++) {
        const monitor_config_t *m = &g_array_index(monitors, monitor_config_t, i);

        if (!m->stopped_role && (shortest == 0 || m->interval_ms < shortest)) {
            shortest = m->interval_ms;
        }
    }
    return shortest > 0 ? bl__sched_op_meta(s, rsc, "monitor", shortest, "timeout") : timeout;
}

/* The task whose configuration applies: a cancel's is the cancelled operation's. */
static const char *
config_task(const gop_t *op)
{
    return op->cancelled != NULL ? bl_xml_attr(op->cancelled, "operation") : op->task;
}

static uint64_t
timeout_ms(bl_sched_t *s, const gop_t *op)
{
    const char *text =
        op->probe ? probe_timeout(s, op->rsc)
                  : bl__sched_op_meta(s, op->rsc, config_task(op), op->interval_ms, "timeout");
    uint64_t ms = DEFAULT_TIMEOUT_MS;

    if (text == NULL || bl_duration_parse_ms(text, &ms, NULL) != 0) {
        ms = DEFAULT_TIMEOUT_MS;
    }
    return ms;
}

/* The resource's parameters (the operation's own on top), names sorted, as attributes. */
static void
add_params(graph_t *g, xmlNode *attrs, const gop_t *op, const xmlNode *config)
{
    g_autoptr(GHashTable) params = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GList) names = NULL;

    if (op->rsc->xml != NULL) {
        bl__sched_nvpairs(g->s, op->rsc->xml, "instance_attributes", params, false);
    }
    if (config != NULL) {
        bl__sched_nvpairs(g->s, config, "instance_attributes", params, true);
    }
    names = g_list_sort(g_hash_table_get_keys(params), (GCompareFunc) strcmp);
    for (GList *iter = names; iter != NULL; iter = iter->next) {
        if (strncmp(iter->data, "CRM_meta_", 9) != 0) {
            bl_xml_set_attr(attrs, iter->data, g_hash_table_lookup(params, iter->data));
        }
    }
}

/* The op-digest recorded with the result. A reload is recorded as the start it stands
 * for, so it digests the start's parameters. */
static char *
op_digest(graph_t *g, const gop_t *op, const xmlNode *config)
{
    if (strcmp(op->task, "reload-agent") == 0) {
        return bl__sched_params_digest(g->s, op->rsc, bl__sched_op_config(op->rsc, "start", 0),
                                       NULL);
    }
    if (op->interval_ms > 0) {
        return bl__sched_recurring_digest(g->s, op->rsc, config, timeout_ms(g->s, op));
    }
    return bl__sched_params_digest(g->s, op->rsc, config, NULL);
}

/* migrate_to runs on the source, towards the node the resource is assigned to;
 * migrate_from on that target, from the node it runs on. */
static void
migration_details(xmlNode *attrs, const gop_t *op)
{
    const bl_srsc_t *rsc = op->rsc;
    const bl_snode_t *source = NULL;
    const bl_snode_t *target = NULL;

    if (strcmp(op->task, "migrate_to") == 0) {
        source = op->node;
        target = rsc->assigned;
    } else if (strcmp(op->task, "migrate_from") == 0) {
        target = op->node;
        for (guint i = 0; i < rsc->running_on->len && source == NULL; i++) {
            if (g_ptr_array_index(rsc->running_on, i) != target) {
                source = g_ptr_array_index(rsc->running_on, i);
            }
        }
    }
    if (source != NULL && target != NULL) {
        bl_xml_set_attr(attrs, "CRM_meta_migrate_source", source->uname);
        bl_xml_set_attr(attrs, "CRM_meta_migrate_target", target->uname);
    }
}

/* The options of the clone RSC is (an instance or member of an instance of) that the
 * agent sees as meta attributes, as Pacemaker passes them. */
static void
clone_meta(xmlNode *attrs, const bl_srsc_t *rsc, bool instance_number)
{
    const bl_srsc_t *clone = rsc->kind == BL_RSC_CLONE ? rsc : bl__sched_rsc_clone(rsc);
    const bl_clone_t *options = clone != NULL ? clone->clone : NULL;

    if (options == NULL) {
        return;
    }
    if (instance_number && rsc->instance >= 0) {
        set_uint(attrs, "CRM_meta_clone", (uint64_t) rsc->instance);
    }
    set_uint(attrs, "CRM_meta_clone_max", (uint64_t) options->clone_max);
    set_uint(attrs, "CRM_meta_clone_node_max", (uint64_t) options->clone_node_max);
    bl_xml_set_attr(attrs, "CRM_meta_globally_unique", options->unique ? "true" : "false");
    bl_xml_set_attr(attrs, "CRM_meta_notify",
                    bl__sched_true(g_hash_table_lookup(clone->meta, "notify")) ? "true" : "false");
    if (options->promotable) {
        /* (master_max and master_node_max: the names agents written for Pacemaker 1 read) */
        set_uint(attrs, "CRM_meta_promoted_max", (uint64_t) options->promoted_max);
        set_uint(attrs, "CRM_meta_promoted_node_max", (uint64_t) options->promoted_node_max);
        set_uint(attrs, "CRM_meta_master_max", (uint64_t) options->promoted_max);
        set_uint(attrs, "CRM_meta_master_node_max", (uint64_t) options->promoted_node_max);
    }
}

/* The meta attributes the graph gave OP (notifications), as CRM_meta_NAME. */
static void
extra_meta(xmlNode *attrs, const gop_t *op)
{
    g_autoptr(GList) names = NULL;

    if (op->meta == NULL) {
        return;
    }
    names = g_list_sort(g_hash_table_get_keys(op->meta), (GCompareFunc) strcmp);
    for (GList *iter = names; iter != NULL; iter = iter->next) {
        g_autofree char *attr = g_strdup_printf("CRM_meta_%s", (const char *) iter->data);

        bl_xml_set_attr(attrs, attr, g_hash_table_lookup(op->meta, iter->data));
    }
}

static void
rsc_op_details(graph_t *g, xmlNode *xml, const gop_t *op, GHashTable *digests)
{
    const xmlNode *config = bl__sched_op_config(op->rsc, config_task(op), op->interval_ms);
    xmlNode *primitive = bl_xml_add_child(xml, "primitive");
    xmlNode *attrs = bl_xml_add_child(xml, "attributes");
    const char *names[] = {"class", "provider", "type"};

    /* anonymous instances as the controller knows them: the configured id, and the
     * instance (as its history names it) as long-id */
    bl_xml_set_attr(primitive, "id", bl__sched_rsc_graph_id(op->rsc));
    if (strcmp(bl__sched_rsc_graph_id(op->rsc), op->rsc->id) != 0) {
        bl_xml_set_attr(primitive, "long-id",
                        op->rsc->history_id != NULL ? op->rsc->history_id : op->rsc->id);
    }
    for (size_t i = 0; op->rsc->xml != NULL && i < G_N_ELEMENTS(names); i++) {
        bl_xml_set_attr(primitive, names[i], bl_xml_attr(op->rsc->xml, names[i]));
    }
    g_hash_table_insert(digests, g_strdup_printf("%d", op->id), op_digest(g, op, config));
    if (op->cancelled != NULL) {
        bl_xml_set_attr(attrs, "CRM_meta_call_id", bl_xml_attr(op->cancelled, "call-id"));
        bl_xml_set_attr(attrs, "CRM_meta_operation", config_task(op));
        bl_xml_set_attr(attrs, "CRM_meta_role", bl_xml_attr(config, "role"));
    }
    if (op->interval_ms > 0) {
        set_uint(attrs, "CRM_meta_interval", op->interval_ms);
        bl_xml_set_attr(attrs, "CRM_meta_name", config_task(op));
    }
    migration_details(attrs, op);
    clone_meta(attrs, op->rsc, true);
    extra_meta(attrs, op);
    bl_xml_set_attr(attrs, "CRM_meta_on_node", op->node->uname);
    bl_xml_set_attr(attrs, "CRM_meta_on_node_uuid", op->node->id);
    if (op->probe || op->stopped_role) {
        bl_xml_set_attr(attrs, "CRM_meta_op_target_rc", "7");
    }
    if (op->stopped_role) {
        bl_xml_set_attr(attrs, "CRM_meta_role", "Stopped");
    }
    set_uint(attrs, "CRM_meta_timeout", timeout_ms(g->s, op));
    bl_xml_set_attr(attrs, "crm_feature_set", GRAPH_FEATURE_SET);
    add_params(g, attrs, op, config);
}

/* A task nothing waits for: clearing a resource's fail count, reprobing a node. */
static void
crm_event_details(xmlNode *xml, const gop_t *op)
{
    xmlNode *primitive = op->rsc != NULL ? bl_xml_add_child(xml, "primitive") : NULL;
    xmlNode *attrs = bl_xml_add_child(xml, "attributes");

    if (primitive != NULL) {
        /* anonymous instances as the controller knows them: the configured id, and the
         * instance (as its history names it) as long-id */
        bl_xml_set_attr(primitive, "id", bl__sched_rsc_graph_id(op->rsc));
        if (strcmp(bl__sched_rsc_graph_id(op->rsc), op->rsc->id) != 0) {
            bl_xml_set_attr(primitive, "long-id",
                            op->rsc->history_id != NULL ? op->rsc->history_id : op->rsc->id);
        }
    }
    migration_details(attrs, op);
    bl_xml_set_attr(attrs, "CRM_meta_on_node", op->node->uname);
    bl_xml_set_attr(attrs, "CRM_meta_on_node_uuid", op->node->id);
    bl_xml_set_attr(attrs, "CRM_meta_op_no_wait", "true");
    if (primitive != NULL) {
        set_uint(attrs, "CRM_meta_timeout", DEFAULT_TIMEOUT_MS);
    }
    bl_xml_set_attr(attrs, "crm_feature_set", GRAPH_FEATURE_SET);
}

static void
synapse(graph_t *g, xmlNode *root, const gop_t *op, GHashTable *digests)
{
    xmlNode *syn = bl_xml_add_child(root, "synapse");
    xmlNode *set = bl_xml_add_child(syn, "action_set");
    xmlNode *xml = action_element(set, op);
    xmlNode *inputs = bl_xml_add_child(syn, "inputs");

    set_uint(syn, "id", (uint64_t) op->id);
    if (op->priority != 0) {
        set_uint(syn, "priority", (uint64_t) op->priority);
    }
    if (op->kind == GOP_RSC && op->rsc != NULL) {
        rsc_op_details(g, xml, op, digests);
    } else if ((op->kind == GOP_CRM && op->rsc != NULL) || op->kind == GOP_RSC) {
        crm_event_details(xml, op);
    } else {
        xmlNode *attrs = bl_xml_add_child(xml, "attributes");

        if (op->kind == GOP_CRM && strcmp(op->task, "stonith") == 0) {
            bl_xml_set_attr(attrs, "CRM_meta_stonith_action", g->s->fence_action);
        }
        if (op->node != NULL) {
            bl_xml_set_attr(attrs, "CRM_meta_on_node", op->node->uname);
            bl_xml_set_attr(attrs, "CRM_meta_on_node_uuid", op->node->id);
        }
        if (op->rsc != NULL && op->rsc->kind == BL_RSC_PRIMITIVE) {
            /* an instance's stop implied by fencing, its notifications after fencing */
            clone_meta(attrs, op->rsc, true);
            extra_meta(attrs, op);
        }
        /* (a clone's, and those of its instances that are groups) */
        if (op->rsc != NULL && op->rsc->kind != BL_RSC_PRIMITIVE
            && (op->rsc->kind == BL_RSC_CLONE || bl__sched_rsc_clone(op->rsc) != NULL)) {
            clone_meta(attrs, op->rsc, false);
            extra_meta(attrs, op);
            set_uint(attrs, "CRM_meta_timeout", DEFAULT_TIMEOUT_MS);
        }
        bl_xml_set_attr(attrs, "crm_feature_set", GRAPH_FEATURE_SET);
    }
    for (guint i = 0; i < op->inputs->len; i++) {
        const gop_t *first = g_ptr_array_index(g->ops, g_array_index(op->inputs, int, i));

        action_element(bl_xml_add_child(inputs, "trigger"), first);
    }
}

static xmlDoc *
graph_xml(graph_t *g, GHashTable *digests)
{
    xmlDoc *doc = xmlNewDoc((const xmlChar *) "1.0");
    xmlNode *root = xmlNewNode(NULL, (const xmlChar *) "transition_graph");

    xmlDocSetRootElement(doc, root);
    bl_xml_set_attr(root, "cluster-delay", "60s");
    bl_xml_set_attr(root, "stonith-timeout", "60s");
    bl_xml_set_attr(root, "failed-stop-offset", "INFINITY");
    bl_xml_set_attr(root, "failed-start-offset", "INFINITY");
    bl_xml_set_attr(root, "batch-limit", "0");
    bl_xml_set_attr(root, "transition_id", "0");
    for (guint i = 0; i < g->ops->len; i++) {
        synapse(g, root, g_ptr_array_index(g->ops, i), digests);
    }
    return doc;
}

/* (a node without node_state has a NULL table) */
static void
free_table(gpointer table)
{
    if (table != NULL) {
        g_hash_table_destroy(table);
    }
}

void
bl__sched_graph_build(bl_sched_t *s, bl_sched_result_t *result)
{
    graph_t g = {
        .s = s,
        .ops = g_ptr_array_new_with_free_func(gop_free),
        .by_action = g_hash_table_new(g_direct_hash, g_direct_equal),
        .notified = g_hash_table_new(g_direct_hash, g_direct_equal),
        .probes_of = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                           (GDestroyNotify) g_ptr_array_unref),
        .ops_of = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                        (GDestroyNotify) g_ptr_array_unref),
        .histories = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_table),
        .load_migrations = g_array_new(false, false, sizeof(int)),
    };
    g_autoptr(GHashTable) probes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) reloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    side_ops_t side = {.probes = probes, .reloads = reloads};

    add_primitive_actions(&g);
    add_group_actions(&g);
    add_clone_actions(&g);
    add_load_events(&g);
    add_reloads(&g, reloads);
    add_probes(&g, probes);
    add_monitors(&g, &side);
    bl__graph_notify_add(&g);
    add_edges(&g, probes);
    add_cancels(&g);
    add_deletes(&g);
    add_failcount_clears(&g);
    add_reprobes(&g);
    add_shutdowns(&g);
    add_fencing(&g);
    break_load_loops(&g);
    result->now = s->now;
    result->graph_digests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    result->graph = graph_xml(&g, result->graph_digests);
    g_hash_table_destroy(g.by_action);
    g_hash_table_destroy(g.notified);
    g_hash_table_destroy(g.probes_of);
    g_hash_table_destroy(g.ops_of);
    g_hash_table_destroy(g.histories);
    free_table(g.after_fence);
    g_array_free(g.load_migrations, true);
    if (g.undiscovered != NULL) {
        g_hash_table_destroy(g.undiscovered);
    }
    g_ptr_array_free(g.ops, true);
}

const xmlDoc *
bl_sched_result_graph(const bl_sched_result_t *result)
{
    return result->graph;
}
