/*
 * The transition graph under construction, shared by sched_graph.c (actions, orderings,
 * XML) and sched_notify.c (clone notifications). Every graph action is a gop_t whose id
 * is its index in graph_t.ops; inputs are the ids of the actions that come first.
 */
#ifndef BELAY_SCHED_GRAPH_H
#define BELAY_SCHED_GRAPH_H

#include "sched_private.h"

typedef enum gop_kind { GOP_RSC, GOP_PSEUDO, GOP_CRM } gop_kind_t;

typedef struct gop {
    int id;
    gop_kind_t kind;
    const char *task;
    char *key; /* operation_key */
    /* what follows the instance's history name in the operation_key that the graph shows
     * for a renamed anonymous instance, when not KEY's own suffix (owned), or NULL */
    char *history_suffix;
    const bl_srsc_t *rsc;
    const bl_snode_t *node;
    uint64_t interval_ms;
    bool probe;
    bool stopped_role;        /* a role=Stopped monitor: expects "not running" */
    int priority;             /* the synapse's priority (0: none) */
    GArray *inputs;           /* int ids of actions that come first */
    GHashTable *input_ids;    /* the same ids as a set once there are many, or NULL */
    const xmlNode *cancelled; /* for a cancel: the recurring operation's record */
    GHashTable *meta;         /* extra CRM_meta_NAME values by NAME (owned), or NULL */
} gop_t;

typedef struct graph {
    bl_sched_t *s;
    GPtrArray *ops;        /* gop_t *, index = id */
    GHashTable *by_action; /* bl_action_t * -> gop_t * */
    /* a notifying clone's completion action (running, stopped, ...) -> the confirmation
     * of its post-notifications (gop_t *, NULL when not in the graph) */
    GHashTable *notified;
    GHashTable *probes_of; /* primitive -> GPtrArray of its probes (gop_t *), once known */
    /* Indexes that keep the graph near-linear in the number of resources: */
    GHashTable *ops_of;       /* resource -> GPtrArray of its actions (gop_t *), in id order */
    GHashTable *histories;    /* node -> its lrm_resource elements by id, built on first use */
    GHashTable *undiscovered; /* "RSC NODE" of the resource-discovery=never locations */
    /* node -> GPtrArray of the actions (gop_t *) that wait for its fencing besides the
     * stops it implies (the notifications after fencing), or NULL */
    GHashTable *after_fence;
    /* (migrate_to id, load_stopped id) pairs, flattened: the load orderings of migrations,
     * dropped at the end where they would close a loop */
    GArray *load_migrations;
} graph_t;

/* Adds an action of KIND to G; KEY is RSC_TASK_INTERVAL when RSC is set (else NULL). */
gop_t *bl__graph_op_add(graph_t *g, gop_kind_t kind, const bl_srsc_t *rsc, const char *task,
                        const bl_snode_t *node, uint64_t interval_ms);
/* Makes THEN wait for FIRST (either may be NULL: nothing happens). */
void bl__graph_input(gop_t *then, const gop_t *first);
/* The graph action standing for ACTION, or NULL when it is not in the graph. */
gop_t *bl__graph_op_of(graph_t *g, const bl_action_t *action);
/* Appends the primitives RSC consists of to OUT (RSC itself for a primitive). */
void bl__graph_leaves(const bl_srsc_t *rsc, GPtrArray *out);
/* Sets the extra meta attribute NAME (without CRM_meta_) of OP to VALUE (copied). */
void bl__graph_meta_set(gop_t *op, const char *name, const char *value);

/* ------------------------------------------------------------- sched_notify.c */
/*
 * Notifications of the clones with notify=true: the pre/post pseudo-events around their
 * start, stop, promote and demote, a notify action per instance, and the notify_* meta
 * attributes on the instances' actions. Call after the clones' pseudo-events and the
 * recurring monitors are in G, before the orderings between resources.
 */
void bl__graph_notify_add(graph_t *g);

#endif /* BELAY_SCHED_GRAPH_H */
