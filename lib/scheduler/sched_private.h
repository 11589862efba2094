/*
 * lib/scheduler internals: the working set of one run. Everything a run allocates hangs
 * off bl_sched_t and is freed by bl__sched_free(); nothing is static or global.
 *
 * Identity: nodes are indexed 0..n_nodes-1 in configuration order; resources are
 * resolved from id to pointer once (rsc_by_id) and refer to each other by pointer.
 * Scores: each primitive and group has an int vector with one score per node plus a
 * parallel "allowed" mask (Pacemaker's allowed_nodes table: in an asymmetric cluster a
 * node is allowed only once a constraint mentions it).
 */
#ifndef BELAY_SCHED_PRIVATE_H
#define BELAY_SCHED_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <libxml/tree.h>

#include <belay/common.h>
#include <belay/scheduler.h>

#define INF BL_SCORE_INFINITY

/* Roles in Pacemaker's order (a "higher" role implies the lower ones). */
typedef enum bl_role {
    BL_ROLE_UNKNOWN = 0,
    BL_ROLE_STOPPED,
    BL_ROLE_STARTED,
    BL_ROLE_UNPROMOTED,
    BL_ROLE_PROMOTED,
} bl_role_t;

/* What to do when an operation fails, ordered by severity as Pacemaker compares them. */
typedef enum bl_on_fail {
    BL_FAIL_IGNORE = 0,
    BL_FAIL_DEMOTE,
    BL_FAIL_RESTART,
    BL_FAIL_MIGRATE,
    BL_FAIL_BLOCK,
    BL_FAIL_STOP,
    BL_FAIL_STANDBY,
    BL_FAIL_FENCE,
} bl_on_fail_t;

typedef enum bl_multiple_active {
    BL_MULTI_STOP_START = 0,
    BL_MULTI_STOP_ONLY,
    BL_MULTI_BLOCK,
    BL_MULTI_STOP_UNEXPECTED,
} bl_multiple_active_t;

typedef enum bl_no_quorum {
    BL_NOQ_STOP = 0,
    BL_NOQ_FREEZE,
    BL_NOQ_IGNORE,
    BL_NOQ_DEMOTE,
    BL_NOQ_SUICIDE,
} bl_no_quorum_t;

typedef struct bl_snode {
    int index;
    char *id;
    char *uname;
    GHashTable *attrs; /* name -> value (owned strings); includes #uname, #id, #is_dc */
    bool online;
    bool unclean;
    bool standby;
    bool maintenance;
    bool shutdown;
    bool expected_up;
    bool pending;       /* in the cluster but not joined yet: nothing can run there yet */
    bool has_state;     /* a node_state entry exists */
    int assigned_count; /* resources assigned so far (tie-break among equal scores) */
    int *capacity;      /* [s->n_util] remaining utilization capacity (non-default placement) */
    GPtrArray *failure_attrs; /* borrowed names of its fail-count-* and last-failure-* attrs */
} bl_snode_t;

typedef enum bl_rsc_kind {
    BL_RSC_PRIMITIVE = 0,
    BL_RSC_GROUP,
    BL_RSC_CLONE, /* clone or promotable clone: children are its instances */
} bl_rsc_kind_t;

/* A role=Promoted location preference: SCORE for promoting an instance on node NODE. */
typedef struct bl_clone_location {
    int node;
    int score;
} bl_clone_location_t;

/* Options of a clone (sched_clone.c); instances are the clone's children. */
typedef struct bl_clone {
    int clone_max;
    int clone_node_max;
    int clone_min; /* instances that must be able to start before dependents can (0: 1) */
    int promoted_max;
    int promoted_node_max;
    bool unique;
    bool forced_anonymous; /* globally-unique, but an agent class that cannot be */
    bool interleave;
    bool promotable;
    const xmlNode *template_xml; /* the primitive or group that is cloned */
    int next_instance;           /* number of the next instance created */
    int *count;                  /* [n_nodes] instances assigned per node */
    GArray *promoted_locations;  /* bl_clone_location_t: role=Promoted preferences */
} bl_clone_t;

typedef struct bl_srsc bl_srsc_t;
typedef struct bl_sched bl_sched_t;

typedef struct bl_coloc {
    const char *id;
    bl_srsc_t *dependent;
    bl_srsc_t *primary;
    int score;
    bl_role_t dependent_role;
    bl_role_t primary_role;
    const char *node_attribute; /* NULL: #uname */
    bool influence;
} bl_coloc_t;

struct bl_srsc {
    char *id;
    bl_rsc_kind_t kind;
    int config_index;    /* position in the configuration (stable sort key) */
    bl_srsc_t *parent;   /* group or clone, or NULL */
    GPtrArray *children; /* group members or clone instances (bl_srsc_t *), NULL for primitives */
    bl_clone_t *clone;   /* clone options, NULL unless kind is BL_RSC_CLONE */
    int instance;        /* instance number inside a clone (also its members'), else -1 */
    const char *base_id; /* configured id of an instance (or instance member), else NULL */
    char *history_id;    /* id of the first operation history matched to an instance */
    GPtrArray *known_on; /* bl_snode_t * with an operation history for this primitive */
    int promotion;       /* promotion priority of a promotable instance */
    bool promotion_blocked; /* a ticket for the promoted role is not held (instance or clone) */
    bl_snode_t *prefer;     /* node an instance is tried on first (its current node) */
    bool inherited;         /* an instance got its clone's colocations */
    GHashTable *meta;       /* effective meta attributes: own, parent's, rsc_defaults */
    bool orphan;
    const xmlNode *xml; /* its definition (NULL for orphans) */
    xmlNode *expanded;  /* owned copy that xml points to when defined by a template */

    int priority;
    int stickiness;
    int migration_threshold;
    int failure_timeout; /* seconds, 0 = never expire */
    bool managed;
    bool critical;
    bool needs_quorum; /* requires != nothing: starts wait for quorum */
    bl_multiple_active_t multiple_active;

    /* From the status section. */
    bl_role_t role;
    bl_role_t next_role;
    GPtrArray *running_on;      /* bl_snode_t * in discovery order */
    GPtrArray *pending_on;      /* nodes whose newest operation is a pending start */
    GPtrArray *restart_on;      /* nodes where it must stop whatever happens (the definition
                                   changed, a migration to there is pending on a lost node) */
    GPtrArray *reload_on;       /* nodes where the definition changed: reload there */
    GPtrArray *fail_cleared_on; /* nodes where the last failure predates the definition */
    bool failed;
    bool needs_stop; /* failed and recovery means stop + start */
    bool blocked;
    bool start_pending;
    bool fail_stopped;    /* a failure with on-fail=stop */
    bool failure_ignored; /* a failure with on-fail=ignore: no migration-threshold */

    /* Assignment. */
    int *scores;     /* [n_nodes] */
    bool *allowed;   /* [n_nodes] */
    int *pre_scores; /* copy shown by --scores */
    bool provisional;
    bool assigning;
    bool merging;
    bl_snode_t *assigned;
    GPtrArray *this_with; /* bl_coloc_t * where this resource is the dependent */
    GPtrArray *with_this; /* bl_coloc_t * where this resource is the primary */

    /* Transition. */
    GPtrArray *actions; /* bl_action_t * of this resource */

    int *utilization; /* [s->n_util] demand, BL_UTIL_NONE where not set; NULL: none */

    /* Live migration found in the history. */
    bl_snode_t *partial_source; /* migrate_to done, migrate_from not yet: may continue */
    bl_snode_t *partial_target;
    GPtrArray *dangling_on; /* sources of finished migrations never stopped (or NULL) */
};

/* placement-strategy */
typedef enum bl_placement {
    BL_PLACE_DEFAULT = 0,
    BL_PLACE_UTILIZATION,
    BL_PLACE_MINIMAL,
    BL_PLACE_BALANCED,
} bl_placement_t;

#define BL_UTIL_NONE INT32_MIN

typedef enum bl_action_flag {
    BL_ACT_OPTIONAL = 1 << 0,
    BL_ACT_RUNNABLE = 1 << 1,
    BL_ACT_PSEUDO = 1 << 2,
    BL_ACT_PRINT = 1 << 3,        /* in the transition even when optional (a pending start) */
    BL_ACT_REQUIRES_ANY = 1 << 4, /* runnable while any one-or-more predecessor is */
    BL_ACT_MIGRATABLE = 1 << 5,   /* part of a live migration that may still happen */
} bl_action_flag_t;

typedef enum bl_task {
    BL_TASK_STOP = 0,
    BL_TASK_START,
    BL_TASK_STOPPED, /* group pseudo-actions */
    BL_TASK_RUNNING,
    BL_TASK_MIGRATE_TO,   /* on the source node */
    BL_TASK_MIGRATE_FROM, /* on the target node */
    BL_TASK_PROMOTE,
    BL_TASK_DEMOTE,
    BL_TASK_PROMOTED, /* clone pseudo-actions */
    BL_TASK_DEMOTED,
} bl_task_t;

typedef struct bl_action {
    int index;
    bl_srsc_t *rsc;
    bl_task_t task;
    bl_snode_t *node; /* NULL for group pseudo-actions */
    unsigned flags;
    GPtrArray *out; /* bl_order_edge_t * where this action is first */
    GPtrArray *in;  /* bl_order_edge_t * where this action is then */
} bl_action_t;

/* Ordering edge flags (a subset of Pacemaker's pe_ordering with the same meaning). */
typedef enum bl_order_flag {
    BL_ORD_OPTIONAL = 0,
    BL_ORD_IMPLIES_THEN = 1 << 0,  /* first required => then required */
    BL_ORD_IMPLIES_FIRST = 1 << 1, /* then required => first required */
    BL_ORD_RUNNABLE_LEFT = 1 << 2, /* first unrunnable => then unrunnable */
    BL_ORD_RESTART = 1 << 3,       /* stop before start of the same resource */
    BL_ORD_ASYMMETRIC = 1 << 4,    /* non-symmetrical mandatory: unrunnable first blocks */
    BL_ORD_ONE_OR_MORE = 1 << 5,   /* into a REQUIRES_ANY action (require-all=false sets) */
    /* then not migratable or unrunnable => first unrunnable; then required => first too */
    BL_ORD_IMPLIES_FIRST_MIGRATABLE = 1 << 6,
    BL_ORD_PSEUDO_LEFT = 1 << 7, /* first unrunnable => then is a real, unmigrated action */
    /* then required and its resource currently promoted => first required */
    BL_ORD_PROMOTED_IMPLIES_FIRST = 1 << 8,
    /* an ordering between interleaved clones: their instances are ordered pairwise, and
     * the clones' pseudo-events are ordered only in the transition graph (no propagation) */
    BL_ORD_GRAPH_ONLY = 1 << 9,
} bl_order_flag_t;

typedef struct bl_order_edge {
    bl_action_t *first;
    bl_action_t *then;
    unsigned flags;
} bl_order_edge_t;

struct bl_sched {
    const xmlDoc *cib;
    int64_t now;
    char **err;

    /* Cluster options. */
    bool symmetric;
    bool stonith_enabled;
    bool have_stonith_resource;
    bool startup_fencing;
    const char *fence_action; /* "reboot" or "off" (stonith-action) */
    bool legacy_failcounts;   /* CIB feature set < 3.0.13: "fail-count-RSC" */
    bool have_quorum;
    bl_no_quorum_t no_quorum_policy;
    bool stop_orphan_resources;
    bool maintenance_mode;
    bool stop_all;
    bool startup_probes; /* enable-startup-probes */
    const char *dc_uuid;
    GHashTable *rsc_defaults; /* name -> value */

    int n_nodes;
    bl_snode_t **nodes;
    GHashTable *node_by_uname; /* borrowed uname -> bl_snode_t * */
    GHashTable *node_by_id;    /* borrowed id -> bl_snode_t * */

    GPtrArray *resources;  /* top-level resources (primitives and groups) */
    GPtrArray *primitives; /* every primitive, configuration order, orphans last */
    GHashTable *rsc_by_id; /* borrowed id -> bl_srsc_t * */
    GPtrArray *all_rscs;   /* owner of every bl_srsc_t */
    GPtrArray *colocs;     /* owner of every bl_coloc_t */

    GPtrArray *actions;      /* owner of every bl_action_t */
    GPtrArray *edges;        /* owner of every bl_order_edge_t */
    GPtrArray *assign_order; /* top-level resources in the order they were assigned */

    bl_placement_t placement;
    int n_util;            /* utilization attribute names, indexed 0..n_util-1 */
    GHashTable *lrm_index; /* "uname\nrsc" -> lrm_resource, built for migration history */
    GHashTable *clone_of;  /* borrowed configured id of a cloned resource -> its clone */
    struct bl_sched_score_log *score_log; /* allocation scores as assigned (sched_scores.c) */
    bool record_scores;                   /* options->scores: keep score_log and pre-scores */
};

struct bl_sched_result {
    GPtrArray *placement; /* sorted unique lines (char *), each without '\n' */
    GPtrArray *actions;
    GString *scores;
    struct bl_sched_state_data *state;    /* sched_state.c */
    xmlDoc *graph;                        /* sched_graph.c, NULL unless options->graph */
    GHashTable *graph_digests;            /* rsc_op id -> op-digest of its parameters */
    int64_t now;                          /* the run's "now" (recorded with applied results) */
    struct bl_sched_score_log *score_log; /* sched_scores.c, taken from the run */
};

/* ---------------------------------------------------------------- sched_main.c */
/* Prepares S for a run on CIB (nothing unpacked yet); free with bl__sched_free(). */
void bl__sched_init(bl_sched_t *s, const xmlDoc *cib, const bl_sched_options_t *options,
                    char **err);
void bl__sched_free(bl_sched_t *s);

/* -------------------------------------------------------------- sched_output.c */
/* True when ACTION takes effect (required, runnable, managed), pseudo or not. */
bool bl__sched_action_happens(const bl_action_t *action);
/* True when ACTION is part of the transition (happens and is not a pseudo-action). */
bool bl__sched_action_executes(const bl_action_t *action);
bl_sched_result_t *bl__sched_result_build(const bl_sched_t *s);
/* Orders node names as Pacemaker lists them (crm_simulate -s): case-insensitively, runs of
 * digits by value ("node2" before "node10", "7" before "007"); names equal that way are
 * ordered byte-wise. */
int bl__sched_node_name_compare(const char *a, const char *b);

/* --------------------------------------------------------------- sched_state.c */
/* Records in RESULT the nodes, resources and failures as the run found them. */
void bl__sched_state_capture(const bl_sched_t *s, bl_sched_result_t *result);
void bl__sched_state_free(struct bl_sched_state_data *state);

/* -------------------------------------------------------------- sched_scores.c */
/* Logs the scores RSC is assigned from (FUNCTION: "pcmk__group_assign", ...), when the
 * run records scores (s->record_scores); otherwise does nothing. */
void bl__sched_scores_log(bl_sched_t *s, const bl_srsc_t *rsc, const char *function);
void bl__sched_score_log_free(struct bl_sched_score_log *log);

/* --------------------------------------------------------------- sched_graph.c */
/* Builds RESULT's transition graph from S's actions and orderings. */
void bl__sched_graph_build(bl_sched_t *s, bl_sched_result_t *result);

/* -------------------------------------------------------------- sched_config.c */
/* Lenient integer/score conversion as Pacemaker's char2score does (never fails). */
int bl__sched_score(const char *text);
bool bl__sched_true(const char *text);
/* Adds nvpairs of every SET_NAME child of PARENT to TABLE (first value wins unless
 * OVERWRITE); sets with a rule are evaluated for "now" and node-independent rules. */
int bl__sched_nvpairs(bl_sched_t *s, const xmlNode *parent, const char *set_name, GHashTable *table,
                      bool overwrite);
int bl__sched_unpack_config(bl_sched_t *s);
/* Fencing is scheduled only when enabled, possible (a device) and allowed (quorum). */
bool bl__sched_can_fence(const bl_sched_t *s);
/* The same for fencing NODE: without quorum, only nodes that are online can be fenced. */
bool bl__sched_can_fence_node(const bl_sched_t *s, const bl_snode_t *node);

/* --------------------------------------------------------------- sched_nodes.c */
int bl__sched_unpack_nodes(bl_sched_t *s);
void bl__sched_nodes_free(bl_sched_t *s);
bl_snode_t *bl__sched_node_find(const bl_sched_t *s, const char *uname_or_id);
/* True when NODE can host resources (online, clean, not standby/maintenance/shutdown). */
bool bl__sched_node_available(const bl_snode_t *node);
const char *bl__sched_node_attr(const bl_snode_t *node, const char *name);

/* ----------------------------------------------------------- sched_resources.c */
int bl__sched_unpack_resources(bl_sched_t *s);
bl_srsc_t *bl__sched_rsc_new(bl_sched_t *s, const char *id, bl_rsc_kind_t kind);
/* Unpacks the primitive or group XML under PARENT, its id (and its members') followed by
 * SUFFIX (NULL: none), as clone instances are. */
int bl__sched_rsc_unpack(bl_sched_t *s, const xmlNode *xml, bl_srsc_t *parent, const char *suffix);
bl_srsc_t *bl__sched_rsc_find(const bl_sched_t *s, const char *id);
void bl__sched_rsc_free(bl_srsc_t *rsc);
/* The <op> configuring RSC's operation TASK with INTERVAL_MS, or NULL. */
const xmlNode *bl__sched_op_config(const bl_srsc_t *rsc, const char *task, uint64_t interval_ms);
/* Option NAME of RSC's operation TASK with INTERVAL_MS (op attribute, its meta_attributes,
 * then op_defaults), or NULL. */
const char *bl__sched_op_meta(const bl_sched_t *s, const bl_srsc_t *rsc, const char *task,
                              uint64_t interval_ms, const char *name);
const char *bl__sched_role_name(bl_role_t role);
bool bl__sched_role_parse(const char *text, bl_role_t *role);
/* Adds SCORE to RSC's score on NODE (all nodes when NODE is NULL), allowing it. */
void bl__sched_rsc_location(bl_srsc_t *rsc, const bl_snode_t *node, int score, int n_nodes);

/* -------------------------------------------------------------- sched_status.c */
int bl__sched_unpack_status(bl_sched_t *s);
/* Effective fail count of RSC on NODE (expired failures excluded). */
int bl__sched_failcount(const bl_sched_t *s, const bl_srsc_t *rsc, const bl_snode_t *node);
/* Marks RSC active on NODE (as the history of NODE would). */
void bl__sched_add_running(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node);

/* --------------------------------------------------------------- sched_rules.c */
/*
 * Evaluates the <rule> RULE for NODE (NULL: node attributes are undefined) at s->now.
 * Sets *matched. Returns 0, or BL_EUNSUPPORTED/BL_EINVALID with s->err set.
 */
int bl__sched_rule_eval(const bl_sched_t *s, const xmlNode *rule, const bl_snode_t *node,
                        bool *matched);

/* ----------------------------------------------------------- sched_templates.c */
/* The definition of PRIMITIVE (with a template attribute) merged with its template into
 * *EXPANDED (caller frees with xmlFreeNode()). */
int bl__sched_template_expand(bl_sched_t *s, const xmlNode *primitive, xmlNode **expanded);
/* Refuses constraints that name a template (they stand for the template's primitives). */
int bl__sched_templates_check(bl_sched_t *s);

/* ------------------------------------------------------------- sched_tickets.c */
/* Applies the rsc_ticket XML (with the ticket's state from the status section). */
int bl__sched_unpack_ticket(bl_sched_t *s, const xmlNode *xml);

/* ------------------------------------------------------------ sched_location.c */
int bl__sched_unpack_locations(bl_sched_t *s);

/* ---------------------------------------------------------- sched_colocation.c */
int bl__sched_unpack_colocations(bl_sched_t *s);
/* Adds and links a colocation (roles unset, influence from the dependent's "critical"). */
bl_coloc_t *bl__sched_coloc_add(bl_sched_t *s, const char *id, bl_srsc_t *dependent,
                                bl_srsc_t *primary, int score);
/* Inserts COLOC into LIST in Pacemaker's colocation order (by primary or dependent). */
void bl__sched_coloc_insert(GPtrArray *list, bl_coloc_t *coloc, bool by_primary);
/* Applies COLOC to its dependent's scores once its primary is assigned. */
void bl__sched_coloc_apply(bl_sched_t *s, const bl_coloc_t *coloc);
/* Same, with DEPENDENT standing for the constraint's dependent (a clone's instance). */
void bl__sched_coloc_apply_to(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent);
/* Applies COLOC to DEPENDENT as if its primary were assigned to PRIMARY_NODE (NULL: not
 * running anywhere). */
void bl__sched_coloc_apply_node(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent,
                                const bl_snode_t *primary_node);
/*
 * Pacemaker's add_colocated_node_scores: merges RSC's node preferences (and those of
 * resources colocated with it, recursively) into WORK scaled by FACTOR.
 * THIS_WITH selects which colocation list is followed.
 */
void bl__sched_coloc_merge(bl_sched_t *s, bl_srsc_t *rsc, int *work, bool *work_allowed,
                           const char *attr, double factor, bool this_with, bool initial);

/* -------------------------------------------------------------- sched_assign.c */
void bl__sched_assign_all(bl_sched_t *s);
bl_snode_t *bl__sched_assign(bl_sched_t *s, bl_srsc_t *rsc);

/* --------------------------------------------------------- sched_utilization.c */
/* The placement-strategy option's value (unknown values mean default, as in Pacemaker). */
bl_placement_t bl__sched_util_strategy(const char *text);
/* Node capacities and resource demands (placement-strategy other than default). */
int bl__sched_unpack_utilization(bl_sched_t *s);
/* Orders ASSIGN_ORDER as Pacemaker sorts resources for utilization-aware placement. */
void bl__sched_util_sort(bl_sched_t *s, GPtrArray *assign_order);
/* Bans RSC from nodes lacking capacity; returns the node to prefer, or NULL. */
bl_snode_t *bl__sched_util_ban(bl_sched_t *s, bl_srsc_t *rsc);
/* <0 when A has more remaining capacity than B (attribute by attribute), >0 when less. */
int bl__sched_util_compare(const bl_sched_t *s, const bl_snode_t *a, const bl_snode_t *b);
void bl__sched_util_consume(bl_sched_t *s, const bl_srsc_t *rsc, bl_snode_t *node);
/* Gives back what RSC consumed on NODE (its assignment there was undone). */
void bl__sched_util_release(bl_sched_t *s, const bl_srsc_t *rsc, bl_snode_t *node);

/* ------------------------------------------------------------- sched_migrate.c */
/* Whether RSC, running on CURRENT and assigned elsewhere, may move by live migration. */
bool bl__sched_can_migrate(const bl_srsc_t *rsc, const bl_snode_t *current);
/* Replaces RSC's move from CURRENT by migrate_to + migrate_from (the start becomes a
 * pseudo-action; the stop on CURRENT remains). */
void bl__sched_migrate_actions(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *current);
/*
 * Migration history, as Pacemaker unpacks it. Called while replaying RSC's history on
 * NODE: a successful migrate_to (may mark the target active, a partial or dangling
 * migration, or a failure), and failed migrate_to / migrate_from (the other side may
 * still be active). They set rsc->role for NODE and may add other nodes as active.
 */
void bl__sched_migrate_to_done(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const xmlNode *op);
void bl__sched_migrate_failed(bl_sched_t *s, bl_srsc_t *rsc, bl_snode_t *node, const xmlNode *op);
/* Whether RSC must wait for fencing before it may start elsewhere (requires=fencing). */
bool bl__sched_needs_fencing(const bl_sched_t *s, const bl_srsc_t *rsc);
/* The node RSC counts as running on: a partial migration's source, else (unless it needs
 * fencing) the first clean node, else the first. */
bl_snode_t *bl__sched_migration_current(const bl_sched_t *s, const bl_srsc_t *rsc);
/* Whether RSC's partial migration can go on (*MIGRATE stays true); returns true when it
 * cannot (it is forgotten, *MIGRATE becomes false: stop it everywhere). */
bool bl__sched_partial_migration(bl_srsc_t *rsc, const bl_snode_t *current, bool *migrate);

/* Marks CLONE's stop as migratable unless an instance both stops and starts (moves or
 * restarts): what is ordered before the clone's stop may then still migrate. */
void bl__sched_clone_migration_flags(bl_srsc_t *clone);

/* The task of the instances' actions a clone pseudo-action TASK stands for (running ->
 * start, stopped -> stop, promoted -> promote, demoted -> demote; others unchanged). */
bl_task_t bl__sched_instance_task(bl_task_t task);

/* Propagation along an edge with BL_ORD_IMPLIES_FIRST_MIGRATABLE or BL_ORD_PSEUDO_LEFT;
 * sets *CHANGED when a flag changed. */
void bl__sched_migration_edge(unsigned edge_flags, bl_action_t *first, bl_action_t *then,
                              bool *changed);

/* ------------------------------------------------------------- sched_actions.c */
bl_action_t *bl__sched_action(bl_sched_t *s, bl_srsc_t *rsc, bl_task_t task, bl_snode_t *node,
                              bool optional);
bl_action_t *bl__sched_action_find(const bl_srsc_t *rsc, bl_task_t task, const bl_snode_t *node);
void bl__sched_order(bl_sched_t *s, bl_action_t *first, bl_action_t *then, unsigned flags);
void bl__sched_create_actions(bl_sched_t *s);
/* Blocks the start of RSC when it runs nowhere yet and cannot be probed on a node that is
 * joining (sched_nodes.c): its state there is unknown. */
void bl__sched_block_unprobed_start(bl_sched_t *s, bl_srsc_t *rsc);
void bl__sched_propagate(bl_sched_t *s);
/* Flags of ACTION for ordering purposes (group and clone pseudo-actions: from members). */
unsigned bl__sched_action_flags(const bl_action_t *action);
/* The same, counting only what happens on NODE (all nodes if NULL). */
unsigned bl__sched_action_flags_on(const bl_action_t *action, const bl_snode_t *node);

/* -------------------------------------------------------------- sched_digest.c */
/* MD5 (hex, g_free) of RSC's parameters as Pacemaker digests them; ONLY limits them to a
 * space-separated list of names. */
char *bl__sched_params_digest(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op_config,
                              const char *only);
/* The op-digest of a recurring operation: its parameters and CRM_meta_timeout (g_free). */
char *bl__sched_recurring_digest(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op_config,
                                 uint64_t timeout_ms);
/* 0 when the operation ran with today's definition, 1 when a reload suffices (for a
 * recurring operation: rescheduling it), 2 when a restart is needed. */
int bl__sched_definition_change(bl_sched_t *s, const bl_srsc_t *rsc, const xmlNode *op);

/* ------------------------------------------------------------ sched_ordering.c */
int bl__sched_unpack_orderings(bl_sched_t *s);
/* Pieces of rsc_order unpacking that resource sets reuse. KIND is an opaque order kind;
 * SYMMETRY is 0 (asymmetric), 1 (symmetric) or 2 (the inverse of a symmetric order). */
int bl__sched_order_task(bl_sched_t *s, const char *id, const char *text, bl_task_t *task);
int bl__sched_order_kind(const xmlNode *xml);
bool bl__sched_order_kind_serializes(int kind);
unsigned bl__sched_order_flags(int kind, bl_task_t first_task, int symmetry);
/* Orders every TASK action of FIRST before every THEN_TASK action of THEN. */
void bl__sched_order_rscs(bl_sched_t *s, bl_srsc_t *first, bl_task_t first_task, bl_srsc_t *then,
                          bl_task_t then_task, unsigned flags);
bl_task_t bl__sched_task_invert(bl_task_t task);

/* ---------------------------------------------------------------- sched_sets.c */
/* rsc_order / rsc_colocation XML holding resource_set children. */
int bl__sched_unpack_order_sets(bl_sched_t *s, const xmlNode *xml);
int bl__sched_unpack_coloc_sets(bl_sched_t *s, const xmlNode *xml);

/* --------------------------------------------------------------- sched_clone.c */
/* Unpacks the <clone> or <master> XML: the clone and its clone-max instances. */
int bl__sched_clone_unpack(bl_sched_t *s, const xmlNode *xml);
/* The top-level resource RSC belongs to (RSC itself at top level). */
bl_srsc_t *bl__sched_rsc_top(bl_srsc_t *rsc);
/* The clone RSC is an instance (or a member of an instance) of, or NULL. */
bl_srsc_t *bl__sched_rsc_clone(const bl_srsc_t *rsc);
/* The id RSC is shown as: anonymous instances drop their ":N" suffix. */
const char *bl__sched_rsc_name(const bl_srsc_t *rsc);
/* The id the transition graph (and the action list) gives RSC's actions: its shown id,
 * except for the members Pacemaker keeps unique in a forced-anonymous cloned group. */
const char *bl__sched_rsc_graph_id(const bl_srsc_t *rsc);
/* The primitive whose history on NODE is recorded under ID, when ID names a cloned
 * primitive (creating an orphan instance if needed); NULL otherwise. */
bl_srsc_t *bl__sched_clone_history_rsc(bl_sched_t *s, bl_snode_t *node, const char *id);
bl_snode_t *bl__sched_clone_assign(bl_sched_t *s, bl_srsc_t *clone);
/* Merges OTHER's preferences (through COLOC) into SCORES, the clone's or a copy, never
 * making a node negative that was not already. */
void bl__sched_clone_merge_positive(bl_sched_t *s, bl_srsc_t *clone, int *scores, bl_srsc_t *other,
                                    const bl_coloc_t *coloc);
/* Applies COLOC (whose primary is a clone) to DEPENDENT's scores. */
void bl__sched_clone_coloc_apply(bl_sched_t *s, const bl_coloc_t *coloc, bl_srsc_t *dependent);
/* The node an instance (primitive or group) is assigned to, or runs on when CURRENT. */
bl_snode_t *bl__sched_instance_node(const bl_srsc_t *instance, bool current);
void bl__sched_clone_actions(bl_sched_t *s, bl_srsc_t *clone);
/* An instance's current role (its highest member's), next role, and setting the latter on
 * it and all its members. */
bl_role_t bl__sched_instance_role(const bl_srsc_t *instance);
bl_role_t bl__sched_instance_next_role(const bl_srsc_t *instance);
void bl__sched_instance_set_next_role(bl_srsc_t *instance, bl_role_t role);
/* -1 when instance X has better node scores than Y (compared best first), 1 if worse. */
int bl__sched_instance_compare_scores(const bl_sched_t *s, const bl_srsc_t *x, const bl_srsc_t *y);
/* Flags of a clone pseudo-action, summarized from its instances' actions. */
unsigned bl__sched_clone_action_flags(const bl_action_t *action, const bl_snode_t *node);
/* Orders FIRST's FIRST_TASK before THEN's THEN_TASK instance by instance on each node
 * when both are clones and the relevant one interleaves; returns false otherwise. */
bool bl__sched_clone_order_interleaved(bl_sched_t *s, bl_srsc_t *first, bl_task_t first_task,
                                       bl_srsc_t *then, bl_task_t then_task, unsigned flags);
/* Records a role=Promoted location preference of SCORE on NODE for CLONE. */
void bl__sched_clone_promoted_location(bl_sched_t *s, bl_srsc_t *clone, const bl_snode_t *node,
                                       int score);

/* ------------------------------------------------------------- sched_promote.c */
/* Chooses which instances of the promotable CLONE are promoted (after assignment). */
void bl__sched_promote_assign(bl_sched_t *s, bl_srsc_t *clone);
/* Adds positive promotion scores (master-RSC node attributes) to the instances' scores. */
void bl__sched_promote_add_scores(bl_sched_t *s, bl_srsc_t *clone);
/* Promote/demote actions of a promotable instance primitive and their orderings. */
void bl__sched_promote_actions(bl_sched_t *s, bl_srsc_t *rsc);

#endif /* BELAY_SCHED_PRIVATE_H */
