/*
 * Assignment: every resource gets at most one node, in priority order. A primitive
 * first places the resources it must be colocated with, applies those colocations, merges
 * the preferences of resources that want to be with it, then picks its best node.
 */
#include <string.h>

#include "sched_private.h"

static bl_snode_t *
current_node(const bl_srsc_t *rsc)
{
    return rsc->running_on->len > 0 ? g_ptr_array_index(rsc->running_on, 0) : NULL;
}

typedef struct node_rank {
    const bl_sched_t *s;
    const bl_srsc_t *rsc;
    const bl_snode_t *preferred;
} node_rank_t;

static int
effective_score(const node_rank_t *rank, const bl_snode_t *node)
{
    return bl__sched_node_available(node) ? rank->rsc->scores[node->index] : -INF;
}

/* Pacemaker's node order: score, fewer resources assigned, current node, name. */
static gint
compare_nodes(gconstpointer a, gconstpointer b, gpointer data)
{
    const node_rank_t *rank = data;
    const bl_snode_t *x = *(bl_snode_t *const *) a;
    const bl_snode_t *y = *(bl_snode_t *const *) b;
    int sx = effective_score(rank, x);
    int sy = effective_score(rank, y);

    if (sx != sy) {
        return (sx > sy) ? -1 : 1;
    }
    if (rank->s->placement == BL_PLACE_MINIMAL) {
        return strcmp(x->uname, y->uname);
    }
    if (rank->s->placement == BL_PLACE_BALANCED) {
        int c = bl__sched_util_compare(rank->s, x, y);

        if (c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    if (x->assigned_count != y->assigned_count) {
        return (x->assigned_count < y->assigned_count) ? -1 : 1;
    }
    if (rank->preferred == x) {
        return -1;
    }
    if (rank->preferred == y) {
        return 1;
    }
    return strcmp(x->uname, y->uname);
}

static void
finalize(bl_srsc_t *rsc, bl_snode_t *chosen, bool force)
{
    if (!force && chosen != NULL
        && (rsc->scores[chosen->index] < 0 || !bl__sched_node_available(chosen))) {
        chosen = NULL;
    }
    rsc->provisional = false;
    rsc->assigned = chosen;
    if (chosen == NULL) {
        rsc->next_role = BL_ROLE_STOPPED;
        return;
    }
    if (rsc->next_role == BL_ROLE_UNKNOWN) {
        rsc->next_role = BL_ROLE_STARTED;
    }
    chosen->assigned_count++;
}

static bool
unique_instance(const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    return clone != NULL && clone->clone->unique;
}

static void
choose_node(bl_sched_t *s, bl_srsc_t *rsc)
{
    g_autoptr(GPtrArray) nodes = g_ptr_array_new();
    node_rank_t rank = {.s = s, .rsc = rsc, .preferred = current_node(rsc)};
    bl_snode_t *roomiest = bl__sched_util_ban(s, rsc);
    bl_snode_t *chosen = NULL;

    for (int i = 0; i < s->n_nodes; i++) {
        if (rsc->allowed[i]) {
            g_ptr_array_add(nodes, s->nodes[i]);
        }
    }
    g_ptr_array_sort_with_data(nodes, compare_nodes, &rank);
    if (nodes->len > 0) {
        chosen = g_ptr_array_index(nodes, 0);
    }
    /* Nowhere has room for it and its colocated resources: the roomiest node, unless a
     * clone tries the instance on its current node. */
    if (roomiest != NULL && rsc->prefer == NULL && chosen != NULL && rsc->allowed[roomiest->index]
        && rsc->scores[roomiest->index] >= rsc->scores[chosen->index]
        && bl__sched_node_available(roomiest)) {
        finalize(rsc, roomiest, false);
        return;
    }
    /* A clone instance tried on its current node takes it if it is as good as the best. */
    if (chosen != NULL && rsc->prefer != NULL) {
        bl_snode_t *prefer = rsc->prefer;

        finalize(rsc,
                 (rsc->allowed[prefer->index] && bl__sched_node_available(prefer)
                  && effective_score(&rank, prefer) >= effective_score(&rank, chosen))
                     ? prefer
                     : chosen,
                 false);
        return;
    }
    /* Among equally good nodes, stay where we are (unique clone instances excepted: the
     * clone already kept those that could stay). */
    if (chosen != NULL && rsc->scores[chosen->index] > 0 && !unique_instance(rsc)
        && bl__sched_node_available(chosen) && rank.preferred != NULL
        && bl__sched_node_available(rank.preferred) && rsc->scores[rank.preferred->index] >= 0) {
        for (guint i = 1; i < nodes->len; i++) {
            bl_snode_t *node = g_ptr_array_index(nodes, i);

            if (effective_score(&rank, node) != effective_score(&rank, chosen)) {
                break;
            }
            if (node == rank.preferred) {
                chosen = node;
            }
        }
    }
    finalize(rsc, chosen, false);
}

static void
apply_this_with(bl_sched_t *s, bl_srsc_t *rsc)
{
    size_t size = sizeof(int) * (size_t) s->n_nodes;

    for (guint i = 0; i < rsc->this_with->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(rsc->this_with, i);
        g_autofree int *archive = NULL;
        bool can_run = false;

        if (coloc->dependent_role >= BL_ROLE_PROMOTED
            || (coloc->score < 0 && coloc->score > -INF)) {
            archive = g_memdup2(rsc->scores, size);
        }
        bl__sched_assign(s, coloc->primary);
        bl__sched_coloc_apply_to(s, coloc, rsc);
        for (int n = 0; n < s->n_nodes; n++) {
            can_run = can_run
                      || (rsc->allowed[n] && rsc->scores[n] >= 0
                          && bl__sched_node_available(s->nodes[n]));
        }
        if (archive != NULL && !can_run) {
            memcpy(rsc->scores, archive, size);
        }
    }
}

static void
merge_with_this(bl_sched_t *s, bl_srsc_t *rsc)
{
    for (guint i = 0; i < rsc->with_this->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(rsc->with_this, i);

        if (!coloc->influence && rsc->running_on->len > 0) {
            continue;
        }
        bl__sched_coloc_merge(s, coloc->dependent, rsc->scores, rsc->allowed, coloc->node_attribute,
                              coloc->score / (double) INF, false, false);
    }
}

/* Without quorum, policy stop stops everything; policy demote keeps promotable instances
 * (demoted, see sched_promote.c) and stops the rest. */
static bool
stop_for_quorum(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone;

    if (s->have_quorum) {
        return false;
    }
    if (s->no_quorum_policy == BL_NOQ_DEMOTE) {
        clone = bl__sched_rsc_clone(rsc);
        return clone == NULL || !clone->clone->promotable;
    }
    return s->no_quorum_policy == BL_NOQ_STOP;
}

static bl_snode_t *
assign_primitive(bl_sched_t *s, bl_srsc_t *rsc)
{
    if (!rsc->provisional) {
        return rsc->assigned;
    }
    if (rsc->assigning) {
        return NULL; /* colocation loop */
    }
    rsc->assigning = true;
    apply_this_with(s, rsc);
    merge_with_this(s, rsc);
    if (rsc->next_role == BL_ROLE_STOPPED) {
        bl__sched_rsc_location(rsc, NULL, -INF, s->n_nodes);
    } else if (!s->have_quorum && s->no_quorum_policy == BL_NOQ_FREEZE
               && rsc->running_on->len == 0) {
        rsc->next_role = rsc->role;
    }
    rsc->pre_scores = g_memdup2(rsc->scores, sizeof(int) * (size_t) s->n_nodes);
    bl__sched_scores_log(s, rsc, "pcmk__primitive_assign");
    if (s->stonith_enabled && !s->have_stonith_resource) {
        /* Without a fencing device nothing can be recovered safely. */
        rsc->managed = false;
    }
    if (!rsc->managed) {
        rsc->next_role = rsc->role;
        finalize(rsc, current_node(rsc), true);
    } else if (s->stop_all || (stop_for_quorum(s, rsc) && rsc->needs_quorum)) {
        finalize(rsc, NULL, true);
    } else {
        choose_node(s, rsc);
    }
    if (rsc->assigned != NULL) {
        bl__sched_util_consume(s, rsc, rsc->assigned);
    }
    rsc->assigning = false;
    return rsc->assigned;
}

/*
 * Later members follow the group's colocations through the chain of internal colocations
 * from the first member; an unmanaged member breaks that chain (it stays where it is),
 * so the members after it get the group's mandatory colocations themselves.
 */
static void
add_mandatory_after_unmanaged(bl_srsc_t *group)
{
    bool unmanaged_before = false;

    for (guint m = 1; m < group->children->len; m++) {
        bl_srsc_t *member = g_ptr_array_index(group->children, m);
        const bl_srsc_t *previous = g_ptr_array_index(group->children, m - 1);

        unmanaged_before = unmanaged_before || !previous->managed;
        for (guint i = 0; unmanaged_before && i < group->this_with->len; i++) {
            bl_coloc_t *coloc = g_ptr_array_index(group->this_with, i);

            if (coloc->score >= INF) {
                bl__sched_coloc_insert(member->this_with, coloc, true);
            }
        }
    }
}

/* Moves the group's colocations to its members, as Pacemaker does at assignment. */
static void
expand_group_colocations(bl_srsc_t *group)
{
    bl_srsc_t *first = g_ptr_array_index(group->children, 0);
    bl_srsc_t *last = g_ptr_array_index(group->children, group->children->len - 1);

    for (guint i = 0; i < group->this_with->len; i++) {
        bl__sched_coloc_insert(first->this_with, g_ptr_array_index(group->this_with, i), true);
    }
    add_mandatory_after_unmanaged(group);
    g_ptr_array_set_size(group->this_with, 0);
    for (guint i = 0; i < group->with_this->len; i++) {
        bl__sched_coloc_insert(last->with_this, g_ptr_array_index(group->with_this, i), false);
    }
    g_ptr_array_set_size(group->with_this, 0);
}

static bl_snode_t *
assign_group(bl_sched_t *s, bl_srsc_t *group)
{
    bl_snode_t *first_node = NULL;

    if (!group->provisional) {
        return group->assigned;
    }
    if (group->assigning) {
        return NULL;
    }
    if (group->children->len == 0) {
        group->provisional = false;
        return NULL;
    }
    group->assigning = true;
    bl__sched_scores_log(s, group, "pcmk__group_assign");
    expand_group_colocations(group);
    for (guint i = 0; i < group->children->len; i++) {
        bl_snode_t *node = assign_primitive(s, g_ptr_array_index(group->children, i));

        if (i == 0) {
            first_node = node;
        }
    }
    group->assigning = false;
    group->provisional = false;
    group->assigned = first_node;
    return first_node;
}

bl_snode_t *
bl__sched_assign(bl_sched_t *s, bl_srsc_t *rsc)
{
    bl_srsc_t *top = bl__sched_rsc_top(rsc);

    /* Instances are assigned by their clone, never on their own. */
    if (top->kind == BL_RSC_CLONE && (top == rsc || !top->assigning)) {
        bl__sched_clone_assign(s, top);
        return rsc->kind == BL_RSC_CLONE ? NULL : bl__sched_instance_node(rsc, false);
    }
    if (rsc->kind == BL_RSC_GROUP) {
        return assign_group(s, rsc);
    }
    if (rsc->parent != NULL && rsc->parent->kind == BL_RSC_GROUP && !rsc->parent->assigning) {
        assign_group(s, rsc->parent);
    }
    return assign_primitive(s, rsc);
}

static gint
compare_priority(gconstpointer a, gconstpointer b)
{
    const bl_srsc_t *x = *(bl_srsc_t *const *) a;
    const bl_srsc_t *y = *(bl_srsc_t *const *) b;

    if (x->priority != y->priority) {
        return (x->priority > y->priority) ? -1 : 1;
    }
    return (x->config_index < y->config_index) ? -1 : (x->config_index > y->config_index);
}

void
bl__sched_assign_all(bl_sched_t *s)
{
    s->assign_order = g_ptr_array_copy(s->resources, NULL, NULL);
    g_ptr_array_sort(s->assign_order, compare_priority);
    bl__sched_util_sort(s, s->assign_order);
    for (guint i = 0; i < s->assign_order->len; i++) {
        bl__sched_assign(s, g_ptr_array_index(s->assign_order, i));
    }
}
