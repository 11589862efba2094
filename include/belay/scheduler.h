/*
 * lib/scheduler: the policy engine. A pure function from a CIB (configuration + status)
 * to a decision: where every resource should run, which actions get there, and the
 * allocation scores behind the choice. Semantics are Pacemaker 2.1.5's.
 *
 * Properties callers rely on:
 * - no I/O, no logging, no global or static mutable state: several runs may proceed in
 *   parallel threads on different (or the same, read-only) documents;
 * - deterministic: the same document and options give byte-identical output;
 * - the input document is never modified;
 * - anything the scheduler does not implement (bundles, remote nodes, tickets, ...) is
 *   refused with BL_EUNSUPPORTED and a sentence naming the element.
 *
 * How a run proceeds (Pacemaker's stages, same order):
 *  1. unpack: cluster options, nodes (state from node_state, with or without fencing),
 *     resources (primitives and groups; meta = own, then parent's, then rsc_defaults),
 *     the status section (each lrm_resource history replayed in call-id order: role,
 *     failures, on-fail recovery, orphans), location constraints and rules;
 *  2. node criteria: stickiness on the current node, migration-threshold bans
 *     (fail-count-RSC#OP_INTERVAL, or fail-count-RSC for CIBs older than 3.0.13);
 *  3. colocations (resource sets expanded into pairs), then groups' internal colocations
 *     (member i with member i-1);
 *  4. assignment in priority order (configuration order among equals; with a
 *     placement-strategy other than default, then by colocation-merged scores): a primitive
 *     first
 *     places what it must be colocated with, applies those colocations, merges the
 *     preferences of what must be colocated with it (scaled by score/INFINITY), then takes
 *     its best node (ties: fewer resources assigned, current node, name) among the nodes
 *     with enough utilization capacity for it and what must run with it;
 *  5. actions (stop/start per node, migrate_to/migrate_from for live migration, group
 *     pseudo-actions), orderings (group internals, rsc_order with kind/symmetry and resource
 *     sets), then flags propagated along the orderings to a fixed point
 *     (required/runnable/migratable), which decides what the transition contains.
 *
 * Cost: unpacking is linear in the document; each resource keeps one score vector (one int
 * per node); ids are resolved once through hash tables. Measured on a generated CIB with 16
 * nodes and 10,000 primitives (30% in groups, 1,000 locations, 500 colocations, 500
 * orderings): about 0.7 s and 85 MB for a whole run.
 *
 * Clones and promotable clones: instances are resources below their clone, assigned by it
 * (active instances stay, the rest spread, clone-node-max per node), then the promotable
 * ones get promotion priorities and up to promoted-max are promoted.
 *
 * Not implemented yet (refused with BL_EUNSUPPORTED): bundles, templates, tickets, tags,
 * remote and guest nodes, containers, node-health-strategy, shutdown-lock, order actions
 * other than start/stop/promote/demote, date_spec and duration in date expressions.
 */
#ifndef BELAY_SCHEDULER_H
#define BELAY_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <libxml/tree.h>

#include <belay/common.h>

/* The outcome of one scheduler run (opaque). */
typedef struct bl_sched_result bl_sched_result_t;

typedef struct bl_sched_options {
    /*
     * "Now" for date rules and failure-timeout, in seconds since the epoch. 0 means: the
     * CIB's execution-date attribute when present, else the current time (the only place
     * where the library reads the clock; pass a value for reproducible runs).
     */
    int64_t now;
    /*
     * Also build the transition graph (bl_sched_result_graph(), bl_sched_result_apply()):
     * probes, recurring monitors and every ordering edge. Off by default because it costs
     * time and memory on large CIBs that only want the placement.
     */
    bool graph;
    /*
     * Also record the allocation scores (bl_sched_result_scores(),
     * bl_sched_result_allocation_scores()). Off by default: formatting one score per
     * primitive and node was a fifth of a run on large CIBs.
     */
    bool scores;
    /* Also keep the state before the transition (bl_sched_result_state()). */
    bool state;
} bl_sched_options_t;

/*
 * Runs the scheduler on CIB. OPTIONS may be NULL (defaults). On success returns 0 and
 * *result (free with bl_sched_result_free()). On failure returns BL_EINVALID (the
 * configuration cannot be scheduled, e.g. a constraint names no resource),
 * BL_EUNSUPPORTED (a feature Belay does not implement) or BL_EPARSE, with one sentence
 * in *err (caller frees), and *result untouched.
 */
int bl_sched_run(const xmlDoc *cib, const bl_sched_options_t *options, bl_sched_result_t **result,
                 char **err);

/* Frees RESULT (NULL is fine). */
void bl_sched_result_free(bl_sched_result_t *result);

/*
 * The state after the transition, in the normalized placement format of the conformance
 * corpus: "RESOURCE ROLE NODE" lines, byte-sorted, unique, each ending in '\n';
 * "RESOURCE Stopped -" for a configured primitive active nowhere. Caller frees.
 */
char *bl_sched_result_placement(const bl_sched_result_t *result);

/*
 * The transition's executable actions in the normalized format ("start RSC NODE",
 * "stop RSC NODE", ...): byte-sorted, unique lines. Pseudo-actions, probes and recurring
 * monitors are not listed. Caller frees.
 */
char *bl_sched_result_actions(const bl_sched_result_t *result);

/*
 * The allocation scores: one line "RESOURCE NODE SCORE" per primitive and node, in
 * assignment order, with the scores the resource was assigned from (location, stickiness,
 * failures and colocations applied); empty unless the run had options->scores. Caller
 * frees.
 */
char *bl_sched_result_scores(const bl_sched_result_t *result);

/*
 * The allocation scores in crm_simulate -s's format, in assignment order:
 * "pcmk__group_assign: RSC allocation score on NODE: SCORE" for a group and its members
 * when the group is assigned, "pcmk__primitive_assign: ..." for each primitive with the
 * scores it chooses from. Nodes by name. Empty unless the run had options->scores.
 * Caller frees.
 */
char *bl_sched_result_allocation_scores(const bl_sched_result_t *result);

/*
 * Parses a date in the forms crm_simulate's -t accepts that matter in practice:
 * "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS][Z|+HH:MM|-HH:MM]" and
 * "@EPOCH". Times without an offset are UTC. Returns 0 and *epoch, or BL_EPARSE.
 */
int bl_sched_date_parse(const char *text, int64_t *epoch, char **err);

/* ------------------------------------------------ the state before the transition */

/* A node as the scheduler saw it before the transition. */
typedef struct bl_sched_node_state {
    const char *name;
    bool online;
    bool unclean; /* lost without being fenced: must be fenced before anything moves */
    bool standby;
    bool maintenance;
    bool shutdown; /* leaving the cluster */
} bl_sched_node_state_t;

/* A resource before the transition: primitives and groups in the order they are assigned
 * (priority, then configuration order), each group followed by its members. */
typedef struct bl_sched_rsc_state {
    const char *id;
    const char *group;        /* the member's group, or NULL */
    bool is_group;            /* then agent is NULL and the rest summarizes the members */
    const char *agent;        /* "ocf:heartbeat:IPaddr2", "lsb:postfix" */
    const char *role;         /* "Started", "Stopped", "Promoted" or "Unpromoted" */
    const char *const *nodes; /* NULL-terminated names of the nodes where it is active */
    bool managed;
    bool failed;
    bool orphan;
    bool disabled;    /* target-role=Stopped */
    bool blocked;     /* a stop failed and nothing can be done until it is cleaned up */
    bool maintenance; /* maintenance=true (or maintenance-mode): not managed, not watched */
    bool starting;    /* a start is still in progress (on the last of its nodes) */
    /* Clones: the clone's entry is followed by its instances (each group instance by its
     * members); instances of anonymous clones carry the configured id. */
    bool is_clone;
    bool promotable;
    bool unique;
    const char *cloned; /* a clone's configured primitive or group id, else NULL */
    const char *clone;  /* the clone an instance (or instance member) belongs to, or NULL */
} bl_sched_rsc_state_t;

/* A failed operation recorded in the status section (newest first per resource). */
typedef struct bl_sched_failure {
    const char *rsc;
    const char *task;
    uint64_t interval_ms;
    const char *node;
    int rc;
    int status; /* the executor's op-status (0 done, 2 timed out, 4 error, ...) */
} bl_sched_failure_t;

typedef struct bl_sched_state {
    size_t n_nodes;
    const bl_sched_node_state_t *nodes;
    size_t n_resources;
    const bl_sched_rsc_state_t *resources;
    size_t n_failures;
    const bl_sched_failure_t *failures;
} bl_sched_state_t;

/* The cluster as the run found it (before the transition), or NULL unless the run had
 * options->state; borrowed from RESULT. */
const bl_sched_state_t *bl_sched_result_state(const bl_sched_result_t *result);

/* ------------------------------------------------------------ the transition graph */

/*
 * The transition graph in Pacemaker's transition_graph format (synapses of rsc_op,
 * pseudo_event and crm_event with their inputs), or NULL unless the run had
 * options->graph. Borrowed from RESULT.
 */
const xmlDoc *bl_sched_result_graph(const bl_sched_result_t *result);

/*
 * Records in CIB's status section the results of every operation of RESULT's graph as if
 * each succeeded (lrm_rsc_op entries with rc 0, 7 for probes; fenced and shut down nodes
 * go down), as crm_simulate does, so that the output can be scheduled again. CIB should
 * be the document RESULT was computed from (or a copy); it is changed. Returns 0, or
 * BL_EINVALID with *err when RESULT has no graph.
 */
int bl_sched_result_apply(const bl_sched_result_t *result, xmlDoc *cib, char **err);

/* ------------------------------------------------------ events injected before a run */

/*
 * Marks NODE (a name or id from the configuration's <nodes>) as up (member, online) or
 * down in CIB's status section, as crm_simulate's --node-up/--node-down. Returns 0, or
 * BL_ENOTFOUND with *err naming an unknown node; CIB is unchanged then.
 */
int bl_sched_inject_node(xmlDoc *cib, const char *node, bool up, char **err);

/*
 * Records a completed operation in CIB's status section, as crm_simulate's --op-inject:
 * SPEC is "RSC_TASK_INTERVAL@NODE=RC" (e.g. "web_monitor_10000@node1=7"). An RC other
 * than 0 (and other than 7 for a probe) is a failure: fail-count-RSC#TASK_INTERVAL is
 * incremented and last-failure-RSC#TASK_INTERVAL set to NOW on the node. Returns 0, or
 * BL_EPARSE (bad syntax) or BL_ENOTFOUND (unknown resource or node) with *err; CIB is
 * unchanged then.
 */
int bl_sched_inject_op(xmlDoc *cib, const char *spec, int64_t now, char **err);

#endif /* BELAY_SCHEDULER_H */
