/*
 * Promotable clones: once the instances are placed, up to promoted-max of them (at most
 * promoted-node-max per node) are promoted. Each placed instance gets a promotion
 * priority: its promotion score (the master-RSC node attribute the agent sets), plus
 * role=Promoted location preferences and role-specific colocations; the clone's own node
 * scores and the preferences of what must run with the promoted instance are then added
 * per node, and the best instances win (Pacemaker's pcmk__set_instance_roles).
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

static bool
contains(const GPtrArray *nodes, const bl_snode_t *node)
{
    for (guint i = 0; i < nodes->len; i++) {
        if (g_ptr_array_index(nodes, i) == node) {
            return true;
        }
    }
    return false;
}

/* RSC (an instance or a member of one) has a history of BASE on NODE. */
static bool
known_on(const bl_srsc_t *rsc, const char *base, const bl_snode_t *node)
{
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        return strcmp(rsc->base_id, base) == 0 && contains(rsc->known_on, node);
    }
    for (guint i = 0; i < rsc->children->len; i++) {
        if (known_on(g_ptr_array_index(rsc->children, i), base, node)) {
            return true;
        }
    }
    return false;
}

/* Some instance of anonymous CLONE has a history of BASE on NODE. */
static bool
anonymous_known_on(const bl_srsc_t *clone, const char *base, const bl_snode_t *node)
{
    for (guint i = 0; i < clone->children->len; i++) {
        if (known_on(g_ptr_array_index(clone->children, i), base, node)) {
            return true;
        }
    }
    return false;
}

static const char *
score_attr(const bl_snode_t *node, const char *name)
{
    g_autofree char *attr = g_strconcat("master-", name, NULL);

    return bl__sched_node_attr(node, attr);
}

/* The member of RSC (an instance or a member of one) named BASE if it runs on NODE. */
static const bl_srsc_t *
active_on(const bl_srsc_t *rsc, const char *base, const bl_snode_t *node)
{
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        return strcmp(rsc->base_id, base) == 0 && contains(rsc->running_on, node) ? rsc : NULL;
    }
    for (guint i = 0; i < rsc->children->len; i++) {
        const bl_srsc_t *found = active_on(g_ptr_array_index(rsc->children, i), base, node);

        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

/* The first instance of anonymous CLONE whose BASE runs on NODE, or NULL. */
static const bl_srsc_t *
anonymous_active_on(const bl_srsc_t *clone, const char *base, const bl_snode_t *node)
{
    for (guint i = 0; i < clone->children->len; i++) {
        const bl_srsc_t *found = active_on(g_ptr_array_index(clone->children, i), base, node);

        if (found != NULL) {
            return found;
        }
    }
    return NULL;
}

/*
 * Whether the promotion score of RSC (a primitive instance) counts on NODE. The agent
 * sets it where it runs, so a score only means something where the instance's state is
 * known: where this instance runs or was probed. For an anonymous clone the number is
 * arbitrary: where another instance runs, only that one's score counts; where none runs,
 * any instance's probe makes it count. Before anything is known anywhere, every score
 * counts (scores set permanently by an administrator).
 */
static bool
score_applies(const bl_srsc_t *rsc, const bl_srsc_t *clone, const bl_snode_t *node)
{
    bool applies;

    if (!clone->clone->unique) {
        const bl_srsc_t *active = anonymous_active_on(clone, rsc->base_id, node);

        if (active != NULL && active != rsc) {
            applies = contains(rsc->known_on, node) || contains(rsc->running_on, node);
        } else {
            applies = active == rsc || anonymous_known_on(clone, rsc->base_id, node)
                      || (rsc->running_on->len == 0 && rsc->known_on->len == 0)
                      || contains(rsc->known_on, node);
        }
    } else {
        applies = (rsc->running_on->len == 0 && rsc->known_on->len == 0)
                  || contains(rsc->known_on, node) || contains(rsc->running_on, node);
    }
    return applies && rsc->allowed[node->index] && rsc->scores[node->index] >= 0;
}

/* The instance's promotion score on NODE, as Pacemaker reads it (a cloned group's is the
 * sum of its members'); *SET tells whether any was found (0 otherwise). */
static int
promotion_score(const bl_srsc_t *rsc, const bl_snode_t *node, bool *set)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);
    const char *value;

    *set = false;
    if (rsc->kind != BL_RSC_PRIMITIVE) {
        int score = 0;

        for (guint i = 0; i < rsc->children->len; i++) {
            bool member_set;

            score += promotion_score(g_ptr_array_index(rsc->children, i), node, &member_set);
            *set = *set || member_set;
        }
        return score;
    }
    if (!score_applies(rsc, clone, node)) {
        return 0;
    }
    value = score_attr(node, rsc->history_id != NULL ? rsc->history_id : rsc->id);
    if (value == NULL && !clone->clone->unique) {
        value = score_attr(node, rsc->base_id);
    }
    *set = value != NULL;
    return value != NULL ? bl__sched_score(value) : 0;
}

void
bl__sched_promote_add_scores(bl_sched_t *s, bl_srsc_t *clone)
{
    for (guint i = 0; i < clone->children->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
        bl_srsc_t *target = instance;

        while (target->kind != BL_RSC_PRIMITIVE && target->children->len > 0) {
            target = g_ptr_array_index(target->children, 0);
        }
        for (int n = 0; n < s->n_nodes; n++) {
            int score;
            bool set;

            if (!target->allowed[n] || !bl__sched_node_available(s->nodes[n])) {
                continue;
            }
            score = promotion_score(instance, s->nodes[n], &set);
            if (score > 0) {
                target->scores[n] = bl_score_add(target->scores[n], score);
            }
        }
    }
}

/* ------------------------------------------------------------------ roles */

static bl_snode_t *
placed_on(const bl_srsc_t *instance)
{
    return bl__sched_instance_node(instance, false);
}

/* A colocation of the promoted (or unpromoted) role with a placed PRIMARY_NODE. */
static int
role_coloc_priority(const bl_coloc_t *coloc, const bl_snode_t *mine, const bl_snode_t *primary_node,
                    bl_role_t primary_next, int priority)
{
    const char *attr = coloc->node_attribute != NULL ? coloc->node_attribute : "#id";
    const char *a;
    const char *b;

    if (primary_node == NULL || mine == NULL) {
        return priority;
    }
    a = bl__sched_node_attr(mine, attr);
    b = bl__sched_node_attr(primary_node, attr);
    if (a == NULL || b == NULL || g_ascii_strcasecmp(a, b) != 0) {
        if (coloc->score >= INF && coloc->dependent_role == BL_ROLE_PROMOTED) {
            return -INF;
        }
        return priority;
    }
    if (coloc->primary_role != BL_ROLE_UNKNOWN && coloc->primary_role != primary_next) {
        return priority;
    }
    return bl_score_add(coloc->dependent_role == BL_ROLE_UNPROMOTED ? -coloc->score : coloc->score,
                        priority);
}

static int
coloc_priority(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *instance, int priority)
{
    bl_srsc_t *primary = coloc->primary;
    bl_snode_t *mine = placed_on(instance);

    (void) s;
    if (coloc->dependent_role < BL_ROLE_UNPROMOTED || primary->provisional) {
        return priority;
    }
    if (primary->kind != BL_RSC_CLONE) {
        bl_srsc_t *leaf = primary;

        while (leaf->kind == BL_RSC_GROUP && leaf->children->len > 0) {
            leaf = g_ptr_array_index(leaf->children, leaf->children->len - 1);
        }
        return role_coloc_priority(coloc, mine, leaf->assigned, leaf->next_role, priority);
    }
    if (primary->clone->promotable && coloc->primary_role != BL_ROLE_UNKNOWN
        && coloc->dependent_role == BL_ROLE_PROMOTED) {
        for (guint i = 0; mine != NULL && i < primary->children->len; i++) {
            const bl_srsc_t *other = g_ptr_array_index(primary->children, i);

            if (placed_on(other) == mine && other->next_role == coloc->primary_role) {
                return bl_score_add(priority, coloc->score);
            }
        }
        return coloc->score >= INF ? -INF : priority;
    }
    for (guint i = 0; i < primary->children->len; i++) {
        const bl_srsc_t *other = g_ptr_array_index(primary->children, i);

        priority = role_coloc_priority(coloc, mine, placed_on(other), other->next_role, priority);
    }
    return priority;
}

static int
initial_priority(bl_sched_t *s, bl_srsc_t *clone, bl_srsc_t *instance, bl_snode_t *chosen)
{
    bl_role_t next = bl__sched_instance_next_role(instance);
    /* a group instance's colocations were moved to its first member */
    const bl_srsc_t *holder = instance->kind == BL_RSC_GROUP && instance->children->len > 0
                                  ? g_ptr_array_index(instance->children, 0)
                                  : instance;
    int priority;

    if (next == BL_ROLE_UNPROMOTED || next == BL_ROLE_STOPPED) {
        priority = -INF;
    } else if (next == BL_ROLE_PROMOTED) {
        priority = instance->priority;
    } else {
        bool set;

        /* -1 without a score: a role=Promoted location alone can still promote it */
        priority = promotion_score(instance, chosen, &set);
        priority = set ? priority : -1;
    }
    for (guint i = 0; i < clone->clone->promoted_locations->len; i++) {
        const bl_clone_location_t *location =
            &g_array_index(clone->clone->promoted_locations, bl_clone_location_t, i);

        if (location->node == chosen->index) {
            priority = bl_score_add(priority, location->score);
        }
    }
    for (guint i = 0; i < holder->this_with->len; i++) {
        priority = coloc_priority(s, g_ptr_array_index(holder->this_with, i), instance, priority);
    }
    return priority;
}

/* Best score of RSC on an available node whose ATTR matches NODE's (-INFINITY if none). */
static int
best_alike(const bl_sched_t *s, const bl_srsc_t *rsc, const char *attr, const bl_snode_t *node)
{
    const char *value = bl__sched_node_attr(node, attr);
    int best = -INF;

    for (int n = 0; value != NULL && n < s->n_nodes; n++) {
        const char *other = bl__sched_node_attr(s->nodes[n], attr);

        if (rsc->allowed[n] && bl__sched_node_available(s->nodes[n]) && other != NULL
            && g_ascii_strcasecmp(value, other) == 0 && rsc->scores[n] > best) {
            best = rsc->scores[n];
        }
    }
    return best;
}

/* A mandatory "promoted with PRIMARY": the promoted instance may only be where PRIMARY
 * can be, even if that leaves nowhere (no rollback, unlike optional preferences). */
static void
merge_mandatory(bl_sched_t *s, const bl_coloc_t *coloc, int *work)
{
    const bl_srsc_t *primary = coloc->primary;
    const char *attr = coloc->node_attribute != NULL ? coloc->node_attribute : "#uname";

    while (primary->kind == BL_RSC_GROUP && primary->children->len > 0) {
        primary = g_ptr_array_index(primary->children, 0);
    }
    for (int n = 0; n < s->n_nodes; n++) {
        work[n] = bl_score_add(work[n], best_alike(s, primary, attr, s->nodes[n]));
    }
}

/* Adds the preferences of what the promoted instance must run with to WORK. */
static void
merge_role_colocations(bl_sched_t *s, bl_srsc_t *clone, int *work)
{
    for (guint i = 0; i < clone->this_with->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(clone->this_with, i);

        if (coloc->dependent_role != BL_ROLE_PROMOTED) {
            continue;
        }
        if (coloc->score >= INF && coloc->primary->kind != BL_RSC_CLONE) {
            merge_mandatory(s, coloc, work);
        } else {
            bl__sched_coloc_merge(s, coloc->primary, work, clone->allowed, coloc->node_attribute,
                                  coloc->score / (double) INF, false, false);
        }
    }
    for (guint i = 0; i < clone->with_this->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(clone->with_this, i);

        if (coloc->primary_role != BL_ROLE_PROMOTED
            || (!coloc->influence && clone->running_on->len > 0)) {
            continue;
        }
        bl__sched_clone_merge_positive(s, clone, work, coloc->dependent, coloc);
    }
}

static gint
compare_promotion(gconstpointer a, gconstpointer b, gpointer data)
{
    const bl_srsc_t *x = *(bl_srsc_t *const *) a;
    const bl_srsc_t *y = *(bl_srsc_t *const *) b;
    int by_scores;

    if (x->promotion != y->promotion) {
        return x->promotion > y->promotion ? -1 : 1;
    }
    if (bl__sched_instance_role(x) != bl__sched_instance_role(y)) {
        return bl__sched_instance_role(x) > bl__sched_instance_role(y) ? -1 : 1;
    }
    by_scores = bl__sched_instance_compare_scores(data, x, y);
    if (by_scores != 0) {
        return by_scores;
    }
    return (x->instance > y->instance) - (x->instance < y->instance);
}

static void
promotion_order(bl_sched_t *s, bl_srsc_t *clone, GPtrArray *instances)
{
    g_autofree int *work = g_memdup2(clone->scores, sizeof(int) * (size_t) s->n_nodes);

    for (guint i = 0; i < instances->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(instances, i);
        bl_snode_t *node = placed_on(instance);

        if (node != NULL && instance->promotion >= 0) {
            work[node->index] = bl_score_add(instance->promotion, work[node->index]);
        }
    }
    merge_role_colocations(s, clone, work);
    for (guint i = 0; i < instances->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(instances, i);
        bl_snode_t *node = placed_on(instance);

        if (!instance->managed && bl__sched_instance_next_role(instance) == BL_ROLE_PROMOTED) {
            instance->promotion = INF;
        } else if (node != NULL && instance->promotion >= 0) {
            instance->promotion = work[node->index];
        }
    }
    g_ptr_array_sort_with_data(instances, compare_promotion, s);
}

static void
set_unpromoted(bl_srsc_t *instance)
{
    bl__sched_instance_set_next_role(instance, placed_on(instance) != NULL ? BL_ROLE_UNPROMOTED
                                                                           : BL_ROLE_STOPPED);
}

/* Every member of a group instance must be placed (on one node) for it to be promoted. */
static bool
fully_placed(const bl_srsc_t *instance, const bl_snode_t *node)
{
    if (instance->kind == BL_RSC_PRIMITIVE) {
        return instance->assigned == node;
    }
    for (guint i = 0; i < instance->children->len; i++) {
        if (!fully_placed(g_ptr_array_index(instance->children, i), node)) {
            return false;
        }
    }
    return true;
}

/* A ticket for the promoted role that is not held keeps instances from being promoted. */
static bool
ticket_blocks(const bl_srsc_t *clone, const bl_srsc_t *instance)
{
    if (clone->promotion_blocked || instance->promotion_blocked) {
        return true;
    }
    for (guint i = 0; instance->children != NULL && i < instance->children->len; i++) {
        if (ticket_blocks(clone, g_ptr_array_index(instance->children, i))) {
            return true;
        }
    }
    return false;
}

static void
choose_promoted(bl_sched_t *s, bl_srsc_t *clone, GPtrArray *instances)
{
    g_autofree int *count = bl_calloc((size_t) s->n_nodes + 1, sizeof(int));
    int promoted = 0;

    for (guint i = 0; i < instances->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(instances, i);
        bl_snode_t *node = placed_on(instance);
        /* An unmanaged instance that is promoted stays so where it is, and takes a slot. */
        bool left = node != NULL && !instance->managed
                    && bl__sched_instance_role(instance) == BL_ROLE_PROMOTED;
        bool can =
            node != NULL && instance->promotion >= 0
            && (promoted < clone->clone->promoted_max || !clone->managed)
            && (left
                || (bl__sched_node_available(node) && fully_placed(instance, node)
                    && (count[node->index] < clone->clone->promoted_node_max || !clone->managed)));

        if (can && bl__sched_instance_role(instance) < BL_ROLE_PROMOTED && !s->have_quorum
            && s->no_quorum_policy == BL_NOQ_FREEZE) {
            can = false;
        }
        if (!s->have_quorum && s->no_quorum_policy == BL_NOQ_DEMOTE) {
            can = false; /* without quorum, nothing stays promoted */
        }
        if (ticket_blocks(clone, instance)) {
            can = false;
        }
        if (!can) {
            set_unpromoted(instance);
            continue;
        }
        count[node->index]++;
        bl__sched_instance_set_next_role(instance, BL_ROLE_PROMOTED);
        promoted++;
    }
}

/* A started instance of a promotable clone is an unpromoted one. */
static void
unpromoted_when_started(bl_srsc_t *rsc)
{
    if (rsc->kind == BL_RSC_PRIMITIVE && rsc->role == BL_ROLE_STARTED) {
        rsc->role = BL_ROLE_UNPROMOTED;
    }
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        unpromoted_when_started(g_ptr_array_index(rsc->children, i));
    }
}

void
bl__sched_promote_assign(bl_sched_t *s, bl_srsc_t *clone)
{
    g_autoptr(GPtrArray) instances = g_ptr_array_new();

    for (guint i = 0; i < clone->children->len; i++) {
        bl_srsc_t *instance = g_ptr_array_index(clone->children, i);
        bl_snode_t *chosen;

        g_ptr_array_add(instances, instance);
        unpromoted_when_started(instance);
        chosen = placed_on(instance);
        if (chosen == NULL) {
            continue;
        }
        instance->promotion = initial_priority(s, clone, instance, chosen);
        if (bl__sched_instance_next_role(instance) == BL_ROLE_PROMOTED) {
            instance->promotion = INF;
        }
    }
    promotion_order(s, clone, instances);
    choose_promoted(s, clone, instances);
}

/* ---------------------------------------------------------------- actions */

/*
 * A promoted instance that moves, stops or loses its promotion is demoted first; one
 * that is to be promoted is promoted after its start. Restarts go through the orderings:
 * a required stop requires the demote, a required start requires the promote.
 */
void
bl__sched_promote_actions(bl_sched_t *s, bl_srsc_t *rsc)
{
    bl_snode_t *current = rsc->running_on->len > 0 ? g_ptr_array_index(rsc->running_on, 0) : NULL;

    if (rsc->role == BL_ROLE_STARTED) {
        rsc->role = BL_ROLE_UNPROMOTED;
    }
    if (rsc->role == BL_ROLE_PROMOTED && current != NULL) {
        bool keep = rsc->next_role == BL_ROLE_PROMOTED && rsc->assigned == current;
        bl_action_t *demote = bl__sched_action(s, rsc, BL_TASK_DEMOTE, current, keep);

        bl__sched_order(s, demote, bl__sched_action_find(rsc, BL_TASK_STOP, current),
                        BL_ORD_IMPLIES_FIRST | BL_ORD_PROMOTED_IMPLIES_FIRST);
    }
    if (rsc->next_role == BL_ROLE_PROMOTED && rsc->assigned != NULL) {
        bool already = rsc->role == BL_ROLE_PROMOTED && current == rsc->assigned;
        bl_action_t *promote = bl__sched_action(s, rsc, BL_TASK_PROMOTE, rsc->assigned, already);

        bl__sched_order(s, bl__sched_action_find(rsc, BL_TASK_START, rsc->assigned), promote,
                        BL_ORD_RUNNABLE_LEFT | BL_ORD_IMPLIES_THEN);
    }
}
