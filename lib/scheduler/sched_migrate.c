/*
 * Live migration: a primitive with allow-migrate=true that moves is not stopped and
 * started again but migrated: migrate_to on the source node, then migrate_from on the
 * target; the stop on the source stays in the transition (it cleans up there) and the
 * start becomes a pseudo-action.
 *
 * Whether the migration survives is decided during propagation, through a
 * "migratable" flag on the four actions: an ordering that needs the resource's stop or
 * start to be a plain one (a required action of another resource that does not migrate,
 * a restart, a start that cannot run) clears it, and then migrate_from and migrate_to
 * become unrunnable and the start a real action again: the resource moves by stop and
 * start. As in Pacemaker, a migrating start or stop does not force the actions ordered
 * after or before it to happen.
 */
#include "sched_private.h"

bool
bl__sched_can_migrate(const bl_srsc_t *rsc, const bl_snode_t *current)
{
    if (!bl__sched_true(g_hash_table_lookup(rsc->meta, "allow-migrate"))) {
        return false;
    }
    if (!rsc->managed || rsc->failed || rsc->start_pending) {
        return false;
    }
    if (current == NULL || current->unclean) {
        return false;
    }
    return rsc->assigned != NULL && !rsc->assigned->unclean;
}

void
bl__sched_migrate_actions(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *current)
{
    bl_action_t *start = bl__sched_action(s, rsc, BL_TASK_START, rsc->assigned, true);
    bl_action_t *stop = bl__sched_action(s, rsc, BL_TASK_STOP, current, true);
    bl_action_t *to = bl__sched_action(s, rsc, BL_TASK_MIGRATE_TO, current, true);
    bl_action_t *from = bl__sched_action(s, rsc, BL_TASK_MIGRATE_FROM, rsc->assigned, true);

    start->flags |= BL_ACT_MIGRATABLE | BL_ACT_PSEUDO;
    stop->flags |= BL_ACT_MIGRATABLE;
    to->flags |= BL_ACT_MIGRATABLE;
    from->flags |= BL_ACT_MIGRATABLE;
    bl__sched_order(s, to, from, BL_ORD_IMPLIES_FIRST_MIGRATABLE);
    bl__sched_order(s, from, stop, BL_ORD_IMPLIES_FIRST_MIGRATABLE);
    bl__sched_order(s, from, start, BL_ORD_IMPLIES_FIRST_MIGRATABLE | BL_ORD_PSEUDO_LEFT);
}

static void
clear(bl_action_t *action, unsigned flag, bool *changed)
{
    if (action->flags & flag) {
        action->flags &= ~flag;
        *changed = true;
    }
}

void
bl__sched_migration_edge(unsigned edge_flags, bl_action_t *first, bl_action_t *then,
                         bool *changed)
{
    unsigned needed = BL_ACT_MIGRATABLE | BL_ACT_RUNNABLE;

    if (edge_flags & BL_ORD_IMPLIES_FIRST_MIGRATABLE) {
        if ((then->flags & needed) != needed) {
            clear(first, BL_ACT_RUNNABLE, changed);
        }
        if (!(then->flags & BL_ACT_OPTIONAL) && first->rsc->managed) {
            clear(first, BL_ACT_OPTIONAL, changed);
        }
    }
    if ((edge_flags & BL_ORD_PSEUDO_LEFT) && !(first->flags & BL_ACT_RUNNABLE)) {
        clear(then, BL_ACT_MIGRATABLE | BL_ACT_PSEUDO, changed);
    }
}
