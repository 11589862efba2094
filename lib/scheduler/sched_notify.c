/*
 * Notifications of clones with notify=true, in the transition graph, with Pacemaker's
 * semantics. Around each start, stop, promote and demote of a clone's instances,
 * pseudo-events frame two rounds of "notify" actions on the instances:
 *
 *   pre_notify_start -> notify on the active instances -> confirmed-pre_notify_start
 *     -> start (the clone's) -> the instances start -> running
 *     -> post_notify_running -> notify on the instances -> confirmed-post_notify_running
 *
 * so that an agent hears what is about to happen and what did, on every instance, before
 * anything ordered after the clone goes on (what waits for a notifying clone's start
 * waits for the confirmed post-notifications). Each notify action, and each start, stop,
 * promote and demote of the instances, carries the notify_* meta attributes agents read:
 * which instances start, stop, promote, demote where, which are active, promoted,
 * unpromoted and inactive, and which nodes may host the clone.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sched_graph.h"

typedef enum notify_task { N_START = 0, N_STOP, N_PROMOTE, N_DEMOTE, N_TASKS } notify_task_t;

/* The clone's task, its completion, and their names in keys. */
static const struct {
    bl_task_t task;
    bl_task_t completion;
    const char *name;
    const char *done_name;
} rounds[N_TASKS] = {
    [N_START] = {BL_TASK_START, BL_TASK_RUNNING, "start", "running"},
    [N_STOP] = {BL_TASK_STOP, BL_TASK_STOPPED, "stop", "stopped"},
    [N_PROMOTE] = {BL_TASK_PROMOTE, BL_TASK_PROMOTED, "promote", "promoted"},
    [N_DEMOTE] = {BL_TASK_DEMOTE, BL_TASK_DEMOTED, "demote", "demoted"},
};

/* An instance (primitive) and the node it acts or runs on (NULL: none). */
typedef struct entry {
    const bl_srsc_t *rsc;
    const bl_snode_t *node;
} entry_t;

/* The pseudo-events of one round (NULL when not in the graph). */
typedef struct round_ops {
    gop_t *pre;
    gop_t *pre_done;
    gop_t *post;
    gop_t *post_done;
} round_ops_t;

typedef struct clone_notify {
    graph_t *g;
    const bl_srsc_t *clone;
    GPtrArray *leaves;       /* the clone's primitives, instance by instance */
    GArray *acting[N_TASKS]; /* entry_t: the instances that start, stop, ... */
    GHashTable *keys;        /* notify_* meta attribute -> value */
    GHashTable *monitors;    /* leaf -> GPtrArray of its recurring monitors (gop_t *) */
    round_ops_t ops[N_TASKS];
} clone_notify_t;

static notify_task_t
round_of(bl_task_t task)
{
    for (int t = 0; t < N_TASKS; t++) {
        if (rounds[t].task == task) {
            return (notify_task_t) t;
        }
    }
    return N_TASKS;
}

/* ------------------------------------------------------------- what happens */

/* The instances' required actions that can happen (a stop on an unclean node counts: the
 * fencing implies it). */
static void
collect_acting(clone_notify_t *n)
{
    for (guint i = 0; i < n->leaves->len; i++) {
        const bl_srsc_t *leaf = g_ptr_array_index(n->leaves, i);

        for (guint a = 0; a < leaf->actions->len; a++) {
            const bl_action_t *action = g_ptr_array_index(leaf->actions, a);
            notify_task_t t = round_of(action->task);
            entry_t entry = {.rsc = leaf, .node = action->node};

            if (t == N_TASKS || action->node == NULL || (action->flags & BL_ACT_OPTIONAL)
                || !((action->flags & BL_ACT_RUNNABLE) || (t == N_STOP && action->node->unclean))) {
                continue;
            }
            g_array_append_val(n->acting[t], entry);
        }
    }
}

static gint
compare_entries(gconstpointer a, gconstpointer b)
{
    const entry_t *x = a;
    const entry_t *y = b;
    int rc = strcmp(x->rsc->id, y->rsc->id);

    if (rc != 0 || x->node == y->node) {
        return rc;
    }
    if (x->node == NULL || y->node == NULL) {
        return x->node == NULL ? 1 : -1;
    }
    return strcmp(x->node->id, y->node->id);
}

/* Sets NAME_resource (and NAME_uname unless NULL) to the instances of ENTRIES and their
 * nodes, sorted by instance, each instance once; " " when there are none. */
static void
set_list(clone_notify_t *n, GArray *entries, const char *rsc_key, const char *node_key)
{
    GString *rscs = g_string_new(NULL);
    GString *nodes = g_string_new(NULL);
    const char *last = NULL;

    g_array_sort(entries, compare_entries);
    for (guint i = 0; i < entries->len; i++) {
        const entry_t *e = &g_array_index(entries, entry_t, i);

        if ((node_key != NULL && e->node == NULL)
            || (last != NULL && strcmp(last, e->rsc->id) == 0)) {
            continue;
        }
        last = e->rsc->id;
        g_string_append_printf(rscs, "%s%s", rscs->len > 0 ? " " : "", e->rsc->id);
        if (node_key != NULL) {
            g_string_append_printf(nodes, "%s%s", nodes->len > 0 ? " " : "", e->node->uname);
        }
    }
    g_hash_table_insert(n->keys, g_strdup(rsc_key), g_strdup(rscs->len > 0 ? rscs->str : " "));
    if (node_key != NULL) {
        g_hash_table_insert(n->keys, g_strdup(node_key),
                            g_strdup(nodes->len > 0 ? nodes->str : " "));
    }
    g_string_free(rscs, true);
    g_string_free(nodes, true);
}

/* Compares node names as Pacemaker sorts them: case-insensitive, digits by value. */
static int
compare_names(const char *a, const char *b)
{
    while (*a != '\0' && *b != '\0') {
        if (isdigit((unsigned char) *a) && isdigit((unsigned char) *b)) {
            char *end_a;
            char *end_b;
            unsigned long long x = strtoull(a, &end_a, 10);
            unsigned long long y = strtoull(b, &end_b, 10);

            if (x != y) {
                return x < y ? -1 : 1;
            }
            a = end_a;
            b = end_b;
            continue;
        }
        if (tolower((unsigned char) *a) != tolower((unsigned char) *b)) {
            return tolower((unsigned char) *a) < tolower((unsigned char) *b) ? -1 : 1;
        }
        a++;
        b++;
    }
    return (*a != '\0') - (*b != '\0');
}

static gint
compare_nodes(gconstpointer a, gconstpointer b)
{
    return compare_names((*(const bl_snode_t *const *) a)->uname,
                         (*(const bl_snode_t *const *) b)->uname);
}

/* notify_available_uname (the nodes the clone may run on) and notify_all_uname. */
static void
set_node_lists(clone_notify_t *n)
{
    const bl_sched_t *s = n->g->s;
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();
    GString *all = g_string_new(NULL);
    GString *available = g_string_new(NULL);

    for (int i = 0; i < s->n_nodes; i++) {
        g_ptr_array_add(nodes, s->nodes[i]);
    }
    g_ptr_array_sort(nodes, compare_nodes);
    for (guint i = 0; i < nodes->len; i++) {
        const bl_snode_t *node = g_ptr_array_index(nodes, i);

        g_string_append_printf(all, "%s%s", all->len > 0 ? " " : "", node->uname);
        if (n->clone->allowed[node->index]) {
            g_string_append_printf(available, "%s%s", available->len > 0 ? " " : "", node->uname);
        }
    }
    g_hash_table_insert(n->keys, g_strdup("notify_all_uname"),
                        g_strdup(all->len > 0 ? all->str : " "));
    g_hash_table_insert(n->keys, g_strdup("notify_available_uname"),
                        g_strdup(available->len > 0 ? available->str : " "));
    g_string_free(all, true);
    g_string_free(available, true);
}

/* The instances by the role they have now (the first node each is active on). */
static void
set_state_lists(clone_notify_t *n)
{
    GArray *active = g_array_new(false, false, sizeof(entry_t));
    GArray *inactive = g_array_new(false, false, sizeof(entry_t));
    GArray *promoted = g_array_new(false, false, sizeof(entry_t));
    GArray *unpromoted = g_array_new(false, false, sizeof(entry_t));

    for (guint i = 0; i < n->leaves->len; i++) {
        const bl_srsc_t *leaf = g_ptr_array_index(n->leaves, i);
        entry_t e = {.rsc = leaf,
                     .node =
                         leaf->running_on->len > 0 ? g_ptr_array_index(leaf->running_on, 0) : NULL};

        if (leaf->role <= BL_ROLE_STOPPED) {
            g_array_append_val(inactive, e);
            continue;
        }
        g_array_append_val(active, e);
        if (leaf->role == BL_ROLE_PROMOTED) {
            g_array_append_val(promoted, e);
        } else if (leaf->role == BL_ROLE_UNPROMOTED) {
            g_array_append_val(unpromoted, e);
        }
    }
    set_list(n, active, "notify_active_resource", "notify_active_uname");
    set_list(n, inactive, "notify_inactive_resource", NULL);
    /* (master and slave: the names agents written for Pacemaker 1 read) */
    set_list(n, promoted, "notify_promoted_resource", "notify_promoted_uname");
    set_list(n, promoted, "notify_master_resource", "notify_master_uname");
    set_list(n, unpromoted, "notify_unpromoted_resource", "notify_unpromoted_uname");
    set_list(n, unpromoted, "notify_slave_resource", "notify_slave_uname");
    g_array_free(active, true);
    g_array_free(inactive, true);
    g_array_free(promoted, true);
    g_array_free(unpromoted, true);
}

static void
collect_keys(clone_notify_t *n)
{
    for (int t = 0; t < N_TASKS; t++) {
        g_autofree char *rsc_key = g_strdup_printf("notify_%s_resource", rounds[t].name);
        g_autofree char *node_key = g_strdup_printf("notify_%s_uname", rounds[t].name);

        set_list(n, n->acting[t], rsc_key, node_key);
    }
    set_state_lists(n);
    set_node_lists(n);
}

/* ------------------------------------------------------------- pseudo-events */

static gop_t *
pseudo_event(clone_notify_t *n, notify_task_t t, const char *key_type, bool post)
{
    gop_t *op =
        bl__graph_op_add(n->g, GOP_PSEUDO, n->clone,
                         strncmp(key_type, "confirmed", 9) == 0 ? "notified" : "notify", NULL, 0);
    const char *operation = post ? rounds[t].done_name : rounds[t].name;

    g_free(op->key);
    op->key = g_strdup_printf("%s_%s_notify_%s_0", n->clone->id, key_type, operation);
    op->priority = post ? BL_SCORE_INFINITY : 0;
    bl__graph_meta_set(op, "notify_type", post ? "post" : "pre");
    bl__graph_meta_set(op, "notify_operation", rounds[t].name);
    bl__graph_meta_set(op, "notify_key_type", key_type);
    bl__graph_meta_set(op, "notify_key_operation", operation);
    return op;
}

/*
 * The round's pseudo-events: the pre-notifications are needed when an instance acts, the
 * post-notifications also when the clone's completion is in the graph.
 */
static void
add_round_events(clone_notify_t *n, notify_task_t t)
{
    graph_t *g = n->g;
    round_ops_t *ops = &n->ops[t];
    bl_action_t *action = bl__sched_action_find(n->clone, rounds[t].task, NULL);
    bl_action_t *completion = bl__sched_action_find(n->clone, rounds[t].completion, NULL);
    bool acting = n->acting[t]->len > 0;

    if (acting) {
        ops->pre = pseudo_event(n, t, "pre", false);
        ops->pre_done = pseudo_event(n, t, "confirmed-pre", false);
        bl__graph_input(ops->pre_done, ops->pre);
        bl__graph_input(bl__graph_op_of(g, action), ops->pre_done);
    }
    if (acting || bl__graph_op_of(g, completion) != NULL) {
        ops->post = pseudo_event(n, t, "post", true);
        ops->post_done = pseudo_event(n, t, "confirmed-post", true);
        bl__graph_input(ops->post, bl__graph_op_of(g, completion));
        bl__graph_input(ops->post, ops->pre_done);
        bl__graph_input(ops->post_done, ops->post);
    }
    if (completion != NULL) {
        /* what waits for the clone's completion waits for the confirmation instead */
        g_hash_table_insert(g->notified, completion, ops->post_done);
    }
}

/* ------------------------------------------------------------- notify actions */

static void
notify_action(clone_notify_t *n, notify_task_t t, const bl_srsc_t *leaf, const bl_snode_t *node,
              bool post)
{
    gop_t *first = post ? n->ops[t].post : n->ops[t].pre;
    gop_t *then = post ? n->ops[t].post_done : n->ops[t].pre_done;
    GHashTableIter iter;
    gpointer name;
    gpointer value;
    gop_t *op;

    if (first == NULL || node == NULL || !node->online || node->unclean || !leaf->managed) {
        return;
    }
    op = bl__graph_op_add(n->g, GOP_RSC, leaf, "notify", node, 0);
    g_free(op->key);
    op->key = g_strdup_printf("%s_%s_notify_%s_0", leaf->id, post ? "post" : "pre", rounds[t].name);
    op->priority = post ? BL_SCORE_INFINITY : 0;
    g_hash_table_iter_init(&iter, first->meta);
    while (g_hash_table_iter_next(&iter, &name, &value)) {
        bl__graph_meta_set(op, name, value);
    }
    g_hash_table_iter_init(&iter, n->keys);
    while (g_hash_table_iter_next(&iter, &name, &value)) {
        bl__graph_meta_set(op, name, value);
    }
    bl__graph_input(op, first);
    bl__graph_input(then, op);
}

/* Recurring monitors of LEAF start once the post-notifications are confirmed. */
static void
monitors_after(clone_notify_t *n, notify_task_t t, const bl_srsc_t *leaf)
{
    GPtrArray *monitors = g_hash_table_lookup(n->monitors, leaf);

    for (guint i = 0; monitors != NULL && i < monitors->len; i++) {
        bl__graph_input(g_ptr_array_index(monitors, i), n->ops[t].post_done);
    }
}

static const bl_action_t *
first_action(const bl_srsc_t *leaf, bl_task_t task)
{
    for (guint i = 0; i < leaf->actions->len; i++) {
        const bl_action_t *action = g_ptr_array_index(leaf->actions, i);

        if (action->task == task) {
            return action;
        }
    }
    return NULL;
}

/*
 * Who is notified: of a stop or demote, the instances active now, where they are (after
 * a stop only those that stay); of a start or promote, the instances that will be active,
 * where they will be (before a start only those already running).
 */
static void
add_round_actions(clone_notify_t *n, notify_task_t t)
{
    if (t != N_STOP && n->acting[t]->len == 0) {
        return;
    }
    for (guint i = 0; i < n->leaves->len; i++) {
        const bl_srsc_t *leaf = g_ptr_array_index(n->leaves, i);
        const bl_action_t *stop = first_action(leaf, BL_TASK_STOP);
        const bl_action_t *start = first_action(leaf, BL_TASK_START);

        if ((t == N_STOP || t == N_DEMOTE) && leaf->role > BL_ROLE_STOPPED) {
            for (guint r = 0; r < leaf->running_on->len; r++) {
                const bl_snode_t *node = g_ptr_array_index(leaf->running_on, r);

                if (stop != NULL && (stop->flags & BL_ACT_PSEUDO) && node->unclean) {
                    continue; /* fencing stops it: nothing to tell the node */
                }
                notify_action(n, t, leaf, node, false);
                if (t == N_DEMOTE || stop == NULL || (stop->flags & BL_ACT_OPTIONAL)) {
                    notify_action(n, t, leaf, node, true);
                    monitors_after(n, t, leaf);
                }
            }
        } else if ((t == N_START || t == N_PROMOTE) && leaf->next_role > BL_ROLE_STOPPED
                   && leaf->assigned != NULL) {
            if (t != N_START || start == NULL || (start->flags & BL_ACT_OPTIONAL)) {
                notify_action(n, t, leaf, leaf->assigned, false);
            }
            notify_action(n, t, leaf, leaf->assigned, true);
            monitors_after(n, t, leaf);
        }
    }
}

/* ------------------------------------------------- notifications after fencing */

/* The post-notification pseudo-event (KEY_TYPE "post" or "confirmed-post") of LEAF's
 * stop that fencing implies. */
static gop_t *
fence_event(clone_notify_t *n, const bl_srsc_t *leaf, const char *key_type)
{
    bool confirmed = strcmp(key_type, "confirmed-post") == 0;
    gop_t *op =
        bl__graph_op_add(n->g, GOP_PSEUDO, leaf, confirmed ? "notified" : "notify", NULL, 0);

    g_free(op->key);
    op->key = g_strdup_printf("%s_%s_notify_stonith_0", leaf->id, key_type);
    /* (the controller hears of it as the notification of a stop) */
    op->history_suffix = g_strdup(confirmed ? "_notified_0" : "_post_notify_stop_0");
    op->priority = BL_SCORE_INFINITY;
    bl__graph_meta_set(op, "notify_type", "post");
    bl__graph_meta_set(op, "notify_operation", "stop");
    bl__graph_meta_set(op, "notify_key_type", key_type);
    bl__graph_meta_set(op, "notify_key_operation", "stonith");
    return op;
}

/* The post-notification of LEAF's stop on NODE, made by the clone's stop round. */
static gop_t *
post_stop_notify(clone_notify_t *n, const bl_srsc_t *leaf, const bl_snode_t *node)
{
    GPtrArray *ops = g_hash_table_lookup(n->g->ops_of, leaf);
    g_autofree char *key = g_strdup_printf("%s_post_notify_stop_0", leaf->id);

    for (guint i = 0; ops != NULL && i < ops->len; i++) {
        gop_t *op = g_ptr_array_index(ops, i);

        if (op->kind == GOP_RSC && op->node == node && strcmp(op->key, key) == 0) {
            return op;
        }
    }
    return NULL;
}

static void
wait_for_fence(graph_t *g, const bl_snode_t *node, gop_t *op)
{
    GPtrArray *list;

    if (g->after_fence == NULL) {
        g->after_fence = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                               (GDestroyNotify) g_ptr_array_unref);
    }
    list = g_hash_table_lookup(g->after_fence, node);
    if (list == NULL) {
        list = g_ptr_array_new();
        g_hash_table_insert(g->after_fence, (gpointer) node, list);
    }
    g_ptr_array_add(list, op);
}

/*
 * An instance that fencing stops gets a second post-notification that follows the fencing
 * right away (as Pacemaker adds, so that what depends on the clone is not caught in a loop
 * with the clone's own stopped event): the instances that stay are told of the stop then,
 * and those notify actions (the same as the stop round's) say "stonith" as key operation.
 */
static void
add_fence_notifications(clone_notify_t *n, const bl_srsc_t *fenced)
{
    const bl_action_t *stop = first_action(fenced, BL_TASK_STOP);
    gop_t *post;
    gop_t *done;

    if (stop == NULL || !(stop->flags & BL_ACT_PSEUDO) || stop->node == NULL || !stop->node->unclean
        || bl__graph_op_of(n->g, stop) == NULL || !bl__sched_can_fence_node(n->g->s, stop->node)) {
        return;
    }
    post = fence_event(n, fenced, "post");
    done = fence_event(n, fenced, "confirmed-post");
    wait_for_fence(n->g, stop->node, post);
    bl__graph_input(done, post);
    for (guint i = 0; i < n->leaves->len; i++) {
        const bl_srsc_t *leaf = g_ptr_array_index(n->leaves, i);

        for (guint r = 0; leaf->role > BL_ROLE_STOPPED && r < leaf->running_on->len; r++) {
            gop_t *notify = post_stop_notify(n, leaf, g_ptr_array_index(leaf->running_on, r));
            GPtrArray *monitors = g_hash_table_lookup(n->monitors, leaf);

            if (notify == NULL) {
                continue;
            }
            bl__graph_meta_set(notify, "notify_key_operation", "stonith");
            bl__graph_input(notify, post);
            bl__graph_input(done, notify);
            for (guint m = 0; monitors != NULL && m < monitors->len; m++) {
                bl__graph_input(g_ptr_array_index(monitors, m), done);
            }
        }
    }
}

/* The instances' own starts, stops, promotes and demotes carry the notify_* lists too. */
static void
keys_on_actions(clone_notify_t *n)
{
    for (guint i = 0; i < n->leaves->len; i++) {
        const bl_srsc_t *leaf = g_ptr_array_index(n->leaves, i);

        for (guint a = 0; a < leaf->actions->len; a++) {
            const bl_action_t *action = g_ptr_array_index(leaf->actions, a);
            gop_t *op = bl__graph_op_of(n->g, action);
            GHashTableIter iter;
            gpointer name;
            gpointer value;

            if (op == NULL || op->kind != GOP_RSC || round_of(action->task) == N_TASKS) {
                continue;
            }
            g_hash_table_iter_init(&iter, n->keys);
            while (g_hash_table_iter_next(&iter, &name, &value)) {
                bl__graph_meta_set(op, name, value);
            }
        }
    }
}

/* One round's notifications are all confirmed before the next round begins. */
static void
order_rounds(clone_notify_t *n)
{
    static const notify_task_t chain[][2] = {
        {N_STOP, N_START},     {N_STOP, N_PROMOTE}, {N_START, N_PROMOTE},
        {N_DEMOTE, N_PROMOTE}, {N_DEMOTE, N_START}, {N_DEMOTE, N_STOP},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(chain); i++) {
        bl__graph_input(n->ops[chain[i][1]].pre, n->ops[chain[i][0]].post_done);
    }
}

static void
clone_notify(graph_t *g, const bl_srsc_t *clone, GHashTable *monitors)
{
    clone_notify_t n = {
        .g = g,
        .clone = clone,
        .leaves = g_ptr_array_new(),
        .keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
        .monitors = monitors,
    };
    int count = clone->clone->promotable ? N_TASKS : N_PROMOTE;

    for (int t = 0; t < N_TASKS; t++) {
        n.acting[t] = g_array_new(false, false, sizeof(entry_t));
    }
    bl__graph_leaves(clone, n.leaves);
    collect_acting(&n);
    collect_keys(&n);
    for (int t = 0; t < count; t++) {
        add_round_events(&n, (notify_task_t) t);
        add_round_actions(&n, (notify_task_t) t);
    }
    for (guint i = 0; i < n.leaves->len; i++) {
        add_fence_notifications(&n, g_ptr_array_index(n.leaves, i));
    }
    keys_on_actions(&n);
    order_rounds(&n);
    for (int t = 0; t < N_TASKS; t++) {
        g_array_free(n.acting[t], true);
    }
    g_ptr_array_free(n.leaves, true);
    g_hash_table_destroy(n.keys);
}

static bool
notifies(const bl_srsc_t *clone)
{
    return clone != NULL && bl__sched_true(g_hash_table_lookup(clone->meta, "notify"));
}

void
bl__graph_notify_add(graph_t *g)
{
    g_autoptr(GHashTable) monitors = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);

    /* the recurring monitors of notifying clones' instances, found in one pass */
    for (guint i = 0; i < g->ops->len; i++) {
        gop_t *op = g_ptr_array_index(g->ops, i);
        GPtrArray *list;

        if (op->rsc == NULL || op->interval_ms == 0 || strcmp(op->task, "monitor") != 0
            || !notifies(bl__sched_rsc_clone(op->rsc))) {
            continue;
        }
        list = g_hash_table_lookup(monitors, op->rsc);
        if (list == NULL) {
            list = g_ptr_array_new();
            g_hash_table_insert(monitors, (gpointer) op->rsc, list);
        }
        g_ptr_array_add(list, op);
    }
    for (guint i = 0; i < g->s->all_rscs->len; i++) {
        const bl_srsc_t *rsc = g_ptr_array_index(g->s->all_rscs, i);

        if (rsc->kind == BL_RSC_CLONE && notifies(rsc)) {
            clone_notify(g, rsc, monitors);
        }
    }
}
