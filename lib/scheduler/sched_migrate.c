/*
 * Live migration: a primitive with allow-migrate=true that moves is not stopped and
 * started again but migrated: migrate_to on the source node, then migrate_from on the
 * target; the stop on the source stays in the transition (it cleans up there) and the
 * start becomes a pseudo-action. Migration is off when the start cannot happen: the
 * resource then just stops.
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
    return rsc->next_role <= BL_ROLE_UNPROMOTED;
}

void
bl__sched_migrate_actions(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *current)
{
    bl_action_t *start = bl__sched_action(s, rsc, BL_TASK_START, rsc->assigned, true);
    bl_action_t *stop = bl__sched_action(s, rsc, BL_TASK_STOP, current, true);
    bl_action_t *to = bl__sched_action(s, rsc, BL_TASK_MIGRATE_TO, current, true);
    bl_action_t *from = bl__sched_action(s, rsc, BL_TASK_MIGRATE_FROM, rsc->assigned, true);

    start->flags |= BL_ACT_PSEUDO;
    /* The stop (required by the move) requires migrate_from, which requires migrate_to. */
    bl__sched_order(s, from, stop, BL_ORD_IMPLIES_FIRST);
    bl__sched_order(s, to, from, BL_ORD_IMPLIES_FIRST);
    /* Both need the resource to be able to start on the target. */
    bl__sched_order(s, start, to, BL_ORD_RUNNABLE_LEFT);
    bl__sched_order(s, start, from, BL_ORD_RUNNABLE_LEFT);
}
