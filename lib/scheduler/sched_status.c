/*
 * The status section: what each node's operation history says about each resource
 * (current role, failures, what recovery they call for) and the fail counts.
 */
#include <stdlib.h>
#include <string.h>

#include "sched_private.h"

/* Executor status codes and OCF exit codes as recorded in lrm_rsc_op. */
enum {
    EXEC_PENDING = -1,
    EXEC_DONE = 0,
    EXEC_CANCELLED = 1,
    EXEC_ERROR = 4,
    EXEC_ERROR_HARD = 5,
    EXEC_ERROR_FATAL = 6,
    EXEC_NOT_INSTALLED = 7,
    EXEC_NOT_SUPPORTED = 3,
};
enum {
    OCF_OK = 0,
    OCF_INVALID_PARAM = 2,
    OCF_UNIMPLEMENTED = 3,
    OCF_INSUFFICIENT_PRIV = 4,
    OCF_NOT_INSTALLED = 5,
    OCF_NOT_CONFIGURED = 6,
    OCF_NOT_RUNNING = 7,
    OCF_RUNNING_PROMOTED = 8,
    OCF_FAILED_PROMOTED = 9,
    OCF_DEGRADED = 190,
    OCF_DEGRADED_PROMOTED = 191,
};

/* The transition engine uuid with which simulations record their results. */
#define SIMULATION_UUID "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"

typedef struct op_entry {
    const xmlNode *xml;
    const char *task;
    int call_id;
    int rc;
    int status;
    int target_rc;
    uint64_t interval_ms;
    int64_t last_change; /* last-rc-change, -1 if unknown */
    int transition;      /* from transition-magic, -1 if unknown */
    const char *uuid;    /* the transition engine's uuid in transition-magic, or NULL */
    guint position;      /* in the document: Pacemaker's sort keeps that order for ties */
} op_entry_t;

/* Per (resource, node) state while one history is replayed. */
typedef struct history {
    bl_sched_t *s;
    bl_srsc_t *rsc;
    bl_snode_t *node;
    bl_on_fail_t on_fail;
    const op_entry_t *last_failure;
    const char *unsupported; /* set when the history needs what is not implemented */
    bool expired;            /* the operation being replayed is an expired failure */
} history_t;

static int
attr_int(const xmlNode *xml, const char *name, int fallback)
{
    const char *value = bl_xml_attr(xml, name);

    return value != NULL ? atoi(value) : fallback;
}

/* The expected result is the third field of "action:transition:target_rc:uuid". */
static int
target_rc_of(const xmlNode *xml)
{
    const char *key = bl_xml_attr(xml, "transition-key");
    const char *p;

    if (key == NULL) {
        const char *magic = bl_xml_attr(xml, "transition-magic");

        key = magic != NULL ? strchr(magic, ';') : NULL;
        if (key == NULL) {
            return -1;
        }
        key++;
    }
    p = strchr(key, ':');
    p = p != NULL ? strchr(p + 1, ':') : NULL;
    return p != NULL ? atoi(p + 1) : -1;
}

/* transition-magic is "STATUS:RC;ACTION:TRANSITION:TARGET_RC:UUID". */
static void
magic_of(op_entry_t *op, const char *magic)
{
    const char *key = magic != NULL ? strchr(magic, ';') : NULL;
    const char *p = key != NULL ? strchr(key + 1, ':') : NULL;

    op->transition = -1;
    op->uuid = NULL;
    if (p == NULL) {
        return;
    }
    op->transition = atoi(p + 1);
    p = strchr(p + 1, ':');
    p = p != NULL ? strchr(p + 1, ':') : NULL;
    op->uuid = p != NULL ? p + 1 : NULL;
}

/*
 * ...unless it was itself recorded by a simulation (transition engine uuid all 'x') in a
 * numbered transition: results recorded by a simulation (transition -1, same uuid) are
 * then newer (compare_pending).
 */
static bool
superseded_by_recorded_results(const op_entry_t *pending)
{
    return pending->uuid != NULL && strcmp(pending->uuid, SIMULATION_UUID) == 0
           && pending->transition >= 0;
}

static void
op_entry_init(op_entry_t *op, const xmlNode *xml)
{
    const char *interval = bl_xml_attr(xml, "interval");

    op->xml = xml;
    op->task = bl_xml_attr(xml, "operation");
    op->call_id = attr_int(xml, "call-id", -1);
    op->rc = attr_int(xml, "rc-code", 0);
    op->status = attr_int(xml, "op-status", 0);
    op->target_rc = target_rc_of(xml);
    op->interval_ms = interval != NULL ? strtoull(interval, NULL, 10) : 0;
    magic_of(op, bl_xml_attr(xml, "transition-magic"));
    op->last_change = bl_xml_attr(xml, "last-rc-change") != NULL
                          ? strtoll(bl_xml_attr(xml, "last-rc-change"), NULL, 10)
                          : -1;
}

static bool
is_probe(const op_entry_t *op)
{
    return strcmp(op->task, "monitor") == 0 && op->interval_ms == 0;
}

/*
 * A pending operation (call-id -1) against a completed one: the transitions that asked
 * for them tell which came first (a pending start may have been superseded by a later
 * stop); from different transition engines, or without that, the pending one is newer.
 */
static gint
compare_pending(const op_entry_t *x, const op_entry_t *y)
{
    if (x->uuid == NULL || y->uuid == NULL) {
        return (x->position < y->position) ? -1 : (x->position > y->position);
    }
    if (strcmp(x->uuid, y->uuid) != 0 || x->transition == y->transition) {
        return x->call_id < 0 ? 1 : -1;
    }
    if ((x->transition >= 0 && x->transition < y->transition) || y->transition == -1) {
        return -1;
    }
    return 1;
}

static gint
compare_call_id(gconstpointer a, gconstpointer b)
{
    const op_entry_t *x = a;
    const op_entry_t *y = b;

    if (x->call_id < 0 && y->call_id < 0) {
        return (x->position < y->position) ? -1 : (x->position > y->position);
    }
    if (x->call_id < 0 || y->call_id < 0) {
        return compare_pending(x, y);
    }
    if (x->call_id == y->call_id) {
        /* One operation recorded twice (a recurring result and its last failure): the
         * later result change is the newer. */
        if (x->last_change >= 0 && x->last_change < y->last_change) {
            return -1;
        }
        if (y->last_change >= 0 && x->last_change > y->last_change) {
            return 1;
        }
        return (x->position < y->position) ? -1 : (x->position > y->position);
    }
    return (x->call_id < y->call_id) ? -1 : 1;
}

static void
set_active(bl_srsc_t *rsc)
{
    rsc->role = BL_ROLE_STARTED;
}

/* on-fail configured for the operation, else Pacemaker's default for the task. */
static bl_on_fail_t
on_fail_for(const history_t *h, const op_entry_t *op)
{
    static const struct {
        const char *name;
        bl_on_fail_t value;
    } names[] = {
        {"ignore", BL_FAIL_IGNORE}, {"demote", BL_FAIL_DEMOTE}, {"restart", BL_FAIL_RESTART},
        {"block", BL_FAIL_BLOCK},   {"stop", BL_FAIL_STOP},     {"standby", BL_FAIL_STANDBY},
        {"fence", BL_FAIL_FENCE},
    };
    const char *value = bl__sched_op_meta(h->s, h->rsc, op->task, op->interval_ms, "on-fail");

    for (size_t i = 0; value != NULL && i < G_N_ELEMENTS(names); i++) {
        if (strcmp(value, names[i].name) == 0) {
            if (names[i].value == BL_FAIL_FENCE && !h->s->stonith_enabled) {
                return BL_FAIL_BLOCK;
            }
            return names[i].value;
        }
    }
    if (strcmp(op->task, "stop") == 0) {
        return h->s->stonith_enabled ? BL_FAIL_FENCE : BL_FAIL_BLOCK;
    }
    return BL_FAIL_RESTART;
}

static void
update_state(history_t *h, const op_entry_t *op, int rc)
{
    const char *task = op->task;
    bool clear = false;

    if (rc == OCF_NOT_RUNNING) {
        clear = true;
    } else if (strcmp(task, "monitor") == 0) {
        if (h->last_failure != NULL && op->interval_ms == h->last_failure->interval_ms
            && strcmp(h->last_failure->task, "monitor") == 0) {
            clear = true;
        }
        if (h->rsc->role < BL_ROLE_STARTED) {
            set_active(h->rsc);
        }
    } else if (strcmp(task, "start") == 0 || strcmp(task, "migrate_from") == 0) {
        h->rsc->role = BL_ROLE_STARTED;
        clear = true;
    } else if (strcmp(task, "stop") == 0) {
        h->rsc->role = BL_ROLE_STOPPED;
        clear = true;
    } else if (strcmp(task, "promote") == 0) {
        h->rsc->role = BL_ROLE_PROMOTED;
        clear = true;
    } else if (strcmp(task, "demote") == 0) {
        clear = h->on_fail == BL_FAIL_DEMOTE;
        h->rsc->role = BL_ROLE_UNPROMOTED;
    } else if (strcmp(task, "migrate_to") == 0) {
        bl__sched_migrate_to_done(h->s, h->rsc, h->node, op->xml);
    } else if (h->rsc->role < BL_ROLE_STARTED) {
        set_active(h->rsc);
    }
    /* A later success forgets an earlier failure, except recoveries that must happen. */
    if (clear && (h->on_fail <= BL_FAIL_RESTART || h->on_fail == BL_FAIL_BLOCK)) {
        h->on_fail = BL_FAIL_IGNORE;
    }
}

static void
ban_everywhere(bl_sched_t *s, bl_srsc_t *rsc)
{
    for (int i = 0; i < s->n_nodes; i++) {
        rsc->scores[i] = -INF;
        rsc->allowed[i] = true;
    }
}

/* Where the agent cannot run, no instance of an anonymous clone can run either. */
static bl_srsc_t *
ban_target(const history_t *h)
{
    bl_srsc_t *clone = bl__sched_rsc_clone(h->rsc);

    return clone != NULL && !clone->clone->unique ? clone : h->rsc;
}

static void
record_failure(history_t *h, const op_entry_t *op, int rc)
{
    bl_on_fail_t on_fail = on_fail_for(h, op);

    h->last_failure = op;
    if (on_fail > h->on_fail) {
        h->on_fail = on_fail;
    }
    if (strcmp(op->task, "stop") == 0) {
        bl__sched_rsc_location(h->rsc, h->node, -INF, h->s->n_nodes);
    } else if (strcmp(op->task, "promote") == 0) {
        h->rsc->role = BL_ROLE_PROMOTED;
    } else if (strcmp(op->task, "demote") == 0) {
        h->rsc->role = (on_fail == BL_FAIL_BLOCK) ? BL_ROLE_PROMOTED
                       : (rc == OCF_NOT_RUNNING)  ? BL_ROLE_STOPPED
                                                  : BL_ROLE_UNPROMOTED;
    } else if (strcmp(op->task, "migrate_to") == 0 || strcmp(op->task, "migrate_from") == 0) {
        bl__sched_migrate_failed(h->s, h->rsc, h->node, op->xml);
    }
    if (is_probe(op) && rc == OCF_NOT_INSTALLED) {
        h->rsc->role = BL_ROLE_STOPPED;
    } else if (h->rsc->role < BL_ROLE_STARTED) {
        set_active(h->rsc);
    }
    if (on_fail == BL_FAIL_STOP) {
        h->rsc->fail_stopped = true;
        ban_everywhere(h->s, h->rsc);
    }
}

/*
 * A stop that failed hard cannot be retried; only fencing the node recovers from it.
 * Where the node cannot be fenced, nothing more may be done to the resource: blocked.
 */
static void
check_recoverable(history_t *h, const op_entry_t *op)
{
    if (strcmp(op->task, "stop") != 0 || bl__sched_can_fence_node(h->s, h->node)) {
        return;
    }
    h->rsc->managed = false;
    h->rsc->blocked = true;
}

/* Maps the raw result to done/error given what was expected (Pacemaker's remap). */
static int
remap(history_t *h, const op_entry_t *op, int *rc)
{
    int status = op->status;
    bool probe = is_probe(op);

    if (strcmp(op->task, "monitor") == 0) {
        *rc = (*rc == OCF_DEGRADED)            ? OCF_OK
              : (*rc == OCF_DEGRADED_PROMOTED) ? OCF_RUNNING_PROMOTED
                                               : *rc;
    }
    if (probe
        && (*rc == OCF_NOT_INSTALLED || *rc == OCF_INVALID_PARAM || status == EXEC_NOT_INSTALLED)) {
        /* The agent cannot run here: not running, and never to be started here (unless
         * the failure has expired). */
        if (!h->expired) {
            bl__sched_rsc_location(ban_target(h), h->node, -INF, h->s->n_nodes);
        }
        *rc = OCF_NOT_RUNNING;
        return EXEC_DONE;
    }
    if (status != EXEC_DONE && status != EXEC_ERROR) {
        return status;
    }
    status = (op->target_rc < 0 || op->target_rc != *rc) ? EXEC_ERROR : EXEC_DONE;
    switch (*rc) {
    case OCF_OK:
        if (probe && op->target_rc == OCF_NOT_RUNNING) {
            status = EXEC_DONE;
        }
        break;
    case OCF_NOT_RUNNING:
        if (probe || op->target_rc == *rc || !h->rsc->managed) {
            status = EXEC_DONE;
            h->rsc->role = BL_ROLE_STOPPED;
            h->on_fail = BL_FAIL_IGNORE;
        }
        break;
    case OCF_RUNNING_PROMOTED:
        if (probe && *rc != op->target_rc) {
            status = EXEC_DONE;
        }
        h->rsc->role = BL_ROLE_PROMOTED;
        break;
    case OCF_FAILED_PROMOTED:
        h->rsc->role = BL_ROLE_PROMOTED;
        status = EXEC_ERROR;
        break;
    case OCF_NOT_CONFIGURED:
        status = EXEC_ERROR_FATAL;
        break;
    case OCF_UNIMPLEMENTED:
        if (op->interval_ms == 0) {
            check_recoverable(h, op);
        }
        status = op->interval_ms == 0 ? EXEC_ERROR_HARD : EXEC_NOT_SUPPORTED;
        break;
    case OCF_NOT_INSTALLED:
    case OCF_INVALID_PARAM:
    case OCF_INSUFFICIENT_PRIV:
        check_recoverable(h, op);
        status = EXEC_ERROR_HARD;
        break;
    default:
        if (status == EXEC_DONE) {
            status = EXEC_ERROR;
        }
        break;
    }
    return status;
}

static bool
failure_expired(const history_t *h, const op_entry_t *op)
{
    const char *changed = bl_xml_attr(op->xml, "last-rc-change");
    int64_t when;

    if (h->rsc->failure_timeout <= 0 || changed == NULL) {
        return false;
    }
    /* A probe that found the resource running or stopped tells where it is, however old. */
    if (op->interval_ms == 0 && strcmp(op->task, "monitor") == 0
        && (op->rc == OCF_OK || op->rc == OCF_NOT_RUNNING || op->rc == OCF_RUNNING_PROMOTED
            || op->rc == OCF_DEGRADED || op->rc == OCF_DEGRADED_PROMOTED)) {
        return false;
    }
    when = strtoll(changed, NULL, 10);
    return when > 0 && when + h->rsc->failure_timeout <= h->s->now
           && bl__sched_failcount(h->s, h->rsc, h->node) == 0;
}

/*
 * A recorded failure of a start or monitor that ran with an older definition of the
 * resource no longer counts: its fail count is cleared (when the op carries a digest).
 */
static void
stale_failure(history_t *h, const op_entry_t *op)
{
    const char *id = bl_xml_attr(op->xml, "id");

    if (id == NULL || !g_str_has_suffix(id, "_last_failure_0")
        || bl_xml_attr(op->xml, "op-digest") == NULL || h->rsc->orphan
        || (strcmp(op->task, "start") != 0 && strcmp(op->task, "monitor") != 0)) {
        return;
    }
    if (bl__sched_definition_change(h->s, h->rsc, op->xml) != 0) {
        g_ptr_array_add(h->rsc->fail_cleared_on, h->node);
    }
}

/* A migration still in flight from a node that must be fenced may have reached its target:
 * the resource must stop there too. */
static void
pending_migration_from_lost_node(history_t *h, const op_entry_t *op)
{
    bl_snode_t *target = bl__sched_node_find(h->s, bl_xml_attr(op->xml, "migrate_target"));

    if (target != NULL && !g_ptr_array_find(h->rsc->restart_on, target, NULL)) {
        g_ptr_array_add(h->rsc->restart_on, target);
    }
}

static void
replay_op(history_t *h, const op_entry_t *op)
{
    int rc = op->rc;
    int status;
    bool expired;

    if (op->task == NULL || strcmp(op->task, "notify") == 0 || strcmp(op->task, "meta-data") == 0) {
        return;
    }
    expired = failure_expired(h, op);
    h->expired = expired;
    stale_failure(h, op);
    status = remap(h, op, &rc);
    if (expired && rc != op->target_rc) {
        return;
    }
    switch (status) {
    case EXEC_PENDING:
        if (strcmp(op->task, "start") == 0) {
            h->rsc->start_pending = true;
            set_active(h->rsc);
        } else if (strcmp(op->task, "promote") == 0) {
            h->rsc->role = BL_ROLE_PROMOTED;
        } else if (strcmp(op->task, "migrate_to") == 0 && h->node->unclean) {
            pending_migration_from_lost_node(h, op);
        }
        return;
    case EXEC_DONE:
        update_state(h, op, rc);
        return;
    case EXEC_CANCELLED:
        return;
    default:
        break;
    }
    if (status == EXEC_NOT_INSTALLED) {
        /* A missing agent cannot be ignored: move away from this node at least. */
        if (on_fail_for(h, op) == BL_FAIL_IGNORE && h->on_fail < BL_FAIL_MIGRATE) {
            h->on_fail = BL_FAIL_MIGRATE;
        }
        bl__sched_rsc_location(ban_target(h), h->node, -INF, h->s->n_nodes);
        record_failure(h, op, rc);
        return;
    }
    if (on_fail_for(h, op) == BL_FAIL_IGNORE) {
        update_state(h, op, op->target_rc);
        h->rsc->failure_ignored = true;
        return;
    }
    record_failure(h, op, rc);
    if (status == EXEC_ERROR_HARD) {
        bl__sched_rsc_location(ban_target(h), h->node, -INF, h->s->n_nodes);
    } else if (status == EXEC_ERROR_FATAL) {
        bl__sched_rsc_location(ban_target(h), NULL, -INF, h->s->n_nodes);
    }
}

static void
add_running(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node)
{
    for (guint i = 0; i < rsc->running_on->len; i++) {
        if (g_ptr_array_index(rsc->running_on, i) == node) {
            return;
        }
    }
    g_ptr_array_add(rsc->running_on, node);
    if (rsc->kind == BL_RSC_PRIMITIVE && !rsc->managed && !node->online) {
        /* Pacemaker counts an unmanaged resource on a node that is down as active,
         * but not its group or clone (they are reported as not running there). */
        return;
    }
    if (rsc->kind == BL_RSC_PRIMITIVE && rsc->running_on->len > 1) {
        if (rsc->multiple_active == BL_MULTI_STOP_ONLY) {
            ban_everywhere(s, rsc);
        } else if (rsc->multiple_active == BL_MULTI_BLOCK) {
            rsc->managed = false;
            rsc->blocked = true;
        }
    }
    if (rsc->parent != NULL) {
        add_running(s, rsc->parent, node);
    }
}

void
bl__sched_add_running(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node)
{
    add_running(s, rsc, node);
}

/* What the replayed history means for the resource on this node (process_rsc_state). */
static void
settle(history_t *h)
{
    bl_srsc_t *rsc = h->rsc;
    bl_on_fail_t on_fail = h->on_fail;
    bool active = rsc->role != BL_ROLE_STOPPED && rsc->role != BL_ROLE_UNKNOWN;

    if (active && h->node->maintenance) {
        rsc->managed = false; /* nothing is done to resources on a node in maintenance */
    }
    if (active && !h->node->online && !h->node->maintenance && rsc->managed) {
        h->node->unclean = true; /* it must be fenced before the resource can move */
    }
    if (h->node->unclean) {
        on_fail = BL_FAIL_IGNORE;
    }
    switch (on_fail) {
    case BL_FAIL_DEMOTE:
        rsc->failed = true;
        break;
    case BL_FAIL_FENCE:
        h->node->unclean = true;
        break;
    case BL_FAIL_STANDBY:
        h->node->standby = true;
        break;
    case BL_FAIL_BLOCK:
        rsc->managed = false;
        rsc->blocked = true;
        break;
    case BL_FAIL_MIGRATE:
        bl__sched_rsc_location(rsc, h->node, -INF, h->s->n_nodes);
        break;
    case BL_FAIL_STOP:
        rsc->fail_stopped = true;
        break;
    default:
        break;
    }
    if (!active) {
        return;
    }
    add_running(h->s, rsc, h->node);
    if (on_fail == BL_FAIL_DEMOTE || on_fail == BL_FAIL_BLOCK) {
        rsc->failed = true;
    } else if (on_fail != BL_FAIL_IGNORE) {
        rsc->failed = true;
        rsc->needs_stop = true;
    }
}

static bl_srsc_t *
orphan_new(bl_sched_t *s, const char *id)
{
    bl_srsc_t *rsc = bl__sched_rsc_new(s, id, BL_RSC_PRIMITIVE);

    rsc->orphan = true;
    g_ptr_array_add(s->resources, rsc);
    if (s->symmetric) {
        bl__sched_rsc_location(rsc, NULL, 0, s->n_nodes);
    }
    if (!s->stop_orphan_resources) {
        rsc->managed = false;
    } else {
        bl__sched_rsc_location(rsc, NULL, -INF, s->n_nodes);
    }
    return rsc;
}

/* Index of the operation since which the resource has been running (-1: unknown). */
static int
active_since(const GArray *ops)
{
    int start = -1, stop = -1, implied_monitor = -1, role_change = -1;

    for (guint i = 0; i < ops->len; i++) {
        const op_entry_t *op = &g_array_index(ops, op_entry_t, i);

        if (strcmp(op->task, "stop") == 0 && op->status == EXEC_DONE) {
            stop = (int) i;
        } else if (strcmp(op->task, "start") == 0 || strcmp(op->task, "migrate_from") == 0) {
            start = (int) i;
        } else if (implied_monitor <= stop && strcmp(op->task, "monitor") == 0
                   && (op->rc == OCF_OK || op->rc == OCF_RUNNING_PROMOTED)) {
            implied_monitor = (int) i;
        } else if (strcmp(op->task, "promote") == 0 || strcmp(op->task, "demote") == 0) {
            role_change = (int) i;
        }
    }
    if (start == -1) {
        /* a promotion or demotion implies an earlier start (a clone's history) */
        start = role_change != -1 ? role_change : implied_monitor;
    }
    return (start < stop) ? -1 : start;
}

/* Did the definition change since the resource started on this node? */
static void
check_definition(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const GArray *ops)
{
    int since = active_since(ops);
    int change = 0;

    if (rsc->orphan || since < 0) {
        return;
    }
    for (guint i = (guint) since; i < ops->len && change < 2; i++) {
        const op_entry_t *op = &g_array_index(ops, op_entry_t, i);
        int found;

        if (op->interval_ms != 0
            || (strcmp(op->task, "start") != 0 && strcmp(op->task, "monitor") != 0
                && strcmp(op->task, "promote") != 0 && strcmp(op->task, "migrate_from") != 0)) {
            continue;
        }
        found = bl__sched_definition_change(s, rsc, op->xml);
        change = found > change ? found : change;
    }
    if (change == 2) {
        g_ptr_array_add(rsc->restart_on, node);
    } else if (change == 1) {
        g_ptr_array_add(rsc->reload_on, node);
    }
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

/* The primitive whose history on NODE is recorded under ID (an orphan if none). */
static bl_srsc_t *
history_rsc(bl_sched_t *s, bl_snode_t *node, const char *id)
{
    bl_srsc_t *rsc = bl__sched_clone_history_rsc(s, node, id);
    bl_srsc_t *configured;

    if (rsc == NULL) {
        rsc = g_hash_table_lookup(s->rsc_by_id, id);
    }
    if (rsc == NULL) {
        return orphan_new(s, id);
    }
    if (rsc->kind == BL_RSC_PRIMITIVE) {
        return rsc;
    }
    /* A primitive that became a group or clone: its history is an orphan's, and the id
     * keeps naming the configured resource. */
    configured = rsc;
    rsc = orphan_new(s, id);
    g_hash_table_insert(s->rsc_by_id, configured->id, configured);
    return rsc;
}

/* The history of a Pacemaker Remote connection (ocf:pacemaker:remote, or a guest node's
 * inside a container): orphaned, it still brings a node whose resources must be handled.
 * (A configured resource is judged by its configuration, not by its history.) */
static bool
remote_connection(const xmlNode *xml)
{
    return bl_xml_attr(xml, "container") != NULL
           || (g_strcmp0(bl_xml_attr(xml, "class"), "ocf") == 0
               && g_strcmp0(bl_xml_attr(xml, "provider"), "pacemaker") == 0
               && g_strcmp0(bl_xml_attr(xml, "type"), "remote") == 0);
}

static int
unpack_lrm_resource(bl_sched_t *s, bl_snode_t *node, const xmlNode *xml)
{
    const char *id = bl_xml_attr(xml, "id");
    g_autoptr(GArray) ops = g_array_new(false, false, sizeof(op_entry_t));
    history_t h = {.s = s, .node = node, .on_fail = BL_FAIL_IGNORE};
    const op_entry_t *last;
    bl_role_t saved;

    for (xmlNode *op = bl_xml_first_child(xml, "lrm_rsc_op"); op != NULL;
         op = bl_xml_next(op, "lrm_rsc_op")) {
        op_entry_t entry;

        op_entry_init(&entry, op);
        entry.position = ops->len;
        if (entry.task != NULL) {
            g_array_append_val(ops, entry);
        }
    }
    if (ops->len == 0 || id == NULL) {
        return 0;
    }
    if (remote_connection(xml) && g_hash_table_lookup(s->rsc_by_id, id) == NULL) {
        bl_err_set(
            s->err,
            "lrm_resource '%s' on node '%s': history of a remote or guest node connection is not supported yet",
            id, node->uname);
        return BL_EUNSUPPORTED;
    }
    h.rsc = history_rsc(s, node, id);
    g_array_sort(ops, compare_call_id);
    g_ptr_array_add(h.rsc->known_on, node);
    saved = h.rsc->role;
    h.rsc->role = BL_ROLE_UNKNOWN;
    for (guint i = 0; i < ops->len; i++) {
        replay_op(&h, &g_array_index(ops, op_entry_t, i));
    }
    /* A pending start sorts after anything recorded later, so it still counts as
     * active once the transition's results are recorded (as crm_simulate shows)... */
    last = &g_array_index(ops, op_entry_t, ops->len - 1);
    if (last->status == EXEC_PENDING && strcmp(last->task, "start") == 0
        && !superseded_by_recorded_results(last)) {
        g_ptr_array_add(h.rsc->pending_on, node);
    }
    if (h.unsupported != NULL) {
        bl_err_set(s->err, "resource '%s' on node '%s': %s is not supported yet", id, node->uname,
                   h.unsupported);
        return BL_EUNSUPPORTED;
    }
    settle(&h);
    if (h.rsc->role == BL_ROLE_STOPPED && h.rsc->partial_source == node
        && h.rsc->partial_target != NULL && h.rsc->running_on->len > 0) {
        /* A stop on the source after a partial migration leaves it started on the
         * target. */
        h.rsc->role = BL_ROLE_STARTED;
    }
    if (h.rsc->base_id != NULL && runs_on(h.rsc, node)) {
        /* An instance is known by the history that shows it active (promotion scores). */
        free(h.rsc->history_id);
        h.rsc->history_id = bl_strdup(id);
    }
    if (node->online && runs_on(h.rsc, node)) {
        check_definition(s, h.rsc, node, ops);
    }
    if (saved > h.rsc->role) {
        h.rsc->role = saved;
    }
    return 0;
}

static int
unpack_node_history(bl_sched_t *s, bl_snode_t *node, const xmlNode *state)
{
    xmlNode *lrm = bl_xml_first_child(state, "lrm");
    xmlNode *list = bl_xml_first_child(lrm, "lrm_resources");

    for (xmlNode *xml = bl_xml_first_child(list, "lrm_resource"); xml != NULL;
         xml = bl_xml_next(xml, "lrm_resource")) {
        int rc = unpack_lrm_resource(s, node, xml);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/*
 * Online nodes first. Without fencing, the history of a node that is down is
 * meaningless (nothing can run there and nothing can confirm it): it is skipped.
 */
/* Fail counts are looked up for every resource on every node: index the few attributes
 * that can hold one instead of scanning all of a node's attributes each time. */
static void
index_failure_attrs(bl_sched_t *s)
{
    for (int n = 0; n < s->n_nodes; n++) {
        bl_snode_t *node = s->nodes[n];
        GHashTableIter iter;
        gpointer key;

        node->failure_attrs = g_ptr_array_new();
        g_hash_table_iter_init(&iter, node->attrs);
        while (g_hash_table_iter_next(&iter, &key, NULL)) {
            if (g_str_has_prefix(key, "fail-count-") || g_str_has_prefix(key, "last-failure-")) {
                g_ptr_array_add(node->failure_attrs, key);
            }
        }
    }
}

int
bl__sched_unpack_status(bl_sched_t *s)
{
    xmlNode *status = bl_xml_first_child(xmlDocGetRootElement(s->cib), "status");

    index_failure_attrs(s);
    for (int pass = 0; pass < 2; pass++) {
        for (xmlNode *state = bl_xml_first_child(status, "node_state"); state != NULL;
             state = bl_xml_next(state, "node_state")) {
            bl_snode_t *node = bl__sched_node_find(s, bl_xml_attr(state, "id"));
            int rc;

            if (node == NULL) {
                node = bl__sched_node_find(s, bl_xml_attr(state, "uname"));
            }
            if (node == NULL || (pass == 0) != node->online || (pass == 1 && !s->stonith_enabled)) {
                continue;
            }
            rc = unpack_node_history(s, node, state);
            if (rc != 0) {
                return rc;
            }
        }
    }
    for (guint i = 0; i < s->primitives->len; i++) {
        bl_srsc_t *rsc = g_ptr_array_index(s->primitives, i);

        if (rsc->fail_stopped) {
            rsc->next_role = BL_ROLE_STOPPED;
        }
    }
    return 0;
}

/*
 * Does NAME (after PREFIX) name RSC's failures? CIBs written before feature set 3.0.13
 * keep one "PREFIX-RSC" per resource, later ones "PREFIX-RSC#OP_INTERVAL" per operation;
 * Pacemaker reads only the form that matches the CIB's feature set.
 */
static bool
failure_attr_matches(const char *name, const char *prefix, const bl_srsc_t *rsc, bool legacy)
{
    const char *id = bl__sched_rsc_name(rsc);
    size_t plen = strlen(prefix);
    size_t len = strlen(id);
    const char *rest;
    const char *underscore;

    if (strncmp(name, prefix, plen) != 0 || strncmp(name + plen, id, len) != 0) {
        return false;
    }
    rest = name + plen + len;
    if (id != rsc->id && *rest == ':') {
        /* an anonymous instance: the failures of any instance number count */
        rest += 1 + strspn(rest + 1, "0123456789");
    }
    if (legacy) {
        return *rest == '\0';
    }
    underscore = strrchr(rest, '_');
    if (*rest != '#' || rest[1] == '\0' || underscore == NULL || underscore <= rest + 1
        || underscore[1] == '\0') {
        return false;
    }
    for (const char *p = underscore + 1; *p != '\0'; p++) {
        if (*p < '0' || *p > '9') {
            return false;
        }
    }
    return true;
}

static int
raw_failcount(const bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node,
              int64_t *last_failure)
{
    int total = 0;

    *last_failure = 0;
    for (guint i = 0; node->failure_attrs != NULL && i < node->failure_attrs->len; i++) {
        const char *key = g_ptr_array_index(node->failure_attrs, i);
        const char *value = g_hash_table_lookup(node->attrs, key);

        if (failure_attr_matches(key, "fail-count-", rsc, s->legacy_failcounts)) {
            total = bl_score_add(total, bl__sched_score(value));
        } else if (failure_attr_matches(key, "last-failure-", rsc, s->legacy_failcounts)) {
            int64_t when = strtoll(value, NULL, 10);

            *last_failure = when > *last_failure ? when : *last_failure;
        }
    }
    return total;
}

int
bl__sched_failcount(const bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node)
{
    int64_t last_failure = 0;
    int count;

    for (guint i = 0; i < rsc->fail_cleared_on->len; i++) {
        if (g_ptr_array_index(rsc->fail_cleared_on, i) == node) {
            return 0;
        }
    }
    count = raw_failcount(s, rsc, node, &last_failure);
    if (count > 0 && rsc->failure_timeout > 0 && last_failure > 0
        && s->now >= last_failure + rsc->failure_timeout) {
        return 0;
    }
    return count;
}
