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
#include <stdlib.h>
#include <string.h>

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
    bl_action_t *from = bl__sched_action(s, rsc, BL_TASK_MIGRATE_FROM, rsc->assigned, true);

    start->flags |= BL_ACT_MIGRATABLE | BL_ACT_PSEUDO;
    stop->flags |= BL_ACT_MIGRATABLE;
    from->flags |= BL_ACT_MIGRATABLE;
    if (rsc->partial_target == NULL) {
        /* (a partial migration already did its migrate_to) */
        bl_action_t *to = bl__sched_action(s, rsc, BL_TASK_MIGRATE_TO, current, true);

        to->flags |= BL_ACT_MIGRATABLE;
        bl__sched_order(s, to, from, BL_ORD_IMPLIES_FIRST_MIGRATABLE);
    }
    /* Before every stop of it, as Pacemaker orders by action key: a stop that ends an
     * earlier migration on another node then keeps this one from happening. */
    for (guint i = 0; i < rsc->actions->len; i++) {
        bl_action_t *other = g_ptr_array_index(rsc->actions, i);

        if (other->task == BL_TASK_STOP) {
            bl__sched_order(s, from, other, BL_ORD_IMPLIES_FIRST_MIGRATABLE);
        }
    }
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
bl__sched_migration_edge(unsigned edge_flags, bl_action_t *first, bl_action_t *then, bool *changed)
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

/* Whether RSC (a primitive, or a group's members) has a required TASK action that can
 * happen (a stop implied by fencing counts). */
static bool
required_action(const bl_srsc_t *rsc, bl_task_t task)
{
    if (rsc->kind != BL_RSC_PRIMITIVE) {
        for (guint i = 0; i < rsc->children->len; i++) {
            if (required_action(g_ptr_array_index(rsc->children, i), task)) {
                return true;
            }
        }
        return false;
    }
    for (guint i = 0; i < rsc->actions->len; i++) {
        const bl_action_t *action = g_ptr_array_index(rsc->actions, i);

        if (action->task == task && !(action->flags & BL_ACT_OPTIONAL)
            && (action->flags & (BL_ACT_RUNNABLE | BL_ACT_PSEUDO))) {
            return true;
        }
    }
    return false;
}

void
bl__sched_clone_migration_flags(bl_srsc_t *clone)
{
    bl_action_t *stop = bl__sched_action_find(clone, BL_TASK_STOP, NULL);

    for (guint i = 0; i < clone->children->len; i++) {
        const bl_srsc_t *instance = g_ptr_array_index(clone->children, i);

        if (required_action(instance, BL_TASK_STOP) && required_action(instance, BL_TASK_START)) {
            return;
        }
    }
    if (stop != NULL) {
        stop->flags |= BL_ACT_MIGRATABLE;
    }
}

/* ------------------------------------------------------------------ history */

static void
index_node_state(bl_sched_t *s, const xmlNode *state)
{
    bl_snode_t *node = bl__sched_node_find(s, bl_xml_attr(state, "id"));
    xmlNode *list = bl_xml_first_child(bl_xml_first_child(state, "lrm"), "lrm_resources");

    if (node == NULL) {
        node = bl__sched_node_find(s, bl_xml_attr(state, "uname"));
    }
    for (xmlNode *xml = bl_xml_first_child(list, "lrm_resource"); node != NULL && xml != NULL;
         xml = bl_xml_next(xml, "lrm_resource")) {
        const char *id = bl_xml_attr(xml, "id");
        char *key = bl_asprintf("%s\n%s", node->uname, id != NULL ? id : "");

        if (g_hash_table_contains(s->lrm_index, key)) {
            free(key);
        } else {
            g_hash_table_insert(s->lrm_index, key, xml);
        }
    }
}

/* RSC's lrm_resource on NODE (any node's history, not only the one being replayed). */
static const xmlNode *
lrm_resource(bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    g_autofree char *key = NULL;

    if (s->lrm_index == NULL) {
        xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

        s->lrm_index = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
        for (xmlNode *state = bl_xml_first_child(status, "node_state"); state != NULL;
             state = bl_xml_next(state, "node_state")) {
            index_node_state(s, state);
        }
    }
    key = bl_asprintf("%s\n%s", node->uname, rsc->id);
    return g_hash_table_lookup(s->lrm_index, key);
}

static int
int_attr(const xmlNode *xml, const char *name, int fallback)
{
    const char *value = bl_xml_attr(xml, name);

    return value != NULL ? atoi(value) : fallback;
}

/* The first TASK operation of RSC on NODE (a migration from/to PEER when given); with
 * WANT_RC >= 0, only if it completed with that result. */
static const xmlNode *
find_op(bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node, const char *task,
        const char *peer, int want_rc)
{
    const xmlNode *list = lrm_resource(s, rsc, node);
    const char *peer_attr = strcmp(task, "migrate_to") == 0 ? "migrate_target" : "migrate_source";

    for (xmlNode *op = bl_xml_first_child(list, "lrm_rsc_op"); op != NULL;
         op = bl_xml_next(op, "lrm_rsc_op")) {
        const char *other = bl_xml_attr(op, peer_attr);

        if (g_strcmp0(bl_xml_attr(op, "operation"), task) != 0
            || (peer != NULL && strcmp(task, "monitor") != 0 && g_strcmp0(other, peer) != 0)) {
            continue;
        }
        if (want_rc >= 0
            && (int_attr(op, "rc-code", -1) != want_rc || int_attr(op, "op-status", 1) != 0)) {
            return NULL;
        }
        return op;
    }
    return NULL;
}

/* Pacemaker's ordering of two history entries: call ids on one node, else the time of
 * the last result change; a pending entry is the newest. >0 when A is newer than B. */
static int
newer(const xmlNode *a, const xmlNode *b, bool same_node)
{
    const char *a_node = bl_xml_attr(a, "on_node");
    const char *b_node = bl_xml_attr(b, "on_node");
    int a_call = int_attr(a, "call-id", -1);
    int b_call = int_attr(b, "call-id", -1);
    int64_t a_time, b_time;

    if (a_node != NULL && b_node != NULL) {
        same_node = g_ascii_strcasecmp(a_node, b_node) == 0;
    }
    if (a_call == -1 || b_call == -1) {
        return (a_call == b_call) ? 0 : (a_call == -1 ? 1 : -1);
    }
    if (same_node && a_call != b_call) {
        return a_call > b_call ? 1 : -1;
    }
    a_time = bl_xml_attr(a, "last-rc-change") != NULL
                 ? g_ascii_strtoll(bl_xml_attr(a, "last-rc-change"), NULL, 10)
                 : -1;
    b_time = bl_xml_attr(b, "last-rc-change") != NULL
                 ? g_ascii_strtoll(bl_xml_attr(b, "last-rc-change"), NULL, 10)
                 : -1;
    return (b_time >= 0 && a_time > b_time) ? 1 : (a_time >= 0 && a_time < b_time) ? -1 : 0;
}

/* A start, stop or migration of RSC on NODE recorded after OP. */
static bool
non_monitor_after(bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node, const xmlNode *op,
                  bool same_node)
{
    const xmlNode *list = lrm_resource(s, rsc, node);

    for (xmlNode *other = bl_xml_first_child(list, "lrm_rsc_op"); other != NULL;
         other = bl_xml_next(other, "lrm_rsc_op")) {
        const char *task = bl_xml_attr(other, "operation");

        if (other != op && task != NULL
            && (strcmp(task, "start") == 0 || strcmp(task, "stop") == 0
                || strcmp(task, "migrate_to") == 0 || strcmp(task, "migrate_from") == 0)
            && newer(other, op, same_node) > 0) {
            return true;
        }
    }
    return false;
}

/* Whether NODE's history of RSC moved on after the migration (TO and/or FROM). */
static bool
newer_state_after(bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node, const xmlNode *to,
                  const xmlNode *from)
{
    const xmlNode *op = from != NULL ? from : to;
    const char *source = bl_xml_attr(op, "migrate_source");
    const char *target = bl_xml_attr(op, "migrate_target");
    const xmlNode *monitor;
    bool same_node = false;

    /* Compare with the migration event on the same node where there is one. */
    if (g_strcmp0(node->uname, target) == 0) {
        same_node = from != NULL;
        op = from != NULL ? from : to;
    } else if (g_strcmp0(node->uname, source) == 0) {
        same_node = to != NULL;
        op = to != NULL ? to : from;
    }
    if (non_monitor_after(s, rsc, node, op, same_node)) {
        return true;
    }
    monitor = find_op(s, rsc, node, "monitor", NULL, 7);
    return monitor != NULL && newer(monitor, op, same_node) > 0;
}

static bool
unknown_on(bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    return bl_xml_first_child(lrm_resource(s, rsc, node), "lrm_rsc_op") == NULL;
}

static void
add_dangling(bl_srsc_t *rsc, bl_snode_t *node)
{
    if (rsc->dangling_on == NULL) {
        rsc->dangling_on = g_ptr_array_new();
    }
    g_ptr_array_add(rsc->dangling_on, node);
}

/* The migration cannot be trusted: recover by stop and start, never by migrating. */
static void
migration_failed(bl_srsc_t *rsc)
{
    rsc->failed = true;
    rsc->needs_stop = true;
    g_hash_table_replace(rsc->meta, g_strdup("allow-migrate"), g_strdup("false"));
}

static void
migrate_to_unfinished(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, bl_snode_t *target,
                      bool target_newer, bool source_newer)
{
    if (!target_newer && target != NULL && target->online) {
        bl__sched_add_running(s, rsc, target);
        /* Partial even when the source stopped it since: the migration may have been
         * interrupted, and it can only go on (or be undone) from both ends. */
        if (node->online) {
            rsc->partial_source = node;
            rsc->partial_target = target;
        }
    } else if (!source_newer) {
        migration_failed(rsc);
    }
}

void
bl__sched_migrate_to_done(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const xmlNode *op)
{
    const char *source = bl_xml_attr(op, "migrate_source");
    bl_snode_t *target = bl__sched_node_find(s, bl_xml_attr(op, "migrate_target"));
    const xmlNode *from = NULL;
    bool source_newer, target_newer;

    if (source == NULL || target == NULL || strcmp(source, node->uname) != 0) {
        return;
    }
    source_newer = non_monitor_after(s, rsc, node, op, true);
    from = find_op(s, rsc, target, "migrate_from", source, -1);
    if (source_newer && from != NULL) {
        return;
    }
    target_newer = newer_state_after(s, rsc, target, op, from);
    if (source_newer && target_newer) {
        return;
    }
    rsc->role = BL_ROLE_STARTED;
    if (from != NULL && int_attr(from, "rc-code", -1) == 0
        && int_attr(from, "op-status", -1) == 0) {
        /* Finished on both sides, never stopped here: stop here, leave the target. */
        rsc->role = BL_ROLE_STOPPED;
        add_dangling(rsc, node);
    } else if (from != NULL && int_attr(from, "op-status", 0) != -1) {
        if (!target_newer && target->online) {
            bl__sched_add_running(s, rsc, target);
        } else {
            migration_failed(rsc);
        }
    } else {
        migrate_to_unfinished(s, rsc, node, target, target_newer, source_newer);
    }
}

/* A failed migrate_to on the source: the target may hold the resource too. */
static void
migrate_to_failed(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const xmlNode *op)
{
    const char *source = bl_xml_attr(op, "migrate_source");
    bl_snode_t *target = bl__sched_node_find(s, bl_xml_attr(op, "migrate_target"));
    const xmlNode *from;

    if (source == NULL || target == NULL || strcmp(source, node->uname) != 0) {
        return;
    }
    rsc->role = BL_ROLE_STARTED;
    from = find_op(s, rsc, target, "migrate_from", source, 0);
    if (!unknown_on(s, rsc, target) && !newer_state_after(s, rsc, target, op, from)) {
        if (target->online) {
            bl__sched_add_running(s, rsc, target);
        }
    } else if (!non_monitor_after(s, rsc, node, op, true)) {
        add_dangling(rsc, node);
    }
}

/* A failed migrate_from on the target: the source may still hold the resource. */
static void
migrate_from_failed(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const xmlNode *op)
{
    bl_snode_t *source = bl__sched_node_find(s, bl_xml_attr(op, "migrate_source"));
    const char *target = bl_xml_attr(op, "migrate_target");
    const xmlNode *to;

    if (source == NULL || target == NULL || strcmp(target, node->uname) != 0) {
        return;
    }
    rsc->role = BL_ROLE_STARTED;
    to = find_op(s, rsc, source, "migrate_to", target, 0);
    if (!unknown_on(s, rsc, source) && !newer_state_after(s, rsc, source, to, op)
        && source->online) {
        bl__sched_add_running(s, rsc, source);
    }
}

void
bl__sched_migrate_failed(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const xmlNode *op)
{
    if (strcmp(bl_xml_attr(op, "operation"), "migrate_to") == 0) {
        migrate_to_failed(s, rsc, node, op);
    } else {
        migrate_from_failed(s, rsc, node, op);
    }
}

/* ---------------------------------------------------------- partial migration */

static bool
active_on(const bl_srsc_t *rsc, const bl_snode_t *node)
{
    for (guint i = 0; i < rsc->running_on->len; i++) {
        if (g_ptr_array_index(rsc->running_on, i) == node) {
            return true;
        }
    }
    return false;
}

bool
bl__sched_needs_fencing(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    const char *requires = g_hash_table_lookup(rsc->meta, "requires");
    const char *class = rsc->xml != NULL ? bl_xml_attr(rsc->xml, "class") : NULL;

    if (!s->stonith_enabled) {
        return false;
    }
    if (requires != NULL) {
        return strcmp(requires, "fencing") == 0 || strcmp(requires, "unfencing") == 0;
    }
    return g_strcmp0(class, "stonith") != 0;
}

bl_snode_t *
bl__sched_migration_current(const bl_sched_t *s, const bl_srsc_t *rsc)
{
    if (rsc->partial_source != NULL && active_on(rsc, rsc->partial_source)) {
        return rsc->partial_source; /* the source stands for where it runs */
    }
    if (!bl__sched_needs_fencing(s, rsc)) {
        /* it may run elsewhere before an unclean node is fenced: the first clean node */
        for (guint i = 0; i < rsc->running_on->len; i++) {
            bl_snode_t *node = g_ptr_array_index(rsc->running_on, i);

            if (node->online && !node->unclean) {
                return node;
            }
        }
    }
    return rsc->running_on->len > 0 ? g_ptr_array_index(rsc->running_on, 0) : NULL;
}

bool
bl__sched_partial_migration(bl_srsc_t *rsc, const bl_snode_t *current, bool *migrate)
{
    if (rsc->partial_source == NULL && rsc->partial_target == NULL) {
        return false;
    }
    if (*migrate && rsc->running_on->len == 2 && current == rsc->partial_source
        && rsc->assigned == rsc->partial_target) {
        return false; /* the migration goes on: only migrate_from is left */
    }
    rsc->partial_source = NULL;
    rsc->partial_target = NULL;
    *migrate = false;
    return true;
}
