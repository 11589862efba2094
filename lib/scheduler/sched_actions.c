/*
 * The transition: actions (start/stop per node, and group pseudo-actions used as ordering
 * points) with ordering edges whose flags carry "required" and "runnable" from one action
 * to another. Flags only ever go one way (optional -> required, runnable -> unrunnable),
 * so propagation runs to a fixed point that does not depend on visiting order.
 */
#include <string.h>

#include "sched_private.h"

bl_action_t *
bl__sched_action_find(const bl_srsc_t *rsc, bl_task_t task, const bl_snode_t *node)
{
    for (guint i = 0; i < rsc->actions->len; i++) {
        bl_action_t *action = g_ptr_array_index(rsc->actions, i);

        if (action->task == task && action->node == node) {
            return action;
        }
    }
    return NULL;
}

static bool
promotable_instance(const bl_srsc_t *rsc)
{
    const bl_srsc_t *clone = bl__sched_rsc_clone(rsc);

    return clone != NULL && clone->clone->promotable;
}

static bool
node_can_act(const bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node, bl_task_t task)
{
    if (node == NULL || !node->online || node->unclean) {
        return false;
    }
    if (task == BL_TASK_START && !s->have_quorum && rsc->needs_quorum
        && (s->no_quorum_policy == BL_NOQ_STOP
            || (s->no_quorum_policy == BL_NOQ_DEMOTE && !promotable_instance(rsc)))) {
        return false;
    }
    return true;
}

/* Without quorum and no-quorum-policy=freeze, nothing that is not running may start. */
static bool
frozen(const bl_sched_t *s, const bl_srsc_t *rsc, bl_task_t task)
{
    return task == BL_TASK_START && !s->have_quorum && s->no_quorum_policy == BL_NOQ_FREEZE
           && rsc->running_on->len == 0 && rsc->needs_quorum;
}

bl_action_t *
bl__sched_action(bl_sched_t *s, bl_srsc_t *rsc, bl_task_t task, bl_snode_t *node, bool optional)
{
    bl_action_t *action = bl__sched_action_find(rsc, task, node);

    if (action == NULL) {
        action = bl_calloc(1, sizeof(*action));
        action->index = (int) s->actions->len;
        action->rsc = rsc;
        action->task = task;
        action->node = node;
        action->flags = BL_ACT_OPTIONAL;
        action->out = g_ptr_array_new();
        action->in = g_ptr_array_new();
        if (rsc->kind != BL_RSC_PRIMITIVE) {
            action->flags |= BL_ACT_PSEUDO | BL_ACT_RUNNABLE;
        } else if ((task == BL_TASK_STOP || task == BL_TASK_DEMOTE) && node != NULL && node->unclean
                   && bl__sched_can_fence_node(s, node)) {
            /* Fencing the node stops (and so demotes) everything there: implied. */
            action->flags |= BL_ACT_PSEUDO | BL_ACT_RUNNABLE;
        } else if (node_can_act(s, rsc, node, task) && !frozen(s, rsc, task)) {
            action->flags |= BL_ACT_RUNNABLE;
        }
        g_ptr_array_add(s->actions, action);
        g_ptr_array_add(rsc->actions, action);
    }
    /* An unmanaged resource's actions never become part of the transition. */
    if (!optional && rsc->managed) {
        action->flags &= ~BL_ACT_OPTIONAL;
    }
    return action;
}

void
bl__sched_order(bl_sched_t *s, bl_action_t *first, bl_action_t *then, unsigned flags)
{
    bl_order_edge_t *edge;

    if (first == NULL || then == NULL || first == then) {
        return;
    }
    edge = bl_calloc(1, sizeof(*edge));
    edge->first = first;
    edge->then = then;
    edge->flags = flags;
    g_ptr_array_add(s->edges, edge);
    g_ptr_array_add(first->out, edge);
    g_ptr_array_add(then->in, edge);
}

/* multiple-active=stop_unexpected: the node the resource is assigned to keeps it. */
static bool
expected_node(const bl_srsc_t *rsc, const bl_snode_t *node)
{
    return rsc->multiple_active == BL_MULTI_STOP_UNEXPECTED && rsc->running_on->len > 1
           && rsc->assigned == node && rsc->next_role >= BL_ROLE_STARTED;
}

static void
stop_everywhere(bl_sched_t *s, bl_srsc_t *rsc, bool optional)
{
    for (guint i = 0; i < rsc->running_on->len; i++) {
        bl_snode_t *node = g_ptr_array_index(rsc->running_on, i);
        bl_action_t *stop;

        if (expected_node(rsc, node) || (node == rsc->partial_target && node == rsc->assigned)) {
            continue; /* kept, or the target of a migration that goes on */
        }
        stop = bl__sched_action(s, rsc, BL_TASK_STOP, node, optional);

        if (!rsc->managed) {
            stop->flags &= ~BL_ACT_RUNNABLE;
        }
    }
}

/* Where RSC counts as active to decide whether it is multiply active: a resource that does
 * not need fencing to start elsewhere is not counted on unclean nodes. */
static guint
active_count(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    bool fencing = bl__sched_needs_fencing(s, rsc);
    guint count = 0;

    for (guint i = 0; i < rsc->running_on->len; i++) {
        const bl_snode_t *node = g_ptr_array_index(rsc->running_on, i);

        count += (fencing || !node->unclean) ? 1 : 0;
    }
    return count;
}

/* Pacemaker's create_actions for a primitive: down to Stopped, then up to the next role. */
/*
 * A resource that is not promotable but was found promoted (its agent reported "running
 * promoted") goes down through demote and stop wherever it runs, then starts as a plain
 * resource where it is assigned (Pacemaker's role transitions Promoted -> Started).
 */
static void
promoted_primitive_actions(bl_sched_t *s, bl_srsc_t *rsc)
{
    if (rsc->role != BL_ROLE_PROMOTED || bl__sched_rsc_clone(rsc) != NULL || rsc->blocked) {
        return;
    }
    for (guint i = 0; i < rsc->running_on->len; i++) {
        bl_snode_t *node = g_ptr_array_index(rsc->running_on, i);
        bl_action_t *demote = bl__sched_action(s, rsc, BL_TASK_DEMOTE, node, false);

        bl__sched_order(s, demote, bl__sched_action(s, rsc, BL_TASK_STOP, node, false),
                        BL_ORD_IMPLIES_FIRST | BL_ORD_PROMOTED_IMPLIES_FIRST);
    }
    if (rsc->next_role >= BL_ROLE_STARTED && rsc->assigned != NULL) {
        bl__sched_action(s, rsc, BL_TASK_START, rsc->assigned, false);
    }
}

static void
primitive_actions(bl_sched_t *s, bl_srsc_t *rsc)
{
    bl_snode_t *current = bl__sched_migration_current(s, rsc);
    bool need_stop = false;
    bool moving = false;
    bool migrate;

    if (rsc->next_role == BL_ROLE_UNKNOWN) {
        rsc->next_role = rsc->assigned != NULL ? BL_ROLE_STARTED : BL_ROLE_STOPPED;
    }
    if (current != NULL && rsc->assigned != NULL && current != rsc->assigned
        && rsc->next_role >= BL_ROLE_STARTED) {
        moving = true;
        need_stop = true;
    }
    migrate = moving && bl__sched_can_migrate(rsc, current);
    if (bl__sched_partial_migration(rsc, current, &migrate)) {
        need_stop = true;
    } else if (rsc->partial_source == NULL && active_count(s, rsc) > 1
               && (rsc->multiple_active == BL_MULTI_STOP_START
                   || rsc->multiple_active == BL_MULTI_STOP_UNEXPECTED)) {
        need_stop = true;
    }
    for (guint i = 0; rsc->dangling_on != NULL && i < rsc->dangling_on->len; i++) {
        bl__sched_action(s, rsc, BL_TASK_STOP, g_ptr_array_index(rsc->dangling_on, i), false);
    }
    if (!moving && rsc->failed) {
        need_stop = need_stop || rsc->needs_stop;
    } else if (!moving && rsc->blocked) {
        need_stop = true;
    }
    if (rsc->start_pending && rsc->assigned != NULL) {
        /* The start in progress is shown again so that the transition waits for it. */
        bl__sched_action(s, rsc, BL_TASK_START, rsc->assigned, true)->flags |= BL_ACT_PRINT;
    }
    if (rsc->role > BL_ROLE_STOPPED) {
        stop_everywhere(s, rsc, !need_stop);
        /* (a promoted instance that will be unpromoted elsewhere still starts there) */
        if ((rsc->role <= rsc->next_role
             || (rsc->next_role >= BL_ROLE_STARTED && bl__sched_rsc_clone(rsc) != NULL))
            && !rsc->blocked && rsc->assigned != NULL) {
            bl_action_t *start = bl__sched_action(s, rsc, BL_TASK_START, rsc->assigned, !need_stop);

            if (expected_node(rsc, rsc->assigned)) {
                start->flags |= BL_ACT_PSEUDO; /* it already runs there */
            }
        }
    }
    for (guint i = 0; i < rsc->restart_on->len; i++) {
        /* the definition changed: stop (and start again, through stop -> start) */
        bl__sched_action(s, rsc, BL_TASK_STOP, g_ptr_array_index(rsc->restart_on, i), false);
    }
    if (rsc->next_role == BL_ROLE_STOPPED && rsc->role > BL_ROLE_STOPPED) {
        stop_everywhere(s, rsc, false);
    } else if (rsc->next_role >= BL_ROLE_STARTED && rsc->role <= BL_ROLE_STOPPED
               && rsc->assigned != NULL) {
        bl__sched_action(s, rsc, BL_TASK_START, rsc->assigned, false);
    }
    if (migrate) {
        bl__sched_migrate_actions(s, rsc, current);
    }
    promoted_primitive_actions(s, rsc);
}

/* Every stop of a resource comes before its start (and a required stop requires it). */
static void
primitive_internal_orders(bl_sched_t *s, bl_srsc_t *rsc)
{
    for (guint i = 0; i < rsc->actions->len; i++) {
        bl_action_t *stop = g_ptr_array_index(rsc->actions, i);

        if (stop->task != BL_TASK_STOP) {
            continue;
        }
        for (guint j = 0; j < rsc->actions->len; j++) {
            bl_action_t *start = g_ptr_array_index(rsc->actions, j);

            if (start->task == BL_TASK_START) {
                /* The stop that ends a finished migration on its source is no restart. */
                bool dangling = rsc->dangling_on != NULL
                                && g_ptr_array_find(rsc->dangling_on, stop->node, NULL);

                bl__sched_order(s, stop, start,
                                (dangling ? 0 : BL_ORD_IMPLIES_THEN) | BL_ORD_RESTART);
            }
        }
    }
}

static void
order_each(bl_sched_t *s, bl_srsc_t *first, bl_task_t first_task, bl_srsc_t *then,
           bl_task_t then_task, unsigned flags)
{
    for (guint i = 0; i < first->actions->len; i++) {
        bl_action_t *a = g_ptr_array_index(first->actions, i);

        for (guint j = 0; a->task == first_task && j < then->actions->len; j++) {
            bl_action_t *b = g_ptr_array_index(then->actions, j);

            if (b->task == then_task) {
                bl__sched_order(s, a, b, flags);
            }
        }
    }
}

static bool
group_flag(const bl_srsc_t *group, const char *name)
{
    const char *value = g_hash_table_lookup(group->meta, name);

    return value == NULL || bl__sched_true(value);
}

/* A cloned group's "ordered" is its own: the clone's option of that name is the clone's. */
static bool
group_ordered(bl_sched_t *s, const bl_srsc_t *group)
{
    g_autoptr(GHashTable) own = NULL;
    const char *value;

    if (bl__sched_rsc_clone(group) == NULL) {
        return group_flag(group, "ordered");
    }
    own = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    bl__sched_nvpairs(s, group->xml, "meta_attributes", own, false);
    value = g_hash_table_lookup(own, "ordered");
    return value == NULL || bl__sched_true(value);
}

static void
group_internal_orders(bl_sched_t *s, bl_srsc_t *group)
{
    bool ordered = group_ordered(s, group);
    bl_srsc_t *previous = NULL;
    bl_srsc_t *last_active = NULL;
    bl_action_t *group_start = bl__sched_action(s, group, BL_TASK_START, NULL, true);

    bl__sched_action(s, group, BL_TASK_RUNNING, NULL, true);
    bl__sched_action(s, group, BL_TASK_STOP, NULL, true);
    bl__sched_action(s, group, BL_TASK_STOPPED, NULL, true);
    for (guint i = 0; i < group->children->len; i++) {
        bl_srsc_t *member = g_ptr_array_index(group->children, i);

        if (!ordered) {
            for (guint j = 0; j < member->actions->len; j++) {
                bl_action_t *a = g_ptr_array_index(member->actions, j);

                if (a->task == BL_TASK_START) {
                    bl__sched_order(s, group_start, a, BL_ORD_IMPLIES_THEN | BL_ORD_RUNNABLE_LEFT);
                }
            }
        } else if (previous != NULL) {
            order_each(s, previous, BL_TASK_START, member, BL_TASK_START,
                       BL_ORD_IMPLIES_THEN | BL_ORD_RUNNABLE_LEFT);
            /* members of a promotable cloned group are promoted in order too */
            order_each(s, previous, BL_TASK_PROMOTE, member, BL_TASK_PROMOTE,
                       BL_ORD_IMPLIES_THEN | BL_ORD_RUNNABLE_LEFT);
            order_each(s, member, BL_TASK_STOP, previous, BL_TASK_STOP, BL_ORD_RESTART);
        }
        if (member->running_on->len > 0) {
            if (ordered && previous != NULL && previous->running_on->len == 0
                && last_active != NULL) {
                order_each(s, member, BL_TASK_STOP, last_active, BL_TASK_STOP, 0);
            }
            last_active = member;
        }
        previous = member;
    }
}

void
bl__sched_create_actions(bl_sched_t *s)
{
    for (guint i = 0; i < s->primitives->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        primitive_actions(s, rsc);
        bl__sched_block_unprobed_start(s, rsc);
        primitive_internal_orders(s, rsc);
        if (rsc->base_id != NULL && bl__sched_rsc_clone(rsc)->clone->promotable) {
            bl__sched_promote_actions(s, rsc);
        }
    }
    for (guint i = 0; i < s->actions->len; i++) {
        bl_action_t *stop = g_ptr_array_index(s->actions, i);

        /* Everything on a node that shuts down must stop. */
        if (stop->task == BL_TASK_STOP && stop->node != NULL && stop->node->shutdown
            && stop->node->online && stop->rsc->managed) {
            stop->flags &= ~BL_ACT_OPTIONAL;
        }
    }
    for (guint i = 0; i < s->all_rscs->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->all_rscs, i);

        if (rsc->kind == BL_RSC_GROUP) {
            group_internal_orders(s, rsc);
        } else if (rsc->kind == BL_RSC_CLONE) {
            bl__sched_clone_actions(s, rsc);
        }
    }
}

/* ------------------------------------------------------------------ propagation */

static bl_task_t
member_task(bl_task_t task)
{
    switch (task) {
    case BL_TASK_RUNNING:
        return BL_TASK_START;
    case BL_TASK_STOPPED:
        return BL_TASK_STOP;
    case BL_TASK_PROMOTED:
        return BL_TASK_PROMOTE;
    case BL_TASK_DEMOTED:
        return BL_TASK_DEMOTE;
    default:
        return task;
    }
}

/* Flags of a group pseudo-action for ordering purposes: derived from its members only
 * (those on NODE when one is given). */
static unsigned
group_flags(const bl_action_t *action, const bl_snode_t *node)
{
    unsigned flags = BL_ACT_OPTIONAL | BL_ACT_RUNNABLE | BL_ACT_PSEUDO;
    bl_task_t task = member_task(action->task);
    GPtrArray *members = action->rsc->children;

    for (guint i = 0; i < members->len; i++) {
        bl_srsc_t *member = g_ptr_array_index(members, i);
        bl_action_t *found = NULL;

        for (guint j = 0; j < member->actions->len && found == NULL; j++) {
            bl_action_t *a = g_ptr_array_index(member->actions, j);

            found = (a->task == task && (node == NULL || a->node == node)) ? a : NULL;
        }
        if (found == NULL) {
            if (task != BL_TASK_STOP) {
                flags &= ~BL_ACT_RUNNABLE;
            }
            continue;
        }
        if (!(found->flags & BL_ACT_OPTIONAL)) {
            flags &= ~BL_ACT_OPTIONAL;
        }
        if (task != action->task && !(found->flags & BL_ACT_RUNNABLE)) {
            flags &= ~BL_ACT_RUNNABLE;
        }
    }
    return flags;
}

unsigned
bl__sched_action_flags_on(const bl_action_t *action, const bl_snode_t *node)
{
    switch (action->rsc->kind) {
    case BL_RSC_GROUP:
        return group_flags(action, node);
    case BL_RSC_CLONE:
        return bl__sched_clone_action_flags(action, node);
    default:
        return action->flags;
    }
}

unsigned
bl__sched_action_flags(const bl_action_t *action)
{
    return bl__sched_action_flags_on(action, NULL);
}

/*
 * The flags of FIRST as seen by THEN. A clone's action is required for THEN only if an
 * instance on THEN's node requires it: a new instance starting elsewhere does not restart
 * what runs after the clone here. Whether it can run at all stays a clone-wide matter.
 */
static unsigned
ordering_flags(const bl_action_t *first, const bl_action_t *then)
{
    unsigned flags = bl__sched_action_flags(first);
    const bl_snode_t *node = then->node;

    if (node == NULL && then->rsc->kind == BL_RSC_GROUP && then->task == BL_TASK_START) {
        node = then->rsc->assigned;
    }
    if (first->rsc->kind != BL_RSC_CLONE || node == NULL) {
        return flags;
    }
    return (bl__sched_action_flags_on(first, node) & ~BL_ACT_RUNNABLE) | (flags & BL_ACT_RUNNABLE);
}

#define flags_of bl__sched_action_flags

static bool
is_ancestor(const bl_srsc_t *ancestor, const bl_srsc_t *rsc)
{
    for (const bl_srsc_t *p = rsc->parent; p != NULL; p = p->parent) {
        if (p == ancestor) {
            return true;
        }
    }
    return false;
}

static bl_task_t
completion_task(bl_task_t task)
{
    switch (task) {
    case BL_TASK_START:
        return BL_TASK_RUNNING;
    case BL_TASK_STOP:
        return BL_TASK_STOPPED;
    case BL_TASK_PROMOTE:
        return BL_TASK_PROMOTED;
    case BL_TASK_DEMOTE:
        return BL_TASK_DEMOTED;
    default:
        return task;
    }
}

/* A group's start/stop stands for its members' completion when another resource waits. */
static bl_action_t *
first_for_ordering(bl_action_t *first, const bl_action_t *then)
{
    if (first->rsc->kind == BL_RSC_PRIMITIVE || first->rsc == then->rsc
        || is_ancestor(first->rsc, then->rsc)) {
        return first;
    }
    return bl__sched_action_find(first->rsc, completion_task(first->task), NULL);
}

typedef struct propagation {
    bl_sched_t *s;
    bool changed;
    GPtrArray *blocked; /* starts that just became unrunnable */
} propagation_t;

static void
make_required(propagation_t *p, bl_action_t *action)
{
    if ((action->flags & BL_ACT_OPTIONAL) && action->rsc->managed
        && action->rsc->kind == BL_RSC_PRIMITIVE) {
        action->flags &= ~BL_ACT_OPTIONAL;
        p->changed = true;
    }
}

static void
clear_flag(propagation_t *p, bl_action_t *action, unsigned flag)
{
    if (action->flags & flag) {
        action->flags &= ~flag;
        p->changed = true;
    }
}

static void
make_unrunnable(propagation_t *p, bl_action_t *action)
{
    if ((action->flags & BL_ACT_RUNNABLE) && action->rsc->kind == BL_RSC_PRIMITIVE) {
        action->flags &= ~BL_ACT_RUNNABLE;
        p->changed = true;
        if (action->task == BL_TASK_START) {
            g_ptr_array_add(p->blocked, action);
        }
    }
}

static void
asymmetric(propagation_t *p, unsigned first_flags, bl_action_t *then)
{
    bl_srsc_t *rsc = then->rsc;

    if (first_flags & BL_ACT_RUNNABLE) {
        return;
    }
    if (rsc->role <= BL_ROLE_STOPPED && then->task == BL_TASK_STOP) {
        return;
    }
    if (rsc->role >= BL_ROLE_STARTED && then->task == BL_TASK_START
        && (then->flags & BL_ACT_OPTIONAL) && rsc->running_on->len == 1
        && g_ptr_array_index(rsc->running_on, 0) == then->node) {
        return; /* already started where it should be: nothing to wait for */
    }
    make_unrunnable(p, then);
}

static void
restart(propagation_t *p, bl_action_t *first, bl_action_t *then, unsigned then_flags)
{
    bool reason =
        !(then_flags & BL_ACT_OPTIONAL)
        || (!(then_flags & BL_ACT_RUNNABLE) && then->rsc->managed && first->rsc == then->rsc);

    if (reason && ((first->flags & BL_ACT_RUNNABLE) || !(then_flags & BL_ACT_OPTIONAL))) {
        make_required(p, first);
    }
    if (reason && !(then_flags & BL_ACT_MIGRATABLE)) {
        clear_flag(p, first, BL_ACT_MIGRATABLE);
    }
    if (!(first->flags & BL_ACT_OPTIONAL) && !(first->flags & BL_ACT_RUNNABLE)) {
        make_unrunnable(p, then);
    }
}

/* Whether one of the one-or-more predecessors of THEN can still happen. */
static bool
any_runnable_before(bl_action_t *then)
{
    for (guint i = 0; i < then->in->len; i++) {
        const bl_order_edge_t *edge = g_ptr_array_index(then->in, i);
        bl_action_t *first;

        if (!(edge->flags & BL_ORD_ONE_OR_MORE)) {
            continue;
        }
        first = first_for_ordering(edge->first, then);
        if (first != NULL && (flags_of(first) & BL_ACT_RUNNABLE)) {
            return true;
        }
    }
    return false;
}

/*
 * Pacemaker's implies-first only ever changes a primitive's migratability: a required
 * "then" that is not migrating keeps "first" from migrating. It is applied by the first's
 * resource to the ordering's own "then" (a group's or clone's action, not its members').
 */
static void
implies_first(propagation_t *p, const bl_order_edge_t *edge, bl_action_t *first)
{
    if ((edge->flags & BL_ORD_IMPLIES_FIRST) && !(flags_of(edge->then) & BL_ACT_OPTIONAL)
        && !(edge->then->flags & BL_ACT_MIGRATABLE)) {
        clear_flag(p, first, BL_ACT_MIGRATABLE);
    }
}

static void
apply_to_then(propagation_t *p, const bl_order_edge_t *edge, bl_action_t *first,
              unsigned first_flags, bl_action_t *then)
{
    unsigned flags = edge->flags;

    if ((flags & BL_ORD_ASYMMETRIC) && then->rsc->kind == BL_RSC_PRIMITIVE) {
        asymmetric(p, first_flags, then);
    }
    if ((flags & BL_ORD_RUNNABLE_LEFT) && !(first_flags & BL_ACT_RUNNABLE)) {
        make_unrunnable(p, then);
        clear_flag(p, then, BL_ACT_MIGRATABLE);
    }
    if ((flags & BL_ORD_ONE_OR_MORE) && !(first_flags & BL_ACT_RUNNABLE)
        && !any_runnable_before(then)) {
        make_unrunnable(p, then);
    }
    if ((flags & BL_ORD_IMPLIES_THEN) && !(first_flags & BL_ACT_OPTIONAL)
        && !(first->flags & BL_ACT_MIGRATABLE)) {
        make_required(p, then);
    }
    if (then == edge->then) {
        implies_first(p, edge, first);
    }
    /* the demote before the required stop of a promoted instance is required too */
    if ((flags & BL_ORD_PROMOTED_IMPLIES_FIRST) && !(flags_of(then) & BL_ACT_OPTIONAL)
        && then->rsc->role == BL_ROLE_PROMOTED) {
        make_required(p, first);
    }
    if (flags & (BL_ORD_IMPLIES_FIRST_MIGRATABLE | BL_ORD_PSEUDO_LEFT)) {
        bl__sched_migration_edge(flags, first, then, &p->changed);
    }
    if ((flags & BL_ORD_RESTART) && first->rsc->kind == BL_RSC_PRIMITIVE
        && then->rsc->kind == BL_RSC_PRIMITIVE) {
        restart(p, first, then, then->flags);
    }
    if ((flags & (BL_ORD_IMPLIES_THEN | BL_ORD_IMPLIES_FIRST | BL_ORD_RESTART))
        && first->rsc->kind == BL_RSC_PRIMITIVE && first->rsc->blocked
        && !(first->flags & BL_ACT_RUNNABLE) && first->task == BL_TASK_STOP) {
        make_unrunnable(p, then);
    }
}

/* An ordering whose "then" is a group or clone applies to the primitives in it. */
static void
apply_to_leaves(propagation_t *p, const bl_order_edge_t *edge, bl_action_t *first,
                unsigned first_flags, bl_srsc_t *rsc, bl_task_t task)
{
    if (rsc->kind != BL_RSC_PRIMITIVE) {
        for (guint i = 0; i < rsc->children->len; i++) {
            apply_to_leaves(p, edge, first, first_flags, g_ptr_array_index(rsc->children, i), task);
        }
        return;
    }
    for (guint j = 0; j < rsc->actions->len; j++) {
        bl_action_t *a = g_ptr_array_index(rsc->actions, j);

        if (a->task == task) {
            apply_to_then(p, edge, first, first_flags, a);
        }
    }
}

static void
apply_edge(propagation_t *p, const bl_order_edge_t *edge)
{
    bl_action_t *first = first_for_ordering(edge->first, edge->then);
    unsigned first_flags;
    bl_action_t *then = edge->then;

    if (first == NULL || (edge->flags & BL_ORD_GRAPH_ONLY)) {
        return;
    }
    first_flags = ordering_flags(first, then);
    if (then->rsc->kind == BL_RSC_PRIMITIVE) {
        apply_to_then(p, edge, first, first_flags, then);
        return;
    }
    implies_first(p, edge, first);
    apply_to_leaves(p, edge, first, first_flags, then->rsc, then->task);
}

static bool
all_children_blocked(const bl_srsc_t *rsc)
{
    for (guint i = 0; rsc->children != NULL && i < rsc->children->len; i++) {
        const bl_srsc_t *child = g_ptr_array_index(rsc->children, i);
        const bl_action_t *start = NULL;

        for (guint j = 0; j < child->actions->len && start == NULL; j++) {
            const bl_action_t *a = g_ptr_array_index(child->actions, j);

            start = (a->task == BL_TASK_START) ? a : NULL;
        }
        if (start == NULL || (start->flags & BL_ACT_RUNNABLE)) {
            return false;
        }
    }
    return true;
}

static void
block_leaves(propagation_t *p, bl_srsc_t *rsc, bl_task_t task)
{
    if (rsc->kind != BL_RSC_PRIMITIVE) {
        for (guint i = 0; i < rsc->children->len; i++) {
            block_leaves(p, g_ptr_array_index(rsc->children, i), task);
        }
        return;
    }
    for (guint j = 0; j < rsc->actions->len; j++) {
        bl_action_t *a = g_ptr_array_index(rsc->actions, j);

        if (a->task == task) {
            make_unrunnable(p, a);
        }
    }
}

/*
 * A start that cannot happen blocks the starts of the resources that must run with its
 * (top-level) resource, once nothing of that resource can start.
 */
static void
block_colocated_starts(propagation_t *p, bl_action_t *start)
{
    bl_srsc_t *top = bl__sched_rsc_top(start->rsc);

    if (top->with_this->len == 0 || !all_children_blocked(top)) {
        return;
    }
    for (guint i = 0; i < top->with_this->len; i++) {
        const bl_coloc_t *coloc = g_ptr_array_index(top->with_this, i);
        bl_srsc_t *dependent = coloc->dependent;

        if (coloc->score < INF
            || (coloc->primary_role >= BL_ROLE_UNPROMOTED
                && !(top->kind == BL_RSC_CLONE && top->clone->promotable))) {
            continue;
        }
        if (dependent->kind == BL_RSC_CLONE) {
            /* the instances cannot start, or only the promoted role is tied to it */
            block_leaves(p, dependent,
                         coloc->dependent_role == BL_ROLE_PROMOTED ? BL_TASK_PROMOTE
                                                                   : BL_TASK_START);
            continue;
        }
        for (guint j = 0; j < dependent->actions->len; j++) {
            bl_action_t *a = g_ptr_array_index(dependent->actions, j);

            if (a->task == BL_TASK_START) {
                make_unrunnable(p, a);
            }
        }
    }
}

void
bl__sched_propagate(bl_sched_t *s)
{
    propagation_t p = {.s = s, .changed = true, .blocked = g_ptr_array_new()};

    while (p.changed) {
        p.changed = false;
        for (guint i = 0; i < s->edges->len; i++) {
            apply_edge(&p, g_ptr_array_index(s->edges, i));
        }
        while (p.blocked->len > 0) {
            bl_action_t *start = g_ptr_array_steal_index(p.blocked, p.blocked->len - 1);

            block_colocated_starts(&p, start);
        }
    }
    g_ptr_array_free(p.blocked, true);
}
